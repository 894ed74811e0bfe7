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

The lab is split by idea: :mod:`~scoring.sensitivity.problem` (the checked input, the weighted
sum and its order, shared), :mod:`~scoring.sensitivity.monte_carlo` (with
:mod:`~scoring.sensitivity.method`, the method a sample ranks by, and
:mod:`~scoring.sensitivity.batched`, the samples' float32 scores),
:mod:`~scoring.sensitivity.flips` (exact single-weight changes) and
:mod:`~scoring.sensitivity.labels`. Everything public is importable from here.
"""

from scoring.sensitivity.flips import (
    END_TOLERANCE,
    FLIP_STEP,
    WeightChange,
    swap_threshold,
    weight_flips,
    weights_after,
)
from scoring.sensitivity.labels import (
    FRAGILE,
    FRAGILE_PROBABILITY,
    ROBUST,
    SENSITIVE,
    SETTLED_PROBABILITY,
    STEADY_RANK_SPREAD,
    robustness_labels,
)
from scoring.sensitivity.method import Scoring
from scoring.sensitivity.monte_carlo import CHUNK_CELLS, PERCENTILES, MonteCarloResult, monte_carlo

__all__ = [
    "CHUNK_CELLS",
    "END_TOLERANCE",
    "FLIP_STEP",
    "FRAGILE",
    "FRAGILE_PROBABILITY",
    "PERCENTILES",
    "ROBUST",
    "SENSITIVE",
    "SETTLED_PROBABILITY",
    "STEADY_RANK_SPREAD",
    "MonteCarloResult",
    "Scoring",
    "WeightChange",
    "monte_carlo",
    "robustness_labels",
    "swap_threshold",
    "weight_flips",
    "weights_after",
]
