"""Scenarios: plain data in and out, checked fields, filters that narrow the scope, and
completed processes set apart from the work still to rank."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.criteria import MissingPolicy, parse_criteria
from scoring.errors import ScoringError
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Constraints, Filters, Method, Scenario


def test_a_scenario_survives_json_unchanged() -> None:
    scenario = Scenario(name="Members first", method=Method.TOPSIS,
                        weights={"member_experience": 6, "cost": 1},
                        missing=MissingPolicy.WORST, uplift=0.3,
                        filters=Filters(units=("HRMD", "ISD"), levels=(2,)),
                        constraints=Constraints(budget=2_000_000, capacity=30,
                                                must_include=("HR-REC",), deadline="PP-26"),
                        notes="Task force, 3 March")
    again = Scenario.from_dict(json.loads(json.dumps(scenario.to_dict())))
    assert again == scenario
    assert again.filters.units == ("HRMD", "ISD") and again.constraints.budget == 2_000_000


@pytest.mark.parametrize(("data", "message"), [
    ({"colour": "red"}, "Unknown scenario field 'colour'"),
    ({"filters": {"regions": ["EUR"]}}, "Unknown filters field 'regions'"),
    ({"constraints": {"budget": -5}}, "budget must be >= 0"),
    ({"constraints": {"must_include": ["A"], "must_exclude": ["A"]}},
     "'A' is both a must-include and a must-exclude"),
    ({"weights": [1, 2]}, "weights must map criterion keys"),
    ({"method": "guess"}, "Unknown method 'guess'"),
])
def test_malformed_scenarios_are_refused_with_the_field_named(data: dict[str, object],
                                                             message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        Scenario.from_dict(data)


def test_filters_keep_only_the_processes_in_scope() -> None:
    processes = pd.DataFrame({"code": ["A", "B", "C", "D"], "unit": ["HR", "HR", "IT", "IT"],
                              "level": [1, 2, 1, 2], "pillar": [None, "x", "x", "y"]})
    assert Filters().apply(processes)["code"].tolist() == ["A", "B", "C", "D"]
    assert Filters(units=("IT",), levels=(2,)).apply(processes)["code"].tolist() == ["D"]
    assert Filters(pillars=("x",)).apply(processes)["code"].tolist() == ["B", "C"]
    with pytest.raises(ScoringError, match="no 'transformation_status' column"):
        Filters(statuses=("ongoing",)).apply(processes)


# --- Completed processes are done: set apart from the work still to rank -------------------

CRITERIA = parse_criteria("""
criteria:
  - {key: a, group: impact, weight: 2, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: b, group: effort, direction: cost, weight: 1,
     scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
""")
STATUS = st.sampled_from(["completed", "ongoing", "planned", "not_started", None])


def _inputs(rows: list[tuple[str | None, float, float]]) -> RankingInputs:
    codes = [f"P{i:02d}" for i in range(len(rows))]
    processes = pd.DataFrame({"code": codes, "name": codes,
                              "transformation_status": [r[0] for r in rows]})
    assessments = pd.DataFrame([
        {"process_code": code, "criterion_key": key, "value": value, "rater": "r"}
        for code, row in zip(codes, rows, strict=True)
        for key, value in (("a", row[1]), ("b", row[2]))])
    return RankingInputs(processes, assessments)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(STATUS, st.integers(1, 5), st.integers(1, 5)), min_size=1,
                max_size=12))
def test_completed_processes_are_set_apart_and_the_others_keep_their_order(
        rows: list[tuple[str | None, float, float]]) -> None:
    data = _inputs(rows)
    default = rank(data, CRITERIA, Scenario())
    everything = rank(data, CRITERIA, Scenario(include_completed=True))
    done = sorted(f"P{i:02d}" for i, row in enumerate(rows) if row[0] == "completed")
    assert default.completed == done
    assert not set(default.table["code"]) & set(done)
    assert len(default.table) + len(done) == len(everything.table)
    # declared scales: under the weighted sum, setting the completed apart never re-orders
    # the others
    still = everything.table[~everything.table["code"].isin(done)]
    assert default.table["code"].tolist() == still["code"].tolist()


def test_a_scope_naming_the_completed_status_ranks_completed_processes() -> None:
    data = _inputs([("completed", 5, 1), ("ongoing", 3, 3), (None, 1, 5)])
    assert rank(data, CRITERIA, Scenario()).table["code"].tolist() == ["P01", "P02"]
    chosen = Scenario(filters=Filters(statuses=("completed",)))
    assert rank(data, CRITERIA, chosen).table["code"].tolist() == ["P00"]
    with pytest.raises(ScoringError, match="'P00' is not ranked: its transformation is "
                                           "completed"):
        rank(data, CRITERIA, Scenario()).require("P00")


def test_a_scenario_saved_before_the_option_leaves_completed_processes_out() -> None:
    """A saved scenario is a live choice: the default applies to it (snapshots, which record
    a decision, keep what they ranked: see tests/scoring/test_snapshot.py)."""
    old = Scenario(name="Old").to_dict()
    del old["include_completed"]
    assert Scenario.from_dict(old).include_completed is False
