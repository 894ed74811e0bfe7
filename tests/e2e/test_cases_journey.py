"""A case for change from its proposer to an analyst and back, in a real browser against a real
server (see conftest.py): a member of staff proposes it, a colleague endorses it, an analyst
accepts it and links a process, and the proposer sees it accepted under My cases.

Skipped, with the reason, when Playwright or Debian's Chromium is missing."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.e2e import harness

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.harness import Server

REASON = harness.browser_missing()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")


def notice(page: Page, text: str) -> None:
    page.get_by_test_id("stAlertContentSuccess").filter(has_text=text).wait_for(timeout=60_000)
    harness.wait_for_app(page)


def open_case(server: Server, name: str, code: str) -> Page:
    page = server.sign_in(name)
    harness.open_page(page, "Cases")
    harness.choose(page, "Open a case", code)
    harness.wait_for_app(page)
    return page


def test_a_case_goes_from_its_proposer_to_an_analyst_and_back(server: Server) -> None:
    sam = server.sign_in("sam")
    harness.open_page(sam, "Cases")
    sam.get_by_role("tab", name="Propose a case", exact=True).click()
    sam.get_by_role("textbox", name="Title").fill("Archive meeting documents automatically")
    sam.get_by_role("textbox", name="The problem today").fill(
        "Meeting documents are archived by hand after every meeting")
    sam.get_by_role("textbox", name="Your idea").fill(
        "Archive the documents when the meeting closes")
    sam.get_by_role("button", name="Propose case", exact=True).click()
    notice(sam, "Proposed CASE-")  # numbered after the sample's cases
    proposed = sam.get_by_test_id("stAlertContentSuccess").filter(has_text="Proposed CASE-")
    code = re.search(r"CASE-\d{4}", proposed.first.inner_text()).group(0)  # type: ignore[union-attr]

    kim = open_case(server, "kim", code)
    kim.get_by_role("button", name="Endorse", exact=True).click()
    notice(kim, f"You endorsed {code}.")
    kim.get_by_text("You endorsed this case.").wait_for()
    kim.context.close()

    ana = open_case(server, "ana", code)
    triage = ana.get_by_test_id("stForm").filter(has_text="Triage")
    harness.choose(ana, "Status", "Accepted", scope=triage)
    harness.choose(ana, "Processes it concerns", "HR-REC", scope=triage)
    ana.keyboard.press("Escape")
    triage.get_by_role("textbox", name="Reason, for the proposer").fill(
        "Part of the records work")
    ana.get_by_role("button", name="Save triage", exact=True).click()
    notice(ana, f"{code} is accepted.")
    ana.get_by_role("link", name="HR-REC").wait_for()
    ana.context.close()

    harness.open_page(sam, "Cases")
    sam.get_by_role("tab", name="My cases", exact=True).click()
    mine = sam.get_by_role("tabpanel", name="My cases")
    mine.get_by_text("Archive meeting documents automatically").wait_for()
    mine.get_by_text("Accepted", exact=True).wait_for()
    mine.get_by_text("Part of the records work", exact=False).wait_for()
    server.shot(sam, "staff-my-cases")
