"""On the Cases page, what an accepted case leads to (see
:mod:`inventory.services.case_follow_up`): recording a process it names that the inventory does
not hold yet, as a draft (analysts and admins), and assessing a process it concerns with the case
as the rationale (analysts and admins).

Widgets return what a person typed; the service checks the role, the case's status and the
values (the rules of ``dti case create-process`` and ``dti case assess``), so a refusal is one
sentence and nothing is saved.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from inventory.access import Action
from inventory.case_schemas import NEW_PROCESS
from inventory.services.cases import DEMANDING
from scoring.criteria import Criterion, SourceKind
from views.case_forms import FLOW
from views.common import actor, allowed, catalogue, plain
from views.edit_flow import items
from views.scoring_data import criteria_set


def follow_up(record: dict[str, Any]) -> None:
    """The two forms, for an accepted (or handed over) case, to those who may use them."""
    if record["status"] not in {status.value for status in DEMANDING}:
        return
    linked = items(record["processes"])
    new_names = [p[len(NEW_PROCESS):].strip() for p in linked
                 if p.lower().startswith(NEW_PROCESS)]
    known = [p for p in linked if not p.lower().startswith(NEW_PROCESS)]
    if new_names and allowed(Action.edit_inventory) and allowed(Action.triage_cases):
        units = catalogue().results.units()
        _record_process(record["code"], new_names, list(units["code"]))
    if known and allowed(Action.assess):
        _assess(record["code"], known)


def _record_process(code: str, new_names: list[str], units: list[str]) -> None:
    with st.expander("Record a process it names as a draft", icon=":material/add_circle:"):
        st.caption("The process starts as a draft with the case's idea as its description and "
                   "the problem today as its pain points; its owner validates it later.")
        with st.form(f"cs_new_process:{code}"):
            name = st.selectbox("Process", new_names, key=f"cs_np_name:{code}")
            left, right = st.columns(2)
            process_code = left.text_input("Code", key=f"cs_np_code:{code}",
                                           placeholder="HR-ONB")
            unit = right.selectbox("Unit", units, index=None, key=f"cs_np_unit:{code}",
                                   placeholder="Choose the unit that owns it")
            owner = st.text_input("Process owner (optional)", key=f"cs_np_owner:{code}")
            submitted = st.form_submit_button("Record the draft process", type="primary")
        if submitted:
            data = {"code": process_code, "unit": unit or "", "name": name}
            if owner.strip():
                data["process_owner"] = owner
            stored = FLOW.attempt(lambda: catalogue().process_from_case(code, data, actor()))
            if stored is not None:
                FLOW.saved(f"Recorded {stored['code']} ({stored['name']}) as a draft from "
                           f"{code}.", code)


def _assess(code: str, processes: list[str]) -> None:
    criteria = [c for c in criteria_set().criteria if c.source is SourceKind.ASSESSMENT]
    with st.expander("Assess a process it concerns", icon=":material/star_rate:"):
        st.caption(f"Each value is stored with the rationale \"From {plain(code)}\", rated by "
                   "you; your earlier value of a criterion is replaced. Leave a criterion "
                   "empty to keep it as it is.")
        with st.form(f"cs_assess:{code}"):
            process = st.selectbox("Process", processes, key=f"cs_as_process:{code}")
            values: dict[str, float | None] = {}
            columns = st.columns(3)
            for position, criterion in enumerate(criteria):
                values[criterion.key] = _value_input(columns[position % 3], code, criterion)
            submitted = st.form_submit_button("Save the assessment", type="primary")
        if submitted:
            given = {key: float(value) for key, value in values.items() if value is not None}
            stored = FLOW.attempt(lambda: catalogue().assess_from_case(code, process, given,
                                                                       actor()))
            if stored is not None:
                rated = ", ".join(f"{r['criterion_key']} {r['value']:g}" for r in stored)
                FLOW.saved(f"Rated {process} from {code}: {rated}.", code)


def _value_input(column: Any, code: str, criterion: Criterion) -> float | None:
    """A select box of the anchored levels (with their sentences), or a number within the
    scale's bounds; None when left empty."""
    key = f"cs_as:{code}:{criterion.key}"
    levels = [value for value, _ in criterion.scale.levels]
    if not levels:
        number = column.number_input(criterion.label, min_value=criterion.scale.low,
                                     max_value=criterion.scale.high, value=None, key=key)
        return None if number is None else float(number)

    def shown(value: float) -> str:
        return f"{value:g} · {criterion.scale.anchor(value)}"
    chosen = column.selectbox(criterion.label, levels, index=None, key=key, format_func=shown,
                              placeholder="not rated here")
    return None if chosen is None else float(chosen)
