"""Exports: the workbook and CSV tables re-import without mapping and never carry a formula."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet

from inventory.access import Actor, Role
from inventory.cli.scoring import ranking_inputs as _inputs
from inventory.files import backlog_export
from inventory.files.export import (
    DANGEROUS_PREFIXES,
    README_SHEET,
    SHEET_KINDS,
    SHEET_NAMES,
    SHEETS,
    VOCABULARIES,
    inventory_workbook,
    neutralise,
    restore,
    table_csv,
    template_workbook,
)
from inventory.files.io import Upload, read_table
from inventory.roadmap_schemas import INITIATIVE_FIELDS
from inventory.schemas import DIGITAL_MATURITY_LEVELS, PROCESS_FIELDS, Pillar
from inventory.services import Catalogue
from scoring import decision
from scoring.criteria import load_criteria
from scoring.ranking import rank
from scoring.scenario import Scenario
from tests.support import by, dti, ok

DATA_SHEETS = ["Processes", "Dependencies", "KPIs", "Assessments", "Units", "Initiatives",
               "Deliverables"]
FORMULAS = {"BDT": '=HYPERLINK("http://x")', "BDT-PRJ": "@SUM(1)", "BDT-PRJ-01": "\uff1d1+1"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _frames(catalogue: Catalogue) -> dict[str, pd.DataFrame]:
    return {"processes": catalogue.processes(), "dependencies": catalogue.dependencies(),
            "kpis": catalogue.kpis(), "assessments": catalogue.assessments(),
            "units": catalogue.units(), "initiatives": catalogue.initiatives.initiatives(),
            "deliverables": catalogue.initiatives.deliverables()}


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _header(sheet: Worksheet) -> list[object]:
    return [cell.value for cell in sheet[1]]


def _records(sheet: Worksheet) -> list[dict[str, object]]:
    header = [str(name) for name in _header(sheet)]
    return [dict(zip(header, row, strict=True))
            for row in sheet.iter_rows(min_row=2, values_only=True)]


def _validations(sheet: Worksheet) -> dict[str, tuple[str, str | None, str | None]]:
    """Column letter -> (type, formula1, formula2) of the sheet's data validations."""
    found = {}
    for rule in sheet.data_validations.dataValidation:
        for cell_range in str(rule.sqref).split():
            letter = re.match(r"[A-Z]+", cell_range)
            assert letter is not None
            found[letter.group()] = (rule.type, rule.formula1, rule.formula2)
    return found


def _letter(columns: tuple[str, ...], name: str) -> str:
    return openpyxl.utils.get_column_letter(columns.index(name) + 1)


# ---------------------------------------------------------------- neutralise and restore


def test_dangerous_prefixes_include_ascii_and_full_width_signs() -> None:
    assert set(DANGEROUS_PREFIXES) == {"=", "+", "-", "@", "\t", "\r", "\n",
                                       "\uff1d", "\uff0b", "\uff0d", "\uff20"}


@pytest.mark.parametrize(("text", "safe"), [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("+41 22 730 5111", "'+41 22 730 5111"),
    ("-5 days", "'-5 days"),
    ("@SUM(1)", "'@SUM(1)"),
    ("\tindented", "'\tindented"),
    ("\r\nline", "'\r\nline"),
    ("\uff1d1+1", "'\uff1d1+1"),
    ("\uff20user", "'\uff20user"),
    ("'quoted", "''quoted"),
    ("''", "'''"),
    ("Recruitment", "Recruitment"),
    ("a=b", "a=b"),
    (" =1", " =1"),
    ("", ""),
])
def test_neutralise_examples(text: str, safe: str) -> None:
    assert neutralise(text) == safe
    assert restore(safe) == text


def test_restore_leaves_other_text_alone() -> None:
    assert restore("'hello") == "'hello"  # an apostrophe neutralise would not have added
    assert restore("'") == "'"
    assert restore("plain") == "plain"
    assert restore("") == ""


_starts = st.sampled_from([*DANGEROUS_PREFIXES, "'", "''", "'=", " ", "a"])


@given(st.one_of(st.text(), st.builds(str.__add__, _starts, st.text())))
@example("'")
@example("'\uff0b")
@example("\uff0d'")
def test_restore_inverts_neutralise(text: str) -> None:
    safe = neutralise(text)
    assert restore(safe) == text
    assert safe[:1] not in DANGEROUS_PREFIXES
    assert safe == text or safe == "'" + text


# ---------------------------------------------------------------- sheets and cell values


def test_sheets_are_the_input_model_fields() -> None:
    assert list(SHEETS) == DATA_SHEETS
    assert SHEETS["Processes"] == PROCESS_FIELDS
    assert SHEETS["Processes"][:3] == ("code", "parent_code", "name")
    assert SHEETS["Processes"][-1] == "tags"
    assert SHEETS["Dependencies"] == ("upstream_code", "downstream_code", "kind", "strength",
                                      "note")
    assert SHEETS["KPIs"] == ("process_code", "name", "unit_of_measure", "direction", "baseline",
                              "target", "target_date", "source")
    assert SHEETS["Assessments"] == ("process_code", "criterion_key", "value", "low", "high",
                                     "rater", "rationale", "assessed_on")
    assert SHEETS["Units"] == ("code", "name", "kind")
    assert SHEETS["Initiatives"] == (*INITIATIVE_FIELDS, "lineage", "combined_into",
                                     "split_from")
    assert SHEETS["Deliverables"] == ("initiative_code", "ref", "objective", "milestone", "text",
                                      "due", "status", "evidence")
    assert SHEET_KINDS == {"Processes": "processes", "Dependencies": "dependencies",
                           "KPIs": "kpis", "Assessments": "assessments", "Units": "units",
                           "Initiatives": "initiatives", "Deliverables": "deliverables"}
    assert {SHEET_NAMES[kind] for kind in SHEET_KINDS.values()} == set(SHEETS)


def test_cell_values_by_type() -> None:
    frame = pd.DataFrame({
        "code": ["A", "B", "C"],
        "name": ["=1+1", "Plain", None],
        "kind": [Pillar.GOVERNANCE, None, np.nan],
        "strength": pd.array([2, None, 3], dtype="Int64"),
        "note": [dt.date(2026, 1, 5), pd.Timestamp("2026-02-03"), pd.NaT],
        "value": [2.5, float("nan"), 3.0],
        "flag": [True, False, np.bool_(True)],
        "big": [np.int64(12000), float("inf"), -4.0],
        "extra": ["dropped", "dropped", "dropped"],
    })
    columns = ("code", "name", "kind", "strength", "note", "value", "flag", "big")
    text = table_csv(frame, columns).decode("utf-8")
    assert text.splitlines() == [
        "code,name,kind,strength,note,value,flag,big",
        "A,'=1+1,governance,2,2026-01-05,2.5,true,12000",
        "B,Plain,,,2026-02-03,,false,inf",
        "C,,,3,,3,true,-4",
    ]
    with pytest.raises(ValueError, match="unit_of_measure"):
        table_csv(frame, ("code", "unit_of_measure"))


def test_processes_are_written_parents_first() -> None:
    frame = pd.DataFrame({"code": ["A-1", "B", "A", "A-1-x"],
                          "parent_code": ["A", None, None, "A-1"],
                          "name": ["child", "other", "parent", "grandchild"]})
    text = table_csv(frame, ("code", "parent_code")).decode()
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["A", "A-1", "B", "A-1-x"]


# ---------------------------------------------------------------- the inventory workbook


@pytest.fixture
def exported(sample_catalogue: Catalogue) -> tuple[dict[str, pd.DataFrame], bytes]:
    """The sample with three formula-like process names, as frames and as a workbook."""
    for code, name in FORMULAS.items():
        sample_catalogue.update_process(code, {"name": name}, None, by("test"))
    frames = _frames(sample_catalogue)
    return frames, inventory_workbook(frames)


def test_workbook_sheets_headers_and_rows(
        exported: tuple[dict[str, pd.DataFrame], bytes]) -> None:
    frames, data = exported
    book = _book(data)
    assert book.sheetnames == [README_SHEET, *DATA_SHEETS]
    for name in DATA_SHEETS:
        sheet = book[name]
        assert _header(sheet) == list(SHEETS[name])
        assert sheet.max_row - 1 == len(frames[SHEET_KINDS[name]]) > 0
        assert sheet.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(len(SHEETS[name]))
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
        assert sheet["A1"].font.b
        assert sheet["A1"].fill.fgColor.rgb not in (None, "00000000")
    processes = _records(book["Processes"])
    assert sorted(str(r["code"]) for r in processes) == sorted(frames["processes"]["code"])


def test_vocabulary_and_range_columns_have_validation(
        exported: tuple[dict[str, pd.DataFrame], bytes]) -> None:
    frames, data = exported
    book = _book(data)
    for (name, column), kind in VOCABULARIES.items():
        rules = _validations(book[name])
        rule_type, formula, _ = rules[_letter(SHEETS[name], column)]
        assert rule_type == "list"
        assert formula == '"' + ",".join(member.value for member in kind) + '"'
    checks = {("Processes", "digital_maturity"): ("1", "5"), ("Dependencies", "strength"):
              ("1", "3")}
    for (name, column), (low, high) in checks.items():
        assert _validations(book[name])[_letter(SHEETS[name], column)] == ("whole", low, high)
    ranges = {str(rule.sqref) for rule in book["Processes"].data_validations.dataValidation}
    assert f"H2:H{len(frames['processes']) + 1000}" in ranges


def test_formula_like_text_is_stored_as_text(
        exported: tuple[dict[str, pd.DataFrame], bytes]) -> None:
    _, data = exported
    book = _book(data)
    sheet = book["Processes"]
    name_column = SHEETS["Processes"].index("name")
    cells = {row[0].value: row[name_column] for row in sheet.iter_rows(min_row=2)}
    for code, name in FORMULAS.items():
        cell = cells[code]
        assert cell.data_type == "s"
        assert cell.value == "'" + name
        assert restore(str(cell.value)) == name
    formulas = [f"{ws.title}!{cell.coordinate}" for ws in book.worksheets
                for row in ws.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []


def test_dates_numbers_and_unknowns(exported: tuple[dict[str, pd.DataFrame], bytes]) -> None:
    frames, data = exported
    book = _book(data)
    processes = {r["code"]: r for r in _records(book["Processes"])}
    for row in frames["processes"].to_dict(orient="records"):
        cell = processes[row["code"]]
        start = row["earliest_start"]
        if isinstance(start, dt.date):
            assert cell["earliest_start"] == start.isoformat()
        else:
            assert cell["earliest_start"] is None
        if row["digital_maturity"] is pd.NA:
            assert cell["digital_maturity"] is None  # unknown is empty, not 0
        else:
            assert cell["digital_maturity"] == row["digital_maturity"]
        assert cell["quick_fix_candidate"] == ("true" if row["quick_fix_candidate"] else "false")
    assert any(r["digital_maturity"] is None for r in processes.values())
    kpi_dates = [r["target_date"] for r in _records(book["KPIs"])]
    assert all(d is None or ISO_DATE.match(str(d)) for d in kpi_dates)
    assert None in kpi_dates
    assessed = [r["assessed_on"] for r in _records(book["Assessments"])]
    assert assessed and all(ISO_DATE.match(str(d)) for d in assessed)
    lows = [r["low"] for r in _records(book["Assessments"])]
    assert None in lows and any(isinstance(v, int | float) for v in lows)
    for ws in book.worksheets:
        assert all(cell.value != "" for row in ws.iter_rows() for cell in row)


def test_readme_defines_every_column(exported: tuple[dict[str, pd.DataFrame], bytes]) -> None:
    _, data = exported
    sheet = _book(data)[README_SHEET]
    text = "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row
                     if cell.value is not None)
    assert "YYYY-MM-DD" in text and "empty cell means unknown" in text
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0] in SHEETS]
    assert [(r[0], r[1]) for r in rows] == [(name, column) for name, columns in SHEETS.items()
                                            for column in columns]
    allowed = {(r[0], r[1]): str(r[3]) for r in rows}
    for key, kind in VOCABULARIES.items():
        for member in kind:
            assert f"{member.value} = {member.label}" in allowed[key]
    for level, definition in DIGITAL_MATURITY_LEVELS.items():
        assert f"{level} = {definition}" in allowed[("Processes", "digital_maturity")]
    assert "C26" in allowed[("Processes", "target_milestone")]
    assert "PP-26" in allowed[("Processes", "target_milestone")]
    assert "CHF" in allowed[("Processes", "estimated_cost_chf")]
    assert "1 to 3" in allowed[("Dependencies", "strength")]
    assert "C26" in allowed[("Deliverables", "milestone")]
    assert "PROCESS-CODE: KPI name" in allowed[("Initiatives", "kpis")]
    assert "https://" in allowed[("Deliverables", "evidence")]


def test_workbook_reimports_unchanged(exported: tuple[dict[str, pd.DataFrame], bytes],
                                      tmp_path: Path) -> None:
    frames, data = exported
    upload = Upload("inventory.xlsx", data)
    records: dict[str, list[dict[str, Any]]] = {}
    for name, kind in SHEET_KINDS.items():
        table = read_table(upload, name)
        records[kind] = [{str(column): restore(value) for column, value in row.items() if value}
                         for row in table.frame.to_dict(orient="records")]
    copy = Catalogue.open(f"sqlite:///{tmp_path}/copy.db")
    try:
        copy.load(records, by("test"))
        again = _frames(copy)
    finally:
        copy.engine.dispose()
    for name, kind in SHEET_KINDS.items():
        assert table_csv(again[kind], SHEETS[name]) == table_csv(frames[kind], SHEETS[name])


# ---------------------------------------------------------------- CSV


def test_processes_csv(exported: tuple[dict[str, pd.DataFrame], bytes]) -> None:
    frames, _ = exported
    data = table_csv(frames["processes"], SHEETS["Processes"])
    assert not data.startswith(b"\xef\xbb\xbf")
    data.decode("utf-8")
    parsed = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert tuple(parsed.columns) == PROCESS_FIELDS
    assert sorted(parsed["code"]) == sorted(frames["processes"]["code"])
    names = dict(zip(parsed["code"], parsed["name"], strict=True))
    for code, name in FORMULAS.items():
        assert names[code] == "'" + name
        assert restore(names[code]) == name
    maturity = {str(code): value for code, value in
                zip(frames["processes"]["code"], frames["processes"]["digital_maturity"],
                    strict=True)}
    for row in parsed.to_dict(orient="records"):
        known = maturity[row["code"]]
        assert row["digital_maturity"] == ("" if known is pd.NA else str(known))
        assert row["quick_fix_candidate"] in ("true", "false")
        assert row["earliest_start"] == "" or ISO_DATE.match(row["earliest_start"])
    assert "" in set(parsed["digital_maturity"])
    assert not any(value.endswith(".0") for value in parsed["annual_volume"])
    for text in parsed.to_numpy().ravel():
        assert str(text)[:1] not in DANGEROUS_PREFIXES


def test_every_table_exports_as_csv(exported: tuple[dict[str, pd.DataFrame], bytes]) -> None:
    frames, _ = exported
    for name, kind in SHEET_KINDS.items():
        parsed = pd.read_csv(io.BytesIO(table_csv(frames[kind], SHEETS[name])), dtype=str,
                             keep_default_na=False)
        assert tuple(parsed.columns) == SHEETS[name]
        assert len(parsed) == len(frames[kind])


# ---------------------------------------------------------------- the template


def test_template_has_headers_validation_and_no_data() -> None:
    book = _book(template_workbook())
    assert book.sheetnames == [README_SHEET, *DATA_SHEETS]
    for name in DATA_SHEETS:
        sheet = book[name]
        assert _header(sheet) == list(SHEETS[name])
        assert sheet.max_row == 1
        assert sheet.freeze_panes == "A2"
    rules = _validations(book["Processes"])
    assert rules[_letter(SHEETS["Processes"], "pillar")][0] == "list"
    assert rules[_letter(SHEETS["Processes"], "digital_maturity")] == ("whole", "1", "5")
    ranges = {str(rule.sqref) for rule in book["Units"].data_validations.dataValidation}
    assert ranges == {"C2:C1000"}
    initiatives = _validations(book["Initiatives"])
    assert initiatives[_letter(SHEETS["Initiatives"], "status")] == (
        "list", '"completed,ongoing,planned,revised"', None)
    assert initiatives[_letter(SHEETS["Initiatives"], "budget_chf")][0] == "decimal"
    milestone = [rule for rule in book["Deliverables"].data_validations.dataValidation
                 if str(rule.sqref).startswith(_letter(SHEETS["Deliverables"], "milestone"))]
    # A drop-down of C26 and PP-26 that only informs, so that a date can be typed too.
    assert [(r.type, r.formula1, r.errorStyle) for r in milestone] == [
        ("list", '"C26,PP-26"', "information")]
    assert any("template" in str(row[0]) for row in book[README_SHEET].iter_rows(values_only=True))


# ---------------------------------------------------------------- the backlog handout


@pytest.fixture
def backlog_files(sample_url: str, tmp_path: Path) -> dict[str, Path]:
    """`dti backlog` on the sample, with a portfolio and a roadmap, in every format."""
    ok(dti(sample_url, "scenario", "create", "Plan", "--budget", "3000000", "--capacity", "80",
           "--uplift", "0.3"))
    files = {}
    for kind in ("xlsx", "csv", "json", "html"):
        files[kind] = tmp_path / "out" / f"backlog.{kind}"
        files[kind].parent.mkdir(exist_ok=True)
        ok(dti(sample_url, "backlog", "Plan", "--unknown", "zero", "--samples", "200",
               "--out", str(files[kind])))
    return files


def _cells(book: openpyxl.Workbook) -> list[str]:
    return [str(cell) for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]


def test_the_backlog_workbook_is_a_handout(backlog_files: dict[str, Path], sample_url: str,
                                           tmp_path: Path) -> None:
    """Headers in words (criterion labels from the criteria set), number formats, yes / no,
    an autofilter and frozen panes on every sheet, widths that fit, no storage address."""
    book = openpyxl.load_workbook(backlog_files["xlsx"])
    assert book.sheetnames[:2] == ["Backlog", "Scenario"] and "Columns" in book.sheetnames
    sheet = book["Backlog"]
    header = [str(h) for h in _header(sheet)]
    labels = {c.key: c.label for c in load_criteria().criteria}
    assert header[:3] == ["Rank", "Code", "Process"]
    assert {"Score", "In the top 10", "Cost (CHF)", "Chosen", "Why",
            f"Contribution: {labels['member_experience']}"} <= set(header)
    rows = list(sheet.iter_rows(min_row=2))
    formats = {"Rank": "0", "Score": "0.000", "In the top 10": "0%", "Cost (CHF)": "#,##0",
               f"Contribution: {labels['cost']}": "0.000"}
    for name, number_format in formats.items():
        cells = [row[header.index(name)] for row in rows if row[header.index(name)].value
                 is not None]
        assert cells and {c.number_format for c in cells} == {number_format}, name
    scores = [row[header.index("Score")].value for row in rows]
    assert all(round(float(s), 3) == s for s in scores)  # rounded for reading
    for name in ("Chosen", "Quick fix"):
        assert {row[header.index(name)].value for row in rows} <= {"yes", "no"}
    assert book["Scenario"]["B3"].value == "Weighted sum"
    for each in book.worksheets:
        names = [str(h) for h in _header(each)]
        assert all("_" not in h and h[0].isupper() for h in names), (each.title, names)
        assert each.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(names))}" \
                                       f"{max(each.max_row, 2)}", each.title
        assert each.freeze_panes is not None and each.freeze_panes[-1] == "2", each.title
    assert sheet.freeze_panes == "D2"  # rank, code and name stay in view
    process = openpyxl.utils.get_column_letter(header.index("Process") + 1)
    longest = max(len(str(row[header.index("Process")].value)) for row in rows)
    assert sheet.column_dimensions[process].width >= min(longest, 60)
    text = " ".join(_cells(book))
    for secret in (sample_url, str(tmp_path), "sqlite", "postgresql", "True", "False"):
        assert secret not in text


def test_the_backlog_csv_speaks_words_and_json_keeps_machine_keys(
        backlog_files: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(backlog_files["xlsx"])
    csv = pd.read_csv(backlog_files["csv"], encoding="utf-8-sig")
    assert csv.columns.tolist() == _header(book["Backlog"])
    assert set(csv["Chosen"]) <= {"yes", "no"}
    data = json.loads(backlog_files["json"].read_text(encoding="utf-8"))
    first = data["Backlog"][0]
    assert {"probability_top_n", "contribution_member_experience", "selected"} <= set(first)
    assert isinstance(first["selected"], bool)
    assert any(len(repr(row["score"])) > 7 for row in data["Backlog"])  # full precision
    keys = {row["column"]: row["header"] for row in data["Columns"]}
    assert keys["probability_top_n"] == "In the top 10" and keys["rank"] == "Rank"


def test_the_backlog_report_is_small_in_colour_and_says_nothing_unknown(
        backlog_files: dict[str, Path]) -> None:
    """The report opens offline without megabytes of script, draws in its own colours, and
    a process without a roadmap period is not 'planned nan'."""
    report = backlog_files["html"].read_text(encoding="utf-8")
    assert len(report.encode()) < 200_000 and "<script" not in report
    assert not re.search(r"#00000[1-9]", report)
    assert len(set(re.findall(r"fill='(#[0-9a-f]{6})'", report))) >= 10
    data = json.loads(backlog_files["json"].read_text(encoding="utf-8"))
    top = data["Backlog"][:15]
    assert any(row["period"] is None for row in top)  # some are not planned
    for word in ("nan", "None", "True", "False"):
        assert not re.search(rf"\b{word}\b", report), word
    assert "<th>In the top 10</th>" in report and "CHF 350,000" in report


def test_the_backlog_names_the_prerequisites_its_roadmap_could_not_place(
        sample_catalogue: Catalogue) -> None:
    """MEM-IDM needs ICT-IAM and MEM-ADM, which are not ranked: every form of the exported
    backlog says it is not planned, what it waits for, and lists those prerequisites with
    their status and what they hold back."""
    ranking = rank(_inputs(sample_catalogue), load_criteria(), Scenario())
    frames = sample_catalogue.frames()
    plan = decision.roadmap(ranking, frames["processes"], frames["dependencies"],
                            decision.default_periods(40.0))
    sheets = decision.backlog_sheets(
        "Plan", ranking, frames, robust=decision.robustness(ranking, samples=50),
        portfolio=None, plan=plan, exported_by="ben")
    files = {kind: backlog_export.export(kind, sheets, Actor("ben", Role.leadership),
                                         title="Plan") for kind in backlog_export.FORMATS}
    book = pd.read_excel(io.BytesIO(files["xlsx"]), sheet_name=None, engine="calamine")
    backlog = book["Backlog"].set_index("Code")
    assert pd.isna(backlog.loc["MEM-IDM", "Period"])
    assert backlog.loc["MEM-IDM", "Waiting for"] == "ICT-IAM, MEM-ADM"
    assert book["Roadmap"].set_index("Code").loc["MEM-IDM", "Waiting for"] == \
        "ICT-IAM, MEM-ADM"
    outside = book["Prerequisites in no period"].set_index("Code")
    assert outside.loc["ICT-IAM", "Status"] == "planned"
    assert outside.loc["MEM-ADM", "Status"] == "not started"
    assert outside.loc["ICT-IAM", "Ranked"] == "no"
    assert "MEM-IDM" in outside.loc["MEM-ADM", "Needed by"].split(", ")
    meanings = book["Columns"].set_index("Column")["Meaning"]
    assert "could not place" in meanings["waiting_for"]
    csv = pd.read_csv(io.BytesIO(files["csv"]), encoding="utf-8-sig").set_index("Code")
    assert csv.loc["MEM-IDM", "Waiting for"] == "ICT-IAM, MEM-ADM"
    data = json.loads(files["json"])
    assert {row["code"] for row in data["Prerequisites in no period"]} >= {"ICT-IAM",
                                                                           "MEM-ADM"}
    report = files["html"].decode("utf-8")
    assert "<h2>Prerequisites in no period</h2>" in report
    assert "waiting for ICT-IAM, MEM-ADM, which the roadmap could not place" in report


# Text a workbook can hold as it is (XML 1.0 has no other control characters), with the
# characters a formula starts with.
CELL_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs"), include_characters="\t\n=+-@'"),
                    max_size=12)


@settings(max_examples=40, deadline=None)  # a workbook each: about 0.1 s
@given(st.lists(st.tuples(CELL_TEXT, st.booleans(),
                          st.floats(0, 1e9) | st.just(math.nan), st.none() | st.floats(0, 1)),
                min_size=1, max_size=6))
@example([("=1+1", True, float("nan"), None)])
def test_every_handout_cell_is_words_or_a_rounded_figure(
        rows: list[tuple[str, bool, float, float | None]]) -> None:
    """Whatever the backlog holds: text neutralised, yes / no for true / false, figures
    rounded (scores to 3 decimals, shares to 3, CHF whole), unknown values empty, and the
    same words in the CSV."""
    frame = pd.DataFrame(rows, columns=["reasons", "selected", "cost_chf", "probability_top_n"])
    frame = frame.assign(score=frame["probability_top_n"])
    book = openpyxl.load_workbook(io.BytesIO(backlog_export.workbook({"Backlog": frame})))
    sheet = book["Backlog"]
    assert _header(sheet) == ["Reasons", "Selected", "Cost chf", "Probability top n", "Score"]
    for (text, chosen, cost, share), cells in zip(rows, sheet.iter_rows(min_row=2,
                                                                         values_only=True),
                                                  strict=True):
        assert cells[0] == (neutralise(text) if text else None)
        assert cells[1] == ("yes" if chosen else "no")
        assert cells[2] == (None if math.isnan(cost) else round(cost))
        assert cells[3] == cells[4] == (None if share is None else round(share, 3))
    csv = pd.read_csv(io.BytesIO(backlog_export.csv_bytes(frame)), encoding="utf-8-sig",
                      keep_default_na=False)
    assert csv.columns.tolist() == _header(sheet)
    assert set(csv["Selected"]) <= {"yes", "no"}
