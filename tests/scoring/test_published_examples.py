"""scoring.methods against published worked examples.

Each test names its source and the published figures, and repeats the arithmetic (worked out by
hand and checked with Python) that takes the data to those figures. Computed values must match
the published ones within 0.001 (the precision they are published to), and the order of the
alternatives must match too.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.methods import (
    topsis,
    topsis_declared,
    vikor,
    vikor_compromise,
    vikor_declared,
    weighted_product,
)
from scoring.sensitivity import monte_carlo

PUBLISHED_TOL = 0.001

# Triantaphyllou, E. (2000) "Multi-criteria decision making methods: a comparative study",
# Kluwer, ch. 2, as reproduced on Wikipedia's "Weighted sum model" and "Weighted product model"
# pages: three alternatives A1-A3, four benefit criteria C1-C4.
TRIANTAPHYLLOU = [
    [25.0, 20.0, 15.0, 30.0],
    [10.0, 30.0, 20.0, 30.0],
    [30.0, 10.0, 30.0, 10.0],
]
TRIANTAPHYLLOU_WEIGHTS = [0.20, 0.15, 0.40, 0.25]


def test_weighted_sum_wikipedia_example() -> None:
    """Wikipedia, "Weighted sum model", section "Example" (data from Triantaphyllou 2000,
    ch. 2): weights 0.20, 0.15, 0.40, 0.25; published WSM scores A1 = 21.50, A2 = 22.00,
    A3 = 22.00, so A2 and A3 tie for first place and A1 is last.

    By hand:
    A1 = 25 x .20 + 20 x .15 + 15 x .40 + 30 x .25 = 5 + 3 + 6 + 7.5  = 21.5
    A2 = 10 x .20 + 30 x .15 + 20 x .40 + 30 x .25 = 2 + 4.5 + 8 + 7.5 = 22.0
    A3 = 30 x .20 + 10 x .15 + 30 x .40 + 10 x .25 = 6 + 1.5 + 12 + 2.5 = 22.0

    At least one copy of this example elsewhere on the web prints A3 = 20.00 (and so the order
    A2 > A1 > A3); the arithmetic above gives 22.00, which is what the article's table shows.
    """
    scores = monte_carlo(TRIANTAPHYLLOU, TRIANTAPHYLLOU_WEIGHTS, samples=1, top_n=1,
                         concentration=math.inf).score  # the robustness lab's weighted sum
    np.testing.assert_allclose(scores, [21.50, 22.00, 22.00], rtol=0, atol=PUBLISHED_TOL)
    # Order: A2 and A3 tied (to rounding), then A1.
    assert scores[1] == pytest.approx(scores[2], abs=1e-12)
    assert min(scores[1], scores[2]) > scores[0] + PUBLISHED_TOL


def test_weighted_product_wikipedia_example() -> None:
    """Wikipedia, "Weighted product model", section "Example" (the same data, from
    Triantaphyllou 2000, ch. 2): published ratios P(A1/A2) = 1.007, P(A1/A3) = 1.067,
    P(A2/A3) = 1.059, all > 1, so A1 > A2 > A3.

    P(AK/AL) = prod_j (a_Kj / a_Lj) ^ w_j; by hand with natural logarithms
    (ln 2.5 = .916291, ln(2/3) = -.405465, ln .75 = -.287682, ln(5/6) = -.182322,
    ln 2 = .693147, ln 3 = 1.098612):
    ln P(A1/A2) = .20 x .916291 + .15 x (-.405465) + .40 x (-.287682) + .25 x 0
                = .183258 - .060820 - .115073 = .007365;  P = e^.007365 = 1.00739
    ln P(A1/A3) = .20 x (-.182322) + .15 x .693147 + .40 x (-.693147) + .25 x 1.098612
                = -.036464 + .103972 - .277259 + .274653 = .064902;  P = 1.06705
    ln P(A2/A3) = .20 x (-1.098612) + .15 x 1.098612 + .40 x (-.405465) + .25 x 1.098612
                = -.219722 + .164792 - .162186 + .274653 = .057537;  P = 1.05922

    ``weighted_product`` returns one product per alternative (here the weighted geometric mean
    of the row, the weights summing to 1); the ratio of two of them is P(AK/AL).
    """
    p = weighted_product(TRIANTAPHYLLOU, TRIANTAPHYLLOU_WEIGHTS, [True] * 4)
    assert p[0] / p[1] == pytest.approx(1.007, abs=PUBLISHED_TOL)
    assert p[0] / p[2] == pytest.approx(1.067, abs=PUBLISHED_TOL)
    assert p[1] / p[2] == pytest.approx(1.059, abs=PUBLISHED_TOL)
    assert list(np.argsort(-p, kind="stable")) == [0, 1, 2]


def test_vikor_opricovic_tzeng_2004_example() -> None:
    """Opricovic, S. and Tzeng, G.-H. (2004) "Compromise solution by MCDM methods: a comparative
    analysis of VIKOR and TOPSIS", European Journal of Operational Research 156(2):445-455,
    section 4 (numerical example): alternatives A1 = (1, 3000), A2 = (2, 3750),
    A3 = (5, 4500); criterion 1 (risk) is minimised, criterion 2 (altitude) maximised; weights
    0.5, 0.5; v = 0.5. Figures: S = (0.5, 0.375, 0.5), R = (0.5, 0.25, 0.5), Q = (1, 0, 1);
    A2 is the compromise solution (acceptable advantage and stability both hold).
    Data and figures as transcribed in scikit-criteria's test suite
    (tests/agg/test_vikor.py, ``test_VIKOR_opricovic2004compromise``), which cites this paper;
    the paper itself was not at hand when this test was written.

    By hand: f* = (1, 4500), f- = (5, 3000). Weighted normalised regrets
    w_j (f*_j - f_ij) / (f*_j - f-_j):
      A1: (.5 x 0/-4,    .5 x 1500/1500) = (0,    .5)   -> S = .5,   R = .5
      A2: (.5 x -1/-4,   .5 x 750/1500)  = (.125, .25)  -> S = .375, R = .25
      A3: (.5 x -4/-4,   .5 x 0/1500)    = (.5,   0)    -> S = .5,   R = .5
    S* = .375, S- = .5, R* = .25, R- = .5:
      Q1 = .5 x (.125/.125) + .5 x (.25/.25) = 1;  Q2 = 0;  Q3 = 1.
    DQ = 1/(3-1) = .5; Q(A1) - Q(A2) = 1 >= .5 (advantage), A2 is best by S and by R
    (stability): the compromise is A2 alone.
    """
    s, r, q = vikor([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]], [0.5, 0.5], [False, True])
    np.testing.assert_allclose(s, [0.5, 0.375, 0.5], rtol=0, atol=PUBLISHED_TOL)
    np.testing.assert_allclose(r, [0.5, 0.25, 0.5], rtol=0, atol=PUBLISHED_TOL)
    np.testing.assert_allclose(q, [1.0, 0.0, 1.0], rtol=0, atol=PUBLISHED_TOL)
    assert list(np.argsort(q, kind="stable")) == [1, 0, 2]  # A2, then A1 and A3 tied
    assert vikor_compromise(s, r, q) == [1]


# Opricovic, S. and Tzeng, G.-H. (2007) "Extended VIKOR method in comparison with outranking
# methods", European Journal of Operational Research 178(2):514-529, numerical example: six
# alternatives, eight criteria (profit, cost, energy produced, peak energy produced, homes to be
# relocated, reservoir area, villages to displace, environmental protection grade).
OPRICOVIC_2007 = [
    [4184.3, 2914.0, 407.2, 251.0, 195, 244, 15, 2.41],
    [5211.9, 3630.0, 501.7, 308.3, 282, 346, 21, 1.41],
    [5021.3, 3920.5, 504.0, 278.6, 12, 56, 3, 4.42],
    [5566.1, 3957.9, 559.5, 335.3, 167, 268, 16, 3.36],
    [5060.5, 3293.5, 514.1, 284.2, 69, 90, 7, 4.04],
    [4317.9, 2925.9, 432.8, 239.3, 12, 55, 3, 4.36],
]
OPRICOVIC_2007_BENEFIT = [True, False, True, True, False, False, False, True]

# weights, S, R, Q, order by Q (0-based), compromise set in Q order (0-based)
_Case = tuple[list[float], list[float], list[float], list[float], list[int], list[int]]
OPRICOVIC_2007_CASES: dict[str, _Case] = {
    "equal weights": (
        [1, 1, 1, 1, 1, 1, 1, 1],
        [0.692, 0.7, 0.29, 0.423, 0.28, 0.346],
        [0.125, 0.125, 0.121, 0.125, 0.067, 0.125],
        [0.991, 1.0, 0.473, 0.670, 0.0, 0.578],
        [4, 2, 5, 3, 0, 1], [4]),
    "first four doubled": (
        [2, 2, 2, 2, 1, 1, 1, 1],
        [0.701, 0.6, 0.386, 0.365, 0.317, 0.459],
        [0.167, 0.114, 0.161, 0.167, 0.089, 0.167],
        [1.0, 0.533, 0.552, 0.563, 0.0, 0.686],
        [4, 1, 2, 3, 5, 0], [4]),
    "last four doubled": (
        [1, 1, 1, 1, 2, 2, 2, 2],
        [0.683, 0.8, 0.193, 0.48, 0.243, 0.232],
        [0.113, 0.167, 0.08, 0.122, 0.044, 0.083],
        [0.684, 1.0, 0.147, 0.554, 0.041, 0.191],
        [4, 2, 5, 3, 0, 1], [4, 2, 5]),
    "last four x 3.2": (
        [1, 1, 1, 1, 3.2, 3.2, 3.2, 3.2],
        [0.678, 0.857, 0.138, 0.513, 0.222, 0.167],
        [0.129, 0.190, 0.057, 0.139, 0.042, 0.060],
        [0.668, 1.0, 0.051, 0.588, 0.058, 0.078],
        [2, 4, 5, 3, 0, 1], [2, 4, 5]),
}


@pytest.mark.parametrize("case", list(OPRICOVIC_2007_CASES))
def test_vikor_opricovic_tzeng_2007_example(case: str) -> None:
    """Opricovic & Tzeng (2007), EJOR 178(2):514-529, numerical example (data above), with
    the paper's four weight sets and v = 0.5. Published figures (3 decimals), A1..A6:

    equal weights:       S .692 .700 .290 .423 .280 .346;  R .125 .125 .121 .125 .067 .125;
                         Q .991 1 .473 .670 0 .578; order A5 A3 A6 A4 A1 A2; compromise {A5}
    weights 2,2,2,2,1,1,1,1: S .701 .600 .386 .365 .317 .459;
                         R .167 .114 .161 .167 .089 .167; Q 1 .533 .552 .563 0 .686;
                         order A5 A2 A3 A4 A6 A1; compromise {A5}
    weights 1,1,1,1,2,2,2,2: S .683 .800 .193 .480 .243 .232;
                         R .113 .167 .080 .122 .044 .083; Q .684 1 .147 .554 .041 .191;
                         order A5 A3 A6 A4 A1 A2; compromise {A5, A3, A6} (no advantage)
    weights 1,1,1,1,3.2,3.2,3.2,3.2: S .678 .857 .138 .513 .222 .167;
                         R .129 .190 .057 .139 .042 .060; Q .668 1 .051 .588 .058 .078;
                         order A3 A5 A6 A4 A1 A2; compromise {A3, A5, A6} (no advantage)

    Data and figures as transcribed in scikit-criteria's test suite (tests/agg/test_vikor.py,
    ``test_VIKOR_opricovic2007extended``), which cites this paper; the paper itself was not at
    hand when this test was written. All 72 figures are reproduced to within 0.0005, i.e. they
    are the exact values rounded to 3 decimals.

    By hand (checked with Python): f* = (5566.1, 2914.0, 559.5, 335.3, 12, 55, 3, 4.42),
    f- = (4184.3, 3957.9, 407.2, 239.3, 282, 346, 21, 1.41). Normalised regrets
    d_ij = (f*_j - f_ij) / (f*_j - f-_j), to 4 decimals:
      A1: 1      0      1      .8781  .6778  .6495  .6667  .6678   (sum 5.5398)
      A2: .2563  .6859  .3795  .2812  1      1      1      1       (sum 5.6030)
      A3: .3943  .9642  .3644  .5906  0      .0034  0      0       (sum 2.3169)
      A4: 0      1      0      0      .5741  .7320  .7222  .3522   (sum 3.3804)
      A5: .3659  .3635  .2981  .5323  .2111  .1203  .2222  .1262   (sum 2.2397)
      A6: .9033  .0114  .8319  1      0      0      0      .0199   (sum 2.7666)
    With equal weights (1/8 each): S = sum / 8 = .6925 .7004 .2896 .4226 .2800 .3458 and
    R = (row max) / 8 = .125 .125 .1205 .125 .0665 .125; S* = .2800, S- = .7004, R* = .0665,
    R- = .125, so e.g. Q(A3) = .5 x (.2896 - .28)/.4204 + .5 x (.1205 - .0665)/.0585
    = .0114 + .4615 = .4730 (.4732 unrounded). The other weight sets use the same d_ij with
    weights divided by their sum (e.g. 2/12 and 1/12). The compromise rule: DQ = 1/(6-1) = .2;
    with equal weights Q(A3) - Q(A5) = .473 >= .2 and A5 is best by S and R, so {A5}; with the
    last four criteria doubled Q(A3) - Q(A5) = .106 < .2, so the set is every alternative with
    Q - Q(A5) < .2: A5, A3 (.106), A6 (.150).
    """
    weights, s_pub, r_pub, q_pub, order, compromise = OPRICOVIC_2007_CASES[case]
    s, r, q = vikor(OPRICOVIC_2007, weights, OPRICOVIC_2007_BENEFIT)
    np.testing.assert_allclose(s, s_pub, rtol=0, atol=PUBLISHED_TOL)
    np.testing.assert_allclose(r, r_pub, rtol=0, atol=PUBLISHED_TOL)
    np.testing.assert_allclose(q, q_pub, rtol=0, atol=PUBLISHED_TOL)
    assert list(np.argsort(q, kind="stable")) == order
    assert vikor_compromise(s, r, q) == compromise


# --- the declared-scale variants on the same published data ---------------------------------

# Hwang and Yoon (1981), the fighter-aircraft example (tests/scoring/test_methods.py): maximum
# speed (Mach), ferry range (NM), maximum payload (lb), acquisition cost ($ million, a cost),
# reliability and maneuverability (1-9 interval scale). The declared scales are ours: the
# example publishes no bounds.
AIRCRAFT = [[2.0, 1500, 20000, 5.5, 5, 9], [2.5, 2700, 18000, 6.5, 3, 5],
            [1.8, 2000, 21000, 4.5, 7, 7], [2.2, 1800, 20000, 5.0, 5, 5]]
AIRCRAFT_WEIGHTS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
AIRCRAFT_BEST = [3.0, 3000, 25000, 4.0, 9, 9]
AIRCRAFT_WORST = [1.0, 1000, 15000, 7.0, 1, 1]


def test_topsis_declared_on_the_fighter_aircraft() -> None:
    """TOPSIS against the declared ideal and anti-ideal (García-Cascales and Lamata 2012) on
    Hwang and Yoon's aircraft, scales as declared above. By hand, positions
    ``(x - worst) / (best - worst)``:
      A1: .5  .25 .5  .5    .5  1;    A2: .75 .85 .3 .1667 .25 .5
      A3: .4  .5  .6  .8333 .75 .75;  A4: .6  .4  .5 .6667 .5  .5
    d+ = sqrt(sum (w (1 - r))^2), d- = sqrt(sum (w r)^2); e.g. A1:
    d+ = sqrt(.1^2 + .075^2 + .05^2 + .05^2 + .1^2 + 0) = sqrt(.030625) = .17500,
    d- = sqrt(.1^2 + .025^2 + .05^2 + .05^2 + .1^2 + .3^2) = sqrt(.115625) = .34004,
    C = .34004 / .51504 = .66022. All four: .66022, .49206, .64973, .52302: A1 > A3 > A4 > A2,
    the published order of the data-relative method (.643, .268, .613, .312)."""
    c = topsis_declared(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_BEST, AIRCRAFT_WORST)
    np.testing.assert_allclose(c, [0.66022, 0.49206, 0.64973, 0.52302], rtol=0, atol=1e-5)
    assert list(np.argsort(-c)) == list(np.argsort(-topsis(
        AIRCRAFT, AIRCRAFT_WEIGHTS, [True, True, True, False, True, True]))) == [0, 2, 3, 1]


def test_topsis_declared_is_the_published_steps_with_the_ideal_and_anti_ideal_added() -> None:
    """García-Cascales and Lamata's construction: add the declared ideal and anti-ideal as two
    more alternatives and run Hwang and Yoon's steps with linear (max-min) normalisation; the
    real alternatives' closeness is the declared variant's, the ideal's 1, the anti-ideal's 0.
    The steps are written out here, independently of :mod:`scoring.methods`."""
    x = np.array([*AIRCRAFT, AIRCRAFT_BEST, AIRCRAFT_WORST], dtype=float)
    benefit = np.array([True, True, True, False, True, True])
    low, high = x.min(axis=0), x.max(axis=0)
    r = np.where(benefit, (x - low) / (high - low), (high - x) / (high - low))
    v = r * np.array(AIRCRAFT_WEIGHTS)
    d_plus = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    closeness = d_minus / (d_plus + d_minus)
    np.testing.assert_allclose(closeness[-2:], [1.0, 0.0])
    np.testing.assert_allclose(
        topsis_declared(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_BEST, AIRCRAFT_WORST),
        closeness[:-2], rtol=1e-12)


def test_vikor_declared_on_the_opricovic_tzeng_2004_example() -> None:
    """Opricovic and Tzeng (2004), section 4, with risk declared on 1 (best) to 5 (worst) and
    altitude on 3000 (worst) to 4500 (best): the data's own extremes, so S and R are exactly
    the published figures, S = (.5, .375, .5), R = (.5, .25, .5). Q reads them against the
    declared ideal (S = R = 0) and anti-ideal (S = 1, R = max w = .5) instead of the best and
    worst alternatives: Q = .5 S + .5 R / .5 = (.75, .4375, .75), the published order (A2
    first, A1 and A3 tied)."""
    s, r, q = vikor_declared([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]], [0.5, 0.5],
                             [1.0, 4500.0], [5.0, 3000.0])
    np.testing.assert_allclose(s, [0.5, 0.375, 0.5], rtol=0, atol=PUBLISHED_TOL)
    np.testing.assert_allclose(r, [0.5, 0.25, 0.5], rtol=0, atol=PUBLISHED_TOL)
    np.testing.assert_allclose(q, [0.75, 0.4375, 0.75], rtol=0, atol=1e-12)
    assert list(np.argsort(q, kind="stable")) == [1, 0, 2]


@pytest.mark.parametrize("case", list(OPRICOVIC_2007_CASES))
def test_vikor_declared_is_the_published_method_with_the_ideal_and_anti_ideal_added(
        case: str) -> None:
    """On Opricovic and Tzeng's 2007 data (scales declared 10% beyond the data's range),
    :func:`vikor` (checked above against the published figures) run on the alternatives plus
    the declared ideal and anti-ideal gives the declared variant's S, R and Q for the real
    alternatives, and Q = 0 and 1 for the two added ones."""
    weights = OPRICOVIC_2007_CASES[case][0]
    x = np.array(OPRICOVIC_2007)
    benefit = np.array(OPRICOVIC_2007_BENEFIT)
    margin = 0.1 * (x.max(axis=0) - x.min(axis=0))
    best = np.where(benefit, x.max(axis=0) + margin, x.min(axis=0) - margin)
    worst = np.where(benefit, x.min(axis=0) - margin, x.max(axis=0) + margin)
    s, r, q = vikor(np.vstack([x, best, worst]), weights, benefit)
    np.testing.assert_allclose(q[-2:], [0.0, 1.0], atol=1e-12)
    declared = vikor_declared(x, weights, best, worst)
    for mine, published in zip(declared, (s, r, q), strict=True):
        np.testing.assert_allclose(mine, published[:-2], rtol=1e-12, atol=1e-15)
