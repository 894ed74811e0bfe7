"""The one tie rule of every ranking: scores equal to 12 significant digits tie.

Scores are computed in floating point, so two processes that should score the same (the same
values under weights in another order, a sum taken in another order) may differ in their last
bits. Every rank, top N and threshold in :mod:`scoring` therefore compares scores after
rounding them to :data:`TIE_DIGITS` significant digits (:func:`rounded_for_ties`), and treats
two quantities whose difference is within :data:`TIE_TOLERANCE` of their size as equal. Double
precision carries about 15.9 significant digits (IEEE 754 binary64, 53-bit significand), so 12
digits leave room for the rounding of a few thousand additions while still separating any
difference a user can see on a 0-1 scale.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Significant digits to which scores must agree to tie.
TIE_DIGITS = 12
#: Relative tolerance of the same rule: quantities whose difference is at most this times
#: their size count as equal (equal to 12 digits).
TIE_TOLERANCE = 1e-12


def rounded_for_ties(scores: FloatArray) -> FloatArray:
    """``scores`` rounded to :data:`TIE_DIGITS` significant digits, so that values equal up to
    rounding compare equal (0 stays 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.where(scores != 0, np.floor(np.log10(np.abs(scores))), 0)
    factor = 10.0 ** (TIE_DIGITS - 1 - magnitude)
    result: FloatArray = np.round(scores * factor) / factor
    return result
