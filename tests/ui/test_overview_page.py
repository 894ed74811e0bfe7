"""The Overview page as each role first sees it: a "Start here" panel with that role's first
steps, each a link to a page the role is offered, and the database location for admins only."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import start

FIRST_STEPS = {
    Role.analyst: ["1. Import", "2. Inventory", "3. Dependencies", "4. Assess"],
    Role.leadership: ["1. Prioritise", "2. Scenarios", "3. Portfolio", "4. Backlog",
                      "5. Roadmap"],
    Role.viewer: ["1. Inventory", "2. Dependencies", "3. Prioritise", "4. Portfolio",
                  "5. Roadmap"],
    Role.staff: ["1. Cases", "2. Inventory", "3. Prioritise", "4. Roadmap"],
    Role.admin: ["1. Users", "2. Import", "3. Prioritise", "4. Backlog"],
}


def overview(database_url: str, monkeypatch: pytest.MonkeyPatch, role: Role) -> AppTest:
    """The app as ``role`` opens it: the Overview is the first page offered to every role."""
    test = start(database_url, monkeypatch, name=f"{role.value}-person", role=role)
    assert test.title[0].value == "Overview"
    return test


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_start_here_links_the_first_steps_of_the_role(
        database_url: str, monkeypatch: pytest.MonkeyPatch, role: Role) -> None:
    test = overview(database_url, monkeypatch, role)
    assert [link.value for link in test.get("page_link")] == FIRST_STEPS[role]
    assert any(text.value.startswith("**Start here**") for text in test.markdown)


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_only_admins_see_where_the_database_is(
        database_url: str, monkeypatch: pytest.MonkeyPatch, role: Role) -> None:
    test = overview(database_url, monkeypatch, role)
    shown = [caption.value for caption in test.caption if caption.value.startswith("Database:")]
    assert bool(shown) is (role is Role.admin)
    assert all("dti.db" in text for text in shown)


@pytest.mark.parametrize(("role", "advice"), [(Role.analyst, "import a spreadsheet on the "
                                                                 "Import page"),
                                               (Role.viewer, "Analysts add the processes")])
def test_an_empty_inventory_says_what_to_do_in_the_browser(
        empty_database_url: str, monkeypatch: pytest.MonkeyPatch, role: Role,
        advice: str) -> None:
    """A unit but no process yet (so the sample is not loaded): the advice names pages the
    role can use, never a command to type."""
    catalogue = Catalogue.open(empty_database_url)
    catalogue.add_unit({"code": "HQ", "name": "Headquarters"}, by("setup"))
    catalogue.engine.dispose()
    test = overview(empty_database_url, monkeypatch, role)
    notes = " ".join(info.value for info in test.info)
    assert "The inventory is empty" in notes and advice in notes and "dti " not in notes


def test_a_unit_without_any_maturity_reads_unknown_not_none(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    test = overview(database_url, monkeypatch, Role.viewer)
    by_unit = test.dataframe[-1].value.set_index("unit")
    assert by_unit.loc["JUR", "average_maturity"] == "unknown"  # its one process is unrated
    assert by_unit.loc["BR", "average_maturity"] == "3.3"
