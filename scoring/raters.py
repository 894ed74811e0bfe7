"""Several raters, one value: aggregation of assessments and the raters' disagreement.

Input: a long frame of assessments with columns ``process_code``, ``criterion_key``, ``value``
and ``rater`` (one row per rater, process and criterion; the inventory keeps one live row per
triple). Output: one row per process and criterion with

* ``value``: the median of the raters' values (default; robust to one outlying rater) or their
  arithmetic mean (``how="mean"``);
* ``spread``: the raters' range, ``max - min`` (0 with a single rater), in the criterion's
  own units; the disagreement shown beside the score;
* ``raters``: how many raters gave a value.

Source: group aggregation of individual judgements as in Belton and Stewart (2002) section 9.3;
the median as the robust choice follows Saaty and Vargas (2007) "Dispersion of group judgments",
Mathematical and Computer Modelling 46:918-925, on judgements too dispersed to be averaged.
"""

from __future__ import annotations

import pandas as pd

from scoring.errors import ScoringError

AGGREGATIONS = ("median", "mean")
_COLUMNS = ("process_code", "criterion_key", "value", "rater")


def aggregate(assessments: pd.DataFrame, how: str = "median") -> pd.DataFrame:
    """Per (``process_code``, ``criterion_key``): ``value``, ``spread`` and ``raters``."""
    if how not in AGGREGATIONS:
        raise ScoringError(f"Unknown aggregation {how!r}: use median or mean")
    missing = [c for c in _COLUMNS if c not in assessments.columns]
    if missing:
        raise ScoringError(f"Assessments need the columns {', '.join(_COLUMNS)}; "
                           f"missing {', '.join(missing)}")
    values = pd.to_numeric(assessments["value"], errors="coerce")
    frame = pd.DataFrame({"process_code": assessments["process_code"].astype(str),
                          "criterion_key": assessments["criterion_key"].astype(str),
                          "value": values}).dropna(subset=["value"])
    grouped = frame.groupby(["process_code", "criterion_key"], sort=True)["value"]
    return pd.DataFrame({
        "value": grouped.median() if how == "median" else grouped.mean(),
        "spread": grouped.max() - grouped.min(),
        "raters": grouped.size().astype("int64"),
    })
