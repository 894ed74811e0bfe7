"""The Backlog page: the same backlog as the scoring functions, the same robustness as the
Robustness page (dependency uplift included), files fit to hand out, and constraints that
cannot be met explained instead of a traceback."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import plotly.io as pio
import pytest
from playwright.sync_api import sync_playwright
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.files import backlog_export
from inventory.services import Catalogue
from scoring import decision
from scoring.ranking import rank
from scoring.scenario import Scenario
from tests.support import by
from tests.ui.harness import start
from views.scoring_data import criteria_set, ranking_inputs

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    yield start(database_url, monkeypatch, timeout=120)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The files the page offers, as built inside the Streamlit run (by kind)."""
    built: dict[str, bytes] = {}
    original: Callable[..., bytes] = backlog_export.export

    def recording(kind: str, *args: Any, **kwargs: Any) -> bytes:
        built[kind] = original(kind, *args, **kwargs)
        return built[kind]

    def built_on_click(self: MediaFileManager, data: Callable[[], bytes], *args: Any,
                       **kwargs: Any) -> str:
        data()  # as the click on the button would
        return deferred(self, data, *args, **kwargs)

    deferred = MediaFileManager.add_deferred
    monkeypatch.setattr(backlog_export, "export", recording)
    monkeypatch.setattr(MediaFileManager, "add_deferred", built_on_click)
    return built


def _plan(database_url: str) -> None:
    """A saved scenario with a dependency uplift, a budget and a capacity (so a portfolio and
    a roadmap, which leaves some of the top processes unplanned)."""
    catalogue = Catalogue.open(database_url)
    try:
        settings = Scenario(name="Plan", uplift=0.3).to_dict()
        settings["constraints"] = {"budget": 3_000_000, "capacity": 80}
        catalogue.scenarios.add("Plan", settings, by("ana"))
    finally:
        catalogue.engine.dispose()


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


def test_backlog_and_robustness_pages_agree_with_the_uplift_on(app: AppTest,
                                                               database_url: str) -> None:
    """A process the scenario ranks in its top 5 is not 'in the top group in 32% of the
    samples': robustness ranks every sample with the scenario's dependency uplift, and both
    pages show the same figures."""
    _plan(database_url)
    app.switch_page("views/backlog.py").run()
    app.selectbox(key="backlog_scenario").set_value("Plan").run()
    app.radio(key="backlog_unknown").set_value("zero").run()
    assert not app.exception and not app.error, app.error
    backlog = app.dataframe[0].value.set_index("code")
    assert (backlog["probability_top_n"].iloc[:5] >= 0.5).all(), backlog.head(5)
    # MEM-IDM's prerequisites are not ranked: it is not planned, and the page says for what
    assert pd.isna(backlog.loc["MEM-IDM", "period"])
    assert backlog.loc["MEM-IDM", "waiting_for"] == "ICT-IAM, MEM-ADM"

    app.switch_page("views/robustness.py").run()
    app.selectbox(key="rb_scenario").set_value("Plan").run()
    assert not app.exception and not app.error, app.error
    robust = app.dataframe[0].value.set_index("code")
    assert robust.index.tolist() == backlog.index.tolist()
    assert robust["rank"].tolist() == list(range(1, len(robust) + 1))
    assert robust["probability_top_n"].tolist() == pytest.approx(
        backlog["probability_top_n"].tolist())
    captions = " ".join(c.value for c in app.caption)
    assert "uplift out" not in captions


def test_the_files_from_the_page_are_ready_to_hand_out(app: AppTest, database_url: str,
                                                       downloads: dict[str, bytes]) -> None:
    """Built inside Streamlit (whose plotly template has placeholder colours), the report is
    in its own colours, every chart label is in view in a browser, nothing reads 'nan'; the
    workbook has headers in words and no database address."""
    _plan(database_url)
    app.switch_page("views/backlog.py").run()
    app.selectbox(key="backlog_scenario").set_value("Plan").run()
    app.radio(key="backlog_unknown").set_value("zero").run()
    assert not app.exception and not app.error, app.error
    assert pio.templates.default == "streamlit"  # the trap the report must not fall into
    report = downloads["html"].decode("utf-8")
    assert not re.search(r"#00000[1-9]", report)
    assert len(set(re.findall(r"fill='(#[0-9a-f]{6})'", report))) >= 10
    assert not re.search(r"\bnan\b", report) and "planned by" in report
    assert _labels_cut_off(report) == []

    book = openpyxl.load_workbook(io.BytesIO(downloads["xlsx"]))
    header = [cell.value for cell in book["Backlog"][1]]
    assert header[:3] == ["Rank", "Code", "Process"]
    cells = " ".join(str(c) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for c in row)
    assert database_url not in cells and Path(database_url.split("///")[1]).name not in cells
    csv = downloads["csv"].decode("utf-8-sig").splitlines()[0]
    assert csv.startswith("Rank,Code,Process,")


def _labels_cut_off(report: str) -> list[str]:
    """The chart labels a browser draws (partly) outside their chart."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.set_content(report)
            return list(page.evaluate("""() => [...document.querySelectorAll('svg text')]
                .filter(t => { const b = t.getBBox(), v = t.ownerSVGElement.viewBox.baseVal;
                               return b.x < 0 || b.x + b.width > v.width; })
                .map(t => t.textContent)"""))
        finally:
            browser.close()


def test_constraints_that_cannot_be_met_are_explained(app: AppTest, database_url: str) -> None:
    catalogue = Catalogue.open(database_url)
    settings = Scenario(name="Tight").to_dict()
    settings["constraints"] = {"budget": 1000, "must_include": ["HR-REC"]}
    catalogue.scenarios.add("Tight", settings, by("ana"))
    app.switch_page("views/backlog.py").run()
    app.selectbox(key="backlog_scenario").set_value("Tight").run()
    app.radio(key="backlog_unknown").set_value("zero").run()
    assert not app.exception, app.exception
    message = " ".join(e.value for e in app.error)
    assert "cannot all be met" in message and "HR-REC" in message


def test_processes_without_an_estimate_are_left_out_by_default_as_on_the_portfolio_page(
        app: AppTest, database_url: str) -> None:
    """The same four choices as the Portfolio page: by default the backlog is built with the
    unestimated processes left out; refusing names them and where to choose."""
    _plan(database_url)
    app.switch_page("views/backlog.py").run()
    app.selectbox(key="backlog_scenario").set_value("Plan").run()
    assert app.radio(key="backlog_unknown").value == "leave_out"
    assert not app.exception and not app.error, app.error
    assert len(app.dataframe[0].value) > 10
    app.radio(key="backlog_unknown").set_value("refuse").run()
    message = " ".join(e.value for e in app.error)
    assert "is unknown and the budget is limited" in message
    assert "Processes without an estimate" in message and "unknown_cost" not in message


def test_a_leader_turns_the_top_of_the_backlog_into_proposed_initiatives(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The panel proposes the top N (no portfolio in the default settings), one initiative per
    process, linked to the snapshot chosen; the new initiatives are planned and on the
    roadmap."""
    app = start(database_url, monkeypatch, name="lee", role=Role.leadership, timeout=120)
    app.switch_page("views/backlog.py").run()
    shown = app.dataframe[0].value
    chosen = next(m for m in app.multiselect if m.label == "Processes")
    assert chosen.value == shown["code"].head(10).tolist()
    chosen.set_value(shown["code"].head(2).tolist())
    next(b for b in app.button if b.label == "Propose initiatives").click().run()
    assert not app.exception and not app.error, app.error
    expected = [f"INI-{code}" for code in shown["code"].head(2)]
    assert any(", ".join(expected) in s.value for s in app.success)
    catalogue = Catalogue.open(database_url)
    try:
        made = catalogue.initiatives.initiatives().set_index("code").loc[expected]
        assert (made["status"] == "planned").all()
        assert made["processes"].tolist() == shown["code"].head(2).tolist()
    finally:
        catalogue.engine.dispose()


