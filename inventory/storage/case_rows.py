"""Cases for change as frames for the services, and the lookups by code.

The processes a case concerns are written as codes, or ``new: <name>`` for one not in the
inventory yet, ``; ``-joined in the order they were given; endorsers are listed by name.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from inventory.case_schemas import NEW_PROCESS
from inventory.storage.models import (
    CaseComment,
    CaseEndorsement,
    CaseForChange,
    CaseProcess,
    Initiative,
    Process,
)
from inventory.storage.repository import TRACKING_COLUMNS

CASE_COLUMNS = ["id", "code", "title", "problem", "idea", "processes", "priority_area",
                "benefit", "effort", "links", "status", "status_reason", "merged_into",
                "initiative", "proposed_by", "endorsements", "endorsed_by", "comments",
                *TRACKING_COLUMNS]
COMMENT_COLUMNS = ["id", "case_code", "text", "created_by", "created_at"]


def case_by_code(session: Session, code: str, *, lock: bool = False) -> CaseForChange | None:
    wanted = (code or "").strip().upper()
    query = select(CaseForChange).where(func.upper(CaseForChange.code) == wanted)
    return session.scalars(query.with_for_update() if lock else query).first()


def next_code(session: Session) -> str:
    """``CASE-0001``, ``CASE-0002``…: one more than the number of cases ever proposed."""
    count = session.execute(select(func.count()).select_from(CaseForChange)).scalar_one()
    return f"CASE-{count + 1:04d}"


def case_processes(session: Session) -> dict[int, list[str]]:
    rows = session.execute(select(CaseProcess.case_id, Process.code, CaseProcess.new_process_name)
                           .outerjoin(Process, Process.id == CaseProcess.process_id)
                           .order_by(CaseProcess.id)).all()
    found: dict[int, list[str]] = defaultdict(list)
    for case_id, code, new_name in rows:
        found[case_id].append(code if code is not None else f"{NEW_PROCESS} {new_name}")
    return found


def case_links(session: Session, case_id: int) -> list[tuple[int | None, str | None]]:
    """The case's processes as stored, in order: (process id, or name of a new one)."""
    return [(pid, new) for pid, new in session.execute(
        select(CaseProcess.process_id, CaseProcess.new_process_name)
        .where(CaseProcess.case_id == case_id).order_by(CaseProcess.id)).all()]


def set_processes(session: Session, case_id: int, processes: list[tuple[int | None, str | None]]
                  ) -> None:
    """Make the case's processes exactly these (process id, or name of a new one)."""
    for row in session.scalars(select(CaseProcess).where(CaseProcess.case_id == case_id)):
        session.delete(row)
    session.flush()
    for process_id, new_name in processes:
        session.add(CaseProcess(case_id=case_id, process_id=process_id,
                                new_process_name=new_name))
    session.flush()


def endorsers(session: Session) -> dict[int, list[str]]:
    rows = session.execute(select(CaseEndorsement.case_id, CaseEndorsement.username)
                           .where(CaseEndorsement.deleted_at.is_(None))
                           .order_by(CaseEndorsement.id)).all()
    found: dict[int, list[str]] = defaultdict(list)
    for case_id, name in rows:
        found[case_id].append(name)
    return found


def live_endorsement(session: Session, case_id: int, username: str) -> CaseEndorsement | None:
    return session.scalars(select(CaseEndorsement).where(
        CaseEndorsement.case_id == case_id,
        func.lower(CaseEndorsement.username) == username.lower())).first()


def cases_frame(session: Session) -> pd.DataFrame:
    """One row per live case, by code."""
    target = aliased(CaseForChange)
    rows = session.execute(
        select(CaseForChange, target.code, Initiative.code)
        .outerjoin(target, target.id == CaseForChange.merged_into_id)
        .outerjoin(Initiative, Initiative.id == CaseForChange.initiative_id)
        .where(CaseForChange.deleted_at.is_(None)).order_by(CaseForChange.code)).all()
    processes, endorsed = case_processes(session), endorsers(session)
    comments = dict(session.execute(
        select(CaseComment.case_id, func.count()).where(CaseComment.deleted_at.is_(None))
        .group_by(CaseComment.case_id)).all())
    records = []
    for row, merged_into, initiative in rows:
        record = {c: getattr(row, c, None) for c in CASE_COLUMNS}
        names = endorsed.get(row.id, [])
        record.update(merged_into=merged_into, initiative=initiative,
                      processes="; ".join(processes.get(row.id, [])) or None,
                      endorsements=len(names), endorsed_by="; ".join(names) or None,
                      comments=int(comments.get(row.id, 0)))
        records.append(record)
    return pd.DataFrame(records, columns=CASE_COLUMNS)


def comments_frame(session: Session, case_id: int) -> pd.DataFrame:
    rows = session.execute(select(CaseComment, CaseForChange.code)
                           .join(CaseForChange, CaseForChange.id == CaseComment.case_id)
                           .where(CaseComment.case_id == case_id,
                                  CaseComment.deleted_at.is_(None))
                           .order_by(CaseComment.id)).all()
    return pd.DataFrame([{"id": c.id, "case_code": code, "text": c.text,
                          "created_by": c.created_by, "created_at": c.created_at}
                         for c, code in rows], columns=COMMENT_COLUMNS)


def moved_children(session: Session, source_id: int, target_id: int) -> tuple[int, int]:
    """Carry a merged case's endorsements (not those of people who endorsed the target, or
    its proposer) and comments over to the target; (endorsements moved, comments moved)."""
    target = session.get(CaseForChange, target_id)
    assert target is not None
    already = {name.lower() for name in endorsers(session).get(target_id, [])}
    already.add(target.proposed_by.lower())
    moved = 0
    for row in session.scalars(select(CaseEndorsement).where(
            CaseEndorsement.case_id == source_id, CaseEndorsement.deleted_at.is_(None))):
        if row.username.lower() in already:
            continue
        row.case_id = target_id
        already.add(row.username.lower())
        moved += 1
    comments = 0
    for comment in session.scalars(select(CaseComment).where(CaseComment.case_id == source_id)):
        comment.case_id = target_id
        comments += 1
    session.flush()
    return moved, comments


def demand_frame(session: Session, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Staff demand per live process, indexed by code: ``endorsements`` (the distinct people
    who endorsed a live case in ``statuses`` concerning it) and ``cases`` (how many such cases
    concern it). Processes no such case concerns are not listed."""
    linked = session.execute(
        select(Process.code, CaseForChange.id)
        .join(CaseProcess, CaseProcess.process_id == Process.id)
        .join(CaseForChange, CaseForChange.id == CaseProcess.case_id)
        .where(CaseForChange.status.in_(statuses), CaseForChange.deleted_at.is_(None),
               Process.deleted_at.is_(None))).all()
    endorsed = endorsers(session)
    cases: dict[str, set[int]] = defaultdict(set)
    people: dict[str, set[str]] = defaultdict(set)
    for code, case_id in linked:
        cases[code].add(case_id)
        people[code].update(name.casefold() for name in endorsed.get(case_id, []))
    codes = sorted(cases)
    return pd.DataFrame({"endorsements": [len(people[c]) for c in codes],
                         "cases": [len(cases[c]) for c in codes]},
                        index=pd.Index(codes, name="code"), dtype=np.int64)
