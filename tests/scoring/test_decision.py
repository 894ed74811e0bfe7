"""Composing a decision: capacity over the periods up to the deadline, prerequisites outside the
ranking, the roadmap and the backlog rows with their reasons."""

from __future__ import annotations

import pandas as pd
import pytest

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
