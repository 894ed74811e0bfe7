"""Queries over the catalogue. Every function takes an open session, never commits, and returns
either DataFrames (for the UI, the CLI and the scoring engine) or ORM rows (for the services).

"Live" means not soft-deleted; a dependency, KPI or assessment is live only while its processes are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Executable, and_, func, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from inventory.storage.db import EVERY_TABLE
from inventory.storage.models import (
    Assessment,
    AuditEvent,
    CaseEndorsement,
    CaseForChange,
    CaseProcess,
    CatalogueRevision,
    Deliverable,
    Dependency,
    ImportRecord,
    Initiative,
    InitiativeKpi,
    InitiativeProcess,
    Kpi,
    Process,
    ProgressUpdate,
    TableRevision,
    Unit,
    utcnow,
)

TRACKING_COLUMNS = ["version", "created_at", "created_by", "updated_at", "updated_by",
                    "deleted_at", "deleted_by"]


def query_frame(session: Session, query: Executable) -> pd.DataFrame:
    """The rows of ``query`` as a frame, built column by column from plain Core rows (about
    twice as fast as ORM rows turned into a frame row by row: 34,000 assessments 0.29 s
    against 0.44 s; the same columns, types and values)."""
    result = session.connection().execute(query)
    keys = list(result.keys())
    rows = result.fetchall()
    if not rows:
        return pd.DataFrame(columns=keys)
    columns = map(list, zip(*rows, strict=True))
    return pd.DataFrame(dict(zip(keys, columns, strict=True)), columns=keys)


def _tracking(model: type[Unit | Process | Dependency | Kpi | Assessment]) -> list[Any]:
    return [getattr(model, name) for name in TRACKING_COLUMNS]


# ---------------------------------------------------------------- the catalogue revision


def current_revision(session: Session) -> int:
    """The catalogue's revision as this transaction sees it (0 before the first change)."""
    return int(session.execute(select(CatalogueRevision.revision)).scalar_one_or_none() or 0)


TRACKED_TABLES = (Unit.__tablename__, Process.__tablename__, Dependency.__tablename__,
                  Kpi.__tablename__, Assessment.__tablename__, Initiative.__tablename__,
                  InitiativeProcess.__tablename__, InitiativeKpi.__tablename__,
                  Deliverable.__tablename__, ProgressUpdate.__tablename__,
                  CaseForChange.__tablename__, CaseProcess.__tablename__,
                  CaseEndorsement.__tablename__)
"""The tables whose own revision is kept (see :class:`inventory.storage.models.TableRevision`)."""


def advance_revision(session: Session, written: Iterable[str] = (EVERY_TABLE,)) -> None:
    """Move the revision on by one inside the writing transaction, and set the revision of the
    tracked tables in ``written`` (:data:`inventory.storage.db.EVERY_TABLE`: all) to it: others
    read the new values exactly when the change they mark becomes visible (on commit), never
    before. On PostgreSQL the row locks taken here are held only from these, the last
    statements, to the commit."""
    moved = session.execute(update(CatalogueRevision).values(
        revision=CatalogueRevision.revision + 1, changed_at=utcnow()))
    if moved.rowcount == 0:  # type: ignore[attr-defined]  # the row was emptied out
        session.add(CatalogueRevision(id=1, revision=1, changed_at=utcnow()))
        session.flush()
    revision = current_revision(session)
    written = set(written)
    kept = set(session.scalars(select(TableRevision.table_name)))
    for name in TRACKED_TABLES:
        if name not in kept:  # a row emptied out stood for the catalogue revision: it moves too
            session.add(TableRevision(table_name=name, revision=revision))
        elif EVERY_TABLE in written or name in written:
            session.execute(update(TableRevision).where(TableRevision.table_name == name)
                            .values(revision=revision))


def table_revisions(session: Session) -> dict[str, int]:
    """Each tracked table's revision; a table with no row yet (never written since the
    revisions were kept) gets the catalogue revision, which is never older than its last
    change."""
    stored = dict(session.execute(select(TableRevision.table_name, TableRevision.revision)).all())
    catalogue = current_revision(session)
    return {name: int(stored.get(name, catalogue)) for name in TRACKED_TABLES}


def newest_audit_id(session: Session) -> int:
    """The id of the newest audit event (0 when there is none): it moves with every event,
    sign-ins included, which do not move the catalogue revision."""
    return int(session.execute(select(func.max(AuditEvent.id))).scalar_one() or 0)


# ---------------------------------------------------------------- rows for the services


def unit_by_code(session: Session, code: str, *, lock: bool = False) -> Unit | None:
    """The unit whose code is ``code`` in any case (deleted ones included)."""
    return by_code(session, Unit, code, lock)


def process_by_code(session: Session, code: str, *, lock: bool = False) -> Process | None:
    """The process whose code is ``code`` in any case (deleted ones included)."""
    return by_code(session, Process, code, lock)


def by_code(session: Session, model: type[Unit | Process | Initiative], code: str,
            lock: bool = False) -> Any:
    """Codes are unique without regard to case: the row spelled exactly as ``code`` (found by
    the index), else the one spelled in another case. Codes are ASCII (see
    :data:`inventory.schemas.CODE_PATTERN`), so SQL ``UPPER`` and Python agree on every
    database."""
    wanted = code.strip()
    for condition in (model.code == wanted, func.upper(model.code) == wanted.upper()):
        query = select(model).where(condition).order_by(model.id)
        row = session.scalars(query.with_for_update() if lock else query).first()
        if row is not None:
            return row
    return None


def process_code_by_id(session: Session, process_id: int | None) -> str | None:
    if process_id is None:
        return None
    return session.scalar(select(Process.code).where(Process.id == process_id))


def unit_code_by_id(session: Session, unit_id: int) -> str:
    return session.scalars(select(Unit.code).where(Unit.id == unit_id)).one()


def live_children(session: Session, process_id: int) -> list[str]:
    query = select(Process.code).where(Process.parent_id == process_id,
                                       Process.deleted_at.is_(None)).order_by(Process.code)
    return list(session.scalars(query))


def ancestor_ids(session: Session, process_id: int) -> set[int]:
    """Every process above ``process_id`` in the hierarchy (walks up; stops on a loop)."""
    seen: set[int] = set()
    current: int | None = process_id
    while current is not None and current not in seen:
        seen.add(current)
        current = session.scalar(select(Process.parent_id).where(Process.id == current))
    seen.discard(process_id)
    return seen


def live_process_count(session: Session, unit_id: int) -> int:
    query = select(func.count()).select_from(Process).where(Process.unit_id == unit_id,
                                                            Process.deleted_at.is_(None))
    return int(session.scalar(query) or 0)


def dependency_between(session: Session, upstream_id: int, downstream_id: int, *,
                       lock: bool = False) -> Dependency | None:
    query = select(Dependency).where(Dependency.upstream_id == upstream_id,
                                     Dependency.downstream_id == downstream_id)
    return session.scalars(query.with_for_update() if lock else query).first()


def kpi_by_name(session: Session, process_id: int, name: str) -> Kpi | None:
    query = select(Kpi).where(Kpi.process_id == process_id, Kpi.name == name)
    return session.scalars(query.with_for_update()).first()


def assessment_by_key(session: Session, process_id: int, criterion_key: str,
                      rater: str) -> Assessment | None:
    query = select(Assessment).where(Assessment.process_id == process_id,
                                     Assessment.criterion_key == criterion_key,
                                     Assessment.rater == rater)
    return session.scalars(query.with_for_update()).first()


def rater_names(session: Session) -> list[str]:
    """Every rater name stored (deleted assessments included), the earliest stored first."""
    first = func.min(Assessment.id)
    return list(session.scalars(select(Assessment.rater).group_by(Assessment.rater)
                                .order_by(first)))


def record_by_id(session: Session, model: type[Kpi | Assessment],
                 record_id: int) -> Kpi | Assessment | None:
    if model is Kpi:
        return session.get(Kpi, record_id, with_for_update=True)
    return session.get(Assessment, record_id, with_for_update=True)


def changes_since(session: Session, entity: str, entity_id: int,
                  version: int) -> list[AuditEvent]:
    """Audit events that moved a record past ``version``, oldest first."""
    query = (select(AuditEvent)
             .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id,
                    AuditEvent.entity_version > version)
             .order_by(AuditEvent.id))
    return list(session.scalars(query))


# ---------------------------------------------------------------- frames for everyone else


def units_frame(session: Session, *, include_deleted: bool = False,
                deleted_only: bool = False) -> pd.DataFrame:
    """One row per unit with its count of live processes, sorted by code; ``deleted_only``:
    the units deleted themselves (what the History page offers to restore)."""
    live_processes = (select(Process.unit_id, func.count().label("processes"))
                      .where(Process.deleted_at.is_(None)).group_by(Process.unit_id).subquery())
    query = (select(Unit.id, Unit.code, Unit.name, Unit.kind,
                    func.coalesce(live_processes.c.processes, 0).label("processes"),
                    *_tracking(Unit))
             .outerjoin(live_processes, live_processes.c.unit_id == Unit.id)
             .order_by(Unit.code))
    if deleted_only:
        query = query.where(Unit.deleted_at.is_not(None))
    elif not include_deleted:
        query = query.where(Unit.deleted_at.is_(None))
    return query_frame(session, query)


def processes_frame(session: Session, *, include_deleted: bool = False,
                    codes: Iterable[str] | None = None,
                    deleted_only: bool = False) -> pd.DataFrame:
    """One row per process with every catalogue field, ``parent_code``, ``unit`` and ``level``
    (1 for a top-level process, 2 for its children, ...), sorted by code; ``deleted_only``:
    the deleted processes."""
    parent = aliased(Process)
    columns: list[Any] = [c for c in Process.__table__.columns
               if c.name not in ("parent_id", "unit_id", *TRACKING_COLUMNS)]
    query = (select(*columns, parent.code.label("parent_code"), Unit.code.label("unit"),
                    Unit.name.label("unit_name"), *_tracking(Process))
             .join(Unit, Unit.id == Process.unit_id)
             .outerjoin(parent, parent.id == Process.parent_id)
             .order_by(Process.code))
    if deleted_only:
        query = query.where(Process.deleted_at.is_not(None))
    elif not include_deleted:
        query = query.where(Process.deleted_at.is_(None))
    if codes is not None:
        query = query.where(Process.code.in_(list(codes)))
    frame = query_frame(session, query)
    levels = _levels(session, frame) if codes is None else pd.Series(  # a few: walk up each
        [len(ancestor_ids(session, int(i))) + 1 for i in frame["id"]], index=frame.index,
        dtype="int64")
    frame.insert(list(frame.columns).index("parent_code") + 1, "level", levels)
    whole_numbers = ["digital_maturity", "annual_volume"]
    frame[whole_numbers] = frame[whole_numbers].astype("Int64")  # unknown stays <NA>, not 2.0
    return frame


def _levels(session: Session, frame: pd.DataFrame) -> pd.Series:
    """Depth in the hierarchy, counted over every process (deleted parents included)."""
    parent_of = dict(session.execute(select(Process.id, Process.parent_id)).all())
    id_of = dict(session.execute(select(Process.code, Process.id)).all())

    def level(process_id: int) -> int:
        depth, seen = 1, {process_id}
        parent = parent_of.get(process_id)
        while parent is not None and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = parent_of.get(parent)
        return depth

    return pd.Series([level(id_of[c]) for c in frame["code"]], index=frame.index, dtype="int64")


def _live_process(model: type[Dependency | Kpi | Assessment], process: type[Process]) -> object:
    return and_(model.deleted_at.is_(None), process.deleted_at.is_(None))


def dependencies_frame(session: Session, *, process_code: str | None = None,
                       include_deleted: bool = False, deleted_only: bool = False) -> pd.DataFrame:
    """Live dependencies with both ends' codes and names, by upstream then downstream code;
    ``deleted_only``: those deleted themselves, whatever their processes."""
    up, down = aliased(Process), aliased(Process)
    query = (select(Dependency.id, up.code.label("upstream_code"), up.name.label("upstream_name"),
                    down.code.label("downstream_code"), down.name.label("downstream_name"),
                    Dependency.kind, Dependency.strength, Dependency.note,
                    *_tracking(Dependency))
             .join(up, up.id == Dependency.upstream_id)
             .join(down, down.id == Dependency.downstream_id)
             .order_by(up.code, down.code))
    if deleted_only:
        query = query.where(Dependency.deleted_at.is_not(None))
    elif not include_deleted:
        query = query.where(Dependency.deleted_at.is_(None), up.deleted_at.is_(None),
                            down.deleted_at.is_(None))
    if process_code is not None:
        query = query.where(or_(up.code == process_code, down.code == process_code))
    return query_frame(session, query)


def kpis_frame(session: Session, *, process_code: str | None = None,
               include_deleted: bool = False, deleted_only: bool = False) -> pd.DataFrame:
    """Live KPIs by process code; ``deleted_only``: those deleted themselves, whatever their
    process."""
    query = (select(Kpi.id, Process.code.label("process_code"), Kpi.name, Kpi.unit_of_measure,
                    Kpi.direction, Kpi.baseline, Kpi.target, Kpi.target_date, Kpi.source,
                    *_tracking(Kpi))
             .join(Process, Process.id == Kpi.process_id)
             .order_by(Process.code, Kpi.name))
    if deleted_only:
        query = query.where(Kpi.deleted_at.is_not(None))
    elif not include_deleted:
        query = query.where(_live_process(Kpi, Process))  # type: ignore[arg-type]
    if process_code is not None:
        query = query.where(Process.code == process_code)
    return query_frame(session, query)


def assessments_frame(session: Session, *, process_code: str | None = None,
                      include_deleted: bool = False, deleted_only: bool = False) -> pd.DataFrame:
    """Live assessments by process code; ``deleted_only``: those deleted themselves, whatever their
    process."""
    query = (select(Assessment.id, Process.code.label("process_code"), Assessment.criterion_key,
                    Assessment.value, Assessment.low, Assessment.high, Assessment.rater,
                    Assessment.rationale, Assessment.assessed_on, *_tracking(Assessment))
             .join(Process, Process.id == Assessment.process_id)
             .order_by(Process.code, Assessment.criterion_key, Assessment.rater))
    if deleted_only:
        query = query.where(Assessment.deleted_at.is_not(None))
    elif not include_deleted:
        query = query.where(_live_process(Assessment, Process))  # type: ignore[arg-type]
    if process_code is not None:
        query = query.where(Process.code == process_code)
    return query_frame(session, query)


def ratings_frame(session: Session) -> pd.DataFrame:
    """The live assessments with only what ranking and snapshots read (process, criterion,
    value, low, high, rater, and who changed it when), in :func:`assessments_frame`'s order:
    half its columns, for the 170,000 assessments of 10,000 processes."""
    query = (select(Process.code.label("process_code"), Assessment.criterion_key,
                    Assessment.value, Assessment.low, Assessment.high, Assessment.rater,
                    Assessment.updated_by, Assessment.updated_at)
             .join(Process, Process.id == Assessment.process_id)
             .where(_live_process(Assessment, Process))  # type: ignore[arg-type]
             .order_by(Process.code, Assessment.criterion_key, Assessment.rater))
    return query_frame(session, query)


def assessment_rows(session: Session) -> pd.DataFrame:
    """The assessments not deleted themselves, by ``process_id``, with what
    :func:`ratings_frame` has: read from the assessments table alone, so that a frame built on
    it stays valid while only processes change (inventory/results.py joins the live processes
    in memory)."""
    return query_frame(session, select(
        Assessment.process_id, Assessment.criterion_key, Assessment.value, Assessment.low,
        Assessment.high, Assessment.rater, Assessment.updated_by, Assessment.updated_at)
        .where(Assessment.deleted_at.is_(None)))


def dependency_rows(session: Session) -> pd.DataFrame:
    """The dependencies not deleted themselves, by ``upstream_id`` and ``downstream_id``, with
    the other columns of :func:`dependencies_frame`, from the dependencies table alone (see
    :func:`assessment_rows`)."""
    return query_frame(session, select(
        Dependency.id, Dependency.upstream_id, Dependency.downstream_id, Dependency.kind,
        Dependency.strength, Dependency.note, *_tracking(Dependency))
        .where(Dependency.deleted_at.is_(None)))


def audit_frame(session: Session, *, entity_ids: dict[str, list[int]] | None = None,
                actor: str | Iterable[str] | None = None,
                action: str | Iterable[str] | None = None,
                entity: str | Iterable[str] | None = None, key_contains: str | None = None,
                since: dt.datetime | None = None, until: dt.datetime | None = None,
                limit: int | None = None) -> pd.DataFrame:
    """Audit events, newest first, filtered in the database.

    ``entity_ids`` limits them to some records of some kinds. ``actor``, ``action`` and
    ``entity`` each take one value or several (any of them matches; ``None`` or an empty list
    does not filter); ``actor`` is compared exactly, ``action`` and ``entity`` are the stored
    words (``update``, ``kpi``). ``key_contains`` matches text anywhere in the record's key,
    ignoring case, with ``%`` and ``_`` taken literally. ``since`` is inclusive and ``until``
    exclusive, both naive UTC like every stored timestamp. ``limit`` keeps the newest events.
    """
    query = select(AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action,
                   AuditEvent.entity, AuditEvent.entity_key, AuditEvent.entity_version,
                   AuditEvent.field, AuditEvent.old_value, AuditEvent.new_value,
                   AuditEvent.entity_id).order_by(AuditEvent.id.desc())
    if entity_ids is not None:
        query = query.where(or_(*(and_(AuditEvent.entity == kind, AuditEvent.entity_id.in_(ids))
                                  for kind, ids in entity_ids.items() if ids)))
    for column, wanted in ((AuditEvent.actor, actor), (AuditEvent.action, action),
                           (AuditEvent.entity, entity)):
        values = [wanted] if isinstance(wanted, str) else list(wanted or [])
        if values:
            query = query.where(column.in_(values))
    if key_contains:
        query = query.where(func.lower(AuditEvent.entity_key).contains(key_contains.lower(),
                                                                       autoescape=True))
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    if limit is not None:
        query = query.limit(limit)
    return query_frame(session, query)


def related_ids(session: Session, process_id: int) -> dict[str, list[int]]:
    """Ids of the process and of every dependency, KPI and assessment attached to it."""
    deps = select(Dependency.id).where(or_(Dependency.upstream_id == process_id,
                                           Dependency.downstream_id == process_id))
    return {
        "process": [process_id],
        "dependency": list(session.scalars(deps)),
        "kpi": list(session.scalars(select(Kpi.id).where(Kpi.process_id == process_id))),
        "assessment": list(session.scalars(
            select(Assessment.id).where(Assessment.process_id == process_id))),
    }


def counts(session: Session) -> dict[str, int]:
    """Live records of each kind (counted in the database, by the same rules as the frames)."""
    up, down = aliased(Process), aliased(Process)
    queries = {
        "units": select(func.count()).select_from(Unit).where(Unit.deleted_at.is_(None)),
        "processes": select(func.count()).select_from(Process)
        .where(Process.deleted_at.is_(None)),
        "dependencies": select(func.count()).select_from(Dependency)
        .join(up, up.id == Dependency.upstream_id).join(down, down.id == Dependency.downstream_id)
        .where(Dependency.deleted_at.is_(None), up.deleted_at.is_(None),
               down.deleted_at.is_(None)),
        "kpis": select(func.count()).select_from(Kpi).join(Process, Process.id == Kpi.process_id)
        .where(_live_process(Kpi, Process)),  # type: ignore[arg-type]
        "assessments": select(func.count()).select_from(Assessment)
        .join(Process, Process.id == Assessment.process_id)
        .where(_live_process(Assessment, Process)),  # type: ignore[arg-type]
        "initiatives": select(func.count()).select_from(Initiative)
        .where(Initiative.deleted_at.is_(None)),
        "deliverables": select(func.count()).select_from(Deliverable)
        .join(Initiative, Initiative.id == Deliverable.initiative_id)
        .where(Deliverable.deleted_at.is_(None), Initiative.deleted_at.is_(None)),
        "progress_updates": select(func.count()).select_from(ProgressUpdate)
        .join(Initiative, Initiative.id == ProgressUpdate.initiative_id)
        .where(ProgressUpdate.deleted_at.is_(None), Initiative.deleted_at.is_(None)),
    }
    return {name: int(session.scalar(query) or 0) for name, query in queries.items()}


def import_by_hash(session: Session, sha256: str) -> tuple[dt.datetime, str] | None:
    """When and by whom a file with this SHA-256 was first imported."""
    query = (select(ImportRecord.at, ImportRecord.actor).where(ImportRecord.sha256 == sha256)
             .order_by(ImportRecord.id))
    row = session.execute(query).first()
    return None if row is None else (row[0], row[1])


def take_turn_importing(session: Session, sha256: str) -> None:
    """Wait until no other transaction is importing the file with this SHA-256, and keep others
    waiting until this transaction ends. PostgreSQL: a transaction-level advisory lock keyed on
    the hash's first 60 bits (``pg_advisory_xact_lock``, PostgreSQL manual, "Advisory Lock
    Functions"); SQLite: nothing to do, its write transactions already take turns
    (``BEGIN IMMEDIATE``, see :mod:`inventory.storage.db`)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(sha256[:15], 16)})


def imports_frame(session: Session) -> pd.DataFrame:
    return query_frame(session, select(ImportRecord.id, ImportRecord.at, ImportRecord.actor,
                                  ImportRecord.file_name, ImportRecord.mode, ImportRecord.counts,
                                  ImportRecord.sha256).order_by(ImportRecord.id.desc()))


def process_references(session: Session) -> dict[str, str | None]:
    """Code -> external reference of every process (deleted ones included)."""
    return dict(session.execute(select(Process.code, Process.external_reference)).all())
