"""``dti robustness``, ``dti portfolio``, ``dti roadmap`` and ``dti backlog``: from a saved
scenario (or the defaults) to a stress-tested, budgeted, sequenced and exported backlog.

Registered on the ``dti`` application by :mod:`inventory.cli`.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from inventory.cli import shell
from inventory.cli.scoring import CriteriaOption, saved_scenario
from inventory.cli.shell import Format, FormatOption
from inventory.files import backlog_export
from scoring import decision
from scoring.criteria import load_criteria
from scoring.errors import ScoringError
from scoring.portfolio import MissingEstimates, PortfolioResult
from scoring.ranking import Ranking, rank
from scoring.roadmap import Period
from scoring.scenario import Scenario
from scoring.sensitivity import swap_threshold
from scoring.wording import change_decimals, signed

ScenarioArgument = Annotated[str | None, typer.Argument(
    help="A saved scenario (`dti scenario list`); the defaults when left out.")]
SamplesOption = Annotated[int, typer.Option(help="Monte Carlo samples.")]
TopOption = Annotated[int, typer.Option("--top", help="Size of the top group (N).")]
SeedOption = Annotated[int, typer.Option(help="Random seed: the same seed, the same result.")]
SpreadOption = Annotated[str, typer.Option(
    "--weight-spread", help="Dirichlet concentration around the weights (higher: closer), or "
                            "'any' for any weighting at all (uniform on the simplex).")]
BudgetOption = Annotated[float | None, typer.Option(help="Budget in CHF (default: the "
                                                    "scenario's).")]
CapacityOption = Annotated[float | None, typer.Option(
    help="Person-months per period (default: the scenario's).")]
UnknownOption = Annotated[str, typer.Option(
    "--unknown", help="A process with no cost (or effort) estimate while the budget (or the "
                      "capacity) is limited: leave-out (not chosen, listed as needing an "
                      "estimate), refuse (and name it), assume (count it at --assume-cost "
                      "and --assume-effort) or zero (count it as free).")]
AssumeCostOption = Annotated[float | None, typer.Option(
    "--assume-cost", help="With --unknown assume: the cost in CHF an unknown cost counts as.")]
AssumeEffortOption = Annotated[float | None, typer.Option(
    "--assume-effort", help="With --unknown assume: the person-months an unknown effort counts "
                            "as.")]
PeriodOption = Annotated[list[str] | None, typer.Option(
    "--period", metavar="NAME=PM",
    help="A roadmap period and its capacity in person-months (repeatable, in time order). "
         "Default: by C26, by PP-26, 2027, 2028 up to the scenario's deadline.")]


@dataclass
class _Run:
    """One decision command's ranking under a saved scenario (or the defaults), with the live
    inventory's frames the portfolio, the roadmap and the backlog read beside it."""

    name: str
    scenario: Scenario
    ranking: Ranking
    frames: dict[str, pd.DataFrame]


def _run(ctx: typer.Context, name: str | None, criteria_file: Path | None) -> _Run:
    results = shell.results(shell.catalogue(ctx))
    scenario = saved_scenario(ctx, name)
    criteria = load_criteria(criteria_file)
    ranking = rank(results.ranking_inputs(criteria), criteria, scenario)
    return _Run(name or "Default", scenario, ranking, results.frames())


def _concentration(text: str) -> float | None:
    if text.strip().lower() == "any":
        return None
    try:
        return float(text)
    except ValueError:
        raise ScoringError(f"--weight-spread {text!r}: give a number such as 100, or 'any'") \
            from None


def _robust(run: _Run, samples: int, top: int, seed: int, spread: str,
            values: bool) -> decision.Robustness:
    concentration = _concentration(spread)
    with _progress("Monte Carlo", samples) as progress:
        return decision.robustness(run.ranking, samples=samples, top_n=top, seed=seed,
                                   concentration=concentration, value_noise=values,
                                   progress=progress)


def _unknowns(unknown: str, cost: float | None, effort: float | None) -> decision.Unknowns:
    """``--unknown`` with ``--assume-cost`` and ``--assume-effort``, checked."""
    policies = {"leave-out": "leave_out", "refuse": "refuse", "assume": "assume",
                "zero": "zero"}
    if unknown not in policies:
        raise ScoringError(f"--unknown {unknown!r}: use leave-out, refuse, assume or zero")
    if unknown == "assume" and cost is None and effort is None:
        raise ScoringError("--unknown assume needs --assume-cost CHF (when the budget is "
                           "limited) and --assume-effort PM (when the capacity is)")
    if unknown != "assume" and (cost is not None or effort is not None):
        raise ScoringError("--assume-cost and --assume-effort go with --unknown assume")
    return decision.Unknowns(policies[unknown], cost, effort)  # type: ignore[arg-type]


def _choose(run: _Run, budget: float | None, capacity: float | None, unknown: str,
            assume_cost: float | None = None,
            assume_effort: float | None = None) -> PortfolioResult:
    try:
        result = decision.choose(run.ranking, run.frames["processes"],
                                 run.frames["dependencies"], budget=budget, capacity=capacity,
                                 unknown=_unknowns(unknown, assume_cost, assume_effort))
    except MissingEstimates as error:
        figure = "--assume-cost CHF" if error.what == "cost" else "--assume-effort PM"
        raise MissingEstimates(error.what, error.codes, how=(
            f"with --unknown leave-out, --unknown assume {figure}, or --unknown zero")) from None
    if not result.feasible:
        raise ScoringError("The constraints cannot all be met: " + "; ".join(result.conflicts))
    return result


def _periods(run: _Run, given: list[str] | None, capacity: float | None) -> list[Period]:
    if given:
        periods = []
        for item in given:
            name, sep, pm = item.rpartition("=")
            try:
                periods.append(Period(name.strip(), None, float(pm)))
            except ValueError:
                raise ScoringError(f"--period {item!r}: write NAME=PERSON_MONTHS, e.g. "
                                   "'by C26=30'") from None
            if not sep:
                raise ScoringError(f"--period {item!r}: write NAME=PERSON_MONTHS")
        return periods
    per_period = capacity if capacity is not None else run.scenario.constraints.capacity
    if per_period is None:
        raise ScoringError("The roadmap needs a capacity per period: --capacity PM, --period "
                           "NAME=PM, or a scenario with a capacity")
    return decision.default_periods(per_period, run.scenario.constraints.deadline)


def robustness(
    ctx: typer.Context, scenario: ScenarioArgument = None, samples: SamplesOption = 2_000,
    top: TopOption = 10, seed: SeedOption = 0, weight_spread: SpreadOption = "100",
    values: Annotated[bool, typer.Option(
        "--values/--no-values", help="Also vary values within the raters' range (unknown "
                                     "values over the whole scale).")] = True,
    swap: Annotated[tuple[str, str] | None, typer.Option(
        "--swap", metavar="CODE CODE",
        help="Instead of the Monte Carlo and the weight flips: only the smallest change of one "
             "weight that swaps these two processes, under the weighted sum (--samples, --top, "
             "--seed, --weight-spread and --values are then not used).")] = None,
    criteria_file: CriteriaOption = None, fmt: FormatOption = Format.table,
) -> None:
    """How likely each process is to be in the top N (Monte Carlo), its rank interval, and
    the smallest weight change that alters the top N (weight flips); or, with --swap, only
    the smallest weight change that swaps two processes. JSON carries the processes, the
    weight flips and the notes; CSV the processes only."""
    run = _run(ctx, scenario, criteria_file)
    if swap is not None:
        _swap(run, *swap, fmt)
        return
    robust = _robust(run, samples, top, seed, weight_spread, values)
    table = robust.table.reset_index()[["rank", "code", *[
        c for c in robust.table.columns if c != "rank"]]]
    flips = robust.flips.reset_index()
    for side in ("enters", "leaves"):
        flips[side] = pd.Series([list(map(str, e)) for e in flips[side]], dtype=object)
    if fmt is Format.json:
        typer.echo(json.dumps({
            "scenario": run.name, "samples": samples, "seed": seed, "top_n": top,
            "weight_spread": weight_spread, "values": values,
            "processes": shell.jsonable(table), "weight_flips": shell.jsonable(flips),
            "notes": robust.notes}, indent=2, ensure_ascii=False))
        return
    if fmt is Format.csv:
        shell.emit(table, fmt, [])
        return
    typer.echo(f"{run.name}: {samples:,} samples, seed {seed}, top {top}, weight spread "
               f"{weight_spread}{', values within their ranges' if values else ''}")
    shown = table.assign(probability_top_n=[f"{p:.0%}" for p in table["probability_top_n"]],
                         interval=[f"{a}-{b}" for a, b in zip(table["rank_p5"],
                                                              table["rank_p95"], strict=True)])
    shell.emit(shown, fmt, ["rank", "code", "probability_top_n", "rank_p50", "interval",
                            "robustness"])
    typer.echo("\nSmallest change of one weight that alters the top group:")
    flips = flips.assign(change=[signed(c) if pd.notna(c) else "none" for c in flips["change"]],
                         weight=flips["weight"].round(3),
                         enters=[", ".join(e) for e in flips["enters"]],
                         leaves=[", ".join(e) for e in flips["leaves"]])
    shell.emit(flips, fmt, ["label", "weight", "change", "enters", "leaves"])
    for note in robust.notes:
        typer.echo(f"Note: {note}", err=True)


def _swap(run: _Run, first: str, second: str, fmt: Format) -> None:
    """The smallest single-weight change that swaps two ranked processes: in words, or as one
    record (JSON) or row (CSV) with the change at full precision."""
    for code in (first, second):
        run.ranking.require(code)
    change = swap_threshold(run.ranking.normalised, run.ranking.weights, first, second)
    label = None if change is None else run.ranking.criteria.get(str(change.criterion)).label
    if fmt is not Format.table:
        record = {"first": first, "second": second, "method": "weighted sum",
                  "criterion": None if change is None else str(change.criterion),
                  "label": label, "weight": None if change is None else change.weight,
                  "change": None if change is None else change.change,
                  "new_weight": None if change is None else change.new_weight}
        if fmt is Format.json:
            typer.echo(json.dumps(record, indent=2, ensure_ascii=False))
        else:
            shell.emit(pd.DataFrame([record]), fmt, [])
        return
    if change is None:
        typer.echo(f"No change of a single weight swaps {first} and {second}.")
    elif change.change == 0:
        way = "increase" if math.copysign(1.0, change.change) > 0 else "decrease"
        typer.echo(f"{first} and {second} are tied now: any {way} of the weight of {label} "
                   f"(now {change.weight:.3f}) swaps them, the other weights keeping their "
                   "proportions, under the weighted sum.")
    else:
        digits = change_decimals(change.change)
        typer.echo(f"{first} and {second} swap when the weight of {label} moves from "
                   f"{change.weight:.{digits}f} to {change.new_weight:.{digits}f} "
                   f"({signed(change.change)}, the other weights keeping their proportions), "
                   "under the weighted sum.")


def portfolio(
    ctx: typer.Context, scenario: ScenarioArgument = None, budget: BudgetOption = None,
    capacity: CapacityOption = None, unknown: UnknownOption = "leave-out",
    assume_cost: AssumeCostOption = None, assume_effort: AssumeEffortOption = None,
    criteria_file: CriteriaOption = None, fmt: FormatOption = Format.table,
) -> None:
    """The most valuable set of processes within budget and capacity, respecting
    must-include, must-exclude and prerequisites (exact, mixed integer programme)."""
    run = _run(ctx, scenario, criteria_file)
    result = _choose(run, budget, capacity, unknown, assume_cost, assume_effort)
    if fmt is not Format.table:
        shell.emit(result.items, fmt, [])
        return
    typer.echo(f"{run.name}: {len(result.selected)} processes chosen, value "
               f"{result.total_value:.3f}, cost CHF {result.total_cost:,.0f}"
               + (f" of {result.budget:,.0f}" if result.budget is not None else "")
               + f", effort {result.total_effort:g} person-months"
               + (f" of {result.capacity:g}" if result.capacity is not None else ""))
    if result.needs_estimate:
        waiting = result.needs_estimate
        typer.echo(f"{len(waiting)} process{'es' if len(waiting) > 1 else ''} need an estimate "
                   f"before {'they' if len(waiting) > 1 else 'it'} can be chosen: "
                   f"{', '.join(waiting)} (or count unknown figures with --unknown assume or "
                   "zero)")
    items = result.items.merge(run.ranking.table[["code", "rank"]], on="code")
    items = items.sort_values(["selected", "rank"], ascending=[False, True])
    shown = items.assign(selected=["yes" if s else "" for s in items["selected"]],
                         value=items["value"].round(3))
    shell.emit(shown, fmt, ["rank", "code", "selected", "value", "cost", "effort", "reason"],
               whole=["reason"])
    for note in result.notes:
        typer.echo(f"Note: {note}", err=True)


def roadmap(
    ctx: typer.Context, scenario: ScenarioArgument = None, budget: BudgetOption = None,
    capacity: CapacityOption = None, period: PeriodOption = None,
    unknown: UnknownOption = "leave-out", assume_cost: AssumeCostOption = None,
    assume_effort: AssumeEffortOption = None,
    all_ranked: Annotated[bool, typer.Option(
        "--all-ranked", help="Plan every ranked process, not only the chosen portfolio.")] = False,
    criteria_file: CriteriaOption = None, fmt: FormatOption = Format.table,
) -> None:
    """The chosen processes placed into periods: never before their prerequisites, never over
    a period's capacity, by rank, quick fixes first; processes that need each other round a
    cycle together. Work whose prerequisite is in no period (not completed, not in the plan)
    is not placed, and those prerequisites are listed with their status and what they hold
    back. JSON carries the periods, the plan (with each process's waiting_for) and the
    prerequisites in no period; CSV the plan only."""
    run = _run(ctx, scenario, criteria_file)
    chosen = None if all_ranked else _choose(run, budget, capacity, unknown, assume_cost,
                                             assume_effort).selected
    periods = _periods(run, period, capacity)
    plan = decision.roadmap(run.ranking, run.frames["processes"], run.frames["dependencies"],
                            periods, chosen)
    outside = decision.prerequisites_in_no_period(plan, run.ranking, run.frames["processes"],
                                                  run.frames["dependencies"])
    if fmt is Format.json:
        typer.echo(json.dumps({
            "scenario": run.name,
            "periods": [{"name": p.name, "capacity_pm": p.capacity_pm} for p in periods],
            "plan": shell.jsonable(plan), "prerequisites_in_no_period": shell.jsonable(outside)},
            indent=2, ensure_ascii=False))
        return
    if fmt is Format.csv:
        shell.emit(plan, fmt, [])
        return
    shown = plan.assign(reason=[reason if isinstance(reason, str) else together or ""
                                for reason, together in zip(plan["reason"], plan["together"],
                                                            strict=True)])
    shell.emit(shown, fmt, ["period", "code", "priority", "effort", "quick_fix", "reason"],
               whole=["reason"])
    if not outside.empty:
        typer.echo(f"\n{len(outside)} prerequisites are in no period and not completed, so "
                   "what needs them cannot be placed (ranked no: assess it or widen the "
                   "scenario's filters):")
        shell.emit(outside.assign(ranked=["yes" if r else "no" for r in outside["ranked"]]), fmt,
              ["code", "status", "ranked", "needed_by"], whole=["needed_by"])


def backlog(
    ctx: typer.Context, scenario: ScenarioArgument = None,
    out: Annotated[Path, typer.Option(
        "--out", help="FILE.xlsx, FILE.csv, FILE.json or FILE.html (a report for leadership).")
    ] = Path("backlog.xlsx"),
    budget: BudgetOption = None, capacity: CapacityOption = None,
    period: PeriodOption = None, unknown: UnknownOption = "leave-out",
    assume_cost: AssumeCostOption = None, assume_effort: AssumeEffortOption = None,
    samples: SamplesOption = 2_000, top: TopOption = 10, seed: SeedOption = 0,
    criteria_file: CriteriaOption = None,
) -> None:
    """Export the ranked, sequenced transformation backlog with the reasons attached."""
    kind = out.suffix.lower().lstrip(".")
    if kind not in backlog_export.FORMATS:
        raise ScoringError(f"{out}: the backlog is written as .xlsx, .csv, .json or .html")
    run = _run(ctx, scenario, criteria_file)
    robust = _robust(run, samples, top, seed, "100", True)
    constraints = run.scenario.constraints
    has_limits = any(v is not None for v in (budget, capacity, constraints.budget,
                                             constraints.capacity))
    chosen = _choose(run, budget, capacity, unknown, assume_cost, assume_effort) \
        if has_limits else None
    plan = None
    if period or capacity is not None or constraints.capacity is not None:
        plan = decision.roadmap(run.ranking, run.frames["processes"],
                                run.frames["dependencies"], _periods(run, period, capacity),
                                chosen.selected if chosen is not None else None)
    sheets = decision.backlog_sheets(
        run.name, run.ranking, run.frames, robust=robust, portfolio=chosen, plan=plan,
        exported_by=shell.actor(ctx).name,
        weighting_round=shell.catalogue(ctx).scenarios.weighting_round(
            run.name, dict(run.ranking.scenario.weights)))
    frame = sheets["Backlog"]
    data = backlog_export.export(kind, sheets, shell.actor(ctx), top=top,
                                 title=f"Transformation backlog: {run.name}")
    try:
        out.write_bytes(data)
    except OSError as error:
        raise ScoringError(f"cannot write {out}: {error.strerror}") from None
    typer.echo(f"Wrote the backlog of {len(frame)} processes to {out}.")


@contextmanager
def _progress(label: str, steps: int) -> Iterator[Callable[[float], None] | None]:
    """A progress bar of ``steps`` (e.g. samples) on stderr when stderr is a terminal, and the
    callback that moves it to a fraction done (0-1); no bar and ``None`` otherwise, so that
    redirected output, logs and ``--format json`` stay clean."""
    if not sys.stderr.isatty():
        yield None
        return
    with typer.progressbar(length=steps, label=label, file=sys.stderr, show_pos=True) as bar:

        def advance(fraction: float) -> None:
            bar.update(round(fraction * steps) - bar.pos)

        yield advance
