"""The process form shared by "Add a process" and "Edit": one widget per catalogue field.

Widgets return what a user typed; the services validate it (the same rules as the CLI), so this
module only chooses the right widget for each field and never checks values itself. Number
fields therefore set no bounds of their own: a browser would silently drop a value outside them,
whereas the service refuses it with the field and the range allowed. A new process has no unit
until the person chooses one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from inventory.schemas import (
    DIGITAL_MATURITY_LEVELS,
    Lifecycle,
    Pillar,
    PriorityArea,
    ProcessType,
    TransformationStatus,
)
from views.common import FIELD_LABELS


def _value(record: dict[str, Any] | None, field: str) -> Any:
    value = None if record is None else record.get(field)
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _text(record: dict[str, Any] | None, key: str, field: str, *, area: bool = False,
          placeholder: str | None = None, label: str | None = None) -> str:
    widget = st.text_area if area else st.text_input
    return widget(label or FIELD_LABELS[field], value=_value(record, field) or "",
                  key=f"{key}:{field}", placeholder=placeholder)


def _number(record: dict[str, Any] | None, key: str, field: str, *, whole: bool = False,
            label: str | None = None) -> Any:
    value = _value(record, field)
    if whole:
        return st.number_input(label or FIELD_LABELS[field],
                               value=None if value is None else int(value), step=1,
                               key=f"{key}:{field}", placeholder="unknown")
    return st.number_input(label or FIELD_LABELS[field],
                           value=None if value is None else float(value), step=0.5,
                           key=f"{key}:{field}", placeholder="unknown")


def _choice(record: dict[str, Any] | None, key: str, field: str, members: list[Any],
            *, optional: bool = True, label: str | None = None) -> Any:
    options: list[Any] = ([None] if optional else []) + [m.value for m in members]
    current = _value(record, field)
    labels = {m.value: m.label for m in members}
    return st.selectbox(label or FIELD_LABELS[field], options,
                        index=options.index(current) if current in options else 0,
                        format_func=lambda v: "— unknown —" if v is None else labels[v],
                        key=f"{key}:{field}")


def _maturity(record: dict[str, Any] | None, key: str, label: str | None = None) -> Any:
    levels: list[Any] = [None, *DIGITAL_MATURITY_LEVELS]
    current = _value(record, "digital_maturity")
    return st.selectbox(
        label or FIELD_LABELS["digital_maturity"], levels,
        index=levels.index(int(current)) if current is not None else 0,
        format_func=lambda v: "— unknown —" if v is None else
        f"{v} · {DIGITAL_MATURITY_LEVELS[v]}", key=f"{key}:digital_maturity")


CHOICES: dict[str, list[Any]] = {"pillar": list(Pillar), "priority_area": list(PriorityArea),
                                 "process_type": list(ProcessType)}
AREAS = ("description", "pain_points", "resources_needed")
WHOLE = ("annual_volume",)
NUMBERS = ("staff_effort_fte", "cycle_time_days", "estimated_cost_chf", "estimated_effort_pm")
LISTS = ("systems_used", "stakeholders", "related_initiatives", "tags")


def field_widget(record: dict[str, Any] | None, key: str, field: str,
                 label: str | None = None) -> Any:
    """The widget of one optional field of the process (text, list, number, vocabulary or
    digital maturity), pre-filled from ``record``, under ``label`` (default: the field's
    title); returns the value entered. Used where only some fields are asked for (an owner's
    review)."""
    if field in CHOICES:
        return _choice(record, key, field, CHOICES[field], label=label)
    if field == "digital_maturity":
        return _maturity(record, key, label)
    if field in WHOLE or field in NUMBERS:
        return _number(record, key, field, whole=field in WHOLE, label=label)
    return _text(record, key, field, area=field in AREAS, label=label,
                 placeholder="separate with ;" if field in LISTS else None)


def process_fields(record: dict[str, Any] | None, key: str, units: pd.DataFrame,
                   processes: pd.DataFrame) -> dict[str, Any]:
    """Draw every field (pre-filled from ``record``) and return the values as entered."""
    unit_names = dict(zip(units["code"], units["name"], strict=True))
    names = dict(zip(processes["code"], processes["name"], strict=True))
    own_code = _value(record, "code")
    parents: list[Any] = [None] + [c for c in processes["code"] if c != own_code]
    data: dict[str, Any] = {}

    st.markdown("**Identity**")
    left, middle, right = st.columns(3)
    with left:
        data["code"] = _text(record, key, "code", placeholder="e.g. HR-REC-01 or 7.2.1")
    with middle:
        data["name"] = _text(record, key, "name")
    with right:
        current_parent = _value(record, "parent_code")
        data["parent_code"] = st.selectbox(
            FIELD_LABELS["parent_code"], parents,
            index=parents.index(current_parent) if current_parent in parents else 0,
            format_func=lambda c: "— top level —" if c is None else f"{c} · {names.get(c, '')}",
            key=f"{key}:parent_code")
    data["description"] = _text(record, key, "description", area=True)

    st.markdown("**Ownership**")
    left, middle, right = st.columns(3)
    with left:
        unit_codes = list(unit_names)
        current_unit = _value(record, "unit")
        data["unit"] = st.selectbox(
            FIELD_LABELS["unit"], unit_codes,
            index=unit_codes.index(current_unit) if current_unit in unit_codes else None,
            format_func=lambda c: f"{c} · {unit_names[c]}", key=f"{key}:unit",
            placeholder="Choose the owning unit")
    with middle:
        data["process_owner"] = _text(record, key, "process_owner")
    with right:
        data["change_owner"] = _text(record, key, "change_owner")

    st.markdown("**Classification and status**")
    columns = st.columns(3)
    with columns[0]:
        data["pillar"] = _choice(record, key, "pillar", list(Pillar))
        data["process_type"] = _choice(record, key, "process_type", list(ProcessType))
    with columns[1]:
        data["priority_area"] = _choice(record, key, "priority_area", list(PriorityArea))
        data["lifecycle"] = _choice(record, key, "lifecycle", list(Lifecycle), optional=False)
    with columns[2]:
        data["transformation_status"] = _choice(record, key, "transformation_status",
                                                list(TransformationStatus), optional=False)
        data["digital_maturity"] = _maturity(record, key)

    st.markdown("**Size and effort today**")
    columns = st.columns(3)
    with columns[0]:
        data["annual_volume"] = _number(record, key, "annual_volume", whole=True)
    with columns[1]:
        data["staff_effort_fte"] = _number(record, key, "staff_effort_fte")
    with columns[2]:
        data["cycle_time_days"] = _number(record, key, "cycle_time_days")
    data["pain_points"] = _text(record, key, "pain_points", area=True)
    left, right = st.columns(2)
    with left:
        data["systems_used"] = _text(record, key, "systems_used", placeholder="separate with ;")
    with right:
        data["stakeholders"] = _text(record, key, "stakeholders", placeholder="separate with ;")

    st.markdown("**Transformation**")
    columns = st.columns(3)
    with columns[0]:
        data["quick_fix_candidate"] = st.checkbox(
            FIELD_LABELS["quick_fix_candidate"],
            value=bool(_value(record, "quick_fix_candidate")), key=f"{key}:quick_fix_candidate")
        start = _value(record, "earliest_start")
        data["earliest_start"] = st.date_input(
            FIELD_LABELS["earliest_start"], value=start if isinstance(start, dt.date) else None,
            key=f"{key}:earliest_start")
        data["target_milestone"] = _text(record, key, "target_milestone",
                                         placeholder="C26, PP-26 or YYYY-MM-DD")
    with columns[1]:
        data["estimated_cost_chf"] = _number(record, key, "estimated_cost_chf")
        data["estimated_effort_pm"] = _number(record, key, "estimated_effort_pm")
    with columns[2]:
        data["resources_needed"] = _text(record, key, "resources_needed", area=True)
    left, middle, right = st.columns(3)
    with left:
        data["related_initiatives"] = _text(record, key, "related_initiatives",
                                            placeholder="separate with ;")
    with middle:
        data["external_reference"] = _text(record, key, "external_reference",
                                           placeholder="e.g. APQC 7.2")
    with right:
        data["tags"] = _text(record, key, "tags", placeholder="separate with ;")
    return data
