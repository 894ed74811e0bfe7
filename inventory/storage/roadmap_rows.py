"""The roadmap's rows for the services: initiatives with their links, deliverables and progress
notes as frames, and the lookups by code.

Lists (the processes an initiative transforms, the KPIs it moves) are given as ``; ``-joined
text in frames, sorted, so a frame compares equal whatever order the links were made in.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from inventory.storage.models import (
    Deliverable,
    Initiative,
    InitiativeKpi,
    InitiativeProcess,
    Kpi,
    Process,
    ProgressUpdate,
    Unit,
)
from inventory.storage.repository import TRACKING_COLUMNS, by_code

INITIATIVE_COLUMNS = ["id", "code", "name", "description", "pillar", "priority_area",
                      "business_owner", "unit", "status", "status_reason", "lineage",
                      "combined_into", "split_from", "start_date", "end_date", "budget_chf",
                      "staff_pm", "processes", "kpis", "studies", "tags", "snapshot_id",
                      *TRACKING_COLUMNS]
DELIVERABLE_COLUMNS = ["id", "initiative_code", "ref", "objective", "milestone", "text", "due",
                       "status", "evidence", *TRACKING_COLUMNS]
UPDATE_COLUMNS = ["id", "initiative_code", "kind", "note", "noted_on", "resolved_at",
                  "resolved_by", *TRACKING_COLUMNS]


def initiative_by_code(session: Session, code: str, *, lock: bool = False) -> Initiative | None:
    """The initiative whose code is ``code`` whatever its case (deleted ones included)."""
    found: Initiative | None = by_code(session, Initiative, code, lock)
    return found


def initiative_codes(session: Session, ids: list[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Initiative.id, Initiative.code)
                                .where(Initiative.id.in_(wanted))).all())


def linked_process_ids(session: Session, initiative_id: int) -> list[int]:
    return list(session.scalars(select(InitiativeProcess.process_id)
                                .where(InitiativeProcess.initiative_id == initiative_id)))


def linked_kpi_ids(session: Session, initiative_id: int) -> list[int]:
    return list(session.scalars(select(InitiativeKpi.kpi_id)
                                .where(InitiativeKpi.initiative_id == initiative_id)))


def process_links(session: Session) -> dict[int, list[str]]:
    """Initiative id -> the codes of the live processes it transforms, sorted."""
    rows = session.execute(select(InitiativeProcess.initiative_id, Process.code)
                           .join(Process, Process.id == InitiativeProcess.process_id)
                           .where(Process.deleted_at.is_(None))).all()
    links: dict[int, list[str]] = defaultdict(list)
    for initiative_id, code in rows:
        links[initiative_id].append(code)
    return {key: sorted(codes, key=str.casefold) for key, codes in links.items()}


def kpi_links(session: Session) -> dict[int, list[tuple[str, str]]]:
    """Initiative id -> (process code, KPI name) of the live KPIs it is to move."""
    rows = session.execute(select(InitiativeKpi.initiative_id, Process.code, Kpi.name)
                           .join(Kpi, Kpi.id == InitiativeKpi.kpi_id)
                           .join(Process, Process.id == Kpi.process_id)
                           .where(Kpi.deleted_at.is_(None), Process.deleted_at.is_(None))).all()
    links: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for initiative_id, code, name in rows:
        links[initiative_id].append((code, name))
    return dict(links)


def set_links(session: Session, initiative_id: int, *, process_ids: list[int] | None = None,
              kpi_ids: list[int] | None = None) -> None:
    """Make the initiative's links exactly these (those not given are left as they are)."""
    for model, column, wanted in ((InitiativeProcess, "process_id", process_ids),
                                  (InitiativeKpi, "kpi_id", kpi_ids)):
        if wanted is None:
            continue
        stored = {getattr(row, column): row for row in session.scalars(
            select(model).where(model.initiative_id == initiative_id))}
        for target, row in stored.items():
            if target not in wanted:
                session.delete(row)
        for target in dict.fromkeys(wanted):
            if target not in stored:
                session.add(model(initiative_id=initiative_id, **{column: target}))
    session.flush()


def initiatives_frame(session: Session, *, include_deleted: bool = False,
                      deleted_only: bool = False,
                      kpi_text: Any = None) -> pd.DataFrame:
    """One row per initiative by code; ``processes`` and ``kpis`` as ``; ``-joined text (KPIs
    written by ``kpi_text(process_code, name)``), ``unit``, ``combined_into`` and
    ``split_from`` as codes."""
    query = select(Initiative, Unit.code).outerjoin(Unit, Unit.id == Initiative.unit_id)
    if deleted_only:
        query = query.where(Initiative.deleted_at.is_not(None))
    elif not include_deleted:
        query = query.where(Initiative.deleted_at.is_(None))
    rows = session.execute(query.order_by(Initiative.code)).all()
    codes: dict[int | None, str] = dict(session.execute(
        select(Initiative.id, Initiative.code)).all())
    processes, kpis = process_links(session), kpi_links(session)
    write = kpi_text or (lambda code, name: f"{code}: {name}")
    records = []
    for row, unit in rows:
        record = {column: getattr(row, column, None) for column in INITIATIVE_COLUMNS}
        record.update(unit=unit, combined_into=codes.get(row.combined_into_id),
                      split_from=codes.get(row.split_from_id),
                      processes="; ".join(processes.get(row.id, [])) or None,
                      kpis="; ".join(sorted((write(*pair) for pair in kpis.get(row.id, [])),
                                            key=str.casefold)) or None)
        records.append(record)
    frame = pd.DataFrame(records, columns=INITIATIVE_COLUMNS)
    frame["snapshot_id"] = frame["snapshot_id"].astype("Int64")  # a number, or missing
    return frame


def deliverables_frame(session: Session, *, include_deleted: bool = False,
                       deleted_only: bool = False) -> pd.DataFrame:
    """One row per deliverable of a live initiative (any initiative with ``include_deleted``),
    by initiative code and ref."""
    owner = aliased(Initiative)
    query = select(Deliverable, owner.code).join(owner, owner.id == Deliverable.initiative_id)
    if deleted_only:
        query = query.where(Deliverable.deleted_at.is_not(None))
    elif not include_deleted:
        query = query.where(Deliverable.deleted_at.is_(None), owner.deleted_at.is_(None))
    rows = session.execute(query.order_by(owner.code, Deliverable.id)).all()
    records = [{column: getattr(row, column, None) for column in DELIVERABLE_COLUMNS}
               | {"initiative_code": code} for row, code in rows]
    return pd.DataFrame(records, columns=DELIVERABLE_COLUMNS)


def updates_frame(session: Session, *, initiative_id: int | None = None) -> pd.DataFrame:
    """Progress notes of live initiatives, newest first."""
    owner = aliased(Initiative)
    query = (select(ProgressUpdate, owner.code).join(owner, owner.id ==
                                                      ProgressUpdate.initiative_id)
             .where(ProgressUpdate.deleted_at.is_(None), owner.deleted_at.is_(None)))
    if initiative_id is not None:
        query = query.where(owner.id == initiative_id)
    rows = session.execute(query.order_by(ProgressUpdate.noted_on.desc(),
                                          ProgressUpdate.id.desc())).all()
    records = [{column: getattr(row, column, None) for column in UPDATE_COLUMNS}
               | {"initiative_code": code} for row, code in rows]
    return pd.DataFrame(records, columns=UPDATE_COLUMNS)


def deliverable_by_ref(session: Session, initiative_id: int, ref: str, *,
                       lock: bool = False) -> Deliverable | None:
    wanted = ref.strip().casefold()
    query = select(Deliverable).where(Deliverable.initiative_id == initiative_id)
    if lock:
        query = query.with_for_update()
    return next((row for row in session.scalars(query) if row.ref.casefold() == wanted), None)


def next_ref(session: Session, initiative_id: int) -> str:
    """``D<n>``: one more than the highest ``D`` number the initiative's deliverables use."""
    refs = session.scalars(select(Deliverable.ref)
                           .where(Deliverable.initiative_id == initiative_id))
    numbers = [int(ref[1:]) for ref in refs if ref[:1].upper() == "D" and ref[1:].isdigit()]
    return f"D{max(numbers, default=0) + 1}"


def kpi_id(session: Session, process_id: int, name: str) -> int | None:
    wanted = " ".join(name.split()).casefold()
    rows = session.execute(select(Kpi.id, Kpi.name).where(Kpi.process_id == process_id,
                                                          Kpi.deleted_at.is_(None))).all()
    return next((i for i, n in rows if " ".join(n.split()).casefold() == wanted), None)


def initiatives_of_process(session: Session, process_id: int) -> pd.DataFrame:
    """The live initiatives that transform a process: code, name, status."""
    query = (select(Initiative.code, Initiative.name, Initiative.status,
                    Initiative.priority_area)
             .join(InitiativeProcess, InitiativeProcess.initiative_id == Initiative.id)
             .where(InitiativeProcess.process_id == process_id,
                    Initiative.deleted_at.is_(None)).order_by(Initiative.code))
    return pd.DataFrame(session.execute(query).all(),
                        columns=["code", "name", "status", "priority_area"])
