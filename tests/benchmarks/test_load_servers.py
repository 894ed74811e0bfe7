"""nginx in front of several app processes for the load benchmark keeps each session on one
process and spreads sessions over all of them, although every simulated user comes from
127.0.0.1. Two small HTTP servers that answer with their own name stand for the apps."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.proxy import behind_nginx, nginx_missing


def _named_server(name: str) -> ThreadingHTTPServer:
    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def proxy() -> Iterator[str]:
    if (missing := nginx_missing()) is not None:
        pytest.skip(missing)
    apps = [_named_server("one"), _named_server("two")]
    try:
        with behind_nginx([f"127.0.0.1:{app.server_address[1]}" for app in apps]) as base:
            yield base
    finally:
        for app in apps:
            app.shutdown()


def _get(url: str, cookie: str | None = None) -> tuple[str, str | None, str | None]:
    """(which app answered, the route cookie set, the X-Frame-Options header)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return (answer.read().decode(), answer.headers.get("Set-Cookie"),
                answer.headers.get("X-Frame-Options"))


def test_new_sessions_spread_and_each_stays_on_its_app(proxy: str) -> None:
    first_answers = [_get(f"{proxy}/") for _ in range(40)]
    assert {app for app, _, _ in first_answers} == {"one", "two"}
    for app, cookie, frames in first_answers[:10]:
        assert cookie is not None and cookie.startswith("dti_route=")
        assert frames == "DENY"  # the documented security headers are still sent
        route = cookie.split(";")[0]
        assert {_get(f"{proxy}/_stcore/health", route)[0] for _ in range(5)} == {app}
