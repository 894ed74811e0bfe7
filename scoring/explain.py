"""Why a process ranks where it does, criterion by criterion, alone or against another.

A contribution is ``weight x normalised value`` (weights normalised to sum 1 over the criteria
the process has a value for; normalised values on the declared scale, 1 = best). Under the
weighted sum the contributions plus the dependency uplift add up to the score, so the lines of
:func:`explain` add up to the gap between two scores. Under the other methods the score
combines the same evidence non-linearly; the lines still show which criteria favour which
process, and the summary says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.criteria import Criterion
from scoring.ranking import UPLIFT, Ranking
from scoring.scenario import Method

UPLIFT_LABEL = "Dependency uplift"
_SHOWN = 3  # criteria named in a summary, per side


@dataclass(frozen=True)
class Explanation:
    """``lines``: one row per criterion (and the uplift), largest effect first. For one
    process: ``criterion``, ``label``, ``group``, ``value``, ``level`` (the anchored sentence
    or the value with its unit), ``imputed``, ``raters``, ``spread``, ``weight``,
    ``contribution``. Against another: the same with ``_a`` and ``_b`` suffixes and
    ``difference`` (a minus b). ``summary``: the same in one or two sentences."""

    lines: pd.DataFrame
    summary: str


def explain(ranking: Ranking, code: str, versus: str | None = None) -> Explanation:
    """Explain ``code``'s score, or why it ranks above or below ``versus``."""
    ranking.require(code)
    if versus is None:
        lines = _lines(ranking, code).sort_values(
            ["contribution", "criterion"], ascending=[False, True], key=_abs_if_numeric)
        return Explanation(lines.reset_index(drop=True), _summary_one(ranking, code, lines))
    ranking.require(versus)
    a, b = _lines(ranking, code), _lines(ranking, versus)
    shared = ["criterion", "label", "group"]
    lines = a.merge(b, on=shared, suffixes=("_a", "_b"))
    lines["difference"] = lines["contribution_a"] - lines["contribution_b"]
    lines = lines.sort_values(["difference", "criterion"], ascending=[False, True],
                              key=_abs_if_numeric).reset_index(drop=True)
    return Explanation(lines, _summary_pair(ranking, code, versus, lines))


def _abs_if_numeric(column: pd.Series) -> pd.Series:
    return column.abs() if column.dtype.kind == "f" else column


def _lines(ranking: Ranking, code: str) -> pd.DataFrame:
    raw = ranking.raw.loc[code].to_numpy(dtype=np.float64)
    imputed = ranking.imputed.loc[code].to_numpy(dtype=bool)
    raters = ranking.raters.loc[code].to_numpy(dtype=np.int64)
    spread = ranking.spread.loc[code].to_numpy(dtype=np.float64)
    contributions = ranking.contributions.loc[code].to_numpy(dtype=np.float64)
    rows = []
    for j, criterion in enumerate(ranking.criteria.criteria):
        value = float(raw[j])
        rows.append({
            "criterion": criterion.key, "label": criterion.label,
            "group": criterion.group.value, "value": value, "level": _level(criterion, value),
            "imputed": bool(imputed[j]), "raters": int(raters[j]), "spread": float(spread[j]),
            "weight": float(ranking.weights.iloc[j]), "contribution": float(contributions[j]),
        })
    rows.append({"criterion": UPLIFT, "label": UPLIFT_LABEL, "group": "dependency",
                 "value": np.nan, "level": "", "imputed": False, "raters": 0,
                 "spread": np.nan, "weight": ranking.scenario.uplift,
                 "contribution": float(contributions[-1])})
    return pd.DataFrame(rows)


def _level(criterion: Criterion, value: float) -> str:
    """The anchored sentence of ``value``, or the value with its unit; 'unknown' for NaN."""
    if np.isnan(value):
        return "unknown"
    sentence = criterion.scale.anchor(value)
    if sentence:
        return sentence
    unit = f" {criterion.scale.unit}" if criterion.scale.unit else ""
    number = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return f"{number}{unit}"


def _row(ranking: Ranking, code: str) -> pd.Series:
    return ranking.table.loc[ranking.table["code"] == code].iloc[0]


def _method_note(ranking: Ranking) -> str:
    if ranking.scenario.method is Method.WSM:
        return ""
    return (f" Under {ranking.scenario.method.label} the score combines these contributions "
            "non-linearly, so they show the direction, not the exact gap.")


def _summary_one(ranking: Ranking, code: str, lines: pd.DataFrame) -> str:
    row = _row(ranking, code)
    top = lines[lines["contribution"] > 0].head(_SHOWN)
    parts = ", ".join(f"{r.label} {r.contribution:.3f}" for r in top.itertuples())
    imputed = lines.loc[lines["imputed"], "label"].tolist()
    text = (f"{code} ranks {row['rank']} of {len(ranking.table)} with score "
            f"{row['score']:.3f}; most of it comes from {parts or 'no criterion'}.")
    if imputed:
        text += f" Unknown, taken by the missing-value policy: {', '.join(imputed)}."
    if row["best_rank"] != row["worst_rank"]:
        text += (f" Given the values still unknown it could rank from {row['best_rank']} to "
                 f"{row['worst_rank']}." if row["bounds_exact"] else
                 f" Given the values still unknown it ranks within {row['best_rank']} to "
                 f"{row['worst_rank']} (outer bounds: the ends may not be reached).")
    return text + _method_note(ranking)


def _summary_pair(ranking: Ranking, a: str, b: str, lines: pd.DataFrame) -> str:
    row_a, row_b = _row(ranking, a), _row(ranking, b)
    gap = float(row_a["score"] - row_b["score"])
    if row_a["rank"] == row_b["rank"]:
        relation = "ties with"
    else:
        relation = "is above" if row_a["rank"] < row_b["rank"] else "is below"
    text = (f"{a} (rank {row_a['rank']}, score {row_a['score']:.3f}) {relation} {b} "
            f"(rank {row_b['rank']}, score {row_b['score']:.3f}), a gap of {gap:+.3f}.")
    favour = lines[lines["difference"] > 1e-12].head(_SHOWN)
    against = lines[lines["difference"] < -1e-12].head(_SHOWN)
    if not favour.empty:
        text += f" For {a}: " + ", ".join(
            f"{r.label} {r.difference:+.3f}" for r in favour.itertuples()) + "."
    if not against.empty:
        text += f" For {b}: " + ", ".join(
            f"{r.label} {r.difference:+.3f}" for r in against.itertuples()) + "."
    return text + _method_note(ranking)
