"""Cases for change from staff: the cases, the processes they concern, endorsements and
comments.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
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


def _index(table: str, column: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.create_index(batch.f(f"ix_{table}_{column}"), [column], unique=False)


def _case_child(table: str, *columns: sa.Column | sa.Constraint, tracked: bool = True) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        *columns,
        *(_tracking() if tracked else []),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f(f"fk_{table}_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    _index(table, "case_id")


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("idea", sa.Text(), nullable=False),
        sa.Column("priority_area", sa.String(length=40), nullable=True),
        sa.Column("benefit", sa.Text(), nullable=True),
        sa.Column("effort", sa.String(length=10), nullable=True),
        sa.Column("links", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        *_tracking(),
        sa.ForeignKeyConstraint(["merged_into_id"], ["cases.id"],
                                name=op.f("fk_cases_merged_into_id_cases")),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiatives.id"],
                                name=op.f("fk_cases_initiative_id_initiatives")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("code", name=op.f("uq_cases_code")),
    )
    _index("cases", "proposed_by")
    _case_child("case_processes",
                sa.Column("process_id", sa.Integer(), nullable=True),
                sa.Column("new_process_name", sa.String(length=1000), nullable=True),
                sa.CheckConstraint("(process_id IS NULL) <> (new_process_name IS NULL)",
                                   name=op.f("ck_case_processes_process_or_new_name")),
                sa.ForeignKeyConstraint(["process_id"], ["processes.id"],
                                        name=op.f("fk_case_processes_process_id_processes")),
                tracked=False)
    _index("case_processes", "process_id")
    _case_child("case_endorsements", sa.Column("username", sa.String(length=100), nullable=False),
                sa.UniqueConstraint("case_id", "username",
                                    name=op.f("uq_case_endorsements_case_id_username")))
    _case_child("case_comments", sa.Column("text", sa.Text(), nullable=False))


def downgrade() -> None:
    for table in ("case_comments", "case_endorsements", "case_processes", "cases"):
        op.drop_table(table)
