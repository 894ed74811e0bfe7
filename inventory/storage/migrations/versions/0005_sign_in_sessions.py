"""Sign-in sessions that survive a reload of the browser tab (hashed tokens, revocable).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["username"], ["users.username"],
                                name=op.f("fk_sign_in_sessions_username_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_sessions")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_sign_in_sessions_token_sha256")),
    )
    op.create_index(op.f("ix_sign_in_sessions_username"), "sign_in_sessions", ["username"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_sessions_username"), table_name="sign_in_sessions")
    op.drop_table("sign_in_sessions")
