"""Comparing rankings across scenarios (scoring.compare): hand-worked examples, Kendall's
tau-b against a pair-counting reference, processes missing from a scenario, bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.compare import (
    compare_rankings,
    kendall_matrix,
    kendall_tau,
    rank_shifts,
    top_n_overlap,
)
from scoring.criteria import parse_criteria
from scoring.errors import ScoringError
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Scenario

BASE = pd.Series({"A": 1, "B": 2, "C": 3, "D": 4})
# C and B swap; D is not ranked (filtered out, say); E is new.
OTHER = pd.Series({"C": 2, "A": 1, "B": 3, "E": 4})


def test_compare_rankings_marks_unranked_as_missing_never_zero() -> None:
    table = compare_rankings({"base": BASE, "other": OTHER})
    assert table.index.name == "code"
    assert table.index.tolist() == ["A", "B", "C", "D", "E"]  # base rank, then best, code
    assert table.columns.tolist() == ["base", "other", "best", "worst", "spread", "ranked_in"]
    assert str(table["base"].dtype) == "Int64"
    assert table.loc["D", "other"] is pd.NA and table.loc["E", "base"] is pd.NA
    assert not (table[["base", "other"]] == 0).any().any()
    assert table.loc["B"].tolist() == [2, 3, 2, 3, 1, 2]
    assert table.loc["C"].tolist() == [3, 2, 2, 3, 1, 2]
    assert table.loc["D"].tolist()[2:] == [4, 4, 0, 1]
    assert table.loc["E"].tolist()[2:] == [4, 4, 0, 1]


def test_compare_rankings_order_and_nan_ranks() -> None:
    """NaN in a Series also means 'not ranked'; rows follow the first scenario's rank, those
    it does not rank come last by best rank, and ties by code."""
    first = pd.Series({"Z": 1.0, "Y": 1.0, "X": np.nan})
    second = pd.Series({"X": 1, "W": 3, "Y": 2})
    table = compare_rankings({"first": first, "second": second})
    assert table.index.tolist() == ["Y", "Z", "X", "W"]
    assert table.loc["X", "first"] is pd.NA
    assert table.loc["X", "ranked_in"] == 1


def test_compare_rankings_from_the_ranking_entry_point() -> None:
    criteria = parse_criteria("""
criteria:
  - {key: a, weight: 1, scale: {levels: {1: l1, 2: l2, 3: l3}}}
  - {key: b, weight: 1, scale: {levels: {1: l1, 2: l2, 3: l3}}}
""")
    processes = pd.DataFrame({"code": ["P1", "P2", "P3"], "name": ["one", "two", "three"]})
    rows = [("P1", "a", 3), ("P1", "b", 1), ("P2", "a", 1), ("P2", "b", 3), ("P3", "a", 2)]
    assessments = pd.DataFrame([{"process_code": c, "criterion_key": k, "value": v,
                                 "rater": "r"} for c, k, v in rows])
    inputs = RankingInputs(processes, assessments)
    even = rank(inputs, criteria, Scenario()).table.set_index("code")["rank"]
    tilted = rank(inputs, criteria, Scenario(weights={"a": 3, "b": 1})).table \
        .set_index("code")["rank"]
    table = compare_rankings({"even": even, "tilted": tilted})
    # even: P1 = P2 = 0.5, P3 = (0.5 + 0.5) / 2 (b at the midpoint): a three-way tie.
    # tilted: P1 = 0.75, P3 = 0.5, P2 = 0.25.
    assert table["even"].tolist() == [1, 1, 1]
    assert table.loc[["P1", "P3", "P2"], "tilted"].tolist() == [1, 2, 3]


def test_rank_shifts_sorted_by_size_then_code() -> None:
    shifts = rank_shifts(BASE, OTHER)
    assert shifts.columns.tolist() == ["code", "rank_a", "rank_b", "shift"]
    assert shifts["code"].tolist() == ["B", "C", "A", "D", "E"]
    assert shifts["shift"].tolist()[:3] == [-1, 1, 0]  # B fell one place, C rose one
    assert shifts["shift"].isna().tolist() == [False, False, False, True, True]
    assert shifts.loc[3, "rank_a"] == 4 and shifts.loc[3, "rank_b"] is pd.NA


def test_top_n_overlap() -> None:
    overlap = top_n_overlap(BASE, OTHER, 2)
    assert overlap.top_a == ("A", "B") and overlap.top_b == ("A", "C")
    assert overlap.common == ("A",) and overlap.only_a == ("B",) and overlap.only_b == ("C",)
    assert overlap.size == 1
    assert overlap.jaccard == pytest.approx(1 / 3)
    whole = top_n_overlap(BASE, BASE, 10)
    assert whole.size == 4 and whole.jaccard == 1.0


def test_top_n_overlap_keeps_a_boundary_tie_whole() -> None:
    tied = pd.Series({"A": 1, "B": 2, "C": 2, "D": 4})
    overlap = top_n_overlap(tied, BASE, 2)
    assert overlap.top_a == ("A", "B", "C")
    assert overlap.common == ("A", "B") and overlap.jaccard == pytest.approx(2 / 3)
    empty = top_n_overlap(pd.Series(dtype=float), pd.Series(dtype=float), 3)
    assert empty.size == 0 and empty.jaccard == 1.0


def test_kendall_tau_hand_computed() -> None:
    """A, B, C, D ranked 1-4 and 1, 3, 2, 4: of the 6 pairs only (B, C) is discordant,
    tau = (5 - 1) / 6 = 2/3. With a tie, a = (1, 2, 2, 4) against b = (1, 2, 3, 4): 5
    concordant pairs, 0 discordant, 1 pair tied in a only:
    tau_b = 5 / sqrt((6 - 1)(6 - 0)) = 5 / sqrt(30) = 0.912871."""
    assert kendall_tau(BASE, pd.Series({"A": 1, "B": 3, "C": 2, "D": 4})) == \
        pytest.approx(2 / 3, abs=1e-12)
    tied = pd.Series({"A": 1, "B": 2, "C": 2, "D": 4})
    assert kendall_tau(tied, BASE) == pytest.approx(5 / math.sqrt(30), abs=1e-12)
    assert kendall_tau(tied, BASE) == pytest.approx(0.912871, abs=1e-6)
    assert kendall_tau(BASE, BASE[::-1]) == pytest.approx(1.0)
    assert kendall_tau(BASE, 5 - BASE) == pytest.approx(-1.0)


def test_kendall_tau_uses_only_common_processes() -> None:
    # Common: A, B, C at (1, 2, 3) and (1, 3, 2): one discordant pair of three, tau = 1/3.
    assert kendall_tau(BASE, OTHER) == pytest.approx(1 / 3, abs=1e-12)
    assert math.isnan(kendall_tau(BASE, pd.Series({"A": 1, "Z": 2})))  # one common process
    assert math.isnan(kendall_tau(BASE, pd.Series({"A": 1, "B": 1})))  # constant


def test_kendall_matrix() -> None:
    matrix = kendall_matrix({"base": BASE, "other": OTHER, "reverse": 5 - BASE})
    assert matrix.index.tolist() == matrix.columns.tolist() == ["base", "other", "reverse"]
    np.testing.assert_allclose(np.diag(matrix.to_numpy()), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(matrix.to_numpy(), matrix.to_numpy().T)
    assert matrix.loc["base", "other"] == pytest.approx(1 / 3)
    assert matrix.loc["base", "reverse"] == pytest.approx(-1.0)


def reference_tau_b(x: list[int], y: list[int]) -> float:
    """Kendall (1945) tau-b by counting every pair."""
    concordant = discordant = tied_x = tied_y = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        tied_x += dx == 0
        tied_y += dy == 0
        concordant += dx * dy > 0
        discordant += dx * dy < 0
    pairs = len(x) * (len(x) - 1) // 2
    denominator = math.sqrt((pairs - tied_x) * (pairs - tied_y))
    return (concordant - discordant) / denominator if denominator else math.nan


@st.composite
def ranking_pairs(draw: st.DrawFn) -> tuple[pd.Series, pd.Series]:
    codes = [f"P{i}" for i in range(draw(st.integers(2, 12)))]
    out = []
    for _ in range(2):
        chosen = [c for c in codes if draw(st.booleans()) or len(codes) < 3]
        ranks = draw(st.lists(st.integers(1, 6), min_size=len(chosen), max_size=len(chosen)))
        out.append(pd.Series(ranks, index=chosen, dtype=np.int64))
    return out[0], out[1]


@settings(max_examples=150, deadline=None)
@given(ranking_pairs(), st.randoms())
def test_kendall_tau_matches_pair_counting(pair: tuple[pd.Series, pd.Series],
                                           random: object) -> None:
    a, b = pair
    common = [c for c in a.index if c in b.index]
    expected = reference_tau_b([int(a[c]) for c in common], [int(b[c]) for c in common]) \
        if len(common) >= 2 else math.nan
    shuffled = b.sample(frac=1.0, random_state=np.random.default_rng(len(b)))
    got = kendall_tau(a, shuffled)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(ranking_pairs())
def test_shifts_and_comparison_agree(pair: tuple[pd.Series, pd.Series]) -> None:
    a, b = pair
    shifts = rank_shifts(a, b).set_index("code")
    table = compare_rankings({"a": a, "b": b})
    assert set(shifts.index) == set(table.index) == set(a.index) | set(b.index)
    for code in table.index:
        in_a, in_b = code in a.index, code in b.index
        assert (table.loc[code, "a"] is pd.NA) == (not in_a)
        assert (shifts.loc[code, "shift"] is pd.NA) == (not (in_a and in_b))
        if in_a and in_b:
            assert shifts.loc[code, "shift"] == a[code] - b[code]
        assert table.loc[code, "ranked_in"] == in_a + in_b
    sizes = shifts["shift"].abs().to_numpy(dtype=float, na_value=-1.0)
    assert (np.diff(sizes) <= 0).all()


@pytest.mark.parametrize(("call", "message"), [
    (lambda: compare_rankings({}), "at least one"),
    (lambda: compare_rankings({"a": pd.Series({"A": 0})}), "whole numbers from 1"),
    (lambda: compare_rankings({"a": pd.Series({"A": -2})}), "whole numbers from 1"),
    (lambda: compare_rankings({"a": pd.Series({"A": 1.5})}), "whole numbers from 1"),
    (lambda: compare_rankings({"a": pd.Series({"A": "first"})}), "not a number"),
    (lambda: compare_rankings({"a": pd.Series([1, 2], index=["A", "A"])}), "twice"),
    (lambda: compare_rankings({"a": {"A": 1}}), "pandas Series"),  # type: ignore[dict-item]
    (lambda: compare_rankings({"best": BASE}), "reserved"),
    (lambda: top_n_overlap(BASE, OTHER, 0), "n must be"),
    (lambda: kendall_tau(BASE, pd.Series({"A": 0})), "whole numbers from 1"),
])
def test_malformed_input(call: object, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        call()  # type: ignore[operator]
