"""A scenario: the choices leadership makes before a ranking (method, weights, policies).

Scenarios are frozen values: change one with :meth:`Scenario.replace`, which returns a new
scenario, so two decisions can be held side by side and compared.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from scoring.criteria import CriteriaSet, MissingPolicy
from scoring.errors import ScoringError


class Method(StrEnum):
    """Ranking methods; see :mod:`scoring.methods` for each one's source and convention."""

    WSM = "wsm"
    WPM = "wpm"
    TOPSIS = "topsis"
    VIKOR = "vikor"
    WSJF = "wsjf"
    VALUE_EFFORT = "value_effort"

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


METHOD_LABELS = {
    Method.WSM: "Weighted sum",
    Method.WPM: "Weighted product",
    Method.TOPSIS: "TOPSIS (closeness to the ideal)",
    Method.VIKOR: "VIKOR (compromise)",
    Method.WSJF: "WSJF (cost of delay / job size)",
    Method.VALUE_EFFORT: "Value / effort",
}


@dataclass(frozen=True)
class Scenario:
    """What to rank and how.

    * ``weights``: criterion key -> weight (>= 0); criteria not named keep the weight their
      criteria set gives them. Weights are normalised to sum 1 when scores are computed.
    * ``aggregation``: ``median`` (default) or ``mean`` of several raters.
    * ``missing``: when set, replaces every criterion's own missing-value policy.
    * ``uplift``: dependency-aware value factor in [0, 1); 0 switches it off (see
      :mod:`scoring.uplift`).
    * ``vikor_v``: weight of the group-utility strategy in VIKOR, in [0, 1].
    * ``impact_threshold`` / ``effort_threshold``: quadrant boundaries on the 0-1 impact and
      effort levels; ``quick_fix_effort``: effort level at or below which a quick win is also
      flagged as a quick-fix candidate.
    * ``include_unassessed``: rank processes with no assessment at all (their assessed
      criteria are then entirely imputed); by default they are listed as left out.
    """

    name: str = "Default"
    method: Method = Method.WSM
    weights: Mapping[str, float] = field(default_factory=dict)
    aggregation: str = "median"
    missing: MissingPolicy | None = None
    uplift: float = 0.0
    vikor_v: float = 0.5
    impact_threshold: float = 0.5
    effort_threshold: float = 0.5
    quick_fix_effort: float = 0.3
    include_unassessed: bool = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "method", Method(str(self.method).lower()))
        except ValueError:
            raise ScoringError(f"Unknown method {self.method!r}: use "
                               f"{', '.join(m.value for m in Method)}") from None
        if self.missing is not None:
            try:
                object.__setattr__(self, "missing", MissingPolicy(str(self.missing).lower()))
            except ValueError:
                raise ScoringError(f"Unknown missing-value policy {self.missing!r}: use "
                                   f"{', '.join(p.value for p in MissingPolicy)}") from None
        if self.aggregation not in ("median", "mean"):
            raise ScoringError(f"Unknown aggregation {self.aggregation!r}: use median or mean")
        weights = {}
        for key, value in dict(self.weights).items():
            number = _number(value, f"weight of {key!r}")
            if number < 0:
                raise ScoringError(f"Weight of {key!r} must be >= 0, got {number:g}")
            weights[str(key)] = number
        object.__setattr__(self, "weights", dict(sorted(weights.items())))
        if not 0.0 <= _number(self.uplift, "uplift") < 1.0:
            raise ScoringError(f"Dependency uplift must be in [0, 1), got {self.uplift!r}")
        for name in ("vikor_v", "impact_threshold", "effort_threshold", "quick_fix_effort"):
            if not 0.0 <= _number(getattr(self, name), name) <= 1.0:
                raise ScoringError(f"{name} must be in [0, 1], got {getattr(self, name)!r}")

    def replace(self, **changes: Any) -> Scenario:
        """A copy with ``changes`` applied (and checked)."""
        return dataclasses.replace(self, **changes)

    def weights_for(self, criteria: CriteriaSet) -> dict[str, float]:
        """Each criterion's weight in this scenario (before normalisation), in criteria order."""
        unknown = sorted(set(self.weights) - set(criteria.keys))
        if unknown:
            raise ScoringError(f"Unknown criterion {unknown[0]!r} in the weights: the criteria "
                               f"are {', '.join(criteria.keys)}")
        weights = {c.key: self.weights.get(c.key, c.weight) for c in criteria.criteria}
        if not any(w > 0 for w in weights.values()):
            raise ScoringError("Every weight is 0: give at least one criterion a weight")
        return weights


def _number(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ScoringError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ScoringError(f"{what} must be a finite number, got {value!r}")
    return number
