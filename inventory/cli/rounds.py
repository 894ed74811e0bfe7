"""``dti round``: weighting rounds, in which invited members weigh a scenario's criteria on
their own and closing combines their answers into the scenario's weights.

Registered on the ``dti`` application by :mod:`inventory.cli`. One service call per command
(:class:`inventory.services.rounds.RoundBook`), which checks the role and the input. The
command line acts as an admin (see :func:`inventory.cli.shell.actor`), so anyone at it may open
and close rounds; answering is still for the members alone: ``--actor`` (or ``$DTI_ACTOR``)
must name one of them. While a round is open, ``status`` shows who answered, not what.

Conventions: ``--members`` and ``--criteria`` are comma-separated; ``--weights KEY=POINTS`` and
``--member-weight NAME=WEIGHT`` are repeatable; ``--ahp`` reads a pairwise table as ``dti ahp``
does (the upper triangle is enough). In JSON, times are ISO 8601 and the whole round is
printed, its ``result`` once it is closed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from inventory.cli import shell
from inventory.cli.scoring import pairwise_file
from inventory.cli.shell import Format, FormatOption
from inventory.errors import InvalidInput

round_app = shell.command_group(
    "Weighting rounds: open one on a scenario for several members, each answers on their own "
    "(direct weights or AHP judgements), close it to write the group's weights.")

LIST_TABLE = ["code", "scenario", "mode", "status", "answered", "members", "method",
              "consensus"]
MEMBER_TABLE = ["username", "weight", "answered", "answered_at"]


def _names(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _print(record: dict[str, Any], fmt: Format) -> None:
    """A round: JSON as it is, or a few lines and the members' table."""
    if fmt is Format.json:
        typer.echo(json.dumps(record, indent=2, ensure_ascii=False, default=shell.plain))
        return
    members = pd.DataFrame(record["members"], columns=MEMBER_TABLE)
    if fmt is Format.csv:
        shell.emit(members, fmt, MEMBER_TABLE)
        return
    answered = int(members["answered"].sum())
    typer.echo(f"{record['code']} on scenario {shell.terminal_safe(record['scenario'])}: "
               f"{record['mode']}, {record['status']}; {answered} of {len(members)} answered")
    typer.echo(f"Criteria: {', '.join(record['criteria'])}")
    result = record.get("result")
    if result:
        typer.echo(f"Method: {result['method']}; consensus {result['consensus']:.1%} "
                   f"({result['consensus_band']}, {result['consensus_measure']})")
        typer.echo("Group weights: " + ", ".join(f"{k}={result['group_weights'][k]:.4f}"
                                                 for k in record["criteria"]))
        if result["excluded_inconsistent"]:
            typer.echo("Left out as inconsistent (CR > 0.10): "
                       + ", ".join(result["excluded_inconsistent"]))
    shell.emit(members, Format.table, MEMBER_TABLE)


@round_app.command("open")
def open_round(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="The saved scenario whose weights the round "
                                                 "decides.")],
    members: Annotated[str, typer.Option(
        "--members", help="The members' user names, comma-separated (at least two).")],
    mode: Annotated[str, typer.Option(
        "--mode", help="weights: points shared out over the criteria (default); pairwise: "
                       "AHP judgements on Saaty's 1-9 scale.")] = "weights",
    criteria: Annotated[str | None, typer.Option(
        "--criteria", help="The criteria weighed, comma-separated (default: all; at most 10 "
                           "for pairwise). Criteria left out get weight 0 on closing.")] = None,
    member_weight: Annotated[list[str] | None, typer.Option(
        "--member-weight", metavar="NAME=WEIGHT",
        help="How much a member counts (repeatable; default 1).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Open a weighting round on a scenario; prints its code and members."""
    weights: dict[str, Any] = shell.pairs(member_weight, "--member-weight")
    record = shell.catalogue(ctx).rounds.open(scenario, _names(members), shell.actor(ctx),
                                              mode=mode, criteria=_names(criteria) or None,
                                              member_weights=weights)
    _print(record, fmt)


@round_app.command("answer")
def answer(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The round's code, e.g. ROUND-0001.")],
    weights: Annotated[list[str] | None, typer.Option(
        "--weights", "-w", metavar="KEY=POINTS",
        help="Points for a criterion (repeatable; criteria not given get 0).")] = None,
    ahp: Annotated[Path | None, typer.Option(
        "--ahp", help="Pairwise judgements as a CSV table (see `dti ahp`).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Answer a round as the member ``--actor`` names; answering again replaces the answer."""
    if (weights is None) == (ahp is None):
        raise InvalidInput("give either --weights KEY=POINTS or --ahp FILE")
    book = shell.catalogue(ctx).rounds
    if ahp is not None:
        labels, matrix = pairwise_file(ahp)
        record = book.answer(code, shell.actor(ctx), pairwise=(labels, matrix.tolist()))
    else:
        record = book.answer(code, shell.actor(ctx),
                             weights=shell.pairs(weights, "--weights"))
    if fmt is Format.json:
        _print(record, fmt)
        return
    cr = record.get("your_cr")
    note = "" if cr is None else f"; your consistency ratio is {cr:.3f}" + (
        " (above 0.10: revise your judgements, or they may be left out)" if cr > 0.10 else "")
    typer.echo(f"Answer recorded for {record['code']}{note}")


@round_app.command("status")
def status(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The round's code.")],
    top: Annotated[int | None, typer.Option(
        "--top", help="Once closed: how often each process is in the top N under each "
                      "member's weights, beside its rank under the group's.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Who is invited and who answered; once closed, every answer and the combination."""
    catalogue = shell.catalogue(ctx)
    record = catalogue.rounds.status(code, ctx.obj["actor"])
    if top is None:
        _print(record, fmt)
        return
    frame = shell.results(catalogue).round_top_n(record["code"], catalogue.criteria, top)
    shell.emit(frame, fmt, ["process", "members", "share", "best_rank", "group_rank"])


@round_app.command("close")
def close(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The round's code.")],
    method: Annotated[str | None, typer.Option(
        "--method", help="aij: combine the judgements (default for pairwise rounds); aip: "
                         "combine each member's priorities (default for direct weights).")
                      ] = None,
    mean: Annotated[str | None, typer.Option(
        "--mean", help="For aip: geometric (default for pairwise) or arithmetic (default for "
                       "direct weights).")] = None,
    include_inconsistent: Annotated[bool, typer.Option(
        "--include-inconsistent", help="Count members whose consistency ratio is above "
                                       "0.10 (left out by default).")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Close a round: combine the answers and write the group's weights into its scenario."""
    record = shell.catalogue(ctx).rounds.close(code, shell.actor(ctx), method=method,
                                               mean=mean,
                                               include_inconsistent=include_inconsistent)
    _print(record, fmt)


@round_app.command("list")
def list_rounds(
    ctx: typer.Context,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Only this scenario's.")
                        ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Weighting rounds by code, with how many members answered."""
    frame = shell.catalogue(ctx).rounds.list_rounds(scenario)
    shell.emit(frame, fmt, LIST_TABLE)
