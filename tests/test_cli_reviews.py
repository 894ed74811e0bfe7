"""``dti review`` and ``dti user set-owner``: owners confirm their processes, from the command
line as a user drives it, on a copy of the sample (SQLite; the service's tests run on both
databases)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from inventory.access import Actor, Role
from inventory.cli import shell
from inventory.review_schemas import REVIEWABLE_FIELDS
from tests.support import dti, ok, refused, stored_rows

LIST_KEYS = ["code", "name", "unit", "owner", "round", "due", "status", "confirmed_by",
             "confirmed_at", "overdue", "empty_fields"]
OWNER = "Head, Project Support Division"  # owns BDT-PRJ-01 and BDT-PRJ-02 in the sample
DUE = "2999-12-31"


def listed(db: str, *args: str, actor: str = "ana") -> list[dict[str, Any]]:
    return json.loads(ok(dti(db, "review", "list", *args, "--format", "json", actor=actor)))


@pytest.fixture
def lite(sqlite_sample: Path, tmp_path: Path) -> str:
    """The sample in this test's own SQLite database, with olivia answering for the Head,
    Project Support Division."""
    shutil.copyfile(sqlite_sample, tmp_path / "dti.db")
    db = f"sqlite:///{tmp_path / 'dti.db'}"
    ok(dti(db, "user", "add", "olivia", "--role", "staff"))
    assert ok(dti(db, "user", "set-owner", "olivia", f"  {OWNER.upper()} ")) == (
        f"olivia answers for {OWNER.upper()}: 2 process(es).\n")
    return db


def test_an_admin_links_an_account_to_an_owner(lite: str) -> None:
    users = json.loads(ok(dti(lite, "user", "list", "--format", "json")))
    assert {u["username"]: u["owner_title"] for u in users} == {"olivia": OWNER.upper()}
    assert "which no process names yet" in ok(dti(lite, "user", "set-owner", "olivia",
                                                   "Head, Nowhere"))
    assert ok(dti(lite, "user", "set-owner", "olivia", "")) == (
        "olivia answers for no process owner now.\n")
    assert "no account is named 'nobody'" in refused(dti(lite, "user", "set-owner", "nobody",
                                                         OWNER))


def test_an_analyst_asks_a_unit_and_the_owner_confirms(lite: str) -> None:
    ok(dti(lite, "process", "add", "--code", "BDT-PRJ-03", "--name", "Closing projects",
           "--unit", "BDT", "--owner", OWNER))
    asked = ok(dti(lite, "review", "request", "--unit", "bdt", "--by", DUE, "--note",
                   "Before the budget"))
    assert asked == f"Asked for REV-0001: 5 process(es) of the unit BDT to review by {DUE}.\n"
    again = ok(dti(lite, "review", "request", "--all", "--by", DUE))
    assert again.startswith("Asked for REV-0002: ") and "5 skipped, already waiting" in again
    others = int(again.split(": ")[1].split(" ")[0])
    mine = listed(lite, "--mine", actor="olivia")
    assert [row["code"] for row in mine] == ["BDT-PRJ-01", "BDT-PRJ-02", "BDT-PRJ-03"]
    assert list(mine[0]) == LIST_KEYS
    new = mine[2]
    assert (new["round"], new["due"], new["status"], new["overdue"]) == (
        "REV-0001", DUE, "requested", False)
    assert new["empty_fields"] == [f for f in REVIEWABLE_FIELDS if f != "process_owner"]
    done = ok(dti(lite, "review", "confirm", "bdt-prj-03", "--set", "description=Closing",
                  "--set", "cycle_time_days=30", actor="olivia"))
    assert done.startswith("Confirmed BDT-PRJ-03 for REV-0001 (on time); it is validated "
                           "(version 2). Still empty: change_owner, pillar")
    confirmed = listed(lite, "--round", "REV-0001", "--status", "confirmed")
    assert [(r["code"], r["confirmed_by"]) for r in confirmed] == [("BDT-PRJ-03", "olivia")]
    assert "description" not in confirmed[0]["empty_fields"]
    rounds = json.loads(ok(dti(lite, "review", "rounds", "--format", "json")))
    assert [(r["code"], r["scope"], r["scope_value"], r["requests"], r["confirmed"],
             r["note"]) for r in rounds] == [
        ("REV-0001", "unit", "BDT", 5, 1, "Before the budget"),
        ("REV-0002", "all", None, others, 0, None)]
    units = {u["unit"]: u for u in json.loads(ok(dti(lite, "review", "completeness",
                                                     "--format", "json")))}
    assert (units["BDT"]["processes"], units["BDT"]["requested"], units["BDT"]["confirmed"],
            units["BDT"]["on_time"], units["BDT"]["overdue"]) == (5, 5, 1, 1, 0)
    assert "%" in ok(dti(lite, "review", "completeness"))


@pytest.mark.parametrize(("args", "message"), [
    (["request", "--unit", "BDT", "--all", "--by", DUE], "give exactly one of --unit CODE, "
                                                          "--pillar PILLAR or --all"),
    (["request", "--by", DUE], "give exactly one of"),
    (["request", "--unit", "BDT", "--by", "2000-01-01"], "the due date 2000-01-01 is in the "
                                                         "past"),
    (["request", "--unit", "NOPE", "--by", DUE], "no unit has the code 'NOPE'"),
    (["request", "--pillar", "govrnance", "--by", DUE], "Did you mean 'governance'"),
    (["request", "--all", "--by", "tomorrow"], "due: must be a date written YYYY-MM-DD"),
    (["list", "--mine"], "ana answers for no process owner: `dti user set-owner ana"),
    (["list", "--status", "done"], "status: 'done' is not one of: requested, confirmed"),
    (["list", "--round", "REV-0009"], "no review round has the code 'REV-0009'"),
    (["confirm", "BDT-PRJ-01"], "BDT-PRJ-01 has no open review request"),
    (["confirm", "BDT-PRJ-01", "--set", "unit=HRMD"], "unit: an owner may not change"),
    (["confirm", "BDT-PRJ-01", "--set", "pillar"], "--set 'pillar' is not FIELD=VALUE"),
])
def test_mistakes_get_one_line_and_change_nothing(lite: str, args: list[str],
                                                  message: str) -> None:
    before = stored_rows(lite)
    assert message in refused(dti(lite, "review", *args))
    assert stored_rows(lite) == before


def test_an_owner_confirms_only_their_processes_and_viewers_ask_nothing(
        lite: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ok(dti(lite, "review", "request", "--unit", "BDT", "--by", DUE))
    monkeypatch.setattr(shell, "actor", lambda ctx: Actor(str(ctx.obj["actor"]), Role.staff))
    before = stored_rows(lite)
    assert ("olivia may edit only the processes they own (HEAD, PROJECT SUPPORT DIVISION); BDT "
            "is owned by Director, BDT") in refused(dti(lite, "review", "confirm", "BDT",
                                                        actor="olivia"))
    assert "needs the analyst or admin role" in refused(dti(lite, "review", "request", "--all",
                                                            "--by", DUE, actor="olivia"))
    assert stored_rows(lite) == before
    ok(dti(lite, "review", "confirm", "BDT-PRJ-02", actor="olivia"))
    assert [r["code"] for r in listed(lite, "--mine", "--status", "requested",
                                      actor="olivia")] == ["BDT-PRJ-01"]
