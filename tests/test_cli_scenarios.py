"""`dti scenario`: save and change scenarios, freeze decision snapshots, verify them, and see
why ranks moved between two of them."""

from __future__ import annotations

import json

import pytest

from inventory.services import Catalogue
from scoring.ranking import rank
from scoring.scenario import Scenario
from scoring.snapshot import freeze
from tests.support import by, dti, ok, refused, snapshot
from views.scoring_data import criteria_set, ranking_inputs


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
    assert table.startswith("Settings changed:\n  Weight of Member experience: ")
    assert "\n  Weight of Cost: " in table and "weight of cost" not in table


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


def test_why_says_what_changed_in_words_and_groups_who_entered_or_left(db: str) -> None:
    ok(dti(db, "scenario", "create", "Board", "--method", "topsis"))
    ok(dti(db, "scenario", "snapshot", "Board"))
    first = {row["code"]: row["rank"] for row in json.loads(dti(
        db, "score", "--scenario", "Board", "--format", "json").stdout)}
    done = next(code for code in first if first[code] > 1)
    ok(dti(db, "process", "edit", done, "--status", "completed"))
    ok(dti(db, "scenario", "edit", "Board", "--method", "wsm", "--budget", "2000000",
           "--weights", "cost=4"))
    ok(dti(db, "scenario", "snapshot", "Board"))
    text = ok(dti(db, "scenario", "why", "1", "2"))
    assert "  Method: Weighted sum (was TOPSIS)\n" in text
    assert "  Budget: CHF 2,000,000 (was none)\n" in text
    assert "  Weight of Cost: " in text
    assert "None" not in text and "'wsm'" not in text and "constraints" not in text
    moved, _, gone = text.partition("\nNo longer ranked (1):\n")
    assert "\nMoved (" in moved and done not in moved.split("\nMoved (")[1]
    assert done in gone and "transformation completed" in gone
    rows = json.loads(ok(dti(db, "scenario", "why", "1", "2", "--format", "json")))
    assert rows[-1]["code"] == done and rows[-1]["status"] == "no longer ranked"
    assert rows[-1]["rank_after"] is None


def test_score_leaves_completed_processes_out_unless_asked(db: str) -> None:
    ranked = dti(db, "score", "--format", "json")
    codes = {row["code"] for row in json.loads(ranked.stdout)}
    assert "GOV-OPL" not in codes  # completed in the sample, and assessed
    assert "completed processes are done and not ranked (--include-completed" in ranked.stderr
    everything = json.loads(dti(db, "score", "--include-completed", "--format", "json").stdout)
    assert "GOV-OPL" in {row["code"] for row in everything}
    assert "not ranked: its transformation is completed" in refused(
        dti(db, "explain", "GOV-OPL"))
    ok(dti(db, "scenario", "create", "With done work", "--include-completed"))
    settings = json.loads(ok(dti(db, "scenario", "show", "With done work", "--format",
                                 "json")))["settings"]
    assert settings["include_completed"] is True
    ok(dti(db, "scenario", "edit", "With done work", "--notes", "kept"))
    assert json.loads(ok(dti(db, "scenario", "show", "With done work", "--format", "json")))[
        "settings"]["include_completed"] is True  # not given: kept
    ok(dti(db, "scenario", "edit", "With done work", "--leave-out-completed"))
    assert json.loads(ok(dti(db, "scenario", "show", "With done work", "--format", "json")))[
        "settings"]["include_completed"] is False


def test_a_snapshot_taken_before_completed_work_was_left_out_still_verifies(db: str) -> None:
    """Snapshots written before scenarios had ``include_completed`` ranked completed work."""
    catalogue = Catalogue.open(db)
    try:
        inputs, criteria = ranking_inputs(catalogue), criteria_set()
        scenario = Scenario(name="Old", include_completed=True)
        content = freeze(inputs, criteria, scenario, rank(inputs, criteria, scenario))
        del content["scenario"]["include_completed"]
        del content["results"]["completed"]
        assert "GOV-OPL" in {row["code"] for row in content["results"]["table"]}
        catalogue.scenarios.add("Old", Scenario(name="Old").to_dict(), by("root"))
        record = catalogue.scenarios.snapshot("Old", "before the option", content, by("root"))
    finally:
        catalogue.engine.dispose()
    assert "reproduces exactly" in ok(dti(db, "scenario", "verify", str(record["id"])))
