"""``dti init``, ``dti import``, ``dti export``, ``dti template`` and ``dti imports``: making
the database, and the inventory in and out of spreadsheets.

Registered on the ``dti`` application by :mod:`inventory.cli`.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from inventory.cli import shell
from inventory.cli.shell import Format, FormatOption
from inventory.errors import InvalidInput
from inventory.files.export import (
    SHEET_NAMES,
    SHEETS,
    inventory_workbook,
    table_csv,
    template_workbook,
)
from inventory.files.importing import ImportOptions, load_mapping, mapping_json
from inventory.files.io import Limits, Upload
from inventory.services import Catalogue
from inventory.services.frameworks import DEFAULT_UNIT, framework_named, start_from_framework

# ---------------------------------------------------------------- init


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
    with shell.progress_bar(f"Loading {name}") as progress:
        result = start_from_framework(catalogue, name, unit, shell.actor(ctx), progress)
    processes, framework = catalogue.processes(), framework_named(name)
    typer.echo(f"Loaded {framework.title}: {result.counts['processes'].created:,} processes in "
               f"{processes['level'].max()} levels, owned by unit {processes['unit'].iloc[0]}; "
               f"every copy keeps its publisher's notice, data/{framework.notice}.")


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
    options = ImportOptions(**(saved | shell.given(
        sheet=sheet, dependencies_sheet=dependencies_sheet, reference_column=references,
        glossary_sheet=glossary_sheet, encoding=encoding) | {
        "mapping": saved.get("mapping", {}) | shell.pairs(map_, "--map"),
        "defaults": saved.get("defaults", {}) | shell.pairs(default, "--default"),
        "hierarchy": saved.get("hierarchy", "auto") if hierarchy is Hierarchy.auto
        else hierarchy.value,
        "reference_pattern": saved.get("reference_pattern", reference_pattern)}))
    if save_mapping is not None:
        save_mapping.write_text(mapping_json(options), encoding="utf-8")
        typer.echo(f"Saved the mapping to {save_mapping}.")
    upload = Upload.from_path(file, limits)
    links = Upload.from_path(dependencies, limits) if dependencies else None
    with shell.progress_bar("Importing") as progress:
        result = shell.catalogue(ctx).import_file(
            upload, options, mode=mode.value, actor=shell.actor(ctx), dry_run=dry_run,
            force=force, limits=limits, dependencies=links, progress=progress)
    failed = result.errors and not dry_run
    if fmt is Format.json:
        typer.echo(json.dumps({"file": result.file_name, "sha256": result.sha256,
                               "imported": result.imported, "dry_run": result.dry_run,
                               "counts": shell.jsonable(result.summary()),
                               "problems": shell.jsonable(result.problems)}, indent=2))
    else:
        if not failed:  # counts of a refused import would read as done
            shell.emit(result.summary(), fmt, ["records", "created", "updated", "unchanged"])
        if not result.problems.empty:
            typer.echo("")
            shell.emit(result.problems, fmt, ["severity", "sheet", "row", "column", "value",
                                              "message"], whole=["message"])
    verb = "would be imported (dry run: nothing changed)" if dry_run else "imported"
    if result.errors:
        raise InvalidInput(f"{result.errors} error(s) block the import of {file.name}; nothing "
                           "was changed. Correct the rows listed and run it again")
    typer.echo(f"{file.name} {verb}: {result.warnings} warning(s).", err=fmt is not Format.table)


def export_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(
        help=".xlsx for the whole inventory, .csv for one table.")],
    table: Annotated[str, typer.Option(
        help="For .csv: processes, dependencies, kpis, assessments, units, initiatives or "
             "deliverables.")] = "processes",
) -> None:
    """Export the inventory: a workbook that re-imports unchanged, or one table as CSV."""
    frames = shell.catalogue(ctx).frames()
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


def template(file: Annotated[Path, typer.Argument(help="The .xlsx file to write.")]) -> None:
    """Write an empty import workbook with the columns, dropdowns and a README sheet."""
    if file.suffix.lower() != ".xlsx":
        raise InvalidInput("the template is a workbook: name the file .xlsx")
    file.write_bytes(template_workbook())
    typer.echo(f"Template written to {file}.")


def imports(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List past imports: file, SHA-256, who, when, counts."""
    shell.emit(shell.catalogue(ctx).imports(), fmt, ["at", "actor", "file_name", "mode", "counts"])

