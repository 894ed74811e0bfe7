"""The scaler on declared bounds; unknown values stay unknown."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.normalize import declared


def test_declared_bounds_place_values_on_their_own_scale() -> None:
    assert declared([1, 3, 5, 7], 1, 5).tolist() == [0.0, 0.5, 1.0, 1.0]  # 7 is clipped
    assert declared([1, 3, 5], 1, 5, benefit=False).tolist() == [1.0, 0.5, 0.0]
    # log scale: 99 sits at log10(100) / log10(1000) = 2/3 of 0..999
    assert declared([99], 0, 999, log=True)[0] == pytest.approx(2 / 3)
    assert math.isnan(declared([np.nan], 1, 5)[0])
    with pytest.raises(ValueError, match="high > low"):
        declared([1], 5, 5)
