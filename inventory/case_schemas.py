"""Cases for change: the words and checked inputs of the bottom-up channel.

Any member of staff proposes a case: the problem today, the idea, the processes concerned (codes
of the inventory, or ``new: <name>`` for one not recorded yet), the priority area it serves, the
benefit expected, a rough effort (small, medium, large) and links. Analysts triage it: *new*,
*under review*, *accepted* (linked to processes), *merged* into another case, *declined* (with
the reason), or *handed over* to an initiative. ITU's changemakers programme worked so: staff
"recommend specific cases for change" that later transition to business owners (2025 status
report on the ITU transformation).

Conventions are those of :mod:`inventory.schemas`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from inventory.schemas import (
    NAME_LENGTH,
    Choice,
    PriorityArea,
    _Input,
    parse_choice,
    split_list,
)


class CaseStatus(Choice):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    MERGED = "merged"
    DECLINED = "declined"
    HANDED_OVER = "handed_over"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"review": "under_review", "in_review": "under_review", "reviewing":
                "under_review", "accept": "accepted", "decline": "declined",
                "rejected": "declined", "handed_to_initiative": "handed_over",
                "handed": "handed_over", "initiative": "handed_over"}


class Effort(Choice):
    """A proposer's rough guess of the effort, not an estimate."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"

    @classmethod
    def synonyms(cls) -> dict[str, str]:
        return {"s": "small", "m": "medium", "l": "large", "low": "small", "high": "large"}


NEW_PROCESS = "new:"
"""A process not in the inventory yet is written ``new: <its name>``."""


class CaseIn(_Input):
    """A case for change as its proposer writes it; title, problem and idea are required."""

    title: str = Field(min_length=1, max_length=300)
    problem: str = Field(min_length=1)
    idea: str = Field(min_length=1)
    processes: tuple[str, ...] = ()
    priority_area: PriorityArea | None = None
    benefit: str | None = None
    effort: Effort | None = None
    links: tuple[str, ...] = ()

    @field_validator("processes", mode="before")
    @classmethod
    def _processes(cls, value: Any) -> tuple[str, ...]:
        items = () if value is None else tuple(split_list(value))
        for item in items:
            if item.lower().startswith(NEW_PROCESS) and not item[len(NEW_PROCESS):].strip():
                raise ValueError(f"'{item}' names no process: write new: and its name")
            if item.lower().startswith(NEW_PROCESS) and \
                    len(item[len(NEW_PROCESS):].strip()) > NAME_LENGTH:
                raise ValueError(f"a new process's name has at most {NAME_LENGTH:,} characters")
        return items

    @field_validator("links", mode="before")
    @classmethod
    def _links(cls, value: Any) -> tuple[str, ...]:
        items = () if value is None else tuple(split_list(value))
        for item in items:
            if not item.lower().startswith(("https://", "http://")):
                raise ValueError(f"'{item}' is not a link: write a web address starting with "
                                 "https://")
        return items

    @field_validator("priority_area", mode="before")
    @classmethod
    def _area(cls, value: Any) -> PriorityArea | None:
        return None if value is None else parse_choice(PriorityArea, value)

    @field_validator("effort", mode="before")
    @classmethod
    def _effort(cls, value: Any) -> Effort | None:
        return None if value is None else parse_choice(Effort, value)


CASE_FIELDS: tuple[str, ...] = tuple(CaseIn.model_fields)
