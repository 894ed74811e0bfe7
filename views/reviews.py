"""Reviews: process owners confirm their processes (review rounds).

* **My processes to review**, for an account an admin linked to a process owner (Users page):
  each process asked in an open round with its due date and the fields still empty marked
  missing; one opened at a time in a form to fill them, saved alone or saved and confirmed.
  Confirming validates a draft or in-review process.
* **Rounds**: every round with its progress; analysts and admins ask for a new one (the owners
  of a unit's, a pillar's or every process, by a date), seeing first how many processes and
  owners it reaches.
* **Completeness** per unit, for everyone: the share of the reviewable fields filled, and the
  requests confirmed on time and overdue, as a table and a chart.

Conventions
-----------
* The requests, rounds and completeness come through ``views.common.shared`` (one read of a
  frame per revision of the catalogue and per day, shared by every session; never a query per
  row); which owner the signed-in account answers for is read at every run (one row), so a
  link made on the Users page applies at once.
* The services check the role and the ownership again (:mod:`inventory.services.reviews`); a
  refusal is one sentence and nothing is saved. The form remembers the version of the process
  it was opened on; a change saved meanwhile is refused with who changed what.
* A link ``?review=CODE`` opens that process in the form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from inventory.access import Action
from inventory.errors import CatalogueError
from inventory.review_schemas import REVIEWABLE_FIELDS, RequestStatus, Scope, owner_key
from inventory.schemas import Pillar
from inventory.services.reviews import ReviewBook
from views.common import (
    FIELD_LABELS,
    actor,
    allowed,
    catalogue,
    inert,
    plain,
    shared,
    show_flash,
)
from views.edit_flow import EditFlow, text
from views.process_form import field_widget

FLOW = EditFlow("rv")
# What an owner fills: the reviewable fields but the owner, which they may not change.
ASKED = [field for field in REVIEWABLE_FIELDS if field != "process_owner"]
ROUND_TITLES = {"code": "Round", "scope": "Scope", "scope_value": "Of", "due": "Due",
                "requests": "Processes", "confirmed": "Confirmed", "on_time": "On time",
                "overdue": "Overdue", "requested_by": "Asked by", "note": "Note"}


def missing_marks(names: Any) -> str:
    """The empty fields as red "missing" badges (none: a green one)."""
    fields = [name for name in text(names).split("; ") if name]
    if not fields:
        return ":green-badge[Nothing missing]"
    return " ".join(f":red-badge[Missing: {FIELD_LABELS[name]}]" for name in fields)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        not isinstance(value, str) and bool(pd.isna(value)))


def changed(record: dict[str, Any], entered: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value entered differs from the one stored (blank and unknown are the
    same; numbers compared as numbers)."""
    out = {}
    for field, value in entered.items():
        stored = record.get(field)
        if blank(value) and blank(stored):
            continue
        if not blank(value) and not blank(stored) and isinstance(value, int | float) and \
                float(value) == float(stored):
            continue
        if value != stored:
            out[field] = value
    return out


def review_form(book: ReviewBook, request: dict[str, Any], record: dict[str, Any]) -> None:
    """The fields to fill of one process, missing ones marked, with Save and Save and
    confirm."""
    code = request["code"]
    seen = FLOW.seen_version(code, int(record["version"]))
    empty = set(text(request["empty_fields"]).split("; "))
    key = f"rv_form:{code}:{seen}"
    with st.form(f"rv_form:{code}"):
        st.markdown(f"**{plain(code)} · {plain(record['name'])}** · due "
                    f"{request['due']:%Y-%m-%d} ({plain(request['round'])})")
        entered: dict[str, Any] = {}
        columns = st.columns(2)
        for index, field in enumerate(ASKED):
            title = FIELD_LABELS[field]
            label = f":red[{title} · missing]" if field in empty else title
            with columns[index % 2]:
                entered[field] = field_widget(record, key, field, label)
        buttons = st.columns([1, 1, 3])
        save = buttons[0].form_submit_button("Save")
        confirm = buttons[1].form_submit_button("Save and confirm", type="primary")
    changes = changed(record, entered)
    if save:
        if not changes:
            st.info("Nothing changed, so nothing was saved.", icon=":material/info:")
        elif FLOW.attempt(lambda: book.edit_own(code, changes, seen, actor()), code) \
                is not None:
            FLOW.forget_seen(code)
            FLOW.saved(f"Saved {code}; confirm it once it is complete.", code)
    if confirm:
        done = FLOW.attempt(lambda: book.confirm(code, actor(), changes, seen), code)
        if done is not None:
            FLOW.forget_seen(code)
            timing = "on time" if done["on_time"] else "after the due date"
            FLOW.saved(f"Confirmed {code} ({timing}); it is {done['lifecycle']}.")
    FLOW.conflict_notice(code, "Discard my changes and load the latest version")


def my_processes(book: ReviewBook, requests: pd.DataFrame, title: str | None) -> None:
    if not title:
        st.info("Your account answers for no process owner yet, so no process waits for your "
                "review. An admin links an account to a process owner (for example \"Head, HR "
                "Operations\") on the Users page.", icon=":material/person_search:")
        return
    mine = requests[requests["owner"].map(owner_key) == owner_key(title)]
    waiting = mine[mine["status"] == RequestStatus.REQUESTED.value].sort_values(
        ["due", "code"], kind="stable")
    st.caption(f"You answer for **{plain(title)}**: {len(waiting)} process(es) wait for your "
               f"review, {int((mine['status'] == RequestStatus.CONFIRMED.value).sum())} "
               "confirmed.")
    if waiting.empty:
        st.success("Nothing waits for your review.", icon=":material/task_alt:")
        return
    for request in waiting.to_dict("records"):
        with st.container(border=True):
            left, right = st.columns([4, 1])
            left.markdown(f"**{plain(request['code'])}** · {plain(request['name'])}")
            badge = ":red-badge[Overdue]" if request["overdue"] else ":blue-badge[Due]"
            right.markdown(f"{badge} {request['due']:%Y-%m-%d}")
            st.markdown(missing_marks(request["empty_fields"]))
    by_code = {r["code"]: r for r in waiting.to_dict("records")}
    code = FLOW.open_record("Open a process to review", list(by_code), query="review",
                            placeholder="Choose a process",
                            shown=lambda c: f"{c} · {by_code[c]['name']}")
    if code is None:
        return
    processes = catalogue().results.processes()
    record = processes[processes["code"] == code].to_dict("records")[0]
    review_form(book, by_code[code], record)


def request_form(book: ReviewBook) -> None:
    """Ask for a round, showing first what it reaches."""
    st.markdown("**Ask owners to review their processes**")
    columns = st.columns([1, 2, 1])
    scope = columns[0].radio("Processes of", [s.value for s in Scope], key="rv_new:scope",
                             horizontal=True,
                             format_func=lambda s: {"unit": "a unit", "pillar": "a pillar",
                                                    "all": "every unit"}[s])
    value: str | None = None
    if scope == Scope.UNIT.value:
        units = catalogue().results.units()
        names = dict(zip(units["code"], units["name"], strict=True))
        value = columns[1].selectbox("Unit", list(names), key="rv_new:unit", index=None,
                                     placeholder="Choose a unit",
                                     format_func=lambda c: f"{c} · {names[c]}")
    elif scope == Scope.PILLAR.value:
        value = columns[1].selectbox("Pillar", [p.value for p in Pillar], key="rv_new:pillar",
                                     index=None, placeholder="Choose a pillar",
                                     format_func=lambda p: Pillar(p).label)
    due = columns[2].date_input("Confirm by", value=dt.date.today() + dt.timedelta(days=14),
                                key="rv_new:due")
    note = st.text_input("Note to the owners", key="rv_new:note",
                         placeholder="What to look at, why now")
    if scope != Scope.ALL.value and value is None:
        st.caption(f"Choose the {scope} to see how many processes and owners it reaches.")
        return
    try:
        reach = book.reach(scope, value)
    except CatalogueError as error:
        st.warning(inert(str(error)), icon=":material/search_off:")
        return
    st.caption(f"Reaches {reach['asked']} process(es) of {reach['owners']} owner(s), "
               f"{reach['linked']} of whom have an account linked to them"
               + (f"; {reach['skipped']} already waiting in an open review are not asked "
                  "again" if reach["skipped"] else "") + ".")
    if st.button("Ask the owners", type="primary", key="rv_new:go",
                 disabled=not reach["asked"]):
        record = FLOW.attempt(lambda: book.request(scope, value, due, actor(),
                                                   note=note or None))
        if record is not None:
            FLOW.saved(f"Asked for {record['code']}: {record['requests']} process(es) to "
                       f"review by {record['due']:%Y-%m-%d}.")


def rounds_tab(book: ReviewBook, rounds: pd.DataFrame) -> None:
    if allowed(Action.request_reviews):
        with st.container(border=True):
            request_form(book)
    if rounds.empty:
        st.caption("No review round yet: analysts ask for one here.")
        return
    shown = rounds.assign(progress=[c / r if r else 0.0 for c, r in
                                    zip(rounds["confirmed"], rounds["requests"], strict=True)])
    st.dataframe(shown[[*ROUND_TITLES, "progress"]].rename(columns=ROUND_TITLES),
                 hide_index=True, width="stretch", column_config={
                     "progress": st.column_config.ProgressColumn(
                         "Confirmed share", min_value=0.0, max_value=1.0, format="percent")})


def completeness_tab(table: pd.DataFrame) -> None:
    if table.empty:
        st.caption("No live process is recorded yet.")
        return
    asked = table["requested"].astype(float).where(table["requested"] > 0)
    on_time = (table["on_time"] / asked).fillna(0.0)
    overdue = (table["overdue"] / asked).fillna(0.0)
    figure = go.Figure([
        go.Bar(name="Fields filled", x=table["unit"].to_numpy(),
               y=table["filled_share"].to_numpy() * 100),
        go.Bar(name="Confirmed on time", x=table["unit"].to_numpy(),
               y=on_time.to_numpy() * 100),
        go.Bar(name="Overdue", x=table["unit"].to_numpy(), y=overdue.to_numpy() * 100)])
    figure.update_layout(barmode="group", height=320, margin={"t": 10, "b": 10},
                         yaxis={"title": "% (of fields; of requests)", "range": [0, 100]})
    st.plotly_chart(figure, width="stretch")
    st.dataframe(table.rename(columns={
        "unit": "Unit", "unit_name": "Name", "processes": "Processes",
        "filled_share": "Fields filled", "requested": "Requested", "confirmed": "Confirmed",
        "on_time": "On time", "overdue": "Overdue"}), hide_index=True, width="stretch",
        column_config={"Fields filled": st.column_config.ProgressColumn(
            "Fields filled", min_value=0.0, max_value=1.0, format="percent")})
    st.caption("Over each unit's live processes that are not retired: the share of the "
               f"{len(REVIEWABLE_FIELDS)} fields an owner is asked about that are filled, and "
               "their review requests of every round; overdue means still open after the due "
               "date.")


book = catalogue().reviews
today = dt.date.today()
st.title("Reviews")
st.caption("Process owners confirm their processes: analysts ask the owners of a unit, a "
           "pillar or every process to review their records by a date; owners fill what is "
           "missing and confirm.")
show_flash()
requests = shared("review requests", today, lambda: book.list_requests(today=today))
title = book.owner_title(actor())
tabs = st.tabs(["My processes to review", "Rounds", "Completeness"], key="rv_tab",
               on_change="rerun")
with tabs[0]:
    my_processes(book, requests, title)
with tabs[1]:
    rounds_tab(book, shared("review rounds", today, lambda: book.rounds(today=today)))
with tabs[2]:
    completeness_tab(shared("review completeness", today,
                            lambda: book.completeness(today=today)))
