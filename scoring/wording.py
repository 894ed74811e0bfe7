"""How scoring messages write lists of codes and figures, so every message reads alike."""

from __future__ import annotations

import math
from collections.abc import Sequence


def listed(codes: Sequence[str], shown: int = 6) -> str:
    """``A, B, C and 4 more``: the first ``shown`` codes, then how many others."""
    head = ", ".join(codes[:shown])
    return head if len(codes) <= shown else f"{head} and {len(codes) - shown} more"


def figure(x: float) -> str:
    """``1,234.5``: thousands separated, at most two decimals, no trailing zeros."""
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def signed(change: float) -> str:
    """``+0.000145``, ``-0.0500``: a change to three significant digits with its sign, so a
    real change never reads as zero (scientific notation below 1e-4 of a unit: ``+1.2e-07``)."""
    return f"{change:+.3g}"


def change_decimals(change: float) -> int:
    """Decimals that show a non-zero ``change``, and the figures it moves between, to three
    significant digits of the change: 3 for a change of 0.1 or more, 6 for 0.000145."""
    return max(3, 2 - math.floor(math.log10(abs(change))))
