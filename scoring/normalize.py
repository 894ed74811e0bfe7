"""The scaler that puts raw criterion values on a common 0-1 footing.

``declared`` is the one used for ranking: each value is placed between the bounds the
criteria set *declares* for it, never between the data's own minimum and maximum, so a
process's normalised value does not depend on which other processes are scored. Under the
weighted sum this makes rankings independent of irrelevant alternatives: adding or removing a
process never re-orders the others (Belton, V. and Stewart, T. J. (2002) "Multiple criteria
decision analysis: an integrated approach", Kluwer, section 5.2, on value functions defined on
fixed scales rather than on the alternatives at hand).

Methods whose published definition normalises on the data itself (TOPSIS's vector
normalisation, Hwang and Yoon 1981) do so inside :mod:`scoring.methods`.

Conventions: arrays are alternatives x criteria (or 1-D for one criterion); NaN stays NaN (a
missing value is never turned into a number here); ``benefit`` orients the result so that 1 is
best.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def declared(values: ArrayLike, low: float, high: float, *, benefit: bool = True,
             log: bool = False) -> FloatArray:
    """Position of ``values`` between the declared ``low`` and ``high``, clipped to [0, 1].

    ``log`` measures positions on ``log10(1 + x)`` (for counts and amounts spanning orders of
    magnitude; needs ``low >= 0``). For a cost criterion (``benefit=False``) the result is
    ``1 - position``, so 1 is always best. Values outside the bounds are clipped, so a value
    beyond the declared range counts as the end of the scale.
    """
    x = np.asarray(values, dtype=np.float64)
    if high <= low:
        raise ValueError(f"declared scale needs high > low, got low={low!r}, high={high!r}")
    if log:
        if low < 0:
            raise ValueError(f"a log scale needs low >= 0, got {low!r}")
        with np.errstate(invalid="ignore"):
            x = np.log10(1.0 + np.clip(x, low, None))
        low, high = float(np.log10(1.0 + low)), float(np.log10(1.0 + high))
    position = np.clip((x - low) / (high - low), 0.0, 1.0)
    return position if benefit else 1.0 - position
