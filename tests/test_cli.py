"""The ``dti`` command line, driven as a user drives it: global ``--db``/``--actor`` options, one
sub-command, and assertions on what is printed (stdout) and what is refused (stderr, exit 1).

Every test runs on SQLite and, when ``DTI_TEST_POSTGRES_URL`` is set, on PostgreSQL too.
With Click >= 8.2 ``CliRunner`` keeps both streams: ``result.stdout`` and ``result.stderr`` each
hold one stream, ``result.output`` holds both interleaved as a terminal would show them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import typer.main

from inventory.cli import app
from tests.support import dti, ok, refused, runner

REQUIRED_PROCESS_KEYS = {"code", "name", "parent_code", "unit"}








def records(db: str, *args: str) -> list[dict[str, Any]]:
    """The JSON output of a list/show command."""
    parsed = json.loads(ok(dti(db, *args, "--format", "json")))
    return parsed if isinstance(parsed, list) else [parsed]


def process_json(db: str, code: str) -> dict[str, Any]:
    return records(db, "process", "show", code)[0]


def audit_events(db: str) -> list[dict[str, Any]]:
    return records(db, "audit", "--limit", "100000")


@pytest.fixture
def db(database_url: str) -> str:
    """An initialised, empty database (created by ``dti init``)."""
    ok(dti(database_url, "init"))
    return database_url


@pytest.fixture
def seeded(db: str) -> str:
    """Two units; HR > HR-REC > HR-REC-01 and FIN; FIN depends on HR-REC."""
    for args in (
        ["unit", "add", "HRMD", "Human Resources", "--kind", "gs_department"],
        ["unit", "add", "FRMD", "Financial Resources"],
        ["process", "add", "--code", "HR", "--name", "Human resources", "--unit", "HRMD"],
        ["process", "add", "--code", "HR-REC", "--name", "Recruitment", "--unit", "HRMD",
         "--parent", "HR", "--owner", "Chief, HRMD", "--status", "ongoing", "--maturity", "2"],
        ["process", "add", "--code", "HR-REC-01", "--name", "Post a vacancy", "--unit", "HRMD",
         "--parent", "HR-REC"],
        ["process", "add", "--code", "FIN", "--name", "Budgeting", "--unit", "FRMD"],
        ["dep", "add", "HR-REC", "FIN", "--kind", "handoff", "--strength", "3"],
    ):
        ok(dti(db, *args))
    return db


# ---------------------------------------------------------------- init and the sample


def test_init_then_init_sample_loads_the_sample_and_prints_counts(database_url: str) -> None:
    out = ok(dti(database_url, "init"))
    assert out.startswith("Database ready: ")
    if database_url.startswith("sqlite"):
        assert Path(database_url.removeprefix("sqlite:///")).is_file()
    assert records(database_url, "process", "list") == []

    out = ok(dti(database_url, "init", "--sample"))
    assert "Sample loaded (illustrative, not official ITU data)" in out
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", out.splitlines()[-1])}
    assert set(counts) == {"units", "processes", "dependencies", "kpis", "assessments",
                           "initiatives", "deliverables", "progress_updates",
                           "cases", "case_comments"}
    assert counts["processes"] >= 40 and counts["dependencies"] >= 60
    # The printed counts are what is now stored.
    assert len(records(database_url, "unit", "list")) == counts["units"]
    assert len(records(database_url, "process", "list")) == counts["processes"]
    assert len(records(database_url, "dep", "list")) == counts["dependencies"]
    assert len(records(database_url, "kpi", "list")) == counts["kpis"]
    assert len(records(database_url, "assessment", "list")) == counts["assessments"]
    # the sample's records, and the first admin account that init creates
    assert {e["actor"] for e in audit_events(database_url)} == {"sample-data", "first-start"}


def test_init_sample_refuses_a_database_that_already_holds_data(db: str) -> None:
    ok(dti(db, "unit", "add", "HRMD", "Human Resources"))
    before = audit_events(db)

    result = dti(db, "init", "--sample")

    message = refused(result)
    assert "already holds data" in message
    assert records(db, "process", "list") == []
    assert [u["code"] for u in records(db, "unit", "list")] == ["HRMD"]
    assert audit_events(db) == before


@pytest.mark.parametrize("as_url", [True, False], ids=["sqlite-url", "bare-path"])
@pytest.mark.parametrize("args", [
    ["process", "list"],
    ["unit", "add", "HRMD", "Human Resources"],
    ["audit"],
], ids=" ".join)
def test_a_command_on_a_missing_sqlite_file_says_to_run_init_and_creates_nothing(
        tmp_path: Path, args: list[str], as_url: bool) -> None:
    path = tmp_path / "missing.db"
    result = dti(f"sqlite:///{path}" if as_url else str(path), *args)

    message = refused(result)
    assert "`dti init`" in message
    assert result.stdout == ""
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # no -wal / -shm / journal files either


# ---------------------------------------------------------------- processes


def test_process_add_list_show_edit_delete_restore_history_round_trip(seeded: str) -> None:
    db = seeded
    out = ok(dti(db, "process", "add", "--code", "HR-ADM", "--name", "HR administration",
                 "--unit", "hrmd", "--parent", "HR", "--owner", "Chief, HRMD",
                 "--status", "In progress", "--maturity", "3",
                 "--set", "pillar=People and culture", "--set", "tags=AI; quick-win"))
    assert out == "Added process HR-ADM (version 1).\n"

    listed = {p["code"]: p for p in records(db, "process", "list")}
    assert set(listed) == {"HR", "HR-REC", "HR-REC-01", "FIN", "HR-ADM"}
    added = listed["HR-ADM"]
    assert added["name"] == "HR administration" and added["unit"] == "HRMD"
    assert added["parent_code"] == "HR" and added["level"] == 2
    assert added["transformation_status"] == "ongoing" and added["digital_maturity"] == 3
    assert added["pillar"] == "people_and_culture" and added["tags"] == "ai; quick-win"
    assert "HR-ADM" in ok(dti(db, "process", "list"))
    assert "HR-ADM" in process_json(db, "HR")["children"]

    out = ok(dti(db, "process", "edit", "HR-ADM", "--name", "HR administration and payroll",
                 "--expect-version", "1"))
    assert out == "Updated process HR-ADM (version 2).\n"
    shown = process_json(db, "HR-ADM")
    assert shown["name"] == "HR administration and payroll" and shown["version"] == 2

    out = ok(dti(db, "process", "edit", "HR-ADM", "--name", "HR administration and payroll"))
    assert out.startswith("No change")
    assert process_json(db, "HR-ADM")["version"] == 2

    out = ok(dti(db, "process", "delete", "HR-ADM", "--expect-version", "2"))
    assert out.startswith("Deleted process HR-ADM")
    assert "HR-ADM" not in {p["code"] for p in records(db, "process", "list")}
    assert "HR-ADM" not in ok(dti(db, "process", "list"))
    assert "HR-ADM" in {p["code"] for p in records(db, "process", "list", "--include-deleted")}
    assert process_json(db, "HR-ADM")["deleted_at"] is not None
    assert "HR-ADM" not in process_json(db, "HR")["children"]

    assert ok(dti(db, "process", "restore", "HR-ADM")) == "Restored process HR-ADM.\n"
    assert "HR-ADM" in {p["code"] for p in records(db, "process", "list")}
    restored = process_json(db, "HR-ADM")
    assert restored["deleted_at"] is None and restored["version"] == 4

    history = records(db, "process", "history", "HR-ADM")
    assert [e["action"] for e in history] == ["restore", "delete", "update", "create"]
    update = history[2]
    assert update["field"] == "name"
    assert update["old_value"] == "HR administration"
    assert update["new_value"] == "HR administration and payroll"
    table = ok(dti(db, "process", "history", "HR-ADM"))
    assert "restore" in table and "HR administration and payroll" in table


def test_list_and_show_speak_json_csv_and_table(seeded: str) -> None:
    db = seeded
    listed = records(db, "process", "list")
    assert [p["code"] for p in listed] == sorted(["HR", "HR-REC", "HR-REC-01", "FIN"])
    for process in listed:
        assert set(process) >= REQUIRED_PROCESS_KEYS
    by_code = {p["code"]: p for p in listed}
    assert by_code["HR-REC"]["parent_code"] == "HR" and by_code["HR-REC"]["unit"] == "HRMD"
    assert by_code["HR"]["parent_code"] is None

    shown = process_json(db, "HR-REC")
    assert set(shown) >= REQUIRED_PROCESS_KEYS
    assert (shown["code"], shown["name"], shown["parent_code"], shown["unit"]) == (
        "HR-REC", "Recruitment", "HR", "HRMD")
    assert shown["process_owner"] == "Chief, HRMD"
    assert shown["children"] == ["HR-REC-01"]
    assert [d["downstream_code"] for d in shown["feeds"]] == ["FIN"]
    assert shown["depends_on"] == [] and shown["kpis"] == [] and shown["assessments"] == []
    assert [d["upstream_code"] for d in process_json(db, "FIN")["depends_on"]] == ["HR-REC"]

    frame = pd.read_csv(io.StringIO(ok(dti(db, "process", "list", "--format", "csv"))))
    assert set(frame.columns) >= REQUIRED_PROCESS_KEYS
    assert sorted(frame["code"]) == sorted(by_code)
    assert frame.set_index("code").loc["HR-REC", "parent_code"] == "HR"

    rows = list(csv.DictReader(io.StringIO(ok(dti(db, "process", "show", "HR-REC", "--format",
                                                  "csv")))))
    assert len(rows) == 1
    assert set(rows[0]) >= REQUIRED_PROCESS_KEYS
    assert rows[0]["code"] == "HR-REC" and rows[0]["unit"] == "HRMD"

    table = ok(dti(db, "process", "list"))
    assert table.splitlines()[0].split()[0] == "code"
    for code in by_code:
        assert re.search(rf"^\s*{re.escape(code)}\s", table, re.MULTILINE)
    detail = ok(dti(db, "process", "show", "HR-REC"))
    assert re.search(r"^code\s+HR-REC$", detail, re.MULTILINE)
    assert "Feeds (downstream):" in detail and "FIN" in detail

    filtered = records(db, "process", "list", "--unit", "FRMD")
    assert [p["code"] for p in filtered] == ["FIN"]
    assert [p["code"] for p in records(db, "process", "list", "--search", "vacancy")] == [
        "HR-REC-01"]


def test_dates_are_printed_as_they_were_written(seeded: str) -> None:
    """A date field entered as YYYY-MM-DD comes back as YYYY-MM-DD in every output format."""
    db = seeded
    ok(dti(db, "process", "edit", "HR-REC", "--set", "earliest_start=2026-02-01"))
    ok(dti(db, "kpi", "add", "HR-REC", "--name", "Time to hire", "--direction", "lower",
           "--baseline", "180", "--target", "120", "--target-date", "2027-06-30"))

    detail = ok(dti(db, "process", "show", "HR-REC"))
    table_value = re.search(r"^earliest_start +(.*)$", detail, re.MULTILINE)
    show_csv = io.StringIO(ok(dti(db, "process", "show", "HR-REC", "--format", "csv")))
    kpi_csv = io.StringIO(ok(dti(db, "kpi", "list", "--format", "csv")))
    printed = {
        "process show (table)": table_value.group(1) if table_value else None,
        "process show --format csv": pd.read_csv(show_csv, dtype=str).loc[0, "earliest_start"],
        "process show --format json": process_json(db, "HR-REC")["earliest_start"],
        "process list --format json": records(db, "process", "list", "--search", "Recruitment"
                                              )[0]["earliest_start"],
        "kpi list --format csv": pd.read_csv(kpi_csv, dtype=str).loc[0, "target_date"],
        "kpi list --format json": records(db, "kpi", "list")[0]["target_date"],
        "process show --format json (kpis)": process_json(db, "HR-REC")["kpis"][0]["target_date"],
    }
    written = {name: ("2027-06-30" if "kpi" in name else "2026-02-01") for name in printed}
    assert printed == written


def test_an_edit_at_a_stale_version_is_refused_naming_who_changed_it(seeded: str) -> None:
    db = seeded
    assert process_json(db, "HR-REC")["version"] == 1
    ok(dti(db, "process", "edit", "HR-REC", "--name", "Recruitment and selection", actor="bea"))
    before = process_json(db, "HR-REC")
    assert before["version"] == 2

    result = dti(db, "process", "edit", "HR-REC", "--name", "Hiring", "--expect-version", "1",
                 actor="ana")

    message = refused(result)
    assert result.stdout == ""
    assert "bea" in message and "version 1" in message and "Nothing was saved" in message
    after = process_json(db, "HR-REC")
    assert after == before
    assert after["name"] == "Recruitment and selection" and after["updated_by"] == "bea"
    assert [(e["actor"], e["action"]) for e in records(db, "process", "history", "HR-REC")
            if e["entity"] == "process"] == [("bea", "update"), ("ana", "create")]

    refused(dti(db, "process", "delete", "HR-REC-01", "--expect-version", "7"))
    assert "HR-REC-01" in {p["code"] for p in records(db, "process", "list")}


# ---------------------------------------------------------------- refused input


@pytest.mark.parametrize(("args", "expected"), [
    (["process", "add", "--code", "NEW", "--name", "New", "--unit", "NOPE"],
     "no unit has the code 'NOPE'"),
    (["process", "add", "--code", "NEW", "--name", "New", "--unit", "HRMD", "--maturity", "9"],
     "digital_maturity"),
    (["process", "edit", "HR", "--set", "pillar=goverance"], "Did you mean 'governance'?"),
    (["process", "edit", "HR", "--set", "pillar"], "is not FIELD=VALUE"),
    (["dep", "add", "FIN", "FIN"], "cannot depend on itself"),
    (["dep", "add", "HR-REC", "FIN"], "already exists"),
    (["kpi", "add", "HR-REC", "--name", "Time to hire", "--direction", "lower",
      "--baseline", "100", "--target", "150"], "worse than baseline"),
    (["process", "show", "NOPE"], "no process has the code 'NOPE'"),
    (["process", "edit", "HR"], "nothing to change"),
    (["unit", "delete", "HRMD"], "still owns"),
], ids=["unknown-unit", "maturity-9", "unknown-pillar", "set-without-equals", "self-dependency",
        "duplicate-dependency", "kpi-target-worse", "unknown-process", "empty-edit",
        "unit-in-use"])
def test_bad_input_is_one_error_line_exit_1_and_changes_nothing(
        seeded: str, args: list[str], expected: str) -> None:
    before = audit_events(seeded)

    result = dti(seeded, *args)

    message = refused(result)
    assert expected in message
    assert result.output.splitlines() == [message]  # nothing on stdout either
    assert audit_events(seeded) == before


# ---------------------------------------------------------------- related records


def test_dependency_add_list_edit_remove_restore(seeded: str) -> None:
    db = seeded
    out = ok(dti(db, "dep", "add", "HR-REC-01", "FIN", "--kind", "information",
                 "--strength", "1", "--note", "vacancy costs feed the budget"))
    assert out == "Added dependency HR-REC-01 -> FIN.\n"
    deps = {(d["upstream_code"], d["downstream_code"]): d for d in records(db, "dep", "list")}
    assert set(deps) == {("HR-REC", "FIN"), ("HR-REC-01", "FIN")}
    assert deps["HR-REC-01", "FIN"]["kind"] == "information"
    assert deps["HR-REC-01", "FIN"]["strength"] == 1
    assert deps["HR-REC-01", "FIN"]["note"] == "vacancy costs feed the budget"
    assert deps["HR-REC", "FIN"]["kind"] == "handoff" and deps["HR-REC", "FIN"]["strength"] == 3
    assert [d["downstream_code"] for d in records(db, "dep", "list", "--process", "HR-REC-01")
            ] == ["FIN"]
    assert "HR-REC-01" in ok(dti(db, "dep", "list"))

    ok(dti(db, "dep", "edit", "HR-REC-01", "FIN", "--strength", "3", "--kind", "policy"))
    edited = [d for d in records(db, "dep", "list", "--process", "HR-REC-01")]
    assert (edited[0]["kind"], edited[0]["strength"]) == ("policy", 3)
    assert edited[0]["version"] == 2

    assert ok(dti(db, "dep", "remove", "HR-REC-01", "FIN")).startswith("Removed dependency")
    assert records(db, "dep", "list", "--process", "HR-REC-01") == []
    refused(dti(db, "dep", "edit", "HR-REC-01", "FIN", "--strength", "1"))

    assert ok(dti(db, "dep", "restore", "HR-REC-01", "FIN")).startswith("Restored dependency")
    restored = records(db, "dep", "list", "--process", "HR-REC-01")
    assert (restored[0]["kind"], restored[0]["strength"]) == ("policy", 3)


def test_kpi_add_list_edit_delete_restore(seeded: str) -> None:
    db = seeded
    out = ok(dti(db, "kpi", "add", "HR-REC", "--name", "Average time to hire",
                 "--unit-of-measure", "days", "--direction", "lower", "--baseline", "180",
                 "--target", "120", "--source", "HR statistics"))
    match = re.fullmatch(r"Added KPI (\d+) 'Average time to hire' to HR-REC\.\n", out)
    assert match, out
    kpi_id = match.group(1)
    [kpi] = records(db, "kpi", "list", "--process", "HR-REC")
    assert str(kpi["id"]) == kpi_id
    assert (kpi["name"], kpi["unit_of_measure"], kpi["direction"]) == (
        "Average time to hire", "days", "lower")
    assert (kpi["baseline"], kpi["target"]) == (180, 120)
    assert "Average time to hire" in ok(dti(db, "kpi", "list"))
    assert [k["name"] for k in process_json(db, "HR-REC")["kpis"]] == ["Average time to hire"]

    out = ok(dti(db, "kpi", "edit", kpi_id, "--set", "target=90", "--expect-version", "1"))
    assert out == f"Updated KPI {kpi_id} (version 2).\n"
    assert records(db, "kpi", "list")[0]["target"] == 90
    assert "worse than baseline" in refused(dti(db, "kpi", "edit", kpi_id, "--set", "target=200"))
    assert records(db, "kpi", "list")[0]["target"] == 90

    assert ok(dti(db, "kpi", "delete", kpi_id)) == f"Deleted KPI {kpi_id}.\n"
    assert records(db, "kpi", "list") == []
    assert ok(dti(db, "kpi", "restore", kpi_id)) == f"Restored KPI {kpi_id}.\n"
    assert [k["target"] for k in records(db, "kpi", "list")] == [90]


def test_assessment_add_list_edit_delete_restore(seeded: str) -> None:
    db = seeded
    out = ok(dti(db, "assessment", "add", "HR-REC", "operational_efficiency", "4",
                 "--rater", "analyst.a", "--low", "3", "--high", "5"))
    match = re.fullmatch(r"Added assessment (\d+): HR-REC operational_efficiency = 4 by "
                         r"analyst\.a\.\n", out)
    assert match, out
    first = match.group(1)
    ok(dti(db, "assessment", "add", "HR-REC", "operational_efficiency", "2",
           "--rater", "analyst.b"))
    ok(dti(db, "assessment", "add", "HR-REC", "complexity", "3", actor="carla"))

    listed = records(db, "assessment", "list", "--process", "HR-REC")
    assert sorted((a["criterion_key"], a["rater"], a["value"]) for a in listed) == [
        ("complexity", "carla", 3), ("operational_efficiency", "analyst.a", 4),
        ("operational_efficiency", "analyst.b", 2)]  # both raters kept, the actor rates by default
    assert "analyst.b" in ok(dti(db, "assessment", "list"))

    ok(dti(db, "assessment", "edit", first, "--set", "value=4.5", "--set", "high=5"))
    edited = [a for a in records(db, "assessment", "list") if str(a["id"]) == first]
    assert edited[0]["value"] == 4.5 and edited[0]["version"] == 2
    refused(dti(db, "assessment", "edit", first, "--set", "low=5"))  # low above value

    assert ok(dti(db, "assessment", "delete", first)) == f"Deleted assessment {first}.\n"
    assert first not in {str(a["id"]) for a in records(db, "assessment", "list")}
    assert ok(dti(db, "assessment", "restore", first)) == f"Restored assessment {first}.\n"
    assert first in {str(a["id"]) for a in records(db, "assessment", "list")}


def test_unit_add_list_edit_delete_restore(seeded: str) -> None:
    db = seeded
    assert ok(dti(db, "unit", "add", "BDT", "Development Bureau", "--kind", "bureau")) == (
        "Added unit BDT.\n")
    units = {u["code"]: u for u in records(db, "unit", "list")}
    assert set(units) == {"BDT", "FRMD", "HRMD"}
    assert units["BDT"]["kind"] == "bureau" and units["BDT"]["processes"] == 0
    assert units["HRMD"]["processes"] == 3
    assert "BDT" in ok(dti(db, "unit", "list"))

    ok(dti(db, "unit", "edit", "BDT", "--name", "Telecommunication Development Bureau"))
    assert {u["code"]: u["name"] for u in records(db, "unit", "list")}["BDT"] == (
        "Telecommunication Development Bureau")

    assert ok(dti(db, "unit", "delete", "BDT")) == "Deleted unit BDT.\n"
    assert "BDT" not in {u["code"] for u in records(db, "unit", "list")}
    assert "BDT" in {u["code"] for u in records(db, "unit", "list", "--include-deleted")}
    refused(dti(db, "process", "add", "--code", "BDT-PRJ", "--name", "Projects", "--unit", "BDT"))

    assert ok(dti(db, "unit", "restore", "BDT")) == "Restored unit BDT.\n"
    ok(dti(db, "process", "add", "--code", "BDT-PRJ", "--name", "Projects", "--unit", "BDT"))
    assert {u["code"]: u["processes"] for u in records(db, "unit", "list")}["BDT"] == 1


def test_codes_are_found_in_any_case_and_a_twin_in_another_case_is_refused(seeded: str) -> None:
    db = seeded
    assert process_json(db, "hr-rec")["code"] == "HR-REC"
    assert "HR-REC" in {d["upstream_code"] for d in records(db, "dep", "list", "--process", "fin")}
    line = refused(dti(db, "process", "add", "--code", "hr-rec", "--name", "Again", "--unit",
                       "hrmd"))
    assert "a process with the code HR-REC already exists" in line
    assert "a unit with the code HRMD already exists" in refused(dti(db, "unit", "add", "Hrmd",
                                                                      "Again"))
    assert ok(dti(db, "process", "delete", "hr-rec-01")).startswith("Deleted process HR-REC-01;")
    assert ok(dti(db, "process", "restore", "Hr-Rec-01")) == "Restored process HR-REC-01.\n"
    assert ok(dti(db, "unit", "edit", "frmd", "--name", "Finance")) == "Updated unit FRMD.\n"
    assert {p["code"] for p in records(db, "process", "list")} == {"HR", "HR-REC", "HR-REC-01",
                                                                   "FIN"}


# ---------------------------------------------------------------- audit and actors


def test_audit_lists_events_with_the_actor_given(seeded: str) -> None:
    db = seeded
    ok(dti(db, "process", "edit", "FIN", "--name", "Budget preparation", actor="carla"))
    ok(dti(db, "unit", "add", "ISD", "Information Services", actor="dan"))

    events = audit_events(db)
    assert events[0]["actor"] == "dan" and events[0]["entity_key"] == "ISD"  # newest first
    assert events[1]["actor"] == "carla" and events[1]["field"] == "name"
    assert (events[1]["old_value"], events[1]["new_value"]) == ("Budgeting", "Budget preparation")
    assert {e["actor"] for e in events} == {"first-start", "ana", "carla", "dan"}

    carla = records(db, "audit", "--actor", "carla")
    assert [(e["actor"], e["entity_key"]) for e in carla] == [("carla", "FIN")]
    assert len(records(db, "audit", "--limit", "2")) == 2
    table = ok(dti(db, "audit"))
    assert "carla" in table and "dan" in table and "Budget preparation" in table


def test_the_actor_is_recorded_in_process_history(seeded: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db = seeded
    ok(dti(db, "process", "edit", "HR-REC", "--status", "completed", actor="bea"))
    ok(dti(db, "kpi", "add", "HR-REC", "--name", "Offers accepted", "--baseline", "60",
           "--target", "80", actor="carla"))
    monkeypatch.setenv("DTI_ACTOR", "eve")
    ok(runner.invoke(app, ["--db", db, "process", "edit", "HR-REC", "--maturity", "3"]))

    history = records(db, "process", "history", "HR-REC")
    assert [(e["actor"], e["action"], e["entity"], e["field"]) for e in history] == [
        ("eve", "update", "process", "digital_maturity"),
        ("carla", "create", "kpi", None),
        ("bea", "update", "process", "transformation_status"),
        ("ana", "create", "dependency", None),
        ("ana", "create", "process", None),
    ]
    assert process_json(db, "HR-REC")["updated_by"] == "eve"
    table = ok(dti(db, "process", "history", "HR-REC"))
    for actor in ("ana", "bea", "carla", "eve"):
        assert actor in table


# ---------------------------------------------------------------- help


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the tree with its path. (Typer >= 0.20 vendors Click, so its classes are
    not ``click.Group``: walk by ``commands``, not by ``isinstance``.)"""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_the_command_tree_is_complete() -> None:
    paths = {" ".join(path) for path, _ in COMMANDS}
    for group in ("process", "dep", "kpi", "assessment", "unit"):
        for verb in ("add", "list", "edit", "restore"):
            assert f"{group} {verb}" in paths
    assert {"init", "audit", "process show", "process history", "dep remove"} <= paths


@pytest.mark.parametrize(("path", "command"), COMMANDS,
                         ids=[" ".join(p) or "dti" for p, _ in COMMANDS])
def test_every_command_has_help_text_and_help_exits_0(path: tuple[str, ...],
                                                      command: Any) -> None:
    assert (command.help or "").strip() or (command.short_help or "").strip(), (
        f"`dti {' '.join(path)}` has no help text")
    for param in command.params:
        if param.param_type_name == "option" and not getattr(param, "hidden", False):
            assert (param.help or "").strip(), f"`dti {' '.join(path)}` {param.opts} has no help"

    result = runner.invoke(app, [*path, "--help"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    assert "Traceback" not in result.output
