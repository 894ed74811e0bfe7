"""History: the audit trail filtered by who, what, which record and when, one process's full
history, and the deleted items an admin can restore.

Conventions
-----------
* Every filter runs in the database (:meth:`inventory.services.Catalogue.audit_log`); the page
  asks for one event more than the row limit, to say when more events match than are shown.
* Times are UTC, as stored. The date filters are whole days: "From" includes its day, "To"
  includes its day too.
* The downloads hold exactly the events shown, text neutralised against formula injection by
  the same helpers as every other export (:mod:`inventory.files.export`).
* Restoring is offered only to a role allowed to restore (admins); the service checks the
  permission again, so a refusal is shown as a message, never a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from inventory.access import Action, Actor
from inventory.errors import CatalogueError
from inventory.files.backlog_export import workbook
from inventory.files.export import table_csv
from inventory.services import Catalogue
from views.common import actor, allowed, catalogue, flash, inert, shared, show_flash
from views.paging import findable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACTIONS = ["create", "update", "delete", "restore", "sign_in", "sign_in_refused"]
KINDS = ["unit", "process", "dependency", "kpi", "assessment", "scenario", "initiative",
         "deliverable", "progress_update", "user"]
ROW_LIMITS = [100, 500, 1_000, 5_000]
NAME_SCAN = 5_000  # the "Who" choices are the names found in this many newest events
AUDIT_COLUMNS = ("id", "at", "actor", "action", "entity", "entity_key", "entity_version",
                 "field", "old_value", "new_value")
TITLES = {"id": "Event", "at": "When (UTC)", "actor": "Who", "action": "What",
          "entity": "Kind", "entity_key": "Record", "entity_version": "Version",
          "field": "Field", "old_value": "Old value", "new_value": "New value",
          "key": "Record", "deleted_at": "Deleted (UTC)", "deleted_by": "Deleted by",
          "kind": "Kind"}
SHOWN = ["at", "actor", "action", "entity", "entity_key", "field", "old_value", "new_value",
         "entity_version"]

Restorer = Callable[[Catalogue, pd.Series, Actor], object]
# Kind of deleted item -> how to restore it (each service call checks the actor's role again).
RESTORERS: dict[str, Restorer] = {
    "unit": lambda inv, item, who: inv.restore_unit(item["key"], who),
    "process": lambda inv, item, who: inv.restore_process(item["key"], who),
    "dependency": lambda inv, item, who: inv.restore_dependency(
        item["upstream_code"], item["downstream_code"], who),
    "kpi": lambda inv, item, who: inv.restore_kpi(int(item["id"]), who),
    "assessment": lambda inv, item, who: inv.restore_assessment(int(item["id"]), who),
    "scenario": lambda inv, item, who: inv.scenarios.restore(item["key"], who),
    "initiative": lambda inv, item, who: inv.initiatives.restore(item["key"], who),
    "deliverable": lambda inv, item, who: inv.initiatives.restore_deliverable(
        item["initiative_code"], item["ref"], who),
}


def titled(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame[columns].rename(columns=TITLES)


def audit_filters(inventory: Catalogue) -> tuple[dict[str, Any], int]:
    """The filter widgets; returns the keyword filters for ``audit_log`` and the row limit."""
    names = sorted(set(inventory.results.audit_log(limit=NAME_SCAN)["actor"])
                   | set(st.session_state.get("audit_who", [])))
    top = st.columns([2, 2, 2, 2])
    who = top[0].multiselect("Who", names, key="audit_who", accept_new_options=True,
                             placeholder="everyone",
                             help=f"Names found in the newest {NAME_SCAN:,} events; type "
                                  "another name to look for it.")
    what = top[1].multiselect("What", ACTIONS, key="audit_what", placeholder="every action")
    kinds = top[2].multiselect("Kind of record", KINDS, key="audit_kind",
                               placeholder="every kind")
    key_text = top[3].text_input("Record contains", key="audit_key",
                                 placeholder="code, name, user…",
                                 help="Text anywhere in the record's key, in any case: a "
                                      "process code, 'HR-REC -> FIN', a KPI or user name.")
    bottom = st.columns([2, 2, 2, 2])
    start = bottom[0].date_input("From (UTC)", value=None, key="audit_from")
    end = bottom[1].date_input("To (UTC, included)", value=None, key="audit_to")
    limit = bottom[2].selectbox("Rows shown at most", ROW_LIMITS, index=1, key="audit_limit")
    if start is not None and end is not None and end < start:
        st.warning(f"'To' ({end}) is before 'From' ({start}): no event can match; change one "
                   "of the dates.", icon=":material/event_busy:")
    filters: dict[str, Any] = {
        "actor": who, "action": what, "entity": kinds, "key_contains": key_text.strip() or None,
        "since": dt.datetime.combine(start, dt.time()) if start else None,
        "until": dt.datetime.combine(end + dt.timedelta(days=1), dt.time()) if end else None}
    return filters, int(limit)


def changes_per_day(events: pd.DataFrame) -> None:
    per_day = (events.assign(day=pd.to_datetime(events["at"]).dt.normalize())
               .groupby(["day", "action"]).size().reset_index(name="events"))
    figure = px.bar(per_day, x="day", y="events", color="action",
                    category_orders={"action": ACTIONS},
                    labels={"day": "Day (UTC)", "events": "Events", "action": "What"})
    figure.update_layout(height=260, margin={"t": 10, "b": 10}, bargap=0.2)
    st.plotly_chart(figure, width="stretch")


def audit_view(inventory: Catalogue) -> None:
    st.subheader("Audit view")
    filters, limit = audit_filters(inventory)
    events = inventory.results.audit_log(**filters, limit=limit + 1)
    more = len(events) > limit
    events = events.head(limit)
    if more:
        st.caption(f"More than {limit:,} events match: the newest {limit:,} are shown and "
                   "downloaded. Narrow the filters or raise 'Rows shown at most' to see more.")
    else:
        st.caption(f"{len(events):,} event(s) match, newest first.")
    if events.empty:
        st.info("No event matches these filters; clear some of them.", icon=":material/search_off:")
        return
    st.dataframe(titled(events, SHOWN), hide_index=True, width="stretch")
    stamp = dt.date.today().isoformat()
    left, right, _ = st.columns([1, 1, 4])
    # Built when clicked, not on every rerun of the page.
    left.download_button("CSV", lambda: table_csv(events, AUDIT_COLUMNS),
                         file_name=f"dti-audit-{stamp}.csv", mime="text/csv",
                         icon=":material/download:", key="audit_csv", on_click="ignore")
    right.download_button("Excel (.xlsx)",
                          lambda: workbook({"Audit log": events[list(AUDIT_COLUMNS)]}),
                          file_name=f"dti-audit-{stamp}.xlsx", mime=XLSX,
                          icon=":material/download:", key="audit_xlsx", on_click="ignore")
    with st.expander("Events per day, by action (of the events shown)",
                     icon=":material/bar_chart:"):
        changes_per_day(events)


def process_history(inventory: Catalogue) -> None:
    st.subheader("Process history")
    processes = inventory.results.processes(include_deleted=True)
    deleted = set(processes.loc[processes["deleted_at"].notna(), "code"])
    names = dict(zip(processes["code"], processes["name"], strict=True))
    offered = findable(list(processes["code"]), names, "history_find",
                       keep=[st.session_state.get("history_code")])
    code = st.selectbox("Process", offered, index=None, key="history_code",
                        placeholder="choose a process (deleted ones included)",
                        format_func=lambda c: f"{c} · {names[c]}"
                        + (" (deleted)" if c in deleted else ""))
    if code is None:
        st.caption("Every change of the process and of its dependencies, KPIs and "
                   "assessments, newest first.")
        return
    history = shared("process history", code, lambda: inventory.history(code))
    st.caption(f"{len(history):,} event(s) for {code} and what hangs on it, newest first.")
    st.dataframe(titled(history, SHOWN), hide_index=True, width="stretch")


def deleted_items(inventory: Catalogue) -> None:
    st.subheader("Deleted items")
    items = shared("deleted items", None, inventory.deleted_items)
    if items.empty:
        st.caption("Nothing is deleted.")
        return
    st.dataframe(titled(items, ["kind", "key", "deleted_at", "deleted_by"]), hide_index=True,
                 width="stretch")
    if not allowed(Action.restore):
        st.caption(f"{len(items):,} deleted item(s). Only an admin can restore them; ask one "
                   "if something was deleted by mistake.")
        return
    labels = [f"{kind} · {key}" for kind, key in zip(items["kind"], items["key"], strict=True)]
    with st.container(border=True):
        choice = st.selectbox("Item to restore", labels, index=None, key="restore_pick",
                              placeholder="choose a deleted item")
        if st.button("Restore", key="restore_item", disabled=choice is None,
                     icon=":material/restore_from_trash:", type="primary"):
            item = items.iloc[labels.index(str(choice))]
            try:
                RESTORERS[item["kind"]](inventory, item, actor())
            except CatalogueError as error:
                st.error(inert(f"Not restored: {error}"), icon=":material/error:")
            else:
                flash(f"Restored {item['kind']} {item['key']}.")
                st.rerun()


inventory = catalogue()
st.title("History")
show_flash()
audit_view(inventory)
process_history(inventory)
deleted_items(inventory)
