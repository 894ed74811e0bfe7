"""Seals: someone who can write to the database but does not hold the server secret cannot
insert, edit or remove audit events, or rewrite a snapshot, without ``dti audit verify`` or
``dti scenario verify`` finding it; TRUNCATE is refused on PostgreSQL; concurrent writers
keep one chain; the migration seals the rows that were already there."""

from __future__ import annotations

import hashlib
import threading

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from inventory.services import Catalogue
from inventory.storage import migrate
from inventory.storage.sealing import audit_seal
from tests.support import by, dti, ok, refused, with_database_access


def audit_ids(catalogue: Catalogue) -> list[int]:
    with catalogue.engine.connect() as conn:
        return conn.execute(text("SELECT id FROM audit_events ORDER BY id")).scalars().all()


def test_an_untouched_trail_is_intact(small_catalogue: Catalogue) -> None:
    entries = len(audit_ids(small_catalogue))
    check = small_catalogue.verify_audit()
    assert check.intact and check.entries == entries == 6
    out = ok(dti(str(small_catalogue.engine.url.render_as_string(hide_password=False)),
                 "audit", "verify"))
    assert out == f"The audit trail is intact ({entries} entries, last seal {check.last_seal}).\n"


def url_of(catalogue: Catalogue) -> str:
    return catalogue.engine.url.render_as_string(hide_password=False)


def test_a_forged_insert_is_found(small_catalogue: Catalogue) -> None:
    """The forger chains an unkeyed SHA-256 onto the last seal, as one could without the
    secret."""
    with with_database_access(small_catalogue.engine) as conn:
        last = conn.execute(text("SELECT seal FROM audit_events ORDER BY id DESC LIMIT 1")
                            ).scalar_one()
        conn.execute(text(
            "INSERT INTO audit_events (at, actor, action, entity, entity_id, entity_key, "
            "entity_version, seal) VALUES ('2026-12-01 10:00:00', 'mallory', 'delete', "
            "'process', 1, 'HR', 2, :seal)"),
            {"seal": hashlib.sha256(f"{last}\nforged".encode()).hexdigest()})
    forged = audit_ids(small_catalogue)[-1]
    line = refused(dti(url_of(small_catalogue), "audit", "verify"))
    assert line == (f"Error: the audit trail is broken at entry {forged} (2026-12-01 10:00:00 "
                    "mallory delete process 'HR'): it was inserted or edited outside dti, or an "
                    "entry just before it was removed; the 6 entries before it are intact")


def test_an_edited_event_is_found(small_catalogue: Catalogue) -> None:
    third = audit_ids(small_catalogue)[2]
    with with_database_access(small_catalogue.engine) as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"),
                     {"id": third})
    line = refused(dti(url_of(small_catalogue), "audit", "verify"))
    assert f"broken at entry {third} (" in line and "mallory create process 'HR'" in line
    assert "the 2 entries before it are intact" in line


def test_a_removed_event_is_found_at_the_next_one(small_catalogue: Catalogue) -> None:
    ids = audit_ids(small_catalogue)
    with with_database_access(small_catalogue.engine) as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[3]})
    check = small_catalogue.verify_audit()
    assert (check.intact, check.broken, check.entries) == (False, ids[4], 3)
    assert "broken at entry" in refused(dti(url_of(small_catalogue), "audit", "verify"))


def test_a_trail_sealed_with_another_secret_fails_from_its_first_event(
        small_catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DTI_SECRET_KEY", "another-server-entirely-" + "1" * 32)
    check = small_catalogue.verify_audit()
    assert (check.broken, check.entries) == (audit_ids(small_catalogue)[0], 0)


def test_a_snapshot_rewritten_with_a_fresh_sha256_fails_verification(
        catalogue: Catalogue) -> None:
    book = catalogue.scenarios
    book.add("Decision", {}, by("ana"))
    record = book.snapshot("Decision", "Board", {"results": {"table": [1]}}, by("ana"))
    assert book.snapshot_record(record["id"])["intact"]
    payload = '{"results":{"table":[2]}}'
    with with_database_access(catalogue.engine) as conn:
        conn.execute(text("UPDATE snapshots SET payload = :p, content_hash = :h"),
                     {"p": payload, "h": hashlib.sha256(payload.encode()).hexdigest()})
    stored = book.snapshot_record(record["id"])
    assert not stored["intact"] and stored["damage"].startswith("its seal does not match")
    line = refused(dti(url_of(catalogue), "scenario", "verify", str(record["id"])))
    assert line.startswith(f"Error: snapshot {record['id']} is not as dti wrote it: its seal "
                           "does not match")


def test_a_snapshot_whose_content_alone_changed_is_named_so(catalogue: Catalogue) -> None:
    book = catalogue.scenarios
    book.add("Decision", {}, by("ana"))
    record = book.snapshot("Decision", "Board", {"a": 1}, by("ana"))
    with with_database_access(catalogue.engine) as conn:
        conn.execute(text("UPDATE snapshots SET payload = :p"), {"p": '{"a":2}'})
    assert book.snapshot_record(record["id"])["damage"] == (
        "its content no longer matches its SHA-256")


def test_truncate_is_refused_on_postgresql(small_catalogue: Catalogue) -> None:
    if small_catalogue.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is a PostgreSQL statement (SQLite has DELETE, refused above)")
    small_catalogue.scenarios.add("Decision", {}, by("ana"))
    small_catalogue.scenarios.snapshot("Decision", "", {}, by("ana"))
    for table, message in (("audit_events", "audit_events is append-only"),
                           ("snapshots", "snapshots are append-only")):
        with pytest.raises(DBAPIError, match=message), small_catalogue.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {table} CASCADE"))
    assert small_catalogue.verify_audit().entries == len(audit_ids(small_catalogue)) == 7


def test_concurrent_writers_keep_one_chain(catalogue: Catalogue) -> None:
    writers, each = 8, 5
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        start.wait()
        try:
            for n in range(each):
                catalogue.add_unit({"code": f"U{writer}-{n}", "name": f"Unit {writer}.{n}"},
                                   by(f"writer{writer}"))
        except BaseException as error:  # reported below, with the chain's state
            failures.append(error)

    workers = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not failures
    check = catalogue.verify_audit()
    assert check.intact, f"the chain forked at entry {check.broken}"
    assert check.entries == writers * each


def before_sealing() -> str:
    """The revision just before the migration that adds the seals (found by its file name, so
    that renumbering the migrations does not change this test)."""
    scripts = ScriptDirectory(str(migrate.MIGRATIONS))
    sealing = next(r for r in scripts.walk_revisions() if r.path.endswith("_audit_seal.py"))
    assert isinstance(sealing.down_revision, str)
    return sealing.down_revision


def test_the_migration_seals_the_rows_already_there(database_url: str) -> None:
    catalogue = Catalogue.open(database_url)
    config = migrate.alembic_config(catalogue.engine)
    with migrate.migrating(catalogue.engine) as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, before_sealing())
    with catalogue.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_events (at, actor, action, entity, entity_id, entity_key, "
            "entity_version) VALUES ('2026-11-30 09:00:00.250000', 'ana', 'create', 'unit', "
            "1, 'HRMD', 1), ('2026-11-30 09:01:00', 'ana', 'update', 'unit', 1, 'HRMD', 2)"))
        conn.execute(text("INSERT INTO scenarios (id, name, settings, version, created_at, "
                          "created_by, updated_at, updated_by) VALUES (1, 'Old', '{}', 1, "
                          "'2026-11-30 09:00:00', 'ana', '2026-11-30 09:00:00', 'ana')"))
        conn.execute(text("INSERT INTO snapshots (scenario_id, label, taken_at, taken_by, "
                          "content_hash, payload) VALUES (1, 'Before seals', "
                          "'2026-11-30 09:02:00', 'ana', :h, '{}')"),
                     {"h": hashlib.sha256(b"{}").hexdigest()})
    migrate.upgrade(catalogue.engine)
    check = catalogue.verify_audit()
    assert (check.intact, check.entries) == (True, 2)
    snapshot_id = int(catalogue.scenarios.snapshots()["id"].iloc[0])
    assert catalogue.scenarios.snapshot_record(snapshot_id)["intact"]
    catalogue.add_unit({"code": "NEW", "name": "After seals"}, by("ana"))
    assert catalogue.verify_audit().entries == 3
    catalogue.engine.dispose()


def test_the_chain_formula() -> None:
    """HMAC-SHA256(secret, previous seal + LF + the event as a compact JSON array)."""
    import datetime as dt
    import hmac

    event = {"at": dt.datetime(2026, 12, 1, 9, 30), "actor": "ana", "action": "create",
             "entity": "unit", "entity_id": 1, "entity_key": "HRMD", "entity_version": 1,
             "field": None, "old_value": None, "new_value": "{}"}
    expected = hmac.new(b"k" * 32, b'prev\n["2026-12-01T09:30:00","ana","create","unit",1,'
                        b'"HRMD",1,null,null,"{}"]', hashlib.sha256).hexdigest()
    assert audit_seal(b"k" * 32, "prev", event) == expected
