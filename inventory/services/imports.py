"""Whole inventories at once: :meth:`CatalogueImports.load` (records given as field
dictionaries, e.g. the sample, roadmap included) and :meth:`CatalogueImports.import_file` (a
spreadsheet, read by :mod:`inventory.files.importing` and written by :mod:`.storage.bulk` and,
for the roadmap's sheets, :mod:`.storage.roadmap_bulk`), each all or nothing in one transaction,
and the list of the imports made. Both need :attr:`Action.import_data` (analysts and up): the
roadmap's sheets come with the workbook."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel
from sqlalchemy.orm import Session

from inventory.access import Action, Actor, authorize, roles_allowed
from inventory.case_schemas import CaseCommentIn, CaseRowIn
from inventory.errors import CatalogueError, Conflict, InvalidInput, NotFound
from inventory.files.importing import ImportOptions, ParsedImport, read_import
from inventory.files.io import Limits, Upload
from inventory.roadmap_schemas import (
    INITIATIVE_FIELDS,
    DeliverableIn,
    InitiativeIn,
    InitiativeRowIn,
    ProgressUpdateIn,
)
from inventory.schemas import AssessmentIn, DependencyIn, KpiIn, ProcessIn, UnitIn
from inventory.services.cases import CaseBook
from inventory.services.core import validated
from inventory.services.editing import CatalogueEdits
from inventory.services.initiatives import InitiativeRecords
from inventory.storage import bulk, repository, roadmap_bulk, roadmap_rows
from inventory.storage.bulk import Counts, Mode
from inventory.storage.db import reading
from inventory.storage.models import ImportRecord


def _already_imported(name: str, sha256: str, first: tuple[dt.datetime, str]) -> str:
    return (f"{name} (SHA-256 {sha256}) was already imported on {first[0]:%Y-%m-%d %H:%M} UTC "
            f"by {first[1]}; nothing was changed. Import it again with force if that is "
            "intended")


ROADMAP_RIGHTS = {"initiatives": ("Initiatives", Action.manage_initiatives),
                  "deliverables": ("Deliverables", Action.track_delivery)}


def _roadmap_rights(parsed: ParsedImport, counts: dict[str, Counts], actor: Actor) -> None:
    """The roadmap's sheets obey the role matrix as the one-by-one edits do: importing is
    allowed to analysts, but an import that would create or change initiatives needs the
    role that decides them (and deliverables, the role that tracks delivery). A file whose
    roadmap rows all match the database (an exported workbook imported back) passes."""
    for kind, (sheet, action) in ROADMAP_RIGHTS.items():
        done = counts.get(kind)
        if done is None or not done.created + done.updated or actor.may(action):
            continue
        allowed = " or ".join(role.value for role in roles_allowed(action))
        parsed.problem("error", sheet, None, None, None,
                       f"{actor.name} ({actor.role.value}) may not {action.value}: this file "
                       f"would create {done.created} and change {done.updated} of them, which "
                       f"needs the {allowed} role; remove those rows or ask someone with it "
                       "to import the file")


class _RollBack(Exception):
    """Leaves a write transaction without committing (dry runs, imports with errors)."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did, or would do on a dry run, and every problem found."""

    file_name: str
    sha256: str
    mode: str
    dry_run: bool
    imported: bool
    counts: dict[str, Counts]
    problems: pd.DataFrame  # severity, sheet, row, column, value, message

    @property
    def errors(self) -> int:
        return int((self.problems["severity"] == "error").sum())

    @property
    def warnings(self) -> int:
        return int((self.problems["severity"] == "warning").sum())

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{"records": kind, "created": c.created, "updated": c.updated,
                              "unchanged": c.unchanged} for kind, c in self.counts.items()])


class CatalogueImports(CatalogueEdits):
    """Loading and importing whole inventories (see the module)."""

    def load(self, records: dict[str, list[dict[str, Any]]], actor: Actor) -> dict[str, int]:
        """Insert units, processes (parents before children), dependencies, KPIs,
        assessments, then the roadmap's initiatives (one combined into or split from another
        after that one), deliverables and progress notes, then cases for change (with their
        endorsers; a merged case after the one it was merged into) and their comments, in ONE
        transaction: any bad record and nothing at all is stored.

        ``records`` maps ``units``, ``processes``, ``dependencies``, ``kpis``, ``assessments``,
        ``initiatives`` (fields of :class:`InitiativeRowIn`), ``deliverables`` and
        ``progress_updates``, ``cases`` (fields of :class:`CaseRowIn`) and ``case_comments``
        (of :class:`CaseCommentIn`) to lists of field dictionaries; the error names the list
        and the record's position. Loading the roadmap and the cases is part of importing data
        (:attr:`Action.import_data`), as for a workbook; the cases' proposers, endorsers and
        comments' authors are names in the records, the audit trail records the actor.
        """
        who = authorize(actor, Action.import_data)
        roadmap, cases = InitiativeRecords(self.engine), CaseBook(self.engine)
        steps: list[tuple[str, type[BaseModel], Callable[[Session, Any, str], object]]] = [
            ("units", UnitIn, self._insert_unit),
            ("processes", ProcessIn, self._insert_process),
            ("dependencies", DependencyIn, self._insert_dependency),
            ("kpis", KpiIn, self._insert_kpi),
            ("assessments", AssessmentIn, self._insert_assessment),
            ("initiatives", InitiativeRowIn, self._insert_initiative),
            ("deliverables", DeliverableIn, roadmap._insert_deliverable),
            ("progress_updates", ProgressUpdateIn, roadmap._insert_update),
            ("cases", CaseRowIn, cases._insert),
            ("case_comments", CaseCommentIn, cases._insert_comment),
        ]
        unknown = set(records) - {name for name, _, _ in steps}
        if unknown:
            raise InvalidInput(f"cannot load {', '.join(sorted(unknown))}")
        loaded = {}
        with self._write() as s:
            for name, schema, insert in steps:
                for position, data in enumerate(records.get(name, []), start=1):
                    where = f"{name} record {position}"
                    try:
                        insert(s, validated(schema, data, where), who)
                    except CatalogueError as error:
                        message = str(error)
                        raise type(error)(message if message.startswith(where)
                                          else f"{where}: {message}") from None
                loaded[name] = len(records.get(name, []))
        return loaded

    def _insert_initiative(self, s: Session, row: InitiativeRowIn, who: str) -> object:
        """Insert an initiative with its lineage; the initiatives it names come first."""
        extra: dict[str, Any] = {}
        for name in ("combined_into", "split_from"):
            code = getattr(row, name)
            if code is not None:
                target = roadmap_rows.initiative_by_code(s, code)
                if target is None:
                    raise NotFound(f"{name} names no initiative '{code}'; list {code} before "
                                   f"{row.code}")
                extra[f"{name}_id"] = target.id
        if row.lineage is not None:
            extra["lineage"] = row.lineage.value
        initiative = InitiativeIn.model_validate(row.model_dump(include=set(INITIATIVE_FIELDS)))
        return InitiativeRecords(self.engine)._insert(s, initiative, who, extra=extra or None)

    def import_file(self, upload: Upload, options: ImportOptions, *, mode: Mode, actor: Actor,
                    dry_run: bool = False, force: bool = False, limits: Limits = Limits(),
                    dependencies: Upload | None = None,
                    progress: Callable[[str, float], None] | None = None) -> ImportResult:
        """Import a spreadsheet all or nothing: any error and no row changes, no event is
        written. A dry run checks everything the real import would and changes nothing.
        The same file (by SHA-256) imported twice needs ``force``; imports of one file at the
        same moment take turns, so all but the first are refused that way once the first has
        committed. ``progress`` is told each step and the fraction done, for a progress bar."""
        step = progress or (lambda _label, _done: None)
        step(f"Reading {upload.name}", 0.0)
        who = authorize(actor, Action.import_data)
        if mode not in ("insert", "upsert"):
            raise InvalidInput(f"mode '{mode}' is not insert or upsert")
        sha256 = hashlib.sha256(upload.data).hexdigest()
        with reading(self.engine) as s:
            earlier = repository.import_by_hash(s, sha256)
            known = repository.process_references(s)
        if earlier is not None and not force and not dry_run:
            raise Conflict(_already_imported(upload.name, sha256, earlier))
        parsed = read_import(upload, options, set(known), {ref: code for code, ref in
                                                           known.items() if ref}, limits,
                             dependencies)
        if earlier is not None:
            parsed.problem("warning", upload.name, None, None, None,
                           f"this very file was already imported on {earlier[0]:%Y-%m-%d} by "
                           f"{earlier[1]}; a real import needs force")
        counts: dict[str, Counts] = {}
        imported = False
        rows = sum(len(items) for items in parsed.rows.values())
        step(f"Checking {rows:,} rows against the inventory" +
             ("" if dry_run else " and writing them"), 0.4)
        try:
            with self._write() as s:
                repository.take_turn_importing(s, sha256)
                first = repository.import_by_hash(s, sha256)
                if first is not None and not force and not dry_run:
                    raise Conflict(_already_imported(upload.name, sha256, first))
                counts = bulk.apply(s, parsed, mode, who, self.rating_problem)
                counts |= roadmap_bulk.apply(s, parsed, mode, who)
                _roadmap_rights(parsed, counts, actor)
                if parsed.errors or dry_run:
                    raise _RollBack
                s.add(ImportRecord(actor=who, file_name=upload.name[:255], sha256=sha256,
                                   mode=mode, counts=json.dumps(
                                       {k: c.__dict__ for k, c in counts.items()})))
                imported = True
        except _RollBack:
            pass
        step("Done", 1.0)
        return ImportResult(upload.name, sha256, mode, dry_run, imported, counts,
                            parsed.report())

    def imports(self) -> pd.DataFrame:
        """Every import that changed the database, newest first."""
        with reading(self.engine) as s:
            return repository.imports_frame(s)
