"""``dti round``: weighting rounds from the command line, driven as a user drives it (see
tests/test_cli.py), on a copy of the sample inventory with three member accounts and a saved
scenario."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from inventory.access import Role
from inventory.services import Catalogue
from scoring.scenario import Scenario
from tests.support import by, dti, ok, refused, stored_rows

THREE = "member_experience,operational_efficiency,cost"


@pytest.fixture
def db(sqlite_sample: Path, tmp_path: Path) -> str:
    """The sample with accounts ana (analyst), sam (staff), vic (viewer) and the scenario
    Plan."""
    shutil.copyfile(sqlite_sample, tmp_path / "dti.db")
    url = f"sqlite:///{tmp_path / 'dti.db'}"
    catalogue = Catalogue.open(url)
    for name, role in (("ana", Role.analyst), ("sam", Role.staff), ("vic", Role.viewer)):
        catalogue.accounts.add(name, role, by("root"))
    catalogue.scenarios.add("Plan", Scenario(name="Plan").to_dict(), by("root"))
    catalogue.engine.dispose()
    return url


def as_json(db: str, *args: str, actor: str = "lea") -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(ok(dti(db, "round", *args, "--format", "json",
                                              actor=actor)))
    return parsed


def test_a_weights_round_from_opening_to_closing(db: str) -> None:
    opened = as_json(db, "open", "Plan", "--members", "ana, sam,vic", "--criteria", THREE,
                     "--member-weight", "ana=2")
    assert (opened["code"], opened["status"], opened["criteria"]) == (
        "ROUND-0001", "open", THREE.split(","))
    assert [(m["username"], m["weight"]) for m in opened["members"]] == [
        ("ana", 2.0), ("sam", 1.0), ("vic", 1.0)]
    out = ok(dti(db, "round", "answer", "ROUND-0001", "-w", "member_experience=3",
                 "-w", "cost=1", actor="ana"))
    assert out.strip() == "Answer recorded for ROUND-0001"
    ok(dti(db, "round", "answer", "round-0001", "-w", "operational_efficiency=1", actor="sam"))
    table = ok(dti(db, "round", "status", "ROUND-0001", actor="vic"))
    assert "2 of 3 answered" in table and "Group weights" not in table
    seen = as_json(db, "status", "ROUND-0001", actor="vic")
    assert all("answer" not in m for m in seen["members"]) and seen["your_answer"] is None
    listed = json.loads(ok(dti(db, "round", "list", "--format", "json")))
    assert [(r["code"], r["answered"], r["members"]) for r in listed] == [("ROUND-0001", 2, 3)]

    closed = as_json(db, "close", "ROUND-0001")
    weights = closed["result"]["group_weights"]
    # arithmetic mean, ana counting twice: (2 x 0.75 + 0) / 3, (0 + 1) / 3, (2 x 0.25) / 3
    assert weights == pytest.approx({"member_experience": 0.5,
                                     "operational_efficiency": 1 / 3, "cost": 1 / 6})
    assert closed["members"][0]["answer"] == {"weights": {
        "member_experience": 3.0, "operational_efficiency": 0.0, "cost": 1.0}}
    scenario = json.loads(ok(dti(db, "scenario", "show", "Plan", "--format", "json")))
    assert scenario["settings"]["weights"]["member_experience"] == pytest.approx(0.5)
    text = ok(dti(db, "round", "status", "ROUND-0001"))
    assert "Method: aip-arithmetic" in text and "Group weights: member_experience=0.5000" in text
    top = json.loads(ok(dti(db, "round", "status", "ROUND-0001", "--top", "5", "--format",
                            "json")))
    assert top and {"process", "members", "share", "best_rank", "group_rank"} <= set(top[0])
    assert all(1 <= row["members"] <= 2 for row in top)


def test_a_pairwise_round_reads_judgements_from_a_csv_table(db: str, tmp_path: Path) -> None:
    ok(dti(db, "round", "open", "Plan", "--members", "ana,sam", "--mode", "pairwise",
           "--criteria", THREE))
    good = tmp_path / "ana.csv"
    good.write_text(",member_experience,operational_efficiency,cost\n"
                    "member_experience,1,3,5\noperational_efficiency,,1,2\ncost,,,1\n")
    out = ok(dti(db, "round", "answer", "ROUND-0001", "--ahp", str(good), actor="ana"))
    assert "your consistency ratio is 0.003" in out
    cycle = tmp_path / "sam.csv"
    cycle.write_text(",member_experience,operational_efficiency,cost\n"
                     "member_experience,1,9,1/9\noperational_efficiency,,1,9\ncost,,,1\n")
    out = ok(dti(db, "round", "answer", "ROUND-0001", "--ahp", str(cycle), actor="sam"))
    assert "(above 0.10: revise your judgements" in out
    closed = as_json(db, "close", "ROUND-0001")["result"]
    assert closed["method"] == "aij" and closed["excluded_inconsistent"] == ["sam"]
    assert "Left out as inconsistent (CR > 0.10): sam" in ok(
        dti(db, "round", "status", "ROUND-0001"))


@pytest.mark.parametrize(("args", "actor", "message"), [
    (["answer", "ROUND-0001", "-w", "cost=1"], "lea",
     "Error: lea is not a member of ROUND-0001 (members: ana, sam); ask lea, who opened it, "
     "to invite you"),
    (["answer", "ROUND-0001"], "ana", "Error: give either --weights KEY=POINTS or --ahp FILE"),
    (["answer", "ROUND-0001", "-w", "speed=1"], "ana",
     "Error: weights: 'speed' is not weighed in this round"),
    (["answer", "ROUND-0001", "--ahp", "missing.csv"], "ana", "Error: missing.csv does not exist"),
    (["close", "ROUND-0001"], "lea", "Error: nobody has answered ROUND-0001 yet"),
    (["close", "ROUND-0001", "--method", "vote"], "lea", "Error: method: 'vote' is not one of"),
    (["open", "Plan", "--members", "ana,sam"], "lea", "Error: ROUND-0001 is already open"),
    (["open", "Nope", "--members", "ana,sam"], "lea", "Error: no scenario named 'Nope'"),
    (["status", "ROUND-0009"], "lea", "Error: no weighting round has the code 'ROUND-0009'"),
    (["status", "ROUND-0001", "--top", "3"], "lea", "Error: ROUND-0001 is still open"),
])
def test_mistakes_get_one_line_and_change_nothing(db: str, args: list[str], actor: str,
                                                   message: str) -> None:
    ok(dti(db, "round", "open", "Plan", "--members", "ana,sam", "--criteria", THREE,
           actor="lea"))
    before = stored_rows(db)
    line = refused(dti(db, "round", *args, actor=actor))
    assert line.startswith(message) and "\n" not in line.strip()
    assert stored_rows(db) == before


def test_the_backlog_decision_record_names_the_round_and_each_members_weights(
        db: str, tmp_path: Path) -> None:
    ok(dti(db, "round", "open", "Plan", "--members", "ana,sam,vic", "--criteria", THREE))
    ok(dti(db, "round", "answer", "ROUND-0001", "-w", "member_experience=3", "-w", "cost=1",
           actor="ana"))
    ok(dti(db, "round", "answer", "ROUND-0001", "-w", "operational_efficiency=1", actor="sam"))
    ok(dti(db, "round", "close", "ROUND-0001"))

    def record() -> dict[str, str]:
        out = tmp_path / "backlog.xlsx"
        result = dti(db, "backlog", "Plan", "--out", str(out), "--samples", "50")
        assert result.exit_code == 0, result.output
        sheet = pd.read_excel(out, sheet_name="Decision record", engine="calamine")
        return dict(zip(sheet.iloc[:, 0].astype(str), sheet.iloc[:, 1].astype(str),
                        strict=True))

    lines = record()
    assert lines["Weights decided by"].startswith("ROUND-0001, closed by ana on ")
    assert lines["Combined by"] == ("AIP, the arithmetic mean of the members' weights of 2 "
                                    "member(s)' answers")
    assert lines["Member ana"] == "Member experience 75%, Operational efficiency 0%, Cost 25%"
    assert lines["Member vic"] == "did not answer"
    ok(dti(db, "scenario", "edit", "Plan", "--weights", "cost=5"))
    assert "Weights decided by" not in record()  # the weights are no longer the round's
