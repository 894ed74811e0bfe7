"""``dti case``: cases for change, proposed by any member of staff, endorsed and discussed by
anyone, triaged and merged by analysts.

Registered on the ``dti`` application by :mod:`inventory.cli`. One service call per command
(:class:`inventory.services.cases.CaseBook`), which checks the role and the input: staff,
analysts, leadership and admins propose, endorse and comment; analysts and admins triage and
merge, and record the draft process (``create-process``) or the assessments (``assess``) an
accepted case leads to. The operator is the person :func:`inventory.cli.shell.actor` names
(``--actor``, ``$DTI_ACTOR`` or the login name); ``--mine`` lists the cases that person
proposed.

Conventions: ``--process`` and ``--link`` are repeatable; a process not in the inventory yet is
given with ``--new-process NAME`` (stored as ``new: NAME``); in JSON, ``processes``, ``links``
and ``endorsed_by`` are lists; ``--expect-version`` refuses a triage if someone changed the
case since that version was read.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pandas as pd
import typer

from inventory.case_schemas import NEW_PROCESS
from inventory.cli import shell
from inventory.cli.shell import Format, FormatOption
from inventory.errors import InvalidInput

case_app = shell.command_group(
    "Cases for change from any member of staff: add, list, show, endorse, comment; triage, "
    "merge, and record the process or assessments an accepted case leads to (analysts).")

Items = list[str] | None
LIST_KEYS = ["code", "title", "status", "processes", "endorsements", "proposed_by",
             "priority_area", "status_reason", "merged_into", "initiative", "effort",
             "comments", "version"]
"""The fields of ``dti case list --format json``, in order."""
LIST_TABLE = ["code", "status", "endorsements", "title", "processes", "proposed_by"]
LISTS = ("processes", "links", "endorsed_by")


def _items(value: Any) -> list[str]:
    """A ``"; "``-joined cell as a list (unknown: empty)."""
    return [] if value is None else [item for item in str(value).split("; ") if item]


def _with_lists(record: dict[str, Any]) -> dict[str, Any]:
    return record | {key: _items(record[key]) for key in LISTS if key in record}


@case_app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", help="A short title.")],
    problem: Annotated[str, typer.Option("--problem", help="The problem today.")],
    idea: Annotated[str, typer.Option("--idea", help="What you propose.")],
    process: Annotated[Items, typer.Option(
        "--process", metavar="CODE", help="A process of the inventory it concerns "
                                          "(repeatable).")] = None,
    new_process: Annotated[Items, typer.Option(
        "--new-process", metavar="NAME", help="A process it concerns that the inventory does "
                                              "not hold yet (repeatable).")] = None,
    priority_area: Annotated[str | None, typer.Option(
        "--priority-area", help="member_experience, operational_efficiency or "
                                "staff_empowerment.")] = None,
    benefit: Annotated[str | None, typer.Option("--benefit", help="The benefit expected.")
                       ] = None,
    effort: Annotated[str | None, typer.Option(
        "--effort", help="A rough guess: small, medium or large.")] = None,
    link: Annotated[Items, typer.Option(
        "--link", metavar="URL", help="A link to more (https://…, repeatable).")] = None,
) -> None:
    """Propose a case for change; prints its code and the open cases worded alike."""
    book = shell.catalogue(ctx).cases
    processes = [*(process or []), *(f"{NEW_PROCESS} {name}" for name in new_process or [])]
    data = shell.given(title=title, problem=problem, idea=idea, priority_area=priority_area,
                       benefit=benefit, effort=effort) | {"processes": processes,
                                                          "links": link or []}
    record = book.add(data, shell.actor(ctx))
    typer.echo(f"Proposed {record['code']}: {shell.terminal_safe(record['title'])}")
    alike = book.similar(f"{title} {problem} {idea}", exclude=record["code"])
    if not alike.empty:
        typer.echo("Possible duplicates (endorse or comment on one of them, or ask an analyst "
                   "to merge):")
        for row in alike.itertuples():
            typer.echo(f"  {row.code}  {row.status}  {shell.shorten(row.title, 60)}")


@case_app.command("list")
def list_cases(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(
        "--status", help="Only this status: new, under_review, accepted, merged, declined or "
                         "handed_over.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only the cases you proposed.")] = False,
    process: Annotated[str | None, typer.Option(
        "--process", metavar="CODE", help="Only the cases concerning this process.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Cases by code, with their endorsements."""
    frame = shell.catalogue(ctx).cases.list_cases(
        status=status, proposed_by=shell.actor(ctx).name if mine else None, process=process)
    if fmt is Format.json:
        typer.echo(json.dumps([_with_lists(record) for record in
                               shell.jsonable(frame[LIST_KEYS])], indent=2,
                              ensure_ascii=False))
        return
    shell.emit(frame, fmt, LIST_TABLE)


@case_app.command("show")
def show(ctx: typer.Context, code: str, fmt: FormatOption = Format.table) -> None:
    """One case: its fields, comments and history (newest first)."""
    book = shell.catalogue(ctx).cases
    record = book.get(code)
    comments = pd.DataFrame(record.pop("comments_list"))
    history = book.history(record["code"]).drop(columns=["id", "entity_id"])
    if fmt is Format.csv:
        shell.emit(pd.DataFrame([record]), fmt, [])
        return
    fields = shell.jsonable(pd.DataFrame([record]))[0]
    if fmt is Format.json:
        shown = _with_lists(fields) | {"comments_list": shell.jsonable(comments),
                                       "history": shell.jsonable(history)}
        typer.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    width = max(len(key) for key in fields)
    for key, value in fields.items():
        if value is not None:
            typer.echo(f"{key:<{width}}  {shell.terminal_safe(str(value))}")
    for title, frame, columns in (
            ("Comments", comments, ["created_at", "created_by", "text"]),
            ("History", history, ["at", "actor", "action", "entity", "field", "old_value",
                                  "new_value"])):
        typer.echo(f"\n{title}:")
        shell.emit(frame, Format.table, columns if not frame.empty else [], whole=["text"])


@case_app.command("endorse")
def endorse(ctx: typer.Context, code: str) -> None:
    """Endorse a case (once; not your own)."""
    record = shell.catalogue(ctx).cases.endorse(code, shell.actor(ctx))
    typer.echo(f"Endorsed {record['code']} ({record['endorsements']} endorsement(s)).")


@case_app.command("comment")
def comment(ctx: typer.Context, code: str,
            text: Annotated[str, typer.Option("--text", help="Your comment.")]) -> None:
    """Comment on a case."""
    record = shell.catalogue(ctx).cases.comment(code, text, shell.actor(ctx))
    typer.echo(f"Commented on {record['code']} ({record['comments']} comment(s)).")


@case_app.command("triage")
def triage(
    ctx: typer.Context, code: str,
    status: Annotated[str, typer.Option(
        "--status", help="new, under_review, accepted, declined (needs --reason) or "
                         "handed_over (needs --initiative).")],
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why (required when declined: it is for the proposer).")] = None,
    process: Annotated[Items, typer.Option(
        "--process", metavar="CODE", help="The processes it concerns, replacing those given "
                                          "(repeatable; 'new: NAME' for one not in the "
                                          "inventory).")] = None,
    initiative: Annotated[str | None, typer.Option(
        "--initiative", metavar="CODE", help="The roadmap initiative it is handed over to.")
                          ] = None,
    expect_version: Annotated[int | None, typer.Option(
        "--expect-version", help="Refuse if the case changed since this version.")] = None,
) -> None:
    """Move a case to a triage status (analysts and admins)."""
    record = shell.catalogue(ctx).cases.triage(
        code, status, shell.actor(ctx), reason=reason, processes=process,
        initiative=initiative, seen_version=expect_version)
    extra = [f"processes {', '.join(_items(record['processes']))}" if process else "",
             f"initiative {record['initiative']}" if record["status"] == "handed_over" else "",
             f"reason: {shell.terminal_safe(record['status_reason'])}"
             if record["status_reason"] else ""]
    details = "; ".join(part for part in extra if part)
    typer.echo(f"{record['code']} is {record['status']} (version {record['version']})"
               + (f"; {details}." if details else "."))


@case_app.command("merge")
def merge(
    ctx: typer.Context,
    codes: Annotated[list[str], typer.Argument(help="The cases to merge.")],
    into: Annotated[str, typer.Option("--into", help="The open case they are merged into.")],
) -> None:
    """Merge cases into another (analysts and admins): they become merged, their endorsements
    and comments move to the target."""
    record = shell.catalogue(ctx).cases.merge(codes, into, shell.actor(ctx))
    wanted = {code.strip().upper() for code in codes} - {record["code"]}
    typer.echo(f"Merged {', '.join(sorted(wanted))} into {record['code']} "
               f"({record['endorsements']} endorsement(s), {record['comments']} comment(s)).")


@case_app.command("create-process")
def create_process(
    ctx: typer.Context, code: str,
    process_code: Annotated[str, typer.Option("--code", help="The new process's code.")],
    unit: Annotated[str, typer.Option("--unit", help="The unit that owns it.")],
    name: Annotated[str | None, typer.Option(
        "--name", help="Which of the case's processes not in the inventory yet (default: its "
                       "only one).")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Its process owner.")] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="Its parent process's code.")
                      ] = None,
) -> None:
    """Record, as a draft process, a process an accepted case names that the inventory does not
    hold yet (analysts and admins); the case then points at it."""
    data = shell.given(code=process_code, unit=unit, name=name, process_owner=owner,
                       parent_code=parent)
    record = shell.catalogue(ctx).process_from_case(code, data, shell.actor(ctx))
    typer.echo(f"Recorded {record['code']} ({shell.terminal_safe(record['name'])}) as a draft "
               f"from {code.strip().upper()}.")


@case_app.command("assess")
def assess(
    ctx: typer.Context, code: str,
    process: Annotated[str, typer.Option("--process", metavar="CODE",
                                         help="A process the case concerns.")],
    ratings: Annotated[list[str], typer.Argument(metavar="KEY=VALUE...",
                                                 help="One or more criterion=value pairs.")],
    rater: Annotated[str | None, typer.Option(help="Who rates. Default: the actor.")] = None,
) -> None:
    """Assess a process an accepted case concerns, with the case as the rationale (analysts and
    admins); a rater's earlier value of a criterion is replaced."""
    values: dict[str, float] = {}
    for key, text in shell.pairs(ratings, "rating").items():
        try:
            values[key] = float(text)
        except ValueError:
            raise InvalidInput(f"{key}={text}: the value must be a number") from None
    stored = shell.catalogue(ctx).assess_from_case(code, process, values, shell.actor(ctx),
                                                   rater=rater)
    shown = ", ".join(f"{r['criterion_key']} {r['value']:g}" for r in stored)
    typer.echo(f"Rated {stored[0]['process_code']} by {stored[0]['rater']} from "
               f"{code.strip().upper()}: {shown}.")
