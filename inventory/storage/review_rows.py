"""Review rounds as frames for the services, the processes a round selects, and the lookups.

Every frame is one query (no query per row): the pages show it at 2,000 processes and more.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from inventory.review_schemas import REVIEWABLE_FIELDS, RequestStatus, Scope
from inventory.schemas import Lifecycle
from inventory.storage.models import Process, ReviewRequest, ReviewRound, Unit, UserAccount
from inventory.storage.repository import TRACKING_COLUMNS, query_frame

PROCESS_COLUMNS = ["process_id", "code", "name", "unit", "unit_name", "lifecycle", "version",
                   *REVIEWABLE_FIELDS]
REQUEST_COLUMNS = ["request_id", "process_id", "round", "due", "status", "confirmed_by",
                   "confirmed_at", "on_time"]
ROUND_COLUMNS = ["id", "code", "scope", "scope_value", "due", "note", "requested_by",
                 *TRACKING_COLUMNS]


def round_by_code(session: Session, code: str) -> ReviewRound | None:
    wanted = (code or "").strip().upper()
    return session.scalars(select(ReviewRound).where(
        func.upper(ReviewRound.code) == wanted)).first()


def next_code(session: Session) -> str:
    """``REV-0001``, ``REV-0002``…: one more than the number of rounds ever asked."""
    count = session.execute(select(func.count()).select_from(ReviewRound)).scalar_one()
    return f"REV-{count + 1:04d}"


def selected_processes(session: Session, scope: Scope, value: str | int | None
                       ) -> list[tuple[int, str, str | None]]:
    """(id, code, process owner) of the live processes that are not retired, of the unit
    whose id is ``value``, of the pillar ``value`` (its stored word), or all, by code. Units
    do not nest (a unit has no parent unit), so a unit's processes are those it owns."""
    query = (select(Process.id, Process.code, Process.process_owner)
             .where(Process.deleted_at.is_(None), Process.lifecycle != Lifecycle.RETIRED.value)
             .order_by(Process.code))
    if scope is Scope.UNIT:
        query = query.where(Process.unit_id == value)
    elif scope is Scope.PILLAR:
        query = query.where(Process.pillar == value)
    return [(int(i), str(c), o) for i, c, o in session.execute(query).all()]


def open_requests(session: Session) -> dict[int, str]:
    """Process id -> the code of the round whose request of it is still open."""
    rows = session.execute(select(ReviewRequest.process_id, ReviewRound.code)
                           .join(ReviewRound, ReviewRound.id == ReviewRequest.round_id)
                           .where(ReviewRequest.status == RequestStatus.REQUESTED.value,
                                  ReviewRequest.deleted_at.is_(None))).all()
    return {int(process_id): str(code) for process_id, code in rows}


def open_request(session: Session, process_id: int
                 ) -> tuple[ReviewRequest, ReviewRound] | None:
    """The open request of a process, locked for the change, with its round."""
    found = session.execute(select(ReviewRequest, ReviewRound)
                            .join(ReviewRound, ReviewRound.id == ReviewRequest.round_id)
                            .where(ReviewRequest.process_id == process_id,
                                   ReviewRequest.status == RequestStatus.REQUESTED.value,
                                   ReviewRequest.deleted_at.is_(None))
                            .order_by(ReviewRequest.id).with_for_update()).first()
    return None if found is None else (found[0], found[1])


def insert_requests(session: Session, round_id: int, process_ids: list[int], who: str,
                    at: dt.datetime) -> None:
    """One open request per process of the round, created by ``who`` at ``at`` (one
    statement; the round's own audit event lists the processes)."""
    if not process_ids:
        return
    session.execute(insert(ReviewRequest), [
        {"round_id": round_id, "process_id": process_id, "status":
         RequestStatus.REQUESTED.value, "version": 1, "created_at": at, "created_by": who,
         "updated_at": at, "updated_by": who} for process_id in process_ids])


def processes_frame(session: Session) -> pd.DataFrame:
    """One row per live process: code, name, unit (code and name), lifecycle, version and the
    reviewable fields, by code."""
    columns = [getattr(Process, name) for name in REVIEWABLE_FIELDS]
    query = (select(Process.id.label("process_id"), Process.code, Process.name,
                    Unit.code.label("unit"), Unit.name.label("unit_name"), Process.lifecycle,
                    Process.version, *columns)
             .join(Unit, Unit.id == Process.unit_id)
             .where(Process.deleted_at.is_(None)).order_by(Process.code))
    frame = query_frame(session, query)
    return frame if not frame.empty else pd.DataFrame(columns=PROCESS_COLUMNS)


def requests_frame(session: Session) -> pd.DataFrame:
    """One row per live review request: its process's id, the round's code and due date,
    status, who confirmed it, when, and whether on time; by round and id."""
    query = (select(ReviewRequest.id.label("request_id"), ReviewRequest.process_id,
                    ReviewRound.code.label("round"), ReviewRound.due, ReviewRequest.status,
                    ReviewRequest.confirmed_by, ReviewRequest.confirmed_at,
                    ReviewRequest.on_time)
             .join(ReviewRound, ReviewRound.id == ReviewRequest.round_id)
             .where(ReviewRequest.deleted_at.is_(None), ReviewRound.deleted_at.is_(None))
             .order_by(ReviewRound.code, ReviewRequest.id))
    frame = query_frame(session, query)
    return frame if not frame.empty else pd.DataFrame(columns=REQUEST_COLUMNS)


def rounds_frame(session: Session) -> pd.DataFrame:
    """One row per live round, by code."""
    query = (select(*(getattr(ReviewRound, name) for name in ROUND_COLUMNS))
             .where(ReviewRound.deleted_at.is_(None)).order_by(ReviewRound.code))
    frame = query_frame(session, query)
    return frame if not frame.empty else pd.DataFrame(columns=ROUND_COLUMNS)


def owner_title(session: Session, username: str) -> str | None:
    """The process owner the account ``username`` (any case) answers for, if any."""
    key = (username or "").strip().lower()
    return session.scalar(select(UserAccount.owner_title).where(
        func.lower(UserAccount.username) == key))


def owner_titles(session: Session) -> dict[str, str]:
    """User name -> the owner title of every enabled account linked to an owner."""
    rows = session.execute(select(UserAccount.username, UserAccount.owner_title).where(
        UserAccount.owner_title.is_not(None), UserAccount.disabled.is_(False))).all()
    return {str(name): str(title) for name, title in rows}


def process_owners(session: Session) -> dict[str, int]:
    """Each process owner's title as stored -> how many live processes name it."""
    rows = session.execute(select(Process.process_owner, func.count())
                           .where(Process.deleted_at.is_(None),
                                  Process.process_owner.is_not(None))
                           .group_by(Process.process_owner)).all()
    return {str(title): int(count) for title, count in rows}
