"""Bare, vectorised multi-criteria ranking methods.

Conventions shared by every function here:

* ``matrix`` is an alternatives x criteria array (``m x n``, anything ``numpy.asarray`` turns
  into a finite float array; ``m >= 1``, ``n >= 1``).
* ``weights`` is a 1-D array of ``n`` finite, non-negative numbers, not all zero. They need not
  sum to 1: each function divides them by their sum first, so scaling every weight by the same
  positive constant changes nothing. Negative or all-zero weights raise ``ValueError``.
* ``benefit`` is a 1-D array of ``n`` booleans: ``True`` means higher is better (a benefit
  criterion), ``False`` means lower is better (a cost criterion).
* Results are indexed like the rows of ``matrix``; permuting the rows permutes the results.

Every malformed input raises ``ValueError`` with a message saying what is wrong.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Rounding tolerance of VIKOR: in the acceptable-advantage test, so that Q(a'') - Q(a')
# computed as 0.49999999999999994 still counts as reaching DQ = 0.5; and when rescaling S and R,
# so that values equal up to rounding stay equal.
_VIKOR_TOL = 1e-12


def _as_matrix(matrix: ArrayLike) -> FloatArray:
    try:
        x = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"matrix must be a 2-D array of numbers: {exc}") from exc
    if x.ndim != 2:
        raise ValueError(f"matrix must be 2-D (alternatives x criteria), got {x.ndim}-D")
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"matrix needs at least one alternative and one criterion, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("matrix contains NaN or infinite values")
    return x


def _as_weights(weights: ArrayLike, n_criteria: int) -> FloatArray:
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"weights must be a 1-D array of numbers: {exc}") from exc
    if w.ndim != 1:
        raise ValueError(f"weights must be 1-D, got {w.ndim}-D")
    if w.shape[0] != n_criteria:
        raise ValueError(
            f"weights has {w.shape[0]} entries but matrix has {n_criteria} criteria (columns)"
        )
    if not np.all(np.isfinite(w)):
        raise ValueError("weights contain NaN or infinite values")
    if np.any(w < 0):
        bad = int(np.flatnonzero(w < 0)[0])
        raise ValueError(f"weights must be non-negative: weights[{bad}] = {float(w[bad])!r}")
    total = float(w.sum())
    if total <= 0:
        raise ValueError("weights are all zero: at least one criterion must carry weight")
    return w / total


def _as_benefit(benefit: ArrayLike, n_criteria: int) -> BoolArray:
    b = np.asarray(benefit)
    if b.ndim != 1:
        raise ValueError(f"benefit must be 1-D, got {b.ndim}-D")
    if b.shape[0] != n_criteria:
        raise ValueError(
            f"benefit has {b.shape[0]} entries but matrix has {n_criteria} criteria (columns)"
        )
    if b.dtype != np.bool_:
        raise ValueError(f"benefit must hold booleans (True = higher is better), got {b.dtype}")
    return b


def weighted_product(matrix: ArrayLike, weights: ArrayLike, benefit: ArrayLike) -> FloatArray:
    """Weighted product model: ``score_i = prod_j x_ij ** (+w_j)`` for benefit criteria and
    ``x_ij ** (-w_j)`` for cost criteria (higher score is better).

    Convention: raw, strictly positive values (no normalisation is needed because the model is
    scale-invariant per criterion: ratios ``score_a / score_b`` do not depend on the units).
    Weights are divided by their sum, so with all-benefit criteria the score is the weighted
    geometric mean of the row. Computed as ``exp(sum_j ±w_j log x_ij)``. Zero or negative values
    raise ``ValueError``. Comparing two alternatives uses the ratio
    ``P(A_K / A_L) = score_K / score_L`` (``>= 1`` means ``A_K`` is at least as good).

    Sources: Bridgman, P. W. (1922) "Dimensional analysis", Yale University Press; Miller, D. W.
    and Starr, M. K. (1969) "Executive decisions and operations research", Prentice-Hall; as
    presented in Triantaphyllou, E. (2000) "Multi-criteria decision making methods: a
    comparative study", Kluwer, ch. 2 (the WPM).
    """
    x = _as_matrix(matrix)
    w = _as_weights(weights, x.shape[1])
    b = _as_benefit(benefit, x.shape[1])
    if np.any(x <= 0):
        i, j = (int(k) for k in np.argwhere(x <= 0)[0])
        raise ValueError(
            "weighted_product needs strictly positive values: "
            f"matrix[{i}, {j}] = {float(x[i, j])!r}"
        )
    exponents = np.where(b, w, -w)
    # Summed row by row, not by a matrix product: BLAS may sum in another order for another
    # number of rows, and a row's score must not depend on the others even in its last bit.
    result: FloatArray = np.exp(np.sum(np.log(x) * exponents, axis=1))
    return result


def topsis(matrix: ArrayLike, weights: ArrayLike, benefit: ArrayLike) -> FloatArray:
    """TOPSIS relative closeness to the ideal solution, in ``[0, 1]`` (higher is better).

    Steps (Hwang & Yoon 1981): vector-normalise each column ``r_ij = x_ij / sqrt(sum_i x_ij^2)``;
    weight ``v_ij = w_j r_ij`` (weights divided by their sum); ideal ``A+`` takes the column
    maximum of benefit and minimum of cost criteria, anti-ideal ``A-`` the opposite; Euclidean
    distances ``d+_i``, ``d-_i``; closeness ``C_i = d-_i / (d+_i + d-_i)``.

    Conventions: a column that is entirely zero has no norm and is left at zero (it cannot
    separate alternatives). When ``d+_i = d-_i = 0`` (every alternative is identical on every
    weighted criterion, so the ideal and anti-ideal coincide) the closeness is defined as 0.5:
    the alternative is exactly as near the best as the worst. Raw values are expected to be
    non-negative, as in the source; negative values are not refused but make vector
    normalisation hard to interpret.

    Source: Hwang, C.-L. and Yoon, K. (1981) "Multiple attribute decision making: methods and
    applications", Lecture Notes in Economics and Mathematical Systems 186, Springer.
    """
    x = _as_matrix(matrix)
    w = _as_weights(weights, x.shape[1])
    b = _as_benefit(benefit, x.shape[1])
    norms = np.sqrt(np.sum(x * x, axis=0))
    safe = np.where(norms > 0, norms, 1.0)
    v = x / safe * w
    ideal = np.where(b, v.max(axis=0), v.min(axis=0))
    anti = np.where(b, v.min(axis=0), v.max(axis=0))
    d_plus = np.sqrt(np.sum((v - ideal) ** 2, axis=1))
    d_minus = np.sqrt(np.sum((v - anti) ** 2, axis=1))
    total = d_plus + d_minus
    safe_total = np.where(total > 0, total, 1.0)
    result: FloatArray = np.where(total > 0, d_minus / safe_total, 0.5)
    return result


def _declared_positions(matrix: ArrayLike, best: ArrayLike, worst: ArrayLike,
                        ) -> tuple[FloatArray, FloatArray]:
    """The checked matrix and each value's position between the declared ``worst`` (0) and
    ``best`` (1) of its column."""
    x = _as_matrix(matrix)
    ends = []
    for name, values in (("best", best), ("worst", worst)):
        end = np.asarray(values, dtype=np.float64)
        if end.shape != (x.shape[1],) or not np.all(np.isfinite(end)):
            raise ValueError(f"{name} must hold one finite number per criterion "
                             f"({x.shape[1]}), got {end.tolist()!r}")
        ends.append(end)
    top, bottom = ends
    if np.any(top == bottom):
        j = int(np.flatnonzero(top == bottom)[0])
        raise ValueError(f"criterion {j}: best and worst are both {float(top[j])!r}")
    position = (x - bottom) / (top - bottom)
    outside = (position < 0) | (position > 1)
    if outside.any():
        i, j = (int(k) for k in np.argwhere(outside)[0])
        raise ValueError(f"matrix[{i}, {j}] = {float(x[i, j])!r} lies outside its declared "
                         f"scale ({float(bottom[j])!r} to {float(top[j])!r})")
    return x, position


def topsis_declared(matrix: ArrayLike, weights: ArrayLike, best: ArrayLike,
                    worst: ArrayLike) -> FloatArray:
    """TOPSIS closeness against the declared ideal and anti-ideal, in ``[0, 1]`` (higher is
    better): a process's closeness depends on its own values only, so adding or removing
    alternatives never re-orders the others.

    ``best`` and ``worst`` give, per criterion, the best and worst value its scale declares
    (for a cost criterion ``best < worst``); every value must lie between them. Steps: place
    each value linearly between them, ``r_ij = (x_ij - worst_j) / (best_j - worst_j)`` (1 =
    best); weight ``v_ij = w_j r_ij`` (weights divided by their sum); the ideal is the declared
    best on every criterion (``v = w_j``), the anti-ideal the declared worst (``v = 0``);
    ``d+_i = sqrt(sum_j w_j^2 (1 - r_ij)^2)``, ``d-_i = sqrt(sum_j w_j^2 r_ij^2)``, closeness
    ``C_i = d-_i / (d+_i + d-_i)``. This is Hwang and Yoon's TOPSIS with linear (max-min)
    normalisation run on the alternatives together with the declared ideal and anti-ideal
    alternatives, whose closeness is 1 and 0.

    Sources: García-Cascales, M. S. and Lamata, M. T. (2012) "On rank reversal and TOPSIS
    method", Mathematical and Computer Modelling 56(5-6):123-132 (absolute ideal and
    anti-ideal alternatives, the remedy for TOPSIS's rank reversal); Aires, R. F. de F. and
    Ferreira, L. (2019) "A new approach to avoid rank reversal cases in the TOPSIS method",
    Computers & Industrial Engineering 132:84-97 (R-TOPSIS: normalisation on a declared
    domain); Hwang, C.-L. and Yoon, K. (1981), as for :func:`topsis`.
    """
    x, position = _declared_positions(matrix, best, worst)
    w = _as_weights(weights, x.shape[1])
    d_plus = np.sqrt(np.sum((w * (1.0 - position)) ** 2, axis=1))
    d_minus = np.sqrt(np.sum((w * position) ** 2, axis=1))
    total = d_plus + d_minus
    result: FloatArray = np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)
    return result


def _check_v(v: float) -> float:
    v = float(v)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"v (weight of the 'majority of criteria' strategy) must be in [0, 1], "
                         f"got {v!r}")
    return v


def vikor(
    matrix: ArrayLike, weights: ArrayLike, benefit: ArrayLike, v: float = 0.5
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """VIKOR measures ``(S, R, Q)``; for all three, LOWER is better.

    With ``f*_j`` the best value of criterion ``j`` (max for benefit, min for cost) and ``f-_j``
    the worst, and weights divided by their sum:

    * ``S_i = sum_j w_j (f*_j - f_ij) / (f*_j - f-_j)`` (group utility),
    * ``R_i = max_j w_j (f*_j - f_ij) / (f*_j - f-_j)`` (individual regret),
    * ``Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*)`` with
      ``S* = min S``, ``S- = max S``, ``R* = min R``, ``R- = max R``.

    Conventions: a criterion with ``f*_j == f-_j`` (all alternatives equal on it) contributes 0
    to ``S`` and ``R``. If ``S- == S*`` (or ``R- == R*``) that term of ``Q`` is 0 for everyone
    instead of dividing by zero. ``v`` must lie in ``[0, 1]``.

    Source: Opricovic, S. and Tzeng, G.-H. (2004) "Compromise solution by MCDM methods: a
    comparative analysis of VIKOR and TOPSIS", European Journal of Operational Research
    156(2):445-455, section 3.
    """
    x = _as_matrix(matrix)
    w = _as_weights(weights, x.shape[1])
    b = _as_benefit(benefit, x.shape[1])
    v = _check_v(v)
    best = np.where(b, x.max(axis=0), x.min(axis=0))
    worst = np.where(b, x.min(axis=0), x.max(axis=0))
    span = best - worst
    has_span = span != 0
    safe_span = np.where(has_span, span, 1.0)
    # (best - x) and span share their sign, so each term is >= 0; "+ 0.0" turns -0.0 into 0.0.
    regret = np.where(has_span, w * ((best - x) / safe_span), 0.0) + 0.0
    s: FloatArray = regret.sum(axis=1)
    r: FloatArray = regret.max(axis=1)
    q: FloatArray = v * _rescale(s) + (1.0 - v) * _rescale(r)
    return s, r, q


def vikor_declared(matrix: ArrayLike, weights: ArrayLike, best: ArrayLike, worst: ArrayLike,
                   v: float = 0.5) -> tuple[FloatArray, FloatArray, FloatArray]:
    """VIKOR measures ``(S, R, Q)`` against the declared best and worst values (LOWER is
    better): a process's measures depend on its own values only, so adding or removing
    alternatives never re-orders the others.

    ``best`` and ``worst`` are each criterion's declared best and worst values (``f*`` and
    ``f-``; for a cost criterion ``best < worst``), and every value lies between them. With
    weights divided by their sum:

    * ``S_i = sum_j w_j (f*_j - f_ij) / (f*_j - f-_j)`` and ``R_i = max_j`` of the same terms,
      as in :func:`vikor` but with the declared ``f*`` and ``f-``;
    * ``Q_i = v S_i + (1 - v) R_i / max_j w_j``: the declared ideal (``S = R = 0``) and
      anti-ideal (``S = 1``, ``R = max_j w_j``) stand for ``S*, R*`` and ``S-, R-``.

    This is :func:`vikor` run on the alternatives together with the declared ideal and
    anti-ideal alternatives (whose ``Q`` is 0 and 1), the remedy García-Cascales and Lamata
    (2012) give for TOPSIS applied to VIKOR's reference points. ``v`` must lie in ``[0, 1]``.

    Sources: Opricovic, S. and Tzeng, G.-H. (2004), as for :func:`vikor`; García-Cascales,
    M. S. and Lamata, M. T. (2012) "On rank reversal and TOPSIS method", Mathematical and
    Computer Modelling 56(5-6):123-132.
    """
    x, position = _declared_positions(matrix, best, worst)
    w = _as_weights(weights, x.shape[1])
    v = _check_v(v)
    regret = w * (1.0 - position) + 0.0
    s: FloatArray = regret.sum(axis=1)
    r: FloatArray = regret.max(axis=1)
    q: FloatArray = v * s + (1.0 - v) * r / w.max()
    return s, r, q


def _rescale(values: FloatArray) -> FloatArray:
    """``(values - min) / (max - min)``, or zeros when ``max`` and ``min`` differ only by
    rounding (relative 1e-12), so that scaling the weights cannot turn a tie into a 0-1 gap."""
    low, high = float(values.min()), float(values.max())
    if high - low <= _VIKOR_TOL * max(1.0, abs(high)):
        return np.zeros_like(values)
    result: FloatArray = (values - low) / (high - low)
    return result


def vikor_compromise(
    s: ArrayLike, r: ArrayLike, q: ArrayLike, v: float = 0.5
) -> list[int]:
    """Indices (0-based, in ascending ``Q`` order) of the VIKOR compromise solution set.

    Rank by ``Q`` ascending (ties kept in row order); ``a'`` is first, ``a''`` second, and
    ``DQ = 1 / (m - 1)`` with ``m`` alternatives.

    * C1, acceptable advantage: ``Q(a'') - Q(a') >= DQ`` (tested with a 1e-12 tolerance).
    * C2, acceptable stability: ``a'`` is also best ranked by ``S`` or by ``R`` (ties count:
      ``S(a') == min S`` or ``R(a') == min R``).

    Result: ``[a']`` if C1 and C2 hold; ``[a', a'']`` if only C2 fails; if C1 fails,
    ``[a', a'', ..., a(M)]`` with ``M`` the largest rank such that ``Q(a(M)) - Q(a') < DQ``
    (whatever C2 says). With a single alternative the result is ``[0]``.

    ``v`` is only checked to be in ``[0, 1]``: the conditions as published do not use it (it
    shaped ``Q`` in :func:`vikor`; the source notes C2 holds "by voting" for v > 0.5, "by
    consensus" for v = 0.5, "with veto" for v < 0.5). Pass the same ``v`` for the record.

    Source: Opricovic, S. and Tzeng, G.-H. (2004) "Compromise solution by MCDM methods: a
    comparative analysis of VIKOR and TOPSIS", European Journal of Operational Research
    156(2):445-455, section 3, step 5.
    """
    _check_v(v)
    arrays = []
    for name, values in (("S", s), ("R", r), ("Q", q)):
        a = np.asarray(values, dtype=np.float64)
        if a.ndim != 1 or a.shape[0] < 1:
            raise ValueError(f"{name} must be a non-empty 1-D array, got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains NaN or infinite values")
        arrays.append(a)
    s_arr, r_arr, q_arr = arrays
    m = q_arr.shape[0]
    if s_arr.shape[0] != m or r_arr.shape[0] != m:
        raise ValueError(
            f"S, R and Q must have the same length, got {s_arr.shape[0]}, {r_arr.shape[0]}, {m}"
        )
    if m == 1:
        return [0]
    order = [int(k) for k in np.argsort(q_arr, kind="stable")]
    first, second = order[0], order[1]
    dq = 1.0 / (m - 1)
    advantage = q_arr[second] - q_arr[first] >= dq - _VIKOR_TOL
    stability = s_arr[first] == s_arr.min() or r_arr[first] == r_arr.min()
    if not advantage:
        return [k for k in order if q_arr[k] - q_arr[first] < dq - _VIKOR_TOL]
    if not stability:
        return [first, second]
    return [first]


def _positive_vector(values: ArrayLike, name: str) -> FloatArray:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got {x.ndim}-D")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def wsjf(cost_of_delay: ArrayLike, job_size: ArrayLike) -> FloatArray:
    """Weighted shortest job first: ``cost_of_delay / job_size`` (higher goes first).

    Cost of delay is the value lost by waiting (in SAFe, user-business value + time criticality
    + risk reduction and opportunity enablement); job size is the effort proxy. Both are on any
    common positive scale; ``job_size`` must be strictly positive.

    Source: Reinertsen, D. G. (2009) "The principles of product development flow", Celeritas,
    chapter 9 (weighted shortest job first: cost of delay divided by duration); Scaled Agile
    Framework, "WSJF" (scaledagileframework.com/wsjf).
    """
    cod = _positive_vector(cost_of_delay, "cost_of_delay")
    size = _positive_vector(job_size, "job_size")
    if cod.shape != size.shape:
        raise ValueError(f"cost_of_delay has {cod.shape[0]} entries but job_size has "
                         f"{size.shape[0]}")
    if np.any(size <= 0):
        bad = int(np.flatnonzero(size <= 0)[0])
        raise ValueError(f"job_size must be > 0: job_size[{bad}] = {float(size[bad])!r}")
    result: FloatArray = cod / size
    return result


def value_over_effort(value: ArrayLike, effort: ArrayLike) -> FloatArray:
    """Value over effort ratio, ``value / effort`` (the 'bang for the buck' ordering of a
    value-effort matrix); ``effort`` must be strictly positive.

    Source: ranking independent projects by benefit-cost ratio, as discussed in Boardman,
    A. E. et al. (2018) "Cost-benefit analysis: concepts and practice", 5th ed., Cambridge
    University Press, chapter 2; the same ordering reads a value-effort (impact-effort) matrix
    from its top-left corner (quick wins) outwards.
    """
    return wsjf(value, effort)
