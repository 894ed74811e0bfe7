"""A shared link opened first on a freshly started server gets the whole app: the sign-in form,
then the navigation, the wide layout and the page asked for (README promises links such as
/inventory?process=HR-REC). Streamlit would serve a folder named ``pages/`` beside app.py as
pages of its own on such a first request, which is why the screens live in ``views/``.

Opening a link starts a new browser session, so it always asks to sign in first."""

from __future__ import annotations

import pytest

from tests.e2e import harness

REASON = harness.browser_missing()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")
ADMIN = ("links", "meadow ticket honey")


def _signed_in_through(database_url: str, link: str) -> tuple[list[str], int, str, list[str]]:
    """Open ``link`` on a fresh server, sign in there; return the navigation, how many
    "Signed in as" notes show, the URL and the page's headings."""
    from playwright.sync_api import sync_playwright

    harness.create_accounts(database_url, {ADMIN[0]: ("admin", ADMIN[1])})
    with harness.running_app(database_url) as base, sync_playwright() as playwright:
        browser = harness.launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        harness.sign_in(page, base, *ADMIN, path=link)
        pages = harness.sidebar_pages(page)
        notes = page.get_by_text(harness.SIGNED_IN).count()
        url, headings = page.url.removeprefix(base), page.locator("h1, h3").all_inner_texts()
        browser.close()
    return pages, notes, url, headings


@pytest.mark.parametrize("link", ["assess?process=HR-REC", "inventory?process=HR-REC"])
def test_a_link_opened_first_shows_the_app_navigation(database_url: str, link: str) -> None:
    pages, notes, _, _ = _signed_in_through(database_url, link)
    assert "Prioritise" in pages and "Overview" in pages
    assert not any("common" in p or "scoring data" in p.lower() for p in pages), pages
    assert notes == 1  # the sidebar of app.py, so app.py ran


def test_signing_in_from_a_link_opens_the_page_it_names(database_url: str) -> None:
    _, _, url, headings = _signed_in_through(database_url, "inventory?process=HR-REC")
    assert url == "/inventory?process=HR-REC"
    assert headings[0] == "Inventory"
    assert any(h.startswith("HR-REC · ") for h in headings), headings
