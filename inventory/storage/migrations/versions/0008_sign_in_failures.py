"""Sign-in failures counted per typed user name and source; accounts are no longer locked.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username_key", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
        sa.UniqueConstraint("username_key", "source",
                            name=op.f("uq_sign_in_failures_username_key_source")),
    )
    op.create_index(op.f("ix_sign_in_failures_last_failure_at"), "sign_in_failures",
                    ["last_failure_at"])
    op.create_index("ix_sign_in_failures_source", "sign_in_failures", ["source"])
    # Both SQLite (3.35 and later) and PostgreSQL drop a plain column in place; a batch copy
    # of ``users`` would trip over the sign-in sessions' foreign key.
    op.execute("ALTER TABLE users DROP COLUMN locked_until")


def downgrade() -> None:
    op.add_column("users", sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.drop_index("ix_sign_in_failures_source", table_name="sign_in_failures")
    op.drop_index(op.f("ix_sign_in_failures_last_failure_at"), table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
