"""The ranking entry point: values, imputation, ties, bounds, quadrants, uplift, explanations.

Expected scores are worked out by hand in the comments, on a three-criterion set:
``a`` (benefit, weight 2), ``b`` (benefit, weight 1), ``effort`` (cost, weight 1), all anchored
1-5, so a value ``x`` sits at ``(x - 1) / 4`` on the scale and a cost at ``1 - (x - 1) / 4``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import methods
from scoring.criteria import MissingPolicy, parse_criteria
from scoring.errors import ScoringError
from scoring.explain import explain
from scoring.ranking import (
    FILL_IN,
    MAJOR_PROJECT,
    QUICK_WIN,
    RECONSIDER,
    UPLIFT,
    RankingInputs,
    rank,
)
from scoring.scenario import Ideal, Method, Scenario

CRITERIA = parse_criteria("""
criteria:
  - {key: a, group: impact, weight: 2, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: b, group: impact, weight: 1, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: effort, group: effort, direction: cost, weight: 1,
     scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
""")


def inputs(values: dict[str, dict[str, float]], *, raters: int = 1,
           edges: list[tuple[str, str]] | None = None,
           fields: dict[str, dict[str, object]] | None = None) -> RankingInputs:
    """Processes named by ``values``' keys, each rated ``raters`` times with the same values."""
    processes = pd.DataFrame([{"code": code, "name": f"Process {code}", **(fields or {}).get(
        code, {})} for code in values])
    rows = [{"process_code": code, "criterion_key": key, "value": value, "rater": f"r{k}"}
            for code, ratings in values.items() for key, value in ratings.items()
            for k in range(raters)]
    assessments = pd.DataFrame(rows, columns=["process_code", "criterion_key", "value", "rater"])
    dependencies = pd.DataFrame(edges or [], columns=["upstream_code", "downstream_code"])
    return RankingInputs(processes, assessments, None, dependencies)


def scores(ranking_inputs: RankingInputs, **scenario: object) -> dict[str, float]:
    table = rank(ranking_inputs, CRITERIA, Scenario(**scenario)).table  # type: ignore[arg-type]
    return dict(zip(table["code"], table["score"], strict=True))


def test_weighted_sum_on_the_declared_scale() -> None:
    # X: a=5 -> 1.0, b=3 -> 0.5, effort=2 -> 0.75; (2*1 + 1*0.5 + 1*0.75) / 4 = 0.8125
    # Y: a=1 -> 0.0, b=5 -> 1.0, effort=5 -> 0.0; (0 + 1 + 0) / 4 = 0.25
    result = scores(inputs({"X": {"a": 5, "b": 3, "effort": 2},
                            "Y": {"a": 1, "b": 5, "effort": 5}}))
    assert result == pytest.approx({"X": 0.8125, "Y": 0.25})


def test_ties_share_a_rank_and_are_listed_by_code() -> None:
    same = {"a": 3, "b": 3, "effort": 3}
    ranking = rank(inputs({"D": {"a": 5, "b": 1, "effort": 5}, "C": same, "B": same,
                           "A": {"a": 5, "b": 5, "effort": 1}}), CRITERIA, Scenario())
    # A = 1.0; B = C = 0.5; D = (2 + 0 + 0) / 4 = 0.5 as well -> 1, 2, 2, 2
    assert ranking.table[["rank", "code"]].values.tolist() == [
        [1, "A"], [2, "B"], [2, "C"], [2, "D"]]
    ranking = rank(inputs({"D": {"a": 1, "b": 1, "effort": 5}, "C": same, "B": same,
                           "A": {"a": 5, "b": 5, "effort": 1}}), CRITERIA, Scenario())
    assert ranking.table["rank"].tolist() == [1, 2, 2, 4]


def test_several_raters_are_combined_by_median_or_mean_and_their_spread_shown() -> None:
    assessments = pd.DataFrame({
        "process_code": ["X"] * 3, "criterion_key": ["a"] * 3,
        "value": [1.0, 2.0, 5.0], "rater": ["p", "q", "r"]})
    processes = pd.DataFrame({"code": ["X"], "name": ["X"]})
    median = rank(RankingInputs(processes, assessments), CRITERIA, Scenario())
    mean = rank(RankingInputs(processes, assessments), CRITERIA, Scenario(aggregation="mean"))
    assert median.raw.at["X", "a"] == 2.0 and mean.raw.at["X", "a"] == pytest.approx(8 / 3)
    assert median.spread.at["X", "a"] == 4.0 and median.raters.at["X", "a"] == 3
    assert median.table["disagreement"].iloc[0] == 1.0  # a range of 4 on a 1-5 scale


def test_a_missing_value_is_imputed_by_policy_never_as_zero() -> None:
    data = inputs({"X": {"a": 5, "effort": 1}})  # b unknown
    chosen = {policy: scores(data, missing=policy)["X"] for policy in MissingPolicy}
    # known part: a 2*1 + effort 1*1 = 3; b at 0.5 / 0 / 1 -> (3 + b) / 4; exclude -> 3 / 3
    assert chosen == pytest.approx({MissingPolicy.MIDPOINT: 0.875, MissingPolicy.WORST: 0.75,
                                    MissingPolicy.BEST: 1.0, MissingPolicy.EXCLUDE: 1.0})
    ranking = rank(data, CRITERIA, Scenario())
    row = ranking.table.iloc[0]
    assert ranking.imputed.at["X", "b"] and not ranking.imputed.at["X", "a"]
    assert row["completeness"] == pytest.approx(2 / 3) and row["imputed"] == 1
    excluded = rank(data, CRITERIA, Scenario(missing=MissingPolicy.EXCLUDE))
    assert not excluded.imputed.at["X", "b"] and excluded.contributions.at["X", "b"] == 0


def test_methods_that_need_every_value_use_the_midpoint_for_excluded_ones() -> None:
    data = inputs({"X": {"a": 5, "effort": 1}, "Y": {"a": 2, "b": 2, "effort": 2}})
    ranking = rank(data, CRITERIA, Scenario(method=Method.TOPSIS, missing=MissingPolicy.EXCLUDE))
    assert ranking.notes and "midpoint" in ranking.notes[0]
    assert ranking.normalised.at["X", "b"] == 0.5


def test_best_and_worst_rank_bound_what_the_missing_values_could_do() -> None:
    data = inputs({"P": {"a": 3, "b": 3, "effort": 3},        # (1 + 0.5 + 0.5) / 4 = 0.5
                   "Q": {"a": 4, "effort": 3},                # b unknown: 0.5 .. 0.75
                   "R": {"a": 3, "b": 4, "effort": 3},        # (1 + 0.75 + 0.5) / 4 = 0.5625
                   "S": {"b": 1, "effort": 1}})               # a unknown: 0.25 .. 0.75
    table = rank(data, CRITERIA, Scenario()).table.set_index("code")
    # Q at best (0.75) against everyone else at worst (P 0.5, R 0.5625, S 0.25): first.
    # Q at worst (0.5) against everyone else at best (P 0.5 ties, R 0.5625, S 0.75): third.
    assert (table.at["Q", "best_rank"], table.at["Q", "worst_rank"]) == (1, 3)
    # S: at best 0.75, above every other's worst -> 1; at worst 0.25, below all -> 4
    assert (table.at["S", "best_rank"], table.at["S", "worst_rank"]) == (1, 4)
    # P is complete, yet R is always above it and Q and S could both pass it
    assert (table.at["P", "best_rank"], table.at["P", "worst_rank"]) == (2, 4)
    assert (table["best_rank"] <= table["rank"]).all() and (
        table["rank"] <= table["worst_rank"]).all()


def test_leaving_unknown_values_out_of_the_score_still_shows_where_they_could_put_it() -> None:
    data = inputs({"P": {"a": 3, "b": 3, "effort": 3}, "Q": {"a": 4, "effort": 3},
                   "R": {"a": 3, "b": 4, "effort": 3}, "S": {"b": 1, "effort": 1}})
    ranking = rank(data, CRITERIA, Scenario(missing=MissingPolicy.EXCLUDE))
    table = ranking.table.set_index("code")
    # Q without b: (2 x .75 + .5) / 3 = .667, first; b known at 5 or 1 gives .75 or .5, the
    # same interval as under any policy: first to third (R .5625, S .25 to .75 meanwhile)
    assert table.at["Q", "rank"] == 1 and not ranking.imputed.at["Q", "b"]
    assert (table.at["Q", "best_rank"], table.at["Q", "worst_rank"]) == (1, 3)
    assert table["bounds_exact"].all()
    assert "could rank from 1 to 3." in explain(ranking, "Q").summary


def test_topsis_against_the_processes_ranked_gives_outer_bounds_and_says_so() -> None:
    data = inputs({"P": {"a": 3, "b": 3, "effort": 3}, "Q": {"a": 4, "effort": 3},
                   "R": {"a": 5, "b": 1, "effort": 2}})
    ranking = rank(data, CRITERIA, Scenario(method=Method.TOPSIS, ideal=Ideal.DATA))
    table = ranking.table.set_index("code")
    assert not table["bounds_exact"].any()  # Q's unknown b moves everyone's closeness
    assert any("outer bounds" in note for note in ranking.notes)
    assert ranking.notes[0].startswith("TOPSIS measures each process against the best and "
                                       "worst of the processes ranked")
    wide = table["best_rank"] < table["worst_rank"]
    assert "(outer bounds: the ends may not be reached)" in explain(
        ranking, str(table.index[wide][0])).summary
    declared = rank(data, CRITERIA, Scenario(method=Method.TOPSIS)).table
    assert declared["bounds_exact"].all()


def test_unassessed_processes_are_left_out_unless_asked_for() -> None:
    data = inputs({"X": {"a": 5}, "Y": {}})
    ranking = rank(data, CRITERIA, Scenario())
    assert ranking.table["code"].tolist() == ["X"] and ranking.left_out == ["Y"]
    with pytest.raises(ScoringError, match="no assessment yet"):
        explain(ranking, "Y")
    everyone = rank(data, CRITERIA, Scenario(include_unassessed=True))
    assert sorted(everyone.table["code"]) == ["X", "Y"]
    assert everyone.table.set_index("code").at["Y", "completeness"] == 0


def test_quadrants_follow_impact_and_effort_levels_and_thresholds() -> None:
    data = inputs({"QW": {"a": 5, "b": 5, "effort": 1}, "MP": {"a": 5, "b": 5, "effort": 5},
                   "FI": {"a": 1, "b": 1, "effort": 1}, "RC": {"a": 1, "b": 1, "effort": 5}},
                  fields={"FI": {"quick_fix_candidate": True}})
    table = rank(data, CRITERIA, Scenario()).table.set_index("code")
    assert table["quadrant"].to_dict() == {"QW": QUICK_WIN, "MP": MAJOR_PROJECT,
                                           "FI": FILL_IN, "RC": RECONSIDER}
    assert table.at["QW", "impact"] == 1.0 and table.at["QW", "effort"] == 0.0
    # flagged: the easy quick win, and the analyst's own candidate even in another quadrant
    assert table["quick_fix"].to_dict() == {"QW": True, "MP": False, "FI": True, "RC": False}
    # thresholds move the lines: with effort above 0.9 counted as high, MP's 1.0 stays high
    # but an impact threshold above 1 leaves no process with high impact
    moved = rank(data, CRITERIA, Scenario(impact_threshold=1.0, effort_threshold=0.9)).table
    assert moved.set_index("code").at["MP", "quadrant"] == MAJOR_PROJECT
    lowered = rank(data, CRITERIA, Scenario(impact_threshold=0.0)).table.set_index("code")
    assert lowered.at["RC", "quadrant"] == MAJOR_PROJECT and lowered.at["FI", "quadrant"] == \
        QUICK_WIN


def test_process_fields_and_graph_metrics_are_read_on_their_declared_scales() -> None:
    criteria = parse_criteria("""
criteria:
  - {key: volume, source: "field:annual_volume", scale: {low: 0, high: 999, log: true}}
  - {key: reach, source: "graph:downstream", missing: worst, scale: {low: 0, high: 10}}
  - {key: centrality, source: "graph:pagerank", scale: {low: 0, high: 4}}
""")
    processes = pd.DataFrame({"code": ["A", "B"], "name": ["A", "B"],
                              "annual_volume": [99.0, None]})
    metrics = pd.DataFrame({"downstream": [5, 0], "pagerank": [1.5, 0.5]},
                           index=pd.Index(["A", "B"], name="code"))
    empty = pd.DataFrame(columns=["process_code", "criterion_key", "value", "rater"])
    ranking = rank(RankingInputs(processes, empty, metrics), criteria, Scenario())
    assert ranking.normalised.at["A", "volume"] == pytest.approx(2 / 3)  # log10(100)/log10(1000)
    assert ranking.imputed.at["B", "volume"] and ranking.normalised.at["B", "volume"] == 0.5
    assert ranking.normalised.at["A", "reach"] == 0.5
    # metrics are read as given (PageRank already relative to the average of its part)
    assert ranking.raw.at["A", "centrality"] == 1.5
    assert ranking.normalised.at["A", "centrality"] == pytest.approx(0.375)
    bad = processes.assign(annual_volume=["many", None])
    with pytest.raises(ScoringError, match="'annual_volume', which is not a number for "
                                           "process 'A'"):
        rank(RankingInputs(bad, empty, metrics), criteria, Scenario())
    with pytest.raises(ScoringError, match="process field 'annual_volume'"):
        rank(RankingInputs(processes.drop(columns="annual_volume"), empty, metrics), criteria,
             Scenario())


def test_the_dependency_uplift_lets_a_blocker_rank_with_the_work_it_blocks() -> None:
    # B (0.25) unblocks C (1.0); A (0.5) is independent. Without uplift: C, A, B.
    data = inputs({"A": {"a": 3, "b": 3, "effort": 3}, "B": {"a": 1, "b": 5, "effort": 5},
                   "C": {"a": 5, "b": 5, "effort": 1}}, edges=[("B", "C")])
    assert rank(data, CRITERIA, Scenario()).table["code"].tolist() == ["C", "A", "B"]
    lifted = rank(data, CRITERIA, Scenario(uplift=0.4))
    # t_B = 0.25 + 0.4 * t_C (C has one blocker) = 0.25 + 0.4 = 0.65 > A's 0.5
    assert lifted.table["code"].tolist() == ["C", "B", "A"]
    row = lifted.table.set_index("code").loc["B"]
    assert (row["base_score"], row["uplift"], row["score"]) == pytest.approx((0.25, 0.4, 0.65))
    assert lifted.contributions.at["B", UPLIFT] == pytest.approx(0.4)


def test_explanations_add_up_to_the_scores_and_their_gap() -> None:
    data = inputs({"X": {"a": 5, "b": 3, "effort": 2}, "Y": {"a": 1, "b": 5, "effort": 5},
                   "Z": {"a": 2}}, edges=[("Y", "X")])
    ranking = rank(data, CRITERIA, Scenario(uplift=0.2))
    for code, score in zip(ranking.table["code"], ranking.table["score"], strict=True):
        assert ranking.contributions.loc[code].sum() == pytest.approx(score)
    pair = explain(ranking, "Y", "X")
    gap = ranking.table.set_index("code")["score"]
    assert pair.lines["difference"].sum() == pytest.approx(gap["Y"] - gap["X"])
    assert pair.summary.startswith("Y (rank ") and " is below X " in pair.summary
    assert "For X: A " in pair.summary  # criterion a favours X the most (2 x (1 - 0)) / 4
    one = explain(ranking, "Z")
    assert "Unknown, taken by the missing-value policy: B, Effort" in one.summary
    assert set(one.lines["criterion"]) == {"a", "b", "effort", UPLIFT}


def test_other_methods_score_the_normalised_matrix() -> None:
    data = inputs({"X": {"a": 5, "b": 3, "effort": 2}, "Y": {"a": 1, "b": 5, "effort": 5},
                   "Z": {"a": 3, "b": 4, "effort": 3}})
    matrix = np.array([[1.0, 0.5, 0.75], [0.0, 1.0, 0.0], [0.5, 0.75, 0.5]])
    weights, benefit = np.array([2.0, 1, 1]), np.ones(3, dtype=bool)
    # TOPSIS against the declared ideal (1, 1, 1) and anti-ideal (0, 0, 0), weights .5 .25 .25:
    # X: d+ = sqrt((.25 x .5)^2 + (.25 x .25)^2) = .139754, d- = sqrt(.5^2 + (.25 x .5)^2
    #    + (.25 x .75)^2) = .548435, C = .548435 / .688189 = .796925
    topsis = scores(data, method=Method.TOPSIS)
    assert topsis["X"] == pytest.approx(0.796925, abs=1e-6)
    assert list(topsis.values()) == pytest.approx(sorted(methods.topsis_declared(
        matrix, weights, np.ones(3), np.zeros(3)), reverse=True))
    relative = scores(data, method=Method.TOPSIS, ideal=Ideal.DATA)
    assert list(relative.values()) == pytest.approx(
        sorted(methods.topsis(matrix, weights, benefit), reverse=True))
    declared_vikor = rank(data, CRITERIA, Scenario(method=Method.VIKOR))
    q = methods.vikor_declared(matrix, weights, np.ones(3), np.zeros(3))[2]
    assert declared_vikor.table.set_index("code").loc[["X", "Y", "Z"], "vikor_q"].tolist() == \
        pytest.approx(q.tolist())
    vikor = rank(data, CRITERIA, Scenario(method=Method.VIKOR, ideal=Ideal.DATA))
    q = methods.vikor(matrix, weights, benefit)[2]
    assert vikor.table.set_index("code").loc[["X", "Y", "Z"], "vikor_q"].tolist() == \
        pytest.approx(q.tolist())
    assert vikor.table["score"].tolist() == pytest.approx(sorted(1 - q, reverse=True))
    assert vikor.compromise and vikor.compromise[0] == vikor.table["code"].iloc[0]
    # WSJF: value = impact level (a, b weighted 2:1), job size 0.1 + 0.9 x effort level
    wsjf = scores(data, method=Method.WSJF)
    assert wsjf["X"] == pytest.approx((2.5 / 3) / (0.1 + 0.9 * 0.25))


def test_bad_scenarios_are_refused_with_a_reason() -> None:
    data = inputs({"X": {"a": 5}})
    with pytest.raises(ScoringError, match="Unknown criterion 'c'"):
        rank(data, CRITERIA, Scenario(weights={"c": 1}))
    with pytest.raises(ScoringError, match="Every weight is 0"):
        rank(data, CRITERIA, Scenario(weights={"a": 0, "b": 0, "effort": 0}))
    with pytest.raises(ScoringError, match="must be >= 0"):
        Scenario(weights={"a": -1})
    with pytest.raises(ScoringError, match=r"uplift must be in \[0, 1\)"):
        Scenario(uplift=1.0)
    with pytest.raises(ScoringError, match="Unknown method 'best'"):
        Scenario(method="best")  # type: ignore[arg-type]
    with pytest.raises(ScoringError, match="appears twice"):
        rank(RankingInputs(pd.DataFrame({"code": ["X", "X"], "name": ["a", "b"]}),
                           data.assessments), CRITERIA, Scenario())


# ---------------------------------------------------------------- properties (hypothesis)

LEVELS = st.integers(min_value=1, max_value=5)
ROW = st.fixed_dictionaries({}, optional={"a": LEVELS, "b": LEVELS, "effort": LEVELS})
TABLES = st.dictionaries(st.text("ABCDEFGHJK", min_size=1, max_size=3), ROW, min_size=2,
                         max_size=8).filter(lambda d: sum(bool(r) for r in d.values()) >= 2)
METHODS = st.sampled_from(list(Method))


def _order(data: RankingInputs, scenario: Scenario) -> list[tuple[str, int]]:
    table = rank(data, CRITERIA, scenario).table
    return list(zip(table["code"], table["rank"], strict=True))


@settings(max_examples=60, deadline=None)
@given(TABLES, METHODS)
def test_row_order_never_matters(values: dict[str, dict[str, int]], method: Method) -> None:
    data = inputs(values)
    shuffled = RankingInputs(data.processes.sample(frac=1, random_state=1),
                             data.assessments.sample(frac=1, random_state=2))
    assert _order(data, Scenario(method=method)) == _order(shuffled, Scenario(method=method))


@settings(max_examples=60, deadline=None)
@given(TABLES, METHODS, st.floats(min_value=0.01, max_value=100))
def test_scaling_every_weight_changes_no_rank(values: dict[str, dict[str, int]], method: Method,
                                              factor: float) -> None:
    data = inputs(values)
    base = {"a": 2.0, "b": 1.0, "effort": 1.0}
    scaled = {k: w * factor for k, w in base.items()}
    assert _order(data, Scenario(method=method, weights=base)) == \
        _order(data, Scenario(method=method, weights=scaled))


@settings(max_examples=60, deadline=None)
@given(TABLES, st.data())
def test_raising_a_known_benefit_value_never_lowers_a_process(
        values: dict[str, dict[str, int]], data: st.DataObject) -> None:
    rated = sorted(c for c, r in values.items() if {"a", "b"} & set(r))
    if not rated:
        return
    code = data.draw(st.sampled_from(rated))
    key = data.draw(st.sampled_from(sorted({"a", "b"} & set(values[code]))))
    method = data.draw(st.sampled_from([Method.WSM, Method.WPM, Method.VALUE_EFFORT]))
    before = dict(_order(inputs(values), Scenario(method=method)))[code]
    raised = {c: dict(r) for c, r in values.items()}
    raised[code][key] = min(raised[code][key] + 1, 5)
    assert dict(_order(inputs(raised), Scenario(method=method)))[code] <= before


@settings(max_examples=60, deadline=None)
@given(TABLES, ROW.filter(bool))
def test_adding_a_process_never_reorders_the_others(values: dict[str, dict[str, int]],
                                                    newcomer: dict[str, int]) -> None:
    before = rank(inputs(values), CRITERIA, Scenario()).table
    after = rank(inputs({**values, "ZZZZ": newcomer}), CRITERIA, Scenario()).table
    after = after[after["code"] != "ZZZZ"]
    assert before["code"].tolist() == after["code"].tolist()
    assert before["score"].tolist() == pytest.approx(after["score"].tolist())


def test_normalised_bounds_span_the_raters_and_unknown_values() -> None:
    assessments = pd.DataFrame({
        "process_code": ["X", "X", "X"], "criterion_key": ["a", "a", "effort"],
        "value": [2.0, 5.0, 3.0], "rater": ["p", "q", "p"]})
    processes = pd.DataFrame({"code": ["X"], "name": ["X"]})
    ranking = rank(RankingInputs(processes, assessments), CRITERIA, Scenario())
    low, high = ranking.normalised_low.loc["X"], ranking.normalised_high.loc["X"]
    assert (low["a"], high["a"]) == (0.25, 1.0)        # raters 2 and 5 on 1-5
    assert (low["effort"], high["effort"]) == (0.5, 0.5)  # one rater
    assert (low["b"], high["b"]) == (0.0, 1.0)         # unknown: anywhere on the scale
    assert low["a"] <= ranking.normalised.at["X", "a"] <= high["a"]
    excluded = rank(RankingInputs(processes, assessments), CRITERIA,
                    Scenario(missing=MissingPolicy.EXCLUDE))
    assert np.isnan(excluded.normalised_low.at["X", "b"])


def test_a_raters_own_low_high_range_widens_the_bounds() -> None:
    assessments = pd.DataFrame({
        "process_code": ["X", "X"], "criterion_key": ["a", "a"], "value": [3.0, 4.0],
        "low": [2.0, None], "high": [None, 4.5], "rater": ["p", "q"]})
    processes = pd.DataFrame({"code": ["X"], "name": ["X"]})
    ranking = rank(RankingInputs(processes, assessments), CRITERIA, Scenario())
    assert ranking.normalised_low.at["X", "a"] == 0.25     # p's low of 2 on 1-5
    assert ranking.normalised_high.at["X", "a"] == 0.875   # q's high of 4.5
    assert ranking.spread.at["X", "a"] == 1.0              # disagreement stays the raters' own
