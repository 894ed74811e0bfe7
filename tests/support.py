"""Helpers shared by the tests: running the CLI as a user does, and proving nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select, text
from typer.testing import CliRunner, Result

from inventory.access import Actor, Role
from inventory.cli import app
from inventory.services import Catalogue
from inventory.storage.models import Base

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


def stored_rows(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """:func:`snapshot` of the database at ``db``, opened for the occasion."""
    catalogue = Catalogue.open(db, migrate_schema=False)
    try:
        return snapshot(catalogue)
    finally:
        catalogue.engine.dispose()


def snapshot(catalogue: Catalogue) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the schema has (an older schema has fewer tables, and fewer
    columns in some), to prove that a refused change changed nothing."""
    with catalogue.engine.connect() as conn:
        found = inspect(conn)
        present = set(found.get_table_names())
        rows = {}
        for table in Base.metadata.sorted_tables:
            if table.name not in present:
                continue
            columns = {column["name"] for column in found.get_columns(table.name)}
            query = select(*(c for c in table.columns if c.name in columns))
            rows[table.name] = [tuple(row) for row in conn.execute(
                query.order_by(*table.primary_key.columns))]
        return rows


APPEND_ONLY_TRIGGERS = ("audit_events_no_update", "audit_events_no_delete",
                        "snapshots_no_update", "snapshots_no_delete")


@contextmanager
def with_database_access(engine: Engine) -> Iterator[Connection]:
    """A connection as someone with full access to the database has it: the append-only
    triggers are lifted (SQLite: dropped and put back; PostgreSQL: a superuser session in
    replica mode, where ordinary triggers do not fire)."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if sqlite:
            saved = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
                                 ).scalars().all()
            for name in APPEND_ONLY_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER {name}"))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        yield conn
        if sqlite:
            for statement in saved:
                conn.execute(text(statement))
