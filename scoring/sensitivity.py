"""The robustness lab: how far a ranking can be trusted.

Three questions, each a bare function on a normalised matrix and its weights:

* :func:`monte_carlo`: if the weights (and, optionally, the assessed values) are uncertain, how
  often is each process in the top N, and how far does its rank move? It samples the weighted
  sum, or any method of :mod:`scoring.ranking` (:class:`Scoring`).
* :func:`weight_flips` and :func:`swap_threshold`: which single-weight change, exactly, would
  change the top N, or swap two processes under the weighted sum?
* :func:`robustness_labels`: robust / sensitive / fragile, from the Monte Carlo figures.

Conventions shared by every function here:

* ``matrix`` is processes x criteria (``n x k``), on the common 0-1 higher-is-better footing of
  :attr:`scoring.ranking.Ranking.normalised`: a NumPy array or a DataFrame (whose index then
  labels the processes and whose columns label the criteria). NaN means the criterion is
  *excluded* for that process: its weight is left out and the process's remaining weights are
  re-normalised, exactly as :mod:`scoring.ranking` scores the weighted sum. A process with no
  weighted criterion left scores 0. Infinite values are refused.
* ``weights`` holds ``k`` finite, non-negative numbers, not all zero; they are divided by their
  sum. A Series is matched to a DataFrame's columns by label.
* The score is the weighted sum ``score_i = sum_j w_j x_ij / sum_j w_j [x_ij known]`` (in
  :func:`monte_carlo`, the method :class:`Scoring` names).
* Ranks are 1 = best and *ordinal*: every process gets its own rank. Equal scores (equal to 12
  significant digits, :mod:`scoring.ties`, as in :mod:`scoring.ranking`) are ordered by
  input row: pass the rows in code order (``ranking.normalised.sort_index()``) and ties fall the way
  :attr:`~scoring.ranking.Ranking.table` lists them. The top N is the set of ranks ``1..N``, so
  a tie at the boundary is settled by the same rule. (The ranking table itself uses
  competition ranks, 1, 2, 2, 4; ordinal ranks differ from them only inside a tie.)

The dependency uplift of :mod:`scoring.ranking` (:mod:`scoring.uplift`) is part of a Monte
Carlo sample's score when its :class:`Scoring` names the factor and the edges: each sample's
method score gets the uplift it implies, as the ranking's does. The weight flips and swap
thresholds are of the weighted sum alone.

Malformed input raises :class:`~scoring.errors.ScoringError` with a message saying what is wrong.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from scoring import methods
from scoring.errors import ScoringError
from scoring.scenario import Ideal, Method
from scoring.ties import TIE_TOLERANCE, rounded_for_ties
from scoring.uplift import apply_uplift, iteration_steps, uplift_operator

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Score cells (samples x processes, or samples x noisy cells) per Monte Carlo chunk when
#: ``chunk`` is not given: about 2 million, i.e. roughly 100 MB of working memory.
CHUNK_CELLS = 1 << 21
#: Rank percentiles reported by :func:`monte_carlo`.
PERCENTILES = (5, 50, 95)

#: :func:`robustness_labels`: the top-N membership is settled when its probability is at least
#: this (in) or at most one minus it (out).
SETTLED_PROBABILITY = 0.9
#: ... and the rank is steady when the 90% rank interval (95th minus 5th percentile) is at most
#: this share of ``max(deterministic rank, N)``.
STEADY_RANK_SPREAD = 0.5
#: A top-N probability in this closed range is close to a coin toss: fragile.
FRAGILE_PROBABILITY = (0.25, 0.75)
ROBUST, SENSITIVE, FRAGILE = "robust", "sensitive", "fragile"

#: weight_flips reports who enters and leaves the top N this far beyond the threshold (in units
#: of normalised weight), or halfway to the end of the range when that is nearer.
FLIP_STEP = 1e-6
#: A crossing this close to the end of a weight's range (0 or 1) counts as at the end: not a
#: change within the range (rounding cannot tell the two apart).
END_TOLERANCE = 1e-9

_HIGH_WORD = 1 if sys.byteorder == "little" else 0  # of a uint64 seen as 2 uint32
_PAIR_BLOCK = 1 << 20  # process pairs per block in weight_flips
_NOISE_BLOCK = 1 << 16  # noisy cells drawn at a time (float32 temporaries in cache)


# --- shared input handling ------------------------------------------------------------------

@dataclass(frozen=True)
class _Problem:
    values: FloatArray  # n x k, NaN -> 0
    present: NDArray[np.bool_]  # n x k, False where the criterion is excluded
    weights: FloatArray  # k, sum 1
    processes: pd.Index
    criteria: pd.Index

    @property
    def complete(self) -> bool:
        return bool(self.present.all())


def _problem(matrix: Any, weights: Any) -> _Problem:
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
    return _Problem(np.where(present, x, 0.0), present, w / w.sum(), processes, criteria)


def _scores(values: FloatArray, present: NDArray[np.bool_], weights: FloatArray) -> FloatArray:
    """Weighted sum with each row's weights re-normalised over its known criteria (0 when the
    row has no weighted criterion left)."""
    numerator = values @ weights
    if present.all():
        return numerator
    denominator = present @ weights
    result: FloatArray = np.divide(numerator, denominator, out=np.zeros_like(numerator),
                                   where=denominator > 0)
    return result


def _order(scores: FloatArray) -> IntArray:
    """Row indices best first: higher score, then (ties to 12 digits) lower row."""
    rounded = rounded_for_ties(scores)
    result: IntArray = np.lexsort((np.arange(scores.size), -rounded)).astype(np.int64)
    return result


def _ordinal_ranks(scores: FloatArray) -> IntArray:
    ranks = np.empty(scores.size, dtype=np.int64)
    ranks[_order(scores)] = np.arange(1, scores.size + 1)
    return ranks


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ScoringError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


# --- Monte Carlo ----------------------------------------------------------------------------

#: Methods whose score needs every value of the matrix: a NaN (excluded) cell is refused.
_FULL_MATRIX = frozenset({Method.WPM, Method.TOPSIS, Method.VIKOR})
#: Sampled VIKOR: S or R spread over at most this (times max(1, |largest|)) across a sample's
#: processes counts as constant, so float32 rounding is not stretched over the 0-1 range.
_VIKOR_TOL32 = 1e-5


@dataclass(frozen=True)
class Scoring:
    """The method a Monte Carlo sample ranks by: each one as :mod:`scoring.ranking` scores the
    normalised matrix (its step 4), then the dependency uplift (its step 5) when ``uplift``
    is above 0.

    * ``wsm``: the weighted sum (module conventions: NaN cells excluded, weights re-normalised
      per process).
    * ``wpm``: :func:`scoring.methods.weighted_product` of ``floor + (1 - floor) x`` (values
      mapped onto ``[floor, 1]`` so that no factor is 0).
    * ``topsis``: against the declared ideal (1 on every criterion) and anti-ideal (0),
      :func:`scoring.methods.topsis_declared`; with ``ideal`` ``data``,
      :func:`scoring.methods.topsis`, every criterion a benefit (the values are already
      higher-is-better), column norms, ideal and anti-ideal those of the sample.
    * ``vikor``: ``1 - Q`` of :func:`scoring.methods.vikor_declared` (declared best 1 and
      worst 0) with ``vikor_v``; with ``ideal`` ``data``, of :func:`scoring.methods.vikor`,
      best and worst values those of the sample.
    * ``wsjf`` and ``value_effort``: :func:`scoring.methods.wsjf` of the value level over the
      job size ``floor + (1 - floor) (1 - ease)``. The value level is the weighted mean of the
      known values of the ``value`` criteria, and ``ease`` that of the ``effort`` criteria
      (normalised effort reads 1 = easiest); either is 0.5 when its criteria carry no weight or
      no value for the process. ``value`` and ``effort`` name matrix columns (labels of a
      DataFrame's columns, positions otherwise).

    * ``uplift`` (the factor ``f``, 0 <= f < 1) and ``dependencies`` (``(upstream,
      downstream)`` pairs naming matrix rows: a DataFrame's index labels, positions
      otherwise): every score ``s`` becomes ``s + uplift``, the share of the value of the
      work each process unblocks that :mod:`scoring.uplift` gives it (on the condensation:
      processes on one cycle pass nothing to each other, unless ``uplift_round_cycles``, as
      in decisions frozen before that rule; :func:`scoring.uplift.apply_uplift`; pairs naming
      rows outside the matrix are ignored).
      The weighted product's uplift is added to the product itself.

    WPM, TOPSIS and VIKOR need every value (NaN is refused); every method but the weighted sum
    needs the values, and their low/high bounds, within 0-1.
    """

    method: Method = Method.WSM
    vikor_v: float = 0.5
    ideal: Ideal = Ideal.DECLARED
    floor: float = 0.1
    value: tuple[Hashable, ...] = ()
    effort: tuple[Hashable, ...] = ()
    uplift: float = 0.0
    dependencies: tuple[tuple[Hashable, Hashable], ...] = ()
    uplift_round_cycles: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", Method.parse(self.method))
        object.__setattr__(self, "ideal", Ideal(self.ideal))
        if not 0.0 <= self.vikor_v <= 1.0:
            raise ScoringError(f"vikor_v must be in [0, 1], got {self.vikor_v!r}")
        if not 0.0 < self.floor < 1.0:
            raise ScoringError(f"floor must be in (0, 1), got {self.floor!r}")
        if not 0.0 <= self.uplift < 1.0:
            raise ScoringError(f"Dependency uplift must be in [0, 1), got {self.uplift!r}")
        object.__setattr__(self, "value", tuple(self.value))
        object.__setattr__(self, "effort", tuple(self.effort))
        object.__setattr__(self, "dependencies", tuple(map(tuple, self.dependencies)))

    def uplift_operator(self, processes: pd.Index) -> sparse.csr_matrix | None:
        """The uplift's matrix over ``processes`` in their order, then the pieces of work
        (:func:`scoring.uplift.uplift_operator`), ``None`` when nothing is passed up."""
        if self.uplift == 0.0 or not self.dependencies:
            return None
        edges = pd.DataFrame(list(self.dependencies), columns=["upstream_code",
                                                               "downstream_code"])
        return uplift_operator([str(p) for p in processes], edges, self.uplift,
                               round_cycles=self.uplift_round_cycles)


@dataclass(frozen=True)
class MonteCarloResult:
    """Per process, in input row order (``index`` labels them): the deterministic ``score``
    (by ``method``, plus the dependency uplift :class:`Scoring` names) and ordinal
    ``deterministic_rank``; ``probability_top_n``, the share of
    samples in which the process is among the first ``top_n``; and the 5th, 50th and 95th
    percentiles of its ordinal rank over the samples (``None`` when run with
    ``ranks=False``)."""

    index: pd.Index
    score: FloatArray
    deterministic_rank: IntArray
    probability_top_n: FloatArray
    rank_p5: IntArray | None
    rank_p50: IntArray | None
    rank_p95: IntArray | None
    samples: int
    top_n: int
    seed: int
    concentration: float | None
    method: Method = Method.WSM

    @property
    def table(self) -> pd.DataFrame:
        """One row per process (input order): ``score``, ``deterministic_rank``,
        ``probability_top_n`` and, when ranks were sampled, ``rank_p5``, ``rank_p50``,
        ``rank_p95`` and ``robustness`` (see :func:`robustness_labels`)."""
        frame = pd.DataFrame({"score": self.score,
                              "deterministic_rank": self.deterministic_rank,
                              "probability_top_n": self.probability_top_n}, index=self.index)
        if self.rank_p5 is not None and self.rank_p50 is not None \
                and self.rank_p95 is not None:
            frame["rank_p5"] = self.rank_p5
            frame["rank_p50"] = self.rank_p50
            frame["rank_p95"] = self.rank_p95
            frame["robustness"] = robustness_labels(
                self.probability_top_n, self.rank_p5, self.rank_p95, self.deterministic_rank,
                self.top_n)
        return frame


def monte_carlo(matrix: ArrayLike | pd.DataFrame, weights: ArrayLike | pd.Series, *,
                samples: int = 10_000, top_n: int = 10, seed: int = 0,
                concentration: float | None = 100.0, low: ArrayLike | None = None,
                high: ArrayLike | None = None, chunk: int | None = None,
                ranks: bool = True, scoring: Scoring | None = None,
                progress: Callable[[float], None] | None = None) -> MonteCarloResult:
    """Monte Carlo robustness of a ranking (module conventions apply): the weighted sum, or
    the method ``scoring`` names (:class:`Scoring`; every sample scores by it in full).

    **Weights.** Each sample draws a weight vector from a Dirichlet distribution centred on
    the given (normalised) weights ``w``: ``alpha_j = concentration * w_j``. Its mean is ``w``
    and ``var(w_j) = w_j (1 - w_j) / (concentration + 1)``: with the default 100, a weight of
    0.2 varies with a standard deviation of about 0.04. ``concentration=math.inf`` keeps the
    weights fixed (no weight noise); ``concentration=None`` draws them uniformly from the
    simplex, ``Dirichlet(1, ..., 1)``, i.e. "any weighting at all", as in SMAA. Criteria with
    zero weight stay at zero in every sample (the scenario left them out). Sources: Lahdelma,
    R., Hokkanen, J. and Salminen, P. (1998) "SMAA - Stochastic multiobjective acceptability
    analysis", European Journal of Operational Research 106(1):137-143 (uniform weights,
    rank acceptability); Kotz, S., Balakrishnan, N. and Johnson, N. L. (2000) "Continuous
    multivariate distributions, vol. 1", 2nd ed., Wiley, ch. 49 (Dirichlet moments).

    **Values.** With ``low`` and/or ``high`` (``n x k``, same rows, columns and 0-1 scale as
    ``matrix``; a missing one means "no spread on that side"), each sample draws every known
    cell from a triangular distribution with minimum ``low``, mode the matrix value and
    maximum ``high`` (a three-point estimate: worst, most likely, best), independently across
    cells and samples, by inversion of its distribution function. ``low == high`` means no
    noise for that cell; NaN (excluded) cells are ignored. Source: Vose, D. (2008) "Risk
    analysis: a quantitative guide", 3rd ed., Wiley (the triangular distribution for
    three-point estimates). The triangular mean is ``(low + value + high) / 3``, so an
    asymmetric interval shifts the average score: the value is read as the most likely one.
    The draws, and the sums they enter, are float32 (a relative 6e-8 of the noise term,
    immaterial next to the noise itself). Methods that compare processes (TOPSIS's norms,
    ideal and anti-ideal, VIKOR's best and worst) take them from the sample's own values.

    **Ranks.** Samples score in float32 (values, weights, sums: a relative error of about
    1e-7, far below any meaningful gap on a 0-1 scale) and sort the scores with ties (equal
    float32 scores) ordered by the deterministic ranking, whose own ties follow input order
    (the deterministic scores and ranks themselves are float64, computed by
    :mod:`scoring.methods`). Sampled VIKOR counts S or R as constant across a sample's
    processes when they spread by at most 1e-5 (float32 rounding; float64 VIKOR uses 1e-12).
    When nothing varies (``concentration=math.inf`` and no value spread) every sample would
    be the deterministic ranking, so nothing is drawn and the result says exactly that:
    probability 1 for the deterministic top N, 0 for the rest, every percentile the
    deterministic rank. Percentiles are of the ordinal rank: the ``q``-th is the smallest rank
    ``r`` with at least ``q%`` of the samples at rank ``r`` or better (the inverted
    distribution function, definition 1 of Hyndman, R. J. and Fan, Y. (1996) "Sample quantiles
    in statistical packages", The American Statistician 50(4):361-365), so it is always a rank
    some sample gave. With ``n <= top_n`` every probability is 1.

    **Reproducibility and memory.** ``numpy.random.default_rng(seed)`` draws every weight
    sample first, then the value noise chunk by chunk in sample order, so the result depends
    on ``seed`` only, never on ``chunk``. Samples are processed ``chunk`` at a time (by default
    about 2 million score cells, ``CHUNK_CELLS``): working memory is about
    ``30 x chunk x n`` bytes (about twice that for TOPSIS and VIKOR with value noise), plus
    ``16 x noisy_cells`` bytes per sample in blocks of about 65,000 cells. With
    ``ranks=True`` the ranks are kept for the percentiles: ``2 x n x samples`` bytes (4 when
    ``n > 65,535``), 200 MB for 10,000 x 10,000. ``ranks=False`` computes the top-N
    probabilities only (a partial sort per sample, several times faster, chunk memory only)
    and leaves the percentiles ``None``.

    **Progress.** ``progress``, when given, is called after each chunk with the fraction of
    the samples done, a float in (0, 1] that increases from call to call and ends at exactly
    1.0; when nothing needs sampling (nothing varies, or no process) it is called once with
    1.0. It does not change the result. Exceptions it raises propagate (a way to cancel).
    """
    problem = _problem(matrix, weights)
    samples = _positive_int(samples, "samples")
    top_n = _positive_int(top_n, "top_n")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ScoringError(f"seed must be a whole number >= 0, got {seed!r}")
    seed = int(seed)
    if chunk is not None:
        chunk = _positive_int(chunk, "chunk")
    if concentration is not None:
        concentration = float(concentration)
        if math.isnan(concentration) or concentration <= 0:
            raise ScoringError(f"concentration must be > 0 (math.inf: no weight noise) or "
                               f"None (uniform weights), got {concentration!r}")
    scoring = Scoring() if scoring is None else scoring
    n, k = problem.values.shape
    lower, upper = _bounds(problem, low, high)
    value_mask, effort_mask = _checked_method(problem, scoring, lower, upper)

    def done() -> None:
        if progress is not None:
            progress(1.0)

    empty = np.zeros(0, dtype=np.int64)
    if n == 0:
        done()
        return MonteCarloResult(problem.processes, np.zeros(0), empty, np.zeros(0),
                                empty if ranks else None, empty if ranks else None,
                                empty if ranks else None, samples, top_n, seed, concentration,
                                scoring.method)
    operator = scoring.uplift_operator(problem.processes)
    score = _method_scores(problem, scoring, value_mask, effort_mask)
    score = score + apply_uplift(operator, score, scoring.uplift)
    deterministic = _ordinal_ranks(score)

    # Work in deterministic order: row p is the process ranked p + 1 without noise.
    order = np.argsort(deterministic)
    positions = np.arange(n, dtype=np.uint64)

    rng = np.random.default_rng(seed)
    weight_samples = _weight_samples(rng, problem.weights, samples, concentration)
    noise = _Noise.build(problem.values[order], problem.present[order], lower[order],
                         upper[order]) if lower is not None and upper is not None else None
    noisy_cells = 0 if noise is None else noise.rows.size
    if weight_samples.shape[0] == 1 and noise is None:  # nothing varies
        done()
        fixed = deterministic.copy()
        return MonteCarloResult(problem.processes, score, deterministic,
                                (deterministic <= top_n).astype(np.float64),
                                fixed if ranks else None, fixed.copy() if ranks else None,
                                fixed.copy() if ranks else None, samples, top_n, seed,
                                concentration, scoring.method)
    sampler = _Sampler(problem, order, scoring, value_mask, effort_mask, noise,
                       None if operator is None else _reordered(operator, order))
    nonnegative = sampler.nonnegative(problem, lower)
    if chunk is None:
        chunk = max(1, min(samples, CHUNK_CELLS // max(n, noisy_cells, 1)))

    counts = np.zeros(n, dtype=np.int64)
    rank_type = np.uint16 if n <= 0xFFFF else np.uint32
    rank_store = np.empty((n, samples), dtype=rank_type) if ranks else None
    rank_values = np.tile(np.arange(1, n + 1, dtype=rank_type), min(chunk, samples)) \
        if ranks else None
    counted = min(top_n, n)
    for start in range(0, samples, chunk):
        stop = min(start + chunk, samples)
        w = weight_samples[start:stop] if weight_samples.shape[0] > 1 \
            else np.broadcast_to(weight_samples, (stop - start, k))
        scores = sampler.scores(rng, w.astype(np.float32))
        keys, words = _sort_keys(scores, positions, nonnegative)
        del scores
        if rank_store is not None:
            keys.sort(axis=1)
            best = words[:, :counted]
        elif counted < n:
            keys = np.partition(keys, counted - 1, axis=1)
            words = _low_words(keys)
            best = words[:, :counted]
        else:
            best = words
        counts += np.bincount(best.ravel(), minlength=n)
        if rank_store is not None and rank_values is not None:
            # Rank of the process at sorted column q of sample s is q + 1: scatter them.
            flat = words.astype(np.intp)
            flat += np.arange(0, flat.size, n, dtype=np.intp)[:, None]
            sample_ranks = np.empty(flat.size, dtype=rank_type)
            sample_ranks[flat.ravel()] = rank_values[:flat.size]
            rank_store[:, start:stop] = sample_ranks.reshape(flat.shape).T
            del flat, sample_ranks
        del keys, words
        if progress is not None:
            progress(stop / samples)

    probability = np.empty(n)
    probability[order] = counts / samples
    percentiles: list[IntArray | None] = [None, None, None]
    if rank_store is not None:
        rank_store.sort(axis=1, kind="stable")  # radix sort for 16-bit ranks
        for slot, q in enumerate(PERCENTILES):
            column = max(0, -(-q * samples // 100) - 1)
            result = np.empty(n, dtype=np.int64)
            result[order] = rank_store[:, column]
            percentiles[slot] = result
    return MonteCarloResult(problem.processes, score, deterministic, probability,
                            percentiles[0], percentiles[1], percentiles[2], samples, top_n,
                            seed, concentration, scoring.method)


def _checked_method(problem: _Problem, scoring: Scoring, lower: FloatArray | None,
                    upper: FloatArray | None) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """The value and effort columns of ``scoring`` as masks, once the matrix is checked to
    suit its method (see :class:`Scoring`)."""
    masks = []
    for name, labels in (("value", scoring.value), ("effort", scoring.effort)):
        unknown = [str(c) for c in labels if c not in problem.criteria]
        if unknown:
            raise ScoringError(f"The {name} criteria name columns the matrix does not have: "
                               f"{', '.join(unknown)}")
        masks.append(np.asarray(problem.criteria.isin(list(labels)), dtype=bool))
    method = scoring.method
    if method is Method.WSM:
        return masks[0], masks[1]
    if method in _FULL_MATRIX and not problem.complete:
        i, j = (int(v) for v in np.argwhere(~problem.present)[0])
        raise ScoringError(f"matrix[{i}, {j}] is NaN (excluded), but {method.label} needs "
                           "every value; impute it (scoring.ranking takes the scale midpoint "
                           "for this method)")
    for name, cells in (("matrix", np.where(problem.present, problem.values, 0.5)),
                        ("low", lower), ("high", upper)):
        if cells is None:
            continue
        bad = problem.present & ((cells < 0) | (cells > 1))
        if bad.any():
            i, j = (int(v) for v in np.argwhere(bad)[0])
            raise ScoringError(f"{name}[{i}, {j}] = {float(cells[i, j])!r} is outside 0-1: "
                               f"{method.label} samples normalised values")
    return masks[0], masks[1]


def _method_scores(problem: _Problem, scoring: Scoring, value: NDArray[np.bool_],
                   effort: NDArray[np.bool_]) -> FloatArray:
    """The deterministic float64 scores by ``scoring``'s method (:mod:`scoring.methods`)."""
    method, x, w = scoring.method, problem.values, problem.weights
    if method is Method.WSM:
        return _scores(x, problem.present, w)
    benefit = np.ones(x.shape[1], dtype=bool)
    a = scoring.floor
    if method is Method.WPM:
        return methods.weighted_product(a + (1.0 - a) * x, w, benefit)
    declared = scoring.ideal is Ideal.DECLARED
    best, worst = np.ones(x.shape[1]), np.zeros(x.shape[1])
    if method is Method.TOPSIS:
        return methods.topsis_declared(x, w, best, worst) if declared \
            else methods.topsis(x, w, benefit)
    if method is Method.VIKOR:
        q = methods.vikor_declared(x, w, best, worst, scoring.vikor_v)[2] if declared \
            else methods.vikor(x, w, benefit, scoring.vikor_v)[2]
        result: FloatArray = 1.0 - q
        return result
    level = _level(x @ (w * value), problem.present @ (w * value))
    ease = _level(x @ (w * effort), problem.present @ (w * effort))
    return methods.wsjf(level, a + (1.0 - a) * (1.0 - ease))


def _level(numerator: NDArray[Any], denominator: NDArray[Any]) -> NDArray[Any]:
    """A weighted mean, ``numerator / denominator``, or 0.5 where the denominator is 0 (no
    weight or no value): :func:`scoring.ranking`'s impact and effort levels."""
    result: NDArray[Any] = np.divide(numerator, denominator,
                                     out=np.full_like(numerator, 0.5), where=denominator > 0)
    return result


def _topsis_terms(x: NDArray[Any], axis: int,
                  ideal: Ideal) -> tuple[NDArray[Any], NDArray[Any]]:
    """``(r - max r)^2`` and ``(r - min r)^2`` of the vector-normalised values ``r``, with
    processes along ``axis``; a column of zeros stays 0 (TOPSIS, before the squared weight).
    Against the declared ideal: ``(x - 1)^2`` and ``x^2``."""
    if ideal is Ideal.DECLARED:
        return (x - 1) ** 2, x * x
    norm = np.sqrt(np.sum(x * x, axis=axis, keepdims=True))
    r = x / np.where(norm > 0, norm, 1.0)
    return ((r - r.max(axis=axis, keepdims=True)) ** 2,
            (r - r.min(axis=axis, keepdims=True)) ** 2)


def _vikor_terms(x: NDArray[Any], axis: int, ideal: Ideal) -> NDArray[Any]:
    """``(best - x) / (best - worst)`` with processes along ``axis``, 0 where every process
    has the same value (VIKOR's regret, before the weight); ``1 - x`` against the declared
    best (1) and worst (0)."""
    if ideal is Ideal.DECLARED:
        return 1 - x
    best, worst = x.max(axis=axis, keepdims=True), x.min(axis=axis, keepdims=True)
    span = best - worst
    result: NDArray[Any] = np.where(span != 0, (best - x) / np.where(span != 0, span, 1.0), 0.0)
    return result


def _rescale32(values: NDArray[np.float32]) -> NDArray[np.float32]:
    """Each sample's (row's) ``(values - min) / (max - min)``, 0 when it spreads by at most
    ``_VIKOR_TOL32`` (as :func:`scoring.methods.vikor` rescales S and R)."""
    low, high = values.min(axis=1, keepdims=True), values.max(axis=1, keepdims=True)
    span = high - low
    flat = span <= _VIKOR_TOL32 * np.maximum(1.0, np.abs(high))
    result: NDArray[np.float32] = np.where(flat, 0.0, (values - low) / np.where(flat, 1, span)
                                           ).astype(np.float32)
    return result


class _Sampler:
    """Float32 scores of a chunk of weight samples (samples x processes, rows in deterministic
    order) by one method, with the value noise of those samples drawn from ``rng``."""

    def __init__(self, problem: _Problem, order: IntArray, scoring: Scoring,
                 value: NDArray[np.bool_], effort: NDArray[np.bool_], noise: _Noise | None,
                 uplift: sparse.csr_matrix | None):
        f32 = np.float32
        self.scoring, self.noise = scoring, noise
        self.uplift = None if uplift is None else uplift.astype(f32)
        values, present = problem.values[order], problem.present[order]
        self.weighted = np.flatnonzero(problem.weights > 0)
        self.value, self.effort = value.astype(f32), effort.astype(f32)
        # Rows with an excluded value re-normalise their weights: only they need the divisor.
        self.partial = np.flatnonzero(~present.all(axis=1))
        self.present_t = np.ascontiguousarray(present.T, dtype=f32)
        method, a = scoring.method, scoring.floor
        table = np.log(a + (1.0 - a) * values) if method is Method.WPM else values
        self.table = np.ascontiguousarray(table.T, dtype=f32)
        if method is Method.WPM and noise is not None:
            # log(a + (1 - a)(x + d)) - log(a + (1 - a) x) = log1p(d * gain)
            self.gain = ((1.0 - a) / (a + (1.0 - a) * values[noise.rows, noise.columns])
                         ).astype(f32)
        if method in (Method.TOPSIS, Method.VIKOR):
            self.columns = values.astype(f32)
            if noise is not None:
                self.cells = [np.flatnonzero(noise.columns == j) for j in range(values.shape[1])]
            elif method is Method.TOPSIS:
                plus, minus = _topsis_terms(values, axis=0, ideal=scoring.ideal)
                self.plus_t = np.ascontiguousarray(plus.T, dtype=f32)
                self.minus_t = np.ascontiguousarray(minus.T, dtype=f32)
            else:
                self.regret_t = np.ascontiguousarray(
                    _vikor_terms(values, axis=0, ideal=scoring.ideal).T, dtype=f32)

    def nonnegative(self, problem: _Problem, lower: FloatArray | None) -> bool:
        """Whether every sampled score is >= 0 (a faster sort key); 1 - Q and log scores may
        not be."""
        method = self.scoring.method
        if method in (Method.WPM, Method.VIKOR):
            return False
        if method in (Method.TOPSIS, Method.WSJF, Method.VALUE_EFFORT):
            return True  # values within 0-1 (checked): closeness and ratios are >= 0
        return bool((problem.values >= 0).all()) and (
            lower is None or bool((lower[problem.present] >= 0).all()))

    def scores(self, rng: np.random.Generator, w: NDArray[np.float32]) -> NDArray[np.float32]:
        """The scores of the samples ``w``: the method's, plus the dependency uplift."""
        own = self._method_scores(rng, w)
        if self.uplift is None:
            return own
        if self.scoring.method is Method.WPM:
            own = np.exp(own)  # the uplift adds to the product, not to its logarithm
        return _uplifted32(own, self.uplift, self.scoring.uplift)

    def _method_scores(self, rng: np.random.Generator,
                       w: NDArray[np.float32]) -> NDArray[np.float32]:
        method = self.scoring.method
        if method in (Method.WSM, Method.WPM):
            return self._weighted_sum(rng, w)
        if method is Method.TOPSIS:
            return self._topsis(rng, w)
        if method is Method.VIKOR:
            return self._vikor(rng, w)
        return self._ratio(rng, w)

    def _weighted_sum(self, rng: np.random.Generator,
                      w: NDArray[np.float32]) -> NDArray[np.float32]:
        """The weighted sum of the values (WSM) or of their logarithms (WPM: its logarithm,
        which ranks alike)."""
        numerator = _product(w, self.table)
        if self.noise is not None:
            wpm = self.scoring.method is Method.WPM
            for start, stop, delta in self.noise.draws(rng, w.shape[0]):
                if wpm:
                    delta = np.log1p(delta * self.gain)
                self.noise.add(delta, w[start:stop], numerator[start:stop])
        if self.partial.size:
            denominator = _product(w, self.present_t[:, self.partial])
            numerator[:, self.partial] = np.divide(numerator[:, self.partial], denominator,
                                                   out=np.zeros_like(denominator),
                                                   where=denominator > 0)
        return numerator

    def _ratio(self, rng: np.random.Generator, w: NDArray[np.float32]) -> NDArray[np.float32]:
        """WSJF and value / effort: value level over job size."""
        on_value, on_effort = w * self.value, w * self.effort
        value, ease = _product(on_value, self.table), _product(on_effort, self.table)
        if self.noise is not None:
            for start, stop, delta in self.noise.draws(rng, w.shape[0]):
                self.noise.add(delta, on_value[start:stop], value[start:stop])
                self.noise.add(delta, on_effort[start:stop], ease[start:stop])
        value = _level(value, _product(on_value, self.present_t))
        ease = _level(ease, _product(on_effort, self.present_t))
        a = np.float32(self.scoring.floor)
        result: NDArray[np.float32] = value / (a + (np.float32(1) - a) * (np.float32(1) - ease))
        return result

    def _noisy_columns(self, rng: np.random.Generator, count: int,
                       ) -> Iterator[tuple[int, NDArray[np.float32]]]:
        """Each weighted criterion ``j`` with its values in every sample (``count x n``; one
        row when none of its cells is noisy)."""
        assert self.noise is not None
        delta = np.concatenate([d for _, _, d in self.noise.draws(rng, count)])
        for j in self.weighted.tolist():
            cells, column = self.cells[j], self.columns[:, j]
            if not cells.size:
                yield j, column[None, :]
                continue
            x = np.repeat(column[None, :], count, axis=0)
            x[:, self.noise.rows[cells]] += delta[:, cells]
            yield j, x

    def _topsis(self, rng: np.random.Generator, w: NDArray[np.float32]) -> NDArray[np.float32]:
        if self.noise is None:
            squared = w * w
            plus = _product(squared, self.plus_t)
            minus = _product(squared, self.minus_t)
        else:
            plus = np.zeros((w.shape[0], self.columns.shape[0]), dtype=np.float32)
            minus = np.zeros_like(plus)
            for j, x in self._noisy_columns(rng, w.shape[0]):
                to_ideal, to_anti = _topsis_terms(x, axis=1, ideal=self.scoring.ideal)
                squared = (w[:, j] * w[:, j])[:, None]
                plus += squared * to_ideal
                minus += squared * to_anti
        np.sqrt(plus, out=plus)
        np.sqrt(minus, out=minus)
        total = plus + minus
        result: NDArray[np.float32] = np.divide(minus, total, out=np.full_like(total, 0.5),
                                                where=total > 0)
        return result

    def _vikor(self, rng: np.random.Generator, w: NDArray[np.float32]) -> NDArray[np.float32]:
        regret = np.zeros((w.shape[0], self.columns.shape[0]), dtype=np.float32)  # R
        if self.noise is None:
            utility = _product(w, self.regret_t)  # S
            for j in self.weighted.tolist():
                np.maximum(regret, w[:, j, None] * self.regret_t[j][None, :], out=regret)
        else:
            utility = np.zeros_like(regret)
            for j, x in self._noisy_columns(rng, w.shape[0]):
                term = w[:, j, None] * _vikor_terms(x, axis=1, ideal=self.scoring.ideal)
                utility += term
                np.maximum(regret, term, out=regret)
        v = np.float32(self.scoring.vikor_v)
        if self.scoring.ideal is Ideal.DECLARED:  # S and R against the declared anti-ideal
            q = v * utility + (np.float32(1) - v) * regret / w.max(axis=1, keepdims=True)
        else:
            q = v * _rescale32(utility) + (np.float32(1) - v) * _rescale32(regret)
        result: NDArray[np.float32] = np.float32(1) - q
        return result


def _reordered(operator: sparse.csr_matrix, order: IntArray) -> sparse.csr_matrix:
    """:mod:`scoring.uplift`'s matrix with its processes in ``order``; the pieces of work
    after them keep their place."""
    whole = np.concatenate([order, np.arange(order.size, operator.shape[0])])
    reordered: sparse.csr_matrix = operator[whole][:, whole]
    return reordered


def _uplifted32(own: NDArray[np.float32], operator: sparse.csr_matrix,
                factor: float) -> NDArray[np.float32]:
    """Every sample's (row's) total value ``t`` under :mod:`scoring.uplift`'s matrix, by the
    same iteration as :func:`scoring.uplift.apply_uplift`, run until it stops changing or what
    is left is below float32's precision, 2^-24."""
    n = own.shape[1]
    start = np.zeros((operator.shape[0], own.shape[0]), dtype=np.float32)
    start[:n] = own.T  # processes (then pieces of work) x samples, for the sparse product
    total = start
    for _ in range(iteration_steps(operator, n, factor, 2.0 ** -24)):
        step = start + operator @ total
        if np.array_equal(step, total):
            break
        total = step
    result: NDArray[np.float32] = np.ascontiguousarray(
        np.maximum(total[:n], start[:n]).T, dtype=np.float32)
    return result


def _product(weights: NDArray[np.float32], columns: NDArray[np.float32],
             ) -> NDArray[np.float32]:
    """``weights @ columns`` (samples x k times k x n, float32) with numpy's own einsum
    loops rather than BLAS: with k around 10 the product is cheap either way, and a
    multithreaded BLAS leaves threads spinning that slowed every later step two to three
    times on a busy 2-core machine (measured while writing this module)."""
    result: NDArray[np.float32] = np.einsum("sk,kn->sn", weights, columns)
    return result


def _weight_samples(rng: np.random.Generator, weights: FloatArray, samples: int,
                    concentration: float | None) -> FloatArray:
    """``samples x k`` weight vectors (or one row when the weights do not vary)."""
    if concentration is not None and math.isinf(concentration):
        return weights[None, :].copy()
    positive = weights > 0
    alpha = np.ones(int(positive.sum())) if concentration is None \
        else concentration * weights[positive]
    drawn = np.zeros((samples, weights.size))
    drawn[:, positive] = rng.dirichlet(alpha, size=samples)
    return drawn


def _bounds(problem: _Problem, low: ArrayLike | None, high: ArrayLike | None,
            ) -> tuple[FloatArray | None, FloatArray | None]:
    if low is None and high is None:
        return None, None
    shape = problem.values.shape
    value = np.where(problem.present, problem.values, np.nan)
    checked = []
    for name, bound in (("low", low), ("high", high)):
        if bound is None:
            checked.append(value)
            continue
        try:
            b = np.asarray(bound, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ScoringError(f"{name} must be an array of numbers: {exc}") from None
        if b.shape != shape:
            raise ScoringError(f"{name} has shape {b.shape} but the matrix has shape {shape}")
        b = np.where(problem.present, b, np.nan)
        if not np.isfinite(b[problem.present]).all():
            i, j = (int(v) for v in np.argwhere(problem.present & ~np.isfinite(b))[0])
            raise ScoringError(f"{name}[{i}, {j}] must be a finite number where the matrix "
                               "has a value")
        checked.append(b)
    lower, upper = checked
    for name, bad in (("low", lower > value), ("high", upper < value)):
        if bad.any():
            i, j = (int(v) for v in np.argwhere(bad)[0])
            side = ">" if name == "low" else "<"
            raise ScoringError(
                f"{name}[{i}, {j}] = {float((lower if name == 'low' else upper)[i, j])!r} "
                f"{side} the value {float(value[i, j])!r}: need low <= value <= high")
    return lower, upper


@dataclass(frozen=True)
class _Noise:
    """Triangular noise on the cells whose interval is not empty, grouped by row."""

    rows: IntArray  # row of each noisy cell (sorted)
    columns: IntArray
    row_ids: IntArray  # distinct rows, and where each starts among the cells
    starts: IntArray
    split: NDArray[np.float32]  # F(mode) = (mode - low) / (high - low)
    below: NDArray[np.float32]  # (high - low)(mode - low)
    above: NDArray[np.float32]  # (high - low)(high - mode)
    down: NDArray[np.float32]  # mode - low
    up: NDArray[np.float32]  # high - mode

    @staticmethod
    def build(values: FloatArray, present: NDArray[np.bool_], lower: FloatArray,
              upper: FloatArray) -> _Noise | None:
        """Noise of the cells with ``low < high`` (all arrays in the same row order)."""
        noisy = present & (upper > lower)
        if not noisy.any():
            return None
        rows, columns = np.nonzero(noisy)  # row-major: sorted by row
        mode, a, b = values[rows, columns], lower[rows, columns], upper[rows, columns]
        row_ids, starts = np.unique(rows, return_index=True)
        f32 = np.float32
        return _Noise(rows.astype(np.int64), columns.astype(np.int64),
                      row_ids.astype(np.int64), starts.astype(np.int64),
                      ((mode - a) / (b - a)).astype(f32), ((b - a) * (mode - a)).astype(f32),
                      ((b - a) * (b - mode)).astype(f32), (mode - a).astype(f32),
                      (b - mode).astype(f32))

    def draws(self, rng: np.random.Generator, count: int,
              ) -> Iterator[tuple[int, int, NDArray[np.float32]]]:
        """The change of every noisy cell (``value - mode``) in ``count`` samples, as
        ``(start, stop, changes)`` blocks of a few samples each, so that the temporaries stay
        in cache; drawn in sample order, so the stream does not depend on the blocks."""
        cells = self.rows.size
        block = max(1, _NOISE_BLOCK // cells)
        for start in range(0, count, block):
            stop = min(start + block, count)
            u = rng.random((stop - start, cells), dtype=np.float32)
            with np.errstate(invalid="ignore"):
                delta = np.where(u < self.split, np.sqrt(u * self.below) - self.down,
                                 self.up - np.sqrt((1 - u) * self.above))
            yield start, stop, delta

    def add(self, changes: NDArray[np.float32], weights: NDArray[np.float32],
            target: NDArray[np.float32]) -> None:
        """Add each sample's weighted ``changes`` (samples x noisy cells) to its row of
        ``target`` (samples x processes)."""
        weighted = changes * weights[:, self.columns]
        target[:, self.row_ids] += np.add.reduceat(weighted, self.starts, axis=1)


def _sort_keys(scores: NDArray[np.float32], positions: NDArray[np.uint64], nonnegative: bool,
               ) -> tuple[NDArray[np.uint64], NDArray[np.uint32]]:
    """One unsigned 64-bit key per score such that sorting the keys ascending lists the
    scores best first, equal float32 scores by ``positions`` (held in the low 32 bits); and a
    view of the keys' low 32-bit words (so it follows the keys when they are sorted in place).

    The high word is the float32 bit pattern made descending: for non-negative floats the
    pattern read as an unsigned integer is increasing, so its complement is decreasing; for
    any sign, flipping the magnitude bits of negative patterns read as signed integers orders
    them, and inverting that and flipping the sign bit gives the descending unsigned order.
    """
    rounded = scores.astype(np.float32, copy=False)  # float32 scores are reused in place
    rounded += np.float32(0.0)  # -0.0 becomes +0.0, so the two zeros tie
    if nonnegative:
        unsigned = rounded.view(np.uint32)
        np.invert(unsigned, out=unsigned)
    else:
        bits = rounded.view(np.int32)
        bits ^= (bits >> 31) & np.int32(0x7FFFFFFF)
        np.invert(bits, out=bits)
        unsigned = bits.view(np.uint32)
        unsigned ^= np.uint32(0x80000000)
    keys: NDArray[np.uint64] = np.left_shift(unsigned, 32, dtype=np.uint64)
    keys |= positions
    return keys, _low_words(keys)


def _low_words(keys: NDArray[np.uint64]) -> NDArray[np.uint32]:
    result: NDArray[np.uint32] = keys.view(np.uint32).reshape(*keys.shape, 2)[
        ..., 1 - _HIGH_WORD]
    return result


# --- single-weight changes ------------------------------------------------------------------

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


def _lines(problem: _Problem, j: int) -> _Lines:
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
    problem = _problem(matrix, weights)
    top_n = _positive_int(top_n, "top_n")
    k = problem.values.shape[1]
    score = _scores(problem.values, problem.present, problem.weights)
    order = _order(score)
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
            after = _order(_scores(problem.values, problem.present, new))[:top_n]
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
    problem = _problem(matrix, weights)
    first, second = (_row(problem, label) for label in (i, j))
    if first == second:
        raise ScoringError("swap_threshold needs two different processes")
    score = _scores(problem.values, problem.present, problem.weights)
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


def _row(problem: _Problem, label: Hashable) -> int:
    if not isinstance(label, bool) and label in problem.processes:
        position = problem.processes.get_loc(label)
        if isinstance(position, int):
            return position
        raise ScoringError(f"process {label!r} appears more than once in the matrix")
    raise ScoringError(f"process {label!r} is not in the matrix")


# --- labels ---------------------------------------------------------------------------------

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
    top_n = _positive_int(top_n, "top_n")
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

