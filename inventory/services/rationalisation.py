"""Rationalising the roadmap, with lineage: combining initiatives into one, splitting one,
proposing initiatives from a ranked backlog, and the count of initiatives over time.

The status report's dashboard calls an initiative *Revised* when its scope changed or it was
combined with others. Here:

* **combine** ``A, B`` into ``X``: A and B become revised ("combined into X"), with ``lineage``
  ``combined`` and ``combined_into`` X; X gains their processes, KPIs and studies, the sum of
  the budgets and staff known, and their live deliverables (a ref X already uses is prefixed
  with the absorbed code: ``A-D1``). Their notes and audit trail stay with them.
* **split** ``A`` into ``A1, A2``: the parts are new initiatives with ``split_from`` A, taking
  A's fields unless given, the processes named for each (all of A's by default) and the
  deliverables named for each; A becomes revised ("split into A1, A2") with ``lineage``
  ``split``.
* An initiative **is on the roadmap** while it is live and has no lineage; the count over time
  replays the audit trail (creations, deletions, restorations, lineage set or cleared).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pandas as pd

from inventory.access import Action, Actor, authorize
from inventory.errors import Conflict, InvalidInput, SnapshotNotFound
from inventory.roadmap_dashboard import Dashboard, dashboard
from inventory.roadmap_schemas import InitiativeIn, InitiativeStatus, kpi_reference
from inventory.services.core import validated
from inventory.services.initiatives import DELIVERABLE, INITIATIVE, InitiativeRecords
from inventory.storage import audit, repository, roadmap_rows
from inventory.storage.db import one_snapshot, reading
from inventory.storage.models import Deliverable, Initiative, Snapshot, utcnow

COMBINED = "combined"
SPLIT = "split"
PROPOSED_PREFIX = "INI-"


def _union(*lists: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for items in lists:
        for item in items:
            seen.setdefault(item.casefold(), item)
    return list(seen.values())


def _total(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(sum(known)) if known else None


class InitiativeBook(InitiativeRecords):
    """The roadmap's initiatives, deliverables and notes, and their rationalisation."""

    # ------------------------------------------------------------------ combine

    def combine(self, codes: list[str], into: str, actor: Actor, *,
                new: dict[str, Any] | None = None) -> dict[str, Any]:
        """Combine the initiatives ``codes`` into ``into`` (see the module); with ``new``
        (fields of :class:`InitiativeIn`, at least a name), ``into`` is created first, taking
        the first absorbed initiative's pillar, priority area, owner and unit unless given."""
        who = authorize(actor, Action.manage_initiatives)
        wanted = [c for c in dict.fromkeys(c.strip() for c in codes if c and c.strip())
                  if c.casefold() != into.strip().casefold()]
        if not wanted:
            raise InvalidInput("name at least one initiative to combine into "
                               f"{into.strip() or 'another'}")
        with self._write() as s:
            absorbed = [self._on_roadmap(s, code) for code in wanted]
            if new is not None:
                first = self._fields(s, absorbed[0])
                inherited = {k: first[k] for k in ("pillar", "priority_area", "business_owner",
                                                   "unit")}
                fields = inherited | {"status": InitiativeStatus.ONGOING.value} | new | \
                    {"code": into}
                target = self._insert(s, validated(InitiativeIn, fields,
                                                   f"Initiative {into}"), who)
            else:
                target = self._on_roadmap(s, into)
            parts = [self._fields(s, row) for row in absorbed]
            whole = self._fields(s, target)
            self._apply(s, target, {
                "processes": _union(whole["processes"], *(p["processes"] for p in parts)),
                "kpis": _union(whole["kpis"], *(p["kpis"] for p in parts)),
                "studies": _union(whole["studies"], *(p["studies"] for p in parts)),
                "budget_chf": _total([whole["budget_chf"], *(p["budget_chf"] for p in parts)]),
                "staff_pm": _total([whole["staff_pm"], *(p["staff_pm"] for p in parts)]),
            }, who)
            for row in absorbed:
                self._carry_deliverables(s, row, target, who)
                self._apply(s, row, {"status": InitiativeStatus.REVISED.value,
                                     "status_reason": f"combined into {target.code}"}, who,
                            lineage=COMBINED, combined_into_id=target.id)
            code = target.code
        return self.get(code)

    def _carry_deliverables(self, s: Any, source: Initiative, target: Initiative,
                            who: str) -> None:
        taken = {ref.casefold() for ref in roadmap_rows.deliverables_frame(
            s, include_deleted=True).query("initiative_code == @target.code")["ref"]}
        moving = [d for d in s.query(Deliverable).filter_by(initiative_id=source.id)
                  if d.deleted_at is None]
        for row in moving:
            ref = row.ref if row.ref.casefold() not in taken else f"{source.code}-{row.ref}"[:60]
            taken.add(ref.casefold())
            audit.apply_changes(s, row, DELIVERABLE, f"{target.code}/{ref}", who,
                                {"initiative": source.code, "ref": row.ref},
                                {"initiative": target.code, "ref": ref},
                                {"initiative_id": target.id, "ref": ref})

    # ------------------------------------------------------------------ split

    def split(self, code: str, parts: list[dict[str, Any]], actor: Actor) -> list[str]:
        """Split ``code`` into the initiatives ``parts`` (each :class:`InitiativeIn` fields,
        at least code and name, and optionally ``deliverables``: refs of ``code``'s
        deliverables it takes over); return the new codes (see the module)."""
        who = authorize(actor, Action.manage_initiatives)
        if len(parts) < 2:
            raise InvalidInput("a split needs at least two parts, each with a code and a name")
        with self._write() as s:
            whole = self._on_roadmap(s, code)
            fields = self._fields(s, whole)
            inherited = {k: v for k, v in fields.items() if k not in ("code", "name",
                                                                       "budget_chf", "staff_pm",
                                                                       "status_reason")}
            if inherited["status"] == InitiativeStatus.REVISED.value:
                inherited["status"] = InitiativeStatus.PLANNED.value
            claimed: dict[str, str] = {}
            created: list[tuple[Initiative, list[str]]] = []
            for position, part in enumerate(parts, start=1):
                part = dict(part)
                refs = [str(r) for r in part.pop("deliverables", None) or []]
                for ref in refs:
                    if ref.casefold() in claimed:
                        raise InvalidInput(f"deliverable {ref} is given to both "
                                           f"{claimed[ref.casefold()]} and "
                                           f"{part.get('code')}; give it to one part")
                    claimed[ref.casefold()] = str(part.get("code"))
                item = validated(InitiativeIn, inherited | part,
                                 f"Part {position} of the split of {whole.code}")
                known = {p.casefold() for p in fields["processes"]}
                unknown = [p for p in item.processes if p.casefold() not in known]
                if unknown:
                    raise InvalidInput(f"part {item.code} names processes {whole.code} does not "
                                       f"transform: {', '.join(unknown)}")
                created.append((self._insert(s, item, who,
                                             extra={"split_from_id": whole.id}), refs))
            for part_row, refs in created:
                for ref in refs:
                    row = self._existing_deliverable(s, whole, ref, lock=True)
                    audit.apply_changes(s, row, DELIVERABLE, f"{part_row.code}/{row.ref}", who,
                                        {"initiative": whole.code}, {"initiative": part_row.code},
                                        {"initiative_id": part_row.id})
            names = ", ".join(row.code for row, _ in created)
            self._apply(s, whole, {"status": InitiativeStatus.REVISED.value,
                                   "status_reason": f"split into {names}"}, who, lineage=SPLIT)
            return [row.code for row, _ in created]

    # ------------------------------------------------------------------ from the backlog

    def propose(self, process_codes: list[str], actor: Actor, *, group: dict[str, Any] |
                None = None, snapshot_id: int | None = None) -> list[str]:
        """Planned initiatives for the processes ``process_codes`` (in the backlog's order),
        linked to the decision snapshot that justified them: one per process (code
        ``INI-<process code>``, name "Transform <process name>", the process's pillar, priority
        area, change owner (else process owner), unit, earliest start, cost, effort and KPIs),
        or, with ``group`` (at least code and name), one for them all (budget and effort
        summed, the pillar and priority area most of them have). Return the new codes."""
        who = authorize(actor, Action.manage_initiatives)
        codes = list(dict.fromkeys(c.strip() for c in process_codes if c and c.strip()))
        if not codes:
            raise InvalidInput("choose at least one process to turn into an initiative")
        with self._write() as s:
            if snapshot_id is not None:
                self._existing_snapshot(s, snapshot_id)
            frame = repository.processes_frame(s)
            kpis = repository.kpis_frame(s)
            by_code: dict[str, dict[str, Any]] = {
                str(row["code"]).casefold(): {str(k): v for k, v in row.items()}
                for row in frame.to_dict("records")}
            missing = [c for c in codes if c.casefold() not in by_code]
            if missing:
                raise InvalidInput(f"no live process has the code {', '.join(missing)}; check "
                                   "the codes in the list of processes")
            chosen = [by_code[c.casefold()] for c in codes]
            proposals = ([self._group_proposal(chosen, kpis, group)] if group is not None
                         else [self._one_proposal(s, process, kpis) for process in chosen])
            made = []
            for fields in proposals:
                item = validated(InitiativeIn, fields, f"Initiative {fields.get('code')}")
                self._insert(s, item, who, extra={"snapshot_id": snapshot_id})
                made.append(item.code)
            return made

    @staticmethod
    def _existing_snapshot(s: Any, snapshot_id: int) -> None:
        if s.get(Snapshot, snapshot_id) is None:
            raise SnapshotNotFound(f"no snapshot {snapshot_id}; check its number in the list "
                                   "of snapshots")

    @staticmethod
    def _kpis_of(kpis: pd.DataFrame, codes: list[str]) -> list[str]:
        rows = kpis[kpis["process_code"].isin(codes)]
        return [kpi_reference(c, n) for c, n in zip(rows["process_code"], rows["name"],
                                                     strict=True)]

    def _one_proposal(self, s: Any, process: dict[str, Any],
                      kpis: pd.DataFrame) -> dict[str, Any]:
        code = self._free_code(s, f"{PROPOSED_PREFIX}{process['code']}"[:40])
        return {"code": code, "name": f"Transform {process['name']}"[:1000],
                "pillar": _value(process.get("pillar")),
                "priority_area": _value(process.get("priority_area")),
                "business_owner": _value(process.get("change_owner"))
                or _value(process.get("process_owner")),
                "unit": process["unit"], "status": InitiativeStatus.PLANNED.value,
                "start_date": _value(process.get("earliest_start")),
                "budget_chf": _value(process.get("estimated_cost_chf")),
                "staff_pm": _value(process.get("estimated_effort_pm")),
                "processes": [process["code"]], "kpis": self._kpis_of(kpis, [process["code"]])}

    def _group_proposal(self, chosen: list[dict[str, Any]], kpis: pd.DataFrame,
                        group: dict[str, Any]) -> dict[str, Any]:
        def most(field: str) -> Any:
            counted = Counter(_value(p.get(field)) for p in chosen if _value(p.get(field)))
            return counted.most_common(1)[0][0] if counted else None

        codes = [p["code"] for p in chosen]
        return {"pillar": most("pillar"), "priority_area": most("priority_area"),
                "status": InitiativeStatus.PLANNED.value,
                "budget_chf": _total([_value(p.get("estimated_cost_chf")) for p in chosen]),
                "staff_pm": _total([_value(p.get("estimated_effort_pm")) for p in chosen]),
                "processes": codes, "kpis": self._kpis_of(kpis, codes)} | group

    @staticmethod
    def _free_code(s: Any, code: str) -> str:
        candidate, number = code, 1
        while roadmap_rows.initiative_by_code(s, candidate) is not None:
            number += 1
            candidate = f"{code[:36]}-{number}"
        return candidate

    # ------------------------------------------------------------------ lineage

    def lineage(self, code: str) -> dict[str, Any]:
        """Where an initiative comes from and went: ``combined_into`` and ``split_from``
        (codes or None), ``absorbed`` (the codes combined into it) and ``split_into`` (the
        parts it was split into)."""
        frame = self.initiatives(include_deleted=True)
        record = self.get(code)
        return {"code": record["code"], "combined_into": record["combined_into"],
                "split_from": record["split_from"],
                "absorbed": sorted(frame.loc[frame["combined_into"] == record["code"], "code"]),
                "split_into": sorted(frame.loc[frame["split_from"] == record["code"], "code"])}

    def count_over_time(self) -> pd.DataFrame:
        """How many initiatives were on the roadmap after each change that moved the count,
        oldest first: ``at``, ``count``, ``change`` (+1/-1), ``initiative``, ``event``."""
        with reading(self.engine) as s:
            events = repository.audit_frame(s, entity=INITIATIVE).iloc[::-1]
        on_roadmap: set[int] = set()
        rows = []
        for event in events.itertuples(index=False):
            ident = int(str(event.entity_id))
            was = ident in on_roadmap
            if event.action in ("create", "restore"):
                created_with_lineage = event.action == "create" and '"lineage"' in str(
                    event.new_value or "")
                if not created_with_lineage:
                    on_roadmap.add(ident)
            elif event.action == "delete":
                on_roadmap.discard(ident)
            elif event.action == "update" and event.field == "lineage":
                if event.new_value:
                    on_roadmap.discard(ident)
                else:
                    on_roadmap.add(ident)
            now = ident in on_roadmap
            if now != was:
                what = event.action if event.field != "lineage" else (event.new_value or
                                                                      "back on the roadmap")
                rows.append({"at": event.at, "count": len(on_roadmap),
                             "change": 1 if now else -1, "initiative": event.entity_key,
                             "event": what})
        return pd.DataFrame(rows, columns=["at", "count", "change", "initiative", "event"])

    # ------------------------------------------------------------------ the dashboard

    def dashboard(self, today: dt.date | None = None,
                  **filters: str | list[str] | None) -> Dashboard:
        """The Roadmap page's and the reports' figures (:mod:`inventory.roadmap_dashboard`)
        for the live initiatives matching ``filters``, as of ``today`` (default: today, UTC);
        the three frames are read in one transaction, so they agree."""
        with one_snapshot(self.engine):
            initiatives, deliverables = self.initiatives(), self.deliverables()
            updates = self.updates()
        try:
            return dashboard(initiatives, deliverables, updates, today or utcnow().date(),
                             **filters)
        except ValueError as error:
            raise InvalidInput(str(error)) from None

    # ------------------------------------------------------------------ lookups

    def _on_roadmap(self, s: Any, code: str) -> Initiative:
        row = self._existing(s, code, lock=True)
        if row.lineage is not None:
            how = "combined into another" if row.lineage == COMBINED else "split"
            raise Conflict(f"initiative {row.code} was already {how} ({row.status_reason}); "
                           "choose one still on the roadmap")
        return row


def _value(value: Any) -> Any:
    """A frame's cell as a plain value (missing as None)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
