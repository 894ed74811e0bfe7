"""The documented reverse proxy (docs/nginx/dti.conf) in front of the app: the security
headers on every answer, Streamlit's metrics not public, and the app working in Chromium under
the content security policy (no violation reported while a person signs in and opens the pages
with charts and forms), and two app processes on one database, an edit through one seen
through the other at the next click."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest

from tests.e2e import harness
from tests.e2e.proxy import behind_nginx, nginx_missing, site_for

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture(scope="module")
def proxy(server: harness.Server) -> Iterator[str]:
    reason = nginx_missing()
    if reason is not None:
        pytest.skip(reason)
    with behind_nginx([urlparse(server.base).netloc]) as base:
        yield base


def test_every_answer_carries_the_security_headers(proxy: str) -> None:
    for path in ("/", "/_stcore/health", "/no-such-page"):
        with urllib.request.urlopen(proxy + path, timeout=10) as answer:
            headers = answer.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_streamlit_metrics_are_not_public_through_the_proxy(proxy: str,
                                                            server: harness.Server) -> None:
    with urllib.request.urlopen(server.base + "/_stcore/metrics", timeout=10) as direct:
        assert direct.status == 200  # the app itself serves them, on the loopback only
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(proxy + "/_stcore/metrics", timeout=10)
    assert refused.value.code == 404


def test_the_app_works_under_the_content_security_policy(proxy: str,
                                                         server: harness.Server) -> None:
    page = server.page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    harness.sign_in(page, proxy, "lea", server.passwords["lea"])
    for title in ("Prioritise", "Dependencies", "Portfolio"):
        harness.open_page(page, title, "Portfolio and roadmap" if title == "Portfolio" else None)
    server.shot(page, "behind-the-proxy")
    page.context.close()
    assert violations == []


def _site_naming_the_upstream(upstreams: list[str], port: int) -> str:
    """The documented site, also saying in a header which app process answered (to pin each
    browser of the test on a process; the documented site does not tell clients)."""
    return site_for(upstreams, port).replace(
        '    add_header X-Frame-Options', '    add_header X-Dti-Upstream $upstream_addr always;\n'
        '    add_header X-Frame-Options', 1)


def _route_to_each(front: str, upstreams: list[str]) -> dict[str, str]:
    """For each app process, a route cookie value nginx sends to it."""
    routes: dict[str, str] = {}
    for number in range(200):
        value = f"route-{number}"
        request = urllib.request.Request(front + "/_stcore/health",
                                         headers={"Cookie": f"dti_route={value}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            routes.setdefault(answer.headers["X-Dti-Upstream"], value)
        if len(routes) == len(upstreams):
            return routes
    raise AssertionError(f"nginx sent 200 routes to {sorted(routes)} only, not {upstreams}")


def _browser_on(server: harness.Server, front: str, route: str) -> Page:
    page = server.page()
    page.context.add_cookies([{"name": "dti_route", "value": route, "url": front}])
    return page


def test_an_edit_through_one_app_process_shows_in_the_other_at_the_next_click(
        server: harness.Server, tmp_path: Path) -> None:
    """Two app processes on one database behind the documented nginx site: a viewer on one
    process has the Inventory open (its results cached there) when an analyst on the other
    renames a process; the viewer's next click shows the new name, because the revision that
    keys every cached result lives in the database."""
    if nginx_missing() is not None:
        pytest.skip(nginx_missing())
    new_name = "Renamed through the other app process"
    with harness.running_app(server.database_url, log=tmp_path / "second.log") as second:
        upstreams = [urlparse(server.base).netloc, urlparse(second).netloc]
        with behind_nginx(upstreams, site=_site_naming_the_upstream) as front:
            routes = _route_to_each(front, upstreams)
            reader = _browser_on(server, front, routes[upstreams[0]])
            harness.sign_in(reader, front, "vic", server.passwords["vic"], "inventory")
            search = reader.get_by_role("textbox", name="Search")
            search.fill(new_name)
            search.press("Enter")
            reader.get_by_text("0 process(es) match.").wait_for()

            writer = _browser_on(server, front, routes[upstreams[1]])
            harness.sign_in(writer, front, "ana", server.passwords["ana"],
                            "inventory?process=HR-REC")
            writer.get_by_role("tab", name="Edit").click()
            form = writer.get_by_test_id("stForm").filter(has_text="Save changes")
            form.get_by_role("textbox", name="Name", exact=True).fill(new_name)
            form.get_by_role("button", name="Save changes").click()
            writer.get_by_role("heading", name=f"HR-REC · {new_name}").wait_for()

            search.fill(new_name.lower())  # the viewer's next click
            search.press("Enter")
            reader.get_by_text("1 process(es) match.").wait_for()
            server.shot(reader, "two-app-processes-reader")
            reader.context.close()
            writer.context.close()
    catalogue = server.catalogue()
    try:
        assert catalogue.process("HR-REC").record["name"] == new_name
    finally:
        catalogue.engine.dispose()
