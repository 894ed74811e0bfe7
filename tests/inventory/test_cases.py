"""Cases for change through the service, on both databases: staff propose, anyone endorses
once and comments, analysts triage and merge, refusals change nothing."""

from __future__ import annotations

import pytest

from inventory.access import Role
from inventory.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inventory.services import Catalogue
from tests.support import by, snapshot

SAM = by("sam", Role.staff)
KIM = by("kim", Role.staff)
ANA = by("ana", Role.analyst)

ARCHIVE = {"title": "Archive meeting documents automatically",
           "problem": "Meeting documents are archived by hand after every meeting",
           "idea": "Archive documents automatically when the meeting closes",
           "processes": ["HR-REC", "new: Document archiving"], "effort": "m",
           "priority_area": "operational efficiency", "links": "https://example.org/idea"}


@pytest.fixture
def proposed(small_catalogue: Catalogue) -> Catalogue:
    small_catalogue.cases.add(ARCHIVE, SAM)
    return small_catalogue


def test_a_member_of_staff_proposes_a_case_that_starts_new(proposed: Catalogue) -> None:
    case = proposed.cases.get("case-0001")
    assert (case["code"], case["status"], case["proposed_by"], case["effort"],
            case["priority_area"]) == ("CASE-0001", "new", "sam", "medium",
                                       "operational_efficiency")
    assert case["processes"] == "HR-REC; new: Document archiving"
    assert proposed.cases.list_cases(proposed_by="SAM")["code"].tolist() == ["CASE-0001"]
    assert proposed.cases.list_cases(process="hr-rec")["code"].tolist() == ["CASE-0001"]


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "x", "problem": "p"}, "idea: is required"),
    (ARCHIVE | {"processes": ["NOPE"]}, "no process has the code 'NOPE'.*new: NOPE"),
    (ARCHIVE | {"links": "shared drive"}, "is not a link"),
    (ARCHIVE | {"effort": "huge"}, "'huge' is not one of"),
    (ARCHIVE | {"processes": ["new:"]}, "names no process"),
])
def test_bad_cases_are_refused_and_change_nothing(proposed: Catalogue, data: dict,
                                                  message: str) -> None:
    before = snapshot(proposed)
    with pytest.raises((InvalidInput, NotFound), match=message):
        proposed.cases.add(data, SAM)
    assert snapshot(proposed) == before


def test_anyone_endorses_once_but_not_their_own_case(proposed: Catalogue) -> None:
    book = proposed.cases
    assert book.endorse("CASE-0001", KIM)["endorsements"] == 1
    with pytest.raises(Conflict, match="already endorsed CASE-0001"):
        book.endorse("CASE-0001", by("KIM", Role.staff))
    with pytest.raises(InvalidInput, match="your own case"):
        book.endorse("CASE-0001", SAM)
    with pytest.raises(PermissionDenied,
                       match="needs the staff or analyst or leadership or admin role"):
        book.endorse("CASE-0001", by("vic", Role.viewer))
    book.comment("CASE-0001", "Same pain in our unit", ANA)
    case = book.get("CASE-0001")
    assert case["endorsed_by"] == "kim" and case["comments"] == 1
    assert case["comments_list"][0]["created_by"] == "ana"


def test_analysts_triage_declining_needs_a_reason(proposed: Catalogue) -> None:
    book = proposed.cases
    with pytest.raises(PermissionDenied):
        book.triage("CASE-0001", "accepted", KIM)
    with pytest.raises(InvalidInput, match="needs the reason"):
        book.triage("CASE-0001", "declined", ANA)
    accepted = book.triage("CASE-0001", "accepted", ANA, processes=["FIN"])
    assert (accepted["status"], accepted["processes"]) == ("accepted", "FIN")
    declined = book.triage("CASE-0001", "declined", ANA, reason="Covered by the new ERP")
    assert (declined["status"], declined["status_reason"]) == ("declined",
                                                               "Covered by the new ERP")
    history = book.history("CASE-0001")
    assert {"status", "processes", "status_reason"} <= set(history["field"].dropna())


def test_a_case_is_handed_over_to_an_initiative(proposed: Catalogue) -> None:
    proposed.initiatives.add({"code": "DOCS", "name": "Document management"},
                             by("lee", Role.leadership))
    with pytest.raises(NotFound, match="no initiative has the code 'NOPE'"):
        proposed.cases.triage("CASE-0001", "handed over", ANA, initiative="NOPE")
    case = proposed.cases.triage("CASE-0001", "handed over", ANA, initiative="docs")
    assert (case["status"], case["initiative"]) == ("handed_over", "DOCS")


def test_merging_carries_endorsements_and_comments_over(proposed: Catalogue) -> None:
    book = proposed.cases
    book.add(ARCHIVE | {"title": "Automatic archiving of meeting records"}, KIM)
    book.endorse("CASE-0001", KIM)
    book.endorse("CASE-0002", SAM)
    book.endorse("CASE-0002", by("lou", Role.staff))
    book.comment("CASE-0002", "Also for workshops", KIM)
    similar = book.similar("Archive the meeting documents automatically",
                           exclude="CASE-0001")
    assert similar["code"].tolist() == ["CASE-0002"]
    target = book.merge(["CASE-0002"], "CASE-0001", ANA)
    assert target["endorsed_by"] == "kim; lou"  # sam proposed the target: not carried
    assert target["comments"] == 1
    merged = book.get("CASE-0002")
    assert (merged["status"], merged["merged_into"], merged["endorsements"]) == (
        "merged", "CASE-0001", 1)
    with pytest.raises(Conflict, match="already merged into CASE-0001"):
        book.merge(["CASE-0002"], "CASE-0001", ANA)
    with pytest.raises(InvalidInput, match="endorse CASE-0001 instead"):
        book.endorse("CASE-0002", by("zoe", Role.staff))
    assert book.similar(ARCHIVE["title"], exclude="CASE-0001").empty  # merged: not offered


@pytest.fixture
def accepted(proposed: Catalogue) -> Catalogue:
    """CASE-0001 accepted (HR-REC and the new 'Document archiving'), endorsed by kim and lou."""
    proposed.cases.endorse("CASE-0001", KIM)
    proposed.cases.endorse("CASE-0001", by("lou", Role.staff))
    proposed.cases.triage("CASE-0001", "accepted", ANA)
    return proposed


def test_staff_demand_counts_the_endorsers_of_accepted_cases_per_process(
        accepted: Catalogue) -> None:
    book = accepted.cases
    book.add(ARCHIVE | {"title": "Recruit faster", "processes": ["HR-REC", "FIN"]}, KIM)
    book.endorse("CASE-0002", SAM)
    book.endorse("CASE-0002", by("LOU", Role.staff))  # lou backs both: counted once on HR-REC
    assert book.demand().to_dict("index") == {"HR-REC": {"endorsements": 2, "cases": 1}}
    book.triage("CASE-0002", "accepted", ANA)
    assert book.demand().to_dict("index") == {
        "FIN": {"endorsements": 2, "cases": 1}, "HR-REC": {"endorsements": 3, "cases": 2}}
    book.triage("CASE-0001", "declined", ANA, reason="Out of scope this biennium")
    assert book.demand().loc["HR-REC", "cases"] == 1


def test_an_accepted_case_records_the_process_it_names_as_a_draft(accepted: Catalogue) -> None:
    process = accepted.process_from_case("CASE-0001", {"code": "DOC-ARC", "unit": "HRMD"}, ANA)
    assert (process["name"], process["lifecycle"], process["description"],
            process["pain_points"], process["priority_area"]) == (
        "Document archiving", "draft", ARCHIVE["idea"], ARCHIVE["problem"],
        "operational_efficiency")
    case = accepted.cases.get("CASE-0001")
    assert case["processes"] == "HR-REC; DOC-ARC"
    change = accepted.cases.history("CASE-0001").iloc[0]
    assert (change["field"], change["old_value"], change["new_value"], change["actor"]) == (
        "processes", "HR-REC; new: Document archiving", "HR-REC; DOC-ARC", "ana")
    with pytest.raises(InvalidInput, match="names no process missing from the inventory"):
        accepted.process_from_case("CASE-0001", {"code": "DOC-ARC2", "unit": "HRMD"}, ANA)


@pytest.mark.parametrize(("case", "data", "actor", "error", "message"), [
    ("CASE-0002", {"code": "NEW-1", "unit": "HRMD"}, ANA, InvalidInput, "is new; accept it"),
    ("CASE-0001", {"code": "HR-REC", "unit": "HRMD"}, ANA, Conflict, "already exists"),
    ("CASE-0001", {"code": "NEW-1", "unit": "NOPE"}, ANA, NotFound, "NOPE"),
    ("CASE-0001", {"code": "NEW-1", "unit": "HRMD"}, by("lee", Role.leadership),
     PermissionDenied, "edit units, processes"),
    ("CASE-0001", {"code": "NEW-1", "unit": "HRMD"}, SAM, PermissionDenied, "sam"),
])
def test_recording_a_process_from_a_case_is_refused_whole(
        accepted: Catalogue, case: str, data: dict, actor: object, error: type[Exception],
        message: str) -> None:
    accepted.cases.add(ARCHIVE | {"title": "Still new"}, KIM)
    before = snapshot(accepted)
    with pytest.raises(error, match=message):
        accepted.process_from_case(case, data, actor)  # type: ignore[arg-type]
    assert snapshot(accepted) == before


def test_an_accepted_case_feeds_an_assessment_with_the_case_as_rationale(
        accepted: Catalogue) -> None:
    stored = accepted.assess_from_case("CASE-0001", "hr-rec", {"operational_efficiency": 4,
                                                               "complexity": 2}, ANA)
    assert [(r["process_code"], r["criterion_key"], r["value"], r["rater"]) for r in stored] == [
        ("HR-REC", "operational_efficiency", 4, "ana"), ("HR-REC", "complexity", 2, "ana")]
    assert {r["rationale"] for r in stored} == {f"From CASE-0001: {ARCHIVE['title']}"}
    again = accepted.assess_from_case("CASE-0001", "HR-REC", {"operational_efficiency": 5}, ANA)
    assert again[0]["id"] == stored[0]["id"] and again[0]["value"] == 5  # replaced, not added
    before = snapshot(accepted)
    for process, values, message in (
            ("FIN", {"complexity": 3}, "does not concern FIN"),
            ("HR-REC", {"complexity": 3, "operational_efficiency": 9}, "from 1 to 5"),
            ("HR-REC", {"volume": 3}, "not rated by people"),
            ("HR-REC", {}, "at least one criterion")):
        with pytest.raises(InvalidInput, match=message):
            accepted.assess_from_case("CASE-0001", process, values, ANA)
    with pytest.raises(PermissionDenied, match="record assessments"):
        accepted.assess_from_case("CASE-0001", "HR-REC", {"complexity": 3}, SAM)
    assert snapshot(accepted) == before
