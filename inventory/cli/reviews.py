"""``dti review``: review rounds, in which process owners confirm their processes.

Registered on the ``dti`` application by :mod:`inventory.cli`. One service call per command
(:class:`inventory.services.reviews.ReviewBook`), which checks the role and the input. The
operator is the person :func:`inventory.cli.shell.actor` names (``--actor``, ``$DTI_ACTOR`` or
the login name), acting as admin like every command: ``confirm`` therefore confirms on the
owner's behalf when the operator is not the owner, and ``--mine`` lists the processes of the
owner the operator's account answers for (``dti user set-owner`` links it).

Conventions: dates are ``YYYY-MM-DD``; in JSON, ``empty_fields`` is a list, in the order of
:data:`inventory.review_schemas.REVIEWABLE_FIELDS`; ``--set FIELD=VALUE`` is repeatable and
an empty value clears the field.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from inventory.cli import shell
from inventory.cli.shell import Format, FormatOption
from inventory.errors import InvalidInput

review_app = shell.command_group(
    "Review rounds: owners confirm their processes. request, rounds (analysts), list, confirm, "
    "completeness.")

LIST_KEYS = ["code", "name", "unit", "owner", "round", "due", "status", "confirmed_by",
             "confirmed_at", "overdue", "empty_fields"]
"""The fields of ``dti review list --format json``, in order."""
LIST_TABLE = ["round", "due", "code", "status", "overdue", "owner", "filled", "name"]
ROUNDS_TABLE = ["code", "scope", "scope_value", "due", "requests", "confirmed", "on_time",
                "overdue", "requested_by"]
COMPLETENESS_TABLE = ["unit", "processes", "filled_share", "requested", "confirmed", "on_time",
                      "overdue", "unit_name"]


def _with_list(record: dict[str, Any]) -> dict[str, Any]:
    value = record["empty_fields"]
    return record | {"empty_fields": [] if value is None else str(value).split("; ")}


@review_app.command("request")
def request(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", metavar="YYYY-MM-DD",
                                    help="The date the owners are to confirm by.")],
    unit: Annotated[str | None, typer.Option(
        "--unit", metavar="CODE", help="Ask the owners of this unit's processes.")] = None,
    pillar: Annotated[str | None, typer.Option(
        "--pillar", help="Ask the owners of this pillar's processes.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Ask the owners of every process.")
                     ] = False,
    note: Annotated[str | None, typer.Option("--note", help="A note to the owners.")] = None,
) -> None:
    """Ask the owners of a unit's, a pillar's or every process (live, not retired) to review
    them by a date (analysts and admins); a process already waiting in an open review is not
    asked twice."""
    scopes = {"unit": unit, "pillar": pillar, "all": "" if every else None}
    chosen = [(scope, value) for scope, value in scopes.items() if value is not None]
    if len(chosen) != 1:
        raise InvalidInput("give exactly one of --unit CODE, --pillar PILLAR or --all")
    scope, value = chosen[0]
    record = shell.catalogue(ctx).reviews.request(scope, value or None, by, shell.actor(ctx),
                                                  note=note)
    where = "the inventory" if scope == "all" else f"the {scope} {record['scope_value']}"
    skipped = (f"; {record['skipped']} skipped, already waiting in an open review"
               if record["skipped"] else "")
    typer.echo(f"Asked for {record['code']}: {record['requests']} process(es) of {where} to "
               f"review by {record['due']:%Y-%m-%d}{skipped}.")


@review_app.command("rounds")
def rounds(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Every review round with its progress: requests, confirmed, on time, overdue."""
    shell.emit(shell.catalogue(ctx).reviews.rounds(), fmt, ROUNDS_TABLE)


@review_app.command("list")
def list_requests(
    ctx: typer.Context,
    mine: Annotated[bool, typer.Option(
        "--mine", help="Only the processes of the owner your account answers for.")] = False,
    round: Annotated[str | None, typer.Option(
        "--round", metavar="CODE", help="Only this round (REV-0001).")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="Only this status: requested or confirmed.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Review requests by round and process, with the reviewable fields still empty."""
    book = shell.catalogue(ctx).reviews
    owner = None
    if mine:
        operator = shell.actor(ctx)
        owner = book.owner_title(operator)
        if owner is None:
            raise InvalidInput(f"{operator.name} answers for no process owner: "
                               f"`dti user set-owner {operator.name} \"TITLE\"` links the "
                               "account to one")
    frame = book.list_requests(round=round, owner_title=owner, status=status)
    if fmt is Format.json:
        typer.echo(json.dumps([_with_list(record) for record in
                               shell.jsonable(frame[LIST_KEYS])], indent=2, ensure_ascii=False))
        return
    shell.emit(frame, fmt, LIST_TABLE)


@review_app.command("confirm")
def confirm(
    ctx: typer.Context, code: str,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", metavar="FIELD=VALUE",
        help="Fill or change a field first (repeatable); an empty value clears it.")] = None,
    expect_version: Annotated[int | None, typer.Option(
        "--expect-version", help="Refuse if the process changed since this version.")] = None,
) -> None:
    """Confirm a process's open review, saving the fields given first: the request is
    confirmed, and a draft or in-review process becomes validated."""
    record = shell.catalogue(ctx).reviews.confirm(code, shell.actor(ctx), shell.pairs(sets),
                                                  expect_version)
    timing = "on time" if record["on_time"] else "after the due date"
    empty = record["empty_fields"]
    typer.echo(f"Confirmed {record['code']} for {record['round']} ({timing}); it is "
               f"{record['lifecycle']} (version {record['version']})."
               + (f" Still empty: {empty.replace('; ', ', ')}." if empty else ""))


@review_app.command("completeness")
def completeness(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Per unit: processes (live, not retired), the share of reviewable fields filled, and
    their review requests: requested, confirmed, confirmed on time, overdue."""
    frame = shell.catalogue(ctx).reviews.completeness()
    if fmt is Format.table:
        frame = frame.assign(filled_share=[f"{share:.0%}" for share in frame["filled_share"]])
    shell.emit(frame, fmt, COMPLETENESS_TABLE)
