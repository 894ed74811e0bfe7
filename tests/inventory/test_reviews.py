"""Review rounds through the service, on both databases: analysts ask the owners of a unit's,
a pillar's or every process to review them by a date; an owner sees their processes with the
fields still empty, fills them and confirms; refusals change nothing."""

from __future__ import annotations

import contextlib
import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.access import Role
from inventory.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inventory.review_schemas import OWNER_LOCKED, REVIEWABLE_FIELDS, owner_key
from inventory.schemas import PROCESS_FIELDS
from inventory.services import Catalogue
from inventory.services.reviews import COMPLETENESS_COLUMNS, completeness_table
from tests.support import by, snapshot

ROOT = by("root")
ANA = by("ana", Role.analyst)
OLIVIA = by("olivia", Role.staff)  # answers for "Head, HR Operations"
LEE = by("lee", Role.leadership)
TODAY = dt.date(2026, 3, 2)
DUE = dt.date(2026, 3, 31)
HR_HEAD = "Head, HR Operations"


@pytest.fixture
def owned(small_catalogue: Catalogue) -> Catalogue:
    """HR and HR-REC are owned by the Head, HR Operations (written two ways), HR-REC-01 by
    someone else, FIN by the CFO; olivia's account answers for the Head, HR Operations."""
    catalogue = small_catalogue
    for code, owner in (("HR", HR_HEAD), ("HR-REC", "  head, hr   OPERATIONS "),
                        ("HR-REC-01", "Chief, Talent"), ("FIN", "CFO")):
        catalogue.update_process(code, {"process_owner": owner}, None, ROOT)
    catalogue.update_process("FIN", {"pillar": "resource optimisation"}, None, ROOT)
    for name, role in (("olivia", Role.staff), ("ana", Role.analyst), ("lee", Role.leadership)):
        catalogue.accounts.add(name, role, ROOT, password="a long password 1")
    assert catalogue.accounts.set_owner("olivia", " head,  HR Operations", ROOT) == 2
    return catalogue


@pytest.fixture
def requested(owned: Catalogue) -> Catalogue:
    owned.reviews.request("unit", "hrmd", DUE, ANA, note="Before the budget", today=TODAY)
    return owned


def test_owner_titles_compare_trimmed_and_without_case() -> None:
    assert owner_key("  head,  HR   operations ") == owner_key(HR_HEAD) == "head, hr operations"
    assert owner_key(None) == owner_key("   ") == ""


def test_the_reviewable_fields_are_process_fields_and_owners_keep_their_hands_off_identity(
) -> None:
    assert set(REVIEWABLE_FIELDS) <= set(PROCESS_FIELDS)
    assert set(OWNER_LOCKED) <= set(PROCESS_FIELDS)
    assert set(OWNER_LOCKED) & set(REVIEWABLE_FIELDS) == {"process_owner"}


def test_an_analyst_asks_a_units_owners_and_each_process_once(owned: Catalogue) -> None:
    book = owned.reviews
    assert book.reach("unit", "HRMD") == {"processes": 3, "asked": 3, "skipped": 0,
                                          "owners": 2, "linked": 1}
    first = book.request("unit", "hrmd", DUE, ANA, note="Before the budget", today=TODAY)
    assert (first["code"], first["scope"], first["scope_value"], first["requests"],
            first["skipped"], first["note"]) == ("REV-0001", "unit", "HRMD", 3, 0,
                                                 "Before the budget")
    second = book.request("all", None, "2026-04-30", ANA, today=TODAY)
    assert (second["code"], second["requests"], second["skipped"]) == ("REV-0002", 1, 3)
    requests = book.list_requests(today=TODAY)
    assert list(zip(requests["round"], requests["code"], strict=True)) == [
        ("REV-0001", "HR"), ("REV-0001", "HR-REC"), ("REV-0001", "HR-REC-01"),
        ("REV-0002", "FIN")]
    assert set(requests["status"]) == {"requested"}
    history = book.history("rev-0001")
    assert history.iloc[0]["actor"] == "ana"
    assert '"processes": "HR; HR-REC; HR-REC-01"' in history.iloc[0]["new_value"]


def test_a_pillar_round_asks_only_that_pillars_live_processes_not_retired(
        owned: Catalogue) -> None:
    owned.update_process("HR", {"pillar": "resource_optimisation", "lifecycle": "retired"},
                         None, ROOT)
    owned.add_process({"code": "FIN-2", "name": "Payments", "unit": "FRMD",
                       "pillar": "resource_optimisation"}, ROOT)
    owned.delete_process("FIN-2", ROOT)
    record = owned.reviews.request("pillar", "Resource optimisation", DUE, ANA, today=TODAY)
    assert record["scope_value"] == "resource_optimisation"
    assert owned.reviews.list_requests(round="REV-0001")["code"].tolist() == ["FIN"]


@pytest.mark.parametrize(("scope", "value", "due", "message"), [
    ("unit", "HRMD", dt.date(2026, 3, 1), "the due date 2026-03-01 is in the past; give "
                                          "today \\(2026-03-02\\) or a later date"),
    ("unit", "NOPE", DUE, "no unit has the code 'NOPE'"),
    ("pillar", "govrnance", DUE, "pillar: 'govrnance' is not one of.*Did you mean "
                                 "'governance'"),
    ("pillar", "governance", DUE, "the pillar Governance has no live process that is not "
                                  "retired"),
    ("unit", None, DUE, "name the unit"),
    ("all", "HRMD", DUE, "names no unit or pillar"),
    ("team", "HRMD", DUE, "scope: 'team' is not one of: unit, pillar, all"),
    ("unit", "HRMD", "31/03/2026", "due: must be a date written YYYY-MM-DD"),
])
def test_bad_rounds_are_refused_and_change_nothing(owned: Catalogue, scope: str,
                                                   value: str | None, due: object,
                                                   message: str) -> None:
    before = snapshot(owned)
    with pytest.raises((InvalidInput, NotFound), match=message):
        owned.reviews.request(scope, value, due, ANA, today=TODAY)  # type: ignore[arg-type]
    assert snapshot(owned) == before


def test_a_round_whose_processes_all_wait_already_is_refused(requested: Catalogue) -> None:
    before = snapshot(requested)
    with pytest.raises(InvalidInput, match="all 3 processes of the unit HRMD are already "
                                           "waiting in an open review \\(REV-0001\\)"):
        requested.reviews.request("unit", "HRMD", DUE, ANA, today=TODAY)
    assert snapshot(requested) == before


def test_an_owner_sees_their_processes_with_the_fields_still_empty(
        requested: Catalogue) -> None:
    mine = requested.reviews.mine(OLIVIA, today=TODAY)
    assert mine["code"].tolist() == ["HR", "HR-REC"]
    hr = mine.iloc[0]
    assert (hr["round"], hr["due"], hr["status"], hr["overdue"]) == ("REV-0001", DUE,
                                                                     "requested", False)
    assert hr["empty_fields"].split("; ") == [f for f in REVIEWABLE_FIELDS
                                              if f != "process_owner"]
    assert hr["filled"] == 1
    assert requested.reviews.mine(by("nobody", Role.staff), today=TODAY).empty
    late = requested.reviews.list_requests(owner_title=HR_HEAD, today=DUE + dt.timedelta(1))
    assert late["overdue"].tolist() == [True, True]


def test_an_owner_edits_only_their_processes_and_not_who_owns_them(
        requested: Catalogue) -> None:
    book = requested.reviews
    record = book.edit_own("hr-rec", {"description": "Hiring staff", "cycle_time_days": 120},
                           1 + 1, OLIVIA)
    assert (record["description"], record["cycle_time_days"], record["lifecycle"]) == (
        "Hiring staff", 120, "draft")
    assert requested.history("HR-REC").iloc[0]["actor"] == "olivia"
    before = snapshot(requested)
    refusals = [
        (lambda: book.edit_own("FIN", {"description": "x"}, None, OLIVIA), PermissionDenied,
         "olivia may edit only the processes they own \\(head, HR Operations\\); FIN is owned "
         "by CFO"),
        (lambda: book.edit_own("HR", {"description": "x"}, None, by("kim", Role.staff)),
         PermissionDenied, "kim is linked to no process owner.*Users page"),
        (lambda: book.edit_own("HR", {"process_owner": "Me"}, None, OLIVIA), InvalidInput,
         "process_owner: an owner may not change this field through a review"),
        (lambda: book.edit_own("HR", {"unit": "FRMD", "lifecycle": "validated"}, None, OLIVIA),
         InvalidInput, "unit, lifecycle: an owner may not change these fields"),
        (lambda: book.edit_own("HR", {"digital_maturity": 9}, None, OLIVIA), InvalidInput,
         "Process HR: digital_maturity: must be 5 or less"),
        (lambda: book.edit_own("HR-REC", {"description": "y"}, 2, OLIVIA), Conflict,
         "HR-REC was changed by olivia"),
        (lambda: book.edit_own("HR", {"description": "x"}, None, by("vic", Role.viewer)),
         PermissionDenied, "vic \\(viewer\\) may not review and confirm"),
    ]
    for call, error, message in refusals:
        with pytest.raises(error, match=message):
            call()
    assert snapshot(requested) == before


def test_confirming_validates_the_process_and_records_who_and_when(
        requested: Catalogue) -> None:
    book = requested.reviews
    confirmed = book.confirm("HR", OLIVIA, {"description": "People", "pain_points": "Slow"},
                             today=TODAY)
    assert (confirmed["status"], confirmed["confirmed_by"], confirmed["on_time"],
            confirmed["lifecycle"], confirmed["overdue"]) == ("confirmed", "olivia", True,
                                                             "validated", False)
    history = requested.history("HR")
    assert set(history[history["actor"] == "olivia"]["field"]) == {"description",
                                                                   "pain_points", "lifecycle"}
    assert len(set(history[history["actor"] == "olivia"]["entity_version"])) == 1  # one edit
    late = book.confirm("HR-REC", ANA, today=DUE + dt.timedelta(days=1))  # on her behalf
    assert (late["confirmed_by"], late["on_time"], late["lifecycle"]) == ("ana", False,
                                                                          "validated")
    rounds = book.rounds(today=TODAY)
    assert rounds[["requests", "confirmed", "on_time", "overdue"]].iloc[0].tolist() == [
        3, 2, 1, 0]
    audit = book.history("REV-0001")
    assert {"status", "confirmed_by", "confirmed_at", "on_time"} <= set(audit["field"])


def test_a_validated_process_stays_validated_and_a_retired_one_retired(
        requested: Catalogue) -> None:
    requested.update_process("HR", {"lifecycle": "retired"}, None, ROOT)
    assert requested.reviews.confirm("HR", OLIVIA, today=TODAY)["lifecycle"] == "retired"


def test_refused_confirmations_change_nothing(requested: Catalogue) -> None:
    book = requested.reviews
    before = snapshot(requested)
    refusals = [
        (lambda: book.confirm("HR-REC-01", OLIVIA, today=TODAY), PermissionDenied,
         "HR-REC-01 is owned by Chief, Talent"),
        (lambda: book.confirm("HR", LEE, today=TODAY), PermissionDenied,
         "lee is linked to no process owner"),
        (lambda: book.confirm("FIN", ANA, today=TODAY), InvalidInput,
         "FIN has no open review request"),
        (lambda: book.confirm("HR", OLIVIA, {"annual_volume": -3}, today=TODAY), InvalidInput,
         "annual_volume: must be 0 or more"),
        (lambda: book.confirm("HR", OLIVIA, {"code": "HR2"}, today=TODAY), InvalidInput,
         "code: an owner may not change this field"),
        (lambda: book.confirm("HR", OLIVIA, seen_version=1, today=TODAY), Conflict,
         "HR was changed by root"),
        (lambda: book.confirm("NOPE", ANA, today=TODAY), NotFound, "no process has the code"),
    ]
    for call, error, message in refusals:
        with pytest.raises(error, match=message):
            call()
    assert snapshot(requested) == before


def test_completeness_per_unit(requested: Catalogue) -> None:
    requested.update_process("FIN", {"description": "Budget", "change_owner": "CFO",
                                     "process_type": "core"}, None, ROOT)
    requested.reviews.confirm("HR", OLIVIA, today=TODAY)
    table = requested.reviews.completeness(today=DUE + dt.timedelta(days=1))
    assert table.columns.tolist() == COMPLETENESS_COLUMNS
    assert table[["unit", "processes", "requested", "confirmed", "on_time", "overdue"]
                 ].values.tolist() == [["FRMD", 1, 0, 0, 0, 0], ["HRMD", 3, 3, 1, 1, 2]]
    assert table["filled_share"].tolist() == pytest.approx([5 / 13, 1 / 13])


def test_an_admin_links_an_account_to_an_owner_and_unlinks_it(owned: Catalogue) -> None:
    accounts = owned.accounts
    assert accounts.set_owner("olivia", "Nobody, Anywhere", ROOT) == 0
    assert accounts.set_owner("OLIVIA", "", ROOT) == 0
    assert owned.reviews.owner_title(OLIVIA) is None
    listed = accounts.list(ROOT).set_index("username")
    assert listed.loc["olivia", "owner_title"] is None
    changes = owned.audit_log()
    owner_events = changes[(changes["entity"] == "user") & (changes["field"] == "owner_title")]
    assert owner_events["old_value"].fillna("").tolist() == [
        "Nobody, Anywhere", "head, HR Operations", ""]  # newest first; spaces tidied
    before = snapshot(owned)
    with pytest.raises(InvalidInput, match="at most 200"):
        accounts.set_owner("olivia", "x" * 201, ROOT)
    with pytest.raises(NotFound, match="no account is named 'nobody'"):
        accounts.set_owner("nobody", HR_HEAD, ROOT)
    with pytest.raises(PermissionDenied, match="needs the admin role"):
        accounts.set_owner("olivia", HR_HEAD, ANA)
    assert snapshot(owned) == before


# ---------------------------------------------------------------- properties

FIELD_VALUES = st.sampled_from([None, "", "  ", "text"])
PROCESS_ROWS = st.lists(st.tuples(st.sampled_from(["U1", "U2", "U3"]),
                                  st.sampled_from(["draft", "validated", "retired"]),
                                  st.lists(FIELD_VALUES, min_size=len(REVIEWABLE_FIELDS),
                                           max_size=len(REVIEWABLE_FIELDS))),
                        min_size=0, max_size=12)
REQUEST_ROWS = st.lists(st.tuples(st.integers(0, 11), st.booleans(), st.booleans(),
                                  st.integers(-5, 5)), max_size=20)


@settings(max_examples=150, deadline=None)
@given(rows=PROCESS_ROWS, asked=REQUEST_ROWS)
def test_completeness_counts_add_up(rows: list, asked: list) -> None:
    """Whatever the processes and requests: every request of a live process not retired is
    counted once, in its unit; confirmed and open add up to requested; on time is part of
    confirmed and overdue part of the open ones; shares lie between 0 and 1."""
    processes = pd.DataFrame(
        [{"process_id": i, "code": f"P{i}", "name": "n", "unit": unit, "unit_name": unit,
          "lifecycle": life, "version": 1} | dict(zip(REVIEWABLE_FIELDS, values, strict=True))
         for i, (unit, life, values) in enumerate(rows)],
        columns=["process_id", "code", "name", "unit", "unit_name", "lifecycle", "version",
                 *REVIEWABLE_FIELDS])
    requests = pd.DataFrame(
        [{"request_id": n, "process_id": pid, "round": "REV-0001",
          "due": TODAY + dt.timedelta(days=days), "status": "confirmed" if done else
          "requested", "confirmed_by": None, "confirmed_at": None,
          "on_time": (on_time if done else None)}
         for n, (pid, done, on_time, days) in enumerate(asked)],
        columns=["request_id", "process_id", "round", "due", "status", "confirmed_by",
                 "confirmed_at", "on_time"])
    table = completeness_table(processes, requests, TODAY)
    counted = processes[processes["lifecycle"] != "retired"]
    assert table["processes"].sum() == len(counted)
    assert set(table["unit"]) == set(counted["unit"])
    assert table["requested"].sum() == requests["process_id"].isin(counted["process_id"]).sum()
    assert (table["on_time"] <= table["confirmed"]).all()
    assert (table["overdue"] <= table["requested"] - table["confirmed"]).all()
    assert table["filled_share"].between(0, 1).all()


OWNERS = ["Head, A", "Head, B", "Head, C"]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(owners=st.lists(st.sampled_from([*OWNERS, None]), min_size=1, max_size=5),
       mine=st.sampled_from(OWNERS))
def test_an_owner_confirming_everything_touches_only_their_processes(
        owned: Catalogue, owners: list[str | None], mine: str) -> None:
    """An owner who tries to confirm every process of a round, with changes, confirms and
    changes exactly the processes they own; every other process and its request is as it
    was."""
    unit = f"T{len(owned.units())}"
    owned.add_unit({"code": unit, "name": "Test"}, ROOT)
    codes = [f"{unit}-{n}" for n in range(len(owners))]
    for code, owner in zip(codes, owners, strict=True):
        owned.add_process({"code": code, "name": code, "unit": unit, "process_owner": owner},
                          ROOT)
    owned.accounts.set_owner("olivia", mine, ROOT)
    round_code = owned.reviews.request("unit", unit, DUE, ANA, today=TODAY)["code"]
    others = [c for c, o in zip(codes, owners, strict=True) if o != mine]
    before = owned.processes()
    before = before[before["code"].isin(others)]
    for code in codes:
        with contextlib.suppress(PermissionDenied):
            owned.reviews.confirm(code, OLIVIA, {"pain_points": "Checked"}, today=TODAY)
    after = owned.processes()
    pd.testing.assert_frame_equal(after[after["code"].isin(others)].reset_index(drop=True),
                                  before.reset_index(drop=True), check_dtype=False)
    requests = owned.reviews.list_requests(round=round_code, today=TODAY)
    confirmed = set(requests[requests["status"] == "confirmed"]["code"])
    assert confirmed == set(codes) - set(others)
    assert set(after[after["code"].isin(confirmed)]["lifecycle"]) <= {"validated"}
