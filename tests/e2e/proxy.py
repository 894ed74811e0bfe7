"""nginx from the distribution in front of a running app, with the site file the README
documents (docs/nginx/dti.conf): only its listen line and upstream servers are changed here."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.harness import ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "docs" / "nginx" / "dti.conf"


def nginx_missing() -> str | None:
    if not Path(NGINX).exists():
        return "no nginx: install the distribution's (apt-get install nginx) to test the proxy"
    return None


def site_for(upstreams: list[str], port: int) -> str:
    """The documented site, listening on ``port`` over plain HTTP, in front of ``upstreams``
    (``127.0.0.1:PORT`` each)."""
    site = SITE.read_text()
    servers = "".join(f"    server {address};\n" for address in upstreams)
    site = re.sub(r"(upstream dti \{\n    hash [^\n]+;\n)(?:    server [^\n]+\n)+",
                  lambda match: match.group(1) + servers, site)
    return site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")


@contextmanager
def behind_nginx(upstreams: list[str],
                 site: Callable[[list[str], int], str] = site_for) -> Iterator[str]:
    """Run nginx with the documented site (or the one ``site`` makes for the upstreams and a
    port) in front of ``upstreams``; yield its base URL."""
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="dti-nginx-"))
    (folder / "dti.conf").write_text(site(upstreams, port))
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\ndaemon off;\n"
        "events {}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {folder};\n"
        f"  proxy_temp_path {folder};\n  include {folder}/dti.conf;\n}}\n")
    process = subprocess.Popen([NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _wait(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"nginx exited: {error}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nginx did not answer on {base}")
