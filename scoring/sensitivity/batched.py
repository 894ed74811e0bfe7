"""Float32 scores of stacks of Monte Carlo samples: every method of :class:`Scoring` at once for
a chunk of weight samples (samples x processes), with the triangular value noise of those
samples and the dependency uplift.

Separate from :mod:`scoring.methods` on purpose: those functions score one matrix in float64,
validated, as the ranking shows it; here thousands of weight vectors (and noisy matrices) are
scored together in float32, with each method's sample-independent terms computed once per run
and the weighted sums as one ``samples x k`` by ``k x n`` product. The formulas are the same
(TOPSIS: Hwang and Yoon 1981, against the declared or the sample's ideal; VIKOR: Opricovic and
Tzeng 2004; see :mod:`scoring.methods` for the sources); the tests check the samples against
:mod:`scoring.methods` to float32 precision.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from scoring.scenario import Ideal, Method
from scoring.sensitivity.method import Scoring, weighted_level
from scoring.sensitivity.problem import Problem
from scoring.uplift import iteration_steps

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_NOISE_BLOCK = 1 << 16  # noisy cells drawn at a time (float32 temporaries in cache)
#: Sampled VIKOR: S or R spread over at most this (times max(1, |largest|)) across a sample's
#: processes counts as constant, so float32 rounding is not stretched over the 0-1 range.
_VIKOR_TOL32 = 1e-5


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


class Sampler:
    """Float32 scores of a chunk of weight samples (samples x processes, rows in deterministic
    order) by one method, with the value noise of those samples drawn from ``rng``."""

    def __init__(self, problem: Problem, order: IntArray, scoring: Scoring,
                 value: NDArray[np.bool_], effort: NDArray[np.bool_], noise: Noise | None,
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

    def nonnegative(self, problem: Problem, lower: FloatArray | None) -> bool:
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
        value = weighted_level(value, _product(on_value, self.present_t))
        ease = weighted_level(ease, _product(on_effort, self.present_t))
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


def reordered_operator(operator: sparse.csr_matrix, order: IntArray) -> sparse.csr_matrix:
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


@dataclass(frozen=True)
class Noise:
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
              upper: FloatArray) -> Noise | None:
        """Noise of the cells with ``low < high`` (all arrays in the same row order)."""
        noisy = present & (upper > lower)
        if not noisy.any():
            return None
        rows, columns = np.nonzero(noisy)  # row-major: sorted by row
        mode, a, b = values[rows, columns], lower[rows, columns], upper[rows, columns]
        row_ids, starts = np.unique(rows, return_index=True)
        f32 = np.float32
        return Noise(rows.astype(np.int64), columns.astype(np.int64),
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
