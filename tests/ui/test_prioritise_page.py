"""The Prioritise page, driven headless with AppTest on the sample inventory: what it shows is
what :func:`scoring.ranking.rank` and :func:`scoring.explain.explain` give for the same choices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.services import Catalogue
from scoring.ahp import priorities
from scoring.criteria import Group
from scoring.explain import explain
from scoring.ranking import Ranking, RankingInputs, rank
from scoring.scenario import Constraints, Ideal, Method, Scenario
from tests.support import by
from tests.ui.harness import start
from views.prioritise_charts import grid_key
from views.scoring_data import criteria_set, ranking_inputs

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CRITERIA = criteria_set()
IMPACT = [c.key for c in CRITERIA.in_group(Group.IMPACT)]


@pytest.fixture
def page(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    test = start(database_url, monkeypatch)
    test.switch_page("views/prioritise.py").run()
    assert not test.exception, test.exception
    yield test


def _inputs(database_url: str) -> RankingInputs:
    catalogue = Catalogue.open(database_url)
    try:
        return ranking_inputs(catalogue)
    finally:
        catalogue.engine.dispose()


def _direct(database_url: str, **changes: Any) -> Ranking:
    """The ranking computed without the page, on the page's default choices plus ``changes``."""
    scenario = Scenario(weights=CRITERIA.weights()).replace(**changes)
    return rank(_inputs(database_url), CRITERIA, scenario)


def _shown_codes(page: AppTest) -> list[str]:
    assert not page.exception, page.exception
    return list(page.dataframe(key="ranking_table").value["code"])


def _text(page: AppTest, element: str) -> str:
    return " ".join(str(e.value) for e in getattr(page, element))


def _ahp(page: AppTest, edits: dict[int, str]) -> AppTest:
    """Judgements on the default AHP grid (the impact criteria): row -> Saaty value."""
    page.session_state[grid_key(IMPACT)] = {
        "edited_rows": {row: {"judgement": value} for row, value in edits.items()},
        "added_rows": [], "deleted_rows": []}
    page.run()
    assert not page.exception, page.exception
    return page


def _weight(page: AppTest, key: str) -> float:
    return float(page.slider(key=f"weight_{key}").value)  # type: ignore[arg-type]


def _row(i: int, j: int) -> int:
    n = len(IMPACT)
    return sum(n - 1 - k for k in range(i)) + (j - i - 1)


def test_the_page_ranks_the_sample_with_its_charts(page: AppTest, database_url: str) -> None:
    direct = _direct(database_url)
    assert len(direct.table) >= 10
    assert _shown_codes(page) == direct.table["code"].tolist()
    assert f"Ranking by {Method.WSM.label}" in _text(page, "subheader")
    assert len(page.get("plotly_chart")) == 3  # contributions, impact x effort, explanation
    assert direct.left_out
    assert f"{len(direct.left_out)} processes have no assessment yet" in _text(page, "info")


def test_one_weight_alone_puts_the_best_on_it_first(page: AppTest, database_url: str) -> None:
    catalogue = Catalogue.open(database_url)
    frames = catalogue.frames()
    catalogue.engine.dispose()
    assessed = set(frames["assessments"]["process_code"])
    volumes = frames["processes"].set_index("code")["annual_volume"].dropna().astype(float)
    volumes = volumes[volumes.index.isin(assessed)]
    best = volumes[volumes == volumes.max()]
    assert len(best) == 1  # one clear winner, or the expectation would be ambiguous
    before = _shown_codes(page)
    assert before[0] != best.index[0]
    for key in CRITERIA.keys:
        page.slider(key=f"weight_{key}").set_value(10.0 if key == "volume" else 0.0)
    page.run()
    shown = _shown_codes(page)
    assert shown[0] == best.index[0]
    weights = {key: 10.0 if key == "volume" else 0.0 for key in CRITERIA.keys}
    assert shown == _direct(database_url, weights=weights).table["code"].tolist()
    assert "Volume · 100%" in [s.label for s in page.slider]


def test_every_weight_at_zero_shows_the_message_not_a_traceback(page: AppTest) -> None:
    for key in CRITERIA.keys:
        page.slider(key=f"weight_{key}").set_value(0.0)
    page.run()
    assert not page.exception
    assert "Every weight is 0" in _text(page, "error")


def test_topsis_is_shown_and_matches_a_direct_ranking(page: AppTest, database_url: str) -> None:
    weighted_sum = _shown_codes(page)
    page.selectbox(key="method").set_value(Method.TOPSIS.value).run()
    shown = _shown_codes(page)
    assert f"Ranking by {Method.TOPSIS.label}" in _text(page, "subheader")
    assert shown == _direct(database_url, method=Method.TOPSIS).table["code"].tolist()
    assert shown != weighted_sum


REORDER = ("TOPSIS measures each process against the best and worst of the processes ranked: "
           "adding or removing processes can re-order the rest")


def test_topsis_measures_against_the_declared_scales_unless_told_and_then_warns(
        page: AppTest, database_url: str) -> None:
    assert not page.get("radio") or "ideal" not in [r.key for r in page.radio]  # weighted sum
    page.selectbox(key="method").set_value(Method.TOPSIS.value).run()
    assert page.radio(key="ideal").value == Ideal.DECLARED.value
    assert REORDER not in _text(page, "warning")
    page.radio(key="ideal").set_value(Ideal.DATA.value).run()
    shown = _shown_codes(page)
    relative = _direct(database_url, method=Method.TOPSIS, ideal=Ideal.DATA)
    assert shown == relative.table["code"].tolist()
    assert shown != _direct(database_url, method=Method.TOPSIS).table["code"].tolist()
    assert REORDER in _text(page, "warning")
    could = page.dataframe(key="ranking_table").value["could"].tolist()
    assert any(text.startswith("within ") for text in could)  # outer bounds, said so
    assert "the ends may not be reached" in _text(page, "caption")


def test_the_interval_shown_under_exclude_spans_what_the_unknowns_allow(
        page: AppTest, database_url: str) -> None:
    page.selectbox(key="missing").set_value("exclude").run()
    assert not page.exception, page.exception
    table = page.dataframe(key="ranking_table").value.set_index("code")
    direct = _direct(database_url, missing="exclude").table.set_index("code")
    row = direct.loc["TSB-SGD"]
    assert row["best_rank"] < row["rank"] < row["worst_rank"]
    assert table.at["TSB-SGD", "could"] == f"{row['best_rank']}\N{EN DASH}{row['worst_rank']}"


def test_scenario_controls_reach_the_ranking(page: AppTest, database_url: str) -> None:
    page.slider(key="uplift").set_value(0.6)
    page.toggle(key="include_unassessed").set_value(True)
    page.selectbox(key="missing").set_value("worst").run()
    expected = _direct(database_url, uplift=0.6, include_unassessed=True, missing="worst")
    assert not expected.left_out
    assert _shown_codes(page) == expected.table["code"].tolist()
    assert "have no assessment yet" not in _text(page, "info")


def test_an_inconsistent_ahp_grid_names_the_judgements_to_revisit(page: AppTest) -> None:
    # Member experience 9x operational efficiency, which is 9x staff empowerment, yet staff
    # empowerment is 9x member experience: a circle no weights can satisfy.
    _ahp(page, {_row(0, 1): "9", _row(1, 2): "9", _row(0, 2): "1/9"})
    matrix = np.ones((len(IMPACT), len(IMPACT)))
    for (i, j), value in {(0, 1): 9.0, (1, 2): 9.0, (0, 2): 1 / 9}.items():
        matrix[i, j], matrix[j, i] = value, 1 / value
    result = priorities(matrix)
    assert result.cr is not None and result.cr > 0.10 and result.worst_judgements
    warnings = _text(page, "warning")
    for i, j in result.worst_judgements:
        a, b = CRITERIA.get(IMPACT[i]).label, CRITERIA.get(IMPACT[j]).label
        assert f"'{a}' vs '{b}': you said" in warnings
    assert f"{result.cr:.3f}" in [m.value for m in page.metric]


def test_three_criteria_in_a_circle_name_all_three_judgements(page: AppTest) -> None:
    """With three criteria the three judgements are always equally inconsistent: the warning
    names all three, in the criteria's order, never one picked by rounding."""
    three = IMPACT[:3]
    page.multiselect(key="ahp_criteria").set_value(three).run()
    page.session_state[grid_key(three)] = {
        "edited_rows": {0: {"judgement": "9"}, 1: {"judgement": "1/9"}, 2: {"judgement": "9"}},
        "added_rows": [], "deleted_rows": []}
    page.run()
    assert not page.exception, page.exception
    warning = _text(page, "warning")
    assert "Revisit any of these 3 judgements, which are equally inconsistent (changing one " \
        "of them can be enough)" in warning
    labels = [CRITERIA.get(key).label for key in three]
    named = [f"'{labels[i]}' vs '{labels[j]}': you said" for i, j in ((0, 1), (0, 2), (1, 2))]
    assert all(text in warning for text in named)
    assert [warning.index(text) for text in named] == sorted(warning.index(t) for t in named)


def test_a_consistent_ahp_grid_shows_no_warning_and_its_weights_reach_the_sliders(
        page: AppTest) -> None:
    # Member experience twice as important as each other impact criterion, the rest equal.
    _ahp(page, {_row(0, j): "2" for j in range(1, len(IMPACT))})
    assert "Revisit" not in _text(page, "warning")
    assert "Consistent enough" in _text(page, "success")
    total = sum(_weight(page, k) for k in IMPACT)
    others = {k: _weight(page, k) for k in CRITERIA.keys if k not in IMPACT}
    page.button(key="ahp_apply").click().run()
    assert not page.exception
    values = [_weight(page, k) for k in IMPACT]
    assert values[0] == pytest.approx(2 * values[1], abs=0.15)
    assert len(set(values[1:])) == 1
    assert sum(values) == pytest.approx(total, abs=0.5)
    assert {k: _weight(page, k) for k in others} == others
    assert "AHP weights are on the sliders" in _text(page, "success")


def test_the_explain_panel_says_what_explain_says(page: AppTest, database_url: str) -> None:
    direct = _direct(database_url)
    first, fourth = direct.table["code"].iloc[0], direct.table["code"].iloc[3]
    page.selectbox(key="explain_a").set_value(fourth).run()
    assert explain(direct, fourth).summary in _text(page, "info")
    page.selectbox(key="explain_b").set_value(first).run()
    assert not page.exception
    summary = explain(direct, fourth, first).summary
    assert summary.startswith(f"{fourth} (rank 4") and summary in _text(page, "info")


def test_choices_survive_a_visit_to_another_page(page: AppTest) -> None:
    page.slider(key="weight_cost").set_value(7.5)
    page.selectbox(key="method").set_value(Method.VIKOR.value)
    _ahp(page, {_row(0, 1): "9", _row(1, 2): "9", _row(0, 2): "1/9"})
    assert "Revisit" in _text(page, "warning")
    page.switch_page("views/overview.py").run()
    page.switch_page("views/prioritise.py").run()
    assert not page.exception
    assert _weight(page, "cost") == 7.5
    assert f"Ranking by {Method.VIKOR.label}" in _text(page, "subheader")
    assert "Revisit" in _text(page, "warning")  # the AHP judgements too


# --- From Prioritise to a saved scenario, and back ------------------------------------------

def _stored(database_url: str, name: str) -> dict[str, Any]:
    catalogue = Catalogue.open(database_url)
    try:
        return catalogue.scenarios.get(name)
    finally:
        catalogue.engine.dispose()


def _as(database_url: str, monkeypatch: pytest.MonkeyPatch, role: Role) -> AppTest:
    test = start(database_url, monkeypatch, name=f"{role.value}-person", role=role)
    test.switch_page("views/prioritise.py").run()
    assert not test.exception, test.exception
    return test


def test_leadership_saves_what_it_tuned_and_is_offered_portfolio_and_backlog(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _as(database_url, monkeypatch, Role.leadership)
    tuned = {key: float(i % 4) + 0.5 for i, key in enumerate(CRITERIA.keys)}
    for key, value in tuned.items():
        page.slider(key=f"weight_{key}").set_value(value)
    page.selectbox(key="method").set_value(Method.TOPSIS.value)
    page.slider(key="uplift").set_value(0.3)
    page.radio(key="aggregation").set_value("mean")
    page.text_input(key="prio_save_name").set_value("Tuned on Prioritise")
    page.button(key="prio_save_new").click().run()
    assert not page.exception and not page.error, _text(page, "error")
    assert "Scenario 'Tuned on Prioritise' saved (version 1)" in _text(page, "success")
    stored = Scenario.from_dict(_stored(database_url, "Tuned on Prioritise")["settings"])
    assert stored == Scenario(name="Tuned on Prioritise", method=Method.TOPSIS, weights=tuned,
                              uplift=0.3, aggregation="mean")
    links = {link.proto.page: link.proto.query_string for link in page.get("page_link")}
    assert links["portfolio"] == links["backlog"] == \
        "scenario=Tuned+on+Prioritise"
    shown = _shown_codes(page)  # what was shown is what the saved scenario ranks
    assert shown == _direct(database_url, **{k: getattr(stored, k) for k in (
        "method", "weights", "uplift", "aggregation")}).table["code"].tolist()
    page.query_params["scenario"] = "Tuned on Prioritise"  # following the link
    page.switch_page("views/portfolio.py").run()
    assert page.selectbox(key="pf_scenario").value == "Tuned on Prioritise"
    page.switch_page("views/backlog.py").run()
    assert page.selectbox(key="backlog_scenario").value == "Tuned on Prioritise"


@pytest.mark.parametrize("role", [Role.viewer, Role.analyst])
def test_who_may_not_save_scenarios_sees_why_and_no_save_button(
        database_url: str, monkeypatch: pytest.MonkeyPatch, role: Role) -> None:
    page = _as(database_url, monkeypatch, role)
    labels = {button.label for button in page.button}
    assert "Save as a new scenario" not in labels
    assert "Saving scenarios needs the leadership or admin role" in _text(page, "caption")


def test_starting_from_a_saved_scenario_puts_it_on_the_controls_and_updates_it(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    weights = CRITERIA.weights() | {"member_experience": 9.0, "cost": 0.5}
    saved = Scenario(name="Members first", method=Method.VIKOR, weights=weights, uplift=0.2,
                     missing="worst", include_completed=True, ideal=Ideal.DATA,
                     constraints=Constraints(budget=2_000_000.0))
    catalogue = Catalogue.open(database_url)
    catalogue.scenarios.add(saved.name, saved.to_dict(), by("ben"))
    catalogue.engine.dispose()
    page = _as(database_url, monkeypatch, Role.leadership)
    page.selectbox(key="prio_start").set_value("Members first")
    page.button(key="prio_load").click().run()
    assert not page.exception and not page.error, _text(page, "error")
    assert page.selectbox(key="method").value == Method.VIKOR.value
    assert page.radio(key="ideal").value == Ideal.DATA.value
    assert "VIKOR measures each process against the best and worst" in _text(page, "warning")
    assert {k: _weight(page, k) for k in CRITERIA.keys} == weights
    assert page.slider(key="uplift").value == 0.2
    assert page.toggle(key="include_completed").value is True
    assert _shown_codes(page) == rank(_inputs(database_url), CRITERIA, saved).table[
        "code"].tolist()
    page.slider(key="weight_cost").set_value(3.0)
    page.button(key="prio_update").click().run()
    assert "Scenario 'Members first' saved (version 2)" in _text(page, "success")
    stored = Scenario.from_dict(_stored(database_url, "Members first")["settings"])
    assert stored == saved.replace(weights=weights | {"cost": 3.0})  # constraints kept
    catalogue = Catalogue.open(database_url)  # someone else saves meanwhile
    catalogue.scenarios.update("Members first", saved.to_dict(), 2, by("ben"))
    catalogue.engine.dispose()
    page.slider(key="weight_cost").set_value(4.0)
    page.button(key="prio_update").click().run()
    assert "Not saved" in _text(page, "error") and "ben" in _text(page, "error")
    assert _weight(page, "cost") == 4.0  # the person's choice is still on screen


def test_completed_processes_are_counted_apart_and_can_be_included(
        page: AppTest, database_url: str) -> None:
    direct = _direct(database_url)
    assert direct.completed and not set(direct.completed) & set(_shown_codes(page))
    assert "Completed" in [m.label for m in page.metric]
    completed_count = next(m.value for m in page.metric if m.label == "Completed")
    assert completed_count == str(len(direct.completed))
    assert f"{len(direct.completed)} completed processes are done" in _text(page, "info")
    page.toggle(key="include_completed").set_value(True).run()
    everything = _direct(database_url, include_completed=True).table["code"].tolist()
    assert _shown_codes(page) == everything
    added = set(everything) - set(direct.table["code"])
    assert "GOV-OPL" in added and added <= set(direct.completed)  # the assessed ones


def test_the_explain_table_shows_each_value_in_full(page: AppTest, database_url: str) -> None:
    """A static table wraps a long value (a level's sentence); a data grid cut it off."""
    direct = _direct(database_url)
    first = direct.table["code"].iloc[0]
    lines = explain(direct, first).lines
    shown = page.table[0].value
    assert shown["Criterion"].tolist() == lines["label"].tolist()
    assert shown["Value"].tolist() == lines["level"].astype(str).tolist()
    assert max(len(str(v)) for v in shown["Value"]) > 40  # long enough to have been cut
