"""Exact single-weight changes: :func:`weight_flips` (the smallest change of each weight that
changes the top N) and :func:`swap_threshold` (that swaps two processes), by the closed-form
crossings of the weighted-sum scores along one weight."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from scoring.errors import ScoringError
from scoring.sensitivity.problem import (
    Problem,
    best_first,
    checked_problem,
    positive_int,
    weighted_sum_scores,
)
from scoring.ties import TIE_TOLERANCE, rounded_for_ties

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: weight_flips reports who enters and leaves the top N this far beyond the threshold (in units
#: of normalised weight), or halfway to the end of the range when that is nearer.
FLIP_STEP = 1e-6
#: A crossing this close to the end of a weight's range (0 or 1) counts as at the end: not a
#: change within the range (rounding cannot tell the two apart).
END_TOLERANCE = 1e-9
_PAIR_BLOCK = 1 << 20  # process pairs per block in weight_flips


@dataclass(frozen=True)
class WeightChange:
    """A change of one criterion's normalised weight from ``weight`` to ``new_weight``, the
    other weights rescaled proportionally so that all still sum to 1 (see
    :func:`weight_flips`). ``change = new_weight - weight``; ``relative_change`` is
    ``change / weight`` (NaN for a weight of 0)."""

    criterion: Hashable
    weight: float
    change: float

    @property
    def new_weight(self) -> float:
        return self.weight + self.change

    @property
    def relative_change(self) -> float:
        return self.change / self.weight if self.weight > 0 else math.nan


def weights_after(weights: ArrayLike, criterion: int, new_weight: float) -> FloatArray:
    """The normalised weights after setting criterion ``criterion`` (a position) to
    ``new_weight`` and rescaling the others proportionally, so that they still sum to 1:
    ``w'_l = w_l (1 - new_weight) / (1 - w_criterion)``."""
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    old = float(w[criterion])
    if old >= 1.0:
        raise ScoringError("the criterion carries all the weight: the others have no "
                           "proportions to rescale")
    if not 0.0 <= new_weight <= 1.0:
        raise ScoringError(f"a normalised weight lies in [0, 1], got {new_weight!r}")
    result: FloatArray = w * ((1.0 - new_weight) / (1.0 - old))
    result[criterion] = new_weight
    return result


@dataclass(frozen=True)
class _Lines:
    """Score of every process along one criterion's weight, ``N(u) / D(u)`` with ``N`` and
    ``D`` linear in ``u = new_weight - weight`` (``D`` is 1 for rows with every value known)."""

    n0: FloatArray
    n1: FloatArray
    d0: FloatArray
    d1: FloatArray
    jumps: NDArray[np.bool_]  # score 0 at the current weight 0, x_ij once it moves


def _lines(problem: Problem, j: int) -> _Lines:
    w, x, p = problem.weights, problem.values, problem.present.astype(np.float64)
    wj = float(w[j])
    rest = 1.0 - wj
    others = w.copy()
    others[j] = 0.0
    s = x @ others  # sum over l != j of w_l x_il (x is 0 where unknown)
    t = p @ others  # sum over l != j of w_l, known cells only
    xj, pj = x[:, j], p[:, j]
    n0 = wj * xj + s
    n1 = _difference(xj, s / rest)
    d0 = wj * pj + t
    d1 = _difference(pj, t / rest)
    # Rows whose score is linear or constant in u get D = 1 exactly, so that D never vanishes
    # (a root of D at the end of the range would otherwise look like a crossing):
    complete = (problem.present | (w == 0)).all(axis=1)  # every weighted value known
    without_j = (pj == 0) & (t > 0)  # criterion j excluded: constant s / t
    only_j = (pj == 1) & (t == 0)  # nothing else weighted: x_ij for every weight > 0
    void = (pj == 0) & (t == 0)  # no weighted criterion at any weight: score 0
    with np.errstate(divide="ignore", invalid="ignore"):
        n0 = np.select([without_j, only_j, void], [s / t, xj, 0.0], n0)
    n1 = np.where(without_j | only_j | void, 0.0, n1)
    flat = complete | without_j | only_j | void
    return _Lines(n0, n1, np.where(flat, 1.0, d0), np.where(flat, 0.0, d1),
                  only_j & (wj == 0))


def _difference(x: FloatArray, y: FloatArray) -> FloatArray:
    """``x - y``, or exactly 0 where they are equal to 12 digits (so that a slope that is 0
    but for rounding does not make a crossing out of a tie)."""
    result: FloatArray = np.where(np.abs(x - y) <= TIE_TOLERANCE * (np.abs(x) + np.abs(y)),
                                  0.0, x - y)
    return result


def _first_crossing(c0: FloatArray, c1: FloatArray, c2: FloatArray,
                    direction: int) -> FloatArray:
    """Smallest ``t >= 0`` at which ``g(t) = c0 + direction c1 t + c2 t^2`` turns negative,
    ``inf`` when it never does: the root of the line, or the smaller positive root of the
    quadratic when its discriminant is positive (a double root only touches). A negative
    ``c0`` means the pair is already reversed as soon as the weight moves (0)."""
    b = direction * c1
    t = np.where(c0 < 0, 0.0, np.inf)
    zero = c0 == 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = np.where(zero & ((b < 0) | ((b == 0) & (c2 < 0))), 0.0, t)
        t = np.where(zero & (b > 0) & (c2 < 0), -b / c2, t)
        positive = c0 > 0
        t = np.where(positive & (c2 == 0) & (b < 0), c0 / -b, t)
        disc = b * b - 4.0 * c2 * c0
        # Equal to 12 digits: a double root, which only touches (it is also where rounding
        # would otherwise split a touch into two crossings a hair apart).
        disc = np.where(np.abs(disc) <= TIE_TOLERANCE * (b * b + np.abs(4.0 * c2 * c0)),
                        0.0, disc)
        quadratic = positive & (c2 != 0) & (disc > 0)
        root = np.sqrt(np.where(quadratic, disc, 0.0))
        q = -0.5 * (b + np.where(b >= 0, root, -root))
        r1, r2 = q / c2, c0 / q
        r1 = np.where(quadratic & (r1 > 0), r1, np.inf)
        r2 = np.where(quadratic & (r2 > 0), r2, np.inf)
        t = np.where(quadratic, np.minimum(r1, r2), t)
    result: FloatArray = t
    return result


def _pair_coefficients(lines: _Lines, a: IntArray, b: IntArray,
                       ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``N_a D_b - N_b D_a = c0 + c1 u + c2 u^2`` for every pair (``a`` as a column,
    ``b`` as a row); its sign is the sign of ``score_a - score_b``, since ``D > 0``. A
    coefficient within 12 digits of the terms it is the difference of counts as 0 (the
    functions are equal to rounding), as scores equal to 12 digits count as tied."""
    n0a, n1a, d0a, d1a = (v[a][:, None] for v in (lines.n0, lines.n1, lines.d0, lines.d1))
    n0b, n1b, d0b, d1b = (v[b][None, :] for v in (lines.n0, lines.n1, lines.d0, lines.d1))
    terms = (
        (n0a * d0b, -n0b * d0a),
        (n0a * d1b, n1a * d0b, -n0b * d1a, -n1b * d0a),
        (n1a * d1b, -n1b * d1a),
    )
    coefficients = []
    for group in terms:
        total = sum(group[1:], group[0])
        size = sum((np.abs(t) for t in group[1:]), np.abs(group[0]))
        coefficients.append(np.where(np.abs(total) <= TIE_TOLERANCE * size, 0.0, total))
    return coefficients[0], coefficients[1], coefficients[2]


def _pair_crossings(lines: _Lines, a: IntArray, b: IntArray, rounded: FloatArray,
                    direction: int) -> FloatArray:
    """Smallest move (``inf``: none) of the weight in ``direction`` after which ``b`` ranks
    ahead of ``a``, for every pair (``a`` ranking ahead now, as a column; ``b`` as a row).

    Scores equal now (to 12 digits) count as exactly equal, so the pair crosses only if ``b``
    then gains. A process whose only weighted value is on this criterion scores 0 while the
    weight is 0 and ``x_ij`` as soon as it moves (``lines.jumps``): its pairs start from that
    new score, and when it equals the other's for good (the same constant), the row order
    decides at once.
    """
    c0, c1, c2 = _pair_coefficients(lines, a, b)
    jump = lines.jumps[a][:, None] | lines.jumps[b][None, :]
    tied_now = ~jump & (rounded[a][:, None] == rounded[b][None, :])
    moved = rounded_for_ties(lines.n0 / lines.d0)  # scores as soon as the weight moves
    tied_after = jump & (moved[a][:, None] == moved[b][None, :])
    c0 = np.where(tied_now | tied_after, 0.0, c0)
    t = _first_crossing(c0, c1, c2, direction)
    earlier = b[None, :] < a[:, None]
    result: FloatArray = np.where(tied_after & (c1 == 0) & (c2 == 0) & earlier, 0.0, t)
    return result


def weight_flips(matrix: ArrayLike | pd.DataFrame, weights: ArrayLike | pd.Series, *,
                 top_n: int) -> pd.DataFrame:
    """For each criterion, the smallest change of its weight that changes the top-N set.

    **The change.** One criterion's *normalised* weight moves from ``w_j`` to ``v``, and the
    other weights are rescaled proportionally, ``w_l (1 - v) / (1 - w_j)``, so the weights
    still sum to 1 and keep their ratios (:func:`weights_after`). This is the one-weight
    perturbation of Triantaphyllou, E. and Sanchez, A. (1997) "A sensitivity analysis approach
    for some deterministic multi-criteria decision-making methods", Decision Sciences
    28(1):151-194: they change ``w_j`` by ``delta`` and leave the others alone, which, the
    weighted sum being unchanged by scaling every weight, ranks exactly as ``v = (w_j +
    delta) / (1 + delta)`` here; reporting ``v - w_j`` keeps the figure on the 0-1 scale a
    user reads the weights on. ``v`` ranges over ``[0, 1]``.

    **Exact thresholds.** Along ``v`` every score is linear (``score_i = a_i + b_i (v - w_j)``)
    when the process has every value, or a ratio of two linear functions when some criteria
    are excluded for it (its weights are re-normalised over its known criteria). The sign of
    ``score_a - score_b`` is then that of a polynomial of degree at most 2 in ``v``, whose
    roots are found in closed form (no scanning). The top-N set changes first where some
    process outside it overtakes one inside it, so the threshold is the smallest crossing
    over all (inside, outside) pairs, ``N x (n - N)`` of them per criterion and direction. A
    crossing beyond the end of the range (weight 0 or 1), at it, or within ``END_TOLERANCE``
    (1e-9) of it (where rounding cannot tell), does not count. As scores equal to 12 digits
    tie, slopes, polynomial coefficients and discriminants equal to 12 digits count as equal
    (so two curves that only touch, or run together, never count as crossing). A process
    whose only weighted value is on a criterion of weight 0 scores 0 (no weighted criterion
    left) and jumps to that value as soon as the weight moves: if that changes the top N, the
    threshold is 0.

    With linear scores, any change beyond the threshold (within the range) changes the set,
    and none short of it does; at the threshold itself the two processes tie, settled by
    input order. ``enters`` and ``leaves`` compare the set ``FLIP_STEP`` (1e-6) beyond the
    threshold with the current one, each listed in rank order (process labels: the
    DataFrame's index, else row positions).

    Returns one row per criterion (index ``criterion``, in input order): ``weight`` (now,
    normalised), ``down`` and ``up`` (the smallest decrease and increase of the normalised
    weight that change the top N, as positive numbers, NaN when none can), ``change`` (the
    smaller of the two, signed, the decrease on a tie; NaN when neither; a zero change, when
    a tie now is broken by any move, keeps its direction's sign: -0.0 or 0.0), ``new_weight``,
    ``relative_change`` (``change / weight``, NaN for a weight of 0), ``enters`` and
    ``leaves`` (lists; empty when ``change`` is NaN). With ``top_n >= n`` nothing can change.
    A criterion carrying all the weight cannot move (the others have no proportions).
    """
    problem = checked_problem(matrix, weights)
    top_n = positive_int(top_n, "top_n")
    k = problem.values.shape[1]
    score = weighted_sum_scores(problem.values, problem.present, problem.weights)
    order = best_first(score)
    rounded = rounded_for_ties(score)
    inside, outside = order[:top_n], order[top_n:]
    rows = []
    for j in range(k):
        wj = float(problem.weights[j])
        found = {-1: math.nan, 1: math.nan}
        if outside.size and wj < 1.0:
            lines = _lines(problem, j)
            for direction, room in ((-1, wj), (1, 1.0 - wj)):
                t = _smallest_flip(lines, inside, outside, rounded, direction)
                if t < room - END_TOLERANCE:
                    found[direction] = t
        down, up = found[-1], found[1]
        if math.isnan(down) and math.isnan(up):
            change = math.nan
        elif math.isnan(up) or (not math.isnan(down) and down <= up):
            change = -down  # -0.0 for an immediate decrease
        else:
            change = up
        enters: list[Hashable] = []
        leaves: list[Hashable] = []
        if not math.isnan(change):
            direction = int(math.copysign(1.0, change))
            room = 1.0 - wj if direction > 0 else wj
            beyond = abs(change) + min(FLIP_STEP, (room - abs(change)) / 2)
            new = weights_after(problem.weights, j, wj + direction * beyond)
            after = best_first(weighted_sum_scores(problem.values, problem.present, new))[:top_n]
            before_set, after_set = set(inside.tolist()), set(after.tolist())
            enters = [problem.processes[i] for i in after if i not in before_set]
            leaves = [problem.processes[i] for i in inside if i not in after_set]
        rows.append({"weight": wj, "down": down, "up": up, "change": change,
                     "new_weight": wj + change,
                     "relative_change": change / wj if wj > 0 else math.nan,
                     "enters": enters, "leaves": leaves})
    columns = ["weight", "down", "up", "change", "new_weight", "relative_change", "enters",
               "leaves"]
    frame = pd.DataFrame(rows, columns=columns,
                         index=pd.Index(problem.criteria, name="criterion"))
    return frame


def _smallest_flip(lines: _Lines, inside: IntArray, outside: IntArray, rounded: FloatArray,
                   direction: int) -> float:
    best = math.inf
    block = max(1, _PAIR_BLOCK // max(outside.size, 1))
    for start in range(0, inside.size, block):
        a = inside[start:start + block]
        best = min(best, float(_pair_crossings(lines, a, outside, rounded, direction).min()))
    return best


def swap_threshold(matrix: ArrayLike | pd.DataFrame, weights: ArrayLike | pd.Series,
                   i: Hashable, j: Hashable) -> WeightChange | None:
    """The smallest single-weight change after which the lower-ranked of processes ``i`` and
    ``j`` ranks above the other (a strictly higher score; an equal one only if it comes first
    in row order), or ``None`` if no change of one weight within ``[0, 1]`` can.

    Same perturbation and closed-form crossings as :func:`weight_flips` (Triantaphyllou and
    Sanchez 1997: for the weighted sum, the smallest change ``delta`` of one weight that
    reverses two alternatives follows from their score difference divided by the difference
    of their values on that criterion). ``i`` and ``j`` are index labels when ``matrix`` is a
    DataFrame, row positions otherwise. The result is the threshold, where the two tie: any
    change a little larger (in the same direction) swaps them; a zero change keeps its
    direction's sign (-0.0 or 0.0). Among criteria reaching the same smallest ``|change|``,
    the first criterion wins, and a decrease before an increase.
    """
    problem = checked_problem(matrix, weights)
    first, second = (_row(problem, label) for label in (i, j))
    if first == second:
        raise ScoringError("swap_threshold needs two different processes")
    score = weighted_sum_scores(problem.values, problem.present, problem.weights)
    rounded = rounded_for_ties(score)
    ahead, behind = (first, second) if (rounded[first], -first) > (rounded[second], -second) \
        else (second, first)
    pair_a, pair_b = np.array([ahead]), np.array([behind])
    best: WeightChange | None = None
    for c in range(problem.values.shape[1]):
        wj = float(problem.weights[c])
        if wj >= 1.0:
            continue
        lines = _lines(problem, c)
        for direction, room in ((-1, wj), (1, 1.0 - wj)):
            t = float(_pair_crossings(lines, pair_a, pair_b, rounded, direction)[0, 0])
            if t < room - END_TOLERANCE and (best is None or t < abs(best.change)):
                best = WeightChange(problem.criteria[c], wj, direction * t)
    return best


def _row(problem: Problem, label: Hashable) -> int:
    if not isinstance(label, bool) and label in problem.processes:
        position = problem.processes.get_loc(label)
        if isinstance(position, int):
            return position
        raise ScoringError(f"process {label!r} appears more than once in the matrix")
    raise ScoringError(f"process {label!r} is not in the matrix")
