"""Inventory: find processes, read one with everything attached, add and edit with version checks.

Everyone may read; the add, edit, delete and restore controls appear only for the roles that may
use them (the services refuse the others anyway, see :mod:`inventory.access`).

An edit remembers the version the form was opened on; saving sends it with the change, so an edit
made meanwhile by someone else is never overwritten: the conflict is shown and nothing is saved.
"""

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from inventory.access import Action
from inventory.errors import CatalogueError, Conflict
from inventory.schemas import DEPENDENCY_STRENGTHS, DependencyKind, KpiDirection, same_code
from inventory.services import Catalogue, filter_processes
from views.common import (
    FIELD_LABELS,
    actor,
    allowed,
    catalogue,
    flash,
    forget,
    label,
    plain,
    readable,
    refused,
    restore_hint,
    show_flash,
)
from views.paging import page_of
from views.process_form import process_fields
from views.roadmap_display import process_initiatives

TABLE_COLUMNS = ["code", "level", "name", "unit", "transformation_status", "digital_maturity",
                 "process_owner", "target_milestone", "quick_fix_candidate"]
DEPENDENCY_COLUMNS = ["kind", "strength", "note"]


def saved(message: str, open_code: str | None = None) -> None:
    """Confirm a save on the next rerun, with ``open_code`` opened (the picker is set then,
    because a widget's value cannot change once it is drawn)."""
    flash(message)
    if open_code is not None:
        st.session_state["pending_open"] = open_code
    st.rerun()


def save_versioned(slot: str, save: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    """Run ``save`` (an edit carrying the version its form was opened on). A conflict is kept
    for :func:`conflict_notice` (the form keeps the typed values); any other refusal is shown
    at once. Returns the saved record, or ``None`` when nothing was saved."""
    try:
        return save()
    except Conflict as error:
        st.session_state[f"conflict:{slot}"] = error
    except CatalogueError as error:
        refused(error)
    return None


def conflict_notice(slot: str, button_key: str) -> None:
    """Show a kept conflict until the person chooses to load the latest version."""
    error = st.session_state.get(f"conflict:{slot}")
    if error is None:
        return
    refused(error)
    if st.button("Discard my edits and load the latest version", key=button_key):
        st.session_state.pop(f"seen_version:{slot}", None)
        st.session_state.pop(f"conflict:{slot}", None)
        st.rerun()


def seen_version(slot: str, current: int) -> int:
    """The version an edit form was opened on; it stays until a save or a reload."""
    return int(st.session_state.setdefault(f"seen_version:{slot}", current))


def confirmed_button(what: str, key: str, label: str = "Delete") -> bool:
    """A delete or remove button that works only once its confirmation box is ticked."""
    confirm = st.checkbox(f"Yes, {label.lower()} {what}", key=f"confirm_{key}")
    return st.button(label, disabled=not confirm, key=key)


def add_process_form(inventory: Catalogue, units: pd.DataFrame, live: pd.DataFrame) -> None:
    """Add a process; the form is emptied after a save and keeps the values after a refusal."""
    with st.expander("Add a process", icon=":material/add:",
                     expanded="add_refused" in st.session_state), st.form("add_process"):
        data = process_fields(None, "add", units, live)
        if st.form_submit_button("Add process", type="primary"):
            try:
                record = inventory.add_process(data, actor())
            except CatalogueError as error:
                st.session_state["add_refused"] = True
                refused(error)
            else:
                st.session_state.pop("add_refused", None)
                forget("add:")
                saved(f"Added process {record['code']}.", record["code"])


def filtered_table(inventory: Catalogue,
                   units: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The search and filters, and the table of the processes that match, a page at a time;
    returns every match and the page shown."""
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
    frame = filter_processes(inventory.results.processes(include_deleted=deleted),
                             search=search or None, units=chosen_units,
                             transformation_status=statuses, pillar=pillars)
    st.caption(f"{len(frame):,} process(es) match. Select a row to open it.")
    page = page_of(frame, "process_page")
    event = st.dataframe(readable(page, TABLE_COLUMNS), hide_index=True, width="stretch",
                         height=360, on_select="rerun", selection_mode="single-row",
                         key="process_table")
    rows = event.selection.rows if event is not None else []
    if rows and rows[0] < len(page):
        picked = str(page.iloc[rows[0]]["code"])
        if st.session_state.get("table_pick") != picked:
            st.session_state["table_pick"] = picked
            st.session_state["open_code"] = picked
    return frame, page


def details_tab(record: dict[str, Any]) -> None:
    if record["description"]:
        st.text(record["description"])
    fields = [f for f in FIELD_LABELS if f in record and f != "description"]
    table = pd.DataFrame({"Field": [FIELD_LABELS[f] for f in fields],
                          "Value": [shown_value(f, record[f]) for f in fields]})
    st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3,
                 column_config={"Value": st.column_config.TextColumn(width="large")})


def shown_value(field: str, value: Any) -> str:
    """A field as people read it; money in Swiss francs with thousands separators."""
    if field == "estimated_cost_chf" and value is not None and not pd.isna(value):
        return f"CHF {float(value):,.0f}"
    return label(field, value)


def dependencies_tab(inventory: Catalogue, code: str, upstream: pd.DataFrame,
                     downstream: pd.DataFrame, live: pd.DataFrame) -> None:
    wide = {"Note": st.column_config.TextColumn(width="large")}  # full width: nothing cut off
    st.markdown(f"**{plain(code)} needs** (upstream: it depends on these)")
    st.dataframe(readable(upstream, ["upstream_code", "upstream_name", *DEPENDENCY_COLUMNS]),
                 hide_index=True, width="stretch", column_config=wide)
    st.markdown(f"**{plain(code)} feeds** (downstream: these depend on it)")
    st.dataframe(readable(downstream, ["downstream_code", "downstream_name",
                                       *DEPENDENCY_COLUMNS]),
                 hide_index=True, width="stretch", column_config=wide)
    if not allowed(Action.edit_inventory):
        return
    add_dependency_form(inventory, code, live)
    links = pd.concat([upstream, downstream], ignore_index=True)
    if not links.empty:
        change_dependency(inventory, code, links)


def add_dependency_form(inventory: Catalogue, code: str, live: pd.DataFrame) -> None:
    """Add a dependency; the other process must be chosen (no default), the form empties after
    a save."""
    names = dict(zip(live["code"], live["name"], strict=True))
    others = [c for c in live["code"] if c != code]
    with st.form("add_dependency"):
        st.markdown("**Add a dependency**")
        columns = st.columns([2, 3, 2, 2])
        direction = columns[0].radio("Direction", ["needs", "feeds"], key="dep_add:direction",
                                     format_func=lambda d: f"{code} {d}…")
        other = columns[1].selectbox("Other process", others, index=None, key="dep_add:other",
                                     placeholder="Choose the other process",
                                     format_func=lambda c: f"{c} · {names[c]}")
        kind = columns[2].selectbox("Kind", [k.value for k in DependencyKind],
                                    key="dep_add:kind",
                                    format_func=lambda v: DependencyKind(v).label)
        strength = columns[3].selectbox("Strength", list(DEPENDENCY_STRENGTHS), index=1,
                                        key="dep_add:strength",
                                        format_func=lambda s: f"{s} · {DEPENDENCY_STRENGTHS[s]}")
        note = st.text_input("Note", key="dep_add:note")
        if st.form_submit_button("Add dependency"):
            if other is None:
                st.error("Not saved: choose the other process.", icon=":material/error:")
                return
            up, down = (other, code) if direction == "needs" else (code, other)
            try:
                inventory.add_dependency({"upstream_code": up, "downstream_code": down,
                                          "kind": kind, "strength": strength, "note": note},
                                         actor())
            except CatalogueError as error:
                refused(error)
            else:
                forget("dep_add:")
                saved(f"Added dependency {up} → {down}.")


def change_dependency(inventory: Catalogue, code: str, links: pd.DataFrame) -> None:
    """Edit the kind, strength and note of one of the process's dependencies (with the version
    check), or remove it after a confirmation."""
    pairs = list(zip(links["upstream_code"], links["downstream_code"], strict=True))
    st.markdown("**Change or remove a dependency**")
    pair = st.selectbox("Dependency", pairs, index=None, key=f"dep_pick:{code}",
                        placeholder="Choose a dependency of this process",
                        format_func=lambda p: f"{p[0]} → {p[1]}")
    if pair is None:
        return
    up, down = pair
    row = links[(links["upstream_code"] == up) & (links["downstream_code"] == down)].iloc[0]
    slot = f"dep:{up}>{down}"
    seen = seen_version(slot, int(row["version"]))
    kinds = [k.value for k in DependencyKind]
    with st.form(f"edit_dependency:{slot}"):
        columns = st.columns([2, 2, 4])
        changes = {
            "kind": columns[0].selectbox("Kind", kinds, index=kinds.index(row["kind"]),
                                         key=f"{slot}:{seen}:kind",
                                         format_func=lambda v: DependencyKind(v).label),
            "strength": columns[1].selectbox(
                "Strength", list(DEPENDENCY_STRENGTHS),
                index=list(DEPENDENCY_STRENGTHS).index(int(row["strength"])),
                key=f"{slot}:{seen}:strength",
                format_func=lambda s: f"{s} · {DEPENDENCY_STRENGTHS[s]}"),
            "note": columns[2].text_input("Note", value=_text(row["note"]),
                                          key=f"{slot}:{seen}:note"),
        }
        submitted = st.form_submit_button("Save dependency")
    if submitted:
        record = save_versioned(slot, lambda: inventory.update_dependency(
            up, down, changes, seen, actor()))
        if record is not None:
            st.session_state.pop(f"seen_version:{slot}", None)
            saved(f"Nothing to save: {up} → {down} is unchanged." if record["version"] == seen
                  else f"Saved dependency {up} → {down} (version {record['version']}).")
    conflict_notice(slot, f"reload:{slot}")
    if confirmed_button(f"remove {up} → {down}", f"remove:{slot}", "Remove"):
        try:
            inventory.remove_dependency(up, down, actor(), seen)
        except CatalogueError as error:
            refused(error)
        else:
            st.session_state.pop(f"seen_version:{slot}", None)
            saved(f"Removed dependency {up} → {down}; "
                  f"{restore_hint('on the History page, under Deleted items')}.")


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def kpi_fields(key: str, kpi: dict[str, Any] | None) -> dict[str, Any]:
    """The KPI fields (empty for a new KPI, pre-filled from ``kpi`` for an edit)."""
    def current(field: str) -> Any:
        value = None if kpi is None else kpi.get(field)
        return None if value is None or (not isinstance(value, str) and pd.isna(value)) \
            else value

    directions = [d.value for d in KpiDirection]
    top = st.columns(3)
    data = {
        "name": top[0].text_input("What is measured", value=current("name") or "",
                                      key=f"{key}:name"),
        "unit_of_measure": top[1].text_input("Unit of measure",
                                                 value=current("unit_of_measure") or "",
                                                 key=f"{key}:unit", placeholder="days, %, CHF…"),
        "direction": top[2].selectbox(
            "Direction", directions, index=directions.index(current("direction") or "higher"),
            format_func=lambda v: KpiDirection(v).label, key=f"{key}:direction"),
    }
    columns = st.columns(4)
    baseline, target = current("baseline"), current("target")
    data["baseline"] = columns[0].number_input(
        "Baseline", value=None if baseline is None else float(baseline), key=f"{key}:baseline",
        placeholder="unknown")
    data["target"] = columns[1].number_input(
        "Target", value=None if target is None else float(target), key=f"{key}:target",
        placeholder="unknown")
    data["target_date"] = columns[2].date_input("Target date", value=current("target_date"),
                                                key=f"{key}:date")
    data["source"] = columns[3].text_input("Source", value=current("source") or "",
                                           key=f"{key}:source")
    return data


def kpis_tab(inventory: Catalogue, code: str, kpis: pd.DataFrame) -> None:
    st.dataframe(readable(kpis, ["name", "unit_of_measure", "direction", "baseline", "target",
                                 "target_date", "source"]), hide_index=True, width="stretch")
    if not allowed(Action.edit_inventory):
        return
    with st.form("add_kpi"):
        st.markdown("**Add a KPI / performance target**")
        data = {"process_code": code} | kpi_fields("kpi_add", None)
        if st.form_submit_button("Add KPI"):
            try:
                inventory.add_kpi(data, actor())
            except CatalogueError as error:
                refused(error)
            else:
                forget("kpi_add:")
                saved(f"Added KPI '{data['name']}' to {code}.")
    if not kpis.empty:
        change_kpi(inventory, code, kpis)
    if allowed(Action.restore):
        restore_kpis(inventory, code)


def change_kpi(inventory: Catalogue, code: str, kpis: pd.DataFrame) -> None:
    """Edit one KPI (with the version check) or delete it after a confirmation."""
    st.markdown("**Change or delete a KPI**")
    names = dict(zip(kpis["id"], kpis["name"], strict=True))
    kpi_id = st.selectbox("KPI", list(names), index=None, key=f"kpi_pick:{code}",
                          placeholder="Choose a KPI of this process",
                          format_func=lambda i: names[i])
    if kpi_id is None:
        return
    kpi = kpis[kpis["id"] == kpi_id].iloc[0].to_dict()
    slot = f"kpi:{kpi_id}"
    seen = seen_version(slot, int(kpi["version"]))
    with st.form(f"edit_kpi:{kpi_id}"):
        changes = kpi_fields(f"{slot}:{seen}", kpi)
        submitted = st.form_submit_button("Save KPI")
    if submitted:
        record = save_versioned(slot, lambda: inventory.update_kpi(int(kpi_id), changes, seen,
                                                                   actor()))
        if record is not None:
            st.session_state.pop(f"seen_version:{slot}", None)
            saved(f"Nothing to save: KPI '{record['name']}' is unchanged."
                  if record["version"] == seen else
                  f"Saved KPI '{record['name']}' (version {record['version']}).")
    conflict_notice(slot, f"reload:{slot}")
    if confirmed_button(f"delete the KPI '{kpi['name']}'", f"delete:{slot}"):
        try:
            inventory.delete_kpi(int(kpi_id), actor(), seen)
        except CatalogueError as error:
            refused(error)
        else:
            st.session_state.pop(f"seen_version:{slot}", None)
            saved(f"Deleted KPI '{kpi['name']}'; {restore_hint('below, under Deleted KPIs')}.")


def restore_kpis(inventory: Catalogue, code: str) -> None:
    """The process's deleted KPIs, each with a restore button (for a role that may restore)."""
    every = inventory.kpis(process_code=code, include_deleted=True)
    deleted = every[every["deleted_at"].notna()]
    if deleted.empty:
        return
    st.markdown("**Deleted KPIs**")
    for kpi in deleted.to_dict("records"):
        columns = st.columns([5, 1])
        columns[0].caption(f"{plain(kpi['name'])}, deleted by {plain(kpi['deleted_by'])} on "
                           f"{kpi['deleted_at']:%Y-%m-%d %H:%M} UTC")
        if columns[1].button("Restore", key=f"restore_kpi:{kpi['id']}"):
            try:
                inventory.restore_kpi(int(kpi["id"]), actor())
            except CatalogueError as error:
                refused(error)
            else:
                saved(f"Restored KPI '{kpi['name']}'.")


def assessments_tab(code: str, assessments: pd.DataFrame) -> None:
    st.caption("Every rater's value is kept; nothing is averaged when stored. Scale 1 (low) "
               "to 5 (high); low and high give the plausible range.")
    st.dataframe(readable(assessments, ["criterion_key", "value", "low", "high", "rater",
                                        "rationale", "assessed_on"]),
                 hide_index=True, width="stretch")
    if allowed(Action.assess):
        st.page_link("views/assess.py", label=f"Rate {code} on the Assess page",
                     icon=":material/rate_review:", query_params={"process": code})


def edit_tab(inventory: Catalogue, record: dict[str, Any], units: pd.DataFrame,
             live: pd.DataFrame) -> None:
    code = record["code"]
    seen = seen_version(code, int(record["version"]))
    st.caption(f"Editing version {seen}. If someone saves a change before you, your save is "
               "refused and nothing is overwritten.")
    with st.form(f"edit:{code}"):
        data = process_fields(record, f"edit:{code}:{seen}", units, live)
        submitted = st.form_submit_button("Save changes", type="primary")
    if submitted:
        updated = save_versioned(code, lambda: inventory.update_process(code, data, seen,
                                                                        actor()))
        if updated is not None:
            st.session_state.pop(f"seen_version:{code}", None)
            saved("Nothing to save: no field changed." if updated["version"] == seen else
                  f"Saved {updated['code']} (version {updated['version']}).", updated["code"])
    conflict_notice(code, "reload")
    with st.container(border=True):
        st.markdown("**Delete this process**")
        st.caption("Deleting hides it and what hangs on it; it stays in the history, and "
                   + ("you can restore it." if allowed(Action.restore)
                      else "an admin can restore it."))
        if confirmed_button(code, f"delete:{code}"):
            try:
                inventory.delete_process(code, actor(), seen)
            except CatalogueError as error:
                refused(error)
            else:
                st.session_state.pop(f"seen_version:{code}", None)
                hint = restore_hint("after ticking 'Deleted too' to find it")
                saved(f"Deleted {code}; {hint}.", code)


def deleted_panel(inventory: Catalogue, record: dict[str, Any]) -> None:
    """A deleted process: who deleted it, its history, and Restore for a role that may."""
    code = record["code"]
    st.warning(f"Deleted by {record['deleted_by']} on {record['deleted_at']:%Y-%m-%d %H:%M} "
               "UTC.", icon=":material/delete:")
    if not allowed(Action.restore):
        st.caption("An admin can restore it if it was deleted by mistake.")
    elif st.button(f"Restore {code}", key=f"restore:{code}"):
        try:
            inventory.restore_process(code, actor())
        except CatalogueError as error:
            refused(error)
        else:
            saved(f"Restored {code}.", code)
    st.dataframe(inventory.history(code), hide_index=True, width="stretch")


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
        deleted_panel(inventory, record)
        return
    editor = allowed(Action.edit_inventory)
    tabs = st.tabs(["Details", f"Dependencies ({len(detail.upstream) + len(detail.downstream)})",
                    f"KPIs ({len(detail.kpis)})", f"Assessments ({len(detail.assessments)})",
                    "Initiatives", "History", *(["Edit"] if editor else [])])
    with tabs[0]:
        details_tab(record)
    with tabs[1]:
        dependencies_tab(inventory, code, detail.upstream, detail.downstream, live)
    with tabs[2]:
        kpis_tab(inventory, code, detail.kpis)
    with tabs[3]:
        assessments_tab(code, detail.assessments)
    with tabs[4]:
        process_initiatives(inventory, code)
    with tabs[5]:
        history = inventory.history(code)
        st.dataframe(history[["at", "actor", "action", "entity", "entity_key", "field",
                              "old_value", "new_value"]], hide_index=True, width="stretch")
    if editor:
        with tabs[6]:
            edit_tab(inventory, record, units, live)


def linked_code(codes: list[str]) -> str | None:
    """The process a shared link (``?process=CODE``) names, in any case, if it is listed."""
    wanted = st.query_params.get("process")
    if not wanted:
        return None
    return next((code for code in codes if same_code(code, wanted)), None)


inventory = catalogue()
st.title("Inventory")
show_flash()
units = inventory.results.units()
live = inventory.results.processes()
if allowed(Action.edit_inventory):
    add_process_form(inventory, units, live)
shown, page = filtered_table(inventory, units)

codes = list(shown["code"])
if "pending_open" in st.session_state:
    st.session_state["open_code"] = st.session_state.pop("pending_open")
if "open_code" not in st.session_state and linked_code(codes) is not None:
    st.session_state["open_code"] = linked_code(codes)  # a shared link to a process
if st.session_state.get("open_code") not in codes:
    st.session_state.pop("open_code", None)
names = dict(zip(shown["code"], shown["name"], strict=True))
# The choice offers the rows on the table's page (and the process open), not every match:
# at 10,000 processes a list of every code would travel to the browser on every click.
offered = list(page["code"])
if st.session_state.get("open_code") not in (None, *offered):
    offered.insert(0, st.session_state["open_code"])
open_code = st.selectbox("Open a process", offered, index=None, key="open_code",
                         placeholder="Choose a process of this page, or select a row above",
                         format_func=lambda c: f"{c} · {names[c]}")
if open_code is None:
    st.query_params.pop("process", None)
else:
    st.query_params["process"] = open_code
    process_panel(inventory, open_code, units, live)
