"""The roadmap's words and checked inputs: initiatives, their deliverables and progress notes.

The vocabularies are those of ITU's 2025 transformation status report (C25/… "Progress report on
the ITU transformation"): a dashboard counts initiatives as *Completed* (planned deliverables
achieved), *Ongoing* (work started and in progress), *Planned* (not started yet) or *Revised*
(changed scope, or combined with others, after a feasibility, prioritisation or rationalisation
review), and its annex lists, per priority area and action, the deliverables due by Council 2026
(C26) and by the Plenipotentiary Conference 2026 (PP-26).

Conventions are those of :mod:`inventory.schemas`: text is stripped and empty text means
unknown, unknown fields are refused, vocabularies are read by value, label or synonym.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, field_validator, model_validator

from inventory.schemas import (
    CODE_PATTERN,
    NAME_LENGTH,
    Choice,
    Number,
    Pillar,
    PriorityArea,
    _Input,
    parse_choice,
    parse_milestone,
    split_list,
    tidy_name,
)


class InitiativeStatus(Choice):
    """Where an initiative stands, as the status report's dashboard counts them."""

    COMPLETED = "completed"
    ONGOING = "ongoing"
    PLANNED = "planned"
    REVISED = "revised"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"done": "completed", "complete": "completed", "in_progress": "ongoing",
                "started": "ongoing", "not_started": "planned", "proposed": "planned",
                "combined": "revised", "changed_scope": "revised"}


class DeliverableStatus(Choice):
    """Where a deliverable stands against its milestone."""

    DONE = "done"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    DROPPED = "dropped"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"completed": "done", "delivered": "done", "green": "on_track",
                "amber": "at_risk", "red": "late", "overdue": "late", "cancelled": "dropped",
                "canceled": "dropped"}


class UpdateKind(Choice):
    """A dated note on an initiative: progress made, an obstacle met, or a decision the task
    force must take."""

    PROGRESS = "progress"
    OBSTACLE = "obstacle"
    DECISION_NEEDED = "decision_needed"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"blocker": "obstacle", "issue": "obstacle", "risk": "obstacle",
                "decision": "decision_needed", "escalation": "decision_needed"}


OPEN_DELIVERABLE = frozenset({DeliverableStatus.ON_TRACK, DeliverableStatus.AT_RISK,
                              DeliverableStatus.LATE})
"""Deliverables still to be delivered (neither done nor dropped)."""

KPI_SEPARATOR = ":"
"""A KPI is named ``PROCESS-CODE: KPI name`` (process codes hold no colon)."""


def kpi_reference(process_code: str, name: str) -> str:
    """How a KPI an initiative moves is written: ``HR-REC: Time to hire``."""
    return f"{process_code}{KPI_SEPARATOR} {name}"


def split_kpi_reference(text: str) -> tuple[str, str]:
    """(process code, KPI name) of a :func:`kpi_reference`; ``ValueError`` when it has no
    colon."""
    code, colon, name = text.partition(KPI_SEPARATOR)
    if not colon or not code.strip() or not name.strip():
        raise ValueError(f"'{text}' does not name a KPI: write the process code, a colon and the "
                         "KPI's name, as in 'HR-REC: Time to hire'")
    return code.strip(), name.strip()


def _listed(value: Any) -> tuple[str, ...]:
    return () if value is None else tuple(split_list(value))


class InitiativeIn(_Input):
    """An initiative of the roadmap; only code and name are required.

    ``processes`` are the codes of the processes it transforms, ``kpis`` the KPIs it is to move
    (:func:`kpi_reference`), ``studies`` the complementary studies it builds on; each is a list
    (``;``-separated text is read as one). A revised initiative needs ``status_reason``."""

    code: str = Field(min_length=1, max_length=40, pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    description: str | None = None
    pillar: Pillar | None = None
    priority_area: PriorityArea | None = None
    business_owner: str | None = Field(default=None, max_length=NAME_LENGTH)
    unit: str | None = None
    status: InitiativeStatus = InitiativeStatus.PLANNED
    status_reason: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget_chf: Number | None = Field(default=None, ge=0)
    staff_pm: Number | None = Field(default=None, ge=0)
    processes: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
    studies: tuple[str, ...] = ()
    tags: str | None = None

    @field_validator("pillar", mode="before")
    @classmethod
    def _pillar(cls, value: Any) -> Pillar | None:
        return None if value is None else parse_choice(Pillar, value)

    @field_validator("priority_area", mode="before")
    @classmethod
    def _priority_area(cls, value: Any) -> PriorityArea | None:
        return None if value is None else parse_choice(PriorityArea, value)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> InitiativeStatus:
        return InitiativeStatus.PLANNED if value is None else \
            parse_choice(InitiativeStatus, value)

    @field_validator("business_owner", mode="before")
    @classmethod
    def _owner(cls, value: Any) -> Any:
        return tidy_name(value)

    @field_validator("processes", "studies", mode="before")
    @classmethod
    def _list(cls, value: Any) -> tuple[str, ...]:
        return _listed(value)

    @field_validator("kpis", mode="before")
    @classmethod
    def _kpis(cls, value: Any) -> tuple[str, ...]:
        return tuple(kpi_reference(*split_kpi_reference(item)) for item in _listed(value))

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> str | None:
        if value is None:
            return None
        return "; ".join(split_list([tag.lower() for tag in split_list(value)])) or None

    @model_validator(mode="after")
    def _consistent(self) -> InitiativeIn:
        if self.status is InitiativeStatus.REVISED and not self.status_reason:
            raise ValueError("a revised initiative needs a status_reason: say what changed "
                             "(scope, combined with another, reprioritised)")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self


INITIATIVE_FIELDS: tuple[str, ...] = tuple(InitiativeIn.model_fields)


class Lineage(Choice):
    """Why an initiative left the roadmap while staying on record: absorbed by another
    (``combined``) or replaced by its parts (``split``)."""

    COMBINED = "combined"
    SPLIT = "split"


class InitiativeRowIn(InitiativeIn):
    """An initiative as a row of the inventory workbook: :class:`InitiativeIn` plus its
    lineage, so that an export imports back exactly. ``combined_into`` (the code of the
    initiative that absorbed it) implies lineage ``combined``; ``split_from`` is the code of
    the initiative it was split out of."""

    lineage: Lineage | None = None
    combined_into: str | None = Field(default=None, max_length=40, pattern=CODE_PATTERN)
    split_from: str | None = Field(default=None, max_length=40, pattern=CODE_PATTERN)

    @field_validator("lineage", mode="before")
    @classmethod
    def _lineage(cls, value: Any) -> Lineage | None:
        return None if value is None else parse_choice(Lineage, value)

    @model_validator(mode="before")
    @classmethod
    def _combined(cls, data: Any) -> Any:
        if isinstance(data, dict) and str(data.get("combined_into") or "").strip() and \
                not str(data.get("lineage") or "").strip():
            return data | {"lineage": Lineage.COMBINED.value}
        return data

    @model_validator(mode="after")
    def _lineage_consistent(self) -> InitiativeRowIn:
        for field in ("combined_into", "split_from"):
            other = getattr(self, field)
            if other is not None and other.casefold() == self.code.casefold():
                raise ValueError(f"{field} names the initiative itself ({other}); write the "
                                 "code of another initiative or leave it empty")
        if self.combined_into is not None and self.lineage is not Lineage.COMBINED:
            raise ValueError(f"combined_into is given, so lineage is combined, not "
                             f"{self.lineage}; empty one of them")
        if self.lineage is Lineage.COMBINED and self.combined_into is None:
            raise ValueError("lineage combined needs combined_into: the code of the "
                             "initiative that absorbed this one")
        return self


INITIATIVE_ROW_FIELDS: tuple[str, ...] = tuple(InitiativeRowIn.model_fields)
"""The Initiatives sheet's columns: the fields of :class:`InitiativeIn`, then ``lineage``,
``combined_into`` and ``split_from``."""


class DeliverableIn(_Input):
    """What an initiative is to deliver by a milestone (C26, PP-26 or a date).

    ``objective`` is the line of the annex the deliverable belongs to (for example "Pilot new
    end-to-end events management system"); ``ref`` names it within its initiative (``D1``,
    ``D2``… when not given); ``evidence`` is a link to what shows it done."""

    initiative_code: str = Field(min_length=1)
    ref: str | None = Field(default=None, max_length=60, pattern=CODE_PATTERN)
    objective: str | None = None
    milestone: str
    text: str = Field(min_length=1)
    due: dt.date | None = None
    status: DeliverableStatus = DeliverableStatus.ON_TRACK
    evidence: str | None = Field(default=None, max_length=NAME_LENGTH)

    @field_validator("milestone", mode="before")
    @classmethod
    def _milestone(cls, value: Any) -> str:
        if value is None:
            raise ValueError("is required: write C26, PP-26 or a date as YYYY-MM-DD")
        return parse_milestone(value)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> DeliverableStatus:
        return DeliverableStatus.ON_TRACK if value is None else \
            parse_choice(DeliverableStatus, value)

    @field_validator("evidence")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("https://", "http://")):
            raise ValueError(f"'{value}' is not a link: evidence is a web address starting "
                             "with https://")
        return value


DELIVERABLE_FIELDS: tuple[str, ...] = tuple(DeliverableIn.model_fields)


class ProgressUpdateIn(_Input):
    """A dated note on an initiative (``noted_on`` defaults to today)."""

    initiative_code: str = Field(min_length=1)
    kind: UpdateKind = UpdateKind.PROGRESS
    note: str = Field(min_length=1)
    noted_on: dt.date | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> UpdateKind:
        return UpdateKind.PROGRESS if value is None else parse_choice(UpdateKind, value)
