"""The schema comes from Alembic migrations only, and the audit trail is append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from inventory import migrate
from inventory.db import make_engine
from inventory.services import Catalogue
from tests.support import by


def test_migrations_build_exactly_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # a second run is a no-op
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.check(engine)  # raises if the models and the migrated schema differ
    engine.dispose()


def test_audit_events_cannot_be_changed_or_deleted(small_catalogue: Catalogue) -> None:
    for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), \
                small_catalogue.engine.begin() as conn:
            conn.execute(text(statement))
    assert set(small_catalogue.audit_log()["actor"]) == {"ana"}


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()


def test_a_write_that_fails_half_way_leaves_nothing(small_catalogue: Catalogue) -> None:
    """The audit event and the change share one transaction."""
    before = (small_catalogue.counts(), len(small_catalogue.audit_log()))
    with pytest.raises(Exception, match="dependencies record 2"):
        small_catalogue.load({"units": [{"code": "BR", "name": "Radiocommunication Bureau",
                                         "kind": "bureau"}],
                              "processes": [{"code": "BR-1", "name": "Notices", "unit": "BR"}],
                              "dependencies": [{"upstream_code": "BR-1",
                                                "downstream_code": "FIN"},
                                               {"upstream_code": "BR-1",
                                                "downstream_code": "NOPE"}]}, by("ana"))
    assert (small_catalogue.counts(), len(small_catalogue.audit_log())) == before
