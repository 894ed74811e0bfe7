"""Checking parsed import rows against the database and writing them in bulk, inside the caller's
transaction (the services own it). Never commits.

Conventions
-----------
* Every row is checked before anything is written: references (unit, parent, both ends of a
  dependency, the process of a KPI or assessment), clashes with the database in insert mode,
  deleted records, loops in the hierarchy. Problems are added to the report with the file's
  sheet, row and column; the caller writes only if there is no error.
* Rows that change nothing count as unchanged and write nothing; an update bumps the version
  and writes one audit event per changed field, exactly as an edit in the app does.
* Writes use executemany (SQLAlchemy bulk INSERT/UPDATE): ~40x faster than the ORM unit of work
  for 100k rows on these machines (see docs/architecture.md, "Bulk writes").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, aliased

from inventory.files.importing import MODELS, ImportRow, ParsedImport, problem_column
from inventory.schemas import PROCESS_FIELDS, validation_problems
from inventory.storage.audit import as_text
from inventory.storage.models import (
    Assessment,
    Dependency,
    Kpi,
    Process,
    Unit,
    utcnow,
)
from inventory.storage.sealing import append_audit

Mode = Literal["insert", "upsert"]
Key = tuple[str, ...]
#: What keeps a validated record out (field at fault, message), given its process code and
#: fields; ``None`` when it fits. The services pass the criteria set's check of assessments.
RecordCheck = Callable[[str, dict[str, Any]], tuple[str, str] | None]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Plan:
    """What one kind of record will do: new rows, changed rows, audit events."""

    creates: list[tuple[ImportRow, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[ImportRow, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0


def _validated(parsed: ParsedImport, item: ImportRow,
               data: dict[str, Any]) -> dict[str, Any] | None:
    model: type[BaseModel] = MODELS[item.kind]
    try:
        return dict(model.model_validate(data).model_dump())
    except ValidationError as error:
        for name, message in validation_problems(error):
            parsed.problem("error", item.sheet, item.row,
                           problem_column(name, message, item.columns), data.get(name),
                           f"{name}: {message}")
        return None


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in values.items()}


def _plan(parsed: ParsedImport, kind: str, mode: Mode,
          existing: dict[Key, dict[str, Any]]) -> _Plan:
    """Sort the rows of ``kind`` into creates, updates and unchanged against ``existing``
    (key -> the stored record as the user writes it, plus ``id``, ``version``, ``deleted``)."""
    plan = _Plan()
    fields = list(MODELS[kind].model_fields)
    for item in parsed.rows[kind]:
        current = existing.get(item.key())
        key_text = " / ".join(item.key())
        given = {k: v for k, v in item.given.items() if k in fields}
        if current is None:
            data = {k: v for k, v in (item.defaults | given).items() if v is not None}
            checked = item.complete if item.complete is not None else \
                _validated(parsed, item, data)
            if checked is not None:
                plan.creates.append((item, _stored(checked)))
        elif current["deleted"]:
            parsed.problem("error", item.sheet, item.row, None, key_text,
                           f"{key_text} exists but is deleted; restore it first, then import")
        elif mode == "insert":
            parsed.problem("error", item.sheet, item.row,
                           item.columns.get(fields[0]), key_text,
                           f"{key_text} already exists; import with mode upsert to update it, "
                           "or remove the row")
        else:
            before = {k: current[k] for k in fields}
            checked = _validated(parsed, item, before | given)
            if checked is None:
                continue
            after = _stored(checked)
            if any(before[k] != after[k] for k in fields):
                plan.updates.append((item, current, after))
            else:
                plan.unchanged += 1
    return plan


def _events(actor: str, at: Any, entity: str) -> Callable[..., dict[str, Any]]:
    def event(entity_id: int, key: str, version: int, action: str, field_name: str | None = None,
              old: Any = None, new: Any = None) -> dict[str, Any]:
        return {"at": at, "actor": actor, "action": action, "entity": entity,
                "entity_id": entity_id, "entity_key": key[:100], "entity_version": version,
                "field": field_name, "old_value": old, "new_value": new}
    return event


def _write(s: Session, model: type[Any], entity: str, plan: _Plan, actor: str,
           columns_of: Callable[[dict[str, Any]], dict[str, Any]],
           key_of: Callable[[dict[str, Any]], str]) -> dict[str, int]:
    """Insert the creates, update the changes, write the audit; return new ids by key text."""
    now = utcnow()
    event = _events(actor, now, entity)
    tracking = {"version": 1, "created_at": now, "created_by": actor, "updated_at": now,
                "updated_by": actor}
    new_ids: dict[str, int] = {}
    audit: list[dict[str, Any]] = []
    if plan.creates:
        rows = [columns_of(values) | tracking for _, values in plan.creates]
        # A plain executemany, without RETURNING: psycopg then sends one short prepared
        # statement per row in a pipeline instead of parsing 1,000-row INSERT texts (measured
        # 3x faster on PostgreSQL). Ids come back in insertion order, found by this import's
        # own timestamp and actor.
        s.execute(insert(model.__table__), rows)
        ids = s.scalars(select(model.id).where(model.created_at == now,
                                                model.created_by == actor).order_by(model.id))
        for (_, values), new_id in zip(plan.creates, ids, strict=True):
            key = key_of(values)
            new_ids[key] = new_id
            shown = {k: as_text(v) for k, v in values.items() if v is not None}
            audit.append(event(new_id, key, 1, "create",
                               new=json.dumps(shown, ensure_ascii=False)))
    if plan.updates:
        changes = []
        for _, current, after in plan.updates:
            version = current["version"] + 1
            changes.append(columns_of(after) | {"id": current["id"], "version": version,
                                                "updated_at": now, "updated_by": actor})
            key = key_of(after)
            audit += [event(current["id"], key, version, "update", name, as_text(current[name]),
                            as_text(value))
                      for name, value in after.items() if current[name] != value]
        s.execute(update(model), changes)
    append_audit(s, audit)
    return new_ids


# ---------------------------------------------------------------- per kind


def _units(s: Session, parsed: ParsedImport, mode: Mode, actor: str) -> Counts:
    existing: dict[Key, dict[str, Any]] = {
        (row.code,): {"id": row.id, "version": row.version, "code": row.code, "name": row.name,
                      "kind": row.kind, "deleted": row.deleted_at is not None}
        for row in s.scalars(select(Unit).with_for_update())}
    stored_code = {key[0].upper(): key[0] for key in existing}  # unit codes ignore case
    parsed.rows["units"] = [
        replace(i, given=i.given | {"code": stored_code.get(str(i.given["code"]).upper(),
                                                            i.given["code"])})
        for i in parsed.rows["units"]]
    plan = _plan(parsed, "units", mode, existing)
    if not parsed.errors:
        _write(s, Unit, "unit", plan, actor, dict, lambda v: str(v["code"]))
    return Counts(len(plan.creates), len(plan.updates), plan.unchanged)


def _processes(s: Session, parsed: ParsedImport, mode: Mode, actor: str) -> Counts:
    parent = aliased(Process)
    query = (select(Process, Unit.code.label("unit_code"), parent.code.label("parent_code"))
             .join(Unit, Unit.id == Process.unit_id)
             .outerjoin(parent, parent.id == Process.parent_id).with_for_update(of=Process))
    existing: dict[Key, dict[str, Any]] = {}
    for row, unit_code, stored_parent in s.execute(query):
        record = {name: getattr(row, name) for name in PROCESS_FIELDS
                  if name not in ("unit", "parent_code")}
        existing[(row.code,)] = record | {"unit": unit_code, "parent_code": stored_parent,
                                          "id": row.id, "version": row.version,
                                          "deleted": row.deleted_at is not None}
    plan = _plan(parsed, "processes", mode, existing)
    units = {code.upper(): unit_id for code, unit_id in
             s.execute(select(Unit.code, Unit.id).where(Unit.deleted_at.is_(None)))}
    live = {k[0] for k, v in existing.items() if not v["deleted"]}
    incoming = {values["code"]: (item, values) for item, values in plan.creates} | \
               {after["code"]: (item, after) for item, _, after in plan.updates}
    for item, values in incoming.values():
        if str(values["unit"]).upper() not in units:
            parsed.problem("error", item.sheet, item.row, item.columns.get("unit"),
                           values["unit"], f"there is no unit '{values['unit']}'; add the unit "
                           "first or correct the code")
        parent_code = values.get("parent_code")
        if parent_code and parent_code not in live and parent_code not in incoming:
            parsed.problem("error", item.sheet, item.row, item.columns.get("parent_code"),
                           parent_code, f"parent '{parent_code}' is neither in the file nor in "
                           "the inventory; add it or correct the code")
    _hierarchy_loops(parsed, existing, incoming)
    if parsed.errors:
        return Counts(len(plan.creates), len(plan.updates), plan.unchanged)

    def columns(values: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in values.items() if k not in ("unit", "parent_code")}
        return kept | {"unit_id": units[str(values["unit"]).upper()]}

    created = _write(s, Process, "process", plan, actor, columns, lambda v: str(v["code"]))
    ids = {k[0]: v["id"] for k, v in existing.items()} | created
    parents = [{"id": ids[code], "parent_id": ids[values["parent_code"]]
                if values.get("parent_code") else None}
               for code, (_, values) in incoming.items()]
    if parents:
        s.execute(update(Process), parents)
    return Counts(len(plan.creates), len(plan.updates), plan.unchanged)


def _hierarchy_loops(parsed: ParsedImport, existing: dict[Key, dict[str, Any]],
                     incoming: dict[str, tuple[ImportRow, dict[str, Any]]]) -> None:
    parent_of = {k[0]: v["parent_code"] for k, v in existing.items()}
    parent_of |= {code: values.get("parent_code") for code, (_, values) in incoming.items()}
    for code, (item, _) in incoming.items():
        seen, current = {code}, parent_of.get(code)
        while current is not None:
            if current in seen:
                parsed.problem("error", item.sheet, item.row, item.columns.get("parent_code"),
                               parent_of.get(code), f"{code} would end up below itself in the "
                               "hierarchy; correct its parent")
                break
            seen.add(current)
            current = parent_of.get(current)


def _live_process_ids(s: Session) -> dict[str, int]:
    return dict(s.execute(select(Process.code, Process.id)
                          .where(Process.deleted_at.is_(None))).all())


def _check_processes(parsed: ParsedImport, kind: str, ids: dict[str, int],
                     fields: tuple[str, ...]) -> None:
    for item in parsed.rows[kind]:
        for name in fields:
            code = item.given.get(name)
            if code is not None and code not in ids:
                parsed.problem("error", item.sheet, item.row, item.columns.get(name), code,
                               f"{name} '{code}' is not a process of the file or the "
                               "inventory; correct the code or add the process")


def _dependencies(s: Session, parsed: ParsedImport, mode: Mode, actor: str,
                  ids: dict[str, int]) -> Counts:
    _check_processes(parsed, "dependencies", ids, ("upstream_code", "downstream_code"))
    codes = {v: k for k, v in _all_process_codes(s).items()}
    existing: dict[Key, dict[str, Any]] = {
        (codes[row.upstream_id], codes[row.downstream_id]): {
        "id": row.id, "version": row.version, "upstream_code": codes[row.upstream_id],
        "downstream_code": codes[row.downstream_id], "kind": row.kind, "strength": row.strength,
        "note": row.note, "deleted": row.deleted_at is not None}
        for row in s.scalars(select(Dependency).with_for_update())}
    plan = _plan(parsed, "dependencies", mode, existing)
    if parsed.errors:
        return Counts(len(plan.creates), len(plan.updates), plan.unchanged)

    def columns(values: dict[str, Any]) -> dict[str, Any]:
        return {"upstream_id": ids[values["upstream_code"]],
                "downstream_id": ids[values["downstream_code"]], "kind": values["kind"],
                "strength": values["strength"], "note": values["note"]}

    _write(s, Dependency, "dependency", plan, actor, columns,
           lambda v: f"{v['upstream_code']} -> {v['downstream_code']}")
    return Counts(len(plan.creates), len(plan.updates), plan.unchanged)


def _all_process_codes(s: Session) -> dict[str, int]:
    return dict(s.execute(select(Process.code, Process.id)).all())


def _children(s: Session, parsed: ParsedImport, mode: Mode, actor: str, ids: dict[str, int],
              kind: str, model: type[Kpi] | type[Assessment], entity: str,
              key_fields: tuple[str, ...], check: RecordCheck | None = None) -> Counts:
    _check_processes(parsed, kind, ids, ("process_code",))
    codes = {v: k for k, v in _all_process_codes(s).items()}
    fields = [f for f in MODELS[kind].model_fields if f != "process_code"]
    existing: dict[Key, dict[str, Any]] = {}
    rows: list[Kpi | Assessment] = list(s.scalars(select(model).with_for_update()))
    for row in rows:
        record = {name: getattr(row, name) for name in fields}
        record |= {"process_code": codes[row.process_id], "id": row.id, "version": row.version,
                   "deleted": row.deleted_at is not None}
        existing[tuple(str(record[f]) for f in key_fields)] = record
    plan = _plan(parsed, kind, mode, existing)
    if check is not None:
        _check_records(parsed, plan, check)
    if parsed.errors:
        return Counts(len(plan.creates), len(plan.updates), plan.unchanged)

    def columns(values: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in values.items() if k != "process_code"}
        return kept | {"process_id": ids[values["process_code"]]}

    def key_of(values: dict[str, Any]) -> str:
        return f"{values['process_code']}: " + " by ".join(str(values[f]) for f in key_fields[1:])

    _write(s, model, entity, plan, actor, columns, key_of)
    return Counts(len(plan.creates), len(plan.updates), plan.unchanged)


def _check_records(parsed: ParsedImport, plan: _Plan, check: RecordCheck) -> None:
    """Report every record to be created or changed that ``check`` refuses, at its cell."""
    for item, values in [(item, values) for item, values in plan.creates] + \
            [(item, after) for item, _, after in plan.updates]:
        problem = check(str(values["process_code"]), values)
        if problem is not None:
            field_name, message = problem
            parsed.problem("error", item.sheet, item.row, item.columns.get(field_name),
                           values.get(field_name), message)


def apply(s: Session, parsed: ParsedImport, mode: Mode, actor: str,
          check_assessment: RecordCheck | None = None) -> dict[str, Counts]:
    """Check every row of the inventory (units, processes, dependencies, KPIs, assessments)
    against the database and, if no error was found, write them all; ``check_assessment`` also
    vets each assessment to be created or changed. The roadmap's rows follow
    (:func:`inventory.storage.roadmap_bulk.apply`).

    The caller must roll back when ``parsed.errors`` is not empty afterwards, or for a dry run.
    """
    counts: dict[str, Counts] = {}
    counts["units"] = _units(s, parsed, mode, actor)
    counts["processes"] = _processes(s, parsed, mode, actor)
    ids = _live_process_ids(s)
    if parsed.errors:  # later kinds still get their reference checks, against file and database
        ids |= {str(item.given["code"]): -1 for item in parsed.rows["processes"]}
    counts["dependencies"] = _dependencies(s, parsed, mode, actor, ids)
    counts["kpis"] = _children(s, parsed, mode, actor, ids, "kpis", Kpi, "kpi",
                               ("process_code", "name"))
    counts["assessments"] = _children(s, parsed, mode, actor, ids, "assessments", Assessment,
                                      "assessment", ("process_code", "criterion_key", "rater"),
                                      check_assessment)
    return counts
