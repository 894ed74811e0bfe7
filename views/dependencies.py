"""Dependencies: the process network laid out in waves, one process's ripple upstream and
downstream, the cycles to question, and the waves in which processes can change."""

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from inventory import graph
from views.common import catalogue, plain

WHOLE_GRAPH_LIMIT = 250  # above this, the network shows the chosen process's neighbourhood
COLOUR_CHOICES = {"unit": "Unit", "wave": "Wave", "downstream": "Downstream reach",
                  "pagerank": "PageRank (many depend on it)", "betweenness": "Betweenness",
                  "on_cycle": "On a cycle"}
RIPPLE_COLOURS = {"chosen": "#d62728", "feeds (downstream)": "#ff7f0e",
                  "needs (upstream)": "#1f77b4", "other": "#d0d4da"}


def layout(nodes: pd.DataFrame) -> pd.DataFrame:
    """x = wave (left needs nothing), y = rank within the wave by unit then code."""
    placed = nodes.sort_values(["wave", "unit", "code"]).copy()
    placed["y"] = placed.groupby("wave").cumcount()
    placed["y"] -= placed.groupby("wave")["y"].transform("max") / 2
    return placed


def network_figure(dependencies: nx.DiGraph, nodes: pd.DataFrame, colour: str,
                   ripple: dict[str, str] | None) -> go.Figure:
    placed = layout(nodes).set_index("code")
    xs: list[Any] = []
    ys: list[Any] = []
    for up, down in dependencies.edges():
        if up in placed.index and down in placed.index:
            xs += [placed.at[up, "wave"], placed.at[down, "wave"], None]
            ys += [placed.at[up, "y"], placed.at[down, "y"], None]
    figure = go.Figure(go.Scatter(x=np.array(xs, dtype=float), y=np.array(ys, dtype=float),
                                  mode="lines", hoverinfo="skip", showlegend=False,
                                  line={"width": 0.6, "color": "#b8bec8"}))
    largest = max(1, int(placed["downstream"].max()))
    sizes = 8 + 22 * np.sqrt(placed["downstream"].to_numpy(dtype=float) / largest)
    hover = [f"<b>{code}</b> {row['name']}<br>unit {row['unit']} · owner {row['owner']}<br>"
             f"downstream {row['downstream']} · upstream {row['upstream']} · wave {row['wave']}"
             f"<br>PageRank {row['pagerank']:.4f}{' · on a cycle' if row['on_cycle'] else ''}"
             for code, row in placed.iterrows()]
    placed = placed.assign(hover=hover, size=sizes)
    if ripple is not None:
        placed["group"] = [ripple.get(code, "other") for code in placed.index]
        groups = [(name, placed[placed["group"] == name]) for name in RIPPLE_COLOURS]
        for name, part in groups:
            figure.add_trace(_markers(part, name, {"color": RIPPLE_COLOURS[name]}))
    elif colour in ("unit", "on_cycle"):
        palette = px.colors.qualitative.Safe + px.colors.qualitative.Pastel
        for index, (value, part) in enumerate(placed.groupby(colour, sort=True)):
            figure.add_trace(_markers(part, str(value), {"color": palette[index % len(palette)]}))
    else:
        figure.add_trace(_markers(placed, COLOUR_CHOICES[colour], {
            "color": placed[colour].to_numpy(dtype=float), "colorscale": "Viridis",
            "showscale": True, "colorbar": {"title": {"text": COLOUR_CHOICES[colour]}}}))
    figure.update_layout(height=620, margin={"t": 10, "b": 10, "l": 10, "r": 10},
                         xaxis={"title": "Wave (a process needs only those to its left)",
                                "dtick": 1, "zeroline": False},
                         yaxis={"visible": False}, legend={"orientation": "h", "y": -0.08},
                         plot_bgcolor="white")
    return figure


def _markers(part: pd.DataFrame, name: str, marker: dict[str, Any]) -> go.Scatter:
    return go.Scatter(x=part["wave"].to_numpy(dtype=float), y=part["y"].to_numpy(dtype=float),
                      mode="markers", name=name, text=part["hover"], hoverinfo="text",
                      marker={"size": part["size"].to_numpy(), "line": {"width": 0.5,
                                                                        "color": "white"},
                              **marker})


inventory = catalogue()
st.title("Dependencies")
st.caption("An arrow A → B means B depends on (receives from) A. Reach counts every process "
           "affected, directly or further along.")

controls = st.columns([2, 3, 2, 2])
roll_up = controls[0].toggle("Roll up to parents", key="roll_up",
                             help="A dependency between sub-processes also links their parents.")
dependencies = inventory.graph(roll_up=roll_up)
if dependencies.number_of_nodes() == 0:
    st.info("No process yet: add processes and dependencies on the Inventory page.")
    st.stop()
measures = graph.metrics(dependencies)
names = {code: data.get("name", "") for code, data in dependencies.nodes(data=True)}
if "ripple_code" not in st.session_state and st.query_params.get("process") in names:
    st.session_state["ripple_code"] = st.query_params["process"]  # a shared link
chosen = controls[1].selectbox("Ripple of a process", sorted(names), index=None,
                               key="ripple_code", placeholder="Choose a process",
                               format_func=lambda c: f"{c} · {names[c]}")
colour = controls[2].selectbox("Colour by", list(COLOUR_CHOICES), key="colour_by",
                               format_func=COLOUR_CHOICES.get, disabled=chosen is not None)
depth = controls[3].slider("Neighbourhood depth", 1, 6, 2, key="depth",
                           help=f"Graphs over {WHOLE_GRAPH_LIMIT} processes show the chosen "
                                "process and the processes this many links away.")

nodes = measures.reset_index().assign(
    name=lambda f: f["code"].map(names),
    unit=lambda f: f["code"].map(lambda c: dependencies.nodes[c].get("unit", "")),
    owner=lambda f: f["code"].map(lambda c: dependencies.nodes[c].get("process_owner") or "—"))
ripple: dict[str, str] | None = None
downstream = upstream = pd.DataFrame()
if chosen is not None:
    downstream = graph.impact(dependencies, [chosen], direction="downstream",
                              kpis=inventory.kpis())
    upstream = graph.impact(dependencies, [chosen], direction="upstream")
    ripple = {code: "needs (upstream)" for code in upstream["code"]}
    ripple |= {code: "feeds (downstream)" for code in downstream["code"]}
    ripple[chosen] = "chosen"
if len(nodes) > WHOLE_GRAPH_LIMIT:
    if chosen is None:
        top = nodes.nlargest(WHOLE_GRAPH_LIMIT, "downstream")
        st.caption(f"{len(nodes):,} processes: showing the {WHOLE_GRAPH_LIMIT} with the widest "
                   "reach. Choose a process to see its neighbourhood.")
        nodes = top
    else:
        near = nx.ego_graph(dependencies.to_undirected(as_view=True), chosen, radius=depth)
        nodes = nodes[nodes["code"].isin(list(near))]
        st.caption(f"Showing the {len(nodes):,} processes within {depth} links of {chosen}.")

left, right = st.columns([3, 2]) if chosen is not None else (st.container(), None)
with left:
    st.plotly_chart(network_figure(dependencies, nodes, colour, ripple), width="stretch",
                    key="network")
if right is not None:
    with right:
        st.markdown(f"**{plain(chosen)} · {plain(names[chosen])}**")
        feeds, needs = st.tabs([f"Feeds ({len(downstream)})", f"Needs ({len(upstream)})"])
        with feeds:
            st.caption("What changes if this process changes (downstream).")
            st.dataframe(downstream[["code", "name", "unit", "distance", "path", "kpis"]],
                         hide_index=True, width="stretch")
        with needs:
            st.caption("What must be in place first (upstream).")
            st.dataframe(upstream[["code", "name", "unit", "distance", "path"]],
                         hide_index=True, width="stretch")
        notes = downstream[downstream["is_start"]]["note"] if len(downstream) else []
        for note in notes:
            st.warning(note, icon=":material/autorenew:")

cycles_column, waves_column = st.columns(2)
with cycles_column:
    st.subheader("Cycles")
    loops = graph.cycles(dependencies)
    if loops.empty:
        st.success("No cycle: every process can be ordered after what it needs.")
    else:
        st.caption("Processes that depend on each other round a loop. 'Question first' lists "
                   "the weakest links whose removal would break the loop.")
        st.dataframe(loops.rename(columns={"scc_id": "Cycle", "size": "Processes",
                                           "members": "Members", "cut": "Question first"}),
                     hide_index=True, width="stretch")
with waves_column:
    st.subheader("Waves")
    waves = graph.waves(dependencies)
    counts = waves.groupby("wave").size().reset_index(name="processes")
    figure = px.bar(counts, x="wave", y="processes", height=260)
    figure.update_layout(margin={"t": 10, "b": 10}, xaxis={"dtick": 1})
    st.plotly_chart(figure, width="stretch", key="waves_chart")
    st.caption("Wave 1 needs nothing; wave k needs only processes of earlier waves. Members of "
               "a cycle share a wave.")
    with st.expander("Every process by wave"):
        st.dataframe(waves, hide_index=True, width="stretch")

with st.expander("All dependency metrics"):
    st.caption(f"Betweenness: {measures['betweenness_method'].iloc[0]}.")
    st.dataframe(measures.reset_index(), hide_index=True, width="stretch")
