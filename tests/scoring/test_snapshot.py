"""Snapshots reproduce exactly, and the diff between two names what moved a rank and why."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from scoring.criteria import parse_criteria
from scoring.errors import ScoringError
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Scenario
from scoring.snapshot import freeze, reproduce, settings_changes, verify, why_moved

CRITERIA = parse_criteria("""
criteria:
  - {key: a, group: impact, weight: 1, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: b, group: impact, weight: 1, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: cost, group: effort, direction: cost, source: "field:estimated_cost_chf",
     scale: {low: 0, high: 100}}
""")


def inputs(values: dict[str, tuple[float, float, float]], who: str = "ana") -> RankingInputs:
    processes = pd.DataFrame([{"code": k, "name": f"Process {k}", "estimated_cost_chf": v[2]}
                              for k, v in values.items()])
    assessments = pd.DataFrame([
        {"process_code": k, "criterion_key": key, "value": v[i], "rater": "r1",
         "updated_by": who, "updated_at": "2026-11-20T10:00:00"}
        for k, v in values.items() for i, key in enumerate(("a", "b"))])
    return RankingInputs(processes, assessments, None,
                         pd.DataFrame(columns=["upstream_code", "downstream_code"]))


def frozen(data: RankingInputs, scenario: Scenario) -> dict[str, object]:
    content = freeze(data, CRITERIA, scenario, rank(data, CRITERIA, scenario))
    return json.loads(json.dumps(content, allow_nan=False))  # as stored: standard JSON


BASE = {"P": (5, 1, 50), "Q": (3, 3, 50), "R": (1, 4, 10), "S": (2, 2, None)}


def test_a_snapshot_reproduces_its_ranking_exactly() -> None:
    content = frozen(inputs(BASE), Scenario(weights={"a": 3}))
    assert verify(content) == []
    again = reproduce(content).table
    assert again["code"].tolist() == [row["code"] for row in content["results"]["table"]]
    assert again["score"].tolist() == [row["score"] for row in content["results"]["table"]]


def test_verify_notices_a_tampered_result() -> None:
    content = frozen(inputs(BASE), Scenario())
    content["results"]["table"][0]["score"] += 0.001
    assert verify(content) and "score was" in verify(content)[0]


def test_why_moved_separates_weights_from_inputs_and_names_who_changed_what() -> None:
    before = frozen(inputs(BASE), Scenario())
    changed = dict(BASE, R=(4, 4, 10))  # analyst bob raises R's a from 1 to 4
    after = frozen(inputs(changed, who="bob"), Scenario(weights={"cost": 3}))
    moves = why_moved(before, after).set_index("code")
    assert (moves["shift"] == moves["from_settings"] + moves["from_inputs"]).all()
    assert "a by r1 1 -> 4 (bob, 2026-11-20)" in moves.at["R", "changed_inputs"]
    assert moves.at["P", "changed_inputs"] == ""
    # with weights alone (same inputs) every shift comes from the settings
    only_weights = why_moved(before, frozen(inputs(BASE), Scenario(weights={"cost": 3})))
    assert (only_weights["from_inputs"] == 0).all()
    assert settings_changes(before, after) == ["weight of cost: 1.0 -> 3.0"]


def test_a_snapshot_from_elsewhere_is_refused() -> None:
    with pytest.raises(ScoringError, match="format"):
        reproduce({"format": 99})
