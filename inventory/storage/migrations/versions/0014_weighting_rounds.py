"""Weighting rounds: a scenario's criteria weighed by invited members, and their answers.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tracking() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by", sa.String(length=100), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "weighting_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        *_tracking(),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"],
                                name=op.f("fk_weighting_rounds_scenario_id_scenarios")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weighting_rounds")),
        sa.UniqueConstraint("code", name=op.f("uq_weighting_rounds_code")),
    )
    with op.batch_alter_table("weighting_rounds") as batch:
        batch.create_index(batch.f("ix_weighting_rounds_scenario_id"), ["scenario_id"],
                           unique=False)
    op.create_table(
        "round_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        *_tracking(),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_round_members_weight_not_negative")),
        sa.ForeignKeyConstraint(["round_id"], ["weighting_rounds.id"],
                                name=op.f("fk_round_members_round_id_weighting_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_members")),
        sa.UniqueConstraint("round_id", "username",
                            name=op.f("uq_round_members_round_id_username")),
    )
    with op.batch_alter_table("round_members") as batch:
        batch.create_index(batch.f("ix_round_members_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    for table in ("round_members", "weighting_rounds"):
        op.drop_table(table)
