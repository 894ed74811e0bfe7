"""Figures shared by the Scenarios, Robustness and Portfolio pages, and the one helper they
share for picking a scenario. No scoring maths here: every number comes from :mod:`scoring`;
these functions only arrange it for plotly (numpy arrays in, figures out)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from scoring.criteria import CriteriaSet
from scoring.scenario import Scenario
from scoring.sensitivity import FRAGILE, ROBUST, SENSITIVE

#: The scenario offered when none is saved: the criteria set's own weights.
DEFAULT = "Default (criteria set weights)"
LABEL_COLOURS = {ROBUST: "#2ca02c", SENSITIVE: "#ff7f0e", FRAGILE: "#d62728"}
MILESTONES = ("C26", "PP-26")
_MARGIN = {"t": 30, "b": 10, "l": 10, "r": 10}
#: Pixels per character of a bump-chart label (plotly's default 12 px font, with room).
_LABEL_CHAR_PX = 8


def scenario_named(name: str, saved: pd.DataFrame, criteria: CriteriaSet) -> Scenario:
    """The saved scenario ``name`` (a row of ``catalogue().scenarios.list()``), or the default
    scenario (the criteria set's weights) for :data:`DEFAULT`. Raises ScoringError when the
    stored settings no longer pass the scenario's checks."""
    if name == DEFAULT:
        return Scenario(name="Default", weights=criteria.weights())
    settings = saved.loc[saved["name"] == name, "settings"].iloc[0]
    return Scenario.from_dict(settings)


def _layout(figure: go.Figure, height: int, margin: dict[str, int] = _MARGIN,
            **extra: Any) -> go.Figure:
    figure.update_layout(height=height, plot_bgcolor="white", margin=margin, **extra)
    return figure


def bump_figure(compared: pd.DataFrame, scenarios: Sequence[str], top: int) -> go.Figure:
    """Ranks of the processes in the top ``top`` of any scenario, one line per process across
    the scenarios (a bump chart; rank 1 at the top; a gap where a scenario does not rank it).
    Each line is labelled with its code right of the last scenario that ranks it; the right
    margin is as wide as the longest code, so no label is cut off."""
    values = compared[list(scenarios)].astype("float64").to_numpy()
    shown = np.nanmin(np.where(np.isnan(values), np.inf, values), axis=1) <= top
    codes = compared.index.to_numpy(dtype=object)[shown]
    values = values[shown]
    x = np.asarray(list(scenarios), dtype=object)
    figure = go.Figure()
    for code, ranks in zip(codes, values, strict=True):
        figure.add_trace(go.Scatter(
            x=x, y=ranks, mode="lines+markers+text", name=str(code), connectgaps=False,
            text=np.where(np.arange(x.size) == _last_ranked(ranks), str(code), ""),
            textposition="middle right", hovertemplate=f"<b>{code}</b><br>%{{x}}: rank %{{y}}"
                                                       "<extra></extra>"))
    worst = int(np.nanmax(values)) if values.size and not np.isnan(values).all() else top
    figure.update_yaxes(autorange=False, range=[worst + 0.5, 0.5], title="Rank", dtick=1
                        if worst <= 30 else None, gridcolor="#eee")
    figure.update_xaxes(title=None)
    longest = max((len(str(code)) for code in codes), default=0)
    margin = {**_MARGIN, "r": 20 + _LABEL_CHAR_PX * longest}
    figure.update_traces(cliponaxis=False)
    return _layout(figure, max(320, 22 * min(worst, 60) + 120), margin, showlegend=False)


def _last_ranked(ranks: np.ndarray) -> int:
    """Index of the last scenario that ranks a process (where its line's label goes)."""
    known = np.flatnonzero(~np.isnan(ranks))
    return int(known[-1]) if known.size else -1


def probability_figure(table: pd.DataFrame, top_n: int, shown: int) -> go.Figure:
    """Probability of being in the top N for the ``shown`` best ranked processes (``table``:
    the Robustness table in rank order), coloured by robustness label."""
    head = table.head(shown)
    codes = head.index.to_numpy(dtype=object)
    labels = head["robustness"].to_numpy(dtype=object)
    figure = go.Figure()
    for label, colour in LABEL_COLOURS.items():
        mask = labels == label
        if not mask.any():
            continue
        figure.add_trace(go.Bar(
            y=codes[mask], x=head["probability_top_n"].to_numpy(dtype=float)[mask],
            orientation="h", name=label.capitalize(), marker={"color": colour},
            hovertemplate="<b>%{y}</b>: %{x:.1%}<extra></extra>"))
    figure.update_yaxes(categoryorder="array", categoryarray=codes[::-1])
    figure.update_xaxes(range=[0, 1], tickformat=".0%", title=f"Probability of the top {top_n}",
                        gridcolor="#eee")
    return _layout(figure, max(300, 22 * len(head) + 120), barmode="overlay")


def interval_figure(table: pd.DataFrame, shown: int) -> go.Figure:
    """Median sampled rank with its 5th-95th percentile interval as error bars, in rank order
    (``table``: the Robustness table)."""
    head = table.head(shown)
    codes = head.index.to_numpy(dtype=object)
    p5, p50, p95 = (head[c].to_numpy(dtype=float) for c in ("rank_p5", "rank_p50", "rank_p95"))
    colours = [LABEL_COLOURS.get(str(x), "#888") for x in head["robustness"]]
    figure = go.Figure(go.Scatter(
        x=p50, y=codes, mode="markers", marker={"color": colours, "size": 9},
        error_x={"type": "data", "symmetric": False, "array": p95 - p50,
                 "arrayminus": p50 - p5, "color": "#888"},
        customdata=np.stack([p5, p95], axis=1),
        hovertemplate="<b>%{y}</b>: median rank %{x}, 90% between %{customdata[0]} and "
                      "%{customdata[1]}<extra></extra>", showlegend=False))
    figure.update_yaxes(categoryorder="array", categoryarray=codes[::-1])
    figure.update_xaxes(title="Sampled rank (5th, 50th, 95th percentile)", gridcolor="#eee",
                        rangemode="tozero")
    return _layout(figure, max(300, 22 * len(head) + 120))


def frontier_figure(frontier: pd.DataFrame, budget: float | None,
                    value: float | None) -> go.Figure:
    """Best total value against the budget; the current budget as a dashed line and the
    current portfolio as a star."""
    levels = frontier["budget"].to_numpy(dtype=float)
    values = frontier["value"].to_numpy(dtype=float)
    counts = frontier["count"].to_numpy(dtype=float)
    figure = go.Figure(go.Scatter(
        x=levels, y=values, mode="lines+markers", name="Best value", line={"shape": "hv"},
        customdata=counts, hovertemplate="Budget %{x:,.0f} CHF: value %{y:.3f} "
                                         "(%{customdata} processes)<extra></extra>"))
    if budget is not None:
        figure.add_vline(x=budget, line_dash="dash", line_color="#d62728",
                         annotation_text="current budget", annotation_position="top left")
        if value is not None and np.isfinite(value):
            figure.add_trace(go.Scatter(
                x=np.array([budget]), y=np.array([value]), mode="markers", name="This portfolio",
                marker={"symbol": "star", "size": 14, "color": "#d62728"}))
    figure.update_xaxes(title="Budget (CHF)", tickformat=",.0f", gridcolor="#eee")
    figure.update_yaxes(title="Total value (sum of scores)", gridcolor="#eee",
                        rangemode="tozero")
    return _layout(figure, 380)


def gantt_figure(plan: pd.DataFrame, periods: Sequence[str]) -> go.Figure:
    """The placed processes as bars across their period (periods as shaded bands on the x
    axis, first in the plan at the top); C26 and PP-26 marked at the end of their periods."""
    placed = plan[plan["placed"]]
    codes = placed["code"].to_numpy(dtype=object)
    start = placed["period_index"].to_numpy(dtype=float)
    effort = placed["effort"].to_numpy(dtype=float)
    figure = go.Figure(go.Bar(
        y=codes, x=np.full(codes.size, 0.9), base=start + 0.05, width=0.6, orientation="h",
        marker={"color": np.where(placed["quick_fix"].to_numpy(dtype=bool), "#2ca02c",
                                  "#1f77b4")},
        customdata=np.stack([placed["period"].to_numpy(dtype=object), effort], axis=1),
        hovertemplate="<b>%{y}</b>: %{customdata[0]}, %{customdata[1]} person-months"
                      "<extra></extra>", showlegend=False))
    for i, name in enumerate(periods):
        if i % 2 == 0:
            figure.add_vrect(x0=i, x1=i + 1, fillcolor="#f2f4f7", line_width=0, layer="below")
        for milestone in MILESTONES:
            if name.upper().endswith(milestone):
                figure.add_vline(x=i + 1, line_dash="dash", line_color="#d62728",
                                 annotation_text=milestone, annotation_position="top left")
    figure.update_xaxes(range=[0, len(periods)], tickvals=np.arange(len(periods)) + 0.5,
                        ticktext=list(periods), showgrid=False)
    figure.update_yaxes(categoryorder="array", categoryarray=codes[::-1])
    return _layout(figure, max(260, 26 * codes.size + 120))
