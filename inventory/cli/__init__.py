"""``dti``: the command line over :class:`inventory.services.Catalogue`.

A thin shell: parse options, call one service, print the result. A user's mistake (a
:class:`~inventory.errors.CatalogueError` or :class:`~scoring.errors.ScoringError`) becomes one
line on stderr and exit status 1 (see :mod:`inventory.cli.shell`, which every command module
uses). This module builds the application; the commands live one group per module:

* :mod:`inventory.cli.files`: ``init``, ``import``, ``export``, ``template``, ``imports``;
* :mod:`inventory.cli.catalogue`: ``process``, ``dep``, ``kpi``, ``assessment``, ``unit``,
  ``audit``;
* :mod:`inventory.cli.graph`: ``graph``;
* :mod:`inventory.cli.scoring`: ``criteria``, ``assess``, ``score``, ``explain``, ``ahp``;
* :mod:`inventory.cli.scenarios`: ``scenario``;
* :mod:`inventory.cli.decisions`: ``robustness``, ``portfolio``, ``roadmap``, ``backlog``;
* :mod:`inventory.cli.initiatives` (with :mod:`inventory.cli.delivery`): ``initiative``;
* :mod:`inventory.cli.cases`: ``case``;
* :mod:`inventory.cli.reviews`: ``review``;
* :mod:`inventory.cli.users`: ``user``.

``dti --help`` lists the commands, then the groups, each in the order they are added below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from inventory.cli import (
    cases,
    catalogue,
    decisions,
    files,
    graph,
    initiatives,
    reviews,
    rounds,
    scenarios,
    scoring,
    shell,
    users,
)

app = typer.Typer(cls=shell.OneLineErrors, no_args_is_help=True, add_completion=False,
                  rich_markup_mode=None, pretty_exceptions_enable=False)


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
    ctx.obj = {"db": db, "actor": actor or shell.default_actor()}


for name, command in (
        ("init", files.init), ("import", files.import_file), ("export", files.export_file),
        ("template", files.template), ("imports", files.imports),
        ("score", scoring.score), ("explain", scoring.explain), ("ahp", scoring.ahp),
        ("robustness", decisions.robustness), ("portfolio", decisions.portfolio),
        ("roadmap", decisions.roadmap), ("backlog", decisions.backlog)):
    app.command(name)(command)

for name, group in (
        ("process", catalogue.process_app), ("dep", catalogue.dep_app),
        ("kpi", catalogue.kpi_app), ("assessment", catalogue.assessment_app),
        ("unit", catalogue.unit_app), ("graph", graph.graph_app),
        ("audit", catalogue.audit_app), ("criteria", scoring.criteria_app),
        ("assess", scoring.assess_app), ("scenario", scenarios.scenario_app),
        ("initiative", initiatives.initiative_app), ("case", cases.case_app),
        ("review", reviews.review_app), ("round", rounds.round_app),
        ("user", users.user_app)):
    app.add_typer(group, name=name)


def main() -> None:
    """The ``dti`` entry point (``[project.scripts]`` in pyproject.toml)."""
    app()
