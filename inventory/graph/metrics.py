"""Graph metrics per process: degrees, reach, weighted reach, PageRank and betweenness per
connected part, longest chain, cycles and waves (:func:`metrics`). Conventions in
:mod:`inventory.graph`."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from inventory.graph.building import Edges, edge_arrays
from scoring.components import Condensation, condense, reach_counts

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

METRIC_COLUMNS = ["in_degree", "out_degree", "upstream", "downstream", "weighted_reach",
                  "pagerank", "betweenness", "betweenness_method", "longest_chain", "scc_id",
                  "scc_size", "on_cycle", "wave"]
PAGERANK_ALPHA = 0.85
PAGERANK_TOLERANCE = 1e-6
PAGERANK_MAX_ITER = 100
BETWEENNESS_CELLS = 2**23  # nodes x sources per batch: about 64 MB per float matrix


def _weighted_reach(edges: Edges, downstream: IntArray) -> FloatArray:
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


def connected_parts(edges: Edges) -> IntArray:
    """Per node: its connected part (weakly connected component), numbered from 0."""
    n = edges.size
    matrix = sparse.csr_array((np.ones(len(edges.src), dtype=np.int8), (edges.src, edges.dst)),
                              shape=(n, n))
    return np.asarray(connected_components(matrix, directed=True, connection="weak")[1],
                      dtype=np.int64)


def pagerank_by_part(edges: Edges, parts: IntArray) -> FloatArray:
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


def _betweenness(graph: nx.DiGraph, edges: Edges, parts: IntArray, limit: int,
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


def _brandes(edges: Edges, sources: IntArray) -> FloatArray:
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
    edges = edge_arrays(graph)
    condensed = condense(edges.size, edges.src, edges.dst)
    parts = connected_parts(edges)
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
        "pagerank": pagerank_by_part(edges, parts),
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
