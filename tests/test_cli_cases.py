"""``dti case``: cases for change from the command line, driven as a user drives it (see
tests/test_cli.py), on the sample inventory and its fifteen cases.

Tests get their own copy of the sample on SQLite; the merge path runs on both databases.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from inventory.access import Actor, Role
from inventory.cli import shell
from tests.support import dti, ok, refused, stored_rows

LIST_KEYS = {"code", "title", "status", "processes", "endorsements", "proposed_by",
             "priority_area", "status_reason", "merged_into", "initiative"}
LEARNING = ["case", "add", "--title", "Protected learning time", "--problem",
            "Training is postponed because daily work comes first", "--idea",
            "Protected learning time every month for each staff member", "--process", "HR-LRN"]


def listed(db: str, *args: str, actor: str = "ana") -> list[dict[str, Any]]:
    return json.loads(ok(dti(db, "case", "list", *args, "--format", "json", actor=actor)))


def shown(db: str, code: str) -> dict[str, Any]:
    return json.loads(ok(dti(db, "case", "show", code, "--format", "json")))


@pytest.fixture
def lite(sqlite_sample: Path, tmp_path: Path) -> str:
    """The sample in this test's own SQLite database."""
    shutil.copyfile(sqlite_sample, tmp_path / "dti.db")
    return f"sqlite:///{tmp_path / 'dti.db'}"


def as_role(monkeypatch: pytest.MonkeyPatch, role: Role) -> None:
    monkeypatch.setattr(shell, "actor", lambda ctx: Actor(str(ctx.obj["actor"]), role))


# ---------------------------------------------------------------- reading


def test_list_json_gives_the_fields_with_processes_as_a_list(lite: str) -> None:
    cases = {row["code"]: row for row in listed(lite)}
    assert len(cases) == 15 and set(cases["CASE-0001"]) >= LIST_KEYS
    first = cases["CASE-0001"]
    assert (first["status"], first["endorsements"], first["proposed_by"]) == (
        "accepted", 4, "amina.diallo")
    assert first["processes"] == ["DOC-E2E", "DOC-E2E-01", "DOC-E2E-02", "DOC-E2E-03"]
    assert (cases["CASE-0002"]["merged_into"], cases["CASE-0002"]["status_reason"]) == (
        "CASE-0001", "merged into CASE-0001")
    assert cases["CASE-0004"]["initiative"] == "INNOV-HUB"
    assert cases["CASE-0009"]["processes"] == ["EVT-MGT-03"]


@pytest.mark.parametrize(("args", "codes"), [
    (["--status", "merged"], ["CASE-0002", "CASE-0007"]),
    (["--status", "Declined"], ["CASE-0010"]),
    (["--process", "hr-lrn"], ["CASE-0006", "CASE-0007"]),
    (["--mine"], ["CASE-0001", "CASE-0015"]),
    (["--mine", "--status", "accepted"], ["CASE-0001"]),
], ids=" ".join)
def test_list_filters(lite: str, args: list[str], codes: list[str]) -> None:
    """``--mine``: the cases the operator (``--actor``) proposed."""
    assert [row["code"] for row in listed(lite, *args, actor="amina.diallo")] == codes


def test_list_table_and_csv(lite: str) -> None:
    table = ok(dti(lite, "case", "list", "--status", "accepted")).splitlines()
    assert table[0].split()[:3] == ["code", "status", "endorsements"]
    assert [line.split()[0] for line in table[1:]] == ["CASE-0001", "CASE-0003",
                                                       "CASE-0006", "CASE-0008"]
    csv = ok(dti(lite, "case", "list", "--format", "csv")).splitlines()
    assert csv[0].startswith("id,code,title") and len(csv) == 16


def test_list_refuses_an_unknown_status_in_one_line(lite: str) -> None:
    line = refused(dti(lite, "case", "list", "--status", "acepted"))
    assert "'acepted' is not one of" in line and "accepted" in line


def test_show_prints_fields_comments_and_history(lite: str) -> None:
    out = ok(dti(lite, "case", "show", "case-0001"))
    assert re.search(r"^title\s+One end-to-end digital document process$", out, re.M)
    comments = out.split("Comments:")[1].split("History:")[0]
    assert "luis.ortega" in comments and "hand documents to it" in comments
    assert "case_endorsement" in out.split("History:")[1]
    record = shown(lite, "CASE-0001")
    assert record["endorsed_by"] == ["luis.ortega", "mei.chen", "pierre.dubois", "sara.haddad"]
    assert [c["created_by"] for c in record["comments_list"]] == ["luis.ortega", "analyst.a"]
    assert {e["entity"] for e in record["history"]} == {"case", "case_endorsement",
                                                        "case_comment"}


def test_show_refuses_an_unknown_code(lite: str) -> None:
    assert "no case has the code 'CASE-9999'" in refused(dti(lite, "case", "show",
                                                             "CASE-9999"))


# ---------------------------------------------------------------- proposing


def test_add_prints_the_code_and_possible_duplicates(lite: str) -> None:
    out = ok(dti(lite, *LEARNING, "--new-process", "Learning time records", "--effort", "S",
                 "--priority-area", "staff empowerment", "--link", "https://example.org/a",
                 actor="zoe"))
    lines = out.splitlines()
    assert lines[0] == "Proposed CASE-0016: Protected learning time"
    assert lines[1].startswith("Possible duplicates")
    assert "CASE-0006" in out and "CASE-0007" not in out  # merged cases are not offered
    record = shown(lite, "CASE-0016")
    assert (record["status"], record["proposed_by"], record["effort"], record["priority_area"],
            record["processes"], record["links"]) == (
        "new", "zoe", "small", "staff_empowerment",
        ["HR-LRN", "new: Learning time records"], ["https://example.org/a"])
    out = ok(dti(lite, "case", "add", "--title", "Vending machines", "--problem",
                 "Coffee queue", "--idea", "More machines"))
    assert out == "Proposed CASE-0017: Vending machines\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--process", "NOPE"], "no process has the code 'NOPE'"),
    (["--effort", "huge"], "effort"),
    (["--link", "example.org"], "is not a link"),
    (["--priority-area", "speed"], "priority_area"),
], ids=" ".join)
def test_bad_cases_are_refused_and_change_nothing(lite: str, args: list[str],
                                                  message: str) -> None:
    before = stored_rows(lite)
    assert message in refused(dti(lite, *LEARNING, *args))
    assert stored_rows(lite) == before


def test_endorse_once_and_never_ones_own(lite: str) -> None:
    assert ok(dti(lite, "case", "endorse", "CASE-0009", actor="zoe")) == (
        "Endorsed CASE-0009 (1 endorsement(s)).\n")
    before = stored_rows(lite)
    assert "already endorsed CASE-0009" in refused(dti(lite, "case", "endorse", "case-0009",
                                                       actor="ZOE"))
    assert "your own case" in refused(dti(lite, "case", "endorse", "CASE-0009",
                                          actor="luis.ortega"))
    assert "endorse CASE-0001 instead" in refused(dti(lite, "case", "endorse", "CASE-0002",
                                                      actor="zoe"))
    assert stored_rows(lite) == before


def test_comment(lite: str) -> None:
    assert ok(dti(lite, "case", "comment", "CASE-0009", "--text", "Catering too!",
                  actor="zoe")) == "Commented on CASE-0009 (1 comment(s)).\n"
    assert [(c["created_by"], c["text"]) for c in shown(lite, "CASE-0009")["comments_list"]
            ] == [("zoe", "Catering too!")]
    assert "needs some text" in refused(dti(lite, "case", "comment", "CASE-0009", "--text",
                                            "  "))


# ---------------------------------------------------------------- triage


def test_triage_accepts_with_processes_and_hands_over(lite: str) -> None:
    out = ok(dti(lite, "case", "triage", "CASE-0013", "--status", "accepted", "--process",
                 "HR-REC-03", "--process", "new: Onboarding", "--expect-version", "1"))
    assert out == "CASE-0013 is accepted (version 2); processes HR-REC-03, new: Onboarding.\n"
    out = ok(dti(lite, "case", "triage", "CASE-0012", "--status", "handed_over",
                 "--initiative", "travel"))
    assert out == "CASE-0012 is handed_over (version 2); initiative TRAVEL.\n"
    record = shown(lite, "CASE-0012")
    assert (record["status"], record["initiative"]) == ("handed_over", "TRAVEL")


@pytest.mark.parametrize(("args", "message"), [
    (["CASE-0009", "--status", "declined"], "a declined case needs the reason"),
    (["CASE-0009", "--status", "bogus"], "'bogus' is not one of"),
    (["CASE-0009", "--status", "merged"], "merge a case into another"),
    (["CASE-0009", "--status", "handed_over"], "name the initiative"),
    (["CASE-0009", "--status", "handed_over", "--initiative", "NOPE"],
     "no initiative has the code 'NOPE'"),
    (["CASE-0009", "--status", "accepted", "--process", "NOPE"],
     "no process has the code 'NOPE'"),
    (["CASE-0009", "--status", "accepted", "--expect-version", "3"], "not 3 as you read it"),
], ids=" ".join)
def test_bad_triage_is_refused_and_changes_nothing(lite: str, args: list[str],
                                                   message: str) -> None:
    before = stored_rows(lite)
    assert message in refused(dti(lite, "case", "triage", *args))
    assert stored_rows(lite) == before


def test_declining_keeps_the_reason_for_the_proposer(lite: str) -> None:
    out = ok(dti(lite, "case", "triage", "CASE-0009", "--status", "declined", "--reason",
                 "Part of Event modernization"))
    assert out == "CASE-0009 is declined (version 2); reason: Part of Event modernization.\n"
    [row] = listed(lite, "--status", "declined", "--process", "EVT-MGT-03")
    assert row["status_reason"] == "Part of Event modernization"


def test_merge_carries_endorsements_and_comments_over(lite: str) -> None:
    ok(dti(lite, "case", "comment", "CASE-0012", "--text", "Same as CASE-0013?"))
    out = ok(dti(lite, "case", "merge", "CASE-0012", "case-0014", "--into", "CASE-0013"))
    # CASE-0012: tomas.silva's endorsement and the comment; CASE-0014 had none.
    assert out == ("Merged CASE-0012, CASE-0014 into CASE-0013 (3 endorsement(s), "
                   "1 comment(s)).\n")
    cases = {row["code"]: row for row in listed(lite, "--status", "merged")}
    assert {code: row["merged_into"] for code, row in cases.items()} == {
        "CASE-0002": "CASE-0001", "CASE-0007": "CASE-0006", "CASE-0012": "CASE-0013",
        "CASE-0014": "CASE-0013"}
    before = stored_rows(lite)
    assert "already merged into CASE-0013" in refused(
        dti(lite, "case", "merge", "CASE-0012", "--into", "CASE-0001"))
    assert "merge into an open case" in refused(
        dti(lite, "case", "merge", "CASE-0009", "--into", "CASE-0010"))
    assert stored_rows(lite) == before


def test_an_accepted_case_records_its_new_process_as_a_draft_and_feeds_an_assessment(
        lite: str) -> None:
    ok(dti(lite, "case", "triage", "CASE-0013", "--status", "accepted"))
    before = stored_rows(lite)
    for args, message in (
            (["--code", "HR-ONB", "--unit", "NOPE"], "NOPE"),
            (["--code", "HR-REC", "--unit", "HRMD"], "already exists"),
            (["--code", "bad code", "--unit", "HRMD"], "code")):
        line = refused(dti(lite, "case", "create-process", "CASE-0013", *args))
        assert message in line
    assert stored_rows(lite) == before
    assert ok(dti(lite, "case", "create-process", "CASE-0013", "--code", "HR-ONB", "--unit",
                  "HRMD", "--owner", "Head, HR Operations")) == (
        "Recorded HR-ONB (Staff onboarding) as a draft from CASE-0013.\n")
    process = json.loads(ok(dti(lite, "process", "show", "HR-ONB", "--format", "json")))
    assert (process["lifecycle"], process["process_owner"]) == ("draft", "Head, HR Operations")
    assert shown(lite, "CASE-0013")["processes"] == ["HR-REC-03", "HR-ONB"]
    assert ok(dti(lite, "case", "assess", "CASE-0013", "--process", "HR-ONB",
                  "operational_efficiency=4", "complexity=2")) == (
        "Rated HR-ONB by ana from CASE-0013: operational_efficiency 4, complexity 2.\n")
    before = stored_rows(lite)
    for args, message in ((["--process", "HR-ONB", "complexity=x"], "must be a number"),
                          (["--process", "FIN-TRV-01", "complexity=2"], "does not concern"),
                          (["--process", "HR-ONB", "complexity"], "is not FIELD=VALUE")):
        assert message in refused(dti(lite, "case", "assess", "CASE-0013", *args))
    assert "is new; accept it first" in refused(
        dti(lite, "case", "assess", "CASE-0009", "--process", "EVT-MGT-03", "complexity=2"))
    assert stored_rows(lite) == before


def test_staff_demand_ranks_a_process_from_its_accepted_cases(lite: str) -> None:
    def contribution() -> tuple[float, float]:
        explained = json.loads(ok(dti(lite, "explain", "DOC-E2E", "--format", "json")))
        line = next(c for c in explained["lines"] if c["criterion"] == "staff_demand")
        return float(line["value"]), float(line["contribution"])

    value, before = contribution()
    assert value == 4  # CASE-0001's four endorsers (CASE-0002's were carried over)
    ok(dti(lite, "case", "endorse", "CASE-0001", actor="someone.new"))
    value, after = contribution()
    assert value == 5 and after > before


# ---------------------------------------------------------------- roles


def test_staff_propose_endorse_and_comment_but_may_not_triage(
        lite: str, monkeypatch: pytest.MonkeyPatch) -> None:
    as_role(monkeypatch, Role.staff)
    assert ok(dti(lite, *LEARNING, actor="sam")).startswith("Proposed CASE-0016")
    ok(dti(lite, "case", "endorse", "CASE-0009", actor="sam"))
    ok(dti(lite, "case", "comment", "CASE-0009", "--text", "Yes", actor="sam"))
    before = stored_rows(lite)
    for args in (["triage", "CASE-0009", "--status", "accepted"],
                 ["merge", "CASE-0009", "--into", "CASE-0001"]):
        line = refused(dti(lite, "case", *args, actor="sam"))
        assert "sam (staff) may not" in line and "analyst or admin" in line
    assert stored_rows(lite) == before


def test_a_viewer_reads_but_may_not_propose(lite: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    as_role(monkeypatch, Role.viewer)
    assert len(listed(lite)) == 15
    before = stored_rows(lite)
    assert "vic (viewer) may not" in refused(dti(lite, *LEARNING, actor="vic"))
    assert "vic (viewer) may not" in refused(dti(lite, "case", "endorse", "CASE-0009",
                                                 actor="vic"))
    assert stored_rows(lite) == before


# ---------------------------------------------------------------- both databases


def test_merge_on_each_database(sample_url: str) -> None:
    db = sample_url
    ok(dti(db, "case", "endorse", "CASE-0015", actor="zoe"))
    out = ok(dti(db, "case", "merge", "CASE-0015", "--into", "CASE-0005"))
    assert out == "Merged CASE-0015 into CASE-0005 (4 endorsement(s), 0 comment(s)).\n"
    target = shown(db, "CASE-0005")
    assert target["endorsed_by"] == ["elena.petrova", "pierre.dubois", "mei.chen", "zoe"]
    merged = shown(db, "CASE-0015")
    assert (merged["status"], merged["merged_into"], merged["endorsements"]) == (
        "merged", "CASE-0005", 0)
    assert "merged_into" in {e["field"] for e in merged["history"]}
