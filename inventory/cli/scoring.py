"""``dti criteria``, ``dti assess``, ``dti score``, ``dti explain`` and ``dti ahp``: the command
line over :mod:`scoring`, on the live inventory.

Registered on the ``dti`` application by :mod:`inventory.cli`. A scoring mistake
(:class:`~scoring.errors.ScoringError`) is reported like any other user error: one line on
stderr, exit status 1. :func:`ranking_inputs`, :func:`saved_scenario`, :func:`scenario_with`
and the ranking options are shared with :mod:`inventory.cli.scenarios` and
:mod:`inventory.cli.decisions`.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from inventory.cli import shell
from inventory.cli.shell import Format, FormatOption
from inventory.errors import InvalidInput
from inventory.files.export import csv_text
from inventory.services import Catalogue
from scoring.ahp import CR_THRESHOLD, pairwise_from_table, priorities
from scoring.criteria import CriteriaSet, MissingPolicy, load_criteria
from scoring.errors import ScoringError
from scoring.explain import explain as explain_ranking
from scoring.rank_bounds import interval_texts
from scoring.ranking import Ranking, RankingInputs, rank
from scoring.raters import aggregate
from scoring.scenario import Ideal, Method, Scenario

criteria_app = shell.command_group("Criteria: what processes are scored on (a YAML criteria "
                                   "set).")
assess_app = shell.command_group("Assess processes against the criteria's scales, several "
                                 "raters each.")

CriteriaOption = Annotated[Path | None, typer.Option(
    "--criteria", help="Criteria set (YAML). Default: $DTI_CRITERIA, else the DT-I set "
                       "(data/criteria/dt-i.yaml).", envvar="DTI_CRITERIA")]
MethodOption = Annotated[Method | None, typer.Option(
    "--method", "-m", help="wsm: weighted sum (default); wpm: weighted product; topsis; vikor; "
                           "wsjf: cost of delay / job size; value_effort.")]
IdealOption = Annotated[Ideal | None, typer.Option(
    "--ideal", help="TOPSIS and VIKOR: measure each process against the best and worst the "
                    "criteria's scales declare (declared, the default: adding or removing "
                    "processes never re-orders the others) or against the best and worst of "
                    "the processes ranked (data, as first published: adding or removing "
                    "processes can re-order the rest).")]
ScenarioOption = Annotated[str | None, typer.Option(
    "--scenario", "-s", help="Start from this saved scenario (`dti scenario list`); the other "
                             "options change it for this run only.")]
WeightsOption = Annotated[list[str] | None, typer.Option(
    "--weights", "-w", metavar="KEY=WEIGHT",
    help="Weight of a criterion (repeatable, >= 0; others keep the criteria set's weight).")]
AhpOption = Annotated[Path | None, typer.Option(
    "--ahp", help="Take weights from an AHP pairwise matrix (CSV, see `dti ahp`); criteria "
                  "not in it get weight 0.")]
AggregationOption = Annotated[str | None, typer.Option(
    "--aggregation", help="Combine several raters by median (default) or mean.")]
MissingOption = Annotated[MissingPolicy | None, typer.Option(
    "--missing", help="Override every criterion's missing-value policy.")]
UpliftOption = Annotated[float | None, typer.Option(
    "--uplift", help="Dependency uplift factor in [0, 1): a blocker inherits this share of "
                     "the value of the work it unblocks; processes on one cycle pass nothing "
                     "to each other. 0 = off (default).")]
AllOption = Annotated[bool, typer.Option(
    "--all-processes", help="Also rank processes with no assessment (values imputed).")]
CompletedOption = Annotated[bool | None, typer.Option(
    "--include-completed/--leave-out-completed",
    help="Rank processes whose transformation is completed too. By default they are done, "
         "so they are left out of the ranking (and counted apart).")]


def ranking_inputs(catalogue: Catalogue, criteria: CriteriaSet | None = None) -> RankingInputs:
    """What the commands rank: the live processes, assessments, dependencies and graph metrics,
    as the pages read them (:meth:`inventory.results.Results.ranking_inputs`; betweenness only
    when ``criteria`` read it, or when no criteria are given)."""
    return shell.results(catalogue).ranking_inputs(criteria)


def _weights(criteria: CriteriaSet, weights: list[str] | None,
             ahp: Path | None) -> dict[str, float]:
    chosen: dict[str, float] = {}
    if ahp is not None:
        labels, matrix = pairwise_file(ahp)
        unknown = [label for label in labels if label not in criteria.keys]
        if unknown:
            raise ScoringError(f"The AHP matrix names {unknown[0]!r}, which is not a criterion: "
                               f"use the keys {', '.join(criteria.keys)}")
        result = priorities(matrix)
        if result.cr is not None and result.cr > CR_THRESHOLD:
            typer.echo(f"Warning: {_consistency(labels, result)}", err=True)
        chosen = {key: 0.0 for key in criteria.keys}
        chosen.update({label: float(w) for label, w in zip(labels, result.weights, strict=True)})
    for key, text in shell.pairs(weights, "--weights").items():
        try:
            chosen[key] = float(text)
        except ValueError:
            raise InvalidInput(f"--weights {key}={text}: the weight must be a number") from None
    return chosen


def scenario_with(criteria: CriteriaSet, base: Scenario, method: Method | None,
                  weights: list[str] | None, ahp: Path | None, aggregation: str | None,
                  missing: MissingPolicy | None, uplift: float | None,
                  all_processes: bool, include_completed: bool | None = None,
                  ideal: Ideal | None = None) -> Scenario:
    """``base`` (a saved scenario, or the defaults) with the options given on the command
    line applied on top; checked against the criteria."""
    changes: dict[str, Any] = {}
    if method is not None:
        changes["method"] = method
    if ideal is not None:
        changes["ideal"] = ideal
    if weights or ahp is not None:
        start = {} if ahp is not None else dict(base.weights)
        changes["weights"] = start | _weights(criteria, weights, ahp)
    for name, value in (("aggregation", aggregation), ("missing", missing),
                        ("uplift", uplift)):
        if value is not None:
            changes[name] = value
    if all_processes:
        changes["include_unassessed"] = True
    if include_completed is not None:
        changes["include_completed"] = include_completed
    scenario = base.replace(**changes)
    scenario.weights_for(criteria)  # unknown keys and all-zero weights are refused here
    return scenario


def saved_scenario(ctx: typer.Context, name: str | None) -> Scenario:
    """The saved scenario ``name`` (the defaults when ``None``)."""
    if name is None:
        return Scenario()
    return Scenario.from_dict(shell.catalogue(ctx).scenarios.get(name)["settings"])


def _ranking(ctx: typer.Context, scenario_name: str | None, criteria_file: Path | None,
             method: Method | None, weights: list[str] | None, ahp: Path | None,
             aggregation: str | None, missing: MissingPolicy | None, uplift: float | None,
             all_processes: bool, include_completed: bool | None,
             ideal: Ideal | None) -> Ranking:
    criteria = load_criteria(criteria_file)
    scenario = scenario_with(criteria, saved_scenario(ctx, scenario_name), method, weights, ahp,
                             aggregation, missing, uplift, all_processes, include_completed,
                             ideal)
    return rank(ranking_inputs(shell.catalogue(ctx), criteria), criteria, scenario)


def _notes(ranking: Ranking) -> None:
    """What the user should know about a ranking, on stderr (so JSON on stdout stays clean);
    first, as a warning, that the method's ranks can move when processes come or go."""
    warning = ranking.scenario.reorder_warning
    for note in ranking.notes:
        typer.echo(f"{'Warning' if note == warning else 'Note'}: {note}", err=True)
    if ranking.left_out:
        typer.echo(f"Note: {len(ranking.left_out)} processes have no assessment and are not "
                   "ranked (--all-processes ranks them too)", err=True)
    if ranking.completed:
        typer.echo(f"Note: {len(ranking.completed)} completed processes are done and not "
                   "ranked (--include-completed ranks them too)", err=True)


# ---------------------------------------------------------------- criteria

@criteria_app.command("list")
def criteria_list(criteria_file: CriteriaOption = None, fmt: FormatOption = Format.table) -> None:
    """List the criteria: group, direction, scale, source, missing-value policy, weight."""
    criteria = load_criteria(criteria_file)
    frame = pd.DataFrame([{
        "key": c.key, "label": c.label, "group": c.group.value, "direction": c.direction.value,
        "scale": c.scale.describe(), "source": c.source_label, "missing": c.missing.value,
        "weight": c.weight} for c in criteria.criteria])
    if fmt is Format.table:
        typer.echo(f"{criteria.name}: {len(frame)} criteria")
    shell.emit(frame, fmt, list(frame.columns))


@criteria_app.command("show")
def criteria_show(key: str, criteria_file: CriteriaOption = None,
                  fmt: FormatOption = Format.table) -> None:
    """One criterion in full, with the sentence of each anchored level."""
    criterion = load_criteria(criteria_file).get(key)
    record: dict[str, Any] = {
        "key": criterion.key, "label": criterion.label, "description": criterion.description,
        "group": criterion.group.value, "direction": criterion.direction.value,
        "scale": criterion.scale.describe(), "unit": criterion.scale.unit,
        "source": criterion.source_label, "missing": criterion.missing.value,
        "weight": criterion.weight,
        "levels": {f"{v:g}": text for v, text in criterion.scale.levels}}
    if fmt is Format.json:
        typer.echo(json.dumps(record, indent=2, ensure_ascii=False))
        return
    if fmt is Format.csv:
        shell.emit(pd.DataFrame([{k: v for k, v in record.items() if k != "levels"}]), fmt, [])
        return
    for name, value in record.items():
        if name != "levels" and value not in ("", None):
            typer.echo(f"{name:12} {value}")
    for value, text in criterion.scale.levels:
        typer.echo(f"  {value:g}  {text}")


# ---------------------------------------------------------------- assess

@assess_app.command("add")
def assess_add(
    ctx: typer.Context,
    process: str,
    ratings: Annotated[list[str], typer.Argument(metavar="KEY=VALUE...",
                                                 help="One or more criterion=value pairs.")],
    rater: Annotated[str | None, typer.Option(help="Who rates. Default: the actor.")] = None,
    rationale: Annotated[str | None, typer.Option(help="Why (kept with each value).")] = None,
    criteria_file: CriteriaOption = None,
) -> None:
    """Rate PROCESS on one or more criteria; a rater's earlier value for a criterion is
    replaced. Values are checked against each criterion's scale before anything is saved."""
    criteria = load_criteria(criteria_file)
    catalogue = shell.catalogue(ctx, criteria)
    who = rater or shell.actor(ctx).name
    values = {key: _rating(criteria, key, text)
              for key, text in shell.pairs(ratings, "rating").items()}
    existing = catalogue.assessments(process_code=process)
    mine = {str(r["criterion_key"]): r for r in
            existing[existing["rater"] == who].to_dict("records")}
    new = [{"process_code": process, "criterion_key": key, "value": value, "rater": who,
            "rationale": rationale} for key, value in values.items() if key not in mine]
    if new:
        catalogue.load({"assessments": new}, shell.actor(ctx))
    changed = []
    for key, value in values.items():
        if key in mine:
            row = mine[key]
            if value == float(row["value"]) and not rationale:
                changed.append(f"{key} {value:g} (unchanged)")
                continue
            changes = {"value": value, **({"rationale": rationale} if rationale else {})}
            catalogue.update_assessment(int(row["id"]), changes, int(row["version"]),
                                        shell.actor(ctx))
            changed.append(f"{key} {value:g} (was {float(row['value']):g})")
    added = [f"{a['criterion_key']} {a['value']:g}" for a in new]
    typer.echo(f"Rated {process} by {who}: " + ", ".join(added + changed) + ".")


def _rating(criteria: CriteriaSet, key: str, text: str) -> float:
    """``text`` as a number, checked against the criterion's scale before anything is saved
    (:meth:`~scoring.criteria.CriteriaSet.rating_problem`, the rule the services apply too)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    problem = criteria.rating_problem(key, value)
    if problem is not None:
        field, message = problem
        hint = f" (`dti criteria show {key}` lists the levels)" if field == "value" else ""
        raise ScoringError(f"{key}={text}: {message}{hint}")
    return value


@assess_app.command("list")
def assess_list(
    ctx: typer.Context,
    process: Annotated[str | None, typer.Option(help="Only this process.")] = None,
    criterion: Annotated[str | None, typer.Option(help="Only this criterion.")] = None,
    aggregation: Annotated[str, typer.Option(
        "--aggregation", help="Combine several raters by median or mean.")] = "median",
    fmt: FormatOption = Format.table,
) -> None:
    """Combined ratings per process and criterion: value, raters' spread, each rater's value."""
    assessments = shell.catalogue(ctx).assessments(process_code=process)
    if criterion is not None:
        assessments = assessments[assessments["criterion_key"] == criterion]
    if assessments.empty:
        shell.emit(pd.DataFrame(), fmt, [])
        return
    combined = aggregate(assessments, aggregation).reset_index()
    by_rater = assessments.sort_values("rater").groupby(["process_code", "criterion_key"])[
        ["rater", "value"]].apply(lambda g: ", ".join(f"{r}={v:g}" for r, v in g.to_numpy()))
    combined["ratings"] = by_rater.reindex(
        pd.MultiIndex.from_frame(combined[["process_code", "criterion_key"]])).to_numpy()
    combined = combined.rename(columns={"value": aggregation})
    shell.emit(combined, fmt, list(combined.columns), whole=["ratings"])


# ---------------------------------------------------------------- score, explain, ahp

SCORE_TABLE = ["rank", "code", "name", "score", "completeness", "rank_range", "quadrant",
               "quick_fix"]


def score(
    ctx: typer.Context,
    scenario: ScenarioOption = None,
    method: MethodOption = None,
    ideal: IdealOption = None,
    weights: WeightsOption = None,
    ahp: AhpOption = None,
    aggregation: AggregationOption = None,
    missing: MissingOption = None,
    uplift: UpliftOption = None,
    all_processes: AllOption = False,
    include_completed: CompletedOption = None,
    criteria_file: CriteriaOption = None,
    top: Annotated[int | None, typer.Option(help="Only the first N.")] = None,
    fmt: FormatOption = Format.table,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write to this file instead of the screen (format from --format, or "
                      "from the extension .json / .csv).")] = None,
) -> None:
    """Rank the processes: what to transform first, with each criterion's contribution."""
    ranking = _ranking(ctx, scenario, criteria_file, method, weights, ahp, aggregation, missing,
                       uplift, all_processes, include_completed, ideal)
    if out is not None and fmt is Format.table and out.suffix.lower() in (".json", ".csv"):
        fmt = Format(out.suffix.lower().lstrip("."))
    records = _score_records(ranking)[: top or None]
    if fmt is Format.json:
        text = json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    else:
        frame = _score_frame(ranking, records)
        if fmt is Format.csv:
            text = csv_text(frame)
        else:
            shown = frame.assign(score=frame["score"].round(3),
                                 completeness=[f"{c:.0%}" for c in frame["completeness"]],
                                 quick_fix=["yes" if q else "" for q in frame["quick_fix"]])
            if out is None:
                typer.echo(f"{ranking.scenario.method.label}, {len(ranking.table)} processes")
                shell.emit(shown, fmt, SCORE_TABLE)
                _notes(ranking)
                return
            text = shown[SCORE_TABLE].to_string(index=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {len(records)} ranked processes to {out}.")
    _notes(ranking)


def _score_records(ranking: Ranking) -> list[dict[str, Any]]:
    """One JSON-ready object per ranked process, in rank order."""
    table = ranking.table
    contributions = ranking.contributions
    imputed = ranking.imputed
    records = []
    for row in shell.jsonable(table):
        code = row["code"]
        row["contributions"] = {k: float(v) for k, v in contributions.loc[code].items()}
        row["imputed_criteria"] = [k for k, flag in imputed.loc[code].items() if flag]
        records.append(row)
    return records


def _score_frame(ranking: Ranking, records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = ranking.table.head(len(records)).copy()
    frame["rank_range"] = interval_texts(frame)
    contributions = ranking.contributions.loc[frame["code"]].add_prefix("contribution_")
    return pd.concat([frame.reset_index(drop=True),
                      contributions.reset_index(drop=True)], axis=1)


def explain(
    ctx: typer.Context,
    code: str,
    vs: Annotated[str | None, typer.Option("--vs", help="Compare with this process.")] = None,
    scenario: ScenarioOption = None,
    method: MethodOption = None,
    ideal: IdealOption = None,
    weights: WeightsOption = None,
    ahp: AhpOption = None,
    aggregation: AggregationOption = None,
    missing: MissingOption = None,
    uplift: UpliftOption = None,
    all_processes: AllOption = False,
    include_completed: CompletedOption = None,
    criteria_file: CriteriaOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Why CODE ranks where it does, criterion by criterion, or against another process."""
    ranking = _ranking(ctx, scenario, criteria_file, method, weights, ahp, aggregation, missing,
                       uplift, all_processes, include_completed, ideal)
    explanation = explain_ranking(ranking, code, vs)
    lines = explanation.lines
    if fmt is Format.json:
        typer.echo(json.dumps({"summary": explanation.summary, "lines": shell.jsonable(lines)},
                              indent=2, ensure_ascii=False))
        return
    if fmt is Format.csv:
        shell.emit(lines, fmt, [])
        return
    typer.echo(explanation.summary)
    typer.echo("")
    if vs is None:
        shown = lines.assign(value=lines["level"], contribution=lines["contribution"].round(4),
                             imputed=["imputed" if i else "" for i in lines["imputed"]])
        shell.emit(shown, fmt, ["label", "contribution", "value", "imputed"], whole=["value"])
    else:
        shown = lines.round({"contribution_a": 4, "contribution_b": 4, "difference": 4})
        shown = shown.rename(columns={"contribution_a": code, "contribution_b": vs})
        shell.emit(shown, fmt, ["label", code, vs, "difference"])


def ahp(file: Path, fmt: FormatOption = Format.table) -> None:
    """Weights from an AHP pairwise matrix (CSV: header row of criteria, one row each; the
    upper triangle is enough), with the consistency ratio and the judgements to revisit first
    (all of them when several are equally inconsistent, in the table's order)."""
    labels, matrix = pairwise_file(file)
    result = priorities(matrix)
    weights = pd.DataFrame({"criterion": labels, "weight": np.round(result.weights, 4)})
    worst = result.worst_judgements
    summary = {"lambda_max": round(result.lambda_max, 4), "ci": round(result.ci, 4),
               "cr": None if result.cr is None else round(result.cr, 4),
               "consistent": result.consistent,
               "worst_judgements": [[labels[i], labels[j]] for i, j in worst]}
    if fmt is Format.json:
        typer.echo(json.dumps({"weights": dict(zip(labels, result.weights.round(6).tolist(),
                                                    strict=True)), **summary}, indent=2))
        return
    if fmt is Format.csv:
        shell.emit(weights, fmt, [])
        return
    shell.emit(weights, fmt, ["criterion", "weight"])
    typer.echo(f"lambda_max {result.lambda_max:.3f}  CI {result.ci:.3f}  " +
               ("CR unknown (no random index beyond 10 criteria)" if result.cr is None
                else f"CR {result.cr:.3f}"))
    typer.echo(_consistency(labels, result) if not result.consistent or not worst
               else f"Consistent (CR <= {CR_THRESHOLD:.2f}); the least consistent: "
                    f"{_judgements(labels, worst)}.")


def pairwise_file(file: Path) -> tuple[list[str], np.ndarray]:
    """The criteria and judgements of a pairwise table in a CSV file (see `dti ahp`); shared
    with `dti round answer --ahp`."""
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
    except FileNotFoundError:
        raise InvalidInput(f"{file} does not exist") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InvalidInput(f"{file} cannot be read as a CSV file: {error}") from None
    return pairwise_from_table(table)


def _consistency(labels: list[str], result: Any) -> str:
    if result.cr is None:
        return "Consistency unknown: more than 10 criteria have no random index."
    if not result.worst_judgements:
        return "Perfectly consistent."
    verdict = "Inconsistent" if result.cr > CR_THRESHOLD else "Consistent"
    return (f"{verdict}: CR {result.cr:.3f} (threshold {CR_THRESHOLD:.2f}); revisit first: "
            f"{_judgements(labels, result.worst_judgements)}.")


def _judgements(labels: list[str], pairs: tuple[tuple[int, int], ...]) -> str:
    """``a vs b``, or several equally inconsistent judgements in the table's order, saying
    that changing any one of them can be enough."""
    named = [f"{labels[i]} vs {labels[j]}" for i, j in pairs]
    if len(named) == 1:
        return named[0]
    return (f"{', '.join(named[:-1])} and {named[-1]} (equally inconsistent: changing any one "
            "of them can be enough)")
