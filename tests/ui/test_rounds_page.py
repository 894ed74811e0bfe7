"""Weighting rounds on the Scenarios page (AppTest): leadership opens a round on a saved
scenario for three members, each answers on their own, a non-member is offered no form, the
leader follows who answered (not what), closes the round and reads the consensus, the members'
weights and the top N across members; the scenario then has the group's weights. A refused
answer is one sentence and saves nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from inventory import results
from inventory.access import Role
from inventory.services import Catalogue
from scoring.scenario import Scenario
from tests.support import by
from tests.ui.harness import add_account, start

PAGE = "views/scenarios.py"
LEA = by("lea", Role.leadership)
THREE = ["member_experience", "operational_efficiency", "cost"]
MEMBERS = {"ana": Role.analyst, "sam": Role.staff, "vic": Role.viewer}
#: Points each member gives the three criteria, in the order of THREE.
POINTS = {"ana": (60, 0, 40), "sam": (20, 40, 40), "vic": (50, 25, 25)}


@pytest.fixture
def plan(database_url: str) -> Iterator[Catalogue]:
    """The saved scenario Plan (default settings) and accounts for lea (leadership), the three
    members and kim (staff, never invited)."""
    for name, role in (*MEMBERS.items(), ("lea", Role.leadership), ("kim", Role.staff)):
        add_account(database_url, name, role)
    catalogue = Catalogue.open(database_url)
    catalogue.scenarios.add("Plan", Scenario(name="Plan").to_dict(), LEA)
    yield catalogue
    catalogue.engine.dispose()


def scenarios(database_url: str, monkeypatch: pytest.MonkeyPatch, name: str,
              role: Role) -> AppTest:
    """The app signed in as ``name`` with ``role``, on the Scenarios page."""
    test = start(database_url, monkeypatch, name=name, role=role, timeout=120)
    test.switch_page(PAGE).run()
    assert not test.exception, test.exception
    return test


def press(test: AppTest, label: str) -> AppTest:
    next(b for b in test.button if b.label == label).click().run()
    assert not test.exception, test.exception
    return test


def texts(test: AppTest) -> str:
    return " ".join([*(m.value for m in test.markdown), *(c.value for c in test.caption),
                     *(e.value for e in test.error), *(s.value for s in test.success),
                     *(i.value for i in test.info), *(w.value for w in test.warning)])


def table(test: AppTest, column: str) -> pd.DataFrame:
    """The first table shown with a column ``column``."""
    return next(d.value for d in test.dataframe
                if isinstance(d.value, pd.DataFrame) and column in d.value.columns)


def answer_points(database_url: str, monkeypatch: pytest.MonkeyPatch, name: str,
                  points: tuple[float, ...]) -> AppTest:
    test = scenarios(database_url, monkeypatch, name, MEMBERS[name])
    assert "You are invited to answer: ROUND-0001 on scenario Plan" in texts(test)
    for key, value in zip(THREE, points, strict=True):
        test.number_input(key=f"rd_points:ROUND-0001:{key}").set_value(float(value))
    test.run()
    press(test, "Submit my answer")
    assert "Your answer to ROUND-0001 is recorded." in texts(test)
    return test


def test_three_members_weigh_a_scenario_and_the_leader_closes_the_round(
        database_url: str, monkeypatch: pytest.MonkeyPatch, plan: Catalogue) -> None:
    test = scenarios(database_url, monkeypatch, "lea", Role.leadership)
    test.multiselect(key="rd_open:members").set_value(list(MEMBERS))
    test.multiselect(key="rd_open:criteria").set_value(THREE)
    press(test, "Open the round")
    assert "ROUND-0001 is open on scenario 'Plan' for ana, sam, vic." in texts(test)
    assert "0 of 3 members answered" in [p.proto.text for p in test.get("progress")]

    for name, points in POINTS.items():
        answered = answer_points(database_url, monkeypatch, name, points)
    shares = table(answered, "share")["share"].tolist()
    assert shares == pytest.approx([0.5, 0.25, 0.25])  # vic's, shown before submitting
    assert plan.rounds.status("ROUND-0001", "vic")["your_answer"]["weights"]["cost"] == 25

    kim = scenarios(database_url, monkeypatch, "kim", Role.staff)
    assert "You are not a member of this round" in texts(kim)
    assert not {"Submit my answer", "Close the round", "Open the round"} & \
        {b.label for b in kim.button}

    test = scenarios(database_url, monkeypatch, "lea", Role.leadership)
    assert "3 of 3 members answered" in [p.proto.text for p in test.get("progress")]
    assert "**ana**: answered" in texts(test)
    # lea is no member: no answer form, and nobody's points or shares are shown
    assert not any(str(n.key).startswith("rd_points") for n in test.number_input)
    assert not any("share" in d.value.columns for d in test.dataframe
                   if isinstance(d.value, pd.DataFrame))
    assert next(b for b in test.button if b.label == "Close the round").disabled
    test.checkbox(key="rd_close:ROUND-0001:confirm").check().run()
    press(test, "Close the round")
    assert "ROUND-0001 is closed: consensus" in texts(test)
    consensus = next(m for m in test.metric if m.label == "Consensus")
    result = plan.rounds.status("ROUND-0001")["result"]
    assert (consensus.value, consensus.delta) == (f"{result['consensus']:.0%}",
                                                  result["consensus_band"])
    charts = {c.proto.id for c in test.get("plotly_chart")}
    assert len(charts) >= 2  # the heatmap and the top N
    top = table(test, "group_rank")
    assert list(top.columns) == ["process", "members", "group_rank", "best_rank", "name"]
    assert top["members"].max() <= 3 and top["members"].is_monotonic_decreasing
    spread = table(test, "std")
    assert spread["std"].is_monotonic_decreasing
    computed = results.SHARED.computed
    test.run()
    assert results.SHARED.computed == computed  # nothing changed, nothing computed again

    weights = plan.scenarios.get("Plan")["settings"]["weights"]
    # direct weights, combined by the arithmetic mean of each member's shares
    assert weights["member_experience"] == pytest.approx((0.6 + 0.2 + 0.5) / 3)
    assert weights["cost"] == pytest.approx((0.4 + 0.4 + 0.25) / 3)
    assert weights["volume"] == 0.0  # not weighed in the round


def test_a_pairwise_answer_shows_its_consistency_before_it_is_submitted(
        database_url: str, monkeypatch: pytest.MonkeyPatch, plan: Catalogue) -> None:
    plan.rounds.open("Plan", list(MEMBERS), LEA, mode="pairwise", criteria=THREE)
    test = scenarios(database_url, monkeypatch, "sam", Role.staff)
    # member experience against operational efficiency 9, against cost 1/9, efficiency
    # against cost 9: a contradiction
    test.session_state["rd_grid:ROUND-0001"] = {
        "edited_rows": {0: {"judgement": "9"}, 1: {"judgement": "1/9"}, 2: {"judgement": "9"}},
        "added_rows": [], "deleted_rows": []}
    test.run()
    ratio = float(next(m for m in test.metric if m.label == "Your consistency ratio").value)
    assert ratio > 0.10
    assert "Revise them, or your answer may be left out" in texts(test)
    press(test, "Submit my answer")
    assert f"your consistency ratio is {ratio:.3f}" in texts(test)
    assert plan.rounds.status("ROUND-0001", "sam")["your_answer"]["matrix"][0][1] == 9.0


def test_a_refused_answer_is_one_sentence_and_saves_nothing(
        database_url: str, monkeypatch: pytest.MonkeyPatch, plan: Catalogue) -> None:
    plan.rounds.open("Plan", list(MEMBERS), LEA, criteria=THREE)
    test = scenarios(database_url, monkeypatch, "ana", Role.analyst)
    press(test, "Submit my answer")  # every criterion still at 0 points
    assert [e.value for e in test.error] == [
        "Not saved: weights: every criterion has 0 points; share some points out"]
    assert plan.rounds.status("ROUND-0001", "ana")["your_answer"] is None
    assert "0 of 3 members answered" in [p.proto.text for p in test.get("progress")]


def test_opening_a_round_with_one_member_is_refused(
        database_url: str, monkeypatch: pytest.MonkeyPatch, plan: Catalogue) -> None:
    test = scenarios(database_url, monkeypatch, "lea", Role.leadership)
    test.multiselect(key="rd_open:members").set_value(["ana"])
    press(test, "Open the round")
    assert [e.value for e in test.error] == [
        "Not saved: a weighting round needs at least two members: name their accounts"]
    assert plan.rounds.list_rounds().empty
