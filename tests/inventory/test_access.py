"""The permission matrix, exhaustively: every role against every service that changes something.

Each case prepares what it needs as an admin (a record to edit, a deleted one to restore), then
tries the service as each role. Allowed: it succeeds. Refused: ``PermissionDenied`` naming the
role, and the database is exactly as it was (rows and audit trail).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from inventory.access import PERMISSIONS, Action, Actor, Role, authorize, roles_allowed
from inventory.errors import InvalidInput, PermissionDenied
from inventory.files import backlog_export
from inventory.files.importing import ImportOptions
from inventory.files.io import Upload
from inventory.services import Catalogue
from tests.support import by, snapshot

ADMIN = by("root")
Prepared = dict[str, Any]


@dataclass(frozen=True)
class Case:
    name: str
    action: Action
    prepare: Callable[[Catalogue, str], Prepared]
    run: Callable[[Catalogue, Actor, Prepared], object]


def _nothing(_c: Catalogue, _tag: str) -> Prepared:
    return {}


def _csv(tag: str) -> Upload:
    return Upload(f"{tag}.csv", f"code,name,unit\nCSV-{tag},New process,HRMD\n".encode())


def _unit(c: Catalogue, tag: str, *, deleted: bool = False) -> Prepared:
    code = f"U-{tag}"
    c.add_unit({"code": code, "name": f"Unit {tag}"}, ADMIN)
    if deleted:
        c.delete_unit(code, ADMIN)
    return {"unit": code}


def _process(c: Catalogue, tag: str, *, deleted: bool = False) -> Prepared:
    code = f"P-{tag}"
    c.add_process({"code": code, "name": f"Process {tag}", "unit": "HRMD"}, ADMIN)
    if deleted:
        c.delete_process(code, ADMIN)
    return {"process": code}


def _dependency(c: Catalogue, tag: str, *, deleted: bool = False) -> Prepared:
    code = _process(c, tag)["process"]
    c.add_dependency({"upstream_code": "FIN", "downstream_code": code}, ADMIN)
    if deleted:
        c.remove_dependency("FIN", code, ADMIN)
    return {"process": code}


def _kpi(c: Catalogue, tag: str, *, deleted: bool = False) -> Prepared:
    record = c.add_kpi({"process_code": "FIN", "name": f"KPI {tag}"}, ADMIN)
    if deleted:
        c.delete_kpi(record["id"], ADMIN)
    return {"id": record["id"]}


def _assessment(c: Catalogue, tag: str, *, deleted: bool = False) -> Prepared:
    record = c.add_assessment({"process_code": "FIN", "criterion_key": "complexity",
                               "value": 3, "rater": f"r-{tag}"}, ADMIN)
    if deleted:
        c.delete_assessment(record["id"], ADMIN)
    return {"id": record["id"]}


def _scenario(c: Catalogue, tag: str, *, deleted: bool = False) -> Prepared:
    name = f"S {tag}"
    c.scenarios.add(name, {"method": "wsm"}, ADMIN)
    if deleted:
        c.scenarios.delete(name, ADMIN)
    return {"scenario": name}


def _round_members(c: Catalogue, tag: str, *, opened: bool = False) -> Prepared:
    """A scenario and two member accounts; with ``opened``, a round on it that one member
    answered."""
    members = [f"m1-{tag}", f"m2-{tag}"]
    for name in members:
        c.accounts.add(name, Role.staff, ADMIN)
    prepared = _scenario(c, tag) | {"members": members}
    if opened:
        code = c.rounds.open(prepared["scenario"], members, ADMIN)["code"]
        c.rounds.answer(code, Actor(members[0], Role.staff), weights={"cost": 1})
        prepared["round"] = code
    return prepared


def _account(c: Catalogue, tag: str) -> Prepared:
    c.accounts.add(f"user-{tag}", Role.viewer, ADMIN, password="a long password 1")
    return {"user": f"user-{tag}"}


def _initiative(c: Catalogue, tag: str, *, deleted: bool = False) -> Prepared:
    code = f"INI-{tag}"
    c.initiatives.add({"code": code, "name": f"Initiative {tag}", "processes": ["FIN"]}, ADMIN)
    c.initiatives.add({"code": f"{code}-2", "name": "Another"}, ADMIN)
    c.initiatives.add_deliverable({"initiative_code": code, "milestone": "C26",
                                   "text": "Pilot"}, ADMIN)
    note = c.initiatives.add_update({"initiative_code": code, "kind": "obstacle",
                                     "note": "No vendor yet"}, ADMIN)
    if deleted:
        c.initiatives.delete(code, ADMIN)
    return {"initiative": code, "note": note["id"]}


def _deleted_deliverable(c: Catalogue, tag: str) -> Prepared:
    prepared = _initiative(c, tag)
    c.initiatives.delete_deliverable(prepared["initiative"], "D1", ADMIN)
    return prepared


CASE = {"title": "Archive automatically", "problem": "By hand", "idea": "Automatically"}


def _case(c: Catalogue, tag: str) -> Prepared:
    first = c.cases.add(CASE | {"title": f"Case {tag}"}, by("proposer", Role.staff))
    second = c.cases.add(CASE | {"title": f"Other {tag}"}, by("proposer", Role.staff))
    return {"case": first["code"], "other": second["code"]}


def _accepted_case(c: Catalogue, tag: str) -> Prepared:
    case = c.cases.add(CASE | {"title": f"Accepted {tag}",
                               "processes": ["FIN", f"new: Archiving {tag}"]},
                       by("proposer", Role.staff))
    c.cases.triage(case["code"], "accepted", ADMIN)
    return {"case": case["code"]}


def _owned_process(c: Catalogue, tag: str, *, requested: bool = False) -> Prepared:
    """A process of a unit of its own, owned by the owner the account ``<tag>-person``
    answers for; asked for review when ``requested``."""
    unit = _unit(c, tag)["unit"]
    code = f"P-{tag}"
    c.add_process({"code": code, "name": f"Process {tag}", "unit": unit,
                   "process_owner": f"Owner {tag}"}, ADMIN)
    c.accounts.add(f"{tag}-person", Role.viewer, ADMIN, password="a long password 1")
    c.accounts.set_owner(f"{tag}-person", f"Owner {tag}", ADMIN)
    if requested:
        c.reviews.request("unit", unit, "2999-12-31", ADMIN)
    return {"process": code, "unit": unit}


SHEETS = {"Backlog": pd.DataFrame({"rank": [1], "code": ["FIN"]}),
          "Decision record": pd.DataFrame({"item": ["scenario"], "value": ["default"]})}

CASES = [
    Case("add unit", Action.edit_inventory, _nothing,
         lambda c, a, p: c.add_unit({"code": f"NEW-{p['tag']}", "name": "New"}, a)),
    Case("edit unit", Action.edit_inventory, _unit,
         lambda c, a, p: c.update_unit(p["unit"], {"name": "Renamed"}, None, a)),
    Case("delete unit", Action.edit_inventory, _unit,
         lambda c, a, p: c.delete_unit(p["unit"], a)),
    Case("restore unit", Action.restore, lambda c, t: _unit(c, t, deleted=True),
         lambda c, a, p: c.restore_unit(p["unit"], a)),
    Case("add process", Action.edit_inventory, _nothing,
         lambda c, a, p: c.add_process({"code": f"NEW-{p['tag']}", "name": "New",
                                        "unit": "HRMD"}, a)),
    Case("edit process", Action.edit_inventory, _process,
         lambda c, a, p: c.update_process(p["process"], {"name": "Renamed"}, None, a)),
    Case("delete process", Action.edit_inventory, _process,
         lambda c, a, p: c.delete_process(p["process"], a)),
    Case("restore process", Action.restore, lambda c, t: _process(c, t, deleted=True),
         lambda c, a, p: c.restore_process(p["process"], a)),
    Case("add dependency", Action.edit_inventory, _process,
         lambda c, a, p: c.add_dependency({"upstream_code": "FIN",
                                           "downstream_code": p["process"]}, a)),
    Case("edit dependency", Action.edit_inventory, _dependency,
         lambda c, a, p: c.update_dependency("FIN", p["process"], {"strength": 1}, None, a)),
    Case("remove dependency", Action.edit_inventory, _dependency,
         lambda c, a, p: c.remove_dependency("FIN", p["process"], a)),
    Case("restore dependency", Action.restore, lambda c, t: _dependency(c, t, deleted=True),
         lambda c, a, p: c.restore_dependency("FIN", p["process"], a)),
    Case("add KPI", Action.edit_inventory, _nothing,
         lambda c, a, p: c.add_kpi({"process_code": "HR", "name": f"KPI {p['tag']}"}, a)),
    Case("edit KPI", Action.edit_inventory, _kpi,
         lambda c, a, p: c.update_kpi(p["id"], {"target": 10}, None, a)),
    Case("delete KPI", Action.edit_inventory, _kpi, lambda c, a, p: c.delete_kpi(p["id"], a)),
    Case("restore KPI", Action.restore, lambda c, t: _kpi(c, t, deleted=True),
         lambda c, a, p: c.restore_kpi(p["id"], a)),
    Case("add assessment", Action.assess, _nothing,
         lambda c, a, p: c.add_assessment({"process_code": "HR", "criterion_key": "complexity",
                                           "value": 2, "rater": a.name}, a)),
    Case("edit assessment", Action.assess, _assessment,
         lambda c, a, p: c.update_assessment(p["id"], {"value": 4}, None, a)),
    Case("delete assessment", Action.assess, _assessment,
         lambda c, a, p: c.delete_assessment(p["id"], a)),
    Case("restore assessment", Action.restore, lambda c, t: _assessment(c, t, deleted=True),
         lambda c, a, p: c.restore_assessment(p["id"], a)),
    Case("load records", Action.import_data, _nothing,
         lambda c, a, p: c.load({"units": [{"code": f"L-{p['tag']}", "name": "Loaded"}]}, a)),
    Case("import a spreadsheet", Action.import_data, _nothing,
         lambda c, a, p: c.import_file(_csv(p["tag"]), ImportOptions(), mode="upsert",
                                       actor=a)),
    Case("save a scenario", Action.manage_scenarios, _nothing,
         lambda c, a, p: c.scenarios.add(f"New {p['tag']}", {"method": "wsm"}, a)),
    Case("edit a scenario", Action.manage_scenarios, _scenario,
         lambda c, a, p: c.scenarios.update(p["scenario"], {"method": "wpm"}, None, a)),
    Case("delete a scenario", Action.manage_scenarios, _scenario,
         lambda c, a, p: c.scenarios.delete(p["scenario"], a)),
    Case("restore a scenario", Action.restore, lambda c, t: _scenario(c, t, deleted=True),
         lambda c, a, p: c.scenarios.restore(p["scenario"], a)),
    Case("open a weighting round", Action.manage_scenarios, _round_members,
         lambda c, a, p: c.rounds.open(p["scenario"], p["members"], a)),
    Case("close a weighting round", Action.manage_scenarios,
         lambda c, t: _round_members(c, t, opened=True),
         lambda c, a, p: c.rounds.close(p["round"], a)),
    Case("take a snapshot", Action.snapshot, _scenario,
         lambda c, a, p: c.scenarios.snapshot(p["scenario"], "decided", {"results": []}, a)),
    Case("export the backlog", Action.export_backlog, _nothing,
         lambda c, a, p: backlog_export.export("csv", SHEETS, a, title="Backlog")),
    Case("add an initiative", Action.manage_initiatives, _nothing,
         lambda c, a, p: c.initiatives.add({"code": f"NEW-{p['tag']}", "name": "New"}, a)),
    Case("edit an initiative", Action.manage_initiatives, _initiative,
         lambda c, a, p: c.initiatives.update(p["initiative"], {"status": "ongoing"}, None, a)),
    Case("link an initiative", Action.manage_initiatives, _initiative,
         lambda c, a, p: c.initiatives.link(p["initiative"], a, processes=["HR"])),
    Case("delete an initiative", Action.manage_initiatives, _initiative,
         lambda c, a, p: c.initiatives.delete(p["initiative"], a)),
    Case("restore an initiative", Action.restore, lambda c, t: _initiative(c, t, deleted=True),
         lambda c, a, p: c.initiatives.restore(p["initiative"], a)),
    Case("combine initiatives", Action.manage_initiatives, _initiative,
         lambda c, a, p: c.initiatives.combine([f"{p['initiative']}-2"], p["initiative"], a)),
    Case("split an initiative", Action.manage_initiatives, _initiative,
         lambda c, a, p: c.initiatives.split(p["initiative"], [
             {"code": f"{p['initiative']}-A", "name": "A"},
             {"code": f"{p['initiative']}-B", "name": "B"}], a)),
    Case("propose initiatives from the backlog", Action.manage_initiatives, _nothing,
         lambda c, a, p: c.initiatives.propose(["HR"], a, group={
             "code": f"P-{p['tag']}", "name": "Proposed"})),
    Case("add a deliverable", Action.track_delivery, _initiative,
         lambda c, a, p: c.initiatives.add_deliverable({
             "initiative_code": p["initiative"], "milestone": "PP-26", "text": "Roll out"}, a)),
    Case("update a deliverable", Action.track_delivery, _initiative,
         lambda c, a, p: c.initiatives.update_deliverable(p["initiative"], "D1",
                                                          {"status": "at_risk"}, None, a)),
    Case("delete a deliverable", Action.track_delivery, _initiative,
         lambda c, a, p: c.initiatives.delete_deliverable(p["initiative"], "D1", a)),
    Case("restore a deliverable", Action.restore, _deleted_deliverable,
         lambda c, a, p: c.initiatives.restore_deliverable(p["initiative"], "D1", a)),
    Case("note progress", Action.track_delivery, _initiative,
         lambda c, a, p: c.initiatives.add_update({"initiative_code": p["initiative"],
                                                   "note": "Pilot started"}, a)),
    Case("resolve an obstacle", Action.track_delivery, _initiative,
         lambda c, a, p: c.initiatives.resolve_update(p["note"], a)),
    Case("propose a case", Action.propose_cases, _nothing,
         lambda c, a, p: c.cases.add(CASE, a)),
    Case("endorse a case", Action.propose_cases, _case,
         lambda c, a, p: c.cases.endorse(p["case"], a)),
    Case("comment on a case", Action.propose_cases, _case,
         lambda c, a, p: c.cases.comment(p["case"], "Agreed", a)),
    Case("triage a case", Action.triage_cases, _case,
         lambda c, a, p: c.cases.triage(p["case"], "under_review", a)),
    Case("merge cases", Action.triage_cases, _case,
         lambda c, a, p: c.cases.merge([p["other"]], p["case"], a)),
    Case("record a process from a case", Action.edit_inventory, _accepted_case,
         lambda c, a, p: c.process_from_case(p["case"], {"code": f"ARC-{p['tag']}",
                                                         "unit": "FRMD"}, a)),
    Case("assess from a case", Action.assess, _accepted_case,
         lambda c, a, p: c.assess_from_case(p["case"], "FIN", {"complexity": 2}, a)),
    Case("ask owners to review", Action.request_reviews, _process,
         lambda c, a, p: c.reviews.request("all", None, "2999-12-31", a)),
    Case("edit one's own process in a review", Action.review_own_processes, _owned_process,
         lambda c, a, p: c.reviews.edit_own(p["process"], {"description": "Ours"}, None, a)),
    Case("confirm one's own process", Action.review_own_processes,
         lambda c, t: _owned_process(c, t, requested=True),
         lambda c, a, p: c.reviews.confirm(p["process"], a, {"pain_points": "None"})),
    Case("list accounts", Action.manage_users, _nothing, lambda c, a, p: c.accounts.list(a)),
    Case("add an account", Action.manage_users, _nothing,
         lambda c, a, p: c.accounts.add(f"new-{p['tag']}", Role.analyst, a)),
    Case("change a role", Action.manage_users, _account,
         lambda c, a, p: c.accounts.set_role(p["user"], Role.analyst, a)),
    Case("disable an account", Action.manage_users, _account,
         lambda c, a, p: c.accounts.disable(p["user"], a)),
    Case("enable an account", Action.manage_users, _account,
         lambda c, a, p: c.accounts.enable(p["user"], a)),
    Case("reset a password", Action.manage_users, _account,
         lambda c, a, p: c.accounts.reset_password(p["user"], a)),
    Case("link an account to a process owner", Action.manage_users, _account,
         lambda c, a, p: c.accounts.set_owner(p["user"], "Head, HR Operations", a)),
]


def test_the_matrix_is_written_as_the_roles_are_described() -> None:
    assert PERMISSIONS[Role.viewer] == {Action.read}
    assert PERMISSIONS[Role.staff] == {Action.read, Action.propose_cases,
                                       Action.review_own_processes}
    assert PERMISSIONS[Role.analyst] == {Action.read, Action.edit_inventory, Action.assess,
                                         Action.import_data, Action.track_delivery,
                                         Action.propose_cases, Action.triage_cases,
                                         Action.request_reviews, Action.review_own_processes}
    assert PERMISSIONS[Role.leadership] == {Action.read, Action.manage_scenarios,
                                            Action.snapshot, Action.export_backlog,
                                            Action.manage_initiatives, Action.track_delivery,
                                            Action.propose_cases, Action.review_own_processes}
    assert PERMISSIONS[Role.admin] == set(Action)
    assert roles_allowed(Action.restore) == [Role.admin]
    assert {case.action for case in CASES} == set(Action) - {Action.read}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_role_is_allowed_or_refused_as_the_matrix_says(small_catalogue: Catalogue,
                                                             case: Case) -> None:
    for role in Role:
        prepared = {"tag": role.value} | case.prepare(small_catalogue, role.value)
        person = Actor(f"{role.value}-person", role)
        if person.may(case.action):
            case.run(small_catalogue, person, prepared)
            continue
        before = snapshot(small_catalogue)
        with pytest.raises(PermissionDenied, match=f"{role.value}-person \\({role.value}\\) "
                                                   "may not"):
            case.run(small_catalogue, person, prepared)
        assert snapshot(small_catalogue) == before, f"{role.value} changed something"


def test_a_refusal_says_which_roles_may_do_it() -> None:
    with pytest.raises(PermissionDenied, match="needs the analyst or admin role"):
        authorize(Actor("vic", Role.viewer), Action.edit_inventory)
    with pytest.raises(InvalidInput, match="unknown"):
        authorize(Actor("  ", Role.admin), Action.read)


def test_the_audit_trail_records_the_acting_person(small_catalogue: Catalogue) -> None:
    small_catalogue.update_process("FIN", {"name": "Budget"}, None, Actor("ana", Role.analyst))
    history = small_catalogue.history("FIN")
    assert history.iloc[0]["actor"] == "ana"
