"""Assess: score processes on the anchored scales, with several raters and their disagreement.

One form holds every assessed criterion for one process and one rater. Saving sends only what
changed: a new value is added, a changed one is updated with the version the form was opened on,
a cleared one ("not rated") is deleted; a missing value is never stored as zero. Before writing,
the page checks that none of those ratings moved since it read them, so a save is all or nothing:
a concurrent change is shown as a conflict and the user's choices stay in the form.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from inventory.access import Action
from inventory.errors import CatalogueError, Conflict
from inventory.schemas import person_key
from inventory.services import Catalogue
from scoring.criteria import Criterion, Group
from scoring.raters import aggregate
from views.common import actor, catalogue, flash, plain, refused, require, shared, show_flash
from views.paging import findable, page_of
from views.scoring_data import criteria_set

SOMEONE_NEW = "Someone else (a new rater)…"
NOT_RATED = "not rated"  # the first choice of every scale: no value is stored, never a zero
DISAGREEMENT = 0.5  # a spread of half the scale or more (2 on a 1-5 scale) is worth discussing


def _text(value: Any) -> str:
    """A stored text as a plain string ('' for None or NaN)."""
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _rows(mine: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """One rater's stored ratings of one process, by criterion key."""
    return {row["criterion_key"]: {"id": int(row["id"]), "value": float(row["value"]),
                                   "rationale": _text(row["rationale"]),
                                   "low": row["low"], "high": row["high"],
                                   "version": int(row["version"]), "by": row["updated_by"]}
            for row in mine.to_dict("records")}


def _forget_form() -> None:
    """Open the form afresh: new widgets (a browser keeps a widget's choice while its key
    lives, whatever its preset), no versions read, no conflict."""
    st.session_state.pop("assess_seen", None)
    st.session_state.pop("assess_conflict", None)
    st.session_state["assess_generation"] = st.session_state.get("assess_generation", 0) + 1


def opened(mine: pd.DataFrame, code: str, rater: str,
           criteria: list[Criterion]) -> dict[str, dict[str, Any]]:
    """The rater's ratings as the form was opened; a save is checked against their versions.

    Kept across reruns while the form is on screen; another process or rater, or coming back
    to the page (its widgets are gone then), opens the form afresh on the latest values."""
    seen = st.session_state.get("assess_seen")
    generation = st.session_state.get("assess_generation", 0)
    on_screen = f"rate:{generation}:{criteria[0].key}" in st.session_state
    if seen is None or seen["owner"] != (code, rater) or not on_screen:
        _forget_form()
        seen = st.session_state["assess_seen"] = {"owner": (code, rater), "rows": _rows(mine)}
    return dict(seen["rows"])


def _options(criterion: Criterion, stored: float | None) -> list[float | str]:
    """'Not rated', the anchored levels, and a stored value between levels (kept as rated)."""
    levels = [value for value, _ in criterion.scale.levels]
    extra = [stored] if stored is not None and stored not in levels else []
    return [NOT_RATED, *sorted(levels + extra)]


def _level(criterion: Criterion, value: float | str) -> str:
    if isinstance(value, str):
        return f"— {value} —"
    return f"{value:g} · {criterion.scale.anchor(value) or 'between the anchored levels'}"


def rating_fields(criteria: list[Criterion],
                  rows: dict[str, dict[str, Any]]) -> dict[str, tuple[float | None, str]]:
    """Draw a scale and a rationale per criterion, by group; return (value, rationale) per key.

    Widget keys are ``rate:GENERATION:CRITERION`` and ``why:GENERATION:CRITERION``."""
    generation = st.session_state.get("assess_generation", 0)
    chosen: dict[str, tuple[float | None, str]] = {}
    for group in Group:
        members = [c for c in criteria if c.group is group]
        if members:
            st.markdown(f"#### {group.value.capitalize()}")
        for criterion in members:
            stored = rows.get(criterion.key)
            options = _options(criterion, stored["value"] if stored else None)
            with st.container(border=True):
                direction = (":green[↑ higher is better]" if criterion.benefit
                             else ":orange[↓ lower is better (cost)]")
                st.markdown(f"**{criterion.label}** · {direction}")
                if criterion.description:
                    st.caption(criterion.description)
                value = st.radio(criterion.label, options, key=f"rate:{generation}:{criterion.key}",
                                 index=options.index(stored["value"]) if stored else 0,
                                 format_func=partial(_level, criterion),
                                 label_visibility="collapsed")
                reason = st.text_input(f"Rationale for {criterion.label}",
                                       value=stored["rationale"] if stored else "",
                                       key=f"why:{generation}:{criterion.key}",
                                       label_visibility="collapsed",
                                       placeholder="Rationale: why this level? (optional)")
            chosen[criterion.key] = (None if value == NOT_RATED else float(value),
                                     reason.strip())
    return chosen


def planned(chosen: dict[str, tuple[float | None, str]], rows: dict[str, dict[str, Any]],
            labels: dict[str, str]) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[str]]:
    """What a save must do per criterion ('add', 'update', 'delete'), and the choices it cannot
    save (a rationale without a value)."""
    today = dt.date.today()
    plan: dict[str, tuple[str, dict[str, Any]]] = {}
    problems = []
    for key, (value, reason) in chosen.items():
        stored = rows.get(key)
        if stored is None and value is None:
            if reason:
                problems.append(labels[key])
        elif stored is None:
            plan[key] = ("add", {"criterion_key": key, "value": value,
                                 "rationale": reason or None, "assessed_on": today})
        elif value is None:
            plan[key] = ("delete", {})
        elif value != stored["value"] or reason != stored["rationale"]:
            changes = {"value": value, "rationale": reason or None, "assessed_on": today}
            if (not pd.isna(stored["low"]) and stored["low"] > value) \
                    or (not pd.isna(stored["high"]) and stored["high"] < value):
                changes |= {"low": None, "high": None}  # the old range no longer holds it
            plan[key] = ("update", changes)
    return plan, problems


def moved_meanwhile(plan: dict[str, Any], rows: dict[str, dict[str, Any]],
                    fresh: dict[str, dict[str, Any]], labels: dict[str, str]) -> list[str]:
    """The planned ratings someone else added, changed or removed since the form read them."""
    moved = []
    for key in plan:
        was, now = rows.get(key), fresh.get(key)
        if now is not None and (was is None or was["id"] != now["id"]):
            moved.append(f"{labels[key]} was added by {now['by']} ({now['value']:g})")
        elif was is not None and now is None:
            moved.append(f"{labels[key]} was removed")
        elif was is not None and now is not None and was["version"] != now["version"]:
            moved.append(f"{labels[key]} was changed by {now['by']} (now {now['value']:g}, "
                         f"version {now['version']})")
    return moved


def save(inventory: Catalogue, code: str, rater: str, plan: dict[str, tuple[str, dict[str, Any]]],
         rows: dict[str, dict[str, Any]], labels: dict[str, str]) -> None:
    """Write the plan if nothing in it moved meanwhile; confirm, or keep the conflict to show."""
    fresh = _rows(_mine(inventory.assessments(process_code=code), rater))
    moved = moved_meanwhile(plan, rows, fresh, labels)
    if moved:
        st.session_state["assess_conflict"] = Conflict(
            f"while you were rating, {code} by {rater} changed: {'; '.join(moved)}. "
            "Nothing was saved; your choices are still in the form.")
        return
    done: dict[str, int] = {"add": 0, "update": 0, "delete": 0}
    try:
        for key, (action, data) in plan.items():
            if action == "add":
                inventory.add_assessment({"process_code": code, "rater": rater, **data}, actor())
            elif action == "update":
                inventory.update_assessment(rows[key]["id"], data, rows[key]["version"], actor())
            else:
                inventory.delete_assessment(rows[key]["id"], actor(), rows[key]["version"])
            done[action] += 1
    except CatalogueError as error:
        written = sum(done.values())
        if written:  # a race after the check: what was written is now what the form stands on
            fresh = _rows(_mine(inventory.assessments(process_code=code), rater))
            keys = list(plan)[:written]
            seen = st.session_state["assess_seen"]["rows"]
            seen.update({k: fresh[k] for k in keys if k in fresh})
            for k in keys:
                if k not in fresh:
                    seen.pop(k, None)
            st.warning(f"Saved before the error: {', '.join(labels[k] for k in keys)}.")
        if isinstance(error, Conflict):
            st.session_state["assess_conflict"] = error
        else:
            refused(error)
        return
    total = sum(done.values())
    _forget_form()
    flash(f"Saved {total} rating{'s' if total != 1 else ''} for {code} by {rater}: "
          f"{done['add']} new, {done['update']} changed, {done['delete']} cleared.")
    st.rerun()


def conflict_notice(inventory: Catalogue, code: str, rater: str) -> None:
    """Show a conflict until the user keeps their choices (to save over) or discards them."""
    error = st.session_state.get("assess_conflict")
    if error is None:
        return
    refused(error)
    left, right = st.columns(2)
    if left.button("Keep my choices; saving again overwrites theirs", key="assess_keep"):
        latest = _rows(_mine(inventory.assessments(process_code=code), rater))
        st.session_state["assess_seen"]["rows"] = latest
        del st.session_state["assess_conflict"]
        st.rerun()
    if right.button("Discard my choices and load the latest", key="assess_reload"):
        _forget_form()
        st.rerun()


def _shown(values: pd.Series) -> list[str]:
    """Values as short text ('4', '3.5'); '—' where there is none (never a zero)."""
    return ["—" if pd.isna(v) else f"{v:g}" for v in values]


def _mine(frame: pd.DataFrame, rater: str) -> pd.DataFrame:
    """The ratings of ``rater``, whose name is compared as :func:`person_key` does."""
    return frame[frame["rater"].map(person_key) == person_key(rater)]


def known_spelling(name: str, known: list[str]) -> str:
    """``name`` as an existing rater spells it (case and spacing ignored), else as typed."""
    return next((k for k in known if person_key(k) == person_key(name)), " ".join(name.split()))


def chosen_rater(known: list[str], me: str) -> str:
    """Whose judgement the form records: the signed-in person by default, another known rater
    picked from the list, or a new rater whose name is typed on purpose. A typed name that is
    an existing rater's in another case or spacing is that rater."""
    mine = known_spelling(me, known)
    options = [mine, *(k for k in known if person_key(k) != person_key(mine)), SOMEONE_NEW]
    picked = st.selectbox("Rater", options, key="rater", persist_state="session",
                          format_func=lambda n: f"{n} (you)" if n == mine else n,
                          help="Whose judgement this is. The change is recorded as made by you "
                               "(the name in the sidebar).")
    if picked != SOMEONE_NEW:
        return str(picked)
    typed = st.text_input("New rater's name", key="new_rater", persist_state="session",
                          placeholder="First and last name").strip()
    if typed and known_spelling(typed, known) in known:
        st.caption(f"{plain(typed)} is the existing rater {plain(known_spelling(typed, known))}.")
    return known_spelling(typed, known) if typed else ""


def raters_table(frame: pd.DataFrame, summary: pd.DataFrame, criteria: list[Criterion],
                 rater: str) -> None:
    """Every rater's value per criterion with the median and spread; disagreements flagged."""
    st.markdown("#### All raters")
    if frame.empty:
        st.info("No one has rated this process yet.", icon=":material/info:")
        return
    values = frame.pivot(index="criterion_key", columns="rater", values="value")
    raters = sorted(values.columns, key=lambda r: (r != rater, r))
    summary = summary.set_index("criterion_key")
    keys = [c.key for c in criteria]
    flagged = summary["flagged"].reindex(keys).fillna(False).to_numpy(dtype=bool)
    spread = _shown(summary["spread"].reindex(keys))
    table = pd.DataFrame({"Criterion": [c.label for c in criteria],
                          "Median": _shown(summary["value"].reindex(keys)),
                          "Spread": [f"{s} ⚠️" if f else s for s, f in zip(spread, flagged,
                                                                           strict=True)]})
    for name in raters:
        table[f"{name} (you)" if name == rater else name] = _shown(values[name].reindex(keys))
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"Criterion": st.column_config.TextColumn(pinned=True)})
    if flagged.any():
        st.warning("Raters disagree (spread of half the scale or more) on "
                   f"{', '.join(table.loc[flagged, 'Criterion'])}: discuss before ranking.",
                   icon=":material/forum:")
    else:
        st.caption("No disagreement of half the scale or more.")
    with st.expander("Raters' rationales"):
        labels = {c.key: c.label for c in criteria}
        st.dataframe(pd.DataFrame({"Criterion": frame["criterion_key"].map(labels),
                                   "Rater": frame["rater"], "Value": _shown(frame["value"]),
                                   "Rationale": frame["rationale"],
                                   "Assessed on": frame["assessed_on"]}),
                     hide_index=True, width="stretch")


class Coverage(NamedTuple):
    """What the coverage section shows, computed once per revision (see :func:`summarised`)."""
    summary: pd.DataFrame  # median, spread, raters and flag per process and criterion
    ratings: int
    raters: int


def coverage(processes: pd.DataFrame, covered: Coverage, criteria: list[Criterion]) -> None:
    """Metrics and a heatmap of median values over the inventory, 200 processes a page (the
    heatmap of a page is built once per revision and page); unrated cells stay blank."""
    st.subheader("Coverage of the inventory")
    summary = covered.summary
    assessed = set(summary["process_code"])
    columns = st.columns(4)
    columns[0].metric("Processes assessed", f"{len(assessed)} of {len(processes)}")
    columns[1].metric("Ratings", covered.ratings)
    columns[2].metric("Raters", covered.raters)
    columns[3].metric("Criteria with disagreement", int(summary["flagged"].sum()),
                      help="Process and criterion pairs where the raters' spread is half the "
                           "scale or more.")
    show_all = st.toggle("Show processes without any rating", key="coverage_all")
    shown = processes if show_all else processes[processes["code"].isin(assessed)]
    if shown.empty:
        st.info("No process has been rated yet.", icon=":material/info:")
        return
    page = page_of(shown, "coverage_page")
    first = int(st.session_state.get("coverage_page", 1))
    st.plotly_chart(shared("coverage heatmap", (criteria, show_all, first),
                           lambda: heatmap(page, summary, criteria)), width="stretch")
    if summary["flagged"].any():
        flagged = summary[summary["flagged"]]
        labels = {c.key: c.label for c in criteria}
        st.markdown("**Disagreements to discuss**")
        st.dataframe(pd.DataFrame({
            "Process": flagged["process_code"], "Criterion": flagged["criterion_key"].map(labels),
            "Median": _shown(flagged["value"]), "Spread": _shown(flagged["spread"]),
            "Raters": flagged["raters"]}), hide_index=True, width="stretch")


def heatmap(shown: pd.DataFrame, summary: pd.DataFrame, criteria: list[Criterion]) -> go.Figure:
    """Median value per process (rows, in ``shown``'s order) and criterion; hover: spread and
    number of raters."""
    keys = [c.key for c in criteria]
    grid = summary.set_index(["process_code", "criterion_key"])
    index = pd.MultiIndex.from_product([list(shown["code"]), keys])
    cells = grid.reindex(index)
    shape = (len(shown), len(keys))
    median = cells["value"].to_numpy(dtype=float).reshape(shape)
    extra = np.dstack([cells["spread"].to_numpy(dtype=float).reshape(shape),
                       cells["raters"].to_numpy(dtype=float).reshape(shape)])
    names = np.array([f"{c} · {n}" for c, n in zip(shown["code"], shown["name"], strict=True)])
    figure = go.Figure(go.Heatmap(
        z=median, x=np.array([c.label for c in criteria]), y=names, customdata=extra,
        zmin=min(c.scale.low for c in criteria), zmax=max(c.scale.high for c in criteria),
        colorscale="YlGnBu", hoverongaps=False, texttemplate="%{z:.3~g}",
        colorbar={"title": {"text": "median"}},
        hovertemplate="%{y}<br>%{x}: median %{z:.3~g}<br>spread %{customdata[0]:.3~g} · "
                      "%{customdata[1]} rater(s)<extra></extra>"))
    figure.update_xaxes(side="top")
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(height=max(320, 22 * len(shown) + 120),
                         margin={"t": 10, "b": 10, "l": 10, "r": 10})
    return figure


def summarised(frame: pd.DataFrame, criteria: list[Criterion]) -> Coverage:
    """Median, spread and raters per process and criterion of ``criteria``, flagged at half
    the scale, with the count of ratings and raters."""
    keys = {c.key for c in criteria}
    frame = frame[frame["criterion_key"].isin(keys)]
    summary = aggregate(frame).reset_index()
    limits = {c.key: DISAGREEMENT * (c.scale.high - c.scale.low) for c in criteria}
    return Coverage(summary.assign(flagged=summary["spread"] >= summary["criterion_key"].map(
        limits)), len(frame), int(frame["rater"].nunique()))


inventory = catalogue()
criteria = criteria_set().assessed()
labels = {c.key: c.label for c in criteria}
st.title("Assess")
require(Action.assess)
st.caption("Score each process on the anchored scales. Every rater's value is kept; the median "
           "is what the ranking uses and the spread shows where raters disagree.")
show_flash()
if not criteria:
    st.info("The criteria set has no criterion scored by raters.", icon=":material/info:")
    st.stop()

processes = inventory.results.processes()
covered = shared("assessment summary", criteria,
                 lambda: summarised(inventory.results.ratings(), criteria))
summary = covered.summary
names = dict(zip(processes["code"], processes["name"], strict=True))
if "assess_code" not in st.session_state and st.query_params.get("process") in names:
    st.session_state["assess_code"] = st.query_params["process"]  # a shared link
picker, who = st.columns([3, 2])
offered = findable(list(names), names, "assess_find", where=picker,
                   keep=[st.session_state.get("assess_code")])
code = picker.selectbox("Process", offered, index=None, key="assess_code",
                        placeholder="Choose a process to rate", persist_state="session",
                        format_func=lambda c: f"{c} · {names[c]}")
with who:
    rater = chosen_rater(shared("raters", None, inventory.raters), actor().name)

if code is None:
    st.query_params.pop("process", None)
elif not rater:
    st.query_params["process"] = code
    st.warning("Type the new rater's name to rate this process.", icon=":material/person:")
else:
    st.query_params["process"] = code
    here = inventory.assessments(process_code=code)  # with ids, versions and rationales
    here = here[here["criterion_key"].isin(labels)]
    rows = opened(_mine(here, rater), code, rater, criteria)
    form_side, raters_side = st.columns([4, 5], gap="medium")
    with form_side:
        notices = st.container()
        with st.form("assess_form"):
            st.markdown(f"**{plain(code)} · {plain(names[code])}**, rated by **{plain(rater)}**")
            chosen = rating_fields(criteria, rows)
            submitted = st.form_submit_button("Save ratings", type="primary")
        with notices:
            if submitted:
                plan, problems = planned(chosen, rows, labels)
                if problems:
                    st.error(f"Not saved: {', '.join(problems)} has a rationale but no value; "
                             "choose a level or clear the rationale.", icon=":material/error:")
                elif not plan:
                    st.info("Nothing to save: no rating changed.", icon=":material/info:")
                else:
                    save(inventory, code, rater, plan, rows, labels)
            conflict_notice(inventory, code, rater)
    with raters_side:
        raters_table(here, summary[summary["process_code"] == code], criteria, rater)

st.divider()
coverage(processes, covered, criteria)
