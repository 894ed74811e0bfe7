"""Tests of scoring.group: combining members' judgements (AIJ) and priorities (AIP), Goepel's
consensus, disagreement per criterion and the top-N count, against hand computations written
out here and the properties the methods promise (the published examples are in
tests/scoring/test_group_published.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.ahp import priorities
from scoring.errors import ScoringError
from scoring.group import (
    aggregate_judgements,
    aggregate_priorities,
    combine,
    consensus,
    consensus_band,
    disagreement,
    minimum_alpha_entropy,
    top_n_frequency,
)


def _consistent(w: np.ndarray) -> np.ndarray:
    return w[:, np.newaxis] / w[np.newaxis, :]


SAATY = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1.0, 3.0, 5.0, 7.0, 9.0]


@st.composite
def judgement_matrices(draw: st.DrawFn, n: int) -> np.ndarray:
    """A reciprocal matrix of Saaty-scale judgements (upper triangle drawn)."""
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = draw(st.sampled_from(SAATY))
            a[j, i] = 1.0 / a[i, j]
    return a


@st.composite
def groups(draw: st.DrawFn) -> tuple[list[np.ndarray], np.ndarray]:
    n = draw(st.integers(2, 6))
    k = draw(st.integers(1, 5))
    matrices = [draw(judgement_matrices(n)) for _ in range(k)]
    weights = np.array(draw(st.lists(st.floats(0.1, 5.0), min_size=k, max_size=k)))
    return matrices, weights


priority_sets = st.integers(2, 6).flatmap(lambda n: st.lists(
    st.lists(st.floats(0.01, 10.0), min_size=n, max_size=n), min_size=1, max_size=6))


# ---------------------------------------------------------------- worked example


def test_two_opposed_members_by_hand() -> None:
    """Hand computation (the figures are worked out below and recomputed to 5 decimals): two
    members, three criteria,
    each with a consistent matrix, A from weights (0.5, 0.3, 0.2) and B from (0.2, 0.3, 0.5).

    AIJ: the element-wise geometric mean of two consistent matrices is the consistent matrix of
    the geometric means of their weights (Barzilai, J. and Golany, B. (1994) "AHP rank reversal,
    normalization and aggregation rules", INFOR 32(2), 57-64), so the group weights are
    (sqrt(0.1), 0.3, sqrt(0.1)) / (2 sqrt(0.1) + 0.3) = (0.31623, 0.3, 0.31623) / 0.93246 =
    (0.33913, 0.32173, 0.33913), equal to
    the AIP geometric mean; the AIP arithmetic mean is (0.35, 0.30, 0.35).

    Goepel's consensus: H_alpha = H(0.5, 0.3, 0.2) = 0.34657 + 0.36119 + 0.32189 = 1.02965 (both
    members have the same entropy); H_gamma = H(0.35, 0.30, 0.35) = 2 x 0.36744 + 0.36119 =
    1.09607; H_beta = 0.06642; M = exp(-0.06642) = 0.93574. Relative homogeneity
    S* = (0.93574 - 1/3) / (1 - 1/3) = 0.90361. AHP-corrected: H_alpha,min(n=3, M=9) =
    -(9/11) ln(9/11) - 2 (1/11) ln(1/11) = 0.16418 + 0.43598 = 0.60017, so the floor is
    exp(0.60017) / 3 = 0.60747 and S_AHP = (0.93574 - 0.60747) / (1 - 0.60747) = 0.83630."""
    a = _consistent(np.array([0.5, 0.3, 0.2]))
    b = _consistent(np.array([0.2, 0.3, 0.5]))
    group = priorities(aggregate_judgements([a, b]))
    np.testing.assert_allclose(group.weights, [0.33913, 0.32173, 0.33913], atol=1e-5)
    assert group.cr == pytest.approx(0.0, abs=1e-9)
    vectors = [[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]]
    np.testing.assert_allclose(aggregate_priorities(vectors), group.weights, atol=1e-12)
    np.testing.assert_allclose(aggregate_priorities(vectors, mean="arithmetic"),
                               [0.35, 0.30, 0.35], atol=1e-12)
    assert minimum_alpha_entropy(3) == pytest.approx(0.60017, abs=1e-5)
    assert consensus(vectors) == pytest.approx(0.90361, abs=1e-5)
    assert consensus(vectors, scale_max=9) == pytest.approx(0.83630, abs=1e-5)
    assert consensus_band(0.83630) == "high"


def test_member_weights_pull_the_group_towards_the_heavier_member() -> None:
    """Weights (3, 1): AIJ weights are (0.5^0.75 0.2^0.25, 0.3, 0.2^0.75 0.5^0.25) normalised,
    i.e. (0.39764, 0.30000, 0.25149) / 0.94912 = (0.41895, 0.31608, 0.26497)."""
    a = _consistent(np.array([0.5, 0.3, 0.2]))
    b = _consistent(np.array([0.2, 0.3, 0.5]))
    weights = priorities(aggregate_judgements([a, b], [3, 1])).weights
    np.testing.assert_allclose(weights, [0.41895, 0.31608, 0.26497], atol=1e-5)


def test_saaty_scale_extremes_give_the_floor_of_the_ahp_consensus() -> None:
    """Members each putting a different criterion 9 times above the others (Goepel's extreme
    case, n = 3 members and criteria): exp(H_beta) reaches n / exp(H_alpha,min), so the
    AHP consensus is 0, while the uncorrected relative homogeneity is not."""
    vectors = np.full((3, 3), 1 / 11) + np.eye(3) * (8 / 11)
    assert consensus(vectors, scale_max=9) == pytest.approx(0.0, abs=1e-9)
    assert 0 < consensus(vectors) < 0.5


# ---------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(judgement_matrices(5), st.integers(1, 5))
def test_aij_of_identical_matrices_is_that_matrix(a: np.ndarray, k: int) -> None:
    np.testing.assert_allclose(aggregate_judgements([a] * k), a, rtol=1e-12)
    np.testing.assert_allclose(priorities(aggregate_judgements([a] * k)).weights,
                               priorities(a).weights, rtol=1e-9)  # unanimity


@settings(max_examples=60, deadline=None)
@given(groups())
def test_aij_is_reciprocal_and_ignores_member_order(group: tuple) -> None:
    matrices, weights = group
    combined = aggregate_judgements(matrices, weights)
    np.testing.assert_array_equal(np.tril(combined, -1), np.tril(1.0 / combined.T, -1))
    np.testing.assert_array_equal(np.diag(combined), np.ones(len(combined)))
    order = list(reversed(range(len(matrices))))
    np.testing.assert_allclose(aggregate_judgements([matrices[i] for i in order],
                                                    weights[order]), combined, rtol=1e-12)


@settings(max_examples=80, deadline=None)
@given(priority_sets, st.sampled_from(["geometric", "arithmetic"]))
def test_aip_sums_to_one_and_ignores_member_order(vectors: list, mean: str) -> None:
    combined = aggregate_priorities(vectors, mean=mean)  # type: ignore[arg-type]
    assert combined.sum() == pytest.approx(1.0)
    assert np.all(combined >= 0)
    np.testing.assert_allclose(aggregate_priorities(vectors[::-1], mean=mean),  # type: ignore[arg-type]
                               combined, rtol=1e-9)


@settings(max_examples=80, deadline=None)
@given(priority_sets, st.sampled_from([None, 9.0]))
def test_consensus_is_within_0_and_1_and_ignores_member_order(vectors: list,
                                                             scale: float | None) -> None:
    value = consensus(vectors, scale_max=scale)
    assert 0.0 <= value <= 1.0
    assert consensus(vectors[::-1], scale_max=scale) == pytest.approx(value, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 10.0), min_size=2, max_size=8), st.integers(1, 6))
def test_consensus_is_1_when_members_agree(vector: list, k: int) -> None:
    assert consensus([vector] * k) == pytest.approx(1.0, abs=1e-12)
    assert consensus([vector] * k, scale_max=9) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("n", [2, 3, 7])
def test_direct_weights_fully_opposed_have_no_consensus(n: int) -> None:
    """Each member puts everything on a different criterion: exp(H_beta) = n members = n
    criteria, so S* = 0."""
    assert consensus(np.eye(n)) == pytest.approx(0.0, abs=1e-12)


# ---------------------------------------------------------------- disagreement and top N


def test_disagreement_ranks_the_criteria_members_split_on() -> None:
    frame = disagreement([[0.6, 0.2, 0.2], [0.1, 0.1, 0.8], [0.3, 0.2, 0.5]],
                         ["cost", "risk", "value"]).set_index("criterion")
    assert list(frame.index) == ["value", "cost", "risk"]
    value = frame.loc["value"]  # 0.2, 0.8, 0.5: mean 0.5, deviations -0.3, 0.3, 0
    assert value["mean"] == pytest.approx(0.5)
    assert value["std"] == pytest.approx(math.sqrt((0.09 + 0.09) / 3))
    assert value["cv"] == pytest.approx(math.sqrt(0.06) / 0.5)
    assert (value["low"], value["high"]) == (pytest.approx(0.2), pytest.approx(0.8))
    agreed = disagreement([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0]], ["a", "b", "c"])
    assert agreed.set_index("criterion").loc["c", "cv"] == 0.0  # nobody weighs it


def test_top_n_counts_members_and_keeps_ties_at_the_boundary() -> None:
    frame = top_n_frequency({"ana": {"P1": 1, "P2": 2, "P3": 3},
                             "ben": {"P2": 1, "P3": 2, "P1": 2},
                             "eva": {"P3": 1, "P1": 3, "P2": 3}}, 2)
    assert frame.to_dict("records") == [
        {"process": "P1", "members": 2, "share": pytest.approx(2 / 3), "best_rank": 1},
        {"process": "P2", "members": 2, "share": pytest.approx(2 / 3), "best_rank": 1},
        {"process": "P3", "members": 2, "share": pytest.approx(2 / 3), "best_rank": 1}]
    assert list(top_n_frequency({"ana": {"P1": 1, "P2": 2}}, 1)["process"]) == ["P1"]


# ---------------------------------------------------------------- combining a round


def test_combine_leaves_out_inconsistent_members_unless_asked() -> None:
    good = _consistent(np.array([0.5, 0.3, 0.2]))
    bad = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])  # a cycle: CR far above 0.1
    result = combine(["ana", "ben"], [good, bad], pairwise=True, method="aij")
    assert result.members == ("ana",) and result.excluded == ("ben",)
    np.testing.assert_allclose(result.weights, [0.5, 0.3, 0.2], atol=1e-9)
    assert result.member_cr[1] is not None and result.member_cr[1] > 0.1
    both = combine(["ana", "ben"], [good, bad], pairwise=True, method="aij",
                   include_inconsistent=True)
    assert both.members == ("ana", "ben") and both.excluded == ()
    with pytest.raises(ScoringError, match=r"Every answer is inconsistent .*ben"):
        combine(["ben"], [bad], pairwise=True, method="aip")


def test_combine_direct_weights() -> None:
    result = combine(["ana", "ben"], [[60, 40, 0], [20, 40, 40]], pairwise=False,
                     method="aip", mean="arithmetic")
    np.testing.assert_allclose(result.weights, [0.4, 0.4, 0.2])
    assert result.method == "aip-arithmetic" and result.member_cr == (None, None)
    with pytest.raises(ScoringError, match="AIJ combines pairwise"):
        combine(["ana"], [[1, 1]], pairwise=False, method="aij")
    with pytest.raises(ScoringError, match="arithmetic mean instead"):
        combine(["ana", "ben"], [[1, 0], [0, 1]], pairwise=False, method="aip")


@pytest.mark.parametrize(("call", "message"), [
    (lambda: aggregate_priorities([[0, 0, 0]]), "Member 1 gives every criterion 0"),
    (lambda: aggregate_priorities([[1, -1]]), "non-negative"),
    (lambda: aggregate_priorities([[1, 2]], [1, 2]), "one weight per member"),
    (lambda: aggregate_priorities([[1, 2]], [0]), "not all 0"),
    (lambda: aggregate_judgements([np.ones((2, 2)), np.ones((3, 3))]), "same criteria"),
    (lambda: aggregate_judgements([np.array([[1, 2], [2, 1]])]), "Member 1's judgements"),
    (lambda: top_n_frequency({"a": {"P": 1}}, 0), "N >= 1"),
])
def test_bad_input_is_refused_with_a_message(call: object, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        call()  # type: ignore[operator]
