"""Several raters, one value: aggregation of assessments and the raters' disagreement.

Input: a long frame of assessments with columns ``process_code``, ``criterion_key``, ``value``
and ``rater`` (one row per rater, process and criterion; the inventory keeps one live row per
triple). Output, per process and criterion:

* ``value``: the median of the raters' values (default; robust to one outlying rater; the mean
  of the two middle values for an even count) or their arithmetic mean (``how="mean"``);
* ``spread``: the raters' range, ``max - min`` (0 with a single rater), in the criterion's
  own units; the disagreement shown beside the score;
* ``raters``: how many raters gave a value;
* for robustness, ``lowest`` and ``highest``: the raters' extreme values, widened by any
  rater's own ``low``-``high`` range (a three-point estimate) when the frame has those columns.

Source: group aggregation of individual judgements as in Belton and Stewart (2002) section 9.3;
the median as the robust choice follows Saaty and Vargas (2007) "Dispersion of group judgments",
Mathematical and Computer Modelling 46:918-925, on judgements too dispersed to be averaged.

The work is one sort of the ratings by (process, criterion, value), so 1.7 million ratings take
well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scoring.errors import ScoringError
from scoring.lookup import positions_in

AGGREGATIONS = ("median", "mean")
_COLUMNS = ("process_code", "criterion_key", "value", "rater")


@dataclass(frozen=True)
class Ratings:
    """Aggregated ratings as processes x criteria arrays; NaN (0 raters) where nobody rated."""

    value: NDArray[np.float64]
    spread: NDArray[np.float64]
    raters: NDArray[np.int64]
    lowest: NDArray[np.float64]
    highest: NDArray[np.float64]

    def rows(self, keep: NDArray[np.bool_]) -> Ratings:
        """The ratings of the processes where ``keep`` is true."""
        return Ratings(self.value[keep], self.spread[keep], self.raters[keep],
                       self.lowest[keep], self.highest[keep])


def rating_matrices(assessments: pd.DataFrame, codes: Sequence[str], keys: Sequence[str],
                    how: str = "median") -> Ratings:
    """Ratings of the processes ``codes`` (rows) on the criteria ``keys`` (columns); rows of
    ``assessments`` for other processes or criteria are ignored."""
    rows, columns, values = _positions(assessments, codes, keys, how)
    n, k = len(codes), len(keys)
    value = np.full(n * k, np.nan)
    spread = np.full(n * k, np.nan)
    raters = np.zeros(n * k, dtype=np.int64)
    lowest = np.full(n * k, np.nan)
    cells, combined, ranges, counts, low = _combine(rows * k + columns, values, how)
    value[cells], spread[cells], raters[cells], lowest[cells] = combined, ranges, counts, low
    highest = lowest + spread
    # A rater's own low-high range (a three-point estimate) widens the bounds further.
    for name, widen, bound in (("low", np.fmin, lowest), ("high", np.fmax, highest)):
        if name in assessments.columns:
            given = _bound(assessments, name, codes, keys)
            bound[:] = np.where(np.isnan(bound), np.nan, widen(bound, given))
    return Ratings(value.reshape(n, k), spread.reshape(n, k), raters.reshape(n, k),
                   lowest.reshape(n, k), highest.reshape(n, k))


def _bound(assessments: pd.DataFrame, column: str, codes: Sequence[str],
           keys: Sequence[str]) -> NDArray[np.float64]:
    """Per cell, the lowest ``low`` (or highest ``high``) any rater gave; NaN where none."""
    k = len(keys)
    rows = positions_in(assessments["process_code"], codes)
    columns = positions_in(assessments["criterion_key"], keys)
    given = pd.to_numeric(assessments[column], errors="coerce").to_numpy(dtype=np.float64)
    keep = (rows >= 0) & (columns >= 0) & ~np.isnan(given)
    result = np.full(len(codes) * k, np.nan)
    cells = rows[keep] * k + columns[keep]
    if column == "low":
        result[cells] = np.inf
        np.minimum.at(result, cells, given[keep])
    else:
        result[cells] = -np.inf
        np.maximum.at(result, cells, given[keep])
    return result


def aggregate(assessments: pd.DataFrame, how: str = "median") -> pd.DataFrame:
    """Per (``process_code``, ``criterion_key``) that has ratings: ``value``, ``spread`` and
    ``raters``, sorted by process and criterion."""
    _check(assessments, how)
    codes = np.sort(pd.unique(assessments["process_code"].astype(str).to_numpy()))
    keys = np.sort(pd.unique(assessments["criterion_key"].astype(str).to_numpy()))
    rows, columns, values = _positions(assessments, list(codes), list(keys), how)
    cells, combined, ranges, counts, _ = _combine(rows * len(keys) + columns, values, how)
    index = pd.MultiIndex.from_arrays([codes[cells // len(keys)], keys[cells % len(keys)]],
                                      names=["process_code", "criterion_key"])
    return pd.DataFrame({"value": combined, "spread": ranges, "raters": counts}, index=index)


def _check(assessments: pd.DataFrame, how: str) -> None:
    if how not in AGGREGATIONS:
        raise ScoringError(f"Unknown aggregation {how!r}: use median or mean")
    missing = [c for c in _COLUMNS if c not in assessments.columns]
    if missing:
        raise ScoringError(f"Assessments need the columns {', '.join(_COLUMNS)}; "
                           f"missing {', '.join(missing)}")


def _positions(assessments: pd.DataFrame, codes: Sequence[str], keys: Sequence[str],
               how: str) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Row and column of every usable rating, and its value."""
    _check(assessments, how)
    rows = positions_in(assessments["process_code"], codes)
    columns = positions_in(assessments["criterion_key"], keys)
    values = pd.to_numeric(assessments["value"], errors="coerce").to_numpy(dtype=np.float64)
    keep = (rows >= 0) & (columns >= 0) & ~np.isnan(values)
    return rows[keep], columns[keep], values[keep]


def _combine(cells: NDArray[np.int64], values: NDArray[np.float64], how: str,
             ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64],
                        NDArray[np.int64], NDArray[np.float64]]:
    """Per distinct cell: the cell, its combined value, its range, its number of values and
    its lowest value."""
    if cells.size == 0:
        empty = np.zeros(0)
        return np.zeros(0, dtype=np.int64), empty, empty, np.zeros(0, dtype=np.int64), empty
    order = np.lexsort((values, cells))
    cells, values = cells[order], values[order]
    starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
    counts = np.diff(np.r_[starts, cells.size])
    ranges = values[starts + counts - 1] - values[starts]
    if how == "median":
        combined = (values[starts + (counts - 1) // 2] + values[starts + counts // 2]) / 2
    else:
        combined = np.add.reduceat(values, starts) / counts
    return cells[starts], combined, ranges, counts.astype(np.int64), values[starts]
