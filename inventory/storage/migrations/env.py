"""Alembic environment: runs on the connection handed over by :mod:`inventory.storage.migrate`,
or on ``sqlalchemy.url`` / ``DTI_DATABASE_URL`` when Alembic's own CLI is used."""

from alembic import context

from inventory.storage.db import default_url, make_engine
from inventory.storage.migrate import migrating
from inventory.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite changes columns by copying tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or default_url())
    with migrating(engine) as conn:
        run_migrations(conn)
