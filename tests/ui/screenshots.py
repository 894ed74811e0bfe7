"""Take a screenshot of every page of a running (or freshly started) app with Debian's Chromium.

Usage: ``python -m tests.ui.screenshots OUT_DIR [URL]``. Without URL, starts ``streamlit run
app.py`` on a free port against a temporary SQLite database holding the sample inventory.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = os.environ.get("DTI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = {"overview": "", "inventory": "inventory?process=HR-REC",
         "dependencies": "dependencies?process=MEM-IDM", "assess": "assess?process=HR-REC",
         "prioritise": "prioritise", "scenarios": "scenarios", "robustness": "robustness",
         "portfolio": "portfolio", "backlog": "backlog", "import": "import",
         "export": "export"}
ROOT = Path(__file__).resolve().parents[2]
IMPORT_EXAMPLE = ROOT / "tests" / "data" / "import_example.csv"  # one maturity out of range


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(database_url: str) -> Iterator[str]:
    """Start the app on a free port; yield its base URL; stop it afterwards."""
    port = free_port()
    env = os.environ | {"DTI_DATABASE_URL": database_url, "DTI_ACTOR": "screenshot"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
         str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for_app(page: Page) -> None:
    """Wait until Streamlit has finished running the script and drawing charts."""
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    # the navigation is drawn once app.py has opened the catalogue (on a first start, after
    # loading the sample)
    page.wait_for_selector("[data-testid='stSidebarNav']", timeout=180_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(1500)
    page.wait_for_function(  # every plotly chart drawn
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(chart => chart.querySelector('.main-svg'))", timeout=60_000)
    page.wait_for_timeout(1000)
    page.wait_for_function(  # a page that computes a while has its running badge back
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)


def capture(base_url: str, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 2000})
        for name, path in PAGES.items():
            page.goto(f"{base_url}/{path}")
            wait_for_app(page)
            if name == "import":
                page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
                    str(IMPORT_EXAMPLE))
                wait_for_app(page)
                page.get_by_role("button", name="Check the file (dry run)").click()
                wait_for_app(page)
            target = out_dir / f"{name}.png"
            page.screenshot(path=str(target), full_page=True)
            shots.append(target)
        browser.close()
    return shots


def main() -> None:
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    if len(sys.argv) > 2:
        shots = capture(sys.argv[2], out_dir)
    else:
        with tempfile.TemporaryDirectory() as tmp, \
                running_app(f"sqlite:///{tmp}/dti.db") as url:
            shots = capture(url, out_dir)
    for shot in shots:
        print(shot)


if __name__ == "__main__":
    main()
