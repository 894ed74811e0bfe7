"""The revision of each catalogue table: which committed change last wrote to it.

The shared results (inventory/results.py) keep a frame read from tables that did not change
across catalogue revisions. Every tracked table starts at the current catalogue revision.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRACKED = ("units", "processes", "dependencies", "kpis", "assessments")


def upgrade() -> None:
    table = op.create_table(
        "table_revisions",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_table_revisions")),
    )
    current = op.get_bind().execute(sa.text("SELECT revision FROM catalogue_revision")).scalar()
    op.bulk_insert(table, [{"table_name": name, "revision": int(current or 0)}
                           for name in TRACKED])


def downgrade() -> None:
    op.drop_table("table_revisions")
