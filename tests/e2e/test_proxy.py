"""The documented reverse proxy (docs/nginx/dti.conf) in front of the app: the security
headers on every answer, Streamlit's metrics not public, and the app working in Chromium under
the content security policy (no violation reported while a person signs in and opens the pages
with charts and forms)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.e2e import harness
from tests.e2e.proxy import behind_nginx, nginx_missing


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
