"""The robustness lab (scoring.sensitivity): Monte Carlo against its documented protocol and
known distributions, weight flips and swap thresholds against brute force and hand-worked
examples, robustness labels, and malformed input.

The brute-force checks below re-implement the conventions independently (scores with
per-row re-normalisation over known values; ordinal ranks with ties by row; the one-weight
perturbation with the others rescaled proportionally), in exact arithmetic on integer data,
rather than calling the module's private helpers.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from scoring import decision, methods
from scoring.criteria import parse_criteria
from scoring.errors import ScoringError
from scoring.ranking import Ranking, RankingInputs, rank
from scoring.scenario import Ideal, Method, Scenario
from scoring.sensitivity import (
    FLIP_STEP,
    FRAGILE,
    ROBUST,
    SENSITIVE,
    Scoring,
    monte_carlo,
    robustness_labels,
    swap_threshold,
    weight_flips,
    weights_after,
)

PROPERTY = settings(max_examples=60, deadline=None)
GRID = 2000  # brute force: the weight under test at 1/2000, 2/2000, ..., 1999/2000

# --- an independent reference implementation of the conventions ----------------------------
#
# Scores are compared as fractions N_i / D_i (N: weighted sum of the known values, D: their
# weights), by the sign of N_a D_b - N_b D_a. On integer data (values on a 1/20 grid times 20,
# integer weights, grid weights scaled to integers) that comparison is exact, so ties are
# real ties, with no rounding convention involved. The same code runs on floats and on
# Python Fractions (object arrays).


def fractions_of(cells: np.ndarray, known: np.ndarray,
                 weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, D) for every weight vector (rows of ``weights``) and process."""
    values = np.where(known, cells, 0)
    numer = np.atleast_2d(weights) @ values.T
    denom = np.atleast_2d(weights) @ known.T.astype(values.dtype)
    void = denom == 0  # no weighted value: score 0
    return np.where(void, 0, numer), np.where(void, 1, denom)


def ordinal(numer: np.ndarray, denom: np.ndarray) -> np.ndarray:
    """Ordinal ranks (1 = best) along the last axis, ties by lower index."""
    cross = numer[..., :, None] * denom[..., None, :] - numer[..., None, :] * denom[..., :, None]
    n = numer.shape[-1]
    earlier = np.arange(n)[None, :] < np.arange(n)[:, None]  # [a, b]: b comes before a
    ahead = (cross < 0) | ((cross == 0) & earlier)  # [a, b]: b ranks ahead of a
    result: np.ndarray = 1 + ahead.sum(axis=-1)
    return result


def family(weights: np.ndarray, j: int, v: Any) -> np.ndarray:
    """Weights with criterion j at normalised weight v, the others rescaled proportionally,
    all times the positive constant sum(weights) - w_j (which changes no rank)."""
    others = sum(weights.tolist()) - weights[j]
    result = np.array([w * (1 - v) for w in weights.tolist()], dtype=object)
    result[j] = v * others
    return result


def grid_family(weights: np.ndarray, j: int) -> tuple[np.ndarray, np.ndarray]:
    """The grid v = g / GRID, g = 1 .. GRID - 1, and its weight vectors (as in ``family``,
    times GRID: integers for integer weights)."""
    g = np.arange(1, GRID)
    result = weights[None, :] * (GRID - g)[:, None]
    result[:, j] = g * (weights.sum() - weights[j])
    return g / GRID, result


@st.composite
def instances(draw: st.DrawFn, missing: bool = False,
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(cells on 0..20, known mask, integer weights, top N): small, with ties and
    simultaneous crossings; some weights zero; optionally excluded cells."""
    n = draw(st.integers(2, 7))
    k = draw(st.integers(2, 4))
    cells = np.array(draw(st.lists(st.integers(0, 20), min_size=n * k, max_size=n * k)),
                     dtype=np.int64).reshape(n, k)
    known = np.ones((n, k), dtype=bool)
    if missing:
        known = ~np.array(draw(st.lists(st.booleans(), min_size=n * k, max_size=n * k)),
                          dtype=bool).reshape(n, k)
    weights = np.array(draw(st.lists(st.integers(0, 5), min_size=k, max_size=k)),
                       dtype=np.int64)
    if weights.sum() == 0:
        weights[0] = 1
    return cells, known, weights, draw(st.integers(1, n))


def as_matrix(cells: np.ndarray, known: np.ndarray) -> np.ndarray:
    return np.where(known, cells / 20, np.nan)


def ref_ranks(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Ordinal ranks of a float matrix (NaN excluded) under float weights."""
    known = ~np.isnan(matrix)
    return ordinal(*fractions_of(np.nan_to_num(matrix), known, np.asarray(weights, float)))[0]


# --- Monte Carlo ----------------------------------------------------------------------------


def test_no_noise_reproduces_the_deterministic_ranking_exactly() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.random((40, 5))
    matrix[5] = matrix[9]  # an exact tie: row order settles it
    weights = np.array([3.0, 2.0, 2.0, 1.0, 1.0])
    result = monte_carlo(matrix, weights, samples=300, top_n=7, concentration=math.inf,
                         low=matrix, high=matrix)
    ranks = ref_ranks(matrix, weights)
    assert result.deterministic_rank.tolist() == ranks.tolist()
    assert result.deterministic_rank[5] + 1 == result.deterministic_rank[9]
    in_top = ranks <= 7
    assert result.probability_top_n[in_top].tolist() == [1.0] * 7
    assert result.probability_top_n[~in_top].tolist() == [0.0] * 33
    for percentile in (result.rank_p5, result.rank_p50, result.rank_p95):
        assert percentile is not None
        assert percentile.tolist() == ranks.tolist()
    # The sampling path itself (value noise only on a criterion without weight, so samples
    # are drawn, scored and sorted, yet every score stays the deterministic one):
    widened = np.column_stack([matrix, np.full(40, 0.5)])
    low = np.column_stack([matrix, np.zeros(40)])
    high = np.column_stack([matrix, np.ones(40)])
    sampled = monte_carlo(widened, [*weights, 0.0], samples=300, top_n=7,
                          concentration=math.inf, low=low, high=high, chunk=64)
    pd.testing.assert_frame_equal(sampled.table, result.table)


@PROPERTY
@given(instances(missing=True), st.booleans())
def test_no_noise_property(instance: tuple[np.ndarray, np.ndarray, np.ndarray, int],
                           negate: bool) -> None:
    """Exact ties, excluded cells and (with ``negate``) negative scores and -0.0."""
    cells, known, weights, top_n = instance
    if negate:
        cells = -cells
    ranks = ordinal(*fractions_of(cells, known, weights))[0]
    result = monte_carlo(as_matrix(cells, known), weights, samples=20, top_n=top_n,
                         concentration=math.inf)
    assert result.deterministic_rank.tolist() == ranks.tolist()
    assert result.probability_top_n.tolist() == (ranks <= top_n).astype(float).tolist()
    assert result.rank_p5 is not None and result.rank_p95 is not None
    assert result.rank_p5.tolist() == ranks.tolist()
    assert result.rank_p95.tolist() == ranks.tolist()


def test_deterministic_score_is_the_weighted_sum() -> None:
    rng = np.random.default_rng(8)
    matrix, weights = rng.random((30, 4)), rng.random(4)
    result = monte_carlo(matrix, weights, samples=1, top_n=3)
    np.testing.assert_allclose(result.score, matrix @ (weights / weights.sum()),
                               rtol=1e-12)


def reference_monte_carlo(matrix: np.ndarray, weights: np.ndarray, samples: int, top_n: int,
                          seed: int, concentration: float | None,
                          ) -> tuple[np.ndarray, np.ndarray]:
    """The documented protocol, in float64 and plain loops: every weight sample drawn first
    by default_rng(seed).dirichlet; ordinal ranks with ties by the deterministic ranking;
    inverted-CDF percentiles."""
    w = weights / weights.sum()
    alpha = np.ones(len(w)) if concentration is None else concentration * w
    drawn = np.random.default_rng(seed).dirichlet(alpha, size=samples)
    position = ref_ranks(matrix, weights)
    ranks = np.zeros((samples, len(matrix)), dtype=int)
    for s in range(samples):
        scores = matrix @ drawn[s]
        order = sorted(range(len(matrix)), key=lambda i: (-scores[i], position[i]))
        ranks[s, order] = np.arange(1, len(matrix) + 1)
    probability = (ranks <= top_n).mean(axis=0)
    percentiles = np.percentile(ranks, [5, 50, 95], axis=0, method="inverted_cdf")
    return probability, percentiles


@pytest.mark.parametrize("concentration", [30.0, None])
def test_matches_the_documented_protocol(concentration: float | None) -> None:
    rng = np.random.default_rng(11)
    matrix, weights = rng.random((25, 4)), np.array([4.0, 3.0, 2.0, 1.0])
    result = monte_carlo(matrix, weights, samples=400, top_n=5, seed=5,
                         concentration=concentration, chunk=37)
    probability, percentiles = reference_monte_carlo(matrix, weights, 400, 5, 5,
                                                     concentration)
    assert result.probability_top_n.tolist() == probability.tolist()
    assert [result.rank_p5.tolist(), result.rank_p50.tolist(),  # type: ignore[union-attr]
            result.rank_p95.tolist()] == percentiles.astype(int).tolist()  # type: ignore[union-attr]


def test_dirichlet_concentration_sets_the_spread() -> None:
    """Two processes, (1, 0) and (0, 1), weights (0.7, 0.3): the second leads exactly when
    its weight w2 > 0.5, and w2 ~ Beta(0.3 c, 0.7 c) under Dirichlet(c w). Uniform weights:
    w2 ~ U(0, 1), probability 1/2. Checked within 4 standard errors."""
    matrix = np.array([[1.0, 0.0], [0.0, 1.0]])
    samples = 20_000
    for concentration, expected in ((10.0, stats.beta(3.0, 7.0).sf(0.5)),
                                    (100.0, stats.beta(30.0, 70.0).sf(0.5)),
                                    (None, 0.5)):
        result = monte_carlo(matrix, [0.7, 0.3], samples=samples, top_n=1, seed=1,
                             concentration=concentration)
        error = 4 * math.sqrt(expected * (1 - expected) / samples) + 1e-9
        assert result.probability_top_n[1] == pytest.approx(expected, abs=error)
        assert result.probability_top_n.sum() == pytest.approx(1.0, abs=1e-12)


def test_triangular_value_noise() -> None:
    """One criterion; process 0 drawn from triangular(0.2, mode 0.5, 0.6), process 1 fixed at
    t: process 0 leads with probability P(X > t), the triangular survival function."""
    samples = 20_000
    for threshold in (0.3, 0.45, 0.55):
        matrix = np.array([[0.5], [threshold]])
        result = monte_carlo(matrix, [1.0], samples=samples, top_n=1, seed=2,
                             concentration=math.inf, low=[[0.2], [threshold]],
                             high=[[0.6], [threshold]])
        expected = stats.triang(c=0.75, loc=0.2, scale=0.4).sf(threshold)
        error = 4 * math.sqrt(expected * (1 - expected) / samples)
        assert result.probability_top_n[0] == pytest.approx(expected, abs=error)


def test_one_sided_spread_and_percentiles() -> None:
    """Process 0 at 0.5 may fall to 0.2 (no upside: triangular with mode = high = 0.5);
    process 1 fixed at 0.4. Process 0 drops to rank 2 with probability
    F(0.4) = (0.4 - 0.2)^2 / ((0.5 - 0.2)(0.5 - 0.2)) = 4/9, so it leads with 5/9: its 50th
    rank percentile is 1 and its 95th is 2; process 1 is at rank 1 in 4/9 < 1/2 of the
    samples, so its median rank is 2."""
    result = monte_carlo([[0.5], [0.4]], [1.0], samples=5_000, top_n=1,
                         concentration=math.inf, low=[[0.2], [0.4]])
    assert result.probability_top_n[0] == pytest.approx(5 / 9, abs=0.03)
    assert result.rank_p5 is not None and result.rank_p50 is not None
    assert result.rank_p95 is not None
    assert (result.rank_p5.tolist(), result.rank_p50.tolist(), result.rank_p95.tolist()) \
        == ([1, 1], [1, 2], [2, 2])


def test_same_seed_same_result_whatever_the_chunk() -> None:
    rng = np.random.default_rng(4)
    matrix = rng.random((60, 4))
    matrix[rng.random(matrix.shape) < 0.1] = np.nan
    low, high = np.clip(matrix - 0.2, 0, 1), np.clip(matrix + 0.1, 0, 1)
    runs = [monte_carlo(matrix, [1, 2, 3, 4], samples=250, top_n=8, seed=9, low=low,
                        high=high, chunk=chunk).table for chunk in (None, 1, 17, 250)]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(runs[0], other)
    different = monte_carlo(matrix, [1, 2, 3, 4], samples=250, top_n=8, seed=10, low=low,
                            high=high).table
    assert not different["probability_top_n"].equals(runs[0]["probability_top_n"])


def test_top_n_only_gives_the_same_probabilities() -> None:
    rng = np.random.default_rng(6)
    matrix = rng.random((80, 5))
    full = monte_carlo(matrix, np.ones(5), samples=300, top_n=12, seed=3)
    fast = monte_carlo(matrix, np.ones(5), samples=300, top_n=12, seed=3, ranks=False)
    assert fast.probability_top_n.tolist() == full.probability_top_n.tolist()
    assert fast.rank_p50 is None
    assert "rank_p50" not in fast.table.columns and "rank_p50" in full.table.columns


@PROPERTY
@given(instances(missing=True), st.integers(0, 2**32), st.booleans())
def test_probabilities_sum_to_top_n(instance: tuple[np.ndarray, np.ndarray, np.ndarray, int],
                                    seed: int, uniform: bool) -> None:
    cells, known, weights, top_n = instance
    matrix = as_matrix(cells, known)
    low = np.clip(matrix - 0.15, 0, 1)
    result = monte_carlo(matrix, weights, samples=50, top_n=top_n, seed=seed, low=low,
                         concentration=None if uniform else 20.0)
    assert result.probability_top_n.sum() == pytest.approx(min(top_n, len(matrix)),
                                                           abs=1e-9)
    assert ((result.probability_top_n >= 0) & (result.probability_top_n <= 1)).all()
    p5, p50, p95 = result.rank_p5, result.rank_p50, result.rank_p95
    assert p5 is not None and p50 is not None and p95 is not None
    assert ((p5 >= 1) & (p5 <= p50) & (p50 <= p95) & (p95 <= len(matrix))).all()


def test_fewer_processes_than_top_n() -> None:
    result = monte_carlo([[0.1, 0.9], [0.5, 0.5], [0.9, 0.1]], [1, 1], samples=100, top_n=10)
    assert result.probability_top_n.tolist() == [1.0, 1.0, 1.0]
    assert set(result.table["robustness"]) <= {ROBUST, SENSITIVE}


def test_agrees_with_the_ranking_entry_point() -> None:
    """A ranking's normalised matrix (code order, one criterion excluded for one process)
    gives back its weighted-sum scores, and ordinal ranks that list ties by code."""
    criteria = parse_criteria("""
criteria:
  - {key: a, weight: 2, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: b, weight: 1, missing: exclude, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: effort, direction: cost, weight: 1,
     scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
""")
    values = {"P3": {"a": 5, "b": 3, "effort": 2}, "P1": {"a": 4, "effort": 1},
              "P2": {"a": 5, "b": 3, "effort": 2}, "P0": {"a": 1, "b": 1, "effort": 5}}
    processes = pd.DataFrame([{"code": c, "name": c} for c in values])
    assessments = pd.DataFrame([{"process_code": c, "criterion_key": k, "value": v,
                                 "rater": "r"} for c, row in values.items()
                                for k, v in row.items()])
    ranking = rank(RankingInputs(processes, assessments), criteria, Scenario())
    matrix = ranking.normalised.sort_index()
    assert matrix.isna().to_numpy().sum() == 1
    result = monte_carlo(matrix, ranking.weights, samples=10, top_n=2, concentration=math.inf)
    table = ranking.table.set_index("code")
    np.testing.assert_allclose(result.score, table.loc[matrix.index, "score"], rtol=1e-12)
    ordinal = result.table["deterministic_rank"].sort_values().index.tolist()
    assert ordinal == ranking.table["code"].tolist() == ["P1", "P2", "P3", "P0"]
    assert result.table.index.tolist() == ["P0", "P1", "P2", "P3"]


# --- progress -------------------------------------------------------------------------------


def test_progress_reports_increasing_fractions_ending_at_one() -> None:
    rng = np.random.default_rng(12)
    matrix = rng.random((50, 4))
    low, high = np.clip(matrix - 0.1, 0, 1), np.clip(matrix + 0.1, 0, 1)
    run = {"samples": 250, "top_n": 5, "seed": 2, "low": low, "high": high, "chunk": 40}
    seen: list[float] = []
    tracked = monte_carlo(matrix, [1, 2, 3, 4], progress=seen.append, **run)  # type: ignore[arg-type]
    assert seen == [0.16, 0.32, 0.48, 0.64, 0.8, 0.96, 1.0]  # after each chunk of 40
    plain = monte_carlo(matrix, [1, 2, 3, 4], **run)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(tracked.table, plain.table)
    # Nothing to sample (fixed weights, no value spread) or nothing to rank: done at once.
    for rows in (matrix, np.zeros((0, 4))):
        seen.clear()
        monte_carlo(rows, [1, 2, 3, 4], samples=100, concentration=math.inf,
                    progress=seen.append)
        assert seen == [1.0]


# --- every ranking method -------------------------------------------------------------------

METHOD_CRITERIA = parse_criteria("""
criteria:
  - {key: a, group: impact, weight: 3, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: b, group: impact, weight: 2, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: reach, group: dependency, weight: 2,
     scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: effort, group: effort, direction: cost, weight: 2,
     scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
""")


#: Every method as the ranking scores it: against the declared ideal, and TOPSIS and VIKOR
#: also against the processes ranked.
VARIANTS = [pytest.param(m, Ideal.DECLARED, id=m.value) for m in Method] + [
    pytest.param(m, Ideal.DATA, id=f"{m.value}-data") for m in (Method.TOPSIS, Method.VIKOR)]


def method_ranking(method: Method, ideal: Ideal = Ideal.DECLARED) -> Ranking:
    """Twelve processes rated on a fine grid, ranked by ``method``."""
    rng = np.random.default_rng(21)
    codes = [f"P{i:02d}" for i in range(12)]
    processes = pd.DataFrame({"code": codes, "name": codes})
    assessments = pd.DataFrame([
        {"process_code": code, "criterion_key": key, "rater": "r",
         "value": float(rng.integers(100, 501)) / 100} for code in codes
        for key in METHOD_CRITERIA.keys])
    return rank(RankingInputs(processes, assessments), METHOD_CRITERIA,
                Scenario(method=method, vikor_v=0.6, ideal=ideal))


def method_reference(method: Method, matrix: np.ndarray, weights: np.ndarray,
                     ideal: Ideal = Ideal.DECLARED) -> np.ndarray:
    """The method's scores as :mod:`scoring.ranking` computes them, in float64, from
    :mod:`scoring.methods` (columns: a, b, reach, effort)."""
    benefit = np.ones(4, dtype=bool)
    if ideal is Ideal.DECLARED and method is Method.TOPSIS:
        return methods.topsis_declared(matrix, weights, np.ones(4), np.zeros(4))
    if ideal is Ideal.DECLARED and method is Method.VIKOR:
        return 1 - methods.vikor_declared(matrix, weights, np.ones(4), np.zeros(4), 0.6)[2]
    if method is Method.WSM:
        return matrix @ (weights / weights.sum())
    if method is Method.WPM:
        return methods.weighted_product(0.1 + 0.9 * matrix, weights, benefit)
    if method is Method.TOPSIS:
        return methods.topsis(matrix, weights, benefit)
    if method is Method.VIKOR:
        return 1 - methods.vikor(matrix, weights, benefit, 0.6)[2]
    value = [0, 1, 2] if method is Method.WSJF else [0, 1]
    level = matrix[:, value] @ weights[value] / weights[value].sum()
    return methods.wsjf(level, 0.1 + 0.9 * (1 - matrix[:, 3]))


def test_the_methods_rank_the_instance_differently() -> None:
    """What the tests below rely on: each method's ranking is its own."""
    orders = {(method, ideal): tuple(method_ranking(method, ideal).table["code"])
              for method in Method for ideal in Ideal
              if ideal is Ideal.DECLARED or method in (Method.TOPSIS, Method.VIKOR)}
    assert len(set(orders.values())) == len(orders)


@pytest.mark.parametrize(("method", "ideal"), VARIANTS)
def test_each_method_scores_as_the_ranking_does(method: Method, ideal: Ideal) -> None:
    ranking = method_ranking(method, ideal)
    result = monte_carlo(ranking.normalised, ranking.weights, samples=1,
                         concentration=math.inf, scoring=decision.method_scoring(ranking))
    assert result.method is method
    base = ranking.table.set_index("code").loc[ranking.normalised.index, "base_score"]
    np.testing.assert_allclose(result.score, base, rtol=1e-12)
    np.testing.assert_allclose(result.score, method_reference(
        method, ranking.normalised.to_numpy(), ranking.weights.to_numpy(), ideal), rtol=1e-12)
    assert result.deterministic_rank.tolist() == list(range(1, 13))  # in rank order


@pytest.mark.parametrize(("method", "ideal"), VARIANTS)
def test_with_zero_spread_each_method_keeps_its_ranking(method: Method, ideal: Ideal) -> None:
    """No weight noise, and value noise on a criterion without weight only: every sample is
    drawn, scored by the method and sorted, and gives back its deterministic ranking, with
    probability 1 for its top N."""
    ranking = method_ranking(method, ideal)
    matrix = ranking.normalised.assign(spare=0.5)
    low, high = matrix.assign(spare=0.0), matrix.assign(spare=1.0)
    weights = ranking.weights.reindex(matrix.columns, fill_value=0.0)
    result = monte_carlo(matrix, weights, samples=60, top_n=4, concentration=math.inf,
                         low=low, high=high, chunk=25, scoring=decision.method_scoring(ranking))
    expected = list(range(1, 13))  # the ranking's order, best first
    assert result.deterministic_rank.tolist() == expected
    assert result.probability_top_n.tolist() == [1.0] * 4 + [0.0] * 8
    assert result.rank_p5 is not None and result.rank_p95 is not None
    assert result.rank_p5.tolist() == result.rank_p95.tolist() == expected
    robust = decision.robustness(ranking, samples=60, top_n=4, concentration=math.inf,
                                 value_noise=False)
    assert robust.table.index.tolist() == ranking.table["code"].tolist()
    assert robust.table["rank"].tolist() == expected  # ordinal: a tie in code order
    assert robust.table["probability_top_n"].tolist() == [1.0] * 4 + [0.0] * 8


# P00 unblocks P01..P05 and P06 unblocks P07: with a strong uplift the blockers climb. P08 and
# P09 need each other (one piece of work, passing nothing to each other) and P11 unblocks them.
UPLIFT_EDGES = pd.DataFrame({"upstream_code": ["P00"] * 5 + ["P06", "P11", "P08", "P09", "P11"],
                             "downstream_code": ["P01", "P02", "P03", "P04", "P05", "P07",
                                                 "P10", "P09", "P08", "P08"]})


def uplift_ranking(method: Method, ideal: Ideal = Ideal.DECLARED) -> Ranking:
    """:func:`method_ranking`'s processes with dependencies and a dependency uplift of 0.6."""
    plain = method_ranking(method, ideal)
    codes = sorted(plain.normalised.index)
    rng = np.random.default_rng(21)
    assessments = pd.DataFrame([
        {"process_code": code, "criterion_key": key, "rater": "r",
         "value": float(rng.integers(100, 501)) / 100} for code in codes
        for key in METHOD_CRITERIA.keys])
    return rank(RankingInputs(pd.DataFrame({"code": codes, "name": codes}), assessments, None,
                              UPLIFT_EDGES),
                METHOD_CRITERIA, Scenario(method=method, vikor_v=0.6, uplift=0.6, ideal=ideal))


@pytest.mark.parametrize(("method", "ideal"), VARIANTS)
def test_robustness_ranks_as_the_scenario_does_with_its_uplift(method: Method,
                                                               ideal: Ideal) -> None:
    """With the uplift on, the samples rank as the scenario does: the deterministic scores are
    the ranking's own (uplift included), and samples drawn with nothing varying (weights fixed,
    noise on a criterion without weight only) all give the scenario's ranking."""
    ranking = uplift_ranking(method, ideal)
    assert ranking.table["code"].tolist() != method_ranking(method, ideal).table["code"].tolist()
    scoring = decision.method_scoring(ranking)
    matrix = ranking.normalised.assign(spare=0.5)
    weights = ranking.weights.reindex(matrix.columns, fill_value=0.0)
    result = monte_carlo(matrix, weights, samples=40, top_n=4, concentration=math.inf,
                         low=matrix.assign(spare=0.0), high=matrix.assign(spare=1.0), chunk=15,
                         scoring=scoring)
    np.testing.assert_allclose(result.score, ranking.table["score"], rtol=1e-12)
    assert result.deterministic_rank.tolist() == list(range(1, 13))
    assert result.probability_top_n.tolist() == [1.0] * 4 + [0.0] * 8
    robust = decision.robustness(ranking, samples=40, top_n=4, concentration=math.inf,
                                 value_noise=False)
    assert robust.table.index.tolist() == ranking.table["code"].tolist()
    assert robust.table["rank"].tolist() == list(range(1, 13))
    assert not any("uplift out" in note for note in robust.notes)


@st.composite
def scenario_inputs(draw: st.DrawFn) -> tuple[RankingInputs, Scenario]:
    """A few processes with some ratings missing, some dependencies, any method, missing-value
    policy and uplift factor."""
    n = draw(st.integers(2, 8))
    codes = [f"Q{i}" for i in range(n)]
    ratings = [{"process_code": code, "criterion_key": key, "rater": "r", "value": value}
               for code in codes for key in METHOD_CRITERIA.keys
               if (value := draw(st.none() | st.integers(1, 5))) is not None]
    ratings.append({"process_code": codes[0], "criterion_key": "a", "rater": "s", "value": 3})
    edges = draw(st.lists(st.tuples(st.sampled_from(codes), st.sampled_from(codes)),
                          max_size=2 * n))
    scenario = Scenario(method=draw(st.sampled_from(list(Method))),
                        ideal=draw(st.sampled_from(list(Ideal))),
                        missing=draw(st.sampled_from([None, "exclude", "midpoint", "worst"])),
                        uplift=draw(st.sampled_from([0.0, 0.2, 0.5, 0.9])),
                        include_unassessed=True)
    inputs = RankingInputs(pd.DataFrame({"code": codes, "name": codes}),
                           pd.DataFrame(ratings),
                           dependencies=pd.DataFrame(edges, columns=["upstream_code",
                                                                     "downstream_code"]))
    return inputs, scenario


@PROPERTY
@given(scenario_inputs(), st.integers(1, 8))
def test_with_nothing_varying_robustness_is_the_scenarios_ranking(
        case: tuple[RankingInputs, Scenario], top_n: int) -> None:
    """Whatever the method, missing-value policy, dependencies and uplift: with the weights
    fixed and no value noise, the robustness table is the scenario's ranking (ordinal, ties in
    its order) and the scenario's top N has probability 1, the rest 0."""
    inputs, scenario = case
    ranking = rank(inputs, METHOD_CRITERIA, scenario)
    robust = decision.robustness(ranking, samples=20, top_n=top_n, concentration=math.inf,
                                 value_noise=False)
    n = len(ranking.table)
    assert robust.table.index.tolist() == ranking.table["code"].tolist()
    assert robust.table["rank"].tolist() == list(range(1, n + 1))
    assert robust.table["probability_top_n"].tolist() == [1.0] * min(top_n, n) + [0.0] * max(
        n - top_n, 0)
    competition = ranking.table["rank"].to_numpy()
    assert (competition <= robust.table["rank"].to_numpy()).all()


@pytest.mark.parametrize(("method", "ideal"), VARIANTS)
def test_each_method_matches_the_documented_protocol(method: Method, ideal: Ideal) -> None:
    """Against the protocol in float64 and plain loops (the same Dirichlet draws, each sample
    scored by :mod:`scoring.methods`, ties by the deterministic ranking)."""
    ranking = method_ranking(method, ideal)
    matrix, weights = ranking.normalised.to_numpy(), ranking.weights.to_numpy()
    result = monte_carlo(ranking.normalised, ranking.weights, samples=300, top_n=4, seed=8,
                         concentration=20.0, scoring=decision.method_scoring(ranking))
    drawn = np.random.default_rng(8).dirichlet(20.0 * weights, size=300)
    ranks = np.zeros((300, 12), dtype=int)
    for s in range(300):
        scores = method_reference(method, matrix, drawn[s], ideal)
        order = sorted(range(12), key=lambda i: (-scores[i], i))
        ranks[s, order] = np.arange(1, 13)
    assert result.probability_top_n.tolist() == (ranks <= 4).mean(axis=0).tolist()
    percentiles = np.percentile(ranks, [5, 50, 95], axis=0, method="inverted_cdf")
    sampled = (result.rank_p5, result.rank_p50, result.rank_p95)
    assert [None if p is None else p.tolist() for p in sampled] \
        == [p.astype(int).tolist() for p in percentiles]
    assert result.probability_top_n[4:].sum() > 0  # the weights do move the top 4


@pytest.mark.parametrize(("method", "ideal"), VARIANTS)
def test_each_method_with_value_noise_depends_on_the_seed_only(method: Method,
                                                               ideal: Ideal) -> None:
    ranking = method_ranking(method, ideal)
    matrix = ranking.normalised
    run = {"samples": 120, "top_n": 4, "seed": 3, "low": (matrix - 0.1).clip(0, 1),
           "high": (matrix + 0.05).clip(0, 1), "scoring": decision.method_scoring(ranking)}
    tables = [monte_carlo(matrix, ranking.weights, chunk=chunk, **run).table  # type: ignore[arg-type]
              for chunk in (None, 1, 7)]
    for other in tables[1:]:
        pd.testing.assert_frame_equal(tables[0], other)
    assert tables[0]["probability_top_n"].sum() == pytest.approx(4.0)
    fixed = monte_carlo(matrix, ranking.weights, chunk=7, **run | {"low": None, "high": None})  # type: ignore[arg-type]
    assert not fixed.table["probability_top_n"].equals(tables[0]["probability_top_n"])


# --- weight flips and swaps -----------------------------------------------------------------


def test_weight_flips_by_hand() -> None:
    """Scores 0.6, 0.4, 0.4 under weights (0.6, 0.4). With criterion 0 at weight v (so
    criterion 1 at 1 - v): P0 = v, P1 = 1 - v, P2 = 0.4. P1 overtakes P0 below v = 0.5: a
    decrease of 0.1; raising v only widens P0's lead. Criterion 1 mirrors it."""
    matrix = pd.DataFrame([[1.0, 0.0], [0.0, 1.0], [0.4, 0.4]], index=["P0", "P1", "P2"],
                          columns=["value", "risk"])
    flips = weight_flips(matrix, pd.Series({"risk": 2.0, "value": 3.0}), top_n=1)
    assert flips.index.tolist() == ["value", "risk"]
    value, risk = flips.loc["value"], flips.loc["risk"]
    assert value["weight"] == pytest.approx(0.6)
    assert value["down"] == pytest.approx(0.1) and math.isnan(value["up"])
    assert value["change"] == pytest.approx(-0.1)
    assert value["new_weight"] == pytest.approx(0.5)
    assert value["relative_change"] == pytest.approx(-1 / 6)
    assert (value["enters"], value["leaves"]) == (["P1"], ["P0"])
    assert math.isnan(risk["down"]) and risk["up"] == pytest.approx(0.1)
    assert risk["change"] == pytest.approx(0.1) and risk["relative_change"] == pytest.approx(0.25)
    assert (risk["enters"], risk["leaves"]) == (["P1"], ["P0"])


def test_weight_flips_nothing_to_flip() -> None:
    matrix = np.array([[0.9, 0.8], [0.2, 0.1]])  # P0 dominates: no weighting puts P1 first
    flips = weight_flips(matrix, [1, 1], top_n=1)
    assert flips["change"].isna().all() and flips["enters"].tolist() == [[], []]
    everything = weight_flips(matrix, [1, 1], top_n=2)
    assert everything["change"].isna().all()
    alone = weight_flips(np.array([[0.1, 0.9], [0.9, 0.1]]), [1, 0], top_n=1)
    assert math.isnan(alone.loc[0, "change"])  # carries all the weight: nothing to rescale
    # Criterion 1 from 0 to v: P0 = 0.1 + 0.8 v, P1 = 0.9 - 0.8 v, which cross at v = 0.5.
    assert alone.loc[1, "change"] == pytest.approx(0.5)


def _check_flips(cells: np.ndarray, known: np.ndarray, weights: np.ndarray, top_n: int,
                 linear: bool, scale: float = 20.0) -> None:
    """weight_flips against a grid of 1999 weights per criterion, evaluated exactly on
    integer data (floats otherwise)."""
    exact = cells.dtype.kind == "i"
    flips = weight_flips(np.where(known, cells / scale, np.nan), weights / 1, top_n=top_n)
    w = weights / weights.sum()
    before = ordinal(*fractions_of(cells, known, weights))[0] <= top_n
    for j in range(len(w)):
        row = flips.loc[j]
        if w[j] == 1.0:
            assert math.isnan(row["change"])
            continue
        grid, grid_weights = grid_family(weights, j)
        flipped = ((ordinal(*fractions_of(cells, known, grid_weights)) <= top_n)
                   != before).any(axis=1)
        for direction, threshold in ((-1, row["down"]), (1, row["up"])):
            side = (grid - w[j]) * direction > 0
            distance = np.abs(grid - w[j])
            limit = math.inf if math.isnan(threshold) else threshold
            # No smaller change flips the top N ...
            assert not (flipped & side & (distance < limit - 1e-9)).any(), (j, direction)
            if linear and not math.isnan(threshold):
                # ... and with linear scores every larger one does.
                assert (flipped | ~side | (distance <= threshold + 1e-6)).all(), (j, direction)
        if math.isnan(row["change"]):
            assert row["enters"] == [] and row["leaves"] == []
            continue
        direction = math.copysign(1.0, row["change"])  # a zero change keeps its sign
        room = 1 - w[j] if direction > 0 else w[j]
        beyond = w[j] + direction * (abs(row["change"])
                                     + min(FLIP_STEP, (room - abs(row["change"])) / 2))
        at = Fraction(beyond) if exact else beyond
        after = ordinal(*fractions_of(cells, known, family(weights, j, at)))[0] <= top_n
        assert (after != before).any()
        assert set(row["enters"]) == set(np.flatnonzero(after & ~before).tolist())
        assert set(row["leaves"]) == set(np.flatnonzero(before & ~after).tolist())


def _case(cells: list[list[int]], weights: list[int], top_n: int,
          holes: tuple[tuple[int, int], ...] = (),
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """An instance written out (cells on 0..20; ``holes``: excluded cells)."""
    grid = np.array(cells, dtype=np.int64)
    known = np.ones(grid.shape, dtype=bool)
    for i, j in holes:
        known[i, j] = False
    return grid, known, np.array(weights, dtype=np.int64), top_n


# Cases hypothesis found while this module was written, kept as regressions.
ZERO = [0, 0, 0]
A_TIE_BROKEN_EITHER_WAY = _case([[2, 0, 7], ZERO, ZERO, ZERO, [0, 0, 10], [1, 0, 8]],
                                [1, 0, 1], 2)
A_CROSSING_AT_THE_END = _case([ZERO, [11, 0, 0], [11, 1, 0], ZERO, ZERO, ZERO, ZERO],
                              [0, 1, 0], 1)
A_DENOMINATOR_ROOT = _case([[0, 10, 0, 0], [0] * 4, [0] * 4, [9, 1, 0, 0], [0] * 4, [0] * 4],
                           [0, 1, 0, 0], 1, holes=((0, 0),))
A_SCORE_JUMPING_FROM_ZERO = _case([[0, 1], [0, 0], [0, 0], [1, 0]], [1, 0], 1,
                                  holes=((0, 0), (3, 1)))
TOUCHING_AT_THE_END = _case([[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1]], [0, 1, 0, 1], 1,
                            holes=((2, 1),))
EQUAL_BUT_FOR_ROUNDING = _case([[1, 1, 0], [0, 0, 1], [0, 0, 0]], [0, 1, 4], 1,
                               holes=((0, 2), (1, 0), (1, 1)))


@PROPERTY
@example(A_TIE_BROKEN_EITHER_WAY)
@example(A_CROSSING_AT_THE_END)
@given(instances())
def test_weight_flips_against_brute_force(
        instance: tuple[np.ndarray, np.ndarray, np.ndarray, int]) -> None:
    _check_flips(*instance, linear=True)


@PROPERTY
@example(A_DENOMINATOR_ROOT)
@example(A_SCORE_JUMPING_FROM_ZERO)
@example(EQUAL_BUT_FOR_ROUNDING)
@example(TOUCHING_AT_THE_END)
@given(instances(missing=True))
def test_weight_flips_with_excluded_cells_against_brute_force(
        instance: tuple[np.ndarray, np.ndarray, np.ndarray, int]) -> None:
    _check_flips(*instance, linear=False)


def test_weight_flips_random_instances_against_brute_force() -> None:
    rng = np.random.default_rng(21)
    for _ in range(15):
        n, k = int(rng.integers(4, 12)), int(rng.integers(2, 5))
        cells, weights = rng.random((n, k)), rng.random(k)
        known = np.ones((n, k), dtype=bool)
        _check_flips(cells, known, weights, int(rng.integers(1, n)), linear=True, scale=1.0)
        known = rng.random((n, k)) >= 0.2
        _check_flips(cells, known, weights, int(rng.integers(1, n)), linear=False, scale=1.0)


def test_swap_threshold_by_hand() -> None:
    """P0 = (1, 0, 0), P1 = (0, 1, 0.5), weights (.5, .25, .25): scores 0.5 and 0.375.
    Criterion 0 at v, the others (1 - v) / 2 each: v = 0.75 (1 - v), v = 3/7, change -1/14.
    (Triantaphyllou and Sanchez: delta = (0.375 - 0.5) / (0 - 1) = -0.125 on the raw weight,
    and (0.5 - 0.125) / (1 - 0.125) = 3/7.) Criterion 1 needs v = 1/3 (+1/12), criterion 2
    v = 0.4 (+0.15): criterion 0 wins."""
    matrix = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.5]])
    change = swap_threshold(matrix, [0.5, 0.25, 0.25], 0, 1)
    assert change is not None
    assert change.criterion == 0
    assert change.change == pytest.approx(-1 / 14)
    assert change.new_weight == pytest.approx(3 / 7)
    assert change.relative_change == pytest.approx(-1 / 7)
    assert swap_threshold(matrix, [0.5, 0.25, 0.25], 1, 0) == change
    dominated = swap_threshold(np.array([[0.9, 0.8], [0.2, 0.1]]), [1, 1], 0, 1)
    assert dominated is None


@PROPERTY
@given(instances(missing=True), st.data())
def test_swap_threshold_against_brute_force(
        instance: tuple[np.ndarray, np.ndarray, np.ndarray, int], data: st.DataObject) -> None:
    cells, known, weights, _ = instance
    n = len(cells)
    i = data.draw(st.integers(0, n - 1))
    j = data.draw(st.integers(0, n - 1).filter(lambda x: x != i))
    ranks = ordinal(*fractions_of(cells, known, weights))[0]
    ahead, behind = (i, j) if ranks[i] < ranks[j] else (j, i)
    result = swap_threshold(as_matrix(cells, known), weights, i, j)
    w = weights / weights.sum()
    smallest = math.inf
    for c in range(len(w)):
        if w[c] == 1.0:
            continue
        grid, grid_weights = grid_family(weights, c)
        grid_ranks = ordinal(*fractions_of(cells, known, grid_weights))
        above = grid_ranks[:, behind] < grid_ranks[:, ahead]
        if above.any():
            smallest = min(smallest, float(np.abs(grid[above] - w[c]).min()))
    if result is None:
        assert smallest == math.inf
        return
    # No smaller change swaps them ...
    assert smallest >= abs(result.change) - 1e-9
    # ... and a little more than the reported one does.
    c = int(result.criterion)  # type: ignore[call-overload]
    direction = math.copysign(1.0, result.change)  # a zero change keeps its direction's sign
    room = 1 - w[c] if direction > 0 else w[c]
    assert abs(result.change) < room
    beyond = w[c] + direction * (abs(result.change)
                                 + min(FLIP_STEP, (room - abs(result.change)) / 2))
    after = ordinal(*fractions_of(cells, known, family(weights, c, Fraction(beyond))))[0]
    assert after[behind] < after[ahead]


def test_swap_threshold_equal_for_good() -> None:
    """(0.05, 0.05) and (0.05, excluded) score 0.05 under any weights: no swap (a slope
    that is 0 but for rounding must not make a crossing of the tie)."""
    cells, known, weights, _ = _case([[1, 1], [1, 0]], [1, 2], 1, holes=((1, 1),))
    assert swap_threshold(as_matrix(cells, known), weights, 0, 1) is None


def test_swap_threshold_labels() -> None:
    matrix = pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=["A", "B"], columns=["x", "y"])
    change = swap_threshold(matrix, pd.Series({"x": 0.6, "y": 0.4}), "B", "A")
    assert change is not None and change.criterion == "x"
    assert change.change == pytest.approx(-0.1)
    with pytest.raises(ScoringError, match="not in the matrix"):
        swap_threshold(matrix, [1, 1], "A", "Z")
    with pytest.raises(ScoringError, match="two different"):
        swap_threshold(matrix, [1, 1], "A", "A")


def test_weights_after() -> None:
    np.testing.assert_allclose(weights_after([2, 1, 1], 0, 0.2), [0.2, 0.4, 0.4])
    with pytest.raises(ScoringError, match="all the weight"):
        weights_after([1, 0], 0, 0.5)


# --- labels ---------------------------------------------------------------------------------


def test_robustness_labels() -> None:
    p = [0.95, 0.9, 0.1, 0.0, 0.5, 0.25, 0.75, 0.8, 0.2, 1.0, 0.95]
    p5 = [1, 2, 20, 300, 8, 9, 5, 6, 12, 1, 1]
    p95 = [4, 6, 30, 520, 14, 15, 12, 11, 20, 12, 11]
    rank = [2, 3, 25, 400, 10, 11, 8, 9, 14, 3, 20]
    labels = robustness_labels(p, p5, p95, rank, top_n=10)
    assert labels == [
        ROBUST,  # in, interval 3 <= 0.5 * 10
        ROBUST,  # p = 0.9 counts as settled; interval 4 <= 5
        ROBUST,  # p = 0.1 counts as settled out; interval 10 <= 0.5 * 25
        SENSITIVE,  # settled out, but interval 220 > 0.5 * 400
        FRAGILE,
        FRAGILE,  # both ends of [0.25, 0.75] are fragile
        FRAGILE,
        SENSITIVE,  # likely in, not settled
        SENSITIVE,  # likely out, not settled
        SENSITIVE,  # settled in, interval 11 > 5
        ROBUST,  # interval 10 <= 0.5 * max(20, 10)
    ]


def test_robustness_labels_reject_bad_input() -> None:
    with pytest.raises(ScoringError, match="same length"):
        robustness_labels([0.5], [1, 2], [3, 4], [1, 2], 1)
    with pytest.raises(ScoringError, match=r"\[0, 1\]"):
        robustness_labels([1.5], [1], [1], [1], 1)
    with pytest.raises(ScoringError, match="rank_p5"):
        robustness_labels([0.5], [3], [2], [1], 1)
    with pytest.raises(ScoringError, match="top_n"):
        robustness_labels([0.5], [1], [2], [1], 0)


# --- malformed input ------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "message"), [
    (lambda: monte_carlo([[0.1, 0.2]], [1.0]), "one number per criterion"),
    (lambda: monte_carlo([0.1, 0.2], [1.0]), "2-D"),
    (lambda: monte_carlo([[0.1, 0.2]], [1.0, -1.0]), "non-negative"),
    (lambda: monte_carlo([[0.1, 0.2]], [0.0, 0.0]), "all zero"),
    (lambda: monte_carlo([[0.1, math.inf]], [1, 1]), "infinite"),
    (lambda: monte_carlo([[0.1, 0.2]], [1, 1], samples=0), "samples"),
    (lambda: monte_carlo([[0.1, 0.2]], [1, 1], top_n=0), "top_n"),
    (lambda: monte_carlo([[0.1, 0.2]], [1, 1], chunk=0), "chunk"),
    (lambda: monte_carlo([[0.1, 0.2]], [1, 1], seed=-1), "seed"),
    (lambda: monte_carlo([[0.1, 0.2]], [1, 1], concentration=0.0), "concentration"),
    (lambda: monte_carlo([[0.1, 0.2]], [1, 1], low=[[0.2, 0.2]]), r"low\[0, 0\]"),
    (lambda: monte_carlo([[0.1, 0.2]], [1, 1], high=[[0.1, 0.1]]), r"high\[0, 1\]"),
    (lambda: monte_carlo([[0.1, 0.2]], [1, 1], low=[[0.0]]), "shape"),
    (lambda: monte_carlo([[0.1, 0.2]], [1, 1], low=[[math.nan, 0.1]]), "finite"),
    (lambda: monte_carlo(pd.DataFrame({"a": [0.1]}), pd.Series({"b": 1.0})), "does not have"),
    (lambda: monte_carlo(pd.DataFrame({"a": [0.1], "b": [0.2]}), pd.Series({"a": 1.0})),
     "no entry"),
    (lambda: monte_carlo([[math.nan, 0.2]], [1, 1], scoring=Scoring(Method.TOPSIS)),
     r"matrix\[0, 0\] is NaN \(excluded\), but TOPSIS .* needs every value"),
    (lambda: monte_carlo([[1.5, 0.2]], [1, 1], scoring=Scoring(Method.WSJF, value=(0,))),
     r"matrix\[0, 0\] = 1.5 is outside 0-1"),
    (lambda: monte_carlo([[0.5, 0.2]], [1, 1], low=[[-0.5, 0.2]],
                         scoring=Scoring(Method.WPM)), r"low\[0, 0\] = -0.5 is outside 0-1"),
    (lambda: monte_carlo([[0.1, 0.2]], [1, 1], scoring=Scoring(Method.WSJF, value=(5,))),
     "value criteria name columns the matrix does not have: 5"),
    (lambda: Scoring("ahp"), "Unknown method 'ahp'"),  # type: ignore[arg-type]
    (lambda: Scoring(Method.VIKOR, vikor_v=2.0), "vikor_v"),
    (lambda: weight_flips([[0.1, 0.2]], [1, 1], top_n=0), "top_n"),
    (lambda: weight_flips([[0.1, 0.2]], [1], top_n=1), "one number per criterion"),
])
def test_malformed_input(call: object, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        call()  # type: ignore[operator]


def test_excluded_cells_need_no_bounds() -> None:
    """Bounds are ignored where the matrix has no value (NaN), whatever they hold."""
    result = monte_carlo([[math.nan, 0.5], [0.2, 0.4]], [1, 1], samples=10, top_n=1,
                         low=[[math.nan, 0.5], [0.2, 0.4]], high=[[9.0, 0.5], [0.2, 0.4]])
    assert result.probability_top_n.tolist() == [1.0, 0.0]


def test_no_processes() -> None:
    result = monte_carlo(np.zeros((0, 2)), [1, 1], samples=5)
    assert result.table.empty
