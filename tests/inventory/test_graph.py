"""inventory.graph: hand-drawn graphs with answers worked out by hand, then property tests that
hold every metric against plain networkx on random graphs, cyclic ones included."""

from __future__ import annotations

import itertools
import math
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.errors import InvalidInput
from inventory.graph import (
    CYCLE_COLUMNS,
    IMPACT_COLUMNS,
    METRIC_COLUMNS,
    WAVE_COLUMNS,
    build_graph,
    cycles,
    impact,
    layered_layout,
    metrics,
    sub_processes,
    waves,
)

Edge = tuple[str, str, int] | tuple[str, str, int, str]


def graph_of(edges: list[Edge], nodes: str = "", **kwargs: Any) -> nx.DiGraph:
    """A graph from (upstream, downstream, strength[, kind]) rows; ``nodes`` adds lone ones."""
    codes = sorted({e[0] for e in edges} | {e[1] for e in edges} | set(nodes.split()))
    processes = pd.DataFrame({"code": codes, "name": [f"Process {c}" for c in codes],
                              "unit": [f"U-{c}" for c in codes]})
    dependencies = pd.DataFrame(
        [(e[0], e[1], e[3] if len(e) > 3 else "information", e[2]) for e in edges],
        columns=["upstream_code", "downstream_code", "kind", "strength"])
    return build_graph(processes, dependencies, **kwargs)


def column(frame: pd.DataFrame, name: str) -> dict[str, Any]:
    return {str(k): (v.item() if hasattr(v, "item") else v) for k, v in frame[name].items()}


CHAIN: list[Edge] = [("A", "B", 3), ("B", "C", 2), ("C", "D", 1)]
DIAMOND: list[Edge] = [("A", "B", 1), ("A", "C", 3), ("B", "D", 3), ("C", "D", 2)]
# X feeds a 3-cycle A -> B -> C -> A, which feeds the tail D
CYCLE_WITH_TAIL: list[Edge] = [("X", "A", 2, "handoff"), ("A", "B", 3, "information"),
                               ("B", "C", 1, "policy"), ("C", "A", 2, "handoff"),
                               ("C", "D", 3, "shared_system")]
# a strongly connected component with no edge in or out: A -> B -> C -> A and B <-> C
CLOSED_SCC: list[Edge] = [("A", "B", 1), ("B", "C", 2), ("C", "A", 3), ("C", "B", 3)]


# --------------------------------------------------------------------------- metrics


def test_chain_metrics() -> None:
    frame = metrics(graph_of(CHAIN))
    assert list(frame.columns) == METRIC_COLUMNS
    assert frame.index.name == "code"
    assert list(frame.index) == ["A", "B", "C", "D"]
    assert column(frame, "in_degree") == {"A": 0, "B": 1, "C": 1, "D": 1}
    assert column(frame, "out_degree") == {"A": 1, "B": 1, "C": 1, "D": 0}
    assert column(frame, "upstream") == {"A": 0, "B": 1, "C": 2, "D": 3}
    assert column(frame, "downstream") == {"A": 3, "B": 2, "C": 1, "D": 0}
    # strongest chain to each descendant: A reaches B at 3, C at min(3, 2), D at min(3, 2, 1)
    assert column(frame, "weighted_reach") == {"A": 6, "B": 3, "C": 1, "D": 0}
    # B lies on A..C and A..D, C on A..D and B..D: 2 of the (n - 1)(n - 2) = 6 pairs
    assert frame["betweenness"].tolist() == pytest.approx([0, 1 / 3, 1 / 3, 0])
    assert set(frame["betweenness_method"]) == {"exact"}
    assert column(frame, "longest_chain") == dict.fromkeys("ABCD", 4)
    assert column(frame, "scc_id") == {"A": 1, "B": 2, "C": 3, "D": 4}
    assert column(frame, "scc_size") == dict.fromkeys("ABCD", 1)
    assert not frame["on_cycle"].any()
    assert column(frame, "wave") == {"A": 1, "B": 2, "C": 3, "D": 4}
    # reversed PageRank rewards what others depend on: the head of the chain scores highest
    assert frame["pagerank"].is_monotonic_decreasing
    # times the average process of its part: the four values add up to the part's size
    assert frame["pagerank"].sum() == pytest.approx(4)


def test_diamond_metrics() -> None:
    frame = metrics(graph_of(DIAMOND))
    assert column(frame, "in_degree") == {"A": 0, "B": 1, "C": 1, "D": 2}
    assert column(frame, "out_degree") == {"A": 2, "B": 1, "C": 1, "D": 0}
    assert column(frame, "upstream") == {"A": 0, "B": 1, "C": 1, "D": 3}
    assert column(frame, "downstream") == {"A": 3, "B": 1, "C": 1, "D": 0}
    # A: B only through the weak A -> B (1), C at 3, D at best via C: min(3, 2) = 2
    assert column(frame, "weighted_reach") == {"A": 6, "B": 3, "C": 2, "D": 0}
    # the pair A..D has two shortest paths, one through B and one through C: 1/2 each, over 6
    assert frame["betweenness"].tolist() == pytest.approx([0, 1 / 12, 1 / 12, 0])
    assert column(frame, "longest_chain") == dict.fromkeys("ABCD", 3)
    assert column(frame, "wave") == {"A": 1, "B": 2, "C": 2, "D": 3}
    assert column(frame, "scc_id") == {"A": 1, "B": 2, "C": 3, "D": 4}
    assert frame["pagerank"].idxmax() == "A" and frame["pagerank"].idxmin() == "D"


def test_cycle_with_tail_metrics() -> None:
    frame = metrics(graph_of(CYCLE_WITH_TAIL))
    assert list(frame.index) == ["A", "B", "C", "D", "X"]
    assert column(frame, "in_degree") == {"A": 2, "B": 1, "C": 1, "D": 1, "X": 0}
    assert column(frame, "out_degree") == {"A": 1, "B": 1, "C": 2, "D": 0, "X": 1}
    # members of the cycle reach themselves, so they count in their own sets
    assert column(frame, "downstream") == {"A": 4, "B": 4, "C": 4, "D": 0, "X": 4}
    assert column(frame, "upstream") == {"A": 4, "B": 4, "C": 4, "D": 4, "X": 0}
    assert column(frame, "on_cycle") == {"A": True, "B": True, "C": True, "D": False,
                                         "X": False}
    assert column(frame, "scc_id") == {"A": 1, "B": 1, "C": 1, "D": 2, "X": 3}
    assert column(frame, "scc_size") == {"A": 3, "B": 3, "C": 3, "D": 1, "X": 1}
    assert column(frame, "wave") == {"A": 2, "B": 2, "C": 2, "D": 3, "X": 1}
    assert column(frame, "longest_chain") == dict.fromkeys("ABCDX", 3)
    # A: B at 3; C, A itself and D all behind B -> C (1). C: A at 2, B at 2, itself at 1, D at 3
    assert column(frame, "weighted_reach") == {"A": 6, "B": 4, "C": 8, "D": 0, "X": 6}


def test_disconnected_parts_and_a_lone_process() -> None:
    frame = metrics(graph_of([("A", "B", 2), ("C", "D", 2), ("C", "E", 2)], nodes="F"))
    assert column(frame, "downstream") == {"A": 1, "B": 0, "C": 2, "D": 0, "E": 0, "F": 0}
    assert column(frame, "upstream") == {"A": 0, "B": 1, "C": 0, "D": 1, "E": 1, "F": 0}
    assert column(frame, "wave") == {"A": 1, "B": 2, "C": 1, "D": 2, "E": 2, "F": 1}
    assert column(frame, "longest_chain") == {"A": 2, "B": 2, "C": 2, "D": 2, "E": 2, "F": 1}
    assert column(frame, "scc_id") == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6}
    assert column(frame, "weighted_reach") == {"A": 2, "B": 0, "C": 4, "D": 0, "E": 0, "F": 0}
    assert frame["betweenness"].eq(0).all()
    # PageRank times the average process of its own part: a lone process is its own average,
    # and each part's values add up to its size
    assert frame.loc["F", "pagerank"] == pytest.approx(1)
    parts = {"AB": 2, "CDE": 3}
    for members, size in parts.items():
        assert frame.loc[list(members), "pagerank"].sum() == pytest.approx(size)
    # A and C head their parts; C feeds two, A one, so C stands higher
    assert frame.loc["C", "pagerank"] > frame.loc["A", "pagerank"] > 1


def test_self_contained_scc() -> None:
    frame = metrics(graph_of(CLOSED_SCC))
    assert column(frame, "downstream") == dict.fromkeys("ABC", 3)
    assert column(frame, "upstream") == dict.fromkeys("ABC", 3)
    assert column(frame, "scc_id") == dict.fromkeys("ABC", 1)
    assert column(frame, "scc_size") == dict.fromkeys("ABC", 3)
    assert frame["on_cycle"].all()
    assert column(frame, "wave") == dict.fromkeys("ABC", 1)
    assert column(frame, "longest_chain") == dict.fromkeys("ABC", 1)
    # A: B only via A -> B (1), C via A -> B -> C (1), itself round A -> B -> C -> A (1)
    # C: A at 3, B at 3 (C -> B), itself via C -> B -> C (min 3, 2 = 2)
    assert column(frame, "weighted_reach") == {"A": 3, "B": 6, "C": 8}


def test_betweenness_sampled_above_the_limit_and_skipped_on_request() -> None:
    graph = graph_of(CYCLE_WITH_TAIL)
    sampled = metrics(graph, exact_betweenness_limit=4, betweenness_samples=3, seed=11)
    assert set(sampled["betweenness_method"]) == {"sampled k=3 seed=11"}
    expected = nx.betweenness_centrality(graph, k=3, seed=11)
    assert sampled["betweenness"].tolist() == pytest.approx([expected[c] for c in sampled.index])
    skipped = metrics(graph, betweenness_samples=0)
    assert skipped["betweenness"].isna().all()
    assert set(skipped["betweenness_method"]) == {"not computed"}


def test_empty_graph() -> None:
    graph = graph_of([])
    assert metrics(graph).empty
    assert list(metrics(graph).columns) == METRIC_COLUMNS
    assert list(cycles(graph).columns) == CYCLE_COLUMNS
    assert list(waves(graph).columns) == WAVE_COLUMNS


# --------------------------------------------------------------------------- impact


def test_impact_downstream_through_a_cycle() -> None:
    frame = impact(graph_of(CYCLE_WITH_TAIL), ["A"])
    assert list(frame.columns) == IMPACT_COLUMNS
    rows = {r.code: r for r in frame.itertuples()}
    assert list(frame["code"]) == ["B", "C", "A", "D"]  # by distance, then code
    assert column(frame.set_index("code"), "distance") == {"B": 1, "C": 2, "A": 3, "D": 3}
    assert rows["C"].path == "A > B > C"
    assert rows["C"].via_kinds == "information, policy"
    assert rows["C"].min_strength_on_path == 1
    assert rows["B"].min_strength_on_path == 3
    assert rows["D"].path == "A > B > C > D"
    assert rows["D"].name == "Process D" and rows["D"].unit == "U-D"
    # the start reaches itself round the cycle: it appears, and the output says so
    assert rows["A"].path == "A > B > C > A"
    assert rows["A"].is_start
    assert rows["A"].note == "start process, reached again from itself round a cycle of 3"
    assert not frame.loc[frame["code"] != "A", "is_start"].any()
    assert set(frame.loc[frame["code"] != "A", "note"]) == {""}


def test_a_start_off_any_cycle_never_reaches_itself() -> None:
    frame = impact(graph_of(CYCLE_WITH_TAIL), ["X"])
    assert list(frame["code"]) == ["A", "B", "C", "D"]
    assert not frame["is_start"].any()


def test_impact_upstream() -> None:
    frame = impact(graph_of(CYCLE_WITH_TAIL), ["D"], direction="upstream")
    assert list(frame["code"]) == ["C", "B", "A", "X"]
    assert list(frame["distance"]) == [1, 2, 3, 4]
    assert list(frame["path"]) == ["D < C", "D < C < B", "D < C < B < A", "D < C < B < A < X"]
    assert frame["via_kinds"].iloc[-1] == "shared_system, policy, information, handoff"
    assert list(frame["min_strength_on_path"]) == [3, 1, 1, 1]


def test_impact_depth_and_strength_limits() -> None:
    graph = graph_of(CYCLE_WITH_TAIL)
    assert list(impact(graph, ["A"], max_depth=2)["code"]) == ["B", "C"]
    assert list(impact(graph, ["A"], max_depth=1)["code"]) == ["B"]
    # B -> C has strength 1: at 2 or more the ripple stops at B
    assert list(impact(graph, ["A"], min_strength=2)["code"]) == ["B"]
    assert list(impact(graph, ["X"], min_strength=2)["code"]) == ["A", "B"]
    assert impact(graph, ["A"], min_strength=4).empty
    assert list(impact(graph, ["A"], min_strength=4).columns) == IMPACT_COLUMNS


def test_impact_from_several_starts() -> None:
    graph = graph_of([*CHAIN, ("E", "C", 1)])
    frame = impact(graph, ["B", "A", "E", "A"])
    rows = {r.code: r for r in frame.itertuples()}
    assert list(frame["code"]) == ["B", "C", "D"]
    assert rows["B"].is_start and rows["B"].note == "start process, also reached from A"
    assert rows["C"].distance == 1 and rows["C"].path == "B > C"  # nearest start, code order
    assert rows["D"].path == "B > C > D"


def test_impact_kpis() -> None:
    kpis = pd.DataFrame({"process_code": ["C", "C", "D", "Q"],
                         "name": ["Lead time", "Cost per case", "Errors", "Unrelated"]})
    frame = impact(graph_of(CHAIN), ["A"], kpis=kpis).set_index("code")
    assert column(frame, "kpis") == {"B": "", "C": "Cost per case; Lead time", "D": "Errors"}
    with pytest.raises(InvalidInput, match="process_code and name"):
        impact(graph_of(CHAIN), ["A"], kpis=pd.DataFrame({"code": ["C"]}))


def test_impact_refuses_unknown_codes_and_bad_options() -> None:
    graph = graph_of(CHAIN)
    with pytest.raises(InvalidInput, match="unknown process code\\(s\\): YY, ZZ"):
        impact(graph, ["A", "ZZ", "YY"])
    with pytest.raises(InvalidInput, match="at least one"):
        impact(graph, [])
    with pytest.raises(InvalidInput, match="max_depth"):
        impact(graph, ["A"], max_depth=0)
    with pytest.raises(InvalidInput, match="direction"):
        impact(graph, ["A"], direction="sideways")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- cycles, waves


def test_cycles_and_their_cut() -> None:
    frame = cycles(graph_of(CYCLE_WITH_TAIL))
    assert list(frame.columns) == CYCLE_COLUMNS
    assert frame.to_dict("records") == [
        {"scc_id": 1, "size": 3, "members": "A; B; C", "cut": "B -> C (strength 1)"}]
    assert cycles(graph_of(CHAIN)).empty


def test_cut_puts_back_what_a_later_removal_made_unnecessary() -> None:
    # A -> B (1) is the weakest on A -> B -> C -> A and goes first; B <-> C then needs B -> C (2)
    # to go too, which alone breaks both cycles: A -> B comes back
    frame = cycles(graph_of(CLOSED_SCC))
    assert frame.to_dict("records") == [
        {"scc_id": 1, "size": 3, "members": "A; B; C", "cut": "B -> C (strength 2)"}]


def test_cut_of_two_cycles_sharing_edges() -> None:
    # A -> B -> C -> D -> A and the chord B -> D closing A -> B -> D -> A
    edges: list[Edge] = [("A", "B", 3), ("B", "C", 1), ("C", "D", 2), ("D", "A", 3),
                         ("B", "D", 2), ("E", "F", 1), ("F", "E", 1)]
    frame = cycles(graph_of(edges))
    assert frame.to_dict("records") == [
        {"scc_id": 1, "size": 4, "members": "A; B; C; D",
         "cut": "B -> C (strength 1); B -> D (strength 2)"},
        {"scc_id": 2, "size": 2, "members": "E; F", "cut": "E -> F (strength 1)"}]


def test_waves() -> None:
    frame = waves(graph_of([*CYCLE_WITH_TAIL, ("Y", "D", 1)]))
    assert list(frame.columns) == WAVE_COLUMNS
    assert frame[["code", "wave", "scc_id", "on_cycle"]].to_dict("records") == [
        {"code": "X", "wave": 1, "scc_id": 3, "on_cycle": False},
        {"code": "Y", "wave": 1, "scc_id": 4, "on_cycle": False},
        {"code": "A", "wave": 2, "scc_id": 1, "on_cycle": True},
        {"code": "B", "wave": 2, "scc_id": 1, "on_cycle": True},
        {"code": "C", "wave": 2, "scc_id": 1, "on_cycle": True},
        {"code": "D", "wave": 3, "scc_id": 2, "on_cycle": False}]
    assert frame.loc[0, "name"] == "Process X" and frame.loc[0, "unit"] == "U-X"


# --------------------------------------------------------------------------- building


def test_build_graph_attributes_defaults_and_ignored_rows() -> None:
    processes = pd.DataFrame({
        "code": ["A", "B", "C"], "name": ["Alpha", "Beta", None], "unit": ["U1", "U1", "U2"],
        "process_owner": ["Ann", np.nan, "Cy"], "parent_code": [None, "A", "A"],
        "description": ["not kept", "", ""]})
    dependencies = pd.DataFrame({
        "upstream_code": ["A", "A", "B", "B", "Z", "C", "C"],
        "downstream_code": ["B", "B", "C", "B", "A", "A", "B"],
        "kind": ["policy", "handoff", None, "policy", "policy", "information", "handoff"],
        "strength": [1, 3, None, 2, 2, 2, 1.0]})
    graph = build_graph(processes, dependencies)
    assert dict(graph.nodes["A"]) == {"name": "Alpha", "unit": "U1", "process_owner": "Ann",
                                      "parent_code": None}
    assert graph.nodes["B"]["process_owner"] is None and graph.nodes["C"]["name"] is None
    # Z is unknown and B -> B a self-loop: both ignored; A -> B twice keeps the stronger row
    assert sorted(graph.edges) == [("A", "B"), ("B", "C"), ("C", "A"), ("C", "B")]
    assert graph.edges["A", "B"] == {"kind": "handoff", "strength": 3, "rolled_up": False}
    assert graph.edges["B", "C"] == {"kind": "information", "strength": 2, "rolled_up": False}
    assert isinstance(graph.edges["C", "B"]["strength"], int)


def test_build_graph_refuses_bad_strengths_and_missing_columns() -> None:
    processes = pd.DataFrame({"code": ["A", "B"]})
    with pytest.raises(InvalidInput, match="positive"):
        build_graph(processes, pd.DataFrame({"upstream_code": ["A"], "downstream_code": ["B"],
                                             "strength": [0]}))
    with pytest.raises(InvalidInput, match="positive"):
        build_graph(processes, pd.DataFrame({"upstream_code": ["A"], "downstream_code": ["B"],
                                             "strength": ["strong-ish"]}))
    with pytest.raises(InvalidInput, match="downstream_code"):
        build_graph(processes, pd.DataFrame({"upstream_code": ["A"]}))
    with pytest.raises(InvalidInput, match="'code'"):
        build_graph(pd.DataFrame({"name": ["A"]}), pd.DataFrame())
    assert build_graph(processes, pd.DataFrame()).number_of_edges() == 0  # no rows: no columns
    plain = build_graph(processes, pd.DataFrame({"upstream_code": ["A"],
                                                 "downstream_code": ["B"]}))
    assert plain.edges["A", "B"] == {"kind": "information", "strength": 2, "rolled_up": False}


HIERARCHY = pd.DataFrame({
    "code": ["G", "P1", "P1.1", "P1.2", "P2", "P2.1"],
    "name": ["Group", "One", "One a", "One b", "Two", "Two a"],
    "parent_code": [None, "G", "P1", "P1", "G", "P2"]})
LOW_LEVEL = pd.DataFrame({
    "upstream_code": ["P1.1", "P1.2", "P1.1"], "downstream_code": ["P2.1", "P2.1", "P1.2"],
    "kind": ["handoff", "policy", "information"], "strength": [2, 3, 1]})


def test_roll_up_off_by_default() -> None:
    graph = build_graph(HIERARCHY, LOW_LEVEL)
    assert sorted(graph.edges) == [("P1.1", "P1.2"), ("P1.1", "P2.1"), ("P1.2", "P2.1")]


def test_roll_up_lifts_dependencies_to_the_parents() -> None:
    graph = build_graph(HIERARCHY, LOW_LEVEL, roll_up=True)
    drawn = {("P1.1", "P1.2"), ("P1.1", "P2.1"), ("P1.2", "P2.1")}
    assert {e for e in graph.edges if not graph.edges[e]["rolled_up"]} == drawn
    assert {(up, down): (d["strength"], d["kind"]) for up, down, d in graph.edges(data=True)
            if d["rolled_up"]} == {
        ("P1", "P2"): (3, "policy"),  # the stronger of P1.1 -> P2.1 (2) and P1.2 -> P2.1 (3)
        ("P1", "P2.1"): (3, "policy"),
        ("P1.1", "P2"): (2, "handoff"),
        ("P1.2", "P2"): (3, "policy"),
    }
    # nothing between a process and its own ancestors: no P1 -> P1.2, no edges to or from G
    parents = dict(zip(HIERARCHY["code"], HIERARCHY["parent_code"], strict=True))

    def ancestors(code: str) -> set[str]:
        found = set()
        while not pd.isna(parents[code]):
            code = parents[code]
            found.add(code)
        return found

    for up, down in graph.edges:
        assert up not in ancestors(down) and down not in ancestors(up)
    assert graph.degree("G") == 0


def test_roll_up_keeps_an_edge_drawn_at_the_higher_level() -> None:
    drawn_high = pd.concat([LOW_LEVEL, pd.DataFrame({
        "upstream_code": ["P1"], "downstream_code": ["P2"], "kind": ["information"],
        "strength": [1]})], ignore_index=True)
    graph = build_graph(HIERARCHY, drawn_high, roll_up=True)
    assert graph.edges["P1", "P2"] == {"kind": "information", "strength": 1, "rolled_up": False}


def test_sub_processes_reach_every_level_below() -> None:
    graph = build_graph(HIERARCHY, LOW_LEVEL)
    assert sub_processes(graph, ["G"]) == ["P1", "P1.1", "P1.2", "P2", "P2.1"]
    assert sub_processes(graph, ["P1", "P2"]) == ["P1.1", "P1.2", "P2.1"]
    assert sub_processes(graph, ["P2.1"]) == []


def test_a_parent_feeds_and_needs_what_its_sub_processes_do() -> None:
    graph = build_graph(HIERARCHY, LOW_LEVEL)
    assert impact(graph, ["P1"]).empty  # no link of its own
    feeds = impact(graph, ["P1"], include_sub_processes=True)
    assert list(feeds["code"]) == ["P2.1"]  # P1.2, fed by P1.1, is part of P1: not listed
    assert list(feeds["path"]) == ["P1.1 > P2.1"] and list(feeds["distance"]) == [1]
    needs = impact(graph, ["P2"], direction="upstream", include_sub_processes=True)
    assert list(needs["path"]) == ["P2.1 < P1.1", "P2.1 < P1.2"]
    assert impact(graph, ["G"], include_sub_processes=True).empty  # everything is inside G


def test_the_layout_orders_a_wave_after_its_neighbours_to_avoid_crossings() -> None:
    # A feeds D and B feeds C: drawn in the given order (C above D) the two links cross
    graph = graph_of([("A", "D", 1), ("B", "C", 1)])
    placed = layered_layout(graph, pd.Series({"A": 1, "B": 1, "C": 2, "D": 2}))
    assert placed.at["A", "y"] > placed.at["B", "y"]
    assert placed.at["D", "y"] > placed.at["C", "y"]  # D moved up beside A: no crossing
    assert list(placed.index) == ["A", "B", "C", "D"]
    assert placed.at["A", "x"] == placed.at["B", "x"] < placed.at["C", "x"]


def test_a_crowded_wave_spreads_over_columns() -> None:
    lone = " ".join(f"N{i:02d}" for i in range(25))
    placed = layered_layout(graph_of([], nodes=lone), pd.Series(1, index=lone.split()),
                            column_limit=10)
    assert placed.groupby("column").size().tolist() == [9, 8, 8]
    assert placed["y"].is_unique and placed["y"].is_monotonic_decreasing  # given order kept


def test_the_layout_refuses_an_empty_column() -> None:
    with pytest.raises(InvalidInput, match="column_limit must be 1 or more"):
        layered_layout(graph_of(CHAIN), pd.Series({"A": 1}), column_limit=0)


# --------------------------------------------------------------------------- properties


@st.composite
def random_graphs(draw: st.DrawFn) -> nx.DiGraph:
    """Up to 30 processes with codes in a random order, up to 90 dependencies (strength 1-3),
    often cyclic; lone processes included."""
    size = draw(st.integers(1, 30))
    codes = draw(st.permutations([f"N{i:02d}" for i in range(size)]))
    pairs = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1),
                                    st.integers(1, 3), st.sampled_from(["information",
                                                                        "handoff", "policy"])),
                          max_size=3 * size))
    rows = {(codes[a], codes[b]): (kind, strength) for a, b, strength, kind in pairs if a != b}
    processes = pd.DataFrame({"code": codes, "name": codes, "unit": "U"})
    dependencies = pd.DataFrame([(up, down, kind, strength)
                                 for (up, down), (kind, strength) in rows.items()],
                                columns=["upstream_code", "downstream_code", "kind", "strength"])
    return build_graph(processes, dependencies)


PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def widest(graph: nx.DiGraph, source: str) -> dict[str, float]:
    """Strongest chain (max over paths of the weakest link) from ``source`` to every process it
    reaches, itself included only round a cycle: Bellman-Ford on (max, min)."""
    best: dict[str, float] = {}
    changed = True
    while changed:
        changed = False
        for up, down, strength in graph.edges(data="strength"):
            width = strength if up == source else min(best.get(up, 0), strength)
            if width > best.get(down, 0):
                best[down] = width
                changed = True
    return best


def parts_of(graph: nx.DiGraph) -> list[nx.DiGraph]:
    """Each connected part as a graph of its own, nodes in ``graph``'s order (networkx draws
    its betweenness sample from that order)."""
    parts = []
    for members in nx.weakly_connected_components(graph):
        part = nx.DiGraph()
        part.add_nodes_from(code for code in graph if code in members)
        part.add_edges_from(graph.subgraph(members).edges(data=True))
        parts.append(part)
    return parts


@PROPERTY
@given(random_graphs())
def test_metrics_match_networkx(graph: nx.DiGraph) -> None:
    frame = metrics(graph)
    assert list(frame.index) == sorted(graph)
    components = sorted((sorted(c) for c in nx.strongly_connected_components(graph)),
                        key=lambda members: members[0])
    for number, members in enumerate(components, start=1):
        for code in members:
            assert frame.loc[code, "scc_id"] == number
            assert frame.loc[code, "scc_size"] == len(members)
            assert frame.loc[code, "on_cycle"] == (len(members) > 1)
    for code in graph:
        on_cycle = int(frame.loc[code, "on_cycle"])
        assert frame.loc[code, "downstream"] == len(nx.descendants(graph, code)) + on_cycle
        assert frame.loc[code, "upstream"] == len(nx.ancestors(graph, code)) + on_cycle
        assert frame.loc[code, "in_degree"] == graph.in_degree(code)
        assert frame.loc[code, "out_degree"] == graph.out_degree(code)
        assert frame.loc[code, "weighted_reach"] == sum(widest(graph, code).values())
    for part in parts_of(graph):
        codes = sorted(part)
        pagerank = nx.pagerank(part.reverse(), weight="strength", tol=1e-12, max_iter=1000)
        assert np.allclose(frame.loc[codes, "pagerank"] / len(part),
                           [pagerank[c] for c in codes], rtol=0, atol=1e-6)
        exact = nx.betweenness_centrality(part)
        assert np.allclose(frame.loc[codes, "betweenness"], [exact[c] for c in codes],
                           rtol=1e-9, atol=1e-12)


@PROPERTY
@given(random_graphs())
def test_waves_and_longest_chains_match_the_condensation(graph: nx.DiGraph) -> None:
    frame = metrics(graph)
    condensation = nx.condensation(graph)
    owner = condensation.graph["mapping"]
    generation = {c: number for number, layer in
                  enumerate(nx.topological_generations(condensation), start=1) for c in layer}
    for code in graph:
        comp = owner[code]
        assert frame.loc[code, "wave"] == generation[comp]
        around = {comp} | nx.ancestors(condensation, comp) | nx.descendants(condensation, comp)
        longest = nx.dag_longest_path(condensation.subgraph(around))
        assert frame.loc[code, "longest_chain"] == len(longest)
    listed = waves(graph)
    assert dict(zip(listed["code"], listed["wave"], strict=True)) == column(frame, "wave")
    assert list(listed["wave"]) == sorted(listed["wave"])


@PROPERTY
@given(random_graphs(), st.integers(1, 8), st.integers(0, 99))
def test_sampled_betweenness_matches_networkx(graph: nx.DiGraph, samples: int,
                                              seed: int) -> None:
    frame = metrics(graph, exact_betweenness_limit=0, betweenness_samples=samples, seed=seed)
    for part in parts_of(graph):
        codes = sorted(part)
        if samples >= len(part):
            expected = nx.betweenness_centrality(part)
            method = "exact"
        else:
            expected = nx.betweenness_centrality(part, k=samples, seed=seed)
            method = f"sampled k={samples} seed={seed}"
        assert set(frame.loc[codes, "betweenness_method"]) == {method}
        assert np.allclose(frame.loc[codes, "betweenness"], [expected[c] for c in codes],
                           rtol=1e-9, atol=1e-12, equal_nan=True)


@PROPERTY
@given(random_graphs(), random_graphs(), st.integers(1, 8))
def test_processes_with_no_dependency_path_never_change_a_process_metrics(
        graph: nx.DiGraph, unrelated: nx.DiGraph, samples: int) -> None:
    """Every metric of a process (PageRank and betweenness, sampled or not, included) stays
    exactly the same when processes with no dependency path to it join the graph."""
    joined = nx.union(graph, nx.relabel_nodes(unrelated, {c: f"Z{c}" for c in unrelated}))
    options = {"exact_betweenness_limit": 4, "betweenness_samples": samples, "seed": 3}
    alone, together = metrics(graph, **options), metrics(joined, **options)
    pd.testing.assert_frame_equal(together.loc[alone.index].drop(columns="scc_id"),
                                  alone.drop(columns="scc_id"), check_exact=True)


@PROPERTY
@given(random_graphs())
def test_cutting_each_cycle_leaves_it_acyclic_and_every_cut_edge_is_needed(
        graph: nx.DiGraph) -> None:
    frame = cycles(graph)
    components = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert sorted(frame["members"]) == sorted("; ".join(sorted(c)) for c in components)
    for row in frame.itertuples():
        members = row.members.split("; ")
        cut = [tuple(part.split(" (")[0].split(" -> ")) for part in row.cut.split("; ")]
        for up, down in cut:
            assert row.cut.count(f"{up} -> {down} (strength {graph.edges[up, down]['strength']})")
        rest = graph.subgraph(members).copy()
        rest.remove_edges_from(cut)
        assert nx.is_directed_acyclic_graph(rest)
        for edge in cut:
            rest.add_edge(*edge)
            assert not nx.is_directed_acyclic_graph(rest), f"{edge} need not be cut"
            rest.remove_edge(*edge)


@PROPERTY
@given(random_graphs(), st.data())
def test_impact_matches_shortest_paths(graph: nx.DiGraph, data: st.DataObject) -> None:
    starts = data.draw(st.lists(st.sampled_from(sorted(graph)), min_size=1, max_size=3))
    direction = data.draw(st.sampled_from(["downstream", "upstream"]))
    min_strength = data.draw(st.integers(1, 3))
    max_depth = data.draw(st.one_of(st.none(), st.integers(1, 4)))
    frame = impact(graph, starts, direction=direction, min_strength=min_strength,
                   max_depth=max_depth)
    kept = nx.DiGraph(e for e in graph.edges(data=True) if e[2]["strength"] >= min_strength)
    kept.add_nodes_from(graph)
    walk = kept if direction == "downstream" else kept.reverse()
    expected: dict[str, int] = {}  # shortest route of one dependency or more from any start
    for start in starts:
        for first in walk.successors(start):
            for code, length in nx.single_source_shortest_path_length(walk, first).items():
                expected[code] = min(expected.get(code, math.inf), length + 1)  # type: ignore
    if max_depth is not None:
        expected = {c: d for c, d in expected.items() if d <= max_depth}
    assert column(frame.set_index("code"), "distance") == expected
    sign = " > " if direction == "downstream" else " < "
    for row in frame.itertuples():
        path = row.path.split(sign)
        assert path[0] in starts and path[-1] == row.code and len(path) == row.distance + 1
        steps = [walk.edges[a, b] for a, b in itertools.pairwise(path)]
        assert row.via_kinds == ", ".join(s["kind"] for s in steps)
        assert row.min_strength_on_path == min(s["strength"] for s in steps)
        assert row.is_start == (row.code in starts)
        assert bool(row.note) == row.is_start


@PROPERTY
@given(random_graphs())
def test_a_process_reaches_itself_exactly_when_on_a_cycle(graph: nx.DiGraph) -> None:
    on_cycle = column(metrics(graph, betweenness_samples=0), "on_cycle")
    for code in graph:
        frame = impact(graph, [code])
        itself = frame[frame["code"] == code]
        assert len(itself) == int(on_cycle[code])
        if on_cycle[code]:
            assert itself["is_start"].item()
            assert "round a cycle" in itself["note"].item()


@PROPERTY
@given(random_graphs(), st.integers(1, 6))
def test_the_layout_never_stacks_more_than_the_limit_and_keeps_waves_in_order(
        graph: nx.DiGraph, column_limit: int) -> None:
    wave = metrics(graph)["wave"]
    placed = layered_layout(graph, wave, column_limit=column_limit)
    assert list(placed.index) == list(wave.index)
    assert placed.groupby("column").size().max() <= column_limit
    assert not placed.duplicated(["x", "y"]).any()
    rightmost = placed.groupby("wave")["x"].max()
    leftmost = placed.groupby("wave")["x"].min()
    assert (rightmost.to_numpy()[:-1] < leftmost.to_numpy()[1:]).all()
    columns = placed.groupby("column")["x"].nunique()
    assert (columns == 1).all()  # a column is one vertical line
