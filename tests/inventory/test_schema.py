"""The schema comes from Alembic migrations only, and the audit trail is append-only."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command as alembic_command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from inventory.errors import DatabaseNotReady
from inventory.services import Catalogue
from inventory.storage import migrate
from inventory.storage.db import make_engine
from inventory.storage.models import UserAccount
from tests.support import by, snapshot

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_build_exactly_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # a second run is a no-op
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.check(engine)  # raises if the models and the migrated schema differ
    engine.dispose()


def _downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` as Alembic's own command line would."""
    config = migrate.alembic_config(engine)
    with migrate.migrating(engine) as conn:
        config.attributes["connection"] = conn
        alembic_command.downgrade(config, revision)


def _schema(engine: Engine) -> tuple[bool, bool]:
    """Whether the database has the sign-in failures table, and users.locked_until."""
    found = inspect(engine)
    return ("sign_in_failures" in found.get_table_names(),
            "locked_until" in {c["name"] for c in found.get_columns("users")})


def test_the_sign_in_failures_migration_downgrades_and_upgrades_again(
        database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    assert _schema(engine) == (True, False)
    try:
        _downgrade(engine, "0007")
        assert migrate.current_revision(engine) == "0007"
        assert _schema(engine) == (False, True)
    finally:  # the PostgreSQL test database is emptied, not dropped, for the next test
        migrate.upgrade(engine)
    assert _schema(engine) == (True, False)
    migrate.check(engine)
    engine.dispose()


def test_table_revisions_start_at_the_catalogue_revision_and_follow_each_write(
        small_catalogue: Catalogue) -> None:
    """After the migration every table stands at the catalogue revision; a write moves only the
    tables it wrote to; the migration downgrades and upgrades again."""
    catalogue = small_catalogue
    engine = catalogue.engine
    try:
        _downgrade(engine, "0008")
        assert "table_revisions" not in inspect(engine).get_table_names()
    finally:
        migrate.upgrade(engine)
    start = catalogue.revision()
    assert set(catalogue.table_revisions().values()) == {start}
    catalogue.update_unit("FRMD", {"name": "Finance"}, None, by("ana"))
    # The roadmap's and the cases' tables, tracked since, have no row yet: the first write
    # gives them one.
    roadmap = {"initiatives": start + 1, "initiative_processes": start + 1,
               "initiative_kpis": start + 1, "deliverables": start + 1,
               "progress_updates": start + 1, "cases": start + 1, "case_processes": start + 1,
               "case_endorsements": start + 1}
    assert catalogue.table_revisions() == {"units": start + 1, "processes": start,
                                           "dependencies": start, "kpis": start,
                                           "assessments": start} | roadmap
    catalogue.update_unit("FRMD", {"name": "Finances"}, None, by("ana"))
    assert catalogue.table_revisions() == {"units": start + 2, "processes": start,
                                           "dependencies": start, "kpis": start,
                                           "assessments": start} | roadmap


def _lengths(engine: Engine) -> dict[str, int]:
    """The declared length of every name-like column the long-names migration widens."""
    found = inspect(engine)
    return {f"{table}.{column['name']}": column["type"].length
            for table, names in (("units", {"name"}), ("kpis", {"name"}),
                                 ("processes", {"name", "process_owner", "change_owner",
                                                "external_reference"}))
            for column in found.get_columns(table) if column["name"] in names}


WIDE = {"units.name": 1000, "processes.name": 1000, "processes.process_owner": 1000,
        "processes.change_owner": 1000, "processes.external_reference": 1000,
        "kpis.name": 500}


def test_the_long_names_migration_widens_and_narrows_keeping_every_row(
        small_catalogue: Catalogue) -> None:
    """Migration 0010 widens the name-like columns (SQLite: by copying the tables that other
    tables point at) and downgrades, with every row, link and constraint kept each way; the
    downgrade is refused, changing nothing, while a name is too long for 200 characters."""
    catalogue = small_catalogue
    engine = catalogue.engine
    catalogue.add_kpi({"process_code": "HR-REC", "name": "Days to hire"}, by("ana"))
    catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "HR-REC"}, by("ana"))
    before = snapshot(catalogue)
    assert _lengths(engine) == WIDE
    try:
        _downgrade(engine, "0009")
        assert _lengths(engine) == dict.fromkeys(WIDE, 200)
        downgraded = snapshot(catalogue)  # the tables of later migrations are gone too
        assert downgraded == {name: rows for name, rows in before.items() if name in downgraded}
    finally:
        migrate.upgrade(engine)
    assert _lengths(engine) == WIDE and snapshot(catalogue) == before
    migrate.check(engine)
    with pytest.raises(IntegrityError), engine.begin() as conn:  # foreign keys hold again
        conn.execute(text("UPDATE kpis SET process_id = 999999"))
    long_name = "Manage " + "and ".join(["regulatory compliance "] * 8)
    catalogue.update_process("HR", {"name": long_name}, None, by("ana"))
    stored = snapshot(catalogue)
    with pytest.raises(RuntimeError, match="processes have a name longer than 200"):
        _downgrade(engine, "0009")
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert snapshot(catalogue) == stored


def test_the_weighting_rounds_migration_downgrades_and_upgrades_again(
        small_catalogue: Catalogue) -> None:
    """Migration 0014 adds the weighting rounds and their members; its downgrade drops them
    (and their rows) and leaves every other table as it was; upgrading again brings them
    back, empty, and the schema matches the models."""
    catalogue = small_catalogue
    engine = catalogue.engine
    catalogue.accounts.add("sam", "staff", by("root"))
    catalogue.accounts.add("kim", "staff", by("root"))
    catalogue.scenarios.add("Plan", {"name": "Plan"}, by("root"))
    catalogue.rounds.open("Plan", ["sam", "kim"], by("root"))
    before = snapshot(catalogue)
    assert len(before["round_members"]) == 2
    try:
        _downgrade(engine, "0013")
        assert not {"weighting_rounds", "round_members"} & set(
            inspect(engine).get_table_names())
        kept = snapshot(catalogue)
        assert kept == {name: rows for name, rows in before.items() if name in kept}
    finally:
        migrate.upgrade(engine)
    migrate.check(engine)
    assert catalogue.rounds.list_rounds().empty


def test_an_upgrade_over_rows_pointing_nowhere_is_refused_and_changes_nothing(
        tmp_path: Path) -> None:
    """SQLite migrates with foreign keys off; rows pointing nowhere afterwards (written once
    by someone with foreign keys off) refuse the upgrade in one line, the schema as it was."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    catalogue = Catalogue.open(url)
    catalogue.add_unit({"code": "HRMD", "name": "Human Resources"}, by("ana"))
    catalogue.add_process({"code": "HR", "name": "Human resources", "unit": "HRMD"}, by("ana"))
    catalogue.add_kpi({"process_code": "HR", "name": "Days to hire"}, by("ana"))
    _downgrade(catalogue.engine, "0009")
    with sqlite3.connect(tmp_path / "old.db") as raw:  # foreign keys are off by default
        raw.execute("UPDATE kpis SET process_id = 999")
    with pytest.raises(DatabaseNotReady) as refused:
        Catalogue.open(url)
    assert "1 row(s) point at rows that do not exist (the first: row 1 of kpis, into " \
           "processes)" in str(refused.value) and "left as it is" in str(refused.value)
    assert migrate.current_revision(catalogue.engine) == "0009"
    assert _lengths(catalogue.engine) == dict.fromkeys(WIDE, 200)
    catalogue.engine.dispose()


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


def test_a_database_from_a_newer_version_is_named_so_and_left_as_it_is(
        database_url: str) -> None:
    Catalogue.open(database_url).engine.dispose()
    engine = make_engine(database_url)
    stamp = "UPDATE alembic_version SET version_num = :revision"
    with engine.begin() as conn:
        conn.execute(text(stamp), {"revision": "9999_from_the_future"})
    try:
        for migrate_schema in (True, False):
            with pytest.raises(DatabaseNotReady) as error:
                Catalogue.open(database_url, migrate_schema=migrate_schema)
            message = str(error.value)
            assert "newer version of dti" in message and "9999_from_the_future" in message
            assert "older" not in message
        assert migrate.current_revision(engine) == "9999_from_the_future"
    finally:  # the PostgreSQL test database is emptied, not dropped, for the next test
        with engine.begin() as conn:
            conn.execute(text(stamp), {"revision": migrate.head_revision()})
        engine.dispose()


def test_alembics_own_command_line_upgrades_and_checks(tmp_path: Path) -> None:
    """The README's `alembic upgrade head` and `alembic check`, run from the project folder."""
    environment = {**os.environ, "DTI_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    alembic = [sys.executable, "-m", "alembic"]
    for command in (["upgrade", "head"], ["check"]):
        done = subprocess.run(alembic + command, cwd=ROOT, env=environment, capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stderr
    engine = make_engine(environment["DTI_DATABASE_URL"])
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_the_review_rounds_migration_downgrades_and_upgrades_keeping_every_row(
        small_catalogue: Catalogue) -> None:
    """Migration 0013 adds the review rounds and ``users.owner_title``; down to 0012 and up
    again, every other row stays as it was, and the links and rounds are gone (the owner
    titles are empty again)."""
    catalogue = small_catalogue
    engine = catalogue.engine
    catalogue.update_process("HR", {"process_owner": "Head, HR Operations"}, None, by("ana"))
    catalogue.accounts.add("olivia", "staff", by("ana"), password="a long password 1")
    catalogue.accounts.set_owner("olivia", "Head, HR Operations", by("ana"))
    before = snapshot(catalogue)
    catalogue.reviews.request("unit", "HRMD", "2999-12-31", by("ana"))
    try:
        _downgrade(engine, "0012")
        found = inspect(engine)
        assert not {"review_rounds", "review_requests"} & set(found.get_table_names())
        assert "owner_title" not in {c["name"] for c in found.get_columns("users")}
    finally:
        migrate.upgrade(engine)
    migrate.check(engine)
    after = snapshot(catalogue)
    assert after["review_rounds"] == after["review_requests"] == []
    unchanged = {"users", "audit_events", "catalogue_revision", "table_revisions"}
    assert {name: rows for name, rows in after.items() if name not in unchanged} == \
        {name: rows for name, rows in before.items() if name not in unchanged}
    title = list(UserAccount.__table__.columns.keys()).index("owner_title")
    assert [row[title] for row in before["users"]] == ["Head, HR Operations"]
    assert [(*row[:title], None, *row[title + 1:]) for row in before["users"]] == \
        after["users"]
