"""Criteria: what a process is scored on, on which scale, from which source.

A criteria set is data: a YAML file (``data/criteria/dt-i.yaml`` is the default DT-I set) that
anyone can copy and edit without touching code. Each criterion declares

* ``key`` (``lower_snake_case``, the key assessments are stored under), ``label``, ``description``;
* ``group``: ``impact``, ``effort``, ``dependency`` or ``custom``;
* ``direction``: ``benefit`` (higher is better) or ``cost`` (lower is better);
* ``scale``: either anchored levels (``levels: {1: "sentence", ..., 5: "sentence"}``) or numeric
  bounds (``low``, ``high``, optional ``unit`` and ``log: true`` for quantities spanning orders of
  magnitude, such as yearly volumes or costs);
* ``source``: ``assessment`` (raters' values), ``field:NAME`` (a process field such as
  ``annual_volume``), ``graph:METRIC`` (a dependency metric such as ``downstream``) or
  ``cases:MEASURE`` (staff demand from the cases for change, :data:`DEMAND_MEASURES`);
* ``missing``: what an unknown value becomes, ``exclude``, ``midpoint``, ``worst`` or ``best``
  (never zero; see :mod:`scoring.ranking`);
* ``weight``: its default weight (non-negative; weights are normalised to sum 1 when used).

Values are put on a common 0-1 higher-is-better footing against the *declared* bounds (see
:mod:`scoring.normalize`), so adding or removing a process never moves the others.

Every malformed file raises :class:`CriteriaError` naming the file, the criterion and the field.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from scoring.errors import ScoringError

#: The criteria set used when none is named: data/criteria/dt-i.yaml beside the code.
DEFAULT_CRITERIA_FILE = Path(__file__).resolve().parent.parent / "data" / "criteria" / "dt-i.yaml"
#: The environment variable naming another criteria set (a YAML file) for the whole tool.
CRITERIA_VARIABLE = "DTI_CRITERIA"

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
E = TypeVar("E", bound=StrEnum)


class CriteriaError(ScoringError):
    """A criteria set that cannot be used as written."""


class Group(StrEnum):
    IMPACT = "impact"
    EFFORT = "effort"
    DEPENDENCY = "dependency"
    CUSTOM = "custom"


class Direction(StrEnum):
    BENEFIT = "benefit"
    COST = "cost"


class MissingPolicy(StrEnum):
    EXCLUDE = "exclude"
    MIDPOINT = "midpoint"
    WORST = "worst"
    BEST = "best"


class SourceKind(StrEnum):
    ASSESSMENT = "assessment"
    FIELD = "field"
    GRAPH = "graph"
    CASES = "cases"


#: What a ``cases:MEASURE`` source reads: staff demand for a process, from the cases for change
#: analysts accepted (or handed to an initiative) that concern it. A process no such case
#: concerns has 0 (known: nobody asked), never a missing value. Demand spans orders of
#: magnitude (one team or the whole house), so declare it on a ``log: true`` scale.
DEMAND_MEASURES = {
    "endorsements": "the people who endorsed those cases (each person once per process)",
    "cases": "the number of those cases",
}


@dataclass(frozen=True)
class Scale:
    """Declared bounds of a criterion's raw values.

    ``levels`` maps each anchored value to its sentence (empty for a numeric scale). With
    ``log`` the position on the scale is measured on ``log10(1 + value)``.
    """

    low: float
    high: float
    unit: str = ""
    levels: tuple[tuple[float, str], ...] = ()
    log: bool = False

    @property
    def anchored(self) -> bool:
        return bool(self.levels)

    def describe(self) -> str:
        if self.anchored:
            return f"anchored {self.low:g}-{self.high:g}"
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.low:g}-{self.high:g}{unit}" + (" (log)" if self.log else "")

    def anchor(self, value: float) -> str:
        """The sentence of the anchored level ``value`` ('' when there is none)."""
        return dict(self.levels).get(value, "")


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    group: Group
    direction: Direction
    scale: Scale
    source: SourceKind
    source_name: str
    missing: MissingPolicy
    weight: float
    description: str = ""

    @property
    def benefit(self) -> bool:
        return self.direction is Direction.BENEFIT

    @property
    def source_label(self) -> str:
        if self.source is SourceKind.ASSESSMENT:
            return "assessment"
        return f"{self.source}:{self.source_name}"


@dataclass(frozen=True)
class CriteriaSet:
    name: str
    criteria: tuple[Criterion, ...]
    description: str = ""

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.criteria]

    def get(self, key: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise CriteriaError(
            f"Unknown criterion {key!r}: the criteria set {self.name!r} has "
            f"{', '.join(self.keys)}")

    def weights(self) -> dict[str, float]:
        return {c.key: c.weight for c in self.criteria}

    def assessed(self) -> list[Criterion]:
        """The criteria raters score (source ``assessment``)."""
        return [c for c in self.criteria if c.source is SourceKind.ASSESSMENT]

    def rating_problem(self, key: str, value: float, low: float | None = None,
                       high: float | None = None) -> tuple[str, str] | None:
        """What keeps a rater's ``value`` for criterion ``key`` (with its optional plausible
        range ``low``-``high``) out of this set, as (the field at fault, a sentence saying how to
        fix it), or ``None`` when it fits.

        The rule every assessment obeys, whichever way it arrives: ``key`` is a criterion of
        the set whose source is ``assessment`` (raters score it), and each number given is
        finite and within the criterion's declared scale, both bounds included (values between
        anchored levels are allowed, as a median of raters can be)."""
        rated = ", ".join(c.key for c in self.assessed())
        if key not in self.keys:
            return "criterion_key", (f"unknown criterion {key!r}: raters score {rated} in the "
                                     f"criteria set {self.name!r}")
        criterion = self.get(key)
        if criterion.source is not SourceKind.ASSESSMENT:
            return "criterion_key", (f"{key!r} is not rated by people (its source is "
                                     f"{criterion.source_label}); rate one of {rated}")
        scale = criterion.scale
        for field, number in (("value", value), ("low", low), ("high", high)):
            if number is not None and not (math.isfinite(number)
                                           and scale.low <= number <= scale.high):
                return field, (f"the {field} of {key} must be a number from {scale.low:g} to "
                               f"{scale.high:g}, its scale; got {number:g}")
        return None

    def in_group(self, group: Group) -> list[Criterion]:
        return [c for c in self.criteria if c.group is group]

    def to_dict(self) -> dict[str, Any]:
        """The set as plain data in the file's own shape; :func:`criteria_from_dict` reads it
        back to an equal set (used to freeze the criteria inside a decision snapshot)."""
        return {"name": self.name, "description": self.description, "criteria": [
            {"key": c.key, "label": c.label, "description": c.description,
             "group": c.group.value, "direction": c.direction.value,
             "source": c.source_label, "missing": c.missing.value, "weight": c.weight,
             "scale": ({"levels": {f"{v:g}": text for v, text in c.scale.levels}}
                       if c.scale.anchored else
                       {"low": c.scale.low, "high": c.scale.high, "unit": c.scale.unit,
                        "log": c.scale.log})}
            for c in self.criteria]}


def load_criteria(path: str | Path | None = None) -> CriteriaSet:
    """Read and check a criteria set from a YAML file (the default DT-I set when ``None``)."""
    file = Path(path) if path is not None else DEFAULT_CRITERIA_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CriteriaError(f"Criteria file {str(file)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CriteriaError(f"Criteria file {str(file)!r} cannot be read: {exc}") from None
    return parse_criteria(text, origin=file.name)


def criteria_in_use() -> CriteriaSet:
    """The criteria set of the whole tool: the file named by ``$DTI_CRITERIA``, else the
    default DT-I set. The pages, the services' checks of assessments and the command line
    (unless given ``--criteria``) all use it."""
    return load_criteria(os.environ.get(CRITERIA_VARIABLE) or None)


def parse_criteria(text: str, origin: str = "criteria") -> CriteriaSet:
    """Check a criteria set written as YAML text; ``origin`` names it in messages."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CriteriaError(f"{origin}: not valid YAML{where}; check the indentation") from None
    return criteria_from_dict(document, origin)


def criteria_from_dict(document: Any, origin: str = "criteria") -> CriteriaSet:
    """Check a criteria set given as plain data (a parsed YAML file or :meth:`CriteriaSet.
    to_dict`'s output)."""
    if not isinstance(document, dict) or not isinstance(document.get("criteria"), list):
        raise CriteriaError(f"{origin}: expected a 'criteria:' list of criteria")
    if not document["criteria"]:
        raise CriteriaError(f"{origin}: the 'criteria:' list is empty")
    criteria = tuple(_criterion(item, origin, i + 1)
                     for i, item in enumerate(document["criteria"]))
    seen: set[str] = set()
    for criterion in criteria:
        if criterion.key in seen:
            raise CriteriaError(f"{origin}: criterion key {criterion.key!r} appears twice")
        seen.add(criterion.key)
    if not any(c.weight > 0 for c in criteria):
        raise CriteriaError(f"{origin}: every weight is 0; give at least one criterion a weight")
    return CriteriaSet(name=str(document.get("name") or origin),
                       description=str(document.get("description") or ""), criteria=criteria)


_FIELDS = {"key", "label", "description", "group", "direction", "scale", "source", "missing",
           "weight"}


def _criterion(item: Any, origin: str, position: int) -> Criterion:
    if not isinstance(item, dict):
        raise CriteriaError(f"{origin}: criterion {position} must be a mapping of fields")
    key = item.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise CriteriaError(f"{origin}: criterion {position} needs a 'key' in lower_snake_case "
                            f"(letters, digits, underscores), got {key!r}")
    where = f"{origin}: criterion {key!r}"
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise CriteriaError(f"{where}: unknown field {unknown[0]!r}; the fields are "
                            f"{', '.join(sorted(_FIELDS))}")
    weight = item.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int | float) \
            or not math.isfinite(weight) or weight < 0:
        raise CriteriaError(f"{where}: 'weight' must be a number >= 0, got {weight!r}")
    source, source_name = _source(item.get("source", "assessment"), where)
    return Criterion(
        key=key,
        label=str(item.get("label") or key.replace("_", " ").capitalize()),
        description=str(item.get("description") or "").strip(),
        group=_choice(Group, item.get("group", "custom"), "group", where),
        direction=_choice(Direction, item.get("direction", "benefit"), "direction", where),
        scale=_scale(item.get("scale"), where),
        source=source, source_name=source_name,
        missing=_choice(MissingPolicy, item.get("missing", "midpoint"), "missing", where),
        weight=float(weight),
    )


def _choice(enum: type[E], value: Any, field: str, where: str) -> E:
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise CriteriaError(f"{where}: {field} {value!r} is not one of {allowed}") from None


def _source(value: Any, where: str) -> tuple[SourceKind, str]:
    text = str(value).strip()
    kind, _, name = text.partition(":")
    try:
        source = SourceKind(kind.strip().lower())
    except ValueError:
        raise CriteriaError(f"{where}: source {text!r} must be 'assessment', 'field:NAME', "
                            "'graph:METRIC' or 'cases:MEASURE'") from None
    name = name.strip()
    if source is not SourceKind.ASSESSMENT and not name:
        raise CriteriaError(f"{where}: source {text!r} must name the {source.value}, "
                            f"as in '{source.value}:NAME'")
    if source is SourceKind.CASES and name not in DEMAND_MEASURES:
        raise CriteriaError(f"{where}: source {text!r} reads no staff demand measure; write "
                            + " or ".join(f"'cases:{m}'" for m in DEMAND_MEASURES))
    return source, name


def _number(value: Any, field: str, where: str) -> float:
    if isinstance(value, str):  # level keys read back from JSON, where keys are text
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CriteriaError(f"{where}: scale {field} must be a number, got {value!r}")
    return float(value)


def _scale(value: Any, where: str) -> Scale:
    if not isinstance(value, dict):
        raise CriteriaError(f"{where}: needs a 'scale' with anchored 'levels' or numeric "
                            "'low' and 'high'")
    levels_in = value.get("levels")
    if levels_in is not None:
        if not isinstance(levels_in, dict) or len(levels_in) < 2:
            raise CriteriaError(f"{where}: scale levels must map at least two values to "
                                "their sentences, as in '1: Negligible'")
        levels = tuple(sorted((_number(k, "level", where), str(v).strip())
                              for k, v in levels_in.items()))
        return Scale(low=levels[0][0], high=levels[-1][0], unit=str(value.get("unit") or ""),
                     levels=levels)
    low = _number(value.get("low"), "low", where)
    high = _number(value.get("high"), "high", where)
    if high <= low:
        raise CriteriaError(f"{where}: scale high ({high:g}) must be above low ({low:g})")
    log = bool(value.get("log", False))
    if log and low < 0:
        raise CriteriaError(f"{where}: a log scale needs low >= 0, got {low:g}")
    return Scale(low=low, high=high, unit=str(value.get("unit") or ""), log=log)
