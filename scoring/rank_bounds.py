"""Best and worst rank each process could reach given the values still unknown.

Convention. Every unknown normalised value may turn out anywhere on its declared scale (0 to 1),
whatever the missing-value policy imputes meanwhile and whichever process it belongs to. The
interval ``[best, worst]`` is sound: every way of filling in the unknown values gives each
process a rank (competition ranks on scores rounded to 12 significant digits, as the ranking's)
inside it. The ranking shown is one such filling-in (the policy's values; leaving a value out
of a weighted mean is the same as filling it in with that mean), so its rank is inside too.

* Methods scoring each process on its own values, never decreasing as a value rises (weighted
  sum and product, WSJF, value over effort, TOPSIS and VIKOR against the declared ideal): a
  process's score lies between its unknowns all at worst and all at best, and the bounds are
  *exact*: the best rank is reached with the process's unknowns at best and everyone else's at
  worst, the worst rank the other way round.
* TOPSIS and VIKOR against the best and worst of the processes ranked: every score depends on
  every process, so each step of the method is bounded over all fillings-in at once (interval
  arithmetic: Moore, R. E., Kearfott, R. B. and Cloud, M. J. (2009) "Introduction to interval
  analysis", SIAM, ch. 2 and 5). The bounds hold but their ends may not be reached: they are
  *outer* bounds.
* The dependency uplift adds to each score a non-negative combination of the scores of the work
  it unblocks (:mod:`scoring.uplift`), so bounds on the scores bound the totals; the ends may
  not be reached together, so the bounds are outer bounds here too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Relative slack added to interval bounds, so float rounding in the method itself (sums taken
#: in another order) never puts a score outside its bounds.
_SLACK = 1e-12
#: VIKOR's tolerance when rescaling S and R (as :func:`scoring.methods.vikor`).
_VIKOR_TOL = 1e-12


def own_row_bounds(position: FloatArray,
                   score: Callable[[FloatArray], FloatArray]) -> tuple[FloatArray, FloatArray]:
    """Lowest and highest score of each process for a method scoring each process on its own
    values and never decreasing as one rises: ``score`` of the unknown (NaN) positions all at
    0, and all at 1."""
    return (score(np.where(np.isnan(position), 0.0, position)),
            score(np.where(np.isnan(position), 1.0, position)))


def _cells(position: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Each cell's lowest and highest possible normalised value: unknown ones span 0-1."""
    unknown = np.isnan(position)
    return np.where(unknown, 0.0, position), np.where(unknown, 1.0, position)


def _widened(low: FloatArray, high: FloatArray) -> tuple[FloatArray, FloatArray]:
    return (low - _SLACK * np.maximum(np.abs(low), 1e-3),
            high + _SLACK * np.maximum(np.abs(high), 1e-3))


def topsis_data_bounds(position: FloatArray,
                       weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Bounds of :func:`scoring.methods.topsis` (every criterion a benefit, vector
    normalisation, ideal and anti-ideal of the processes) over every filling-in of the unknown
    positions. Each normalised value ``r_ij = x_ij / sqrt(x_ij^2 + others_j)`` rises with
    ``x_ij`` and falls with the others' squares; the ideal (anti-ideal) lies between the
    largest (smallest) lowest and highest ``r``; the distances to them, and the closeness
    ``d- / (d+ + d-)`` (rising in ``d-``, falling in ``d+``; 0.5 when both are 0), follow."""
    low, high = _cells(position)
    squares_low, squares_high = low * low, high * high
    others_low = np.maximum(squares_low.sum(axis=0) - squares_low, 0.0)
    others_high = np.maximum(squares_high.sum(axis=0) - squares_high, 0.0)
    r_low = _ratio(low, np.sqrt(squares_low + others_high))
    r_high = _ratio(high, np.sqrt(squares_high + others_low))
    v_low, v_high = weights * r_low, weights * r_high
    ideal_low, ideal_high = v_low.max(axis=0), v_high.max(axis=0)
    anti_low, anti_high = v_low.min(axis=0), v_high.min(axis=0)
    plus_low = _norm(np.maximum(ideal_low - v_high, 0.0))
    plus_high = _norm(ideal_high - v_low)
    minus_low = _norm(np.maximum(v_low - anti_high, 0.0))
    minus_high = _norm(v_high - anti_low)
    return _widened(_closeness(minus_low, plus_high), _closeness(minus_high, plus_low))


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """``numerator / denominator`` capped at 1, 0 where the denominator is 0 (an all-zero
    column)."""
    with np.errstate(over="ignore"):
        result: FloatArray = np.divide(numerator, denominator, out=np.zeros_like(numerator),
                                       where=denominator > 0)
    return np.minimum(result, 1.0)


def _norm(gaps: FloatArray) -> FloatArray:
    result: FloatArray = np.sqrt(np.sum(gaps * gaps, axis=1))
    return result


def _closeness(minus: FloatArray, plus: FloatArray) -> FloatArray:
    total = minus + plus
    result: FloatArray = np.divide(minus, total, out=np.full_like(total, 0.5), where=total > 0)
    return result


def vikor_data_bounds(position: FloatArray, weights: FloatArray,
                      v: float) -> tuple[FloatArray, FloatArray]:
    """Bounds of ``1 - Q`` of :func:`scoring.methods.vikor` (every criterion a benefit; best
    and worst values, ``S*``, ``S-``, ``R*`` and ``R-`` those of the processes) over every
    filling-in of the unknown positions: each regret ``(f* - x) / (f* - f-)`` is bounded by
    its numerator's and span's bounds (it is 0 to 1), then ``S``, ``R`` and their rescaled
    values (0 when the spread may vanish)."""
    low, high = _cells(position)
    best_low, best_high = low.max(axis=0), high.max(axis=0)
    worst_low, worst_high = low.min(axis=0), high.min(axis=0)
    gap_low, gap_high = np.maximum(best_low - high, 0.0), best_high - low
    span_low, span_high = np.maximum(best_low - worst_high, 0.0), best_high - worst_low
    term_low = np.divide(gap_low, span_high, out=np.zeros_like(gap_low), where=span_high > 0)
    with np.errstate(over="ignore"):  # a span of a few denormals: the quotient is capped
        ratio = np.divide(gap_high, span_low, out=np.ones_like(gap_high), where=span_low > 0)
    term_high = np.where(gap_high > 0, np.minimum(ratio, 1.0), 0.0)
    w = weights / weights.sum()
    utility = _rescaled(*_widened((w * term_low).sum(axis=1), (w * term_high).sum(axis=1)))
    regret = _rescaled(*_widened((w * term_low).max(axis=1), (w * term_high).max(axis=1)))
    q_low = v * utility[0] + (1.0 - v) * regret[0]
    q_high = v * utility[1] + (1.0 - v) * regret[1]
    return _widened(1.0 - q_high, 1.0 - q_low)


def _rescaled(low: FloatArray, high: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Bounds of ``(x - min x) / (max x - min x)`` (0 when the spread is within VIKOR's
    tolerance) for every ``x`` between ``low`` and ``high``."""
    best_low, best_high = low.min(), high.min()
    top_low, top_high = low.max(), high.max()
    above_low, above_high = np.maximum(low - best_high, 0.0), high - best_low
    spread_low, spread_high = max(top_low - best_high, 0.0), top_high - best_low
    may_vanish = spread_low <= _VIKOR_TOL * max(1.0, abs(top_high))
    lowest = np.zeros_like(low) if may_vanish or spread_high <= 0 else above_low / spread_high
    if spread_low > 0:
        with np.errstate(over="ignore"):
            highest = np.minimum(above_high / spread_low, 1.0)
    else:
        highest = np.where(above_high > 0, 1.0, 0.0)
    return lowest, highest


def ranks_within(low: FloatArray, high: FloatArray,
                 rounded: Callable[[FloatArray], FloatArray]) -> tuple[IntArray, IntArray]:
    """Best and worst competition rank of each process when every score may lie anywhere
    between its ``low`` and ``high`` (compared after ``rounded``, as the ranks are): best
    ``1 + #{j: low_j > high_i}``, worst ``1 + #{j != i: high_j > low_i}``."""
    top, bottom = rounded(np.maximum(high, low)), rounded(np.minimum(high, low))
    n = top.size
    best = 1 + n - np.searchsorted(np.sort(bottom), top, side="right")
    worst = 1 + n - np.searchsorted(np.sort(top), bottom, side="right") - (top > bottom)
    return best.astype(np.int64), worst.astype(np.int64)


def rank_interval(best: int, worst: int, exact: bool) -> str:
    """How a rank interval reads: ``5`` when certain, ``5-12`` when both ends can be
    reached, ``within 5-12`` for outer bounds (every filling-in lands inside, the ends may not
    be reached)."""
    if best == worst:
        return str(best)
    return f"{best}-{worst}" if exact else f"within {best}-{worst}"


def interval_texts(table: pd.DataFrame) -> list[str]:
    """:func:`rank_interval` of every row of a ranking's table."""
    return [rank_interval(int(b), int(w), bool(e)) for b, w, e in zip(
        table["best_rank"], table["worst_rank"], table["bounds_exact"], strict=True)]
