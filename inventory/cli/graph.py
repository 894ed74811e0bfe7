"""``dti graph``: the dependencies as a graph (metrics, ripple impact, cycles, waves), computed
by :mod:`inventory.graph` on the live inventory.

Registered on the ``dti`` application by :mod:`inventory.cli`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from inventory import graph
from inventory.cli import shell
from inventory.cli.shell import Format, FormatOption
from inventory.errors import InvalidInput

graph_app = shell.command_group("Dependencies as a graph: metrics, ripple impact, cycles and "
                                "waves.")

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
    frame = graph.metrics(shell.catalogue(ctx).graph(roll_up=roll_up)).reset_index()
    if sort not in frame.columns:
        raise InvalidInput(f"cannot sort by '{sort}'; choose one of "
                           f"{', '.join(c for c in frame.columns if c != 'betweenness_method')}")
    frame = frame.sort_values([sort, "code"], ascending=[False, True], kind="stable")
    frame = frame.head(top) if top else frame
    if fmt is Format.table:
        frame = frame.round({"pagerank": 4, "betweenness": 4, "weighted_reach": 1})
        typer.echo(f"betweenness: {frame['betweenness_method'].iloc[0]}" if len(frame) else "")
    shell.emit(frame, fmt, METRIC_TABLE)


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
    catalogue = shell.catalogue(ctx)
    frame = graph.impact(catalogue.graph(roll_up=roll_up), codes,
                         direction="upstream" if upstream else "downstream", max_depth=depth,
                         min_strength=min_strength, kpis=catalogue.kpis(),
                         include_sub_processes=with_sub_processes)
    if fmt is Format.table:
        where = "needed by" if upstream else "reached from"
        typer.echo(f"{len(frame)} process(es) {where} {', '.join(codes)}")
    shell.emit(frame, fmt, ["code", "name", "unit", "distance", "path", "via_kinds", "kpis",
                            "note"], whole=["path"])


@graph_app.command("cycles")
def graph_cycles(ctx: typer.Context, roll_up: RollUpOption = False,
                 fmt: FormatOption = Format.table) -> None:
    """Processes that depend on each other round a loop, and the links worth questioning."""
    shell.emit(graph.cycles(shell.catalogue(ctx).graph(roll_up=roll_up)), fmt,
          ["scc_id", "size", "members", "cut"], whole=["members", "cut"])


@graph_app.command("waves")
def graph_waves(ctx: typer.Context, roll_up: RollUpOption = False,
                fmt: FormatOption = Format.table) -> None:
    """Waves: wave 1 needs nothing, wave k needs only processes of earlier waves."""
    shell.emit(graph.waves(shell.catalogue(ctx).graph(roll_up=roll_up)), fmt,
          ["wave", "code", "name", "unit", "on_cycle"])


