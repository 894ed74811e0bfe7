"""The transformation roadmap's status report as files: a workbook, one self-contained HTML page
(the annex the Council receives), CSV and JSON. Pure: frames in, bytes or text out.

Everything starts from a :class:`inventory.roadmap_dashboard.Dashboard` (the figures of the
Roadmap page, for one set of filters and one day) and, for the workbook, the count of
initiatives over time (``InitiativeBook.count_over_time``). Conventions:

* **Statuses are the records'**: an initiative's status is what the task force set, a
  deliverable's what its tracker recorded; only "overdue" (due before the as-of day and not
  done) is worked out here. A cell holding several deliverables shows the most worrying status
  (late, at risk, on track, done, dropped), as the dashboard's annex does.
* **Status colours** (:data:`DELIVERABLE_FILLS`): done green, on track light blue, at risk
  amber, late red, dropped grey. The status word is always written next to the colour, so the
  report reads in black and white and without colour vision.
* **Workbook**: sheets in :data:`SHEET_ORDER`; people's tables have headers in words and
  labels for vocabularies, the Initiatives and Deliverables sheets every column under its
  machine key (as the CSV files). Every text cell is neutralised against formula injection
  (:func:`inventory.files.export.neutralise`) and written as text.
* **HTML**: one page, no script, no external font, image or style sheet; inline styles on the
  coloured elements (they survive a paste into Word), no fixed widths, A4 when printed. Every
  piece of user text is escaped; evidence links are anchors only when they are http(s) links.
* **CSV**: UTF-8 with a byte-order mark (spreadsheets then read accents), machine column
  names, text neutralised, dates ``YYYY-MM-DD``, unknown values empty.
* **JSON**: for programs: machine words, dates ``YYYY-MM-DD``, unknown values ``null``.

The HTML page is built in :mod:`inventory.files.roadmap_html`; :func:`report_html` is re-exported
here so callers import one module.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from inventory.files.export import cell_value, is_missing, neutralise
from inventory.files.roadmap_html import report_html
from inventory.files.roadmap_words import (
    DELIVERABLE_FILLS,
    DELIVERABLE_INKS,
    INITIATIVE_COLOURS,
    anchor_table,
    annex_table,
    deliverable_label,
    due_table,
    filters_text,
    initiative_label,
    next_milestone_text,
    obstacle_table,
    status_table,
)
from inventory.roadmap_dashboard import STATUSES, Dashboard, due_date

__all__ = ["SHEET_ORDER", "deliverables_csv", "initiatives_csv", "report_html",
           "report_workbook", "roadmap_json"]

SHEET_ORDER = ("Dashboard", "Annex", "Due", "Obstacles", "Without anchor", "Initiatives",
               "Deliverables", "Timeline", "README")
SHEET_HELP = {
    "Dashboard": "Initiatives by status: in total, for each pillar and for each priority area, "
                 "with a stacked bar chart of each.",
    "Annex": "Priority areas with deliverables by C26 and PP-26 (and later dated milestones): "
             "one row per action (initiative) and objective; each deliverable cell is filled "
             "with the colour of its status and the status is written next to it.",
    "Due": "Deliverables due by the next milestone and not done (on track, at risk or late), "
           "soonest first; overdue ones (due before the as-of date) are marked yes and red.",
    "Obstacles": "Obstacles and decisions needed that nobody has resolved yet, oldest first.",
    "Without anchor": "Initiatives on the roadmap that transform no recorded process or move "
                      "no recorded KPI, with what is missing.",
    "Initiatives": "Every initiative chosen, every field (machine names and words).",
    "Deliverables": "Every deliverable of those initiatives, every field; due_on is the date "
                    "it is due: its own, else its milestone's (data/milestones.csv).",
    "Timeline": "How many initiatives were on the roadmap after each change that moved the "
                "count (every initiative: the filters do not apply here).",
    "README": "This sheet.",
}
MAX_WIDTH = 60
MIN_WIDTH = 8


# ---------------------------------------------------------------- workbook


def report_workbook(dashboard: Dashboard, timeline: pd.DataFrame, *, title: str,
                    generated_by: str) -> bytes:
    """The report as an XLSX workbook, sheets in :data:`SHEET_ORDER` (see the module)."""
    generated_at = dt.datetime.now(dt.UTC)
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        book.set_properties({"title": neutralise(title), "author": neutralise(generated_by),
                             "comments": "Exported by dti; see the README sheet."})
        styles = _styles(book)
        _dashboard_sheet(book, styles, dashboard, title)
        _annex_sheet(book, styles, dashboard)
        overdue = dashboard.due["overdue"].tolist()
        _table(book.add_worksheet("Due"), styles, due_table(dashboard),
               row_style=lambda i: styles["late"] if overdue[i] else None)
        _table(book.add_worksheet("Obstacles"), styles, obstacle_table(dashboard))
        _table(book.add_worksheet("Without anchor"), styles, anchor_table(dashboard))
        _table(book.add_worksheet("Initiatives"), styles, dashboard.initiatives)
        _table(book.add_worksheet("Deliverables"), styles, dashboard.deliverables)
        _timeline_sheet(book, styles, timeline)
        _readme_sheet(book, styles, dashboard, title, generated_by, generated_at)
    return buffer.getvalue()


def _styles(book: xlsxwriter.Workbook) -> dict[str, Any]:
    base = {"valign": "top", "text_wrap": True}
    styles: dict[str, Any] = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "bold": book.add_format({"bold": True}),
        "header": book.add_format(base | {"bold": True, "bg_color": "#DDE6F2", "border": 1}),
        "text": book.add_format(base),
    }
    for status, fill in DELIVERABLE_FILLS.items():
        styles[status] = book.add_format(base | {"bg_color": fill,
                                                 "font_color": DELIVERABLE_INKS[status],
                                                 "border": 1, "border_color": "#BFBFBF"})
    return styles


def _write(sheet: Worksheet, row: int, column: int, value: Any, style: Any = None) -> None:
    """One cell: nothing when unknown, a number, or neutralised text written as text."""
    cell = cell_value(value)
    if cell is None:
        if style is not None:
            sheet.write_blank(row, column, None, style)
    elif isinstance(cell, str):
        sheet.write_string(row, column, cell, style)
    else:
        sheet.write_number(row, column, cell, style)


def _width(header: str, cells: Iterable[Any]) -> float:
    longest = max((len(word) for word in header.split()), default=0)
    for value in cells:
        cell = cell_value(value)
        if cell is not None:
            longest = max(longest, *(len(line) for line in str(cell).splitlines() or [""]))
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


def _table(sheet: Worksheet, styles: dict[str, Any], frame: pd.DataFrame, *, top: int = 0,
           left: int = 0, row_style: Callable[[int], Any] | None = None,
           cell_style: Callable[[int, str], Any] | None = None) -> int:
    """``frame`` at (``top``, ``left``): bold header, cells, widths, filter, frozen header;
    ``row_style(i)`` or ``cell_style(i, column)`` may colour a row or a cell. Returns the last
    row written."""
    columns = [str(c) for c in frame.columns]
    for index, column in enumerate(columns):
        sheet.write_string(top, left + index, neutralise(column), styles["header"])
        sheet.set_column(left + index, left + index, _width(column, frame.iloc[:, index]))
    for number, values in enumerate(frame.astype(object).itertuples(index=False, name=None)):
        whole_row = row_style(number) if row_style else None
        for index, value in enumerate(values):
            style = (cell_style(number, columns[index]) if cell_style else None) or whole_row
            _write(sheet, top + 1 + number, left + index, value, style or styles["text"])
    last = top + max(len(frame), 1)
    if top == 0:
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, left, last, left + max(len(columns) - 1, 0))
    return last


def _dashboard_sheet(book: xlsxwriter.Workbook, styles: dict[str, Any], dashboard: Dashboard,
                     title: str) -> None:
    sheet = book.add_worksheet("Dashboard")
    sheet.write_string(0, 0, neutralise(title), styles["title"])
    sheet.write_string(1, 0, neutralise(f"As of {dashboard.today.isoformat()}; "
                                        f"{next_milestone_text(dashboard)}; "
                                        f"filters: {filters_text(dashboard)}."))
    totals = dashboard.totals
    row = 3
    sheet.write_string(row, 0, "Initiatives by status", styles["bold"])
    for index, status in enumerate([*STATUSES, "total"]):
        sheet.write_string(row + 1, index, initiative_label(status), styles["header"])
        sheet.write_number(row + 2, index, totals[status])
    row += 4
    for by, frame in (("pillar", dashboard.by_pillar), ("priority area",
                                                       dashboard.by_priority_area)):
        sheet.write_string(row, 0, f"By {by}", styles["bold"])
        table = status_table(frame, by.capitalize())
        last = _table(sheet, styles, table, top=row + 1)
        if len(table):
            chart = book.add_chart({"type": "bar", "subtype": "stacked"})
            for index, status in enumerate(STATUSES, start=1):
                chart.add_series({
                    "name": ["Dashboard", row + 1, index],
                    "categories": ["Dashboard", row + 2, 0, last, 0],
                    "values": ["Dashboard", row + 2, index, last, index],
                    "fill": {"color": INITIATIVE_COLOURS[status]},
                    "gap": 60})
            chart.set_title({"name": f"Initiatives by {by} and status"})
            chart.set_y_axis({"reverse": True})
            chart.set_x_axis({"major_gridlines": {"visible": True}, "min": 0})
            chart.set_legend({"position": "bottom"})
            chart.set_size({"width": 620, "height": 120 + 40 * len(table)})
            sheet.insert_chart(row + 1, len(table.columns) + 1, chart)
        row = max(last + 3, row + 9 + len(table))
    sheet.set_column(0, 0, 44)


def _annex_sheet(book: xlsxwriter.Workbook, styles: dict[str, Any],
                 dashboard: Dashboard) -> None:
    """The annex, each deliverable cell (and its status cell) filled by its status; a legend
    to the right."""
    sheet = book.add_worksheet("Annex")
    table, statuses = annex_table(dashboard)

    def fill(row: int, column: str) -> Any:
        return styles.get(statuses[row].get(column, ""))

    _table(sheet, styles, table, cell_style=fill)
    legend = len(table.columns) + 1
    sheet.write_string(0, legend, "Legend", styles["header"])
    for row, status in enumerate(DELIVERABLE_FILLS, start=1):
        sheet.write_string(row, legend, deliverable_label(status), styles[status])
    sheet.set_column(legend, legend, 12)


def _timeline_sheet(book: xlsxwriter.Workbook, styles: dict[str, Any],
                    timeline: pd.DataFrame) -> None:
    sheet = book.add_worksheet("Timeline")
    frame = timeline.rename(columns={"at": "At (UTC)", "count": "Initiatives on the roadmap",
                                     "change": "Change", "initiative": "Initiative",
                                     "event": "Event"})
    frame["At (UTC)"] = pd.to_datetime(frame["At (UTC)"]).dt.strftime("%Y-%m-%d %H:%M:%S")
    last = _table(sheet, styles, frame)
    if len(frame):
        chart = book.add_chart({"type": "line"})
        chart.add_series({"name": "Initiatives on the roadmap",
                          "categories": ["Timeline", 1, 0, last, 0],
                          "values": ["Timeline", 1, 1, last, 1],
                          "line": {"color": INITIATIVE_COLOURS["ongoing"]}})
        chart.set_legend({"none": True})
        chart.set_title({"name": "Initiatives on the roadmap over time"})
        sheet.insert_chart(1, len(frame.columns) + 1, chart)


def _readme_sheet(book: xlsxwriter.Workbook, styles: dict[str, Any], dashboard: Dashboard,
                  title: str, generated_by: str, generated_at: dt.datetime) -> None:
    sheet = book.add_worksheet("README")
    lines = [
        f"As of {dashboard.today.isoformat()}; {next_milestone_text(dashboard)}.",
        f"Filters applied: {filters_text(dashboard)}.",
        f"Generated by {generated_by} on {generated_at:%Y-%m-%d %H:%M} UTC, with dti.",
        "Statuses come from the tool's records: an initiative's status as the task force set "
        "it, a deliverable's as recorded by who tracks it. Only 'overdue' is worked out here "
        "(due before the as-of date and not done). A deliverable is due on its own date, else "
        "on its milestone's (C26 and PP-26 are dated in data/milestones.csv).",
        "Text that begins with = + - @, a tab or a line break is stored with one apostrophe "
        "in front, so that no spreadsheet program runs it as a formula.",
    ]
    sheet.write_string(0, 0, neutralise(title), styles["title"])
    for row, line in enumerate(lines, start=2):
        sheet.write_string(row, 0, neutralise(line))
    start = len(lines) + 3
    sheet.write_string(start, 0, "Sheet", styles["header"])
    sheet.write_string(start, 1, "What it holds", styles["header"])
    for row, name in enumerate(SHEET_ORDER, start=start + 1):
        sheet.write_string(row, 0, name)
        sheet.write_string(row, 1, SHEET_HELP[name], styles["text"])
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 100)


# ---------------------------------------------------------------- CSV and JSON


def _csv(frame: pd.DataFrame) -> bytes:
    cells = [[cell_value(value) for value in row]
             for row in frame.astype(object).itertuples(index=False, name=None)]
    table = pd.DataFrame(cells, columns=[neutralise(str(c)) for c in frame.columns],
                         dtype=object)
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def initiatives_csv(frame: pd.DataFrame) -> bytes:
    """The initiatives frame as CSV (see the module): every column, machine names."""
    return _csv(frame)


def deliverables_csv(frame: pd.DataFrame) -> bytes:
    """The deliverables frame as CSV (see the module): every column, machine names."""
    return _csv(frame)


def _plain(value: Any) -> Any:
    """A frame value as JSON writes it: unknown as null, dates ISO, numpy scalars as Python."""
    if is_missing(value) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def _listed(text: Any) -> list[str]:
    """A ``; ``-joined list cell as a list (empty when unknown)."""
    return [] if is_missing(text) else [item.strip() for item in str(text).split("; ")
                                        if item.strip()]


def roadmap_json(initiatives: pd.DataFrame, deliverables: pd.DataFrame) -> str:
    """The initiatives as a JSON array: code, name, pillar, priority_area, status,
    status_reason, combined_into, processes (codes), kpis ("PROCESS: KPI name") and their
    deliverables (ref, objective, milestone, text, status, due, evidence); ``due`` is the date
    a deliverable is due: its own, else its milestone's."""
    owned: dict[str, list[dict[str, Any]]] = {}
    for item in deliverables.astype(object).to_dict("records"):
        due = due_date(str(item["milestone"]), None if is_missing(item["due"]) else item["due"])
        owned.setdefault(str(item["initiative_code"]), []).append(
            {"ref": _plain(item["ref"]), "objective": _plain(item["objective"]),
             "milestone": _plain(item["milestone"]), "text": _plain(item["text"]),
             "status": _plain(item["status"]), "due": _plain(due),
             "evidence": _plain(item["evidence"])})
    records = [{**{key: _plain(row[key]) for key in ("code", "name", "pillar", "priority_area",
                                                      "status", "status_reason",
                                                      "combined_into")},
                "processes": _listed(row["processes"]), "kpis": _listed(row["kpis"]),
                "deliverables": owned.get(str(row["code"]), [])}
               for row in initiatives.astype(object).to_dict("records")]
    return json.dumps(records, indent=2, ensure_ascii=False)
