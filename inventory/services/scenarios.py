"""Saved scenarios and decision snapshots: the use cases, each in its own transaction.

A scenario is stored by name with its settings as JSON (what :meth:`scoring.scenario.Scenario.
to_dict` writes; the callers, the CLI and the pages, check settings with the scoring package
before saving, since ``inventory`` does not import it). Scenarios are versioned, audited and
soft-deleted like every other record.

A snapshot freezes a scenario for a decision: the caller passes the whole content (inputs,
criteria, settings, results) as JSON-ready data; the book stores it with the SHA-256 of its
canonical JSON (keys sorted, no spaces), so anyone can later check that what was decided on is
exactly what is stored, and with a seal keyed with the server secret over that hash, the
scenario, label, time and author (:func:`inventory.storage.sealing.snapshot_seal`), so a snapshot
rewritten in the database, hash included, is found out. The snapshots table is append-only
(database triggers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from inventory.access import Action, Actor, authorize
from inventory.errors import Conflict, InvalidInput, NoScenarioSaved, NotFound, SnapshotNotFound
from inventory.services.core import catalogue_transaction
from inventory.storage import audit, round_rows
from inventory.storage.db import reading
from inventory.storage.models import SavedScenario, Snapshot, utcnow
from inventory.storage.sealing import SNAPSHOT_FIELDS, secret_of, snapshot_seal

ENTITY = "scenario"
SCENARIO_COLUMNS = ["name", "method", "notes", "version", "created_at", "created_by",
                    "updated_at", "updated_by"]
SNAPSHOT_COLUMNS = ["id", "scenario", "label", "taken_at", "taken_by", "content_hash"]


def canonical_json(content: Any) -> str:
    """The one JSON text of ``content`` that its hash is taken over (sorted keys, compact,
    NaN refused so the text is standard JSON)."""
    try:
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"the content cannot be stored as JSON: {error}") from None


def content_hash(content: Any) -> str:
    """SHA-256 (hex) of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


class ScenarioBook:
    """Scenarios and snapshots on one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ scenarios

    def list(self, *, include_deleted: bool = False) -> pd.DataFrame:
        """Saved scenarios by name, with method and notes read from their settings."""
        with reading(self.engine) as s:
            rows = s.scalars(select(SavedScenario).order_by(SavedScenario.name)).all()
            records = [_scenario_record(row) for row in rows
                       if include_deleted or row.deleted_at is None]
        frame = pd.DataFrame(records, columns=[*SCENARIO_COLUMNS, "settings", "deleted_at"])
        return frame

    def get(self, name: str) -> dict[str, Any]:
        """One live scenario: its record fields and ``settings`` as a dict."""
        with reading(self.engine) as s:
            return _scenario_record(self.existing(s, name))

    def add(self, name: str, settings: dict[str, Any], actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.manage_scenarios)
        name = _checked_name(name)
        text = _settings_text(settings)
        with catalogue_transaction(self.engine) as s:
            existing = self._find(s, name)
            if existing is not None:
                state = " (deleted: restore it instead)" if existing.deleted_at else ""
                raise Conflict(f"a scenario named {existing.name!r} already exists{state}; "
                               "choose another name or edit it")
            row = SavedScenario(name=name, settings=text)
            audit.record_create(s, row, ENTITY, name, who, {"name": name, "settings": text})
        return self.get(name)

    def update(self, name: str, settings: dict[str, Any], seen_version: int | None,
               actor: Actor) -> dict[str, Any]:
        """Replace the settings; refused if someone saved since ``seen_version``."""
        who = authorize(actor, Action.manage_scenarios)
        _settings_text(settings)
        with catalogue_transaction(self.engine) as s:
            row = self.existing(s, name, lock=True)
            audit.check_version(s, row, ENTITY, row.name, seen_version)
            name = self.write_settings(s, row.name, settings, who).name
        return self.get(name)

    def write_settings(self, s: Session, name: str, settings: dict[str, Any],
                       who: str) -> SavedScenario:
        """Replace scenario ``name``'s settings inside the caller's transaction, audited field
        by field as ``who`` (authorised by the caller): for a use case that changes a scenario
        as part of its own write, as closing a weighting round does."""
        text = _settings_text(settings)
        row = self.existing(s, name, lock=True)
        before, after = json.loads(row.settings), json.loads(text)
        audit.apply_changes(s, row, ENTITY, row.name, who, before, after, {"settings": text})
        return row

    def delete(self, name: str, actor: Actor, seen_version: int | None = None) -> None:
        who = authorize(actor, Action.manage_scenarios)
        with catalogue_transaction(self.engine) as s:
            row = self.existing(s, name, lock=True)
            audit.check_version(s, row, ENTITY, row.name, seen_version)
            audit.soft_delete(s, row, ENTITY, row.name, who)

    def restore(self, name: str, actor: Actor) -> None:
        who = authorize(actor, Action.restore)
        with catalogue_transaction(self.engine) as s:
            row = self._find(s, name)
            if row is None:
                raise NotFound(f"no scenario named {name!r}")
            audit.restore(s, row, ENTITY, row.name, who)

    def weighting_round(self, name: str, weights: dict[str, float]) -> dict[str, Any] | None:
        """The closed weighting round that decided ``weights`` for scenario ``name`` (what a
        snapshot of them freezes as ``weighting_round``), or None when no round did or no
        scenario of that name is saved."""
        with reading(self.engine) as s:
            row = self._find(s, name)
            if row is None or row.deleted_at is not None:
                return None
            return _round_behind(s, row.id, weights)

    # ------------------------------------------------------------------ snapshots

    def snapshot(self, name: str, label: str, content: dict[str, Any],
                 actor: Actor) -> dict[str, Any]:
        """Freeze ``content`` for scenario ``name``; returns the snapshot record with its id
        and content hash. When the weights frozen (``content["scenario"]["weights"]``) are
        those the scenario's last closed weighting round wrote, the round is frozen with them
        as ``content["weighting_round"]``: every member's answer, the method of combination,
        consensus and who opened and closed it (:mod:`inventory.services.rounds`)."""
        who = authorize(actor, Action.snapshot)
        label = (label or "").strip()[:200] or f"{name} {utcnow():%Y-%m-%d %H:%M}"
        canonical_json(content)
        with catalogue_transaction(self.engine) as s:
            scenario = self.existing(s, name)
            text = canonical_json(_with_weighting_round(s, scenario.id, content))
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            fields = {"scenario_id": scenario.id, "label": label, "taken_at": utcnow(),
                      "taken_by": who, "content_hash": digest}
            row = Snapshot(**fields, payload=text, seal=snapshot_seal(secret_of(s), fields))
            s.add(row)
            s.flush()
            snapshot_id = row.id
        return self.snapshot_record(snapshot_id, with_content=False)

    def snapshots(self, name: str | None = None) -> pd.DataFrame:
        """Snapshots, newest first, of one scenario or of all."""
        with reading(self.engine) as s:
            query = select(Snapshot, SavedScenario.name).join(
                SavedScenario, Snapshot.scenario_id == SavedScenario.id)
            if name is not None:
                query = query.where(SavedScenario.id == self.existing(s, name).id)
            rows = s.execute(query.order_by(Snapshot.id.desc())).all()
            records = [_snapshot_record(snapshot, scenario) for snapshot, scenario in rows]
        return pd.DataFrame(records, columns=SNAPSHOT_COLUMNS)

    def snapshot_record(self, snapshot_id: int, *, with_content: bool = True) -> dict[str, Any]:
        """One snapshot; with its ``content``, ``intact`` (true when its content still matches
        its SHA-256 and its record its seal) and ``damage`` (what does not match, else None)."""
        with reading(self.engine) as s:
            found = s.execute(select(Snapshot, SavedScenario.name).join(
                SavedScenario, Snapshot.scenario_id == SavedScenario.id).where(
                Snapshot.id == snapshot_id)).first()
            if found is None:
                raise SnapshotNotFound(f"no snapshot {snapshot_id}; check its number in the "
                                       "list of snapshots")
            snapshot, scenario = found
            record = _snapshot_record(snapshot, scenario)
            if with_content:
                record["content"] = json.loads(snapshot.payload)
                record["damage"] = _damage(snapshot, secret_of(s))
                record["intact"] = record["damage"] is None
        return record

    # ------------------------------------------------------------------ lookups

    @staticmethod
    def _find(s: Session, name: str) -> SavedScenario | None:
        wanted = (name or "").strip().lower()
        rows = s.scalars(select(SavedScenario)).all()
        return next((row for row in rows if row.name.lower() == wanted), None)

    def existing(self, s: Session, name: str, *, lock: bool = False) -> SavedScenario:
        """The live scenario ``name`` (any case) inside the caller's session, locked for
        update when ``lock``; refused with a message listing the saved scenarios."""
        row = self._find(s, name)
        if row is None or row.deleted_at is not None:
            known = [r.name for r in s.scalars(select(SavedScenario).where(
                SavedScenario.deleted_at.is_(None)).order_by(SavedScenario.name))]
            hint = f"; saved scenarios: {', '.join(known)}" if known else \
                "; none is saved yet: save one first"
            state = " (it is deleted: restore it first)" if row is not None else ""
            refusal = NotFound if known else NoScenarioSaved
            raise refusal(f"no scenario named {name!r}{state}{hint}")
        if lock:
            s.refresh(row, with_for_update=True)
        return row


def _with_weighting_round(s: Session, scenario_id: int,
                          content: dict[str, Any]) -> dict[str, Any]:
    """``content`` with :func:`_round_behind` its frozen weights under ``weighting_round``;
    else as given."""
    scenario = content.get("scenario")
    found = _round_behind(s, scenario_id, scenario.get("weights")
                          if isinstance(scenario, dict) else None)
    return content if found is None else {**content, "weighting_round": found}


def _round_behind(s: Session, scenario_id: int, weights: Any) -> dict[str, Any] | None:
    """The scenario's last closed weighting round (its record, dates as ISO text) when
    ``weights`` are the ones that round wrote (equal to 12 decimals); else None."""
    found = round_rows.latest_closed_round(s, scenario_id)
    if found is None or not isinstance(weights, dict):
        return None
    if _rounded(weights) != _rounded(found["result"]["scenario_weights"]):
        return None
    return {key: value.isoformat() if isinstance(value, dt.datetime) else value
            for key, value in found.items() if key not in ("members", "version")}


def _rounded(weights: dict[str, Any]) -> dict[str, float]:
    return {str(key): round(float(value), 12) for key, value in weights.items()}


def _checked_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("a scenario needs a name")
    if len(name) > 100:
        raise InvalidInput(f"a scenario name has at most 100 characters, got {len(name)}")
    return name


def _settings_text(settings: dict[str, Any]) -> str:
    if not isinstance(settings, dict):
        raise InvalidInput("scenario settings must be a mapping of fields")
    return canonical_json(settings)


def _scenario_record(row: SavedScenario) -> dict[str, Any]:
    settings = json.loads(row.settings)
    return {"name": row.name, "method": settings.get("method"), "notes": settings.get("notes"),
            "version": row.version, "created_at": row.created_at, "created_by": row.created_by,
            "updated_at": row.updated_at, "updated_by": row.updated_by, "settings": settings,
            "deleted_at": row.deleted_at}


def _damage(row: Snapshot, secret: bytes) -> str | None:
    """What of a stored snapshot no longer matches: its content its SHA-256, or its record
    its seal; None when both match."""
    if hashlib.sha256(row.payload.encode("utf-8")).hexdigest() != row.content_hash:
        return "its content no longer matches its SHA-256"
    fields = {name: getattr(row, name) for name in SNAPSHOT_FIELDS}
    if not hmac.compare_digest(snapshot_seal(secret, fields), row.seal):
        return ("its seal does not match: its content and hash, scenario, label, time or "
                "author were rewritten outside dti (or this server's secret is not the one "
                "it was sealed with)")
    return None


def _snapshot_record(row: Snapshot, scenario: str) -> dict[str, Any]:
    taken: dt.datetime = row.taken_at
    return {"id": row.id, "scenario": scenario, "label": row.label, "taken_at": taken,
            "taken_by": row.taken_by, "content_hash": row.content_hash}
