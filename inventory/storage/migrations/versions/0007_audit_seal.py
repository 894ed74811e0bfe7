"""Seals on the audit trail (a keyed chain) and on snapshots; TRUNCATE refused on PostgreSQL.

Rows already there are sealed as they stand, with the server secret (see
:mod:`inventory.storage.secret_key`; only needed when there are rows). The append-only triggers are
lifted for that one update and put back.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inventory.storage.sealing import AUDIT_FIELDS, audit_seal, snapshot_seal
from inventory.storage.secret_key import server_secret

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {"audit_events": "audit_events is append-only", "snapshots": "snapshots are append-only"}
POSTGRESQL_ROW_TRIGGERS = {"audit_events": "audit_events_no_change",
                           "snapshots": "snapshots_no_change"}
POSTGRESQL_FUNCTIONS = {"audit_events": "audit_events_append_only",
                        "snapshots": "snapshots_append_only"}

AUDIT = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                 *(sa.column(name, sa.Integer if name in ("entity_id", "entity_version")
                             else sa.String) for name in AUDIT_FIELDS[1:]),
                 sa.column("seal", sa.String))
SNAPSHOTS = sa.table("snapshots", sa.column("id", sa.Integer),
                     sa.column("scenario_id", sa.Integer), sa.column("label", sa.String),
                     sa.column("taken_at", sa.DateTime), sa.column("taken_by", sa.String),
                     sa.column("content_hash", sa.String), sa.column("seal", sa.String))


def _sqlite_triggers(table: str, create: bool) -> None:
    for verb in ("UPDATE", "DELETE"):
        name = f"{table}_no_{verb.lower()}"
        op.execute(f"CREATE TRIGGER {name} BEFORE {verb} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{TABLES[table]}'); END" if create
                   else f"DROP TRIGGER {name}")


def _seal_existing() -> None:
    bind = op.get_bind()
    if not any(bind.scalar(sa.select(sa.func.count()).select_from(t)) for t in (AUDIT, SNAPSHOTS)):
        return
    secret = server_secret(bind.engine.url)
    previous = ""
    for row in bind.execute(sa.select(AUDIT).order_by(AUDIT.c.id)).mappings().all():
        previous = audit_seal(secret, previous, row)
        bind.execute(AUDIT.update().where(AUDIT.c.id == row["id"]).values(seal=previous))
    for row in bind.execute(sa.select(SNAPSHOTS)).mappings().all():
        bind.execute(SNAPSHOTS.update().where(SNAPSHOTS.c.id == row["id"]).values(
            seal=snapshot_seal(secret, row)))


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        op.add_column(table, sa.Column("seal", sa.String(length=64), nullable=True))
        if postgresql:
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {POSTGRESQL_ROW_TRIGGERS[table]}")
        else:
            _sqlite_triggers(table, create=False)
    _seal_existing()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("seal", existing_type=sa.String(length=64), nullable=False)
        if postgresql:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {POSTGRESQL_ROW_TRIGGERS[table]}")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {POSTGRESQL_FUNCTIONS[table]}()")
        else:
            _sqlite_triggers(table, create=True)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgresql:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        else:
            _sqlite_triggers(table, create=False)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("seal")
        if not postgresql:
            _sqlite_triggers(table, create=True)
