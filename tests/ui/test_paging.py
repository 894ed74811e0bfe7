"""Long tables arrive a page at a time, and search narrows the rows before paging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import start
from views.paging import PAGE_ROWS

PROCESSES = 2 * PAGE_ROWS + 50


@pytest.fixture
def long_inventory(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/long.db"
    catalogue = Catalogue.open(url)
    try:
        catalogue.load({
            "units": [{"code": "GS", "name": "General Secretariat"}],
            "processes": [{"code": f"P-{n:04d}", "name": f"Process {n}", "unit": "GS",
                           "tags": "invoice" if n % 10 == 0 else None}
                          for n in range(PROCESSES)]}, by("ana"))
    finally:
        catalogue.engine.dispose()
    return url


def _inventory_page(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    app = start(url, monkeypatch)
    app.switch_page("views/inventory.py").run()
    assert not app.exception, app.exception
    return app


def test_the_process_table_ships_one_page_and_the_picker_reaches_the_rest(
        long_inventory: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _inventory_page(long_inventory, monkeypatch)
    table = app.dataframe(key="process_table").value
    assert len(table) == PAGE_ROWS
    assert table["Code"].iloc[0] == "P-0000"
    picker = app.number_input(key="process_page")
    assert picker.max == 3
    picker.set_value(3).run()
    table = app.dataframe(key="process_table").value
    assert list(table["Code"]) == [f"P-{n:04d}" for n in range(2 * PAGE_ROWS, PROCESSES)]


def test_search_narrows_the_rows_first_and_a_page_past_the_end_becomes_the_last(
        long_inventory: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _inventory_page(long_inventory, monkeypatch)
    app.number_input(key="process_page").set_value(3).run()
    app.text_input(key="search").input("invoice").run()
    assert not app.exception, app.exception
    table = app.dataframe(key="process_table").value
    assert len(table) == PROCESSES // 10
    assert set(table["Code"]) == {f"P-{n:04d}" for n in range(0, PROCESSES, 10)}
    assert not [box for box in app.number_input if box.key == "process_page"]



def _offered(app: AppTest) -> list[str]:
    return [str(option).split(" · ")[0] for option in app.selectbox(key="open_code").options]


def test_the_open_choice_offers_the_page_shown_and_keeps_the_process_open(
        long_inventory: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 10,000 processes a choice of every code would travel to the browser on every click."""
    app = _inventory_page(long_inventory, monkeypatch)
    assert _offered(app) == [f"P-{n:04d}" for n in range(PAGE_ROWS)]
    app.selectbox(key="open_code").set_value("P-0007").run()
    app.number_input(key="process_page").set_value(3).run()
    assert not app.exception, app.exception
    assert _offered(app) == ["P-0007", *[f"P-{n:04d}" for n in range(2 * PAGE_ROWS, PROCESSES)]]
    assert app.selectbox(key="open_code").value == "P-0007"


@pytest.mark.parametrize(("page", "find", "choice"), [
    ("views/assess.py", "assess_find", "assess_code"),
    ("views/history.py", "history_find", "history_code"),
    ("views/dependencies.py", "ripple_find", "ripple_code")])
def test_a_long_choice_of_processes_offers_a_page_of_them_and_finds_the_others(
        long_inventory: str, monkeypatch: pytest.MonkeyPatch, page: str, find: str,
        choice: str) -> None:
    app = start(long_inventory, monkeypatch)
    app.switch_page(page).run()
    assert not app.exception, app.exception

    def offered() -> list[str]:
        return [str(o).split(" · ")[0] for o in app.selectbox(key=choice).options]

    assert offered() == [f"P-{n:04d}" for n in range(PAGE_ROWS)]
    app.text_input(key=find).input("p-0420").run()
    assert offered() == ["P-0420"]
    app.selectbox(key=choice).set_value("P-0420").run()
    app.text_input(key=find).input("").run()
    assert not app.exception, app.exception
    assert app.selectbox(key=choice).value == "P-0420"
    assert offered()[0] == "P-0420" and len(offered()) == PAGE_ROWS + 1


def test_the_coverage_heatmap_draws_a_page_of_processes(
        long_inventory: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A heatmap of 10,000 rows was built on every click and sent to the browser whole."""
    app = start(long_inventory, monkeypatch)
    app.switch_page("views/assess.py").run()
    app.toggle(key="coverage_all").set_value(True).run()
    assert not app.exception, app.exception

    def rows() -> list[str]:
        spec = json.loads(app.get("plotly_chart")[-1].proto.spec)
        return [str(name).split(" · ")[0] for name in spec["data"][0]["y"]]

    assert rows() == [f"P-{n:04d}" for n in range(PAGE_ROWS)]
    app.number_input(key="coverage_page").set_value(3).run()
    assert rows() == [f"P-{n:04d}" for n in range(2 * PAGE_ROWS, PROCESSES)]
