"""Cases: cases for change proposed by any member of staff, from the bottom up.

Everyone reads the cases (filtered by status, priority area, process or words), the counts by
status, and one case in detail with its processes, endorsers, comments and history. Staff,
analysts, leadership and admins propose cases (seeing the open cases worded alike), endorse
others' cases once, comment, and follow their own under My cases; analysts and admins triage
and merge them, and record the draft process or the assessment an accepted case leads to
(:mod:`views.case_follow_up`; :mod:`inventory.access`, the services check again).

Conventions
-----------
* The cases, a case's detail and its history come through ``views.common.shared``, computed
  once per revision of the catalogue and shared by every session: a rerun that changes nothing
  reads nothing, a save shows at the next run.
* The filters narrow the list; the counts by status are of every case.
* A link ``?case=CASE-0001`` opens that case.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from inventory.access import Action
from inventory.case_schemas import NEW_PROCESS, CaseStatus, Effort
from inventory.schemas import PriorityArea
from inventory.services.cases import CaseBook
from views import case_forms as forms
from views.case_follow_up import follow_up
from views.common import actor, allowed, catalogue, plain, shared, shared_roadmap, show_flash
from views.edit_flow import items, text, word

STATUS_COLOURS = {"new": "blue", "under_review": "orange", "accepted": "green",
                  "merged": "gray", "declined": "red", "handed_over": "violet"}
AUDIT_COLUMNS = ["at", "actor", "action", "entity", "field", "old_value", "new_value"]


def status_counts(cases: pd.DataFrame) -> None:
    columns = st.columns(len(CaseStatus) + 1)
    columns[0].metric("Cases", len(cases), border=True)
    for column, status in zip(columns[1:], CaseStatus, strict=True):
        column.metric(status.label, int((cases["status"] == status.value).sum()), border=True)


def filtered(cases: pd.DataFrame) -> pd.DataFrame:
    """The filter row, and the cases it leaves."""
    columns = st.columns([1.3, 1.5, 1.2, 2])
    statuses = columns[0].multiselect("Status", [s.value for s in CaseStatus], key="cs_f:status",
                                      format_func=lambda v: word(CaseStatus, v),
                                      placeholder="all")
    areas = columns[1].multiselect("Priority area", [a.value for a in PriorityArea],
                                   key="cs_f:area", format_func=lambda v: word(PriorityArea, v),
                                   placeholder="all")
    named = sorted({p for cell in cases["processes"] for p in items(cell)})
    processes = columns[2].multiselect("Process", named, key="cs_f:process", placeholder="all")
    search = columns[3].text_input("Search", key="cs_f:search",
                                   placeholder="words of the title, problem or idea")
    keep = pd.Series(True, index=cases.index)
    if statuses:
        keep &= cases["status"].isin(statuses)
    if areas:
        keep &= cases["priority_area"].isin(areas)
    if processes:
        keep &= cases["processes"].apply(lambda cell: bool(set(items(cell)) & set(processes)))
    for term in search.split():
        wording = cases["code"] + " " + cases["title"] + " " + cases["problem"] + " " + \
            cases["idea"]
        keep &= wording.str.contains(term, case=False, regex=False)
    return cases[keep]


def case_table(cases: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Code": cases["code"], "Title": cases["title"],
        "Status": [word(CaseStatus, s) for s in cases["status"]],
        "Endorsements": cases["endorsements"], "Comments": cases["comments"],
        "Priority area": [word(PriorityArea, a) for a in cases["priority_area"]],
        "Processes": cases["processes"].fillna(""), "Proposed by": cases["proposed_by"],
        "Proposed": [f"{at:%Y-%m-%d}" for at in cases["created_at"]]})


def fields(record: dict[str, Any]) -> None:
    shown = {"Status": word(CaseStatus, record["status"]),
             "Why": text(record["status_reason"]),
             "Handed over to": text(record["initiative"]),
             "Priority area": word(PriorityArea, record["priority_area"]),
             "Benefit expected": text(record["benefit"]),
             "Rough effort": word(Effort, record["effort"]),
             "Links": text(record["links"]),
             "Proposed": f"{record['created_at']:%Y-%m-%d %H:%M} UTC by "
                         f"{record['proposed_by']}",
             "Last changed": f"{record['updated_at']:%Y-%m-%d %H:%M} UTC by "
                             f"{record['updated_by']}"}
    shown = {name: str(value) for name, value in shown.items() if value not in ("", "—")}
    st.dataframe(pd.DataFrame({"Field": list(shown), "Value": list(shown.values())}),
                 hide_index=True, width="stretch", height=35 * (len(shown) + 1) + 3)


def detail(book: CaseBook, code: str, choices: dict[str, Any]) -> None:
    """One case: what it says, its processes, endorsers, comments and history, and the forms
    the role may use."""
    record = shared("case detail", code, lambda: book.get(code))
    st.subheader(f"{plain(record['code'])} · {plain(record['title'])}")
    st.caption(f"{word(CaseStatus, record['status'])} · {record['endorsements']} "
               f"endorsement(s) · {record['comments']} comment(s) · version "
               f"{record['version']}")
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**The problem today**")
        st.text(record["problem"])
        st.markdown("**The idea**")
        st.text(record["idea"])
        fields(record)
    with right:
        st.markdown("**Processes it concerns**")
        processes = items(record["processes"])
        if not processes:
            st.caption("None named.")
        named = choices.get("names") or process_names()
        for process in processes:
            if process.lower().startswith(NEW_PROCESS):
                st.markdown(f":material/add_circle: {plain(process[len(NEW_PROCESS):].strip())}"
                            " (not in the inventory yet)")
            else:
                st.page_link("views/inventory.py",
                             label=f"{plain(process)} · {plain(named.get(process, ''))}",
                             icon=":material/account_tree:", query_params={"process": process})
        st.markdown("**Endorsed by**")
        endorsers = items(record["endorsed_by"])
        st.caption(", ".join(plain(name) for name in endorsers) if endorsers else "No one yet.")
        if allowed(Action.propose_cases):
            forms.endorse(book, record)
    st.markdown("**Comments**")
    if not record["comments_list"]:
        st.caption("No comment yet.")
    for note in record["comments_list"]:
        st.markdown(f"{plain(note['text'])}  \n*{plain(note['created_by'])}, "
                    f"{note['created_at']:%Y-%m-%d %H:%M} UTC*")
    if allowed(Action.propose_cases):
        forms.comment(book, code)
    if allowed(Action.triage_cases):
        forms.triage(book, record, choices["processes"], choices["initiatives"])
    follow_up(record)
    with st.expander("History", icon=":material/history:"):
        history = shared("case history", code, lambda: book.history(code))
        st.dataframe(history[AUDIT_COLUMNS], hide_index=True, width="stretch")


def cases_tab(book: CaseBook, cases: pd.DataFrame, choices: dict[str, Any]) -> None:
    if cases.empty:
        st.info("No case is proposed yet. "
                + ("Propose the first on the Propose tab." if allowed(Action.propose_cases)
                   else "Staff propose them; they show here once proposed."),
                icon=":material/lightbulb:")
        return
    if allowed(Action.triage_cases):
        forms.merge(book, cases)
    shown = filtered(cases)
    st.caption(f"{len(shown)} of {len(cases)} case(s).")
    st.dataframe(case_table(shown), hide_index=True, width="stretch")
    titles = dict(zip(cases["code"], cases["title"], strict=True))
    statuses = dict(zip(cases["code"], cases["status"], strict=True))
    code = forms.FLOW.open_record(
        "Open a case", list(cases["code"]), query="case", placeholder="Choose a case",
        shown=lambda c: f"{c} · {titles[c]} ({word(CaseStatus, statuses[c])})")
    if code is None:
        return
    detail(book, code, choices)


def my_cases_tab(cases: pd.DataFrame) -> None:
    """The signed-in person's cases, the latest changed first, each with what became of it."""
    me = actor().name.casefold()
    mine = cases[cases["proposed_by"].str.casefold() == me].sort_values(
        "updated_at", ascending=False, kind="stable")
    if mine.empty:
        st.caption("You have proposed no case yet.")
        return
    for case in mine.to_dict("records"):
        with st.container(border=True):
            left, right = st.columns([4, 1])
            left.markdown(f"**{plain(case['code'])}** · {plain(case['title'])}")
            right.markdown(f":{STATUS_COLOURS[case['status']]}-badge["
                           f"{word(CaseStatus, case['status'])}]")
            why = text(case["status_reason"]) or (
                f"handed over to {case['initiative']}" if text(case["initiative"]) else "")
            st.caption(" · ".join(part for part in (
                plain(why), f"{case['endorsements']} endorsement(s)",
                f"{case['comments']} comment(s)",
                f"last changed {case['updated_at']:%Y-%m-%d %H:%M} UTC") if part))


def process_names() -> dict[str, str]:
    live = catalogue().results.processes()
    return dict(zip(live["code"], live["name"], strict=True))


def form_choices() -> dict[str, Any]:
    """What the forms offer: live process codes (and names), initiatives on the roadmap
    (code -> name)."""
    inventory = catalogue()
    initiatives = shared_roadmap("initiatives", None, inventory.initiatives.initiatives)
    live = initiatives[initiatives["lineage"].isna()]
    names = process_names()
    return {"processes": list(names), "names": names,
            "initiatives": dict(zip(live["code"], live["name"], strict=True))}


book = catalogue().cases
st.title("Cases")
st.caption("Cases for change: what any member of staff would change, who backs it, and what "
           "became of it.")
show_flash()
everything = shared("cases", None, book.list_cases)
status_counts(everything)
proposer = allowed(Action.propose_cases)
choices = form_choices() if proposer else {}
tabs = st.tabs(["Cases", *(["Propose a case", "My cases"] if proposer else [])], key="cs_tab",
               on_change="rerun")
with tabs[0]:
    cases_tab(book, everything, choices)
if proposer:
    with tabs[1]:
        forms.propose(book, choices["processes"])
    with tabs[2]:
        my_cases_tab(everything)
