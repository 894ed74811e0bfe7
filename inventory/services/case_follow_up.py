"""What an accepted case for change leads to in the inventory: a draft process for a process it
names that is not recorded yet, and assessments of the processes it concerns.

Conventions are those of every write (:mod:`inventory.services`); the case's own rules are in
:mod:`inventory.services.cases`. Both steps need a case analysts accepted (or handed to an
initiative), and happen in one transaction: nothing changes when any part is refused.

* :meth:`CaseFollowUp.process_from_case` (who may edit the inventory *and* triage cases):
  records the process, as a *draft* (its owner validates it later), with the case's idea as its
  description, the problem today as its pain points and the case's priority area; the case's
  ``new: <name>`` entry of that name then points at the new process (a process the case did not
  name is added to its processes).
* :meth:`CaseFollowUp.assess_from_case` (who may record assessments): values for criteria of
  one process the case concerns, each with the rationale ``From CASE-0007: <title>``, rated by
  the person recording them unless another rater is named; that rater's earlier value of a
  criterion is replaced (the audit trail keeps it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from inventory.access import Action, Actor, authorize
from inventory.case_schemas import CaseStatus
from inventory.errors import InvalidInput
from inventory.schemas import AssessmentIn, Lifecycle, ProcessIn
from inventory.services.cases import DEMANDING, CaseBook
from inventory.services.core import validated
from inventory.services.editing import CatalogueEdits
from inventory.storage import audit, case_rows, repository
from inventory.storage.models import CaseForChange


class CaseFollowUp(CatalogueEdits):
    """The inventory's side of an accepted case (see the module)."""

    def process_from_case(self, case_code: str, data: dict[str, Any],
                          actor: Actor) -> dict[str, Any]:
        """Record the process ``data`` (:class:`ProcessIn` fields; ``name`` defaults to the
        case's only ``new:`` process) as a draft from the case, and link it to the case."""
        who = authorize(actor, Action.edit_inventory)
        authorize(actor, Action.triage_cases)
        with self._write() as s:
            case = self._accepted(s, case_code)
            named = _new_names(s, case)
            name = (data.get("name") or "").strip()
            if not name:
                if not named:
                    raise InvalidInput(f"{case.code} names no process missing from the "
                                       "inventory; give the name of the process to record")
                if len(named) > 1:
                    listed = ", ".join(f"'{n}'" for n in named)
                    raise InvalidInput(f"name the process to record from {case.code}: it names "
                                       f"{listed}, not in the inventory yet")
                name = named[0]
            fields = {"lifecycle": Lifecycle.DRAFT.value, "description": case.idea,
                      "pain_points": case.problem, "priority_area": case.priority_area}
            process = validated(ProcessIn, fields | data | {"name": name},
                                f"Process {data.get('code') or '(no code)'}")
            self._insert_process(s, process, who)
            row = repository.process_by_code(s, process.code)
            assert row is not None  # just inserted
            before = _linked(s, case)
            links = [(row.id, None) if new == name else (pid, new)
                     for pid, new in case_rows.case_links(s, case.id)]
            if (row.id, None) not in links:
                links.append((row.id, None))
            case_rows.set_processes(s, case.id, links)
            audit.apply_changes(s, case, "case", case.code, who, {"processes": before},
                                {"processes": _linked(s, case)}, {})
            code = process.code
        return self._process_record(code)

    def assess_from_case(self, case_code: str, process_code: str, values: dict[str, float],
                         actor: Actor, *, rater: str | None = None) -> list[dict[str, Any]]:
        """Record ``values`` (criterion key -> value) for ``process_code``, a process the case
        concerns, with the case as rationale; the assessments as stored."""
        who = authorize(actor, Action.assess)
        if not values:
            raise InvalidInput("give at least one criterion and its value, as KEY=VALUE")
        with self._write() as s:
            case = self._accepted(s, case_code)
            process = self._existing_process(s, process_code)
            concerned = [pid for pid, _ in case_rows.case_links(s, case.id)]
            if process.id not in concerned:
                listed = _linked(s, case) or "none in the inventory yet"
                raise InvalidInput(f"{case.code} does not concern {process.code}; its processes "
                                   f"are {listed} (link it when you triage the case)")
            ids = []
            for key, value in values.items():
                given = {"value": value, "low": None, "high": None,
                         "rationale": f"From {case.code}: {case.title}",
                         "assessed_on": dt.date.today()}
                assessment = validated(AssessmentIn, given | {
                    "process_code": process.code, "criterion_key": key,
                    "rater": self._known_rater(s, rater or who)}, f"Assessment of {key}")
                self._check_rating(process.code, assessment)
                existing = repository.assessment_by_key(s, process.id, key, assessment.rater)
                if existing is None or existing.deleted_at is not None:
                    ids.append(self._insert_assessment(s, assessment, who))
                    continue
                before = {field: getattr(existing, field) for field in given}
                audit.apply_changes(s, existing, "assessment",
                                    f"{process.code}: {key} by {assessment.rater}", who,
                                    before, given, given)
                ids.append(existing.id)
        frame = self.assessments()
        return [self._child_record(frame, i) for i in ids]

    @staticmethod
    def _accepted(s: Session, code: str) -> CaseForChange:
        case = CaseBook._existing(s, code, lock=True)
        if CaseStatus(case.status) not in DEMANDING:
            raise InvalidInput(f"{case.code} is {case.status.replace('_', ' ')}; accept it "
                               "first (triage), then record what it leads to")
        return case


def _new_names(s: Session, case: CaseForChange) -> list[str]:
    return [new for pid, new in case_rows.case_links(s, case.id) if pid is None and new]


def _linked(s: Session, case: CaseForChange) -> str | None:
    return "; ".join(case_rows.case_processes(s).get(case.id, [])) or None

