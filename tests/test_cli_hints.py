"""The command to type, added at the command line's edge: the services may word a refusal
without naming a ``dti`` command (a browser user cannot type one), and the CLI then ends the
line with the command that cures it; a message that already names one is left as it is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from inventory.cli.shell import refusal_line
from inventory.errors import (
    DatabaseMissing,
    DatabaseNotReady,
    InvalidInput,
    NoScenarioSaved,
    NotFound,
    SchemaOutdated,
    SnapshotNotFound,
)
from tests.support import dti, ok, refused

INIT = "run `dti init` first (or `dti init --sample` for the sample inventory)"


@pytest.mark.parametrize("error", [
    DatabaseMissing("there is no database at /tmp/x.db: run `dti init` first (or `dti init "
                     "--sample` for the sample inventory)"),
    DatabaseMissing("the database sqlite:////tmp/x.db is not initialised: run `dti init` "
                     "first (it creates or upgrades the schema and keeps the data)"),
    SnapshotNotFound("no snapshot 9; `dti scenario snapshots` lists them"),
    NoScenarioSaved("no scenario named 'x'; none is saved yet (`dti scenario create`)"),
], ids=["no database", "not initialised", "no snapshot", "no scenario"])
def test_a_message_that_names_a_command_is_left_as_it_is(error: Exception) -> None:
    assert refusal_line(error) == str(error)


@pytest.mark.parametrize(("error", "ending"), [
    (DatabaseMissing("there is no database at /tmp/x.db yet: create it first"), INIT),
    (DatabaseMissing("the database sqlite:////tmp/x.db is not initialised: bring its schema "
                      "up to date first (that creates or upgrades the schema and keeps the "
                      "data)"), INIT),
    (SchemaOutdated("the database sqlite:////tmp/x.db has an older schema (revision 0007): "
                      "bring its schema up to date first (that creates or upgrades the schema "
                      "and keeps the data)"),
     "run `dti init` first (it upgrades the schema and keeps the data)"),
    (SnapshotNotFound("no snapshot 9; check its number in the list of snapshots"),
     "`dti scenario snapshots` lists them"),
    (NoScenarioSaved("no scenario named 'x'; none is saved yet: save one first"),
     "`dti scenario create` saves one"),
], ids=["no database", "not initialised", "older schema", "no snapshot", "no scenario"])
def test_a_message_in_words_gets_the_command_that_cures_it(error: Exception,
                                                            ending: str) -> None:
    assert refusal_line(error) == f"{error}; {ending}"


@pytest.mark.parametrize("error", [
    DatabaseNotReady("the database sqlite:////tmp/x.db was written by a newer version of dti "
                     "(schema revision ffff, this version knows up to 0009); open it with that "
                     "version or upgrade dti; it was left as it is"),
    DatabaseNotReady("the schema of sqlite:////tmp/x.db cannot be upgraded: 3 rows point at "
                     "nothing; it was left as it is"),
    DatabaseNotReady("cannot open the database postgresql://dti@db/dti: connection refused"),
    NotFound("no scenario named 'x'; saved scenarios: A, B"),
    InvalidInput("there is no database column 'x'"),
], ids=["newer schema", "broken upgrade", "cannot open", "other scenarios", "not a refusal "
        "of the database"])
def test_what_init_or_a_listing_does_not_cure_gets_no_hint(error: Exception) -> None:
    assert refusal_line(error) == str(error)


def test_the_line_stays_one_line() -> None:
    assert refusal_line(SnapshotNotFound("no snapshot 9\n  (deleted)")) == (
        "no snapshot 9 (deleted); `dti scenario snapshots` lists them")


# ---------------------------------------------------------------- through the command line


def test_a_missing_database_ends_with_init_and_names_it_once(tmp_path: Path) -> None:
    message = refused(dti(str(tmp_path / "missing.db"), "process", "list"))

    assert message.endswith(INIT)
    assert message.count("`dti init` first") == 1


def test_a_database_without_schema_says_to_run_init_once(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()

    message = refused(dti(str(path), "unit", "list"))

    assert "is not initialised" in message
    assert message.count("`dti init` first") == 1


def test_a_database_of_a_newer_version_gets_no_init_hint(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    ok(dti(str(path), "init"))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.close()

    message = refused(dti(str(path), "unit", "list"))

    assert "newer version of dti" in message
    assert "`dti" not in message


@pytest.mark.parametrize("args", [
    ["scenario", "verify", "99"],
    ["scenario", "why", "98", "99"],
    ["scenario", "compare", "#98", "#99"],
], ids=" ".join)
def test_an_unknown_snapshot_names_the_listing_once(tmp_path: Path, args: list[str]) -> None:
    db = str(tmp_path / "s.db")
    ok(dti(db, "init"))

    message = refused(dti(db, *args))

    assert message.startswith("Error: no snapshot 9")
    assert message.endswith("`dti scenario snapshots` lists them")
    assert message.count("`dti scenario snapshots`") == 1
