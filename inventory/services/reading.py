"""Reading the catalogue: the records of each kind as DataFrames, one process with everything
attached to it, the dependency graph, the ratings, the audit trail and what was deleted. Every
read runs in one read transaction (:func:`inventory.storage.db.reading`), a consistent snapshot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd
from sqlalchemy.orm import Session

from inventory.errors import InvalidInput
from inventory.graph import build_graph
from inventory.schemas import PROCESS_FIELDS, person_key
from inventory.services.core import CatalogueCore, row_record
from inventory.services.scenarios import ScenarioBook
from inventory.storage import repository, roadmap_rows
from inventory.storage.db import reading
from inventory.storage.sealing import ChainCheck, check_audit_chain


@dataclass(frozen=True)
class ProcessDetail:
    """A process with everything attached to it, for the detail views."""

    record: dict[str, Any]
    upstream: pd.DataFrame  # dependencies this process receives from (it depends on them)
    downstream: pd.DataFrame  # dependencies that receive from this process
    kpis: pd.DataFrame
    assessments: pd.DataFrame
    children: list[str]


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
    "assessments": repository.assessments_frame,
    "initiatives": roadmap_rows.initiatives_frame,
    "deliverables": roadmap_rows.deliverables_frame}


class CatalogueReads(CatalogueCore):
    """The reads of the catalogue (see the module)."""

    # ------------------------------------------------------------------ records

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
                record=row_record(record),
                upstream=deps[deps["downstream_code"] == row.code].reset_index(drop=True),
                downstream=deps[deps["upstream_code"] == row.code].reset_index(drop=True),
                kpis=repository.kpis_frame(s, process_code=row.code),
                assessments=repository.assessments_frame(s, process_code=row.code),
                children=repository.live_children(s, row.id),
            )

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

    def raters(self) -> list[str]:
        """Everyone who has rated something (deleted ratings included), one name per person."""
        with reading(self.engine) as s:
            names = repository.rater_names(s)
        people: dict[str, str] = {}
        for name in names:
            people.setdefault(person_key(name), name)
        return sorted(people.values(), key=str.casefold)

    # ------------------------------------------------------------------ the whole inventory

    def frames(self) -> dict[str, pd.DataFrame]:
        """The whole live inventory, one frame per kind of record (for exports)."""
        with reading(self.engine) as s:
            return {kind: read(s) for kind, read in FRAME_READERS.items()}

    def frame(self, kind: str) -> pd.DataFrame:
        """One kind of live record (a key of :data:`FRAME_READERS`) as :meth:`frames` has it."""
        with reading(self.engine) as s:
            return FRAME_READERS[kind](s)

    def graph(self, *, roll_up: bool = False) -> nx.DiGraph:
        """The live dependency graph (upstream -> downstream), see :mod:`inventory.graph`."""
        with reading(self.engine) as s:
            return build_graph(repository.processes_frame(s), repository.dependencies_frame(s),
                               roll_up=roll_up)

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

    # ------------------------------------------------------------------ the audit trail

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
        """Moves with every audit event (:func:`inventory.storage.repository.newest_audit_id`)."""
        with reading(self.engine) as s:
            return repository.newest_audit_id(s)

    def verify_audit(self) -> ChainCheck:
        """Recompute the audit trail's chain of seals (:mod:`inventory.storage.sealing`): how many
        events are intact, or the first one that was inserted, edited or follows a removed
        one."""
        with reading(self.engine) as s:
            return check_audit_chain(s)

    def deleted_items(self) -> pd.DataFrame:
        """Every soft-deleted unit, process, dependency, KPI, assessment, scenario, initiative
        and deliverable, most recently deleted first: ``kind`` (the audit trail's entity word),
        ``key`` (as the audit trail writes it: a code, ``UP -> DOWN``, ``CODE: name``,
        ``CODE: criterion by rater``, a scenario's name, ``INITIATIVE/REF``), ``id`` (what
        restoring a KPI or an assessment takes; empty for the others), ``upstream_code`` and
        ``downstream_code`` (what restoring a dependency takes), ``initiative_code`` and ``ref``
        (what restoring a deliverable takes), ``deleted_at`` (UTC) and ``deleted_by``.

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
            "initiative": lambda f: f["code"],
            "deliverable": lambda f: f["initiative_code"] + "/" + f["ref"],
        }
        with reading(self.engine) as s:
            frames = {"unit": repository.units_frame(s, deleted_only=True),
                      "process": repository.processes_frame(s, deleted_only=True),
                      "dependency": repository.dependencies_frame(s, deleted_only=True),
                      "kpi": repository.kpis_frame(s, deleted_only=True),
                      "assessment": repository.assessments_frame(s, deleted_only=True),
                      "initiative": roadmap_rows.initiatives_frame(s, deleted_only=True),
                      "deliverable": roadmap_rows.deliverables_frame(s, deleted_only=True)}
            scenario_deletes = repository.audit_frame(s, entity="scenario", action="delete")
        scenarios = ScenarioBook(self.engine).list(include_deleted=True)
        frames["scenario"] = scenarios.assign(id=None, deleted_by=scenarios["name"].map(
            scenario_deletes.groupby("entity_key")["actor"].first()))  # newest delete first
        frames["initiative"] = frames["initiative"].assign(id=None)
        frames["deliverable"] = frames["deliverable"].assign(id=None)
        columns = ["kind", "key", "id", "upstream_code", "downstream_code", "initiative_code",
                   "ref", "deleted_at", "deleted_by"]
        parts = [deleted.assign(kind=kind, key=keys[kind](deleted)).reindex(columns=columns)
                 for kind, frame in frames.items()
                 if not (deleted := frame[frame["deleted_at"].notna()]).empty]
        items = (pd.concat(parts, ignore_index=True) if parts
                 else pd.DataFrame(columns=columns))
        items["id"] = items["id"].astype("Int64")
        items["deleted_at"] = pd.to_datetime(items["deleted_at"])
        return items.sort_values("deleted_at", ascending=False, kind="stable", ignore_index=True)
