"""The apps the load benchmark (:mod:`benchmarks.load`) measures: one app process on SQLite, or
one or more app processes behind nginx on one PostgreSQL database, each with viewer accounts
and an inventory of a chosen size (:mod:`benchmarks.inventory_databases`).

Sticky sessions: a Streamlit session lives in the process that opened it, so nginx must keep
every request of a session on one process. The documented site (``docs/nginx/dti.conf``), used
here as it is, hashes on a cookie nginx sets itself on the first answer (``dti_route``, a random
request id), so a browser stays on one process from its first request although every simulated
user comes from 127.0.0.1; a client without cookies, like the protocol client's bare WebSocket,
is placed by the id of its own request and stays there for the socket's life. Both spread
sessions evenly (``hash ... consistent``, nginx's ketama hashing).
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.inventory_databases import sqlite_copy
from tests.e2e.harness import create_accounts, running_app
from tests.e2e.proxy import behind_nginx, site_for


@dataclass(frozen=True)
class Servers:
    base: str  # where the users connect: the app, or nginx in front of the apps
    accounts: list[tuple[str, str]]
    ports: list[str]  # of the app processes, to find them and read their CPU time


def viewers(database_url: str, users: int, password: str) -> list[tuple[str, str]]:
    """One viewer account per user (``load00``, ``load01``...), all with ``password``."""
    names = [f"load{n:02d}" for n in range(users)]
    create_accounts(database_url, {name: ("viewer", password) for name in names})
    return [(name, password) for name in names]


@contextmanager
def sqlite_server(users: int, password: str, processes: int, seed: int) -> Iterator[Servers]:
    """One app process on a fresh copy of the SQLite inventory of ``processes``."""
    with sqlite_copy(processes, seed) as url, \
            tempfile.TemporaryDirectory(prefix="dti-load-") as folder:
        accounts = viewers(url, users, password)
        with running_app(url, log=Path(folder) / "streamlit.log") as base:
            yield Servers(base, accounts, [str(urlsplit(base).port)])


@contextmanager
def servers_behind_nginx(database_url: str, count: int, accounts: list[tuple[str, str]]
                         ) -> Iterator[Servers]:
    """``count`` app processes on ``database_url`` (sharing one cookie secret, as the README
    asks) behind nginx with sticky sessions."""
    environment = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dti-load-")))
        bases = [stack.enter_context(running_app(
            database_url, env=environment, log=folder / f"streamlit-{n}.log"))
            for n in range(count)]
        front = stack.enter_context(behind_nginx([urlsplit(b).netloc for b in bases],
                                                 site=site_for))
        yield Servers(front, accounts, [str(urlsplit(b).port) for b in bases])
