"""A shared link opened first on a freshly started server gets the whole app: the navigation,
the wide layout and the page asked for (README promises links such as
/inventory?process=HR-REC). Streamlit would serve a folder named ``pages/`` beside app.py as
pages of its own on such a first request, which is why the screens live in ``views/``."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize("link", ["assess?process=HR-REC", "inventory?process=HR-REC"])
def test_a_link_opened_first_shows_the_app_navigation(database_url: str, link: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.ui.screenshots import CHROMIUM, CHROMIUM_ARGS, running_app, wait_for_app
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with running_app(database_url) as base, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/{link}")
        actor_field = page.get_by_role("textbox", name="Your name (recorded with every change)")
        actor_field.wait_for(timeout=90_000)  # the first start also loads the sample
        wait_for_app(page)
        sidebar = page.locator("[data-testid='stSidebarNav']").inner_text()
        actor_fields = actor_field.count()
        browser.close()
    assert "Prioritise" in sidebar and "Overview" in sidebar
    assert "common" not in sidebar and "scoring data" not in sidebar.lower()
    assert actor_fields == 1  # the sidebar of app.py, so app.py ran
