"""``dti initiative report``: the transformation roadmap's status report written to a file.

The file's extension says what is written (:mod:`inventory.files.roadmap_report`): ``.xlsx``
the workbook (dashboard with charts, annex, due list, obstacles, every initiative and
deliverable, timeline, README), ``.html`` one self-contained page for the Council document,
``.csv`` the initiatives (and ``NAME-deliverables.csv`` beside it) and ``.json`` the
initiatives with their deliverables. An existing file is never replaced without ``--force``;
a refused request writes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from inventory.cli import shell
from inventory.errors import InvalidInput
from inventory.files.roadmap_report import (
    deliverables_csv,
    initiatives_csv,
    report_html,
    report_workbook,
    roadmap_json,
)
from inventory.roadmap_schemas import InitiativeStatus
from inventory.schemas import Choice, Pillar, PriorityArea, parse_choice

SUFFIXES = (".xlsx", ".html", ".csv", ".json")

FilterOption = Annotated[list[str] | None, typer.Option(
    help="Only initiatives with this value (repeat for any of several).")]


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"--as-of '{text}' is not a date: write it YYYY-MM-DD, for example "
                           "2026-06-30") from None


def _words(option: str, kind: type[Choice], values: list[str] | None) -> list[str]:
    """The machine words of ``values`` (a value, label or synonym of ``kind`` each)."""
    try:
        return [parse_choice(kind, value).value for value in values or []]
    except ValueError as error:
        raise InvalidInput(f"{option} {error}") from None


def _targets(out: Path) -> list[Path]:
    """The files ``out`` stands for: one, or for CSV the initiatives and the deliverables."""
    if out.suffix.lower() == ".csv":
        return [out, out.with_name(f"{out.stem}-deliverables{out.suffix}")]
    return [out]


def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="FILE.xlsx (workbook), FILE.html (one page for the Council "
                            "document), FILE.csv (initiatives, and FILE-deliverables.csv) or "
                            "FILE.json.")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="YYYY-MM-DD",
        help="The day the report speaks of: what is due and overdue. Default: today (UTC).")
    ] = None,
    pillar: FilterOption = None,
    priority_area: FilterOption = None,
    status: FilterOption = None,
    tag: FilterOption = None,
    title: Annotated[str, typer.Option(help="The report's title.")] =
        "Transformation roadmap: status report",
    force: Annotated[bool, typer.Option(help="Replace a file that already exists.")] = False,
) -> None:
    """Write the roadmap's status report: dashboard, annex by C26 and PP-26, due list and
    obstacles."""
    if out.suffix.lower() not in SUFFIXES:
        raise InvalidInput(f"cannot write the report to '{out.name}': name the file .xlsx, "
                           ".html, .csv or .json")
    targets = _targets(out)
    taken = [str(path) for path in targets if path.exists()]
    if taken and not force:
        raise InvalidInput(f"{' and '.join(taken)} already exist{'s' if len(taken) == 1 else ''};"
                           " choose another name or add --force to replace it")
    filters = {"pillar": _words("--pillar", Pillar, pillar),
               "priority_area": _words("--priority-area", PriorityArea, priority_area),
               "status": _words("--status", InitiativeStatus, status),
               "tag": [t.strip().lower() for t in tag or [] if t.strip()]}
    today = _day(as_of)
    book = shell.catalogue(ctx).initiatives
    board = book.dashboard(today, **{k: v for k, v in filters.items() if v})
    who = shell.actor(ctx).name
    suffix = out.suffix.lower()
    contents: list[bytes]
    if suffix == ".xlsx":
        contents = [report_workbook(board, book.count_over_time(), title=title,
                                    generated_by=who)]
    elif suffix == ".html":
        contents = [report_html(board, book.count_over_time(), title=title,
                                generated_by=who).encode("utf-8")]
    elif suffix == ".json":
        contents = [roadmap_json(board.initiatives, board.deliverables).encode("utf-8")]
    else:
        contents = [initiatives_csv(board.initiatives), deliverables_csv(board.deliverables)]
    for path, data in zip(targets, contents, strict=True):
        try:
            path.write_bytes(data)
        except OSError as error:
            raise InvalidInput(f"cannot write {path}: {error.strerror}") from None
    typer.echo(f"Wrote the roadmap report of {len(board.initiatives)} initiatives "
               f"(as of {board.today.isoformat()}) to {' and '.join(map(str, targets))}.")
