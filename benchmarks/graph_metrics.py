"""Dependency-graph metrics (inventory.graph) at the sizes the issue names, against its targets.

Synthetic inventories (seeded, so every run sees the same graph): processes in a random order
(codes do not follow it); about 5 dependencies per process, each going forward in that order,
most to one of the next 50 processes and one in ten to any later one; then one small cycle per
500 processes: a forward chain over 3 to 7 consecutive processes closed by a back edge.
Strengths 1-3 and kinds drawn at random.

Measured (wall time, one run each, never asserted):

1. 1,000 and 10,000 processes: ``metrics`` with betweenness sampled (k=256, seed 7) against
   the plain networkx approach for the same figures (``nx.descendants`` and ``nx.ancestors``
   for every process, ``nx.pagerank`` on the reversed graph and ``nx.betweenness_centrality``
   with k=256, both on each connected part), as a ratio, with a check that both give the
   same reach counts, PageRank and betweenness. Target at 10,000: under 2 s. Also ``metrics``
   with its defaults (exact betweenness in connected parts of up to 2,000 processes).
2. Ripple analysis (``impact``) of one process at 10,000: the process with the largest
   downstream set and a median one. Target: under 50 ms.
3. 100,000 processes / 500,000 dependencies: reach counts (upstream and downstream), waves,
   cycles and PageRank, and their total. Target: under 15 s, in under 4 GB (peak resident
   memory of this process, ``ru_maxrss``, which includes the frames and the networkx graph).
   ``build_graph`` (frames to networkx) is timed on its own line, outside the target; so is
   ``metrics`` without betweenness (every other column). Run twice: on the graph above and on a
   uniformly random DAG (``far_share=1``, the case measured in docs/architecture.md), which
   has far larger upstream sets and so the heavier bitsets.

Run with ``python -m benchmarks`` (all benchmarks) or ``python -m benchmarks.graph_metrics``.
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from inventory import graph as g
from inventory.graph.building import edge_arrays
from inventory.graph.metrics import connected_parts, pagerank_by_part
from scoring import components

KINDS = ["information", "handoff", "shared_system", "shared_resource", "policy"]
PER_PROCESS = 5
WINDOW = 50
FAR_SHARE = 0.1
CYCLE_EVERY = 500
SEED = 20240611
RIPPLE_RUNS = 20


def synthetic(processes: int, seed: int = SEED,
              far_share: float = FAR_SHARE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(processes frame, dependencies frame) as described in the module docstring;
    ``far_share=1`` gives a uniformly random DAG (plus the cycles)."""
    rng = np.random.default_rng(seed)
    n = processes
    place = rng.permutation(n)  # place[i]: the process at position i of the hidden order
    wanted = int(PER_PROCESS * n * 1.02)  # a few are lost to duplicates and the end
    start = rng.integers(0, n - 1, size=wanted)
    near = start + rng.integers(1, WINDOW + 1, size=wanted)
    far = start + 1 + (rng.random(wanted) * (n - 1 - start)).astype(np.int64)
    end = np.where(rng.random(wanted) < far_share, far, near)
    keep = end < n
    pairs = [np.stack([start[keep], end[keep]], axis=1)]
    for _ in range(max(1, n // CYCLE_EVERY)):
        first = int(rng.integers(0, n - 8))
        length = int(rng.integers(3, 8))
        chain = np.arange(first, first + length)
        pairs.append(np.stack([chain[:-1], chain[1:]], axis=1))
        pairs.append(np.array([[chain[-1], chain[0]]]))
    edges = np.unique(np.concatenate(pairs), axis=0)
    codes = np.array([f"P{i:06d}" for i in range(n)], dtype=object)
    process_frame = pd.DataFrame({
        "code": codes, "name": [f"Process {i}" for i in range(n)],
        "unit": [f"U{i % 20:02d}" for i in range(n)], "process_owner": None,
        "parent_code": None})
    dependency_frame = pd.DataFrame({
        "upstream_code": codes[place[edges[:, 0]]], "downstream_code": codes[place[edges[:, 1]]],
        "kind": rng.choice(KINDS, size=len(edges)),
        "strength": rng.choice([1, 2, 3], size=len(edges), p=[0.3, 0.4, 0.3])})
    return process_frame, dependency_frame


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _line(label: str, seconds: float, target: str = "", extra: str = "") -> None:
    shown = f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.2f} s"
    print(f"  {label:<60} {shown:>9}  {target:<16} {extra}".rstrip())


def _networkx(graph: nx.DiGraph) -> dict[str, Any]:
    """The same figures the plain way; PageRank and betweenness on each connected part alone,
    PageRank times the part's size (inventory.graph's conventions)."""
    pagerank: dict[str, float] = {}
    betweenness: dict[str, float] = {}
    for members in nx.weakly_connected_components(graph):
        part = nx.DiGraph()
        part.add_nodes_from(code for code in graph if code in members)
        part.add_edges_from(graph.subgraph(members).edges(data=True))
        shares = nx.pagerank(part.reverse(), weight="strength", tol=1e-12, max_iter=1000)
        pagerank |= {code: share * len(part) for code, share in shares.items()}
        betweenness |= nx.betweenness_centrality(part, k=min(256, len(part)), seed=7)
    return {
        "downstream": {n: len(nx.descendants(graph, n)) for n in graph},
        "upstream": {n: len(nx.ancestors(graph, n)) for n in graph},
        "pagerank": pagerank,
        "betweenness": betweenness,
    }


def _same(ours: pd.DataFrame, plain: dict[str, Any]) -> bool:
    codes = list(ours.index)
    reach_ok = all(
        np.array_equal(ours[column].to_numpy() - ours["on_cycle"].to_numpy(),
                       [plain[column][c] for c in codes]) for column in ("downstream", "upstream"))
    pagerank_ok = np.allclose(ours["pagerank"], [plain["pagerank"][c] for c in codes],
                              rtol=1e-5, atol=1e-6)
    betweenness_ok = np.allclose(ours["betweenness"], [plain["betweenness"][c] for c in codes],
                                 rtol=1e-9, atol=1e-12)
    return bool(reach_ok and pagerank_ok and betweenness_ok)


def compare(processes: int) -> nx.DiGraph:
    frames = synthetic(processes)
    built, graph = _timed(lambda: g.build_graph(*frames))
    print(f"\n{processes:,} processes, {graph.number_of_edges():,} dependencies, "
          f"{len(g.cycles(graph))} cycles")
    _line("build_graph (frames -> networkx)", built)
    ours, result = _timed(lambda: g.metrics(graph, exact_betweenness_limit=0))
    plain_time, plain = _timed(lambda: _networkx(graph))
    target = "target < 2 s" if processes == 10_000 else ""
    _line("metrics, betweenness sampled k=256", ours, target)
    _line("plain networkx (descendants, ancestors, PageRank,", plain_time, "",
          f"ratio {plain_time / ours:,.0f}x")
    print("    betweenness k=256) for the same figures")
    print(f"  {'same reach counts, PageRank, betweenness':<60} "
          f"{'yes' if _same(result, plain) else 'NO'}")
    default, _ = _timed(lambda: g.metrics(graph))
    method = "exact" if processes <= 2_000 else "sampled"
    _line(f"metrics with defaults (betweenness {method})", default)
    return graph


def ripple(graph: nx.DiGraph) -> None:
    reach = g.metrics(graph, betweenness_samples=0)["downstream"].sort_values(kind="stable")
    for label, code in (("largest downstream set", reach.index[-1]),
                        ("median downstream set", reach.index[len(reach) // 2])):
        times = []
        for _ in range(RIPPLE_RUNS):
            seconds, rows = _timed(lambda code=code: g.impact(graph, [code]))
            times.append(seconds)
        _line(f"impact, one process, {label} ({len(rows):,} rows)", statistics.median(times),
              "target < 50 ms", f"median of {RIPPLE_RUNS}, worst {max(times) * 1000:.0f} ms")


def large(processes: int = 100_000, far_share: float = FAR_SHARE) -> None:
    processes_frame, dependencies_frame = synthetic(processes, far_share=far_share)
    start = time.perf_counter()
    graph = g.build_graph(processes_frame, dependencies_frame)
    built = time.perf_counter() - start
    del processes_frame, dependencies_frame
    shape = ("uniformly random forward dependencies" if far_share == 1
             else f"{1 - far_share:.0%} of dependencies to the next {WINDOW} processes")
    print(f"\n{processes:,} processes, {graph.number_of_edges():,} dependencies ({shape})")
    _line("build_graph (frames -> networkx), outside the target", built)
    arrays, edges = _timed(lambda: edge_arrays(graph))
    condense, condensed = _timed(lambda: components.condense(edges.size, edges.src,
                                                             edges.dst))
    reach, _ = _timed(lambda: (components.reach_counts(condensed, downstream=True),
                               components.reach_counts(condensed, downstream=False)))
    pagerank, _ = _timed(lambda: pagerank_by_part(edges, connected_parts(edges)))
    wave_time, found_waves = _timed(lambda: g.waves(graph))
    cycle_time, found = _timed(lambda: g.cycles(graph))
    _line("graph -> arrays (sorted codes, edge arrays)", arrays)
    _line("condensation (SCCs, topological generations)", condense)
    _line("reach counts, upstream and downstream", reach)
    _line("PageRank", pagerank)
    _line(f"waves(graph), from the graph ({found_waves['wave'].max():,} waves)", wave_time)
    _line(f"cycles(graph), from the graph ({len(found)} cycles)", cycle_time)
    total = arrays + condense + reach + pagerank + wave_time + cycle_time
    _line("total: reach counts, waves, cycles, PageRank", total, "target < 15 s")
    everything, _ = _timed(lambda: g.metrics(graph, betweenness_samples=0))
    _line("metrics(betweenness_samples=0): all other columns", everything)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux
    print(f"  {'peak resident memory of the run so far':<60} {peak:>6.2f} GB  target < 4 GB")


def main() -> None:
    print("Dependency graph metrics (inventory.graph); wall time, one run unless stated")
    compare(1_000)
    graph = compare(10_000)
    ripple(graph)
    del graph
    large()
    large(far_share=1.0)


if __name__ == "__main__":
    main()
