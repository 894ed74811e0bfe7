"""The Scenarios, Robustness and Portfolio pages, each driven headless with AppTest on its own
file over the sample inventory: what they store is what the scenario book reads back, and what
they show is what :mod:`scoring` gives for the same choices."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

import inventory.errors  # noqa: F401  (loaded before a page runs: see _page)
from inventory.services import Catalogue
from scoring.ahp import priorities
from scoring.criteria import Group
from scoring.decision import choose, default_periods, roadmap, robustness
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Constraints, Ideal, Method, Scenario
from scoring.snapshot import freeze
from tests.support import by, with_database_access
from tests.ui.harness import start
from views.decision_charts import DEFAULT
from views.prioritise_charts import grid_key
from views.scoring_data import criteria_set, ranking_inputs

VIEWS = Path(__file__).resolve().parents[2] / "views"
CRITERIA = criteria_set()
PageFactory = Callable[[str], AppTest]


@pytest.fixture
def page(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[PageFactory]:
    """Runs one page file on its own, as the app would, on the sample inventory. Streamlit puts
    the page's folder first on sys.path, where views/inventory.py would shadow the inventory
    package; importing the package first (above) keeps the real one. The database already
    holds the sample (tests/ui/conftest.py)."""

    def run(name: str) -> AppTest:
        return start(database_url, monkeypatch, script=str(VIEWS / f"{name}.py"))

    yield run
    st.cache_resource.clear()


def _inputs(url: str) -> RankingInputs:
    catalogue = Catalogue.open(url)
    try:
        return ranking_inputs(catalogue)
    finally:
        catalogue.engine.dispose()


def _save(url: str, scenario: Scenario) -> None:
    catalogue = Catalogue.open(url)
    try:
        catalogue.scenarios.add(scenario.name, scenario.to_dict(), by("ben"))
    finally:
        catalogue.engine.dispose()


def _table(test: AppTest, *columns: str) -> pd.DataFrame:
    """The one dataframe on the page whose first columns are ``columns``."""
    found = [d.value for d in test.dataframe
             if list(d.value.columns)[:len(columns)] == list(columns)]
    assert len(found) == 1, [list(d.value.columns) for d in test.dataframe]
    return found[0]


def _texts(test: AppTest, element: str) -> str:
    return " ".join(str(e.value) for e in getattr(test, element))


@pytest.mark.parametrize("name", ["scenarios", "robustness", "portfolio"])
def test_each_page_renders_the_sample(page: PageFactory, name: str) -> None:
    test = page(name)
    assert not test.error, _texts(test, "error")
    assert test.title[0].value in {"Scenarios", "Robustness", "Portfolio and roadmap"}
    if name != "scenarios":
        assert len(test.get("plotly_chart")) >= 2


def test_saving_a_scenario_stores_it(page: PageFactory, database_url: str) -> None:
    test = page("scenarios")
    test.text_input(key="sc_name").set_value("Board view")
    test.selectbox(key="sc_method").set_value(Method.TOPSIS.value)
    test.number_input(key="sc_w_member_experience").set_value(7.5)
    test.number_input(key="sc_budget").set_value(1_500_000.0)
    test.selectbox(key="sc_deadline").set_value("PP-26")
    test.button(key="sc_save_new").click().run()
    assert not test.exception and not test.error, _texts(test, "error")
    assert "Scenario 'Board view' saved (version 1)" in _texts(test, "success")
    catalogue = Catalogue.open(database_url)
    try:
        stored = Scenario.from_dict(catalogue.scenarios.get("Board view")["settings"])
    finally:
        catalogue.engine.dispose()
    expected = Scenario(name="Board view", method=Method.TOPSIS,
                        weights=CRITERIA.weights() | {"member_experience": 7.5},
                        constraints=Constraints(budget=1_500_000.0, deadline="PP-26"))
    assert stored == expected


def test_a_scenario_against_the_processes_ranked_is_saved_with_its_warning(
        page: PageFactory, database_url: str) -> None:
    test = page("scenarios")
    test.text_input(key="sc_name").set_value("Relative")
    test.selectbox(key="sc_method").set_value(Method.VIKOR.value).run()
    assert test.radio(key="sc_ideal").value == Ideal.DECLARED.value
    assert "re-order" not in _texts(test, "warning")
    test.radio(key="sc_ideal").set_value(Ideal.DATA.value).run()
    assert ("VIKOR measures each process against the best and worst of the processes ranked: "
            "adding or removing processes can re-order the rest") in _texts(test, "warning")
    test.button(key="sc_save_new").click().run()
    assert not test.exception and not test.error, _texts(test, "error")
    assert _scenarios_stored(database_url)["Relative"].ideal is Ideal.DATA


def test_a_stale_update_shows_the_conflict_and_keeps_the_inputs(
        page: PageFactory, database_url: str) -> None:
    _save(database_url, Scenario(name="Shared", weights=CRITERIA.weights()))
    test = page("scenarios")
    test.selectbox(key="sc_pick").set_value("Shared")
    test.button(key="sc_load").click().run()
    assert "Editing 'Shared', version 1" in _texts(test, "caption")
    catalogue = Catalogue.open(database_url)  # someone else saves meanwhile
    try:
        catalogue.scenarios.update("Shared", Scenario(name="Shared", uplift=0.2).to_dict(), 1,
                                   by("ben"))
    finally:
        catalogue.engine.dispose()
    test.text_area(key="sc_notes").set_value("my reasons")
    test.button(key="sc_update").click().run()
    assert not test.exception
    assert "Not saved" in _texts(test, "error") and "version" in _texts(test, "error")
    assert test.text_area(key="sc_notes").value == "my reasons"
    catalogue = Catalogue.open(database_url)
    try:
        assert catalogue.scenarios.get("Shared")["settings"]["uplift"] == 0.2
    finally:
        catalogue.engine.dispose()


def test_comparing_two_scenarios_shows_the_ranks_of_rank(page: PageFactory,
                                                         database_url: str) -> None:
    first = Scenario(name="Sum", weights=CRITERIA.weights())
    second = first.replace(name="Ideal", method=Method.TOPSIS, uplift=0.3)
    for scenario in (first, second):
        _save(database_url, scenario)
    test = page("scenarios")
    test.multiselect(key="cmp_names").set_value(["Sum", "Ideal"]).run()
    shown = _table(test, "code", "Sum", "Ideal").set_index("code")
    inputs = _inputs(database_url)
    for scenario in (first, second):
        direct = rank(inputs, CRITERIA, scenario).table.set_index("code")["rank"]
        assert shown[scenario.name].astype("int64").sort_index().equals(
            direct.astype("int64").sort_index())
    assert not shown["Sum"].equals(shown["Ideal"])  # the comparison has something to show
    assert len(test.get("plotly_chart")) == 1
    bump = _figure(test, 0)  # every line's label fits right of the plot, none cut off
    labels = [label for trace in bump["data"] for label in _array(trace["text"]) if label]
    assert labels and all(trace.get("cliponaxis") is False for trace in bump["data"])
    assert bump["layout"]["margin"]["r"] >= 8 * max(len(str(label)) for label in labels)
    assert len(_table(test, "a", "b", "shared")) == 1


def test_a_snapshot_is_taken_and_reproduces(page: PageFactory, database_url: str) -> None:
    _save(database_url, Scenario(name="Decided", weights=CRITERIA.weights()))
    test = page("scenarios")
    test.text_input(key="snap_label").set_value("Board, 3 March")
    test.button(key="snap_take").click().run()
    assert "Snapshot 1 of 'Decided' taken" in _texts(test, "success")
    test.button(key="snap_verify").click().run()
    assert "Snapshot 1 is intact and reproduces exactly." in _texts(test, "success")
    catalogue = Catalogue.open(database_url)
    try:
        assert catalogue.scenarios.snapshots("Decided")["label"].tolist() == ["Board, 3 March"]
    finally:
        catalogue.engine.dispose()


def test_a_snapshot_rewritten_in_the_database_is_shown_as_not_as_written(
        page: PageFactory, database_url: str) -> None:
    _save(database_url, Scenario(name="Decided", weights=CRITERIA.weights()))
    test = page("scenarios")
    test.button(key="snap_take").click().run()
    engine = Catalogue.open(database_url).engine
    with with_database_access(engine) as conn:
        payload = conn.execute(text("SELECT payload FROM snapshots")).scalar_one()
        forged = payload.replace('"rank":1,', '"rank":2,', 1)
        conn.execute(text("UPDATE snapshots SET payload = :p, content_hash = :h"),
                     {"p": forged, "h": hashlib.sha256(forged.encode()).hexdigest()})
    engine.dispose()
    test.button(key="snap_verify").click().run()
    assert "Snapshot 1 is not as dti wrote it: its seal does not match" in _texts(test, "error")
    assert "intact" not in _texts(test, "success")

def test_robustness_shows_the_probabilities_of_robustness(page: PageFactory,
                                                          database_url: str) -> None:
    test = page("robustness")
    test.number_input(key="rb_seed").set_value(7)
    test.number_input(key="rb_top").set_value(5)
    test.slider(key="rb_samples").set_value(1_000)
    test.run()
    assert not test.exception and not test.error, _texts(test, "error")
    shown = _table(test, "code", "name", "rank", "probability_top_n").set_index("code")
    scenario = Scenario(name="Default", weights=CRITERIA.weights())
    direct = robustness(rank(_inputs(database_url), CRITERIA, scenario), samples=1_000,
                        top_n=5, seed=7, concentration=100.0, value_noise=True).table
    assert shown.index.tolist() == direct.index.tolist()
    np.testing.assert_array_equal(shown["probability_top_n"].to_numpy(),
                                  direct["probability_top_n"].to_numpy())
    assert shown["probability_top_n"].sum() == pytest.approx(5.0)
    assert shown["robustness"].tolist() == direct["robustness"].tolist()
    assert "Fragile" in _texts(test, "markdown")
    flips = next(d for d in test.dataframe
                 if list(d.value.columns)[:3] == ["label", "weight", "change"])
    config = json.loads(flips.proto.columns)  # three significant digits: +0.000145, not +0.000
    assert config["change"]["type_config"]["format"] == "%+.3g"
    assert config["new_weight"]["type_config"]["format"] == "%.6g"


def test_portfolio_chooses_what_choose_chooses(page: PageFactory, database_url: str) -> None:
    scenario = Scenario(name="Lean", weights=CRITERIA.weights(),
                        constraints=Constraints(budget=1_000_000.0, capacity=20.0,
                                                deadline="PP-26"))
    _save(database_url, scenario)
    test = page("portfolio")
    test.selectbox(key="pf_scenario").set_value("Lean").run()
    assert not test.exception and not test.error, _texts(test, "error")
    inputs = _inputs(database_url)
    direct = choose(rank(inputs, CRITERIA, scenario), inputs.processes, inputs.dependencies,
                    unknown="leave_out")
    assert direct.feasible and direct.selected
    chosen = _table(test, "rank", "code", "name", "value", "cost")
    assert sorted(chosen["code"]) == sorted(direct.selected)
    others = _table(test, "rank", "code", "name", "reason")
    assert len(chosen) + len(others) == len(direct.items)
    assert len(test.get("plotly_chart")) == 2  # the frontier and the roadmap


def test_a_budget_below_a_must_include_shows_the_conflict(page: PageFactory,
                                                          database_url: str) -> None:
    inputs = _inputs(database_url)
    ranked = rank(inputs, CRITERIA, Scenario(weights=CRITERIA.weights())).table["code"]
    costs = inputs.processes.set_index("code")["estimated_cost_chf"].reindex(ranked).dropna()
    code, cost = str(costs.idxmax()), float(costs.max())
    scenario = Scenario(name="Too tight", weights=CRITERIA.weights(),
                        constraints=Constraints(budget=cost / 2, must_include=(code,)))
    _save(database_url, scenario)
    test = page("portfolio")
    test.selectbox(key="pf_scenario").set_value("Too tight").run()
    assert not test.exception
    errors = _texts(test, "error")
    assert "No portfolio meets every constraint" in errors
    assert code in errors
    assert test.number_input(key="pf_budget_Too tight").value == cost / 2
    test.number_input(key="pf_budget_Too tight").set_value(min(cost * 3, 15_000_000.0)).run()
    assert "No portfolio meets every constraint" not in _texts(test, "error")


def _figure(test: AppTest, index: int) -> dict[str, Any]:
    return dict(json.loads(test.get("plotly_chart")[index].proto.spec))


def _array(values: Any) -> np.ndarray:
    """A plotly JSON array: a list, or numpy's typed array as base64 (``bdata``)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def test_the_frontier_passes_through_the_portfolio_and_never_falls(
        page: PageFactory, database_url: str) -> None:
    scenario = Scenario(name="Lean", weights=CRITERIA.weights(),
                        constraints=Constraints(budget=2_000_000.0, capacity=24.0,
                                                deadline="PP-26"))
    _save(database_url, scenario)
    test = page("portfolio")
    test.selectbox(key="pf_scenario").set_value("Lean").run()
    inputs = _inputs(database_url)
    direct = choose(rank(inputs, CRITERIA, scenario), inputs.processes, inputs.dependencies,
                    unknown="leave_out")
    line = _figure(test, 0)["data"][0]
    budgets, values = _array(line["x"]).astype(float), _array(line["y"]).astype(float)
    assert len(budgets) >= 10 and np.all(np.diff(values) >= -1e-9)
    at = int(np.flatnonzero(budgets == 2_000_000.0)[0])
    assert values[at] == pytest.approx(direct.total_value)


def test_the_roadmap_places_the_chosen_before_the_deadline(page: PageFactory,
                                                           database_url: str) -> None:
    scenario = Scenario(name="Lean", weights=CRITERIA.weights(),
                        constraints=Constraints(budget=2_000_000.0, capacity=24.0,
                                                deadline="PP-26"))
    _save(database_url, scenario)
    test = page("portfolio")
    test.selectbox(key="pf_scenario").set_value("Lean").run()
    inputs = _inputs(database_url)
    ranking = rank(inputs, CRITERIA, scenario)
    direct = choose(ranking, inputs.processes, inputs.dependencies, unknown="leave_out")
    plan = roadmap(ranking, inputs.processes, inputs.dependencies,
                   default_periods(24.0, "PP-26"), direct.selected)
    bars = _figure(test, 1)["data"][0]
    placed = plan[plan["placed"]]
    assert sorted(bars["y"]) == sorted(placed["code"])
    assert dict(zip(bars["y"], np.floor(_array(bars["base"]).astype(float)), strict=True)) \
        == dict(zip(placed["code"], placed["period_index"].astype(float), strict=True))
    texts = [a.get("text") for a in _figure(test, 1)["layout"].get("annotations", [])]
    assert "C26" in texts and "PP-26" in texts


def test_the_default_scenario_is_offered_first(page: PageFactory) -> None:
    test = page("portfolio")
    assert test.selectbox(key="pf_scenario").value == DEFAULT


# --- The Scenarios form: mutually exclusive groups and AHP weights ---------------------------

IMPACT = [c.key for c in CRITERIA.in_group(Group.IMPACT)]  # compared by the AHP grid by default


def _process_codes(database_url: str) -> list[str]:
    catalogue = Catalogue.open(database_url)
    try:
        return sorted(ranking_inputs(catalogue).processes["code"].astype(str))
    finally:
        catalogue.engine.dispose()


def _scenarios_stored(database_url: str) -> dict[str, Scenario]:
    catalogue = Catalogue.open(database_url)
    try:
        saved = catalogue.scenarios.list()
        return {name: Scenario.from_dict(settings)
                for name, settings in zip(saved["name"], saved["settings"], strict=True)}
    finally:
        catalogue.engine.dispose()


def test_exclusive_groups_and_ahp_weights_are_saved_and_loaded_back(
        page: PageFactory, database_url: str) -> None:
    a, b, c, d = _process_codes(database_url)[:4]
    test = page("scenarios")
    test.text_input(key="sc_name").set_value("Either or")
    test.text_area(key="sc_exclusive").set_value(f"{a}, {b}\n\n{c},{d}, {c}")
    # Member experience (the first impact criterion) twice as important as each other one.
    test.session_state["sc_" + grid_key(IMPACT)] = {
        "edited_rows": {row: {"judgement": "2"} for row in range(len(IMPACT) - 1)},
        "added_rows": [], "deleted_rows": []}
    test.run()
    assert "Consistent enough" in _texts(test, "success")
    test.button(key="sc_ahp_apply").click().run()
    assert not test.exception and not test.error, _texts(test, "error")
    assert f"AHP weights are on the weights of {len(IMPACT)} criteria" in _texts(test, "success")
    test.button(key="sc_save_new").click().run()
    assert not test.exception and not test.error, _texts(test, "error")
    assert "Scenario 'Either or' saved (version 1)" in _texts(test, "success")

    stored = _scenarios_stored(database_url)["Either or"]
    assert stored.constraints.exclusive == ((a, b), (c, d))
    matrix = np.ones((len(IMPACT), len(IMPACT)))
    matrix[0, 1:], matrix[1:, 0] = 2.0, 0.5
    ahp = priorities(matrix).weights
    total = sum(CRITERIA.get(k).weight for k in IMPACT)
    for key, share in zip(IMPACT, ahp, strict=True):
        assert stored.weights[key] == pytest.approx(total * share, abs=0.005)
    assert stored.weights[IMPACT[0]] == pytest.approx(2 * stored.weights[IMPACT[1]], abs=0.01)
    others = {c.key: c.weight for c in CRITERIA.criteria if c.key not in IMPACT}
    assert {k: stored.weights[k] for k in others} == others

    test.selectbox(key="sc_pick").set_value("— a new scenario —")
    test.button(key="sc_load").click().run()
    assert test.text_area(key="sc_exclusive").value == ""
    test.selectbox(key="sc_pick").set_value("Either or")
    test.button(key="sc_load").click().run()
    assert "Editing 'Either or', version 1" in _texts(test, "caption")
    assert test.text_area(key="sc_exclusive").value == f"{a}, {b}\n{c}, {d}"
    assert test.number_input(key=f"sc_w_{IMPACT[0]}").value == stored.weights[IMPACT[0]]
    test.text_area(key="sc_notes").set_value("A or B, never both")
    test.button(key="sc_update").click().run()  # another change keeps the groups
    assert "Scenario 'Either or' saved (version 2)" in _texts(test, "success")
    again = _scenarios_stored(database_url)["Either or"]
    assert again.notes == "A or B, never both"
    assert again.constraints.exclusive == ((a, b), (c, d))


@pytest.mark.parametrize(("groups", "expected"), [
    ("{a}, {b}\n{c}", "line 2: '{c}' alone is not a group; name at least two processes "
                      "separated by commas, of which at most one is chosen"),
    ("{a}, {a}", "line 1: '{a}' alone is not a group"),
    ("{a}, NO-SUCH-PROCESS", "line 1: 'NO-SUCH-PROCESS' is not a process code; write codes "
                             "of the inventory, separated by commas"),
    ("{a}, {lower}", "line 1: '{lower}' is not a process code (did you mean '{b}'?)"),
])
def test_a_bad_group_is_explained_and_nothing_is_saved(
        page: PageFactory, database_url: str, groups: str, expected: str) -> None:
    a, b, c = _process_codes(database_url)[:3]
    test = page("scenarios")
    codes = {"a": a, "b": b, "c": c, "lower": b.lower()}
    test.text_input(key="sc_name").set_value("Refused")
    test.text_area(key="sc_exclusive").set_value(groups.format(**codes)).run()
    assert ("These choices cannot be saved: Mutually exclusive alternatives, "
            + expected.format(**codes)) in _texts(test, "error")
    assert test.button(key="sc_save_new").disabled  # a browser cannot click it
    assert not test.exception
    assert _scenarios_stored(database_url) == {}


def test_robustness_samples_the_scenarios_own_method(page: PageFactory,
                                                     database_url: str) -> None:
    scenario = Scenario(name="Ideal", weights=CRITERIA.weights(), method=Method.TOPSIS)
    _save(database_url, scenario)
    test = page("robustness")
    test.selectbox(key="rb_scenario").set_value("Ideal")
    test.slider(key="rb_samples").set_value(500)
    test.run()
    assert not test.exception and not test.error, _texts(test, "error")
    shown = _table(test, "code", "name", "rank", "probability_top_n").set_index("code")
    ranking = rank(_inputs(database_url), CRITERIA, scenario)
    direct = robustness(ranking, samples=500, top_n=10, seed=0).table
    assert shown.index.tolist() == ranking.table["code"].tolist() == direct.index.tolist()
    np.testing.assert_array_equal(shown["probability_top_n"].to_numpy(),
                                  direct["probability_top_n"].to_numpy())
    assert "The weight flips are exact for the weighted sum" in _texts(test, "caption")
    assert f"500 samples by {Method.TOPSIS.label}, seed 0: done" in str(
        test.get("progress")[0].proto.text)


@pytest.mark.parametrize(("name", "picker"), [("robustness", "rb_scenario"),
                                              ("portfolio", "pf_scenario"),
                                              ("backlog", "backlog_scenario")])
def test_a_scenario_against_the_processes_ranked_is_flagged_wherever_it_is_used(
        page: PageFactory, database_url: str, name: str, picker: str) -> None:
    _save(database_url, Scenario(name="Relative", weights=CRITERIA.weights(),
                                 method=Method.VIKOR, ideal=Ideal.DATA))
    _save(database_url, Scenario(name="Declared", weights=CRITERIA.weights(),
                                 method=Method.VIKOR))
    test = page(name)
    if name == "robustness":
        test.slider(key="rb_samples").set_value(500)
    warning = ("VIKOR measures each process against the best and worst of the processes "
               "ranked: adding or removing processes can re-order the rest")
    test.selectbox(key=picker).set_value("Relative").run()
    assert not test.exception and not test.error, _texts(test, "error")
    assert warning in _texts(test, "warning")
    test.selectbox(key=picker).set_value("Declared").run()
    assert warning not in _texts(test, "warning")


# --- The Scenarios page: where the person acted, and why ranks moved in words -----------------

def _open_section(test: AppTest) -> str:
    """The section (tab) of the Scenarios page the browser shows."""
    containers = [node for node in test._tree.children[0].children.values()
                  if getattr(node, "type", None) == "tab_container"]
    assert len(containers) == 1
    tabs = [child.label for child in containers[0].children.values()]
    return str(tabs[containers[0].proto.tab_container.default_tab_index])


def test_taking_a_snapshot_leaves_the_person_on_the_snapshots_section(
        page: PageFactory, database_url: str) -> None:
    _save(database_url, Scenario(name="Decided", weights=CRITERIA.weights()))
    test = page("scenarios")
    assert _open_section(test) == "Build"
    test.session_state["sc_section"] = "Snapshots"  # the person opens the Snapshots tab
    test.run()
    test.button(key="snap_take").click().run()
    assert "Snapshot 1 of 'Decided' taken" in _texts(test, "success")
    assert _open_section(test) == "Snapshots"


def _freeze(database_url: str, scenario: Scenario, label: str) -> None:
    catalogue = Catalogue.open(database_url)
    try:
        inputs = ranking_inputs(catalogue)
        content = freeze(inputs, CRITERIA, scenario, rank(inputs, CRITERIA, scenario))
        catalogue.scenarios.snapshot(scenario.name, label, content, by("ben"))
    finally:
        catalogue.engine.dispose()


def test_why_it_moved_reads_in_words_and_lists_entries_and_exits_apart(
        page: PageFactory, database_url: str) -> None:
    board = Scenario(name="Board", weights=CRITERIA.weights(), method=Method.TOPSIS)
    _save(database_url, board)
    _freeze(database_url, board, "TF 1")
    done = rank(_inputs(database_url), CRITERIA, board).table["code"].iloc[3]
    catalogue = Catalogue.open(database_url)
    try:  # an analyst records that the fourth is done
        row = catalogue.process(done)
        catalogue.update_process(done, {"transformation_status": "completed"},
                                 int(row.record["version"]), by("ana"))
    finally:
        catalogue.engine.dispose()
    _freeze(database_url, board.replace(method=Method.WSM, constraints=Constraints(
        budget=2_000_000.0), weights=CRITERIA.weights() | {"cost": 4.0}), "TF 2")
    test = page("scenarios")
    assert not test.exception and not test.error, _texts(test, "error")
    said = _texts(test, "markdown").replace("\\", "")  # as the browser shows it, unescaped
    assert "Method: Weighted sum (was TOPSIS)" in said
    assert "Budget: CHF 2,000,000 (was none)" in said
    assert "Weight of Cost: " in said and "'wsm'" not in said and "constraints" not in said
    assert "No longer ranked** (1)" in said
    moved = _table(test, "code", "name", "rank_before", "rank_after", "shift")
    assert moved["rank_before"].notna().all() and moved["rank_after"].notna().all()
    assert done not in set(moved["code"])
    left = _table(test, "code", "name", "rank_before", "reason")
    assert left["code"].tolist() == [done]
    assert left["reason"].tolist() == ["transformation completed"]
