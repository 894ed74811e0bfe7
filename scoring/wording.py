"""How scoring messages write lists of codes and figures, so every message reads alike."""

from __future__ import annotations

from collections.abc import Sequence


def listed(codes: Sequence[str], shown: int = 6) -> str:
    """``A, B, C and 4 more``: the first ``shown`` codes, then how many others."""
    head = ", ".join(codes[:shown])
    return head if len(codes) <= shown else f"{head} and {len(codes) - shown} more"


def figure(x: float) -> str:
    """``1,234.5``: thousands separated, at most two decimals, no trailing zeros."""
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
