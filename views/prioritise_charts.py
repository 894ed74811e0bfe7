"""Figures and small table helpers of the Prioritise page: contributions, the impact x effort
matrix, explanations, and the AHP pairwise grid. No scoring maths here: every number shown
comes from :mod:`scoring`; these functions only arrange it for plotly and Streamlit."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import zip_longest

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from scoring.criteria import CriteriaSet, Group
from scoring.ranking import FILL_IN, MAJOR_PROJECT, QUICK_WIN, RECONSIDER, UPLIFT, Ranking
from scoring.scenario import Scenario

#: Colour families of the criterion groups (a plotly sequential scale each), the uplift colour.
GROUP_SCALES = {Group.IMPACT: "Blues", Group.EFFORT: "Oranges", Group.DEPENDENCY: "Purples",
                Group.CUSTOM: "Greys"}
UPLIFT_COLOUR = "#2ca02c"
QUADRANT_COLOURS = {QUICK_WIN: "#2ca02c", MAJOR_PROJECT: "#1f77b4", FILL_IN: "#9aa3ad",
                    RECONSIDER: "#d62728"}
QUADRANT_TITLES = {QUICK_WIN: "Quick wins", MAJOR_PROJECT: "Major projects",
                   FILL_IN: "Fill-ins", RECONSIDER: "Reconsider"}
UPLIFT_NAME = "Dependency uplift"

#: Saaty's 1-9 scale: how many times the left criterion matters more than the right one.
SAATY = ["9", "8", "7", "6", "5", "4", "3", "2", "1",
         "1/2", "1/3", "1/4", "1/5", "1/6", "1/7", "1/8", "1/9"]
_INTENSITY = {1: "equally", 2: "equally to moderately", 3: "moderately",
              4: "moderately to strongly", 5: "strongly", 6: "strongly to very strongly",
              7: "very strongly", 8: "very to extremely", 9: "extremely"}


def group_colours(criteria: CriteriaSet) -> dict[str, str]:
    """One colour per criterion key, shades of its group's family (dark and light shades
    alternate, so neighbouring segments stand apart), plus the uplift's."""
    colours: dict[str, str] = {}
    for group, scale in GROUP_SCALES.items():
        members = criteria.in_group(group)
        levels = list(np.linspace(0.95, 0.35, len(members))) if len(members) > 1 else [0.7]
        half = (len(levels) + 1) // 2
        spread = [x for pair in zip_longest(levels[:half], levels[half:]) for x in pair
                  if x is not None]
        shades = sample_colorscale(scale, spread)
        colours |= {c.key: shade for c, shade in zip(members, shades, strict=False)}
    return colours | {UPLIFT: UPLIFT_COLOUR}


def _short(text: str, size: int = 30) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def contributions_figure(ranking: Ranking, top: int) -> go.Figure:
    """Stacked horizontal bars of each criterion's contribution for the ``top`` processes,
    highest ranked at the top, the dependency uplift as its own segment."""
    table = ranking.table.head(top)
    codes = table["code"].to_numpy(dtype=object)
    ticks = [f"{r} · {c} {_short(n, 18)}" for r, c, n in
             zip(table["rank"], codes, table["name"], strict=True)]
    parts = ranking.contributions.loc[codes]
    colours = group_colours(ranking.criteria)
    names = table["name"].to_numpy(dtype=object)
    figure = go.Figure()
    series = [(c.key, c.label, c.group.value.capitalize()) for c in ranking.criteria.criteria]
    if (parts[UPLIFT] > 0).any():
        series.append((UPLIFT, UPLIFT_NAME, "Dependency"))
    for key, label, group in series:
        figure.add_trace(go.Bar(
            y=codes, x=parts[key].to_numpy(dtype=float), orientation="h", name=label,
            marker={"color": colours.get(key, "#888"), "line": {"width": 0.5, "color": "white"}},
            legendgroup=group, legendgrouptitle={"text": group}, customdata=names,
            hovertemplate=f"<b>%{{y}}</b> %{{customdata}}<br>{label}: %{{x:.3f}}"
                          "<extra></extra>"))
    figure.update_layout(
        barmode="stack", height=max(300, 24 * len(table) + 230), plot_bgcolor="white",
        margin={"t": 10, "b": 10, "l": 10, "r": 10}, bargap=0.25,
        yaxis={"autorange": "reversed", "tickvals": codes, "ticktext": ticks,
               "tickfont": {"size": 12}},
        xaxis={"title": "Contribution (weight \N{MULTIPLICATION SIGN} normalised value)",
               "gridcolor": "#eceff3", "rangemode": "tozero"},
        legend={"groupclick": "toggleitem", "font": {"size": 11}, "orientation": "h",
                "yanchor": "top", "y": -0.12 - 1.2 / max(len(table), 5), "x": 0,
                "traceorder": "grouped"})
    return figure


def matrix_figure(table: pd.DataFrame, scenario: Scenario, labelled: int = 10) -> go.Figure:
    """Impact x effort bubbles: size = score, colour = quadrant, a dark star on quick-fix
    candidates; the ``labelled`` best ranked carry their code, placed to avoid each other."""
    figure = go.Figure()
    trace = go.Scattergl if len(table) > 5000 else go.Scatter
    x, y = table["effort"].to_numpy(dtype=float), table["impact"].to_numpy(dtype=float)
    scores = table["score"].to_numpy(dtype=float)
    sizes = 9 + 26 * np.sqrt(np.clip(scores, 0, None) / max(float(scores.max(initial=0)), 1e-9))
    shown = table["rank"].to_numpy() <= labelled
    text = np.where(shown, table["code"].to_numpy(dtype=object), "")
    where = np.full(len(table), "top center", dtype=object)
    where[shown] = label_positions(x[shown], y[shown], sizes[shown], text[shown], x, y, sizes)
    quick = table["quick_fix"].to_numpy(dtype=bool)
    custom = np.column_stack([table["code"].to_numpy(dtype=object),
                              table["name"].to_numpy(dtype=object), table["rank"].to_numpy(),
                              scores, np.where(quick, "<br>quick-fix candidate", "")])
    hover = ("<b>%{customdata[0]}</b> %{customdata[1]}<br>rank %{customdata[2]} · score "
             "%{customdata[3]:.3f}<br>impact %{y:.2f} · effort %{x:.2f}%{customdata[4]}"
             "<extra></extra>")
    for quadrant, colour in QUADRANT_COLOURS.items():
        rows = (table["quadrant"] == quadrant).to_numpy()
        if rows.any():
            figure.add_trace(trace(
                x=x[rows], y=y[rows], mode="markers+text", name=QUADRANT_TITLES[quadrant],
                text=text[rows], textposition=where[rows],
                textfont={"size": 10, "color": "#39414b"}, customdata=custom[rows],
                hovertemplate=hover, marker={"size": sizes[rows], "color": colour,
                                             "opacity": 0.75, "line": {"width": 1,
                                                                       "color": "white"}}))
    if quick.any():
        figure.add_trace(trace(
            x=x[quick], y=y[quick], mode="markers", name="Quick-fix candidate",
            customdata=custom[quick], hovertemplate=hover,
            marker={"symbol": "star", "size": 11, "color": "#1f2933",
                    "line": {"width": 1, "color": "white"}}))
    x_cut, y_cut = scenario.effort_threshold, scenario.impact_threshold
    figure.add_vline(x=x_cut, line={"dash": "dash", "color": "#8a929c", "width": 1})
    figure.add_hline(y=y_cut, line={"dash": "dash", "color": "#8a929c", "width": 1})
    for quadrant, corner_x, corner_y, anchor in ((QUICK_WIN, 0.01, 1.04, "left"),
                                                 (MAJOR_PROJECT, 0.99, 1.04, "right"),
                                                 (FILL_IN, 0.01, -0.04, "left"),
                                                 (RECONSIDER, 0.99, -0.04, "right")):
        figure.add_annotation(x=corner_x, y=corner_y,
                              text=f"<b>{QUADRANT_TITLES[quadrant]}</b>",
                              showarrow=False, xanchor=anchor,
                              font={"color": QUADRANT_COLOURS[quadrant], "size": 13})
    figure.update_layout(
        height=520, plot_bgcolor="white", margin={"t": 10, "b": 10, "l": 10, "r": 10},
        xaxis={"title": "Effort (0 = easiest, 1 = hardest)", "range": [-0.03, 1.03],
               "gridcolor": "#eceff3", "zeroline": False},
        yaxis={"title": "Impact", "range": [-0.08, 1.08], "gridcolor": "#eceff3",
               "zeroline": False},
        legend={"orientation": "h", "y": -0.14, "itemsizing": "constant"})
    return figure


def label_positions(x: np.ndarray, y: np.ndarray, sizes: np.ndarray, text: np.ndarray,
                    all_x: np.ndarray, all_y: np.ndarray, all_sizes: np.ndarray,
                    width: float = 900.0, height: float = 420.0) -> list[str]:
    """For each label (in the given order), the side of its bubble (above, below, right,
    left) that overlaps the fewest labels already placed and bubbles, estimated in pixels
    on a ``width`` x ``height`` plot of the [0, 1] square."""

    def box(px: float, py: float, w: float, r: float, side: str) -> tuple[float, ...]:
        h = 12.0
        return {"top center": (px - w / 2, px + w / 2, py + r, py + r + h),
                "bottom center": (px - w / 2, px + w / 2, py - r - h, py - r),
                "middle right": (px + r, px + r + w, py - h / 2, py + h / 2),
                "middle left": (px - r - w, px - r, py - h / 2, py + h / 2)}[side]

    def hits(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]

    bubbles = [(bx * width - s / 2, bx * width + s / 2, by * height - s / 2, by * height + s / 2)
               for bx, by, s in zip(all_x, all_y, all_sizes, strict=True)]
    placed: list[tuple[float, ...]] = []
    sides = []
    for px, py, size, label in zip(x * width, y * height, sizes, text, strict=True):
        options = {side: box(px, py, 6.0 * len(str(label)), size / 2 + 1, side)
                   for side in ("top center", "bottom center", "middle right", "middle left")}
        side = min(options, key=lambda k: 3 * sum(hits(options[k], o) for o in placed)
                   + sum(hits(options[k], o) for o in bubbles))
        placed.append(options[side])
        sides.append(side)
    return sides


def waterfall_figure(lines: pd.DataFrame, total_label: str) -> go.Figure:
    """One process's contributions building up to its total, largest first."""
    shown = lines[lines["contribution"].abs() > 1e-12]
    values = shown["contribution"].to_numpy(dtype=float)
    figure = go.Figure(go.Waterfall(
        orientation="h", y=np.append(shown["label"].to_numpy(dtype=object), total_label),
        x=np.append(values, values.sum()),
        measure=np.array(["relative"] * len(values) + ["total"], dtype=object),
        text=np.array([f"{v:.3f}" for v in values] + [f"{values.sum():.3f}"], dtype=object),
        textposition="outside", cliponaxis=False, connector={"line": {"color": "#c2c8d0"}},
        increasing={"marker": {"color": "#4a90c2"}}, totals={"marker": {"color": "#20466b"}}))
    figure.update_layout(height=max(240, 28 * (len(values) + 1) + 60), plot_bgcolor="white",
                         margin={"t": 10, "b": 10, "l": 10, "r": 10},
                         yaxis={"autorange": "reversed"},
                         xaxis={"title": "Contribution", "gridcolor": "#eceff3",
                                "range": [min(0.0, values.min(initial=0.0)) * 1.2,
                                          max(values.sum(), values.max(initial=0.0)) * 1.15]})
    return figure


def difference_figure(lines: pd.DataFrame, a: str, b: str) -> go.Figure:
    """Diverging bars: per criterion, contribution of ``a`` minus that of ``b``."""
    shown = lines[lines["difference"].abs() > 1e-12]
    values = shown["difference"].to_numpy(dtype=float)
    figure = go.Figure(go.Bar(
        y=shown["label"].to_numpy(dtype=object), x=values, orientation="h",
        marker={"color": np.where(values > 0, "#2a7fba", "#e07b39")},
        text=np.array([f"{v:+.3f}" for v in values], dtype=object), textposition="outside",
        cliponaxis=False, hovertemplate="%{y}: %{x:+.3f}<extra></extra>"))
    reach = float(np.abs(values).max()) * 1.5 if len(values) else 1.0
    figure.add_vline(x=0, line={"color": "#5b636d", "width": 1})
    figure.update_layout(
        height=max(240, 28 * len(values) + 80), plot_bgcolor="white",
        margin={"t": 30, "b": 10, "l": 10, "r": 10}, yaxis={"autorange": "reversed"},
        xaxis={"title": f"← favours {b}   ·   favours {a} →", "range": [-reach, reach],
               "gridcolor": "#eceff3", "zeroline": False})
    return figure


# The AHP grid --------------------------------------------------------------------------------

def judgement_label(value: str | float | bool) -> str:
    """``"3"`` -> ``"3 · moderately more"``; ``"1/5"`` -> ``"1/5 · strongly less"``."""
    ratio = Fraction(str(value))
    if ratio == 1:
        return "1 · equally"
    if ratio > 1:
        return f"{value} · {_INTENSITY[int(ratio)]} more"
    return f"{value} · {_INTENSITY[ratio.denominator]} less"


def judgement_words(value: str) -> str:
    """``"9"`` -> ``"extremely more important than"``; ``"1"`` -> ``"as important as"``."""
    if Fraction(value) == 1:
        return "as important as"
    return judgement_label(value).split(" · ")[1] + " important than"


def nearest_judgement(ratio: float) -> str:
    """The Saaty scale value closest to ``ratio`` on a log scale."""
    values = np.array([float(Fraction(v)) for v in SAATY])
    return SAATY[int(np.argmin(np.abs(np.log(values) - np.log(ratio))))]


def grid_key(keys: list[str]) -> str:
    """The data editor's key for the pairs of ``keys`` (a new grid for every choice)."""
    return "ahp_grid:" + ",".join(keys)


def pair_names(keys: list[str]) -> list[str]:
    """``"a|b"`` for every pair of ``keys`` in the upper triangle, row by row."""
    return [f"{keys[i]}|{keys[j]}" for i in range(len(keys)) for j in range(i + 1, len(keys))]


def pairs_frame(criteria: CriteriaSet, keys: list[str], saved: dict[str, str]) -> pd.DataFrame:
    """The upper triangle as rows: criterion i, judgement (``saved`` under ``"i|j"``, else
    ``"1"``), criterion j > i."""
    rows = []
    for pair in pair_names(keys):
        a, b = pair.split("|")
        rows.append({"a": criteria.get(a).label, "judgement": saved.get(pair, "1"),
                     "b": criteria.get(b).label})
    return pd.DataFrame(rows, columns=["a", "judgement", "b"])


def pairwise_matrix(judgements: Sequence[str | None], n: int) -> np.ndarray:
    """The full reciprocal matrix of the upper-triangle ``judgements`` (row by row);
    an emptied cell counts as 1 (equal)."""
    matrix = np.ones((n, n))
    cells = iter(judgements)
    for i in range(n):
        for j in range(i + 1, n):
            value = float(Fraction(next(cells) or "1"))
            matrix[i, j], matrix[j, i] = value, 1.0 / value
    return matrix
