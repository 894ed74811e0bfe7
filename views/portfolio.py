"""Portfolio and roadmap: the most valuable set of processes that fits the budget and the staff
capacity (prerequisites chosen too), what each non-chosen one is missing, the value each budget
level could buy, and when the chosen work can happen. Selection by
:func:`scoring.decision.choose`, the frontier by :func:`scoring.decision.frontier` (each budget
solved as the selection is), the plan by :func:`scoring.decision.roadmap`.

Unknown is never zero by default: a process with no cost (or effort) estimate is left out while
the budget (or the capacity) is limited and listed as needing an estimate; counting it at an
assumed figure or as zero is the leader's explicit choice in the sidebar."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from scoring.decision import (
    Unknowns,
    choose,
    default_periods,
    frontier,
    prerequisites_in_no_period,
    roadmap,
)
from scoring.errors import ScoringError
from scoring.portfolio import MissingEstimates, PortfolioResult
from scoring.ranking import Ranking
from scoring.roadmap import Period
from views.common import catalogue, reorder_warning, shared
from views.decision_charts import DEFAULT, frontier_figure, gantt_figure, scenario_named
from views.estimates import chf, unknowns_input
from views.scoring_data import criteria_set, ranked, ranking_inputs

UNKNOWN_HOW = "under “Processes without an estimate” in the sidebar"
FRONTIER_LEVELS = 11
BUDGET_STEP = 100_000
ROW_HEIGHT = 70  # over 64 pixels, so long reasons wrap onto several lines instead of being cut
NEEDED_BY_FITS = 40  # characters of "Needed by" that one line of its column shows
NUMBER = st.column_config.NumberColumn
TEXT = st.column_config.TextColumn
COLUMNS: dict[str, Any] = {  # widths in pixels: the Not chosen table fits 1440-pixel screens
    "rank": NUMBER("Rank", width=60), "code": TEXT("Code", width=110),
    "name": TEXT("Name", width=260), "value": NUMBER("Value", format="%.3f", width=80),
    "cost": NUMBER("Cost", format="CHF %,.0f", width=125, help="Empty: no cost estimate yet"),
    "effort": NUMBER("Effort (PM)", format="%.1f", width=95,
                     help="Person-months; empty: no effort estimate yet"),
    "required": st.column_config.CheckboxColumn("Required", width=80,
                                                help="A must-include or its prerequisite"),
    "reason": TEXT("Why not chosen", width=400),
    "period": TEXT("Period", width=90),
    "together": TEXT("Scheduled together", width=400),
}


def known_sum(processes: pd.DataFrame, column: str) -> float:
    """The sum of a numeric process column over the processes that have a value."""
    if column not in processes.columns:
        return 0.0
    values = pd.to_numeric(processes[column], errors="coerce").to_numpy(dtype=float)
    return float(np.nansum(values))


def budget_input(name: str, default: float | None, whole: float) -> float | None:
    """The budget typed in CHF (None: no limit), starting from the scenario's."""
    side = st.sidebar
    limited = side.toggle("Limit the budget", value=default is not None,
                          key=f"pf_limit_budget_{name}")
    amount = side.number_input(
        "Budget (CHF)", min_value=0, step=BUDGET_STEP, format="%d", disabled=not limited,
        value=round(default if default is not None else whole), key=f"pf_budget_{name}",
        help=f"Type an amount in Swiss francs; the buttons move it by {chf(BUDGET_STEP)}. "
             f"Every estimated process together costs {chf(whole)}.")
    side.caption(f"Budget: **{chf(float(amount))}**" if limited else "Budget: no limit")
    return float(amount) if limited else None


def capacity_input(name: str, default: float | None) -> float | None:
    """The person-months available per period (None: no limit), starting from the scenario's."""
    side = st.sidebar
    limited = side.toggle("Limit the capacity", value=default is not None,
                          key=f"pf_limit_capacity_{name}")
    amount = side.number_input(
        "Capacity (person-months per period)", min_value=0.0, step=1.0, format="%.1f",
        value=float(default if default is not None else 20.0), disabled=not limited,
        key=f"pf_capacity_{name}")
    return float(amount) if limited else None


def named(codes: tuple[str, ...] | list[str], names: pd.Series) -> str:
    """``EVT-RP (Event reporting), HR-REC-04 (...)``."""
    return ", ".join(f"{code} ({names.get(code, code)})" for code in codes)


def show_totals(result: PortfolioResult) -> None:
    totals = st.columns(4)
    totals[0].metric("Chosen", len(result.selected))
    totals[1].metric("Total value", f"{result.total_value:.3f}")
    totals[2].metric("Cost", chf(result.total_cost) if result.feasible else "none",
                     help=None if result.budget_slack is None or not result.feasible
                     else f"{chf(result.budget_slack)} of the budget left")
    totals[3].metric("Effort (person-months)",
                     f"{result.total_effort:,.1f}" if result.feasible else "none",
                     help=None if result.capacity_slack is None or not result.feasible
                     else f"{result.capacity_slack:,.1f} person-months left over all periods")


def show_estimates_needed(result: PortfolioResult, names: pd.Series) -> None:
    """Who waits for an estimate, and who waits for them, in words a leader acts on."""
    waiting = result.needs_estimate
    if not waiting:
        return
    reasons = result.items["reason"].fillna("")
    behind = [code for code, reason in zip(result.items["code"], reasons, strict=True)
              if any(f"needs {c}, which needs" in reason for c in waiting)]
    more = (f" {len(behind)} more wait{'s' if len(behind) == 1 else ''} for them as "
            f"prerequisites: {', '.join(behind)}." if behind else "")
    st.warning(f"**{len(waiting)} process{'es' if len(waiting) > 1 else ''} need"
               f"{'' if len(waiting) > 1 else 's'} an estimate before "
               f"{'they' if len(waiting) > 1 else 'it'} can be chosen**: "
               f"{named(waiting, names)}. {'They are' if len(waiting) > 1 else 'It is'} left "
               f"out of this selection.{more} Add the missing estimates in the inventory, or "
               "choose how processes without an estimate count in the sidebar.",
               icon=":material/pending_actions:")


def show_selection(result: PortfolioResult, ranking_table: pd.DataFrame) -> None:
    """The chosen processes and the others with their reasons, in full."""
    info = ranking_table.set_index("code")
    items = result.items.assign(name=info["name"].reindex(result.items["code"]).to_numpy(),
                                rank=info["rank"].reindex(result.items["code"]).to_numpy())
    items = items.sort_values("rank")
    chosen, others = items[items["selected"]], items[~items["selected"]]
    chosen_tab, others_tab = st.tabs([f"Chosen ({len(chosen)})",
                                      f"Not chosen, and why ({len(others)})"])
    with chosen_tab:
        st.dataframe(chosen[["rank", "code", "name", "value", "cost", "effort", "required"]],
                     hide_index=True, width="stretch", column_config=COLUMNS)
    with others_tab:
        st.dataframe(others[["rank", "code", "name", "reason", "cost"]], hide_index=True,
                     width="stretch", column_config=COLUMNS, row_height=ROW_HEIGHT)


def show_frontier(ranking: Ranking, processes: pd.DataFrame, dependencies: pd.DataFrame | None,
                  budget: float | None, unknowns: Unknowns, result: PortfolioResult) -> None:
    total_cost = known_sum(processes, "estimated_cost_chf")
    levels = sorted({*np.linspace(0.0, max(total_cost, 1.0), FRONTIER_LEVELS).tolist(),
                     *([budget] if budget is not None else [])})
    def solve() -> pd.DataFrame:
        with st.spinner(f"Solving the best portfolio at {len(levels)} budgets…"):
            return frontier(ranking, processes, dependencies, levels, unknown=unknowns)

    try:
        curve = shared("frontier", (criteria, ranking.scenario, levels, unknowns), solve)
    except ScoringError as error:
        st.error(f"Cannot draw the frontier: {error}", icon=":material/error:")
        return
    current = result.total_value if result.feasible else math.nan
    figure = shared("frontier figure", (criteria, ranking.scenario, levels, unknowns, current),
                    lambda: frontier_figure(curve, budget, current))  # built once, not per click
    st.plotly_chart(figure, width="stretch", key="pf_frontier")
    st.caption(f"The best total value at {FRONTIER_LEVELS} budget levels up to "
               f"{chf(total_cost)}, the cost of every estimated process (and at the current "
               "budget), each solved like the portfolio above: same capacity, "
               "must-include/exclude, prerequisites and treatment of missing estimates; gaps "
               "where the constraints cannot be met.")


def roadmap_periods(result: PortfolioResult, per_period: float | None,
                    deadline: str | None) -> list[Period]:
    if per_period is not None:
        return default_periods(per_period, deadline)
    room = float(np.nansum(result.items.loc[result.items["selected"], "effort"].to_numpy(
        dtype=float)))
    st.caption("No capacity limit: every period could take all the chosen work; only "
               "prerequisites spread it out.")
    return default_periods(max(room, 1.0), deadline)


def show_roadmap(plan: pd.DataFrame, periods: list[Period], outside: pd.DataFrame,
                 names: pd.Series, settings: object) -> None:
    """The Gantt chart (built once per revision and ``settings``), the cycles scheduled
    together, and what could not be placed, why."""
    plan = plan.assign(name=names.reindex(plan["code"]).to_numpy())
    if plan["placed"].any():
        st.plotly_chart(shared("gantt figure", settings,
                               lambda: gantt_figure(plan, [p.name for p in periods])),
                        width="stretch", key="pf_gantt")
        st.caption("Green: quick fixes (placed first). Dashed: the C26 and PP-26 milestones.")
    cycles = plan[plan["together"].notna()]
    if not cycles.empty:
        st.markdown("**Scheduled together because they depend on each other**")
        st.dataframe(cycles[["code", "name", "period", "effort", "together"]],
                     hide_index=True,
                     width="stretch", row_height=ROW_HEIGHT,
                     column_config={**COLUMNS, "period": TEXT("Period (empty: not placed)")})
    unplaced = plan[~plan["placed"]]
    if not unplaced.empty:
        st.warning(f"{len(unplaced)} chosen process{'es' if len(unplaced) > 1 else ''} cannot "
                   "be placed in these periods; the table says why.",
                   icon=":material/warning:")
        st.dataframe(unplaced[["code", "name", "reason", "effort"]], hide_index=True,
                     width="stretch",
                     row_height=ROW_HEIGHT,
                     column_config={**COLUMNS, "reason": TEXT("Why not placed", width=400)})
    if not outside.empty:
        st.markdown("**Prerequisites in no period**")
        st.caption("Not completed and not in this plan, so the work that needs them waits. "
                   "Not ranked: assess the process (or widen the scenario's filters) so it can "
                   "be chosen; or record it as completed once it is done.")
        long = bool(outside["needed_by"].str.len().max() > NEEDED_BY_FITS)
        st.dataframe(outside, hide_index=True, width="stretch",
                     row_height=ROW_HEIGHT if long else None, column_config={
            "code": COLUMNS["code"], "name": COLUMNS["name"], "status": TEXT("Status", width=110),
            "ranked": st.column_config.CheckboxColumn("Ranked", width=80),
            "needed_by": TEXT("Needed by", width=300)})


inventory = catalogue()
criteria = criteria_set()
inputs = ranking_inputs(inventory, criteria)
processes, dependencies = inputs.processes, inputs.dependencies
st.title("Portfolio and roadmap")
st.caption("What fits the budget and the staff capacity, and when it can be done.")
saved = inventory.scenarios.list()
side = st.sidebar
side.header("Portfolio")
options = [DEFAULT, *saved["name"].tolist()]
linked = st.query_params.get("scenario")  # a link such as Prioritise's ?scenario=NAME
name = side.selectbox("Scenario", options, key="pf_scenario",
                      index=options.index(linked) if linked in options else 0)
try:
    scenario = scenario_named(name, saved, criteria)
except ScoringError as error:
    st.error(f"Cannot use scenario {name!r}: {error}", icon=":material/error:")
    st.stop()
reorder_warning(scenario)
constraints = scenario.constraints
# Keys carry the scenario's name, so picking another scenario starts from its constraints.
chosen_budget = budget_input(name, constraints.budget,
                             max(known_sum(processes, "estimated_cost_chf"), 1.0))
chosen_capacity = capacity_input(name, constraints.capacity)
unknowns = unknowns_input(st.sidebar, "pf")
st.sidebar.caption(f"Deadline: {constraints.deadline or 'none'}. Must include: "
                   f"{', '.join(constraints.must_include) or 'none'}. Must exclude: "
                   f"{', '.join(constraints.must_exclude) or 'none'}.")

effective = scenario.replace(constraints=dataclasses.replace(
    constraints, budget=chosen_budget, capacity=chosen_capacity))
try:
    ranking = ranked(inventory, criteria, effective)
    result = shared("portfolio", (criteria, effective, unknowns),
                    lambda: choose(ranking, processes, dependencies, unknown=unknowns))
except MissingEstimates as error:
    st.error(str(MissingEstimates(error.what, error.codes, how=UNKNOWN_HOW)),
             icon=":material/error:")
    st.stop()
except ScoringError as error:
    st.error(f"Cannot choose a portfolio: {error}", icon=":material/error:")
    st.stop()

names = ranking.table.set_index("code")["name"]
if not result.feasible:
    st.error("No portfolio meets every constraint:\n\n"
             + "\n".join(f"- {c}" for c in result.conflicts), icon=":material/error:")
show_totals(result)
show_estimates_needed(result, names)
if result.notes:
    with st.expander(f"How this selection was made ({len(result.notes)} notes)"):
        st.markdown("\n".join(f"- {note}" for note in result.notes))
show_selection(result, ranking.table)

st.subheader("Value for money")
show_frontier(ranking, processes, dependencies, chosen_budget, unknowns, result)

st.subheader("Roadmap")
if not result.feasible:
    st.info("No roadmap: the portfolio is infeasible.")
    st.stop()
periods = roadmap_periods(result, chosen_capacity, constraints.deadline)
try:
    plan = shared("roadmap", (criteria, effective, unknowns, periods),
                  lambda: roadmap(ranking, processes, dependencies, periods, result.selected))
except ScoringError as error:
    st.error(f"Cannot plan the roadmap: {error}", icon=":material/error:")
    st.stop()
roadmap_settings = (criteria, effective, unknowns, periods)
outside = shared("prerequisites in no period", roadmap_settings,
                 lambda: prerequisites_in_no_period(plan, ranking, processes, dependencies))
show_roadmap(plan, periods, outside, names, roadmap_settings)
