"""The table of items the portfolio and the roadmap take: checked the same way for both."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from scoring.errors import ScoringError


def checked_items(items: object, *, needed: Sequence[str], described: str,
                  what: str) -> pd.DataFrame:
    """``items`` with its codes as text, sorted by code (so row order never matters).

    Refused with a :class:`ScoringError` naming what is wrong: not a table, a ``needed`` column
    missing, an empty code, a code given twice. ``what`` names the items in the messages
    (``"items"``, ``"roadmap items"``); ``described`` lists the columns a table should have.
    """
    if not isinstance(items, pd.DataFrame):
        raise ScoringError(f"The {what} must be a table (DataFrame) with {described} columns")
    for column in needed:
        if column not in items.columns:
            raise ScoringError(f"The {what} need a {column!r} column")
    if items["code"].isna().any():
        raise ScoringError(f"Every {what.removesuffix('s')} needs a code; some codes are empty")
    frame = items.assign(code=items["code"].astype(str))
    duplicated = frame["code"][frame["code"].duplicated()]
    if not duplicated.empty:
        raise ScoringError(f"Process code {duplicated.iloc[0]!r} appears twice in the {what}")
    return frame.sort_values("code", kind="stable").reset_index(drop=True)
