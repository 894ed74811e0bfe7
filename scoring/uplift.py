"""Dependency-aware value: a blocker ranks with the work it blocks.

Convention. With ``s`` the processes' own scores and an edge ``i -> j`` meaning ``j`` depends on
``i`` (``i`` is upstream, it unblocks ``j``), the total value ``t`` solves

    t_i = s_i + f * sum over j downstream of i of t_j / blockers_j

where ``blockers_j`` is the number of ranked processes ``j`` depends on directly and ``f`` in
[0, 1) is the uplift factor. Each process passes the share ``f`` of its total value back up,
split evenly among its blockers, so value flows up whole chains, damped by ``f`` at every step,
and is never counted twice: the shares handed up by one process sum to ``f * t_j``. The
uplift shown in explanations is ``t_i - s_i``. With ``f = 0`` nothing changes.

The system is ``(I - f A D^-1) t = s`` with ``A`` the adjacency matrix and ``D`` the diagonal
of blockers, solved by the fixed-point iteration ``t <- s + f A D^-1 t``. Every column of
``f A D^-1`` sums to ``f`` or 0, so its 1-norm is below 1: the iteration converges even through
cycles (the error shrinks by ``f`` per step) and the solution is unique and non-negative for
``s >= 0``.
It is the damped, share-splitting propagation of PageRank (Page, Brin, Motwani and Winograd
(1999) "The PageRank citation ranking", Stanford InfoLab 1999-66) with the scores as the
personalisation vector, applied against the direction of dependency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from scoring.errors import ScoringError
from scoring.lookup import positions_in

FloatArray = NDArray[np.float64]


def uplift_operator(codes: list[str], edges: pd.DataFrame | None,
                    factor: float) -> sparse.csr_matrix | None:
    """The matrix ``f A D^-1`` over ``codes`` (``None`` when nothing is passed up).

    ``edges`` has ``upstream_code`` and ``downstream_code``; edges touching a process outside
    ``codes`` and self-loops are ignored, duplicates count once.
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
    blockers = np.bincount(down, minlength=n).astype(np.float64)
    return sparse.csr_matrix((factor / blockers[down], (up, down)), shape=(n, n))


def apply_uplift(operator: sparse.csr_matrix | None, scores: FloatArray,
                 factor: float) -> FloatArray:
    """The uplift ``t - s`` for ``scores`` under :func:`uplift_operator`'s matrix."""
    own = np.asarray(scores, dtype=np.float64)
    if operator is None:
        return np.zeros_like(own)
    total = own.copy()
    # Fixed-point iteration t <- s + M t; the error shrinks by the factor f at every step.
    for _ in range(int(np.ceil(np.log(1e-13) / np.log(factor))) + 1):
        total = own + operator @ total
    uplift: FloatArray = np.maximum(total - own, 0.0)
    return uplift
