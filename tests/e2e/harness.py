"""The app in a real browser: start ``streamlit run app.py`` on a free port, drive Debian's
Chromium through Playwright, sign in, and wait for Streamlit to settle.

Shared by the end-to-end journeys (tests/e2e), the deep-link test and the screenshots
(tests/ui) and the load benchmark (benchmarks/load.py). Playwright is imported lazily so that
importing this module never fails; :func:`browser_missing` says why a browser test cannot run.
No browser is ever downloaded: ``DTI_CHROMIUM`` (default ``/usr/bin/chromium``, from apt) is
the one used.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Playwright

    from inventory.services import Catalogue

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("DTI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
READY_SECONDS = 120  # a first start migrates the database and loads the sample inventory
SIGNED_IN = "Signed in as"
RUNNING = "[data-testid='stStatusWidget']"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).exists():
        return (f"no Chromium at {CHROMIUM}: install Debian's (apt-get install chromium) or set "
                "DTI_CHROMIUM; browser tests never download one")
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_accounts(database_url: str, accounts: Mapping[str, tuple[str, str]]) -> None:
    """Accounts ``{name: (role, password)}`` with known passwords, through the services (an
    existing account is left as it is). Creating them does not stop the app from loading the
    sample inventory on its first start: that looks at processes and units only."""
    from inventory.access import Actor, Role
    from inventory.services import Catalogue

    catalogue = Catalogue.open(database_url)
    setup = Actor("setup", Role.admin)
    try:
        existing = set(catalogue.accounts.list(setup)["username"])
        for name, (role, password) in accounts.items():
            if name not in existing:
                catalogue.accounts.add(name, role, setup, password=password)
    finally:
        catalogue.engine.dispose()


@contextmanager
def running_app(database_url: str, *, env: Mapping[str, str] | None = None,
                log: Path | None = None, ready_seconds: float = READY_SECONDS) -> Iterator[str]:
    """Start the app on a free port against ``database_url``; yield its base URL once its
    health check answers; stop it afterwards. The server's output goes to ``log`` (default: a
    temporary file), and its last lines are in the error when it does not come up."""
    port = free_port()
    if log is None:
        handle, name = tempfile.mkstemp(prefix="dti-streamlit-", suffix=".log")
        os.close(handle)
    log_path = log or Path(name)
    variables = dict(os.environ) | {"DTI_DATABASE_URL": database_url} | dict(env or {})
    with open(log_path, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=variables, stdout=output, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_healthy(base, process, log_path, ready_seconds)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log_path: Path,
                  seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {process.returncode}:\n"
                               + _tail(log_path))
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer on {base} within {seconds:.0f} s:\n"
                       + _tail(log_path))


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_idle(page: Page, timeout: float = 120_000) -> None:
    """Wait until the script run the last action started has finished: the "running" badge
    shows shortly after an action, so wait a moment for it, then for it to go."""
    from playwright.sync_api import TimeoutError as NotSeen

    with contextlib.suppress(NotSeen):  # a short run may come and go unseen
        page.wait_for_selector(RUNNING, state="attached", timeout=300)
    page.wait_for_selector(RUNNING, state="detached", timeout=timeout)


def wait_for_app(page: Page) -> None:
    """Wait until Streamlit has finished running the script and drawing charts."""
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    # the navigation is drawn once app.py has opened the catalogue and let someone in
    page.wait_for_selector("[data-testid='stSidebarNav']", timeout=READY_SECONDS * 1000)
    page.wait_for_selector(RUNNING, state="detached", timeout=60_000)
    page.wait_for_timeout(1000)
    page.wait_for_function(  # every plotly chart drawn
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(chart => chart.querySelector('.main-svg'))", timeout=60_000)
    page.wait_for_timeout(500)
    # a page that computes a while has its running badge back
    page.wait_for_selector(RUNNING, state="detached", timeout=120_000)


def sign_in_form(page: Page, base_url: str, path: str = "") -> None:
    """Open ``base_url/path`` and wait for the sign-in form (on a first start, after the
    sample inventory is loaded)."""
    page.goto(f"{base_url}/{path}")
    page.get_by_role("textbox", name="User name").wait_for(timeout=READY_SECONDS * 1000)


def submit_sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_in(page: Page, base_url: str, username: str, password: str, path: str = "") -> None:
    """Sign in through the form on ``base_url/path`` and wait for the signed-in app."""
    sign_in_form(page, base_url, path)
    submit_sign_in(page, username, password)
    page.get_by_text(SIGNED_IN).wait_for(timeout=60_000)
    wait_for_app(page)


def expand_navigation(page: Page) -> None:
    """Show every page: Streamlit folds a long navigation behind "View N more"."""
    more = page.locator("[data-testid='stSidebarNavViewButton']", has_text="more")
    if more.count():
        more.click()
        page.locator("[data-testid='stSidebarNavViewButton']", has_text="less").wait_for()


def sidebar_pages(page: Page) -> list[str]:
    """The page titles in the sidebar navigation (without the icons' names)."""
    nav = page.locator("[data-testid='stSidebarNav']")
    if nav.count() == 0:
        return []
    expand_navigation(page)
    return [text.strip().splitlines()[-1].strip() for text in
            nav.locator("[data-testid='stSidebarNavLink']").all_inner_texts()]


def open_page(page: Page, title: str, heading: str | None = None) -> None:
    """Go to a page through the sidebar navigation, as a user does, and wait for its title
    (``heading`` when it differs from the navigation's) and for the run to finish."""
    expand_navigation(page)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title,
                                                             exact=True).click()
    page.get_by_role("heading", name=heading or title, level=1).first.wait_for(timeout=60_000)
    wait_for_app(page)


def choose(page: Page, label: str, option: str, *, scope: Locator | None = None) -> None:
    """Pick the first option starting with ``option`` in the selectbox labelled ``label``
    (within ``scope`` when given), and wait for the run it starts."""
    # by CSS, not by role: an open list hides the rest of the page from the accessibility tree
    box = (scope or page).locator(f"input[role='combobox'][aria-label='{label}']")
    box.click()
    box.press("Control+a")
    box.press_sequentially(option)  # typing opens the filtered list (fill() does not always)
    page.get_by_role("option", name=re.compile(rf"^{re.escape(option)}\b")).first.click()
    wait_idle(page)


class Server:
    """A running app under test: its URL and database, the browser driving it, the accounts'
    passwords, and where screenshots go."""

    def __init__(self, base: str, database_url: str, artefacts: Path, browser: Browser,
                 passwords: Mapping[str, str]) -> None:
        self.base, self.database_url, self.artefacts = base, database_url, artefacts
        self.browser, self.passwords = browser, dict(passwords)

    def page(self) -> Page:
        """A page in a fresh browser context (its own cookies, its own Streamlit session)."""
        context = self.browser.new_context(viewport={"width": 1440, "height": 1600},
                                           accept_downloads=True)
        context.set_default_timeout(30_000)
        return context.new_page()

    def sign_in(self, name: str, path: str = "") -> Page:
        """A fresh context signed in as ``name`` through the form."""
        page = self.page()
        sign_in(page, self.base, name, self.passwords[name], path)
        return page

    def shot(self, page: Page, name: str) -> None:
        page.screenshot(path=str(self.artefacts / f"{name}.png"), full_page=True)

    def catalogue(self) -> Catalogue:
        """The services on the app's database (dispose of its engine when done)."""
        from inventory.services import Catalogue

        return Catalogue.open(self.database_url)
