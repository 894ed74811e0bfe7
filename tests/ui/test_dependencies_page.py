"""The Dependencies page, driven headless with AppTest, on the sample inventory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from inventory import graph
from inventory.services import Catalogue
from tests.ui.harness import start

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def page(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    test = start(database_url, monkeypatch)
    test.switch_page("views/dependencies.py").run()
    assert not test.exception, test.exception
    yield test


def test_the_network_cycles_and_waves_are_shown(page: AppTest, database_url: str) -> None:
    loops = graph.cycles(Catalogue.open(database_url).graph())
    assert len(loops) >= 1
    shown = page.dataframe[0].value
    assert list(shown["Members"]) == list(loops["members"])
    assert len(page.get("plotly_chart")) == 2  # the network and the waves


def test_choosing_a_process_shows_its_ripple_both_ways(page: AppTest, database_url: str) -> None:
    page.selectbox(key="ripple_code").set_value("MEM-IDM").run()
    assert not page.exception
    dependencies = Catalogue.open(database_url).graph()
    downstream = graph.impact(dependencies, ["MEM-IDM"])
    upstream = graph.impact(dependencies, ["MEM-IDM"], direction="upstream")
    tabs = [tab.label for tab in page.tabs]
    assert f"Feeds ({len(downstream)})" in tabs and f"Needs ({len(upstream)})" in tabs
    feeds = page.dataframe[0].value
    assert list(feeds["code"]) == list(downstream["code"])


def test_roll_up_links_parents(page: AppTest, database_url: str) -> None:
    page.toggle(key="roll_up").set_value(True).run()
    assert not page.exception
    rolled = Catalogue.open(database_url).graph(roll_up=True)
    direct = Catalogue.open(database_url).graph()
    assert rolled.number_of_edges() > direct.number_of_edges()
