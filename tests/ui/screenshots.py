"""Take a screenshot of every page of a running (or freshly started) app with Debian's Chromium.

Usage: ``python -m tests.ui.screenshots OUT_DIR [URL]``. Without URL, starts ``streamlit run
app.py`` on a free port against a temporary SQLite database holding the sample inventory, with
an admin account made for the occasion. With URL, signs in as ``DTI_SCREENSHOT_USER`` with
``DTI_SCREENSHOT_PASSWORD`` (an admin sees every page). Pages are reached through the sidebar
in one signed-in session (opening a link starts a new session, which asks to sign in again).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.e2e.harness import (
    choose,
    create_accounts,
    launch_chromium,
    open_page,
    running_app,
    sidebar_pages,
    sign_in,
    sign_in_form,
    wait_for_app,
)

# file name -> (navigation title, page heading, (selectbox label, process) opened first)
PAGES: dict[str, tuple[str, str, tuple[str, str] | None]] = {
    "overview": ("Overview", "Overview", None),
    "inventory": ("Inventory", "Inventory", ("Open a process", "HR-REC")),
    "dependencies": ("Dependencies", "Dependencies", ("Ripple of a process", "MEM-IDM")),
    "assess": ("Assess", "Assess", ("Process", "HR-REC")),
    "prioritise": ("Prioritise", "Prioritise", None),
    "scenarios": ("Scenarios", "Scenarios", None),
    "rounds": ("Scenarios", "Scenarios", None),
    "robustness": ("Robustness", "Robustness", None),
    "portfolio": ("Portfolio", "Portfolio and roadmap", None),
    "backlog": ("Backlog", "Backlog", None),
    "roadmap": ("Roadmap", "Roadmap", None),
    "cases": ("Cases", "Cases", ("Open a case", "CASE-0001")),
    "reviews": ("Reviews", "Reviews", None),
    "import": ("Import", "Import", None),
    "export": ("Export", "Export", None),
    "history": ("History", "History", None),
    "users": ("Users", "Users", None),
}
#: file name -> the tab of its page opened before the picture
TABS = {"rounds": "Weighting rounds"}
ROOT = Path(__file__).resolve().parents[2]
IMPORT_EXAMPLE = ROOT / "tests" / "data" / "import_example.csv"  # one maturity out of range
ADMIN = ("screenshots", "saffron kettle moss")


def capture(base_url: str, out_dir: Path, username: str, password: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        sign_in_form(page, base_url)
        page.screenshot(path=str(out_dir / "signin.png"))
        shots.append(out_dir / "signin.png")
        page.set_viewport_size({"width": 1440, "height": 2000})
        sign_in(page, base_url, username, password)
        offered = set(sidebar_pages(page))
        for name, (title, heading, opened) in PAGES.items():
            if title not in offered:
                print(f"skipped {name}: {username}'s role has no {title} page", file=sys.stderr)
                continue
            open_page(page, title, heading)
            if opened is not None:
                choose(page, *opened)
                wait_for_app(page)
            if name in TABS:
                page.get_by_role("tab", name=TABS[name], exact=True).click()
                wait_for_app(page)
            if name == "import":
                _check_example(page)
            page.mouse.move(0, 0)  # no hover tooltip, no focus ring in the picture
            page.evaluate("() => document.activeElement?.blur()")
            target = out_dir / f"{name}.png"
            page.screenshot(path=str(target), full_page=True)
            shots.append(target)
        browser.close()
    return shots


def _check_example(page: Page) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        str(IMPORT_EXAMPLE))
    wait_for_app(page)
    page.get_by_role("button", name="Check the file (dry run)").click()
    wait_for_app(page)


def weigh_in_a_round(database_url: str) -> None:
    """A weighting round closed on the temporary database, so the rounds tab has a result to
    show: three members share out points over four criteria (the sample holds no scenario)."""
    from inventory.access import Actor, Role
    from inventory.services.sample import open_with_sample
    from scoring.scenario import Scenario

    members = {"ana": ("analyst", "quiet harbour lamps"), "sam": ("staff", "copper meadow kites"),
               "vic": ("viewer", "velvet compass rain")}
    create_accounts(database_url, members)
    catalogue = open_with_sample(database_url)  # as the app's first start would
    lead = Actor(ADMIN[0], Role.admin)
    points = {"ana": {"member_experience": 50, "operational_efficiency": 10, "cost": 30,
                      "change_readiness": 10},
              "sam": {"member_experience": 20, "operational_efficiency": 40, "cost": 20,
                      "change_readiness": 20},
              "vic": {"member_experience": 60, "operational_efficiency": 15, "cost": 5,
                      "change_readiness": 20}}
    try:
        catalogue.scenarios.add("Members first", Scenario(name="Members first").to_dict(),
                                lead)
        opened = catalogue.rounds.open("Members first", list(members), lead,
                                       criteria=list(points["ana"]))
        for name, given in points.items():
            catalogue.rounds.answer(opened["code"], Actor(name, Role(members[name][0])),
                                    weights=given)
        catalogue.rounds.close(opened["code"], lead)
    finally:
        catalogue.engine.dispose()


def ask_owners_to_review(database_url: str) -> None:
    """A review round on the temporary database, so the Reviews page has something to show:
    the screenshot account answers for the owner "Head, HR Operations", the owners of HRMD are
    asked to review their processes, and one of them has confirmed."""
    import datetime as dt

    from inventory.access import Actor, Role
    from inventory.services.sample import open_with_sample

    lead = Actor(ADMIN[0], Role.admin)
    catalogue = open_with_sample(database_url)
    try:
        catalogue.accounts.set_owner(ADMIN[0], "Head, HR Operations", lead)
        catalogue.reviews.request("unit", "HRMD", dt.date.today() + dt.timedelta(days=30), lead,
                                  note="Before the budget")
        catalogue.reviews.confirm("HR-ADM-01", lead)
    finally:
        catalogue.engine.dispose()


def main() -> None:
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    if len(sys.argv) > 2:
        username = os.environ.get("DTI_SCREENSHOT_USER")
        password = os.environ.get("DTI_SCREENSHOT_PASSWORD")
        if not username or not password:
            sys.exit("Error: set DTI_SCREENSHOT_USER and DTI_SCREENSHOT_PASSWORD (an admin "
                     "account of the app at URL) to take screenshots of a running app")
        shots = capture(sys.argv[2], out_dir, username, password)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            database_url = f"sqlite:///{tmp}/dti.db"
            create_accounts(database_url, {ADMIN[0]: ("admin", ADMIN[1])})
            weigh_in_a_round(database_url)
            ask_owners_to_review(database_url)
            with running_app(database_url) as url:
                shots = capture(url, out_dir, *ADMIN)
    for shot in shots:
        print(shot)


if __name__ == "__main__":
    main()
