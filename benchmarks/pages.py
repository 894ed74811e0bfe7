"""How long every page of the app takes at the size of a real organisation.

For each size in ``--sizes`` (85 is the sample inventory; any other size is the generated
inventory of :mod:`benchmarks.inventory_generator`), the SQLite database is built once and kept
(:mod:`benchmarks.inventory_databases`). Then each page of the app's navigation
(``views/navigation.py``, all of them for an admin) is timed on its own copy of that database,
in a Streamlit session of its own (AppTest) in a process of its own
(:mod:`benchmarks.page_session`), so that nothing an earlier page computed or cached is reused:

* ``first``: the page opened for the first time;
* ``rerun``: the same page again, nothing changed;
* ``weight`` (Prioritise only): one weight slider moved, the rerun that follows;
* ``changed``: one process edited through the services, then the page again;
* ``rated``: one assessment's value changed through the services, then the page again (the
  assessments, 170,000 at 10,000 processes, are read again).

Printed: seconds per page and step at each size, and the ratio to the sample. A figure over its
target is marked ``!``. The targets (issue 14): a rerun, the weight change included, under
0.3 s at 2,000 processes and 1 s at 10,000; the first render after a change under 1 s at
2,000 and 3 s at 10,000, except on Portfolio and Robustness, whose simulations may take longer.
The first render has no target. A step that takes longer than ``--timeout`` is stopped and
shown as ``> N s``; the page's later steps are then not measured (``-``).

Usage::

    python -m benchmarks.pages                                  # 85 and 2,000 processes
    python -m benchmarks.pages --sizes 85,2000,10000 --timeout 60
    python -m benchmarks.pages --sizes 2000 --pages Prioritise,Overview
"""

from __future__ import annotations

import argparse
import queue
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from benchmarks.inventory_databases import SAMPLE_SIZE, cached_sqlite, sqlite_copy
from views.navigation import PAGES, PageEntry

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("first", "rerun", "weight", "changed", "rated")
START_SECONDS = 300.0  # the child's own start-up: imports, sign-in, the Users page
RERUN_TARGETS = {2000: 0.3, 10000: 1.0}
CHANGED_TARGETS = {2000: 1.0, 10000: 3.0}
SIMULATING = {"Portfolio", "Robustness"}  # may take longer than CHANGED_TARGETS


@dataclass
class Figure:
    """One step's outcome: seconds, or why there are none (``> 60 s``, ``failed``, ``-``)."""

    seconds: float | None = None
    note: str = "-"

    def text(self, target: float | None) -> str:
        if self.seconds is None:
            return self.note
        over = target is not None and self.seconds > target
        return f"{self.seconds:.2f}{' !' if over else ''}"


def steps_for(page: PageEntry) -> list[str]:
    return [step for step in STEPS if step != "weight" or page.title == "Prioritise"]


def target(page: PageEntry, step: str, size: int) -> float | None:
    if step in ("rerun", "weight"):
        return RERUN_TARGETS.get(size)
    if step in ("changed", "rated") and page.title not in SIMULATING:
        return CHANGED_TARGETS.get(size)
    return None


def _lines(stream: object, into: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line.strip())
    into.put(None)


def measure(database_url: str, page: PageEntry, timeout: float) -> dict[str, Figure]:
    """Run :mod:`benchmarks.page_session` on ``page`` and collect its steps, stopping it when
    one step takes longer than ``timeout`` seconds. The child's log is kept (and named) only
    when the session failed."""
    figures = {step: Figure() for step in steps_for(page)}
    with tempfile.NamedTemporaryFile(prefix="dti-page-", suffix=".log", delete=False) as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.page_session", database_url, page.path],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    answers: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(child.stdout, answers), daemon=True).start()
    waiting, limit, failed = "start", START_SECONDS, False
    try:
        while True:
            try:
                answer = answers.get(timeout=limit)
            except queue.Empty:
                if waiting in figures:
                    figures[waiting].note = f"> {timeout:g} s"
                else:
                    failed = True
                    print(f"  {page.title}: no start within {START_SECONDS:g} s ({log.name})")
                return figures
            if answer is None:
                failed = True
                if waiting in figures:
                    figures[waiting].note = "failed"
                print(f"  {page.title}: the session ended at {waiting} ({log.name})")
                return figures
            word, _, rest = answer.partition(" ")
            if word == "READY":
                waiting, limit = steps_for(page)[0], timeout
            elif word == "STEP":
                step, seconds = rest.split()
                figures[step].seconds = float(seconds)
                done = steps_for(page).index(step)
                if done + 1 == len(figures):
                    return figures
                waiting = steps_for(page)[done + 1]
            elif word == "FAILED":
                step, _, message = rest.partition(" ")
                figures.get(step, Figure()).note = "failed"
                failed = True
                print(f"  {page.title}: {step} failed: {message} ({log.name})")
                return figures
    finally:
        child.kill()
        child.wait()
        if not failed:
            Path(log.name).unlink(missing_ok=True)


def report(results: dict[int, dict[str, dict[str, Figure]]], pages: list[PageEntry]) -> None:
    sizes = list(results)
    others = [size for size in sizes if size != SAMPLE_SIZE] if SAMPLE_SIZE in sizes else []
    header = (f"{'page':<13}{'step':<9}" + "".join(f"{f'{s:,}':>11}" for s in sizes)
              + "".join(f"{f'x{s:,}':>10}" for s in others))
    print(f"\nSeconds per page and step, by number of processes (! over the target)\n{header}")
    for page in pages:
        for step in steps_for(page):
            figures = [results[size][page.title][step] for size in sizes]
            row = "".join(f"{f.text(target(page, step, s)):>11}"
                          for s, f in zip(sizes, figures, strict=True))
            sample = results[SAMPLE_SIZE][page.title][step].seconds if others else None
            for size in others:
                seconds = results[size][page.title][step].seconds
                row += (f"{seconds / sample:>9.1f}x" if seconds is not None and sample
                        else f"{'-':>10}")
            print(f"{page.title if step == 'first' else '':<13}{step:<9}{row}")
    print("Targets: rerun and weight change under 0.3 s at 2,000 and 1 s at 10,000; after a "
          "change under 1 s at 2,000 and 3 s at 10,000 (not Portfolio, Robustness).")


def _refuse(message: str) -> NoReturn:
    print(f"Error: {message}", file=sys.stderr)
    raise SystemExit(1)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",")]
    except ValueError:
        _refuse(f"--sizes {text}: give numbers of processes separated by commas, e.g. 85,2000")
    if any(size < 3 for size in sizes):
        _refuse(f"--sizes {text}: every size needs at least 3 processes")
    return sizes


def _pages(text: str | None) -> list[PageEntry]:
    if text is None:
        return list(PAGES)
    titles = {page.title.lower(): page for page in PAGES}
    wanted = [part.strip().lower() for part in text.split(",")]
    unknown = [name for name in wanted if name not in titles]
    if unknown:
        _refuse(f"--pages: no page {', '.join(unknown)}; the pages are "
                f"{', '.join(page.title for page in PAGES)}")
    return [titles[name] for name in wanted]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default=f"{SAMPLE_SIZE},2000",
                        help=f"numbers of processes (default {SAMPLE_SIZE},2000)")
    parser.add_argument("--pages", help="page titles separated by commas (default: every page)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds one step may take before it is stopped (default 120)")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    sizes, pages = _sizes(options.sizes), _pages(options.pages)
    if options.timeout <= 0:
        _refuse(f"--timeout {options.timeout:g}: give a number of seconds above 0")
    results: dict[int, dict[str, dict[str, Figure]]] = {}
    for size in sizes:
        print(f"{size:,} processes: database {cached_sqlite(size, options.seed)}", flush=True)
        results[size] = {}
        for page in pages:
            with sqlite_copy(size, options.seed) as url:
                figures = results[size][page.title] = measure(url, page, options.timeout)
            print(f"  {page.title}: " + ", ".join(
                f"{step} {figure.text(None)}" for step, figure in figures.items()), flush=True)
    report(results, pages)


if __name__ == "__main__":
    main()
