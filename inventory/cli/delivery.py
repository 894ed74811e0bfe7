"""``dti initiative deliverable ...``, ``dti initiative update``, ``resolve`` and
``obstacles``: what an initiative delivers by C26, PP-26 or a date, and dated notes of progress,
obstacles and decisions needed.

Registered under ``dti initiative`` by :mod:`inventory.cli.initiatives`. Analysts, leadership
and admins record delivery; only admins restore. A deliverable is named by its initiative's code
and its ref (``D1``, ``D2``… given in order when ``--ref`` is not); a note by its number, which
``dti initiative show`` and ``dti initiative obstacles`` print.
"""

from __future__ import annotations

from typing import Annotated

import typer

from inventory.cli import shell
from inventory.cli.shell import Format, FormatOption
from inventory.errors import InvalidInput

deliverable_app = shell.command_group(
    "Deliverables of an initiative: add, edit, delete, restore.")

MilestoneOption = Annotated[str | None, typer.Option(
    "--milestone", help="C26, PP-26 or a date as YYYY-MM-DD.")]
TextOption = Annotated[str | None, typer.Option("--text", help="What is delivered.")]
ObjectiveOption = Annotated[str | None, typer.Option(
    "--objective", help="The line of the annex it belongs to.")]
DueOption = Annotated[str | None, typer.Option(
    "--due", help="Due date, YYYY-MM-DD (default: the milestone's date).")]
StatusOption = Annotated[str | None, typer.Option(
    "--status", help="on_track (default), at_risk, late, done or dropped.")]
EvidenceOption = Annotated[str | None, typer.Option(
    "--evidence", help="A link (https://...) to what shows it done.")]
VersionOption = Annotated[int | None, typer.Option(
    "--expect-version", "--version",
    help="Refuse the change if the deliverable is no longer at this version.")]


@deliverable_app.command("add")
def deliverable_add(
    ctx: typer.Context, code: Annotated[str, typer.Argument(help="The initiative's code.")],
    milestone: Annotated[str, typer.Option("--milestone",
                                           help="C26, PP-26 or a date as YYYY-MM-DD.")],
    text: Annotated[str, typer.Option("--text", help="What is delivered.")],
    objective: ObjectiveOption = None, due: DueOption = None, status: StatusOption = None,
    evidence: EvidenceOption = None,
    ref: Annotated[str | None, typer.Option(
        "--ref", help="Its name within the initiative (default: the next D1, D2…).")] = None,
) -> None:
    """Add a deliverable to an initiative."""
    data = shell.given(initiative_code=code, milestone=milestone, text=text, objective=objective,
                       due=due, status=status, evidence=evidence, ref=ref)
    record = shell.catalogue(ctx).initiatives.add_deliverable(data, shell.actor(ctx))
    typer.echo(f"Added deliverable {record['initiative_code']}/{record['ref']} "
               f"({record['milestone']}, {record['status']}).")


@deliverable_app.command("edit")
def deliverable_edit(
    ctx: typer.Context, code: str, ref: str, status: StatusOption = None,
    text: TextOption = None, milestone: MilestoneOption = None, due: DueOption = None,
    evidence: EvidenceOption = None, objective: ObjectiveOption = None,
    expect_version: VersionOption = None,
) -> None:
    """Change a deliverable's status, text, milestone, due date, evidence or objective (an
    empty value clears an optional one)."""
    changes = shell.given(status=status, text=text, milestone=milestone, due=due,
                          evidence=evidence, objective=objective)
    if not changes:
        raise InvalidInput("nothing to change: give options such as --status or --text")
    record = shell.catalogue(ctx).initiatives.update_deliverable(code, ref, changes,
                                                                 expect_version,
                                                                 shell.actor(ctx))
    typer.echo(f"Updated deliverable {record['initiative_code']}/{record['ref']} "
               f"({record['milestone']}, {record['status']}, version {record['version']}).")


@deliverable_app.command("delete")
def deliverable_delete(ctx: typer.Context, code: str, ref: str,
                       expect_version: VersionOption = None) -> None:
    """Delete a deliverable (soft: an admin can restore it)."""
    shell.catalogue(ctx).initiatives.delete_deliverable(code, ref, shell.actor(ctx),
                                                        expect_version)
    typer.echo(f"Deleted deliverable {code}/{ref}; `dti initiative deliverable restore {code} "
               f"{ref}` brings it back.")


@deliverable_app.command("restore")
def deliverable_restore(ctx: typer.Context, code: str, ref: str) -> None:
    """Restore a deleted deliverable (admin)."""
    shell.catalogue(ctx).initiatives.restore_deliverable(code, ref, shell.actor(ctx))
    typer.echo(f"Restored deliverable {code}/{ref}.")


def update(
    ctx: typer.Context, code: Annotated[str, typer.Argument(help="The initiative's code.")],
    note: Annotated[str, typer.Option("--note", help="What happened, or what is needed.")],
    kind: Annotated[str | None, typer.Option(
        "--kind", help="progress (default), obstacle or decision_needed.")] = None,
    on: Annotated[str | None, typer.Option(
        "--on", help="The day it is about, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Record a dated note on an initiative: progress, an obstacle, or a decision needed."""
    data = shell.given(initiative_code=code, kind=kind, note=note, noted_on=on)
    record = shell.catalogue(ctx).initiatives.add_update(data, shell.actor(ctx))
    follow = "" if record["kind"] == "progress" else \
        f"; `dti initiative resolve {record['id']}` closes it"
    typer.echo(f"Noted {record['kind'].replace('_', ' ')} {record['id']} on "
               f"{record['initiative_code']} ({shell.plain(record['noted_on'])}){follow}.")


def resolve(ctx: typer.Context, note_id: Annotated[int, typer.Argument(
        help="The note's number (`dti initiative obstacles` lists them).")]) -> None:
    """Close an open obstacle or decision needed."""
    record = shell.catalogue(ctx).initiatives.resolve_update(note_id, shell.actor(ctx))
    typer.echo(f"Resolved {record['kind'].replace('_', ' ')} {record['id']} on "
               f"{record['initiative_code']}.")


def obstacles(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """The open obstacles and decisions needed, newest first."""
    shell.emit(shell.catalogue(ctx).initiatives.updates(open_only=True), fmt,
               ["id", "initiative_code", "kind", "noted_on", "note", "created_by"],
               whole=["note"])
