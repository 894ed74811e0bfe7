"""A hostile user's values, through every way in (the workbook import, its dry run, ``dti import``
and the commands that add and edit records), on SQLite and PostgreSQL alike: each is refused
with a message naming the field, the value and what is allowed, and nothing changes.

Before the checks, PostgreSQL gave tracebacks or stored NaN and infinity where SQLite silently
stored the value, and assessments off their criterion's scale changed the ranking."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from inventory.errors import InvalidInput
from inventory.files.export import SHEET_NAMES, inventory_workbook
from inventory.files.importing import KEY_FIELDS, ImportOptions
from inventory.files.io import Upload
from inventory.services import Catalogue
from tests.conftest import POSTGRES_URL, empty_postgres
from tests.support import by, dti, refused, snapshot

PROCESS = "HR-REC"
CORPUS: list[tuple[str, str, str, Any, list[str]]] = [
    # (case, kind of record, field, value as the user gives it, words the message must hold)
    ("cost-nan", "processes", "estimated_cost_chf", "nan", ["estimated_cost_chf", "finite"]),
    ("fte-inf", "processes", "staff_effort_fte", "inf", ["staff_effort_fte", "finite"]),
    ("cycle-1e309", "processes", "cycle_time_days", "1e309", ["cycle_time_days", "finite"]),
    ("effort-minus-inf", "processes", "estimated_effort_pm", "-inf",
     ["estimated_effort_pm", "finite"]),
    ("description-nul", "processes", "description", "before\x00after", ["description", "NUL"]),
    ("owner-1001", "processes", "process_owner", "o" * 1001,
     ["process_owner", "at most 1,000 characters"]),
    ("reference-1001", "processes", "external_reference", "r" * 1001,
     ["external_reference", "at most 1,000 characters"]),
    ("volume-2^31", "processes", "annual_volume", 2**31, ["annual_volume", "2147483647"]),
    ("volume-2^63", "processes", "annual_volume", 2**63, ["annual_volume", "2147483647"]),
    ("kpi-unit-61", "kpis", "unit_of_measure", "u" * 61, ["unit_of_measure", "60"]),
    ("kpi-baseline-nan", "kpis", "baseline", "nan", ["baseline", "finite"]),
    ("kpi-target-inf", "kpis", "target", "inf", ["target", "finite"]),
    ("assessment-nan", "assessments", "value", "nan", ["value", "finite"]),
    ("assessment-inf", "assessments", "value", "inf", ["value", "finite"]),
    ("assessment-1e308", "assessments", "value", 1e308, ["from 1 to 5", "got 1e+308"]),
    ("assessment-minus-7", "assessments", "value", -7, ["from 1 to 5", "got -7"]),
    ("assessment-99", "assessments", "value", 99, ["from 1 to 5", "got 99"]),
    ("assessment-low-0", "assessments", "low", 0, ["low", "from 1 to 5", "got 0"]),
    ("assessment-unknown-key", "assessments", "criterion_key", "nosuch",
     ["unknown criterion 'nosuch'", "member_experience"]),
]
IDS = [case for case, *_ in CORPUS]


@pytest.fixture(autouse=True)
def _default_criteria(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default criteria set, whatever the developer's environment says."""
    monkeypatch.delenv("DTI_CRITERIA", raising=False)


def _target(frame: pd.DataFrame, kind: str) -> Any:
    """The row a case spoils: the process HR-REC, its first KPI, its first assessment with no
    range (a range would be refused first, for not holding the value)."""
    if kind == "processes":
        return frame.index[frame["code"] == PROCESS][0]
    mine = frame["process_code"] == PROCESS
    if kind == "assessments":
        mine &= frame["low"].isna() & frame["high"].isna()
    return frame.index[mine][0]


def _spoilt_workbook(catalogue: Catalogue, kind: str, field: str, value: Any) -> tuple[bytes, int]:
    """The inventory's own export with one cell spoilt, and that cell's row on its sheet."""
    frames = catalogue.frames()
    frame = frames[kind].astype({field: object})
    target = _target(frame, kind)
    frame.loc[target, field] = value
    frames[kind] = frame
    data = inventory_workbook(frames)
    sheet = pd.read_excel(io.BytesIO(data), sheet_name=SHEET_NAMES[kind], dtype=str,
                          engine="openpyxl")
    same = pd.Series(True, index=sheet.index)
    for name in KEY_FIELDS[kind]:
        same &= sheet[name] == str(frame.loc[target, name])
    return data, int(sheet.index[same][0]) + 2  # the header is row 1


def _problems_at(problems: pd.DataFrame, kind: str, row: int) -> list[str]:
    errors = problems[problems["severity"] == "error"]
    assert set(errors["sheet"]) == {SHEET_NAMES[kind]}, errors.to_dict("records")
    assert list(errors["row"]) == [row], errors.to_dict("records")
    return list(errors["message"])


@pytest.mark.parametrize(("case", "kind", "field", "value", "words"), CORPUS, ids=IDS)
def test_a_hostile_cell_blocks_the_whole_import_naming_sheet_row_and_field(
        sample_catalogue: Catalogue, sample_url: str, tmp_path: Path, case: str, kind: str,
        field: str, value: Any, words: list[str]) -> None:
    data, row = _spoilt_workbook(sample_catalogue, kind, field, value)
    before = snapshot(sample_catalogue)

    for dry_run in (True, False):
        result = sample_catalogue.import_file(Upload(f"{case}.xlsx", data), ImportOptions(),
                                              mode="upsert", actor=by("ana"), dry_run=dry_run)
        assert not result.imported
        for word in words:
            assert any(word in message for message in _problems_at(result.problems, kind, row))
        assert snapshot(sample_catalogue) == before

    file = tmp_path / f"{case}.xlsx"
    file.write_bytes(data)
    for options in (["--dry-run"], []):
        result = dti(sample_url, "import", str(file), "--mode", "upsert", "--format", "json",
                     *options)
        assert "error(s) block the import" in refused(result)
        for word in words:
            assert word in result.stdout
        assert snapshot(sample_catalogue) == before


def test_the_unspoilt_export_re_imports_without_a_problem(sample_catalogue: Catalogue) -> None:
    """The control for the cases above: only the spoilt cell is refused."""
    result = sample_catalogue.import_file(
        Upload("inventory.xlsx", inventory_workbook(sample_catalogue.frames())), ImportOptions(),
        mode="upsert", actor=by("ana"), dry_run=True)

    assert result.errors == 0, result.problems.to_dict("records")


def _commands(catalogue: Catalogue, kind: str, field: str, value: Any) -> list[list[str]]:
    """Every command that writes ``field`` of a ``kind`` record, given ``value`` as typed."""
    typed = f"{value:g}" if isinstance(value, float) else str(value)
    if kind == "processes":
        return [["process", "add", "--code", "NEW", "--name", "New", "--unit", "HRMD", "--set",
                 f"{field}={typed}"],
                ["process", "edit", PROCESS, "--set", f"{field}={typed}"]]
    frame = catalogue.kpis() if kind == "kpis" else catalogue.assessments()
    record_id = str(frame.loc[_target(frame, kind), "id"])
    if kind == "kpis":
        return [["kpi", "add", PROCESS, "--name", "New KPI", f"--{field.replace('_', '-')}",
                 typed],
                ["kpi", "edit", record_id, "--set", f"{field}={typed}"]]
    added = {"criterion_key": [typed, "3"], "value": ["complexity", typed],
             "low": ["complexity", "3", "--low", typed]}[field]
    commands = [["assessment", "add", PROCESS, *added, "--rater", "zoe"],
                ["assessment", "edit", record_id, "--set", f"{field}={typed}"]]
    if field != "low":
        key, number = added[:2]
        commands.append(["assess", "add", PROCESS, f"{key}={number}", "--rater", "zoe"])
    return commands


@pytest.mark.parametrize(("case", "kind", "field", "value", "words"), CORPUS, ids=IDS)
def test_a_hostile_value_on_the_command_line_is_refused_in_one_line(
        sample_catalogue: Catalogue, sample_url: str, case: str, kind: str, field: str,
        value: Any, words: list[str]) -> None:
    before = snapshot(sample_catalogue)

    for command in _commands(sample_catalogue, kind, field, value):
        message = refused(dti(sample_url, *command))
        assert any(word in message for word in words), (command, message)
        assert snapshot(sample_catalogue) == before


@pytest.mark.parametrize(("field", "value", "words"), [
    ("value", 99, ["Assessment of HR-REC", "member_experience", "from 1 to 5", "got 99"]),
    ("value", -7, ["Assessment of HR-REC", "member_experience", "from 1 to 5", "got -7"]),
    ("high", 6, ["the high of member_experience", "from 1 to 5", "got 6"]),
    ("criterion_key", "nosuch", ["Assessment of HR-REC", "unknown criterion 'nosuch'",
                                 "complexity"]),
    ("criterion_key", "volume", ["'volume' is not rated by people", "field:annual_volume"]),
])
def test_the_services_refuse_an_assessment_off_the_criteria_whatever_the_path(
        sample_catalogue: Catalogue, field: str, value: Any, words: list[str]) -> None:
    """The forms call add_assessment and update_assessment; the sample and scripts call load."""
    good = {"process_code": PROCESS, "criterion_key": "member_experience", "value": 3,
            "rater": "zoe"}
    bad = good | {field: value}
    before = snapshot(sample_catalogue)
    refusals = []

    for write in (lambda: sample_catalogue.add_assessment(bad, by("ana")),
                  lambda: sample_catalogue.load({"assessments": [good | {"rater": "max"}, bad]},
                                                by("ana"))):
        with pytest.raises(InvalidInput) as refusal:
            write()
        refusals.append(str(refusal.value))
        assert snapshot(sample_catalogue) == before
    record = sample_catalogue.add_assessment(good, by("ana"))
    if field != "criterion_key":
        with pytest.raises(InvalidInput) as refusal:
            sample_catalogue.update_assessment(int(record["id"]), {field: value},
                                               int(record["version"]), by("ana"))
        refusals.append(str(refusal.value))
    assert refusals[1].startswith("assessments record 2: ")
    for message in refusals:
        for word in words:
            assert word in message, message


@pytest.mark.skipif(not POSTGRES_URL, reason="needs DTI_TEST_POSTGRES_URL")
def test_a_sqlite_export_of_the_sample_imports_into_postgresql(
        sqlite_sample: Path, postgres_database: str) -> None:
    empty_postgres(postgres_database)
    source = Catalogue.open(f"sqlite:///{sqlite_sample}", migrate_schema=False)
    target = Catalogue.open(postgres_database)

    result = target.import_file(Upload("sample.xlsx", inventory_workbook(source.frames())),
                                ImportOptions(), mode="insert", actor=by("ana"))

    assert result.imported, result.problems.to_dict("records")
    columns = {"processes": "code", "dependencies": ["upstream_code", "downstream_code"],
               "kpis": ["process_code", "name"], "units": "code",
               "assessments": ["process_code", "criterion_key", "rater"]}
    for kind, key in columns.items():
        kept = [c for c in source.frames()[kind].columns if c not in
                ("id", "version", "created_at", "created_by", "updated_at", "updated_by")]
        mine, theirs = (c.frames()[kind][kept].sort_values(key, ignore_index=True)
                        for c in (source, target))
        pd.testing.assert_frame_equal(mine, theirs, check_dtype=False)
    source.engine.dispose()
    target.engine.dispose()
