"""The ranked transformation backlog in the forms Phase 2 receives it: a workbook to hand out,
CSV, JSON, and a self-contained HTML report for leadership.

Everything here takes the plain frames of :func:`scoring.decision.backlog_sheets` (the command
line and the pages build them the same way). Conventions:

* **Handouts (workbook, CSV, HTML)** speak words: headers from the Columns sheet (criterion
  labels from the criteria set), yes / no for true / false, methods by their label, figures
  rounded for reading (:data:`ROUNDING`: ranks whole, scores and weights to 3 decimals,
  shares to 3 decimals and shown as %, CHF whole and shown with thousands separators,
  person-months to 1 decimal). Columns that only a program needs (:data:`MACHINE_ONLY`) are
  left out. No database address or file path is written anywhere.
* **The workbook** has, on every sheet, a bold header row, number formats, an autofilter,
  frozen header row and first columns (rank, code and name where present), column widths that
  fit the content up to :data:`MAX_WIDTH` characters with longer text wrapped, and a last
  Columns sheet saying what each column means.
* **JSON** keeps the machine keys (``probability_top_n``, ``contribution_<criterion>``) and
  full precision, for programs; the Columns sheet in it maps each key to its header.
* **The HTML report** needs no network and no script: its charts are inline SVG, drawn here,
  with their own colours (:data:`PALETTE`) and the left margin measured from the longest
  label. Embedding plotly.js instead would add about 4.7 MB to every report (and mail systems
  and script blockers stop it); loading it from a CDN would break the report offline. The
  price is that the charts do not zoom; each bar shows its exact value on hover, and the
  tables give every figure.
* Every text cell is neutralised against formula injection exactly as in
  :mod:`inventory.files.export`.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from inventory.access import Action, Actor, authorize
from inventory.errors import InvalidInput
from inventory.files.export import cell_value, is_missing, neutralise

SHEET_ORDER = ("Backlog", "Scenario", "Robustness", "Weight flips", "Roadmap",
               "Prerequisites in no period", "Decision record", "Columns")
FORMATS = ("xlsx", "csv", "json", "html")

WHOLE, SCORE, SHARE, CHF, PERSON_MONTHS, YES_NO = (
    "whole", "score", "share", "chf", "person-months", "yes/no")
#: Kind of figure of each column (contribution columns are scores; other floats round to 3
#: decimals).
COLUMN_KINDS = {
    "rank": WHOLE, "priority": WHOLE, "rank_p5": WHOLE, "rank_p50": WHOLE, "rank_p95": WHOLE,
    "step": WHOLE, "score": SCORE, "uplift": SCORE, "weight": SCORE, "new_weight": SCORE,
    "change": SCORE, "down": SCORE, "up": SCORE, "probability_top_n": SHARE,
    "completeness": SHARE, "relative_change": SHARE, "cost_chf": CHF,
    "effort_pm": PERSON_MONTHS, "effort": PERSON_MONTHS, "quick_fix": YES_NO,
    "selected": YES_NO, "placed": YES_NO, "effort_unknown": YES_NO, "ranked": YES_NO,
}
#: Decimals each kind is rounded to in a handout.
ROUNDING = {WHOLE: 0, SCORE: 3, SHARE: 3, CHF: 0, PERSON_MONTHS: 1}
#: Number format of each kind in the workbook.
NUMBER_FORMATS = {WHOLE: "0", SCORE: "0.000", SHARE: "0%", CHF: "#,##0",
                  PERSON_MONTHS: "#,##0.0"}
#: Columns for programs only: left out of the handouts, kept in JSON.
MACHINE_ONLY = frozenset({"key", "criterion", "period_index", "reason_kind"})
#: Leading columns that stay in view when scrolling right.
KEY_COLUMNS = ("rank", "code", "name", "label", "setting", "item", "column")
MAX_WIDTH = 60
MIN_WIDTH = 6
#: Colours of the report's charts, one per criterion: Tableau 10 (Tableau Software), then
#: three more of distinct hue; the dependency uplift is always :data:`UPLIFT_COLOUR`.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac", "#393b79", "#bcbd22", "#17becf")
UPLIFT_COLOUR = "#374151"
#: The backlog's column of the dependency uplift's contribution (``contribution_`` and
#: :data:`scoring.ranking.UPLIFT`).
UPLIFT_COLUMN = "contribution_dependency_uplift"
#: Columns whose cells never wrap in the report (codes, periods, rank intervals).
NO_WRAP = frozenset({"code", "unit", "period", "rank_interval"})

Cell = str | int | float | None


def export(kind: str, sheets: Mapping[str, pd.DataFrame], actor: Actor, *, title: str,
           top: int = 15) -> bytes:
    """The backlog as ``kind`` (one of :data:`FORMATS`), for someone allowed to export it
    (leadership or admin, :mod:`inventory.access`): the one door the CLI and the page use."""
    authorize(actor, Action.export_backlog)
    if kind == "xlsx":
        return workbook(sheets)
    if kind == "csv":
        return csv_bytes(sheets["Backlog"], _headers(sheets))
    if kind == "json":
        return json_bytes(sheets)
    if kind == "html":
        return html_report(title, sheets, top=top)
    raise InvalidInput(f"the backlog is written as {', '.join(FORMATS)}, not {kind!r}")


# ---------------------------------------------------------------- handout cells


def _headers(sheets: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Machine key -> header in words, from the Columns sheet (a key it lacks reads as words:
    ``rank_interval`` -> ``Rank interval``)."""
    columns = sheets.get("Columns")
    if columns is None or columns.empty:
        return {}
    return dict(zip(columns["column"].astype(str), columns["header"].astype(str), strict=True))


def _header(column: str, headers: Mapping[str, str]) -> str:
    return headers.get(column) or column.replace("_", " ").capitalize()


def _kind(column: str) -> str | None:
    if column.startswith("contribution_"):
        return SCORE
    return COLUMN_KINDS.get(column)


def _handout_value(value: Any, kind: str | None) -> Cell:
    """A frame value as a handout cell: yes / no, a number rounded for its kind (other
    floats to 3 decimals), neutralised text, or ``None`` when unknown."""
    if is_missing(value):
        return None
    if kind == YES_NO or isinstance(value, bool | np.bool_):
        return "yes" if bool(value) else "no"
    cell = cell_value(value)
    if isinstance(cell, float):
        digits = ROUNDING.get(kind or "", 3)
        rounded = round(cell, digits)
        return int(rounded) if digits == 0 else rounded
    return cell


def _handout(frame: pd.DataFrame) -> tuple[list[str], list[list[Cell]]]:
    """The columns kept for people (machine keys) and the rows as handout cells."""
    columns = [str(c) for c in frame.columns if str(c) not in MACHINE_ONLY]
    kinds = [_kind(c) for c in columns]
    table = frame[columns].astype(object)
    rows = [[_handout_value(v, kind) for v, kind in zip(row, kinds, strict=True)]
            for row in table.itertuples(index=False, name=None)]
    return columns, rows


def _ordered(sheets: Mapping[str, pd.DataFrame]) -> list[str]:
    return [n for n in SHEET_ORDER if n in sheets] + [n for n in sheets if n not in SHEET_ORDER]


# ---------------------------------------------------------------- workbook


def workbook(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One sheet per frame (in :data:`SHEET_ORDER`, then any others), as the module says."""
    headers = _headers(sheets)
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        book.set_properties({"title": "Transformation backlog",
                             "comments": "Exported by dti; the Columns sheet says what each "
                                         "column means."})
        styles = _styles(book)
        for name in _ordered(sheets):
            _sheet(book.add_worksheet(name[:31]), sheets[name], headers, styles)
    return buffer.getvalue()


def _styles(book: xlsxwriter.Workbook) -> dict[str, Any]:
    base = {"valign": "top"}
    styles = {kind: book.add_format(base | {"num_format": number})
              for kind, number in NUMBER_FORMATS.items()}
    styles["header"] = book.add_format(base | {"bold": True, "bg_color": "#DDE6F2",
                                               "border": 1, "text_wrap": True})
    styles["text"] = book.add_format(base)
    styles["wrap"] = book.add_format(base | {"text_wrap": True})
    return styles


def _sheet(sheet: Worksheet, frame: pd.DataFrame, headers: Mapping[str, str],
           styles: dict[str, Any]) -> None:
    """One table: header row, cells in their number formats, widths, filter, frozen panes."""
    columns, rows = _handout(frame)
    words = [neutralise(_header(c, headers)) for c in columns]
    lines = 1
    for index, (column, header) in enumerate(zip(columns, words, strict=True)):
        width = _fitting_width(header, [row[index] for row in rows], _kind(column))
        style = styles.get(_kind(column) or "", styles["text"])
        if width >= MAX_WIDTH:
            style = styles["wrap"]
        sheet.set_column(index, index, width, style)
        for number, row in enumerate(rows, start=1):
            _write_row_cell(sheet, number, index, row[index], style)
        lines = max(lines, math.ceil(len(header) / max(width - 1, 1)))
    for index, header in enumerate(words):
        sheet.write_string(0, index, header, styles["header"])
    sheet.set_row(0, 15 * lines)
    sheet.autofilter(0, 0, max(len(rows), 1), max(len(columns) - 1, 0))
    frozen = 0
    while frozen < len(columns) and columns[frozen] in KEY_COLUMNS:
        frozen += 1
    sheet.freeze_panes(1, max(frozen, 1))


def _write_row_cell(sheet: Worksheet, row: int, column: int, value: Cell, style: Any) -> None:
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, column, value, style)
    else:
        sheet.write_number(row, column, value, style)


def _fitting_width(header: str, cells: Sequence[Cell], kind: str | None) -> float:
    """Characters that show the longest cell as formatted (up to :data:`MAX_WIDTH`, beyond
    which text wraps) and the header's longest word (the header wraps)."""
    longest = max((len(word) for word in header.split()), default=0)
    for cell in cells:
        if cell is not None:
            text = _display(cell, kind)
            longest = max(longest, *(len(line) for line in text.splitlines() or [""]))
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


def _display(value: Cell, kind: str | None) -> str:
    """A handout cell as people read it: ``CHF 350,000``, ``97%``, ``0.912``, ``18.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == CHF:
        return f"CHF {value:,.0f}"
    if kind == SHARE:
        return f"{value:.0%}"
    if kind == SCORE:
        return f"{value:.3f}"
    if kind == PERSON_MONTHS:
        return f"{value:,.1f}"
    if kind == WHOLE:
        return f"{value:.0f}"
    return f"{value:g}"


# ---------------------------------------------------------------- CSV and JSON


def csv_bytes(backlog: pd.DataFrame, headers: Mapping[str, str] | None = None) -> bytes:
    """The Backlog sheet as UTF-8 CSV (with BOM, so spreadsheets read the accents): headers in
    words, figures rounded as in the workbook, yes / no."""
    columns, rows = _handout(backlog)
    words = [neutralise(_header(c, headers or {})) for c in columns]
    frame = pd.DataFrame(rows, columns=words, dtype=object)
    return frame.to_csv(index=False).encode("utf-8-sig")


def json_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Every sheet as a list of records under its name: machine keys, full precision,
    unknown values as null."""
    return json.dumps({name: [{str(k): _plain(v) for k, v in row.items()}
                              for row in frame.to_dict("records")]
                       for name, frame in sheets.items()},
                      indent=2, ensure_ascii=False).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


# ---------------------------------------------------------------- HTML report

REPORT_COLUMNS = ("rank", "code", "name", "unit", "score", "quadrant", "probability_top_n",
                  "selected", "period", "cost_chf", "effort_pm", "prerequisites")
STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;
color:#1f2937;line-height:1.4}table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
td,th{border:1px solid #ccd;padding:.3rem .5rem;vertical-align:top;text-align:left}
td.n{text-align:right;white-space:nowrap}td.nw{white-space:nowrap}th{background:#dde6f2}
li{margin:.3rem 0}
svg{max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:#1f2937}"""


def html_report(title: str, sheets: Mapping[str, pd.DataFrame], top: int = 15) -> bytes:
    """One page that opens anywhere, offline: the decision record, the reasons for the top
    ``top`` in sentences, two charts (inline SVG), the roadmap by period, the prerequisites
    in no period that hold work back, and the top of the backlog as a table, with headers in
    words and rounded figures."""
    headers = _headers(sheets)
    backlog = sheets["Backlog"].head(top)
    parts = [f"<h1>{_e(title)}</h1>", _record_table(sheets.get("Decision record")),
             f"<h2>Why the first {len(backlog)} rank where they do</h2>",
             "<ol style='list-style:none;padding:0'>" + "".join(
                 f"<li><b>{_e(row['rank'])}. {_e(row['code'])} {_e(row['name'])}</b>: "
                 f"{_e(_sentence(row))}</li>" for row in backlog.to_dict("records")) + "</ol>",
             "<h2>Score by criterion</h2>", _score_chart(backlog, headers)]
    robustness = sheets.get("Robustness")
    if robustness is not None and not robustness.empty:
        header = _header("probability_top_n", headers)
        parts += [f"<h2>Robustness: {_e(header.lower())}, share of samples</h2>",
                  _bar_chart([str(c) for c in robustness["code"].head(top)],
                             [("", robustness["probability_top_n"].head(top).to_numpy(
                                 dtype=float), PALETTE[0])],
                             maximum=1.0, tick=lambda v: f"{v:.0%}",
                             tip=lambda v: f"{v:.1%}")]
    roadmap = sheets.get("Roadmap")
    if roadmap is not None and not roadmap.empty:
        parts += ["<h2>Roadmap</h2>", _roadmap_table(roadmap)]
    outside = sheets.get("Prerequisites in no period")
    if outside is not None and not outside.empty:
        parts += ["<h2>Prerequisites in no period</h2>",
                  "<p>Not completed and not in this plan, so the work that needs them is not "
                  "planned until they are.</p>", _table(outside, headers)]
    parts += ["<h2>Top of the backlog</h2>",
              _table(backlog[[c for c in REPORT_COLUMNS if c in backlog]], headers)]
    page = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
            + "\n".join(parts) + "</body></html>")
    return page.encode("utf-8")


def _sentence(row: Mapping[Any, Any]) -> str:
    """Why a process ranks where it does, in words; unknown parts are left out."""
    parts = [f"score {float(row['score']):.3f}"]
    if _given(row.get("reasons")):
        parts.append(f"mostly from {row['reasons']}")
    probability = row.get("probability_top_n")
    if _given(probability):
        parts.append(f"in the top group in {probability:.0%} of the robustness samples")
    if _given(row.get("rank_interval")) and "-" in str(row["rank_interval"]):
        parts.append(f"could rank {row['rank_interval']} given unknown values")
    if _given(row.get("prerequisites")):
        parts.append(f"needs {row['prerequisites']} first")
    if _given(row.get("selected")):
        parts.append("chosen for the portfolio" if bool(row["selected"])
                     else "not chosen for the portfolio")
    if _given(row.get("period")):
        parts.append(f"planned {row['period']}")
    if _given(row.get("waiting_for")):
        parts.append(f"waiting for {row['waiting_for']}, which the roadmap could not place")
    return "; ".join(parts) + "."


def _given(value: Any) -> bool:
    """Known: not None, NaN, NA or empty text."""
    return not is_missing(value)


def _record_table(record: pd.DataFrame | None) -> str:
    if record is None or record.empty:
        return ""
    rows = "".join(f"<tr><th scope='row'>{_e(item)}</th><td>{_e(_display_any(value))}</td></tr>"
                   for item, value in zip(record["item"], record["value"], strict=True))
    return f"<table>{rows}</table>"


def _display_any(value: Any) -> str:
    cell = _handout_value(value, None)
    return _display(cell, None)


def _table(frame: pd.DataFrame, headers: Mapping[str, str]) -> str:
    columns, rows = _handout(frame)
    kinds = [_kind(c) for c in columns]
    head = "".join(f"<th>{_e(_header(c, headers))}</th>" for c in columns)
    styles = [_cell_style(column, kind) for column, kind in zip(columns, kinds, strict=True)]
    body = "".join("<tr>" + "".join(f"<td{style}>{_e(_display(v, kind))}</td>" for v, kind, style
                                    in zip(row, kinds, styles, strict=True)) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell_style(column: str, kind: str | None) -> str:
    """Figures right-aligned, codes and periods on one line."""
    if kind in ROUNDING:
        return " class='n'"
    return " class='nw'" if column in NO_WRAP else ""


def _roadmap_table(plan: pd.DataFrame) -> str:
    """One row per period, its processes in the order planned."""
    placed = plan[plan["period"].map(_given)]
    rows = "".join(f"<tr><th scope='row'>{_e(period)}</th><td>{_e(', '.join(map(str, codes)))}"
                   f"</td></tr>" for period, codes in
                   placed.groupby("period", sort=False)["code"])
    unplaced = plan.loc[~plan["period"].map(_given), "code"]
    if not unplaced.empty:
        rows += (f"<tr><th scope='row'>Not planned</th><td>"
                 f"{_e(', '.join(map(str, unplaced)))}</td></tr>")
    return f"<table><thead><tr><th>Period</th><th>Processes</th></tr></thead>{rows}</table>"


def _score_chart(backlog: pd.DataFrame, headers: Mapping[str, str]) -> str:
    labels = [f"{r}. {c}" for r, c in zip(backlog["rank"], backlog["code"], strict=True)]
    columns = [c for c in backlog.columns if str(c).startswith("contribution_")]
    series = [(_header(c, headers).removeprefix("Contribution: "),
               backlog[c].to_numpy(dtype=float),
               UPLIFT_COLOUR if c == UPLIFT_COLUMN else PALETTE[i % len(PALETTE)])
              for i, c in enumerate(columns)]
    total = float(np.nansum([s[1] for s in series], axis=0).max()) if series else 1.0
    return _bar_chart(labels, series, maximum=_nice(total), tick=lambda v: f"{v:.2f}",
                      tip=lambda v: f"{v:.3f}")


def _nice(value: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten at or above
    ``value``: the end of a chart's axis."""
    if not value > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(power * m for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
                if power * m >= value - 1e-12)


CHAR_WIDTH = 7.5  # pixels per character of 12 px text, generous for wide letters
ROW, BAR, TICKS, WIDTH = 24, 16, 5, 1000


def _bar_chart(labels: Sequence[str], series: Sequence[tuple[str, np.ndarray, str]], *,
               maximum: float, tick: Callable[[float], str],
               tip: Callable[[float], str]) -> str:
    """Horizontal bars as inline SVG: one row per label, the series stacked in their own
    colours (a legend when there are several), an axis from 0 to ``maximum`` labelled by
    ``tick``, each bar's value by ``tip`` on hover. The left margin is measured from the
    longest label, so no label is cut off."""
    left = 12 + CHAR_WIDTH * max((len(label) for label in labels), default=0)
    plot = WIDTH - left - 30
    scale = plot / maximum
    height = 30 + ROW * len(labels)
    items: list[str] = []
    for step in range(TICKS + 1):
        x = left + plot * step / TICKS
        items.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='10' y2='{height - 20}' "
                     f"stroke='#e5e7eb'/><text x='{x:.1f}' y='{height - 5}' "
                     f"text-anchor='middle'>{_e(tick(maximum * step / TICKS))}</text>")
    for i, label in enumerate(labels):
        y = 10 + ROW * i
        items.append(f"<text x='{left - 6:.1f}' y='{y + BAR - 3}' text-anchor='end'>"
                     f"{_e(label)}</text>")
        start = 0.0
        for name, values, colour in series:
            value = float(values[i]) if math.isfinite(float(values[i])) else 0.0
            if value <= 0:
                continue
            items.append(f"<rect x='{left + start * scale:.1f}' y='{y}' "
                         f"width='{value * scale:.1f}' height='{BAR}' fill='{colour}'>"
                         f"<title>{_e(label)}: {_e(name + ' ' if name else '')}"
                         f"{_e(tip(value))}</title></rect>")
            start += value
    legend = _legend(series, height) if len(series) > 1 else ("", 0)
    total = height + legend[1]
    return (f"<svg xmlns='http://www.w3.org/2000/svg' role='img' viewBox='0 0 {WIDTH} {total}' "
            f"width='{WIDTH}' height='{total}'>{''.join(items)}{legend[0]}</svg>")


def _legend(series: Sequence[tuple[str, np.ndarray, str]], top: float) -> tuple[str, int]:
    """The series' names and colours in rows under the chart, and the height they take."""
    per_row = 3
    cell = (WIDTH - 20) / per_row
    items = []
    for i, (name, _, colour) in enumerate(series):
        x, y = 10 + cell * (i % per_row), top + 10 + 20 * (i // per_row)
        items.append(f"<rect x='{x:.1f}' y='{y}' width='12' height='12' fill='{colour}'/>"
                     f"<text x='{x + 18:.1f}' y='{y + 11}'>{_e(name)}</text>")
    return "".join(items), 20 + 20 * math.ceil(len(series) / per_row)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))
