"""The Roadmap page (AppTest): every role reads the dashboard, the annex and one initiative;
leadership adds and combines initiatives; analysts track delivery but decide no initiative;
viewers change nothing; a refused or stale edit is one readable sentence."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from inventory import results
from inventory.access import Role
from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import start

PAGE = "views/roadmap.py"
LEAD = by("lea", Role.leadership)


def seed(database_url: str) -> None:
    """Three initiatives (one anchored, with deliverables), an open obstacle; the sample's
    own roadmap deleted first, so the counts are these."""
    catalogue = Catalogue.open(database_url)
    book = catalogue.initiatives
    try:
        for code in book.initiatives()["code"]:
            book.delete(code, LEAD)
        book.add({"code": "INI-EVT", "name": "Events platform", "pillar": "governance",
                  "priority_area": "operational_efficiency", "status": "ongoing",
                  "processes": ["HR-REC"]}, LEAD)
        book.add({"code": "INI-MTG", "name": "Meeting rooms", "status": "planned",
                  "priority_area": "operational_efficiency"}, LEAD)
        book.add({"code": "INI-DOC", "name": "Document flow", "status": "completed",
                  "priority_area": "member_experience"}, LEAD)
        book.add_deliverable({"initiative_code": "INI-EVT", "objective": "Pilot new events "
                              "system", "milestone": "C26", "text": "Pilot run",
                              "status": "at_risk"}, LEAD)
        book.add_deliverable({"initiative_code": "INI-EVT", "objective": "Pilot new events "
                              "system", "milestone": "PP-26", "text": "Rolled out"}, LEAD)
        book.add_update({"initiative_code": "INI-MTG", "kind": "decision_needed",
                         "note": "Choose the booking tool"}, LEAD)
    finally:
        catalogue.engine.dispose()


def roadmap(database_url: str, monkeypatch: pytest.MonkeyPatch, role: Role,
            name: str = "reader") -> AppTest:
    """The app signed in as ``name`` with ``role``, on the Roadmap page (through the app's
    navigation, so the links to the Inventory page resolve)."""
    test = start(database_url, monkeypatch, name=name, role=role)
    test.switch_page(PAGE).run()
    assert not test.exception, test.exception
    return test


def metric(test: AppTest, title: str) -> int:
    return int(next(m.value for m in test.metric if m.label == title))


def texts(test: AppTest) -> str:
    return " ".join([*(m.value for m in test.markdown), *(c.value for c in test.caption),
                     *(e.value for e in test.error), *(s.value for s in test.success)])


def open_initiative(test: AppTest, code: str) -> AppTest:
    test.selectbox(key="rm_open").set_value(code).run()
    assert not test.exception, test.exception
    return test


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_every_role_reads_the_dashboard_annex_and_an_initiative(
        database_url: str, monkeypatch: pytest.MonkeyPatch, role: Role) -> None:
    seed(database_url)
    test = roadmap(database_url, monkeypatch, role)
    assert (metric(test, "Initiatives"), metric(test, "Ongoing"), metric(test, "Planned"),
            metric(test, "Completed"), metric(test, "Revised")) == (3, 1, 1, 1, 0)
    annex = test.table[0].value
    assert "Pilot run" in " ".join(annex.astype(str).to_numpy().ravel())
    assert "Choose the booking tool" in texts(test)
    open_initiative(test, "INI-EVT")
    assert "Events platform" in " ".join(h.value for h in test.subheader)


def button(test: AppTest, label: str) -> Any:
    return next(b for b in test.button if b.label == label)


def labels(test: AppTest) -> set[str]:
    return {b.label for b in test.button}


def test_leadership_adds_an_initiative_and_combines_two(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    seed(database_url)
    test = roadmap(database_url, monkeypatch, Role.leadership, "lea")
    test.text_input(key="rm_add:code").input("INI-NEW")
    test.text_input(key="rm_add:name").input("Travel self-service")
    test.multiselect(key="rm_add:processes").set_value(["FIN-TRV"])
    button(test, "Add initiative").click().run()
    assert not test.exception, test.exception
    assert "Added initiative INI-NEW." in texts(test)
    assert metric(test, "Initiatives") == 4
    assert "INI-NEW · Travel self-service" in [h.value for h in test.subheader]

    test.multiselect(key="rm_combine:codes").set_value(["INI-EVT", "INI-MTG"])
    test.text_input(key="rm_combine:code").input("INI-ONE")
    test.text_input(key="rm_combine:name").input("Events and meetings")
    test.checkbox(key="rm_combine:confirm").check().run()
    test.button(key="rm_combine:go").click().run()
    assert not test.exception, test.exception
    assert "Combined INI-EVT, INI-MTG into INI-ONE." in texts(test)
    assert (metric(test, "Initiatives"), metric(test, "Revised"), metric(test, "Ongoing"),
            metric(test, "Planned")) == (5, 2, 1, 1)
    assert any("Absorbed **INI-EVT, INI-MTG**" in m.value for m in test.markdown)
    assert reader.initiatives.lineage("INI-EVT")["combined_into"] == "INI-ONE"


def test_an_analyst_tracks_delivery_but_decides_no_initiative(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    seed(database_url)
    test = roadmap(database_url, monkeypatch, Role.analyst, "ana")
    assert not {"Add initiative", "Combine"} & labels(test)
    note = int(reader.initiatives.updates(open_only=True).iloc[0]["id"])
    test.button(key=f"rm_resolve:{note}").click().run()
    assert f"Resolved note {note} on INI-MTG." in texts(test)
    assert "Choose the booking tool" not in texts(test)

    open_initiative(test, "INI-EVT")
    assert "Change" not in [t.label for t in test.tabs]
    assert not {"Save changes", "Split"} & labels(test)
    test.text_input(key="rm_dadd:INI-EVT:text").input("Staff trained")
    test.text_input(key="rm_dadd:INI-EVT:milestone").input("2027-03-31")
    button(test, "Add deliverable").click().run()
    assert not test.exception, test.exception
    assert "Added deliverable INI-EVT/D3." in texts(test)
    test.text_input(key="rm_note:INI-EVT:note").input("Vendor chosen")
    button(test, "Add note").click().run()
    assert "Added a progress note to INI-EVT." in texts(test)
    record = reader.initiatives.get("INI-EVT")
    assert [d["text"] for d in record["deliverables"]][-1] == "Staff trained"
    assert [(u["note"], u["created_by"]) for u in record["updates"]] == [("Vendor chosen", "ana")]


def test_a_viewer_is_offered_no_form(database_url: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    seed(database_url)
    test = roadmap(database_url, monkeypatch, Role.viewer, "vic")
    open_initiative(test, "INI-EVT")
    assert labels(test) <= {"Sign out", "Password"}, labels(test)
    assert not [w for w in test.text_input if str(w.key).startswith("rm_")]


def test_a_refused_or_stale_edit_is_one_readable_sentence(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    seed(database_url)
    test = roadmap(database_url, monkeypatch, Role.leadership, "lea")
    test.text_input(key="rm_add:code").input("INI-REV")
    test.text_input(key="rm_add:name").input("Revised without a reason")
    test.selectbox(key="rm_add:status").set_value("revised")
    button(test, "Add initiative").click().run()
    assert not test.exception, test.exception
    [error] = [e.value for e in test.error]
    assert error.startswith("Not saved: ") and "status_reason" in error, error
    assert "INI-REV" not in set(reader.initiatives.initiatives()["code"])

    open_initiative(test, "INI-EVT")  # the edit form remembers version 1
    reader.initiatives.update("INI-EVT", {"name": "Events, renamed by Kim"}, 1,
                              by("kim", Role.leadership))
    test.text_input(key="rm_edit:INI-EVT:1:name").input("Events, renamed by Lea")
    button(test, "Save changes").click().run()
    assert not test.exception, test.exception
    [error] = [e.value for e in test.error]
    assert "INI-EVT was changed by kim" in error and "Nothing was saved" in error, error
    assert reader.initiatives.get("INI-EVT")["name"] == "Events, renamed by Kim"
    button(test, "Discard my edits and load the latest version").click().run()
    assert test.text_input(key="rm_edit:INI-EVT:2:name").value == "Events, renamed by Kim"


def test_the_inventory_lists_the_initiatives_that_transform_a_process(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(database_url)
    test = start(database_url, monkeypatch, name="vic", role=Role.viewer)
    test.switch_page("views/inventory.py").run()
    test.selectbox(key="open_code").set_value("HR-REC").run()
    assert not test.exception, test.exception
    links = {link.proto.label: link.proto.query_string for link in test.get("page_link")}
    label = "INI-EVT · Events platform — Ongoing, Boosting operational efficiency and impact"
    assert links[label] == "initiative=INI-EVT"


def test_a_rerun_recomputes_nothing_and_a_change_elsewhere_shows_at_the_next(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(database_url)
    test = roadmap(database_url, monkeypatch, Role.viewer)
    computed = results.SHARED.computed
    test.run()
    assert results.SHARED.computed == computed  # nothing changed, nothing computed again
    other = Catalogue.open(database_url)  # another app process, or the command line
    try:
        other.initiatives.update("INI-MTG", {"status": "completed"}, 1, LEAD)
    finally:
        other.engine.dispose()
    test.run()
    assert (metric(test, "Completed"), metric(test, "Planned")) == (2, 0)


def test_leadership_splits_an_initiative_and_its_deliverables_follow(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    seed(database_url)
    test = open_initiative(roadmap(database_url, monkeypatch, Role.leadership, "lea"),
                           "INI-EVT")
    for number, (code, name) in enumerate((("INI-EVT-A", "Pilot"), ("INI-EVT-B", "Roll-out")),
                                          start=1):
        test.text_input(key=f"rm_split:INI-EVT:{number}:code").input(code)
        test.text_input(key=f"rm_split:INI-EVT:{number}:name").input(name)
    test.multiselect(key="rm_split:INI-EVT:2:deliverables").set_value(["D2"])
    test.checkbox(key="rm_split:INI-EVT:confirm").check().run()
    button(test, "Split").click().run()
    assert not test.exception, test.exception
    assert "Split INI-EVT into INI-EVT-A, INI-EVT-B." in texts(test)
    assert any("Split into **INI-EVT-A, INI-EVT-B**" in m.value for m in test.markdown)
    assert metric(test, "Revised") == 1
    moved = reader.initiatives.deliverables("INI-EVT-B")
    assert list(moved["text"]) == ["Rolled out"]
