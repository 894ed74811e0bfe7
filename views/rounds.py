"""Weighting rounds on the Scenarios page: a group weighs a saved scenario's criteria, each
member on their own, and closing combines the answers into the scenario's weights.

Leadership and admins (whoever :attr:`~inventory.access.Action.manage_scenarios` allows) open a
round on the scenario chosen (members, direct weights or pairwise judgements, the criteria
weighed, how much each member counts) and close it (AIJ or AIP, the mean, whether inconsistent
members count). A member, whatever their role, answers the open round they are invited to and
may revise the answer while it is open; a pairwise answer shows its consistency ratio before it
is submitted. Everyone who may read sees who answered (not what) while a round is open, and
once it is closed the group's weights, Goepel's consensus, the members' weights as a heatmap,
the criteria they disagree on most and how often each process is in the top N under each
member's weights beside its rank under the group's.

Conventions
-----------
* The services check the role and the input again (:class:`inventory.services.rounds.RoundBook`,
  whose module states the rules and cites the methods); a refusal is one sentence and saves
  nothing (:func:`views.common.refused`).
* Reads and the top N go through :func:`views.common.shared`: computed once per revision of the
  catalogue, so a rerun that changes nothing recomputes nothing. A round's status is keyed by
  who asks, since a member sees their own answer while it is open.
* Widget keys start with ``rd_``; those of one round carry its code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from inventory.access import Action
from inventory.errors import CatalogueError
from inventory.services.rounds import RoundBook
from scoring.ahp import CR_THRESHOLD, priorities
from scoring.criteria import CriteriaSet
from scoring.errors import ScoringError
from views.common import actor, allowed, catalogue, flash, forget, plain, refused, shared
from views.prioritise_charts import (
    SAATY,
    judgement_label,
    nearest_judgement,
    pair_names,
    pairs_frame,
    pairwise_matrix,
)

MODES = {"weights": "Points shared out over the criteria",
         "pairwise": "Pairwise judgements (AHP, Saaty's 1-9 scale)"}
METHODS = {"aij": "AIJ: combine the judgements (the group acts as one)",
           "aip": "AIP: combine each member's weights (each keeps their own view)"}
#: How a closed round's method reads (:func:`scoring.group.combine`).
METHOD_WORDS = {"aij": "AIJ, the geometric mean of the members' judgements",
                "aip-geometric": "AIP, the geometric mean of the members' weights",
                "aip-arithmetic": "AIP, the arithmetic mean of the members' weights"}
MEANS = {"geometric": "Geometric mean", "arithmetic": "Arithmetic mean"}
#: Most criteria a pairwise round compares (Saaty's random index is tabulated up to 10).
MOST_PAIRWISE = 10
DEFAULT_TOP = 10
_MARGIN = {"t": 30, "b": 10, "l": 10, "r": 10}


def rounds_tab(criteria: CriteriaSet, processes: pd.DataFrame, saved: pd.DataFrame) -> None:
    """The "Weighting rounds" section for the saved scenario chosen."""
    names = saved["name"].tolist()
    if not names:
        st.info("Save a scenario first: a weighting round decides a saved scenario's weights.",
                icon=":material/info:")
        return
    book = catalogue().rounds
    listed = shared("weighting rounds", None, book.list_rounds)
    me = actor().name
    invited = shared("rounds to answer", me.lower(), lambda: _to_answer(book, listed, me))
    if invited:
        st.info("You are invited to answer: " + "; ".join(
            f"{code} on scenario {plain(scenario)}" + (" (answered; you may revise it)"
                                                       if done else "")
            for code, scenario, done in invited), icon=":material/how_to_vote:")
    first = next((names.index(s) for _, s, _ in invited if s in names), 0)
    name = st.selectbox("Scenario", names, index=first, key="rd_scenario")
    mine = listed[listed["scenario"] == name]
    if allowed(Action.manage_scenarios) and not (mine["status"] == "open").any():
        open_form(book, criteria, name)
    if mine.empty:
        st.caption(f"No weighting round on {plain(name)} yet.")
        return
    codes = mine["code"].tolist()[::-1]  # the newest first: the open one, if any
    code = st.selectbox("Round", codes, key=f"rd_round:{name}",
                        help="The newest first; a scenario has one open round at a time.")
    record = shared("weighting round", (code, me.lower()), lambda: book.status(code, me))
    show_round(book, criteria, processes, saved, record)


def _to_answer(book: RoundBook, listed: pd.DataFrame, me: str) -> list[tuple[str, str, bool]]:
    """The open rounds ``me`` is a member of: (code, scenario, answered already)."""
    found = []
    for code in listed.loc[listed["status"] == "open", "code"]:
        record = book.status(code, me)
        member = next((m for m in record["members"] if m["username"].lower() == me.lower()),
                      None)
        if member is not None:
            found.append((code, record["scenario"], bool(member["answered"])))
    return found


# ---------------------------------------------------------------------- opening and closing

def open_form(book: RoundBook, criteria: CriteriaSet, scenario: str) -> None:
    """Open a round on ``scenario`` (leadership and admins)."""
    who = actor()
    with st.expander(f"Open a weighting round on {plain(scenario)}"):
        accounts = shared("round invitable", None, lambda: book.invitable(who), role=who.role)
        members = st.multiselect("Members", accounts, key="rd_open:members",
                                 placeholder="at least two accounts",
                                 help="Each member answers on their own; nobody sees an answer "
                                      "before the round closes.")
        mode = st.radio("They answer with", list(MODES), key="rd_open:mode",
                        format_func=MODES.__getitem__, horizontal=True)
        weighed = st.multiselect(
            "Criteria weighed", criteria.keys, key="rd_open:criteria",
            format_func=lambda k: criteria.get(k).label, placeholder="all criteria",
            help=f"Empty: all. At most {MOST_PAIRWISE} for pairwise judgements. Criteria left "
                 "out get weight 0 when the round closes.")
        counts: dict[str, float] = {}
        if members:
            st.caption("How much each member counts (1: equally).")
            columns = st.columns(min(len(members), 4))
            for number, member in enumerate(members):
                counts[member] = columns[number % len(columns)].number_input(
                    member, min_value=0.0, value=1.0, step=0.5, key=f"rd_open:weight:{member}")
        if not st.button("Open the round", key="rd_open:go", type="primary"):
            return
        try:
            record = book.open(scenario, members, who, mode=mode, criteria=weighed or None,
                               member_weights=counts)
        except CatalogueError as error:
            refused(error)
            return
    forget("rd_open:")
    invited = ", ".join(m["username"] for m in record["members"])
    flash(f"{record['code']} is open on scenario {scenario!r} for {invited}.")
    st.rerun()


def close_form(book: RoundBook, record: dict[str, Any]) -> None:
    """Close an open round, after a confirmation (leadership and admins)."""
    code, pairwise = record["code"], record["mode"] == "pairwise"
    st.markdown("**Close the round**")
    left, middle, right = st.columns(3)
    methods = list(METHODS) if pairwise else ["aip"]
    method = left.selectbox("Combine by", methods, key=f"rd_close:{code}:method",
                            format_func=METHODS.__getitem__)
    means = ["geometric", "arithmetic"] if pairwise else ["arithmetic", "geometric"]
    mean = middle.selectbox("Mean of the weights", means, key=f"rd_close:{code}:mean",
                            format_func=MEANS.__getitem__, disabled=method == "aij",
                            help="For AIP. Under the geometric mean a criterion one member "
                                 "gives 0 gets 0.")
    include = right.toggle("Count inconsistent members", key=f"rd_close:{code}:include",
                           disabled=not pairwise,
                           help=f"Members whose consistency ratio is above {CR_THRESHOLD:.2f} "
                                "are left out unless counted here.")
    confirm = st.checkbox(f"Yes, close {code}: the group's weights replace the weights of "
                          f"scenario {plain(record['scenario'])}",
                          key=f"rd_close:{code}:confirm")
    if not st.button("Close the round", key=f"rd_close:{code}:go", disabled=not confirm):
        return
    try:
        closed = book.close(code, actor(), method=method,
                            mean=None if method == "aij" else mean, include_inconsistent=include)
    except CatalogueError as error:
        refused(error)
        return
    result = closed["result"]
    flash(f"{code} is closed: consensus {result['consensus']:.0%} ({result['consensus_band']}); "
          f"scenario {record['scenario']!r} now has the group's weights.")
    st.rerun()


# ---------------------------------------------------------------------- one round

def show_round(book: RoundBook, criteria: CriteriaSet, processes: pd.DataFrame,
               saved: pd.DataFrame, record: dict[str, Any]) -> None:
    code = record["code"]
    weighed = ", ".join(criteria.get(k).label for k in record["criteria"])
    st.subheader(f"{code} · {'open' if record['status'] == 'open' else 'closed'}")
    st.caption(f"{MODES[record['mode']]}; criteria: {plain(weighed)}. Opened by "
               f"{plain(record['opened_by'])} on {record['opened_at']:%Y-%m-%d %H:%M} UTC"
               + (f"; closed by {plain(record['closed_by'])} on "
                  f"{record['closed_at']:%Y-%m-%d %H:%M} UTC." if record["closed_at"] else "."))
    if record["status"] == "open":
        progress(record)
        me = actor().name.lower()
        if any(m["username"].lower() == me for m in record["members"]):
            answer_form(book, criteria, record)
        else:
            st.caption("You are not a member of this round: its members answer, and whoever "
                       "opened it closes it.")
        if allowed(Action.manage_scenarios):
            close_form(book, record)
        return
    outcome(book, criteria, processes, saved, record)


def progress(record: dict[str, Any]) -> None:
    """Who answered and when, never what (the service hides it until the round closes)."""
    members = record["members"]
    answered = sum(bool(m["answered"]) for m in members)
    st.progress(answered / len(members), text=f"{answered} of {len(members)} members answered")
    equal = len({m["weight"] for m in members}) == 1
    st.markdown("\n".join(
        f"- {'✅' if m['answered'] else '⬜'} **{plain(m['username'])}**"
        + ("" if equal else f" (counts {m['weight']:g})")
        + (f": answered {m['answered_at']:%Y-%m-%d %H:%M} UTC" if m["answered"] else
           ": not yet") for m in members))


def answer_form(book: RoundBook, criteria: CriteriaSet, record: dict[str, Any]) -> None:
    """The member's own answer: points per criterion or pairwise judgements."""
    code, keys = record["code"], record["criteria"]
    mine = record["your_answer"]
    st.markdown(f"**Your answer**{' (you may revise it while the round is open)' if mine else ''}")
    weights: dict[str, float] | None = None
    pairwise: tuple[list[str], list[list[float]]] | None = None
    if record["mode"] == "weights":
        weights = _points_form(criteria, code, keys, (mine or {}).get("weights", {}))
    else:
        matrix = _judgements_form(criteria, code, keys, (mine or {}).get("matrix"))
        pairwise = (keys, matrix.tolist())
    label = "Revise my answer" if mine else "Submit my answer"
    if not st.button(label, key=f"rd_answer:{code}:go", type="primary"):
        return
    try:
        answered = book.answer(code, actor(), weights=weights, pairwise=pairwise)
    except CatalogueError as error:
        refused(error)
        return
    cr = answered.get("your_cr")
    flash(f"Your answer to {code} is recorded"
          + ("." if cr is None else f"; your consistency ratio is {cr:.3f}."))
    st.rerun()


def _points_form(criteria: CriteriaSet, code: str, keys: list[str],
                 stored: dict[str, float]) -> dict[str, float]:
    """A number of points per criterion (the stored answer first), and the shares they make."""
    columns = st.columns(min(len(keys), 4))
    points = {}
    for number, key in enumerate(keys):
        slot = f"rd_points:{code}:{key}"
        if slot not in st.session_state:
            st.session_state[slot] = float(stored.get(key, 0.0))
        points[key] = float(columns[number % len(columns)].number_input(
            criteria.get(key).label, min_value=0.0, step=5.0, key=slot) or 0.0)
    total = sum(points.values())
    shares = [p / total if total > 0 else 0.0 for p in points.values()]
    st.dataframe(pd.DataFrame({"criterion": [criteria.get(k).label for k in keys],
                               "share": shares}), hide_index=True, width="stretch",
                 key=f"rd_shares:{code}", column_config={
                     "criterion": "Criterion", "share": st.column_config.ProgressColumn(
                         "Share of your points", format="percent", min_value=0.0,
                         max_value=1.0)})
    return points


def _judgements_form(criteria: CriteriaSet, code: str, keys: list[str],
                     stored: list[list[float]] | None) -> np.ndarray:
    """Saaty's judgements of every pair (the stored answer first), with the consistency ratio
    and weights they give, shown before they are submitted; returns the full matrix."""
    saved: dict[str, str] = {}
    if stored is not None:
        saved = {pair: nearest_judgement(stored[keys.index(a)][keys.index(b)])
                 for pair in pair_names(keys) for a, b in [pair.split("|")]}
    st.caption("Each row: how much more important the left criterion is than the right one "
               "(1 equal, 3 moderately, 5 strongly, 7 very strongly, 9 extremely; 1/3 … 1/9 "
               "the other way round).")
    edited = st.data_editor(
        pairs_frame(criteria, keys, saved), key=f"rd_grid:{code}", hide_index=True,
        num_rows="fixed", disabled=["a", "b"], width="stretch", column_config={
            "a": st.column_config.TextColumn("Criterion", width=135),
            "judgement": st.column_config.SelectboxColumn(
                "Judgement", options=SAATY, required=True, width=125,
                format_func=judgement_label),
            "b": st.column_config.TextColumn("than", width=140)})
    matrix = pairwise_matrix([str(v or "1") for v in edited["judgement"]], len(keys))
    result = priorities(matrix)
    cr = result.cr if result.cr is not None else float("nan")
    ratio, table = st.columns([1, 3])
    ratio.metric("Your consistency ratio", f"{cr:.3f}",
                 help=f"Saaty: acceptable up to {CR_THRESHOLD:.2f}.")
    table.dataframe(pd.DataFrame({"criterion": [criteria.get(k).label for k in keys],
                                  "weight": result.weights}), hide_index=True, width="stretch",
                    key=f"rd_ahp:{code}", column_config={
                        "criterion": "Criterion", "weight": st.column_config.ProgressColumn(
                            "Your weight", format="percent", min_value=0.0, max_value=1.0)})
    if not result.consistent:
        st.warning(f"Your consistency ratio {cr:.2f} is above {CR_THRESHOLD:.2f}: some "
                   "judgements contradict the others. Revise them, or your answer may be left "
                   "out when the round closes.", icon=":material/warning:")
    return matrix


# ---------------------------------------------------------------------- after closing

def outcome(book: RoundBook, criteria: CriteriaSet, processes: pd.DataFrame,
            saved: pd.DataFrame, record: dict[str, Any]) -> None:
    """The closed round: group weights, consensus, the members' weights, the disagreement and
    the top N across members."""
    result, code = record["result"], record["code"]
    keys = result["criteria"]
    labels = [criteria.get(k).label for k in keys]
    counted, members = result["included"], result["members"]
    band = result["consensus_band"]
    first, second, third = st.columns(3)
    first.metric("Consensus", f"{result['consensus']:.0%}", delta=band, delta_color="off",
                 delta_arrow="off", border=True,
                 help=f"{result['consensus_measure']}, from 0 (none) to 100 % (all agree). "
                      "Goepel's words: below 50 % very low, from 50 % low, from 62.5 % "
                      "moderate, from 75 % high, from 87.5 % very high.")
    second.metric("Members counted", f"{len(counted)} of {len(members)}", border=True)
    if result["group_cr"] is not None:
        third.metric("Group's consistency ratio", f"{result['group_cr']:.3f}", border=True,
                     help=f"Of the combined judgements; Saaty: acceptable up to "
                          f"{CR_THRESHOLD:.2f}.")
    st.caption(f"Combined by {METHOD_WORDS[result['method']]}.")
    if result["excluded_inconsistent"]:
        st.warning("Left out as inconsistent (consistency ratio above "
                   f"{CR_THRESHOLD:.2f}): " + ", ".join(
                       f"{plain(m['username'])} ({m['cr']:.2f})" for m in members
                       if m["username"] in result["excluded_inconsistent"]),
                   icon=":material/warning:")
    if result["not_answered"]:
        st.caption("Did not answer: " + ", ".join(map(plain, result["not_answered"])) + ".")
    answered = [m for m in members if m["priorities"] is not None]
    st.markdown("**The group's weights, and each member's**")
    left, right = st.columns([2, 3])
    left.dataframe(pd.DataFrame({"criterion": labels,
                                 "weight": [result["group_weights"][k] for k in keys]}),
                   hide_index=True, width="stretch", height=35 * (len(keys) + 1) + 3,
                   key=f"rd_group:{code}", column_config={
                       "criterion": "Criterion", "weight": st.column_config.ProgressColumn(
                           "Group's weight", format="percent", min_value=0.0,
                           max_value=1.0)})
    right.plotly_chart(heatmap_figure(answered, keys, labels, result), width="stretch",
                       key=f"rd_heatmap:{code}")
    st.markdown("**Where the members disagree most**")
    spread = pd.DataFrame(result["disagreement"],
                          columns=["criterion", "mean", "std", "cv", "low", "high"])
    spread["criterion"] = [criteria.get(k).label for k in spread["criterion"]]
    percent = st.column_config.NumberColumn
    st.dataframe(spread, hide_index=True, width="stretch", key=f"rd_spread:{code}",
                 column_config={
                     "criterion": "Criterion", "mean": percent("Mean weight", format="percent"),
                     "std": percent("Spread (std)", format="percent",
                                    help="Weighted standard deviation of the members' weights."),
                     "cv": percent("Relative spread", format="%.2f", help="Spread / mean."),
                     "low": percent("Lowest", format="percent"),
                     "high": percent("Highest", format="percent")})
    top_across_members(criteria, processes, saved, record)


def heatmap_figure(answered: list[dict[str, Any]], keys: list[str], labels: list[str],
                   result: dict[str, Any]) -> go.Figure:
    """Each member's weight of each criterion (one row per criterion, as in the group's table
    beside it; one column per member, the group's last); members left out are marked."""
    columns = [m["username"] + (" (left out)" if m["username"] in
                                result["excluded_inconsistent"] else "") for m in answered]
    values = np.array([[m["priorities"][k] for m in answered] + [result["group_weights"][k]]
                       for k in keys])
    figure = go.Figure(go.Heatmap(
        z=values, x=[*columns, "Group"], y=labels, colorscale="Blues", zmin=0.0,
        texttemplate="%{z:.0%}", hovertemplate="%{x}: %{y} %{z:.1%}<extra></extra>",
        colorbar={"tickformat": ".0%"}))
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(side="top")
    figure.update_layout(height=70 + 35 * len(keys), margin=_MARGIN, plot_bgcolor="white")
    return figure


def top_across_members(criteria: CriteriaSet, processes: pd.DataFrame, saved: pd.DataFrame,
                       record: dict[str, Any]) -> None:
    """How often each process is in the top N under each member's weights, beside its rank
    under the group's (the scenario's other settings as they are now)."""
    code, scenario = record["code"], record["scenario"]
    st.markdown("**The top N across members**")
    top = int(st.columns([1, 4])[0].number_input("Top N", min_value=1, max_value=100,
                                                 value=DEFAULT_TOP, key=f"rd_top:{code}"))
    rows = saved.loc[saved["name"] == scenario, "settings"]
    if rows.empty:
        st.info(f"Scenario {plain(scenario)} is no longer saved: nothing to rank under.")
        return
    try:
        frame = catalogue().results.round_top_n(code, criteria, top)
    except (CatalogueError, ScoringError) as error:
        st.error(f"Cannot rank under the members' weights: {error}", icon=":material/error:")
        return
    if frame.empty:
        st.info("No process is ranked under these weights.")
        return
    names = dict(zip(processes["code"], processes["name"], strict=True))
    shown = frame.assign(name=frame["process"].map(names))
    chart, table = st.columns([3, 2])
    answered = sum(m["priorities"] is not None for m in record["result"]["members"])
    chart.plotly_chart(top_figure(shown, top, answered),
                       width="stretch", key=f"rd_topchart:{code}")
    table.dataframe(shown[["process", "members", "group_rank", "best_rank", "name"]],
                    hide_index=True, width="stretch", key=f"rd_toptable:{code}",
                    column_config={"process": "Process",
                                   "members": st.column_config.NumberColumn(
                                       "Members", help=f"How many members have it in their "
                                                       f"top {top}."),
                                   "best_rank": "Best rank",
                                   "group_rank": st.column_config.NumberColumn(
                                       "Group's rank", help="Under the group's weights."),
                                   "name": st.column_config.TextColumn("Name", width="large")})


def top_figure(frame: pd.DataFrame, top: int, members: int) -> go.Figure:
    """One bar per process: how many members have it in their top ``top``, its rank under the
    group's weights written beside the bar."""
    group = ["not ranked" if pd.isna(r) else f"group's rank {int(r)}"
             for r in frame["group_rank"]]
    colours = ["#1f77b4" if not pd.isna(r) and r <= top else "#9aa3ad"
               for r in frame["group_rank"]]
    figure = go.Figure(go.Bar(
        x=frame["members"], y=frame["process"], orientation="h", marker_color=colours,
        text=group, textposition="outside", customdata=frame["name"],
        hovertemplate="%{y} · %{customdata}: in %{x} members' top " + str(top)
                      + "<extra></extra>"))
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(range=[0, members * 1.45], dtick=1,
                        title=f"Members with it in their top {top} (blue: in the group's too)")
    figure.update_layout(height=120 + 24 * len(frame), margin=_MARGIN, plot_bgcolor="white")
    return figure
