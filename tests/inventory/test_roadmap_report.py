"""The roadmap report's files (inventory/files/roadmap_report.py), built from a dashboard the
services computed on a small roadmap (tests/roadmap_data.py): the workbook a task force opens,
the HTML page pasted into the Council document, CSV and JSON for other tools."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from typing import Any

import openpyxl
import pandas as pd
import pytest

from inventory.files.export import restore
from inventory.files.roadmap_report import (
    SHEET_ORDER,
    deliverables_csv,
    initiatives_csv,
    report_html,
    report_workbook,
    roadmap_json,
)
from inventory.roadmap_dashboard import Dashboard
from inventory.services import Catalogue
from tests.roadmap_data import AS_OF, HOSTILE, add_roadmap

FILLS = {"done": "C6EFCE", "on_track": "DDEBF7", "at_risk": "FFEB9C", "late": "FFC7CE",
         "dropped": "D9D9D9"}


@pytest.fixture
def roadmap(small_catalogue: Catalogue) -> Catalogue:
    add_roadmap(small_catalogue)
    return small_catalogue


@pytest.fixture
def board(roadmap: Catalogue) -> Dashboard:
    return roadmap.initiatives.dashboard(AS_OF)


@pytest.fixture
def workbook(roadmap: Catalogue, board: Dashboard) -> openpyxl.Workbook:
    data = report_workbook(board, roadmap.initiatives.count_over_time(),
                           title="=Roadmap status", generated_by="ana")
    return openpyxl.load_workbook(io.BytesIO(data))


def _rows(sheet: Any) -> list[dict[str, Any]]:
    """A table sheet's rows by header (the header in row 1; a row starts in column A)."""
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2) if row[0].value is not None]


def _fill(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


# ---------------------------------------------------------------- workbook


def test_the_workbook_has_its_sheets_and_a_stacked_chart_of_each_breakdown(
        workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == list(SHEET_ORDER)
    sheet = workbook["Dashboard"]
    charts = sheet._charts
    assert len(charts) == 2
    for chart in charts:
        assert chart.tagname == "barChart" and chart.grouping == "stacked"
        assert len(chart.series) == 4  # completed, ongoing, planned, revised
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0]}
    # One initiative per pillar here: Members and partners has the ongoing one.
    assert cells["Members and partners"][:5] == (0, 1, 0, 0, 1)
    assert cells["Boosting operational efficiency and impact"][:5] == (1, 0, 0, 0, 1)
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Completed")
    assert rows[header][:5] == ("Completed", "Ongoing", "Planned", "Revised", "Total")
    assert rows[header + 1][:5] == (1, 1, 1, 0, 3)
    assert len(workbook["Timeline"]._charts) == 1


def test_annex_cells_are_filled_by_the_deliverables_status_with_the_word_beside(
        workbook: openpyxl.Workbook) -> None:
    rows = _rows(workbook["Annex"])
    line = {(r["Code"].value, r["Objective"].value): r for r in rows}
    pilot = line[("EVT", "Pilot events system")]
    assert pilot["By C26"].value == "Pilot the new system"
    assert _fill(pilot["By C26"]) == FILLS["done"] and pilot["C26 status"].value == "Done"
    assert _fill(pilot["By PP-26"]) == FILLS["at_risk"]
    assert pilot["PP-26 status"].value == "At risk"
    assert _fill(line[("EVT", "Train staff")]["By C26"]) == FILLS["late"]
    hrx = line[("HRX", None)]
    assert hrx["Later"].value == "2027-03-01: Later thing"
    assert _fill(hrx["Later"]) == FILLS["on_track"] and hrx["Later status"].value == "On track"
    assert _fill(hrx["By PP-26"]) == FILLS["dropped"]
    # the areas in the report's order
    assert [r["Priority area"].value for r in rows] == [
        "Enhancing member experience", "Enhancing member experience",
        "Boosting operational efficiency and impact", "Empowering staff"]
    legend = {c.value: _fill(c) for c in workbook["Annex"]["M"] if c.value != "Legend"}
    assert legend == {"Done": FILLS["done"], "On track": FILLS["on_track"],
                      "At risk": FILLS["at_risk"], "Late": FILLS["late"],
                      "Dropped": FILLS["dropped"]}


def test_text_starting_with_a_formula_sign_is_neutralised_in_every_sheet(
        workbook: openpyxl.Workbook) -> None:
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    annex = {r["Code"].value: r["Action"].value for r in _rows(workbook["Annex"])}
    assert annex["HRX"] == '\'=HYPERLINK("http://evil.example")'
    assert _rows(workbook["Obstacles"])[0]["Note"].value == "'=1+1 no budget yet"
    assert workbook["README"]["A1"].value == "'=Roadmap status"


def test_the_due_sheet_flags_what_is_overdue(workbook: openpyxl.Workbook) -> None:
    due = {r["Deliverable"].value: r for r in _rows(workbook["Due"])}
    assert list(due) == ["Train 50 staff", f"{HOSTILE} roll-out"]  # soonest first
    late = due["Train 50 staff"]
    assert late["Overdue"].value == "yes" and late["Due"].value == "2026-05-01"
    assert _fill(late["Overdue"]) == FILLS["late"]
    assert due[f"{HOSTILE} roll-out"]["Overdue"].value == "no"


def test_the_other_sheets_hold_every_record_and_the_readme_says_what_they_are(
        workbook: openpyxl.Workbook, board: Dashboard) -> None:
    initiatives = _rows(workbook["Initiatives"])
    assert [r["code"].value for r in initiatives] == board.initiatives["code"].tolist()
    assert set(board.initiatives.columns) == {c.value for c in workbook["Initiatives"][1]}
    assert len(_rows(workbook["Deliverables"])) == 6
    assert {r["Initiative"].value: r["Missing"].value
            for r in _rows(workbook["Without anchor"])} == {"HRX": "processes, KPIs",
                                                            "FIN1": "KPIs"}
    readme = " ".join(str(c.value) for row in workbook["README"].iter_rows() for c in row
                      if c.value)
    assert "As of 2026-06-01" in readme and "Generated by ana" in readme
    assert "Filters applied: none" in readme and "Statuses come from the tool's records" in readme
    for name in SHEET_ORDER:
        assert name in readme


# ---------------------------------------------------------------- HTML


class Page(HTMLParser):
    """What a test reads in the page: tags, links, headings and the cells under each
    header id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.headings: list[str] = []
        self.cells: list[tuple[str, str]] = []  # (headers, text)
        self._heading: list[str] | None = None
        self._cell: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        self.links += [(name, value or "") for name, value in attrs if name in ("src", "href")]
        if tag == "h3":
            self._heading = []
        if tag == "td":
            self._cell = (found.get("headers") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3" and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None
        if tag == "td" and self._cell is not None:
            self.cells.append((self._cell[0], "".join(self._cell[1])))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self._cell is not None:
            self._cell[1].append(data)

    def under(self, column: str) -> str:
        """The text of the annex cells under one milestone column (c26, pp26, later)."""
        return " | ".join(text for headers, text in self.cells
                          if any(h.endswith(f"-{column}") for h in headers.split()))


@pytest.fixture
def page(roadmap: Catalogue, board: Dashboard) -> tuple[str, Page]:
    text = report_html(board, roadmap.initiatives.count_over_time(),
                       title=f"Roadmap {HOSTILE}", generated_by=f"ana {HOSTILE}")
    parsed = Page()
    parsed.feed(text)
    parsed.close()
    return text, parsed


def test_the_page_lists_the_priority_areas_in_order_with_each_deliverable_under_its_milestone(
        page: tuple[str, Page]) -> None:
    _, parsed = page
    areas = [h for h in parsed.headings if h[:1].isdigit()]
    assert areas == ["1 Enhancing member experience",
                     "2 Boosting operational efficiency and impact", "3 Empowering staff"]
    c26, pp26, later = parsed.under("c26"), parsed.under("pp26"), parsed.under("later")
    assert "Pilot the new system (Done)" in c26 and "Train 50 staff (Late)" in c26
    assert "Budget tool live (Done)" in c26
    assert f"{HOSTILE} roll-out (At risk)" in pp26 and "Dropped idea (Dropped)" in pp26
    assert "2027-03-01: Later thing (On track)" in later
    for text in ("Pilot the new system", "Train 50 staff", "Budget tool live"):
        assert text not in pp26 + later
    # the action's cell spans its objectives' rows
    assert any("Events" in text and "EVT · Ongoing" in text for headers, text in parsed.cells
               if headers.endswith("-action"))


def test_the_page_escapes_hostile_text_and_fetches_nothing(page: tuple[str, Page]) -> None:
    text, parsed = page
    assert HOSTILE not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "script" not in parsed.tags
    assert {"img", "link", "iframe", "object", "embed"}.isdisjoint(parsed.tags)
    # the only link is the evidence's, as an anchor; nothing is loaded from anywhere
    assert parsed.links == [("href", "https://example.org/pilot")]
    assert "url(" not in text and "@import" not in text


def test_the_page_has_the_summary_the_due_list_and_the_obstacles_before_the_annex(
        page: tuple[str, Page]) -> None:
    text, _ = page
    order = [text.index(part) for part in (
        "<h2>Dashboard</h2>", "<h3>By pillar</h3>", "<h3>By priority area</h3>",
        "Due by PP-26 (2026-11-27) and not done", "Open obstacles and decisions needed",
        "Priority areas with deliverables by C26 and PP-26")]
    assert order == sorted(order)
    assert "3 initiatives: 1 completed, 1 ongoing, 1 planned, 0 revised." in text
    assert "=1+1 no budget yet" in text
    assert "<b>yes</b>" in text  # Train 50 staff is overdue
    assert "As of 2026-06-01" in text and "Filters: none (every initiative)" in text


def test_the_page_says_which_filters_chose_its_initiatives(roadmap: Catalogue) -> None:
    board = roadmap.initiatives.dashboard(AS_OF, pillar="people_and_culture")
    text = report_html(board, pd.DataFrame(columns=["at", "count", "change", "initiative",
                                                    "event"]),
                       title="Roadmap", generated_by="ana")
    assert "Filters: Pillar: People and culture" in text
    assert "Later thing" in text and "Pilot the new system" not in text


def test_an_empty_roadmap_gives_files_that_say_so(catalogue: Catalogue) -> None:
    board = catalogue.initiatives.dashboard(AS_OF)
    timeline = catalogue.initiatives.count_over_time()
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(board, timeline, title="Roadmap",
                                                             generated_by="ana")))
    assert book.sheetnames == list(SHEET_ORDER)
    assert _rows(book["Annex"]) == [] and book["Dashboard"]._charts == []
    text = report_html(board, timeline, title="Roadmap", generated_by="ana")
    assert "<p>No initiative on the roadmap.</p>" in text and "Nothing open is due" in text
    assert json.loads(roadmap_json(board.initiatives, board.deliverables)) == []


# ---------------------------------------------------------------- CSV and JSON


def _read_csv(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str,
                        keep_default_na=False)
    return frame.map(restore)


def test_csv_files_hold_every_column_and_read_back_to_the_same_values(board: Dashboard) -> None:
    initiatives = _read_csv(initiatives_csv(board.initiatives))
    assert list(initiatives.columns) == list(board.initiatives.columns)
    assert initiatives["name"].tolist() == board.initiatives["name"].tolist()
    row = initiatives.set_index("code").loc["EVT"].to_dict()
    assert (row["start_date"], float(row["budget_chf"]), row["kpis"]) == (
        "2026-01-15", 250_000.0, "HR-REC: Time to hire")
    assert initiatives.set_index("code").loc["HRX", "processes"] == ""  # unknown: empty
    deliverables = _read_csv(deliverables_csv(board.deliverables))
    assert deliverables["text"].tolist() == board.deliverables["text"].tolist()
    assert deliverables.set_index("text").loc["Train 50 staff", "due"] == "2026-05-01"
    raw = initiatives_csv(board.initiatives).decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://evil.example"")' in raw  # neutralised in the file


def test_json_gives_each_initiative_with_its_links_and_deliverables(board: Dashboard) -> None:
    records = json.loads(roadmap_json(board.initiatives, board.deliverables))
    assert [r["code"] for r in records] == board.initiatives["code"].tolist()
    evt = next(r for r in records if r["code"] == "EVT")
    assert set(evt) >= {"code", "name", "pillar", "priority_area", "status", "status_reason",
                        "combined_into", "processes", "kpis", "deliverables"}
    assert (evt["name"], evt["pillar"], evt["status"]) == (
        f"Events {HOSTILE}", "members_and_partners", "ongoing")
    assert evt["status_reason"] is None and evt["combined_into"] is None
    assert evt["processes"] == ["HR-REC"] and evt["kpis"] == ["HR-REC: Time to hire"]
    first = evt["deliverables"][0]
    assert set(first) >= {"ref", "milestone", "text", "status", "due", "evidence"}
    assert first == {"ref": "D1", "objective": "Pilot events system", "milestone": "C26",
                     "text": "Pilot the new system", "status": "done", "due": "2026-06-30",
                     "evidence": "https://example.org/pilot"}
    assert [d["due"] for d in evt["deliverables"]] == ["2026-06-30", "2026-11-27", "2026-05-01"]
    hrx = next(r for r in records if r["code"] == "HRX")
    assert hrx["processes"] == [] and hrx["kpis"] == []
    assert hrx["deliverables"][0]["evidence"] is None
