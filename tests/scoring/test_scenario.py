"""Scenarios: plain data in and out, checked fields, filters that narrow the scope."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from scoring.criteria import MissingPolicy
from scoring.errors import ScoringError
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
