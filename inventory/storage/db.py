"""Engines and transactions.

SQLite (the embedded default) gets WAL, a busy timeout and foreign keys on every connection, and
every *write* transaction starts with ``BEGIN IMMEDIATE`` so that concurrent writers queue on the
database lock instead of failing with "database is locked" half way (see docs/architecture.md,
"SQLite writes"). Read transactions start with a plain ``BEGIN`` and, under WAL, never block.
PostgreSQL needs no such care; writes lock the rows they change with ``SELECT ... FOR UPDATE``.

Only :mod:`inventory.services` opens transactions, through :func:`write_transaction` (which
wraps :func:`writing`) and :func:`reading`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from inventory.errors import Conflict

DEFAULT_SQLITE_FILE = "dti.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "dti_write"
# Writers wait for the lock while holding a connection: allow many app sessions to queue.
POOL = {"pool_size": 10, "max_overflow": 40, "pool_timeout": 60}


WRITTEN_TABLES = "dti_written_tables"  # Connection.info key while writes are being noted
EVERY_TABLE = "*"  # a statement that may have written to any table
# Statements that write nothing (SQLite's and PostgreSQL's transaction control and reads).
_READS = re.compile(r"\s*(SELECT|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|SET|SHOW)\b",
                    re.IGNORECASE)


def default_url() -> str:
    """``DTI_DATABASE_URL`` if set, else a SQLite file ``dti.db`` in the working directory."""
    return os.environ.get("DTI_DATABASE_URL") or f"sqlite:///{Path(DEFAULT_SQLITE_FILE).resolve()}"


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: :func:`default_url`) with the SQLite settings above."""
    url = url or default_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if make_url(url).get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, **POOL)
        event.listen(engine, "before_cursor_execute", _note_written_table)
        return engine
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **POOL)
    event.listen(engine, "before_cursor_execute", _note_written_table)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, emits BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _note_written_table(connection: Any, _cursor: Any, statement: str, _parameters: Any,
                        context: Any, _executemany: bool) -> None:
    """While :func:`noting_writes` is on for ``connection``, add the table each INSERT, UPDATE
    or DELETE writes to (ORM flushes included) to its set; any other statement that is not a
    plain read adds :data:`EVERY_TABLE`, so nothing written is ever missed."""
    written = connection.info.get(WRITTEN_TABLES)
    if written is None:
        return
    compiled = getattr(context, "compiled", None)
    dml = getattr(compiled, "statement", None)
    if isinstance(dml, UpdateBase):
        written.add(getattr(dml.table, "name", None) or EVERY_TABLE)
    elif not _READS.match(statement):
        written.add(EVERY_TABLE)


@contextmanager
def noting_writes(session: Session) -> Iterator[set[str]]:
    """The set of tables the statements ``session`` runs meanwhile write to (see
    :func:`_note_written_table`); flush the session before reading it."""
    connection = session.connection()
    written: set[str] = set()
    connection.info[WRITTEN_TABLES] = written
    try:
        yield written
    finally:
        connection.info.pop(WRITTEN_TABLES, None)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A session inside one write transaction: committed on success, rolled back on any error."""
    with Session(engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False) as s, \
            s.begin():
        yield s


_SHARED_READ: ContextVar[tuple[Engine, Session] | None] = ContextVar("shared_read", default=None)
"""The read transaction :func:`one_snapshot` shares, with its engine, in this thread."""


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session inside one read transaction (a consistent snapshot); never commits. Inside
    :func:`one_snapshot` of the same engine, the block's shared session."""
    shared = _SHARED_READ.get()
    if shared is not None and shared[0] is engine:
        yield shared[1]
        return
    with Session(engine) as s, s.begin():
        yield s


@contextmanager
def one_snapshot(engine: Engine) -> Iterator[None]:
    """Every :func:`reading` of ``engine`` inside this block, in this thread, shares one read
    transaction, so several reads see one state of the database whatever is committed
    meanwhile. PostgreSQL runs it at REPEATABLE READ (one snapshot, taken at its first
    statement: PostgreSQL manual, "Transaction Isolation"); SQLite in WAL mode keeps a read
    transaction on the snapshot of its first read (SQLite, "Isolation In SQLite"). A block
    inside another of the same engine joins it."""
    shared = _SHARED_READ.get()
    if shared is not None and shared[0] is engine:
        yield
        return
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin(), Session(bind=connection) as session:
            token = _SHARED_READ.set((engine, session))
            try:
                yield
            finally:
                _SHARED_READ.reset(token)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Session]:
    """One write transaction (:func:`writing`); a clash with a concurrent save becomes a
    :class:`~inventory.errors.Conflict`."""
    try:
        with writing(engine) as session:
            yield session
    except IntegrityError as error:
        raise Conflict("the change clashes with a record saved at the same moment "
                       f"({str(error.orig).splitlines()[0]}); reload and try again") from None
