"""The navigation by role, every role against every page: a page is offered exactly when the
permission matrix lets the role do what the page is for."""

from __future__ import annotations

import pytest

from inventory.access import Role
from tests.ui.harness import start
from views.navigation import PAGES

HIDDEN = {Role.viewer: {"Assess", "Backlog", "Import", "Users"},
          Role.analyst: {"Backlog", "Users"},
          Role.leadership: {"Assess", "Import", "Users"},
          Role.admin: set()}


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_the_navigation_offers_exactly_the_pages_a_role_may_use(
        database_url: str, monkeypatch: pytest.MonkeyPatch, role: Role) -> None:
    test = start(database_url, monkeypatch, name=f"{role.value}-person", role=role)
    withheld = set()
    for page in PAGES:
        try:
            test.switch_page(page.path)  # refuses a page the navigation does not offer
        except ValueError as error:
            assert "Could not find a navigation page" in str(error)
            withheld.add(page.title)
    assert withheld == HIDDEN[role]
