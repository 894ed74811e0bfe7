"""Portfolio and roadmap: the most valuable set of processes that fits the budget and the staff
capacity (prerequisites chosen too), what each non-chosen one is missing, the value each budget
level could buy, and when the chosen work can happen. Selection by
:func:`scoring.decision.choose`, the frontier by :func:`scoring.decision.frontier` (each budget
solved as the selection is), the plan by :func:`scoring.decision.roadmap`."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from scoring.decision import choose, default_periods, frontier, roadmap
from scoring.errors import ScoringError
from scoring.ranking import rank
from scoring.roadmap import Period
from views.common import catalogue
from views.decision_charts import DEFAULT, frontier_figure, gantt_figure, scenario_named
from views.scoring_data import criteria_set, ranking_inputs

POLICIES = {"zero": "Count as zero (named in the notes)", "refuse": "Refuse: ask for estimates"}
FRONTIER_LEVELS = 11

inventory = catalogue()
criteria = criteria_set()
inputs = ranking_inputs(inventory)
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
constraints = scenario.constraints


def _known_sum(column: str) -> float:
    """The sum of a numeric process column over the processes that have a value."""
    if column not in processes.columns:
        return 0.0
    values = pd.to_numeric(processes[column], errors="coerce").to_numpy(dtype=float)
    return float(np.nansum(values))


total_cost = _known_sum("estimated_cost_chf")
top_budget = max(total_cost, constraints.budget or 0.0, 1.0)
top_capacity = max(_known_sum("estimated_effort_pm"), constraints.capacity or 0.0, 1.0)
# Keys carry the scenario's name, so picking another scenario starts from its constraints.
limit_budget = side.toggle("Limit the budget", value=constraints.budget is not None,
                           key=f"pf_limit_budget_{name}")
budget = float(side.slider("Budget (CHF)", 0.0, top_budget, float(
    constraints.budget if constraints.budget is not None else top_budget), step=10_000.0,
    format="%.0f", key=f"pf_budget_{name}", disabled=not limit_budget))
limit_capacity = side.toggle("Limit the capacity", value=constraints.capacity is not None,
                             key=f"pf_limit_capacity_{name}")
capacity = float(side.slider("Capacity (person-months per period)", 0.0, top_capacity, float(
    constraints.capacity if constraints.capacity is not None else min(20.0, top_capacity)),
    step=1.0, key=f"pf_capacity_{name}", disabled=not limit_capacity))
policy = side.radio("Unknown cost or effort", list(POLICIES), key="pf_unknown",
                    format_func=lambda v: POLICIES[v])
side.caption(f"Deadline: {constraints.deadline or 'none'}. Must include: "
             f"{', '.join(constraints.must_include) or 'none'}. Must exclude: "
             f"{', '.join(constraints.must_exclude) or 'none'}.")

chosen_budget = budget if limit_budget else None
chosen_capacity = capacity if limit_capacity else None
effective = scenario.replace(constraints=dataclasses.replace(
    constraints, budget=chosen_budget, capacity=chosen_capacity))
try:
    ranking = rank(inputs, criteria, effective)
    result = choose(ranking, processes, dependencies, unknown=policy)  # type: ignore[arg-type]
except ScoringError as error:
    st.error(f"Cannot choose a portfolio: {error}", icon=":material/error:")
    st.stop()

if not result.feasible:
    st.error("No portfolio meets every constraint:\n\n"
             + "\n".join(f"- {c}" for c in result.conflicts), icon=":material/error:")
totals = st.columns(4)
totals[0].metric("Chosen", len(result.selected))
totals[1].metric("Total value", f"{result.total_value:.3f}")
totals[2].metric("Cost (CHF)", f"{result.total_cost:,.0f}",
                 help=None if result.budget_slack is None
                 else f"{result.budget_slack:,.0f} CHF of the budget left")
totals[3].metric("Effort (person-months)", f"{result.total_effort:,.1f}",
                 help=None if result.capacity_slack is None
                 else f"{result.capacity_slack:,.1f} person-months left over all periods")
for note in result.notes:
    st.caption(f"Note: {note}")

items = result.items
names = ranking.table.set_index("code")["name"]
ranks = ranking.table.set_index("code")["rank"]
items = items.assign(name=names.reindex(items["code"]).to_numpy(),
                     rank=ranks.reindex(items["code"]).to_numpy()).sort_values("rank")
number = st.column_config.NumberColumn
config: dict[str, Any] = {"rank": number("Rank"), "code": "Code", "name": "Name",
          "value": number("Value", format="%.3f"), "cost": number("Cost (CHF)", format="%,.0f"),
          "effort": number("Effort (pm)", format="%.1f"), "required": "Required",
          "reason": "Why not chosen"}
chosen_tab, other_tab = st.columns(2)
with chosen_tab:
    st.subheader("Chosen")
    st.dataframe(items[items["selected"]][["rank", "code", "name", "value", "cost", "effort",
                                           "required"]],
                 hide_index=True, width="stretch", column_config=config)
with other_tab:
    st.subheader("Not chosen, and why")
    st.dataframe(items[~items["selected"]][["rank", "code", "name", "reason"]],
                 hide_index=True, width="stretch", column_config=config)

st.subheader("Value for money")
per_period = chosen_capacity
levels = sorted({*np.linspace(0.0, max(total_cost, 1.0), FRONTIER_LEVELS).tolist(),
                 *([chosen_budget] if chosen_budget is not None else [])})
try:
    curve = frontier(ranking, processes, dependencies, levels,
                     unknown=policy)  # type: ignore[arg-type]
except ScoringError as error:
    st.error(f"Cannot draw the frontier: {error}", icon=":material/error:")
else:
    current = result.total_value if result.feasible else math.nan
    st.plotly_chart(frontier_figure(curve, chosen_budget, current), width="stretch",
                    key="pf_frontier")
    st.caption(f"The best total value at {FRONTIER_LEVELS} budget levels up to the cost of "
               "every process (and at the current budget), each solved like the portfolio "
               "above: same capacity, must-include/exclude and prerequisites; gaps where the "
               "constraints cannot be met.")

st.subheader("Roadmap")
if not result.feasible:
    st.info("No roadmap: the portfolio is infeasible.")
    st.stop()
if per_period is None:
    room = float(np.nansum(result.items.loc[result.items["selected"], "effort"].to_numpy(
        dtype=float)))
    periods: list[Period] = default_periods(max(room, 1.0), constraints.deadline)
    st.caption("No capacity limit: every period could take all the chosen work; only "
               "prerequisites spread it out.")
else:
    periods = default_periods(per_period, constraints.deadline)
try:
    plan = roadmap(ranking, processes, dependencies, periods, result.selected)
except ScoringError as error:
    st.error(f"Cannot plan the roadmap: {error}", icon=":material/error:")
    st.stop()
if plan["placed"].any():
    st.plotly_chart(gantt_figure(plan, [p.name for p in periods]), width="stretch",
                    key="pf_gantt")
    st.caption("Green: quick fixes (placed first). Dashed: the C26 and PP-26 milestones.")
unplaced = plan[~plan["placed"]]
if not unplaced.empty:
    st.warning(f"{len(unplaced)} chosen processes cannot be placed in these periods.",
               icon=":material/warning:")
    st.dataframe(unplaced[["code", "effort", "reason"]], hide_index=True, width="stretch",
                 column_config={"code": "Code", "effort": number("Effort (pm)"),
                                "reason": "Why not placed"})
