"""Robustness: how settled is the ranking? Weights (and, optionally, the values within what
is known) are sampled around a scenario's, each sample ranked exactly as the scenario ranks
(its method, missing-value policy and dependency uplift), and the page shows how often each
process lands in the top N, the interval its rank moves in, a robust / sensitive / fragile
label, and the smallest change of each weight that alters the top N of the weighted sum. Every
figure comes from :func:`scoring.decision.robustness`, whose progress drives the bar shown while
it samples."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from scoring.decision import Robustness, robustness
from scoring.errors import ScoringError
from scoring.sensitivity import (
    FRAGILE,
    FRAGILE_PROBABILITY,
    ROBUST,
    SENSITIVE,
    SETTLED_PROBABILITY,
    STEADY_RANK_SPREAD,
)
from views.common import catalogue, reorder_warning, shared
from views.decision_charts import DEFAULT, interval_figure, probability_figure, scenario_named
from views.paging import page_of
from views.scoring_data import criteria_set, ranked

ANY = "any"
SPREADS: dict[Any, str] = {1000: "Very tight (1,000)", 300: "Tight (300)",
                           100: "Moderate (100)", 30: "Wide (30)", 10: "Very wide (10)",
                           ANY: "Any weighting"}
SPREAD_HELP = ("How far sampled weights stray from the scenario's: a Dirichlet concentration "
               "around them, higher = closer. 'Any weighting' samples every weighting with "
               "equal chance.")
LOW, HIGH = FRAGILE_PROBABILITY
DEFINITIONS = {
    ROBUST: f"in or out of the top N is settled (probability ≥ {SETTLED_PROBABILITY:.0%} or "
            f"≤ {1 - SETTLED_PROBABILITY:.0%}) and the rank is steady (its 90% interval is at "
            f"most {STEADY_RANK_SPREAD:.0%} of the larger of its rank and N).",
    SENSITIVE: "everything else: membership likely but not settled, or settled while the "
               "rank still moves a lot.",
    FRAGILE: f"the probability of the top N lies between {LOW:.0%} and {HIGH:.0%}: close to "
             "a coin toss."}

inventory = catalogue()
criteria = criteria_set()
st.title("Robustness")
st.caption("How much of the ranking survives reasonable disagreement about the weights and "
           "what is still unknown?")
saved = inventory.scenarios.list()
side = st.sidebar
side.header("Analysis")
name = side.selectbox("Scenario", [DEFAULT, *saved["name"].tolist()], key="rb_scenario")
samples = int(side.slider("Samples", 500, 20_000, 2_000, step=500, key="rb_samples"))
top_n = int(side.number_input("Top N", min_value=1, max_value=200, value=10, key="rb_top"))
seed = int(side.number_input("Seed", min_value=0, value=0, step=1, key="rb_seed",
                             help="The same seed gives the same figures."))
spread = side.selectbox("Weight spread", list(SPREADS), index=2, key="rb_spread",
                        format_func=lambda v: SPREADS[v], help=SPREAD_HELP)
noise = side.toggle("Vary values within what is known", value=True, key="rb_noise",
                    help="Each value moves within the raters' range; unknown values anywhere "
                         "on their scale.")

try:
    scenario = scenario_named(name, saved, criteria)
    ranking = ranked(inventory, criteria, scenario)
except ScoringError as error:
    st.error(f"Cannot rank under {name!r}: {error}", icon=":material/error:")
    st.stop()
reorder_warning(scenario)
if ranking.table.empty:
    st.info("Nothing is ranked under this scenario.")
    st.stop()
progress = st.empty()


def sample() -> Robustness:
    """The Monte Carlo, with a bar; run once per data revision and settings, then shared."""
    bar = progress.progress(0.0, text=f"Sampling {samples:,} weightings…")
    return robustness(ranking, samples=samples, top_n=top_n, seed=seed,
                      concentration=None if spread == ANY else float(spread),
                      value_noise=noise,
                      progress=lambda done: bar.progress(
                          done, text=f"Sampling {samples:,} weightings… {done:.0%}"))


try:
    result = shared("robustness", (criteria, scenario, samples, top_n, seed, spread, noise),
                    sample)
except ScoringError as error:
    progress.empty()
    st.error(f"Cannot analyse: {error}", icon=":material/error:")
    st.stop()
progress.progress(1.0, text=f"{samples:,} samples by {scenario.method.label}, seed {seed}: done")

table = result.table
for note in result.notes:
    st.caption(f"Note: {note}")
counts = table["robustness"].value_counts()
metrics = st.columns(3)
for column, word in zip(metrics, (ROBUST, SENSITIVE, FRAGILE), strict=True):
    column.metric(word.capitalize(), int(counts.get(word, 0)))
shown = int(min(len(table), max(2 * top_n, 20)))
chart, intervals = st.columns(2)
with chart:
    st.subheader(f"Probability of the top {top_n}")
    st.plotly_chart(probability_figure(table, top_n, shown), width="stretch", key="rb_prob")
with intervals:
    st.subheader("Rank intervals")
    st.plotly_chart(interval_figure(table, shown), width="stretch", key="rb_interval")
st.caption(f"The {shown} best ranked processes, in rank order. Intervals: the 5th to 95th "
           "percentile of the sampled rank, the dot at the median.")
with st.expander("What the labels mean", expanded=True):
    for word, text in DEFINITIONS.items():
        st.markdown(f"- **{word.capitalize()}**: {text}")
number = st.column_config.NumberColumn
names = ranking.table.set_index("code")["name"]
shown_table = page_of(table.reset_index(), "rb_page")
shown_table.insert(1, "name", shown_table["code"].map(names))
st.dataframe(shown_table, hide_index=True, width="stretch", height=360, column_config={
    "code": "Code", "name": "Process",
    "rank": number("Rank", help="The scenario's rank, dependency uplift included; ties in "
                                "code order."),
    "probability_top_n": st.column_config.ProgressColumn(
        f"P(top {top_n})", min_value=0.0, max_value=1.0, format="percent",
        help=f"Share of the samples in which the process ranks in the top {top_n}"),
    "rank_p5": number("Rank p5"), "rank_p50": number("Rank p50"), "rank_p95": number("Rank p95"),
    "robustness": "Label"})

st.subheader("Smallest weight change that alters the top N")
flips = result.flips.reset_index()
flips["enters"] = [", ".join(map(str, v)) for v in flips["enters"]]
flips["leaves"] = [", ".join(map(str, v)) for v in flips["leaves"]]
st.dataframe(pd.DataFrame(flips[["label", "weight", "change", "new_weight", "enters",
                                 "leaves"]]),
             hide_index=True, width="stretch", column_config={
                 "label": "Criterion", "weight": number("Weight now", format="%.3f"),
                 "change": number("Smallest change", format="%+.3g",
                                  help="Of the normalised weight, the others rescaled, to "
                                       "three significant digits; empty when no change within "
                                       "0-1 alters the top N."),
                 "new_weight": number("Weight then", format="%.6g"),
                 "enters": "Enters the top N", "leaves": "Leaves the top N"})
st.caption("One weight at a time, the others keeping their proportions (Triantaphyllou and "
           "Sanchez, 1997). Computed on the weighted sum of the normalised values.")
