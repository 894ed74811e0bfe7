"""Dependency-aware value: a blocker ranks with the work it blocks.

Convention. An edge ``i -> j`` means ``j`` depends on ``i`` (``i`` is upstream: it unblocks
``j``); ``s`` are the processes' own scores and ``f`` in [0, 1) is the uplift factor.

Processes that depend on each other round a cycle are one piece of work, as on the roadmap and
in the waves: the pieces are the strongly connected components of the dependencies among the
ranked processes (Tarjan, R. E. (1972) "Depth-first search and linear graph algorithms", SIAM
Journal on Computing 1(2), 146-160, via scipy), a process on no cycle being a piece alone.
Value moves on the condensation, the graph with one node per piece, which has no cycle
(Harary, F., Norman, R. Z. and Cartwright, D. (1965) "Structural models: an introduction to
the theory of directed graphs", Wiley, chapter 3). A piece ``L``'s total value is the sum of
its members' totals, ``T_L = sum of t_j over j in L``; its blockers are the ``B_L`` processes
outside ``L`` that a member of ``L`` depends on directly. Each process's total is

    t_i = s_i + u_i,    u_i = f * sum over the pieces L that i blocks of T_L / B_L

so every piece hands the share ``f`` of its total value to its blockers, split evenly, and
value flows up whole chains, damped by ``f`` at every step. ``u_i`` is the uplift shown in
explanations. With ``f = 0``, or no dependency between two pieces, nothing changes.

On a cycle, exactly: a dependency between two members of one piece passes nothing. A member
inherits from the pieces outside its own that depend on it directly, and its piece hands all
its members' value (what they inherited included) on to the piece's blockers. So no process
receives any part of its own value, nor of the value of a process on a cycle with it: ``u_i``
stays the same when ``s_i``, or every score of ``i``'s piece, is set to zero. Without cycles
every piece is one process and this is ``t_i = s_i + f * sum_j t_j / blockers_j``.

Value is never counted twice: the shares a piece hands up sum to ``f T_L`` (nothing when it
has no blocker), and each member's total counts once in its piece's.

It is the damped, share-splitting propagation of PageRank (Page, Brin, Motwani and Winograd
(1999) "The PageRank citation ranking", Stanford InfoLab 1999-66) with the scores as the
personalisation vector, applied against the direction of dependency on the condensation.

Computation: one sparse matrix ``K`` over the processes, then the pieces of several processes
that have a blocker (a piece of one process is that process): ``K[L, j] = 1`` for each member
``j`` of such a piece ``L`` (it totals its members) and ``K[i, L] = f / B_L`` for each blocker
``i`` of a piece ``L``. The totals ``z = (t, T)`` solve ``z = (s, 0) + K z``. ``K`` has no
cycle, so the iteration ``z <- (s, 0) + K z`` is exact once it stops changing, after at most
twice the depth of the condensation plus one steps; every two steps also shrink what is left
by ``f`` (each column of ``K^2`` sums to at most ``f``; of ``K`` itself, when every piece is
one process), which bounds the steps for a given precision (:func:`iteration_steps`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from scoring.errors import ScoringError
from scoring.lookup import positions_in

FloatArray = NDArray[np.float64]


def uplift_operator(codes: list[str], edges: pd.DataFrame | None, factor: float, *,
                    round_cycles: bool = False) -> sparse.csr_matrix | None:
    """The matrix ``K`` of the module doc over ``codes``, then the pieces of several processes
    that have a blocker (``None`` when nothing is passed up).

    ``edges`` has ``upstream_code`` and ``downstream_code``; edges touching a process outside
    ``codes`` and self-loops are ignored, duplicates count once. ``round_cycles`` makes every
    process a piece of its own, cycles or not: the convention before pieces of work, in which
    a process on a cycle received its own value back (``t = s + f A D^-1 t``, solved by the
    same iteration), kept only so that decisions frozen with it reproduce exactly
    (``Scenario.uplift_round_cycles``).
    """
    if not 0.0 <= factor < 1.0:
        raise ScoringError(f"Dependency uplift must be in [0, 1), got {factor!r}")
    n = len(codes)
    if factor == 0.0 or edges is None or edges.empty or n == 0:
        return None
    src = positions_in(edges["upstream_code"], codes)
    dst = positions_in(edges["downstream_code"], codes)
    keep = (src >= 0) & (dst >= 0) & (src != dst)
    if not keep.any():
        return None
    pairs = np.unique(src[keep].astype(np.int64) * n + dst[keep])
    up, down = pairs // n, pairs % n
    if round_cycles:
        piece = np.arange(n)
    else:
        graph = sparse.csr_matrix((np.ones(up.size), (up, down)), shape=(n, n))
        piece = connected_components(graph, directed=True, connection="strong")[1]
    across = piece[up] != piece[down]
    if not across.any():
        return None
    pieces = piece.max() + 1
    blocks = np.unique(up[across] * pieces + piece[down[across]])  # (blocker, piece) pairs
    blocker, blocked = blocks // pieces, blocks % pieces
    share = factor / np.bincount(blocked, minlength=pieces)[blocked]
    size = np.bincount(piece, minlength=pieces)
    # A piece of one process is read directly; a piece of several that has a blocker gets its
    # own row and column after the processes (n, n + 1, ...), which totals its members.
    grouped = np.flatnonzero((size > 1) & np.isin(np.arange(pieces), blocked))
    node = np.full(pieces, -1, dtype=np.int64)
    alone = size[piece] == 1
    node[piece[alone]] = np.flatnonzero(alone)
    node[grouped] = n + np.arange(grouped.size)
    members = np.flatnonzero(np.isin(piece, grouped))
    rows = np.concatenate([node[piece[members]], blocker])
    cols = np.concatenate([members, node[blocked]])
    values = np.concatenate([np.ones(members.size), share])
    total = n + grouped.size
    return sparse.csr_matrix((values, (rows, cols)), shape=(total, total))


def iteration_steps(operator: sparse.csr_matrix, processes: int, factor: float,
                    precision: float) -> int:
    """Steps of ``z <- (s, 0) + K z`` after which what is left is below ``precision``
    (relative): one per factor of ``f`` it shrinks by when ``K`` has no piece of several
    processes (each step then shrinks it by ``f``), two otherwise; and one more."""
    per_factor = 1 if operator.shape[0] == processes else 2
    return per_factor * math.ceil(math.log(precision) / math.log(factor)) + 1


def apply_uplift(operator: sparse.csr_matrix | None, scores: FloatArray,
                 factor: float) -> FloatArray:
    """The uplift ``u = t - s`` for ``scores`` under :func:`uplift_operator`'s matrix."""
    own = np.asarray(scores, dtype=np.float64)
    if operator is None:
        return np.zeros_like(own)
    start = np.zeros(operator.shape[0])
    start[:own.size] = own
    total = start
    for _ in range(iteration_steps(operator, own.size, factor, 1e-13)):
        step = start + operator @ total
        if np.array_equal(step, total):
            break
        total = step
    uplift: FloatArray = np.maximum(total[:own.size] - own, 0.0)
    return uplift
