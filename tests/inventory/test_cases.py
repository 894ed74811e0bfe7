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
