"""``dti``: the command line over :class:`inventory.services.Catalogue`.

A thin shell: parse options, call one service, print the result. A user's mistake (a
:class:`~inventory.errors.CatalogueError` or :class:`~scoring.errors.ScoringError`) becomes one
line on stderr and exit status 1 (see :mod:`inventory.cli_common`). The scoring, scenario and
decision commands are in :mod:`inventory.scoring_cli`, :mod:`inventory.scenario_cli` and
:mod:`inventory.decision_cli`, the account commands in :mod:`inventory.user_cli`.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from inventory import decision_cli, graph, scoring_cli
from inventory.cli_common import (
    Format,
    FormatOption,
    _actor,
    _catalogue,
    _default_actor,
    _emit,
    _given,
    _Group,
    _jsonable,
    _pairs,
    _progress_bar,
    _typer,
    terminal_safe,
)
from inventory.errors import InvalidInput
from inventory.export import (
    SHEET_NAMES,
    SHEETS,
    csv_text,
    inventory_workbook,
    table_csv,
    template_workbook,
)
from inventory.frameworks import DEFAULT_UNIT, framework_named, start_from_framework
from inventory.importing import ImportOptions, load_mapping, mapping_json
from inventory.io import Limits, Upload
from inventory.scenario_cli import scenario_app
from inventory.schemas import DIGITAL_MATURITY_LEVELS, PROCESS_FIELDS
from inventory.services import Catalogue
from inventory.user_cli import user_app

app = typer.Typer(cls=_Group, no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  pretty_exceptions_enable=False)
process_app = _typer("Processes: add, list, show, edit, delete, restore, history.")
dep_app = _typer("Dependencies: DOWNSTREAM depends on (receives from) UPSTREAM.")
kpi_app = _typer("KPIs / performance targets of a process.")
assessment_app = _typer("Assessments: one rater's value for one criterion of one process.")
unit_app = _typer("Units: General Secretariat departments, Bureaux and others.")
app.add_typer(process_app, name="process")
app.add_typer(dep_app, name="dep")
app.add_typer(kpi_app, name="kpi")
app.add_typer(assessment_app, name="assessment")
app.add_typer(unit_app, name="unit")
graph_app = _typer("Dependencies as a graph: metrics, ripple impact, cycles and waves.")
app.add_typer(graph_app, name="graph")


SetOption = Annotated[list[str] | None, typer.Option(
    "--set", metavar="FIELD=VALUE",
    help="Set any field (repeatable); an empty value clears it. `dti process fields` lists them.")]
VersionOption = Annotated[int | None, typer.Option(
    "--expect-version", help="Refuse the change if the record is no longer at this version.")]


# ---------------------------------------------------------------- global options and output


@app.callback()
def _global(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option(
        "--db", help="Database URL (sqlite:///file.db, postgresql://...) or a SQLite file path. "
                     "Default: $DTI_DATABASE_URL, else dti.db here.")] = None,
    actor: Annotated[str | None, typer.Option(
        "--actor", help="Who makes the change, for the audit trail. Default: $DTI_ACTOR or "
                        "the OS user.")] = None,
) -> None:
    """Digital transformation inventory: record processes, their dependencies, KPIs and
    assessments, with a full audit trail."""
    if db is not None and "://" not in db:
        db = f"sqlite:///{Path(db).resolve()}"
    ctx.obj = {"db": db, "actor": actor or _default_actor()}


# ---------------------------------------------------------------- init


@app.command()
def init(ctx: typer.Context,
         sample: Annotated[bool, typer.Option(
             "--sample", help="Also load the illustrative ITU sample inventory.")] = False,
         framework: Annotated[str | None, typer.Option(
             help="Start a new inventory (one holding no process) from a process framework "
                  "instead: apqc-pcf, APQC's cross-industry Process Classification Framework "
                  "7.4 shipped in data/apqc (1,921 processes in five levels).")] = None,
         unit: Annotated[str, typer.Option(
             help="With --framework: the unit that owns the framework's processes, created "
                  "if missing.")] = DEFAULT_UNIT) -> None:
    """Create the database or bring its schema up to date; optionally load the sample or a
    process framework."""
    from inventory.services.sample import load_sample

    if sample and framework:
        raise InvalidInput("choose --sample or --framework, not both")
    if framework:
        framework_named(framework)  # an unknown name is refused before a database is made
    catalogue = Catalogue.open(ctx.obj["db"], migrate_schema=True)
    typer.echo(f"Database ready: {catalogue.url}")
    if sample:
        if not catalogue.is_empty():
            raise InvalidInput("the database already holds data; the sample loads only into an "
                               "empty database")
        loaded = load_sample(catalogue)
        typer.echo("Sample loaded (illustrative, not official ITU data): " +
                   ", ".join(f"{n} {k}" for k, n in loaded.items()))
    if framework:
        _start_from(ctx, catalogue, framework, unit)
    secret = catalogue.accounts.ensure_first_admin()
    if secret is not None:
        typer.echo(f"Created the account admin with the one-time password {secret}")
        typer.echo("Sign in with it and choose a password; `dti user reset-password admin` "
                   "prints a new one.")


def _start_from(ctx: typer.Context, catalogue: Catalogue, name: str, unit: str) -> None:
    """Load framework ``name`` into the new inventory with a progress bar; say what came in."""
    with _progress_bar(f"Loading {name}") as progress:
        result = start_from_framework(catalogue, name, unit, _actor(ctx), progress)
    processes, framework = catalogue.processes(), framework_named(name)
    typer.echo(f"Loaded {framework.title}: {result.counts['processes'].created:,} processes in "
               f"{processes['level'].max()} levels, owned by unit {processes['unit'].iloc[0]}; "
               f"every copy keeps its publisher's notice, data/{framework.notice}.")


audit_app = typer.Typer(help="The audit trail: `dti audit` shows it, `dti audit verify` "
                        "checks its seals.", add_completion=False, rich_markup_mode=None,
                        pretty_exceptions_enable=False)
app.add_typer(audit_app, name="audit")


@audit_app.callback(invoke_without_command=True)
def audit_log(ctx: typer.Context,
              actor: Annotated[str | None, typer.Option(help="Only this actor's changes.")] = None,
              limit: Annotated[int, typer.Option(help="Newest N events.")] = 50,
              fmt: FormatOption = Format.table) -> None:
    """Show the audit trail, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    frame = _catalogue(ctx).audit_log(actor=actor, limit=limit)
    _emit(frame, fmt, ["at", "actor", "action", "entity", "entity_key", "field", "old_value",
                       "new_value"])


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Check the audit trail's chain of seals (keyed with the server secret): exit 1 and name
    the first entry that was inserted, edited or follows a removed one."""
    check = _catalogue(ctx).verify_audit()
    if not check.intact:
        typer.echo(f"Error: the audit trail is broken at entry {check.broken} "
                   f"({check.description}): it was inserted or edited outside dti, or an entry "
                   f"just before it was removed; the {check.entries} entries before it are "
                   "intact", err=True)
        raise typer.Exit(1)
    last = f", last seal {check.last_seal}" if check.last_seal else ""
    typer.echo(f"The audit trail is intact ({check.entries} entries{last}).")


# ---------------------------------------------------------------- spreadsheets

class Hierarchy(StrEnum):
    auto = "auto"
    parent = "parent"
    dotted = "dotted"


class ImportMode(StrEnum):
    insert = "insert"
    upsert = "upsert"


def _saved_options(name: str | None) -> dict[str, Any]:
    return {} if name is None else load_mapping(name)


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file (our export workbook too).")],
    sheet: Annotated[str | None, typer.Option(help="Sheet holding the processes.")] = None,
    map_: Annotated[list[str] | None, typer.Option(
        "--map", metavar="FIELD=COLUMN", help="Column feeding a process field (repeatable).")
    ] = None,
    default: Annotated[list[str] | None, typer.Option(
        metavar="FIELD=VALUE", help="Value for new processes whose file has no such column, "
                                    "e.g. unit=ISD (repeatable).")] = None,
    mapping: Annotated[str | None, typer.Option(
        help="Saved mapping: a name in data/mappings (e.g. apqc-pcf) or a .json file.")] = None,
    save_mapping: Annotated[Path | None, typer.Option(
        help="Save this command's sheet, mapping and options to a .json file.")] = None,
    hierarchy: Annotated[Hierarchy, typer.Option(
        help="Parents from a parent_code column, from dotted codes, or auto.")] = Hierarchy.auto,
    dependencies: Annotated[Path | None, typer.Option(
        help="A second file with dependencies (upstream_code, downstream_code, kind, "
             "strength).")] = None,
    dependencies_sheet: Annotated[str | None, typer.Option(
        help="Sheet with dependencies (in FILE, or in --dependencies).")] = None,
    references: Annotated[str | None, typer.Option(
        help="Text column citing upstream processes by external reference.")] = None,
    reference_pattern: Annotated[str, typer.Option(
        help="Regular expression whose first group is a cited reference.")] = r"\[(\d+)\]",
    glossary_sheet: Annotated[str | None, typer.Option(
        help="Sheet with descriptions, read when no column of the processes' sheet feeds the "
             "description, matched by external reference or code (APQC's industry PCFs: "
             "'Glossary terms').")] = None,
    mode: Annotated[ImportMode, typer.Option(
        help="insert: new records only; upsert: also update existing ones.")] = ImportMode.insert,
    dry_run: Annotated[bool, typer.Option(help="Check everything, change nothing.")] = False,
    force: Annotated[bool, typer.Option(help="Import a file imported before.")] = False,
    encoding: Annotated[str | None, typer.Option(
        help="Encoding of a CSV that is not UTF-8, e.g. cp1252.")] = None,
    max_rows: Annotated[int, typer.Option(help="Refuse tables with more rows.")] = 200_000,
    max_mb: Annotated[int, typer.Option(help="Refuse files larger than this.")] = 50,
    fmt: FormatOption = Format.table,
) -> None:
    """Import processes, dependencies, KPIs and assessments from a spreadsheet, all or nothing."""
    limits = Limits(max_bytes=max_mb * 1_000_000, max_rows=max_rows)
    saved = _saved_options(mapping)
    options = ImportOptions(**(saved | _given(
        sheet=sheet, dependencies_sheet=dependencies_sheet, reference_column=references,
        glossary_sheet=glossary_sheet, encoding=encoding) | {
        "mapping": saved.get("mapping", {}) | _pairs(map_, "--map"),
        "defaults": saved.get("defaults", {}) | _pairs(default, "--default"),
        "hierarchy": saved.get("hierarchy", "auto") if hierarchy is Hierarchy.auto
        else hierarchy.value,
        "reference_pattern": saved.get("reference_pattern", reference_pattern)}))
    if save_mapping is not None:
        save_mapping.write_text(mapping_json(options), encoding="utf-8")
        typer.echo(f"Saved the mapping to {save_mapping}.")
    upload = Upload.from_path(file, limits)
    links = Upload.from_path(dependencies, limits) if dependencies else None
    with _progress_bar("Importing") as progress:
        result = _catalogue(ctx).import_file(upload, options, mode=mode.value, actor=_actor(ctx),
                                             dry_run=dry_run, force=force, limits=limits,
                                             dependencies=links, progress=progress)
    failed = result.errors and not dry_run
    if fmt is Format.json:
        typer.echo(json.dumps({"file": result.file_name, "sha256": result.sha256,
                               "imported": result.imported, "dry_run": result.dry_run,
                               "counts": _jsonable(result.summary()),
                               "problems": _jsonable(result.problems)}, indent=2))
    else:
        if not failed:  # counts of a refused import would read as done
            _emit(result.summary(), fmt, ["records", "created", "updated", "unchanged"])
        if not result.problems.empty:
            typer.echo("")
            _emit(result.problems, fmt, ["severity", "sheet", "row", "column", "value",
                                         "message"], whole=["message"])
    verb = "would be imported (dry run: nothing changed)" if dry_run else "imported"
    if result.errors:
        raise InvalidInput(f"{result.errors} error(s) block the import of {file.name}; nothing "
                           "was changed. Correct the rows listed and run it again")
    typer.echo(f"{file.name} {verb}: {result.warnings} warning(s).", err=fmt is not Format.table)


@app.command("export")
def export_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(
        help=".xlsx for the whole inventory, .csv for one table.")],
    table: Annotated[str, typer.Option(
        help="For .csv: processes, dependencies, kpis, assessments or units.")] = "processes",
) -> None:
    """Export the inventory: a workbook that re-imports unchanged, or one table as CSV."""
    frames = _catalogue(ctx).frames()
    suffix = file.suffix.lower()
    if suffix == ".xlsx":
        file.write_bytes(inventory_workbook(frames))
    elif suffix == ".csv":
        if table not in frames:
            raise InvalidInput(f"there is no table '{table}'; choose one of {', '.join(frames)}")
        file.write_bytes(table_csv(frames[table], SHEETS[SHEET_NAMES[table]]))
    else:
        raise InvalidInput(f"cannot export to '{suffix or file.name}': name the file .xlsx or .csv")
    typer.echo(f"Exported to {file}.")


@app.command("template")
def template(file: Annotated[Path, typer.Argument(help="The .xlsx file to write.")]) -> None:
    """Write an empty import workbook with the columns, dropdowns and a README sheet."""
    if file.suffix.lower() != ".xlsx":
        raise InvalidInput("the template is a workbook: name the file .xlsx")
    file.write_bytes(template_workbook())
    typer.echo(f"Template written to {file}.")


@app.command("imports")
def imports(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List past imports: file, SHA-256, who, when, counts."""
    _emit(_catalogue(ctx).imports(), fmt, ["at", "actor", "file_name", "mode", "counts"])


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
    data = _given(code=code, name=name, unit=unit, parent_code=parent, process_owner=owner,
                  transformation_status=status, digital_maturity=maturity) | _pairs(set_)
    record = _catalogue(ctx).add_process(data, _actor(ctx))
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
    frame = _catalogue(ctx).processes(include_deleted=include_deleted, search=search, units=unit,
                                      transformation_status=status, pillar=pillar)
    _emit(frame, fmt, PROCESS_TABLE)


@process_app.command("show")
def process_show(ctx: typer.Context, code: str, fmt: FormatOption = Format.table) -> None:
    """Show one process with its dependencies, KPIs and assessments."""
    detail = _catalogue(ctx).process(code)
    record = _jsonable(pd.DataFrame([detail.record]))[0]
    if fmt is Format.json:
        record |= {"children": detail.children,
                   "depends_on": _jsonable(detail.upstream),
                   "feeds": _jsonable(detail.downstream),
                   "kpis": _jsonable(detail.kpis), "assessments": _jsonable(detail.assessments)}
        typer.echo(json.dumps(record, indent=2, ensure_ascii=False))
        return
    if fmt is Format.csv:
        typer.echo(csv_text(pd.DataFrame([detail.record])), nl=False)
        return
    width = max(len(k) for k in record)
    for key, value in record.items():
        typer.echo(f"{key:<{width}}  {terminal_safe('' if value is None else str(value))}")
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
        _emit(frame, Format.table, columns)


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
    changes = _given(name=name, unit=unit, parent_code=parent, process_owner=owner,
                     transformation_status=status, digital_maturity=maturity) | _pairs(set_)
    if not changes:
        raise InvalidInput("nothing to change: give options such as --name or --set FIELD=VALUE")
    catalogue = _catalogue(ctx)
    before = catalogue.process(code).record["version"]
    record = catalogue.update_process(code, changes, expect_version, _actor(ctx))
    if record["version"] == before:
        typer.echo(f"No change: process {record['code']} already had these values.")
    else:
        typer.echo(f"Updated process {record['code']} (version {record['version']}).")


@process_app.command("delete")
def process_delete(ctx: typer.Context, code: str, expect_version: VersionOption = None) -> None:
    """Delete a process (soft: it can be restored)."""
    stored = _catalogue(ctx).delete_process(code, _actor(ctx), expect_version)
    typer.echo(f"Deleted process {stored}; `dti process restore {stored}` brings it back.")


@process_app.command("restore")
def process_restore(ctx: typer.Context, code: str) -> None:
    """Restore a deleted process."""
    typer.echo(f"Restored process {_catalogue(ctx).restore_process(code, _actor(ctx))}.")


@process_app.command("history")
def process_history(ctx: typer.Context, code: str, fmt: FormatOption = Format.table) -> None:
    """Show every recorded change of a process and of what hangs on it, newest first."""
    frame = _catalogue(ctx).history(code)
    _emit(frame, fmt, ["at", "actor", "action", "entity", "entity_key", "field", "old_value",
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
    data = _given(upstream_code=upstream, downstream_code=downstream, kind=kind,
                  strength=strength, note=note)
    record = _catalogue(ctx).add_dependency(data, _actor(ctx))
    typer.echo(f"Added dependency {record['upstream_code']} -> {record['downstream_code']}.")


@dep_app.command("list")
def dep_list(ctx: typer.Context,
             process: Annotated[str | None, typer.Option(
                 help="Only dependencies touching this process.")] = None,
             fmt: FormatOption = Format.table) -> None:
    """List dependencies."""
    _emit(_catalogue(ctx).dependencies(process_code=process), fmt, DEP_TABLE)


@dep_app.command("edit")
def dep_edit(ctx: typer.Context, upstream: str, downstream: str, kind: KindOption = None,
             strength: StrengthOption = None,
             note: Annotated[str | None, typer.Option(help="New note.")] = None,
             expect_version: VersionOption = None) -> None:
    """Change the kind, strength or note of a dependency."""
    changes = _given(kind=kind, strength=strength, note=note)
    if not changes:
        raise InvalidInput("nothing to change: give --kind, --strength or --note")
    _catalogue(ctx).update_dependency(upstream, downstream, changes, expect_version, _actor(ctx))
    typer.echo(f"Updated dependency {upstream} -> {downstream}.")


@dep_app.command("remove")
def dep_remove(ctx: typer.Context, upstream: str, downstream: str,
               expect_version: VersionOption = None) -> None:
    """Remove a dependency (soft: it can be restored)."""
    _catalogue(ctx).remove_dependency(upstream, downstream, _actor(ctx), expect_version)
    typer.echo(f"Removed dependency {upstream} -> {downstream}.")


@dep_app.command("restore")
def dep_restore(ctx: typer.Context, upstream: str, downstream: str) -> None:
    """Restore a removed dependency."""
    _catalogue(ctx).restore_dependency(upstream, downstream, _actor(ctx))
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
    data = _given(process_code=process, name=name, unit_of_measure=unit_of_measure,
                  direction=direction, baseline=baseline, target=target,
                  target_date=target_date, source=source)
    record = _catalogue(ctx).add_kpi(data, _actor(ctx))
    typer.echo(f"Added KPI {record['id']} '{record['name']}' to {record['process_code']}.")


@kpi_app.command("list")
def kpi_list(ctx: typer.Context,
             process: Annotated[str | None, typer.Option(help="Only this process.")] = None,
             fmt: FormatOption = Format.table) -> None:
    """List KPIs."""
    _emit(_catalogue(ctx).kpis(process_code=process), fmt, KPI_TABLE)


@kpi_app.command("edit")
def kpi_edit(ctx: typer.Context, kpi_id: int, set_: SetOption = None,
             expect_version: VersionOption = None) -> None:
    """Change fields of a KPI (name, unit_of_measure, direction, baseline, target, ...)."""
    changes = _pairs(set_)
    if not changes:
        raise InvalidInput("nothing to change: give --set FIELD=VALUE")
    record = _catalogue(ctx).update_kpi(kpi_id, changes, expect_version, _actor(ctx))
    typer.echo(f"Updated KPI {kpi_id} (version {record['version']}).")


@kpi_app.command("delete")
def kpi_delete(ctx: typer.Context, kpi_id: int, expect_version: VersionOption = None) -> None:
    """Delete a KPI (soft: it can be restored)."""
    _catalogue(ctx).delete_kpi(kpi_id, _actor(ctx), expect_version)
    typer.echo(f"Deleted KPI {kpi_id}.")


@kpi_app.command("restore")
def kpi_restore(ctx: typer.Context, kpi_id: int) -> None:
    """Restore a deleted KPI."""
    _catalogue(ctx).restore_kpi(kpi_id, _actor(ctx))
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
    data = _given(process_code=process, criterion_key=criterion, value=value,
                  rater=rater or _actor(ctx).name, low=low, high=high, rationale=rationale,
                  assessed_on=assessed_on)
    record = _catalogue(ctx).add_assessment(data, _actor(ctx))
    typer.echo(f"Added assessment {record['id']}: {record['process_code']} "
               f"{record['criterion_key']} = {record['value']:g} by {record['rater']}.")


@assessment_app.command("list")
def assessment_list(ctx: typer.Context,
                    process: Annotated[str | None, typer.Option(help="Only this process.")] = None,
                    fmt: FormatOption = Format.table) -> None:
    """List assessments (every rater's value, nothing averaged)."""
    _emit(_catalogue(ctx).assessments(process_code=process), fmt, ASSESSMENT_TABLE)


@assessment_app.command("edit")
def assessment_edit(ctx: typer.Context, assessment_id: int, set_: SetOption = None,
                    expect_version: VersionOption = None) -> None:
    """Change fields of an assessment (value, low, high, rationale, assessed_on)."""
    changes = _pairs(set_)
    if not changes:
        raise InvalidInput("nothing to change: give --set FIELD=VALUE")
    record = _catalogue(ctx).update_assessment(assessment_id, changes, expect_version,
                                               _actor(ctx))
    typer.echo(f"Updated assessment {assessment_id} (version {record['version']}).")


@assessment_app.command("delete")
def assessment_delete(ctx: typer.Context, assessment_id: int,
                      expect_version: VersionOption = None) -> None:
    """Delete an assessment (soft: it can be restored)."""
    _catalogue(ctx).delete_assessment(assessment_id, _actor(ctx), expect_version)
    typer.echo(f"Deleted assessment {assessment_id}.")


@assessment_app.command("restore")
def assessment_restore(ctx: typer.Context, assessment_id: int) -> None:
    """Restore a deleted assessment."""
    _catalogue(ctx).restore_assessment(assessment_id, _actor(ctx))
    typer.echo(f"Restored assessment {assessment_id}.")


# ---------------------------------------------------------------- graph

RollUpOption = Annotated[bool, typer.Option(
    "--roll-up", help="Count dependencies between sub-processes between their parents too.")]
METRIC_TABLE = ["code", "downstream", "upstream", "weighted_reach", "pagerank", "betweenness",
                "longest_chain", "wave", "scc_size", "on_cycle"]


@graph_app.command("metrics")
def graph_metrics(ctx: typer.Context, roll_up: RollUpOption = False,
                  sort: Annotated[str, typer.Option(
                      help="Column to sort by, largest first.")] = "downstream",
                  top: Annotated[int | None, typer.Option(help="Only the first N.")] = None,
                  fmt: FormatOption = Format.table) -> None:
    """Dependency metrics per process: reach, PageRank, betweenness, chain, cycle, wave."""
    frame = graph.metrics(_catalogue(ctx).graph(roll_up=roll_up)).reset_index()
    if sort not in frame.columns:
        raise InvalidInput(f"cannot sort by '{sort}'; choose one of "
                           f"{', '.join(c for c in frame.columns if c != 'betweenness_method')}")
    frame = frame.sort_values([sort, "code"], ascending=[False, True], kind="stable")
    frame = frame.head(top) if top else frame
    if fmt is Format.table:
        frame = frame.round({"pagerank": 4, "betweenness": 4, "weighted_reach": 1})
        typer.echo(f"betweenness: {frame['betweenness_method'].iloc[0]}" if len(frame) else "")
    _emit(frame, fmt, METRIC_TABLE)


@graph_app.command("impact")
def graph_impact(
    ctx: typer.Context,
    codes: Annotated[list[str], typer.Argument(help="One or more process codes.")],
    upstream: Annotated[bool, typer.Option(
        "--upstream", help="What must be in place first, instead of what depends on them.")
    ] = False,
    depth: Annotated[int | None, typer.Option(help="Follow at most this many links.")] = None,
    min_strength: Annotated[int, typer.Option(help="Ignore weaker dependencies (1-3).")] = 1,
    roll_up: RollUpOption = False,
    with_sub_processes: Annotated[bool, typer.Option(
        "--sub-processes/--own-links-only",
        help="A parent process includes what its sub-processes feed and need (the default), "
             "or only its own links.")] = True,
    fmt: FormatOption = Format.table,
) -> None:
    """Ripple analysis: every process reached from CODES, with distance and path."""
    catalogue = _catalogue(ctx)
    frame = graph.impact(catalogue.graph(roll_up=roll_up), codes,
                         direction="upstream" if upstream else "downstream", max_depth=depth,
                         min_strength=min_strength, kpis=catalogue.kpis(),
                         include_sub_processes=with_sub_processes)
    if fmt is Format.table:
        where = "needed by" if upstream else "reached from"
        typer.echo(f"{len(frame)} process(es) {where} {', '.join(codes)}")
    _emit(frame, fmt, ["code", "name", "unit", "distance", "path", "via_kinds", "kpis", "note"],
          whole=["path"])


@graph_app.command("cycles")
def graph_cycles(ctx: typer.Context, roll_up: RollUpOption = False,
                 fmt: FormatOption = Format.table) -> None:
    """Processes that depend on each other round a loop, and the links worth questioning."""
    _emit(graph.cycles(_catalogue(ctx).graph(roll_up=roll_up)), fmt,
          ["scc_id", "size", "members", "cut"], whole=["members", "cut"])


@graph_app.command("waves")
def graph_waves(ctx: typer.Context, roll_up: RollUpOption = False,
                fmt: FormatOption = Format.table) -> None:
    """Waves: wave 1 needs nothing, wave k needs only processes of earlier waves."""
    _emit(graph.waves(_catalogue(ctx).graph(roll_up=roll_up)), fmt,
          ["wave", "code", "name", "unit", "on_cycle"])


# ---------------------------------------------------------------- units


@unit_app.command("list")
def unit_list(ctx: typer.Context,
              include_deleted: Annotated[bool, typer.Option(help="Show deleted units.")] = False,
              fmt: FormatOption = Format.table) -> None:
    """List units with how many processes each owns."""
    frame = _catalogue(ctx).units(include_deleted=include_deleted)
    _emit(frame, fmt, ["code", "name", "kind", "processes"])


@unit_app.command("add")
def unit_add(ctx: typer.Context, code: str, name: str,
             kind: Annotated[str | None, typer.Option(
                 help="gs_department, bureau or other.")] = None) -> None:
    """Add a unit."""
    record = _catalogue(ctx).add_unit(_given(code=code, name=name, kind=kind), _actor(ctx))
    typer.echo(f"Added unit {record['code']}.")


@unit_app.command("edit")
def unit_edit(ctx: typer.Context, code: str,
              name: Annotated[str | None, typer.Option(help="New name.")] = None,
              kind: Annotated[str | None, typer.Option(help="New kind.")] = None,
              expect_version: VersionOption = None) -> None:
    """Change the name or kind of a unit."""
    changes = _given(name=name, kind=kind)
    if not changes:
        raise InvalidInput("nothing to change: give --name or --kind")
    record = _catalogue(ctx).update_unit(code, changes, expect_version, _actor(ctx))
    typer.echo(f"Updated unit {record['code']}.")


@unit_app.command("delete")
def unit_delete(ctx: typer.Context, code: str, expect_version: VersionOption = None) -> None:
    """Delete a unit that owns no process (soft: it can be restored)."""
    typer.echo(f"Deleted unit {_catalogue(ctx).delete_unit(code, _actor(ctx), expect_version)}.")


@unit_app.command("restore")
def unit_restore(ctx: typer.Context, code: str) -> None:
    """Restore a deleted unit."""
    typer.echo(f"Restored unit {_catalogue(ctx).restore_unit(code, _actor(ctx))}.")


def main() -> None:
    app()


# Scoring, scenario and decision commands live in modules of their own.
scoring_cli.register(app)
app.add_typer(scenario_app, name="scenario")
decision_cli.register(app)
app.add_typer(user_app, name="user")
