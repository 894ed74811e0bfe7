"""The ranked transformation backlog in the forms Phase 2 receives it: a workbook (sheets
Backlog, Scenario, Robustness, Roadmap, Decision record), CSV, JSON, and a self-contained HTML
report for leadership with its charts embedded.

Everything here takes plain frames and text (the command line and the pages build them with
:mod:`scoring.decision`); every text cell is neutralised against formula injection exactly as
in :mod:`inventory.export`.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xlsxwriter

from inventory.access import Action, Actor, authorize
from inventory.errors import InvalidInput
from inventory.export import _cell, _width, _write_row

SHEET_ORDER = ("Backlog", "Scenario", "Robustness", "Roadmap", "Decision record")
FORMATS = ("xlsx", "csv", "json", "html")


def export(kind: str, sheets: Mapping[str, pd.DataFrame], actor: Actor, *, title: str,
           top: int = 15) -> bytes:
    """The backlog as ``kind`` (one of :data:`FORMATS`), for someone allowed to export it
    (leadership or admin, :mod:`inventory.access`): the one door the CLI and the page use."""
    authorize(actor, Action.export_backlog)
    if kind == "xlsx":
        return workbook(sheets)
    if kind == "csv":
        return csv_bytes(sheets["Backlog"])
    if kind == "json":
        return json_bytes(sheets)
    if kind == "html":
        summary = [f"{row['item']}: {row['value']}" for row in
                   sheets["Decision record"].to_dict("records")]
        return html_report(title, summary, sheets, top=top)
    raise InvalidInput(f"the backlog is written as {', '.join(FORMATS)}, not {kind!r}")


def workbook(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One sheet per frame (in :data:`SHEET_ORDER`, then any others), header row frozen."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        bold = book.add_format({"bold": True, "bg_color": "#DDE6F2", "border": 1})
        names = [n for n in SHEET_ORDER if n in sheets] + [n for n in sheets
                                                            if n not in SHEET_ORDER]
        for name in names:
            frame = sheets[name]
            sheet = book.add_worksheet(name[:31])
            headers = [str(c) for c in frame.columns]
            rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
            _write_row(sheet, 0, list(headers), bold)
            for r, values in enumerate(rows, start=1):
                _write_row(sheet, r, values)
            for c, header in enumerate(headers):
                sheet.set_column(c, c, _width(header, rows, c))
            sheet.freeze_panes(1, 0)
    return buffer.getvalue()


def csv_bytes(backlog: pd.DataFrame) -> bytes:
    """The Backlog sheet as UTF-8 CSV (with BOM, so spreadsheets read the accents)."""
    cells = backlog.apply(lambda column: column.map(_cell))
    return cells.to_csv(index=False).encode("utf-8-sig")


def json_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Every sheet as a list of records under its name (unknown values as null)."""
    return json.dumps({name: [{str(k): _plain(v) for k, v in row.items()}
                              for row in frame.to_dict("records")]
                       for name, frame in sheets.items()},
                      indent=2, ensure_ascii=False).encode("utf-8")


def html_report(title: str, summary: list[str], sheets: Mapping[str, pd.DataFrame],
                top: int = 15) -> bytes:
    """A self-contained page: the summary, the reasons for the top items in sentences, the
    charts (plotly, embedded once) and the top of the backlog as a table."""
    backlog = sheets["Backlog"]
    figures = [_score_figure(backlog.head(top))]
    if "Robustness" in sheets and not sheets["Robustness"].empty:
        figures.append(_robustness_figure(sheets["Robustness"].head(top)))
    if "Roadmap" in sheets and not sheets["Roadmap"].empty:
        figures.append(_roadmap_figure(sheets["Roadmap"]))
    charts = "".join(figure.to_html(full_html=False, include_plotlyjs=i == 0)
                     for i, figure in enumerate(figures))
    reasons = "".join(
        f"<li><b>{_e(row['rank'])}. {_e(row['code'])} {_e(row['name'])}</b>: "
        f"{_e(_sentence(row))}</li>" for row in backlog.head(top).to_dict("records"))
    table = backlog.head(top)[[c for c in ("rank", "code", "name", "unit", "score",
                                          "quadrant", "probability_top_n", "selected",
                                          "period") if c in backlog]]
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{_e(title)}</title><style>
body{{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2937}}
table{{border-collapse:collapse;font-size:.9rem}}td,th{{border:1px solid #ccd;padding:.3rem .5rem}}
th{{background:#dde6f2}}li{{margin:.3rem 0}}</style></head><body>
<h1>{_e(title)}</h1><p>Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.</p>
<ul>{"".join(f"<li>{_e(line)}</li>" for line in summary)}</ul>
<h2>Why the first {min(top, len(backlog))} rank where they do</h2>
<ol style="list-style:none;padding:0">{reasons}</ol>
{charts}<h2>Top of the backlog</h2>{table.to_html(index=False, na_rep="", escape=True)}
</body></html>"""
    return page.encode("utf-8")


def _sentence(row: Mapping[Any, Any]) -> str:
    parts = [f"score {float(row['score']):.3f}"]
    if row.get("reasons"):
        parts.append(f"mostly from {row['reasons']}")
    probability = row.get("probability_top_n")
    if isinstance(probability, float) and not math.isnan(probability):
        parts.append(f"in the top group in {probability:.0%} of the robustness samples")
    if row.get("rank_interval") and "-" in str(row["rank_interval"]):
        parts.append(f"could rank {row['rank_interval']} given unknown values")
    if row.get("prerequisites"):
        parts.append(f"needs {row['prerequisites']} first")
    if row.get("period"):
        parts.append(f"planned {row['period']}")
    return "; ".join(parts) + "."


def _score_figure(backlog: pd.DataFrame) -> go.Figure:
    labels = np.array([f"{r}. {c}" for r, c in zip(backlog["rank"], backlog["code"],
                                                     strict=True)])
    figure = go.Figure()
    for column in [c for c in backlog.columns if c.startswith("contribution_")]:
        figure.add_bar(y=labels, x=backlog[column].to_numpy(dtype=float), orientation="h",
                       name=column.removeprefix("contribution_").replace("_", " "))
    figure.update_layout(barmode="stack", title="Score by criterion", height=520,
                         yaxis={"autorange": "reversed"}, legend={"orientation": "h"})
    return figure


def _robustness_figure(table: pd.DataFrame) -> go.Figure:
    figure = go.Figure(go.Bar(x=table["code"].to_numpy(), y=table["probability_top_n"].to_numpy(
        dtype=float)))
    figure.update_layout(title="Probability of being in the top group", height=380,
                         yaxis={"range": [0, 1], "tickformat": ".0%"})
    return figure


def _roadmap_figure(plan: pd.DataFrame) -> go.Figure:
    placed = plan[plan["period"].notna()]
    figure = go.Figure(go.Scatter(
        x=placed["period"].to_numpy(dtype=object), y=placed["code"].to_numpy(dtype=object),
        mode="markers", marker={"symbol": "square", "size": 14}))
    figure.update_layout(title="Roadmap: period of each chosen process", height=420,
                         yaxis={"autorange": "reversed"})
    return figure


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


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))
