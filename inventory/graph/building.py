"""Building the dependency graph: :func:`build_graph` (frames in, a networkx graph out, with the
hierarchy roll-up) and :func:`edge_arrays`, the graph as arrays for the computations on it.
Conventions in :mod:`inventory.graph`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from inventory.errors import InvalidInput

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

DEFAULT_KIND = "information"  # as inventory.schemas.DependencyIn
DEFAULT_STRENGTH = 2
NODE_ATTRIBUTES = ("name", "unit", "process_owner", "parent_code")


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


@dataclass(frozen=True)
class Edges:
    """The graph as arrays: node i is ``codes[i]`` (codes sorted), edge j is src[j] -> dst[j]."""

    codes: list[str]
    src: IntArray
    dst: IntArray
    strength: FloatArray

    @property
    def size(self) -> int:
        """The number of nodes."""
        return len(self.codes)

    def only(self, keep: npt.NDArray[np.bool_]) -> Edges:
        """The same nodes with the edges ``keep`` marks."""
        return Edges(self.codes, self.src[keep], self.dst[keep], self.strength[keep])


def edge_arrays(graph: nx.DiGraph) -> Edges:
    """``graph`` as arrays: nodes numbered in code order, edges in the graph's adjacency order,
    with their strength (1 when missing, networkx's convention)."""
    codes = sorted(graph.nodes)
    index = {code: i for i, code in enumerate(codes)}
    src: list[int] = []
    dst: list[int] = []
    strength: list[float] = []
    for node, neighbours in graph.adjacency():
        src.extend([index[node]] * len(neighbours))
        dst.extend(map(index.__getitem__, neighbours))
        strength.extend(data.get("strength", 1) for data in neighbours.values())
    return Edges(codes, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
                  np.array(strength, dtype=np.float64))
