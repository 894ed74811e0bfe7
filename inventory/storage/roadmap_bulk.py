"""Checking the roadmap's rows of an import (the workbook's Initiatives and Deliverables sheets)
against the database and writing them, inside the caller's transaction (the services own it).
Never commits.

Conventions
-----------
* An initiative is matched by its code, a deliverable by its initiative's code and its ref,
  whatever their case; a matched row is written with the codes as stored, so a file typed in
  another case changes nothing.
* Every row is checked before anything is written, against the file and the inventory: the
  unit, the processes and KPIs (``PROCESS-CODE: KPI name``) an initiative links to, the
  initiatives it was combined into or split from (a loop among them is refused), the
  initiative of a deliverable, deleted records, clashes in insert mode. Each problem names the
  file's sheet, row and column; the caller writes only if there is no error at all.
* Writes and audit events are those of the roadmap's service
  (:mod:`inventory.services.initiatives`): ``initiative`` events keyed by the code,
  ``deliverable`` events keyed by ``CODE/REF``; the links are stored in
  ``initiative_processes`` and ``initiative_kpis`` and audited as the initiative's
  ``processes`` and ``kpis`` fields, lineage as ``lineage``, ``combined_into`` and
  ``split_from`` (codes). A row that changes nothing writes nothing and counts as unchanged.
* Roadmaps hold tens to hundreds of rows, so they are written one by one through the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.files.importing import ImportRow, ParsedImport, problem_column
from inventory.roadmap_schemas import (
    DELIVERABLE_FIELDS,
    INITIATIVE_ROW_FIELDS,
    DeliverableIn,
    InitiativeRowIn,
    kpi_reference,
    split_kpi_reference,
)
from inventory.schemas import validation_problems
from inventory.storage import audit, roadmap_rows
from inventory.storage.bulk import Counts, Mode
from inventory.storage.models import Deliverable, Initiative, Kpi, Process, Unit

INITIATIVE = "initiative"
DELIVERABLE = "deliverable"
LINKS = ("processes", "kpis")
LINEAGE_IDS = {"combined_into": "combined_into_id", "split_from": "split_from_id"}


def _text(value: Any) -> Any:
    return getattr(value, "value", value)


def _caseless(text: str) -> str:
    return " ".join(text.split()).casefold()


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """An initiative as compared and audited: lists as ``; ``-joined text (processes and KPIs
    sorted, as the frames read them back; studies as given), vocabularies as their values."""
    shown = {}
    for name, value in values.items():
        if isinstance(value, tuple | list):
            items = list(value) if name == "studies" else sorted(value, key=str.casefold)
            shown[name] = "; ".join(items) or None
        else:
            shown[name] = _text(value)
    return shown


@dataclass
class _Known:
    """What the file's references may name, from the file and the inventory: canonical
    spelling by code in lower case (KPIs by process and name)."""

    units: dict[str, str]
    processes: dict[str, str]
    kpis: dict[tuple[str, str], str]
    initiatives: dict[str, str]
    deleted: set[str]  # initiatives deleted in the inventory, by code in lower case


def _known(s: Session, parsed: ParsedImport, stored: dict[str, Initiative]) -> _Known:
    def codes(rows: list[ImportRow], name: str, found: dict[str, str]) -> dict[str, str]:
        for item in rows:
            code = str(item.given[name])
            found.setdefault(code.casefold(), code)
        return found

    units = codes(parsed.rows["units"], "code", {code.casefold(): code for code in s.scalars(
        select(Unit.code).where(Unit.deleted_at.is_(None)))})
    processes = codes(parsed.rows["processes"], "code", {code.casefold(): code for code in
                                                         s.scalars(select(Process.code).where(
                                                             Process.deleted_at.is_(None)))})
    stored_kpis = s.execute(select(Process.code, Kpi.name).join(Process, Process.id ==
                                                                 Kpi.process_id)
                            .where(Kpi.deleted_at.is_(None), Process.deleted_at.is_(None)))
    kpis: dict[tuple[str, str], str] = {}
    for code, name in [*stored_kpis, *((str(item.given["process_code"]), str(item.given["name"]))
                                       for item in parsed.rows["kpis"])]:
        owner = processes.get(code.casefold(), code)
        kpis.setdefault((owner.casefold(), _caseless(name)), kpi_reference(owner, name))
    initiatives = codes(parsed.rows["initiatives"], "code",
                        {key: row.code for key, row in stored.items()})
    deleted = {key for key, row in stored.items() if row.deleted_at is not None}
    return _Known(units, processes, kpis, initiatives, deleted)


@dataclass
class _Planned:
    """One row to create or update: the validated values, shown as compared and audited."""

    item: ImportRow
    after: dict[str, Any]
    row: Any = None  # the stored record, for an update
    before: dict[str, Any] = field(default_factory=dict)


def _validated(parsed: ParsedImport, item: ImportRow, model: type[InitiativeRowIn] |
               type[DeliverableIn], data: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return dict(model.model_validate(data).model_dump())
    except ValidationError as error:
        for name, message in validation_problems(error):
            column = problem_column(name, message, item.columns)
            shown = next((data.get(f) for f, c in item.columns.items() if c == column), None)
            parsed.problem("error", item.sheet, item.row, column, shown, f"{name}: {message}")
        return None


def _error(parsed: ParsedImport, item: ImportRow, name: str | None, value: Any,
           message: str) -> None:
    parsed.problem("error", item.sheet, item.row, item.columns.get(name) if name else None,
                   value, message)


# ---------------------------------------------------------------- initiatives


def _stored_initiative(row: Initiative, units: dict[int, str], codes: dict[int, str],
                       processes: dict[int, list[str]],
                       kpis: dict[int, list[tuple[str, str]]]) -> dict[str, Any]:
    """A stored initiative as a row of the sheet has it (lists as tuples)."""
    values = {name: getattr(row, name) for name in INITIATIVE_ROW_FIELDS
              if name not in ("unit", "processes", "kpis", "studies", *LINEAGE_IDS)}
    return values | {
        "unit": units.get(row.unit_id) if row.unit_id is not None else None,
        "processes": tuple(processes.get(row.id, [])),
        "kpis": tuple(kpi_reference(*pair) for pair in kpis.get(row.id, [])),
        "studies": tuple(item.strip() for item in (row.studies or "").split(";")
                         if item.strip()),
        **{name: codes.get(getattr(row, column)) for name, column in LINEAGE_IDS.items()}}


def _respelled_initiative(given: dict[str, Any], known: _Known) -> dict[str, Any]:
    """The row's references written as the file or the inventory spells them."""
    changes: dict[str, Any] = {}
    if given.get("unit") is not None:
        changes["unit"] = known.units.get(str(given["unit"]).casefold(), given["unit"])
    if given.get("processes") is not None:
        changes["processes"] = tuple(known.processes.get(code.casefold(), code)
                                     for code in given["processes"])
    if given.get("kpis") is not None:
        references = []
        for reference in given["kpis"]:
            code, name = split_kpi_reference(reference)
            owner = known.processes.get(code.casefold(), code)
            references.append(known.kpis.get((owner.casefold(), _caseless(name)), reference))
        changes["kpis"] = tuple(references)
    for name in LINEAGE_IDS:
        if given.get(name) is not None:
            changes[name] = known.initiatives.get(str(given[name]).casefold(), given[name])
    return given | changes


def _check_references(parsed: ParsedImport, item: ImportRow, values: dict[str, Any],
                      known: _Known) -> None:
    unit = values.get("unit")
    if unit is not None and unit.casefold() not in known.units:
        _error(parsed, item, "unit", unit, f"there is no unit '{unit}'; add it on the Units "
               "sheet or correct the code")
    for code in values["processes"]:
        if code.casefold() not in known.processes:
            _error(parsed, item, "processes", code, f"no process has the code '{code}'; "
                   "correct the code or add the process on the Processes sheet")
    for reference in values["kpis"]:
        code, name = split_kpi_reference(reference)
        if (code.casefold(), _caseless(name)) not in known.kpis:
            _error(parsed, item, "kpis", reference, f"no KPI '{name}' is recorded for process "
                   f"'{code}'; add it on the KPIs sheet or correct the reference")
    for name in LINEAGE_IDS:
        code = values.get(name)
        if code is not None and code.casefold() not in known.initiatives:
            _error(parsed, item, name, code, f"no initiative has the code '{code}'; add it "
                   "on the Initiatives sheet or correct the code")


def _plan_initiatives(s: Session, parsed: ParsedImport, mode: Mode, known: _Known,
                      stored: dict[str, Initiative]) -> tuple[list[_Planned], int]:
    units = dict(s.execute(select(Unit.id, Unit.code)).all())
    codes = {row.id: row.code for row in stored.values()}
    processes, kpis = roadmap_rows.process_links(s), roadmap_rows.kpi_links(s)
    planned: list[_Planned] = []
    unchanged = 0
    for item in parsed.rows["initiatives"]:
        code = str(item.given["code"])
        row = stored.get(code.casefold())
        given = _respelled_initiative(item.given, known)
        before: dict[str, Any] = {}
        if row is None:
            data = {k: v for k, v in (item.defaults | given).items() if v is not None}
        elif row.deleted_at is not None:
            _error(parsed, item, "code", code, f"initiative {row.code} exists but is deleted; "
                   "an admin can restore it, then import again")
            continue
        elif mode == "insert":
            _error(parsed, item, "code", code, f"initiative {row.code} already exists; import "
                   "with mode upsert to update it, or remove the row")
            continue
        else:
            before = _stored_initiative(row, units, codes, processes, kpis)
            data = before | given | {"code": row.code}
        checked = _validated(parsed, item, InitiativeRowIn, data)
        if checked is None:
            continue
        _check_references(parsed, item, checked, known)
        after = _shown(checked)
        if row is None:
            planned.append(_Planned(item, after))
        elif _shown(before) != after:
            planned.append(_Planned(item, after, row, _shown(before)))
        else:
            unchanged += 1
    return planned, unchanged


def _creation_order(parsed: ParsedImport, creates: list[_Planned]) -> list[_Planned]:
    """New initiatives ordered so that the one a row was combined into or split from comes
    first; a loop among them is an error on each of its rows."""
    by_code = {plan.after["code"].casefold(): plan for plan in creates}
    order: list[_Planned] = []
    state: dict[str, str] = {}  # code -> "visiting" | "done"

    def visit(plan: _Planned, path: list[_Planned]) -> None:
        key = plan.after["code"].casefold()
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            loop = path[path.index(plan):]
            names = " -> ".join(p.after["code"] for p in [*loop, plan])
            for member in loop:
                _error(parsed, member.item, "code", member.after["code"],
                       f"combined_into and split_from go round in a loop ({names}); "
                       "correct one of them")
            return
        state[key] = "visiting"
        for name in LINEAGE_IDS:
            target = plan.after.get(name)
            if target is not None and target.casefold() in by_code:
                visit(by_code[target.casefold()], [*path, plan])
        state[key] = "done"
        order.append(plan)

    for plan in creates:
        visit(plan, [])
    return order


def _columns(after: dict[str, Any], ids: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The initiatives table's columns for ``after`` (unit and lineage by id)."""
    kept = {k: v for k, v in after.items()
            if k not in ("unit", "processes", "kpis", *LINEAGE_IDS)}
    unit = after.get("unit")
    kept["unit_id"] = ids["units"][unit.casefold()] if unit is not None else None
    for name, column in LINEAGE_IDS.items():
        code = after.get(name)
        kept[column] = ids["initiatives"][code.casefold()] if code is not None else None
    return kept


def _links(after: dict[str, Any], ids: dict[str, dict[str, int]],
           kpi_ids: dict[tuple[str, str], int]) -> dict[str, list[int]]:
    processes = [p.strip() for p in (after["processes"] or "").split(";") if p.strip()]
    kpis = [split_kpi_reference(k) for k in (after["kpis"] or "").split(";") if k.strip()]
    return {"process_ids": [ids["processes"][code.casefold()] for code in processes],
            "kpi_ids": [kpi_ids[(code.casefold(), _caseless(name))] for code, name in kpis]}


def _write_initiatives(s: Session, planned: list[_Planned], actor: str,
                       stored: dict[str, Initiative]) -> None:
    ids = {"units": {code.casefold(): i for i, code in s.execute(
               select(Unit.id, Unit.code).where(Unit.deleted_at.is_(None)))},
           "processes": {code.casefold(): i for i, code in s.execute(
               select(Process.id, Process.code).where(Process.deleted_at.is_(None)))},
           "initiatives": {key: row.id for key, row in stored.items()}}
    kpi_ids = {(code.casefold(), _caseless(name)): i for i, code, name in s.execute(
        select(Kpi.id, Process.code, Kpi.name).join(Process, Process.id == Kpi.process_id)
        .where(Kpi.deleted_at.is_(None), Process.deleted_at.is_(None)))}
    for plan in [p for p in planned if p.row is None]:
        row = Initiative(**_columns(plan.after, ids))
        audit.record_create(s, row, INITIATIVE, row.code, actor,
                            {k: v for k, v in plan.after.items() if v is not None})
        ids["initiatives"][row.code.casefold()] = row.id
        roadmap_rows.set_links(s, row.id, **_links(plan.after, ids, kpi_ids))
    for plan in [p for p in planned if p.row is not None]:
        changed = audit.apply_changes(s, plan.row, INITIATIVE, plan.row.code, actor, plan.before,
                                      plan.after, _columns(plan.after, ids))
        if set(changed) & set(LINKS):
            roadmap_rows.set_links(s, plan.row.id, **_links(plan.after, ids, kpi_ids))


# ---------------------------------------------------------------- deliverables


def _plan_deliverables(s: Session, parsed: ParsedImport, mode: Mode,
                       known: _Known) -> tuple[list[_Planned], int]:
    owners = dict(s.execute(select(Initiative.id, Initiative.code)).all())
    stored = {(owners[row.initiative_id].casefold(), row.ref.casefold()): row
              for row in s.scalars(select(Deliverable).with_for_update())}
    planned: list[_Planned] = []
    unchanged = 0
    for item in parsed.rows["deliverables"]:
        written = str(item.given["initiative_code"])
        code = known.initiatives.get(written.casefold())
        if code is None:
            _error(parsed, item, "initiative_code", written, f"no initiative has the code "
                   f"'{written}'; add it on the Initiatives sheet or correct the code")
            continue
        if code.casefold() in known.deleted:
            _error(parsed, item, "initiative_code", written, f"initiative {code} is deleted; "
                   "an admin can restore it, then import again")
            continue
        row = stored.get((code.casefold(), str(item.given["ref"]).casefold()))
        given = item.given | {"initiative_code": code,
                              "ref": row.ref if row is not None else item.given["ref"]}
        key = f"{code}/{given['ref']}"
        before: dict[str, Any] = {}
        if row is None:
            data = {k: v for k, v in given.items() if v is not None}
        elif row.deleted_at is not None:
            _error(parsed, item, "ref", given["ref"], f"deliverable {key} exists but is "
                   "deleted; an admin can restore it, then import again")
            continue
        elif mode == "insert":
            _error(parsed, item, "ref", given["ref"], f"deliverable {key} already exists; "
                   "import with mode upsert to update it, or remove the row")
            continue
        else:
            before = {name: getattr(row, name) for name in DELIVERABLE_FIELDS
                      if name != "initiative_code"} | {"initiative_code": code}
            data = before | given
        checked = _validated(parsed, item, DeliverableIn, data)
        if checked is None:
            continue
        after = {k: _text(v) for k, v in checked.items()}
        if row is None:
            planned.append(_Planned(item, after))
        elif before != after:
            planned.append(_Planned(item, after, row, before))
        else:
            unchanged += 1
    return planned, unchanged


def _write_deliverables(s: Session, planned: list[_Planned], actor: str) -> None:
    owners = {code.casefold(): i for i, code in s.execute(select(Initiative.id,
                                                                 Initiative.code))}
    for plan in planned:
        code, ref = plan.after["initiative_code"], plan.after["ref"]
        values = {k: v for k, v in plan.after.items() if k not in ("initiative_code", "ref")}
        if plan.row is None:
            row = Deliverable(initiative_id=owners[code.casefold()], ref=ref, **values)
            audit.record_create(s, row, DELIVERABLE, f"{code}/{ref}", actor,
                                {"initiative": code, "ref": ref} | values)
        else:
            audit.apply_changes(s, plan.row, DELIVERABLE, f"{code}/{ref}", actor, plan.before,
                                plan.after, values)


# ---------------------------------------------------------------- both


def apply(s: Session, parsed: ParsedImport, mode: Mode, actor: str) -> dict[str, Counts]:
    """Check the initiatives and deliverables of ``parsed`` and, if the whole import has no
    error, write them (after :func:`inventory.storage.bulk.apply` wrote the inventory they
    refer to). The caller must roll back when ``parsed.errors`` is not empty afterwards."""
    stored = {row.code.casefold(): row for row in
              s.scalars(select(Initiative).with_for_update())}
    known = _known(s, parsed, stored)
    initiatives, same_initiatives = _plan_initiatives(s, parsed, mode, known, stored)
    creates = _creation_order(parsed, [p for p in initiatives if p.row is None])
    deliverables, same_deliverables = _plan_deliverables(s, parsed, mode, known)
    if not parsed.errors:
        _write_initiatives(s, creates + [p for p in initiatives if p.row is not None], actor,
                           stored)
        _write_deliverables(s, deliverables, actor)

    def counted(plans: list[_Planned], unchanged: int) -> Counts:
        return Counts(sum(p.row is None for p in plans), sum(p.row is not None for p in plans),
                      unchanged)

    return {"initiatives": counted(initiatives, same_initiatives),
            "deliverables": counted(deliverables, same_deliverables)}
