"""`dti scenario`: save and change scenarios, freeze decision snapshots, verify them, and see
why ranks moved between two of them."""

from __future__ import annotations

import json

import pytest

from inventory.services import Catalogue
from tests.support import dti, ok, refused, snapshot


@pytest.fixture
def db(sample_url: str) -> str:
    """The sample inventory in an initialised database."""
    return sample_url


def test_a_scenario_is_saved_shown_and_used_by_score(db: str) -> None:
    ok(dti(db, "scenario", "create", "Members first", "--weights", "member_experience=9",
           "--method", "topsis", "--unit", "CPD", "--budget", "2000000",
           "--must-include", "EVT-REG", "--notes", "task force"))
    shown = json.loads(ok(dti(db, "scenario", "show", "members first", "--format", "json")))
    settings = shown["settings"]
    assert settings["method"] == "topsis" and settings["weights"] == {"member_experience": 9.0}
    assert settings["filters"]["units"] == ["CPD"]
    assert settings["constraints"] == {"budget": 2000000.0, "capacity": None,
                                       "must_include": ["EVT-REG"], "must_exclude": [],
                                       "deadline": None, "exclusive": []}
    # the saved scenario, with the method changed for this run only
    result = dti(db, "score", "--scenario", "Members first", "--method", "wsm", "--format",
                 "json")
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.stdout)
    assert {row["unit"] for row in ranked} == {"CPD"}  # the scenario's filter applies
    plain = json.loads(dti(db, "score", "--weights", "member_experience=9", "--format",
                           "json").stdout)
    cpd = [row["code"] for row in plain if row["unit"] == "CPD"]
    # declared scales: under the weighted sum, leaving processes out keeps the others' order
    assert [row["code"] for row in ranked] == cpd
    assert json.loads(ok(dti(db, "scenario", "show", "Members first", "--format", "json")))[
        "settings"]["method"] == "topsis"  # the run-only change was not saved


def test_edit_keeps_what_is_not_given_and_refuses_a_stale_version(db: str) -> None:
    ok(dti(db, "scenario", "create", "Lean", "--uplift", "0.2", "--budget", "500000"))
    ok(dti(db, "scenario", "edit", "Lean", "--weights", "cost=5", actor="bob"))
    settings = json.loads(ok(dti(db, "scenario", "show", "Lean", "--format", "json")))
    assert settings["version"] == 2
    assert settings["settings"]["uplift"] == 0.2
    assert settings["settings"]["constraints"]["budget"] == 500000.0
    assert settings["settings"]["weights"] == {"cost": 5.0}
    line = refused(dti(db, "scenario", "edit", "Lean", "--uplift", "0", "--expect-version",
                       "1"))
    assert "changed by bob" in line


@pytest.mark.parametrize(("args", "message"), [
    (["--weights", "nope=1"], "Unknown criterion 'nope'"),
    (["--must-include", "A", "--must-exclude", "A"], "both a must-include and a must-exclude"),
    (["--uplift", "1.5"], "uplift must be in [0, 1)"),
    (["--budget", "-1"], "budget must be >= 0"),
    (["--from", "Ghost"], "no scenario named 'Ghost'"),
])
def test_bad_scenarios_are_refused_and_nothing_is_saved(db: str, args: list[str],
                                                        message: str) -> None:
    catalogue = Catalogue.open(db)
    before = snapshot(catalogue)
    assert message in refused(dti(db, "scenario", "create", "Bad", *args))
    assert snapshot(catalogue) == before


def test_a_snapshot_verifies_and_explains_what_moved_between_decisions(db: str) -> None:
    ok(dti(db, "scenario", "create", "Decision"))
    first = ok(dti(db, "scenario", "snapshot", "Decision", "--label", "TF 1"))
    assert first.startswith("Snapshot 1 of 'Decision'")
    assert "reproduces exactly" in ok(dti(db, "scenario", "verify", "1"))
    # bob rates MEM-WEB's member experience at 1; leadership doubles the weight of cost
    ok(dti(db, "assess", "add", "MEM-WEB", "member_experience=1", "--rater", "bob",
           actor="bob"))
    ok(dti(db, "scenario", "edit", "Decision", "--weights", "cost=4"))
    ok(dti(db, "scenario", "snapshot", "Decision", "--label", "TF 2"))
    listed = json.loads(ok(dti(db, "scenario", "snapshots", "Decision", "--format", "json")))
    assert [s["label"] for s in listed] == ["TF 2", "TF 1"]
    why = dti(db, "scenario", "why", "1", "2", "--top", "0", "--format", "json")
    moves = {row["code"]: row for row in json.loads(ok(why))}
    assert all(row["shift"] == row["from_settings"] + row["from_inputs"]
               for row in moves.values())
    assert "member_experience rated 1 by bob (bob," in moves["MEM-WEB"]["changed_inputs"]
    table = ok(dti(db, "scenario", "why", "1", "2"))
    assert table.startswith("Settings changed: weight of cost: 2.0 -> 4.0")


def test_unknown_snapshots_and_scenarios_get_one_line(db: str) -> None:
    assert "no snapshot 7" in refused(dti(db, "scenario", "verify", "7"))
    assert "none is saved yet" in refused(dti(db, "scenario", "snapshot", "Nope"))
    ok(dti(db, "scenario", "create", "Gone"))
    ok(dti(db, "scenario", "delete", "Gone"))
    assert "deleted: restore it first" in refused(dti(db, "scenario", "show", "Gone"))
    ok(dti(db, "scenario", "restore", "Gone"))
    assert "Gone" in ok(dti(db, "scenario", "list"))


def test_compare_puts_scenarios_and_snapshots_side_by_side(db: str) -> None:
    ok(dti(db, "scenario", "create", "Plain"))
    ok(dti(db, "scenario", "create", "Cost aware", "--weights", "cost=8"))
    ok(dti(db, "scenario", "snapshot", "Plain"))
    rows = json.loads(ok(dti(db, "scenario", "compare", "Plain", "Cost aware", "#1",
                             "--format", "json")))
    plain = {row["code"]: row["Plain"] for row in rows}
    snap = {row["code"]: row["#1"] for row in rows}
    assert plain == snap  # nothing changed since the snapshot
    costly = json.loads(dti(db, "score", "--weights", "cost=8", "--format", "json").stdout)
    assert {row["code"]: row["Cost aware"] for row in rows} == {
        r["code"]: r["rank"] for r in costly}
    text = ok(dti(db, "scenario", "compare", "Plain", "#1", "--top", "5"))
    assert "Plain vs #1: top 5 share 5 (Jaccard 1.00); Kendall's tau 1.000" in text
    assert "at least two" in refused(dti(db, "scenario", "compare", "Plain"))
