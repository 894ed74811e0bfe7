"""The one app server and browser every end-to-end test shares (see harness.py)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator, Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest

from tests.e2e import harness

ACCOUNTS = {"ana": ("analyst", "quiet harbour lamps"), "lea": ("leadership", "amber glacier tunes"),
            "vic": ("viewer", "velvet compass rain"), "sam": ("staff", "copper meadow kites"),
            "kim": ("staff", "lantern orchard fog")}


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.Server]:
    """One per test module (not per session: Playwright's sync API cannot run twice at once,
    so a browser left open would break the other browser tests): ``streamlit run app.py`` on
    a fresh SQLite database with the accounts ana (analyst), lea (leadership), vic (viewer),
    sam and kim (staff), ready once its first start has loaded the sample; Chromium to drive
    it. Screenshots and the server's log go to ``DTI_E2E_ARTEFACTS`` (default: a new
    temporary folder), printed at the start."""
    reason = harness.browser_missing()
    if reason is not None:
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    database_url = f"sqlite:///{tmp_path_factory.mktemp('e2e')}/dti.db"
    artefacts = Path(os.environ.get("DTI_E2E_ARTEFACTS")
                     or tempfile.mkdtemp(prefix="dti-e2e-artefacts-"))
    artefacts.mkdir(parents=True, exist_ok=True)
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else nullcontext():
        print(f"\ne2e: screenshots and server log in {artefacts}", flush=True)
    harness.create_accounts(database_url, ACCOUNTS)
    with harness.running_app(database_url, log=artefacts / "streamlit.log") as base, \
            sync_playwright() as playwright:
        browser = harness.launch_chromium(playwright)
        opened = harness.Server(base, database_url, artefacts, browser,
                                {name: password for name, (_, password) in ACCOUNTS.items()})
        first = opened.page()
        harness.sign_in_form(first, base)  # waits for the first start to load the sample
        first.context.close()
        yield opened
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test, for :func:`screenshot_on_failure`."""
    report: pytest.TestReport = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def screenshot_on_failure(request: pytest.FixtureRequest,
                          server: harness.Server) -> Iterator[None]:
    """When a journey fails, save what each of its browser pages showed at that moment
    (``FAILED-<test>-<n>.png`` among the artefacts)."""
    earlier = list(server.browser.contexts)
    yield
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    pages = [page for context in server.browser.contexts if context not in earlier
             for page in context.pages]
    for number, page in enumerate(pages):
        page.screenshot(path=str(server.artefacts / f"FAILED-{request.node.name}-{number}.png"),
                        full_page=True)
