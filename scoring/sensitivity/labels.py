"""Robust, sensitive or fragile: :func:`robustness_labels` from the Monte Carlo figures."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from scoring.errors import ScoringError
from scoring.sensitivity.problem import positive_int

#: :func:`robustness_labels`: the top-N membership is settled when its probability is at least
#: this (in) or at most one minus it (out).
SETTLED_PROBABILITY = 0.9
#: ... and the rank is steady when the 90% rank interval (95th minus 5th percentile) is at most
#: this share of ``max(deterministic rank, N)``.
STEADY_RANK_SPREAD = 0.5
#: A top-N probability in this closed range is close to a coin toss: fragile.
FRAGILE_PROBABILITY = (0.25, 0.75)
ROBUST, SENSITIVE, FRAGILE = "robust", "sensitive", "fragile"


def robustness_labels(probability_top_n: ArrayLike, rank_p5: ArrayLike, rank_p95: ArrayLike,
                      deterministic_rank: ArrayLike, top_n: int) -> list[str]:
    """``robust``, ``sensitive`` or ``fragile`` for each process, from Monte Carlo figures.

    * **fragile**: the probability of being in the top N lies in ``[0.25, 0.75]``
      (``FRAGILE_PROBABILITY``): whether it belongs there is close to a coin toss.
    * **robust**: the top-N membership is settled, probability ``>= 0.9`` or ``<= 0.1``
      (``SETTLED_PROBABILITY``), *and* the rank is steady: the 90% rank interval
      ``rank_p95 - rank_p5`` is at most half (``STEADY_RANK_SPREAD``) of
      ``max(deterministic_rank, top_n)``. Relative to the rank, because moving 20 places
      matters at rank 15 and hardly at rank 800; never below half of N, so the leaders may
      move within the top group.
    * **sensitive**: everything else (membership likely but not settled, or settled while the
      rank still moves a lot).

    These thresholds are conventions of this module, not of a source; they are module
    constants so that a page can show them.
    """
    top_n = positive_int(top_n, "top_n")
    arrays = []
    for name, values in (("probability_top_n", probability_top_n), ("rank_p5", rank_p5),
                         ("rank_p95", rank_p95), ("deterministic_rank", deterministic_rank)):
        a = np.asarray(values, dtype=np.float64)
        if a.ndim != 1:
            raise ScoringError(f"{name} must be 1-D, got {a.ndim}-D")
        if not np.isfinite(a).all():
            raise ScoringError(f"{name} contains NaN or infinite values")
        arrays.append(a)
    p, p5, p95, rank = arrays
    if len({a.size for a in arrays}) != 1:
        raise ScoringError("probability_top_n, rank_p5, rank_p95 and deterministic_rank must "
                           f"have the same length, got {[a.size for a in arrays]}")
    if ((p < 0) | (p > 1)).any():
        raise ScoringError("probability_top_n must lie in [0, 1]")
    if (p5 > p95).any() or (p5 < 1).any() or (rank < 1).any():
        raise ScoringError("ranks start at 1 and rank_p5 must not exceed rank_p95")
    p = np.round(p, 12)
    settled = (p >= SETTLED_PROBABILITY) | (p <= round(1 - SETTLED_PROBABILITY, 12))
    steady = (p95 - p5) <= STEADY_RANK_SPREAD * np.maximum(rank, top_n)
    low, high = FRAGILE_PROBABILITY
    fragile = (p >= low) & (p <= high)
    labels: list[str] = np.where(fragile, FRAGILE,
                                 np.where(settled & steady, ROBUST, SENSITIVE)).tolist()
    return labels
