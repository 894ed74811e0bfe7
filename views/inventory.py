"""Inventory: find processes, read one with everything attached, add and edit with version checks.

Everyone may read; the add, edit, delete and restore controls appear only for the roles that may
use them (the services refuse the others anyway, see :mod:`inventory.access`).

An edit remembers the version the form was opened on; saving sends it with the change, so an edit
made meanwhile by someone else is never overwritten: the conflict is shown and nothing is saved.
"""

from typing import Any

import pandas as pd
import streamlit as st

from inventory.access import Action
from inventory.errors import CatalogueError, Conflict
from inventory.schemas import DEPENDENCY_STRENGTHS, DependencyKind, KpiDirection
from inventory.services import Catalogue
from views.common import (
    FIELD_LABELS,
    actor,
    allowed,
    catalogue,
    flash,
    label,
    plain,
    readable,
    refused,
    show_flash,
)
from views.process_form import process_fields

TABLE_COLUMNS = ["code", "level", "name", "unit", "transformation_status", "digital_maturity",
                 "process_owner", "target_milestone", "quick_fix_candidate"]
DEPENDENCY_COLUMNS = ["kind", "strength", "note"]
CRITERIA_SUGGESTED = ["member_experience", "operational_efficiency", "staff_empowerment",
                      "strategic_alignment", "risk_compliance", "information_governance_risk",
                      "complexity", "change_readiness"]


def saved(message: str, open_code: str | None = None) -> None:
    """Confirm a save on the next rerun, with ``open_code`` opened (the picker is set then,
    because a widget's value cannot change once it is drawn)."""
    flash(message)
    if open_code is not None:
        st.session_state["pending_open"] = open_code
    st.rerun()


def add_process_form(inventory: Catalogue, units: pd.DataFrame, live: pd.DataFrame) -> None:
    with st.expander("Add a process", icon=":material/add:"), st.form("add_process"):
        data = process_fields(None, "add", units, live)
        if st.form_submit_button("Add process", type="primary"):
            try:
                record = inventory.add_process(data, actor())
            except CatalogueError as error:
                refused(error)
            else:
                saved(f"Added process {record['code']}.", record["code"])


def filtered_table(inventory: Catalogue, units: pd.DataFrame) -> pd.DataFrame:
    columns = st.columns([3, 2, 2, 2, 1.3])
    search = columns[0].text_input("Search", placeholder="code, name, owner, tag…", key="search")
    chosen_units = columns[1].multiselect("Units", list(units["code"]), key="filter_units")
    statuses = columns[2].multiselect(
        "Status", ["not_started", "planned", "ongoing", "completed", "revised"],
        format_func=lambda v: label("transformation_status", v), key="filter_status")
    pillars = columns[3].multiselect(
        "Pillar", ["governance", "members_and_partners", "people_and_culture",
                   "resource_optimisation", "systems_processes_and_tools"],
        format_func=lambda v: label("pillar", v), key="filter_pillar")
    deleted = columns[4].toggle("Deleted too", key="filter_deleted")
    frame = inventory.processes(include_deleted=deleted, search=search or None,
                                units=chosen_units, transformation_status=statuses,
                                pillar=pillars)
    st.caption(f"{len(frame)} process(es) shown. Select a row to open it.")
    event = st.dataframe(readable(frame, TABLE_COLUMNS), hide_index=True, width="stretch",
                         height=360, on_select="rerun", selection_mode="single-row",
                         key="process_table")
    rows = event.selection.rows if event is not None else []
    if rows:
        picked = str(frame.iloc[rows[0]]["code"])
        if st.session_state.get("table_pick") != picked:
            st.session_state["table_pick"] = picked
            st.session_state["open_code"] = picked
    return frame


def details_tab(record: dict[str, Any]) -> None:
    if record["description"]:
        st.text(record["description"])
    fields = [f for f in FIELD_LABELS if f in record and f != "description"]
    table = pd.DataFrame({"Field": [FIELD_LABELS[f] for f in fields],
                          "Value": [label(f, record[f]) for f in fields]})
    st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3)


def dependencies_tab(inventory: Catalogue, code: str, upstream: pd.DataFrame,
                     downstream: pd.DataFrame, live: pd.DataFrame) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{plain(code)} needs** (upstream: it depends on these)")
        st.dataframe(readable(upstream, ["upstream_code", "upstream_name", *DEPENDENCY_COLUMNS]),
                     hide_index=True, width="stretch")
    with right:
        st.markdown(f"**{plain(code)} feeds** (downstream: these depend on it)")
        st.dataframe(readable(downstream, ["downstream_code", "downstream_name",
                                           *DEPENDENCY_COLUMNS]),
                     hide_index=True, width="stretch")
    if not allowed(Action.edit_inventory):
        return
    names = dict(zip(live["code"], live["name"], strict=True))
    others = [c for c in live["code"] if c != code]
    with st.form("add_dependency"):
        st.markdown("**Add a dependency**")
        columns = st.columns([2, 3, 2, 2])
        direction = columns[0].radio("Direction", ["needs", "feeds"], key="dep_direction",
                                     format_func=lambda d: f"{code} {d}…")
        other = columns[1].selectbox("Other process", others, key="dep_other",
                                     format_func=lambda c: f"{c} · {names[c]}")
        kind = columns[2].selectbox("Kind", [k.value for k in DependencyKind], key="dep_kind",
                                    format_func=lambda v: DependencyKind(v).label)
        strength = columns[3].selectbox("Strength", list(DEPENDENCY_STRENGTHS), index=1,
                                        key="dep_strength",
                                        format_func=lambda s: f"{s} · {DEPENDENCY_STRENGTHS[s]}")
        note = st.text_input("Note", key="dep_note")
        if st.form_submit_button("Add dependency"):
            up, down = (other, code) if direction == "needs" else (code, other)
            try:
                inventory.add_dependency({"upstream_code": up, "downstream_code": down,
                                          "kind": kind, "strength": strength, "note": note},
                                         actor())
            except CatalogueError as error:
                refused(error)
            else:
                saved(f"Added dependency {up} → {down}.")
    pairs = [(u, d) for u, d in zip(upstream["upstream_code"], upstream["downstream_code"],
                                     strict=True)]
    pairs += [(u, d) for u, d in zip(downstream["upstream_code"], downstream["downstream_code"],
                                      strict=True)]
    if pairs:
        columns = st.columns([4, 1])
        pair = columns[0].selectbox("Remove a dependency", pairs, key="dep_remove",
                                    format_func=lambda p: f"{p[0]} → {p[1]}")
        if columns[1].button("Remove", key="dep_remove_button"):
            try:
                inventory.remove_dependency(pair[0], pair[1], actor())
            except CatalogueError as error:
                refused(error)
            else:
                saved(f"Removed dependency {pair[0]} → {pair[1]}; it can be restored.")


def kpis_tab(inventory: Catalogue, code: str, kpis: pd.DataFrame) -> None:
    st.dataframe(readable(kpis, ["name", "unit_of_measure", "direction", "baseline", "target",
                                 "target_date", "source"]), hide_index=True, width="stretch")
    if not allowed(Action.edit_inventory):
        return
    with st.form("add_kpi"):
        st.markdown("**Add a KPI / performance target**")
        columns = st.columns(3)
        data = {
            "process_code": code,
            "name": columns[0].text_input("What is measured", key="kpi_name"),
            "unit_of_measure": columns[1].text_input("Unit of measure", key="kpi_unit",
                                                     placeholder="days, %, CHF…"),
            "direction": columns[2].selectbox("Direction", [d.value for d in KpiDirection],
                                              format_func=lambda v: KpiDirection(v).label,
                                              key="kpi_direction"),
        }
        columns = st.columns(4)
        data["baseline"] = columns[0].number_input("Baseline", value=None, key="kpi_baseline")
        data["target"] = columns[1].number_input("Target", value=None, key="kpi_target")
        data["target_date"] = columns[2].date_input("Target date", value=None, key="kpi_date")
        data["source"] = columns[3].text_input("Source", key="kpi_source")
        if st.form_submit_button("Add KPI"):
            try:
                inventory.add_kpi(data, actor())
            except CatalogueError as error:
                refused(error)
            else:
                saved(f"Added KPI '{data['name']}' to {code}.")


def assessments_tab(inventory: Catalogue, code: str, assessments: pd.DataFrame) -> None:
    st.caption("Every rater's value is kept; nothing is averaged when stored. Scale 1 (low) "
               "to 5 (high); low and high give the plausible range.")
    st.dataframe(readable(assessments, ["criterion_key", "value", "low", "high", "rater",
                                        "rationale", "assessed_on"]),
                 hide_index=True, width="stretch")
    if not allowed(Action.assess):
        return
    with st.form("add_assessment"):
        st.markdown("**Add an assessment**")
        columns = st.columns(3)
        data = {
            "process_code": code,
            "criterion_key": columns[0].selectbox("Criterion", CRITERIA_SUGGESTED,
                                                  accept_new_options=True,
                                                  key="assessment_criterion"),
            "value": columns[1].number_input("Value", min_value=1.0, max_value=5.0, value=3.0,
                                             step=0.5, key="assessment_value"),
            "rater": columns[2].text_input("Rater", value=actor().name, key="assessment_rater"),
        }
        columns = st.columns(3)
        data["low"] = columns[0].number_input("Low", value=None, min_value=1.0, max_value=5.0,
                                              step=0.5, key="assessment_low")
        data["high"] = columns[1].number_input("High", value=None, min_value=1.0, max_value=5.0,
                                               step=0.5, key="assessment_high")
        data["assessed_on"] = columns[2].date_input("Assessed on", value=None,
                                                    key="assessment_date")
        data["rationale"] = st.text_input("Rationale", key="assessment_rationale")
        if st.form_submit_button("Add assessment"):
            try:
                inventory.add_assessment(data, actor())
            except CatalogueError as error:
                refused(error)
            else:
                saved(f"Added {data['rater']}'s assessment of {data['criterion_key']}.")


def edit_tab(inventory: Catalogue, record: dict[str, Any], units: pd.DataFrame,
             live: pd.DataFrame) -> None:
    code = record["code"]
    seen_key = f"seen_version:{code}"
    seen = st.session_state.setdefault(seen_key, int(record["version"]))
    st.caption(f"Editing version {seen}. If someone saves a change before you, your save is "
               "refused and nothing is overwritten.")
    with st.form(f"edit:{code}"):
        data = process_fields(record, f"edit:{code}:{seen}", units, live)
        submitted = st.form_submit_button("Save changes", type="primary")
    conflict_key = f"conflict:{code}"
    if submitted:
        try:
            updated = inventory.update_process(code, data, seen, actor())
        except Conflict as error:
            st.session_state[conflict_key] = error
        except CatalogueError as error:
            refused(error)
        else:
            del st.session_state[seen_key]
            unchanged = updated["version"] == seen
            saved("Nothing to save: no field changed." if unchanged else
                  f"Saved {updated['code']} (version {updated['version']}).", updated["code"])
    if conflict_key in st.session_state:  # stays until the user chooses to reload
        refused(st.session_state[conflict_key])
        if st.button("Discard my edits and load the latest version", key="reload"):
            del st.session_state[seen_key], st.session_state[conflict_key]
            st.rerun()
    with st.container(border=True):
        st.markdown("**Delete this process**")
        st.caption("Deleting hides it and what hangs on it; it stays in the history and can be "
                   "restored.")
        confirm = st.checkbox(f"Yes, delete {code}", key=f"confirm_delete:{code}")
        if st.button("Delete", disabled=not confirm, key=f"delete:{code}"):
            try:
                inventory.delete_process(code, actor(), seen)
            except CatalogueError as error:
                refused(error)
            else:
                st.session_state.pop(seen_key, None)
                saved(f"Deleted {code}; tick 'Deleted too' to find and restore it.", code)


def process_panel(inventory: Catalogue, code: str, units: pd.DataFrame,
                  live: pd.DataFrame) -> None:
    detail = inventory.process(code)
    record = detail.record
    st.subheader(f"{plain(record['code'])} · {plain(record['name'])}")
    st.caption(" · ".join([
        f"Unit {record['unit']}", label("transformation_status", record["transformation_status"]),
        label("lifecycle", record["lifecycle"]), f"version {record['version']}",
        f"last changed by {record['updated_by']} on {record['updated_at']:%Y-%m-%d %H:%M} UTC"]))
    if record["deleted_at"] is not None:
        st.warning(f"Deleted by {record['deleted_by']} on {record['deleted_at']:%Y-%m-%d %H:%M} "
                   "UTC.", icon=":material/delete:")
        if allowed(Action.restore) and st.button(f"Restore {code}", key=f"restore:{code}"):
            try:
                inventory.restore_process(code, actor())
            except CatalogueError as error:
                refused(error)
            else:
                saved(f"Restored {code}.", code)
        st.dataframe(inventory.history(code), hide_index=True, width="stretch")
        return
    editor = allowed(Action.edit_inventory)
    tabs = st.tabs(["Details", f"Dependencies ({len(detail.upstream) + len(detail.downstream)})",
                    f"KPIs ({len(detail.kpis)})", f"Assessments ({len(detail.assessments)})",
                    "History", *(["Edit"] if editor else [])])
    with tabs[0]:
        details_tab(record)
    with tabs[1]:
        dependencies_tab(inventory, code, detail.upstream, detail.downstream, live)
    with tabs[2]:
        kpis_tab(inventory, code, detail.kpis)
    with tabs[3]:
        assessments_tab(inventory, code, detail.assessments)
    with tabs[4]:
        history = inventory.history(code)
        st.dataframe(history[["at", "actor", "action", "entity", "entity_key", "field",
                              "old_value", "new_value"]], hide_index=True, width="stretch")
    if editor:
        with tabs[5]:
            edit_tab(inventory, record, units, live)


inventory = catalogue()
st.title("Inventory")
show_flash()
units = inventory.units()
live = inventory.processes()
if allowed(Action.edit_inventory):
    add_process_form(inventory, units, live)
shown = filtered_table(inventory, units)

codes = list(shown["code"])
if "pending_open" in st.session_state:
    st.session_state["open_code"] = st.session_state.pop("pending_open")
if "open_code" not in st.session_state and st.query_params.get("process") in codes:
    st.session_state["open_code"] = st.query_params["process"]  # a shared link to a process
if st.session_state.get("open_code") not in codes:
    st.session_state.pop("open_code", None)
names = dict(zip(shown["code"], shown["name"], strict=True))
open_code = st.selectbox("Open a process", codes, index=None, key="open_code",
                         placeholder="Choose a process, or select a row above",
                         format_func=lambda c: f"{c} · {names[c]}")
if open_code is None:
    st.query_params.pop("process", None)
else:
    st.query_params["process"] = open_code
    process_panel(inventory, open_code, units, live)
