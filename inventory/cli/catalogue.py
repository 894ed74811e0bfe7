"""``dti process``, ``dti dep``, ``dti kpi``, ``dti assessment``, ``dti unit`` and ``dti
audit``: the records of the inventory, one service call each, and the audit trail of their
changes.

Registered on the ``dti`` application by :mod:`inventory.cli`.
"""

from __future__ import annotations

import json
from typing import Annotated

import pandas as pd
import typer

from inventory.cli import shell
from inventory.cli.shell import Format, FormatOption
from inventory.errors import InvalidInput
from inventory.files.export import csv_text
from inventory.schemas import DIGITAL_MATURITY_LEVELS, PROCESS_FIELDS

process_app = shell.command_group("Processes: add, list, show, edit, delete, restore, history.")
dep_app = shell.command_group("Dependencies: DOWNSTREAM depends on (receives from) UPSTREAM.")
kpi_app = shell.command_group("KPIs / performance targets of a process.")
assessment_app = shell.command_group("Assessments: one rater's value for one criterion of one "
                                     "process.")
unit_app = shell.command_group("Units: General Secretariat departments, Bureaux and others.")

SetOption = Annotated[list[str] | None, typer.Option(
    "--set", metavar="FIELD=VALUE",
    help="Set any field (repeatable); an empty value clears it. `dti process fields` lists them.")]
VersionOption = Annotated[int | None, typer.Option(
    "--expect-version", help="Refuse the change if the record is no longer at this version.")]


# ---------------------------------------------------------------- processes

PROCESS_TABLE = ["code", "level", "name", "unit", "transformation_status", "digital_maturity",
                 "process_owner"]


@process_app.command("fields")
def process_fields() -> None:
    """List the process fields usable with --set, and the digital maturity levels."""
    for field in PROCESS_FIELDS:
        typer.echo(field)
    typer.echo("\ndigital_maturity levels:")
    for level, text in DIGITAL_MATURITY_LEVELS.items():
        typer.echo(f"  {level}  {text}")


@process_app.command("add")
def process_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Option(help="Unique code, e.g. HR-REC-01 or 7.2.1.")],
    name: Annotated[str, typer.Option(help="Name of the process.")],
    unit: Annotated[str, typer.Option(help="Code of the owning unit.")],
    parent: Annotated[str | None, typer.Option(help="Code of the parent process.")] = None,
    owner: Annotated[str | None, typer.Option(help="Process owner.")] = None,
    status: Annotated[str | None, typer.Option(help="Transformation status.")] = None,
    maturity: Annotated[int | None, typer.Option(help="Digital maturity 1-5.")] = None,
    set_: SetOption = None,
) -> None:
    """Add a process."""
    data = shell.given(code=code, name=name, unit=unit, parent_code=parent, process_owner=owner,
                       transformation_status=status, digital_maturity=maturity) | shell.pairs(set_)
    record = shell.catalogue(ctx).add_process(data, shell.actor(ctx))
    typer.echo(f"Added process {record['code']} (version {record['version']}).")


@process_app.command("list")
def process_list(
    ctx: typer.Context,
    unit: Annotated[list[str] | None, typer.Option(help="Only these units (repeatable).")] = None,
    status: Annotated[list[str] | None, typer.Option(
        help="Only these transformation statuses (repeatable).")] = None,
    pillar: Annotated[list[str] | None, typer.Option(help="Only these pillars.")] = None,
    search: Annotated[str | None, typer.Option(
        help="Text in code, name, description, owners, tags.")] = None,
    include_deleted: Annotated[bool, typer.Option(help="Show deleted processes too.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """List processes."""
    frame = shell.catalogue(ctx).processes(include_deleted=include_deleted, search=search,
                                           units=unit, transformation_status=status,
                                           pillar=pillar)
    shell.emit(frame, fmt, PROCESS_TABLE)


@process_app.command("show")
def process_show(ctx: typer.Context, code: str, fmt: FormatOption = Format.table) -> None:
    """Show one process with its dependencies, KPIs and assessments."""
    detail = shell.catalogue(ctx).process(code)
    record = shell.jsonable(pd.DataFrame([detail.record]))[0]
    if fmt is Format.json:
        record |= {"children": detail.children,
                   "depends_on": shell.jsonable(detail.upstream),
                   "feeds": shell.jsonable(detail.downstream),
                   "kpis": shell.jsonable(detail.kpis),
                   "assessments": shell.jsonable(detail.assessments)}
        typer.echo(json.dumps(record, indent=2, ensure_ascii=False))
        return
    if fmt is Format.csv:
        typer.echo(csv_text(pd.DataFrame([detail.record])), nl=False)
        return
    width = max(len(k) for k in record)
    for key, value in record.items():
        typer.echo(f"{key:<{width}}  {shell.terminal_safe('' if value is None else str(value))}")
    sections = [("Depends on (upstream)", detail.upstream, ["upstream_code", "upstream_name",
                                                            "kind", "strength"]),
                ("Feeds (downstream)", detail.downstream, ["downstream_code", "downstream_name",
                                                           "kind", "strength"]),
                ("KPIs", detail.kpis, ["id", "name", "direction", "baseline", "target",
                                       "target_date"]),
                ("Assessments", detail.assessments, ["id", "criterion_key", "value", "low",
                                                     "high", "rater"])]
    for title, frame, columns in sections:
        typer.echo(f"\n{title}:")
        shell.emit(frame, Format.table, columns)


@process_app.command("edit")
def process_edit(
    ctx: typer.Context,
    code: str,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    unit: Annotated[str | None, typer.Option(help="New owning unit code.")] = None,
    parent: Annotated[str | None, typer.Option(help="New parent code.")] = None,
    owner: Annotated[str | None, typer.Option(help="New process owner.")] = None,
    status: Annotated[str | None, typer.Option(help="New transformation status.")] = None,
    maturity: Annotated[int | None, typer.Option(help="New digital maturity 1-5.")] = None,
    set_: SetOption = None,
    expect_version: VersionOption = None,
) -> None:
    """Change fields of a process (every change is audited)."""
    changes = shell.given(name=name, unit=unit, parent_code=parent, process_owner=owner,
                          transformation_status=status, digital_maturity=maturity)
    changes |= shell.pairs(set_)
    if not changes:
        raise InvalidInput("nothing to change: give options such as --name or --set FIELD=VALUE")
    catalogue = shell.catalogue(ctx)
    before = catalogue.process(code).record["version"]
    record = catalogue.update_process(code, changes, expect_version, shell.actor(ctx))
    if record["version"] == before:
        typer.echo(f"No change: process {record['code']} already had these values.")
    else:
        typer.echo(f"Updated process {record['code']} (version {record['version']}).")


@process_app.command("delete")
def process_delete(ctx: typer.Context, code: str, expect_version: VersionOption = None) -> None:
    """Delete a process (soft: it can be restored)."""
    stored = shell.catalogue(ctx).delete_process(code, shell.actor(ctx), expect_version)
    typer.echo(f"Deleted process {stored}; `dti process restore {stored}` brings it back.")


@process_app.command("restore")
def process_restore(ctx: typer.Context, code: str) -> None:
    """Restore a deleted process."""
    typer.echo(f"Restored process {shell.catalogue(ctx).restore_process(code, shell.actor(ctx))}.")


@process_app.command("history")
def process_history(ctx: typer.Context, code: str, fmt: FormatOption = Format.table) -> None:
    """Show every recorded change of a process and of what hangs on it, newest first."""
    frame = shell.catalogue(ctx).history(code)
    shell.emit(frame, fmt, ["at", "actor", "action", "entity", "entity_key", "field", "old_value",
                            "new_value"])


# ---------------------------------------------------------------- dependencies

DEP_TABLE = ["upstream_code", "downstream_code", "kind", "strength", "note"]
KindOption = Annotated[str | None, typer.Option(
    help="information, handoff, shared_system, shared_resource or policy.")]
StrengthOption = Annotated[str | None, typer.Option(
    help="1 or weak, 2 or moderate, 3 or strong.")]


@dep_app.command("add")
def dep_add(ctx: typer.Context, upstream: str, downstream: str, kind: KindOption = None,
            strength: StrengthOption = None,
            note: Annotated[str | None, typer.Option(help="Why they depend.")] = None) -> None:
    """Record that DOWNSTREAM depends on (receives from) UPSTREAM."""
    data = shell.given(upstream_code=upstream, downstream_code=downstream, kind=kind,
                       strength=strength, note=note)
    record = shell.catalogue(ctx).add_dependency(data, shell.actor(ctx))
    typer.echo(f"Added dependency {record['upstream_code']} -> {record['downstream_code']}.")


@dep_app.command("list")
def dep_list(ctx: typer.Context,
             process: Annotated[str | None, typer.Option(
                 help="Only dependencies touching this process.")] = None,
             fmt: FormatOption = Format.table) -> None:
    """List dependencies."""
    shell.emit(shell.catalogue(ctx).dependencies(process_code=process), fmt, DEP_TABLE)


@dep_app.command("edit")
def dep_edit(ctx: typer.Context, upstream: str, downstream: str, kind: KindOption = None,
             strength: StrengthOption = None,
             note: Annotated[str | None, typer.Option(help="New note.")] = None,
             expect_version: VersionOption = None) -> None:
    """Change the kind, strength or note of a dependency."""
    changes = shell.given(kind=kind, strength=strength, note=note)
    if not changes:
        raise InvalidInput("nothing to change: give --kind, --strength or --note")
    shell.catalogue(ctx).update_dependency(upstream, downstream, changes, expect_version,
                                           shell.actor(ctx))
    typer.echo(f"Updated dependency {upstream} -> {downstream}.")


@dep_app.command("remove")
def dep_remove(ctx: typer.Context, upstream: str, downstream: str,
               expect_version: VersionOption = None) -> None:
    """Remove a dependency (soft: it can be restored)."""
    shell.catalogue(ctx).remove_dependency(upstream, downstream, shell.actor(ctx), expect_version)
    typer.echo(f"Removed dependency {upstream} -> {downstream}.")


@dep_app.command("restore")
def dep_restore(ctx: typer.Context, upstream: str, downstream: str) -> None:
    """Restore a removed dependency."""
    shell.catalogue(ctx).restore_dependency(upstream, downstream, shell.actor(ctx))
    typer.echo(f"Restored dependency {upstream} -> {downstream}.")


# ---------------------------------------------------------------- KPIs

KPI_TABLE = ["id", "process_code", "name", "unit_of_measure", "direction", "baseline", "target",
             "target_date"]


@kpi_app.command("add")
def kpi_add(
    ctx: typer.Context,
    process: str,
    name: Annotated[str, typer.Option(help="What is measured.")],
    unit_of_measure: Annotated[str | None, typer.Option(help="e.g. days, %, CHF.")] = None,
    direction: Annotated[str | None, typer.Option(help="higher or lower (is better).")] = None,
    baseline: Annotated[str | None, typer.Option(help="Where it stands today.")] = None,
    target: Annotated[str | None, typer.Option(help="Where it should get to.")] = None,
    target_date: Annotated[str | None, typer.Option(help="By when, YYYY-MM-DD.")] = None,
    source: Annotated[str | None, typer.Option(help="Where the figures come from.")] = None,
) -> None:
    """Add a KPI / performance target to PROCESS."""
    data = shell.given(process_code=process, name=name, unit_of_measure=unit_of_measure,
                       direction=direction, baseline=baseline, target=target,
                       target_date=target_date, source=source)
    record = shell.catalogue(ctx).add_kpi(data, shell.actor(ctx))
    typer.echo(f"Added KPI {record['id']} '{record['name']}' to {record['process_code']}.")


@kpi_app.command("list")
def kpi_list(ctx: typer.Context,
             process: Annotated[str | None, typer.Option(help="Only this process.")] = None,
             fmt: FormatOption = Format.table) -> None:
    """List KPIs."""
    shell.emit(shell.catalogue(ctx).kpis(process_code=process), fmt, KPI_TABLE)


@kpi_app.command("edit")
def kpi_edit(ctx: typer.Context, kpi_id: int, set_: SetOption = None,
             expect_version: VersionOption = None) -> None:
    """Change fields of a KPI (name, unit_of_measure, direction, baseline, target, ...)."""
    changes = shell.pairs(set_)
    if not changes:
        raise InvalidInput("nothing to change: give --set FIELD=VALUE")
    record = shell.catalogue(ctx).update_kpi(kpi_id, changes, expect_version, shell.actor(ctx))
    typer.echo(f"Updated KPI {kpi_id} (version {record['version']}).")


@kpi_app.command("delete")
def kpi_delete(ctx: typer.Context, kpi_id: int, expect_version: VersionOption = None) -> None:
    """Delete a KPI (soft: it can be restored)."""
    shell.catalogue(ctx).delete_kpi(kpi_id, shell.actor(ctx), expect_version)
    typer.echo(f"Deleted KPI {kpi_id}.")


@kpi_app.command("restore")
def kpi_restore(ctx: typer.Context, kpi_id: int) -> None:
    """Restore a deleted KPI."""
    shell.catalogue(ctx).restore_kpi(kpi_id, shell.actor(ctx))
    typer.echo(f"Restored KPI {kpi_id}.")


# ---------------------------------------------------------------- assessments

ASSESSMENT_TABLE = ["id", "process_code", "criterion_key", "value", "low", "high", "rater",
                    "assessed_on"]


@assessment_app.command("add", context_settings={"ignore_unknown_options": True})
def assessment_add(
    ctx: typer.Context,
    process: str,
    criterion: str,
    value: Annotated[str, typer.Argument(help="A number on the criterion's scale.")],
    rater: Annotated[str | None, typer.Option(help="Who assesses. Default: the actor.")] = None,
    low: Annotated[str | None, typer.Option(help="Lowest plausible value.")] = None,
    high: Annotated[str | None, typer.Option(help="Highest plausible value.")] = None,
    rationale: Annotated[str | None, typer.Option(help="Why this value.")] = None,
    assessed_on: Annotated[str | None, typer.Option(help="Date, YYYY-MM-DD.")] = None,
) -> None:
    """Record one rater's VALUE for CRITERION of PROCESS; VALUE, LOW and HIGH must lie on the
    criterion's scale (`dti criteria show CRITERION`)."""
    data = shell.given(process_code=process, criterion_key=criterion, value=value,
                       rater=rater or shell.actor(ctx).name, low=low, high=high,
                       rationale=rationale, assessed_on=assessed_on)
    record = shell.catalogue(ctx).add_assessment(data, shell.actor(ctx))
    typer.echo(f"Added assessment {record['id']}: {record['process_code']} "
               f"{record['criterion_key']} = {record['value']:g} by {record['rater']}.")


@assessment_app.command("list")
def assessment_list(ctx: typer.Context,
                    process: Annotated[str | None, typer.Option(help="Only this process.")] = None,
                    fmt: FormatOption = Format.table) -> None:
    """List assessments (every rater's value, nothing averaged)."""
    shell.emit(shell.catalogue(ctx).assessments(process_code=process), fmt, ASSESSMENT_TABLE)


@assessment_app.command("edit")
def assessment_edit(ctx: typer.Context, assessment_id: int, set_: SetOption = None,
                    expect_version: VersionOption = None) -> None:
    """Change fields of an assessment (value, low, high, rationale, assessed_on)."""
    changes = shell.pairs(set_)
    if not changes:
        raise InvalidInput("nothing to change: give --set FIELD=VALUE")
    record = shell.catalogue(ctx).update_assessment(assessment_id, changes, expect_version,
                                                    shell.actor(ctx))
    typer.echo(f"Updated assessment {assessment_id} (version {record['version']}).")


@assessment_app.command("delete")
def assessment_delete(ctx: typer.Context, assessment_id: int,
                      expect_version: VersionOption = None) -> None:
    """Delete an assessment (soft: it can be restored)."""
    shell.catalogue(ctx).delete_assessment(assessment_id, shell.actor(ctx), expect_version)
    typer.echo(f"Deleted assessment {assessment_id}.")


@assessment_app.command("restore")
def assessment_restore(ctx: typer.Context, assessment_id: int) -> None:
    """Restore a deleted assessment."""
    shell.catalogue(ctx).restore_assessment(assessment_id, shell.actor(ctx))
    typer.echo(f"Restored assessment {assessment_id}.")


# ---------------------------------------------------------------- units


@unit_app.command("list")
def unit_list(ctx: typer.Context,
              include_deleted: Annotated[bool, typer.Option(help="Show deleted units.")] = False,
              fmt: FormatOption = Format.table) -> None:
    """List units with how many processes each owns."""
    frame = shell.catalogue(ctx).units(include_deleted=include_deleted)
    shell.emit(frame, fmt, ["code", "name", "kind", "processes"])


@unit_app.command("add")
def unit_add(ctx: typer.Context, code: str, name: str,
             kind: Annotated[str | None, typer.Option(
                 help="gs_department, bureau or other.")] = None) -> None:
    """Add a unit."""
    record = shell.catalogue(ctx).add_unit(shell.given(code=code, name=name, kind=kind),
                                           shell.actor(ctx))
    typer.echo(f"Added unit {record['code']}.")


@unit_app.command("edit")
def unit_edit(ctx: typer.Context, code: str,
              name: Annotated[str | None, typer.Option(help="New name.")] = None,
              kind: Annotated[str | None, typer.Option(help="New kind.")] = None,
              expect_version: VersionOption = None) -> None:
    """Change the name or kind of a unit."""
    changes = shell.given(name=name, kind=kind)
    if not changes:
        raise InvalidInput("nothing to change: give --name or --kind")
    record = shell.catalogue(ctx).update_unit(code, changes, expect_version, shell.actor(ctx))
    typer.echo(f"Updated unit {record['code']}.")


@unit_app.command("delete")
def unit_delete(ctx: typer.Context, code: str, expect_version: VersionOption = None) -> None:
    """Delete a unit that owns no process (soft: it can be restored)."""
    deleted = shell.catalogue(ctx).delete_unit(code, shell.actor(ctx), expect_version)
    typer.echo(f"Deleted unit {deleted}.")


@unit_app.command("restore")
def unit_restore(ctx: typer.Context, code: str) -> None:
    """Restore a deleted unit."""
    typer.echo(f"Restored unit {shell.catalogue(ctx).restore_unit(code, shell.actor(ctx))}.")


# ---------------------------------------------------------------- audit

audit_app = typer.Typer(help="The audit trail: `dti audit` shows it, `dti audit verify` "
                        "checks its seals.", add_completion=False, rich_markup_mode=None,
                        pretty_exceptions_enable=False)


@audit_app.callback(invoke_without_command=True)
def audit_log(ctx: typer.Context,
              actor: Annotated[str | None, typer.Option(help="Only this actor's changes.")] = None,
              limit: Annotated[int, typer.Option(help="Newest N events.")] = 50,
              fmt: FormatOption = Format.table) -> None:
    """Show the audit trail, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    frame = shell.catalogue(ctx).audit_log(actor=actor, limit=limit)
    shell.emit(frame, fmt, ["at", "actor", "action", "entity", "entity_key", "field", "old_value",
                            "new_value"])


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Check the audit trail's chain of seals (keyed with the server secret): exit 1 and name
    the first entry that was inserted, edited or follows a removed one."""
    check = shell.catalogue(ctx).verify_audit()
    if not check.intact:
        typer.echo(f"Error: the audit trail is broken at entry {check.broken} "
                   f"({check.description}): it was inserted or edited outside dti, or an entry "
                   f"just before it was removed; the {check.entries} entries before it are "
                   "intact", err=True)
        raise typer.Exit(1)
    last = f", last seal {check.last_seal}" if check.last_seal else ""
    typer.echo(f"The audit trail is intact ({check.entries} entries{last}).")

