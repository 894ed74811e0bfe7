"""The Roadmap page (AppTest): every role reads the dashboard, the annex and one initiative;
leadership adds and combines initiatives; analysts track delivery but decide no initiative;
viewers change nothing; a refused or stale edit is one readable sentence."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import start

PAGE = "views/roadmap.py"
LEAD = by("lea", Role.leadership)


def seed(database_url: str) -> None:
    """Three initiatives (one anchored, with deliverables), an open obstacle."""
    catalogue = Catalogue.open(database_url)
    book = catalogue.initiatives
    try:
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
