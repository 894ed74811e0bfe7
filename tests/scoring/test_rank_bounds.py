"""scoring.rank_bounds on small cases worked out by hand; the guarantee itself (every filling-in
of the unknown values lands inside) is checked on random inventories in
tests/test_rank_stability.py."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import methods
from scoring.rank_bounds import (
    rank_interval,
    ranks_within,
    topsis_data_bounds,
    vikor_data_bounds,
)


def test_ranks_within_counts_who_is_surely_above_and_who_may_be() -> None:
    # A in 0.6-0.9, B exactly 0.7, C in 0.1-0.8: each may come first (A at .9; C at .8 with A
    # at .6; B with A at .6 and C below .7) and each may come last (A at .6 with C at .8; B
    # with A at .9 and C at .8; C at .1)
    low, high = np.array([0.6, 0.7, 0.1]), np.array([0.9, 0.7, 0.8])
    best, worst = ranks_within(low, high, lambda x: x)
    assert best.tolist() == [1, 1, 1]
    assert worst.tolist() == [3, 3, 3]
    # no overlap: the order is certain
    best, worst = ranks_within(np.array([0.6, 0.5, 0.1]), np.array([0.9, 0.5, 0.2]),
                               lambda x: x)
    assert best.tolist() == [1, 2, 3] and worst.tolist() == [1, 2, 3]


def test_a_rank_interval_reads_as_certain_reachable_or_outer() -> None:
    assert rank_interval(4, 4, exact=False) == "4"
    assert rank_interval(4, 21, exact=True) == "4-21"
    assert rank_interval(4, 21, exact=False) == "within 4-21"


CELL = st.one_of(st.just(np.nan), st.sampled_from([0.0, 1.0]), st.floats(0, 1))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.data())
def test_data_relative_bounds_hold_every_filling_in(rows: int, columns: int,
                                                   data: st.DataObject) -> None:
    """TOPSIS and VIKOR against the processes ranked: whatever the unknown (NaN) cells turn
    out to be, every closeness and every 1 - Q lies within the bounds."""
    position = np.array(data.draw(st.lists(st.lists(CELL, min_size=columns,
                                                     max_size=columns),
                                           min_size=rows, max_size=rows)))
    weights = np.array(data.draw(st.lists(st.floats(0.1, 5), min_size=columns,
                                          max_size=columns)))
    weights = weights / weights.sum()
    v = data.draw(st.floats(0, 1))
    benefit = np.ones(columns, dtype=bool)
    topsis_low, topsis_high = topsis_data_bounds(position, weights)
    vikor_low, vikor_high = vikor_data_bounds(position, weights, v)
    for _ in range(5):
        filled = np.where(np.isnan(position), np.array(data.draw(st.lists(
            st.sampled_from([0.0, 1.0]) | st.floats(0, 1), min_size=rows * columns,
            max_size=rows * columns))).reshape(rows, columns), position)
        closeness = methods.topsis(filled, weights, benefit)
        assert (topsis_low <= closeness).all() and (closeness <= topsis_high).all()
        score = 1 - methods.vikor(filled, weights, benefit, v)[2]
        assert (vikor_low <= score).all() and (score <= vikor_high).all()
