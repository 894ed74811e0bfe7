"""Use cases of the catalogue: the only code that opens and commits transactions.

Every write
* checks first that the acting :class:`~inventory.access.Actor`'s role allows it
  (:func:`~inventory.access.authorize`; refused with ``PermissionDenied``, nothing changed),
* validates its input (pydantic models in :mod:`inventory.schemas`) and its references,
* runs in one transaction that also writes the audit events (all or nothing),
* takes the version the caller saw, when it edits, and refuses with
  :class:`~inventory.errors.Conflict` if the record changed since (optimistic locking;
  on SQLite writes queue on ``BEGIN IMMEDIATE``, on PostgreSQL on ``SELECT ... FOR UPDATE``),
* raises only :class:`~inventory.errors.CatalogueError` subclasses for a user's mistake.

Reads return DataFrames or frozen dataclasses; no caller ever sees a session or an ORM object.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx
import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from inventory import audit, bulk, migrate, repository
from inventory.access import Action, Actor, authorize
from inventory.bulk import Counts, Mode
from inventory.db import (
    describe_url,
    is_sqlite,
    make_engine,
    noting_writes,
    reading,
    write_transaction,
)
from inventory.errors import CatalogueError, Conflict, DatabaseNotReady, InvalidInput, NotFound
from inventory.graph import build_graph
from inventory.importing import ImportOptions, read_import
from inventory.io import Limits, Upload
from inventory.models import Assessment, Dependency, ImportRecord, Kpi, Process, Tracked, Unit
from inventory.schemas import (
    PROCESS_FIELDS,
    AssessmentIn,
    DependencyIn,
    KpiIn,
    ProcessIn,
    UnitIn,
    describe_validation_error,
    person_key,
    same_code,
)
from inventory.sealing import ChainCheck, check_audit_chain
from inventory.secret_key import server_secret
from scoring.criteria import CriteriaError, CriteriaSet, criteria_in_use

if TYPE_CHECKING:
    from inventory.results import Results
    from inventory.services.accounts import AccountBook
    from inventory.services.scenarios import ScenarioBook

Model = TypeVar("Model", bound=BaseModel)


def _validate(model: type[Model], data: dict[str, Any], what: str) -> Model:
    unknown = sorted(set(data) - set(model.model_fields))
    if unknown:
        raise InvalidInput(f"{what}: unknown field {', '.join(unknown)}; known fields are "
                           f"{', '.join(model.model_fields)}")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(f"{what}: {describe_validation_error(error)}") from None


def _record(frame: pd.DataFrame, mask: pd.Series | None = None) -> dict[str, Any]:
    """The first (or the masked) row as a plain dict, missing values as ``None``."""
    row = frame[mask].iloc[0] if mask is not None else frame.iloc[0]
    return {str(key): _plain(value) for key, value in row.items()}


def _plain(value: Any) -> Any:
    """NaN/NaT as ``None``, numpy scalars as Python numbers."""
    if _missing(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str | list | dict) and bool(pd.isna(value)))


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Vocabulary members become their machine words for storage."""
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in values.items()}


def _already_imported(name: str, sha256: str, first: tuple[dt.datetime, str]) -> str:
    return (f"{name} (SHA-256 {sha256}) was already imported on {first[0]:%Y-%m-%d %H:%M} UTC "
            f"by {first[1]}; nothing was changed. Import it again with force if that is "
            "intended")


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


@dataclass(frozen=True)
class ProcessDetail:
    """A process with everything attached to it, for the detail views."""

    record: dict[str, Any]
    upstream: pd.DataFrame  # dependencies this process receives from (it depends on them)
    downstream: pd.DataFrame  # dependencies that receive from this process
    kpis: pd.DataFrame
    assessments: pd.DataFrame
    children: list[str]


@contextmanager
def catalogue_transaction(engine: Engine) -> Iterator[Session]:
    """A write transaction that changes the catalogue (records, imports, scenarios,
    snapshots): like :func:`write_transaction`, and it advances the catalogue revision as its
    last statement, so every app process drops the results derived from the old data at its
    next rerun (inventory/results.py), and the revision of every table it wrote to. Sign-ins
    and accounts do not use it."""
    with write_transaction(engine) as session, noting_writes(session) as written:
        yield session
        session.flush()
        repository.advance_revision(session, written)


def filter_processes(frame: pd.DataFrame, *, search: str | None = None,
                     units: list[str] | None = None,
                     **equal_to: list[str] | None) -> pd.DataFrame:
    """The rows of a processes frame that match: ``search`` in code, name, description, owners,
    tags and external reference (case-insensitive, as typed), ``units`` by unit code in any
    case, and any vocabulary field by a list of values (see :meth:`Catalogue.processes`)."""
    if units:
        frame = frame[frame["unit"].str.upper().isin([u.upper() for u in units])]
    for field, allowed in equal_to.items():
        if field not in PROCESS_FIELDS:
            raise InvalidInput(f"cannot filter on '{field}': not a process field")
        if allowed:
            frame = frame[frame[field].astype(str).isin([str(a) for a in allowed])]
    if search:
        parts = frame[["code", "name", "description", "process_owner", "change_owner",
                       "tags", "external_reference"]].fillna("").astype(str)
        text = pd.Series([" ".join(row) for row in parts.itertuples(index=False)],
                         index=parts.index, dtype="string")
        frame = frame[text.str.contains(search, case=False, regex=False)]
    return frame.reset_index(drop=True)


FRAME_READERS: dict[str, Callable[[Session], pd.DataFrame]] = {
    "units": repository.units_frame, "processes": repository.processes_frame,
    "dependencies": repository.dependencies_frame, "kpis": repository.kpis_frame,
    "assessments": repository.assessments_frame}


class Catalogue:
    """The process catalogue on one database. Both the CLI and the app talk only to this.

    ``criteria`` is the criteria set every assessment is checked against, whichever way it
    arrives (form, command line, import): by default the tool's own
    (:func:`scoring.criteria.criteria_in_use`, read when first needed)."""

    def __init__(self, engine: Engine, criteria: CriteriaSet | None = None) -> None:
        self.engine = engine
        self._criteria = criteria

    @classmethod
    def open(cls, url: str | None = None, *, migrate_schema: bool = True,
             criteria: CriteriaSet | None = None) -> Catalogue:
        """Connect (default: :func:`inventory.db.default_url`) and bring the schema to head."""
        engine = make_engine(url)
        database = engine.url.database
        if (not migrate_schema and is_sqlite(engine) and database not in (None, "", ":memory:")
                and not Path(database).is_file()):
            raise DatabaseNotReady(f"there is no database at {database}: run `dti init` first "
                                   "(or `dti init --sample` for the sample inventory)")
        try:
            server_secret(engine.url)
            if migrate_schema:
                migrate.upgrade(engine)
            elif (state := migrate.schema_state(engine)) is not None:
                raise DatabaseNotReady(f"the database {describe_url(str(engine.url))} {state}: "
                                       "run `dti init` first (it creates or upgrades the schema "
                                       "and keeps the data)")
        except migrate.NewerSchema as newer:
            raise DatabaseNotReady(f"the database {describe_url(str(engine.url))} was written by "
                                   f"a newer version of dti (schema revision {newer}, this "
                                   f"version knows up to {migrate.head_revision()}); open it "
                                   "with that version or upgrade dti; it was left as it is") \
                from None
        except migrate.BrokenForeignKeys as broken:
            raise DatabaseNotReady(f"the schema of {describe_url(str(engine.url))} cannot be "
                                   f"upgraded: {broken}; it was left as it is") from None
        except OperationalError as error:
            raise DatabaseNotReady(f"cannot open the database {describe_url(str(engine.url))}: "
                                   f"{error.orig}") from None
        return cls(engine, criteria)

    @property
    def criteria(self) -> CriteriaSet:
        """The criteria set assessments are checked against (see the class)."""
        if self._criteria is None:
            try:
                self._criteria = criteria_in_use()
            except CriteriaError as error:
                raise InvalidInput(f"assessments cannot be checked: {error}") from None
        return self._criteria

    def rating_problem(self, process_code: str,
                       values: Mapping[str, Any]) -> tuple[str, str] | None:
        """What keeps an assessment of ``process_code`` (its ``criterion_key``, ``value``,
        ``low`` and ``high``) out of the criteria set, as (field at fault, a sentence naming
        the process, the criterion, the value and the allowed range or the known keys), or
        ``None``; the rule itself is :meth:`scoring.criteria.CriteriaSet.rating_problem`."""
        problem = self.criteria.rating_problem(str(values["criterion_key"]),
                                               float(values["value"]), values.get("low"),
                                               values.get("high"))
        if problem is None:
            return None
        field, message = problem
        return field, f"Assessment of {process_code}: {message}"

    def _check_rating(self, process_code: str, value: AssessmentIn) -> None:
        problem = self.rating_problem(process_code, value.model_dump())
        if problem is not None:
            raise InvalidInput(problem[1])

    @property
    def url(self) -> str:
        return describe_url(str(self.engine.url))

    def _write(self) -> AbstractContextManager[Session]:
        return catalogue_transaction(self.engine)

    def revision(self) -> int:
        """The catalogue's revision: it moves on with every committed change (one cheap read)."""
        with reading(self.engine) as s:
            return repository.current_revision(s)

    def table_revisions(self) -> dict[str, int]:
        """Each catalogue table's revision (see :func:`repository.table_revisions`)."""
        with reading(self.engine) as s:
            return repository.table_revisions(s)

    @property
    def results(self) -> Results:
        """Derived results shared by every session of this process, computed once per
        revision (see :mod:`inventory.results`)."""
        from inventory.results import Results

        return Results(self)

    @property
    def scenarios(self) -> ScenarioBook:
        """Saved scenarios and decision snapshots (see :mod:`inventory.services.scenarios`)."""
        from inventory.services.scenarios import ScenarioBook

        return ScenarioBook(self.engine)

    @property
    def accounts(self) -> AccountBook:
        """User accounts and sign-in (see :mod:`inventory.services.accounts`)."""
        from inventory.services.accounts import AccountBook

        return AccountBook(self.engine)

    # ------------------------------------------------------------------ reads

    def is_empty(self) -> bool:
        counts = self.counts()
        return counts["processes"] == 0 and counts["units"] == 0

    def counts(self) -> dict[str, int]:
        with reading(self.engine) as s:
            return repository.counts(s)

    def units(self, *, include_deleted: bool = False) -> pd.DataFrame:
        with reading(self.engine) as s:
            return repository.units_frame(s, include_deleted=include_deleted)

    def processes(self, *, include_deleted: bool = False, search: str | None = None,
                  units: list[str] | None = None, **equal_to: list[str] | None) -> pd.DataFrame:
        """Processes, optionally filtered: ``search`` in code, name, description, owners and tags
        (case-insensitive), ``units`` by unit code, and any vocabulary field by a list of values
        (e.g. ``transformation_status=["ongoing"]``)."""
        with reading(self.engine) as s:
            frame = repository.processes_frame(s, include_deleted=include_deleted)
        return filter_processes(frame, search=search, units=units, **equal_to)

    def process(self, code: str) -> ProcessDetail:
        with reading(self.engine) as s:
            row = self._existing_process(s, code, allow_deleted=True)
            record = repository.processes_frame(s, include_deleted=True, codes=[row.code])
            deps = repository.dependencies_frame(s, process_code=row.code)
            return ProcessDetail(
                record=_record(record),
                upstream=deps[deps["downstream_code"] == row.code].reset_index(drop=True),
                downstream=deps[deps["upstream_code"] == row.code].reset_index(drop=True),
                kpis=repository.kpis_frame(s, process_code=row.code),
                assessments=repository.assessments_frame(s, process_code=row.code),
                children=repository.live_children(s, row.id),
            )

    def _process_record(self, code: str) -> dict[str, Any]:
        with reading(self.engine) as s:
            return _record(repository.processes_frame(s, include_deleted=True, codes=[code]))

    def history(self, code: str) -> pd.DataFrame:
        """Every audit event of the process and of its dependencies, KPIs and assessments."""
        with reading(self.engine) as s:
            row = self._existing_process(s, code, allow_deleted=True)
            return repository.audit_frame(s, entity_ids=repository.related_ids(s, row.id))

    def audit_log(self, *, actor: str | Iterable[str] | None = None,
                  action: str | Iterable[str] | None = None,
                  entity: str | Iterable[str] | None = None, key_contains: str | None = None,
                  since: dt.datetime | None = None, until: dt.datetime | None = None,
                  limit: int | None = None) -> pd.DataFrame:
        """The audit trail, newest first, filtered in the database: ``actor``, ``action``
        (create, update, delete, restore, sign_in, sign_in_refused) and ``entity`` (unit,
        process, dependency, kpi, assessment, scenario, user) take one value or several, and
        none or an empty list means all; ``key_contains`` is text in the record's key (any
        case); ``since`` (inclusive) and ``until`` (exclusive) are naive UTC; ``limit`` keeps
        the newest events."""
        with reading(self.engine) as s:
            return repository.audit_frame(s, actor=actor, action=action, entity=entity,
                                          key_contains=key_contains, since=since, until=until,
                                          limit=limit)

    def newest_audit_id(self) -> int:
        """Moves with every audit event (see :func:`inventory.repository.newest_audit_id`)."""
        with reading(self.engine) as s:
            return repository.newest_audit_id(s)

    def verify_audit(self) -> ChainCheck:
        """Recompute the audit trail's chain of seals (see :mod:`inventory.sealing`): how many
        events are intact, or the first one that was inserted, edited or follows a removed
        one."""
        with reading(self.engine) as s:
            return check_audit_chain(s)

    def deleted_items(self) -> pd.DataFrame:
        """Every soft-deleted unit, process, dependency, KPI, assessment and scenario, most
        recently deleted first: ``kind`` (the audit trail's entity word), ``key`` (as the audit
        trail writes it: a code, ``UP -> DOWN``, ``CODE: name``, ``CODE: criterion by rater``,
        a scenario's name), ``id`` (what restoring a KPI or an assessment takes; empty for
        scenarios), ``upstream_code`` and ``downstream_code`` (what restoring a dependency
        takes; empty for the other kinds), ``deleted_at`` (UTC) and ``deleted_by``.

        Only records deleted themselves are listed, not those hidden because their process is
        deleted: restoring the process brings those back."""
        keys: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
            "unit": lambda f: f["code"],
            "process": lambda f: f["code"],
            "dependency": lambda f: f["upstream_code"] + " -> " + f["downstream_code"],
            "kpi": lambda f: f["process_code"] + ": " + f["name"],
            "assessment": lambda f: (f["process_code"] + ": " + f["criterion_key"] + " by "
                                     + f["rater"]),
            "scenario": lambda f: f["name"],
        }
        with reading(self.engine) as s:
            frames = {"unit": repository.units_frame(s, deleted_only=True),
                      "process": repository.processes_frame(s, deleted_only=True),
                      "dependency": repository.dependencies_frame(s, deleted_only=True),
                      "kpi": repository.kpis_frame(s, deleted_only=True),
                      "assessment": repository.assessments_frame(s, deleted_only=True)}
            scenario_deletes = repository.audit_frame(s, entity="scenario", action="delete")
        scenarios = self.scenarios.list(include_deleted=True)
        frames["scenario"] = scenarios.assign(id=None, deleted_by=scenarios["name"].map(
            scenario_deletes.groupby("entity_key")["actor"].first()))  # newest delete first
        columns = ["kind", "key", "id", "upstream_code", "downstream_code", "deleted_at",
                   "deleted_by"]
        parts = [deleted.assign(kind=kind, key=keys[kind](deleted)).reindex(columns=columns)
                 for kind, frame in frames.items()
                 if not (deleted := frame[frame["deleted_at"].notna()]).empty]
        items = (pd.concat(parts, ignore_index=True) if parts
                 else pd.DataFrame(columns=columns))
        items["id"] = items["id"].astype("Int64")
        items["deleted_at"] = pd.to_datetime(items["deleted_at"])
        return items.sort_values("deleted_at", ascending=False, kind="stable", ignore_index=True)

    def dependencies(self, *, process_code: str | None = None) -> pd.DataFrame:
        with reading(self.engine) as s:
            if process_code is not None:
                process_code = self._existing_process(s, process_code).code
            return repository.dependencies_frame(s, process_code=process_code)

    def kpis(self, *, process_code: str | None = None,
             include_deleted: bool = False) -> pd.DataFrame:
        """KPIs, of one process if given; ``include_deleted`` adds the deleted ones (to
        restore them)."""
        with reading(self.engine) as s:
            if process_code is not None:
                process_code = self._existing_process(s, process_code).code
            return repository.kpis_frame(s, process_code=process_code,
                                         include_deleted=include_deleted)

    def assessments(self, *, process_code: str | None = None) -> pd.DataFrame:
        with reading(self.engine) as s:
            if process_code is not None:
                process_code = self._existing_process(s, process_code).code
            return repository.assessments_frame(s, process_code=process_code)

    # ------------------------------------------------------------------ lookups

    @staticmethod
    def _existing_process(s: Session, code: str, *, allow_deleted: bool = False,
                          lock: bool = False) -> Process:
        row = repository.process_by_code(s, code, lock=lock)
        if row is None:
            raise NotFound(f"no process has the code '{code.strip()}'; check the code in the "
                           "list of processes")
        if row.deleted_at is not None and not allow_deleted:
            raise NotFound(f"process {row.code} is deleted; restore it first (an admin can "
                           "restore it)")
        return row

    @staticmethod
    def _existing_unit(s: Session, code: str, *, allow_deleted: bool = False,
                       lock: bool = False) -> Unit:
        row = repository.unit_by_code(s, code, lock=lock)
        if row is None:
            raise NotFound(f"no unit has the code '{code.strip()}'; check the code in the list "
                           "of units")
        if row.deleted_at is not None and not allow_deleted:
            raise NotFound(f"unit {row.code} is deleted; restore it first (an admin can "
                           "restore it)")
        return row

    # ------------------------------------------------------------------ whole inventories

    def load(self, records: dict[str, list[dict[str, Any]]], actor: Actor) -> dict[str, int]:
        """Insert units, processes (parents before children), dependencies, KPIs and
        assessments in ONE transaction: any bad record and nothing at all is stored.

        ``records`` maps ``units``, ``processes``, ``dependencies``, ``kpis``, ``assessments``
        to lists of field dictionaries; the error names the list and the record's position.
        """
        who = authorize(actor, Action.import_data)
        steps: list[tuple[str, type[BaseModel], Callable[[Session, Any, str], object]]] = [
            ("units", UnitIn, self._insert_unit),
            ("processes", ProcessIn, self._insert_process),
            ("dependencies", DependencyIn, self._insert_dependency),
            ("kpis", KpiIn, self._insert_kpi),
            ("assessments", AssessmentIn, self._insert_assessment),
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
                        insert(s, _validate(schema, data, where), who)
                    except CatalogueError as error:
                        message = str(error)
                        raise type(error)(message if message.startswith(where)
                                          else f"{where}: {message}") from None
                loaded[name] = len(records.get(name, []))
        return loaded

    # ------------------------------------------------------------------ spreadsheets

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

    def graph(self, *, roll_up: bool = False) -> nx.DiGraph:
        """The live dependency graph (upstream -> downstream), see :mod:`inventory.graph`."""
        with reading(self.engine) as s:
            return build_graph(repository.processes_frame(s), repository.dependencies_frame(s),
                               roll_up=roll_up)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The whole live inventory, one frame per kind of record (for exports)."""
        with reading(self.engine) as s:
            return {kind: read(s) for kind, read in FRAME_READERS.items()}

    def ratings(self) -> pd.DataFrame:
        """The live assessments' values and raters (see :func:`repository.ratings_frame`)."""
        with reading(self.engine) as s:
            return repository.ratings_frame(s)

    def assessment_rows(self) -> pd.DataFrame:
        """See :func:`repository.assessment_rows`."""
        with reading(self.engine) as s:
            return repository.assessment_rows(s)

    def dependency_rows(self) -> pd.DataFrame:
        """See :func:`repository.dependency_rows`."""
        with reading(self.engine) as s:
            return repository.dependency_rows(s)

    def frame(self, kind: str) -> pd.DataFrame:
        """One kind of live record (a key of :data:`FRAME_READERS`) as :meth:`frames` has it."""
        with reading(self.engine) as s:
            return FRAME_READERS[kind](s)

    # ------------------------------------------------------------------ units

    def add_unit(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.edit_inventory)
        unit = _validate(UnitIn, data, "Unit")
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
            unit = _validate(UnitIn, before | changes, f"Unit {row.code}")
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
        return _record(frame, frame["code"] == code)

    # ------------------------------------------------------------------ processes

    def add_process(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """Create a process; ``data`` holds :class:`ProcessIn` fields (code, name, unit ...)."""
        who = authorize(actor, Action.edit_inventory)
        process = _validate(ProcessIn, data, f"Process {data.get('code') or '(no code)'}")
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
            row = self._existing_process(s, code, lock=True)
            audit.check_version(s, row, "process", row.code, seen_version)
            before = self._process_fields(s, row)
            process = _validate(ProcessIn, before | changes, f"Process {row.code}")
            clash = repository.process_by_code(s, process.code)
            if clash is not None and clash.id != row.id:
                raise Conflict(f"a process with the code {clash.code} already exists; codes "
                               "ignore case, so choose another code")
            process = self._with_stored_codes(s, process)
            after = _stored(process.model_dump())
            columns = self._process_columns(s, process, row)
            audit.apply_changes(s, row, "process", row.code, who, before, after, columns)
            new_code = row.code
        return self._process_record(new_code)

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
        dep = _validate(DependencyIn, data, "Dependency")
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
            dep = _validate(DependencyIn, {"upstream_code": upstream_code,
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
        return _record(frame, downstream.astype(bool))

    # ------------------------------------------------------------------ KPIs and assessments

    def add_kpi(self, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        who = authorize(actor, Action.edit_inventory)
        kpi = _validate(KpiIn, data, "KPI")
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
        value = _validate(AssessmentIn, data, "Assessment")
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

    def raters(self) -> list[str]:
        """Everyone who has rated something (deleted ratings included), one name per person."""
        with reading(self.engine) as s:
            names = repository.rater_names(s)
        people: dict[str, str] = {}
        for name in names:
            people.setdefault(person_key(name), name)
        return sorted(people.values(), key=str.casefold)

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
            checked = _validate(schema, {"process_code": code} | before | changes, key)
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
        return _record(frame, frame["id"] == record_id)

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


__all__ = ["Catalogue", "CatalogueError", "ProcessDetail"]
