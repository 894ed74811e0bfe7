"""Weighting rounds and their members as records for the services, and the lookups by code.

A round's ``criteria`` and ``result`` and a member's ``answer`` are JSON texts; they are read
back as Python values here, so no caller parses them.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.storage.models import RoundMember, SavedScenario, UserAccount, WeightingRound


def round_by_code(session: Session, code: str, *, lock: bool = False) -> WeightingRound | None:
    wanted = (code or "").strip().upper()
    query = select(WeightingRound).where(func.upper(WeightingRound.code) == wanted)
    return session.scalars(query.with_for_update() if lock else query).first()


def next_code(session: Session) -> str:
    """``ROUND-0001``, ``ROUND-0002``…: one more than the number of rounds ever opened."""
    count = session.execute(select(func.count()).select_from(WeightingRound)).scalar_one()
    return f"ROUND-{count + 1:04d}"


def open_round_of(session: Session, scenario_id: int) -> WeightingRound | None:
    return session.scalars(select(WeightingRound).where(
        WeightingRound.scenario_id == scenario_id, WeightingRound.status == "open",
        WeightingRound.deleted_at.is_(None))).first()


def members(session: Session, round_id: int, *, lock: bool = False) -> list[RoundMember]:
    """The round's members in the order they were invited."""
    query = select(RoundMember).where(RoundMember.round_id == round_id).order_by(RoundMember.id)
    return list(session.scalars(query.with_for_update() if lock else query))


def accounts(session: Session, names: list[str]) -> dict[str, UserAccount]:
    """The accounts named (any case), by the lower-cased name."""
    wanted = {name.lower() for name in names}
    rows = session.scalars(select(UserAccount).where(func.lower(UserAccount.username)
                                                     .in_(wanted)))
    return {row.username.lower(): row for row in rows}


def enabled_usernames(session: Session) -> list[str]:
    """The user names of the accounts that can sign in, in alphabetical order."""
    return list(session.scalars(select(UserAccount.username).where(
        UserAccount.disabled.is_(False)).order_by(UserAccount.username)))


def round_record(session: Session, row: WeightingRound) -> dict[str, Any]:
    """A round as plain data: its fields, the scenario's name, the criteria and result
    parsed, and ``members`` (username, weight, answered_at, answer parsed)."""
    scenario = session.get(SavedScenario, row.scenario_id)
    return {"code": row.code, "scenario": scenario.name if scenario is not None else None,
            "mode": row.mode, "status": row.status, "criteria": json.loads(row.criteria),
            "method": row.method, "opened_by": row.created_by, "opened_at": row.created_at,
            "closed_by": row.closed_by, "closed_at": row.closed_at, "version": row.version,
            "result": json.loads(row.result) if row.result else None,
            "members": [{"username": m.username, "weight": m.weight,
                         "answered_at": m.answered_at,
                         "answer": json.loads(m.answer) if m.answer else None}
                        for m in members(session, row.id)]}


def round_records(session: Session) -> list[dict[str, Any]]:
    """Every live round, by code."""
    rows = session.scalars(select(WeightingRound).where(WeightingRound.deleted_at.is_(None))
                           .order_by(WeightingRound.code))
    return [round_record(session, row) for row in rows]


def latest_closed_round(session: Session, scenario_id: int) -> dict[str, Any] | None:
    """The scenario's most recently closed round, as :func:`round_record`, or None."""
    row = session.scalars(select(WeightingRound).where(
        WeightingRound.scenario_id == scenario_id, WeightingRound.status == "closed",
        WeightingRound.deleted_at.is_(None)).order_by(WeightingRound.closed_at.desc(),
                                                      WeightingRound.id.desc())).first()
    return None if row is None else round_record(session, row)
