"""The method a Monte Carlo sample ranks by (:class:`Scoring`), its checks against the matrix,
and the deterministic float64 scores by it (:mod:`scoring.methods`), from which the samples'
float32 scores (:mod:`scoring.sensitivity.batched`) depart."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from scoring import methods
from scoring.errors import ScoringError
from scoring.scenario import Ideal, Method
from scoring.sensitivity.problem import Problem, weighted_sum_scores
from scoring.uplift import uplift_operator

FloatArray = NDArray[np.float64]

#: Methods whose score needs every value of the matrix: a NaN (excluded) cell is refused.
_FULL_MATRIX = frozenset({Method.WPM, Method.TOPSIS, Method.VIKOR})


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




def checked_method(problem: Problem, scoring: Scoring, lower: FloatArray | None,
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


def method_scores(problem: Problem, scoring: Scoring, value: NDArray[np.bool_],
                   effort: NDArray[np.bool_]) -> FloatArray:
    """The deterministic float64 scores by ``scoring``'s method (:mod:`scoring.methods`)."""
    method, x, w = scoring.method, problem.values, problem.weights
    if method is Method.WSM:
        return weighted_sum_scores(x, problem.present, w)
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
    level = weighted_level(x @ (w * value), problem.present @ (w * value))
    ease = weighted_level(x @ (w * effort), problem.present @ (w * effort))
    return methods.wsjf(level, a + (1.0 - a) * (1.0 - ease))


def weighted_level(numerator: NDArray[Any], denominator: NDArray[Any]) -> NDArray[Any]:
    """A weighted mean, ``numerator / denominator``, or 0.5 where the denominator is 0 (no
    weight or no value): :func:`scoring.ranking`'s impact and effort levels."""
    result: NDArray[Any] = np.divide(numerator, denominator,
                                     out=np.full_like(numerator, 0.5), where=denominator > 0)
    return result
