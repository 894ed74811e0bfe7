"""A weighting round in a real browser against a real server (see conftest.py): leadership
opens a round on a saved scenario for three members (an analyst, a member of staff and a
viewer), each shares out points on their own, a colleague who is not invited is offered no
form, and the leader follows who answered, closes the round and reads the consensus, the
members' weights and the top N across members; the scenario then has the group's weights.

Skipped, with the reason, when Playwright or Debian's Chromium is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e import harness

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.e2e.harness import Server

REASON = harness.browser_missing()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")

TAB = "Weighting rounds"
#: Points each member gives; criteria not named get 0.
POINTS = {"ana": {"Member experience": 60, "Cost": 40},
          "sam": {"Member experience": 20, "Operational efficiency": 40, "Cost": 40},
          "vic": {"Member experience": 50, "Operational efficiency": 50}}


def notice(page: Page, text: str) -> None:
    page.get_by_test_id("stAlertContentSuccess").filter(has_text=text).wait_for(timeout=60_000)
    harness.wait_for_app(page)


def rounds(page: Page) -> Locator:
    """The Weighting rounds tab of the Scenarios page, opened."""
    harness.open_page(page, "Scenarios")
    page.get_by_role("tab", name=TAB, exact=True).click()
    harness.wait_idle(page)
    return page.get_by_role("tabpanel", name=TAB)


def answer(server: Server, name: str) -> None:
    page = server.sign_in(name)
    panel = rounds(page)
    panel.get_by_text("You are invited to answer: ROUND-0001 on scenario Plan").wait_for()
    for label, points in POINTS[name].items():
        box = panel.get_by_role("spinbutton", name=label, exact=True)
        box.fill(str(points))
        box.press("Enter")
        harness.wait_idle(page)
    panel.get_by_role("button", name="Submit my answer", exact=True).click()
    notice(page, "Your answer to ROUND-0001 is recorded.")
    panel.get_by_role("button", name="Revise my answer", exact=True).wait_for()
    page.context.close()


def test_three_members_weigh_a_scenario_and_leadership_closes_the_round(
        server: Server) -> None:
    from inventory.access import Actor, Role
    from scoring.scenario import Scenario

    catalogue = server.catalogue()
    try:
        catalogue.scenarios.add("Plan", Scenario(name="Plan").to_dict(),
                                Actor("lea", Role.leadership))
    finally:
        catalogue.engine.dispose()

    lea = server.sign_in("lea")
    panel = rounds(lea)
    panel.get_by_text("Open a weighting round on Plan").click()
    harness.wait_idle(lea)
    for member in POINTS:
        harness.choose(lea, "Members", member, scope=panel)
    lea.keyboard.press("Escape")
    panel.get_by_role("button", name="Open the round", exact=True).click()
    notice(lea, "ROUND-0001 is open on scenario 'Plan' for ana, sam, vic.")
    panel.get_by_text("0 of 3 members answered").wait_for()

    for member in POINTS:
        answer(server, member)

    kim = server.sign_in("kim")
    outsider = rounds(kim)
    outsider.get_by_text("You are not a member of this round").wait_for()
    assert outsider.get_by_role("button", name="Submit my answer").count() == 0
    kim.context.close()

    panel = rounds(lea)
    panel.get_by_text("3 of 3 members answered").wait_for()
    panel.get_by_text("Yes, close ROUND-0001").click()
    harness.wait_idle(lea)
    panel.get_by_role("button", name="Close the round", exact=True).click()
    notice(lea, "ROUND-0001 is closed: consensus")
    panel.get_by_test_id("stMetric").filter(has_text="Consensus").wait_for()
    panel.get_by_text("Where the members disagree most").wait_for()
    assert panel.get_by_test_id("stPlotlyChart").count() == 2  # the heatmap and the top N
    server.shot(lea, "leader-round-closed")

    catalogue = server.catalogue()
    try:
        weights = catalogue.scenarios.get("Plan")["settings"]["weights"]
    finally:
        catalogue.engine.dispose()
    # the arithmetic mean of each member's shares: (0.6 + 0.2 + 0.5) / 3
    assert weights["member_experience"] == pytest.approx(1.3 / 3)
    assert weights["volume"] == 0.0
