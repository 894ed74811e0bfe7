"""Names as long as real frameworks have them: process, unit and KPI names, process and change
owners and external references widen from 200 characters to 1,000 (KPI names to 500, the most
a PostgreSQL index entry holds in any script).

PostgreSQL widens a ``VARCHAR`` in place. SQLite stores the declared length without checking
it, and changes a column's declaration only by copying the table (Alembic's batch mode), with
foreign keys off and checked before the commit (:func:`inventory.storage.migrate.migrating`).

The downgrade is refused, naming the table and column, while a value is longer than 200
characters: it would not fit.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = 200
WIDENED: dict[str, dict[str, tuple[int, bool]]] = {  # table -> column -> (length, nullable)
    "units": {"name": (1000, False)},
    "processes": {"name": (1000, False), "process_owner": (1000, True),
                  "change_owner": (1000, True), "external_reference": (1000, True)},
    "kpis": {"name": (500, False)},
}


def _retype(widen: bool) -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for column, (length, nullable) in columns.items():
                old, new = (BEFORE, length) if widen else (length, BEFORE)
                batch.alter_column(column, existing_type=sa.String(old), type_=sa.String(new),
                                   existing_nullable=nullable)


def upgrade() -> None:
    _retype(widen=True)


def downgrade() -> None:
    bind = op.get_bind()
    for table, columns in WIDENED.items():
        for column in columns:
            longer = bind.execute(sa.text(
                f"SELECT COUNT(*) FROM {table} WHERE LENGTH({column}) > {BEFORE}")).scalar()
            if longer:
                raise RuntimeError(
                    f"cannot go back before revision 0010: {longer} row(s) of {table} have a "
                    f"{column} longer than {BEFORE} characters; shorten them first")
    _retype(widen=False)
