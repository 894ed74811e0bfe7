"""Helpers shared by the tests: running the CLI as a user does, and proving nothing changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner, Result

from inventory.access import Actor, Role
from inventory.cli import app
from inventory.models import Base
from inventory.services import Catalogue

runner = CliRunner()


def by(name: str, role: Role = Role.admin) -> Actor:
    """The person a service call acts for; admin unless a test is about roles."""
    return Actor(name, role)


def dti(db: str, *args: str, actor: str = "ana") -> Result:
    """Run ``dti --db DB --actor ACTOR ARGS...``."""
    return runner.invoke(app, ["--db", db, "--actor", actor, *args])


def ok(result: Result) -> str:
    """The command succeeded and printed nothing on stderr; return its stdout."""
    assert result.exit_code == 0, result.output
    assert result.exception is None, result.exception
    assert result.stderr == ""
    return result.stdout


def refused(result: Result) -> str:
    """The command was refused as a user's mistake: exit 1, exactly one ``Error:`` line on
    stderr and no traceback. Return that line."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"crashed with {result.exception!r}")
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]


def snapshot(catalogue: Catalogue) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that a refused change changed nothing."""
    with catalogue.engine.connect() as conn:
        return {table.name: [tuple(row) for row in conn.execute(
            select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables}
