"""The roadmap in the inventory workbook: Initiatives and Deliverables sheets export, import
(insert and upsert, keyed by code and by code and ref in any case), report every problem at its
cell and write nothing then, and round-trip exactly."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from inventory.access import Role
from inventory.errors import PermissionDenied
from inventory.files.export import SHEETS, inventory_workbook
from inventory.files.importing import ImportOptions
from inventory.files.io import Upload
from inventory.services import Catalogue, ImportResult
from tests.support import by, snapshot

ROADMAP = ("initiatives", "deliverables")
KEPT = {"initiatives": list(SHEETS["Initiatives"]), "deliverables": list(SHEETS["Deliverables"])}


def workbook(**rows: list[dict[str, Any]]) -> bytes:
    """A workbook of ours whose roadmap sheets hold ``rows`` per kind (the others are empty)."""
    frames: dict[str, pd.DataFrame] = {}
    for kind, records in rows.items():
        columns = SHEETS[kind.capitalize()]
        frames[kind] = pd.DataFrame([{c: r.get(c) for c in columns} for r in records],
                                    columns=list(columns))
    return inventory_workbook(frames)


def run(catalogue: Catalogue, data: bytes, *, mode: str = "upsert",
        role: Role = Role.admin) -> ImportResult:
    return catalogue.import_file(Upload("roadmap.xlsx", data), ImportOptions(),
                                 mode=mode, actor=by("ana", role), force=True)  # type: ignore[arg-type]


def errors(result: ImportResult) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in p.items()} for p in result.problems.to_dict("records")
            if p["severity"] == "error"]


def roadmap(catalogue: Catalogue) -> dict[str, pd.DataFrame]:
    frames = catalogue.frames()
    return {kind: frames[kind][KEPT[kind]].sort_values(KEPT[kind][:2], ignore_index=True)
            for kind in ROADMAP}


@pytest.fixture
def planned(small_catalogue: Catalogue) -> Catalogue:
    """The small catalogue with a KPI and a roadmap: REC (on HR-REC and its KPI, with two
    deliverables), OLD combined into REC, and PART split from REC."""
    catalogue = small_catalogue
    catalogue.add_kpi({"process_code": "HR-REC", "name": "Time to hire"}, by("ana"))
    result = run(catalogue, workbook(initiatives=[
        {"code": "REC", "name": "Faster recruitment", "status": "ongoing", "unit": "hrmd",
         "processes": "hr-rec; HR-REC-01", "kpis": "hr-rec: time  to hire", "budget_chf": 1200},
        {"code": "OLD", "name": "E-recruitment", "status": "revised",
         "status_reason": "combined into REC", "combined_into": "rec"},
        {"code": "PART", "name": "Screening", "split_from": "REC", "studies": "Skills gap"},
    ], deliverables=[
        {"initiative_code": "rec", "ref": "D1", "milestone": "C26", "text": "Pilot running",
         "status": "done", "evidence": "https://example.org/pilot"},
        {"initiative_code": "REC", "ref": "D2", "milestone": "2027-03-31", "text": "Roll-out"},
    ]), mode="insert")
    assert result.imported, errors(result)
    return catalogue


def test_an_import_creates_initiatives_with_links_lineage_and_deliverables(
        planned: Catalogue) -> None:
    frame = planned.initiatives.initiatives().set_index("code")
    assert frame.loc["REC", "processes"] == "HR-REC; HR-REC-01"  # spelled as stored
    assert frame.loc["REC", "kpis"] == "HR-REC: Time to hire"
    assert frame.loc["REC", "unit"] == "HRMD" and frame.loc["REC", "budget_chf"] == 1200
    assert (frame.loc["OLD", "lineage"], frame.loc["OLD", "combined_into"]) == ("combined", "REC")
    assert frame.loc["PART", "split_from"] == "REC"
    assert planned.initiatives.lineage("REC")["absorbed"] == ["OLD"]
    deliverables = planned.initiatives.deliverables("REC").set_index("ref")
    assert deliverables.loc["D1", "status"] == "done"
    assert deliverables.loc["D2", "milestone"] == "2027-03-31"
    assert deliverables.loc["D2", "status"] == "on_track"
    events = planned.audit_log()
    made = events[events["entity"].isin(["initiative", "deliverable"])]
    assert set(zip(made["entity"], made["entity_key"], made["action"], strict=True)) == {
        ("initiative", "REC", "create"), ("initiative", "OLD", "create"),
        ("initiative", "PART", "create"), ("deliverable", "REC/D1", "create"),
        ("deliverable", "REC/D2", "create")}


def test_the_export_re_imported_with_upsert_changes_nothing(planned: Catalogue) -> None:
    before = snapshot(planned)
    result = run(planned, inventory_workbook(planned.frames()), role=Role.analyst)
    assert result.imported, errors(result)  # an analyst may: it changes no initiative
    counts = {kind: (c.created, c.updated, c.unchanged) for kind, c in result.counts.items()}
    assert counts["initiatives"] == (0, 0, 3) and counts["deliverables"] == (0, 0, 2)
    bookkeeping = {"imports", "catalogue_revision", "table_revisions"}  # the import's record
    after = snapshot(planned)
    assert {t: rows for t, rows in after.items() if t not in bookkeeping} == \
        {t: rows for t, rows in before.items() if t not in bookkeeping}


def test_the_export_imported_into_an_empty_database_gives_the_same_roadmap(
        planned: Catalogue, tmp_path: Path) -> None:
    other = Catalogue.open(f"sqlite:///{tmp_path}/other.db")
    try:
        result = run(other, inventory_workbook(planned.frames()), mode="insert")
        assert result.imported, errors(result)
        assert result.counts["initiatives"].created == 3
        for kind, frame in roadmap(other).items():
            pd.testing.assert_frame_equal(frame, roadmap(planned)[kind])
    finally:
        other.engine.dispose()


def test_upsert_by_code_and_ref_in_any_case_updates_and_audits_like_the_app(
        planned: Catalogue) -> None:
    result = run(planned, workbook(initiatives=[
        {"code": "rec", "name": "Faster recruitment", "status": "ongoing", "unit": "HRMD",
         "processes": "HR-REC", "kpis": "HR-REC: Time to hire", "budget_chf": 1200},
    ], deliverables=[
        {"initiative_code": "Rec", "ref": "d2", "milestone": "2027-03-31", "text": "Roll-out",
         "status": "at_risk"},
    ]))
    assert result.imported, errors(result)
    assert (result.counts["initiatives"].updated, result.counts["deliverables"].updated) == (1, 1)
    record = planned.initiatives.get("REC")
    assert record["processes"] == "HR-REC" and record["version"] == 2
    assert [d["status"] for d in record["deliverables"]] == ["done", "at_risk"]
    history = planned.initiatives.history("REC")
    changed = history[history["action"] == "update"]
    assert set(zip(changed["entity_key"], changed["field"], strict=True)) == {
        ("REC", "processes"), ("REC/D2", "status")}
    old, new = changed[changed["field"] == "processes"][["old_value", "new_value"]].iloc[0]
    assert (old, new) == ("HR-REC; HR-REC-01", "HR-REC")


def test_every_problem_is_one_row_at_its_cell_and_nothing_is_written(
        planned: Catalogue) -> None:
    before = snapshot(planned)
    data = workbook(initiatives=[
        {"code": "A", "name": "Unknown process", "processes": "HR; NOPE"},
        {"code": "B", "name": "Unknown KPI", "kpis": "HR-REC: Speed"},
        {"code": "C", "name": "Bad status", "status": "stalled"},
        {"code": "D", "name": "Revised without reason", "status": "revised"},
        {"code": "E", "name": "Combined into nothing", "combined_into": "GHOST"},
    ], deliverables=[
        {"initiative_code": "NOBODY", "ref": "D1", "milestone": "C26", "text": "Orphan"},
        {"initiative_code": "A", "ref": "D1", "milestone": "C27", "text": "Bad milestone"},
        {"initiative_code": "A", "ref": "D2", "milestone": "PP-26", "text": "Bad evidence",
         "evidence": "shared drive"},
    ])
    for dry_run in (True, False):
        result = planned.import_file(Upload("roadmap.xlsx", data), ImportOptions(),
                                     mode="upsert", actor=by("ana", Role.admin), force=True,
                                     dry_run=dry_run)
        assert not result.imported
        found = {(p["sheet"], p["row"], p["column"],
                  None if pd.isna(p["value"]) else p["value"]): p["message"]
                 for p in errors(result)}
        assert len(found) == len(errors(result)) == 8, errors(result)
        assert "no process has the code 'NOPE'" in found["Initiatives", 2, "processes", "NOPE"]
        assert "no KPI 'Speed'" in found["Initiatives", 3, "kpis", "HR-REC: Speed"]
        assert "is not one of" in found["Initiatives", 4, "status", "stalled"]
        assert "needs a status_reason" in found["Initiatives", 5, "status_reason", None]
        assert "no initiative has the code 'GHOST'" in \
            found["Initiatives", 6, "combined_into", "GHOST"]
        assert "no initiative has the code 'NOBODY'" in \
            found["Deliverables", 2, "initiative_code", "NOBODY"]
        assert "not a milestone" in found["Deliverables", 3, "milestone", "C27"]
        assert "not a link" in found["Deliverables", 4, "evidence", "shared drive"]
        assert snapshot(planned) == before


def test_insert_refuses_existing_initiatives_and_a_loop_of_lineage(planned: Catalogue) -> None:
    before = snapshot(planned)
    result = run(planned, workbook(initiatives=[
        {"code": "rec", "name": "Again"},
        {"code": "X", "name": "Ex", "split_from": "Y"},
        {"code": "Y", "name": "Why", "combined_into": "X"},
    ], deliverables=[]), mode="insert")
    messages = {(p["row"], p["column"]): p["message"] for p in errors(result)}
    assert "initiative REC already exists" in messages[2, "code"]
    assert "loop" in messages[3, "code"] and "loop" in messages[4, "code"]
    assert snapshot(planned) == before


def test_an_analyst_may_not_change_initiatives_through_a_workbook(planned: Catalogue) -> None:
    """One by one an analyst may not create or change initiatives (leadership decides them);
    neither through the workbook: refused at the sheet, nothing written. Deliverables they
    track, so a file that only adds deliverables imports."""
    before = snapshot(planned)
    refused = run(planned, workbook(initiatives=[{"code": "NEW", "name": "New"}]),
                  role=Role.analyst)
    assert not refused.imported and snapshot(planned) == before
    assert [(e["sheet"], e["message"]) for e in errors(refused)] == [(
        "Initiatives", "ana (analyst) may not create, edit, combine and split roadmap "
        "initiatives: this file would create 1 and change 0 of them, which needs the "
        "leadership or admin role; remove those rows or ask someone with it to import the "
        "file")]
    added = run(planned, workbook(deliverables=[
        {"initiative_code": "REC", "ref": "D3", "milestone": "PP-26", "text": "Scale up"}]),
        role=Role.analyst)
    assert added.imported, errors(added)


def test_importing_the_roadmap_is_importing_data_a_viewer_may_not(planned: Catalogue) -> None:
    with pytest.raises(PermissionDenied):
        run(planned, inventory_workbook(planned.frames()), role=Role.viewer)


def test_a_workbook_of_the_roadmap_sheets_alone_imports(planned: Catalogue) -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook(initiatives=[
        {"code": "NEW", "name": "New one", "processes": "FIN"}], deliverables=[
        {"initiative_code": "NEW", "ref": "D1", "milestone": "PP-26", "text": "Done by PP"}])))
    for name in ("Processes", "Dependencies", "KPIs", "Assessments", "Units"):
        del book[name]
    data = io.BytesIO()
    book.save(data)
    result = run(planned, data.getvalue(), mode="insert")
    assert result.imported, errors(result)
    assert planned.initiatives.get("NEW")["deliverables"][0]["text"] == "Done by PP"
