"""Dependencies as a graph: metrics, ripple analysis, cycles and waves. Frames in, frames out.

No database: the callers load the process and dependency frames (``inventory.repository``) and
pass them in; every result is a DataFrame.

Conventions
-----------
* Nodes are process codes; an edge ``A -> B`` means B depends on A (A is *upstream*). Edges
  carry ``kind``, ``strength`` (1 weak .. 3 strong; any positive number works) and
  ``rolled_up``. A graph not made by :func:`build_graph` may lack ``strength``: it then counts
  as 1, networkx's convention for a missing weight. Codes must sort (they are strings).
* Cycles: processes that depend on each other, directly or round a loop, form a strongly
  connected component (SCC). Every process has an ``scc_id`` (1, 2, ... ordered by the
  smallest member code, so ids are stable whatever the edge order); ``on_cycle`` is true for
  components of two or more processes. Self-loops (which :func:`build_graph` never makes) count
  in degrees and PageRank but put no process on a cycle.
* Reach: ``downstream`` counts the processes reachable from a process, ``upstream`` those it is
  reachable from. A process is never in its own downstream (or upstream) set unless it sits on a
  cycle: then it reaches itself, is counted, and ``on_cycle`` says so. Counted on the
  condensation (SCCs shrunk to one node) with descendant sets as Python-int bitsets OR-ed in
  reverse topological order, bits laid out in that same order so that each set only uses the
  bits below its own (see docs/architecture.md, "Graph reach").
* ``weighted_reach``: the sum, over the processes in the downstream set, of the strength of the
  strongest chain to each, a chain being as strong as its weakest link (the widest-path
  value). Computed exactly as the sum over strength levels s_1 < s_2 < ... of
  (s_i - s_(i-1)) x (downstream count using only edges of strength >= s_i), with s_0 = 0: one
  bitset pass per distinct strength (three for strengths 1-3). With all strengths 1 it equals
  ``downstream``.
* ``wave``: 1 + the (0-based) topological generation of the SCC in the condensation: wave 1
  needs nothing, wave k needs only processes of earlier waves (a cycle's members share a wave).
  ``longest_chain``: the number of SCCs on the longest chain of the condensation through the
  process's own SCC (an isolated process has 1).
* Connected parts: the processes linked to each other by dependencies, in either direction,
  directly or through others (weakly connected components). PageRank and betweenness are
  computed within each part alone, so a process's values never change when processes with no
  dependency path to it are added or removed (the other metrics only follow dependencies
  anyway).
* ``pagerank``: on the reversed graph, so that a process many others depend on (directly or
  further down) scores high; damping 0.85, weights = strength, uniform teleport and dangling
  redistribution within the part, so that on each part it is ``nx.pagerank(P.reverse(),
  weight="strength")`` of the part ``P`` alone, times the part's size: 1 is the average
  process of its part, and a process with no dependencies has 1 (Page, Brin, Motwani and
  Winograd (1999) "The PageRank citation ranking", Stanford InfoLab 1999-66). Power
  iteration from 1 everywhere, each part until its own L1 change is below ``1e-6`` times its
  size (at most 100 steps).
* ``betweenness``: directed, unweighted (hops), normalised by the part's own size, endpoints
  excluded: on each part ``P`` it is ``nx.betweenness_centrality(P)``. Brandes' algorithm run
  here on a sparse matrix, many sources at once (level-synchronous breadth-first search).
  Exact (all sources) in parts of up to ``exact_betweenness_limit`` processes; in a larger
  part, an estimate from ``betweenness_samples`` of its processes drawn exactly as networkx
  draws them (``random.Random(seed).sample(list(P), k)``) and rescaled as networkx does, so
  both agree on the same part and seed. ``betweenness_method`` states which on every row.
  Sampled betweenness ranks poorly at scale (docs/architecture.md: rank correlation 0.56 at
  10k with k=100): use it to spot, not to rank. ``betweenness_samples=0`` skips it (NaN,
  method ``not computed``).
* Ripple analysis (:func:`impact`) follows edges with at least ``min_strength``, breadth first
  from all the start processes at once: ``distance`` is the number of dependencies from the
  nearest start, ``path`` one shortest path (ties go to the start and the neighbour met first,
  in code order for graphs from :func:`build_graph`). Downstream paths read ``A > B > C``
  (C depends on B, which depends on A); upstream paths read ``C < B < A`` (C needs B, which
  needs A), both starting at a start process. A start process appears only when it is reached
  through at least one dependency: from another start, or from itself round a cycle; then
  ``is_start`` is true and ``note`` says which.
* Cycle cuts (:func:`cycles`) are a heuristic. Finding a smallest set of edges whose removal
  leaves a graph acyclic (minimum feedback arc set) is NP-hard, and greedy heuristics are the
  usual answer (P. Eades, X. Lin, W. F. Smyth, "A fast and effective heuristic for the feedback
  arc set problem", Information Processing Letters 47(6), 1993). Ours favours the weakest
  dependencies, since those are the ones worth questioning first: see :func:`cycles`.
"""

from __future__ import annotations

import gc
import random
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, connected_components

from inventory.errors import InvalidInput
from scoring.components import Condensation, condense, reach_counts, strong_components

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_Reached = tuple[int, str, str, float, str]  # distance, path, kinds, weakest, origin

DEFAULT_KIND = "information"  # as inventory.schemas.DependencyIn
DEFAULT_STRENGTH = 2
NODE_ATTRIBUTES = ("name", "unit", "process_owner", "parent_code")
METRIC_COLUMNS = ["in_degree", "out_degree", "upstream", "downstream", "weighted_reach",
                  "pagerank", "betweenness", "betweenness_method", "longest_chain", "scc_id",
                  "scc_size", "on_cycle", "wave"]
IMPACT_COLUMNS = ["code", "name", "unit", "distance", "path", "via_kinds",
                  "min_strength_on_path", "kpis", "is_start", "note"]
CYCLE_COLUMNS = ["scc_id", "size", "members", "cut"]
WAVE_COLUMNS = ["code", "name", "unit", "wave", "scc_id", "on_cycle"]
PAGERANK_ALPHA = 0.85
PAGERANK_TOLERANCE = 1e-6
PAGERANK_MAX_ITER = 100
BETWEENNESS_CELLS = 2**23  # nodes x sources per batch: about 64 MB per float matrix


class _CollectorPause:
    """Pauses Python's cyclic garbage collector while some thread is inside ``paused()``.

    With a large networkx graph in memory every full collection walks all its node and edge
    dicts: a ripple analysis allocating tens of thousands of small tuples then triggers some
    (10,000 processes, 9,913 reached, 50 runs: worst 86-104 ms with the collector, 36-42 ms
    paused; median 29-36 ms against 26-30 ms). ``metrics``, which allocates few containers,
    gained nothing measurable at 100,000 processes and runs unpaused. Nested and concurrent
    pauses are counted; the collector is switched back on when the last ends, and only if it
    was on when the first began.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._resume = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            if not self._depth:
                self._resume = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if not self._depth and self._resume:
                    gc.enable()


_COLLECTOR = _CollectorPause()


# --------------------------------------------------------------------------- building


def build_graph(processes: pd.DataFrame, dependencies: pd.DataFrame, *,
                roll_up: bool = False) -> nx.DiGraph:
    """The dependency graph: one node per process code, one edge upstream -> downstream.

    Nodes carry ``name``, ``unit``, ``process_owner`` and ``parent_code`` when the frame has
    those columns (an empty cell becomes None). Edges carry ``kind`` (default ``information``),
    ``strength`` (default 2, as the schema) and ``rolled_up``. Dependencies naming a process
    that is not in ``processes`` are ignored, and so are self-loops; a pair given twice keeps
    its strongest row.

    ``roll_up=True`` lifts every dependency A -> B to the hierarchy: for each ancestor-or-self x
    of A and y of B, an edge x -> y unless x == y or one is an ancestor of the other (no edge
    from a parent to its own child). A lifted edge that was not drawn gets the strength of its
    strongest contributor and that contributor's kind (ties: the contributor first in code
    order) and ``rolled_up=True``; edges drawn directly keep their own attributes.
    """
    if "code" not in processes.columns:
        raise InvalidInput("the processes frame needs a 'code' column")
    graph = nx.DiGraph()
    attributes = [a for a in NODE_ATTRIBUTES if a in processes.columns]
    columns = [_cleaned(processes[a]) for a in attributes]
    codes = [str(c) for c in processes["code"]]
    graph.add_nodes_from((code, dict(zip(attributes, values, strict=True)))
                         for code, *values in zip(codes, *columns, strict=True))
    edges = _edge_frame(dependencies, set(codes))
    if roll_up and "parent_code" in processes.columns:
        parents = dict(zip(codes, _cleaned(processes["parent_code"]), strict=True))
        edges = pd.concat([edges, _rolled_up(edges, parents)], ignore_index=True)
        edges = edges.sort_values(["upstream_code", "downstream_code"], kind="stable")
    graph.add_edges_from(
        (up, down, {"kind": kind, "strength": strength, "rolled_up": rolled})
        for up, down, kind, strength, rolled in zip(
            edges["upstream_code"].tolist(), edges["downstream_code"].tolist(),
            edges["kind"].tolist(), edges["strength"].tolist(), edges["rolled_up"].tolist(),
            strict=True))
    return graph


def _cleaned(column: pd.Series) -> list[Any]:
    """Values as plain Python objects, missing ones (NaN, NA, None) as None."""
    return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
            for v in column.astype(object).tolist()]


def _edge_frame(dependencies: pd.DataFrame, codes: set[str]) -> pd.DataFrame:
    """Usable dependencies: both ends known, no self-loop, defaults filled, one row per pair
    (the strongest), sorted by codes."""
    missing = {"upstream_code", "downstream_code"} - set(dependencies.columns)
    if missing and len(dependencies):
        raise InvalidInput(f"the dependencies frame needs the columns {', '.join(sorted(missing))}")
    if missing:  # no rows: no dependencies, whatever the columns
        dependencies = pd.DataFrame(columns=["upstream_code", "downstream_code"])
    up = dependencies["upstream_code"].astype(str)
    down = dependencies["downstream_code"].astype(str)
    keep = up.isin(codes) & down.isin(codes) & (up != down)
    frame = pd.DataFrame({"upstream_code": up[keep], "downstream_code": down[keep]})
    kinds = dependencies["kind"][keep] if "kind" in dependencies else None
    frame["kind"] = DEFAULT_KIND if kinds is None else kinds.astype(object).where(
        kinds.notna(), DEFAULT_KIND)
    frame["strength"] = _strengths(dependencies["strength"][keep]
                                   if "strength" in dependencies else None, len(frame)).to_numpy()
    frame["rolled_up"] = False
    frame = frame.sort_values(["upstream_code", "downstream_code", "strength"],
                              ascending=[True, True, False], kind="stable")
    return frame.drop_duplicates(["upstream_code", "downstream_code"]).reset_index(drop=True)


def _strengths(given: pd.Series | None, rows: int) -> pd.Series:
    if given is None:
        return pd.Series([DEFAULT_STRENGTH] * rows, dtype="int64")
    values = pd.to_numeric(given, errors="coerce")
    bad = values.isna() & given.notna() | (values <= 0)
    if bad.any():
        shown = ", ".join(sorted({str(v) for v in given[bad]})[:5])
        raise InvalidInput(f"dependency strengths must be positive numbers; got {shown}")
    values = values.fillna(DEFAULT_STRENGTH).reset_index(drop=True)
    whole = bool((values == values.round()).all())
    return values.astype("int64") if whole else values.astype("float64")


def _lineage(parents: dict[str, Any]) -> pd.DataFrame:
    """(code, ancestor) for every process and each of its ancestors, itself included."""
    rows: list[tuple[str, str]] = []
    for code in parents:
        seen, current = {code}, code
        rows.append((code, code))
        while (parent := parents.get(current)) is not None and parent in parents \
                and parent not in seen:
            rows.append((code, parent))
            seen.add(parent)
            current = parent
    return pd.DataFrame(rows, columns=["code", "ancestor"])


def _rolled_up(edges: pd.DataFrame, parents: dict[str, Any]) -> pd.DataFrame:
    """Edges between ancestors implied by ``edges`` and not drawn themselves."""
    lineage = _lineage(parents)
    lifted = (edges.merge(lineage.rename(columns={"code": "upstream_code", "ancestor": "x"}))
                   .merge(lineage.rename(columns={"code": "downstream_code", "ancestor": "y"})))
    pair = pd.MultiIndex.from_arrays([lifted["x"], lifted["y"]])
    drawn = pd.MultiIndex.from_arrays([edges["upstream_code"], edges["downstream_code"]])
    related = pd.MultiIndex.from_arrays([lineage["ancestor"], lineage["code"]])
    reverse = pd.MultiIndex.from_arrays([lineage["code"], lineage["ancestor"]])
    keep = ~(pair.isin(drawn) | pair.isin(related) | pair.isin(reverse))
    lifted = lifted[keep].sort_values(["x", "y", "strength", "upstream_code", "downstream_code"],
                                      ascending=[True, True, False, True, True], kind="stable")
    lifted = lifted.drop_duplicates(["x", "y"])
    return pd.DataFrame({"upstream_code": lifted["x"], "downstream_code": lifted["y"],
                         "kind": lifted["kind"], "strength": lifted["strength"],
                         "rolled_up": True}).reset_index(drop=True)


# --------------------------------------------------------------------------- arrays


@dataclass(frozen=True)
class _Edges:
    """The graph as arrays: node i is ``codes[i]`` (codes sorted), edge j is src[j] -> dst[j]."""

    codes: list[str]
    src: IntArray
    dst: IntArray
    strength: FloatArray

    @property
    def size(self) -> int:
        return len(self.codes)

    def only(self, keep: npt.NDArray[np.bool_]) -> _Edges:
        return _Edges(self.codes, self.src[keep], self.dst[keep], self.strength[keep])


def _edges(graph: nx.DiGraph) -> _Edges:
    codes = sorted(graph.nodes)
    index = {code: i for i, code in enumerate(codes)}
    src: list[int] = []
    dst: list[int] = []
    strength: list[float] = []
    for node, neighbours in graph.adjacency():
        src.extend([index[node]] * len(neighbours))
        dst.extend(map(index.__getitem__, neighbours))
        strength.extend(data.get("strength", 1) for data in neighbours.values())
    return _Edges(codes, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
                  np.array(strength, dtype=np.float64))


def _weighted_reach(edges: _Edges, downstream: IntArray) -> FloatArray:
    """Sum over strength levels of (step up to the level) x (downstream count at that level);
    ``downstream`` is the count on the whole graph, which is the lowest level's."""
    total = np.zeros(edges.size)
    below = 0.0
    for number, level in enumerate(np.unique(edges.strength).tolist()):
        if not number:
            counts = downstream
        else:
            strong = edges.only(edges.strength >= level)
            counts = reach_counts(condense(edges.size, strong.src, strong.dst), downstream=True)
        total += (level - below) * counts
        below = level
    return total


def _longest_chain(condensed: Condensation) -> IntArray:
    """Per node: SCCs on the longest chain through its own SCC (wave = chain ending there)."""
    c = condensed
    height = [1] * c.count
    for comp in reversed(c.order):
        below = c.succ[c.succ_ptr[comp]:c.succ_ptr[comp + 1]]
        if below:
            height[comp] = 1 + max(height[d] for d in below)
    chain = np.array(c.wave, dtype=np.int64) + np.array(height, dtype=np.int64) - 1
    return chain[c.component]


def _parts(edges: _Edges) -> IntArray:
    """Per node: its connected part (weakly connected component), numbered from 0."""
    n = edges.size
    matrix = sparse.csr_array((np.ones(len(edges.src), dtype=np.int8), (edges.src, edges.dst)),
                              shape=(n, n))
    return np.asarray(connected_components(matrix, directed=True, connection="weak")[1],
                      dtype=np.int64)


def _pagerank(edges: _Edges, parts: IntArray) -> FloatArray:
    """networkx's PageRank on the reversed graph of each connected part alone (teleport and
    dangling redistribution within the part), times the part's size. Each part iterates until
    its own L1 change is below ``size x PAGERANK_TOLERANCE`` (in these units), then stays:
    its values never depend on the other parts, not even through the number of iterations."""
    n = edges.size
    if n == 0:
        return np.zeros(0)
    matrix = sparse.csr_array((edges.strength, (edges.dst, edges.src)), shape=(n, n))
    out = np.asarray(matrix.sum(axis=1), dtype=np.float64).ravel()
    dangling = out == 0
    scale = np.divide(1.0, out, out=np.zeros(n), where=~dangling)
    transition = sparse.csr_array(sparse.diags_array(scale) @ matrix)
    sizes = np.bincount(parts).astype(np.float64)
    active = np.ones(sizes.size, dtype=bool)
    x = np.ones(n)
    for _ in range(PAGERANK_MAX_ITER):
        spread = np.bincount(parts, weights=np.where(dangling, x, 0.0), minlength=sizes.size)
        new = PAGERANK_ALPHA * (x @ transition + (spread / sizes)[parts]) \
            + (1 - PAGERANK_ALPHA)
        change = np.bincount(parts, weights=np.abs(new - x), minlength=sizes.size)
        x = np.where(active[parts], new, x)
        active &= change >= sizes * PAGERANK_TOLERANCE
        if not active.any():
            break
    return np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------------------- betweenness


def _betweenness(graph: nx.DiGraph, edges: _Edges, parts: IntArray, limit: int,
                 samples: int, seed: int) -> tuple[FloatArray, npt.NDArray[np.object_]]:
    """Betweenness within each connected part, and how each value was computed."""
    n = edges.size
    if samples <= 0:
        return np.full(n, np.nan), np.full(n, "not computed", dtype=object)
    sizes = np.bincount(parts, minlength=1)
    large = (sizes > limit) & (sizes > samples)
    members: dict[int, list[int]] = {int(p): [] for p in np.flatnonzero(large)}
    if members:
        index = {code: i for i, code in enumerate(edges.codes)}
        for code in graph.nodes():  # networkx's node order, as it samples
            i = index[code]
            if int(parts[i]) in members:
                members[int(parts[i])].append(i)
    picked = [i for part in members.values() for i in random.Random(seed).sample(part, samples)]
    sources = np.concatenate([np.flatnonzero(~large[parts]), np.array(picked, dtype=np.int64)])
    totals = _brandes(edges, np.sort(sources))
    sampled = large[parts]
    source = np.zeros(n, dtype=bool)
    source[picked] = True
    method = np.where(sampled, f"sampled k={samples} seed={seed}", "exact").astype(object)
    return totals * _scales(sizes[parts], sampled, source, samples), method


def _brandes(edges: _Edges, sources: IntArray) -> FloatArray:
    """Sum over the sources of Brandes' dependencies (unweighted), many sources at a time: each
    column of the ``(n, batch)`` matrices is one source's breadth-first search."""
    n = edges.size
    adjacency = sparse.csr_array((np.ones(len(edges.src)), (edges.src, edges.dst)), shape=(n, n))
    totals = np.zeros(n)
    batch = max(1, BETWEENNESS_CELLS // max(n, 1))
    for start in range(0, len(sources), batch):
        totals += _brandes_batch(adjacency, sources[start:start + batch])
    return totals


def _block(adjacency: sparse.csr_array, rows: IntArray,
           columns: IntArray | None = None) -> tuple[sparse.csr_array, IntArray]:
    """``adjacency[rows][:, columns]`` (``columns`` sorted; default: every column that has an
    entry in those rows), entries outside ``columns`` kept as explicit zeros."""
    block = adjacency[rows]
    if columns is None:
        columns = np.unique(block.indices)
    position = np.searchsorted(columns, block.indices)
    inside = position < len(columns)
    inside[inside] = columns[position[inside]] == block.indices[inside]
    shape = (len(rows), len(columns))
    data = block.data * inside
    return sparse.csr_array((data, np.where(inside, position, 0), block.indptr), shape), columns


def _brandes_batch(adjacency: sparse.csr_array, sources: IntArray) -> FloatArray:
    """Column j of every matrix belongs to source ``sources[j]``. Forward: breadth-first levels,
    keeping per level the rows touched, which entries are at that level and their path counts
    (sigma). Backward: Brandes' accumulation written with c = (1 + delta) / sigma, which obeys
    c[v] = 1 / sigma[v] + sum of c over v's successors one level further, and delta[v] =
    sigma[v] * (that sum); no (n, batch) matrix of delta or sigma is needed."""
    n, width = adjacency.shape[0], len(sources)
    visited = np.zeros((n, width), dtype=bool)
    visited[sources, np.arange(width)] = True
    rows = np.unique(sources)
    frontier = (rows[:, None] == sources[None, :]).astype(np.float64)
    levels: list[tuple[IntArray, npt.NDArray[np.bool_], FloatArray]] = []
    while True:
        block, targets = _block(adjacency, rows)
        if not len(targets):
            break
        arriving = block.T @ frontier
        fresh = (arriving > 0) & ~visited[targets]
        hit = fresh.any(axis=1)
        if not hit.any():
            break
        rows, fresh = targets[hit], fresh[hit]
        frontier = np.where(fresh, arriving[hit], 0.0)
        visited[rows] |= fresh
        levels.append((rows, fresh, frontier[fresh]))
    totals = np.zeros(n)
    below: tuple[IntArray, FloatArray] | None = None  # rows and c of the next level down
    for rows, here, counts in reversed(levels):
        sigma = np.zeros(here.shape)
        sigma[here] = counts
        passed = np.zeros(here.shape) if below is None else _block(adjacency, rows,
                                                                   below[0])[0] @ below[1]
        passed *= here
        totals[rows] += (sigma * passed).sum(axis=1)
        inverse = np.divide(1.0, sigma, out=np.zeros(here.shape), where=here)
        below = (rows, inverse + passed)
    return totals


def _scales(size: IntArray, sampled: npt.NDArray[np.bool_], source: npt.NDArray[np.bool_],
            k: int) -> FloatArray:
    """networkx's normalisation (directed, endpoints excluded) with each node's part size,
    sampling adjustment included for the nodes of sampled parts; none in parts of two
    processes or fewer, where every betweenness is 0."""
    pairs = (size - 1).astype(np.float64)
    others = np.maximum(pairs - 1, 1.0)
    whole = 1.0 / (np.maximum(pairs, 1.0) * others)
    sampled_source = 1.0 / ((k - 1) * others) if k > 1 else np.full(size.size, np.nan)
    estimate = np.where(source, sampled_source, 1.0 / (k * others))
    return np.where(pairs < 2, 1.0, np.where(sampled, estimate, whole))


# --------------------------------------------------------------------------- public results


def metrics(graph: nx.DiGraph, *, exact_betweenness_limit: int = 2_000,
            betweenness_samples: int = 256, seed: int = 7) -> pd.DataFrame:
    """One row per process, indexed by ``code`` (sorted); the columns are explained in the
    module docstring: in_degree, out_degree, upstream, downstream, weighted_reach, pagerank,
    betweenness, betweenness_method, longest_chain, scc_id, scc_size, on_cycle, wave."""
    edges = _edges(graph)
    condensed = condense(edges.size, edges.src, edges.dst)
    parts = _parts(edges)
    betweenness, method = _betweenness(graph, edges, parts, exact_betweenness_limit,
                                       betweenness_samples, seed)
    sizes = np.array(condensed.sizes, dtype=np.int64)[condensed.component]
    downstream = reach_counts(condensed, downstream=True)
    weighted = _weighted_reach(edges, downstream)
    frame = pd.DataFrame({
        "in_degree": np.bincount(edges.dst, minlength=edges.size),
        "out_degree": np.bincount(edges.src, minlength=edges.size),
        "upstream": reach_counts(condensed, downstream=False),
        "downstream": downstream,
        "weighted_reach": weighted.astype(np.int64) if _whole(weighted) else weighted,
        "pagerank": _pagerank(edges, parts),
        "betweenness": betweenness,
        "betweenness_method": method,
        "longest_chain": _longest_chain(condensed),
        "scc_id": condensed.component + 1,
        "scc_size": sizes,
        "on_cycle": sizes > 1,
        "wave": np.array(condensed.wave, dtype=np.int64)[condensed.component],
    }, index=pd.Index(edges.codes, name="code", dtype=object), columns=METRIC_COLUMNS)
    return frame.astype({c: "int64" for c in ("in_degree", "out_degree", "upstream",
                                                "downstream", "longest_chain", "scc_id",
                                                "scc_size", "wave")})


def _whole(values: FloatArray) -> bool:
    return bool(np.all(values == np.round(values)))


def impact(graph: nx.DiGraph, codes: list[str], *,
           direction: Literal["downstream", "upstream"] = "downstream",
           max_depth: int | None = None, min_strength: float = 1,
           kpis: pd.DataFrame | None = None,
           include_sub_processes: bool = False) -> pd.DataFrame:
    """Ripple analysis: every process reached from ``codes`` (downstream: what depends on them;
    upstream: what must be in place first), one row each, sorted by distance then code.

    Only edges with ``strength >= min_strength`` are followed, and at most ``max_depth`` of them
    from a start. Columns: code, name, unit, distance, path, via_kinds (the kind of each
    dependency along ``path``, ', '-joined), min_strength_on_path, kpis (the names of the
    process's KPIs from ``kpis``, columns process_code and name, '; '-joined), is_start and note
    (see the module docstring on start processes).

    ``include_sub_processes=True`` rolls a parent's sub-processes up into it: the search starts
    from every code and all of its sub-processes (:func:`sub_processes`) at once, so a parent
    feeds what any of its sub-processes feeds. Distances count from the nearest of them, paths
    start at the sub-process the link leaves from, and the sub-processes themselves are not
    listed (they are part of the start).
    """
    starts = _known(graph, codes)
    if direction not in ("downstream", "upstream"):
        raise InvalidInput(f"direction must be 'downstream' or 'upstream', not {direction!r}")
    if max_depth is not None and max_depth < 1:
        raise InvalidInput(f"max_depth must be 1 or more (or none), not {max_depth}")
    below = sub_processes(graph, list(starts)) if include_sub_processes else []
    with _COLLECTOR.paused():
        reached = _search(graph, dict.fromkeys(sorted([*starts, *below])), direction, max_depth,
                          min_strength)
        for code in below:
            reached.pop(code, None)
        return _impact_frame(graph, reached, starts, _kpi_names(kpis, reached))


def sub_processes(graph: nx.DiGraph, codes: list[str]) -> list[str]:
    """Every process below ``codes`` in the process hierarchy (children, their children, ...),
    read from the nodes' ``parent_code``; sorted, without ``codes`` themselves."""
    children: dict[str, list[str]] = {}
    for code, parent in graph.nodes(data="parent_code"):
        if parent is not None:
            children.setdefault(parent, []).append(code)
    found: set[str] = set()
    waiting = list(codes)
    while waiting:
        for child in children.get(waiting.pop(), []):
            if child not in found:
                found.add(child)
                waiting.append(child)
    return sorted(found - set(codes))


def _search(graph: nx.DiGraph, starts: dict[str, None], direction: str, max_depth: int | None,
            min_strength: float) -> dict[str, _Reached]:
    """Breadth-first search from all starts at once; a start reached again is not expanded
    again (its neighbours were met at distance 1 already)."""
    # networkx's own adjacency dicts: the read-only views cost twice the time of the search
    adjacency = graph._succ if direction == "downstream" else graph._pred
    sign = " > " if direction == "downstream" else " < "
    reached: dict[str, _Reached] = {}
    frontier = [(s, (0, s, "", np.inf, s)) for s in starts]
    depth = 0
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        following = []
        for node, (_, path, kinds, weakest, origin) in frontier:
            for other, data in adjacency[node].items():
                if other in reached:
                    continue
                strength = data.get("strength", 1)
                if strength < min_strength:
                    continue
                kind = data.get("kind") or ""
                step = (depth, f"{path}{sign}{other}",
                        f"{kinds}, {kind}" if depth > 1 else f"{kind}",
                        strength if strength < weakest else weakest, origin)
                reached[other] = step
                if other not in starts:
                    following.append((other, step))
        frontier = following
    return reached


def _known(graph: nx.DiGraph, codes: Iterable[str]) -> dict[str, None]:
    """The start codes, sorted and without repeats; unknown ones are an error naming them."""
    wanted = sorted({codes} if isinstance(codes, str) else set(codes))
    if not wanted:
        raise InvalidInput("give at least one process code to start from")
    unknown = [c for c in wanted if c not in graph]
    if unknown:
        raise InvalidInput(f"unknown process code(s): {', '.join(unknown)}")
    return dict.fromkeys(wanted)


def _kpi_names(kpis: pd.DataFrame | None, reached: dict[str, Any]) -> dict[str, str]:
    if kpis is None:
        return {}
    if not {"process_code", "name"} <= set(kpis.columns):
        raise InvalidInput("the KPI frame needs the columns process_code and name")
    names: dict[str, list[str]] = {}
    for code, name in zip(kpis["process_code"].tolist(), kpis["name"].tolist(), strict=True):
        if code in reached and name is not None and name == name:
            names.setdefault(code, []).append(str(name))
    return {code: "; ".join(sorted(found)) for code, found in names.items()}


def _impact_frame(graph: nx.DiGraph, reached: dict[str, _Reached], starts: dict[str, None],
                  kpis: dict[str, str]) -> pd.DataFrame:
    codes = sorted(reached)
    codes.sort(key=lambda code: reached[code][0])  # stable: by distance, then code
    distance, path, kinds, weakest, origin = (list(column) for column in zip(
        *(reached[code] for code in codes), strict=True)) if codes else ([], [], [], [], [])
    nodes = [graph._node[code] for code in codes]
    notes = [("" if code not in starts else
              f"start process, reached again from itself round a cycle of {length}"
              if start == code else f"start process, also reached from {start}")
             for code, length, start in zip(codes, distance, origin, strict=True)]
    return pd.DataFrame({
        "code": pd.Series(codes, dtype=object),
        "name": pd.Series([node.get("name") for node in nodes], dtype=object),
        "unit": pd.Series([node.get("unit") for node in nodes], dtype=object),
        "distance": pd.Series(distance, dtype="int64"),
        "path": pd.Series(path, dtype=object),
        "via_kinds": pd.Series(kinds, dtype=object),
        "min_strength_on_path": weakest,
        "kpis": pd.Series([kpis.get(code, "") for code in codes], dtype=object),
        "is_start": pd.Series([code in starts for code in codes], dtype=bool),
        "note": pd.Series(notes, dtype=object),
    }, columns=IMPACT_COLUMNS)


def cycles(graph: nx.DiGraph) -> pd.DataFrame:
    """One row per SCC of two or more processes: scc_id (as in :func:`metrics`), size, members
    ('; '-joined, sorted) and cut: dependencies to question, 'A -> B (strength 1)' '; '-joined.

    The cut is greedy: inside the component, remove the weakest dependency (ties: by upstream
    then downstream code) that still lies on a cycle, until none does; then put the removed
    ones back, strongest first, wherever that creates no cycle. Removing the cut leaves the
    component acyclic, and the cut is minimal: restoring any one of its edges closes a cycle.
    It need not be the smallest such set (that problem is NP-hard).
    """
    edges = _edges(graph)
    condensed = condense(edges.size, edges.src, edges.dst)
    component = condensed.component
    inside = (component[edges.src] == component[edges.dst]) & (edges.src != edges.dst)
    rows = []
    for comp in np.flatnonzero(np.array(condensed.sizes) > 1).tolist():
        members = np.flatnonzero(component == comp)
        mine = edges.only(inside & (component[edges.src] == comp))
        cut = _cut(members, mine)
        rows.append((comp + 1, len(members), "; ".join(edges.codes[i] for i in members),
                     "; ".join(f"{edges.codes[u]} -> {edges.codes[v]} (strength {_number(s)})"
                               for u, v, s in cut)))
    return pd.DataFrame(rows, columns=CYCLE_COLUMNS).astype({"scc_id": "int64", "size": "int64"})


def _cut(members: IntArray, edges: _Edges) -> list[tuple[int, int, float]]:
    local = {node: i for i, node in enumerate(members.tolist())}
    # weakest first, then by codes: node numbers follow code order
    order = np.lexsort((edges.dst, edges.src, edges.strength))
    src = np.array([local[u] for u in edges.src[order].tolist()], dtype=np.int64)
    dst = np.array([local[v] for v in edges.dst[order].tolist()], dtype=np.int64)
    n = len(members)
    alive = np.ones(len(src), dtype=bool)
    removed: list[int] = []
    while True:
        labels = strong_components(n, src[alive], dst[alive])
        on_cycle = alive & (labels[src] == labels[dst])
        if not on_cycle.any():
            break
        weakest = int(np.argmax(on_cycle))
        alive[weakest] = False
        removed.append(weakest)
    kept: list[int] = []
    for edge in reversed(removed):
        matrix = sparse.csr_array((np.ones(int(alive.sum())), (src[alive], dst[alive])),
                                  shape=(n, n))
        if src[edge] in breadth_first_order(matrix, int(dst[edge]), return_predecessors=False):
            kept.append(edge)
        else:
            alive[edge] = True
    return [(int(members[src[e]]), int(members[dst[e]]), float(edges.strength[order][e]))
            for e in sorted(kept)]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def waves(graph: nx.DiGraph) -> pd.DataFrame:
    """code, name, unit, wave, scc_id, on_cycle; sorted by wave then code. Wave 1 needs nothing;
    wave k needs only processes of earlier waves; the members of a cycle share one wave."""
    edges = _edges(graph)
    condensed = condense(edges.size, edges.src, edges.dst)
    sizes = np.array(condensed.sizes, dtype=np.int64)[condensed.component]
    nodes = graph.nodes
    frame = pd.DataFrame({
        "code": edges.codes,
        "name": [nodes[c].get("name") for c in edges.codes],
        "unit": [nodes[c].get("unit") for c in edges.codes],
        "wave": np.array(condensed.wave, dtype=np.int64)[condensed.component],
        "scc_id": condensed.component + 1,
        "on_cycle": sizes > 1,
    }, columns=WAVE_COLUMNS)
    frame = frame.astype({"wave": "int64", "scc_id": "int64", "on_cycle": bool})
    return frame.sort_values(["wave", "code"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- drawing


def layered_layout(graph: nx.DiGraph, waves: pd.Series, *, column_limit: int = 14,
                   sweeps: int = 4) -> pd.DataFrame:
    """Where to draw each process of ``waves`` (a Series: code -> wave, in the order to start
    from, e.g. by unit then code) so that the network reads left to right, wave by wave.

    One layer per wave, left to right. A wave of n processes is spread over
    ceil(n / ``column_limit``) side-by-side columns, so no column holds more than
    ``column_limit`` processes; its processes are dealt to the columns in turn and each one sits
    a fraction of a row lower than the one before, so no two share a height and labels of
    neighbouring columns do not sit side by side. Within a wave, processes are ordered by the
    barycentre heuristic of layered drawing (K. Sugiyama, S. Tagawa, M. Toda, "Methods for
    visual understanding of hierarchical system structures", IEEE Trans. SMC 11(2), 1981):
    ``sweeps`` passes, alternately left to right and right to left, each sorting a wave by the
    mean height of its neighbours in the waves already passed, which reduces crossing edges.
    Only the edges of ``graph`` between processes of ``waves`` count.

    Returns a frame indexed by code, in the order of ``waves``: wave, x, y (top is high) and
    column (0, 1, ... left to right over all waves).
    """
    if column_limit < 1:
        raise InvalidInput(f"column_limit must be 1 or more, not {column_limit}")
    codes = [str(code) for code in waves.index]
    wave = waves.to_numpy(dtype=np.int64)
    layers = [np.flatnonzero(wave == value) for value in np.unique(wave)]
    adjacency = _shown_adjacency(graph, codes)
    height = np.zeros(len(codes))
    for layer in layers:
        height[layer] = _heights(len(layer), column_limit)
    for sweep in range(sweeps if len(layers) > 1 else 0):
        forward = sweep % 2 == 0
        for index in range(1, len(layers)) if forward else range(len(layers) - 2, -1, -1):
            passed = wave < wave[layers[index][0]] if forward else wave > wave[layers[index][0]]
            layers[index] = _by_barycentre(layers[index], adjacency, height, passed)
            height[layers[index]] = _heights(len(layers[index]), column_limit)
    x, column = _columns(layers, len(codes), column_limit)
    return pd.DataFrame({"wave": wave, "x": x, "y": height, "column": column},
                        index=pd.Index(codes, name="code", dtype=object))


SUB_COLUMN_STEP = 0.9  # between the columns of one wave, in units of the x axis
WAVE_STEP = 1.2  # from the last column of a wave to the first of the next


def _shown_adjacency(graph: nx.DiGraph, codes: list[str]) -> sparse.csr_array:
    """Symmetric adjacency between ``codes`` (either direction counts once per edge)."""
    index = {code: i for i, code in enumerate(codes)}
    pairs = [(index[up], index[down]) for up, down in graph.edges()
             if up in index and down in index]
    ends = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    rows = np.concatenate([ends[:, 0], ends[:, 1]])
    cols = np.concatenate([ends[:, 1], ends[:, 0]])
    n = len(codes)
    return sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def _heights(count: int, column_limit: int) -> FloatArray:
    """Heights of the 1st, 2nd, ... process of a wave, top first, centred on 0: each a
    1/columns row below the one before (one row below within its own column)."""
    columns = -(-count // column_limit)
    return ((count - 1) / 2 - np.arange(count)) / max(columns, 1)


def _by_barycentre(layer: IntArray, adjacency: sparse.csr_array, height: FloatArray,
                   passed: npt.NDArray[np.bool_]) -> IntArray:
    """``layer`` sorted top to bottom by the mean height of each process's neighbours among
    ``passed``; a process with none keeps its own height; ties keep the current order."""
    rows = adjacency[layer]
    weight = rows @ passed.astype(np.float64)
    total = rows @ (height * passed)
    centre = np.divide(total, weight, out=height[layer].copy(), where=weight > 0)
    return layer[np.lexsort((np.arange(len(layer)), -centre))]


def _columns(layers: list[IntArray], n: int, column_limit: int) -> tuple[FloatArray, IntArray]:
    """x and global column of every process: the k-th process of a wave with c columns goes to
    its column k mod c."""
    x = np.zeros(n)
    column = np.zeros(n, dtype=np.int64)
    left, first_column = 0.0, 0
    for layer in layers:
        columns = -(-len(layer) // column_limit)
        own = np.arange(len(layer)) % columns
        x[layer] = left + own * SUB_COLUMN_STEP
        column[layer] = first_column + own
        left += (columns - 1) * SUB_COLUMN_STEP + WAVE_STEP
        first_column += columns
    return x, column
