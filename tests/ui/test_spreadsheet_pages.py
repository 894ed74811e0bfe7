"""The Import and Export pages, driven headless with AppTest.

AppTest cannot drive a browser's file picker, so the tests hand the page the uploaded file the
way the picker does: as an ``Upload`` in session state.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from inventory.files.export import inventory_workbook
from inventory.files.io import Upload
from inventory.services import Catalogue
from tests.frameworks import LONG_NAME, glossary_text, industry_workbook
from tests.ui.harness import start

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CORPUS = Path(__file__).resolve().parents[1] / "data" / "import_corpus"


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    yield start(database_url, monkeypatch)


def _import_page(app: AppTest, upload: Upload) -> AppTest:
    app.switch_page("views/import_data.py")
    app.session_state["upload"] = upload
    app.run()
    assert not app.exception, app.exception
    return app


def _text(app: AppTest, element: str) -> str:
    return " ".join(str(e.value) for e in getattr(app, element))


def test_a_csv_is_mapped_checked_then_imported(app: AppTest, database_url: str) -> None:
    text = "Ref,Title,Status\nNEW-1,New process,ongoing\nNEW-2,Another,planned\n"
    _import_page(app, Upload("new.csv", text.encode()))
    assert app.selectbox(key="map:Title").value == "name"  # suggested from the alias
    app.selectbox(key="map:Ref").set_value("code")
    app.selectbox(key="default_unit").set_value("HRMD")
    app.button(key="check_button").click().run()
    summary = app.dataframe[1].value.set_index("records")
    assert summary.loc["processes", "created"] == 2
    assert "NEW-1" not in set(Catalogue.open(database_url).processes()["code"])  # dry run
    app.button(key="import_button").click().run()
    assert "Imported new.csv: 2 created" in _text(app, "success")
    record = Catalogue.open(database_url).process("NEW-1").record
    assert record["unit"] == "HRMD" and record["transformation_status"] == "ongoing"
    assert record["created_by"] == "ana"


def test_an_apqc_industry_framework_imports_with_the_saved_mapping_and_its_glossary(
        app: AppTest, database_url: str) -> None:
    _import_page(app, Upload("banking-pcf.xlsx", industry_workbook()))
    app.selectbox(key="saved_mapping").set_value("apqc-pcf").run()
    assert app.selectbox(key="sheet").value == "Combined"
    assert app.selectbox(key="glossary_sheet").value == "Glossary terms"
    app.selectbox(key="default_unit").set_value("HRMD")
    app.button(key="check_button").click().run()
    assert app.dataframe[1].value.set_index("records").loc["processes", "created"] == 5
    app.button(key="import_button").click().run()
    assert "Imported banking-pcf.xlsx: 5 created" in _text(app, "success")
    catalogue = Catalogue.open(database_url)
    assert catalogue.process("1.1.1").record["name"] == LONG_NAME
    assert catalogue.process("1.1.1").record["description"] == glossary_text("1.1.1")


def test_row_errors_are_listed_and_block_the_import(app: AppTest, database_url: str) -> None:
    text = "code,name,unit,digital_maturity\nX-1,One,HRMD,9\nX-2,Two,NOPE,2\n"
    _import_page(app, Upload("bad.csv", text.encode()))
    app.button(key="check_button").click().run()
    problems = app.dataframe[-1].value
    assert set(problems["row"]) == {2, 3}
    assert "2 error(s)" in _text(app, "error")
    assert not [b for b in app.button if b.key == "import_button"]
    assert "X-1" not in set(Catalogue.open(database_url).processes()["code"])


def test_what_to_do_is_listed_in_full_and_never_tells_to_type_a_command(app: AppTest) -> None:
    text = "code,name,unit,Comments\nX-1,One,NOPE,a\nx-1,One again,HRMD,b\nhr-rec,Twin,HRMD,c\n"
    _import_page(app, Upload("bad.csv", text.encode()))
    app.button(key="check_button").click().run()
    listed = _text(app, "markdown").replace("\\", "")  # as read: Markdown escapes removed
    for message in app.dataframe[-1].value["message"]:
        assert message in listed
    assert "row 3, column code (value x-1)" in listed and "appears also on row 2" in listed
    assert "the inventory already has the code HR-REC" in listed
    assert "dti " not in listed and "--map" not in listed


def test_a_refused_file_gets_a_readable_message(app: AppTest) -> None:
    _import_page(app, Upload("macro.xlsm", (CORPUS / "macro.xlsm").read_bytes()))
    assert "macro" in _text(app, "error")
    assert not app.exception


def test_our_export_workbook_reimports_as_an_upsert_with_nothing_to_change(
        app: AppTest, database_url: str) -> None:
    workbook = inventory_workbook(Catalogue.open(database_url).frames())
    _import_page(app, Upload("dti-inventory.xlsx", workbook))
    assert "export's sheets" in _text(app, "info")
    app.radio(key="mode").set_value("upsert").run()
    app.button(key="check_button").click().run()
    summary = app.dataframe[0].value.set_index("records")
    assert summary["created"].sum() == 0 and summary["updated"].sum() == 0
    assert summary.loc["processes", "unchanged"] >= 40


def test_the_export_page_offers_the_workbook_the_template_and_each_table(app: AppTest) -> None:
    app.switch_page("views/export_data.py").run()
    assert not app.exception
    keys = {element.key for element in app.get("download_button")}
    assert {"download_workbook", "download_template", "download_processes",
            "download_dependencies", "download_kpis", "download_assessments",
            "download_units"} <= keys


def test_a_workbook_with_a_cell_at_the_sheets_far_corner_is_refused_and_the_app_goes_on(
        app: AppTest) -> None:
    """This 6 KB file aborted the server's process when the page checked it."""
    _import_page(app, Upload("stray.xlsx", (CORPUS / "stray_cell.xlsx").read_bytes()))
    assert "XFD1048576" in _text(app, "error")
    app.switch_page("views/overview.py").run()
    assert not app.exception


def test_a_click_on_the_form_does_not_read_the_file_again(
        app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is read once for its preview and mapping; choosing the mode or the unit reruns
    the page from what was read. Another file is read anew."""
    import inventory.files.io

    reads: list[str] = []
    real = inventory.files.io.read_table
    monkeypatch.setattr(inventory.files.io, "read_table",
                        lambda upload, sheet=None: reads.append(upload.name) or real(upload, sheet))
    _import_page(app, Upload("one.csv", b"Ref,Title\nA-1,First\n"))
    app.radio(key="mode").set_value("upsert").run()
    app.selectbox(key="default_unit").set_value("HRMD").run()
    assert reads == ["one.csv"]
    app.session_state["upload"] = Upload("two.csv", b"Ref,Title\nB-1,Second\n")
    app.run()
    assert reads == ["one.csv", "two.csv"]
    assert app.selectbox(key="map:Title").value == "name"
