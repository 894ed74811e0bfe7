"""Changing a tracked record and writing its audit events, inside the caller's transaction.

Conventions
-----------
* A create writes one ``create`` event whose ``new_value`` lists the fields given (JSON); an
  update writes one ``update`` event per changed field with old and new value as text; delete
  and restore write one event each. Every event carries the record's version *after* the change.
* A change that changes nothing writes nothing and does not bump the version.
* Optimistic locking: a caller passes the version it saw; if the stored version differs the
  change is refused with :class:`~inventory.errors.Conflict` naming who changed what since.
* Events are sealed onto the audit chain as they are written (:mod:`inventory.storage.sealing`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from inventory.errors import Conflict, InvalidInput
from inventory.storage import repository
from inventory.storage.models import Tracked, utcnow
from inventory.storage.sealing import append_audit


def as_text(value: Any) -> str | None:
    """How a value is written in the audit trail."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(getattr(value, "value", value))


def _event(row: Tracked, entity: str, key: str, actor: str, action: str,
           field: str | None = None, old: str | None = None,
           new: str | None = None) -> dict[str, Any]:
    return {"at": row.updated_at, "actor": actor, "action": action, "entity": entity,
            "entity_id": row.id, "entity_key": key[:100], "entity_version": row.version,  # type: ignore[attr-defined]
            "field": field, "old_value": old, "new_value": new}


def record_create(session: Session, row: Tracked, entity: str, key: str, actor: str,
                  given: dict[str, Any]) -> None:
    """Stamp a new row (version 1) and write its ``create`` event; the row gets its id here."""
    now = utcnow()
    row.version, row.created_at, row.updated_at = 1, now, now
    row.created_by = row.updated_by = actor
    session.add(row)
    session.flush()
    shown = {name: as_text(value) for name, value in given.items() if value is not None}
    append_audit(session, [_event(row, entity, key, actor, "create",
                                  new=json.dumps(shown, ensure_ascii=False))])


def check_version(session: Session, row: Tracked, entity: str, key: str,
                  seen_version: int | None) -> None:
    """Refuse the change if the record moved past the version the caller saw."""
    if seen_version is None or seen_version == row.version:
        return
    events = repository.changes_since(session, entity, row.id, seen_version)  # type: ignore[attr-defined]
    if not events:
        raise Conflict(f"{key} is at version {row.version}, not {seen_version} as you read it. "
                       "Nothing was saved: reload it and make your change again.")
    actors = ", ".join(sorted({e.actor for e in events}))
    what = ", ".join(dict.fromkeys(e.field or e.action for e in events))
    raise Conflict(
        f"{key} was changed by {actors} at {events[-1].at:%Y-%m-%d %H:%M} UTC ({what}) after you "
        f"read version {seen_version}; it is now version {row.version}. Nothing was saved: "
        "reload it and make your change again.")


def apply_changes(session: Session, row: Tracked, entity: str, key: str, actor: str,
                  before: dict[str, Any], after: dict[str, Any],
                  columns: dict[str, Any]) -> list[str]:
    """Audit every field whose value differs between ``before`` and ``after`` (both as the user
    writes them, e.g. a parent as its code) and store ``columns`` (as the table holds them, e.g.
    ``parent_id``). Return the changed field names; nothing happens if there are none."""
    changed = [name for name, value in after.items() if before.get(name) != value]
    if not changed:
        return []
    for column, value in columns.items():
        if getattr(row, column) != value:
            setattr(row, column, value)
    _bump(row, actor)
    append_audit(session, [_event(row, entity, key, actor, "update", field=name,
                                  old=as_text(before.get(name)), new=as_text(after[name]))
                           for name in changed])
    return changed


def soft_delete(session: Session, row: Tracked, entity: str, key: str, actor: str) -> None:
    if row.deleted_at is not None:
        raise InvalidInput(f"{key} is already deleted")
    _bump(row, actor)
    row.deleted_at, row.deleted_by = row.updated_at, actor
    append_audit(session, [_event(row, entity, key, actor, "delete")])


def restore(session: Session, row: Tracked, entity: str, key: str, actor: str) -> None:
    if row.deleted_at is None:
        raise InvalidInput(f"{key} is not deleted; there is nothing to restore")
    _bump(row, actor)
    row.deleted_at, row.deleted_by = None, None
    append_audit(session, [_event(row, entity, key, actor, "restore")])


def _bump(row: Tracked, actor: str) -> None:
    row.version += 1
    row.updated_at, row.updated_by = utcnow(), actor
