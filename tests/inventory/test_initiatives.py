"""The roadmap's records through the service: initiatives, links, deliverables, notes, and
rationalisation with lineage (combine, split, propose), on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.access import Role
from inventory.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inventory.services import Catalogue
from tests.support import by, snapshot

LEAD = by("lee", Role.leadership)
ANALYST = by("ana", Role.analyst)


@pytest.fixture
def roadmap(small_catalogue: Catalogue) -> Catalogue:
    """Two initiatives on the small catalogue: EVT (HR-REC, a KPI, two deliverables) and WEB
    (FIN, one deliverable D1 like EVT's, an open obstacle)."""
    c = small_catalogue
    c.add_kpi({"process_code": "HR-REC", "name": "Days to hire", "direction": "lower"},
              by("ana"))
    book = c.initiatives
    book.add({"code": "EVT", "name": "Event modernisation", "pillar": "members_and_partners",
              "priority_area": "member experience", "processes": ["hr-rec"],
              "kpis": ["HR-REC: days to hire"], "budget_chf": 100_000, "staff_pm": 6,
              "unit": "HRMD", "status": "ongoing"}, LEAD)
    book.add({"code": "WEB", "name": "Website and members zone", "processes": "FIN",
              "priority_area": "member_experience", "budget_chf": 50_000}, LEAD)
    book.add_deliverable({"initiative_code": "EVT", "milestone": "C26", "text": "Pilot",
                          "objective": "Pilot new events system"}, ANALYST)
    book.add_deliverable({"initiative_code": "EVT", "milestone": "PP-26", "text": "Apply",
                          "objective": "Pilot new events system", "status": "at risk"}, ANALYST)
    book.add_deliverable({"initiative_code": "WEB", "milestone": "PP-26",
                          "text": "First version in six languages"}, ANALYST)
    book.add_update({"initiative_code": "WEB", "kind": "obstacle", "note": "No vendor yet",
                     "noted_on": "2026-02-01"}, ANALYST)
    return c


def test_an_initiative_keeps_its_fields_links_and_deliverables(roadmap: Catalogue) -> None:
    record = roadmap.initiatives.get("evt")
    assert record["code"] == "EVT" and record["priority_area"] == "member_experience"
    assert record["processes"] == "HR-REC" and record["kpis"] == "HR-REC: Days to hire"
    assert record["unit"] == "HRMD" and record["budget_chf"] == 100_000
    assert [(d["ref"], d["milestone"], d["status"]) for d in record["deliverables"]] == [
        ("D1", "C26", "on_track"), ("D2", "PP-26", "at_risk")]
    assert roadmap.initiatives.of_process("HR-REC")["code"].tolist() == ["EVT"]


@pytest.mark.parametrize(("data", "message"), [
    ({"code": "X", "name": "x", "status": "revised"}, "revised initiative needs a status_reason"),
    ({"code": "X", "name": "x", "processes": ["NOPE"]}, "no live process has the code 'NOPE'"),
    ({"code": "X", "name": "x", "kpis": ["HR-REC: Unknown"]}, "no KPI 'Unknown'"),
    ({"code": "X", "name": "x", "kpis": ["no colon"]}, "does not name a KPI"),
    ({"code": "X", "name": "x", "unit": "NOPE"}, "no unit has the code 'NOPE'"),
    ({"code": "evt", "name": "x"}, "already exists"),
    ({"code": "X", "name": "x", "start_date": "2026-05-01", "end_date": "2026-01-01"},
     "end_date 2026-01-01 is before start_date"),
    ({"code": "X", "name": "x", "status": "halfway"}, "'halfway' is not one of"),
])
def test_bad_initiatives_are_refused_and_change_nothing(roadmap: Catalogue, data: dict,
                                                        message: str) -> None:
    before = snapshot(roadmap)
    with pytest.raises((InvalidInput, NotFound, Conflict), match=message):
        roadmap.initiatives.add(data, LEAD)
    assert snapshot(roadmap) == before


def test_a_stale_edit_names_who_changed_what_and_saves_nothing(roadmap: Catalogue) -> None:
    book = roadmap.initiatives
    seen = book.get("EVT")["version"]
    book.update("EVT", {"name": "Events"}, seen, by("kim", Role.leadership))
    before = snapshot(roadmap)
    with pytest.raises(Conflict, match=r"changed by kim at .* \(name\)"):
        book.update("EVT", {"status": "completed"}, seen, LEAD)
    assert snapshot(roadmap) == before


def test_links_are_a_field_of_the_initiative_audited_and_versioned(roadmap: Catalogue) -> None:
    book = roadmap.initiatives
    version = book.get("EVT")["version"]
    after = book.link("EVT", LEAD, processes=["FIN"], unlink_processes=["HR-REC"])
    assert after["processes"] == "FIN" and after["version"] == version + 1
    event = book.history("EVT").iloc[0]
    assert (event["field"], event["old_value"], event["new_value"]) == (
        "processes", "HR-REC", "FIN")
    roadmap.delete_process("FIN", by("ana"))
    assert book.get("EVT")["processes"] is None  # a deleted process is no longer listed


def test_roles_decide_and_track_as_the_matrix_says(roadmap: Catalogue) -> None:
    with pytest.raises(PermissionDenied, match="needs the leadership or admin role"):
        roadmap.initiatives.add({"code": "X", "name": "x"}, ANALYST)
    roadmap.initiatives.update_deliverable("EVT", "D1", {"status": "done"}, None, ANALYST)
    with pytest.raises(PermissionDenied):
        roadmap.initiatives.add_update({"initiative_code": "EVT", "note": "n"},
                                       by("vi", Role.viewer))


def test_combining_carries_processes_deliverables_and_budget_and_keeps_lineage(
        roadmap: Catalogue) -> None:
    book = roadmap.initiatives
    result = book.combine(["EVT", "WEB"], "MX", LEAD, new={"name": "Member experience"})
    assert result["processes"] == "FIN; HR-REC" and result["kpis"] == "HR-REC: Days to hire"
    assert result["budget_chf"] == 150_000 and result["pillar"] == "members_and_partners"
    assert sorted(d["ref"] for d in result["deliverables"]) == ["D1", "D2", "WEB-D1"]
    for code in ("EVT", "WEB"):
        absorbed = book.get(code)
        assert (absorbed["status"], absorbed["status_reason"], absorbed["combined_into"],
                absorbed["lineage"]) == ("revised", "combined into MX", "MX", "combined")
        assert absorbed["deliverables"] == []
    assert book.lineage("MX")["absorbed"] == ["EVT", "WEB"]
    assert book.get("WEB")["updates"][0]["note"] == "No vendor yet"  # its history stays
    moved = book.history("MX")
    assert {"initiative", "ref"} <= set(moved["field"].dropna())
    with pytest.raises(Conflict, match="EVT was already combined into another"):
        book.combine(["EVT"], "MX", LEAD)


def test_splitting_makes_parts_that_take_the_deliverables_named(roadmap: Catalogue) -> None:
    book = roadmap.initiatives
    parts = book.split("EVT", [{"code": "EVT-PILOT", "name": "Pilot", "deliverables": ["D1"]},
                               {"code": "EVT-APP", "name": "Event app", "deliverables": ["d2"],
                                "processes": []}], LEAD)
    assert parts == ["EVT-PILOT", "EVT-APP"]
    pilot, app = book.get("EVT-PILOT"), book.get("EVT-APP")
    assert pilot["split_from"] == "EVT" and pilot["processes"] == "HR-REC"
    assert pilot["pillar"] == "members_and_partners" and pilot["status"] == "ongoing"
    assert [d["ref"] for d in pilot["deliverables"]] == ["D1"]
    assert [d["ref"] for d in app["deliverables"]] == ["D2"] and app["processes"] is None
    whole = book.get("EVT")
    assert (whole["status"], whole["status_reason"], whole["lineage"]) == (
        "revised", "split into EVT-PILOT, EVT-APP", "split")
    assert book.lineage("EVT")["split_into"] == ["EVT-APP", "EVT-PILOT"]


@pytest.mark.parametrize(("parts", "message"), [
    ([{"code": "A", "name": "A"}], "at least two parts"),
    ([{"code": "A", "name": "A", "deliverables": ["D9"]}, {"code": "B", "name": "B"}],
     "has no deliverable 'D9'"),
    ([{"code": "A", "name": "A", "deliverables": ["D1"]},
      {"code": "B", "name": "B", "deliverables": ["D1"]}], "given to both A and B"),
    ([{"code": "A", "name": "A", "processes": ["FIN"]}, {"code": "B", "name": "B"}],
     "names processes EVT does not transform: FIN"),
    ([{"code": "WEB", "name": "A"}, {"code": "B", "name": "B"}], "already exists"),
])
def test_a_bad_split_is_refused_and_changes_nothing(roadmap: Catalogue, parts: list,
                                                    message: str) -> None:
    before = snapshot(roadmap)
    with pytest.raises((InvalidInput, NotFound, Conflict), match=message):
        roadmap.initiatives.split("EVT", parts, LEAD)
    assert snapshot(roadmap) == before


def test_proposals_from_the_backlog_carry_the_process_and_the_snapshot(
        roadmap: Catalogue) -> None:
    roadmap.update_process("HR-REC", {"estimated_cost_chf": 20_000, "pillar": "governance",
                                      "change_owner": "Chief, HRMD"}, None, by("ana"))
    roadmap.scenarios.add("Default", {"method": "wsm"}, LEAD)
    taken = roadmap.scenarios.snapshot("Default", "decided", {"results": []}, LEAD)
    book = roadmap.initiatives
    made = book.propose(["hr-rec", "FIN"], LEAD, snapshot_id=taken["id"])
    assert made == ["INI-HR-REC", "INI-FIN"]
    one = book.get("INI-HR-REC")
    assert (one["name"], one["pillar"], one["business_owner"], one["budget_chf"],
            one["kpis"], one["snapshot_id"], one["status"]) == (
        "Transform Recruitment", "governance", "Chief, HRMD", 20_000, "HR-REC: Days to hire",
        taken["id"], "planned")
    again = book.propose(["HR-REC"], LEAD)
    assert again == ["INI-HR-REC-2"]
    grouped = book.propose(["HR-REC", "FIN"], LEAD, group={"code": "PEOPLE", "name": "People"})
    assert book.get(grouped[0])["processes"] == "FIN; HR-REC"
    with pytest.raises(InvalidInput, match="no live process has the code NOPE"):
        book.propose(["NOPE"], LEAD)


def test_obstacles_stay_open_until_resolved(roadmap: Catalogue) -> None:
    book = roadmap.initiatives
    note = book.updates(open_only=True).iloc[0]
    assert note["note"] == "No vendor yet"
    book.resolve_update(int(note["id"]), ANALYST)
    assert book.updates(open_only=True).empty
    with pytest.raises(InvalidInput, match="already resolved by ana"):
        book.resolve_update(int(note["id"]), ANALYST)


def test_the_dashboard_counts_lists_and_filters(roadmap: Catalogue) -> None:
    book = roadmap.initiatives
    board = book.dashboard(dt.date(2026, 3, 1))
    assert board.totals == {"completed": 0, "ongoing": 1, "planned": 1, "revised": 0,
                            "total": 2}
    assert board.by_priority_area.loc["Enhancing member experience", "total"] == 2
    annex = board.annex.set_index("code")
    assert annex.loc["EVT", "c26"] == "Pilot" and annex.loc["EVT", "pp26_status"] == "at_risk"
    assert board.next_milestone == ("C26", dt.date(2026, 6, 30))
    assert board.due["ref"].tolist() == ["D1"]
    assert board.obstacles["initiative_code"].tolist() == ["WEB"]
    assert board.without_anchor["code"].tolist() == ["WEB"]  # it moves no KPI
    late = book.dashboard(dt.date(2026, 12, 4))  # both milestones passed: what is overdue
    assert late.next_milestone is None and late.due["overdue"].all()
    assert set(late.due["ref"]) == {"D1", "D2"}
    only = book.dashboard(dt.date(2026, 3, 1), status="planned")
    assert only.initiatives["code"].tolist() == ["WEB"]
    with pytest.raises(InvalidInput, match="unknown filter colour"):
        book.dashboard(colour="red")


def test_the_count_over_time_follows_rationalisation(roadmap: Catalogue) -> None:
    book = roadmap.initiatives
    book.add({"code": "CRM", "name": "CRM"}, LEAD)
    book.combine(["EVT", "WEB"], "CRM", LEAD)
    book.split("CRM", [{"code": "C1", "name": "One"}, {"code": "C2", "name": "Two"}], LEAD)
    book.delete("C2", LEAD)
    book.restore("C2", by("root"))
    timeline = book.count_over_time()
    assert timeline["count"].tolist() == [1, 2, 3, 2, 1, 2, 3, 2, 1, 2]
    assert timeline["event"].tolist()[3:] == ["combined", "combined", "create", "create",
                                              "split", "delete", "restore"]
    live = book.initiatives()
    assert timeline["count"].iloc[-1] == int(live["lineage"].isna().sum())


OPERATIONS = st.lists(st.tuples(st.sampled_from(["add", "combine", "split", "delete",
                                                  "restore", "deliver"]),
                                st.integers(0, 7), st.integers(0, 7)), min_size=1, max_size=10)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_rationalisation_loses_nothing_and_the_count_over_time_adds_up(
        small_catalogue: Catalogue, operations: list[tuple[str, int, int]]) -> None:
    """Whatever the sequence of additions, combinations, splits, deletions and restorations:
    no live deliverable is lost, every combined initiative's processes are its target's, the
    dashboard counts every live initiative once, and the count over time ends at the number
    on the roadmap, each step moving it by its change."""
    book = small_catalogue.initiatives
    prefix = f"T{len(book.initiatives(include_deleted=True))}-"
    processes = ["HR", "HR-REC", "HR-REC-01", "FIN"]
    for kind, first, second in operations:
        codes = [f"{prefix}{n}" for n in range(8)]
        try:
            if kind == "add":
                book.add({"code": codes[first], "name": "N",
                          "processes": processes[: second % 4 + 1]}, LEAD)
            elif kind == "combine":
                book.combine([codes[first]], codes[second], LEAD)
            elif kind == "split":
                book.split(codes[first], [{"code": f"{codes[first]}a{second}", "name": "A",
                                           "deliverables": ["D1"]},
                                          {"code": f"{codes[first]}b{second}", "name": "B"}],
                           LEAD)
            elif kind == "delete":
                book.delete(codes[first], LEAD)
            elif kind == "restore":
                book.restore(codes[first], by("root"))
            else:
                book.add_deliverable({"initiative_code": codes[first], "milestone": "C26",
                                      "text": "t"}, LEAD)
        except (InvalidInput, NotFound, Conflict):
            pass  # refused: nothing changed, as the other tests check
    everything = book.initiatives(include_deleted=True).set_index("code")
    live = everything[everything["deleted_at"].isna()]
    deliverables = book.deliverables(include_deleted=True)
    owners = deliverables.loc[deliverables["deleted_at"].isna(), "initiative_code"]
    assert set(owners) <= set(everything.index)
    assert not everything.loc[owners, "lineage"].isin(["combined"]).any()
    for code, row in live[live["lineage"] == "combined"].iterrows():
        target = everything.loc[row["combined_into"]]
        assert set((row["processes"] or "").split("; ")) - {""} <= \
            set((target["processes"] or "").split("; ")), code
    assert book.dashboard(dt.date(2026, 3, 1)).totals["total"] == len(live)
    timeline = book.count_over_time()
    assert timeline["count"].iloc[-1] == int(live["lineage"].isna().sum())
    steps = timeline["count"].diff().fillna(timeline["count"].iloc[0])
    assert (steps == timeline["change"]).all()
