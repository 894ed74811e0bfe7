"""Saved scenarios (versioned, audited, soft-deleted) and append-only decision snapshots."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.services import Catalogue
from inventory.services.scenarios import canonical_json, content_hash
from tests.support import by, snapshot


def test_a_scenario_is_saved_read_and_changed_with_a_version_check(catalogue: Catalogue) -> None:
    book = catalogue.scenarios
    saved = book.add("Members first", {"method": "wsm", "weights": {"member_experience": 5}},
                     by("ana"))
    assert saved["version"] == 1 and saved["settings"]["weights"] == {"member_experience": 5}
    changed = book.update("members FIRST", {"method": "topsis"}, 1, by("bob"))
    assert changed["version"] == 2 and changed["method"] == "topsis"
    with pytest.raises(Conflict, match=r"changed by bob .* after you read version 1"):
        book.update("Members first", {"method": "wpm"}, 1, by("cy"))
    assert book.get("Members first")["method"] == "topsis"
    log = catalogue.audit_log()
    assert {"create", "update"} <= set(log.loc[log["entity"] == "scenario", "action"])


def test_names_are_unique_deleted_scenarios_can_be_restored(catalogue: Catalogue) -> None:
    book = catalogue.scenarios
    book.add("Budget 2M", {}, by("ana"))
    before = snapshot(catalogue)
    with pytest.raises(Conflict, match="already exists"):
        book.add("budget 2m", {}, by("bob"))
    with pytest.raises(InvalidInput, match="needs a name"):
        book.add("   ", {}, by("bob"))
    assert snapshot(catalogue) == before
    book.delete("Budget 2M", by("ana"))
    assert book.list().empty
    with pytest.raises(NotFound, match="deleted: restore it first"):
        book.get("Budget 2M")
    book.restore("Budget 2M", by("ana"))
    assert book.list()["name"].tolist() == ["Budget 2M"]


def test_a_snapshot_keeps_its_content_and_hash_and_cannot_be_changed(
        catalogue: Catalogue) -> None:
    book = catalogue.scenarios
    book.add("Decision", {}, by("ana"))
    content = {"results": [1.5, None, "x"], "b": {"z": 1, "a": 2}}
    record = book.snapshot("Decision", "Task force, 3 March", content, by("ana"))
    assert record["content_hash"] == content_hash(content)
    stored = book.snapshot_record(record["id"])
    assert stored["content"] == content and stored["intact"]
    assert book.snapshots("Decision")["label"].tolist() == ["Task force, 3 March"]
    with pytest.raises(DBAPIError), catalogue.engine.begin() as conn:
        conn.execute(text("UPDATE snapshots SET label = 'edited'"))
    with pytest.raises(DBAPIError), catalogue.engine.begin() as conn:
        conn.execute(text("DELETE FROM snapshots"))
    assert book.snapshot_record(record["id"])["label"] == "Task force, 3 March"
    with pytest.raises(NotFound, match="no snapshot 99"):
        book.snapshot_record(99)
    with pytest.raises(NotFound, match="saved scenarios: Decision"):
        book.snapshot("Other", "", {}, by("ana"))


def test_the_hash_is_taken_over_one_canonical_text() -> None:
    assert canonical_json({"b": 1, "a": [1.0, None]}) == '{"a":[1.0,null],"b":1}'
    assert content_hash({"b": 1, "a": 2}) == content_hash({"a": 2, "b": 1})
    with pytest.raises(InvalidInput, match="cannot be stored as JSON"):
        canonical_json({"a": float("nan")})
