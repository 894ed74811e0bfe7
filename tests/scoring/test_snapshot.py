"""Snapshots reproduce exactly, and the diff between two names what moved a rank and why, in
words a leader reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.criteria import parse_criteria
from scoring.errors import ScoringError
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Constraints, Ideal, Method, Scenario
from scoring.snapshot import (
    MOVED,
    NEWLY_RANKED,
    NO_LONGER_RANKED,
    PAGERANK_PER_PART,
    freeze,
    reproduce,
    settings_changes,
    thaw,
    verify,
    why_moved,
)

#: A snapshot frozen before processes on one cycle stopped passing uplift to each other: P and
#: Q need each other, R unblocks P and S unblocks R, uplift 0.5.
ROUND_CYCLES = Path(__file__).parents[1] / "data" / "snapshots" / "uplift_round_cycles.json"

CRITERIA = parse_criteria("""
criteria:
  - {key: a, label: Member experience, group: impact, weight: 1,
     scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: b, label: Staff empowerment, group: impact, weight: 1,
     scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: cost, label: Cost, group: effort, direction: cost,
     source: "field:estimated_cost_chf", scale: {low: 0, high: 100}}
""")


def inputs(values: dict[str, tuple[float | None, float | None, float | None]], who: str = "ana",
           statuses: dict[str, str] | None = None) -> RankingInputs:
    """Processes with ratings ``a`` and ``b`` (None: not rated) and a cost; ``statuses`` gives
    some a transformation status (the others have none recorded)."""
    processes = pd.DataFrame([{"code": k, "name": f"Process {k}", "estimated_cost_chf": v[2],
                               "transformation_status": (statuses or {}).get(k)}
                              for k, v in values.items()])
    assessments = pd.DataFrame([
        {"process_code": k, "criterion_key": key, "value": v[i], "rater": "r1",
         "updated_by": who, "updated_at": "2026-11-20T10:00:00"}
        for k, v in values.items() for i, key in enumerate(("a", "b")) if v[i] is not None],
        columns=["process_code", "criterion_key", "value", "rater", "updated_by",
                 "updated_at"])
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


def test_a_snapshot_frozen_when_uplift_went_round_cycles_still_reproduces() -> None:
    """Thawed with the convention it was ranked under, it reproduces exactly; under today's
    (P and Q one piece of work, passing nothing to each other) the same inputs rank otherwise,
    and comparing the two says so in words."""
    content = json.loads(ROUND_CYCLES.read_text(encoding="utf-8"))
    assert "uplift_round_cycles" not in content["scenario"]
    assert verify(content) == []
    today = {**content, "scenario": {**content["scenario"], "uplift_round_cycles": False}}
    assert any(problem.startswith(("P: score", "P: rank", "P: code"))
               for problem in verify(today))
    data, _, _ = thaw(content)
    assert "Dependency uplift on a cycle: one piece of work, nothing passed round (was passed " \
        "round and back)" in settings_changes(content, frozen(data, Scenario(
            name="Lifted", uplift=0.5)))


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
    assert settings_changes(before, after) == [
        "Weight of Member experience: 20% (was 33%)", "Weight of Staff empowerment: 20% "
        "(was 33%)", "Weight of Cost: 60% (was 33%)"]


def test_settings_changes_read_as_sentences_with_labels_money_and_shares() -> None:
    data = inputs(BASE)
    before = frozen(data, Scenario(method=Method.TOPSIS))
    after = frozen(data, Scenario(weights={"a": 2}, uplift=0.2, include_completed=True,
                                  constraints=Constraints(budget=2_000_000.0,
                                                          must_include=("P",),
                                                          exclusive=(("Q", "R"),))))
    assert settings_changes(before, after) == [
        "Method: Weighted sum (was TOPSIS)",
        "Dependency uplift: 0.2 (was off)",
        "Completed processes: ranked (was left out)",
        "Budget: CHF 2,000,000 (was none)",
        "Must include: P (was none)",
        "Mutually exclusive alternatives: Q or R (was none)",
        "Weight of Member experience: 50% (was 33%)",
        "Weight of Staff empowerment: 25% (was 33%)",
        "Weight of Cost: 25% (was 33%)"]
    assert settings_changes(after, after) == []


def test_processes_entering_or_leaving_the_ranking_come_after_the_moves_with_a_reason() -> None:
    # S gains its first ratings; R's transformation is completed; T is new in the inventory.
    first = dict(BASE, S=(None, None, 20.0))
    second = dict(BASE, S=(5.0, 5.0, 20.0), T=(4.0, 4.0, 10.0))
    before = frozen(inputs(first), Scenario())
    after = frozen(inputs(second, statuses={"R": "completed"}), Scenario())
    moves = why_moved(before, after)
    assert moves["status"].tolist() == sorted(
        moves["status"], key=[MOVED, NEWLY_RANKED, NO_LONGER_RANKED].index)
    reasons = dict(zip(moves["code"], moves["reason"], strict=True))
    assert {code for code, s in zip(moves["code"], moves["status"], strict=True)
            if s == NEWLY_RANKED} == {"S", "T"}
    assert reasons["S"] == "assessed since" and reasons["T"] == "new in the inventory"
    assert reasons["R"] == "transformation completed"
    assert moves.loc[moves["code"] == "R", "status"].item() == NO_LONGER_RANKED
    assert moves.loc[moves["status"] == MOVED, "reason"].eq("").all()


def test_a_snapshot_from_before_completed_processes_were_set_apart_still_verifies() -> None:
    data = inputs(BASE, statuses={"Q": "completed"})
    content = frozen(data, Scenario(include_completed=True))
    del content["scenario"]["include_completed"]  # as snapshots were written before
    del content["results"]["completed"]
    assert "Q" in [row["code"] for row in content["results"]["table"]]
    assert verify(content) == []
    fresh = frozen(data, Scenario())
    assert "Q" not in [row["code"] for row in fresh["results"]["table"]]
    assert fresh["results"]["completed"] == ["Q"]
    assert settings_changes(content, fresh) == ["Completed processes: left out (was ranked)"]


def test_a_snapshot_from_before_the_declared_ideal_and_pagerank_per_part_still_verifies() -> None:
    """Written before: TOPSIS against the processes ranked, PageRank frozen as each process's
    share of the whole graph (the ranking multiplied it by the number of processes)."""
    criteria = parse_criteria("""
criteria:
  - {key: a, weight: 2, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: centrality, source: "graph:pagerank", scale: {low: 0, high: 2}}
""")
    codes = ["P", "Q", "R", "S"]
    relative = pd.DataFrame({"pagerank": [0.5, 1.0, 1.5, 1.0]},
                            index=pd.Index(codes, name="code"))  # times the average
    data = RankingInputs(
        pd.DataFrame({"code": codes, "name": codes}),
        pd.DataFrame({"process_code": codes, "criterion_key": "a", "value": [1.0, 4.0, 2.0, 5.0],
                      "rater": "r1"}),
        relative, pd.DataFrame(columns=["upstream_code", "downstream_code"]))
    then = Scenario(method=Method.TOPSIS, ideal=Ideal.DATA)
    content = json.loads(json.dumps(freeze(data, criteria, then, rank(data, criteria, then))))
    del content["scenario"]["ideal"]
    del content["inputs"]["metrics"][PAGERANK_PER_PART]
    content["inputs"]["metrics"]["values"] = [{"pagerank": v / 4} for v in [0.5, 1.0, 1.5, 1.0]]
    assert verify(content) == []
    now = json.loads(json.dumps(freeze(data, criteria, Scenario(method=Method.TOPSIS), rank(
        data, criteria, Scenario(method=Method.TOPSIS)))))
    assert verify(now) == []
    assert settings_changes(content, now) == [
        "TOPSIS and VIKOR measure against: the best and worst the criteria's scales declare "
        "(was the best and worst of the processes ranked)"]


RATING = st.one_of(st.none(), st.integers(1, 5).map(float))
PROCESSES = st.dictionaries(st.sampled_from("PQRSTUVW"),
                            st.tuples(RATING, RATING, st.one_of(st.none(),
                                                                st.floats(0, 100))),
                            min_size=1, max_size=8)
STATUSES = st.dictionaries(st.sampled_from("PQRSTUVW"),
                           st.sampled_from(["completed", "ongoing", "planned"]), max_size=4)
SCENARIOS = st.builds(Scenario, method=st.sampled_from(list(Method)),
                      weights=st.fixed_dictionaries({"a": st.integers(0, 5),
                                                     "b": st.integers(1, 5)}),
                      include_completed=st.booleans(), include_unassessed=st.booleans())


@settings(max_examples=40, deadline=None)
@given(PROCESSES, PROCESSES, STATUSES, STATUSES, SCENARIOS, SCENARIOS)
def test_why_moved_accounts_for_every_process_once_moves_first(
        first: dict[str, Any], second: dict[str, Any], statuses_a: dict[str, str],
        statuses_b: dict[str, str], scenario_a: Scenario, scenario_b: Scenario) -> None:
    before = frozen(inputs(first, statuses=statuses_a), scenario_a)
    after = frozen(inputs(second, statuses=statuses_b), scenario_b)
    moves = why_moved(before, after)
    ranked_a = {row["code"] for row in before["results"]["table"]}
    ranked_b = {row["code"] for row in after["results"]["table"]}
    assert sorted(moves["code"]) == sorted(ranked_a | ranked_b)
    by_status = moves.groupby("status")["code"].apply(set).to_dict()
    assert by_status.get(MOVED, set()) == ranked_a & ranked_b
    assert by_status.get(NEWLY_RANKED, set()) == ranked_b - ranked_a
    assert by_status.get(NO_LONGER_RANKED, set()) == ranked_a - ranked_b
    order = [MOVED, NEWLY_RANKED, NO_LONGER_RANKED]
    assert moves["status"].map(order.index).is_monotonic_increasing
    both = moves[moves["status"] == MOVED]
    # the split needs the process ranked on the earlier inputs under the later settings too
    split = both["from_settings"].notna()
    assert split.equals(both["from_inputs"].notna())
    assert (both["shift"] == both["from_settings"] + both["from_inputs"])[split].all()
    assert both["shift"].abs().is_monotonic_decreasing
    entered_or_left = moves[moves["status"] != MOVED]
    assert entered_or_left["reason"].str.len().gt(0).all()
    for row in after["results"]["table"]:  # completed work is ranked only when asked for
        assert scenario_b.include_completed or statuses_b.get(row["code"]) != "completed"


def test_a_snapshot_from_elsewhere_is_refused() -> None:
    with pytest.raises(ScoringError, match="format"):
        reproduce({"format": 99})
