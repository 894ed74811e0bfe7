"""Changing cases for change on the Cases page: proposing, endorsing and commenting (staff,
analysts, leadership and admins), triaging and merging (analysts and admins).

Widgets return what a person typed; the services check the role again and validate (the same
rules as the command line), so a refusal is one sentence and nothing is saved. A triage
remembers the version of the case its form was opened on; a change saved meanwhile by someone
else is refused with who changed what, and the form offers to load the latest version.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from inventory.case_schemas import NEW_PROCESS, CaseStatus, Effort
from inventory.schemas import Choice, PriorityArea
from inventory.services.cases import CaseBook
from views.common import actor, forget, plain
from views.edit_flow import EditFlow, items, text, word

FLOW = EditFlow("cs")
TRIAGE_STATUSES = [CaseStatus.UNDER_REVIEW.value, CaseStatus.ACCEPTED.value,
                   CaseStatus.DECLINED.value, CaseStatus.HANDED_OVER.value, CaseStatus.NEW.value]


saved, attempt = FLOW.saved, FLOW.attempt


def _processes(chosen: list[str], new_names: str) -> list[str]:
    """Codes picked from the inventory, then ``new: <name>`` for each name typed (``;``)."""
    return [*chosen, *(f"{NEW_PROCESS} {name}" for name in items(new_names))]


def _optional(title: str, kind: type[Choice], key: str) -> Any:
    options: list[Any] = [None, *(m.value for m in kind)]
    return st.selectbox(title, options, key=key,
                        format_func=lambda v: "— not set —" if v is None else word(kind, v))


def duplicates(book: CaseBook, text: str, exclude: str | None = None) -> None:
    """Open cases worded like ``text``: endorsing one may serve better than a new case."""
    alike = book.similar(text, exclude=exclude)
    if alike.empty:
        st.caption("No open case is worded like this one.")
        return
    st.warning(f"{len(alike)} open case(s) worded alike: endorse or comment on one of them if "
               "it is the same idea.", icon=":material/content_copy:")
    st.dataframe(pd.DataFrame({
        "Code": alike["code"], "Title": alike["title"],
        "Status": [word(CaseStatus, s) for s in alike["status"]],
        "Endorsements": alike["endorsements"],
        "Alike": [f"{s:.0%}" for s in alike["similarity"]]}), hide_index=True, width="stretch")


def propose(book: CaseBook, processes: list[str]) -> None:
    """The proposal form; "Look for similar cases" shows possible duplicates before the case
    is proposed, and those of the new case are shown after."""
    st.caption("Say what is wrong today and what you would change; analysts review every case "
               "and tell you what became of it under My cases.")
    with st.form("cs_propose"):
        data: dict[str, Any] = {
            "title": st.text_input("Title", key="cs_add:title",
                                   placeholder="Archive meeting documents automatically"),
            "problem": st.text_area("The problem today", key="cs_add:problem", height=90),
            "idea": st.text_area("Your idea", key="cs_add:idea", height=90)}
        columns = st.columns([3, 2])
        chosen = columns[0].multiselect("Processes concerned (from the inventory)", processes,
                                        key="cs_add:processes", placeholder="process codes")
        new_names = columns[1].text_input(
            "Processes not in the inventory yet", key="cs_add:new_processes",
            placeholder="Document archiving; …", help="Their names, separated by ;")
        row = st.columns([2, 1, 3])
        with row[0]:
            data["priority_area"] = _optional("Priority area it serves", PriorityArea,
                                              "cs_add:area")
        with row[1]:
            data["effort"] = _optional("Rough effort", Effort, "cs_add:effort")
        data["benefit"] = row[2].text_input("Benefit expected", key="cs_add:benefit") or None
        data["links"] = st.text_input("Links", key="cs_add:links",
                                      placeholder="https://… separated by ;")
        data["processes"] = _processes(chosen, new_names)
        buttons = st.columns([1, 1, 3])
        check = buttons[0].form_submit_button("Look for similar cases")
        submitted = buttons[1].form_submit_button("Propose case", type="primary")
    wording = " ".join(str(data[k] or "") for k in ("title", "problem", "idea"))
    if check:
        duplicates(book, wording)
    if submitted:
        record = attempt(lambda: book.add(data, actor()))
        if record is not None:
            forget("cs_add:")
            st.session_state["cs_proposed"] = (record["code"], wording)
            saved(f"Proposed {record['code']}: analysts will review it; follow it under My "
                  "cases.", record["code"])
    proposed = st.session_state.get("cs_proposed")
    if proposed is not None:
        st.markdown(f"**Cases worded like {plain(proposed[0])}**")
        duplicates(book, proposed[1], exclude=proposed[0])


def endorse(book: CaseBook, record: dict[str, Any]) -> None:
    """The endorse button, disabled with the reason when the person may not endorse."""
    me = actor().name.casefold()
    code = record["code"]
    why_not = None
    if str(record["proposed_by"]).casefold() == me:
        why_not = "This is your own case: ask colleagues to endorse it."
    elif me in {name.casefold() for name in items(record["endorsed_by"])}:
        why_not = "You endorsed this case."
    elif record["status"] in (CaseStatus.MERGED.value, CaseStatus.DECLINED.value):
        why_not = f"The case is {word(CaseStatus, record['status']).lower()}."
    if st.button("Endorse", key=f"cs_endorse:{code}", disabled=why_not is not None,
                 icon=":material/thumb_up:", help=why_not) and \
            attempt(lambda: book.endorse(code, actor())) is not None:
        saved(f"You endorsed {code}.", code)
    if why_not is not None:
        st.caption(why_not)


def comment(book: CaseBook, code: str) -> None:
    with st.form(f"cs_comment:{code}"):
        words = st.text_area("Add a comment", key=f"cs_comment:{code}:text", height=70)
        if st.form_submit_button("Comment") and \
                attempt(lambda: book.comment(code, words, actor())) is not None:
            forget(f"cs_comment:{code}:")
            saved(f"Added your comment to {code}.", code)


def triage(book: CaseBook, record: dict[str, Any], processes: list[str],
           initiatives: dict[str, str]) -> None:
    """Move the case to a triage status, with the reason, processes and initiative."""
    code = record["code"]
    if record["status"] == CaseStatus.MERGED.value:
        st.caption(f"{code} is merged into {record['merged_into']}: triage that case.")
        return
    seen = FLOW.seen_version(code, int(record["version"]))
    linked = items(record["processes"])
    key = f"cs_triage:{code}:{seen}"
    with st.form(f"cs_triage:{code}"):
        st.markdown("**Triage**")
        columns = st.columns([1, 3])
        current = record["status"] if record["status"] in TRIAGE_STATUSES else "under_review"
        status = columns[0].selectbox("Status", TRIAGE_STATUSES, key=f"{key}:status",
                                      index=TRIAGE_STATUSES.index(current),
                                      format_func=lambda s: word(CaseStatus, s))
        reason = columns[1].text_input(
            "Reason, for the proposer", key=f"{key}:reason",
            value=text(record["status_reason"]), help="Required when the case is declined.")
        chosen = st.multiselect("Processes it concerns", list(dict.fromkeys([*linked,
                                                                             *processes])),
                                default=linked, key=f"{key}:processes",
                                placeholder="process codes")
        new_names = st.text_input("Processes not in the inventory yet", key=f"{key}:new",
                                  placeholder="Document archiving; …",
                                  help="Their names, separated by ;")
        owner = record["initiative"] if record["initiative"] in initiatives else None
        initiative = st.selectbox("Initiative it is handed over to", list(initiatives),
                                  index=None if owner is None else list(initiatives).index(owner),
                                  key=f"{key}:initiative", placeholder="only when handed over",
                                  format_func=lambda c: f"{c} · {initiatives[c]}")
        submitted = st.form_submit_button("Save triage", type="primary")
    if submitted:
        wanted = _processes(chosen, new_names)
        updated = attempt(lambda: book.triage(
            code, status, actor(), reason=reason, seen_version=seen,
            processes=None if wanted == linked else wanted,
            initiative=initiative if status == CaseStatus.HANDED_OVER.value else None), code)
        if updated is not None:
            FLOW.forget_seen(code)
            saved(f"{code} is {word(CaseStatus, updated['status']).lower()}.", code)
    FLOW.conflict_notice(code, "Discard my triage and load the latest version")


def merge(book: CaseBook, cases: pd.DataFrame) -> None:
    """Merge duplicates into one case, after a confirmation."""
    live = cases[~cases["status"].isin([CaseStatus.MERGED.value])]
    titles = dict(zip(live["code"], live["title"], strict=True))
    with st.expander("Merge duplicate cases", icon=":material/merge:"):
        st.caption("The cases merged become Merged (\"merged into …\"); their endorsements and "
                   "comments are carried over to the case they go into.")
        codes = st.multiselect("Cases to merge", list(titles), key="cs_merge:codes",
                               format_func=lambda c: f"{c} · {titles[c]}")
        open_ones = [c for c, s in zip(live["code"], live["status"], strict=True)
                     if s != CaseStatus.DECLINED.value and c not in codes]
        into = st.selectbox("Merge into", open_ones, index=None, key="cs_merge:into",
                            format_func=lambda c: f"{c} · {titles[c]}",
                            placeholder="Choose the case to keep")
        confirm = st.checkbox("Yes, merge them: this cannot be undone from the page",
                              key="cs_merge:confirm")
        if st.button("Merge", type="primary", disabled=not confirm, key="cs_merge:go"):
            if into is None:
                st.error("Not merged: choose the case to merge into.", icon=":material/error:")
                return
            record = attempt(lambda: book.merge(codes, into or "", actor()))
            if record is not None:
                forget("cs_merge:")
                saved(f"Merged {', '.join(codes)} into {record['code']}.", record["code"])
