"""Many people using the app at once: concurrent sessions against one Streamlit server.

Every simulated user signs in through the sign-in form, then repeats for a fixed time:

1. open the Inventory page,
2. search for a word (the table is filtered on the server),
3. clear the search,
4. open the Overview page (three charts).

Each step is one script rerun. Two kinds of client:

* ``--client protocol`` (default): each user is a WebSocket session speaking Streamlit's own
  protocol, as the browser's frontend does (protobuf ``BackMsg`` rerun requests with the widget
  values, ``ForwardMsg`` answers). Latency runs from the request to the server's "script
  finished" message; every step also checks what came back (the navigation after signing in,
  the count of processes shown after a search). Nothing is drawn, so the figures are the
  server's own, even when the measuring machine is small.
* ``--client browser``: each user is a Playwright browser context in one shared Debian
  Chromium, clicking and typing; latency runs from the action until the expected result is on
  screen and Streamlit's "running" indicator has gone. The browser draws every page of every
  user on the same machine as the server, so on a small machine it measures Chromium as much
  as the app.

Each user clicks without pause (every user's first click in the same instant: a burst), or
with ``--think S`` pauses between clicks drawn evenly between half and one and a half times S
seconds (people read a page before clicking again); then each user's first click also waits a
pause drawn evenly between 0 and S seconds, as people do not all click at the same moment.

Printed: reruns per second, p50/p95/max latency for ``--users`` sessions and for one user alone
(the baseline), their ratio, the bytes a rerun sends back, and the server processes' CPU use
when this script started the servers (100% is one core busy).

The app this script starts holds the sample inventory (85 processes) or, with
``--processes N``, the generated inventory of :mod:`benchmarks.inventory_generator`. With
``--servers 2`` the same load runs twice on one new PostgreSQL database (``--postgres``): on one
app process, then on two behind nginx with sticky sessions (:mod:`benchmarks.load_servers`),
and the figures are printed side by side.

Usage::

    python -m benchmarks.load                      # 25 users, 60 s, own server on the sample
    python -m benchmarks.load --users 10 --duration 30 --client browser
    python -m benchmarks.load --url http://host:8501 --user NAME --password SECRET
    python -m benchmarks.load --processes 2000 --think 5 --servers 2

With ``--url`` every session signs in as the same account (``--user``/``--password`` or
``DTI_LOAD_USER``/``DTI_LOAD_PASSWORD``); otherwise one viewer account per user is created in
a fresh database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

from sqlalchemy.exc import OperationalError

from benchmarks.inventory_databases import SAMPLE_SIZE, postgres_database
from benchmarks.load_servers import Servers, servers_behind_nginx, sqlite_server, viewers
from tests.e2e.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RUNNING,
    SIGNED_IN,
    browser_missing,
)
from tests.e2e.proxy import nginx_missing

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

PASSWORD = "load-test-password"
STEP_SECONDS = 120.0  # a step slower than this counts as an error
STEPS = ["open Inventory", "search", "clear search", "open Overview"]
SHOWN = "process(es) match"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Result:
    users: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    sign_ins: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    received: int = 0  # bytes, protocol client only
    server_cpu: float | None = None

    @property
    def all(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]

    @property
    def per_second(self) -> float:
        return len(self.all) / self.seconds if self.seconds else 0.0


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (NaN for no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Client(Protocol):
    async def sign_in(self, username: str, password: str) -> None: ...
    async def step(self, label: str, search: str) -> None: ...
    async def close(self) -> None: ...


class ProtocolClient:
    """One Streamlit session over its WebSocket, as the frontend speaks it."""

    def __init__(self, base: str) -> None:
        self.url = base.replace("http", "ws", 1) + "/_stcore/stream"
        self.widgets: dict[str, str] = {}  # label -> widget id
        self.pages: dict[str, str] = {}  # page name -> page script hash
        self.texts: list[str] = []  # markdown bodies of the last run
        self.page = ""
        self.total = ""
        self.received = 0
        self.socket: Any = None

    async def rerun(self, page: str = "", **values: Any) -> None:
        """Ask for a rerun of ``page`` with widget values (by label: a string, or True for a
        button) and read the answer until the run finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if self.socket is None:
            import websockets

            self.socket = await websockets.connect(self.url, subprotocols=["streamlit"],
                                                   max_size=None, open_timeout=STEP_SECONDS)
        message = BackMsg()
        state = message.rerun_script
        state.query_string, state.page_script_hash = "", page
        for label, value in values.items():
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[label]
            if value is True:
                widget.trigger_value = True
            else:
                widget.string_value = value
        await self.socket.send(message.SerializeToString())
        self.texts = []
        while True:
            data = await asyncio.wait_for(self.socket.recv(), STEP_SECONDS)
            self.received += len(data)
            answer = ForwardMsg()
            answer.ParseFromString(data)
            kind = answer.WhichOneof("type")
            if kind == "delta" and answer.delta.WhichOneof("type") == "new_element":
                element = answer.delta.new_element
                shown = getattr(element, element.WhichOneof("type"))
                if element.WhichOneof("type") == "markdown":
                    self.texts.append(shown.body)
                elif getattr(shown, "id", "") and hasattr(shown, "label"):
                    self.widgets[shown.label] = shown.id
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash
                              for p in answer.navigation.app_pages}
            elif kind == "script_finished" and answer.script_finished in (
                    ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                if answer.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError("the page failed to compile")
                return

    def said(self, part: str) -> str:
        found = [text for text in self.texts if part in text]
        if not found:
            raise RuntimeError(f"the page did not show {part!r}: {self.texts[:5]}")
        return found[0]

    async def sign_in(self, username: str, password: str) -> None:
        await self.rerun()
        await self.rerun(**{"User name": username, "Password": password, "Sign in": True})
        self.said(SIGNED_IN)
        if "Inventory" not in self.pages:
            raise RuntimeError(f"no Inventory page after signing in: {sorted(self.pages)}")

    async def step(self, label: str, search: str) -> None:
        if label == "open Inventory":
            await self.rerun(self.pages["Inventory"])
            self.total = self.said(SHOWN)
        elif label == "search":
            await self.rerun(self.pages["Inventory"], Search=search)
            if self.said(SHOWN) == self.total:
                raise RuntimeError(f"searching {search!r} did not filter: {self.total}")
        elif label == "clear search":
            await self.rerun(self.pages["Inventory"], Search="")
            if self.said(SHOWN) != self.total:
                raise RuntimeError(f"clearing the search shows {self.said(SHOWN)}")
        else:
            await self.rerun(self.pages["Overview"])
            self.said("Start here")

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


class BrowserClient:
    """One browser context (own cookies, own Streamlit session) in the shared Chromium."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.page: Page | None = None
        self.total = ""
        self.received = 0

    async def sign_in(self, username: str, password: str) -> None:
        context = await self.browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(STEP_SECONDS * 1000)
        self.page = page = await context.new_page()
        await page.goto(self.base, wait_until="commit")
        name = page.get_by_role("textbox", name="User name")
        await name.fill(username)
        await page.get_by_role("textbox", name="Password").fill(password)
        await page.get_by_role("button", name="Sign in", exact=True).click()
        await page.get_by_text(SIGNED_IN).wait_for()
        await page.get_by_role("heading", name="Overview", level=1).wait_for()
        await self.settled()

    async def settled(self) -> None:
        assert self.page is not None
        await self.page.wait_for_selector(RUNNING, state="detached")

    async def go(self, title: str) -> None:
        assert self.page is not None
        await self.page.locator("[data-testid='stSidebarNav']").get_by_role(
            "link", name=title, exact=True).click()
        await self.page.get_by_role("heading", name=title, level=1).wait_for()

    async def caption(self, wanted: str | None, unlike: str | None) -> str:
        """Wait for the table's caption to read ``wanted`` (or anything but ``unlike``)."""
        assert self.page is not None
        handle = await self.page.wait_for_function(
            """([shown, wanted, unlike]) => {
                 const text = [...document.querySelectorAll(
                     '[data-testid="stCaptionContainer"]')]
                   .map(e => e.innerText.trim()).find(t => t.includes(shown));
                 if (!text) return false;
                 const ok = wanted !== null ? text === wanted : text !== unlike;
                 return ok ? text : false;
               }""", arg=[SHOWN, wanted, unlike])
        return str(await handle.json_value())

    async def search(self, text: str) -> None:
        assert self.page is not None
        box = self.page.get_by_role("textbox", name="Search", exact=True)
        await box.fill(text)
        await box.press("Enter")

    async def step(self, label: str, search: str) -> None:
        assert self.page is not None
        if label == "open Inventory":
            await self.go("Inventory")
            self.total = await self.caption(None, None)
        elif label == "search":
            await self.search(search)
            await self.caption(None, self.total)
        elif label == "clear search":
            await self.search("")
            await self.caption(self.total, None)
        else:
            await self.go("Overview")
            await self.page.get_by_test_id("stMetric").first.wait_for()
        await self.settled()

    async def close(self) -> None:
        if self.page is not None:
            await self.page.context.close()


async def user(number: int, client: Client, account: tuple[str, str], search: str,
               signing_in: asyncio.Semaphore, start: asyncio.Event, stop_at: list[float],
               result: Result, think: float) -> None:
    label = "sign-in"
    pauses = random.Random(number)
    try:
        async with signing_in:
            began = time.perf_counter()
            await asyncio.wait_for(client.sign_in(*account), STEP_SECONDS)
            result.sign_ins.append(time.perf_counter() - began)
        await start.wait()
        if think:  # people do not all click in the same instant: each starts after a pause
            await asyncio.sleep(pauses.uniform(0.0, think))
        while time.perf_counter() < stop_at[0]:
            for label in STEPS:
                if time.perf_counter() >= stop_at[0]:
                    break
                began = time.perf_counter()
                await asyncio.wait_for(client.step(label, search), STEP_SECONDS)
                result.latencies[label].append(time.perf_counter() - began)
                if think:
                    await asyncio.sleep(pauses.uniform(0.5 * think, 1.5 * think))
    except Exception as error:  # counted and printed, never hidden
        result.errors.append(f"user {number} {label}: {type(error).__name__}: {error}"[:300])
    finally:
        result.received += getattr(client, "received", 0)
        await client.close()


async def run(base: str, kind: str, users: int, seconds: float,
              accounts: list[tuple[str, str]], search: str, pids: list[int],
              think: float = 0.0) -> Result:
    """``users`` sessions sign in (browsers a few at a time), then all rerun for ``seconds``,
    thinking about ``think`` seconds between clicks."""
    result = Result(users, seconds)
    playwright: Any = None
    browser: Any = None
    if kind == "browser":
        from playwright.async_api import async_playwright

        playwright = await async_playwright().start()
        browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                   args=CHROMIUM_ARGS)
    try:
        signing_in = asyncio.Semaphore(4 if kind == "browser" else users)
        start, stop_at = asyncio.Event(), [float("inf")]
        clients: list[Client] = [BrowserClient(browser, base) if kind == "browser"
                                 else ProtocolClient(base) for _ in range(users)]
        tasks = [asyncio.create_task(user(n, client, accounts[n % len(accounts)], search,
                                          signing_in, start, stop_at, result, think))
                 for n, client in enumerate(clients)]
        while len(result.sign_ins) + len(result.errors) < users:  # everyone signed in
            await asyncio.sleep(0.1)
        received_before = sum(getattr(c, "received", 0) for c in clients)
        cpu_before = cpu_seconds(pids)
        began = time.perf_counter()
        stop_at[0] = began + seconds
        start.set()
        await asyncio.gather(*tasks)
        result.seconds = time.perf_counter() - began  # the last steps end after the bell
        cpu_after = cpu_seconds(pids)
        result.received -= received_before
        if cpu_before is not None and cpu_after is not None:
            result.server_cpu = (cpu_after - cpu_before) / result.seconds
    finally:
        if browser is not None:
            await browser.close()
            await playwright.stop()
    return result


def cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU time of the processes together (Linux /proc), or None."""
    if not pids:
        return None
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def server_pid(port: str) -> int | None:
    """The streamlit process serving ``port`` (Linux /proc), or None."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"streamlit" in part for part in command) and port.encode() in command:
            return int(entry.name)
    return None


def report(results: list[Result]) -> None:
    print(f"{'users':>5} {'seconds':>8} {'reruns':>7} {'reruns/s':>9} {'p50 ms':>8} "
          f"{'p95 ms':>8} {'max ms':>8} {'errors':>6} {'KB/rerun':>9} {'server CPU':>11}")
    for result in results:
        latencies = result.all
        kilobytes = (f"{result.received / len(latencies) / 1024:>9.0f}"
                     if latencies and result.received else f"{'-':>9}")
        cpu = (f"{100 * result.server_cpu:>10.0f}%" if result.server_cpu is not None
               else f"{'-':>11}")
        print(f"{result.users:>5} {result.seconds:>8.1f} {len(latencies):>7} "
              f"{result.per_second:>9.2f} {1000 * percentile(latencies, 0.5):>8.0f} "
              f"{1000 * percentile(latencies, 0.95):>8.0f} "
              f"{1000 * max(latencies, default=float('nan')):>8.0f} {len(result.errors):>6} "
              f"{kilobytes} {cpu}")
    for result in results:
        print(f"{result.users} user(s), by step: p50 ms, p95 ms, count")
        for label, values in result.latencies.items():
            print(f"  {label:<15} {1000 * percentile(values, 0.5):>7.0f} "
                  f"{1000 * percentile(values, 0.95):>7.0f} {len(values):>6}")
        if result.sign_ins:
            print(f"  {'sign-in':<15} {1000 * percentile(result.sign_ins, 0.5):>7.0f} "
                  f"{1000 * percentile(result.sign_ins, 0.95):>7.0f} "
                  f"{len(result.sign_ins):>6}  (before the timed part)")
        for error in result.errors[:10]:
            print(f"  error: {error}")
    if len(results) == 2 and results[0].all and results[1].all:
        alone, many = results
        print(f"{many.users} users against 1: "
              f"throughput x{many.per_second / alone.per_second:.2f}, "
              f"p50 latency x{percentile(many.all, 0.5) / percentile(alone.all, 0.5):.1f}, "
              f"p95 latency x{percentile(many.all, 0.95) / percentile(alone.all, 0.95):.1f}")
    sys.stdout.flush()


def side_by_side(runs: dict[str, list[Result]]) -> None:
    """The figures of each set-up (the last result of each: all users) in columns."""
    labels = list(runs)
    print("\n" + f"{'':<28}" + "".join(f"{label:>14}" for label in labels))

    def line(name: str, value: Any) -> None:
        print(f"{name:<28}" + "".join(f"{value(results):>14}" for results in runs.values()))

    line("users", lambda results: results[-1].users)
    line("reruns/s", lambda results: f"{results[-1].per_second:.2f}")
    for share in (0.5, 0.95):
        line(f"p{share * 100:.0f} ms", lambda results, share=share:
             f"{1000 * percentile(results[-1].all, share):.0f}")
    line("max ms", lambda results: f"{1000 * max(results[-1].all, default=float('nan')):.0f}")
    for label in STEPS:
        line(f"p50 / p95 ms {label}", lambda results, label=label: "{:.0f} / {:.0f}".format(
            *(1000 * percentile(results[-1].latencies[label], s) for s in (0.5, 0.95))))
    line("errors", lambda results: len(results[-1].errors))
    line("server CPU", lambda results: "-" if results[-1].server_cpu is None
         else f"{100 * results[-1].server_cpu:.0f}%")
    line("p50 ms, one user alone", lambda results: "-" if len(results) < 2
         else f"{1000 * percentile(results[0].all, 0.5):.0f}")
    sys.stdout.flush()


def measure(servers: Servers, options: argparse.Namespace) -> list[Result]:
    """The one-user baseline (unless its duration is 0), then every user."""
    pids = [pid for port in servers.ports if (pid := server_pid(port)) is not None]
    pause = f", thinking about {options.think:g} s between clicks" if options.think else ""
    print(f"Load on {servers.base} ({options.client} client, {os.cpu_count()} CPUs, "
          f"{len(servers.ports) or 'unknown'} app process(es)): each user signs in, then opens "
          f"Inventory, searches {options.search!r}, clears the search, opens Overview, and "
          f"again{pause}.", flush=True)
    results = []
    if options.baseline_duration > 0:
        results.append(asyncio.run(run(servers.base, options.client, 1,
                                       options.baseline_duration, servers.accounts,
                                       options.search, pids, options.think)))
    results.append(asyncio.run(run(servers.base, options.client, options.users,
                                   options.duration, servers.accounts, options.search, pids,
                                   options.think)))
    return results


def _behind_nginx(options: argparse.Namespace) -> dict[str, list[Result]]:
    """One app process, then ``--servers`` of them, behind nginx on one new PostgreSQL
    database."""
    runs: dict[str, list[Result]] = {}
    # Every process on one PostgreSQL database shares one server secret (README, "Server
    # secret"); the benchmark's database is dropped at the end, so a throwaway one will do.
    os.environ.setdefault("DTI_SECRET_KEY", secrets.token_hex(32))
    with ExitStack() as stack:
        try:
            url = stack.enter_context(
                postgres_database(options.postgres, options.processes, options.seed))
        except OperationalError as error:
            _refuse(f"--postgres {options.postgres}: cannot create a database there "
                    f"({str(error.orig).strip().splitlines()[0]}); start PostgreSQL or give "
                    "another server's URL")
        accounts = viewers(url, options.users, PASSWORD)
        for count in (1, options.servers):
            with servers_behind_nginx(url, count, accounts) as servers:
                runs[f"{count} server{'s' if count > 1 else ''}"] = measure(servers, options)
    return runs


def _refuse(message: str) -> NoReturn:
    print(f"Error: {message}", file=sys.stderr)
    raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=25)
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of reruns with every user (default 60)")
    parser.add_argument("--baseline-duration", type=float, default=30.0,
                        help="seconds for the one-user baseline (default 30; 0: none)")
    parser.add_argument("--client", choices=["protocol", "browser"], default="protocol")
    parser.add_argument("--url", help="a running app (default: start one)")
    parser.add_argument("--user", default=os.environ.get("DTI_LOAD_USER"))
    parser.add_argument("--password", default=os.environ.get("DTI_LOAD_PASSWORD"))
    parser.add_argument("--search", default="recruit",
                        help="the word searched on the Inventory page (default: recruit)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a user thinks between clicks (default 0: no pause)")
    parser.add_argument("--processes", type=int, default=SAMPLE_SIZE,
                        help=f"processes in the inventory of the app started here (default "
                             f"{SAMPLE_SIZE}: the sample; other sizes are generated)")
    parser.add_argument("--seed", type=int, default=1, help="of the generated inventory")
    parser.add_argument("--servers", type=int, default=1,
                        help="1: one app on SQLite; 2 or more: one app, then this many, behind "
                             "nginx on one PostgreSQL database, side by side")
    parser.add_argument("--postgres", default=os.environ.get("DTI_TEST_POSTGRES_URL", POSTGRES),
                        help="the PostgreSQL server for --servers (a new database is made and "
                             f"dropped on it; default $DTI_TEST_POSTGRES_URL, else {POSTGRES})")
    options = parser.parse_args(argv)
    if options.client == "browser" and (missing := browser_missing()):
        print(f"load benchmark skipped: {missing}")
        return
    if options.url and not (options.user and options.password):
        parser.error("--url needs --user and --password (or DTI_LOAD_USER, DTI_LOAD_PASSWORD)")
    if options.url and (options.processes != SAMPLE_SIZE or options.servers != 1):
        _refuse("--processes and --servers describe the apps this script starts; leave them "
                "out with --url")
    if options.processes < 3 or options.servers < 1 or options.think < 0:
        _refuse(f"--processes {options.processes}, --servers {options.servers}, --think "
                f"{options.think:g}: give at least 3 processes, 1 server and 0 s of thinking")
    if options.servers > 1 and (missing := nginx_missing()):
        print(f"load benchmark skipped: {missing}")
        return
    if options.url:
        runs = {"given app": measure(Servers(options.url.rstrip("/"), [
            (options.user, options.password)], []), options)}
    elif options.servers == 1:
        with sqlite_server(options.users, PASSWORD, options.processes, options.seed) as servers:
            runs = {"1 server": measure(servers, options)}
    else:
        runs = _behind_nginx(options)
    for label, results in runs.items():
        print(f"\n{label}:")
        report(results)
    if len(runs) > 1:
        side_by_side(runs)


if __name__ == "__main__":
    main()
