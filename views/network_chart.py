"""The dependency network as a plotly figure, for the Dependencies page.

Processes are placed left to right by wave (:func:`inventory.graph.layered_layout`), so crowded
waves spread over several columns; every dependency carries an arrowhead part-way along, pointing
to the process that depends on it; processes are labelled with their code: all of them when the
graph is small enough to read, otherwise the chosen process and its neighbourhood, or, with none
chosen, the widest-reaching ones (the rest on hover). The chosen process's ripple is coloured:
what it feeds, what it needs, and its sub-processes when a parent stands for them.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from inventory import graph

LABEL_ALL_LIMIT = 100  # up to this many processes drawn, every one is labelled
LABEL_LIMIT = 40  # at most this many labels in a larger graph, nearest to the chosen first
WIDEST_LABELLED = 12  # a larger graph with no process chosen labels its widest-reaching ones
COLUMN_LIMIT = 12  # processes in one column of the drawing before a wave spreads sideways
WEBGL_POINTS = 10_000  # above this many line points, plain edges are drawn with WebGL
ROW_PIXELS = 40
COLUMN_PIXELS = 900  # about the drawing's width on a laptop, shared by its columns
WAVE_LABELS = 40  # at most this many numbered waves on the axis
COLOUR_CHOICES = {"unit": "Unit", "wave": "Wave", "downstream": "Downstream reach",
                  "pagerank": "PageRank (many depend on it)", "betweenness": "Betweenness",
                  "on_cycle": "On a cycle"}
CHOSEN, SUB_PROCESS = "chosen", "its sub-processes"
FEEDS, NEEDS, OTHER = "feeds (downstream)", "needs (upstream)", "other"
RIPPLE_COLOURS = {CHOSEN: "#d62728", SUB_PROCESS: "#f08080", FEEDS: "#ff7f0e",
                  NEEDS: "#1f77b4", OTHER: "#d0d4da"}
EDGE_GREY = "#b8bec8"


# --------------------------------------------------------------------------- the drawing


def network_figure(dependencies: nx.DiGraph, placed: pd.DataFrame, colour: str,
                   ripple: dict[str, str] | None, labelled: set[str]) -> go.Figure:
    """The network: ``placed`` holds one row per process drawn (x, y and its metrics)."""
    figure = go.Figure()
    for trace in _edge_traces(dependencies, placed, ripple):
        figure.add_trace(trace)
    placed = placed.assign(hover=_hover(placed), size=_sizes(placed),
                           label=[code if code in labelled else "" for code in placed.index])
    for trace in _node_traces(placed, colour, ripple):
        figure.add_trace(trace)
    rows = int(np.ceil(placed["y"].max() - placed["y"].min())) + 1
    figure.update_layout(
        height=max(420, ROW_PIXELS * rows + 140), margin={"t": 30, "b": 10, "l": 10, "r": 10},
        xaxis={"title": "Wave (a process needs only those to its left)", "zeroline": False,
               "showgrid": False, **_wave_ticks(placed)},
        yaxis={"visible": False},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        plot_bgcolor="white")
    return figure


def _hover(placed: pd.DataFrame) -> list[str]:
    return [f"<b>{code}</b> {row['name']}<br>unit {row['unit']} · owner {row['owner']}<br>"
            f"downstream {row['downstream']} · upstream {row['upstream']} · wave {row['wave']}"
            f"<br>PageRank {row['pagerank']:.2f} (1 = its part's average)"
            f"{' · on a cycle' if row['on_cycle'] else ''}"
            for code, row in placed.iterrows()]


def _sizes(placed: pd.DataFrame) -> np.ndarray:
    """Marker diameter in pixels, growing with the square root of downstream reach: 8 to 22,
    smaller when there are so many columns that full-size markers would touch."""
    reach = placed["downstream"].to_numpy(dtype=float)
    largest = float(np.clip(COLUMN_PIXELS / max(1, placed["column"].nunique()), 10, 22))
    smallest = min(8.0, largest / 2)
    return smallest + (largest - smallest) * np.sqrt(reach / max(1.0, float(reach.max(initial=0))))


def _wave_ticks(placed: pd.DataFrame) -> dict[str, list[Any]]:
    """A tick at the centre of each wave, numbered; with many waves, every k-th numbered."""
    waves = placed.groupby("wave")["x"].agg(["min", "max"])
    every = -(-len(waves) // WAVE_LABELS)
    return {"tickvals": ((waves["min"] + waves["max"]) / 2).tolist(),
            "ticktext": [str(wave) if index % every == 0 else ""
                         for index, wave in enumerate(waves.index)]}


def _edge_traces(dependencies: nx.DiGraph, placed: pd.DataFrame,
                 ripple: dict[str, str] | None) -> list[go.Scatter | go.Scattergl]:
    """Plain dependencies in grey, those on the chosen process's ripple in its colours, each
    with an arrowhead part-way along pointing to the process that depends on it."""
    up, down = _drawn_edges(dependencies, placed)
    if ripple is None:
        return [_edges(placed, up, down, EDGE_GREY, 0.6, "dependencies")]
    group = _ripple_edge_groups(up, down, ripple)
    traces = [_edges(placed, up[group == OTHER], down[group == OTHER], EDGE_GREY, 0.5,
                     "other dependencies")]
    for name in (FEEDS, NEEDS):
        chosen = group == name
        traces.append(_edges(placed, up[chosen], down[chosen], RIPPLE_COLOURS[name], 1.6,
                             f"{name.split(' ')[0]} link", arrow=11))
    return traces


def _drawn_edges(dependencies: nx.DiGraph, placed: pd.DataFrame) -> tuple[np.ndarray,
                                                                           np.ndarray]:
    shown = set(placed.index)
    pairs = [(u, v) for u, v in dependencies.edges() if u in shown and v in shown]
    ends = np.array(pairs, dtype=object).reshape(-1, 2)
    return ends[:, 0], ends[:, 1]


def _ripple_edge_groups(up: np.ndarray, down: np.ndarray, ripple: dict[str, str]) -> np.ndarray:
    """FEEDS for a link leaving the chosen process (or a sub-process, or a process it feeds)
    towards a process it feeds; NEEDS for a link from a process it needs towards the chosen
    process (or a sub-process, or another process it needs); OTHER for the rest."""
    start = {CHOSEN, SUB_PROCESS}
    source = np.array([ripple.get(code, OTHER) for code in up], dtype=object)
    target = np.array([ripple.get(code, OTHER) for code in down], dtype=object)
    feeds = np.isin(source, [*start, FEEDS]) & (target == FEEDS)
    needs = (source == NEEDS) & np.isin(target, [*start, NEEDS])
    return np.where(feeds, FEEDS, np.where(needs, NEEDS, OTHER))


def _edges(placed: pd.DataFrame, up: np.ndarray, down: np.ndarray, colour: str, width: float,
           name: str, arrow: int = 8) -> go.Scatter | go.Scattergl:
    """One trace for many edges: per edge its start, an arrowhead 60% along, its end and a gap.
    The arrowhead is a marker turned along the line (``angleref="previous"``); above
    WEBGL_POINTS points the edges are drawn with WebGL, which cannot turn markers, so without."""
    x0, x1 = placed.loc[up, "x"].to_numpy(float), placed.loc[down, "x"].to_numpy(float)
    y0, y1 = placed.loc[up, "y"].to_numpy(float), placed.loc[down, "y"].to_numpy(float)
    gap = np.full(len(up), np.nan)
    xs = np.column_stack([x0, x0 + 0.6 * (x1 - x0), x1, gap]).ravel()
    ys = np.column_stack([y0, y0 + 0.6 * (y1 - y0), y1, gap]).ravel()
    line = {"width": width, "color": colour}
    if len(xs) > WEBGL_POINTS:
        return go.Scattergl(x=xs, y=ys, mode="lines", line=line, hoverinfo="skip", name=name,
                            showlegend=False)
    sizes = np.tile(np.array([0, arrow, 0, 0]), len(up))
    return go.Scatter(x=xs, y=ys, mode="lines+markers", line=line, hoverinfo="skip", name=name,
                      showlegend=False, marker={"symbol": "arrow", "angleref": "previous",
                                                "size": sizes, "color": colour})


def _node_traces(placed: pd.DataFrame, colour: str,
                 ripple: dict[str, str] | None) -> list[go.Scatter]:
    if ripple is not None:
        groups = pd.Series([ripple.get(code, OTHER) for code in placed.index],
                           index=placed.index)
        return [_markers(placed[groups == name], name, {"color": RIPPLE_COLOURS[name]},
                         faint=name == OTHER)
                for name in RIPPLE_COLOURS if (groups == name).any()]
    if colour in ("unit", "on_cycle"):
        palette = px.colors.qualitative.Safe + px.colors.qualitative.Pastel
        return [_markers(part, str(value), {"color": palette[index % len(palette)]})
                for index, (value, part) in enumerate(placed.groupby(colour, sort=True))]
    return [_markers(placed, COLOUR_CHOICES[colour], {
        "color": placed[colour].to_numpy(dtype=float), "colorscale": "Viridis",
        "showscale": True, "colorbar": {"title": {"text": COLOUR_CHOICES[colour]}}})]


def _markers(part: pd.DataFrame, name: str, marker: dict[str, Any],
             faint: bool = False) -> go.Scatter:
    """Processes as points with their label above (even columns) or below (odd columns), so
    that labels of neighbouring columns do not run into each other."""
    return go.Scatter(x=part["x"].to_numpy(dtype=float), y=part["y"].to_numpy(dtype=float),
                      mode="markers+text", name=name, hovertext=part["hover"],
                      hoverinfo="text", text=part["label"],
                      textposition=np.where(part["column"] % 2 == 0, "top center",
                                            "bottom center"),
                      textfont={"size": 10, "color": "#9aa1ab" if faint else "#31333f"},
                      marker={"size": part["size"].to_numpy(),
                              "line": {"width": 0.5, "color": "white"}, **marker})


# --------------------------------------------------------------------------- what is drawn


def neighbourhood(chosen: list[str], downstream: pd.DataFrame, upstream: pd.DataFrame,
                  depth: int) -> pd.Series:
    """How many links away each process within ``depth`` links of the chosen one is, upstream
    or downstream (0 for the chosen process and its sub-processes, the first of ``chosen``
    first), nearest first."""
    reached = [pd.Series(0, index=pd.Index(chosen, dtype=object))]
    reached += [frame.set_index("code")["distance"] for frame in (downstream, upstream)]
    distance = pd.concat(reached)
    distance = distance[distance <= depth]
    return distance.groupby(level=0, sort=False).min().sort_values(kind="stable")


def nearest(near: pd.Series, nodes: pd.DataFrame, limit: int) -> list[str]:
    """The ``limit`` processes of ``nodes`` nearest to the chosen one (see
    :func:`neighbourhood`): the chosen process itself first, then by distance, and at the same
    distance the widest-reaching first."""
    reach = nodes.set_index("code")["downstream"]
    inside = near[near.index.isin(reach.index)]
    ranked = pd.DataFrame({"later": inside.index != near.index[0], "distance": inside,
                           "reach": -reach.reindex(inside.index)})
    return ranked.sort_values(["later", "distance", "reach"],
                              kind="stable").index[:limit].tolist()


def labelled_codes(nodes: pd.DataFrame, near: pd.Series | None) -> set[str]:
    """Every process when few are drawn; else the chosen process and its nearest neighbours,
    or, with none chosen, the widest-reaching processes; at most LABEL_LIMIT of them."""
    if len(nodes) <= LABEL_ALL_LIMIT:
        return set(nodes["code"])
    if near is not None:
        return set(nearest(near, nodes, LABEL_LIMIT))
    return set(nodes.nlargest(WIDEST_LABELLED, "downstream")["code"])


def placed_nodes(dependencies: nx.DiGraph, nodes: pd.DataFrame) -> pd.DataFrame:
    """``nodes`` with their x and y, indexed by code; waves start ordered by unit then code."""
    ordered = nodes.sort_values(["wave", "unit", "code"]).set_index("code")
    layout = graph.layered_layout(dependencies, ordered["wave"], column_limit=COLUMN_LIMIT)
    return ordered.join(layout[["x", "y", "column"]])


def ripple_groups(code: str, family: list[str], downstream: pd.DataFrame,
                  upstream: pd.DataFrame) -> dict[str, str]:
    groups = {other: NEEDS for other in upstream["code"]}
    groups |= {other: FEEDS for other in downstream["code"]}
    groups |= {member: SUB_PROCESS for member in family}
    groups[code] = CHOSEN
    return groups
