"""The Cases page (AppTest): staff propose, endorse and follow their cases; analysts triage and
merge them; viewers read and change nothing; a refusal is one readable sentence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import start


@pytest.fixture
def database_url(tmp_path: Path, sqlite_inventory_sample: Path) -> str:
    """This test's own SQLite database with the sample's inventory and none of its cases, so
    the cases here are numbered from CASE-0001."""
    target = tmp_path / "dti.db"
    shutil.copyfile(sqlite_inventory_sample, target)
    return f"sqlite:///{target}"

PAGE = "views/cases.py"
SAM = by("sam", Role.staff)
KIM = by("kim", Role.staff)
ANA = by("ana", Role.analyst)
ARCHIVE = {"title": "Archive meeting documents automatically",
           "problem": "Meeting documents are archived by hand after every meeting",
           "idea": "Archive documents automatically when the meeting closes"}


def cases(database_url: str, monkeypatch: pytest.MonkeyPatch, name: str, role: Role) -> AppTest:
    """The app signed in as ``name`` with ``role``, on the Cases page (through the app's
    navigation, so the links to the Inventory page resolve)."""
    test = start(database_url, monkeypatch, name=name, role=role)
    test.switch_page(PAGE).run()
    assert not test.exception, test.exception
    return test


def seed(database_url: str, *cases: dict[str, str]) -> None:
    catalogue = Catalogue.open(database_url)
    try:
        for case in cases:
            catalogue.cases.add(case, SAM)
    finally:
        catalogue.engine.dispose()


def press(test: AppTest, label: str) -> AppTest:
    next(b for b in test.button if b.label == label).click().run()
    assert not test.exception, test.exception
    return test


def open_case(test: AppTest, code: str) -> AppTest:
    test.selectbox(key="cs_open").set_value(code).run()
    assert not test.exception, test.exception
    return test


def texts(test: AppTest) -> str:
    return " ".join([*(m.value for m in test.markdown), *(c.value for c in test.caption),
                     *(h.value for h in test.subheader),
                     *(e.value for e in test.error), *(s.value for s in test.success),
                     *(w.value for w in test.warning)])


def my_cases(test: AppTest) -> list[str]:
    """Each case under My cases as "code · title: status", the latest changed first."""
    listed = [m.value for m in test.markdown if m.value.startswith("**CASE-")]
    badges = [m.value for m in test.markdown if "-badge[" in m.value]
    return [f"{case}: {badge.split('[')[1].rstrip(']')}"
            for case, badge in zip(listed, badges, strict=True)]


def test_a_case_goes_from_its_proposer_to_an_endorser_to_an_analyst_and_back(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    seed(database_url, {"title": "Book meeting rooms online", "problem": "Rooms are booked "
                        "by telephone and email", "idea": "One booking calendar"})
    test = cases(database_url, monkeypatch, "sam", Role.staff)
    test.text_input(key="cs_add:title").input(ARCHIVE["title"])
    test.text_area(key="cs_add:problem").input(ARCHIVE["problem"])
    test.text_area(key="cs_add:idea").input(ARCHIVE["idea"])
    test.multiselect(key="cs_add:processes").select("HR-REC")
    test.text_input(key="cs_add:new_processes").input("Document archiving")
    press(test, "Propose case")
    assert "Proposed CASE-0002" in texts(test)
    assert my_cases(test)[0] == "**CASE-0002** · Archive meeting documents automatically: New"
    assert reader.cases.get("CASE-0002")["processes"] == "HR-REC; new: Document archiving"

    test = open_case(cases(database_url, monkeypatch, "kim", Role.staff), "CASE-0002")
    press(test, "Endorse")
    assert "You endorsed CASE-0002." in texts(test)
    assert "You endorsed this case." in texts(test)  # the button is now disabled, and says why
    assert next(b for b in test.button if b.label == "Endorse").disabled

    test = open_case(cases(database_url, monkeypatch, "ana", Role.analyst), "CASE-0002")
    test.selectbox(key="cs_triage:CASE-0002:1:status").set_value("accepted")
    test.text_input(key="cs_triage:CASE-0002:1:reason").input("Part of the records work")
    test.multiselect(key="cs_triage:CASE-0002:1:processes").unselect("HR-REC").select("FIN-TRV")
    press(test, "Save triage")
    assert "CASE-0002 is accepted." in texts(test)
    assert reader.cases.get("CASE-0002")["processes"] == "new: Document archiving; FIN-TRV"

    test = cases(database_url, monkeypatch, "sam", Role.staff)
    assert my_cases(test) == [
        "**CASE-0002** · Archive meeting documents automatically: Accepted",
        "**CASE-0001** · Book meeting rooms online: New"]
    assert any(c.value.startswith("Part of the records work · 1 endorsement(s)")
               for c in test.caption)
    open_case(test, "CASE-0002")
    assert "This is your own case" in texts(test)
    assert next(b for b in test.button if b.label == "Endorse").disabled


def test_a_viewer_reads_the_cases_and_is_offered_no_form(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(database_url, ARCHIVE)
    test = open_case(cases(database_url, monkeypatch, "vic", Role.viewer), "CASE-0001")
    assert [tab.label for tab in test.tabs] == ["Cases"]
    assert not {"Propose case", "Endorse", "Comment", "Save triage", "Merge"} & \
        {b.label for b in test.button}
    assert "Archive meeting documents automatically" in texts(test)
    assert next(m.value for m in test.metric if m.label == "New") == "1"


def test_staff_see_possible_duplicates_before_proposing(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    seed(database_url, ARCHIVE)
    test = cases(database_url, monkeypatch, "kim", Role.staff)
    test.text_input(key="cs_add:title").input("Archive the meeting documents")
    test.text_area(key="cs_add:problem").input("Documents of every meeting are archived by hand")
    press(test, "Look for similar cases")
    assert "1 open case(s) worded alike" in texts(test)
    assert reader.cases.list_cases()["code"].tolist() == ["CASE-0001"]  # nothing proposed


def test_declining_without_a_reason_is_refused_in_one_sentence(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    seed(database_url, ARCHIVE)
    test = open_case(cases(database_url, monkeypatch, "ana", Role.analyst), "CASE-0001")
    test.selectbox(key="cs_triage:CASE-0001:1:status").set_value("declined")
    press(test, "Save triage")
    assert [e.value for e in test.error] == [
        "Not saved: a declined case needs the reason, for its proposer"]
    assert reader.cases.get("CASE-0001")["status"] == "new"


def test_a_triage_after_someone_elses_names_who_changed_the_case(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    seed(database_url, ARCHIVE)
    test = open_case(cases(database_url, monkeypatch, "ana", Role.analyst), "CASE-0001")
    reader.cases.triage("CASE-0001", "under_review", by("bo", Role.analyst))
    test.selectbox(key="cs_triage:CASE-0001:1:status").set_value("accepted")
    press(test, "Save triage")
    assert "CASE-0001 was changed by bo" in " ".join(e.value for e in test.error)
    assert reader.cases.get("CASE-0001")["status"] == "under_review"


def test_a_merge_carries_the_endorsements_over_to_the_target(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(database_url, ARCHIVE, ARCHIVE | {"title": "Archive documents"})
    catalogue = Catalogue.open(database_url)
    catalogue.cases.endorse("CASE-0002", KIM)
    catalogue.engine.dispose()
    test = cases(database_url, monkeypatch, "ana", Role.analyst)
    test.multiselect(key="cs_merge:codes").select("CASE-0002").run()
    test.selectbox(key="cs_merge:into").set_value("CASE-0001")
    test.checkbox(key="cs_merge:confirm").check().run()
    press(test, "Merge")
    assert "Merged CASE-0002 into CASE-0001." in texts(test)
    assert "kim" in [c.value for c in test.caption]  # CASE-0001 is open: endorsed by kim
    assert next(m.value for m in test.metric if m.label == "Merged") == "1"


def test_a_case_proposed_elsewhere_shows_at_the_next_rerun(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The list is shared by revision: another app process's proposal is not hidden by it."""
    test = cases(database_url, monkeypatch, "vic", Role.viewer)
    assert next(m.value for m in test.metric if m.label == "Cases") == "0"
    seed(database_url, ARCHIVE)
    test.run()
    assert next(m.value for m in test.metric if m.label == "Cases") == "1"
    assert test.selectbox(key="cs_open").options == [
        "CASE-0001 · Archive meeting documents automatically (New)"]


def test_an_analyst_records_the_draft_process_and_the_assessment_an_accepted_case_leads_to(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    seed(database_url, ARCHIVE | {"processes": ["HR-REC", "new: Document archiving"]})
    test = open_case(cases(database_url, monkeypatch, "ana", Role.analyst), "CASE-0001")
    assert "Record the draft process" not in {b.label for b in test.button}  # not accepted yet
    reader.cases.triage("CASE-0001", "accepted", ANA)
    test = open_case(cases(database_url, monkeypatch, "ana", Role.analyst), "CASE-0001")
    test.text_input(key="cs_np_code:CASE-0001").input("DOC-ARC-9")
    press(test, "Record the draft process")
    assert [e.value for e in test.error] == [
        "Not saved: Process DOC-ARC-9: unit: is required (it is empty)"]
    test.selectbox(key="cs_np_unit:CASE-0001").set_value("SGO")
    press(test, "Record the draft process")
    assert "Recorded DOC-ARC-9 (Document archiving) as a draft from CASE-0001." in texts(test)
    assert reader.process("DOC-ARC-9").record["lifecycle"] == "draft"
    assert reader.cases.get("CASE-0001")["processes"] == "HR-REC; DOC-ARC-9"

    test.selectbox(key="cs_as_process:CASE-0001").set_value("DOC-ARC-9")
    test.selectbox(key="cs_as:CASE-0001:operational_efficiency").set_value(4.0)
    press(test, "Save the assessment")
    assert "Rated DOC-ARC-9 from CASE-0001: operational_efficiency 4." in texts(test)
    rated = reader.assessments(process_code="DOC-ARC-9")
    assert rated[["criterion_key", "value", "rater"]].values.tolist() == [
        ["operational_efficiency", 4.0, "ana"]]

    test = open_case(cases(database_url, monkeypatch, "lee", Role.leadership), "CASE-0001")
    assert not {"Record the draft process", "Save the assessment"} & \
        {b.label for b in test.button}
