"""The Overview and Inventory pages, driven headless with Streamlit's AppTest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import start

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The app on an empty database (the first start loads the sample), as user 'ana'."""
    yield start(database_url, monkeypatch)


def _inventory(app: AppTest, process: str | None = None) -> AppTest:
    app.switch_page("views/inventory.py").run()
    if process is not None:
        app.selectbox(key="open_code").set_value(process).run()
    assert not app.exception, app.exception
    return app


def _reader(database_url: str) -> Catalogue:
    return Catalogue.open(database_url)


def _text(app: AppTest, element: str) -> str:
    return " ".join(str(e.value) for e in getattr(app, element))


def test_first_start_loads_the_sample_and_the_overview_counts_it(
        empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = start(empty_database_url, monkeypatch)
    counts = _reader(empty_database_url).counts()
    assert counts["processes"] >= 40
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Processes"] == str(counts["processes"])
    assert metrics["Dependencies"] == str(counts["dependencies"])
    charts = app.get("plotly_chart")
    assert len(charts) == 3  # by unit and status, by pillar, maturity heatmap
    assert "not official ITU data" in _text(app, "info")


def test_search_and_filters_narrow_the_table(app: AppTest, database_url: str) -> None:
    _inventory(app)
    total = len(app.dataframe[0].value)
    app.text_input(key="search").input("recruitment").run()
    shown = list(app.dataframe[0].value["Code"])
    assert "HR-REC" in shown and len(shown) < total
    assert shown == list(_reader(database_url).processes(search="recruitment")["code"])
    app.text_input(key="search").input("").run()
    app.multiselect(key="filter_units").set_value(["BDT"]).run()
    assert set(app.dataframe[0].value["Unit"]) == {"BDT"}


def test_opening_a_process_shows_its_dependencies_kpis_and_history(app: AppTest) -> None:
    _inventory(app, "HR-REC")
    assert "HR-REC · Recruitment and selection" in _text(app, "subheader")
    tabs = [tab.label for tab in app.tabs]
    assert any(t.startswith("Dependencies (") for t in tabs)
    assert any(t.startswith("KPIs (") for t in tabs)
    assert "History" in tabs and "Edit" in tabs


def test_an_edit_is_saved_with_the_actor_and_a_new_version(app: AppTest,
                                                            database_url: str) -> None:
    _inventory(app, "HR-REC")
    app.text_input(key="edit:HR-REC:1:name").input("Recruitment, selection and onboarding")
    app.button(key="FormSubmitter:edit:HR-REC-Save changes").click().run()
    assert not app.exception
    assert "Saved HR-REC (version 2)" in _text(app, "success")
    record = _reader(database_url).process("HR-REC").record
    assert record["name"] == "Recruitment, selection and onboarding"
    assert record["updated_by"] == "ana" and record["version"] == 2


def test_a_concurrent_edit_is_shown_as_a_conflict_and_nothing_is_overwritten(
        app: AppTest, database_url: str) -> None:
    _inventory(app, "HR-REC")
    # Someone else saves while this user has the form open on version 1.
    _reader(database_url).update_process("HR-REC", {"process_owner": "Director, HRMD"}, 1,
                                         by("bob"))
    app.text_input(key="edit:HR-REC:1:name").input("My edit")
    app.button(key="FormSubmitter:edit:HR-REC-Save changes").click().run()
    errors = _text(app, "error")
    assert "Not saved" in errors and "changed by bob" in errors and "process_owner" in errors
    record = _reader(database_url).process("HR-REC").record
    assert record["name"] == "Recruitment and selection"
    assert record["process_owner"] == "Director, HRMD"
    app.button(key="reload").click().run()
    assert app.text_input(key="edit:HR-REC:2:process_owner").value == "Director, HRMD"


def test_adding_a_process_validates_like_the_cli(app: AppTest, database_url: str) -> None:
    _inventory(app)
    before = _reader(database_url).counts()["processes"]
    app.text_input(key="add:code").input("HR ONB")
    app.text_input(key="add:name").input("Onboarding")
    app.button(key="FormSubmitter:add_process-Add process").click().run()
    assert "code: may use only letters" in _text(app, "error")
    assert _reader(database_url).counts()["processes"] == before
    app.text_input(key="add:code").input("HR-ONB")
    app.selectbox(key="add:parent_code").set_value("HR")
    app.text_input(key="add:target_milestone").input("PP-26")
    app.button(key="FormSubmitter:add_process-Add process").click().run()
    assert "Added process HR-ONB" in _text(app, "success")
    record = _reader(database_url).process("HR-ONB").record
    assert record["parent_code"] == "HR" and record["target_milestone"] == "PP-26"
    assert record["created_by"] == "ana"


def test_a_dependency_added_on_the_page_is_stored(app: AppTest, database_url: str) -> None:
    _inventory(app, "HR-REC")
    app.radio(key="dep_direction").set_value("feeds")
    app.selectbox(key="dep_other").set_value("FIN")
    app.button(key="FormSubmitter:add_dependency-Add dependency").click().run()
    assert "Added dependency HR-REC → FIN" in _text(app, "success")
    deps = _reader(database_url).dependencies(process_code="HR-REC")
    assert ("HR-REC", "FIN") in set(zip(deps["upstream_code"], deps["downstream_code"],
                                        strict=True))


def test_delete_then_restore_from_the_page(app: AppTest, database_url: str) -> None:
    _inventory(app, "HR-REC-01")
    app.checkbox(key="confirm_delete:HR-REC-01").check().run()
    app.button(key="delete:HR-REC-01").click().run()
    assert "Deleted HR-REC-01" in _text(app, "success")
    assert "HR-REC-01" not in set(_reader(database_url).processes()["code"])
    app.toggle(key="filter_deleted").set_value(True).run()
    app.selectbox(key="open_code").set_value("HR-REC-01").run()
    app.button(key="restore:HR-REC-01").click().run()
    assert "HR-REC-01" in set(_reader(database_url).processes()["code"])
