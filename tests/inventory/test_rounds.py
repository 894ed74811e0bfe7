"""Weighting rounds through the service, on both databases: leadership opens a round on a
scenario, invited members answer on their own (unseen until it closes), closing combines the
answers into the scenario's weights and the decision record; refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from inventory.access import Role
from inventory.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inventory.services import Catalogue
from scoring.scenario import Scenario
from tests.support import by, snapshot

LEA = by("lea", Role.leadership)
ANA = by("ana", Role.analyst)
SAM = by("sam", Role.staff)
VIC = by("vic", Role.viewer)
THREE = ["member_experience", "operational_efficiency", "cost"]


@pytest.fixture
def group(small_catalogue: Catalogue) -> Catalogue:
    """Accounts for ana (analyst), sam (staff), vic (viewer) and lea (leadership), and the
    saved scenario Plan with the default settings."""
    for name, role in (("ana", Role.analyst), ("sam", Role.staff), ("vic", Role.viewer),
                       ("lea", Role.leadership)):
        small_catalogue.accounts.add(name, role, by("root"))
    small_catalogue.scenarios.add("Plan", Scenario(name="Plan").to_dict(), LEA)
    return small_catalogue


@pytest.fixture
def weights_round(group: Catalogue) -> Catalogue:
    group.rounds.open("plan", ["ana", "SAM", "vic"], LEA, criteria=THREE)
    return group


def _answer_all_weights(catalogue: Catalogue) -> None:
    rounds = catalogue.rounds
    rounds.answer("ROUND-0001", ANA, weights={"member_experience": 60, "cost": 40})
    rounds.answer("ROUND-0001", SAM, weights={"member_experience": 20,
                                              "operational_efficiency": 40, "cost": 40})


def test_leadership_opens_a_round_and_everyone_sees_who_is_invited(
        weights_round: Catalogue) -> None:
    record = weights_round.rounds.status("round-0001")
    assert (record["code"], record["scenario"], record["mode"], record["status"],
            record["opened_by"], record["criteria"]) == ("ROUND-0001", "Plan", "weights",
                                                         "open", "lea", THREE)
    assert [(m["username"], m["weight"], m["answered"]) for m in record["members"]] == [
        ("ana", 1.0, False), ("sam", 1.0, False), ("vic", 1.0, False)]
    listed = weights_round.rounds.list_rounds("PLAN")
    assert listed[["code", "status", "members", "answered"]].values.tolist() == [
        ["ROUND-0001", "open", 3, 0]]


def test_while_open_who_answered_shows_but_not_what(weights_round: Catalogue) -> None:
    _answer_all_weights(weights_round)
    seen = weights_round.rounds.status("ROUND-0001", viewer="vic")
    assert [(m["username"], m["answered"]) for m in seen["members"]] == [
        ("ana", True), ("sam", True), ("vic", False)]
    assert all("answer" not in m for m in seen["members"]) and seen["your_answer"] is None
    assert seen["result"] is None
    own = weights_round.rounds.status("ROUND-0001", viewer="ANA")["your_answer"]
    assert own == {"weights": {"member_experience": 60.0, "operational_efficiency": 0.0,
                               "cost": 40.0}}
    events = weights_round.audit_log(entity="round_member")
    answers = events[events["field"] == "answer"]
    assert len(answers) == 2 and answers["new_value"].str.startswith("sha256:").all()
    assert not answers["new_value"].str.contains("60").any()


def test_closing_writes_the_group_weights_into_the_scenario_and_the_record(
        weights_round: Catalogue) -> None:
    _answer_all_weights(weights_round)
    closed = weights_round.rounds.close("ROUND-0001", LEA)
    result = closed["result"]
    # direct weights: the arithmetic mean of the points shared out, (0.6 + 0.2) / 2, ...
    assert result["method"] == "aip-arithmetic"
    assert result["group_weights"] == pytest.approx({"member_experience": 0.4,
                                                     "operational_efficiency": 0.2,
                                                     "cost": 0.4})
    assert result["included"] == ["ana", "sam"] and result["not_answered"] == ["vic"]
    assert 0 < result["consensus"] < 1 and result["consensus_band"]
    assert result["disagreement"][0]["criterion"] == "member_experience"
    assert [m["answer"] for m in closed["members"]][:2] == [
        {"weights": {"member_experience": 60.0, "operational_efficiency": 0.0, "cost": 40.0}},
        {"weights": {"member_experience": 20.0, "operational_efficiency": 40.0, "cost": 40.0}}]
    settings = weights_round.scenarios.get("Plan")["settings"]
    assert settings["weights"]["member_experience"] == pytest.approx(0.4)
    assert settings["weights"]["volume"] == 0.0  # not weighed in the round
    Scenario.from_dict(settings)  # still a valid scenario
    history = weights_round.audit_log(entity="scenario")
    assert (history["actor"] == "lea").all() and set(history["field"].dropna()) == {"weights"}


def test_a_snapshot_of_the_rounds_weights_carries_every_members_answer(
        weights_round: Catalogue) -> None:
    _answer_all_weights(weights_round)
    weights_round.rounds.close("ROUND-0001", LEA)
    settings = weights_round.scenarios.get("Plan")["settings"]
    frozen = weights_round.scenarios.snapshot("Plan", "decided", {"scenario": settings}, LEA)
    content = weights_round.scenarios.snapshot_record(frozen["id"])["content"]
    record = content["weighting_round"]
    assert record["code"] == "ROUND-0001" and record["closed_by"] == "lea"
    assert [m["username"] for m in record["result"]["members"]] == ["ana", "sam", "vic"]
    assert record["result"]["members"][0]["answer"]["weights"]["member_experience"] == 60.0
    changed = settings | {"weights": settings["weights"] | {"cost": 0.9}}
    other = weights_round.scenarios.snapshot("Plan", "changed", {"scenario": changed}, LEA)
    assert "weighting_round" not in weights_round.scenarios.snapshot_record(
        other["id"])["content"]


def test_pairwise_rounds_leave_out_inconsistent_members_unless_asked(group: Catalogue) -> None:
    rounds = group.rounds
    rounds.open("Plan", ["ana", "sam", "vic"], LEA, mode="pairwise", criteria=THREE,
                member_weights={"ana": 2})
    me, oe, cost = THREE
    rounds.answer("ROUND-0001", ANA, pairwise={(me, oe): 3, (me, cost): 9, (oe, cost): 3})
    mine = rounds.answer("ROUND-0001", SAM,
                         pairwise=([cost, me, oe], [[1, 1 / 3, 1 / 3], [3, 1, 1], [3, 1, 1]]))
    assert mine["your_cr"] == pytest.approx(0.0, abs=1e-9)
    cycle = rounds.answer("ROUND-0001", VIC,
                          pairwise={(me, oe): 9, (oe, cost): 9, (cost, me): 9})
    assert cycle["your_cr"] > 0.1
    closed = rounds.close("ROUND-0001", LEA)["result"]
    assert closed["method"] == "aij"
    assert closed["included"] == ["ana", "sam"] and closed["excluded_inconsistent"] == ["vic"]
    assert closed["consensus_measure"].startswith("Goepel's AHP consensus")
    assert closed["members"][2]["cr"] > 0.1
    assert sum(closed["group_weights"].values()) == pytest.approx(1.0)
    assert closed["group_weights"][me] > closed["group_weights"][oe] > \
        closed["group_weights"][cost]


def test_including_inconsistent_members_counts_them(group: Catalogue) -> None:
    rounds = group.rounds
    rounds.open("Plan", ["ana", "vic"], LEA, mode="pairwise", criteria=THREE)
    me, oe, cost = THREE
    rounds.answer("ROUND-0001", VIC, pairwise={(me, oe): 9, (oe, cost): 9, (cost, me): 9})
    with pytest.raises(InvalidInput, match=r"Every answer is inconsistent .*vic"):
        rounds.close("ROUND-0001", LEA)
    closed = rounds.close("ROUND-0001", LEA, method="aip", include_inconsistent=True)
    assert closed["result"]["included"] == ["vic"]
    assert closed["result"]["method"] == "aip-geometric"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"weights": {"volume": 3}}, "'volume' is not weighed in this round"),
    ({"weights": {"cost": -1}}, "the weight of cost must be 0 or more"),
    ({"weights": {"cost": 0}}, "every criterion has 0 points"),
    ({"weights": {"cost": "lots"}}, "must be a number"),
    ({"pairwise": {("cost", "member_experience"): 3}}, "asks for direct weights"),
])
def test_bad_answers_are_refused_and_change_nothing(weights_round: Catalogue,
                                                    kwargs: dict[str, Any],
                                                    message: str) -> None:
    before = snapshot(weights_round)
    with pytest.raises(InvalidInput, match=message):
        weights_round.rounds.answer("ROUND-0001", ANA, **kwargs)
    assert snapshot(weights_round) == before


@pytest.mark.parametrize(("judgements", "message"), [
    ({("member_experience", "cost"): 3}, "no judgement of member_experience against "
                                         "operational_efficiency"),
    ({("member_experience", "operational_efficiency"): 10,
      ("member_experience", "cost"): 1, ("operational_efficiency", "cost"): 1},
     r"is 10: judgements go from 1/9 to 9"),
    ({("member_experience", "volume"): 3}, "'volume' is not weighed"),
    ({("cost", "cost"): 1}, "give each pair once"),
])
def test_bad_judgements_are_refused(group: Catalogue, judgements: dict, message: str) -> None:
    group.rounds.open("Plan", ["ana", "sam"], LEA, mode="pairwise", criteria=THREE)
    before = snapshot(group)
    with pytest.raises(InvalidInput, match=message):
        group.rounds.answer("ROUND-0001", ANA, pairwise=judgements)
    assert snapshot(group) == before


def test_only_members_answer_and_only_leadership_opens_and_closes(
        weights_round: Catalogue) -> None:
    before = snapshot(weights_round)
    with pytest.raises(PermissionDenied, match=r"lea is not a member of ROUND-0001 .*ask lea"):
        weights_round.rounds.answer("ROUND-0001", LEA, weights={"cost": 1})
    with pytest.raises(PermissionDenied, match="may not create, edit and delete scenarios"):
        weights_round.rounds.open("Plan", ["ana", "sam"], ANA)
    with pytest.raises(PermissionDenied, match=r"sam \(staff\) may not"):
        weights_round.rounds.close("ROUND-0001", SAM)
    assert snapshot(weights_round) == before
    weights_round.rounds.answer("ROUND-0001", VIC, weights={"cost": 1})  # a viewer member
    assert weights_round.rounds.close("ROUND-0001", by("root"))["status"] == "closed"


@pytest.mark.parametrize(("members", "kwargs", "refusal", "message"), [
    (["ana"], {}, InvalidInput, "at least two members"),
    (["ana", "ana "], {}, InvalidInput, "at least two members"),
    (["ana", "zoe"], {}, NotFound, "no account named 'zoe'"),
    (["ana", "sam"], {"mode": "vote"}, InvalidInput, "mode: 'vote' is not one of"),
    (["ana", "sam"], {"criteria": ["speed"]}, InvalidInput, "unknown criterion 'speed'"),
    (["ana", "sam"], {"criteria": ["cost"]}, InvalidInput, "at least two criteria"),
    (["ana", "sam"], {"mode": "pairwise"}, InvalidInput, "choose at most 10 criteria"),
    (["ana", "sam"], {"member_weights": {"bob": 2}}, InvalidInput, "'bob' is not a member"),
    (["ana", "sam"], {"member_weights": {"ana": -1}}, InvalidInput, "0 or more"),
])
def test_bad_rounds_are_refused_and_change_nothing(group: Catalogue, members: list[str],
                                                   kwargs: dict[str, Any], refusal: type,
                                                   message: str) -> None:
    before = snapshot(group)
    with pytest.raises(refusal, match=message):
        group.rounds.open("Plan", members, LEA, **kwargs)
    assert snapshot(group) == before


def test_one_open_round_per_scenario_and_no_answer_after_closing(
        weights_round: Catalogue) -> None:
    rounds = weights_round.rounds
    with pytest.raises(Conflict, match="ROUND-0001 is already open on scenario 'Plan'"):
        rounds.open("Plan", ["ana", "sam"], LEA)
    with pytest.raises(InvalidInput, match=r"nobody has answered ROUND-0001 yet \(0 of 3"):
        rounds.close("ROUND-0001", LEA)
    _answer_all_weights(weights_round)
    with pytest.raises(InvalidInput, match="AIJ combines pairwise judgements"):
        rounds.close("ROUND-0001", LEA, method="aij")
    rounds.close("ROUND-0001", LEA)
    with pytest.raises(Conflict, match="ROUND-0001 is closed"):
        rounds.answer("ROUND-0001", ANA, weights={"cost": 1})
    with pytest.raises(Conflict, match="already closed"):
        rounds.close("ROUND-0001", LEA)
    assert rounds.open("Plan", ["ana", "sam"], LEA)["code"] == "ROUND-0002"
    with pytest.raises(NotFound, match="no weighting round has the code 'ROUND-9'"):
        rounds.status("ROUND-9")


def test_answering_again_replaces_the_answer(weights_round: Catalogue) -> None:
    rounds = weights_round.rounds
    rounds.answer("ROUND-0001", ANA, weights={"cost": 1})
    rounds.answer("ROUND-0001", ANA, weights={"member_experience": 1})
    assert rounds.status("ROUND-0001", "ana")["your_answer"]["weights"]["cost"] == 0.0
    events = weights_round.audit_log(entity="round_member")
    assert len(events[events["field"] == "answer"]) == 2


def test_top_n_counts_each_members_ranking(weights_round: Catalogue) -> None:
    _answer_all_weights(weights_round)
    rounds = weights_round.rounds
    with pytest.raises(InvalidInput, match="still open"):
        rounds.members_top_n("ROUND-0001", lambda w: {}, 1)
    rounds.close("ROUND-0001", LEA)

    def ranks(weights: dict[str, float]) -> dict[str, int]:
        """A stand-in ranking: HR first when member experience weighs most, else FIN."""
        first = "HR" if weights["member_experience"] >= weights["cost"] else "FIN"
        return {first: 1, ("FIN" if first == "HR" else "HR"): 2}

    frame = rounds.members_top_n("ROUND-0001", ranks, 1)
    assert frame.to_dict("records") == [
        {"process": "FIN", "members": 1, "share": 0.5, "best_rank": 1, "group_rank": 2},
        {"process": "HR", "members": 1, "share": 0.5, "best_rank": 1, "group_rank": 1}]


def test_a_round_on_a_deleted_scenario_cannot_close(weights_round: Catalogue) -> None:
    _answer_all_weights(weights_round)
    weights_round.scenarios.delete("Plan", LEA)
    before = snapshot(weights_round)
    with pytest.raises(NotFound, match=r"no scenario named 'Plan' .*restore it first"):
        weights_round.rounds.close("ROUND-0001", LEA)
    assert snapshot(weights_round) == before


def test_whoever_may_open_a_round_sees_the_accounts_to_invite(group: Catalogue) -> None:
    group.accounts.disable("vic", by("root"))
    assert group.rounds.invitable(LEA) == ["ana", "lea", "sam"]  # vic cannot sign in
    with pytest.raises(PermissionDenied, match=r"ana \(analyst\) may not create"):
        group.rounds.invitable(ANA)
