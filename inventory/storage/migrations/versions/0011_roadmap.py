"""The transformation roadmap: initiatives, the processes they transform and the KPIs they
are to move, their deliverables by milestone, and dated progress notes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
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


def upgrade() -> None:
    op.create_table(
        "initiatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("pillar", sa.String(length=40), nullable=True),
        sa.Column("priority_area", sa.String(length=40), nullable=True),
        sa.Column("business_owner", sa.String(length=1000), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("lineage", sa.String(length=20), nullable=True),
        sa.Column("combined_into_id", sa.Integer(), nullable=True),
        sa.Column("split_from_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("budget_chf", sa.Float(), nullable=True),
        sa.Column("staff_pm", sa.Float(), nullable=True),
        sa.Column("studies", sa.Text(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        *_tracking(),
        sa.CheckConstraint("combined_into_id IS NULL OR combined_into_id <> id",
                           name=op.f("ck_initiatives_not_combined_into_itself")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"],
                                name=op.f("fk_initiatives_unit_id_units")),
        sa.ForeignKeyConstraint(["combined_into_id"], ["initiatives.id"],
                                name=op.f("fk_initiatives_combined_into_id_initiatives")),
        sa.ForeignKeyConstraint(["split_from_id"], ["initiatives.id"],
                                name=op.f("fk_initiatives_split_from_id_initiatives")),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshots.id"],
                                name=op.f("fk_initiatives_snapshot_id_snapshots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiatives")),
        sa.UniqueConstraint("code", name=op.f("uq_initiatives_code")),
    )
    _index("initiatives", "unit_id")
    op.create_table(
        "initiative_processes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiatives.id"],
                                name=op.f("fk_initiative_processes_initiative_id_initiatives")),
        sa.ForeignKeyConstraint(["process_id"], ["processes.id"],
                                name=op.f("fk_initiative_processes_process_id_processes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_processes")),
        sa.UniqueConstraint("initiative_id", "process_id",
                            name=op.f("uq_initiative_processes_initiative_id_process_id")),
    )
    _index("initiative_processes", "initiative_id")
    _index("initiative_processes", "process_id")
    op.create_table(
        "initiative_kpis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiatives.id"],
                                name=op.f("fk_initiative_kpis_initiative_id_initiatives")),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpis.id"],
                                name=op.f("fk_initiative_kpis_kpi_id_kpis")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_kpis")),
        sa.UniqueConstraint("initiative_id", "kpi_id",
                            name=op.f("uq_initiative_kpis_initiative_id_kpi_id")),
    )
    _index("initiative_kpis", "initiative_id")
    _index("initiative_kpis", "kpi_id")
    op.create_table(
        "deliverables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=60), nullable=False),
        sa.Column("objective", sa.Text(), nullable=True),
        sa.Column("milestone", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.String(length=1000), nullable=True),
        *_tracking(),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiatives.id"],
                                name=op.f("fk_deliverables_initiative_id_initiatives")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliverables")),
        sa.UniqueConstraint("initiative_id", "ref",
                            name=op.f("uq_deliverables_initiative_id_ref")),
    )
    _index("deliverables", "initiative_id")
    op.create_table(
        "progress_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        *_tracking(),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiatives.id"],
                                name=op.f("fk_progress_updates_initiative_id_initiatives")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_updates")),
    )
    _index("progress_updates", "initiative_id")


def downgrade() -> None:
    for table in ("progress_updates", "deliverables", "initiative_kpis", "initiative_processes",
                  "initiatives"):
        op.drop_table(table)
