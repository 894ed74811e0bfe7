"""Dependencies: the process network laid out in waves, one process's ripple upstream and
downstream, the cycles to question, and the waves in which processes can change. The drawing
itself is :mod:`views.network_chart`. A parent process stands for its sub-processes: its ripple
includes theirs unless the person switches that off.
"""


import networkx as nx
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from inventory import graph
from inventory.access import Action
from views.common import allowed, catalogue, plain, shared
from views.network_chart import (
    COLOUR_CHOICES,
    LABEL_ALL_LIMIT,
    labelled_codes,
    nearest,
    neighbourhood,
    network_figure,
    placed_nodes,
    ripple_groups,
)
from views.paging import findable

WHOLE_GRAPH_LIMIT = 250  # above this, the network shows the chosen process's neighbourhood


def ripple_panel(code: str, name: str, downstream: pd.DataFrame, upstream: pd.DataFrame,
                 family: list[str]) -> None:
    st.markdown(f"**{plain(code)} · {plain(name)}**")
    if family:
        st.caption(f"Includes what its {len(family)} sub-processes feed and need; a path "
                   "starts at the sub-process the link leaves from.")
    feeds, needs = st.tabs([f"Feeds ({len(downstream)})", f"Needs ({len(upstream)})"])
    paths = {"code": "Code", "name": "Name", "unit": "Unit", "distance": "Links away",
             "path": st.column_config.TextColumn("Path", width="large"), "kpis": "KPIs"}
    with feeds:
        st.caption("What changes if this process changes (downstream).")
        st.dataframe(downstream[["code", "name", "unit", "distance", "path", "kpis"]],
                     hide_index=True, width="stretch", column_config=paths)
    with needs:
        st.caption("What must be in place first (upstream).")
        st.dataframe(upstream[["code", "name", "unit", "distance", "path"]],
                     hide_index=True, width="stretch", column_config=paths)
    notes = downstream[downstream["is_start"]]["note"] if len(downstream) else []
    for note in notes:
        st.warning(note, icon=":material/autorenew:")


# --------------------------------------------------------------------------- the page


def waves_chart(dependencies: nx.DiGraph) -> tuple[pd.DataFrame, go.Figure]:
    """Every process's wave (see :func:`inventory.graph.waves`) and a bar chart of how many
    processes each wave holds."""
    waves = graph.waves(dependencies)
    counts = waves.groupby("wave").size().reset_index(name="processes")
    figure = px.bar(counts, x="wave", y="processes", height=260)
    figure.update_layout(margin={"t": 10, "b": 10}, xaxis={"dtick": 1})
    return waves, figure


inventory = catalogue()
st.title("Dependencies")
st.caption("An arrow A → B means B depends on (receives from) A. Reach counts every process "
           "affected, directly or further along.")

controls = st.columns([2, 3, 2, 2])
roll_up = controls[0].toggle(
    "Roll up to parents", key="roll_up",
    help="Link two parent processes whenever their sub-processes are linked, so that the "
         "network, cycles and waves also work between parents. Off, the network shows the "
         "links as recorded; a chosen parent still includes its sub-processes' links.")
dependencies = inventory.results.graph(roll_up=roll_up)
if dependencies.number_of_nodes() == 0:
    where = ("add processes and dependencies on the Inventory page" if
             allowed(Action.edit_inventory) else "an analyst adds them on the Inventory page")
    st.info(f"No process yet: {where}.")
    st.stop()
with st.spinner("Measuring the network…"):  # once per change of the data, then shared
    measures = inventory.results.metrics(roll_up=roll_up)
names = {code: data.get("name", "") for code, data in dependencies.nodes(data=True)}
if "ripple_code" not in st.session_state and st.query_params.get("process") in names:
    st.session_state["ripple_code"] = st.query_params["process"]  # a shared link
offered = findable(sorted(names), names, "ripple_find", where=controls[1],
                   keep=[st.session_state.get("ripple_code")])
chosen = controls[1].selectbox("Ripple of a process", offered, index=None,
                               key="ripple_code", placeholder="Choose a process",
                               format_func=lambda c: f"{c} · {names[c]}")
below = graph.sub_processes(dependencies, [chosen]) if chosen is not None else []
with_sub_processes = bool(below) and controls[1].toggle(
    f"Include its {len(below)} sub-processes", value=True, key="with_sub_processes",
    help="A parent stands for its sub-processes: what they feed and need counts as its own.")
colour = controls[2].selectbox("Colour by", list(COLOUR_CHOICES), key="colour_by",
                               format_func=COLOUR_CHOICES.get, disabled=chosen is not None)
depth = controls[3].slider(
    "Neighbourhood depth", 1, 6, 2, key="depth", disabled=chosen is None,
    help="How many links away from the chosen process the labels reach (every process is "
         f"labelled when at most {LABEL_ALL_LIMIT} are drawn); graphs over "
         f"{WHOLE_GRAPH_LIMIT} processes show only this neighbourhood.")

nodes = shared("network nodes", roll_up, lambda: measures.reset_index().assign(
    name=lambda f: f["code"].map(names),
    unit=lambda f: f["code"].map(lambda c: dependencies.nodes[c].get("unit") or "—"),
    owner=lambda f: f["code"].map(lambda c: dependencies.nodes[c].get("process_owner") or "—")))
ripple: dict[str, str] | None = None
near: pd.Series | None = None
downstream = upstream = pd.DataFrame()
family = below if with_sub_processes else []
if chosen is not None:
    downstream, upstream = shared("ripple", (roll_up, chosen, with_sub_processes), lambda: (
        graph.impact(dependencies, [chosen], direction="downstream",
                     kpis=inventory.results.frame("kpis"),
                     include_sub_processes=with_sub_processes),
        graph.impact(dependencies, [chosen], direction="upstream",
                     include_sub_processes=with_sub_processes)))
    ripple = ripple_groups(chosen, family, downstream, upstream)
    near = neighbourhood([chosen, *family], downstream, upstream, depth)
if len(nodes) > WHOLE_GRAPH_LIMIT:
    if near is None:
        nodes = nodes.nlargest(WHOLE_GRAPH_LIMIT, "downstream")
        st.caption(f"{len(measures):,} processes: showing the {WHOLE_GRAPH_LIMIT} with the "
                   "widest reach. Choose a process to see its neighbourhood.")
    else:
        closest = nearest(near, nodes, WHOLE_GRAPH_LIMIT)
        more = (f", the {WHOLE_GRAPH_LIMIT} nearest of {len(near):,}"
                if len(near) > WHOLE_GRAPH_LIMIT else "")
        nodes = nodes[nodes["code"].isin(closest)]
        st.caption(f"Showing the processes within {depth} links of {chosen}, upstream and "
                   f"downstream{more}.")
labelled = labelled_codes(nodes, near)
if len(labelled) < len(nodes):
    st.caption("Codes are shown for the chosen process and its nearest neighbours; hover over "
               "a point for any other." if near is not None else
               "Codes are shown for the processes with the widest reach; hover over a point "
               "for any other, or choose a process.")
drawn = (roll_up, colour, chosen, with_sub_processes, depth)  # all the figure depends on
st.plotly_chart(shared("network figure", drawn, lambda: network_figure(
    dependencies, placed_nodes(dependencies, nodes), colour, ripple, labelled)),
    width="stretch", key="network")
if chosen is not None:
    ripple_panel(chosen, names[chosen], downstream, upstream, family)

cycles_column, waves_column = st.columns(2)
with cycles_column:
    st.subheader("Cycles")
    loops = shared("cycles", roll_up, lambda: graph.cycles(dependencies))
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
    waves, figure = shared("waves", roll_up, lambda: waves_chart(dependencies))
    st.plotly_chart(figure, width="stretch", key="waves_chart")
    st.caption("Wave 1 needs nothing; wave k needs only processes of earlier waves. Members of "
               "a cycle share a wave.")
    with st.expander("Every process by wave"):
        st.dataframe(waves, hide_index=True, width="stretch")

with st.expander("All dependency metrics"):
    st.caption(f"Betweenness: {measures['betweenness_method'].iloc[0]}.")
    st.dataframe(measures.reset_index(), hide_index=True, width="stretch")
