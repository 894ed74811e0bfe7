"""A scenario: the choices leadership makes before a ranking (method, weights, policies,
which processes are in scope, and the constraints a portfolio must respect).

Scenarios are frozen values: change one with :meth:`Scenario.replace`, which returns a new
scenario, so two decisions can be held side by side and compared. :meth:`Scenario.to_dict` and
:meth:`Scenario.from_dict` turn one into plain JSON-ready data and back, checking every field.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

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

    @property
    def short_label(self) -> str:
        """The method's name alone, for a sentence ("Method: TOPSIS (was Weighted sum)")."""
        return METHOD_LABELS[self].split(" (", 1)[0]

    @classmethod
    def parse(cls, value: object) -> Method:
        """The method named ``value`` (any case), or a ScoringError that lists the methods."""
        try:
            return cls(str(value).lower())
        except ValueError:
            raise ScoringError(f"Unknown method {value!r}: use "
                               f"{', '.join(m.value for m in cls)}") from None


class Ideal(StrEnum):
    """What TOPSIS and VIKOR measure each process against (see :mod:`scoring.methods`).

    * ``declared`` (default): the best and worst values the criteria's scales declare, so a
      process's score depends on its own values only and adding or removing processes never
      re-orders the others (García-Cascales and Lamata 2012).
    * ``data``: the best and worst values among the processes ranked, as Hwang and Yoon (1981)
      and Opricovic and Tzeng (2004) publish the methods; adding or removing a process can
      then re-order the rest (rank reversal).
    """

    DECLARED = "declared"
    DATA = "data"

    @property
    def label(self) -> str:
        return IDEAL_LABELS[self]


IDEAL_LABELS = {
    Ideal.DECLARED: "the best and worst the criteria's scales declare",
    Ideal.DATA: "the best and worst of the processes ranked",
}

#: The methods that measure against an ideal (:class:`Ideal`).
IDEAL_METHODS = frozenset({Method.TOPSIS, Method.VIKOR})


METHOD_LABELS = {
    Method.WSM: "Weighted sum",
    Method.WPM: "Weighted product",
    Method.TOPSIS: "TOPSIS (closeness to the ideal)",
    Method.VIKOR: "VIKOR (compromise)",
    Method.WSJF: "WSJF (cost of delay / job size)",
    Method.VALUE_EFFORT: "Value / effort",
}


#: The transformation status of a process whose transformation is done.
COMPLETED = "completed"

#: Filter field -> the process frame column it reads.
_FILTER_COLUMNS = {"units": "unit", "pillars": "pillar", "priority_areas": "priority_area",
                   "statuses": "transformation_status", "levels": "level"}


@dataclass(frozen=True)
class Filters:
    """Which processes are in scope; an empty tuple means no restriction on that field.

    Fields match the process frame's columns: ``unit``, ``pillar``, ``priority_area``,
    ``transformation_status`` (statuses) and ``level`` (1 = top level).
    """

    units: tuple[str, ...] = ()
    pillars: tuple[str, ...] = ()
    priority_areas: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    levels: tuple[int, ...] = ()

    def apply(self, processes: pd.DataFrame) -> pd.DataFrame:
        """The processes in scope."""
        keep = pd.Series(True, index=processes.index)
        for name, column in _FILTER_COLUMNS.items():
            wanted = getattr(self, name)
            if not wanted:
                continue
            if column not in processes.columns:
                raise ScoringError(f"Cannot filter on {name}: the processes have no "
                                   f"{column!r} column")
            keep &= processes[column].isin(list(wanted))
        return processes[keep]

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in _FILTER_COLUMNS)


@dataclass(frozen=True)
class Constraints:
    """What a portfolio must respect: ``budget`` (CHF) and ``capacity`` (person-months per
    period), processes that must or must not be chosen, the ``deadline`` milestone (``C26``,
    ``PP-26`` or a date) by which chosen work should be done, and groups of mutually
    ``exclusive`` alternatives (at most one of each group is chosen). ``None`` = no limit."""

    budget: float | None = None
    capacity: float | None = None
    must_include: tuple[str, ...] = ()
    must_exclude: tuple[str, ...] = ()
    deadline: str | None = None
    exclusive: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        groups = tuple(tuple(str(code) for code in group) for group in self.exclusive)
        if any(len(group) < 2 for group in groups):
            raise ScoringError("Each group of mutually exclusive alternatives needs at least "
                               "two processes")
        object.__setattr__(self, "exclusive", groups)
        for name in ("budget", "capacity"):
            value = getattr(self, name)
            if value is not None and not _number(value, name) >= 0:
                raise ScoringError(f"{name} must be >= 0, got {value!r}")
        both = sorted(set(self.must_include) & set(self.must_exclude))
        if both:
            raise ScoringError(f"{both[0]!r} is both a must-include and a must-exclude")


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
    * ``ideal``: what TOPSIS and VIKOR measure against (:class:`Ideal`); the other methods
      ignore it.
    * ``impact_threshold`` / ``effort_threshold``: quadrant boundaries on the 0-1 impact and
      effort levels; ``quick_fix_effort``: effort level at or below which a quick win is also
      flagged as a quick-fix candidate.
    * ``include_unassessed``: rank processes with no assessment at all (their assessed
      criteria are then entirely imputed); by default they are listed as left out.
    * ``include_completed``: rank processes whose transformation status is ``completed``; by
      default they are done, so they are counted apart and not ranked among the work still to
      do (unless the scope's statuses name ``completed``; see :meth:`ranks_completed`).
    * ``uplift_round_cycles``: ``False`` (always, for new scenarios): processes on one cycle
      pass no uplift to each other (:mod:`scoring.uplift`). ``True`` is the convention of
      decisions frozen before that rule, in which value went round cycles and back; it is kept
      only so that their snapshots still reproduce exactly (:mod:`scoring.snapshot`).
    """

    name: str = "Default"
    method: Method = Method.WSM
    weights: Mapping[str, float] = field(default_factory=dict)
    aggregation: str = "median"
    missing: MissingPolicy | None = None
    uplift: float = 0.0
    vikor_v: float = 0.5
    ideal: Ideal = Ideal.DECLARED
    impact_threshold: float = 0.5
    effort_threshold: float = 0.5
    quick_fix_effort: float = 0.3
    include_unassessed: bool = False
    include_completed: bool = False
    uplift_round_cycles: bool = False
    filters: Filters = field(default_factory=Filters)
    constraints: Constraints = field(default_factory=Constraints)
    notes: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", Method.parse(self.method))
        try:
            object.__setattr__(self, "ideal", Ideal(str(self.ideal).lower()))
        except ValueError:
            raise ScoringError(f"Unknown ideal {self.ideal!r}: use "
                               f"{', '.join(i.value for i in Ideal)}") from None
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
        if not isinstance(self.uplift_round_cycles, bool):
            raise ScoringError(f"uplift_round_cycles must be true or false, got "
                               f"{self.uplift_round_cycles!r}")
        for name in ("vikor_v", "impact_threshold", "effort_threshold", "quick_fix_effort"):
            if not 0.0 <= _number(getattr(self, name), name) <= 1.0:
                raise ScoringError(f"{name} must be in [0, 1], got {getattr(self, name)!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready); :meth:`from_dict` reads it back unchanged."""
        data = dataclasses.asdict(self)
        data["method"] = self.method.value
        data["ideal"] = self.ideal.value
        data["missing"] = None if self.missing is None else self.missing.value
        data["weights"] = dict(self.weights)
        for part in ("filters", "constraints"):
            data[part] = {k: [list(x) if isinstance(x, tuple) else x for x in v]
                          if isinstance(v, tuple) else v for k, v in data[part].items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """A scenario from :meth:`to_dict`'s data; unknown or malformed fields are refused."""
        if not isinstance(data, Mapping):
            raise ScoringError("A scenario must be a mapping of fields")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ScoringError(f"Unknown scenario field {unknown[0]!r}; the fields are "
                               f"{', '.join(sorted(known))}")
        values = dict(data)
        values["filters"] = _part(Filters, values.get("filters") or {}, "filters")
        values["constraints"] = _part(Constraints, values.get("constraints") or {},
                                      "constraints")
        if not isinstance(values.get("weights", {}), Mapping):
            raise ScoringError("Scenario weights must map criterion keys to numbers")
        return cls(**values)

    @property
    def reorder_warning(self) -> str | None:
        """The warning owed wherever this scenario is used when its method measures each
        process against the others (TOPSIS or VIKOR against the data): ``None`` otherwise."""
        if self.ideal is not Ideal.DATA or self.method not in IDEAL_METHODS:
            return None
        return (f"{self.method.short_label} measures each process against "
                f"{Ideal.DATA.label}: adding or removing processes can re-order the rest; "
                "measuring against the declared scales avoids it")

    @property
    def ranks_completed(self) -> bool:
        """Whether completed processes are ranked: when asked to, or when the scope's
        statuses name ``completed`` (someone who picks that status wants to see them)."""
        return self.include_completed or COMPLETED in self.filters.statuses

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


def _part(kind: type[Any], data: Any, name: str) -> Any:
    """A :class:`Filters` or :class:`Constraints` from plain data; lists become tuples."""
    if not isinstance(data, Mapping):
        raise ScoringError(f"Scenario {name} must be a mapping of fields")
    known = {f.name for f in dataclasses.fields(kind)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ScoringError(f"Unknown {name} field {unknown[0]!r}; the fields are "
                           f"{', '.join(sorted(known))}")
    values = {k: tuple(v) if isinstance(v, list | tuple) else v for k, v in data.items()}
    return kind(**values)


def _number(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ScoringError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ScoringError(f"{what} must be a finite number, got {value!r}")
    return number
