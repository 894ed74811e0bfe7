"""The Backlog page: the same backlog as the scoring functions, and constraints that cannot be
met explained instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from inventory.services import Catalogue
from scoring import decision
from scoring.ranking import rank
from scoring.scenario import Scenario
from tests.support import by
from tests.ui.harness import start
from views.scoring_data import criteria_set, ranking_inputs

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    yield start(database_url, monkeypatch, timeout=120)


def test_the_page_shows_the_ranked_backlog_with_its_robustness(app: AppTest,
                                                               database_url: str) -> None:
    app.switch_page("views/backlog.py").run()
    assert not app.exception, app.exception
    shown = app.dataframe[0].value
    catalogue = Catalogue.open(database_url)
    ranking = rank(ranking_inputs(catalogue), criteria_set(), Scenario())
    assert shown["code"].tolist() == ranking.table["code"].tolist()
    robust = decision.robustness(ranking, samples=2_000, top_n=10)
    assert shown["probability_top_n"].tolist() == pytest.approx(
        robust.table["probability_top_n"].tolist())
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["Workbook (.xlsx)", "CSV", "JSON", "Report (.html)"]


def test_constraints_that_cannot_be_met_are_explained(app: AppTest, database_url: str) -> None:
    catalogue = Catalogue.open(database_url)
    settings = Scenario(name="Tight").to_dict()
    settings["constraints"] = {"budget": 1000, "must_include": ["HR-REC"]}
    catalogue.scenarios.add("Tight", settings, by("ana"))
    app.switch_page("views/backlog.py").run()
    app.selectbox(key="backlog_scenario").set_value("Tight").run()
    app.toggle(key="backlog_zero").set_value(True).run()
    assert not app.exception, app.exception
    message = " ".join(e.value for e in app.error)
    assert "cannot all be met" in message and "HR-REC" in message
