"""Seals that show whether the audit trail or a snapshot was written by dti.

Every seal is an HMAC-SHA256 (RFC 2104; Python's :mod:`hmac`) keyed with the server secret
(:mod:`inventory.storage.secret_key`), which is never in the database. Someone who can write to the
database but not read the secret can change rows, but cannot make seals that match.

* **Audit trail: a chain.** Each event's ``seal`` is ``HMAC(secret, previous seal + "\\n" +
  canonical event)``, the first event's previous seal being the empty text. An event inserted,
  edited or removed breaks the chain at that event or the next; :func:`check_audit_chain`
  names the first one that fails. Removing only the newest events leaves a shorter chain that
  still checks: write down the count and the last seal it reports to notice that later.
* **Snapshots.** ``seal`` is ``HMAC(secret, canonical snapshot)``, over the scenario id, the
  label, when and by whom it was taken and ``content_hash`` (the plain SHA-256 of the content,
  kept as the public fingerprint anyone can recompute). A snapshot rewritten with a freshly
  computed SHA-256 no longer matches its seal.
* **Canonical form**: the values as a JSON array (UTF-8, no spaces; times as ISO 8601, naive
  UTC). The row id is not sealed (the database assigns it); the chain fixes the order instead.
* **One chain**: appends are serialised, so two writers never seal onto the same previous
  event. SQLite write transactions already hold the database lock (``BEGIN IMMEDIATE``);
  PostgreSQL takes a transaction-level advisory lock (``pg_advisory_xact_lock``), which needs
  no UPDATE right on the table, so the application's role can be denied UPDATE.

Rows that existed when sealing was introduced were sealed by the migration that added the
seals (``0006_audit_seal``), as they stood then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from inventory.storage.models import AuditEvent
from inventory.storage.secret_key import server_secret

AUDIT_FIELDS = ("at", "actor", "action", "entity", "entity_id", "entity_key", "entity_version",
                "field", "old_value", "new_value")
SNAPSHOT_FIELDS = ("scenario_id", "label", "taken_at", "taken_by", "content_hash")
#: The advisory lock key that serialises audit appends on PostgreSQL ("dti-audit" in ASCII).
AUDIT_LOCK = int.from_bytes(b"dtiaudit", "big") >> 1


def canonical(row: Mapping[Any, Any], fields: Sequence[str]) -> str:
    """The text a seal is taken over: ``fields`` of ``row`` as a compact JSON array."""
    values = [row[name].isoformat() if isinstance(row[name], dt.datetime) else row[name]
              for name in fields]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def audit_seal(secret: bytes, previous: str, event: Mapping[Any, Any]) -> str:
    """The chain seal of ``event`` following the seal ``previous`` ("" for the first event)."""
    message = f"{previous}\n{canonical(event, AUDIT_FIELDS)}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def snapshot_seal(secret: bytes, snapshot: Mapping[Any, Any]) -> str:
    """The seal of a snapshot row (its fields in :data:`SNAPSHOT_FIELDS`)."""
    message = canonical(snapshot, SNAPSHOT_FIELDS).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def secret_of(session: Session) -> bytes:
    return server_secret(session.get_bind().engine.url)


def append_audit(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Seal ``events`` onto the end of the chain and insert them, in the caller's transaction."""
    if not events:
        return
    secret = secret_of(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    previous = session.scalar(select(AuditEvent.seal).order_by(AuditEvent.id.desc()).limit(1))
    sealed = []
    for event in events:
        previous = audit_seal(secret, previous or "", event)
        sealed.append({**event, "seal": previous})
    session.execute(insert(AuditEvent), sealed)


@dataclass(frozen=True)
class ChainCheck:
    """What :func:`check_audit_chain` found: ``entries`` checked, the ``last_seal`` of an
    intact chain, or the first ``broken`` event's id with a ``description`` of it."""

    entries: int
    last_seal: str | None = None
    broken: int | None = None
    description: str = ""

    @property
    def intact(self) -> bool:
        return self.broken is None


def check_audit_chain(session: Session) -> ChainCheck:
    """Recompute every seal in id order; stop at the first that does not match."""
    secret = secret_of(session)
    columns = [getattr(AuditEvent, name) for name in ("id", *AUDIT_FIELDS, "seal")]
    rows = session.execute(select(*columns).order_by(AuditEvent.id).execution_options(
        yield_per=2000)).mappings()
    previous, count = "", 0
    for row in rows:
        if not hmac.compare_digest(audit_seal(secret, previous, row), row["seal"] or ""):
            return ChainCheck(count, broken=row["id"], description=(
                f"{row['at']:%Y-%m-%d %H:%M:%S} {row['actor']} {row['action']} "
                f"{row['entity']} {row['entity_key']!r}"))
        previous, count = row["seal"], count + 1
    return ChainCheck(count, last_seal=previous or None)
