"""Staff demand (``cases:MEASURE``) as a criterion source: read like any field or graph metric,
on its declared (log) scale, frozen in decision snapshots and named when it moves a rank.

Scores are worked out by hand on a two-criterion set: ``a`` (anchored 1-5, weight 1) and
``demand`` (endorsements, 0-99 on a log scale, weight 1): ``d`` endorsements sit at
``log10(1 + d) / log10(100) = log10(1 + d) / 2`` on the scale.
"""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.criteria import CriteriaError, SourceKind, parse_criteria
from scoring.errors import ScoringError
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Scenario
from scoring.snapshot import freeze, verify, why_moved

CRITERIA = parse_criteria("""
criteria:
  - {key: a, group: impact, weight: 1, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: demand, group: impact, weight: 1, source: "cases:endorsements", missing: midpoint,
     scale: {low: 0, high: 99, log: true}}
""")


def inputs(ratings: dict[str, float], demand: dict[str, int] | None) -> RankingInputs:
    processes = pd.DataFrame({"code": list(ratings), "name": list(ratings)})
    assessments = pd.DataFrame({"process_code": list(ratings), "criterion_key": "a",
                                "value": list(ratings.values()), "rater": "ana"})
    frame = None if demand is None else pd.DataFrame(
        {"endorsements": list(demand.values()), "cases": 1},
        index=pd.Index(list(demand), name="code"))
    return RankingInputs(processes, assessments, None, None, frame)


def scores(data: RankingInputs) -> dict[str, float]:
    table = rank(data, CRITERIA, Scenario()).table
    return dict(zip(table["code"], table["score"], strict=True))


def test_demand_is_read_on_its_log_scale_and_a_process_nobody_asked_for_has_none() -> None:
    # X: a=3 -> 0.5, 9 endorsements -> log10(10) / 2 = 0.5; (0.5 + 0.5) / 2 = 0.5
    # Y: a=3 -> 0.5, not listed -> 0 endorsements -> 0; (0.5 + 0) / 2 = 0.25
    assert scores(inputs({"X": 3, "Y": 3}, {"X": 9})) == pytest.approx({"X": 0.5, "Y": 0.25})


def test_demand_not_read_is_unknown_and_takes_the_criterion_policy() -> None:
    # no demand frame: the midpoint policy puts both at 0.5; (0.5 + 0.5) / 2 = 0.5
    ranking = rank(inputs({"X": 3, "Y": 3}, None), CRITERIA, Scenario())
    assert ranking.table["score"].tolist() == pytest.approx([0.5, 0.5])
    assert ranking.imputed["demand"].all()


def test_the_criteria_file_names_a_known_measure() -> None:
    assert CRITERIA.criteria[1].source is SourceKind.CASES
    assert CRITERIA.criteria[1].source_label == "cases:endorsements"
    with pytest.raises(CriteriaError, match="'cases:endorsements' or 'cases:cases'"):
        parse_criteria("criteria:\n  - {key: d, group: impact, source: 'cases:votes',"
                       " scale: {low: 0, high: 9}}")
    with pytest.raises(CriteriaError, match="'cases:MEASURE'"):
        parse_criteria("criteria:\n  - {key: d, group: impact, source: 'ideas:votes',"
                       " scale: {low: 0, high: 9}}")
    votes = pd.DataFrame({"votes": [1]}, index=pd.Index(["X"], name="code"))
    with pytest.raises(ScoringError, match="reads the staff demand 'endorsements'; the "
                                           "measures are votes"):
        rank(RankingInputs(inputs({"X": 3}, None).processes, inputs({"X": 3}, None).assessments,
                           demand=votes), CRITERIA, Scenario())


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(1, 5), min_size=2),
       st.data())
def test_more_endorsements_never_lower_a_process_and_move_only_its_blockers(
        ratings: dict[str, int], data: st.DataObject) -> None:
    """The README's promise: an endorsement of an accepted case raises (or keeps) the score of
    the processes it concerns by its own step on the log scale, lowers no score, and changes
    only the scores of the processes that unblock them (through the dependency uplift)."""
    codes = sorted(ratings)
    demand = {c: data.draw(st.integers(0, 50), label=c) for c in codes}
    edges = data.draw(st.lists(st.tuples(st.sampled_from(codes), st.sampled_from(codes))
                               .filter(lambda e: e[0] != e[1]), max_size=10), label="edges")
    uplift = data.draw(st.sampled_from([0.0, 0.3]), label="uplift")
    chosen = data.draw(st.sampled_from(codes), label="endorsed")

    def scores_with(values: dict[str, int]) -> dict[str, float]:
        given = inputs(ratings, values)
        linked = RankingInputs(given.processes, given.assessments, None, pd.DataFrame(
            edges, columns=["upstream_code", "downstream_code"]), given.demand)
        table = rank(linked, CRITERIA, Scenario(uplift=uplift)).table
        return dict(zip(table["code"], table["score"], strict=True))

    before = scores_with(demand)
    after = scores_with(demand | {chosen: demand[chosen] + 1})
    graph = nx.DiGraph(edges)
    graph.add_nodes_from(codes)
    blockers = nx.ancestors(graph, chosen)
    step = 0.5 * (math.log10(2 + demand[chosen]) - math.log10(1 + demand[chosen])) / 2
    if chosen not in {c for cycle in nx.simple_cycles(graph) for c in cycle}:
        assert after[chosen] == pytest.approx(before[chosen] + step)
    for code in codes:
        assert after[code] >= before[code] - 1e-12
        if code != chosen and code not in blockers:
            assert after[code] == pytest.approx(before[code])


def test_a_snapshot_freezes_demand_and_why_moved_names_it() -> None:
    first = inputs({"X": 3, "Y": 4}, {"X": 0})
    second = inputs({"X": 3, "Y": 4}, {"X": 99})
    old = freeze(first, CRITERIA, Scenario(), rank(first, CRITERIA, Scenario()))
    new = freeze(second, CRITERIA, Scenario(), rank(second, CRITERIA, Scenario()))
    assert verify(old) == [] and verify(new) == []
    assert new["inputs"]["demand"]["codes"] == ["X"]
    moved = why_moved(old, new).set_index("code")
    assert (moved.loc["X", "rank_before"], moved.loc["X", "rank_after"]) == (2, 1)
    assert "staff demand (endorsements) 0 -> 99" in moved.loc["X", "changed_inputs"]
