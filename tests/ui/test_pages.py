"""The Overview and Inventory pages, driven headless with Streamlit's AppTest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from inventory.access import Role
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
    app.selectbox(key="add:unit").set_value("HRMD")
    app.selectbox(key="add:parent_code").set_value("HR")
    app.text_input(key="add:target_milestone").input("PP-26")
    app.button(key="FormSubmitter:add_process-Add process").click().run()
    assert "Added process HR-ONB" in _text(app, "success")
    record = _reader(database_url).process("HR-ONB").record
    assert record["parent_code"] == "HR" and record["target_milestone"] == "PP-26"
    assert record["created_by"] == "ana"


def test_a_dependency_added_on_the_page_is_stored(app: AppTest, database_url: str) -> None:
    _inventory(app, "HR-REC")
    app.radio(key="dep_add:direction").set_value("feeds")
    app.selectbox(key="dep_add:other").set_value("FIN")
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


@pytest.fixture
def analyst(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return start(database_url, monkeypatch, name="ana", role=Role.analyst)


def _add_process(app: AppTest, code: str, **numbers: float) -> AppTest:
    app.text_input(key="add:code").input(code)
    app.text_input(key="add:name").input("Onboarding")
    app.selectbox(key="add:unit").set_value("HRMD")
    for field, value in numbers.items():
        app.number_input(key=f"add:{field}").set_value(value)
    return app.button(key="FormSubmitter:add_process-Add process").click().run()


def test_a_negative_cost_is_refused_beside_the_form_and_the_old_banner_goes(
        analyst: AppTest, database_url: str) -> None:
    _inventory(analyst)
    _add_process(analyst, "HR-ONB")
    assert "Added process HR-ONB" in _text(analyst, "success")
    before = _reader(database_url).counts()["processes"]
    _add_process(analyst, "HR-ONB-2", estimated_cost_chf=-5.0)
    assert "estimated_cost_chf: must be 0 or more" in _text(analyst, "error")
    assert not analyst.success
    assert _reader(database_url).counts()["processes"] == before
    assert analyst.text_input(key="add:code").value == "HR-ONB-2"  # kept to correct it


def test_the_add_form_is_emptied_after_a_save_so_a_second_click_adds_nothing(
        analyst: AppTest, database_url: str) -> None:
    _inventory(analyst)
    _add_process(analyst, "HR-ONB", annual_volume=120)
    assert "Added process HR-ONB" in _text(analyst, "success")
    count = _reader(database_url).counts()["processes"]
    assert analyst.text_input(key="add:code").value == ""
    assert analyst.selectbox(key="add:unit").value is None
    assert analyst.number_input(key="add:annual_volume").value is None
    analyst.button(key="FormSubmitter:add_process-Add process").click().run()
    assert "Not saved" in _text(analyst, "error")
    assert _reader(database_url).counts()["processes"] == count


def test_the_unit_has_no_default_and_must_be_chosen(analyst: AppTest, database_url: str) -> None:
    _inventory(analyst)
    assert analyst.selectbox(key="add:unit").value is None
    analyst.text_input(key="add:code").input("HR-ONB")
    analyst.text_input(key="add:name").input("Onboarding")
    analyst.button(key="FormSubmitter:add_process-Add process").click().run()
    assert "unit: is required" in _text(analyst, "error")
    assert "HR-ONB" not in set(_reader(database_url).processes(include_deleted=True)["code"])


def test_a_code_in_another_case_is_refused_and_a_link_finds_it_in_any_case(
        analyst: AppTest, database_url: str) -> None:
    _inventory(analyst)
    _add_process(analyst, "hr-rec")
    assert "a process with the code HR-REC already exists" in _text(analyst, "error")
    assert "hr-rec" not in set(_reader(database_url).processes()["code"])

    linked = start(database_url, pytest.MonkeyPatch(), name="ana", role=Role.viewer)
    linked.query_params["process"] = "hr-rec"
    _inventory(linked)
    assert linked.selectbox(key="open_code").value == "HR-REC"


@pytest.mark.parametrize(("role", "told"), [(Role.analyst, "an admin can restore it"),
                                            (Role.admin, "you can restore it")])
def test_the_message_after_a_delete_says_who_can_restore(
        database_url: str, monkeypatch: pytest.MonkeyPatch, role: Role, told: str) -> None:
    app = _inventory(start(database_url, monkeypatch, name="ana", role=role), "HR-REC-01")
    app.checkbox(key="confirm_delete:HR-REC-01").check().run()
    app.button(key="delete:HR-REC-01").click().run()
    message = _text(app, "success")
    assert told in message and "dti " not in message
    app.toggle(key="filter_deleted").set_value(True).run()
    app.selectbox(key="open_code").set_value("HR-REC-01").run()
    assert ("Restore HR-REC-01" in {b.label for b in app.button}) is (role is Role.admin)
    assert ("An admin can restore it" in _text(app, "caption")) is (role is Role.analyst)


def _a_dependency(database_url: str, code: str) -> tuple[str, str, int]:
    deps = _reader(database_url).dependencies(process_code=code).iloc[0]
    return str(deps["upstream_code"]), str(deps["downstream_code"]), int(deps["strength"])


def test_removing_a_dependency_asks_for_confirmation_first(analyst: AppTest,
                                                           database_url: str) -> None:
    up, down, _ = _a_dependency(database_url, "HR-REC")
    _inventory(analyst, "HR-REC")
    analyst.selectbox(key="dep_pick:HR-REC").set_value((up, down)).run()
    slot = f"dep:{up}>{down}"
    assert analyst.button(key=f"remove:{slot}").disabled  # until the removal is confirmed
    analyst.checkbox(key=f"confirm_remove:{slot}").check().run()
    analyst.button(key=f"remove:{slot}").click().run()
    assert f"Removed dependency {up} → {down}; an admin can restore it" in _text(analyst,
                                                                                "success")
    assert _reader(database_url).dependencies(process_code="HR-REC").query(
        "upstream_code == @up and downstream_code == @down").empty


def test_an_analyst_edits_a_dependency_and_a_stale_edit_keeps_the_typed_values(
        analyst: AppTest, database_url: str) -> None:
    up, down, strength = _a_dependency(database_url, "HR-REC")
    _inventory(analyst, "HR-REC")
    analyst.selectbox(key="dep_pick:HR-REC").set_value((up, down)).run()
    slot = f"dep:{up}>{down}"
    other = 1 if strength != 1 else 3
    analyst.selectbox(key=f"{slot}:1:strength").set_value(other)
    analyst.text_input(key=f"{slot}:1:note").input("checked with the owner")
    analyst.button(key=f"FormSubmitter:edit_dependency:{slot}-Save dependency").click().run()
    assert f"Saved dependency {up} → {down} (version 2)" in _text(analyst, "success")
    stored = _reader(database_url).dependencies(process_code="HR-REC").set_index(
        ["upstream_code", "downstream_code"]).loc[(up, down)]
    assert stored["strength"] == other and stored["note"] == "checked with the owner"
    assert stored["updated_by"] == "ana"
    _reader(database_url).update_dependency(up, down, {"note": "bob's note"}, 2, by("bob"))
    analyst.text_input(key=f"{slot}:2:note").input("my second thought")
    analyst.button(key=f"FormSubmitter:edit_dependency:{slot}-Save dependency").click().run()
    assert "changed by bob" in _text(analyst, "error")
    assert analyst.text_input(key=f"{slot}:2:note").value == "my second thought"
    stored = _reader(database_url).dependencies(process_code="HR-REC").set_index(
        ["upstream_code", "downstream_code"]).loc[(up, down)]
    assert stored["note"] == "bob's note" and stored["version"] == 3


def test_an_analyst_edits_and_deletes_a_kpi_and_an_admin_restores_it(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    kpi = _reader(database_url).kpis(process_code="HR-REC").iloc[0]
    kpi_id, slot = int(kpi["id"]), f"kpi:{int(kpi['id'])}"
    app = _inventory(start(database_url, monkeypatch, name="ana", role=Role.analyst), "HR-REC")
    app.selectbox(key="kpi_pick:HR-REC").set_value(kpi_id).run()
    app.text_input(key=f"{slot}:1:source").input("HR dashboard")
    app.button(key=f"FormSubmitter:edit_kpi:{kpi_id}-Save KPI").click().run()
    assert "(version 2)" in _text(app, "success")
    assert _reader(database_url).kpis(process_code="HR-REC").set_index("id").loc[
        kpi_id, "source"] == "HR dashboard"
    assert app.button(key=f"delete:{slot}").disabled
    app.checkbox(key=f"confirm_delete:{slot}").check().run()
    app.button(key=f"delete:{slot}").click().run()
    assert "an admin can restore it" in _text(app, "success")
    assert kpi_id not in set(_reader(database_url).kpis()["id"])
    assert not [b for b in app.button if b.key == f"restore_kpi:{kpi_id}"]

    admin = _inventory(start(database_url, monkeypatch, name="root", role=Role.admin), "HR-REC")
    admin.button(key=f"restore_kpi:{kpi_id}").click().run()
    assert "Restored KPI" in _text(admin, "success")
    assert kpi_id in set(_reader(database_url).kpis()["id"])


def test_a_viewer_sees_no_add_edit_or_delete_control(database_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    app = _inventory(start(database_url, monkeypatch, name="vic", role=Role.viewer), "HR-REC")
    assert not [b for b in app.button if b.key and b.key.startswith(("remove:", "delete:"))]
    assert not app.get("form")
    assert "Edit" not in [tab.label for tab in app.tabs]
