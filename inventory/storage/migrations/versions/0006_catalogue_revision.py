"""The catalogue revision: one counter that every committed change to the catalogue advances.

Derived results (rankings, frontiers, Monte Carlo runs, export files) are cached by revision in
every app process; keeping the counter in the database lets all processes and the CLI agree on
it (see inventory/results.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:00:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "catalogue_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_revision")),
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    op.bulk_insert(table, [{"id": 1, "revision": 1, "changed_at": now}])


def downgrade() -> None:
    op.drop_table("catalogue_revision")
