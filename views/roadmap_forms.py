"""Changing the roadmap on the Roadmap page: initiatives (add, edit with their processes and
KPIs, combine, split, delete) for the roles that decide them, deliverables and progress notes
for the roles that track delivery.

Widgets return what a person typed; the services check the role again and validate (the same
rules as the command line), so a refusal is shown as one sentence and nothing is saved. An edit
remembers the version its form was opened on; a save made meanwhile by someone else is refused
with who changed what, and the form offers to load the latest version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from inventory.roadmap_schemas import DeliverableStatus, InitiativeStatus, UpdateKind
from inventory.schemas import Pillar, PriorityArea
from inventory.services.rationalisation import InitiativeBook
from views.common import actor, forget
from views.edit_flow import EditFlow, items, word

FLOW = EditFlow("rm")
OPEN = FLOW.open_key  # the initiative open in the detail
MILESTONE_HELP = "C26, PP-26 or a date as YYYY-MM-DD"
saved, attempt, seen_version = FLOW.saved, FLOW.attempt, FLOW.seen_version


def _choice(title: str, kind: type[Pillar] | type[PriorityArea] | type[InitiativeStatus],
            current: Any, key: str, *, optional: bool = True) -> Any:
    options: list[Any] = ([None] if optional else []) + [m.value for m in kind]
    return st.selectbox(title, options, key=key,
                        index=options.index(current) if current in options else 0,
                        format_func=lambda v: "— not set —" if v is None else word(kind, v))


def initiative_fields(record: dict[str, Any] | None, key: str, units: list[str],
                      processes: list[str], kpis: list[str]) -> dict[str, Any]:
    """One widget per field of an initiative (a code only for a new one); ``processes`` and
    ``kpis`` are the choices offered (those already linked are kept among them)."""
    def value(field: str) -> Any:
        found = None if record is None else record.get(field)
        return None if found is None or (not isinstance(found, str) and pd.isna(found)) \
            else found

    data: dict[str, Any] = {}
    top = st.columns([1, 3] if record is None else [1])
    if record is None:
        data["code"] = top[0].text_input("Code", key=f"{key}:code", placeholder="INI-EVENTS")
    data["name"] = top[-1].text_input("Name", value=value("name") or "", key=f"{key}:name")
    data["description"] = st.text_area("Description", value=value("description") or "",
                                       key=f"{key}:description", height=80)
    row = st.columns(4)
    with row[0]:
        data["pillar"] = _choice("Pillar", Pillar, value("pillar"), f"{key}:pillar")
    with row[1]:
        data["priority_area"] = _choice("Priority area", PriorityArea, value("priority_area"),
                                        f"{key}:priority_area")
    with row[2]:
        data["status"] = _choice("Status", InitiativeStatus, value("status") or "planned",
                                 f"{key}:status", optional=False)
    data["status_reason"] = row[3].text_input(
        "Why revised", value=value("status_reason") or "", key=f"{key}:status_reason",
        help="Required when the status is Revised: what changed (scope, combined, "
             "reprioritised).")
    row = st.columns(4)
    data["business_owner"] = row[0].text_input("Business owner",
                                               value=value("business_owner") or "",
                                               key=f"{key}:owner")
    unit_options: list[Any] = [None, *units]
    data["unit"] = row[1].selectbox("Unit", unit_options, key=f"{key}:unit",
                                    index=unit_options.index(value("unit"))
                                    if value("unit") in unit_options else 0,
                                    format_func=lambda v: "— not set —" if v is None else v)
    data["start_date"] = row[2].date_input("Start", value=value("start_date"),
                                           key=f"{key}:start")
    data["end_date"] = row[3].date_input("End", value=value("end_date"), key=f"{key}:end")
    row = st.columns(4)
    budget, staff = value("budget_chf"), value("staff_pm")
    data["budget_chf"] = row[0].number_input("Budget (CHF)", key=f"{key}:budget", step=1000.0,
                                             value=None if budget is None else float(budget),
                                             placeholder="unknown")
    data["staff_pm"] = row[1].number_input("Staff (person-months)", key=f"{key}:staff",
                                           value=None if staff is None else float(staff),
                                           step=0.5, placeholder="unknown")
    data["tags"] = row[2].text_input("Tags", value=value("tags") or "", key=f"{key}:tags",
                                     placeholder="quick-win; events")
    data["studies"] = row[3].text_input("Studies it builds on", key=f"{key}:studies",
                                        value=value("studies") or "",
                                        placeholder="separated by ;")
    linked, moved = items(value("processes")), items(value("kpis"))
    data["processes"] = st.multiselect(
        "Processes it transforms", list(dict.fromkeys([*linked, *processes])), default=linked,
        key=f"{key}:processes", placeholder="process codes")
    data["kpis"] = st.multiselect("KPIs it is to move", list(dict.fromkeys([*moved, *kpis])),
                                  default=moved, key=f"{key}:kpis",
                                  placeholder="KPIs of the processes, as CODE: name")
    return data


def add_initiative(book: InitiativeBook, units: list[str], processes: list[str],
                   kpis: list[str]) -> None:
    """Add an initiative; the form empties after a save and keeps the values after a
    refusal."""
    with st.expander("Add an initiative", icon=":material/add:",
                     expanded="rm_add_refused" in st.session_state), st.form("rm_add"):
        data = initiative_fields(None, "rm_add", units, processes, kpis)
        if st.form_submit_button("Add initiative", type="primary"):
            record = attempt(lambda: book.add(data, actor()))
            if record is None:
                st.session_state["rm_add_refused"] = True
                return
            st.session_state.pop("rm_add_refused", None)
            forget("rm_add:")
            saved(f"Added initiative {record['code']}.", record["code"])


def combine_initiatives(book: InitiativeBook, on_roadmap: dict[str, str]) -> None:
    """Combine initiatives into a new one or into one of the roadmap's, after a
    confirmation (``on_roadmap``: code -> name of those that may take part)."""
    with st.expander("Combine initiatives", icon=":material/merge:"):
        st.caption("The initiatives combined become Revised (\"combined into …\") and leave the "
                   "roadmap; the one they go into takes their processes, KPIs, studies, "
                   "budgets, staff and open deliverables.")
        names = on_roadmap
        codes = st.multiselect("Initiatives to combine", list(names), key="rm_combine:codes",
                               format_func=lambda c: f"{c} · {names[c]}")
        new = st.radio("Into", ["a new initiative", "an initiative of the roadmap"],
                       key="rm_combine:into_new", horizontal=True) == "a new initiative"
        columns = st.columns([1, 3])
        if new:
            into = columns[0].text_input("Code of the new initiative", key="rm_combine:code")
            name = columns[1].text_input("Name of the new initiative", key="rm_combine:name")
        else:
            into = columns[0].selectbox("Combine into", [c for c in names if c not in codes],
                                        index=None, key="rm_combine:target",
                                        format_func=lambda c: f"{c} · {names[c]}") or ""
        confirm = st.checkbox("Yes, combine them: this cannot be undone from the page",
                              key="rm_combine:confirm")
        if st.button("Combine", type="primary", disabled=not confirm, key="rm_combine:go"):
            record = attempt(lambda: book.combine(
                codes, into, actor(), new={"name": name} if new else None))
            if record is not None:
                forget("rm_combine:")
                saved(f"Combined {', '.join(codes)} into {record['code']}.", record["code"])


def edit_initiative(book: InitiativeBook, record: dict[str, Any], units: list[str],
                    processes: list[str], kpis: list[str]) -> None:
    """Edit an initiative's fields, processes and KPIs, with the version check."""
    code = record["code"]
    seen = seen_version(code, int(record["version"]))
    st.caption(f"Editing version {seen}. If someone saves a change before you, your save is "
               "refused and nothing is overwritten.")
    with st.form(f"rm_edit:{code}"):
        changes = initiative_fields(record, f"rm_edit:{code}:{seen}", units, processes, kpis)
        submitted = st.form_submit_button("Save changes", type="primary")
    if submitted:
        updated = attempt(lambda: book.update(code, changes, seen, actor()), code)
        if updated is not None:
            FLOW.forget_seen(code)
            saved("Nothing to save: no field changed." if updated["version"] == seen else
                  f"Saved {code} (version {updated['version']}).", code)
    FLOW.conflict_notice(code, "Discard my edits and load the latest version")


def split_initiative(book: InitiativeBook, record: dict[str, Any]) -> None:
    """Split an initiative into two or more new ones, each taking the processes and
    deliverables chosen for it."""
    code = record["code"]
    own = items(record["processes"])
    refs = {d["ref"]: d["text"] for d in record["deliverables"] if d["deleted_at"] is None}
    with st.expander(f"Split {code}", icon=":material/call_split:"):
        st.caption(f"The parts are new initiatives split from {code}, with its fields unless "
                   f"changed; {code} becomes Revised (\"split into …\") and leaves the roadmap. "
                   f"A part given no process transforms all of {code}'s.")
        count = int(st.number_input("Parts", min_value=2, max_value=6, value=2,
                                    key=f"rm_split:{code}:count"))
        parts = []
        for number in range(1, count + 1):
            columns = st.columns([1, 2, 2, 2])
            part: dict[str, Any] = {
                "code": columns[0].text_input(f"Code of part {number}",
                                              key=f"rm_split:{code}:{number}:code"),
                "name": columns[1].text_input(f"Name of part {number}",
                                              key=f"rm_split:{code}:{number}:name")}
            chosen = columns[2].multiselect(f"Processes of part {number}", own,
                                            key=f"rm_split:{code}:{number}:processes")
            taken = columns[3].multiselect(f"Deliverables of part {number}", list(refs),
                                           key=f"rm_split:{code}:{number}:deliverables",
                                           format_func=lambda r: f"{r} · {refs[r]}")
            parts.append(part | ({"processes": chosen} if chosen else {})
                         | ({"deliverables": taken} if taken else {}))
        confirm = st.checkbox(f"Yes, split {code}", key=f"rm_split:{code}:confirm")
        if st.button("Split", disabled=not confirm, key=f"rm_split:{code}:go"):
            made = attempt(lambda: book.split(code, parts, actor()))
            if made is not None:
                forget(f"rm_split:{code}:")
                saved(f"Split {code} into {', '.join(made)}.", code)


def delete_initiative(book: InitiativeBook, record: dict[str, Any]) -> None:
    code = record["code"]
    seen = seen_version(code, int(record["version"]))
    confirm = st.checkbox(f"Yes, delete {code}", key=f"rm_delete:{code}:confirm")
    if st.button(f"Delete {code}", disabled=not confirm, key=f"rm_delete:{code}") and \
            attempt(lambda: book.delete(code, actor(), seen)) is not None:
        FLOW.forget_seen(code)
        st.session_state.pop(OPEN, None)
        saved(f"Deleted {code}; its deliverables and notes stay with it, and an admin can "
              "restore it.")


def _deliverable_fields(item: dict[str, Any] | None, key: str) -> dict[str, Any]:
    def value(field: str) -> Any:
        found = None if item is None else item.get(field)
        return None if found is None or (not isinstance(found, str) and pd.isna(found)) \
            else found

    statuses = [s.value for s in DeliverableStatus]
    top = st.columns([2, 1, 1, 1])
    data = {"objective": top[0].text_input("Objective (the annex line)", key=f"{key}:objective",
                                           value=value("objective") or ""),
            "milestone": top[1].text_input("Milestone", value=value("milestone") or "C26",
                                           key=f"{key}:milestone", help=MILESTONE_HELP),
            "due": top[2].date_input("Due date", value=value("due"), key=f"{key}:due",
                                     help="Empty: the milestone's date."),
            "status": top[3].selectbox("Status", statuses, key=f"{key}:status",
                                       index=statuses.index(value("status") or "on_track"),
                                       format_func=lambda s: word(DeliverableStatus, s))}
    bottom = st.columns([3, 2])
    data["text"] = bottom[0].text_input("Deliverable", value=value("text") or "",
                                        key=f"{key}:text")
    data["evidence"] = bottom[1].text_input("Evidence (link)", value=value("evidence") or "",
                                            key=f"{key}:evidence", placeholder="https://…")
    return data


def deliverables(book: InitiativeBook, record: dict[str, Any]) -> None:
    """Add a deliverable, or change one (with the version check)."""
    code = record["code"]
    with st.form(f"rm_deliverable_add:{code}"):
        st.markdown("**Add a deliverable**")
        data = {"initiative_code": code} | _deliverable_fields(None, f"rm_dadd:{code}")
        if st.form_submit_button("Add deliverable"):
            item = attempt(lambda: book.add_deliverable(data, actor()))
            if item is not None:
                forget(f"rm_dadd:{code}:")
                saved(f"Added deliverable {code}/{item['ref']}.", code)
    live = {d["ref"]: d for d in record["deliverables"] if d["deleted_at"] is None}
    if not live:
        return
    ref = st.selectbox("Change a deliverable", list(live), index=None,
                       key=f"rm_dpick:{code}", placeholder="Choose a deliverable",
                       format_func=lambda r: f"{r} · {live[r]['text']}")
    if ref is None:
        return
    slot = f"{code}/{ref}"
    seen = seen_version(slot, int(live[ref]["version"]))
    with st.form(f"rm_deliverable_edit:{slot}"):
        changes = _deliverable_fields(live[ref], f"rm_dedit:{slot}:{seen}")
        submitted = st.form_submit_button("Save deliverable")
    if submitted:
        item = attempt(lambda: book.update_deliverable(code, ref, changes, seen, actor()), slot)
        if item is not None:
            FLOW.forget_seen(slot)
            saved(f"Nothing to save: {slot} is unchanged." if item["version"] == seen else
                  f"Saved deliverable {slot} ({word(DeliverableStatus, item['status'])}).",
                  code)
    FLOW.conflict_notice(slot, "Discard my edits and load the latest version")


def add_note(book: InitiativeBook, code: str) -> None:
    """Record progress, an obstacle or a decision needed."""
    kinds = [k.value for k in UpdateKind]
    with st.form(f"rm_note:{code}"):
        st.markdown("**Add a progress note**")
        columns = st.columns([1, 4, 1])
        data = {"initiative_code": code,
                "kind": columns[0].selectbox("Kind", kinds, key=f"rm_note:{code}:kind",
                                             format_func=lambda k: word(UpdateKind, k)),
                "note": columns[1].text_input("Note", key=f"rm_note:{code}:note"),
                "noted_on": columns[2].date_input("Noted on", value=dt.date.today(),
                                                  key=f"rm_note:{code}:on")}
        if st.form_submit_button("Add note") and \
                attempt(lambda: book.add_update(data, actor())) is not None:
            forget(f"rm_note:{code}:")
            saved(f"Added a {word(UpdateKind, data['kind']).lower()} note to {code}.", code)


def resolve(book: InitiativeBook, update_id: int, code: str) -> None:
    """Resolve an open obstacle or decision (the button's action)."""
    if attempt(lambda: book.resolve_update(update_id, actor())) is not None:
        saved(f"Resolved note {update_id} on {code}.")
