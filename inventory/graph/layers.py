"""The condensation's layers: cycles and the dependencies to question in them (:func:`cycles`),
waves (:func:`waves`) and a layered drawing of the network (:func:`layered_layout`).
Conventions in :mod:`inventory.graph`."""

from __future__ import annotations

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order

from inventory.errors import InvalidInput
from inventory.graph.building import Edges, edge_arrays
from scoring.components import condense, strong_components

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

CYCLE_COLUMNS = ["scc_id", "size", "members", "cut"]
WAVE_COLUMNS = ["code", "name", "unit", "wave", "scc_id", "on_cycle"]


def cycles(graph: nx.DiGraph) -> pd.DataFrame:
    """One row per SCC of two or more processes: scc_id (as in :func:`metrics`), size, members
    ('; '-joined, sorted) and cut: dependencies to question, 'A -> B (strength 1)' '; '-joined.

    The cut is greedy: inside the component, remove the weakest dependency (ties: by upstream
    then downstream code) that still lies on a cycle, until none does; then put the removed
    ones back, strongest first, wherever that creates no cycle. Removing the cut leaves the
    component acyclic, and the cut is minimal: restoring any one of its edges closes a cycle.
    It need not be the smallest such set (that problem is NP-hard).
    """
    edges = edge_arrays(graph)
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


def _cut(members: IntArray, edges: Edges) -> list[tuple[int, int, float]]:
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
    edges = edge_arrays(graph)
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
