"""Tests of scoring.methods: published or hand-computed examples, properties, error cases."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.methods import (
    topsis,
    topsis_declared,
    vikor,
    vikor_compromise,
    vikor_declared,
    weighted_product,
)

# --- published / hand-computed examples -------------------------------------------------------

AIRCRAFT = [
    [2.0, 1500, 20000, 5.5, 5, 9],
    [2.5, 2700, 18000, 6.5, 3, 5],
    [1.8, 2000, 21000, 4.5, 7, 7],
    [2.2, 1800, 20000, 5.0, 5, 5],
]
AIRCRAFT_WEIGHTS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
AIRCRAFT_BENEFIT = [True, True, True, False, True, True]

TRIANTAPHYLLOU = [[25, 20, 15, 30], [10, 30, 20, 30], [30, 10, 30, 10]]
TRIANTAPHYLLOU_WEIGHTS = [0.20, 0.15, 0.40, 0.25]


def test_topsis_fighter_aircraft() -> None:
    """Hwang, C.-L. and Yoon, K. (1981) "Multiple attribute decision making: methods and
    applications", Springer: the fighter-aircraft selection example (criterion 4, maintainability
    cost, is a cost; the qualitative criteria already converted to the interval scale). The
    closeness values 0.643, 0.268, 0.613, 0.312 were also recomputed independently with numpy
    while writing this test (0.64328, 0.26838, 0.61354, 0.31229)."""
    c = topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_BENEFIT)
    np.testing.assert_allclose(c, [0.643, 0.268, 0.613, 0.312], atol=0.001)
    assert list(np.argsort(-c)) == [0, 2, 3, 1]


def test_weighted_product_triantaphyllou_ratios() -> None:
    """A 3 x 4 decision matrix in the style of Triantaphyllou, E. (2000) "Multi-criteria
    decision making methods: a comparative study", Kluwer, ch. 2, all criteria benefits;
    ratios P(AK/AL) = prod_j (a_Kj/a_Lj)^w_j, computed by hand (logarithms to 4 decimals):
    P(A1/A2) = 2.5^.20 * (2/3)^.15 * 0.75^.40 * 1^.25
             = exp(.2*.9163 - .15*.4055 - .4*.2877) = exp(.00735) = 1.0074
    P(A2/A3) = (1/3)^.20 * 3^.15 * (2/3)^.40 * 3^.25
             = exp(-.2*1.0986 + .15*1.0986 - .4*.4055 + .25*1.0986) = exp(.05757) = 1.0593
    P(A1/A3) = (5/6)^.20 * 2^.15 * 0.5^.40 * 3^.25
             = exp(-.2*.1823 + .15*.6931 - .4*.6931 + .25*1.0986) = exp(.06493) = 1.0671
    so A1 > A2 > A3."""
    p = weighted_product(TRIANTAPHYLLOU, TRIANTAPHYLLOU_WEIGHTS, [True] * 4)
    assert p[0] / p[1] == pytest.approx(1.0074, abs=1e-4)
    assert p[1] / p[2] == pytest.approx(1.0592, abs=1e-4)
    assert p[0] / p[2] == pytest.approx(1.0671, abs=1e-4)
    # Weighted geometric mean of the row, since the weights sum to 1.
    assert p[0] == pytest.approx(25**0.2 * 20**0.15 * 15**0.4 * 30**0.25, rel=1e-12)


def test_weighted_product_cost_criterion_inverts() -> None:
    """A cost criterion enters with exponent -w: score = 4^.5 * 9^-.5 = 2/3."""
    p = weighted_product([[4.0, 9.0]], [1.0, 1.0], [True, False])
    assert p[0] == pytest.approx(2.0 / 3.0, rel=1e-12)


VIKOR_MATRIX = [[10.0, 5.0], [6.0, 2.0], [8.0, 4.0]]


def test_vikor_hand_computed() -> None:
    """Opricovic & Tzeng (2004, EJOR 156:445-455, section 3) formulas applied by hand.
    Criterion 1 benefit, criterion 2 cost, weights .6, .4, v = .5.
    f* = (10, 2), f- = (6, 5). Normalised regrets (f*_j - f_ij)/(f*_j - f-_j):
      A0: (0/4, (2-5)/(2-5)) = (0, 1)   -> weighted (0, .4)
      A1: (4/4, 0/(-3))      = (1, 0)   -> weighted (.6, 0)
      A2: (2/4, (2-4)/(-3))  = (.5, 2/3) -> weighted (.3, .26667)
    S = (.4, .6, .56667), R = (.4, .6, .3); S* = .4, S- = .6, R* = .3, R- = .6.
    Q0 = .5*0 + .5*(.1/.3) = .16667; Q1 = .5*1 + .5*1 = 1; Q2 = .5*(.16667/.2) + 0 = .41667.
    Compromise: order A0, A2, A1; DQ = 1/(3-1) = .5; Q(A2) - Q(A0) = .25 < .5 so the acceptable
    advantage fails, and the set is every alternative with Q - Q(A0) < .5: A0 and A2 (A1 is
    .8333 away)."""
    s, r, q = vikor(VIKOR_MATRIX, [0.6, 0.4], [True, False])
    np.testing.assert_allclose(s, [0.4, 0.6, 0.3 + 0.4 * 2 / 3], rtol=1e-12)
    np.testing.assert_allclose(r, [0.4, 0.6, 0.3], rtol=1e-12)
    np.testing.assert_allclose(q, [1 / 6, 1.0, 5 / 12], rtol=1e-12)
    assert vikor_compromise(s, r, q) == [0, 2]


def test_vikor_single_compromise() -> None:
    """Hand computation: rows (10, 2), (6, 5), (8, 5), criterion 2 a cost, weights .6, .4.
    Weighted regrets A0 (0, 0), A1 (.6, .4), A2 (.3, .4): S = (0, 1, .7), R = (0, .6, .4),
    Q = (0, 1, .5*.7 + .5*.4/.6 = .68333). Advantage .68333 >= .5 and A0 is best by S and R:
    the compromise is A0 alone."""
    s, r, q = vikor([[10.0, 2.0], [6.0, 5.0], [8.0, 5.0]], [0.6, 0.4], [True, False])
    np.testing.assert_allclose(s, [0.0, 1.0, 0.7], atol=1e-12)
    np.testing.assert_allclose(r, [0.0, 0.6, 0.4], atol=1e-12)
    np.testing.assert_allclose(q, [0.0, 1.0, 0.35 + 0.2 / 0.6], atol=1e-12)
    assert vikor_compromise(s, r, q) == [0]


def test_vikor_compromise_stability_fails() -> None:
    """Synthetic S, R, Q exercising only the rule: advantage .6 >= DQ = .5 holds, but the best by
    Q (index 0) is neither best by S (index 1) nor by R (index 1): compromise {a', a''}."""
    assert vikor_compromise([0.3, 0.2, 0.9], [0.4, 0.3, 0.9], [0.0, 0.6, 1.0]) == [0, 1]


def test_vikor_compromise_advantage_boundary_and_larger_set() -> None:
    """Advantage exactly DQ counts as acceptable; with m = 4 (DQ = 1/3) and Q = (0, .1, .3, .9)
    the advantage fails and the set is the three alternatives within 1/3 of the best, in Q
    order (ties in Q keep row order)."""
    assert vikor_compromise([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [0.0, 0.5, 1.0]) == [0]
    assert vikor_compromise([0, 1, 2, 3], [0, 1, 2, 3], [0.3, 0.0, 0.9, 0.1]) == [1, 3, 0]
    assert vikor_compromise([1.0], [1.0], [0.0]) == [0]


def test_vikor_degenerate_criteria() -> None:
    """A criterion where best == worst contributes 0; if every alternative ties, S = R = Q = 0
    (no division by zero) and the advantage fails, so all are in the compromise set."""
    s, r, q = vikor([[3.0, 1.0], [3.0, 2.0]], [0.5, 0.5], [True, True])
    np.testing.assert_allclose(s, [0.5, 0.0])
    np.testing.assert_allclose(r, [0.5, 0.0])
    np.testing.assert_allclose(q, [1.0, 0.0])
    s, r, q = vikor([[3.0, 1.0], [3.0, 1.0]], [0.5, 0.5], [True, False])
    assert not np.any(s) and not np.any(r) and not np.any(q)
    assert vikor_compromise(s, r, q) == [0, 1]


def test_topsis_identical_alternatives_half() -> None:
    """Documented convention: ideal == anti-ideal gives closeness 0.5; zero columns are ignored."""
    np.testing.assert_allclose(topsis([[1.0, 0.0], [1.0, 0.0]], [1, 1], [True, False]), 0.5)


# --- properties -----------------------------------------------------------------------------

@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = draw(st.integers(1, 6))
    n = draw(st.integers(1, 5))
    values = st.floats(0.1, 100.0, allow_nan=False, allow_infinity=False)
    matrix = np.array(draw(st.lists(st.lists(values, min_size=n, max_size=n),
                                    min_size=m, max_size=m)))
    # Zero or at least 1e-3, so that scaling by 1e-3 cannot underflow a weight to zero.
    weight = st.one_of(st.just(0.0), st.floats(1e-3, 10.0))
    weights = np.array(draw(st.lists(weight, min_size=n, max_size=n)))
    if weights.sum() == 0:
        weights[0] = 1.0
    benefit = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    return matrix, weights, benefit


def _all_methods(
    matrix: np.ndarray, weights: np.ndarray, benefit: np.ndarray
) -> list[np.ndarray]:
    return [weighted_product(matrix, weights, benefit), topsis(matrix, weights, benefit),
            *vikor(matrix, weights, benefit)]


@settings(max_examples=150, deadline=None)
@given(problems(), st.data())
def test_permuting_rows_permutes_results(
    problem: tuple[np.ndarray, np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    matrix, weights, benefit = problem
    perm = np.array(data.draw(st.permutations(range(matrix.shape[0]))))
    before = _all_methods(matrix, weights, benefit)
    after = _all_methods(matrix[perm], weights, benefit)
    for b, a in zip(before, after, strict=True):
        np.testing.assert_allclose(a, b[perm], rtol=1e-9, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(problems(), st.floats(1e-3, 1e3))
def test_scaling_weights_changes_nothing(
    problem: tuple[np.ndarray, np.ndarray, np.ndarray], factor: float
) -> None:
    matrix, weights, benefit = problem
    before = _all_methods(matrix, weights, benefit)
    after = _all_methods(matrix, weights * factor, benefit)
    for b, a in zip(before, after, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(problems())
def test_ranges(problem: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    matrix, weights, benefit = problem
    c = topsis(matrix, weights, benefit)
    assert np.all((c >= 0) & (c <= 1))
    s, r, q = vikor(matrix, weights, benefit)
    assert np.all((q >= -1e-12) & (q <= 1 + 1e-12))
    assert np.all(r <= s + 1e-12)
    members = vikor_compromise(s, r, q)
    assert members and members[0] == int(np.argmin(q))


# --- error cases ----------------------------------------------------------------------------

M = [[1.0, 2.0], [3.0, 4.0]]
B = [True, False]


@pytest.mark.parametrize("call", [
    lambda w: weighted_product(M, w, B),
    lambda w: topsis(M, w, B),
    lambda w: vikor(M, w, B),
])
def test_bad_weights_refused(call: Callable[[list[float]], object]) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        call([0.5, -0.1])
    with pytest.raises(ValueError, match="all zero"):
        call([0.0, 0.0])
    with pytest.raises(ValueError, match="3 entries but matrix has 2 criteria"):
        call([1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        call([1.0, float("nan")])


def test_shape_mismatches_refused() -> None:
    with pytest.raises(ValueError, match="2-D"):
        weighted_product([1.0, 2.0], [1.0, 1.0], B)
    with pytest.raises(ValueError, match="at least one alternative"):
        weighted_product(np.empty((0, 2)), [1.0, 1.0], B)
    with pytest.raises(ValueError, match="benefit has 3 entries"):
        topsis(M, [1, 1], [True, True, False])
    with pytest.raises(ValueError, match="booleans"):
        vikor(M, [1, 1], [1, 0])
    with pytest.raises(ValueError, match="weights must be 1-D"):
        weighted_product(M, [[1.0, 1.0]], B)
    with pytest.raises(ValueError, match="same length"):
        vikor_compromise([0.0, 1.0], [0.0, 1.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="NaN"):
        weighted_product([[1.0, float("inf")]], [1.0, 1.0], B)


def test_declared_variants_refuse_values_off_their_scales() -> None:
    with pytest.raises(ValueError, match=r"matrix\[1, 0\] = 6\.0 lies outside its declared "
                                         r"scale \(1\.0 to 5\.0\)"):
        topsis_declared([[2.0, 1.0], [6.0, 1.0]], [1, 1], [5, 1], [1, 5])
    with pytest.raises(ValueError, match=r"criterion 1: best and worst are both 3\.0"):
        vikor_declared([[2.0, 3.0]], [1, 1], [5, 3], [1, 3])
    with pytest.raises(ValueError, match=r"best must hold one finite number per criterion"):
        topsis_declared([[2.0, 3.0]], [1, 1], [5], [1, 1])


@settings(max_examples=100, deadline=None)
@given(problems(), st.data())
def test_declared_variants_score_each_row_alone(
    problem: tuple[np.ndarray, np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    """Against declared bounds, a row's scores never depend on the other rows: scoring rows
    one by one gives exactly the scores of the whole matrix (no rank reversal)."""
    matrix, weights, benefit = problem
    best = np.where(benefit, 100.0, 0.1)
    worst = np.where(benefit, 0.1, 100.0)
    v = data.draw(st.floats(0.0, 1.0))
    whole = [topsis_declared(matrix, weights, best, worst),
             *vikor_declared(matrix, weights, best, worst, v)]
    for i in range(matrix.shape[0]):
        alone = [topsis_declared(matrix[i:i + 1], weights, best, worst),
                 *vikor_declared(matrix[i:i + 1], weights, best, worst, v)]
        assert [a[0] for a in alone] == [w[i] for w in whole]


def test_weighted_product_non_positive_refused() -> None:
    with pytest.raises(ValueError, match=r"strictly positive values: matrix\[1, 0\] = 0\.0"):
        weighted_product([[1.0, 2.0], [0.0, 4.0]], [1, 1], B)
    with pytest.raises(ValueError, match=r"matrix\[0, 1\] = -2\.0"):
        weighted_product([[1.0, -2.0], [1.0, 4.0]], [1, 1], B)


def test_v_out_of_range_refused() -> None:
    with pytest.raises(ValueError, match=r"v .* must be in \[0, 1\]"):
        vikor(M, [1, 1], B, v=1.5)
    with pytest.raises(ValueError, match=r"must be in \[0, 1\]"):
        vikor_compromise([0.0], [0.0], [0.0], v=-0.1)
