"""What analysts, leadership and viewers do, in a real browser against a real server.

One server for the module (``streamlit run app.py`` on a fresh SQLite database; its first start
loads the sample inventory; see conftest.py), one Chromium, and a fresh browser context per
journey, so every journey signs in through the form like a person does. What the pages claim
to have saved is checked again through the services. A screenshot of every main page visited
is kept under ``DTI_E2E_ARTEFACTS`` (default: a new temporary folder, printed at the start).

Skipped, with the reason, when Playwright or Debian's Chromium is missing (no browser is ever
downloaded; see tests/e2e/harness.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from inventory.access import Actor, Role
from tests.e2e import harness

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.harness import Server

REASON = harness.browser_missing()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")

XSS_CODE = "XSS-01"
XSS_NAME = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
VIEWER_GATING = ("views/inventory.py must hide edit controls from roles without "
                 "Action.edit_inventory (the services refuse the save, but the page should not "
                 "offer it)")


def flash(page: Page, text: str) -> None:
    """Wait for the success notice a save leaves on the next run; fail at once, with its
    text, if the page refused the save instead."""
    notice = page.get_by_test_id("stAlertContentSuccess").filter(has_text=text)
    notice.or_(page.get_by_test_id("stAlertContentError")).first.wait_for(timeout=60_000)
    assert notice.count(), f"expected {text!r}, the page says {errors(page)}"


def errors(page: Page) -> list[str]:
    return page.get_by_test_id("stAlertContentError").all_inner_texts()


def test_analyst_adds_a_process_and_a_dependency_and_imports_the_template(server: Server,
                                                                          tmp_path: Path) -> None:
    page = server.sign_in("ana")
    server.shot(page, "analyst-overview")

    harness.open_page(page, "Inventory")
    page.get_by_text("Add a process", exact=True).click()
    form = page.get_by_test_id("stForm").filter(has_text="Add process")
    form.get_by_role("textbox", name="Code", exact=True).fill("E2E-ANA")
    form.get_by_role("textbox", name="Name", exact=True).fill("Checked in a browser")
    harness.choose(page, "Unit", "HRMD", scope=form)  # no unit is chosen for the analyst
    harness.wait_for_app(page)  # a click while the page is still running can be dropped
    form.get_by_role("button", name="Add process").click()
    flash(page, "Added process E2E-ANA.")
    assert not errors(page), errors(page)
    page.get_by_role("heading", name="E2E-ANA · Checked in a browser").wait_for()

    page.get_by_role("tab", name=re.compile(r"^Dependencies")).click()
    form = page.get_by_test_id("stForm").filter(has_text="Add a dependency")
    harness.choose(page, "Other process", "HR-REC", scope=form)
    form.get_by_role("button", name="Add dependency").click()
    flash(page, "Added dependency HR-REC → E2E-ANA.")
    assert not errors(page), errors(page)
    server.shot(page, "analyst-inventory")

    # the template, as a user gets it from the Export page, filled in and imported
    harness.open_page(page, "Export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Empty template (.xlsx)").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    _fill_template(template)
    harness.open_page(page, "Import")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(template))
    page.get_by_text("This workbook has the export's sheets").wait_for()
    harness.wait_idle(page)
    page.get_by_role("button", name="Check the file (dry run)").click()
    import_button = page.get_by_role("button", name="Import 2 change(s)")
    import_button.wait_for()
    assert not errors(page), errors(page)
    server.shot(page, "analyst-import-check")
    import_button.click()
    flash(page, "Imported template.xlsx: 1 created and 0 updated processes, 1 created and 0 "
                "updated dependencies.")
    server.shot(page, "analyst-import")

    catalogue = server.catalogue()
    try:
        processes = catalogue.processes().set_index("code")
        assert processes.loc["E2E-ANA", "name"] == "Checked in a browser"
        assert processes.loc["E2E-ANA", "created_by"] == "ana"
        assert processes.loc["E2E-IMP", "created_by"] == "ana"
        links = {(up, down) for up, down in catalogue.dependencies()[
            ["upstream_code", "downstream_code"]].itertuples(index=False)}
        assert {("HR-REC", "E2E-ANA"), ("E2E-ANA", "E2E-IMP")} <= links
        trail = catalogue.audit_log(actor="ana")
        keys = set(trail["entity_key"].astype(str))
        assert {"E2E-ANA", "E2E-IMP"} <= keys
        assert (trail["entity"] == "dependency").any()
    finally:
        catalogue.engine.dispose()


def _fill_template(path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    processes = book["Processes"]
    columns = [cell.value for cell in processes[1]]
    row = dict.fromkeys(columns)
    row |= {"code": "E2E-IMP", "name": "Imported from the template", "unit": "HRMD",
            "transformation_status": "planned"}
    processes.append([row[c] for c in columns])
    book["Dependencies"].append(["E2E-ANA", "E2E-IMP", "information", 2, "from the template"])
    book.save(path)


def test_a_leaders_day_from_prioritise_to_the_backlog_in_hand(server: Server,
                                                              tmp_path: Path) -> None:
    """Sign in, tune the weights on Prioritise, save them as a scenario, take its portfolio
    and roadmap under a budget, read its robustness, download its backlog and open it, then
    reload the tab and still be signed in where the day ended."""
    page = server.sign_in("lea")
    pages = harness.sidebar_pages(page)
    assert {"Prioritise", "Scenarios", "Robustness", "Portfolio", "Backlog"} <= set(pages)
    assert "Import" not in pages and "Assess" not in pages, pages

    harness.open_page(page, "Prioritise")
    assert not errors(page), errors(page)  # it failed for leadership while some were unassessed
    slider = page.get_by_role("slider").nth(0)
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    harness.wait_idle(page)
    page.get_by_role("textbox", name="Scenario name").fill("E2E board view")
    page.get_by_role("button", name="Save as a new scenario").click()
    flash(page, "Scenario 'E2E board view' saved (version 1).")
    server.shot(page, "leader-prioritise-saved")
    catalogue = server.catalogue()
    try:
        weights = catalogue.scenarios.get("E2E board view")["settings"]["weights"]
    finally:
        catalogue.engine.dispose()
    defaults = sorted(weights.values())
    assert len(set(defaults)) > 1 or max(defaults) != 1.0, weights  # the tuned weights, saved

    page.get_by_role("link", name="Portfolio and roadmap for E2E board view").click()
    page.get_by_role("heading", name="Portfolio and roadmap", level=1).wait_for(timeout=60_000)
    harness.wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Limit the budget").click()
    harness.wait_idle(page)
    budget = sidebar.get_by_role("spinbutton", name="Budget (CHF)")
    budget.fill("2000000")
    budget.press("Enter")
    harness.wait_for_app(page)
    assert not errors(page), errors(page)
    assert sidebar.get_by_text("Budget: CHF 2,000,000").count() == 1
    page.get_by_role("heading", name="Roadmap", exact=True).wait_for()
    server.shot(page, "leader-portfolio")

    harness.open_page(page, "Robustness")  # computes on load (2,000 samples by default)
    page.get_by_role("heading", name="Probability of the top 10").wait_for()
    assert page.get_by_test_id("stPlotlyChart").first.locator(".main-svg").count() > 0
    assert not errors(page), errors(page)
    server.shot(page, "leader-robustness")

    page.goto(f"{server.base}/backlog?scenario=E2E%20board%20view")  # as Prioritise links it
    page.get_by_role("heading", name="Backlog", level=1).wait_for(timeout=60_000)
    harness.wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Workbook (.xlsx)").click()
    assert download.value.suggested_filename == "backlog-e2e-board-view.xlsx"
    target = tmp_path / "backlog.xlsx"
    download.value.save_as(target)
    server.shot(page, "leader-backlog")

    import openpyxl

    sheet = openpyxl.load_workbook(target, read_only=True)["Backlog"]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = list(rows[0]), rows[1:]
    assert "Rank" in header and "Code" in header
    ranks = [row[header.index("Rank")] for row in body]
    assert len(body) >= 10 and ranks[0] == 1
    assert ranks == sorted(ranks)

    page.reload()  # the day's tab, reloaded: still signed in, on the same page
    page.get_by_text(harness.SIGNED_IN).wait_for(timeout=60_000)
    page.get_by_role("heading", name="Backlog", level=1).wait_for(timeout=60_000)
    assert page.get_by_role("textbox", name="User name").count() == 0


def test_viewer_sees_no_import_assess_or_backlog(server: Server) -> None:
    page = server.sign_in("vic")
    pages = harness.sidebar_pages(page)
    assert "Overview" in pages and "Inventory" in pages, pages
    assert not {"Import", "Assess", "Backlog"} & set(pages), pages
    harness.open_page(page, "Inventory")
    harness.choose(page, "Open a process", "HR-REC")
    page.get_by_role("heading", name=re.compile(r"^HR-REC · ")).wait_for()
    server.shot(page, "viewer-inventory")
    offered = {
        "Add a process": page.get_by_text("Add a process", exact=True).count(),
        "Add dependency": page.get_by_role("button", name="Add dependency").count(),
        "Add KPI": page.get_by_role("button", name="Add KPI").count(),
        "Edit tab": page.get_by_role("tab", name="Edit").count(),
        "Delete": page.get_by_role("button", name="Delete").count(),
    }
    assert not any(offered.values()), f"{VIEWER_GATING}; offered: {offered}"


def test_a_process_name_with_markup_is_shown_as_text_and_never_run(server: Server) -> None:
    catalogue = server.catalogue()
    try:
        catalogue.add_process({"code": XSS_CODE, "name": XSS_NAME, "unit": "HRMD"},
                              Actor("setup", Role.admin))
    finally:
        catalogue.engine.dispose()
    page = server.sign_in("vic")
    harness.open_page(page, "Inventory")
    harness.choose(page, "Open a process", XSS_CODE)
    heading = page.get_by_role("heading", name=re.compile(rf"^{XSS_CODE} · "))
    heading.wait_for()
    server.shot(page, "xss-inventory")
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.locator("img[src='x']").count() == 0
    assert heading.inner_text().strip() == f"{XSS_CODE} · {XSS_NAME}"


def test_a_wrong_password_is_refused_and_shows_no_page(server: Server) -> None:
    page = server.page()
    harness.sign_in_form(page, server.base)
    for name in ("vic", "nobody-here"):
        harness.submit_sign_in(page, name, "not-the-password")
        refusal = page.get_by_test_id("stAlertContentError").filter(
            has_text="Not signed in: wrong user name or password.")
        refusal.wait_for()
        harness.wait_idle(page)
        assert harness.sidebar_pages(page) == []
        assert page.get_by_text(harness.SIGNED_IN).count() == 0
    server.shot(page, "wrong-password")


def _sign_ins(server: Server, name: str) -> int:
    catalogue = server.catalogue()
    try:
        trail = catalogue.audit_log(actor=name)
        return int((trail["action"] == "sign_in").sum())
    finally:
        catalogue.engine.dispose()


def _session_cookie(page: Page) -> dict[str, object] | None:
    cookies = [dict(c) for c in page.context.cookies() if c["name"] == "dti_session"]
    return cookies[0] if cookies else None


def test_a_reload_keeps_the_person_signed_in_on_the_same_page_until_they_sign_out(
        server: Server) -> None:
    page = server.sign_in("lea")
    harness.open_page(page, "Dependencies")
    sign_ins = _sign_ins(server, "lea")

    page.reload()
    page.get_by_text(harness.SIGNED_IN).wait_for(timeout=60_000)
    harness.wait_for_app(page)
    page.get_by_role("heading", name="Dependencies", level=1).first.wait_for()
    assert page.url.rstrip("/").endswith("/dependencies"), page.url
    assert page.get_by_role("textbox", name="User name").count() == 0
    assert _sign_ins(server, "lea") == sign_ins  # resuming is not a new sign-in
    server.shot(page, "reload-still-signed-in")
    cookie = _session_cookie(page)  # kept by the browser for the app's own pages only
    assert cookie is not None and cookie["domain"] == "127.0.0.1"
    assert (cookie["sameSite"], cookie["path"], cookie["secure"]) == ("Strict", "/", False)

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("textbox", name="User name").wait_for()
    harness.wait_idle(page)
    page.reload()
    page.get_by_role("textbox", name="User name").wait_for(timeout=60_000)
    harness.wait_idle(page)
    assert page.get_by_text(harness.SIGNED_IN).count() == 0
    assert _session_cookie(page) is None
    server.shot(page, "reload-after-sign-out")


def test_a_viewer_opening_a_link_to_import_is_told_which_role_it_needs(server: Server) -> None:
    page = server.sign_in("vic")
    page.goto(f"{server.base}/import")  # a shared link, in the same browser: still signed in
    page.get_by_role("heading", name="Import", level=1).wait_for(timeout=60_000)
    harness.wait_idle(page)
    notice = page.get_by_test_id("stAlertContentWarning")
    assert ("Import needs the analyst or admin role; you are signed in as vic with the viewer "
            "role. Ask an admin if you need it.") in notice.inner_text()
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 0
    server.shot(page, "viewer-refused-link")
    page.get_by_role("link", name="Go to the Overview").click()
    page.get_by_role("heading", name="Overview", level=1).wait_for()
