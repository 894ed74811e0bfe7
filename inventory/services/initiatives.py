"""The transformation roadmap's records, one by one: initiatives (with the processes they
transform and the KPIs they are to move), their deliverables and dated progress notes.

Every write follows the conventions of :mod:`inventory.services` (role checked, input checked,
one transaction with its audit events, optimistic locking on the version the caller saw).
Initiatives are audited as ``initiative`` (key: the code), deliverables as ``deliverable``
(key: ``CODE/REF``) and notes as ``progress_update`` (key: ``CODE#id``). The links to processes
and KPIs are fields of the initiative: changing them moves its version and is audited as its
``processes`` and ``kpis`` fields.

Who may do what (:mod:`inventory.access`): leadership (the task force) and admins decide the
initiatives (:attr:`~inventory.access.Action.manage_initiatives`); analysts, leadership and
admins record deliverables and notes (:attr:`~inventory.access.Action.track_delivery`); only
admins restore deleted items.

Rationalisation (combining, splitting, proposing from a ranked backlog) builds on this class in
:mod:`inventory.services.rationalisation`.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from inventory.access import Action, Actor, authorize
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.roadmap_schemas import (
    INITIATIVE_FIELDS,
    DeliverableIn,
    InitiativeIn,
    ProgressUpdateIn,
    UpdateKind,
    split_kpi_reference,
)
from inventory.services.core import catalogue_transaction, row_record, validated
from inventory.storage import audit, repository, roadmap_rows
from inventory.storage.db import reading
from inventory.storage.models import Deliverable, Initiative, ProgressUpdate, utcnow

INITIATIVE = "initiative"
DELIVERABLE = "deliverable"
UPDATE = "progress_update"
LIST_FIELDS = ("processes", "kpis", "studies")


def _stored(value: Any) -> Any:
    return getattr(value, "value", value)


def _joined(items: Iterable[str]) -> str | None:
    return "; ".join(items) or None


def _in_order(field: str, items: Iterable[str]) -> list[str]:
    """A list field as stored and compared: processes and KPIs sorted (case ignored), as
    :func:`.roadmap_rows.initiatives_frame` reads them; studies as given."""
    return list(items) if field == "studies" else sorted(items, key=str.casefold)


class InitiativeRecords:
    """Initiatives, deliverables and progress notes on one database (see the module)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _write(self) -> AbstractContextManager[Session]:
        return catalogue_transaction(self.engine)

    # ------------------------------------------------------------------ reads

    def initiatives(self, *, include_deleted: bool = False,
                    deleted_only: bool = False) -> pd.DataFrame:
        """One row per initiative (see :func:`.roadmap_rows.initiatives_frame`)."""
        with reading(self.engine) as s:
            return roadmap_rows.initiatives_frame(s, include_deleted=include_deleted,
                                                  deleted_only=deleted_only)

    def deliverables(self, initiative_code: str | None = None, *,
                     include_deleted: bool = False, deleted_only: bool = False) -> pd.DataFrame:
        with reading(self.engine) as s:
            frame = roadmap_rows.deliverables_frame(s, include_deleted=include_deleted,
                                                    deleted_only=deleted_only)
            if initiative_code is not None:
                code = self._existing(s, initiative_code, allow_deleted=True).code
                frame = frame[frame["initiative_code"] == code].reset_index(drop=True)
        return frame

    def updates(self, initiative_code: str | None = None, *,
                open_only: bool = False) -> pd.DataFrame:
        """Progress notes, newest first; ``open_only``: unresolved obstacles and decisions."""
        with reading(self.engine) as s:
            wanted = None if initiative_code is None else \
                self._existing(s, initiative_code, allow_deleted=True).id
            frame = roadmap_rows.updates_frame(s, initiative_id=wanted)
        if open_only:
            frame = frame[(frame["kind"] != UpdateKind.PROGRESS.value)
                          & frame["resolved_at"].isna()].reset_index(drop=True)
        return frame

    def get(self, code: str) -> dict[str, Any]:
        """One initiative (deleted ones too) as a record, with its ``deliverables`` and
        ``updates`` as lists of records."""
        frame = self.initiatives(include_deleted=True)
        found = frame["code"].str.casefold() == code.strip().casefold()
        if not found.any():
            raise NotFound(f"no initiative has the code '{code.strip()}'; check the code in the "
                           "list of initiatives")
        record = row_record(frame, found)
        record["deliverables"] = [row_record(d.to_frame().T) for _, d in
                                  self.deliverables(record["code"]).iterrows()]
        record["updates"] = [row_record(u.to_frame().T) for _, u in
                             self.updates(record["code"]).iterrows()]
        return record

    def of_process(self, process_code: str) -> pd.DataFrame:
        """The live initiatives that transform a process: code, name, status, priority area."""
        with reading(self.engine) as s:
            process = repository.process_by_code(s, process_code)
            if process is None:
                raise NotFound(f"no process has the code '{process_code.strip()}'")
            return roadmap_rows.initiatives_of_process(s, process.id)

    def history(self, code: str) -> pd.DataFrame:
        """Audit events of an initiative, its deliverables and its notes, newest first."""
        with reading(self.engine) as s:
            row = self._existing(s, code, allow_deleted=True)
            ids = {INITIATIVE: [row.id],
                   DELIVERABLE: list(roadmap_rows.deliverables_frame(
                       s, include_deleted=True).query("initiative_code == @row.code")["id"]),
                   UPDATE: list(roadmap_rows.updates_frame(s, initiative_id=row.id)["id"])}
            return repository.audit_frame(s, entity_ids={k: [int(i) for i in v]
                                                          for k, v in ids.items()})

    # ------------------------------------------------------------------ initiatives

    def add(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """Create an initiative from :class:`InitiativeIn` fields."""
        who = authorize(actor, Action.manage_initiatives)
        initiative = validated(InitiativeIn, data,
                               f"Initiative {data.get('code') or '(no code)'}")
        with self._write() as s:
            self._insert(s, initiative, who)
        return self.get(initiative.code)

    def _insert(self, s: Session, initiative: InitiativeIn, who: str, *,
                extra: dict[str, Any] | None = None) -> Initiative:
        existing = roadmap_rows.initiative_by_code(s, initiative.code)
        if existing is not None:
            state = (": it is deleted; an admin can restore it, or choose another code"
                     if existing.deleted_at else "; codes ignore case, so choose another code")
            raise Conflict(f"an initiative with the code {existing.code} already exists{state}")
        columns = self._columns(s, initiative)
        row = Initiative(**columns, **(extra or {}))
        shown = {k: v for k, v in initiative.model_dump().items() if v not in ((), None)}
        audit.record_create(s, row, INITIATIVE, initiative.code, who,
                            {k: _joined(v) if isinstance(v, tuple) else _stored(v)
                             for k, v in shown.items()} | (extra_text(extra)))
        roadmap_rows.set_links(s, row.id, process_ids=self._process_ids(s, initiative),
                               kpi_ids=self._kpi_ids(s, initiative))
        return row

    def update(self, code: str, changes: dict[str, Any], seen_version: int | None,
               actor: Actor) -> dict[str, Any]:
        """Change some fields of an initiative (lists are replaced whole)."""
        who = authorize(actor, Action.manage_initiatives)
        with self._write() as s:
            row = self._existing(s, code, lock=True)
            audit.check_version(s, row, INITIATIVE, row.code, seen_version)
            code = self._apply(s, row, changes, who)
        return self.get(code)

    def _apply(self, s: Session, row: Initiative, changes: dict[str, Any], who: str,
               **lineage: Any) -> str:
        """Validate the initiative as it would be after ``changes`` and store what changed
        (``lineage`` columns are set as given and audited too)."""
        before = self._fields(s, row)
        initiative = validated(InitiativeIn, before | changes, f"Initiative {row.code}")
        clash = roadmap_rows.initiative_by_code(s, initiative.code)
        if clash is not None and clash.id != row.id:
            raise Conflict(f"an initiative with the code {clash.code} already exists; codes "
                           "ignore case, so choose another code")
        after = {k: _joined(_in_order(k, v)) if isinstance(v, tuple) else _stored(v)
                 for k, v in initiative.model_dump().items()}
        shown_before = {k: _joined(_in_order(k, v)) if isinstance(v, list) else v
                        for k, v in before.items()}
        for column, value in lineage.items():
            field = column.removesuffix("_id")
            shown_before[field] = self._shown(s, column, getattr(row, column))
            after[field] = self._shown(s, column, value)
        changed = audit.apply_changes(s, row, INITIATIVE, row.code, who, shown_before, after,
                                      self._columns(s, initiative) | lineage)
        if "processes" in changed or "kpis" in changed:
            roadmap_rows.set_links(s, row.id, process_ids=self._process_ids(s, initiative),
                                   kpi_ids=self._kpi_ids(s, initiative))
        return row.code

    def delete(self, code: str, actor: Actor, seen_version: int | None = None) -> str:
        """Soft-delete an initiative (its deliverables and notes stay with it)."""
        who = authorize(actor, Action.manage_initiatives)
        with self._write() as s:
            row = self._existing(s, code, lock=True)
            audit.check_version(s, row, INITIATIVE, row.code, seen_version)
            audit.soft_delete(s, row, INITIATIVE, row.code, who)
            return row.code

    def restore(self, code: str, actor: Actor) -> str:
        who = authorize(actor, Action.restore)
        with self._write() as s:
            row = self._existing(s, code, allow_deleted=True, lock=True)
            audit.restore(s, row, INITIATIVE, row.code, who)
            return row.code

    def link(self, code: str, actor: Actor, *, processes: Iterable[str] = (),
             kpis: Iterable[str] = (), unlink_processes: Iterable[str] = (),
             unlink_kpis: Iterable[str] = (), seen_version: int | None = None) -> dict[str, Any]:
        """Add (or take away) processes the initiative transforms and KPIs it is to move."""
        who = authorize(actor, Action.manage_initiatives)
        with self._write() as s:
            row = self._existing(s, code, lock=True)
            audit.check_version(s, row, INITIATIVE, row.code, seen_version)
            fields = self._fields(s, row)
            changes: dict[str, Any] = {}
            for field, add, remove in (("processes", processes, unlink_processes),
                                       ("kpis", kpis, unlink_kpis)):
                add, remove = list(add), list(remove)
                if add or remove:
                    gone = {item.casefold() for item in remove}
                    kept = [item for item in fields[field] if item.casefold() not in gone]
                    changes[field] = [*kept, *add]
            if not changes:
                raise InvalidInput("name at least one process or KPI to link or unlink")
            code = self._apply(s, row, changes, who)
        return self.get(code)

    # ------------------------------------------------------------------ deliverables

    def add_deliverable(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """Add a deliverable to an initiative (``ref`` defaults to the next ``D<n>``)."""
        who = authorize(actor, Action.track_delivery)
        item = validated(DeliverableIn, data,
                         f"Deliverable of {data.get('initiative_code') or '(no initiative)'}")
        with self._write() as s:
            row = self._insert_deliverable(s, item, who)
            key = (row.initiative_id, row.ref)
        return self._deliverable_record(*key)

    def _insert_deliverable(self, s: Session, item: DeliverableIn, who: str) -> Deliverable:
        owner = self._existing(s, item.initiative_code)
        ref = item.ref or roadmap_rows.next_ref(s, owner.id)
        if roadmap_rows.deliverable_by_ref(s, owner.id, ref) is not None:
            raise Conflict(f"initiative {owner.code} already has a deliverable {ref}; choose "
                           "another ref or edit that one")
        values = {k: _stored(v) for k, v in item.model_dump().items()
                  if k not in ("initiative_code", "ref")}
        row = Deliverable(initiative_id=owner.id, ref=ref, **values)
        audit.record_create(s, row, DELIVERABLE, f"{owner.code}/{ref}", who,
                            {"initiative": owner.code, "ref": ref} | values)
        return row

    def update_deliverable(self, code: str, ref: str, changes: dict[str, Any],
                           seen_version: int | None, actor: Actor) -> dict[str, Any]:
        """Change a deliverable: its status, text, milestone, due date, evidence…"""
        who = authorize(actor, Action.track_delivery)
        with self._write() as s:
            owner = self._existing(s, code)
            row = self._existing_deliverable(s, owner, ref, lock=True)
            key = f"{owner.code}/{row.ref}"
            audit.check_version(s, row, DELIVERABLE, key, seen_version)
            before = {"initiative_code": owner.code, "ref": row.ref, "objective": row.objective,
                      "milestone": row.milestone, "text": row.text, "due": row.due,
                      "status": row.status, "evidence": row.evidence}
            if "initiative_code" in changes:
                raise InvalidInput("a deliverable stays with its initiative; combine the "
                                   "initiatives to carry deliverables over")
            item = validated(DeliverableIn, before | changes, f"Deliverable {key}")
            if item.ref and item.ref.casefold() != row.ref.casefold() and \
                    roadmap_rows.deliverable_by_ref(s, owner.id, item.ref) is not None:
                raise Conflict(f"initiative {owner.code} already has a deliverable {item.ref}")
            after = {k: _stored(v) for k, v in item.model_dump().items()}
            after["ref"] = item.ref or row.ref
            columns = {k: v for k, v in after.items() if k != "initiative_code"}
            audit.apply_changes(s, row, DELIVERABLE, key, who, before, after, columns)
            found = (row.initiative_id, row.ref)
        return self._deliverable_record(*found)

    def delete_deliverable(self, code: str, ref: str, actor: Actor,
                           seen_version: int | None = None) -> None:
        who = authorize(actor, Action.track_delivery)
        with self._write() as s:
            owner = self._existing(s, code)
            row = self._existing_deliverable(s, owner, ref, lock=True)
            audit.check_version(s, row, DELIVERABLE, f"{owner.code}/{row.ref}", seen_version)
            audit.soft_delete(s, row, DELIVERABLE, f"{owner.code}/{row.ref}", who)

    def restore_deliverable(self, code: str, ref: str, actor: Actor) -> None:
        who = authorize(actor, Action.restore)
        with self._write() as s:
            owner = self._existing(s, code, allow_deleted=True)
            row = self._existing_deliverable(s, owner, ref, allow_deleted=True, lock=True)
            audit.restore(s, row, DELIVERABLE, f"{owner.code}/{row.ref}", who)

    def _deliverable_record(self, initiative_id: int, ref: str) -> dict[str, Any]:
        with reading(self.engine) as s:
            frame = roadmap_rows.deliverables_frame(s, include_deleted=True)
            code = roadmap_rows.initiative_codes(s, [initiative_id])[initiative_id]
        return row_record(frame, (frame["initiative_code"] == code) & (frame["ref"] == ref))

    # ------------------------------------------------------------------ progress notes

    def add_update(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """Record a dated note of kind progress, obstacle or decision needed."""
        who = authorize(actor, Action.track_delivery)
        item = validated(ProgressUpdateIn, data,
                         f"Note on {data.get('initiative_code') or '(no initiative)'}")
        with self._write() as s:
            update_id = self._insert_update(s, item, who).id
        return self._update_record(update_id)

    def _insert_update(self, s: Session, item: ProgressUpdateIn, who: str) -> ProgressUpdate:
        owner = self._existing(s, item.initiative_code)
        noted_on = item.noted_on or utcnow().date()
        row = ProgressUpdate(initiative_id=owner.id, kind=item.kind.value, note=item.note,
                             noted_on=noted_on)
        audit.record_create(s, row, UPDATE, owner.code, who,
                            {"kind": item.kind.value, "note": item.note, "noted_on": noted_on})
        return row

    def resolve_update(self, update_id: int, actor: Actor) -> dict[str, Any]:
        """Close an open obstacle or decision (who and when are kept)."""
        who = authorize(actor, Action.track_delivery)
        with self._write() as s:
            row = s.get(ProgressUpdate, update_id, with_for_update=True)
            if row is None or row.deleted_at is not None:
                raise NotFound(f"no progress note {update_id}; check its number in the "
                               "initiative's notes")
            if row.kind == UpdateKind.PROGRESS.value:
                raise InvalidInput(f"note {update_id} records progress; only obstacles and "
                                   "decisions needed are resolved")
            if row.resolved_at is not None:
                raise InvalidInput(f"note {update_id} was already resolved by "
                                   f"{row.resolved_by} on {row.resolved_at:%Y-%m-%d}")
            now = utcnow()
            code = roadmap_rows.initiative_codes(s, [row.initiative_id])[row.initiative_id]
            audit.apply_changes(s, row, UPDATE, code, who, {"resolved_by": None},
                                {"resolved_by": who},
                                {"resolved_at": now, "resolved_by": who})
        return self._update_record(update_id)

    def _update_record(self, update_id: int) -> dict[str, Any]:
        with reading(self.engine) as s:
            frame = roadmap_rows.updates_frame(s)
        return row_record(frame, frame["id"] == update_id)

    # ------------------------------------------------------------------ lookups

    @staticmethod
    def _existing(s: Session, code: str, *, allow_deleted: bool = False,
                  lock: bool = False) -> Initiative:
        row = roadmap_rows.initiative_by_code(s, code or "", lock=lock)
        if row is None:
            raise NotFound(f"no initiative has the code '{(code or '').strip()}'; check the code "
                           "in the list of initiatives")
        if row.deleted_at is not None and not allow_deleted:
            raise NotFound(f"initiative {row.code} is deleted; restore it first (an admin can "
                           "restore it)")
        return row

    @staticmethod
    def _existing_deliverable(s: Session, owner: Initiative, ref: str, *,
                              allow_deleted: bool = False, lock: bool = False) -> Deliverable:
        row = roadmap_rows.deliverable_by_ref(s, owner.id, ref or "", lock=lock)
        if row is None:
            raise NotFound(f"initiative {owner.code} has no deliverable '{(ref or '').strip()}'; "
                           "check the ref in its list of deliverables")
        if row.deleted_at is not None and not allow_deleted:
            raise NotFound(f"deliverable {owner.code}/{row.ref} is deleted; an admin can "
                           "restore it")
        return row

    @staticmethod
    def _shown(s: Session, column: str, value: Any) -> Any:
        """A lineage column as the audit trail shows it: an initiative's id as its code."""
        if column.endswith("_id") and value is not None:
            return roadmap_rows.initiative_codes(s, [value])[value]
        return value

    @staticmethod
    def _fields(s: Session, row: Initiative) -> dict[str, Any]:
        """The initiative as a user writes it (:class:`InitiativeIn` fields; lists as lists)."""
        frame = roadmap_rows.initiatives_frame(s, include_deleted=True)
        record = row_record(frame, frame["id"] == row.id)
        fields = {name: record.get(name) for name in INITIATIVE_FIELDS}
        for name in LIST_FIELDS:
            fields[name] = [item.strip() for item in (record.get(name) or "").split(";")
                            if item.strip()]
        return fields

    @staticmethod
    def _columns(s: Session, initiative: InitiativeIn) -> dict[str, Any]:
        """The table's columns for ``initiative`` (the unit by id, lists as text)."""
        values = {k: _stored(v) for k, v in initiative.model_dump().items()
                  if k not in ("unit", "processes", "kpis")}
        values["studies"] = _joined(initiative.studies)
        values["unit_id"] = None
        if initiative.unit is not None:
            unit = repository.unit_by_code(s, initiative.unit)
            if unit is None or unit.deleted_at is not None:
                raise NotFound(f"Initiative {initiative.code}: no unit has the code "
                               f"'{initiative.unit}'; check the code in the list of units")
            values["unit_id"] = unit.id
        return values

    @staticmethod
    def _process_ids(s: Session, initiative: InitiativeIn) -> list[int]:
        ids = []
        for code in initiative.processes:
            process = repository.process_by_code(s, code)
            if process is None or process.deleted_at is not None:
                raise NotFound(f"Initiative {initiative.code}: no live process has the code "
                               f"'{code}'; check the code in the list of processes")
            ids.append(process.id)
        return ids

    @staticmethod
    def _kpi_ids(s: Session, initiative: InitiativeIn) -> list[int]:
        ids = []
        for reference in initiative.kpis:
            code, name = split_kpi_reference(reference)
            process = repository.process_by_code(s, code)
            found = None if process is None or process.deleted_at is not None else \
                roadmap_rows.kpi_id(s, process.id, name)
            if found is None:
                raise NotFound(f"Initiative {initiative.code}: no KPI '{name}' is recorded for "
                               f"process '{code}'; check the KPIs of that process")
            ids.append(found)
        return ids


def extra_text(extra: dict[str, Any] | None) -> dict[str, Any]:
    """Lineage columns given at creation, as the audit trail shows them."""
    return {k: v for k, v in (extra or {}).items() if v is not None}
