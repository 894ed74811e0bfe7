"""Bring a database to the schema this code expects, with Alembic, from Python.

Used by ``dti init``, by the app on start, and by the tests; Alembic's own CLI works too
(``alembic upgrade head`` reads ``alembic.ini`` beside pyproject.toml and ``DTI_DATABASE_URL``).

A database stamped with a revision these migrations do not know was written by a newer version
of dti: it is never upgraded or "repaired", and the message says to use that version.

Migrations run in one transaction (:func:`migrating`). SQLite changes a column only by copying
its table (Alembic's batch mode), so there foreign keys are switched off for the migration and
every row is checked against them before it commits, as SQLite's documentation prescribes
("ALTER TABLE", section 7, "Making other kinds of table schema changes"): dropping the original
table with foreign keys on would fail on the rows of the tables that point at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class NewerSchema(Exception):
    """The database's schema revision is unknown here: a newer version of dti wrote it."""


def schema_state(engine: Engine) -> str | None:
    """None when the schema is this code's; otherwise what it is, in words for a person."""
    current = current_revision(engine)
    if current == head_revision():
        return None
    if current is None:
        return "is not initialised"
    if not _known(current):
        raise NewerSchema(current)
    return f"has an older schema (revision {current})"


def _known(revision: str) -> bool:
    try:
        return bool(ScriptDirectory(str(MIGRATIONS)).get_revisions(revision))
    except Exception:  # alembic raises its own lookup errors for an unknown revision
        return False


class BrokenForeignKeys(Exception):
    """After a migration, rows point at rows that do not exist; nothing was committed."""


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction, committed at the end, for Alembic to migrate on. On
    SQLite, foreign keys are off meanwhile and checked in full before the commit."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _foreign_keys(conn, "OFF")
        try:
            with conn.begin():
                yield conn
                broken = conn.execute(text("PRAGMA foreign_key_check")).all() if sqlite else []
                if broken:
                    table, row, parent = broken[0][:3]
                    raise BrokenForeignKeys(f"{len(broken)} row(s) point at rows that do not "
                                            f"exist (the first: row {row} of {table}, into "
                                            f"{parent})")
        finally:
            if sqlite:
                _foreign_keys(conn, "ON")


def _foreign_keys(conn: Connection, state: str) -> None:
    """Switch SQLite's foreign keys on or off, on the driver's connection: outside a
    transaction, as the pragma requires (inside one SQLite ignores it)."""
    driver = conn.connection.driver_connection
    assert driver is not None, "an open connection has a driver connection"
    driver.execute(f"PRAGMA foreign_keys={state}")


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied (a no-op on an up-to-date database); a database
    from a newer version raises :class:`NewerSchema` and is left as it is."""
    current = current_revision(engine)
    if current == head_revision():
        return
    if current is not None and not _known(current):
        raise NewerSchema(current)
    config = alembic_config(engine)
    with migrating(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def check(engine: Engine) -> None:
    """Raise if the models and the migrated schema differ (``alembic check``)."""
    config = alembic_config(engine)
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.check(config)
