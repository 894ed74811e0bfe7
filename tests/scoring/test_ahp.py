"""Tests of scoring.ahp: Saaty's published example, consistent matrices, planted errors, the
tie rule of the judgements to revisit, validation messages."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.ahp import RANDOM_INDEX, AhpResult, priorities


def _consistent(w: np.ndarray) -> np.ndarray:
    return w[:, np.newaxis] / w[np.newaxis, :]


def test_saaty_house_size() -> None:
    """Saaty, T. L. (1990) "How to make a decision: the analytic hierarchy process", European
    Journal of Operational Research 48:9-26, the "size of house" comparison matrix: weights
    0.754, 0.181, 0.065, lambda_max 3.136, CR 0.117 (also recomputed here with numpy: 0.75355,
    0.18114, 0.06531, 3.13561, CI 0.06781, CR = 0.06781 / 0.58 = 0.11691)."""
    result = priorities(np.array([[1, 6, 8], [1 / 6, 1, 4], [1 / 8, 1 / 4, 1]]))
    np.testing.assert_allclose(result.weights, [0.754, 0.181, 0.065], atol=0.001)
    assert result.weights.sum() == pytest.approx(1.0)
    assert result.lambda_max == pytest.approx(3.136, abs=0.001)
    assert result.ci == pytest.approx((result.lambda_max - 3) / 2)
    assert result.cr == pytest.approx(0.117, abs=0.001)
    assert not result.consistent


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.05, 20.0), min_size=1, max_size=10))
def test_consistent_matrix_gives_back_weights(raw: list[float]) -> None:
    w = np.array(raw) / sum(raw)
    result = priorities(_consistent(w))
    n = len(raw)
    np.testing.assert_allclose(result.weights, w, rtol=1e-8, atol=1e-12)
    assert result.lambda_max == pytest.approx(n, rel=1e-9)
    assert result.ci == pytest.approx(0.0, abs=1e-9)
    assert result.cr == pytest.approx(0.0, abs=1e-9)
    assert result.consistent
    assert result.worst_judgements == ()


@pytest.mark.parametrize("pair", [(0, 4), (1, 2), (0, 1), (2, 3)])
def test_planted_bad_judgement_found(pair: tuple[int, int]) -> None:
    """Consistent matrix from w = (5, 4, 3, 2, 1)/15 with one judgement inverted
    (a_ij := w_j / w_i, a_ji := w_i / w_j): that pair is the worst judgement."""
    w = np.arange(5, 0, -1.0) / 15
    a = _consistent(w)
    i, j = pair
    a[i, j], a[j, i] = a[j, i], a[i, j]
    result = priorities(a)
    assert result.worst_judgements == (pair,)
    assert result.cr is not None and result.cr > 0


def test_planted_judgement_reported_with_i_below_j() -> None:
    """Planting the error given as the lower-triangle cell still names it (i, j) with i < j."""
    w = np.array([0.4, 0.3, 0.2, 0.1])
    a = _consistent(w)
    a[3, 0], a[0, 3] = 9.0, 1 / 9.0
    assert priorities(a).worst_judgements == ((0, 3),)


def test_three_criteria_name_all_three_judgements_whatever_their_order() -> None:
    """Saaty's house example: with three criteria the three judgements are equally far from
    the weights (a third of |log(6 * 4 / 8)| each), so all three are named, in the order of
    the criteria, and any order of the criteria names the same three."""
    house = np.array([[1, 6, 8], [1 / 6, 1, 4], [1 / 8, 1 / 4, 1]])
    result = priorities(house)
    assert result.worst_judgements == ((0, 1), (0, 2), (1, 2))
    deviation = np.abs(np.log(house * result.weights / result.weights[:, np.newaxis]))
    np.testing.assert_allclose(deviation[np.triu_indices(3, 1)], np.log(3.0) / 3)
    for order in ([2, 0, 1], [1, 2, 0], [2, 1, 0]):
        assert priorities(house[np.ix_(order, order)]).worst_judgements == (
            (0, 1), (0, 2), (1, 2))


SAATY_SCALE = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 7).flatmap(lambda n: st.tuples(
    st.lists(st.sampled_from(SAATY_SCALE), min_size=n * (n - 1) // 2,
             max_size=n * (n - 1) // 2),
    st.lists(st.booleans(), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2),
    st.permutations(range(n)))))
def test_permuting_the_criteria_permutes_the_judgements_named(
        case: tuple[list[float], list[bool], list[int]]) -> None:
    """Judgements on Saaty's scale (ties are common there), criteria in any order: the same
    judgements are named, each by its pair of criteria, listed in the criteria's order."""
    values, inverted, order = case
    n = len(order)
    matrix = np.ones((n, n))
    for (i, j), value, flip in zip(zip(*np.triu_indices(n, 1), strict=True), values, inverted,
                                   strict=True):
        matrix[i, j] = 1 / value if flip else value
        matrix[j, i] = 1 / matrix[i, j]
    named = priorities(matrix).worst_judgements
    again = priorities(matrix[np.ix_(order, order)]).worst_judgements
    assert {frozenset((order[i], order[j])) for i, j in again} == {
        frozenset(pair) for pair in named}
    assert list(again) == sorted(again) and all(i < j for i, j in again)


def test_small_orders() -> None:
    one = priorities([[1.0]])
    assert one.weights.tolist() == [1.0]
    assert (one.lambda_max, one.ci, one.cr, one.worst_judgements) == (1.0, 0.0, 0.0, ())
    two = priorities([[1.0, 3.0], [1 / 3, 1.0]])
    np.testing.assert_allclose(two.weights, [0.75, 0.25])
    assert two.cr == 0.0 and two.consistent and two.worst_judgements == ()


def test_beyond_table_cr_is_none() -> None:
    """Documented choice: no random index beyond n = 10, so CR is None (unknown) and the result
    is not certified consistent, even for a perfectly consistent matrix; weights still come."""
    w = np.arange(1, 12, dtype=float)
    w /= w.sum()
    result = priorities(_consistent(w))
    np.testing.assert_allclose(result.weights, w, rtol=1e-8)
    assert result.cr is None
    assert not result.consistent
    assert max(RANDOM_INDEX) == 10 and RANDOM_INDEX[3] == 0.58 and RANDOM_INDEX[10] == 1.49


def test_result_frozen() -> None:
    result = priorities([[1.0]])
    assert isinstance(result, AhpResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.cr = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(("matrix", "message"), [
    ([[1.0, 2.0]], r"square and non-empty, got shape \(1, 2\)"),
    ([1.0, 2.0], r"square and non-empty, got shape \(2,\)"),
    (np.empty((0, 0)), r"square and non-empty"),
    ([[1.0, 2.0], [0.5, 1.0], [1.0, 1.0]], r"square"),
    ([[1.0, 0.0], [0.5, 1.0]], r"pairwise\[0, 1\] = 0\.0: entries must be finite and positive"),
    ([[1.0, 2.0], [-0.5, 1.0]], r"pairwise\[1, 0\] = -0\.5: entries must be finite and positive"),
    ([[1.0, float("nan")], [0.5, 1.0]], r"pairwise\[0, 1\] = nan"),
    ([[1.0, 2.0], [0.5, 2.0]], r"pairwise\[1, 1\] = 2\.0: the diagonal must be 1"),
    ([[1, 2, 3], [0.5, 1, 4], [1 / 3, 0.3, 1]],
     r"pairwise\[2, 1\] = 0\.3 is not the reciprocal of pairwise\[1, 2\] = 4\.0 "
     r"\(expected 0\.25\)"),
    ([[1, 2, 3], [0.4, 1, 4], [1 / 3, 0.3, 1]], r"pairwise\[1, 0\] = 0\.4"),
])
def test_invalid_matrices_refused(matrix: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        priorities(matrix)  # type: ignore[arg-type]


def test_reciprocal_tolerance() -> None:
    """Reciprocals within 1e-6 relative pass (e.g. 0.33333 for 1/3 is 1e-5 off: refused;
    0.3333333 is 1e-7 off: accepted)."""
    priorities([[1.0, 3.0], [0.3333333, 1.0]])
    with pytest.raises(ValueError, match="not the reciprocal"):
        priorities([[1.0, 3.0], [0.33333, 1.0]])
