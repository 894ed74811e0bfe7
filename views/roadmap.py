"""Roadmap: the transformation initiatives as the status report to the Council shows them, and
what the task force acts on.

Everyone reads: the counts by status (tiles, by pillar, by priority area), how many initiatives
were on the roadmap over time, the annex of deliverables by C26 and PP-26, what is due by the
next milestone and not done, the open obstacles and decisions, the initiatives without anchor,
and one initiative in detail with its lineage and history. Leadership and admins add, edit,
combine, split and delete initiatives; analysts, leadership and admins record deliverables and
progress notes and resolve obstacles (:mod:`inventory.access`; the services check again).

Conventions
-----------
* The figures come from ``catalogue.initiatives.dashboard(today, **filters)``, computed once per
  state of the roadmap's tables, day and filters and shared by every session
  (``views.common.shared_roadmap``): a rerun that changes nothing recomputes nothing, a rating
  saved elsewhere does not make the roadmap be read again, a roadmap save shows at the next
  run.
* The filters narrow the tiles, charts by pillar and priority area, annex and follow-up lists;
  the count over time is the whole roadmap's. "As of" (default today) sets what is overdue and
  which milestone is next.
* Combined and split initiatives stay in the counts as Revised; they are no longer *on the
  roadmap*, which is what the count over time counts.
* A link ``?initiative=CODE`` opens that initiative (the Inventory page links its processes'
  initiatives so).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from inventory.access import Action
from inventory.roadmap_dashboard import Dashboard, on_roadmap
from inventory.roadmap_schemas import InitiativeStatus, UpdateKind, kpi_reference
from inventory.schemas import Pillar, PriorityArea
from inventory.services import Catalogue
from inventory.services.rationalisation import InitiativeBook
from views import roadmap_forms as forms
from views.common import allowed, catalogue, plain, shared_roadmap, show_flash
from views.edit_flow import text, word
from views.roadmap_display import (
    annex_table,
    count_figure,
    deliverables_table,
    legend,
    status_bars,
)

TABS = ["Dashboard", "Annex", "Follow-up", "Initiatives"]
AUDIT_COLUMNS = ["at", "actor", "action", "entity", "entity_key", "field", "old_value",
                 "new_value"]


def _tags(initiatives: pd.DataFrame) -> list[str]:
    return sorted({tag.strip() for tags in initiatives["tags"].dropna()
                   for tag in str(tags).split(";") if tag.strip()})


def filter_row(initiatives: pd.DataFrame) -> tuple[dt.date, dict[str, list[str]]]:
    """The filters and the "as of" day, in one row; returns the day and the filters set."""
    columns = st.columns([1.3, 1.3, 1, 1.2, 0.9, 0.9, 1.1])
    chosen = {
        "pillar": columns[0].multiselect("Pillar", [p.value for p in Pillar], key="rm_f:pillar",
                                         format_func=lambda v: word(Pillar, v),
                                         placeholder="all"),
        "priority_area": columns[1].multiselect(
            "Priority area", [a.value for a in PriorityArea], key="rm_f:area",
            format_func=lambda v: word(PriorityArea, v), placeholder="all"),
        "status": columns[2].multiselect(
            "Status", [s.value for s in InitiativeStatus], key="rm_f:status",
            format_func=lambda v: word(InitiativeStatus, v), placeholder="all"),
        "business_owner": columns[3].multiselect(
            "Business owner", sorted(initiatives["business_owner"].dropna().unique()),
            key="rm_f:owner", placeholder="all"),
        "unit": columns[4].multiselect("Unit", sorted(initiatives["unit"].dropna().unique()),
                                       key="rm_f:unit", placeholder="all"),
        "tag": columns[5].multiselect("Tag", _tags(initiatives), key="rm_f:tag",
                                      placeholder="all"),
    }
    today = columns[6].date_input("As of", value=dt.date.today(), key="rm_f:today")
    return today, {name: [str(v) for v in values] for name, values in chosen.items() if values}


def tiles(board: Dashboard) -> None:
    totals = board.totals
    columns = st.columns(5)
    columns[0].metric("Initiatives", totals["total"], border=True)
    for column, status in zip(columns[1:], InitiativeStatus, strict=True):
        column.metric(status.label, totals[status.value], border=True)
    live = int(on_roadmap(board.initiatives).sum())
    st.caption(f"{live} on the roadmap; combined and split initiatives count as Revised."
               + (" Filtered: " + "; ".join(f"{k.replace('_', ' ')} {', '.join(v)}"
                                            for k, v in board.filters.items())
                  if board.filters else ""))


def dashboard_tab(book: InitiativeBook, board: Dashboard, settings: object) -> None:
    if board.initiatives.empty:
        st.caption("No initiative matches: nothing to chart.")
    else:
        left, right = st.columns(2)
        by_pillar, by_area = shared_roadmap("roadmap status figures", settings, lambda: (
            status_bars(board.by_pillar, "By pillar"),
            status_bars(board.by_priority_area, "By priority area")))
        left.plotly_chart(by_pillar, width="stretch", key="rm_by_pillar")
        right.plotly_chart(by_area, width="stretch", key="rm_by_area")
    counts = shared_roadmap("roadmap count over time", None, book.count_over_time)
    if counts.empty:
        return
    st.plotly_chart(shared_roadmap("roadmap count figure", None, lambda: count_figure(counts)),
                    width="stretch", key="rm_count")
    peak = int(counts["count"].max())
    st.caption(f"How the roadmap changed: at most {peak} initiatives, "
               f"{int(counts['count'].to_numpy()[-1])} now, as initiatives were added, combined, "
               "split or deleted (the whole roadmap, whatever the filters). Hover a step to "
               "see which initiative moved the count.")


def annex_tab(board: Dashboard) -> None:
    st.caption("Priority areas with deliverables by C26 and PP-26, as the status report's "
               "annex lays them out. " + legend())
    if board.annex.empty:
        st.caption("No initiative on the roadmap matches.")
        return
    st.table(annex_table(board.annex), height=min(900, 60 + 75 * len(board.annex)))


def follow_up_tab(book: InitiativeBook, board: Dashboard) -> None:
    st.markdown("#### Due by the next milestone and not done")
    due, upcoming = board.due, board.next_milestone
    late = int(due["overdue"].sum()) if not due.empty else 0
    if upcoming is None:
        st.caption(f"No open deliverable is due by a milestone after {board.today}; those past "
                   "their date are listed.")
    else:
        when = "" if upcoming[0] == str(upcoming[1]) else f", {upcoming[1]}"
        st.caption(f"Next milestone: **{plain(upcoming[0])}**{when}. "
                   f"{len(due)} open deliverable(s) due by then.")
    if late:
        st.warning(f"{late} deliverable(s) overdue as of {board.today}.",
                   icon=":material/schedule:")
    if not due.empty:
        st.dataframe(deliverables_table(due, ["initiative_code", "ref", "text", "milestone",
                                              "due_on", "status", "overdue"]),
                     hide_index=True, width="stretch")
    st.markdown("#### Open obstacles and decisions needed")
    tracker = allowed(Action.track_delivery)
    if board.obstacles.empty:
        st.caption("None open.")
    for note in board.obstacles.to_dict("records"):
        columns = st.columns([1.3, 1, 6, 1.2, 1] if tracker else [1.3, 1, 6, 1.2])
        columns[0].markdown(f"**{word(UpdateKind, note['kind'])}**")
        columns[1].markdown(plain(note["initiative_code"]))
        columns[2].markdown(f"{plain(note['note'])}  \n*noted by {plain(note['created_by'])}*")
        columns[3].markdown(str(note["noted_on"]))
        if tracker and columns[4].button("Resolve", key=f"rm_resolve:{note['id']}"):
            forms.resolve(book, int(note["id"]), str(note["initiative_code"]))
    st.markdown("#### Initiatives without anchor")
    st.caption("On the roadmap but transforming no recorded process or moving no recorded "
               "KPI: link them on the Initiatives tab.")
    anchorless = board.without_anchor
    if anchorless.empty:
        st.caption("None: every initiative is anchored.")
    else:
        st.dataframe(pd.DataFrame({
            "Code": anchorless["code"], "Name": anchorless["name"],
            "Status": [word(InitiativeStatus, s) for s in anchorless["status"]],
            "Missing": anchorless["missing"]}), hide_index=True, width="stretch")


def lineage_lines(lineage: dict[str, Any]) -> list[str]:
    """The initiative's lineage in words, one line each (none when it has none)."""
    lines = []
    for key, words in (("combined_into", "Combined into"), ("split_from", "Split from")):
        if lineage[key]:
            lines.append(f"{words} **{plain(lineage[key])}**")
    for key, words in (("absorbed", "Absorbed"), ("split_into", "Split into")):
        if lineage[key]:
            lines.append(f"{words} **{', '.join(plain(c) for c in lineage[key])}**")
    return lines


def fields_table(record: dict[str, Any]) -> None:
    shown = {"Pillar": word(Pillar, record["pillar"]),
             "Priority area": word(PriorityArea, record["priority_area"]),
             "Status": word(InitiativeStatus, record["status"]),
             "Why revised": text(record["status_reason"]),
             "Business owner": text(record["business_owner"]), "Unit": text(record["unit"]),
             "Start": text(record["start_date"]), "End": text(record["end_date"]),
             "Budget (CHF)": text(record["budget_chf"]) and f"{float(record['budget_chf']):,.0f}",
             "Staff (person-months)": text(record["staff_pm"]),
             "Studies": text(record["studies"]), "Tags": text(record["tags"]),
             "Last changed": f"{record['updated_at']:%Y-%m-%d %H:%M} UTC by "
                             f"{record['updated_by']}"}
    shown = {name: value for name, value in shown.items() if value not in ("", "—")}
    st.dataframe(pd.DataFrame({"Field": list(shown), "Value": list(shown.values())}),
                 hide_index=True, width="stretch", height=35 * (len(shown) + 1) + 3)


def process_names() -> dict[str, str]:
    live = catalogue().results.processes()
    return dict(zip(live["code"], live["name"], strict=True))


def detail(book: InitiativeBook, code: str, choices: dict[str, list[str]]) -> None:
    """One initiative: fields, processes, KPIs, deliverables, notes, lineage and history, and
    the forms the role may use."""
    record, lineage = shared_roadmap("initiative detail", code,
                             lambda: (book.get(code), book.lineage(code)))
    st.subheader(f"{plain(record['code'])} · {plain(record['name'])}")
    if record["description"]:
        st.text(record["description"])
    for line in lineage_lines(lineage):
        st.markdown(f":material/merge: {line}")
    live = [d for d in record["deliverables"] if d["deleted_at"] is None]
    manager, tracker = allowed(Action.manage_initiatives), allowed(Action.track_delivery)
    st.caption(f"{word(InitiativeStatus, record['status'])} · {len(live)} deliverable(s) · "
               f"{len(record['updates'])} note(s) · version {record['version']}")
    tabs = st.tabs(["Details", "Deliverables", "Notes", "History",
                    *(["Change"] if manager else [])], key="rm_detail_tab", on_change="rerun")
    with tabs[0]:
        left, right = st.columns([3, 2])
        with left:
            fields_table(record)
        with right:
            st.markdown("**Processes it transforms**")
            processes = forms.items(record["processes"])
            if not processes:
                st.caption("None recorded.")
            named = process_names()
            for process in processes:
                st.page_link("views/inventory.py",
                             label=f"{plain(process)} · {plain(named.get(process, ''))}",
                             icon=":material/account_tree:", query_params={"process": process})
            st.markdown("**KPIs it is to move**")
            kpis = forms.items(record["kpis"])
            if not kpis:
                st.caption("None recorded.")
            else:
                st.markdown("\n".join(f"- {plain(k)}" for k in kpis))
    with tabs[1]:
        if live:
            st.dataframe(deliverables_table(pd.DataFrame(live), [
                "ref", "objective", "milestone", "text", "due", "status", "evidence"]),
                hide_index=True, width="stretch")
        if tracker:
            forms.deliverables(book, record)
    with tabs[2]:
        if record["updates"]:
            notes = pd.DataFrame(record["updates"])
            st.dataframe(pd.DataFrame({
                "Noted on": notes["noted_on"],
                "Kind": [word(UpdateKind, k) for k in notes["kind"]], "Note": notes["note"],
                "By": notes["created_by"], "Resolved by": notes["resolved_by"]}),
                hide_index=True, width="stretch")
        if tracker:
            forms.add_note(book, code)
    with tabs[3]:
        history = shared_roadmap("initiative history", code, lambda: book.history(code))
        st.dataframe(history[AUDIT_COLUMNS], hide_index=True, width="stretch")
    if manager:
        with tabs[4]:
            if record["lineage"] is not None:
                st.caption(f"{code} was {record['lineage']} and left the roadmap; it can "
                           "still be edited.")
            forms.edit_initiative(book, record, **choices)
            if record["lineage"] is None:
                forms.split_initiative(book, record)
            forms.delete_initiative(book, record)


def initiatives_tab(book: InitiativeBook, everything: pd.DataFrame,
                    choices: dict[str, list[str]]) -> None:
    if allowed(Action.manage_initiatives):
        forms.add_initiative(book, **choices)
        roadmap = everything[on_roadmap(everything)]
        forms.combine_initiatives(book, dict(zip(roadmap["code"], roadmap["name"],
                                                 strict=True)))
    names = dict(zip(everything["code"], everything["name"], strict=True))
    statuses = dict(zip(everything["code"], everything["status"], strict=True))
    code = forms.FLOW.open_record(
        "Open an initiative", list(everything["code"]), query="initiative",
        placeholder="Choose an initiative",
        shown=lambda c: f"{c} · {names[c]} ({word(InitiativeStatus, statuses[c])})")
    if code is None:
        return
    detail(book, code, choices)


def form_choices(inventory: Catalogue) -> dict[str, list[str]]:
    """What the initiative forms offer: unit codes, live process codes, KPIs as references."""
    kpis = inventory.results.frame("kpis")
    return {"units": list(inventory.results.units()["code"]),
            "processes": list(inventory.results.processes()["code"]),
            "kpis": [kpi_reference(c, n) for c, n in zip(kpis["process_code"], kpis["name"],
                                                         strict=True)]}


inventory = catalogue()
book = inventory.initiatives
st.title("Roadmap")
st.caption("The transformation initiatives, where each stands, what is due by C26 and PP-26, "
           "and what needs a decision.")
show_flash()
everything = shared_roadmap("initiatives", None, book.initiatives)
today, filters = filter_row(everything)
settings = (today, tuple(sorted((k, tuple(v)) for k, v in filters.items())))
board = shared_roadmap("roadmap dashboard", settings, lambda: book.dashboard(today, **filters))
if everything.empty:
    st.info("No initiative is recorded yet. "
            + ("Add the first on the Initiatives tab." if allowed(Action.manage_initiatives)
               else "Leadership records them; they show here once added."),
            icon=":material/flag:")
tiles(board)
# Tabs that keep their state, so a save (whose notice comes first) leaves the person where
# they acted.
dashboard, annex, follow_up, initiatives = st.tabs(TABS, key="rm_tab", on_change="rerun")
with dashboard:
    dashboard_tab(book, board, settings)
with annex:
    annex_tab(board)
with follow_up:
    follow_up_tab(book, board)
with initiatives:
    initiatives_tab(book, everything,
                    form_choices(inventory) if allowed(Action.manage_initiatives) else {})
