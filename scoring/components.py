"""Cycles and reach in a directed graph: strongly connected components, the condensation, and
the set of nodes each node reaches.

Used wherever processes depend on each other: the dependency graph's metrics, waves and cycles
(:mod:`inventory.graph`), the portfolio's prerequisites (:mod:`scoring.portfolio`) and the
roadmap's pieces of work (:mod:`scoring.roadmap`).

Conventions.

* Nodes are ``0 .. n-1``; an edge ``src[j] -> dst[j]``. Callers number their nodes in a stable
  order (process codes sorted), so every numbering below follows from it and never from the
  order of the edges. Duplicate edges and self-loops are allowed and change nothing here.
* Strongly connected components (Tarjan, R. E. (1972) "Depth-first search and linear graph
  algorithms", SIAM Journal on Computing 1(2), 146-160, via scipy): the nodes that reach each
  other, directly or round a cycle. A node on no cycle is a component alone. Components are
  numbered ``0, 1, ...`` by their smallest node.
* The condensation shrinks every component to one node: a graph without cycles (Harary, F.,
  Norman, R. Z. and Cartwright, D. (1965) "Structural models: an introduction to the theory of
  directed graphs", Wiley, chapter 3). Its topological order and generations come from Kahn's
  algorithm one generation at a time (Kahn, A. B. (1962) "Topological sorting of large
  networks", Communications of the ACM 5(11), 558-562): generation 1 has no predecessor,
  generation k only predecessors of earlier generations.
* Reach: the nodes a node reaches (``downstream``) or is reached from (upstream). Computed on
  the condensation with each component's reach set as a Python-int bitset, OR-ed over its
  neighbours in reverse topological order (downstream; topological order upstream), so each
  set is built once from sets already final. Bits are laid out in that processing order, so
  each set only uses the bits up to its own, and a set is freed once every component that
  reads it has (see docs/architecture.md, "Graph reach": 50 ms against 5.4 s for
  ``nx.descendants`` at 10,000 nodes, with identical results).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import connected_components

IntArray = npt.NDArray[np.int64]


def strong_components(n: int, src: IntArray, dst: IntArray) -> IntArray:
    """The strongly connected component of each node, numbered by smallest node (module
    conventions)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    matrix = sparse.csr_array((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    count, raw = connected_components(matrix, directed=True, connection="strong")
    _, first = np.unique(raw, return_index=True)
    rank = np.empty(count, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(count)
    result: IntArray = rank[raw]
    return result


def cycles(n: int, src: IntArray, dst: IntArray) -> list[list[int]]:
    """The components of two or more nodes, each as its sorted nodes, by smallest node."""
    if len(src) == 0:
        return []
    component = strong_components(n, src, dst)
    sizes = np.bincount(component)
    found: dict[int, list[int]] = {}
    for i in np.flatnonzero(sizes[component] > 1).tolist():
        found.setdefault(int(component[i]), []).append(i)
    return [found[c] for c in sorted(found)]


@dataclass(frozen=True)
class Condensation:
    """Components shrunk to single nodes: a graph without cycles, as Python lists for the
    loops over it (successors of component ``c`` are ``succ[succ_ptr[c]:succ_ptr[c + 1]]``,
    each listed once; likewise predecessors)."""

    component: IntArray  # node -> component, numbered by smallest node
    sizes: list[int]
    succ_ptr: list[int]
    succ: list[int]
    pred_ptr: list[int]
    pred: list[int]
    order: list[int]  # topological: every component after all its predecessors
    wave: list[int]  # 1-based topological generation

    @property
    def count(self) -> int:
        """The number of components."""
        return len(self.sizes)


def condense(n: int, src: IntArray, dst: IntArray) -> Condensation:
    """The condensation of the graph of ``n`` nodes and edges ``src -> dst``."""
    if n == 0:
        return Condensation(np.zeros(0, dtype=np.int64), [], [0], [], [0], [], [], [])
    component = strong_components(n, src, dst)
    count = int(component.max()) + 1
    up, down = component[src], component[dst]
    keys = np.unique(up[up != down] * count + down[up != down])
    up, down = keys // count, keys % count  # sorted by up, then down
    by_down = np.lexsort((up, down))
    succ_ptr = np.concatenate(([0], np.cumsum(np.bincount(up, minlength=count))))
    pred_ptr = np.concatenate(([0], np.cumsum(np.bincount(down, minlength=count))))
    order, wave = _generations(count, succ_ptr.tolist(), down.tolist(),
                               np.bincount(down, minlength=count).tolist())
    return Condensation(component, np.bincount(component, minlength=count).tolist(),
                        succ_ptr.tolist(), down.tolist(), pred_ptr.tolist(),
                        up[by_down].tolist(), order, wave)


def _generations(count: int, ptr: list[int], succ: list[int],
                 indegree: list[int]) -> tuple[list[int], list[int]]:
    """Kahn's algorithm, one generation at a time: topological order and 1-based generation."""
    wave = [0] * count
    order: list[int] = []
    level = [c for c in range(count) if not indegree[c]]
    generation = 0
    while level:
        generation += 1
        order.extend(level)
        following: list[int] = []
        for c in level:
            wave[c] = generation
            for d in succ[ptr[c]:ptr[c + 1]]:
                indegree[d] -= 1
                if not indegree[d]:
                    following.append(d)
        level = following
    return order, wave


def _sweep(condensed: Condensation, downstream: bool,
           keep: bool) -> tuple[list[int], list[int], list[int]]:
    """Each component's reach set (its own members included) in the module's bit layout:
    ``(sizes of the sets, the sets when ``keep`` else [], the processing order)``."""
    c = condensed
    if downstream:
        ptr, neighbours, order = c.succ_ptr, c.succ, c.order[::-1]
        readers = [c.pred_ptr[i + 1] - c.pred_ptr[i] for i in range(c.count)]
    else:
        ptr, neighbours, order = c.pred_ptr, c.pred, c.order
        readers = [c.succ_ptr[i + 1] - c.succ_ptr[i] for i in range(c.count)]
    sizes = c.sizes
    bits = [0] * c.count
    reached = [0] * c.count
    kept = [0] * c.count if keep else []
    offset = 0
    for comp in order:  # bits in processing order: a set only holds bits below its own
        size = sizes[comp]
        found = ((1 << size) - 1) << offset
        offset += size
        for other in neighbours[ptr[comp]:ptr[comp + 1]]:
            found |= bits[other]
            readers[other] -= 1
            if not readers[other]:
                bits[other] = 0  # read by all its neighbours: free it
        reached[comp] = found.bit_count()
        if keep:
            kept[comp] = found
        if readers[comp]:
            bits[comp] = found
    return reached, kept, order


def reach_counts(condensed: Condensation, *, downstream: bool) -> IntArray:
    """Per node: how many nodes it reaches (``downstream``) or is reached from, itself
    counted only when it is on a cycle (a component of two or more nodes)."""
    reached, _, _ = _sweep(condensed, downstream, keep=False)
    counts = np.array(reached, dtype=np.int64) - (np.array(condensed.sizes) == 1)
    result: IntArray = counts[condensed.component]
    return result


def reach_sets(condensed: Condensation, *, downstream: bool) -> list[list[int]]:
    """Per node: the nodes it reaches (``downstream``) or is reached from, itself and the
    rest of its component included, sorted."""
    _, kept, order = _sweep(condensed, downstream, keep=True)
    component = condensed.component
    n = component.size
    position = np.empty(condensed.count, dtype=np.int64)
    position[np.array(order, dtype=np.int64)] = np.arange(condensed.count)
    layout = np.lexsort((np.arange(n), position[component]))  # the node of each bit
    width = (n + 7) // 8
    members: list[list[int]] = []
    for bits in kept:
        mask = np.unpackbits(np.frombuffer(bits.to_bytes(width, "little"), dtype=np.uint8),
                             bitorder="little")[:n]
        members.append(np.sort(layout[np.flatnonzero(mask)]).tolist())
    return [members[c] for c in component.tolist()]
