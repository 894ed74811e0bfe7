"""Saved scenarios and append-only decision snapshots.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 06:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER snapshots_no_update BEFORE UPDATE ON snapshots "
    "BEGIN SELECT RAISE(ABORT, 'snapshots are append-only'); END",
    "CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots "
    "BEGIN SELECT RAISE(ABORT, 'snapshots are append-only'); END",
]
APPEND_ONLY_POSTGRESQL = [
    "CREATE FUNCTION snapshots_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'snapshots are append-only'; END $$",
    "CREATE TRIGGER snapshots_no_change BEFORE UPDATE OR DELETE ON snapshots "
    "FOR EACH ROW EXECUTE FUNCTION snapshots_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenarios")),
        sa.UniqueConstraint("name", name=op.f("uq_scenarios_name")),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("taken_by", sa.String(length=100), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"],
                                name=op.f("fk_snapshots_scenario_id_scenarios")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
    )
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_snapshots_scenario_id"), ["scenario_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_snapshots_content_hash"), ["content_hash"],
                              unique=False)
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in APPEND_ONLY_POSTGRESQL if postgresql else APPEND_ONLY_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER snapshots_no_change ON snapshots")
        op.execute("DROP FUNCTION snapshots_append_only()")
    else:
        op.execute("DROP TRIGGER snapshots_no_update")
        op.execute("DROP TRIGGER snapshots_no_delete")
    with op.batch_alter_table("snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_snapshots_content_hash"))
        batch_op.drop_index(batch_op.f("ix_snapshots_scenario_id"))
    op.drop_table("snapshots")
    op.drop_table("scenarios")
