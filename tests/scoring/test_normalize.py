"""Scalers: declared bounds (the default), and the data-driven min-max, vector and sum scalers;
unknown values stay unknown."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.normalize import declared, min_max, sum_to_one, vector


def test_declared_bounds_place_values_on_their_own_scale() -> None:
    assert declared([1, 3, 5, 7], 1, 5).tolist() == [0.0, 0.5, 1.0, 1.0]  # 7 is clipped
    assert declared([1, 3, 5], 1, 5, benefit=False).tolist() == [1.0, 0.5, 0.0]
    # log scale: 99 sits at log10(100) / log10(1000) = 2/3 of 0..999
    assert declared([99], 0, 999, log=True)[0] == pytest.approx(2 / 3)
    assert math.isnan(declared([np.nan], 1, 5)[0])
    with pytest.raises(ValueError, match="high > low"):
        declared([1], 5, 5)


def test_min_max_reverses_cost_columns_and_keeps_constant_ones_at_one() -> None:
    matrix = [[1.0, 10.0, 7.0], [3.0, 30.0, 7.0], [2.0, np.nan, 7.0]]
    scaled = min_max(matrix, [True, False, False])
    assert scaled[:, 0].tolist() == [0.0, 1.0, 0.5]
    assert scaled[:2, 1].tolist() == [1.0, 0.0] and math.isnan(scaled[2, 1])
    assert scaled[:, 2].tolist() == [1.0, 1.0, 1.0]  # everyone equal: everyone best


def test_vector_and_sum_scalers_follow_their_definitions() -> None:
    v = vector([[3.0, 0.0], [4.0, 0.0]])
    assert v[:, 0].tolist() == pytest.approx([0.6, 0.8]) and v[:, 1].tolist() == [0.0, 0.0]
    s = sum_to_one([[1.0, 0.0], [3.0, 0.0]])
    assert s[:, 0].tolist() == [0.25, 0.75] and s[:, 1].tolist() == [0.0, 0.0]
