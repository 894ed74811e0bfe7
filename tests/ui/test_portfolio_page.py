"""The Portfolio page as a task-force member (and every other role) meets it on the sample: a
process without an estimate is never chosen as if free, counting it takes an explicit choice,
the budget is typed and shown in CHF, reasons are readable in full, a prerequisite cycle is
scheduled together and the prerequisites in no period are named."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import inventory.errors  # noqa: F401  (loaded before a page runs: see tests/ui/test_decision_pages.py)
from inventory.access import Role
from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import start

VIEWS = Path(__file__).resolve().parents[2] / "views"
UNESTIMATED = {"EVT-RP", "HR-REC-04"}  # the sample's processes with no cost and no effort
CYCLE = ["HR-ADM", "HR-REC", "HR-WFP"]  # they need each other in the sample
PageFactory = Callable[..., AppTest]


@pytest.fixture
def page(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[PageFactory]:
    """The Portfolio page on the sample, with the saved scenario ``Budget 2M`` (CHF 2,000,000)
    chosen, as ``role``."""

    def run(role: Role = Role.leadership, scenario: str = "Budget 2M") -> AppTest:
        test = start(database_url, monkeypatch, name=f"{role.value}-person", role=role,
                     script=str(VIEWS / "portfolio.py"))
        test.selectbox(key="pf_scenario").set_value(scenario).run()
        assert not test.exception, test.exception
        return test

    _save(database_url, "Budget 2M", {"budget": 2_000_000.0})
    yield run
    st.cache_resource.clear()


def _save(url: str, name: str, constraints: dict[str, Any]) -> None:
    catalogue = Catalogue.open(url)
    try:
        catalogue.scenarios.add(name, {"method": "wsm", "constraints": constraints}, by("ben"))
    finally:
        catalogue.engine.dispose()


def _table(test: AppTest, *columns: str) -> pd.DataFrame:
    """The one dataframe on the page whose first columns are ``columns``."""
    found = [d.value for d in test.dataframe
             if list(d.value.columns)[:len(columns)] == list(columns)]
    assert len(found) == 1, [list(d.value.columns) for d in test.dataframe]
    return found[0]


def _element(test: AppTest, *columns: str) -> Any:
    found = [d for d in test.dataframe if list(d.value.columns)[:len(columns)] == list(columns)]
    assert len(found) == 1
    return found[0]


def _texts(test: AppTest, element: str) -> str:
    return " ".join(str(e.value) for e in getattr(test, element))


def _chosen(test: AppTest) -> set[str]:
    return set(_table(test, "rank", "code", "name", "value", "cost")["code"])


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_a_process_without_an_estimate_is_left_out_and_named_for_every_role(
        page: PageFactory, role: Role) -> None:
    test = page(role)
    assert not test.error, _texts(test, "error")
    assert not _chosen(test) & UNESTIMATED
    others = _table(test, "rank", "code", "name", "reason", "cost").set_index("code")
    for code in UNESTIMATED:
        assert others.loc[code, "reason"] == "needs a cost estimate before it can be chosen"
    warning = _texts(test, "warning")
    assert "2 processes need an estimate before they can be chosen" in warning
    assert "EVT-RP (Remote participation and hybrid meetings)" in warning
    assert "HR-ADM-01" in warning  # it needs HR-REC-04, so it waits too


def test_counting_unknown_costs_is_an_explicit_labelled_choice(page: PageFactory) -> None:
    test = page()
    unknown = test.radio(key="pf_unknown")
    assert unknown.value == "leave_out"
    assert "Count it as zero (as if it were free)" in unknown.options
    unknown.set_value("zero").run()
    assert _chosen(test) >= UNESTIMATED
    assert "counted as 0, as chosen" in _texts(test, "markdown")
    unknown.set_value("assume").run()
    test.number_input(key="pf_assumed_cost").set_value(900_000).run()
    assert not _chosen(test) & UNESTIMATED  # too dear at CHF 900,000 each
    assert "counted at the assumed CHF 900,000 each" in _texts(test, "markdown")
    test.number_input(key="pf_assumed_cost").set_value(10_000).run()
    assert _chosen(test) >= UNESTIMATED


def test_refusing_says_what_to_estimate_and_where_to_choose(page: PageFactory) -> None:
    test = page()
    test.radio(key="pf_unknown").set_value("refuse").run()
    error = _texts(test, "error")
    assert error == ("The cost of EVT-RP, HR-REC-04 is unknown and the budget is limited: "
                     "estimate their cost, or choose how unknown costs count under “Processes "
                     "without an estimate” in the sidebar")
    for jargon in ("unknown_cost", "pass ", "--", "=zero"):
        assert jargon not in error


def test_the_budget_is_typed_and_every_figure_reads_in_chf(page: PageFactory) -> None:
    test = page()
    budget = test.number_input(key="pf_budget_Budget 2M")
    assert budget.value == 2_000_000
    budget.set_value(1_500_000).run()
    assert "Budget: **CHF 1,500,000**" in _texts(test, "caption")
    cost = next(m for m in test.metric if m.label == "Cost")
    assert cost.value.startswith("CHF ") and "," in cost.value
    for columns in (("rank", "code", "name", "value", "cost"),
                    ("rank", "code", "name", "reason", "cost")):
        config = json.loads(_element(test, *columns).proto.columns)
        assert config["cost"]["type_config"]["format"] == "CHF %,.0f"
    reasons = " ".join(_table(test, "rank", "code", "name", "reason", "cost")["reason"])
    assert "does not fit the budget: needs CHF " in reasons and " CHF left" not in reasons


def test_the_reasons_wrap_in_a_wide_column_instead_of_being_cut(page: PageFactory) -> None:
    test = page()
    element = _element(test, "rank", "code", "name", "reason", "cost")
    assert element.proto.row_height > 64  # Streamlit wraps text in rows taller than 4rem
    config = json.loads(element.proto.columns)
    assert config["reason"]["label"] == "Why not chosen"
    assert config["reason"]["width"] >= 400


def test_a_prerequisite_cycle_is_scheduled_together_after_its_prerequisites(
        page: PageFactory, database_url: str) -> None:
    catalogue = Catalogue.open(database_url)
    try:  # DOC-DMS's own prerequisites, outside the ranking, are done
        for code in ("ICT-EA", "ICT-DDG"):
            catalogue.update_process(code, {"transformation_status": "completed"}, None,
                                     by("ben"))
    finally:
        catalogue.engine.dispose()
    _save(database_url, "Everything", {"budget": 50_000_000.0, "capacity": 150.0,
                                       "must_include": CYCLE})
    test = page(scenario="Everything")
    together = _table(test, "code", "name", "period", "effort", "together").set_index("code")
    assert sorted(together.index) == CYCLE
    assert together["period"].nunique() == 1 and together["period"].notna().all()
    assert together.loc["HR-REC", "together"].startswith(
        "scheduled together with HR-ADM, HR-WFP: they depend on each other")
    assert "Scheduled together because they depend on each other" in _texts(test, "markdown")
    bars = json.loads(test.get("plotly_chart")[1].proto.spec)["data"][0]
    assert set(CYCLE) <= set(bars["y"])


def test_work_waiting_for_a_prerequisite_in_no_period_is_not_placed_and_it_is_named(
        page: PageFactory) -> None:
    test = page()
    unplaced = _table(test, "code", "name", "reason", "effort").set_index("code")
    assert unplaced.loc["MEM-IDM", "reason"] == ("needs ICT-IAM, MEM-ADM, which are neither "
                                                 "in the plan nor completed")
    outside = _table(test, "code", "name", "status", "ranked", "needed_by").set_index("code")
    assert outside.loc["ICT-IAM", "status"] == "planned"
    assert outside.loc["MEM-ADM", "status"] == "not started"
    assert "MEM-IDM" in outside.loc["ICT-IAM", "needed_by"]
    assert not outside["ranked"].any()
    bars = json.loads(test.get("plotly_chart")[1].proto.spec)["data"][0]
    assert "MEM-IDM" not in bars["y"]


def test_the_backlog_refusal_speaks_of_estimates_not_of_arguments(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Backlog page shows the portfolio's refusal as the portfolio words it."""
    _save(database_url, "Budget 2M", {"budget": 2_000_000.0})
    test = start(database_url, monkeypatch, role=Role.leadership,
                 script=str(VIEWS / "backlog.py"))
    test.selectbox(key="backlog_scenario").set_value("Budget 2M")
    test.radio(key="backlog_unknown").set_value("refuse")
    test.select_slider(key="backlog_samples").set_value(500).run()
    error = _texts(test, "error")
    assert "The cost of EVT-RP, HR-REC-04 is unknown" in error
    assert "unknown_cost" not in error and "pass " not in error
    st.cache_resource.clear()
