"""``dti initiative``: the roadmap's initiatives, deliverables and notes from the command line,
driven as a user drives it (see tests/test_cli.py), on the sample inventory.

Tests that only read share one roadmap built once for the module (SQLite); tests that write get
their own copy of the sample, on both databases for the rationalisation paths (combine, split,
propose) and on SQLite for the rest.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from inventory.access import Actor, Role
from inventory.cli import shell
from inventory.services import Catalogue
from tests.support import dti, ok, refused

DONOR_KPI = "BDT-PRJ-02: Donor reports submitted on time"
LIST_KEYS = {"code", "name", "pillar", "priority_area", "status", "status_reason",
             "combined_into", "processes", "deliverables", "business_owner", "unit",
             "budget_chf", "staff_pm", "kpis", "version"}


def listed(db: str, *args: str) -> list[dict[str, Any]]:
    return json.loads(ok(dti(db, "initiative", "list", *args, "--format", "json")))


def shown(db: str, code: str) -> dict[str, Any]:
    return json.loads(ok(dti(db, "initiative", "show", code, "--format", "json")))


def snapshot_of(db: str) -> tuple[int, list[str]]:
    """A snapshot of the scenario Base taken with the CLI: its id and its ranked codes, best
    first."""
    ok(dti(db, "scenario", "create", "Base"))
    out = ok(dti(db, "scenario", "snapshot", "Base"))
    snapshot_id = int(re.match(r"Snapshot (\d+) ", out).group(1))  # type: ignore[union-attr]
    catalogue = Catalogue.open(db, migrate_schema=False)
    table = catalogue.scenarios.snapshot_record(snapshot_id)["content"]["results"]["table"]
    catalogue.engine.dispose()
    return snapshot_id, [row["code"] for row in sorted(table, key=lambda row: row["rank"])]


def seed(db: str) -> None:
    """A (2 processes, a KPI, a C26 deliverable) and B (a PP-26 deliverable) on the roadmap."""
    for args in (
        ["add", "A", "--name", "Events platform", "--pillar", "Governance", "--priority-area",
         "operational efficiency", "--owner", "Chief, BDT", "--unit", "BDT", "--budget", "1000",
         "--staff", "3", "--process", "BDT-PRJ-01", "--process", "BDT-PRJ-02", "--kpi",
         DONOR_KPI, "--tag", "Events", "--start", "2026-01-01", "--end", "2026-12-31"],
        ["add", "B", "--name", "Satellite filings", "--process", "BR-SNP-02", "--budget", "500"],
        ["deliverable", "add", "A", "--milestone", "C26", "--text", "Pilot"],
        ["deliverable", "add", "B", "--milestone", "pp-26", "--text", "Roll out",
         "--objective", "Faster filings"],
    ):
        ok(dti(db, "initiative", *args))


@pytest.fixture(scope="module")
def roadmap(sqlite_inventory_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Read only: A and B combined into a new X, C ongoing, Z deleted; snapshot 1 of the
    scenario Base."""
    path = tmp_path_factory.mktemp("roadmap") / "dti.db"
    shutil.copyfile(sqlite_inventory_sample, path)
    db = f"sqlite:///{path}"
    seed(db)
    snapshot_of(db)
    for args in (["combine", "A", "B", "--into", "X", "--name", "Combined"],
                 ["add", "C", "--name", "Gamma", "--status", "ongoing", "--pillar",
                  "people_and_culture"],
                 ["add", "Z", "--name", "Gone"], ["delete", "Z"]):
        ok(dti(db, "initiative", *args))
    return db


@pytest.fixture
def db(inventory_sample_url: str) -> str:
    """The sample's inventory (no roadmap) in this test's own database, of each kind."""
    return inventory_sample_url


@pytest.fixture
def lite(sqlite_inventory_sample: Path, tmp_path: Path) -> str:
    """The sample's inventory in this test's own SQLite database, with A and B seeded."""
    shutil.copyfile(sqlite_inventory_sample, tmp_path / "dti.db")
    url = f"sqlite:///{tmp_path / 'dti.db'}"
    seed(url)
    return url


# ---------------------------------------------------------------- reading (shared roadmap)


def test_list_json_gives_the_fields_with_lists_and_deliverables(roadmap: str) -> None:
    rows = {row["code"]: row for row in listed(roadmap)}
    assert list(rows) == ["C", "X"]  # combined ones and deleted ones are off the roadmap
    assert set(rows["X"]) >= LIST_KEYS
    x = rows["X"]
    assert (x["name"], x["status"], x["pillar"], x["priority_area"], x["business_owner"],
            x["unit"]) == ("Combined", "ongoing", "governance", "operational_efficiency",
                           "Chief, BDT", "BDT")
    assert x["processes"] == ["BDT-PRJ-01", "BDT-PRJ-02", "BR-SNP-02"]
    assert x["kpis"] == [DONOR_KPI]
    assert (x["budget_chf"], x["staff_pm"]) == (1500.0, 3.0)
    assert [(d["ref"], d["milestone"], d["text"], d["status"], d["due"])
            for d in x["deliverables"]] == [("D1", "C26", "Pilot", "on_track", None),
                                            ("B-D1", "PP-26", "Roll out", "on_track", None)]
    assert rows["C"]["processes"] == [] and rows["C"]["deliverables"] == []


def test_list_all_shows_the_combined_ones_and_where_they_went(roadmap: str) -> None:
    rows = {row["code"]: row for row in listed(roadmap, "--all")}
    assert list(rows) == ["A", "B", "C", "X"]
    for code in ("A", "B"):
        assert (rows[code]["status"], rows[code]["status_reason"],
                rows[code]["combined_into"]) == ("revised", "combined into X", "X")
        assert rows[code]["deliverables"] == []  # carried over to X
    assert rows["A"]["tags"] == ["events"]


@pytest.mark.parametrize(("args", "codes"), [
    (["--status", "Ongoing"], ["C", "X"]),
    (["--status", "revised", "--all"], ["A", "B"]),
    (["--pillar", "Governance"], ["X"]),
    (["--priority-area", "operational_efficiency", "--all"], ["A", "X"]),
    (["--tag", "EVENTS", "--all"], ["A"]),
    (["--deleted"], ["Z"]),
], ids=" ".join)
def test_list_filters(roadmap: str, args: list[str], codes: list[str]) -> None:
    assert [row["code"] for row in listed(roadmap, *args)] == codes


def test_list_refuses_an_unknown_status_in_one_line(roadmap: str) -> None:
    line = refused(dti(roadmap, "initiative", "list", "--status", "ongoin"))
    assert line.startswith("Error: --status: 'ongoin' is not one of")
    assert "Did you mean 'ongoing'" in line


def test_list_table_and_csv(roadmap: str) -> None:
    table = ok(dti(roadmap, "initiative", "list")).splitlines()
    assert table[0].split()[:3] == ["code", "name", "status"]
    assert [line.split()[0] for line in table[1:]] == ["C", "X"]
    csv = ok(dti(roadmap, "initiative", "list", "--format", "csv")).splitlines()
    assert csv[0].startswith("id,code,name") and len(csv) == 3


def test_show_prints_lineage_deliverables_and_history(roadmap: str) -> None:
    out = ok(dti(roadmap, "initiative", "show", "X"))
    assert re.search(r"absorbed\s+A, B", out)
    deliverables = out.split("Deliverables:")[1].split("Notes:")[0]
    assert "Pilot" in deliverables and "B-D1" in deliverables
    history = out.split("History:")[1]
    assert re.search(r"X/B-D1\s+initiative\s+B\s+X", history)  # the deliverable moved in
    record = shown(roadmap, "a")
    assert (record["code"], record["combined_into"], record["lineage"]) == ("A", "X",
                                                                            "combined")
    assert record["absorbed"] == [] and record["split_into"] == []
    assert {e["field"] for e in record["history"]} >= {"status", "status_reason", "lineage"}
    assert shown(roadmap, "X")["absorbed"] == ["A", "B"]


def test_show_refuses_an_unknown_code(roadmap: str) -> None:
    assert "no initiative has the code 'NOPE'" in refused(
        dti(roadmap, "initiative", "show", "NOPE"))


def test_timeline_counts_the_roadmap_after_each_change(roadmap: str) -> None:
    rows = json.loads(ok(dti(roadmap, "initiative", "timeline", "--format", "json")))
    assert [(r["initiative"], r["event"], r["count"]) for r in rows] == [
        ("A", "create", 1), ("B", "create", 2), ("X", "create", 3), ("A", "combined", 2),
        ("B", "combined", 1), ("C", "create", 2), ("Z", "create", 3), ("Z", "delete", 2)]


# ---------------------------------------------------------------- writing


def test_edit_changes_only_what_is_given_and_replaces_lists(lite: str) -> None:
    out = ok(dti(lite, "initiative", "edit", "A", "--status", "ongoing", "--process",
                 "BDT-PRJ-01", "--expect-version", "1", actor="bob"))
    assert out == "Updated initiative A (version 2).\n"
    record = shown(lite, "A")
    assert (record["status"], record["processes"], record["name"], record["kpis"],
            record["budget_chf"]) == ("ongoing", ["BDT-PRJ-01"], "Events platform",
                                      [DONOR_KPI], 1000.0)
    assert ok(dti(lite, "initiative", "edit", "A", "--status", "ongoing")).startswith(
        "No change")


def test_edit_with_a_stale_version_is_refused_and_changes_nothing(lite: str) -> None:
    ok(dti(lite, "initiative", "edit", "A", "--name", "Renamed", actor="bob"))
    before = shown(lite, "A")
    line = refused(dti(lite, "initiative", "edit", "A", "--name", "Mine", "--version", "1"))
    assert "changed by bob" in line and "Nothing was saved" in line
    assert shown(lite, "A") == before


def test_edit_refuses_a_revised_status_without_a_reason(lite: str) -> None:
    line = refused(dti(lite, "initiative", "edit", "B", "--status", "revised"))
    assert "needs a status_reason" in line
    assert shown(lite, "B")["status"] == "planned"


def test_an_analyst_may_not_add_an_initiative_but_may_add_a_deliverable(
        lite: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shell, "actor", lambda ctx: Actor(str(ctx.obj["actor"]), Role.analyst))
    line = refused(dti(lite, "initiative", "add", "N", "--name", "New", actor="carla"))
    assert "carla (analyst) may not" in line and "leadership or admin" in line
    assert [row["code"] for row in listed(lite)] == ["A", "B"]
    out = ok(dti(lite, "initiative", "deliverable", "add", "A", "--milestone", "2027-03-31",
                 "--text", "Training", actor="carla"))
    assert out == "Added deliverable A/D2 (2027-03-31, on_track).\n"


def test_link_and_unlink_processes_and_kpis(lite: str) -> None:
    out = ok(dti(lite, "initiative", "link", "B", "--process", "BDT-PRJ-02", "--kpi",
                 DONOR_KPI))
    assert out == (f"Initiative B (version 2) transforms: BDT-PRJ-02, BR-SNP-02; moves: "
                   f"{DONOR_KPI}.\n")
    ok(dti(lite, "initiative", "link", "B", "--unlink-process", "br-snp-02", "--unlink-kpi",
           DONOR_KPI))
    assert (shown(lite, "B")["processes"], shown(lite, "B")["kpis"]) == (["BDT-PRJ-02"], [])


def test_link_refuses_an_unknown_process_and_changes_nothing(lite: str) -> None:
    before = shown(lite, "B")
    line = refused(dti(lite, "initiative", "link", "B", "--process", "NOPE"))
    assert "no live process has the code 'NOPE'" in line
    assert shown(lite, "B") == before
    assert "name at least one process" in refused(dti(lite, "initiative", "link", "B"))


def test_combine_carries_processes_and_deliverables_over(db: str) -> None:
    seed(db)
    ok(dti(db, "initiative", "add", "X", "--name", "Target", "--process", "BR-SNP-02"))
    ok(dti(db, "initiative", "deliverable", "add", "X", "--milestone", "C26", "--text", "Own"))
    out = ok(dti(db, "initiative", "combine", "A", "B", "--into", "X"))
    assert out.splitlines() == [
        "Combined A, B into X (version 2); they are revised: combined into X.",
        "X transforms: BDT-PRJ-01, BDT-PRJ-02, BR-SNP-02",
        "X delivers: A-D1, B-D1, D1"]
    rows = {row["code"]: row for row in listed(db, "--all")}
    for code in ("A", "B"):
        assert (rows[code]["status"], rows[code]["status_reason"],
                rows[code]["combined_into"]) == ("revised", "combined into X", "X")
    assert [d["text"] for d in rows["X"]["deliverables"]] == ["Pilot", "Roll out", "Own"]
    assert rows["X"]["budget_chf"] == 1500.0 and rows["X"]["kpis"] == [DONOR_KPI]
    line = refused(dti(db, "initiative", "combine", "A", "--into", "X"))
    assert "A was already combined into another" in line


def test_split_gives_each_part_its_processes_and_deliverables(db: str) -> None:
    seed(db)
    ok(dti(db, "initiative", "deliverable", "add", "A", "--milestone", "PP-26", "--text",
           "Scale"))
    out = ok(dti(db, "initiative", "split", "A", "--into", "A1=Design", "--into",
                 "A2=Delivery", "--processes", "A1=BDT-PRJ-01", "--deliverables",
                 "A2=D1,D2"))
    assert out.splitlines() == [
        "Split A into A1, A2; A is revised: split into A1, A2.",
        "  A1: transforms BDT-PRJ-01; delivers -",
        "  A2: transforms BDT-PRJ-01, BDT-PRJ-02; delivers D1, D2"]
    record = shown(db, "A")
    assert (record["status"], record["lineage"], record["split_into"]) == (
        "revised", "split", ["A1", "A2"])
    assert shown(db, "A2")["split_from"] == "A"
    assert [row["code"] for row in listed(db)] == ["A1", "A2", "B"]


@pytest.mark.parametrize(("args", "message"), [
    (["--into", "B1"], "--into 'B1' is not FIELD=VALUE"),
    (["--into", "B1=One", "--into", "B2=Two", "--processes", "B3=BR-SNP-02"],
     "B3 is not one of the parts given with --into (B1, B2)"),
    (["--into", "B1=One", "--into", "B2=Two", "--processes", "B1=HR"],
     "part B1 names processes B does not transform: HR"),
    (["--into", "B1=One"], "a split needs at least two parts"),
], ids=["no-name", "unknown-part", "foreign-process", "one-part"])
def test_split_refuses_bad_parts_and_changes_nothing(lite: str, args: list[str],
                                                    message: str) -> None:
    assert message in refused(dti(lite, "initiative", "split", "B", *args))
    assert [row["code"] for row in listed(lite, "--all")] == ["A", "B"]


def test_deliverables_are_added_edited_deleted_and_restored(lite: str) -> None:
    out = ok(dti(lite, "initiative", "deliverable", "add", "A", "--milestone", "2027-03-31",
                 "--text", "Training", "--ref", "TRAIN", "--objective", "Staff trained"))
    assert out == "Added deliverable A/TRAIN (2027-03-31, on_track).\n"
    out = ok(dti(lite, "initiative", "deliverable", "edit", "A", "TRAIN", "--status", "late",
                 "--evidence", "https://example.org/plan", "--milestone", "PP-26"))
    assert out == "Updated deliverable A/TRAIN (PP-26, late, version 2).\n"
    ok(dti(lite, "initiative", "deliverable", "delete", "A", "D1"))
    assert [d["ref"] for d in shown(lite, "A")["deliverables"]] == ["TRAIN"]
    ok(dti(lite, "initiative", "deliverable", "restore", "A", "D1"))
    assert [d["ref"] for d in shown(lite, "A")["deliverables"]] == ["D1", "TRAIN"]


@pytest.mark.parametrize("args", [
    ["add", "A", "--milestone", "C27", "--text", "Later"],
    ["edit", "A", "D1", "--milestone", "next year"],
], ids=["add", "edit"])
def test_a_bad_milestone_is_refused_and_changes_nothing(lite: str, args: list[str]) -> None:
    before = shown(lite, "A")
    line = refused(dti(lite, "initiative", "deliverable", *args))
    assert "is not a milestone: write C26, PP-26 or a date as YYYY-MM-DD" in line
    assert shown(lite, "A") == before


def test_evidence_must_be_a_link(lite: str) -> None:
    line = refused(dti(lite, "initiative", "deliverable", "edit", "A", "D1", "--evidence",
                       "see the share"))
    assert "evidence is a web address starting with https://" in line


def test_notes_obstacles_and_resolving_them(lite: str) -> None:
    out = ok(dti(lite, "initiative", "update", "A", "--kind", "obstacle", "--note",
                 "No budget line", "--on", "2026-03-02"))
    assert out == ("Noted obstacle 1 on A (2026-03-02); `dti initiative resolve 1` closes "
                   "it.\n")
    ok(dti(lite, "initiative", "update", "B", "--kind", "decision", "--note", "Pick a vendor"))
    ok(dti(lite, "initiative", "update", "A", "--note", "Kick-off held"))
    open_ = json.loads(ok(dti(lite, "initiative", "obstacles", "--format", "json")))
    assert sorted((n["id"], n["initiative_code"], n["kind"]) for n in open_) == [
        (1, "A", "obstacle"), (2, "B", "decision_needed")]
    assert ok(dti(lite, "initiative", "resolve", "1")) == "Resolved obstacle 1 on A.\n"
    assert [n["id"] for n in json.loads(ok(dti(lite, "initiative", "obstacles", "--format",
                                               "json")))] == [2]
    assert "already resolved by ana" in refused(dti(lite, "initiative", "resolve", "1"))
    assert "records progress" in refused(dti(lite, "initiative", "resolve", "3"))
    assert [n["note"] for n in shown(lite, "A")["notes"]] == ["Kick-off held",
                                                              "No budget line"]


def test_propose_from_a_snapshot_links_planned_initiatives_to_it(db: str) -> None:
    snapshot_id, ranked = snapshot_of(db)
    out = ok(dti(db, "initiative", "propose", "--snapshot", str(snapshot_id), "--top", "2"))
    made = [f"INI-{code}" for code in ranked[:2]]
    assert out == (f"Proposed 2 planned initiative(s) from snapshot {snapshot_id}: "
                   f"{', '.join(made)}.\n")
    rows = {row["code"]: row for row in listed(db)}
    assert set(rows) == set(made)
    assert {(r["status"], r["snapshot_id"]) for r in rows.values()} == {
        ("planned", snapshot_id)}
    assert rows[made[0]]["processes"] == [ranked[0]]
    out = ok(dti(db, "initiative", "propose", "--snapshot", str(snapshot_id), "--process",
                 ranked[2].lower(), "--process", ranked[3], "--group", "G", "--name", "Both"))
    assert out.endswith(": G.\n")
    assert shown(db, "G")["processes"] == sorted(ranked[2:4], key=str.casefold)


def test_propose_from_a_scenario_ranks_the_current_data(db: str) -> None:
    _, ranked = snapshot_of(db)
    out = ok(dti(db, "initiative", "propose", "--scenario", "Base", "--top", "1"))
    assert out == (f"Proposed 1 planned initiative(s) from the ranking under scenario 'Base': "
                   f"INI-{ranked[0]}.\n")
    assert shown(db, f"INI-{ranked[0]}")["snapshot_id"] is None


@pytest.mark.parametrize(("args", "message"), [
    (["--top", "2"], "give either --snapshot ID or --scenario NAME"),
    (["--snapshot", "1"], "give either --top N or one or more --process CODE"),
    (["--snapshot", "1", "--process", "BDT-PRJ-01"], "BDT-PRJ-01 is not ranked in snapshot 1"),
    (["--snapshot", "99", "--top", "1"], "no snapshot 99"),
    (["--scenario", "Nope", "--top", "1"], "no scenario named 'Nope'"),
    (["--snapshot", "1", "--top", "1", "--group", "G"], "--group CODE and --name NAME"),
], ids=["no-source", "no-choice", "unranked", "no-snapshot", "no-scenario", "group-name"])
def test_propose_refuses_unclear_requests(roadmap: str, args: list[str], message: str) -> None:
    assert message in refused(dti(roadmap, "initiative", "propose", *args))
    assert [row["code"] for row in listed(roadmap, "--all")] == ["A", "B", "C", "X"]


def test_delete_then_restore_by_an_admin_only(lite: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = ok(dti(lite, "initiative", "delete", "B", "--expect-version", "1"))
    assert out == "Deleted initiative B; `dti initiative restore B` brings it back.\n"
    assert [row["code"] for row in listed(lite)] == ["A"]
    assert [row["code"] for row in listed(lite, "--deleted")] == ["B"]
    monkeypatch.setattr(shell, "actor",
                        lambda ctx: Actor(str(ctx.obj["actor"]), Role.leadership))
    assert "needs the admin role" in refused(dti(lite, "initiative", "restore", "B"))
    monkeypatch.undo()
    assert ok(dti(lite, "initiative", "restore", "B")) == "Restored initiative B.\n"
    assert [row["code"] for row in listed(lite)] == ["A", "B"]
    assert [d["ref"] for d in shown(lite, "B")["deliverables"]] == ["D1"]
