"""``dti initiative``: the transformation roadmap's initiatives (the processes they transform,
the KPIs they move), their rationalisation (combine, split, propose from a ranked backlog) and
the count on the roadmap over time.

Registered on the ``dti`` application by :mod:`inventory.cli`; deliverables and progress notes
are in :mod:`inventory.cli.delivery`. One service call per command
(:class:`inventory.services.rationalisation.InitiativeBook`), which checks the role and the
input: leadership and admins decide initiatives, analysts record delivery, admins restore.

Conventions: a list option (``--process``, ``--kpi``, ``--study``, ``--tag``) is repeatable and,
on ``edit``, replaces the whole list when given (``--process ''`` empties it); a KPI is written
``PROCESS-CODE: KPI name``; ``--expect-version`` (or ``--version``) refuses the change if
someone saved the initiative since that version was read.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pandas as pd
import typer

from inventory.cli import delivery, roadmap_report, shell
from inventory.cli.scoring import CriteriaOption, ranking_inputs, saved_scenario
from inventory.cli.shell import Format, FormatOption
from inventory.errors import InvalidInput
from inventory.roadmap_dashboard import filtered, on_roadmap
from inventory.roadmap_schemas import InitiativeStatus
from inventory.schemas import Choice, Pillar, PriorityArea, parse_choice
from scoring.criteria import load_criteria
from scoring.ranking import rank

initiative_app = shell.command_group(
    "Roadmap initiatives: add, list, show, edit, link, combine, split, propose; deliverables "
    "and progress notes.")

Items = list[str] | None
DescriptionOption = Annotated[str | None, typer.Option("--description", help="What it does.")]
PillarOption = Annotated[str | None, typer.Option("--pillar", help="Transformation pillar, e.g. "
                                                  "governance or people_and_culture.")]
AreaOption = Annotated[str | None, typer.Option(
    "--priority-area", help="member_experience, operational_efficiency or staff_empowerment.")]
OwnerOption = Annotated[str | None, typer.Option("--owner", help="Business owner.")]
UnitOption = Annotated[str | None, typer.Option("--unit", help="Code of the leading unit.")]
StatusOption = Annotated[str | None, typer.Option(
    "--status", help="planned (default), ongoing, completed or revised (needs --reason).")]
ReasonOption = Annotated[str | None, typer.Option(
    "--reason", help="Why the status (required for revised: what changed).")]
StartOption = Annotated[str | None, typer.Option("--start", help="Start date, YYYY-MM-DD.")]
EndOption = Annotated[str | None, typer.Option("--end", help="End date, YYYY-MM-DD.")]
BudgetOption = Annotated[float | None, typer.Option("--budget", help="Budget in CHF.")]
StaffOption = Annotated[float | None, typer.Option("--staff", help="Effort in person-months.")]
ProcessOption = Annotated[Items, typer.Option(
    "--process", metavar="CODE", help="A process it transforms (repeatable).")]
KpiOption = Annotated[Items, typer.Option(
    "--kpi", metavar="'PROCESS: KPI'", help="A KPI it is to move, as 'HR-REC: Time to hire' "
                                            "(repeatable).")]
StudyOption = Annotated[Items, typer.Option(
    "--study", help="A complementary study it builds on (repeatable).")]
TagOption = Annotated[Items, typer.Option("--tag", help="A tag (repeatable).")]
VersionOption = Annotated[int | None, typer.Option(
    "--expect-version", "--version",
    help="Refuse the change if the record is no longer at this version.")]

FIELDS = {"description": "description", "pillar": "pillar", "priority_area": "priority_area",
          "owner": "business_owner", "unit": "unit", "status": "status",
          "reason": "status_reason", "start": "start_date", "end": "end_date",
          "budget": "budget_chf", "staff": "staff_pm", "process": "processes", "kpi": "kpis",
          "study": "studies", "tag": "tags"}
"""Option (parameter) name -> :class:`~inventory.roadmap_schemas.InitiativeIn` field."""

LIST_TABLE = ["code", "name", "status", "priority_area", "pillar", "processes", "deliverables",
              "status_reason", "version"]
DELIVERABLE_KEYS = ["ref", "objective", "milestone", "text", "due", "status", "evidence",
                    "version"]


def _fields(options: dict[str, Any]) -> dict[str, Any]:
    """The initiative fields of the options given (tags joined as the service reads them)."""
    fields = {FIELDS[name]: value for name, value in options.items()
              if name in FIELDS and value is not None}
    if "tags" in fields:
        fields["tags"] = "; ".join(fields["tags"])
    return fields


def _items(text: Any) -> list[str]:
    """A ``; ``-joined list cell as a list (empty when unknown)."""
    return [item.strip() for item in str(text or "").split(";") if item.strip()]


def _with_lists(record: dict[str, Any], deliverables: list[dict[str, Any]]) -> dict[str, Any]:
    """A JSON record of an initiative: list fields as lists, with its ``deliverables``."""
    for key in ("processes", "kpis", "studies", "tags"):
        record[key] = _items(record[key])
    return record | {"deliverables": deliverables}


def _choice(kind: type[Choice], values: Items, option: str) -> list[str] | None:
    """The values of a filter ``option`` read as the vocabulary ``kind`` (by value, label or
    synonym)."""
    try:
        return None if not values else [parse_choice(kind, v).value for v in values]
    except ValueError as error:
        raise InvalidInput(f"{option}: {error}") from None


# ---------------------------------------------------------------- initiatives


@initiative_app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Unique code, e.g. INI-EVENTS.")],
    name: Annotated[str, typer.Option("--name", help="Name of the initiative.")],
    description: DescriptionOption = None, pillar: PillarOption = None,
    priority_area: AreaOption = None, owner: OwnerOption = None, unit: UnitOption = None,
    status: StatusOption = None, reason: ReasonOption = None, start: StartOption = None,
    end: EndOption = None, budget: BudgetOption = None, staff: StaffOption = None,
    process: ProcessOption = None, kpi: KpiOption = None, study: StudyOption = None,
    tag: TagOption = None,
) -> None:
    """Add an initiative to the roadmap (leadership or admin)."""
    data = {"code": code, "name": name} | _fields(locals())
    record = shell.catalogue(ctx).initiatives.add(data, shell.actor(ctx))
    typer.echo(f"Added initiative {record['code']} ({record['status']}, version "
               f"{record['version']}).")


@initiative_app.command("edit")
def edit(
    ctx: typer.Context, code: str,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    description: DescriptionOption = None, pillar: PillarOption = None,
    priority_area: AreaOption = None, owner: OwnerOption = None, unit: UnitOption = None,
    status: StatusOption = None, reason: ReasonOption = None, start: StartOption = None,
    end: EndOption = None, budget: BudgetOption = None, staff: StaffOption = None,
    process: ProcessOption = None, kpi: KpiOption = None, study: StudyOption = None,
    tag: TagOption = None, expect_version: VersionOption = None,
) -> None:
    """Change the fields given (a list option replaces the whole list; an empty value clears
    a field)."""
    changes = _fields(locals()) | shell.given(name=name)
    if not changes:
        raise InvalidInput("nothing to change: give options such as --name, --status or "
                           "--process")
    book = shell.catalogue(ctx).initiatives
    before = book.get(code)["version"]
    record = book.update(code, changes, expect_version, shell.actor(ctx))
    typer.echo(f"No change: initiative {record['code']} already had these values."
               if record["version"] == before else
               f"Updated initiative {record['code']} (version {record['version']}).")


@initiative_app.command("list")
def list_initiatives(
    ctx: typer.Context,
    status: Annotated[Items, typer.Option("--status", help="Only these statuses.")] = None,
    pillar: Annotated[Items, typer.Option("--pillar", help="Only these pillars.")] = None,
    priority_area: Annotated[Items, typer.Option(
        "--priority-area", help="Only these priority areas.")] = None,
    tag: Annotated[Items, typer.Option("--tag", help="Only those with one of these tags.")
                   ] = None,
    all_: Annotated[bool, typer.Option(
        "--all", help="Also those combined into another or split (off the roadmap).")] = False,
    deleted: Annotated[bool, typer.Option("--deleted", help="Only deleted ones.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Initiatives on the roadmap, by code; JSON gives lists as lists and the deliverables."""
    book = shell.catalogue(ctx).initiatives
    frame = book.initiatives(deleted_only=deleted)
    if not all_:
        frame = frame[on_roadmap(frame)]
    frame = filtered(frame, status=_choice(InitiativeStatus, status, "--status"),
                     pillar=_choice(Pillar, pillar, "--pillar"),
                     priority_area=_choice(PriorityArea, priority_area, "--priority-area"),
                     tag=[t.strip().lower() for t in tag or []]).reset_index(drop=True)
    deliverables = book.deliverables(include_deleted=True)
    deliverables = deliverables[deliverables["deleted_at"].isna()]
    if fmt is Format.json:
        owned = {code: shell.jsonable(rows[DELIVERABLE_KEYS])
                 for code, rows in deliverables.groupby("initiative_code", sort=False)}
        typer.echo(json.dumps([_with_lists(record, owned.get(record["code"], []))
                               for record in shell.jsonable(frame)],
                              indent=2, ensure_ascii=False))
        return
    counts = deliverables["initiative_code"].value_counts()
    shell.emit(frame.assign(deliverables=[int(counts.get(c, 0)) for c in frame["code"]]), fmt,
               LIST_TABLE)


@initiative_app.command("show")
def show(ctx: typer.Context, code: str, fmt: FormatOption = Format.table) -> None:
    """One initiative: its fields, lineage, deliverables, notes and history (newest first)."""
    book = shell.catalogue(ctx).initiatives
    record = book.get(code)
    lineage = book.lineage(record["code"])
    history = book.history(record["code"]).drop(columns=["id", "entity_id"])
    deliverables = pd.DataFrame(record.pop("deliverables"))
    notes = pd.DataFrame(record.pop("updates"))
    if fmt is Format.csv:
        shell.emit(pd.DataFrame([record]), fmt, [])
        return
    if fmt is Format.json:
        shown = _with_lists(shell.jsonable(pd.DataFrame([record]))[0],
                            shell.jsonable(deliverables))
        shown |= {"absorbed": lineage["absorbed"], "split_into": lineage["split_into"],
                  "notes": shell.jsonable(notes), "history": shell.jsonable(history)}
        typer.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    fields = shell.jsonable(pd.DataFrame([record]))[0]
    width = max(len(key) for key in fields)
    for key, value in fields.items():
        if value is not None:
            typer.echo(f"{key:<{width}}  {shell.terminal_safe(str(value))}")
    typer.echo("\nLineage:")
    for key in ("combined_into", "split_from", "absorbed", "split_into"):
        value = lineage[key]
        shown_value = ", ".join(value) if isinstance(value, list) else value
        typer.echo(f"  {key.replace('_', ' '):<14} {shown_value or '-'}")
    for title, frame, columns in (
            ("Deliverables", deliverables, ["ref", "milestone", "due", "status", "text",
                                            "objective", "evidence", "version"]),
            ("Notes", notes, ["id", "noted_on", "kind", "note", "resolved_by", "created_by"]),
            ("History", history, ["at", "actor", "action", "entity_key", "field",
                                  "old_value", "new_value"])):
        typer.echo(f"\n{title}:")
        shell.emit(frame, Format.table, columns if not frame.empty else [])


@initiative_app.command("delete")
def delete(ctx: typer.Context, code: str, expect_version: VersionOption = None) -> None:
    """Delete an initiative (soft: an admin can restore it with its deliverables and notes)."""
    stored = shell.catalogue(ctx).initiatives.delete(code, shell.actor(ctx), expect_version)
    typer.echo(f"Deleted initiative {stored}; `dti initiative restore {stored}` brings it back.")


@initiative_app.command("restore")
def restore(ctx: typer.Context, code: str) -> None:
    """Restore a deleted initiative (admin)."""
    typer.echo(f"Restored initiative "
               f"{shell.catalogue(ctx).initiatives.restore(code, shell.actor(ctx))}.")


@initiative_app.command("link")
def link(
    ctx: typer.Context, code: str, process: ProcessOption = None, kpi: KpiOption = None,
    unlink_process: Annotated[Items, typer.Option(
        "--unlink-process", metavar="CODE", help="A process it no longer transforms.")] = None,
    unlink_kpi: Annotated[Items, typer.Option(
        "--unlink-kpi", metavar="'PROCESS: KPI'", help="A KPI it no longer moves.")] = None,
    expect_version: VersionOption = None,
) -> None:
    """Link processes and KPIs to an initiative, or unlink them."""
    record = shell.catalogue(ctx).initiatives.link(
        code, shell.actor(ctx), processes=process or [], kpis=kpi or [],
        unlink_processes=unlink_process or [], unlink_kpis=unlink_kpi or [],
        seen_version=expect_version)
    typer.echo(f"Initiative {record['code']} (version {record['version']}) transforms: "
               f"{', '.join(_items(record['processes'])) or 'no process'}; moves: "
               f"{', '.join(_items(record['kpis'])) or 'no KPI'}.")


# ---------------------------------------------------------------- rationalisation


@initiative_app.command("combine")
def combine(
    ctx: typer.Context,
    codes: Annotated[list[str], typer.Argument(help="The initiatives to combine.")],
    into: Annotated[str, typer.Option("--into", help="The initiative they become part of.")],
    name: Annotated[str | None, typer.Option(
        "--name", help="Create --into as a new initiative with this name (it takes the first "
                       "one's pillar, priority area, owner and unit).")] = None,
) -> None:
    """Combine initiatives into one: they become revised ("combined into INTO"), INTO takes
    their processes, KPIs, studies, deliverables, budget and effort."""
    book = shell.catalogue(ctx).initiatives
    record = book.combine(codes, into, shell.actor(ctx),
                          new=None if name is None else {"name": name})
    given = {code.strip().casefold() for code in codes}
    absorbed = [c for c in book.lineage(record["code"])["absorbed"] if c.casefold() in given]
    refs = [d["ref"] for d in record["deliverables"]]
    typer.echo(f"Combined {', '.join(absorbed)} into {record['code']} (version "
               f"{record['version']}); they are revised: combined into {record['code']}.")
    typer.echo(f"{record['code']} transforms: {', '.join(_items(record['processes'])) or '-'}")
    typer.echo(f"{record['code']} delivers: {', '.join(refs) or '-'}")


def _part_lists(options: Items, option: str, parts: list[str]) -> dict[str, list[str]]:
    """``CODE=A,B`` items as {part code: [A, B]}; the code must be one of ``parts``."""
    lists: dict[str, list[str]] = {}
    for code, text in shell.pairs(options, option).items():
        if code.casefold() not in {p.casefold() for p in parts}:
            raise InvalidInput(f"{option} {code}=...: {code} is not one of the parts given "
                               f"with --into ({', '.join(parts)})")
        lists[code.casefold()] = [item.strip() for item in text.split(",") if item.strip()]
    return lists


@initiative_app.command("split")
def split(
    ctx: typer.Context, code: str,
    into: Annotated[list[str], typer.Option(
        "--into", metavar="CODE=NAME", help="A new part: its code and name (at least two).")],
    processes: Annotated[Items, typer.Option(
        "--processes", metavar="CODE=P1,P2",
        help="The processes part CODE transforms (default: all of the original's).")] = None,
    deliverables: Annotated[Items, typer.Option(
        "--deliverables", metavar="CODE=D1,D2",
        help="The deliverables part CODE takes over (others stay with the original).")] = None,
) -> None:
    """Split an initiative into parts: --into A1="Part one" --into A2="Part two"
    [--processes A1=P1,P2] [--deliverables A2=D1]. Each part takes the original's fields;
    the original becomes revised ("split into A1, A2")."""
    named = shell.pairs(into, "--into")
    by_part = _part_lists(processes, "--processes", list(named))
    taken = _part_lists(deliverables, "--deliverables", list(named))
    parts = []
    for part, name in named.items():
        fields: dict[str, Any] = {"code": part, "name": name}
        if part.casefold() in by_part:
            fields["processes"] = by_part[part.casefold()]
        if part.casefold() in taken:
            fields["deliverables"] = taken[part.casefold()]
        parts.append(fields)
    book = shell.catalogue(ctx).initiatives
    made = book.split(code, parts, shell.actor(ctx))
    original = book.get(code)
    typer.echo(f"Split {original['code']} into {', '.join(made)}; {original['code']} is "
               f"revised: {original['status_reason']}.")
    frame = book.initiatives()
    for part in made:
        row = frame[frame["code"] == part].iloc[0]
        refs = book.deliverables(part)["ref"]
        typer.echo(f"  {part}: transforms {', '.join(_items(row['processes'])) or '-'}; "
                   f"delivers {', '.join(refs) or '-'}")


@initiative_app.command("propose")
def propose(
    ctx: typer.Context,
    snapshot: Annotated[int | None, typer.Option(
        "--snapshot", help="A decision snapshot's id: its frozen ranking is used and the "
                           "initiatives are linked to it.")] = None,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="A saved scenario: rank the current data with it.")] = None,
    top: Annotated[int | None, typer.Option(
        "--top", help="Take the N best-ranked processes.")] = None,
    process: Annotated[Items, typer.Option(
        "--process", metavar="CODE", help="Take this ranked process (repeatable).")] = None,
    group: Annotated[str | None, typer.Option(
        "--group", help="One initiative with this code for them all (needs --name).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The --group's name.")] = None,
    criteria_file: CriteriaOption = None,
) -> None:
    """Turn ranked processes into planned initiatives: one per process (INI-<code>), or one
    --group for them all. The ranking is a snapshot's (--snapshot ID) or the current data's
    under a saved scenario (--scenario NAME); take its --top N or the --process codes."""
    if (snapshot is None) == (scenario is None):
        raise InvalidInput("give either --snapshot ID or --scenario NAME")
    if (top is None) == (not process):
        raise InvalidInput("give either --top N or one or more --process CODE")
    if (group is None) != (name is None):
        raise InvalidInput("--group CODE and --name NAME go together")
    catalogue = shell.catalogue(ctx)
    if snapshot is not None:
        table = catalogue.scenarios.snapshot_record(snapshot)["content"]["results"]["table"]
        ranked = [row["code"] for row in sorted(table, key=lambda row: row["rank"])]
        source = f"snapshot {snapshot}"
    else:
        criteria = load_criteria(criteria_file)
        ranking = rank(ranking_inputs(catalogue, criteria), criteria,
                       saved_scenario(ctx, scenario))
        ranked = list(ranking.table["code"])
        source = f"the ranking under scenario {scenario!r}"
    if top is not None:
        if top < 1:
            raise InvalidInput(f"--top {top}: take at least one process")
        chosen = ranked[:top]
    else:
        known = {code.casefold(): code for code in ranked}
        missing = [code for code in process or [] if code.strip().casefold() not in known]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise InvalidInput(f"{', '.join(missing)} {verb} not ranked in {source}; choose "
                               "among its ranked processes")
        chosen = [known[code.strip().casefold()] for code in process or []]
    made = catalogue.initiatives.propose(
        chosen, shell.actor(ctx), snapshot_id=snapshot,
        group=None if group is None else {"code": group, "name": name})
    typer.echo(f"Proposed {len(made)} planned initiative(s) from {source}: {', '.join(made)}.")


@initiative_app.command("timeline")
def timeline(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """How many initiatives were on the roadmap after each change that moved the count."""
    shell.emit(shell.catalogue(ctx).initiatives.count_over_time(), fmt,
               ["at", "count", "change", "initiative", "event"])


initiative_app.add_typer(delivery.deliverable_app, name="deliverable")
for _name, _command in (("update", delivery.update), ("resolve", delivery.resolve),
                        ("obstacles", delivery.obstacles), ("report", roadmap_report.report)):
    initiative_app.command(_name)(_command)
