"""Figures and tables of the Roadmap page, and the initiatives shown with a process on the
Inventory page. No counting here: every number comes from
:class:`inventory.roadmap_dashboard.Dashboard` or the roadmap services; these functions only
arrange it for plotly and Streamlit.

Colours: an initiative is green when completed, blue when ongoing, grey when planned and amber
when revised; a deliverable's cell is green when done, blue when on track, amber when at risk,
red when late and grey when dropped. Cells also say the status in words, so nothing rests on
colour alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from inventory.roadmap_dashboard import STATUSES
from inventory.roadmap_schemas import DeliverableStatus, InitiativeStatus
from inventory.schemas import PriorityArea
from inventory.services import Catalogue
from views.common import plain
from views.edit_flow import text, word

STATUS_COLOURS = {"completed": "#2e9d5b", "ongoing": "#3b7dd8", "planned": "#a3aab5",
                  "revised": "#f0a830"}
#: Light tints behind a deliverable's text (dark text stays readable on each).
DELIVERABLE_TINTS = {"done": "#cdebd8", "on_track": "#d5e4fa", "at_risk": "#fde3b3",
                     "late": "#f8c9c4", "dropped": "#e3e5e9"}
EVENTS = {"create": "added", "delete": "deleted", "restore": "restored",
          "combined": "combined into another", "split": "split into parts",
          "back on the roadmap": "back on the roadmap"}
PRIORITY_AREA_LABELS = {a.value: a.label for a in PriorityArea}


def status_bars(table: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars of initiatives by group (the table's index) stacked by status, the
    first group at the top (``table``: a crosstab of :func:`status_counts`)."""
    figure = go.Figure()
    groups = np.asarray(table.index, dtype=object)
    for status in STATUSES:
        figure.add_bar(y=groups, x=table[status].to_numpy(), orientation="h",
                       name=InitiativeStatus(status).label, marker_color=STATUS_COLOURS[status],
                       hovertemplate="%{y}: %{x} " + status + "<extra></extra>")
    figure.update_layout(barmode="stack", title=title, height=120 + 40 * len(table),
                         margin={"l": 10, "r": 10, "t": 80, "b": 10},
                         legend={"orientation": "h", "traceorder": "normal", "x": 0,
                                 "y": 1.02, "yanchor": "bottom"})
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_xaxes(dtick=1 if table["total"].max() <= 10 else None)
    return figure


def count_figure(counts: pd.DataFrame) -> go.Figure:
    """The number of initiatives on the roadmap after each change (a step line; hovering a
    step names the initiative and what happened to it)."""
    what = np.array([f"{i} {EVENTS.get(e, e)}" for i, e in zip(counts["initiative"],
                                                              counts["event"], strict=True)],
                    dtype=object)
    figure = go.Figure(go.Scatter(
        x=counts["at"].to_numpy(), y=counts["count"].to_numpy(), mode="lines+markers",
        line_shape="hv", line_color=STATUS_COLOURS["ongoing"], customdata=what,
        hovertemplate="%{x|%Y-%m-%d %H:%M} UTC<br>%{customdata}<br>"
                      "%{y} on the roadmap<extra></extra>"))
    figure.update_layout(title="Initiatives on the roadmap over time", height=320,
                         margin={"l": 10, "r": 10, "t": 50, "b": 10})
    figure.update_yaxes(title="on the roadmap", rangemode="tozero")
    return figure


def _cell(texts: Any, status: Any) -> str:
    """A deliverable cell: each deliverable on its line, then the status in words."""
    lines = [plain(line) for line in text(texts).split("\n") if line.strip()]
    if not lines:
        return ""
    return "  \n".join(lines) + f"  \n*{word(DeliverableStatus, status)}*"


def annex_table(annex: pd.DataFrame) -> Any:
    """The annex as the status report lays it out (a priority area and an action are named
    once, on their first line), each deliverable cell tinted by its status: a pandas Styler
    for ``st.table`` (cells are Markdown, so user text is escaped)."""
    area = annex["priority_area"].where(annex["priority_area"].ne(
        annex["priority_area"].shift()), "")
    action = [f"**{plain(name)}** ({plain(code)})" for code, name in
              zip(annex["code"], annex["action"], strict=True)]
    repeated = annex["code"].eq(annex["code"].shift())
    shown = pd.DataFrame({
        "Priority area": area.to_numpy(),
        "Action": np.where(repeated, "", np.array(action, dtype=object)),
        "Objective": [plain(text(o)) for o in annex["objective"]],
        "Deliverables by C26": [_cell(t, s) for t, s in zip(annex["c26"], annex["c26_status"],
                                                            strict=True)],
        "By PP-26": [_cell(t, s) for t, s in zip(annex["pp26"], annex["pp26_status"],
                                                 strict=True)],
        "Later": [_cell(t, s) for t, s in zip(annex["later"], annex["later_status"],
                                              strict=True)]})
    tints = pd.DataFrame("", index=shown.index, columns=shown.columns)
    for column, status in (("Deliverables by C26", "c26_status"), ("By PP-26", "pp26_status"),
                           ("Later", "later_status")):
        tints[column] = [f"background-color: {DELIVERABLE_TINTS[s]}"
                         if s in DELIVERABLE_TINTS else "" for s in annex[status]]
    return shown.style.apply(lambda _: tints, axis=None).hide(axis="index")


def legend() -> str:
    """The deliverable colours in words, for a caption."""
    names = {"done": "green", "on_track": "blue", "at_risk": "amber", "late": "red",
             "dropped": "grey"}
    return "Cells: " + ", ".join(f"{DeliverableStatus(s).label.lower()} {names[s]}"
                                 for s in DELIVERABLE_TINTS) + \
        " (a cell with several deliverables takes the most worrying status)."


def deliverables_table(frame: pd.DataFrame, columns: list[str]) -> Any:
    """Deliverables with readable titles and the status cell tinted (a Styler for
    ``st.dataframe``)."""
    titles = {"initiative_code": "Initiative", "ref": "Ref", "objective": "Objective",
              "milestone": "Milestone", "text": "Deliverable", "due_on": "Due",
              "due": "Due date", "status": "Status", "evidence": "Evidence",
              "overdue": "Overdue", "updated_by": "Last changed by"}
    shown = frame[columns].copy()
    tints = [f"background-color: {DELIVERABLE_TINTS.get(s, '')}" for s in shown["status"]]
    shown["status"] = [word(DeliverableStatus, s) for s in shown["status"]]
    if "overdue" in shown:
        shown["overdue"] = np.where(shown["overdue"].astype(bool), "overdue", "")
    shown = shown.rename(columns=lambda c: titles.get(c, c))
    styler = shown.style.apply(lambda _: tints, subset=["Status"], axis=0)
    if "Overdue" in shown:
        styler = styler.map(lambda v: "color: #b3261e; font-weight: bold" if v else "",
                            subset=["Overdue"])
    return styler


def process_initiatives(inventory: Catalogue, code: str) -> None:
    """The initiatives that transform process ``code``, with their status, each a link to the
    Roadmap page (the body of the Inventory page's Initiatives tab)."""
    found = inventory.initiatives.of_process(code)
    if found.empty:
        st.caption(f"No initiative of the roadmap transforms {plain(code)} yet.")
        return
    for item in found.itertuples(index=False):
        st.page_link("views/roadmap.py", icon=":material/flag:",
                      label=f"{plain(item.code)} · {plain(item.name)} — "
                            f"{word(InitiativeStatus, item.status)}, "
                            f"{PRIORITY_AREA_LABELS.get(str(item.priority_area), 'no area')}",
                      query_params={"initiative": str(item.code)})
