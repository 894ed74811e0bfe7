"""Monte Carlo robustness of a ranking: :func:`monte_carlo` and its :class:`MonteCarloResult`
(weight samples, value noise, the samples' ranks and their percentiles)."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from scoring.errors import ScoringError
from scoring.scenario import Method
from scoring.sensitivity.batched import Noise, Sampler, reordered_operator
from scoring.sensitivity.labels import robustness_labels
from scoring.sensitivity.method import Scoring, checked_method, method_scores
from scoring.sensitivity.problem import Problem, checked_problem, ordinal_ranks, positive_int
from scoring.uplift import apply_uplift

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Score cells (samples x processes, or samples x noisy cells) per Monte Carlo chunk when
#: ``chunk`` is not given: about 2 million, i.e. roughly 100 MB of working memory.
CHUNK_CELLS = 1 << 21
#: Rank percentiles reported by :func:`monte_carlo`.
PERCENTILES = (5, 50, 95)

_HIGH_WORD = 1 if sys.byteorder == "little" else 0  # of a uint64 seen as 2 uint32


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
    problem = checked_problem(matrix, weights)
    samples = positive_int(samples, "samples")
    top_n = positive_int(top_n, "top_n")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ScoringError(f"seed must be a whole number >= 0, got {seed!r}")
    seed = int(seed)
    if chunk is not None:
        chunk = positive_int(chunk, "chunk")
    if concentration is not None:
        concentration = float(concentration)
        if math.isnan(concentration) or concentration <= 0:
            raise ScoringError(f"concentration must be > 0 (math.inf: no weight noise) or "
                               f"None (uniform weights), got {concentration!r}")
    scoring = Scoring() if scoring is None else scoring
    n, k = problem.values.shape
    lower, upper = _bounds(problem, low, high)
    value_mask, effort_mask = checked_method(problem, scoring, lower, upper)

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
    score = method_scores(problem, scoring, value_mask, effort_mask)
    score = score + apply_uplift(operator, score, scoring.uplift)
    deterministic = ordinal_ranks(score)

    # Work in deterministic order: row p is the process ranked p + 1 without noise.
    order = np.argsort(deterministic)
    positions = np.arange(n, dtype=np.uint64)

    rng = np.random.default_rng(seed)
    weight_samples = _weight_samples(rng, problem.weights, samples, concentration)
    noise = Noise.build(problem.values[order], problem.present[order], lower[order],
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
    sampler = Sampler(problem, order, scoring, value_mask, effort_mask, noise,
                       None if operator is None else reordered_operator(operator, order))
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


def _bounds(problem: Problem, low: ArrayLike | None, high: ArrayLike | None,
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
