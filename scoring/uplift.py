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

FloatArray = NDArray[np.float64]


def dependency_uplift(codes: list[str], scores: FloatArray, edges: pd.DataFrame | None,
                      factor: float) -> FloatArray:
    """The uplift ``t - s`` for each of ``codes`` (same order as ``scores``).

    ``edges`` has ``upstream_code`` and ``downstream_code``; edges touching a process outside
    ``codes`` and self-loops are ignored, duplicates count once.
    """
    if not 0.0 <= factor < 1.0:
        raise ScoringError(f"Dependency uplift must be in [0, 1), got {factor!r}")
    n = len(codes)
    if factor == 0.0 or edges is None or edges.empty or n == 0:
        return np.zeros(n)
    position = pd.Series(np.arange(n), index=pd.Index(codes, dtype=object))
    src = position.reindex(edges["upstream_code"].astype(str).to_numpy()).to_numpy()
    dst = position.reindex(edges["downstream_code"].astype(str).to_numpy()).to_numpy()
    keep = ~np.isnan(src) & ~np.isnan(dst)
    pairs = np.unique(np.stack([src[keep], dst[keep]]).astype(np.int64), axis=1)
    pairs = pairs[:, pairs[0] != pairs[1]]
    if pairs.shape[1] == 0:
        return np.zeros(n)
    up, down = pairs
    blockers = np.bincount(down, minlength=n).astype(np.float64)
    shares = factor / blockers[down]
    passing = sparse.csr_matrix((shares, (up, down)), shape=(n, n))
    own = np.asarray(scores, dtype=np.float64)
    total = own.copy()
    # Fixed-point iteration t <- s + M t; the error shrinks by the factor f at every step.
    for _ in range(int(np.ceil(np.log(1e-13) / np.log(factor))) + 1):
        total = own + passing @ total
    uplift: FloatArray = np.maximum(total - own, 0.0)
    return uplift
