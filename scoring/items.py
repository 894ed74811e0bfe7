"""The items and prerequisites the portfolio and the roadmap take, read the same way by both."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.errors import ScoringError
from scoring.lookup import positions_in


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


def prerequisite_links(prerequisites: pd.DataFrame, codes: list[str], done: set[str]
                       ) -> tuple[pd.Series, np.ndarray, np.ndarray, np.ndarray]:
    """The prerequisite table against the items ``codes``: ``(upstream, src, dst, keep)``.

    ``upstream`` holds the upstream codes as text; ``src`` and ``dst`` each link's positions in
    ``codes`` (-1 when not an item); ``keep`` marks the links that still matter: the dependant
    is an item, the link is not a self-loop, and the prerequisite is not already ``done``.
    Refused with a :class:`ScoringError` when a column is missing.
    """
    for column in ("upstream_code", "downstream_code"):
        if column not in prerequisites.columns:
            raise ScoringError(f"The prerequisites need a {column!r} column")
    upstream = prerequisites["upstream_code"].astype(str)
    src = positions_in(upstream, codes)
    dst = positions_in(prerequisites["downstream_code"], codes)
    keep = (dst >= 0) & (src != dst) & ~upstream.isin(list(done)).to_numpy()
    return upstream, src, dst, keep
