"""The robustness lab's shared set-up: the checked problem (matrix and weights), the weighted
sum and the order of its scores, which the Monte Carlo (:mod:`scoring.sensitivity.monte_carlo`)
and the exact weight flips (:mod:`scoring.sensitivity.flips`) both start from. The conventions
are those of :mod:`scoring.sensitivity`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.errors import ScoringError
from scoring.ties import rounded_for_ties

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Problem:
    """A checked matrix and its weights (:func:`checked_problem`): ``values`` with excluded
    (NaN) cells as 0, ``present`` marking the known ones, the weights divided by their sum,
    and the labels of the rows (processes) and columns (criteria)."""

    values: FloatArray  # n x k, NaN -> 0
    present: NDArray[np.bool_]  # n x k, False where the criterion is excluded
    weights: FloatArray  # k, sum 1
    processes: pd.Index
    criteria: pd.Index

    @property
    def complete(self) -> bool:
        """Whether every cell is known (no criterion excluded for any process)."""
        return bool(self.present.all())


def checked_problem(matrix: Any, weights: Any) -> Problem:
    """The one validating entry of the lab: ``matrix`` and ``weights`` read by the conventions
    of :mod:`scoring.sensitivity`, or a :class:`~scoring.errors.ScoringError` saying what is
    wrong (not 2-D, no criterion, an infinite value, weights of the wrong length, not finite,
    negative or all zero, or naming criteria the matrix lacks). Everything after it is bare
    maths on the checked arrays."""
    processes: pd.Index
    criteria: pd.Index
    if isinstance(matrix, pd.DataFrame):
        processes, criteria = matrix.index, matrix.columns
        if isinstance(weights, pd.Series):
            unknown = [str(c) for c in weights.index if c not in criteria]
            if unknown:
                raise ScoringError(f"weights name criteria the matrix does not have: "
                                   f"{', '.join(unknown)}")
            lacking = [str(c) for c in criteria if c not in weights.index]
            if lacking:
                raise ScoringError(f"weights have no entry for criterion "
                                   f"{', '.join(lacking)}")
            weights = weights.reindex(criteria)
    try:
        x = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ScoringError(f"matrix must be a 2-D array of numbers: {exc}") from None
    if x.ndim != 2:
        raise ScoringError(f"matrix must be 2-D (processes x criteria), got {x.ndim}-D")
    if x.shape[1] < 1:
        raise ScoringError("matrix needs at least one criterion (column)")
    if np.isinf(x).any():
        i, j = (int(v) for v in np.argwhere(np.isinf(x))[0])
        raise ScoringError(f"matrix[{i}, {j}] is infinite; normalised values lie in 0-1")
    if not isinstance(matrix, pd.DataFrame):
        processes, criteria = pd.RangeIndex(x.shape[0]), pd.RangeIndex(x.shape[1])
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ScoringError(f"weights must be a 1-D array of numbers: {exc}") from None
    if w.ndim != 1 or w.shape[0] != x.shape[1]:
        raise ScoringError(f"weights must hold one number per criterion: got shape {w.shape} "
                           f"for a matrix with {x.shape[1]} criteria")
    if not np.isfinite(w).all():
        raise ScoringError("weights contain NaN or infinite values")
    if (w < 0).any():
        bad = int(np.flatnonzero(w < 0)[0])
        raise ScoringError(f"weights must be non-negative: criterion {criteria[bad]!r} has "
                           f"{float(w[bad])!r}")
    if w.sum() <= 0:
        raise ScoringError("weights are all zero: at least one criterion must carry weight")
    present = ~np.isnan(x)
    return Problem(np.where(present, x, 0.0), present, w / w.sum(), processes, criteria)


def weighted_sum_scores(values: FloatArray, present: NDArray[np.bool_],
                        weights: FloatArray) -> FloatArray:
    """Weighted sum with each row's weights re-normalised over its known criteria (0 when the
    row has no weighted criterion left): ``score_i = sum_j w_j x_ij / sum_j w_j [x_ij known]``.

    Source: the weighted sum model (simple additive weighting), Fishburn, P. C. (1967)
    "Additive utilities with incomplete product sets: application to priorities and
    assignments", Operations Research Society of America (ORSA), Baltimore; see also
    Triantaphyllou, E. (2000) "Multi-criteria decision making methods: a comparative study",
    Kluwer, ch. 2. Leaving an unknown value out and re-normalising the rest is the ranking's
    ``exclude`` policy (:mod:`scoring.ranking`, step 3)."""
    numerator = values @ weights
    if present.all():
        return numerator
    denominator = present @ weights
    result: FloatArray = np.divide(numerator, denominator, out=np.zeros_like(numerator),
                                   where=denominator > 0)
    return result


def best_first(scores: FloatArray) -> IntArray:
    """Row indices best first: higher score, then (ties to 12 digits) lower row."""
    rounded = rounded_for_ties(scores)
    result: IntArray = np.lexsort((np.arange(scores.size), -rounded)).astype(np.int64)
    return result


def ordinal_ranks(scores: FloatArray) -> IntArray:
    """Ordinal ranks (1 = best, every row its own rank) in the order of :func:`best_first`."""
    ranks = np.empty(scores.size, dtype=np.int64)
    ranks[best_first(scores)] = np.arange(1, scores.size + 1)
    return ranks


def positive_int(value: Any, name: str) -> int:
    """``value`` as an int when it is a whole number >= 1 (not a bool), else a
    :class:`~scoring.errors.ScoringError` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ScoringError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)
