"""Cases for change: proposed by any member of staff, endorsed and discussed by anyone, triaged
by analysts (see :mod:`inventory.case_schemas` for the words).

Conventions are those of every write (:mod:`inventory.services`). A case is audited as ``case``
(key: its code, ``CASE-0001``), an endorsement as ``case_endorsement`` and a comment as
``case_comment`` (key: the case's code). Who may do what (:mod:`inventory.access`): staff,
analysts, leadership and admins propose, endorse and comment
(:attr:`~inventory.access.Action.propose_cases`); analysts and admins triage
(:attr:`~inventory.access.Action.triage_cases`).

* A person endorses a case once, and not their own (it is theirs already).
* Triage moves a case to under review, accepted (with the processes it concerns: of the
  inventory, or named as not in it yet), declined (the reason is required) or handed over (to
  an initiative of the roadmap). Merging is its own step: the absorbed cases become *merged*
  ("merged into CASE-0007"); their endorsements (of people who had not endorsed the target)
  and comments are carried over; their history stays with them.
* Possible duplicates are suggested by similar wording: the share of the words of the shorter
  text (title, problem and idea, words of four letters or more) that the other also uses.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from inventory.access import Action, Actor, authorize
from inventory.case_schemas import (
    CASE_FIELDS,
    NEW_PROCESS,
    CaseCommentIn,
    CaseIn,
    CaseRowIn,
    CaseStatus,
    status_problem,
)
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.schemas import parse_choice
from inventory.services.core import catalogue_transaction, row_record, validated
from inventory.storage import audit, case_rows, repository, roadmap_rows
from inventory.storage.db import reading
from inventory.storage.models import CaseComment, CaseEndorsement, CaseForChange, Initiative

CASE = "case"
SIMILAR = 0.5
TRIAGE = {CaseStatus.UNDER_REVIEW, CaseStatus.ACCEPTED, CaseStatus.DECLINED,
          CaseStatus.HANDED_OVER, CaseStatus.NEW}
CLOSED = {CaseStatus.MERGED, CaseStatus.DECLINED}
#: The cases whose endorsements count as staff demand: analysts judged them worth doing.
DEMANDING = (CaseStatus.ACCEPTED, CaseStatus.HANDED_OVER)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.casefold()) if len(w) >= 4}


def similarity(first: str, second: str) -> float:
    """The share of the shorter text's words (four letters or more) the other also uses."""
    a, b = _words(first), _words(second)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


class CaseBook:
    """The cases for change on one database (see the module)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _write(self) -> AbstractContextManager[Session]:
        return catalogue_transaction(self.engine)

    # ------------------------------------------------------------------ reads

    def list_cases(self, *, status: str | None = None, proposed_by: str | None = None,
             process: str | None = None) -> pd.DataFrame:
        """Live cases by code; filtered by status, proposer or a process they concern."""
        with reading(self.engine) as s:
            frame = case_rows.cases_frame(s)
        if status is not None:
            try:
                wanted = parse_choice(CaseStatus, status).value
            except ValueError as error:
                raise InvalidInput(f"status: {error}") from None
            frame = frame[frame["status"] == wanted]
        if proposed_by is not None:
            frame = frame[frame["proposed_by"].str.casefold() == proposed_by.casefold()]
        if process is not None:
            frame = frame[frame["processes"].fillna("").str.split("; ").apply(
                lambda items: process.casefold() in {i.casefold() for i in items})]
        return frame.reset_index(drop=True)

    def get(self, code: str) -> dict[str, Any]:
        """One case with its ``comments`` (list of records)."""
        frame = self.list_cases()
        found = frame["code"].str.upper() == (code or "").strip().upper()
        if not found.any():
            raise NotFound(f"no case has the code '{(code or '').strip()}'; check the code in "
                           "the list of cases")
        record = row_record(frame, found)
        with reading(self.engine) as s:
            comments = case_rows.comments_frame(s, int(record["id"]))
        record["comments_list"] = [row_record(c.to_frame().T) for _, c in comments.iterrows()]
        return record

    def similar(self, text: str, *, exclude: str | None = None) -> pd.DataFrame:
        """Open cases worded like ``text`` (title, problem and idea), most alike first, with
        ``similarity`` (see the module)."""
        frame = self.list_cases()
        frame = frame[~frame["status"].isin([s.value for s in CLOSED])]
        if exclude is not None:
            frame = frame[frame["code"].str.upper() != exclude.upper()]
        scores = [similarity(text, f"{t} {p} {i}") for t, p, i in
                  zip(frame["title"], frame["problem"], frame["idea"], strict=True)]
        frame = frame.assign(similarity=scores)
        return frame[frame["similarity"] >= SIMILAR].sort_values(
            "similarity", ascending=False, kind="stable").reset_index(drop=True)

    def demand(self) -> pd.DataFrame:
        """Staff demand per process (what ``cases:MEASURE`` criteria read, see
        :data:`scoring.criteria.DEMAND_MEASURES`): from the cases accepted or handed to an
        initiative, indexed by process code; processes no such case concerns are not listed."""
        with reading(self.engine) as s:
            return case_rows.demand_frame(s, tuple(status.value for status in DEMANDING))

    def history(self, code: str) -> pd.DataFrame:
        """Audit events of a case, its endorsements and comments, newest first."""
        with reading(self.engine) as s:
            row = self._existing(s, code)
            events = repository.audit_frame(s, entity=[CASE, "case_endorsement",
                                                       "case_comment"])
            return events[events["entity_key"] == row.code].reset_index(drop=True)

    # ------------------------------------------------------------------ writes

    def add(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """Propose a case; its code is the next ``CASE-nnnn``; it starts as new."""
        who = authorize(actor, Action.propose_cases)
        case = validated(CaseIn, data, "Case")
        with self._write() as s:
            code = self._insert(s, case, who).code
        return self.get(code)

    def _insert(self, s: Session, case: CaseIn, who: str) -> CaseForChange:
        """Insert a case inside the caller's transaction, proposed by ``who`` and new; a
        :class:`CaseRowIn` (a file's row) brings its code (the next one), proposer, endorsers
        and triage status, recorded as the work of ``who``."""
        code = case_rows.next_code(s)
        row_in = case if isinstance(case, CaseRowIn) else None
        columns: dict[str, Any] = {"status": CaseStatus.NEW.value, "proposed_by": who}
        shown: dict[str, Any] = {"status": CaseStatus.NEW.value}
        if row_in is not None:
            if row_in.code.upper() != code:
                raise InvalidInput(f"code {row_in.code} is not the next case's code {code}; "
                                   "number the cases in the order they are listed")
            columns = {"status": row_in.status.value, "status_reason": row_in.status_reason,
                       "proposed_by": row_in.proposed_by}
            shown = {"status": row_in.status.value, "status_reason": row_in.status_reason,
                     "proposed_by": row_in.proposed_by}
            if row_in.merged_into is not None:
                target = self._existing(s, row_in.merged_into)
                if CaseStatus(target.status) in CLOSED:
                    raise Conflict(f"{target.code} is {target.status}; merge into an open case")
                columns |= {"merged_into_id": target.id,
                            "status_reason": f"merged into {target.code}"}
                shown |= {"merged_into": target.code,
                          "status_reason": f"merged into {target.code}"}
            if row_in.initiative is not None:
                owner = self._initiative(s, row_in.initiative)
                columns["initiative_id"], shown["initiative"] = owner.id, owner.code
        row = CaseForChange(code=code, title=case.title, problem=case.problem,
                            idea=case.idea, priority_area=_value(case.priority_area),
                            benefit=case.benefit, effort=_value(case.effort),
                            links="; ".join(case.links) or None, **columns)
        given = {k: ("; ".join(v) if isinstance(v, tuple) else _value(v))
                 for k, v in case.model_dump(include=set(CASE_FIELDS)).items()}
        audit.record_create(s, row, CASE, code, who, given | shown)
        case_rows.set_processes(s, row.id, self._processes(s, case.processes))
        for name in row_in.endorsed_by if row_in is not None else ():
            self._insert_endorsement(s, row, name, who)
        return row

    @staticmethod
    def _insert_endorsement(s: Session, row: CaseForChange, username: str, who: str) -> None:
        audit.record_create(s, CaseEndorsement(case_id=row.id, username=username),
                            "case_endorsement", row.code, who, {"username": username})

    def _insert_comment(self, s: Session, comment: CaseCommentIn, who: str) -> CaseForChange:
        """Insert a comment inside the caller's transaction, written by ``who`` (or by its
        ``author``, when a file names one: the audit trail still records ``who``)."""
        row = self._existing(s, comment.case_code)
        given = {"text": comment.text} | ({"author": comment.author} if comment.author else {})
        stored = CaseComment(case_id=row.id, text=comment.text)
        audit.record_create(s, stored, "case_comment", row.code, who, given)
        if comment.author:
            stored.created_by = stored.updated_by = comment.author
        return row

    def endorse(self, code: str, actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.propose_cases)
        with self._write() as s:
            row = self._existing(s, code, lock=True)
            if row.proposed_by.casefold() == who.casefold():
                raise InvalidInput(f"{row.code} is your own case; ask colleagues to endorse it")
            if CaseStatus(row.status) in CLOSED:
                raise InvalidInput(f"{row.code} is {row.status.replace('_', ' ')}; endorse "
                                   + (f"{self._target(s, row)} instead" if row.merged_into_id
                                      else "another case"))
            if case_rows.live_endorsement(s, row.id, who) is not None:
                raise Conflict(f"you already endorsed {row.code}; a person endorses a case once")
            self._insert_endorsement(s, row, who, who)
            code = row.code
        return self.get(code)

    def comment(self, code: str, text: str, actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.propose_cases)
        if not (text or "").strip():
            raise InvalidInput("a comment needs some text")
        comment = validated(CaseCommentIn, {"case_code": code, "text": text}, "Comment")
        with self._write() as s:
            code = self._insert_comment(s, comment, who).code
        return self.get(code)

    def triage(self, code: str, status: str, actor: Actor, *, reason: str | None = None,
               processes: list[str] | None = None, initiative: str | None = None,
               seen_version: int | None = None) -> dict[str, Any]:
        """Move a case to a triage status (see the module)."""
        who = authorize(actor, Action.triage_cases)
        try:
            wanted = parse_choice(CaseStatus, status)
        except ValueError as error:
            raise InvalidInput(f"status: {error}") from None
        if wanted is CaseStatus.MERGED:
            raise InvalidInput("merge a case into another with merge, naming the target")
        reason = (reason or "").strip() or None
        problem = status_problem(wanted, reason, initiative)
        if problem is not None:
            raise InvalidInput(problem)
        with self._write() as s:
            row = self._existing(s, code, lock=True)
            audit.check_version(s, row, CASE, row.code, seen_version)
            if CaseStatus(row.status) is CaseStatus.MERGED:
                raise Conflict(f"{row.code} is merged into {self._target(s, row)}; triage "
                               "that case")
            before = {"status": row.status, "status_reason": row.status_reason,
                      "initiative": roadmap_rows.initiative_codes(
                          s, [row.initiative_id]).get(row.initiative_id or 0)}
            columns: dict[str, Any] = {"status": wanted.value, "status_reason": reason}
            after = dict(columns)
            if initiative:
                owner = self._initiative(s, initiative)
                columns["initiative_id"], after["initiative"] = owner.id, owner.code
            else:
                after["initiative"] = before["initiative"]
            if processes is not None:
                shown = "; ".join(case_rows.case_processes(s).get(row.id, []))
                linked = self._processes(s, tuple(processes))
                case_rows.set_processes(s, row.id, linked)
                before["processes"] = shown or None
                after["processes"] = "; ".join(case_rows.case_processes(s).get(row.id, [])) \
                    or None
            audit.apply_changes(s, row, CASE, row.code, who, before, after, columns)
            code = row.code
        return self.get(code)

    def merge(self, codes: list[str], into: str, actor: Actor) -> dict[str, Any]:
        """Merge the cases ``codes`` into ``into`` (see the module)."""
        who = authorize(actor, Action.triage_cases)
        wanted = [c for c in dict.fromkeys(c.strip().upper() for c in codes if c and c.strip())
                  if c != (into or "").strip().upper()]
        if not wanted:
            raise InvalidInput("name at least one case to merge into another")
        with self._write() as s:
            target = self._existing(s, into, lock=True)
            if CaseStatus(target.status) in CLOSED:
                raise Conflict(f"{target.code} is {target.status}; merge into an open case")
            for code in wanted:
                row = self._existing(s, code, lock=True)
                if CaseStatus(row.status) is CaseStatus.MERGED:
                    raise Conflict(f"{row.code} is already merged into {self._target(s, row)}")
                endorsements, comments = case_rows.moved_children(s, row.id, target.id)
                audit.apply_changes(
                    s, row, CASE, row.code, who,
                    {"status": row.status, "status_reason": row.status_reason,
                     "merged_into": None},
                    {"status": CaseStatus.MERGED.value,
                     "status_reason": f"merged into {target.code}", "merged_into": target.code},
                    {"status": CaseStatus.MERGED.value,
                     "status_reason": f"merged into {target.code}", "merged_into_id": target.id})
                if endorsements or comments:
                    audit.apply_changes(s, target, CASE, target.code, who,
                                        {"carried_over": None},
                                        {"carried_over": f"{endorsements} endorsement(s) and "
                                                         f"{comments} comment(s) from {row.code}"},
                                        {})
            code = target.code
        return self.get(code)

    # ------------------------------------------------------------------ lookups

    @staticmethod
    def _existing(s: Session, code: str, *, lock: bool = False) -> CaseForChange:
        row = case_rows.case_by_code(s, code, lock=lock)
        if row is None or row.deleted_at is not None:
            raise NotFound(f"no case has the code '{(code or '').strip()}'; check the code in "
                           "the list of cases")
        return row

    @staticmethod
    def _initiative(s: Session, code: str) -> Initiative:
        owner = roadmap_rows.initiative_by_code(s, code)
        if owner is None or owner.deleted_at is not None:
            raise NotFound(f"no initiative has the code '{code}'; check the code on the "
                           "Roadmap")
        return owner

    @staticmethod
    def _target(s: Session, row: CaseForChange) -> str:
        target = s.get(CaseForChange, row.merged_into_id)
        return target.code if target is not None else "another case"

    @staticmethod
    def _processes(s: Session, items: tuple[str, ...]) -> list[tuple[int | None, str | None]]:
        linked: list[tuple[int | None, str | None]] = []
        for item in items:
            if item.lower().startswith(NEW_PROCESS):
                linked.append((None, item[len(NEW_PROCESS):].strip()))
                continue
            process = repository.process_by_code(s, item)
            if process is None or process.deleted_at is not None:
                raise NotFound(f"no process has the code '{item}'; pick one from the "
                               f"inventory, or write '{NEW_PROCESS} {item}' for a process not "
                               "recorded yet")
            linked.append((process.id, None))
        return linked


def _value(value: Any) -> Any:
    return getattr(value, "value", value)
