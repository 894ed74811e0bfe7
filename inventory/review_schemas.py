"""Review rounds: the words and checked inputs of "owners confirm their processes".

An analyst asks the owners of some processes (those of one unit, of one pillar, or all) to
review their records by a due date: a *review round* (``REV-0001``) holding one *review
request* per process. An owner is an account linked to a process owner's title
(``users.owner_title``, e.g. "Head, HR Operations"); they fill what is missing and confirm, and
the process's lifecycle moves from draft or in review to validated. Only processes that are
live and not retired are asked, and a process already waiting in an open request is not asked
twice.

Conventions are those of :mod:`inventory.schemas`. Owner titles are compared as
:func:`owner_key` writes them: trimmed, runs of spaces as one, case ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, field_validator

from inventory.schemas import Choice, Lifecycle, _Input, parse_choice


class Scope(Choice):
    """Which processes a round asks about."""

    UNIT = "unit"
    PILLAR = "pillar"
    ALL = "all"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"department": "unit", "everything": "all", "every": "all"}


class RequestStatus(Choice):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"


REVIEWABLE_FIELDS: tuple[str, ...] = (
    "description", "process_owner", "change_owner", "pillar", "priority_area", "process_type",
    "digital_maturity", "annual_volume", "staff_effort_fte", "cycle_time_days", "pain_points",
    "systems_used", "stakeholders")
"""The fields of :class:`~inventory.schemas.ProcessIn` an owner is asked to fill: what the
process is, who owns and could change it, how it is classified and how big it is today. Left
out: the identity (code, name, unit, parent), the fields with a default (lifecycle,
transformation status, quick-fix candidate: never empty) and the transformation plan
(milestones, costs, references, tags), which analysts and the task force fill."""

OWNER_LOCKED: tuple[str, ...] = ("code", "unit", "parent_code", "process_owner", "lifecycle")
"""Fields an owner may not change through a review: who owns the process and where it sits
stay the analysts' to change, and the lifecycle moves only by confirming."""

REVIEWED_FROM = (Lifecycle.DRAFT.value, Lifecycle.IN_REVIEW.value)
"""Lifecycles a confirmation moves to validated; a validated or retired process stays as it
is."""

def owner_key(title: str | None) -> str:
    """An owner's title as compared: trimmed, runs of spaces as one, case ignored
    (``head,  hr operations`` is ``Head, HR Operations``); empty for no title."""
    return " ".join((title or "").split()).casefold()


class ReviewRoundIn(_Input):
    """A round as an analyst asks for it: the scope, its value (a unit's code or a pillar;
    none for all: the service checks it against the scope and the catalogue), the due date
    and an optional note to the owners."""

    scope: Scope
    value: str | None = Field(default=None, max_length=40)
    due: dt.date
    note: str | None = None

    @field_validator("scope", mode="before")
    @classmethod
    def _scope(cls, value: Any) -> Scope:
        return parse_choice(Scope, value)
