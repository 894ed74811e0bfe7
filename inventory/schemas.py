"""Value objects that cross package boundaries: the catalogue's vocabularies and validated inputs.

Conventions
-----------
* Every vocabulary is a ``StrEnum`` whose *value* is the stable machine word stored in the
  database and written in exports (``not_started``), and whose ``label`` is the phrase users read
  (``Not started``). The words are the DT-I documents' own (listed in the README, "The process
  catalogue"): the five pillars, the three 2026 priority areas, the roadmap statuses
  Completed / Ongoing / Planned / Revised, and the milestones C26 and PP-26.
* :func:`parse_choice` accepts a value or a label in any case, with or without accents, spaces or
  hyphens, and a few synonyms; an unknown word gets a did-you-mean suggestion.
* Input models are pydantic v2 models. Their error messages are written for business analysts and
  turned into one readable line by :func:`describe_validation_error`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)


class Choice(StrEnum):
    """A vocabulary: machine value plus human label (the value in sentence case by default)."""

    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("_", " ").capitalize())

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        """Extra words users write for a value (normalised form -> value)."""
        return {}


class UnitKind(Choice):
    GS_DEPARTMENT = "gs_department"
    BUREAU = "bureau"
    OTHER = "other"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"department": "gs_department", "general_secretariat": "gs_department",
                "gs": "gs_department", "sector": "bureau"}


class Pillar(Choice):
    GOVERNANCE = "governance"
    MEMBERS_AND_PARTNERS = "members_and_partners"
    PEOPLE_AND_CULTURE = "people_and_culture"
    RESOURCE_OPTIMISATION = "resource_optimisation"
    SYSTEMS_PROCESSES_AND_TOOLS = "systems_processes_and_tools"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"resource_optimization": "resource_optimisation",
                "members_partners": "members_and_partners",
                "people_culture": "people_and_culture",
                "systems_processes_tools": "systems_processes_and_tools"}


class PriorityArea(Choice):
    MEMBER_EXPERIENCE = "member_experience"
    OPERATIONAL_EFFICIENCY = "operational_efficiency"
    STAFF_EMPOWERMENT = "staff_empowerment"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"enhancing_member_experience": "member_experience",
                "boosting_operational_efficiency_and_impact": "operational_efficiency",
                "operational_efficiency_and_impact": "operational_efficiency",
                "empowering_staff": "staff_empowerment"}


class ProcessType(Choice):
    CORE = "core"
    ENABLING = "enabling"
    MANAGEMENT = "management"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"support": "enabling", "supporting": "enabling", "operational": "core"}


class Lifecycle(Choice):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    VALIDATED = "validated"
    RETIRED = "retired"


class TransformationStatus(Choice):
    NOT_STARTED = "not_started"
    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    REVISED = "revised"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"in_progress": "ongoing", "started": "ongoing", "done": "completed",
                "complete": "completed", "todo": "not_started", "new": "not_started"}


class DependencyKind(Choice):
    INFORMATION = "information"
    HANDOFF = "handoff"
    SHARED_SYSTEM = "shared_system"
    SHARED_RESOURCE = "shared_resource"
    POLICY = "policy"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"data": "information", "information_data": "information",
                "hand_off": "handoff", "trigger": "handoff", "hand_off_trigger": "handoff",
                "system": "shared_system", "resource": "shared_resource", "rule": "policy",
                "policy_rule": "policy"}


class KpiDirection(Choice):
    HIGHER = "higher"
    LOWER = "lower"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"higher_is_better": "higher", "up": "higher", "increase": "higher",
                "lower_is_better": "lower", "down": "lower", "decrease": "lower"}


C = TypeVar("C", bound=Choice)

_LABELS: dict[Choice, str] = {
    UnitKind.GS_DEPARTMENT: "General Secretariat department",
    Pillar.MEMBERS_AND_PARTNERS: "Members and partners",
    Pillar.PEOPLE_AND_CULTURE: "People and culture",
    Pillar.RESOURCE_OPTIMISATION: "Resource optimisation",
    Pillar.SYSTEMS_PROCESSES_AND_TOOLS: "Systems, processes and tools",
    PriorityArea.MEMBER_EXPERIENCE: "Enhancing member experience",
    PriorityArea.OPERATIONAL_EFFICIENCY: "Boosting operational efficiency and impact",
    PriorityArea.STAFF_EMPOWERMENT: "Empowering staff",
    DependencyKind.INFORMATION: "Information / data",
    DependencyKind.HANDOFF: "Hand-off / trigger",
    DependencyKind.POLICY: "Policy / rule",
    KpiDirection.HIGHER: "Higher is better",
    KpiDirection.LOWER: "Lower is better",
}

DIGITAL_MATURITY_LEVELS: dict[int, str] = {
    1: "Manual: paper, e-mail and personal spreadsheets; no shared record of the work.",
    2: "Partly digital: some steps in a system, hand-offs still by e-mail or paper.",
    3: "Digital but siloed: every step in a system, but systems do not talk to each other.",
    4: "Integrated: end-to-end digital workflow with shared data and no re-keying.",
    5: "Data-driven: measured and continuously improved with analytics and automation.",
}

MILESTONES: dict[str, str] = {
    "C26": "Council 2026",
    "PP-26": "Plenipotentiary Conference 2026",
}

DEPENDENCY_STRENGTHS: dict[int, str] = {1: "weak", 2: "moderate", 3: "strong"}


def _normalise_word(text: str) -> str:
    """Lower case, accents stripped, every run of non-alphanumerics as one underscore."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.casefold()).strip("_")


@functools.cache
def _words(kind: type[Choice]) -> dict[str, str]:
    """Every way of writing a member of ``kind`` (normalised) -> its value."""
    lookup: dict[str, str] = {}
    for member in kind:
        lookup[_normalise_word(member.value)] = member.value
        lookup[_normalise_word(member.label)] = member.value
    lookup.update(kind.synonyms())
    return lookup


def parse_choice(kind: type[C], raw: object) -> C:
    """Read ``raw`` as a member of ``kind`` by value, label or synonym, else ``ValueError``."""
    if isinstance(raw, kind):
        return raw
    word = _normalise_word(str(raw))
    lookup = _words(kind)
    if word in lookup:
        return kind(lookup[word])
    allowed = ", ".join(m.value for m in kind)
    close = difflib.get_close_matches(word, list(lookup), n=1, cutoff=0.6)
    hint = f". Did you mean '{lookup[close[0]]}'?" if close else ""
    raise ValueError(f"'{raw}' is not one of: {allowed}{hint}")


def parse_milestone(raw: object) -> str:
    """A target milestone: ``C26``, ``PP-26`` or an ISO date ``YYYY-MM-DD``."""
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).strip()
    word = _normalise_word(text).replace("_", "")
    for code, name in MILESTONES.items():
        if word in (_normalise_word(code).replace("_", ""), _normalise_word(name).replace("_", "")):
            return code
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ValueError(f"'{raw}' is not a milestone: write C26, PP-26 or a date as YYYY-MM-DD.")


def split_list(raw: object) -> list[str]:
    """A list cell: items separated by ';' (or given as a list); blanks and repeats dropped."""
    items = raw if isinstance(raw, list | tuple) else re.split(r"[;\n]", str(raw))
    seen: dict[str, None] = {}
    for item in items:
        text = str(item).strip()
        if text:
            seen.setdefault(text, None)
    return list(seen)


def _blank_to_none(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from a spreadsheet cell
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _spreadsheet_precision(value: float) -> float:
    """Keep 15 significant digits, as spreadsheets do, so a value survives export and import."""
    return float(f"{value:.15g}")


Number = Annotated[float, AfterValidator(_spreadsheet_precision)]

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$"


def same_code(first: str, second: str) -> bool:
    """Codes of units and processes are one code whatever their case (``hr-rec`` is
    ``HR-REC``): stored as first typed, unique and looked up without regard to case."""
    return first.strip().casefold() == second.strip().casefold()


def person_key(name: str) -> str:
    """A person's name as compared: case and runs of spaces ignored (``ana  Silva`` is
    ``Ana Silva``), so one rater is never split in two by a typing slip."""
    return " ".join(name.split()).casefold()


SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")  # alphabets whose letters look alike


def tidy_name(raw: Any) -> Any:
    """A typed name that identifies a person, in one form: Unicode NFC, invisible characters
    (zero-width spaces, direction marks: category Cf) and control characters removed, runs of
    spaces collapsed to one. A name mixing Latin, Cyrillic or Greek letters (``\\u0430na``,
    whose first letter is Cyrillic) is refused: it would look like someone else (Unicode
    TR 39, "mixed-script confusables"). Other values are returned unchanged."""
    if not isinstance(raw, str):
        return raw
    text = "".join(character for character in unicodedata.normalize("NFC", raw)
                   if unicodedata.category(character) not in ("Cf", "Cc"))
    scripts = {unicodedata.name(character, "").split(" ")[0] for character in text
               if character.isalpha()} & set(SCRIPTS)
    if len(scripts) > 1:
        mixed = " and ".join(sorted(script.capitalize() for script in scripts))
        raise ValueError(f"{raw!r} mixes {mixed} letters, which makes it look like another "
                         "name; type it in one alphabet")
    return " ".join(text.split())


MAX_INTEGER = 2_147_483_647  # the largest whole number both databases store in an integer column

NAME_LENGTH = 1_000
"""Most characters in a name or a reference (process, unit, owners, external reference): real
frameworks have long ones (an APQC industry PCF names a process in 209 characters)."""
KPI_NAME_LENGTH = 500
"""Most characters in a KPI name. It is unique within its process, so PostgreSQL indexes it,
and an index entry holds at most 2,704 bytes: 500 characters fit whatever the script (four
bytes each at most in UTF-8)."""


class _Input(BaseModel):
    """Shared behaviour: strip text, empty text means unknown, unknown fields refused, numbers
    finite (``inf``, ``1e309`` and ``nan`` typed as text are refused), no NUL character in text
    (PostgreSQL cannot store one), lengths and ranges that both databases accept."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True,
                              allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: _blank_to_none(value) for key, value in data.items()}
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("holds a NUL character (\\x00), which no text may hold; remove it")
        return value


class UnitIn(_Input):
    code: str = Field(min_length=1, max_length=20, pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    kind: UnitKind = UnitKind.GS_DEPARTMENT

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> UnitKind:
        return parse_choice(UnitKind, value) if value is not None else UnitKind.GS_DEPARTMENT


class ProcessIn(_Input):
    """Everything Phase 1 asks to know about a process; only code, name and unit are required."""

    code: str = Field(min_length=1, max_length=40, pattern=CODE_PATTERN)
    parent_code: str | None = None
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    description: str | None = None
    unit: str = Field(min_length=1)
    process_owner: str | None = Field(default=None, max_length=NAME_LENGTH)
    change_owner: str | None = Field(default=None, max_length=NAME_LENGTH)
    pillar: Pillar | None = None
    priority_area: PriorityArea | None = None
    process_type: ProcessType | None = None
    lifecycle: Lifecycle = Lifecycle.DRAFT
    transformation_status: TransformationStatus = TransformationStatus.NOT_STARTED
    digital_maturity: int | None = Field(default=None, ge=1, le=5)
    annual_volume: int | None = Field(default=None, ge=0, le=MAX_INTEGER)
    staff_effort_fte: Number | None = Field(default=None, ge=0)
    cycle_time_days: Number | None = Field(default=None, ge=0)
    pain_points: str | None = None
    systems_used: str | None = None
    stakeholders: str | None = None
    quick_fix_candidate: bool = False
    earliest_start: dt.date | None = None
    target_milestone: str | None = Field(default=None, max_length=20)
    estimated_cost_chf: Number | None = Field(default=None, ge=0)
    estimated_effort_pm: Number | None = Field(default=None, ge=0)
    resources_needed: str | None = None
    related_initiatives: str | None = None
    external_reference: str | None = Field(default=None, max_length=NAME_LENGTH)
    tags: str | None = None

    @field_validator("pillar", mode="before")
    @classmethod
    def _pillar(cls, value: Any) -> Pillar | None:
        return None if value is None else parse_choice(Pillar, value)

    @field_validator("priority_area", mode="before")
    @classmethod
    def _priority_area(cls, value: Any) -> PriorityArea | None:
        return None if value is None else parse_choice(PriorityArea, value)

    @field_validator("process_type", mode="before")
    @classmethod
    def _process_type(cls, value: Any) -> ProcessType | None:
        return None if value is None else parse_choice(ProcessType, value)

    @field_validator("lifecycle", mode="before")
    @classmethod
    def _lifecycle(cls, value: Any) -> Lifecycle:
        return Lifecycle.DRAFT if value is None else parse_choice(Lifecycle, value)

    @field_validator("transformation_status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> TransformationStatus:
        if value is None:
            return TransformationStatus.NOT_STARTED
        return parse_choice(TransformationStatus, value)

    @field_validator("quick_fix_candidate", mode="before")
    @classmethod
    def _quick_fix(cls, value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        word = _normalise_word(str(value))
        if word in {"true", "yes", "y", "1", "x", "oui"}:
            return True
        if word in {"false", "no", "n", "0", "non"}:
            return False
        raise ValueError(f"'{value}' is not yes or no: write true or false.")

    @field_validator("digital_maturity", "annual_volume", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.0+)?\s*", value):
            return int(float(value))
        return value

    @field_validator("target_milestone", mode="before")
    @classmethod
    def _milestone(cls, value: Any) -> str | None:
        return None if value is None else parse_milestone(value)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> str | None:
        if value is None:
            return None
        tags = split_list([tag.lower() for tag in split_list(value)])
        return "; ".join(tags) or None

    @model_validator(mode="after")
    def _not_own_parent(self) -> ProcessIn:
        if self.parent_code is not None and same_code(self.parent_code, self.code):
            raise ValueError(f"process {self.code} cannot be its own parent")
        return self


class DependencyIn(_Input):
    """The downstream process depends on (receives from) the upstream one."""

    upstream_code: str = Field(min_length=1)
    downstream_code: str = Field(min_length=1)
    kind: DependencyKind = DependencyKind.INFORMATION
    strength: int = Field(default=2, ge=1, le=3)
    note: str | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> DependencyKind:
        return DependencyKind.INFORMATION if value is None else parse_choice(DependencyKind, value)

    @field_validator("strength", mode="before")
    @classmethod
    def _strength(cls, value: Any) -> Any:
        if value is None:
            return 2
        if isinstance(value, float) and value.is_integer():
            return int(value)
        named = {name: level for level, name in DEPENDENCY_STRENGTHS.items()}
        return named.get(_normalise_word(str(value)), value)

    @model_validator(mode="after")
    def _not_self(self) -> DependencyIn:
        if same_code(self.upstream_code, self.downstream_code):
            raise ValueError(f"a process cannot depend on itself ({self.upstream_code})")
        return self


class KpiIn(_Input):
    """A performance target: where the process stands (baseline) and should get to (target)."""

    process_code: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=KPI_NAME_LENGTH)
    unit_of_measure: str | None = Field(default=None, max_length=60)
    direction: KpiDirection = KpiDirection.HIGHER
    baseline: Number | None = None
    target: Number | None = None
    target_date: dt.date | None = None
    source: str | None = None

    @field_validator("direction", mode="before")
    @classmethod
    def _direction(cls, value: Any) -> KpiDirection:
        return KpiDirection.HIGHER if value is None else parse_choice(KpiDirection, value)

    @model_validator(mode="after")
    def _target_improves(self) -> KpiIn:
        if self.baseline is None or self.target is None:
            return self
        worse = (self.target < self.baseline) if self.direction is KpiDirection.HIGHER \
            else (self.target > self.baseline)
        if worse:
            raise ValueError(
                f"target {self.target:g} is worse than baseline {self.baseline:g} for a KPI where "
                f"{self.direction.label.lower()}; check the direction or swap the numbers"
            )
        return self


class AssessmentIn(_Input):
    """One rater's value for one criterion of one process, optionally with a low-high range."""

    process_code: str = Field(min_length=1)
    criterion_key: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")
    value: Number
    low: Number | None = None
    high: Number | None = None
    rater: str = Field(min_length=1, max_length=100)
    rationale: str | None = None
    assessed_on: dt.date | None = None

    @field_validator("rater", mode="before")
    @classmethod
    def _rater(cls, value: Any) -> Any:
        return tidy_name(value)

    @model_validator(mode="after")
    def _range_holds_value(self) -> AssessmentIn:
        if self.low is not None and self.low > self.value:
            raise ValueError(f"low {self.low:g} is above the value {self.value:g}")
        if self.high is not None and self.high < self.value:
            raise ValueError(f"high {self.high:g} is below the value {self.value:g}")
        return self


PROCESS_FIELDS: tuple[str, ...] = tuple(ProcessIn.model_fields)


_FRIENDLY = {
    "string_too_short": "must not be empty",
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "bool_parsing": "must be true or false",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "string_pattern_mismatch": "may use only letters, digits and . _ - / (no spaces), "
                               "starting with a letter or digit",
}
_BOUNDS = {"greater_than_equal": ("ge", "must be {} or more"),
           "greater_than": ("gt", "must be more than {}"),
           "less_than_equal": ("le", "must be {} or less"),
           "less_than": ("lt", "must be less than {}")}


def describe_validation_error(error: ValidationError) -> str:
    """One line a business analyst can act on: ``field: what is wrong (got value)``."""
    return "; ".join(f"{field}: {message}" for field, message in validation_problems(error))


def validation_problems(error: ValidationError) -> list[tuple[str, str]]:
    """Each problem as (field, what is wrong and, where useful, the value given)."""
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "record"
        kind = item["type"]
        if kind == "value_error":
            message = str(item["msg"]).removeprefix("Value error, ")
        elif kind in _FRIENDLY:
            message = _FRIENDLY[kind]
        elif kind in _BOUNDS:
            bound, text = _BOUNDS[kind]
            message = text.format(item.get("ctx", {}).get(bound))
        elif kind == "string_too_long":
            message = (f"is {len(item['input']):,} characters long; at most "
                       f"{item.get('ctx', {}).get('max_length', 0):,} characters are allowed")
        else:
            message = str(item["msg"]).lower()
        got = item.get("input")
        if got is None and kind.endswith("_type"):
            message, kind = "is required (it is empty)", "missing"
        shown = "" if kind in {"missing", "value_error", "string_too_long"} \
            or isinstance(got, dict) else f" (got '{got}')"
        parts.append((field, f"{message}{shown}"))
    return parts
