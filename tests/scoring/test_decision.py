"""Composing a decision: capacity over the periods up to the deadline, prerequisites outside the
ranking, the roadmap (what each held-back process waits for, on random inventories) and the
backlog rows with their reasons."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import decision
from scoring.criteria import parse_criteria
from scoring.errors import ScoringError
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Constraints, Scenario

CRITERIA = parse_criteria("""
criteria:
  - {key: a, group: impact, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
""")
PROCESSES = pd.DataFrame({
    "code": ["A", "B", "C", "X"], "name": ["a", "b", "c", "x"],
    "estimated_cost_chf": [100.0, 100.0, 100.0, 100.0],
    "estimated_effort_pm": [10.0, 10.0, 10.0, 10.0],
    "transformation_status": ["planned", "planned", "completed", "planned"]})
RATINGS = pd.DataFrame({"process_code": ["A", "B", "C"], "criterion_key": ["a"] * 3,
                        "value": [5.0, 4.0, 3.0], "rater": ["r"] * 3})
# B needs X (not assessed, so not ranked); A needs C (completed)
DEPENDENCIES = pd.DataFrame({"upstream_code": ["X", "C"], "downstream_code": ["B", "A"]})


def ranked(**constraints: object) -> object:
    scenario = Scenario(constraints=Constraints(**constraints))  # type: ignore[arg-type]
    return rank(RankingInputs(PROCESSES, RATINGS, None, DEPENDENCIES), CRITERIA, scenario)


def test_capacity_is_per_period_up_to_the_deadline() -> None:
    by_c26 = decision.choose(ranked(capacity=10, deadline="C26"), PROCESSES,  # type: ignore[arg-type]
                             DEPENDENCIES)
    assert by_c26.capacity == 10 and by_c26.selected == ("A",)
    by_pp26 = decision.choose(ranked(capacity=10, deadline="PP-26"), PROCESSES,  # type: ignore[arg-type]
                              DEPENDENCIES)
    assert by_pp26.capacity == 20 and set(by_pp26.selected) == {"A", "B"}
    assert [p.name for p in decision.default_periods(5, "PP-26")] == ["by C26", "by PP-26"]
    assert len(decision.default_periods(5)) == 4


def test_prerequisites_outside_the_ranking_are_noted_not_blocking() -> None:
    result = decision.choose(ranked(budget=1000), PROCESSES, DEPENDENCIES)  # type: ignore[arg-type]
    assert "B" in result.selected  # X is not ranked: handled elsewhere
    assert any("handled elsewhere: X" in note for note in result.notes)


def test_a_must_include_that_is_not_ranked_is_refused() -> None:
    with pytest.raises(ScoringError, match="X is not ranked under this scenario"):
        decision.choose(ranked(must_include=("X",)), PROCESSES, DEPENDENCIES)  # type: ignore[arg-type]


def test_the_backlog_lists_every_ranked_process_with_its_reasons() -> None:
    ranking = ranked(budget=150)
    chosen = decision.choose(ranking, PROCESSES, DEPENDENCIES)  # type: ignore[arg-type]
    plan = decision.roadmap(ranking, PROCESSES, DEPENDENCIES,  # type: ignore[arg-type]
                            decision.default_periods(10), chosen.selected)
    rows = decision.backlog(ranking, PROCESSES, DEPENDENCIES, None,  # type: ignore[arg-type]
                            portfolio=chosen, plan=plan).set_index("code")
    assert list(rows.index) == ["A", "B"]  # C is completed: done, so not in the backlog
    assert rows.at["A", "selected"] and not rows.at["B", "selected"]
    assert rows.at["A", "period"] == "by C26"
    assert rows.at["B", "prerequisites"] == "X"
    assert rows.at["A", "reasons"] == "A 1.000"


def test_a_process_without_a_cost_estimate_is_left_out_unless_counted_by_choice() -> None:
    processes = PROCESSES.assign(estimated_cost_chf=[100.0, None, 100.0, 100.0])
    left = decision.choose(ranked(budget=1000), processes, DEPENDENCIES)  # type: ignore[arg-type]
    assert left.selected == ("A",) and left.needs_estimate == ("B",)
    assumed = decision.choose(ranked(budget=1000), processes, DEPENDENCIES,  # type: ignore[arg-type]
                              unknown=decision.Unknowns("assume", cost=500.0))
    assert assumed.selected == ("A", "B") and assumed.total_cost == 600
    # Without a budget the missing cost does not matter.
    assert "B" in decision.choose(ranked(), processes, DEPENDENCIES).selected  # type: ignore[arg-type]


def test_the_roadmap_holds_back_work_whose_prerequisite_is_in_no_period() -> None:
    ranking = ranked()
    plan = decision.roadmap(ranking, PROCESSES, DEPENDENCIES,  # type: ignore[arg-type]
                            decision.default_periods(100)).set_index("code")
    assert plan.loc["A", "placed"]  # its prerequisite C is completed
    assert not plan.loc["B", "placed"]
    assert plan.loc["B", "reason"] == "needs X, which is neither in the plan nor completed"
    outside = decision.prerequisites_in_no_period(plan.reset_index(), ranking,  # type: ignore[arg-type]
                                                  PROCESSES, DEPENDENCIES)
    assert outside.to_dict("records") == [{"code": "X", "name": "x", "status": "planned",
                                           "ranked": False, "needed_by": "B"}]


@st.composite
def inventories(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Up to 8 processes, some assessed (ranked), some completed, with random dependencies
    (cycles and links to unranked processes included) and efforts."""
    n = draw(st.integers(2, 8))
    codes = [f"P{i}" for i in range(n)]
    processes = pd.DataFrame({
        "code": codes, "name": codes,
        "estimated_effort_pm": draw(st.lists(st.sampled_from([0.0, 5.0, 10.0, 30.0]),
                                             min_size=n, max_size=n)),
        "transformation_status": draw(st.lists(st.sampled_from(["planned", "completed"]),
                                               min_size=n, max_size=n))})
    rated = [c for c, keep in zip(codes, draw(st.lists(st.booleans(), min_size=n,
                                                        max_size=n)), strict=True) if keep]
    ratings = pd.DataFrame({"process_code": rated, "criterion_key": ["a"] * len(rated),
                            "value": [float(draw(st.integers(1, 5))) for _ in rated],
                            "rater": ["r"] * len(rated)})
    pairs = draw(st.lists(st.tuples(st.sampled_from(codes), st.sampled_from(codes)),
                          max_size=2 * n))
    links = pd.DataFrame(pairs, columns=["upstream_code", "downstream_code"])
    return processes, ratings, links


@settings(max_examples=30, deadline=None)
@given(inventories(), st.sampled_from([5.0, 20.0, 100.0]))
def test_every_process_held_back_names_what_it_waits_for(
        inventory: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], capacity: float) -> None:
    """Whatever the inventory: a placed process waits for nothing; a process held back by a
    prerequisite names in ``waiting_for`` exactly its prerequisites that are neither
    completed nor placed, and each of those is either in the plan unplaced or listed among
    the prerequisites in no period."""
    processes, ratings, links = inventory
    ranking = rank(RankingInputs(processes, ratings, None, links), CRITERIA,
                   Scenario(include_unassessed=False))
    plan = decision.roadmap(ranking, processes, links, decision.default_periods(capacity))
    outside = set(decision.prerequisites_in_no_period(plan, ranking, processes, links)["code"])
    done = set(processes.loc[processes["transformation_status"] == "completed", "code"])
    placed = set(plan.loc[plan["placed"], "code"])
    in_plan = set(plan["code"])
    for row in plan.to_dict("records"):
        named = set(row["waiting_for"].split(", ")) - {""}
        needs = set(links.loc[links["downstream_code"] == row["code"], "upstream_code"])
        assert named == needs - done - placed - {row["code"]}, row
        assert not (row["placed"] and named), row
        if row["reason_kind"] in ("missing_prerequisite", "prerequisite_unplaced"):
            assert named, row
        assert named <= outside | (in_plan - placed), row
