"""Spreadsheets in and out through the ``dti`` command line: ``export``, ``import``, ``template``
and ``imports``, driven as an analyst drives them, with assertions on what is printed and on what
the database holds afterwards (read back with :class:`inventory.services.Catalogue`).

The database tests run on SQLite and, when ``DTI_TEST_POSTGRES_URL`` is set, on PostgreSQL too.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import Result

from inventory.cli import app
from inventory.cli import shell as cli
from inventory.files.export import SHEET_NAMES, SHEETS
from inventory.services import Catalogue
from tests.frameworks import APQC_CROSS_INDUSTRY as APQC
from tests.frameworks import LONG_NAME, ROWS, glossary_text, industry_workbook
from tests.support import dti, ok, refused, runner
from tests.support import snapshot as every_row

CORPUS = Path(__file__).resolve().parent / "data" / "import_corpus"
TABLES = ("processes", "dependencies", "kpis", "assessments", "units", "initiatives",
          "deliverables")
WORKBOOK_SHEETS = ["README", "Processes", "Dependencies", "KPIs", "Assessments", "Units",
                   "Initiatives", "Deliverables"]

# Every corpus file that an import must refuse (tests/data/import_corpus/README.md), with a
# phrase of the reason it must give.
REFUSED = {
    "empty.csv": "is empty",
    "blank.csv": "is empty",
    "header_only.csv": "header row but no data rows",
    "header_only.xlsx": "no data rows",
    "cp1252.csv": "--encoding cp1252",
    "utf16.csv": "is not a text (CSV) file",
    "macro.xlsm": "macro-enabled",
    "vba_inside.xlsx": "contains macros",
    "legacy.xls": "old Excel 97-2003 (.xls)",
    "not_really.xlsx": "not an Excel workbook although it is named .xlsx",
    "csv_named_zip.csv": "is an Excel workbook, not a .csv file",
    "zip_not_excel.xlsx": "is a zip file but not an Excel workbook",
    "zip_bomb.xlsx": "refused before reading",
    "damaged.xlsx": "damaged workbook",
    "corrupt_workbook.xlsx": "damaged workbook",
    "corrupt_sheet.xlsx": "damaged workbook",
    "lying_sizes.xlsx": "damaged workbook",
    "stray_cell.xlsx": "has cells as far as XFD1048576",
}
ACCEPTED = ["good_processes.csv", "bom.csv", "good_with_title.xlsx"]  # the same 5 rows

BAD_ROWS_CSV = (
    "code,name,unit,parent_code,transformation_status,digital_maturity\n"
    "HR,Human resources management,HRMD,,ongoing,2\n"      # row 2: fine
    "HR-REC,Recruitment,HRMD,HR,planed,3\n"                # row 3: unknown status (planned?)
    "HR-PAY,Payroll,HRMD,HR,not_started,9\n"               # row 4: maturity out of 1-5
    "HR-REC,Recruitment again,HRMD,HR,planned,3\n"         # row 5: code already on row 3
    "FIN,Financial management,FRMD,,ongoing,3\n"           # row 6: fine
)


# ---------------------------------------------------------------- running dti






def imported(result: Result) -> str:
    """An import succeeded; return its stdout. Its stderr holds only progress lines (and, with
    ``--format json``, the closing sentence), never an error or a traceback."""
    assert result.exit_code == 0, result.output
    assert result.exception is None, result.exception
    assert "Traceback" not in result.output
    assert not any(line.startswith("Error") for line in result.stderr.splitlines())
    return result.stdout




def import_refused(result: Result) -> str:
    """An import refused: exit 1, no traceback, and stderr ends with its one ``Error:`` line
    (the progress lines before it are the bug held by
    ``test_a_refused_import_prints_only_the_error_line_on_stderr``). Return the line."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"crashed with {result.exception!r}")
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines, "nothing on stderr"
    assert lines[-1].startswith("Error: "), result.stderr
    assert [line for line in lines if "Error" in line] == [lines[-1]], result.stderr
    return lines[-1]


def records(db: str, *args: str) -> list[dict[str, Any]]:
    """The JSON output of a list command."""
    parsed = json.loads(ok(dti(db, *args, "--format", "json")))
    assert isinstance(parsed, list)
    return parsed


def printed_counts(stdout: str) -> dict[str, tuple[int, int, int]]:
    """The counts table an import prints: kind -> (created, updated, unchanged)."""
    found = re.findall(r"^\s*(units|processes|dependencies|kpis|assessments|initiatives|"
                       r"deliverables)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", stdout, re.MULTILINE)
    assert [kind for kind, *_ in found] == ["units", "processes", "dependencies", "kpis",
                                            "assessments", "initiatives", "deliverables"], stdout
    return {kind: (int(c), int(u), int(n)) for kind, c, u, n in found}


def created(stdout: str) -> dict[str, int]:
    return {kind: counts[0] for kind, counts in printed_counts(stdout).items()}


def import_payload(stdout: str) -> dict[str, Any]:
    """The JSON object printed by ``import --format json``."""
    parsed = json.loads(stdout)
    assert isinstance(parsed, dict)
    return parsed


# ---------------------------------------------------------------- the database behind the CLI


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read through a :class:`Catalogue`, to prove nothing changed."""
    catalogue = Catalogue.open(url, migrate_schema=False)
    try:
        return every_row(catalogue)
    finally:
        catalogue.engine.dispose()


def stored_counts(url: str) -> dict[str, int]:
    catalogue = Catalogue.open(url, migrate_schema=False)
    try:
        return catalogue.counts()
    finally:
        catalogue.engine.dispose()


def stored_processes(url: str) -> dict[str, dict[str, Any]]:
    catalogue = Catalogue.open(url, migrate_schema=False)
    try:
        return {str(p["code"]): p for p in catalogue.processes().to_dict("records")}
    finally:
        catalogue.engine.dispose()


def stored_dependencies(url: str) -> set[tuple[str, str]]:
    catalogue = Catalogue.open(url, migrate_schema=False)
    try:
        frame = catalogue.dependencies()
        return set(zip(frame["upstream_code"], frame["downstream_code"], strict=True))
    finally:
        catalogue.engine.dispose()


def stored_imports(url: str) -> list[dict[str, Any]]:
    catalogue = Catalogue.open(url, migrate_schema=False)
    try:
        return list(catalogue.imports().to_dict("records"))
    finally:
        catalogue.engine.dispose()


@pytest.fixture
def db(database_url: str) -> str:
    """An initialised, empty database (created by ``dti init``)."""
    ok(dti(database_url, "init"))
    return database_url


@pytest.fixture
def units_db(db: str) -> str:
    """The units the corpus files name: HRMD and FRMD."""
    ok(dti(db, "unit", "add", "HRMD", "Human Resources", "--kind", "gs_department"))
    ok(dti(db, "unit", "add", "FRMD", "Financial Resources", "--kind", "gs_department"))
    return db


@pytest.fixture
def sample_db(database_url: str) -> str:
    """The sample inventory, loaded by ``dti init --sample``."""
    out = ok(dti(database_url, "init", "--sample"))
    assert "Sample loaded" in out
    return database_url


@pytest.fixture
def other_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind as ``database_url`` (not initialised)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/other.db"
        return
    admin_url = make_url(os.environ["DTI_TEST_POSTGRES_URL"].replace(
        "postgresql://", "postgresql+psycopg://", 1))
    name = f"dti_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


# ---------------------------------------------------------------- export


def test_export_writes_the_workbook_and_each_table_as_csv(sample_db: str,
                                                          tmp_path: Path) -> None:
    counts = stored_counts(sample_db)
    assert counts["processes"] > 0 and counts["assessments"] > 0

    book = tmp_path / "out.xlsx"
    assert ok(dti(sample_db, "export", str(book))) == f"Exported to {book}.\n"
    workbook = openpyxl.load_workbook(book, read_only=True)
    assert workbook.sheetnames == WORKBOOK_SHEETS
    for kind in TABLES:
        rows = list(workbook[SHEET_NAMES[kind]].iter_rows(values_only=True))
        assert list(rows[0]) == list(SHEETS[SHEET_NAMES[kind]])
        assert len(rows) - 1 == counts[kind], kind
    workbook.close()

    for kind in TABLES:
        target = tmp_path / f"{kind}.csv"
        assert ok(dti(sample_db, "export", str(target), "--table", kind)) == (
            f"Exported to {target}.\n")
        header, *rows = csv_rows(target)
        assert header == list(SHEETS[SHEET_NAMES[kind]]), kind
        assert len(rows) == counts[kind], kind
    codes = {row[0] for row in csv_rows(tmp_path / "processes.csv")[1:]}
    assert codes == set(stored_processes(sample_db))


def test_export_without_table_writes_processes(sample_db: str, tmp_path: Path) -> None:
    ok(dti(sample_db, "export", str(tmp_path / "default.csv")))
    ok(dti(sample_db, "export", str(tmp_path / "processes.csv"), "--table", "processes"))
    assert (tmp_path / "default.csv").read_bytes() == (tmp_path / "processes.csv").read_bytes()


@pytest.mark.parametrize(("name", "args", "expected"), [
    ("out.csv", ["--table", "widgets"],
     "there is no table 'widgets'; choose one of units, processes, dependencies, kpis, "
     "assessments"),
    ("out.txt", [], "cannot export to '.txt': name the file .xlsx or .csv"),
    ("out", [], "name the file .xlsx or .csv"),
], ids=["unknown-table", "txt", "no-suffix"])
def test_export_refuses_an_unknown_table_or_file_type(sample_db: str, tmp_path: Path,
                                                      name: str, args: list[str],
                                                      expected: str) -> None:
    result = dti(sample_db, "export", str(tmp_path / name), *args)

    assert expected in refused(result)
    assert result.stdout == ""
    assert not (tmp_path / name).exists()


# ---------------------------------------------------------------- round trip


def test_an_exported_workbook_imports_into_an_empty_database_and_exports_identically(
        sample_db: str, other_database_url: str, tmp_path: Path) -> None:
    sample_counts = stored_counts(sample_db)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    book = first / "out.xlsx"
    ok(dti(sample_db, "export", str(book)))
    for kind in TABLES:
        ok(dti(sample_db, "export", str(first / f"{kind}.csv"), "--table", kind))

    target = other_database_url
    ok(dti(target, "init"))
    out = imported(dti(target, "import", str(book), actor="importer"))

    assert printed_counts(out) == {kind: (sample_counts[kind], 0, 0) for kind in TABLES}
    assert out.splitlines()[-1] == "out.xlsx imported: 0 warning(s)."
    # Progress notes are not part of the workbook.
    assert stored_counts(target) == sample_counts | {"progress_updates": 0}
    [record] = stored_imports(target)
    assert (record["file_name"], record["actor"], record["mode"]) == (
        "out.xlsx", "importer", "insert")
    for kind in TABLES:
        ok(dti(target, "export", str(second / f"{kind}.csv"), "--table", kind))
        assert (second / f"{kind}.csv").read_bytes() == (first / f"{kind}.csv").read_bytes(), kind


# ---------------------------------------------------------------- dry run, twice, force


def test_a_dry_run_prints_counts_and_changes_nothing_then_a_second_import_needs_force(
        units_db: str) -> None:
    db = units_db
    ok(dti(db, "process", "add", "--code", "OLD", "--name", "Existing", "--unit", "HRMD"))
    file = str(CORPUS / "good_processes.csv")
    audit_before = records(db, "audit", "--limit", "100000")
    processes_before = records(db, "process", "list")
    stored_before = snapshot(db)

    out = imported(dti(db, "import", file, "--dry-run"))

    assert printed_counts(out)["processes"] == (5, 0, 0)
    assert out.splitlines()[-1] == (
        "good_processes.csv would be imported (dry run: nothing changed): 0 warning(s).")
    assert records(db, "audit", "--limit", "100000") == audit_before
    assert records(db, "process", "list") == processes_before
    assert snapshot(db) == stored_before

    out = imported(dti(db, "import", file, actor="bea"))
    assert printed_counts(out)["processes"] == (5, 0, 0)
    assert out.splitlines()[-1] == "good_processes.csv imported: 0 warning(s)."
    stored = stored_processes(db)
    assert set(stored) == {"OLD", "HR", "HR-REC", "HR-PAY", "FIN", "FIN-BUD"}
    assert stored["HR-REC"]["parent_code"] == "HR" and stored["HR-REC"]["digital_maturity"] == 3
    assert stored["FIN-BUD"]["transformation_status"] == "completed"
    after_first = snapshot(db)

    again = dti(db, "import", file, actor="carla")
    message = import_refused(again)
    assert "already imported" in message and "bea" in message and "force" in message
    assert snapshot(db) == after_first

    out = imported(dti(db, "import", file, "--force", "--mode", "upsert", actor="carla"))
    assert printed_counts(out)["processes"] == (0, 0, 5)
    assert all(counts[0] == 0 for counts in printed_counts(out).values())
    assert "already imported" in out  # reported as a warning
    assert stored_counts(db)["processes"] == 6
    assert [(r["actor"], r["mode"]) for r in stored_imports(db)] == [
        ("carla", "upsert"), ("bea", "insert")]


# ---------------------------------------------------------------- all or nothing


def test_row_errors_are_each_reported_with_row_and_column_and_nothing_is_changed(
        units_db: str, tmp_path: Path) -> None:
    db = units_db
    ok(dti(db, "process", "add", "--code", "OLD", "--name", "Existing", "--unit", "HRMD"))
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_ROWS_CSV, encoding="utf-8")
    before = snapshot(db)

    result = dti(db, "import", str(bad))

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: 3 error(s) block the import of bad.csv")
    assert "nothing was changed" in last
    report = result.stdout
    for row, column, value in [(3, "transformation_status", "planed"),
                               (4, "digital_maturity", "9"), (5, "code", "HR-REC")]:
        assert re.search(rf"^\s*error\s+bad\.csv\s+{row}\s+{column}\s+{value}\s", report,
                         re.MULTILINE), (row, column, report)
    assert len(re.findall(r"^\s*error\s", report, re.MULTILINE)) == 3
    assert snapshot(db) == before
    assert set(stored_processes(db)) == {"OLD"}
    assert stored_imports(db) == []

    as_json = dti(db, "import", str(bad), "--format", "json")
    assert as_json.exit_code == 1
    assert as_json.stderr.splitlines()[-1] == last
    errors = {(p["row"], p["column"]): p for p in import_payload(as_json.stdout)["problems"]
              if p["severity"] == "error"}
    assert set(errors) == {(3, "transformation_status"), (4, "digital_maturity"), (5, "code")}
    assert "Did you mean 'planned'?" in errors[3, "transformation_status"]["message"]
    assert "must be 5 or less" in errors[4, "digital_maturity"]["message"]
    assert "appears also on row 3" in errors[5, "code"]["message"]
    assert errors[3, "transformation_status"]["value"] == "planed"
    assert snapshot(db) == before


def test_the_table_report_shows_how_to_fix_each_problem(units_db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_ROWS_CSV, encoding="utf-8")

    result = dti(units_db, "import", str(bad))

    assert result.exit_code == 1
    assert "Did you mean 'planned'?" in result.stdout
    assert "must be 5 or less" in result.stdout
    assert "keep one row per record" in result.stdout


# ---------------------------------------------------------------- mapping


STAFF_CSV = ("Ref,Title,Lead,Notes\n"
             "HR,Human resources,Chief HR,first\n"
             "HR-REC,Recruitment,Recruiter,second\n")


def test_map_default_and_a_saved_mapping_reproduce_the_same_import(
        db: str, other_database_url: str, tmp_path: Path) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF_CSV, encoding="utf-8")
    saved = tmp_path / "staff-mapping.json"
    for url in (db, other_database_url):
        ok(dti(url, "init"))
        ok(dti(url, "unit", "add", "HRMD", "Human Resources"))

    out = imported(dti(db, "import", str(staff), "--map", "code=Ref", "--map", "name=Title",
                       "--map", "process_owner=Lead", "--default", "unit=HRMD",
                       "--save-mapping", str(saved)))
    assert out.splitlines()[0] == f"Saved the mapping to {saved}."
    assert printed_counts(out)["processes"] == (2, 0, 0)
    assert re.search(r"^\s*warning\s+staff\.csv\s+Notes\s+column not imported", out,
                     re.MULTILINE)
    options = json.loads(saved.read_text(encoding="utf-8"))
    assert options["mapping"] == {"code": "Ref", "name": "Title", "process_owner": "Lead"}
    assert options["defaults"] == {"unit": "HRMD"}

    again = imported(dti(other_database_url, "import", str(staff), "--mapping", str(saved)))

    assert "Saved the mapping" not in again
    assert printed_counts(again) == printed_counts(out)
    volatile = {"id", "created_at", "updated_at"}
    first = {code: {k: v for k, v in p.items() if k not in volatile}
             for code, p in stored_processes(db).items()}
    second = {code: {k: v for k, v in p.items() if k not in volatile}
              for code, p in stored_processes(other_database_url).items()}
    assert second == first
    assert first["HR-REC"]["process_owner"] == "Recruiter"
    assert first["HR-REC"]["unit"] == "HRMD" and first["HR"]["name"] == "Human resources"


def test_an_unknown_saved_mapping_is_refused_listing_the_saved_ones(units_db: str) -> None:
    before = snapshot(units_db)

    result = dti(units_db, "import", str(CORPUS / "good_processes.csv"), "--mapping",
                 "nonexistent")

    message = refused(result)
    assert "there is no saved mapping 'nonexistent'" in message
    assert "saved mappings: apqc-pcf" in message
    assert snapshot(units_db) == before


# ---------------------------------------------------------------- dependencies


def test_dependencies_from_a_second_file(units_db: str, tmp_path: Path) -> None:
    links = tmp_path / "links.csv"
    links.write_text("upstream_code,downstream_code,kind,strength\n"
                     "HR-REC,HR-PAY,handoff,3\n"
                     "FIN-BUD,HR-PAY,information,weak\n", encoding="utf-8")

    out = imported(dti(units_db, "import", str(CORPUS / "good_processes.csv"),
                       "--dependencies", str(links)))

    assert created(out)["processes"] == 5 and created(out)["dependencies"] == 2
    assert stored_dependencies(units_db) == {("HR-REC", "HR-PAY"), ("FIN-BUD", "HR-PAY")}
    by_pair = {(d["upstream_code"], d["downstream_code"]): d
               for d in records(units_db, "dep", "list")}
    assert (by_pair["HR-REC", "HR-PAY"]["kind"], by_pair["HR-REC", "HR-PAY"]["strength"]) == (
        "handoff", 3)
    assert by_pair["FIN-BUD", "HR-PAY"]["strength"] == 1


def test_a_bad_dependency_file_blocks_the_whole_import(units_db: str, tmp_path: Path) -> None:
    links = tmp_path / "links.csv"
    links.write_text("upstream_code,downstream_code,kind,strength\n"
                     "HR-REC,HR-PAY,handoff,3\n"
                     "HR-REC,GHOST,handoff,3\n", encoding="utf-8")
    before = snapshot(units_db)

    result = dti(units_db, "import", str(CORPUS / "good_processes.csv"),
                 "--dependencies", str(links))

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[-1].startswith("Error: 1 error(s) block the import")
    assert re.search(r"^\s*error\s+links\.csv\s+3\s", result.stdout, re.MULTILINE), result.stdout
    assert snapshot(units_db) == before


REGISTER_CSV = ("code,name,unit,external_reference,Inputs\n"
                "A,Alpha,HRMD,101,\n"
                "B,Beta,HRMD,102,uses [101]\n"
                "C,Gamma,FRMD,103,\"from [101] and [102]; also [103]\"\n")


def test_dependencies_from_references_in_a_column(units_db: str, tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER_CSV, encoding="utf-8")

    out = imported(dti(units_db, "import", str(register), "--references", "Inputs"))

    assert created(out)["processes"] == 3 and created(out)["dependencies"] == 3
    assert "C cites itself; the citation is ignored" in out
    assert stored_dependencies(units_db) == {("A", "B"), ("A", "C"), ("B", "C")}
    assert stored_processes(units_db)["B"]["external_reference"] == "102"


def test_an_unknown_reference_blocks_the_import(units_db: str, tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER_CSV.replace("uses [101]", "uses [999]"), encoding="utf-8")
    before = snapshot(units_db)

    result = dti(units_db, "import", str(register), "--references", "Inputs", "--format",
                 "json")

    assert result.exit_code == 1, result.output
    assert "nothing was changed" in result.stderr.splitlines()[-1]
    [error] = [p for p in import_payload(result.stdout)["problems"] if p["severity"] == "error"]
    assert (error["row"], error["column"], error["value"]) == (3, "Inputs", "999")
    assert "no process has the external reference '999'" in error["message"]
    assert snapshot(units_db) == before


def test_problem_rows_are_whole_numbers(units_db: str, tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER_CSV, encoding="utf-8")

    table = imported(dti(units_db, "import", str(register), "--references", "Inputs", "--dry-run"))
    result = dti(units_db, "import", str(register), "--references", "Inputs", "--dry-run",
                 "--format", "json")

    assert re.search(r"^\s*warning\s+register\.csv\s+4\s+Inputs\s+103\s", table, re.MULTILINE)
    rows = [p["row"] for p in import_payload(result.stdout)["problems"]]
    assert all(row is None or isinstance(row, int) for row in rows), rows


def test_the_references_column_is_not_reported_as_not_imported(units_db: str,
                                                               tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER_CSV, encoding="utf-8")

    result = dti(units_db, "import", str(register), "--references", "Inputs", "--dry-run",
                 "--format", "json")

    assert result.exit_code == 0, result.output
    assert not [p for p in import_payload(result.stdout)["problems"]
                if p["column"] == "Inputs" and "not imported" in p["message"]]


# ---------------------------------------------------------------- the bad-file corpus


@pytest.mark.parametrize(("name", "reason"), REFUSED.items(), ids=list(REFUSED))
def test_every_bad_corpus_file_is_refused_with_one_error_line(units_db: str, name: str,
                                                      reason: str) -> None:
    before = snapshot(units_db)

    result = dti(units_db, "import", str(CORPUS / name))

    message = import_refused(result)
    assert name in message and reason in message
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(units_db) == before


def test_a_refused_import_prints_only_the_error_line_on_stderr(units_db: str) -> None:
    for name in REFUSED:
        refused(dti(units_db, "import", str(CORPUS / name)))
    imported(dti(units_db, "import", str(CORPUS / "good_processes.csv")))
    refused(dti(units_db, "import", str(CORPUS / "good_processes.csv")))  # already imported


@pytest.mark.parametrize("name", ACCEPTED)
def test_every_good_corpus_file_imports(units_db: str, name: str) -> None:
    out = imported(dti(units_db, "import", str(CORPUS / name)))

    assert created(out)["processes"] == 5
    assert out.splitlines()[-1] == f"{name} imported: 0 warning(s)."
    stored = stored_processes(units_db)
    assert set(stored) == {"HR", "HR-REC", "HR-PAY", "FIN", "FIN-BUD"}
    assert stored["HR-REC"]["parent_code"] == "HR" and stored["HR-REC"]["unit"] == "HRMD"
    assert stored["FIN-BUD"]["parent_code"] == "FIN"


def test_formulas_are_read_as_their_stored_values_never_evaluated(units_db: str) -> None:
    out = imported(dti(units_db, "import", str(CORPUS / "formulas.xlsx")))

    assert created(out)["processes"] == 3
    stored = stored_processes(units_db)
    assert {code: p["name"] for code, p in stored.items()} == {
        "HR-REC": "Recruitment", "HR-PAY": "Payroll", "HR-TXT": "=1+1"}
    assert stored["HR-REC"]["digital_maturity"] == 3


def test_a_dependencies_sheet_of_the_same_workbook(units_db: str) -> None:
    out = imported(dti(units_db, "import", str(CORPUS / "good_with_title.xlsx"),
                       "--sheet", "Processes", "--dependencies-sheet", "Dependencies"))

    assert created(out)["processes"] == 5 and created(out)["dependencies"] == 2
    assert stored_dependencies(units_db) == {("HR-REC", "HR-PAY"), ("FIN-BUD", "HR-PAY")}


def test_cp1252_imports_with_its_encoding(units_db: str) -> None:
    out = imported(dti(units_db, "import", str(CORPUS / "cp1252.csv"), "--encoding", "cp1252"))

    assert created(out)["processes"] > 0
    names = " ".join(str(p["name"]) for p in stored_processes(units_db).values())
    assert "é" in names


# ---------------------------------------------------------------- template


def test_template_writes_an_empty_workbook(tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"

    out = ok(runner.invoke(app, ["template", str(target)]))

    assert out == f"Template written to {target}.\n"
    workbook = openpyxl.load_workbook(target, read_only=True)
    assert workbook.sheetnames == WORKBOOK_SHEETS
    for sheet in WORKBOOK_SHEETS[1:]:
        rows = [row for row in workbook[sheet].iter_rows(values_only=True)
                if any(cell is not None for cell in row)]
        assert rows == [SHEETS[sheet]], sheet
    readme = [row for row in workbook["README"].iter_rows(values_only=True) if any(row)]
    assert len(readme) > 1
    workbook.close()


def test_template_refuses_a_csv_name(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"

    result = runner.invoke(app, ["template", str(target)])

    assert "the template is a workbook: name the file .xlsx" in refused(result)
    assert not target.exists()


def test_an_empty_template_is_refused_as_an_import(units_db: str, tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    ok(runner.invoke(app, ["template", str(target)]))
    before = snapshot(units_db)

    message = import_refused(dti(units_db, "import", str(target)))

    assert "no data rows" in message
    assert snapshot(units_db) == before


# ---------------------------------------------------------------- imports and --format json


def test_imports_lists_each_import_with_file_name_and_actor(units_db: str,
                                                            tmp_path: Path) -> None:
    db = units_db
    assert ok(dti(db, "imports")) == "(none)\n"
    imported(dti(db, "import", str(CORPUS / "good_processes.csv"), actor="carla"))
    more = tmp_path / "more.csv"
    more.write_text("code,name,unit,parent_code\nHR-ADM,Administration,HRMD,HR\n",
                    encoding="utf-8")
    imported(dti(db, "import", str(more), actor="dan"))

    listed = records(db, "imports")

    assert [(i["file_name"], i["actor"], i["mode"]) for i in listed] == [
        ("more.csv", "dan", "insert"), ("good_processes.csv", "carla", "insert")]
    assert json.loads(listed[1]["counts"])["processes"]["created"] == 5
    assert listed[1]["sha256"] == stored_imports(db)[1]["sha256"]
    table = ok(dti(db, "imports"))
    assert re.search(r"\scarla\s+good_processes\.csv\s+insert\s", table), table
    assert re.search(r"\sdan\s+more\.csv\s+insert\s", table), table


def test_import_format_json_gives_counts_and_problems(units_db: str) -> None:
    result = dti(units_db, "import", str(CORPUS / "good_processes.csv"), "--format", "json")

    assert result.exit_code == 0, result.output
    payload = import_payload(result.stdout)
    assert set(payload) >= {"file", "sha256", "imported", "dry_run", "counts", "problems"}
    assert payload["file"] == "good_processes.csv"
    assert payload["imported"] is True and payload["dry_run"] is False
    assert re.fullmatch(r"[0-9a-f]{64}", payload["sha256"])
    counts = {c["records"]: c for c in payload["counts"]}
    assert set(counts) == set(TABLES)
    assert (counts["processes"]["created"], counts["processes"]["updated"]) == (5, 0)
    assert payload["problems"] == []
    assert result.stderr.splitlines()[-1] == "good_processes.csv imported: 0 warning(s)."
    assert stored_counts(units_db)["processes"] == 5


def test_import_format_json_of_a_dry_run_with_warnings(units_db: str, tmp_path: Path) -> None:
    file = tmp_path / "extra.csv"
    file.write_text("code,name,unit,Comment\nP1,One,HRMD,hello\n", encoding="utf-8")

    result = dti(units_db, "import", str(file), "--dry-run", "--format", "json")

    assert result.exit_code == 0, result.output
    payload = import_payload(result.stdout)
    assert payload["imported"] is False and payload["dry_run"] is True
    [problem] = payload["problems"]
    assert (problem["severity"], problem["column"]) == ("warning", "Comment")
    assert "would be imported (dry run: nothing changed): 1 warning(s)" in result.stderr
    assert stored_counts(units_db)["processes"] == 0


def test_import_format_json_prints_nothing_but_json_on_stdout(units_db: str) -> None:
    result = dti(units_db, "import", str(CORPUS / "good_processes.csv"), "--dry-run",
                 "--format", "json")

    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), dict)  # e.g. `dti import ... | jq .` works


# ---------------------------------------------------------------- APQC PCF


def test_the_apqc_pcf_imports_in_five_levels(db: str) -> None:
    ok(dti(db, "unit", "add", "SPM", "Strategic Planning and Membership"))

    out = imported(dti(db, "import", str(APQC), "--mapping", "apqc-pcf", "--default", "unit=SPM"))

    assert printed_counts(out)["processes"] == (1921, 0, 0)
    listed = records(db, "process", "list")
    assert len(listed) == 1921
    assert {p["level"] for p in listed} == {1, 2, 3, 4, 5}
    by_code = {p["code"]: p for p in listed}
    assert by_code["1.0"]["parent_code"] is None and by_code["1.1"]["parent_code"] == "1.0"
    assert by_code["1.1.1"]["parent_code"] == "1.1"
    assert {p["unit"] for p in listed} == {"SPM"}
    assert all(p["external_reference"] for p in listed)
    assert all(p["description"] for p in listed)  # from its 'Element Description' column


@pytest.mark.parametrize("options", [
    ["--mapping", "apqc-pcf"],
    ["--sheet", "Combined", "--map", "code=Hierarchy ID", "--map", "external_reference=PCF ID",
     "--hierarchy", "dotted", "--glossary-sheet", "Glossary terms"],
], ids=["saved mapping", "options"])
def test_an_apqc_industry_pcf_imports_with_the_same_saved_mapping(
        db: str, tmp_path: Path, options: list[str]) -> None:
    """An industry PCF: a name of 209 characters, and descriptions in 'Glossary terms'."""
    ok(dti(db, "unit", "add", "BNK", "Banking"))
    book = tmp_path / "banking-pcf.xlsx"
    book.write_bytes(industry_workbook())

    out = imported(dti(db, "import", str(book), *options, "--default", "unit=BNK"))

    assert printed_counts(out)["processes"] == (len(ROWS), 0, 0)
    assert "1 of 5 processes of sheet 'Combined' have no text here" in out
    by_code = {p["code"]: p for p in records(db, "process", "list")}
    assert by_code["1.1.1"]["name"] == LONG_NAME and by_code["1.1.1"]["parent_code"] == "1.1"
    assert {code: p["description"] for code, p in by_code.items()} == {
        code: glossary_text(code) for _, code, _, _ in ROWS}


def test_init_starts_a_new_inventory_from_the_apqc_pcf_with_a_progress_bar(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`dti init --framework apqc-pcf`: the cross-industry PCF in data/apqc instead of the
    sample, in one unit (APQC), its five levels, fed to the progress bar to the end."""
    steps: list[tuple[str, float]] = []

    @contextmanager
    def recording_bar(label: str) -> Iterator[Callable[[str, float], None]]:
        steps.append((label, 0.0))
        yield lambda step, done: steps.append((step, done))

    monkeypatch.setattr(cli, "progress_bar", recording_bar)
    db = str(tmp_path / "pcf.db")

    out = ok(dti(db, "init", "--framework", "apqc-pcf"))

    assert "1,921 processes in 5 levels, owned by unit APQC" in out
    assert "data/apqc/NOTICE.md" in out
    listed = records(db, "process", "list")
    assert len(listed) == 1921 and {p["level"] for p in listed} == {1, 2, 3, 4, 5}
    assert {p["unit"] for p in listed} == {"APQC"}
    by_code = {p["code"]: p for p in listed}
    assert by_code["1.1.1"]["parent_code"] == "1.1" and by_code["1.0"]["parent_code"] is None
    assert records(db, "unit", "list")[0]["name"] == "APQC Process Classification Framework"
    assert [i["file_name"] for i in records(db, "imports")] == [APQC.name]
    assert steps[0] == ("Loading apqc-pcf", 0.0) and steps[-1] == ("Done", 1.0)

    again = dti(db, "init", "--framework", "apqc-pcf")
    assert refused(again) == (
        "Error: the database already holds 1,921 process(es), deleted ones included; "
        "--framework starts a new inventory only (to add apqc-pcf to this one, use dti import "
        "with --mapping apqc-pcf)")
    assert len(records(db, "process", "list")) == 1921


def test_init_puts_the_framework_in_the_unit_named_and_refuses_what_it_cannot_do(
        tmp_path: Path) -> None:
    db = str(tmp_path / "spm.db")
    ok(dti(db, "init"))
    ok(dti(db, "unit", "add", "SPM", "Strategic Planning and Membership"))

    out = ok(dti(db, "init", "--framework", "apqc-pcf", "--unit", "spm"))

    assert "1,921 processes in 5 levels, owned by unit SPM" in out
    assert {u["code"]: u["processes"] for u in records(db, "unit", "list")} == {"SPM": 1921}
    for arguments, said in [(["--framework", "nope"], "there is no framework 'nope'; "
                                                      "frameworks: apqc-pcf"),
                            (["--sample", "--framework", "apqc-pcf"],
                             "choose --sample or --framework, not both")]:
        assert refused(dti(str(tmp_path / "new.db"), "init", *arguments)) == f"Error: {said}"
    assert not (tmp_path / "new.db").exists()


# ---------------------------------------------------------------- an exported file re-imported


def test_an_export_reimported_with_upsert_changes_nothing(sample_db: str,
                                                          tmp_path: Path) -> None:
    book = tmp_path / "out.xlsx"
    ok(dti(sample_db, "export", str(book)))
    counts = stored_counts(sample_db)
    audit_before = records(sample_db, "audit", "--limit", "100000")

    out = imported(dti(sample_db, "import", str(book), "--mode", "upsert"))

    assert printed_counts(out) == {kind: (0, 0, counts[kind]) for kind in TABLES}
    assert len(records(sample_db, "audit", "--limit", "100000")) == len(audit_before)
    insert = dti(sample_db, "import", str(book), "--force")
    assert insert.exit_code == 1 and "Traceback" not in insert.output
    assert "already exists" in insert.stdout
    assert stored_counts(sample_db) == counts


def test_the_exported_csv_reads_as_csv(sample_db: str, tmp_path: Path) -> None:
    target = tmp_path / "kpis.csv"
    ok(dti(sample_db, "export", str(target), "--table", "kpis"))
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    listed = records(sample_db, "kpi", "list")
    assert sorted((r["process_code"], r["name"]) for r in rows) == sorted(
        (k["process_code"], k["name"]) for k in listed)


def test_a_hidden_sheet_is_imported_only_when_named_and_the_report_says_it_is_hidden(
        units_db: str) -> None:
    hidden = CORPUS / "hidden_first.xlsx"
    dry = dti(units_db, "import", str(hidden), "--dry-run")
    assert dry.exit_code == 0 and "sheet is hidden" not in dry.stdout + dry.stderr  # visible
    named = dti(units_db, "import", str(hidden), "--sheet", "Old", "--dry-run")
    assert named.exit_code == 0, named.output
    assert "this sheet is hidden in the workbook" in named.stdout + named.stderr
