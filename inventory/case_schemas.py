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

from pydantic import Field, field_validator, model_validator

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


def status_problem(status: CaseStatus, reason: str | None, initiative: str | None) -> str | None:
    """What a case in ``status`` lacks, in one sentence, or ``None``: a declined case needs the
    reason, a case handed over needs the initiative's code."""
    if status is CaseStatus.DECLINED and not reason:
        return "a declined case needs the reason, for its proposer"
    if status is CaseStatus.HANDED_OVER and not initiative:
        return "name the initiative the case is handed over to"
    return None


class CaseRowIn(CaseIn):
    """A case as a row of a file (the sample's ``cases.csv``): :class:`CaseIn` plus its code,
    who proposed and endorsed it, and where triage left it. Codes follow the order of the rows
    (``CASE-0001`` first); a merged case names an earlier one in ``merged_into``; its reason
    is then "merged into" that case."""

    code: str = Field(pattern=r"^(?i:CASE)-\d{4}$")
    proposed_by: str = Field(min_length=1, max_length=100)
    endorsed_by: tuple[str, ...] = ()
    status: CaseStatus = CaseStatus.NEW
    status_reason: str | None = None
    merged_into: str | None = Field(default=None, pattern=r"^(?i:CASE)-\d{4}$")
    initiative: str | None = Field(default=None, max_length=40)

    @field_validator("endorsed_by", mode="before")
    @classmethod
    def _endorsers(cls, value: Any) -> tuple[str, ...]:
        names = [] if value is None else split_list(value)
        if len({name.casefold() for name in names}) < len(names):
            raise ValueError("a person endorses a case once: name each endorser once")
        for name in names:
            if len(name) > 100:
                raise ValueError(f"an endorser's name has at most 100 characters: '{name[:20]}…'")
        return tuple(names)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> CaseStatus:
        return CaseStatus.NEW if value is None else parse_choice(CaseStatus, value)

    @model_validator(mode="after")
    def _consistent(self) -> CaseRowIn:
        if self.proposed_by.casefold() in {name.casefold() for name in self.endorsed_by}:
            raise ValueError(f"endorsed_by names the proposer {self.proposed_by}; a case is "
                             "its proposer's already")
        if (self.status is CaseStatus.MERGED) != (self.merged_into is not None):
            raise ValueError("a merged case names the case it was merged into (merged_into), "
                             "and only a merged case does")
        problem = status_problem(self.status, self.status_reason, self.initiative)
        if problem is not None:
            raise ValueError(problem)
        return self


class CaseCommentIn(_Input):
    """A comment on a case; ``author`` is given only when loading comments from a file (the
    person who acts writes them otherwise)."""

    case_code: str = Field(min_length=1, max_length=20)
    text: str = Field(min_length=1)
    author: str | None = Field(default=None, max_length=100)
