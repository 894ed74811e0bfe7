"""Editing the catalogue record by record: units, processes, dependencies, KPIs and
assessments, each added, changed, deleted (softly) and restored in a transaction of its own,
with the conventions of every write (see :mod:`inventory.services`).

The ``_insert_*`` methods add one checked record inside the caller's transaction; the imports
(:mod:`inventory.services.imports`) use them to load many records in one."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from inventory.access import Action, Actor, authorize
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.schemas import (
    PROCESS_FIELDS,
    AssessmentIn,
    DependencyIn,
    KpiIn,
    ProcessIn,
    UnitIn,
    person_key,
    same_code,
)
from inventory.services.core import row_record, validated
from inventory.services.reading import CatalogueReads
from inventory.storage import audit, repository
from inventory.storage.db import reading
from inventory.storage.models import Assessment, Dependency, Kpi, Process, Tracked, Unit


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Vocabulary members become their machine words for storage."""
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in values.items()}


class CatalogueEdits(CatalogueReads):
    """The record-by-record edits of the catalogue (see the module)."""

    # ------------------------------------------------------------------ units

    def add_unit(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.edit_inventory)
        unit = validated(UnitIn, data, "Unit")
        with self._write() as s:
            self._insert_unit(s, unit, who)
        return self._unit_record(unit.code)

    @staticmethod
    def _insert_unit(s: Session, unit: UnitIn, actor: str) -> None:
        existing = repository.unit_by_code(s, unit.code)
        if existing is not None:
            state = (": it is deleted; an admin can restore it, or choose another code"
                     if existing.deleted_at else "; codes ignore case, so choose another code")
            raise Conflict(f"a unit with the code {existing.code} already exists{state}")
        row = Unit(**_stored(unit.model_dump()))
        audit.record_create(s, row, "unit", unit.code, actor, unit.model_dump())

    def update_unit(self, code: str, changes: dict[str, Any], seen_version: int | None,
                    actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.edit_inventory)
        with self._write() as s:
            row = self._existing_unit(s, code, lock=True)
            audit.check_version(s, row, "unit", row.code, seen_version)
            before = {"code": row.code, "name": row.name, "kind": row.kind}
            unit = validated(UnitIn, before | changes, f"Unit {row.code}")
            clash = repository.unit_by_code(s, unit.code)
            if clash is not None and clash.id != row.id:
                raise Conflict(f"a unit with the code {clash.code} already exists; codes ignore "
                               "case, so choose another code")
            after = _stored(unit.model_dump())
            audit.apply_changes(s, row, "unit", row.code, who, before, after, after)
            code = row.code
        return self._unit_record(code)

    def delete_unit(self, code: str, actor: Actor, seen_version: int | None = None) -> str:
        """Soft-delete a unit that owns no live process; return its code as stored."""
        who = authorize(actor, Action.edit_inventory)
        with self._write() as s:
            row = self._existing_unit(s, code, lock=True)
            audit.check_version(s, row, "unit", row.code, seen_version)
            owned = repository.live_process_count(s, row.id)
            if owned:
                raise Conflict(f"unit {row.code} still owns {owned} process(es); move or delete "
                               "them first")
            audit.soft_delete(s, row, "unit", row.code, who)
            return row.code

    def restore_unit(self, code: str, actor: Actor) -> str:
        """Bring a deleted unit back; return its code as stored."""
        who = authorize(actor, Action.restore)
        with self._write() as s:
            row = self._existing_unit(s, code, allow_deleted=True, lock=True)
            audit.restore(s, row, "unit", row.code, who)
            return row.code

    def _unit_record(self, code: str) -> dict[str, Any]:
        frame = self.units(include_deleted=True)
        return row_record(frame, frame["code"] == code)

    # ------------------------------------------------------------------ processes

    def add_process(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """Create a process; ``data`` holds :class:`ProcessIn` fields (code, name, unit ...)."""
        who = authorize(actor, Action.edit_inventory)
        process = validated(ProcessIn, data, f"Process {data.get('code') or '(no code)'}")
        with self._write() as s:
            self._insert_process(s, process, who)
        return self._process_record(process.code)

    def _insert_process(self, s: Session, process: ProcessIn, actor: str) -> None:
        existing = repository.process_by_code(s, process.code)
        if existing is not None:
            hint = (": it is deleted; an admin can restore it, or choose another code"
                    if existing.deleted_at else
                    "; codes ignore case, so choose another code or edit that process")
            raise Conflict(f"a process with the code {existing.code} already exists{hint}")
        process = self._with_stored_codes(s, process)
        row = Process(**self._process_columns(s, process, None))
        audit.record_create(s, row, "process", process.code, actor, process.model_dump())

    def update_process(self, code: str, changes: dict[str, Any], seen_version: int | None,
                       actor: Actor) -> dict[str, Any]:
        """Change some fields of a process, refusing if it moved past ``seen_version``."""
        who = authorize(actor, Action.edit_inventory)
        with self._write() as s:
            new_code = self._change_process(s, code, changes, seen_version, who).code
        return self._process_record(new_code)

    def _change_process(self, s: Session, code: str, changes: dict[str, Any],
                        seen_version: int | None, who: str) -> Process:
        """Change some fields of a process inside the caller's transaction, as ``who``, whom
        the caller has authorised (editing the inventory, or an owner reviewing their process:
        :mod:`inventory.services.reviews`); checked and audited as every process edit.
        Return the changed row."""
        row = self._existing_process(s, code, lock=True)
        audit.check_version(s, row, "process", row.code, seen_version)
        before = self._process_fields(s, row)
        process = validated(ProcessIn, before | changes, f"Process {row.code}")
        clash = repository.process_by_code(s, process.code)
        if clash is not None and clash.id != row.id:
            raise Conflict(f"a process with the code {clash.code} already exists; codes "
                           "ignore case, so choose another code")
        process = self._with_stored_codes(s, process)
        after = _stored(process.model_dump())
        columns = self._process_columns(s, process, row)
        audit.apply_changes(s, row, "process", row.code, who, before, after, columns)
        return row

    def delete_process(self, code: str, actor: Actor, seen_version: int | None = None) -> str:
        """Soft-delete: the process and what hangs on it disappear from lists, and can return.
        Return its code as stored."""
        who = authorize(actor, Action.edit_inventory)
        with self._write() as s:
            row = self._existing_process(s, code, lock=True)
            audit.check_version(s, row, "process", row.code, seen_version)
            children = repository.live_children(s, row.id)
            if children:
                raise Conflict(f"process {row.code} has sub-processes ({', '.join(children)}); "
                               "delete or move them first")
            audit.soft_delete(s, row, "process", row.code, who)
            return row.code

    def restore_process(self, code: str, actor: Actor) -> str:
        """Bring a deleted process back (its parent and unit must be live); return its code as
        stored."""
        who = authorize(actor, Action.restore)
        with self._write() as s:
            row = self._existing_process(s, code, allow_deleted=True, lock=True)
            parent = repository.process_code_by_id(s, row.parent_id)
            if parent is not None:
                self._existing_process(s, parent)  # a deleted parent must come back first
            unit = repository.unit_code_by_id(s, row.unit_id)
            self._existing_unit(s, unit)
            audit.restore(s, row, "process", row.code, who)
            return row.code

    def _process_record(self, code: str) -> dict[str, Any]:
        with reading(self.engine) as s:
            return row_record(repository.processes_frame(s, include_deleted=True, codes=[code]))

    def _process_fields(self, s: Session, row: Process) -> dict[str, Any]:
        """The stored process as the user writes it (parent and unit as codes)."""
        fields = {name: getattr(row, name) for name in PROCESS_FIELDS
                  if name not in ("parent_code", "unit")}
        fields["parent_code"] = repository.process_code_by_id(s, row.parent_id)
        fields["unit"] = repository.unit_code_by_id(s, row.unit_id)
        return fields

    @staticmethod
    def _with_stored_codes(s: Session, process: ProcessIn) -> ProcessIn:
        """``process`` with its unit and parent written as stored (``hrmd`` -> ``HRMD``), so the
        audit trail never records a change of case as a change of unit or parent."""
        unit = repository.unit_by_code(s, process.unit)
        parent = (repository.process_by_code(s, process.parent_code)
                  if process.parent_code is not None else None)
        return process.model_copy(update={
            "unit": process.unit if unit is None else unit.code,
            "parent_code": process.parent_code if parent is None else parent.code})

    def _process_columns(self, s: Session, process: ProcessIn,
                         row: Process | None) -> dict[str, Any]:
        """Resolve references and return the table's columns for ``process``."""
        unit = self._existing_unit(s, process.unit)
        parent_id = None
        if process.parent_code is not None:
            parent = repository.process_by_code(s, process.parent_code)
            if parent is None or parent.deleted_at is not None:
                raise InvalidInput(f"Process {process.code}: parent_code '{process.parent_code}' "
                                   "is not a live process; create the parent first")
            if row is not None and (parent.id == row.id or
                                    row.id in repository.ancestor_ids(s, parent.id)):
                raise InvalidInput(f"Process {process.code}: {parent.code} is below it in the "
                                   "hierarchy and cannot become its parent")
            parent_id = parent.id
        columns = _stored(process.model_dump(exclude={"parent_code", "unit"}))
        return columns | {"parent_id": parent_id, "unit_id": unit.id}

    # ------------------------------------------------------------------ dependencies

    def add_dependency(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """Record that ``downstream_code`` depends on ``upstream_code``. Cycles are allowed."""
        who = authorize(actor, Action.edit_inventory)
        dep = validated(DependencyIn, data, "Dependency")
        with self._write() as s:
            self._insert_dependency(s, dep, who)
        return self._dependency_record(dep.upstream_code, dep.downstream_code)

    def _insert_dependency(self, s: Session, dep: DependencyIn, actor: str) -> None:
        up = self._existing_process(s, dep.upstream_code)
        down = self._existing_process(s, dep.downstream_code)
        key = f"{up.code} -> {down.code}"
        values = _stored(dep.model_dump(exclude={"upstream_code", "downstream_code"}))
        existing = repository.dependency_between(s, up.id, down.id, lock=True)
        if existing is None:
            row = Dependency(upstream_id=up.id, downstream_id=down.id, **values)
            audit.record_create(s, row, "dependency", key, actor, dep.model_dump() | {
                "upstream_code": up.code, "downstream_code": down.code})
        else:
            self._revive(s, existing, "dependency", key, actor, values,
                         f"{key} already exists (kind {existing.kind}, strength "
                         f"{existing.strength}); edit it instead")

    def update_dependency(self, upstream_code: str, downstream_code: str,
                          changes: dict[str, Any], seen_version: int | None,
                          actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.edit_inventory)
        with self._write() as s:
            row, key = self._existing_dependency(s, upstream_code, downstream_code)
            audit.check_version(s, row, "dependency", key, seen_version)
            before = {"kind": row.kind, "strength": row.strength, "note": row.note}
            dep = validated(DependencyIn, {"upstream_code": upstream_code,
                                           "downstream_code": downstream_code} | before | changes,
                            f"Dependency {key}")
            if not (same_code(dep.upstream_code, upstream_code)
                    and same_code(dep.downstream_code, downstream_code)):
                raise InvalidInput(f"Dependency {key}: its ends cannot change; remove it and add "
                                   "the new one")
            after = _stored(dep.model_dump(exclude={"upstream_code", "downstream_code"}))
            audit.apply_changes(s, row, "dependency", key, who, before, after, after)
        return self._dependency_record(upstream_code, downstream_code)

    def remove_dependency(self, upstream_code: str, downstream_code: str, actor: Actor,
                          seen_version: int | None = None) -> None:
        who = authorize(actor, Action.edit_inventory)
        with self._write() as s:
            row, key = self._existing_dependency(s, upstream_code, downstream_code)
            audit.check_version(s, row, "dependency", key, seen_version)
            audit.soft_delete(s, row, "dependency", key, who)

    def restore_dependency(self, upstream_code: str, downstream_code: str, actor: Actor) -> None:
        who = authorize(actor, Action.restore)
        with self._write() as s:
            row, key = self._existing_dependency(s, upstream_code, downstream_code,
                                                 allow_deleted=True)
            audit.restore(s, row, "dependency", key, who)

    def _existing_dependency(self, s: Session, upstream_code: str, downstream_code: str, *,
                             allow_deleted: bool = False) -> tuple[Dependency, str]:
        up = self._existing_process(s, upstream_code)
        down = self._existing_process(s, downstream_code)
        key = f"{up.code} -> {down.code}"
        row = repository.dependency_between(s, up.id, down.id, lock=True)
        if row is None or (row.deleted_at is not None and not allow_deleted):
            raise NotFound(f"there is no dependency {key}")
        return row, key

    def _dependency_record(self, upstream_code: str, downstream_code: str) -> dict[str, Any]:
        frame = self.dependencies(process_code=upstream_code)
        downstream = frame["downstream_code"].map(lambda code: same_code(code, downstream_code))
        return row_record(frame, downstream.astype(bool))

    # ------------------------------------------------------------------ KPIs and assessments

    def add_kpi(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.edit_inventory)
        kpi = validated(KpiIn, data, "KPI")
        with self._write() as s:
            kpi_id = self._insert_kpi(s, kpi, who)
        return self._child_record(self.kpis(), kpi_id)

    def _insert_kpi(self, s: Session, kpi: KpiIn, actor: str) -> int:
        process = self._existing_process(s, kpi.process_code)
        key = f"{process.code}: {kpi.name}"
        values = _stored(kpi.model_dump(exclude={"process_code"}))
        existing = repository.kpi_by_name(s, process.id, kpi.name)
        if existing is not None:
            self._revive(s, existing, "kpi", key, actor, values,
                         f"KPI '{kpi.name}' already exists on {process.code} "
                         f"(id {existing.id}); edit it instead")
            return existing.id
        row = Kpi(process_id=process.id, **values)
        audit.record_create(s, row, "kpi", key, actor,
                            kpi.model_dump() | {"process_code": process.code})
        return row.id

    def update_kpi(self, kpi_id: int, changes: dict[str, Any], seen_version: int | None,
                   actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.edit_inventory)
        return self._update_child(Kpi, KpiIn, "kpi", kpi_id, changes, seen_version, who,
                                  lambda row, code: f"{code}: {row.name}")

    def delete_kpi(self, kpi_id: int, actor: Actor, seen_version: int | None = None) -> None:
        who = authorize(actor, Action.edit_inventory)
        self._delete_child(Kpi, "kpi", kpi_id, who, seen_version,
                           lambda row, code: f"{code}: {row.name}")

    def restore_kpi(self, kpi_id: int, actor: Actor) -> None:
        who = authorize(actor, Action.restore)
        self._restore_child(Kpi, "kpi", kpi_id, who, lambda row, code: f"{code}: {row.name}")

    def add_assessment(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """Store one rater's value; a second rater on the same criterion is kept beside it."""
        who = authorize(actor, Action.assess)
        value = validated(AssessmentIn, data, "Assessment")
        with self._write() as s:
            assessment_id = self._insert_assessment(s, value, who)
        return self._child_record(self.assessments(), assessment_id)

    def _insert_assessment(self, s: Session, value: AssessmentIn, actor: str) -> int:
        process = self._existing_process(s, value.process_code)
        self._check_rating(process.code, value)
        value = value.model_copy(update={"process_code": process.code,
                                         "rater": self._known_rater(s, value.rater)})
        key = f"{process.code}: {value.criterion_key} by {value.rater}"
        values = _stored(value.model_dump(exclude={"process_code"}))
        existing = repository.assessment_by_key(s, process.id, value.criterion_key, value.rater)
        if existing is not None:
            self._revive(s, existing, "assessment", key, actor, values,
                         f"{value.rater} already assessed {value.criterion_key} of "
                         f"{process.code} (id {existing.id}); edit that assessment instead")
            return existing.id
        row = Assessment(process_id=process.id, **values)
        audit.record_create(s, row, "assessment", key, actor, value.model_dump())
        return row.id

    @staticmethod
    def _known_rater(s: Session, rater: str) -> str:
        """The rater's name as first stored when it matches ``rater`` in any case and spacing
        (``ana  silva`` is ``Ana Silva``; see :func:`inventory.schemas.person_key`), else
        ``rater`` as typed."""
        for name in repository.rater_names(s):
            if person_key(name) == person_key(rater):
                return name
        return rater

    def update_assessment(self, assessment_id: int, changes: dict[str, Any],
                          seen_version: int | None, actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.assess)
        return self._update_child(Assessment, AssessmentIn, "assessment", assessment_id, changes,
                                  seen_version, who, _assessment_key)

    def delete_assessment(self, assessment_id: int, actor: Actor,
                          seen_version: int | None = None) -> None:
        who = authorize(actor, Action.assess)
        self._delete_child(Assessment, "assessment", assessment_id, who, seen_version,
                           _assessment_key)

    def restore_assessment(self, assessment_id: int, actor: Actor) -> None:
        who = authorize(actor, Action.restore)
        self._restore_child(Assessment, "assessment", assessment_id, who, _assessment_key)

    def _update_child(self, model: type[Kpi | Assessment], schema: type[KpiIn | AssessmentIn],
                      entity: str, record_id: int, changes: dict[str, Any],
                      seen_version: int | None, actor: str,
                      key_of: Callable[[Any, str], str]) -> dict[str, Any]:
        with self._write() as s:
            row, code = self._existing_child(s, model, entity, record_id)
            key = key_of(row, code)
            audit.check_version(s, row, entity, key, seen_version)
            fields = [f for f in schema.model_fields if f != "process_code"]
            before = {f: getattr(row, f) for f in fields}
            if "process_code" in changes and not same_code(str(changes["process_code"]), code):
                raise InvalidInput(f"{key}: it cannot move to another process; delete it and "
                                   "add it there")
            checked = validated(schema, {"process_code": code} | before | changes, key)
            if isinstance(checked, AssessmentIn):
                self._check_rating(code, checked)
            after = _stored(checked.model_dump(exclude={"process_code"}))
            audit.apply_changes(s, row, entity, key, actor, before, after, after)
        frame = self.kpis() if model is Kpi else self.assessments()
        return self._child_record(frame, record_id)

    def _delete_child(self, model: type[Kpi | Assessment], entity: str, record_id: int,
                      actor: str, seen_version: int | None,
                      key_of: Callable[[Any, str], str]) -> None:
        with self._write() as s:
            row, code = self._existing_child(s, model, entity, record_id)
            key = key_of(row, code)
            audit.check_version(s, row, entity, key, seen_version)
            audit.soft_delete(s, row, entity, key, actor)

    def _restore_child(self, model: type[Kpi | Assessment], entity: str, record_id: int,
                       actor: str, key_of: Callable[[Any, str], str]) -> None:
        with self._write() as s:
            row, code = self._existing_child(s, model, entity, record_id, allow_deleted=True)
            audit.restore(s, row, entity, key_of(row, code), actor)

    def _existing_child(self, s: Session, model: type[Kpi | Assessment], entity: str,
                        record_id: int, *, allow_deleted: bool = False) -> tuple[Any, str]:
        row = repository.record_by_id(s, model, int(record_id))
        if row is None or (row.deleted_at is not None and not allow_deleted):
            raise NotFound(f"there is no {entity.upper() if entity == 'kpi' else entity} "
                           f"with id {record_id}")
        code = repository.process_code_by_id(s, row.process_id)
        assert code is not None
        self._existing_process(s, code)
        return row, code

    @staticmethod
    def _child_record(frame: pd.DataFrame, record_id: int) -> dict[str, Any]:
        return row_record(frame, frame["id"] == record_id)

    @staticmethod
    def _revive(s: Session, row: Tracked, entity: str, key: str, actor: str,
                values: dict[str, Any], clash: str) -> None:
        """Adding what was once deleted brings the old record back with the new values."""
        if row.deleted_at is None:
            raise Conflict(clash)
        audit.restore(s, row, entity, key, actor)
        before = {name: getattr(row, name) for name in values}
        audit.apply_changes(s, row, entity, key, actor, before, values, values)


def _assessment_key(row: Assessment, code: str) -> str:
    return f"{code}: {row.criterion_key} by {row.rater}"
