"""``dti scenario``: save, show and change scenarios; freeze them as decision snapshots, check
a snapshot still reproduces, and explain why ranks moved between two snapshots.

Registered on the ``dti`` application by :mod:`inventory.cli`. Settings are checked by
:class:`scoring.scenario.Scenario` before anything is saved.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from inventory.cli import shell
from inventory.cli.scoring import (
    AggregationOption,
    AhpOption,
    AllOption,
    CompletedOption,
    CriteriaOption,
    IdealOption,
    MethodOption,
    MissingOption,
    UpliftOption,
    WeightsOption,
    ranking_inputs,
    saved_scenario,
    scenario_with,
)
from inventory.cli.shell import Format, FormatOption
from scoring.compare import compare_rankings, kendall_matrix, top_n_overlap
from scoring.criteria import load_criteria
from scoring.errors import ScoringError
from scoring.ranking import rank
from scoring.scenario import Constraints, Filters, Ideal, Scenario
from scoring.snapshot import (
    MOVED,
    NEWLY_RANKED,
    NO_LONGER_RANKED,
    freeze,
    settings_changes,
    verify,
    why_moved,
)

scenario_app = shell.command_group("Scenarios: saved weights, method, scope and constraints; "
                                   "decision snapshots.")

UnitsOption = Annotated[list[str] | None, typer.Option("--unit", help="Only these units "
                                                       "(repeatable).")]
PillarsOption = Annotated[list[str] | None, typer.Option("--pillar", help="Only these pillars.")]
AreasOption = Annotated[list[str] | None, typer.Option("--priority-area",
                                                       help="Only these priority areas.")]
StatusesOption = Annotated[list[str] | None, typer.Option(
    "--status", help="Only these transformation statuses.")]
LevelsOption = Annotated[list[int] | None, typer.Option(
    "--level", help="Only these hierarchy levels (1 = top).")]
BudgetOption = Annotated[float | None, typer.Option("--budget", help="Budget in CHF.")]
CapacityOption = Annotated[float | None, typer.Option(
    "--capacity", help="Staff capacity in person-months per period.")]
IncludeOption = Annotated[list[str] | None, typer.Option(
    "--must-include", help="A process that must be chosen (repeatable).")]
ExcludeOption = Annotated[list[str] | None, typer.Option(
    "--must-exclude", help="A process that must not be chosen (repeatable).")]
DeadlineOption = Annotated[str | None, typer.Option(
    "--deadline", help="Milestone the chosen work should meet: C26, PP-26 or a date.")]
NotesOption = Annotated[str | None, typer.Option("--notes", help="Why this scenario.")]
ExclusiveOption = Annotated[list[str] | None, typer.Option(
    "--exclusive", metavar="CODE,CODE,...",
    help="Mutually exclusive alternatives: at most one of them is chosen (repeatable).")]


def _settings(ctx: typer.Context, base: Scenario, name: str, criteria_file: Path | None,
              options: dict[str, Any]) -> Scenario:
    """``base`` with the given options applied, checked against the criteria set."""
    scenario = scenario_with(load_criteria(criteria_file), base, options["method"],
                             options["weights"], options["ahp"], options["aggregation"],
                             options["missing"], options["uplift"], options["all_processes"],
                             options["include_completed"], options["ideal"])
    filters = {k: tuple(v) for k, v in (
        ("units", options["unit"]), ("pillars", options["pillar"]),
        ("priority_areas", options["priority_area"]), ("statuses", options["status"]),
        ("levels", options["level"])) if v}
    constraints = {k: v for k, v in (
        ("budget", options["budget"]), ("capacity", options["capacity"]),
        ("deadline", options["deadline"])) if v is not None}
    constraints |= {k: tuple(v) for k, v in (
        ("must_include", options["must_include"]),
        ("must_exclude", options["must_exclude"])) if v}
    if options["exclusive"]:
        constraints["exclusive"] = tuple(
            tuple(code.strip() for code in group.split(",") if code.strip())
            for group in options["exclusive"])
    changes: dict[str, Any] = {"name": name}
    if filters:
        changes["filters"] = Filters(**{**scenario.filters.__dict__, **filters})
    if constraints:
        changes["constraints"] = Constraints(**{**scenario.constraints.__dict__, **constraints})
    if options["notes"] is not None:
        changes["notes"] = options["notes"]
    return scenario.replace(**changes)


@scenario_app.command("create")
def scenario_create(
    ctx: typer.Context, name: str,
    start: Annotated[str | None, typer.Option("--from", help="Copy this saved scenario.")] = None,
    method: MethodOption = None, ideal: IdealOption = None, weights: WeightsOption = None,
    ahp: AhpOption = None,
    aggregation: AggregationOption = None, missing: MissingOption = None,
    uplift: UpliftOption = None, all_processes: AllOption = False,
    include_completed: CompletedOption = None,
    unit: UnitsOption = None, pillar: PillarsOption = None, priority_area: AreasOption = None,
    status: StatusesOption = None, level: LevelsOption = None, budget: BudgetOption = None,
    capacity: CapacityOption = None, must_include: IncludeOption = None,
    must_exclude: ExcludeOption = None, deadline: DeadlineOption = None,
    exclusive: ExclusiveOption = None, notes: NotesOption = None,
    criteria_file: CriteriaOption = None,
) -> None:
    """Save a new scenario NAME (from the defaults, or --from another one)."""
    options = {k: v for k, v in locals().items() if k not in ("ctx", "name", "start",
                                                              "criteria_file")}
    scenario = _settings(ctx, saved_scenario(ctx, start), name, criteria_file, options)
    record = shell.catalogue(ctx).scenarios.add(name, scenario.to_dict(), shell.actor(ctx))
    typer.echo(f"Saved scenario {record['name']!r} (version 1): {_describe(scenario)}.")


@scenario_app.command("edit")
def scenario_edit(
    ctx: typer.Context, name: str,
    method: MethodOption = None, ideal: IdealOption = None, weights: WeightsOption = None,
    ahp: AhpOption = None,
    aggregation: AggregationOption = None, missing: MissingOption = None,
    uplift: UpliftOption = None, all_processes: AllOption = False,
    include_completed: CompletedOption = None,
    unit: UnitsOption = None, pillar: PillarsOption = None, priority_area: AreasOption = None,
    status: StatusesOption = None, level: LevelsOption = None, budget: BudgetOption = None,
    capacity: CapacityOption = None, must_include: IncludeOption = None,
    must_exclude: ExcludeOption = None, deadline: DeadlineOption = None,
    exclusive: ExclusiveOption = None, notes: NotesOption = None,
    criteria_file: CriteriaOption = None,
    expect_version: Annotated[int | None, typer.Option(
        "--expect-version", help="Refuse if the scenario is no longer at this version.")] = None,
) -> None:
    """Change a saved scenario; options not given keep their saved value."""
    options = {k: v for k, v in locals().items() if k not in ("ctx", "name", "criteria_file",
                                                              "expect_version")}
    book = shell.catalogue(ctx).scenarios
    saved = book.get(name)
    scenario = _settings(ctx, Scenario.from_dict(saved["settings"]), saved["name"],
                         criteria_file, options)
    record = book.update(saved["name"], scenario.to_dict(),
                         saved["version"] if expect_version is None else expect_version,
                         shell.actor(ctx))
    typer.echo(f"Updated scenario {record['name']!r} (version {record['version']}).")


@scenario_app.command("list")
def scenario_list(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Saved scenarios."""
    frame = shell.catalogue(ctx).scenarios.list().drop(columns=["settings", "deleted_at"])
    shell.emit(frame, fmt, ["name", "method", "version", "updated_by", "updated_at", "notes"])


@scenario_app.command("show")
def scenario_show(ctx: typer.Context, name: str, fmt: FormatOption = Format.table) -> None:
    """One scenario's settings in full."""
    record = shell.catalogue(ctx).scenarios.get(name)
    if fmt is not Format.table:
        typer.echo(json.dumps(shell.jsonable(pd.DataFrame([record]))[0], indent=2,
                              ensure_ascii=False))
        return
    scenario = Scenario.from_dict(record["settings"])
    typer.echo(f"{record['name']} (version {record['version']}, {record['updated_by']})")
    typer.echo(f"  {_describe(scenario)}")
    for key, weight in scenario.weights.items():
        typer.echo(f"  weight {key:28} {weight:g}")
    for part in (scenario.filters, scenario.constraints):
        for key, value in part.__dict__.items():
            if value not in ((), None):
                shown = ", ".join(" or ".join(v) if isinstance(v, tuple) else str(v)
                                  for v in value) if isinstance(value, tuple) else value
                typer.echo(f"  {key:35} {shown}")
    if scenario.notes:
        typer.echo(f"  notes: {scenario.notes}")


@scenario_app.command("delete")
def scenario_delete(ctx: typer.Context, name: str) -> None:
    """Delete a scenario (soft: it can be restored; its snapshots stay)."""
    shell.catalogue(ctx).scenarios.delete(name, shell.actor(ctx))
    typer.echo(f"Deleted scenario {name!r}.")


@scenario_app.command("restore")
def scenario_restore(ctx: typer.Context, name: str) -> None:
    """Restore a deleted scenario."""
    shell.catalogue(ctx).scenarios.restore(name, shell.actor(ctx))
    typer.echo(f"Restored scenario {name!r}.")


@scenario_app.command("snapshot")
def scenario_snapshot(
    ctx: typer.Context, name: str,
    label: Annotated[str, typer.Option(help="What the snapshot is for, e.g. the meeting.")] = "",
    criteria_file: CriteriaOption = None,
) -> None:
    """Rank under scenario NAME now and freeze inputs, criteria, settings and results."""
    catalogue = shell.catalogue(ctx)
    saved = catalogue.scenarios.get(name)
    scenario = Scenario.from_dict(saved["settings"])
    criteria = load_criteria(criteria_file)
    inputs = ranking_inputs(catalogue, criteria)
    content = freeze(inputs, criteria, scenario, rank(inputs, criteria, scenario))
    record = catalogue.scenarios.snapshot(saved["name"], label, content, shell.actor(ctx))
    typer.echo(f"Snapshot {record['id']} of {record['scenario']!r}: "
               f"{len(content['results']['table'])} ranked processes, "
               f"SHA-256 {record['content_hash']}.")


@scenario_app.command("snapshots")
def scenario_snapshots(ctx: typer.Context,
                       name: Annotated[str | None, typer.Argument()] = None,
                       fmt: FormatOption = Format.table) -> None:
    """Decision snapshots, newest first (of one scenario, or all)."""
    shell.emit(shell.catalogue(ctx).scenarios.snapshots(name), fmt, [
        "id", "scenario", "label", "taken_at", "taken_by", "content_hash"], whole=["content_hash"])


@scenario_app.command("verify")
def scenario_verify(ctx: typer.Context, snapshot_id: int) -> None:
    """Check a snapshot: its content still matches its hash, its record its seal (keyed with
    the server secret), and re-ranking it gives exactly the results it recorded."""
    record = shell.catalogue(ctx).scenarios.snapshot_record(snapshot_id)
    if not record["intact"]:
        raise ScoringError(f"snapshot {snapshot_id} is not as dti wrote it: {record['damage']}")
    problems = verify(record["content"])
    if problems:
        raise ScoringError(f"snapshot {snapshot_id} does not reproduce: {problems[0]} "
                           f"({len(problems)} differences)")
    typer.echo(f"Snapshot {snapshot_id} is intact (sealed, SHA-256 {record['content_hash']}) "
               "and reproduces exactly.")


@scenario_app.command("why")
def scenario_why(ctx: typer.Context, before: int, after: int,
                 top: Annotated[int | None, typer.Option(help="Only the N largest shifts.")] = 20,
                 fmt: FormatOption = Format.table) -> None:
    """Why ranks moved between snapshots BEFORE and AFTER: what changed in the settings, each
    shift split into settings and inputs (which inputs, by whom), then the processes newly
    ranked and no longer ranked, with the reason."""
    book = shell.catalogue(ctx).scenarios
    old, new = book.snapshot_record(before)["content"], book.snapshot_record(after)["content"]
    moves = why_moved(old, new)
    moved = moves[(moves["status"] == MOVED) & (moves["shift"] != 0)]
    moved = moved.head(top) if top else moved
    entered = moves[moves["status"] == NEWLY_RANKED]
    left = moves[moves["status"] == NO_LONGER_RANKED]
    if fmt is not Format.table:
        shell.emit(pd.concat([moved, entered, left]), fmt, [])
        return
    changes = settings_changes(old, new)
    typer.echo("Settings changed:" + "".join(f"\n  {line}" for line in changes)
               if changes else "Settings changed: none")
    for title, rows, columns in (
            ("Moved", moved, ["code", "name", "rank_before", "rank_after", "shift",
                              "from_settings", "from_inputs", "changed_inputs"]),
            ("Newly ranked", entered, ["code", "name", "rank_after", "reason"]),
            ("No longer ranked", left, ["code", "name", "rank_before", "reason"])):
        if title == "Moved" or not rows.empty:
            typer.echo(f"\n{title} ({len(rows)}):")
            shell.emit(rows, fmt, columns, whole=["changed_inputs", "reason"])


@scenario_app.command("compare")
def scenario_compare(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(help="Saved scenarios, or snapshot ids as #ID.")],
    top: Annotated[int, typer.Option(help="Size of the top-N lists compared.")] = 10,
    criteria_file: CriteriaOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Rank under several scenarios (now) or snapshots (#ID, as decided) side by side: ranks,
    best and worst, top-N overlap and Kendall's tau between each pair."""
    if len(names) < 2:
        raise ScoringError("give at least two scenarios (or #snapshot ids) to compare")
    catalogue = shell.catalogue(ctx)
    rankings: dict[str, pd.Series] = {}
    live = criteria = None
    for name in names:
        if name.startswith("#") and name[1:].isdigit():
            table = catalogue.scenarios.snapshot_record(int(name[1:]))["content"]["results"][
                "table"]
            rankings[name] = pd.Series({row["code"]: row["rank"] for row in table})
            continue
        saved = catalogue.scenarios.get(name)
        if live is None or criteria is None:
            criteria = load_criteria(criteria_file)
            live = ranking_inputs(catalogue, criteria)
        ranking = rank(live, criteria, Scenario.from_dict(saved["settings"]))
        rankings[saved["name"]] = ranking.table.set_index("code")["rank"]
    frame = compare_rankings(rankings).reset_index()
    if fmt is not Format.table:
        shell.emit(frame, fmt, [])
        return
    shell.emit(frame.head(max(top * 2, 20)), fmt, list(frame.columns))
    tau = kendall_matrix(rankings).to_numpy()
    labels = list(rankings)
    typer.echo("")
    for i, a in enumerate(labels):
        for j in range(i + 1, len(labels)):
            b = labels[j]
            overlap = top_n_overlap(rankings[a], rankings[b], top)
            typer.echo(f"{a} vs {b}: top {top} share {overlap.size} "
                       f"(Jaccard {overlap.jaccard:.2f}); Kendall's tau {tau[i, j]:.3f}")


def _describe(scenario: Scenario) -> str:
    parts = [scenario.method.label, f"{scenario.aggregation} of raters"]
    if scenario.reorder_warning:
        parts.append(f"against {Ideal.DATA.label} (adding or removing processes can re-order "
                     "the rest)")
    if scenario.uplift:
        parts.append(f"dependency uplift {scenario.uplift:g}")
    if scenario.missing is not None:
        parts.append(f"missing values: {scenario.missing.value}")
    if scenario.include_completed:
        parts.append("completed processes ranked")
    if scenario.filters.active:
        parts.append("filtered")
    return ", ".join(parts)
