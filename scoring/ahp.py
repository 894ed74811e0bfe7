"""Analytic hierarchy process: priority weights from a pairwise comparison matrix.

Convention: ``pairwise[i, j]`` says how many times criterion ``i`` is more important than
criterion ``j`` (Saaty's 1-9 scale and reciprocals); the matrix must be square, strictly
positive, with ones on the diagonal and ``pairwise[j, i] = 1 / pairwise[i, j]``. Indices in
messages and results are 0-based.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scoring.errors import ScoringError

#: Saaty's random consistency index RI by matrix order n (Saaty 1980, "The analytic hierarchy
#: process", McGraw-Hill). No value is tabulated here beyond n = 10: for larger matrices the
#: consistency ratio is reported as ``None`` (unknown) rather than guessed. Published extensions
#: disagree in the second decimal; using 1.49 for n > 10 would *overstate* CR slightly, since RI
#: keeps growing with n.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
}

#: Saaty's threshold: CR <= 0.10 is acceptable.
CR_THRESHOLD = 0.10

#: Relative tolerance of the reciprocity and unit-diagonal checks.
RECIPROCAL_TOL = 1e-6

#: A matrix whose largest log-deviation is at most this is treated as perfectly consistent
#: (no worst judgement is named).
_CONSISTENT_LOG_TOL = 1e-9

#: Judgements whose log-deviations lie within this share of the largest one are equally
#: inconsistent, and all of them are named: far above floating-point noise (about 1e-15, so
#: the same matrix with its criteria in another order names the same judgements), far below
#: any difference a person could mean.
TIE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class AhpResult:
    """Outcome of :func:`priorities`.

    * ``weights``: principal right eigenvector, normalised to sum 1.
    * ``lambda_max``: principal eigenvalue (``>= n`` for a positive reciprocal matrix).
    * ``ci``: consistency index ``(lambda_max - n) / (n - 1)``, 0 for n = 1, never negative
      (rounding below 0 is clipped).
    * ``cr``: consistency ratio ``ci / RANDOM_INDEX[n]``; 0.0 for n <= 2 (such matrices are
      always consistent); ``None`` for n > 10 (no tabulated random index).
    * ``worst_judgements``: the judgements to revisit first, the pairs ``(i, j)``, ``i < j``,
      whose deviation ``|log(a_ij * w_j / w_i)|`` (how far the entry is from the consistent
      ratio ``w_i / w_j``) is the largest, every pair within :data:`TIE_TOLERANCE` (relative)
      of it included, in the criteria's order (by ``i``, then ``j``); empty when n < 2 or the
      matrix is consistent (largest deviation <= 1e-9). Tie rule: equally inconsistent
      judgements are all named, never one picked by rounding, so putting the criteria in
      another order names the same judgements. With three criteria the three judgements are
      always tied: the principal eigenvector of a 3 x 3 reciprocal matrix is the geometric
      mean of its rows (Crawford, G. and Williams, C. (1985) "A note on the analysis of
      subjective judgment matrices", Journal of Mathematical Psychology 29(4), 387-405), so
      each deviation is a third of ``|log(a_01 a_12 / a_02)|``, and changing any one of the
      three can restore consistency.
    """

    weights: NDArray[np.float64]
    lambda_max: float
    ci: float
    cr: float | None
    worst_judgements: tuple[tuple[int, int], ...]

    @property
    def consistent(self) -> bool:
        """``CR <= 0.10`` (Saaty). ``False`` when CR is unknown (n > 10): not certified."""
        return self.cr is not None and self.cr <= CR_THRESHOLD


def _validate(pairwise: ArrayLike) -> NDArray[np.float64]:
    try:
        a = np.asarray(pairwise, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"pairwise matrix must be a square array of numbers: {exc}") from exc
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise ValueError(f"pairwise matrix must be square and non-empty, got shape {a.shape}")
    n = a.shape[0]
    for i in range(n):
        for j in range(n):
            if not (math.isfinite(a[i, j]) and a[i, j] > 0):
                raise ValueError(
                    f"pairwise[{i}, {j}] = {float(a[i, j])!r}: entries must be finite and positive"
                )
    for i in range(n):
        for j in range(i, n):
            if i == j:
                if abs(a[i, i] - 1.0) > RECIPROCAL_TOL:
                    raise ValueError(
                        f"pairwise[{i}, {i}] = {float(a[i, i])!r}: the diagonal must be 1"
                    )
                continue
            expected = 1.0 / a[i, j]
            if abs(a[j, i] - expected) > RECIPROCAL_TOL * expected:
                raise ValueError(
                    f"pairwise[{j}, {i}] = {float(a[j, i])!r} is not the reciprocal of "
                    f"pairwise[{i}, {j}] = {float(a[i, j])!r} (expected {float(expected)!r})"
                )
    return a


def priorities(pairwise: ArrayLike) -> AhpResult:
    """Priority weights and consistency of a pairwise comparison matrix (eigenvector method).

    The matrix is validated (square, finite, positive, unit diagonal, ``a_ji = 1 / a_ij`` within
    1e-6 relative; the first offending cell in row-major order is named in the ``ValueError``).
    ``numpy.linalg.eig`` gives the eigenpairs; the eigenvalue with the largest real part is the
    Perron root of a positive matrix, and its eigenvector (real part) divided by its sum gives
    the weights. ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)``; see
    :class:`AhpResult` for the conventions at n <= 2 and n > 10.

    Sources: Saaty, T. L. (1980) "The analytic hierarchy process", McGraw-Hill (method and
    random index); Saaty, T. L. (1990) "How to make a decision: the analytic hierarchy process",
    European Journal of Operational Research 48(1):9-26.
    """
    a = _validate(pairwise)
    n = a.shape[0]
    if n == 1:
        return AhpResult(np.ones(1), 1.0, 0.0, 0.0, ())
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lambda_max = float(values[k].real)
    vec = vectors[:, k].real
    weights: NDArray[np.float64] = vec / vec.sum()
    ci = max((lambda_max - n) / (n - 1), 0.0)
    cr: float | None
    if n <= 2:
        cr = 0.0
    elif n in RANDOM_INDEX:
        cr = ci / RANDOM_INDEX[n]
    else:
        cr = None
    return AhpResult(weights, lambda_max, ci, cr, _worst_judgements(a, weights))


def _worst_judgements(a: NDArray[np.float64], weights: NDArray[np.float64],
                      ) -> tuple[tuple[int, int], ...]:
    """The pairs of :attr:`AhpResult.worst_judgements`, by the tie rule stated there."""
    deviation = np.triu(np.abs(np.log(a * weights[np.newaxis, :] / weights[:, np.newaxis])),
                        k=1)
    largest = float(deviation.max())
    if largest <= _CONSISTENT_LOG_TOL:
        return ()
    tied = np.argwhere(deviation >= largest * (1.0 - TIE_TOLERANCE))
    return tuple((int(i), int(j)) for i, j in tied)


def pairwise_from_table(table: list[list[str]]) -> tuple[list[str], NDArray[np.float64]]:
    """A pairwise matrix written as a table of text cells, as in a CSV file.

    The first row names the criteria (its first cell is ignored); each following row starts
    with a criterion's name, in the same order, then its judgements. A cell holds a number or
    a fraction (``3``, ``0.2``, ``1/5``); a blank cell below the diagonal is the reciprocal of
    its mirror and a blank diagonal cell is 1, so writing the upper triangle is enough.

    Raises :class:`ScoringError` naming the row and column of the first bad cell.
    """
    rows = [[cell.strip() for cell in row] for row in table if any(c.strip() for c in row)]
    if len(rows) < 2:
        raise ScoringError("The pairwise table needs a header row of criteria and one row per "
                           "criterion")
    labels = [label for label in rows[0][1:] if label]
    n = len(labels)
    if len(rows) - 1 != n:
        raise ScoringError(f"The pairwise table names {n} criteria in its header but has "
                           f"{len(rows) - 1} rows; it must be square")
    matrix = np.full((n, n), np.nan)
    for i, row in enumerate(rows[1:]):
        if row[0] != labels[i]:
            raise ScoringError(f"Row {i + 2} is {row[0]!r} but the header's criterion {i + 1} "
                               f"is {labels[i]!r}; rows must follow the header's order")
        extra = [cell for cell in row[n + 1:] if cell]
        if extra:
            raise ScoringError(f"The row of {labels[i]!r} (line {i + 2}) has more judgements "
                               f"than the {n} criteria of the header; the table must be square")
        for j, cell in enumerate((row[1:] + [""] * n)[:n]):
            if cell:
                matrix[i, j] = _judgement(cell, labels[i], labels[j])
    for i in range(n):
        if np.isnan(matrix[i, i]):
            matrix[i, i] = 1.0
        for j in range(i + 1, n):
            if np.isnan(matrix[i, j]) and np.isnan(matrix[j, i]):
                raise ScoringError(f"No judgement for {labels[i]!r} against {labels[j]!r}: "
                                   "fill the upper triangle")
            if np.isnan(matrix[j, i]):
                matrix[j, i] = 1.0 / matrix[i, j]
            elif np.isnan(matrix[i, j]):
                matrix[i, j] = 1.0 / matrix[j, i]
    try:
        _validate(matrix)
    except ValueError as error:
        raise ScoringError(f"The pairwise table is not a valid comparison matrix: {error}; "
                           "indices count criteria from 0 in header order") from None
    return labels, matrix


def _judgement(cell: str, row: str, column: str) -> float:
    numerator, slash, denominator = cell.partition("/")
    try:
        value = float(numerator) / float(denominator) if slash else float(cell)
    except (ValueError, ZeroDivisionError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ScoringError(f"Judgement {cell!r} for {row!r} against {column!r} must be a "
                           "positive number or fraction such as 3 or 1/3")
    return value
