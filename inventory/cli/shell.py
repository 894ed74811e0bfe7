"""What every ``dti`` command module shares: the error handling at the edge, output formats,
the catalogue and actor of the current invocation, and printing frames as tables, JSON or CSV.

Kept apart from :mod:`inventory.cli` so that the command modules can use it without importing
the application they are registered on.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from typer.core import TyperGroup

from inventory.access import Actor, Role
from inventory.errors import (
    CatalogueError,
    DatabaseMissing,
    InvalidInput,
    NoScenarioSaved,
    SchemaOutdated,
    SnapshotNotFound,
)
from inventory.files.export import csv_text
from inventory.results import ResultCache, Results
from inventory.services import Catalogue
from scoring.criteria import CriteriaSet
from scoring.errors import ScoringError

HINTS: dict[type[CatalogueError], str] = {
    DatabaseMissing: "run `dti init` first (or `dti init --sample` for the sample inventory)",
    SchemaOutdated: "run `dti init` first (it upgrades the schema and keeps the data)",
    SnapshotNotFound: "`dti scenario snapshots` lists them",
    NoScenarioSaved: "`dti scenario create` saves one",
}
"""The command that cures each kind of refusal: the services word their refusals without
naming commands (a browser user cannot type one), and the command line appends it. Only what
``dti init`` or a listing cures: a database written by a newer version, one whose upgrade
failed or one that cannot be opened gets no hint."""


def refusal_line(error: Exception) -> str:
    """``error``'s text on one line, with the command that cures its kind (:data:`HINTS`),
    unless the text already names a ``dti`` command."""
    text = " ".join(str(error).split())
    hint = next((hint for kind, hint in HINTS.items() if isinstance(error, kind)), None)
    if hint is None or "`dti " in text:
        return text
    return f"{text}; {hint}"


class OneLineErrors(TyperGroup):
    """Turns refused requests into one line and exit status 1, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (CatalogueError, ScoringError) as error:
            typer.echo(f"Error: {refusal_line(error)}", err=True)
            raise typer.Exit(1) from None


def command_group(help_text: str) -> typer.Typer:
    """A group of sub-commands (``dti process ...``): shows its help when called alone."""
    return typer.Typer(help=help_text, no_args_is_help=True, add_completion=False,
                       rich_markup_mode=None, pretty_exceptions_enable=False)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def default_actor() -> str:
    """Who acts when ``--actor`` is not given: ``$DTI_ACTOR``, else the login name."""
    try:
        return os.environ.get("DTI_ACTOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def catalogue(ctx: typer.Context, criteria: CriteriaSet | None = None) -> Catalogue:
    """The catalogue of ``--db``; assessments are checked against ``criteria`` when given,
    else against the tool's criteria set (``$DTI_CRITERIA`` or the default)."""
    return Catalogue.open(ctx.obj["db"], migrate_schema=False, criteria=criteria)


def results(catalogue: Catalogue) -> Results:
    """The derived results of ``catalogue`` (:class:`inventory.results.Results`, what the pages
    read) with a cache of this command's own: a command runs once, and a cache shared between
    commands run in one process (the tests) could answer for a database emptied and written
    again up to the same revision."""
    return Results(catalogue, ResultCache())


def actor(ctx: typer.Context) -> Actor:
    """The operator running this command. The command line is for people who can reach the
    database directly (its file or its URL and password), which is already full control, so it
    acts with the admin role and records the name given (``--actor``, ``$DTI_ACTOR`` or the
    login name) in the audit trail."""
    return Actor(str(ctx.obj["actor"]), Role.admin)


def plain(value: Any) -> Any:
    """A cell as JSON writes it: unknown as null, dates as YYYY-MM-DD, times as ISO 8601."""
    if value is None or (not isinstance(value, str | list | dict) and pd.isna(value)):
        return None
    if isinstance(value, dt.date | dt.datetime):  # pandas Timestamps are datetimes
        return value.isoformat()
    return value.item() if isinstance(value, np.generic) else value


def jsonable(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame`` as a list of JSON-ready records, cells as :func:`plain` writes them."""
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` without control characters (escape sequences would drive the terminal: colours,
    cursor moves, a forged prompt) or bidirectional overrides; line breaks and tabs stay."""
    return CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)


def shorten(value: Any, width: int = 48) -> Any:
    """A table cell: ``value`` as text, :func:`terminal_safe`, cut to ``width`` with an
    ellipsis."""
    shown = plain(value)
    text = terminal_safe("" if shown is None else str(shown))
    return text if len(text) <= width else text[: width - 1] + "…"


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, float], None]]:
    """A progress bar on a terminal's stderr; silent when stderr is a file or a pipe, so that
    a refused request still prints exactly one line there."""
    if not sys.stderr.isatty():
        yield lambda _label, _done: None
        return
    with typer.progressbar(length=100, label=label, file=sys.stderr) as bar:

        def advance(step: str, done: float) -> None:
            bar.label = step
            bar.update(round(done * 100) - bar.pos)

        yield advance


def emit(frame: pd.DataFrame, fmt: Format, table_columns: list[str],
         whole: list[str] | None = None) -> None:
    """Print a frame; in a table, long cells are cut except in the ``whole`` columns."""
    if fmt is Format.json:
        typer.echo(json.dumps(jsonable(frame), indent=2, ensure_ascii=False))
    elif fmt is Format.csv:
        typer.echo(csv_text(frame), nl=False)
    elif frame.empty:
        typer.echo("(none)")
    else:
        cells = {column: [shorten(value, 10_000 if column in (whole or []) else 48)
                          for value in frame[column]] for column in table_columns}
        widths = {column: max(len(column), *(len(cell) for cell in cells[column]))
                  for column in table_columns}
        lines = ["  ".join(column.ljust(widths[column]) for column in table_columns)]
        lines += ["  ".join(cells[column][row].ljust(widths[column])
                            for column in table_columns) for row in range(len(frame))]
        typer.echo("\n".join(line.rstrip() for line in lines))


def pairs(items: list[str] | None, option: str = "--set") -> dict[str, Any]:
    """``FIELD=VALUE`` items of a repeatable ``option`` as a dict; an item without ``=`` or
    without a field is refused."""
    changes: dict[str, Any] = {}
    for item in items or []:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise InvalidInput(f"{option} '{item}' is not FIELD=VALUE")
        changes[field.strip()] = value
    return changes


def given(**options: Any) -> dict[str, Any]:
    """The options that were given (not ``None``)."""
    return {name: value for name, value in options.items() if value is not None}
