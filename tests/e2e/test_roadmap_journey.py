"""Leadership combines two initiatives on the Roadmap page, in a real browser against a real
server (see conftest.py): the dashboard's counts move and the lineage is listed.

Skipped, with the reason, when Playwright or Debian's Chromium is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from inventory.access import Actor, Role
from tests.e2e import harness

if TYPE_CHECKING:
    from playwright.sync_api import Page

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the module is skipped then (see REASON)
    PlaywrightTimeout = TimeoutError  # type: ignore[misc, assignment]

    from tests.e2e.harness import Server

REASON = harness.browser_missing()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")


def metric(page: Page, title: str) -> int:
    tile = page.get_by_test_id("stMetric").filter(has_text=title).first
    return int(tile.get_by_test_id("stMetricValue").inner_text())


TILES = ("Initiatives", "Planned", "Ongoing", "Revised", "Completed")


def counts(page: Page) -> dict[str, int]:
    return {title: metric(page, title) for title in TILES}


def pick(page: Page, label: str, option: str) -> None:
    """Add ``option`` to the multiselect labelled ``label``, and wait until its chip shows (a
    rerun landing between two picks must not lose the first)."""
    box = page.locator(f"input[role='combobox'][aria-label='{label}']")
    chip = page.locator(f"[data-tag][aria-label='{option}']")  # a selected value
    for _attempt in range(3):
        box.click()
        box.press_sequentially(option)
        page.get_by_role("option", name=option).first.click()
        box.press("Escape")
        harness.wait_idle(page)
        try:
            chip.first.wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            box.fill("")  # the pick was lost to a rerun: type it again
    chip.first.wait_for(timeout=10_000)


def test_leadership_combines_two_initiatives_and_sees_the_counts_move(server: Server) -> None:
    catalogue = server.catalogue()
    try:
        lead = Actor("lea", Role.leadership)
        for code, name in (("INI-EVT", "Events platform"), ("INI-REG", "Online registration")):
            catalogue.initiatives.add({"code": code, "name": name, "status": "planned",
                                       "priority_area": "member_experience"}, lead)
    finally:
        catalogue.engine.dispose()

    page = server.sign_in("lea")
    harness.open_page(page, "Roadmap")
    before = counts(page)  # the sample's roadmap and these two

    page.get_by_role("tab", name="Initiatives", exact=True).click()
    page.get_by_text("Combine initiatives", exact=True).click()
    pick(page, "Initiatives to combine", "INI-EVT · Events platform")
    pick(page, "Initiatives to combine", "INI-REG · Online registration")
    page.get_by_role("textbox", name="Code of the new initiative").fill("INI-EVENTS")
    page.get_by_role("textbox", name="Name of the new initiative").fill("Events end to end")
    page.get_by_role("textbox", name="Name of the new initiative").press("Tab")
    harness.wait_idle(page)
    page.get_by_text("Yes, combine them").click()
    harness.wait_idle(page)
    page.get_by_role("button", name="Combine", exact=True).click()

    page.get_by_test_id("stAlertContentSuccess").filter(
        has_text="Combined INI-EVT, INI-REG into INI-EVENTS.").wait_for(timeout=60_000)
    harness.wait_for_app(page)
    after = counts(page)
    assert {title: after[title] - before[title] for title in TILES} == {
        "Initiatives": 1, "Planned": -2, "Ongoing": 1, "Revised": 2, "Completed": 0}
    page.get_by_text("Absorbed INI-EVT, INI-REG").wait_for()
    server.shot(page, "leadership-roadmap-combined")
