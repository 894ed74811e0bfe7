"""The History page: audit filters, one process's history, deleted items restored by an admin
only, and the audit log downloaded with formula-like text neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.errors import PermissionDenied
from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import start

PAGE = "views/history.py"


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """File name -> bytes of every download button drawn (AppTest keeps no file contents);
    a file built only when clicked is built here as a click would."""
    files: dict[str, bytes] = {}
    original = MediaFileManager.add

    def add(self: MediaFileManager, data: bytes | str, mimetype: str, coordinates: str,
            file_name: str | None = None, **options: Any) -> str:
        if file_name is not None and isinstance(data, bytes):
            files[file_name] = data
        return original(self, data, mimetype, coordinates, file_name, **options)

    def add_deferred(self: MediaFileManager, data_callable: Callable[[], bytes | str],
                     mimetype: str | None, coordinates: str, file_name: str | None = None,
                     **options: Any) -> str:
        if file_name is not None:
            data = data_callable()
            files[file_name] = data.encode("utf-8") if isinstance(data, str) else data
        return original_deferred(self, data_callable, mimetype, coordinates, file_name,
                                 **options)

    original_deferred = MediaFileManager.add_deferred
    monkeypatch.setattr(MediaFileManager, "add", add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return files


def _history(app: AppTest) -> AppTest:
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def _audit_table(app: AppTest) -> pd.DataFrame:
    """The filtered audit log (the page's first table)."""
    return next(d.value for d in app.dataframe if "New value" in d.value.columns)


def _process_table(app: AppTest) -> pd.DataFrame:
    """The chosen process's history (the second table with the audit columns)."""
    return [d.value for d in app.dataframe if "New value" in d.value.columns][1]


def _deleted_table(app: AppTest) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if "Deleted by" in d.value.columns)


def _text(app: AppTest, element: str) -> str:
    return " ".join(str(e.value) for e in getattr(app, element))


def _leaf(catalogue: Catalogue) -> str:
    """A live process without sub-processes (one that can be deleted)."""
    processes = catalogue.processes()
    parents = set(processes["parent_code"].dropna())
    return str(next(code for code in processes["code"] if code not in parents))


def test_filters_narrow_the_audit_table_to_one_persons_edit(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    app = start(database_url, monkeypatch)
    reader.update_process("HR-REC", {"name": "Recruitment, renamed by Carla"}, None,
                          by("carla", Role.analyst))
    _history(app)
    assert len(_audit_table(app)) == 500  # the sample alone has more
    assert "More than 500 events match" in _text(app, "caption")

    app.multiselect(key="audit_who").set_value(["carla"]).run()
    table = _audit_table(app)
    assert list(table["Who"]) == ["carla"]
    assert (table["Record"].iloc[0], table["Field"].iloc[0]) == ("HR-REC", "name")
    assert "1 event(s) match" in _text(app, "caption")

    app.multiselect(key="audit_who").set_value([])
    app.multiselect(key="audit_what").set_value(["create"])
    app.text_input(key="audit_key").input("hr-rec-0").run()
    table = _audit_table(app)
    expected = reader.audit_log(action="create", key_contains="HR-REC-0")
    assert list(table["Record"]) == list(expected["entity_key"])
    assert {"HR-REC-01", "HR-REC-04"} <= set(table["Record"])
    assert set(table["What"]) == {"create"}
    assert all("HR-REC-0" in key for key in table["Record"])
    app.multiselect(key="audit_kind").set_value(["scenario"]).run()
    assert "No event matches these filters" in _text(app, "info")

    app.multiselect(key="audit_kind").set_value([])
    app.multiselect(key="audit_what").set_value(["update"])
    app.text_input(key="audit_key").input("")
    newest = reader.audit_log(limit=1)["at"].iloc[0].date()
    app.date_input(key="audit_from").set_value(newest)
    app.date_input(key="audit_to").set_value(newest).run()  # both days included
    assert list(_audit_table(app)["Who"]) == ["carla"]
    app.date_input(key="audit_from").set_value(newest + dt.timedelta(days=1)).run()
    assert "No event matches these filters" in _text(app, "info")


def test_process_history_shows_an_edit_of_the_process(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    app = start(database_url, monkeypatch)
    reader.update_process("HR-REC", {"process_owner": "Chief, Talent"}, None, by("dora"))
    _history(app).selectbox(key="history_code").set_value("HR-REC").run()
    table = _process_table(app)
    newest = table.iloc[0]
    assert (newest["Who"], newest["Field"], newest["New value"]) == (
        "dora", "process_owner", "Chief, Talent")
    assert len(table) == len(reader.history("HR-REC"))


def test_an_admin_restores_a_deleted_process_from_the_page(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    app = start(database_url, monkeypatch)
    code = _leaf(reader)
    reader.delete_process(code, by("setup"))
    _history(app)
    shown = _deleted_table(app)
    assert (shown["Kind"].iloc[0], shown["Record"].iloc[0]) == ("process", code)
    app.selectbox(key="restore_pick").set_value(f"process · {code}").run()
    app.button(key="restore_item").click().run()
    assert not app.exception, app.exception
    assert f"Restored process {code}." in _text(app, "success")
    assert reader.process(code).record["deleted_at"] is None
    restore = reader.audit_log(action="restore", key_contains=code)
    assert list(restore["actor"]) == ["ana"]


@pytest.mark.parametrize("role", [Role.viewer, Role.analyst])
def test_other_roles_see_no_restore_and_the_service_refuses_them(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue,
        role: Role) -> None:
    app = start(database_url, monkeypatch, name="vic", role=role)
    code = _leaf(reader)
    reader.delete_process(code, by("setup"))
    _history(app)
    assert code in list(_deleted_table(app)["Record"])
    assert not [b for b in app.button if b.key == "restore_item"]
    assert not [s for s in app.selectbox if s.key == "restore_pick"]
    assert "Only an admin can restore them" in _text(app, "caption")
    with pytest.raises(PermissionDenied, match="may not restore deleted items"):
        reader.restore_process(code, by("vic", role))
    assert reader.process(code).record["deleted_at"] is not None


def test_the_csv_download_holds_the_filtered_rows_with_formulas_neutralised(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue,
        downloads: dict[str, bytes]) -> None:
    app = start(database_url, monkeypatch)
    reader.update_process("HR-REC", {"name": "=HYPERLINK(\"http://x\")"}, None, by("mallory"))
    reader.update_process("MEM-IDM", {"pain_points": "+1 manual step"}, None, by("mallory"))
    _history(app).multiselect(key="audit_who").set_value(["mallory"]).run()
    shown = _audit_table(app)
    assert len(shown) == 2
    name = next(n for n in downloads if n.startswith("dti-audit-") and n.endswith(".csv"))
    rows = list(csv.DictReader(io.StringIO(downloads[name].decode("utf-8"))))
    assert [row["actor"] for row in rows] == ["mallory", "mallory"]
    assert [row["entity_key"] for row in rows] == list(shown["Record"])
    assert {row["new_value"] for row in rows} == {"'=HYPERLINK(\"http://x\")",
                                                  "'+1 manual step"}
    assert any(n.endswith(".xlsx") for n in downloads)


def test_a_restored_records_name_is_never_rendered_as_an_image_or_a_link(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    """A KPI named with Markdown image syntax made the admin's browser fetch the image from
    History's notice after a restore."""
    name = "![x](http://evil.example/x.png) [see](http://evil.example)"
    kpi = reader.add_kpi({"process_code": "HR-REC", "name": name}, by("ana"))
    reader.delete_kpi(kpi["id"], by("ana"))
    app = start(database_url, monkeypatch)
    _history(app)
    pick = app.selectbox(key="restore_pick")
    pick.set_value(next(option for option in pick.options if "evil" in option)).run()
    app.button(key="restore_item").click().run()
    notice = _text(app, "success")
    assert "Restored" in notice
    assert not re.search(r"(?<!\\)!?(?<!\\)\[[^\]]*(?<!\\)\]\(", notice), notice


def test_an_admin_restores_a_deleted_initiative_and_deliverable_from_the_page(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    book = reader.initiatives
    book.add({"code": "INI/7", "name": "Events"}, by("setup"))
    book.add_deliverable({"initiative_code": "INI/7", "milestone": "C26", "text": "Pilot"},
                         by("setup"))
    book.delete_deliverable("INI/7", "D1", by("setup"))
    book.delete("INI/7", by("setup"))
    app = start(database_url, monkeypatch)
    _history(app)
    shown = _deleted_table(app)
    assert list(shown["Kind"].head(2)) == ["initiative", "deliverable"]
    for label in ("initiative · INI/7", "deliverable · INI/7/D1"):
        app.selectbox(key="restore_pick").set_value(label).run()
        app.button(key="restore_item").click().run()
        assert not app.exception, app.exception
    assert [d["ref"] for d in book.get("INI/7")["deliverables"]] == ["D1"]
    assert book.get("INI/7")["deleted_at"] is None
