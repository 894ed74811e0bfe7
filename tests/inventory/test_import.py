"""Importing spreadsheets: dry run, all or nothing, problem report, upsert, mappings, APQC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inventory.errors import CatalogueError, Conflict
from inventory.files.importing import ImportOptions, load_mapping, read_import
from inventory.files.io import Limits, Upload
from inventory.services import Catalogue, ImportResult
from tests.frameworks import APQC_CROSS_INDUSTRY as APQC
from tests.frameworks import LONG_NAME, ROWS, glossary_text, industry_workbook
from tests.support import by, snapshot

CORPUS = Path(__file__).resolve().parents[1] / "data" / "import_corpus"
REFUSED_FILES = ["empty.csv", "blank.csv", "header_only.csv", "header_only.xlsx", "cp1252.csv",
                 "utf16.csv", "macro.xlsm", "vba_inside.xlsx", "legacy.xls", "not_really.xlsx",
                 "csv_named_zip.csv", "zip_not_excel.xlsx", "zip_bomb.xlsx", "damaged.xlsx",
                 "corrupt_workbook.xlsx", "corrupt_sheet.xlsx", "lying_sizes.xlsx"]




def upload(name: str, text: str) -> Upload:
    return Upload(name, text.encode("utf-8"))


def run(catalogue: Catalogue, file: Upload, *, mode: str = "insert", dry_run: bool = False,
        **options: Any) -> ImportResult:
    return catalogue.import_file(file, ImportOptions(**options), mode=mode,  # type: ignore[arg-type]
                                 actor=by("ana"), dry_run=dry_run)


def problems(result: ImportResult) -> list[dict[str, Any]]:
    return list(result.problems.to_dict("records"))


@pytest.fixture
def units(catalogue: Catalogue) -> Catalogue:
    catalogue.add_unit({"code": "HRMD", "name": "Human Resources"}, by("ana"))
    catalogue.add_unit({"code": "FRMD", "name": "Financial Resources"}, by("ana"))
    return catalogue


def test_a_dry_run_reports_counts_and_changes_nothing(units: Catalogue) -> None:
    before = snapshot(units)
    data = (CORPUS / "good_processes.csv").read_bytes()
    result = run(units, Upload("good_processes.csv", data), dry_run=True)
    assert result.errors == 0 and not result.imported
    assert result.counts["processes"].created == 5
    assert snapshot(units) == before


def test_a_good_file_imports_whole_with_hierarchy_and_audit(units: Catalogue) -> None:
    data = (CORPUS / "good_with_title.xlsx").read_bytes()
    result = run(units, Upload("good_with_title.xlsx", data), dependencies_sheet="Dependencies")
    assert result.imported and result.errors == 0
    assert result.counts["processes"].created == 5
    assert result.counts["dependencies"].created >= 1
    frame = units.processes().set_index("code")
    assert frame.loc["HR-REC", "parent_code"] == "HR" and frame.loc["HR-REC", "level"] == 2
    assert set(units.audit_log()["actor"]) == {"ana"}
    assert len(units.imports()) == 1


def test_every_row_problem_is_reported_with_its_cell_and_nothing_is_stored(
        units: Catalogue) -> None:
    units.add_process({"code": "OLD", "name": "Existing", "unit": "HRMD"}, by("ana"))
    before = snapshot(units)
    text = ("code,name,unit,digital_maturity,transformation_status,annual_volume\n"
            "A,Alpha,HRMD,7,ongoing,10\n"            # maturity out of range
            "B,Beta,HRMD,3,in progres,10\n"          # unknown status, did you mean
            "C,Gamma,HRMD,3,planned,lots\n"          # wrong type
            "A,Alpha again,HRMD,3,planned,1\n"       # duplicate code in the file
            "OLD,Clash,HRMD,3,planned,1\n"           # exists in the database (insert mode)
            "D,Delta,NOPE,3,planned,1\n")            # unknown unit
    result = run(units, upload("bad.csv", text))
    assert not result.imported
    found = {(p["row"], p["column"]): p["message"] for p in problems(result)
             if p["severity"] == "error"}
    assert "must be 5 or less" in found[(2, "digital_maturity")]
    assert "Did you mean 'ongoing'" in found[(3, "transformation_status")]
    assert "whole number" in found[(4, "annual_volume")]
    assert "appears also on row 2" in found[(5, "code")]
    assert "already exists" in found[(6, "code")] and "upsert" in found[(6, "code")]
    assert "no unit 'NOPE'" in found[(7, "unit")]
    assert snapshot(units) == before


def test_dependency_problems_are_reported(units: Catalogue) -> None:
    processes = "code,name,unit\nP1,One,HRMD\nP2,Two,HRMD\n"
    links = ("upstream_code,downstream_code,kind,strength\n"
             "P1,P2,handoff,3\nP1,P1,handoff,2\nP1,GHOST,data,1\nP2,P1,trigger,9\n")
    before = snapshot(units)
    result = units.import_file(upload("p.csv", processes), ImportOptions(), mode="insert",
                               actor=by("ana"), dependencies=upload("links.csv", links))
    messages = [p["message"] for p in problems(result) if p["severity"] == "error"]
    assert any("cannot depend on itself" in m for m in messages)
    assert any("'GHOST' is not a process" in m for m in messages)
    assert any("strength" in m for m in messages)
    assert snapshot(units) == before


def test_upsert_updates_changed_rows_audits_them_and_keeps_unmapped_fields(
        units: Catalogue) -> None:
    run(units, upload("v1.csv", "code,name,unit,process_owner\nP1,One,HRMD,Chief\n"
                                "P2,Two,HRMD,Head\n"))
    result = run(units, upload("v2.csv", "code,name\nP1,One renamed\nP2,Two\nP3,Three\n"),
                 mode="upsert", defaults={"unit": "FRMD"})
    assert (result.counts["processes"].created, result.counts["processes"].updated,
            result.counts["processes"].unchanged) == (1, 1, 1)
    record = units.process("P1").record
    assert record["name"] == "One renamed" and record["process_owner"] == "Chief"
    assert record["version"] == 2 and units.process("P3").record["unit"] == "FRMD"
    history = units.history("P1")
    assert list(history["field"].dropna()) == ["name"]


def test_the_same_file_twice_needs_force(units: Catalogue) -> None:
    file = upload("p.csv", "code,name,unit\nP1,One,HRMD\n")
    run(units, file)
    with pytest.raises(Conflict, match="already imported"):
        run(units, file, mode="upsert")
    result = units.import_file(file, ImportOptions(), mode="upsert", actor=by("ana"), force=True)
    assert result.imported and result.counts["processes"].unchanged == 1


def test_dotted_codes_make_the_hierarchy_and_a_missing_level_is_a_warning(
        units: Catalogue) -> None:
    text = "code,name\n1.0,Vision\n1.1,Concept\n1.1.1,Assess\n1.2.1,Orphan\n"
    result = run(units, upload("d.csv", text), defaults={"unit": "HRMD"})
    assert result.imported
    frame = units.processes().set_index("code")
    assert frame.loc["1.1", "parent_code"] == "1.0" and frame.loc["1.1.1", "parent_code"] == "1.1"
    assert frame.loc["1.2.1", "parent_code"] == "1.0"
    warnings = [p for p in problems(result) if p["severity"] == "warning"]
    assert any("level 1.2 is missing above 1.2.1" in p["message"] for p in warnings)


def test_references_in_a_text_column_become_dependencies(units: Catalogue) -> None:
    text = ("code,name,unit,external_reference,inputs\n"
            "A,Alpha,HRMD,101,\nB,Beta,HRMD,102,uses [101]\nC,Gamma,HRMD,103,needs [101] [102]\n")
    result = run(units, upload("r.csv", text), reference_column="inputs")
    assert result.imported, problems(result)
    deps = units.dependencies()
    assert set(zip(deps["upstream_code"], deps["downstream_code"], strict=True)) == {
        ("A", "B"), ("A", "C"), ("B", "C")}


def test_a_required_column_missing_for_new_rows_is_explained(units: Catalogue) -> None:
    result = run(units, upload("n.csv", "code,name\nP1,One\n"))
    assert any("unit" in p["message"] and p["row"] == 2 for p in problems(result))
    assert not result.imported


def test_unmapped_columns_are_ignored_with_a_note_and_mapping_works(units: Catalogue) -> None:
    text = "Ref,Title,Dept,Colour\nP1,One,HRMD,red\n"
    result = run(units, upload("m.csv", text), mapping={"code": "Ref", "unit": "Dept"})
    assert result.imported
    assert units.process("P1").record["name"] == "One"  # "Title" is an alias of name
    notes = [p for p in problems(result) if p["severity"] == "warning"]
    assert [p["column"] for p in notes] == ["Colour"]


@pytest.mark.parametrize("name", REFUSED_FILES)
def test_every_bad_file_is_refused_before_anything_changes(units: Catalogue, name: str) -> None:
    before = snapshot(units)
    with pytest.raises(CatalogueError) as refused:
        run(units, Upload(name, (CORPUS / name).read_bytes()))
    assert name in str(refused.value) and "\n" not in str(refused.value)
    assert snapshot(units) == before


def test_size_and_row_limits(units: Catalogue) -> None:
    data = (CORPUS / "good_processes.csv").read_bytes()
    with pytest.raises(CatalogueError, match="row limit"):
        units.import_file(Upload("g.csv", data), ImportOptions(), mode="insert", actor=by("ana"),
                          limits=Limits(max_rows=3))


def test_the_apqc_framework_imports_with_its_saved_mapping(catalogue: Catalogue) -> None:
    catalogue.add_unit({"code": "SPM", "name": "Strategic Planning"}, by("ana"))
    file = Upload(APQC.name, APQC.read_bytes())
    result = catalogue.import_file(
        file, ImportOptions(sheet="Combined", hierarchy="dotted", defaults={"unit": "SPM"},
                            mapping={"code": "Hierarchy ID", "name": "Name",
                                     "description": "Element Description",
                                     "external_reference": "PCF ID"}),
        mode="insert", actor=by("ana"))
    assert result.imported and result.errors == 0
    frame = catalogue.processes()
    assert len(frame) == 1921 and frame["level"].max() == 5
    row = frame.set_index("code").loc["1.1.1"]
    assert row["parent_code"] == "1.1" and row["name"] == "Assess the external environment"
    assert catalogue.process("1.1").record["parent_code"] == "1.0"


@pytest.mark.parametrize(("key", "text"), [("PCF ID", "Element Description"),
                                           ("Hierarchy ID", "Definition")])
def test_an_industry_framework_imports_with_the_saved_mapping_descriptions_from_its_glossary(
        catalogue: Catalogue, key: str, text: str) -> None:
    """APQC's industry PCFs: a 209-character name, no description column in 'Combined', the
    texts in 'Glossary terms', matched by whichever identifier the glossary carries."""
    catalogue.add_unit({"code": "BNK", "name": "Banking"}, by("ana"))
    options = ImportOptions(**load_mapping("apqc-pcf") | {"defaults": {"unit": "BNK"}})

    result = catalogue.import_file(Upload("banking-pcf.xlsx", industry_workbook(key, text)),
                                   options, mode="insert", actor=by("ana"))

    assert result.imported and result.errors == 0, problems(result)
    frame = catalogue.processes().set_index("code")
    assert len(frame) == len(ROWS) and frame.loc["1.1.1", "name"] == LONG_NAME
    assert frame.loc["1.1.1", "parent_code"] == "1.1" and frame.loc["1.1", "level"] == 2
    for _, code, _, _ in ROWS:
        assert catalogue.process(code).record["description"] == glossary_text(code)
    assert frame.loc["1.1.1", "external_reference"] == "21501"
    unmatched = [p for p in problems(result) if p["sheet"] == "Glossary terms"]
    assert [(p["severity"], p["column"]) for p in unmatched] == [("warning", key)]
    assert "1 of 5 processes of sheet 'Combined' have no text here" in unmatched[0]["message"]


@pytest.mark.parametrize(("book", "reason"), [
    (industry_workbook("Term"), "sheet 'Glossary terms' has no column 'PCF ID' or 'Hierarchy ID' "
                                "to match its texts with the processes; its columns are Term, "
                                "Name, Element Description"),
    (industry_workbook(glossary_filled=False), "banking-pcf.xlsx: sheet 'Glossary terms' is "
                                               "empty"),
], ids=["no identifier", "empty"])
def test_a_glossary_that_cannot_be_read_leaves_descriptions_unknown_and_says_why(
        catalogue: Catalogue, book: bytes, reason: str) -> None:
    catalogue.add_unit({"code": "BNK", "name": "Banking"}, by("ana"))
    options = ImportOptions(**load_mapping("apqc-pcf") | {"defaults": {"unit": "BNK"}})

    result = catalogue.import_file(Upload("banking-pcf.xlsx", book), options, mode="insert",
                                   actor=by("ana"))

    assert result.imported and result.errors == 0, problems(result)
    assert len(catalogue.processes()) == len(ROWS)
    assert catalogue.processes()["description"].isna().all()
    said = [p["message"] for p in problems(result) if p["sheet"] == "Glossary terms"]
    assert said == [f"descriptions not imported: {reason}"]


ROW_ERRORS = Path(__file__).resolve().parents[1] / "data" / "row_errors"


@pytest.mark.parametrize(("name", "links", "row", "column", "words"), [
    ("wrong_type.csv", None, 2, "annual_volume", "must be a whole number"),
    ("out_of_range.csv", None, 2, "digital_maturity", "must be 5 or less"),
    ("duplicate_code.csv", None, 3, "code", "appears also on row 2"),
    ("code_clash.csv", None, 2, "code", "already exists; import with mode upsert"),
    ("unknown_enum.csv", None, 2, "pillar", "Did you mean 'governance'"),
    ("two_processes.csv", "dangling_dependency.csv", 2, "downstream_code",
     "'GHOST' is not a process"),
    ("two_processes.csv", "self_dependency.csv", 2, None, "cannot depend on itself"),
])
def test_each_row_error_file_is_reported_and_changes_nothing(
        units: Catalogue, name: str, links: str | None, row: int, column: str | None,
        words: str) -> None:
    units.add_process({"code": "HR", "name": "Human resources", "unit": "HRMD"}, by("ana"))
    before = snapshot(units)
    second = Upload(links, (ROW_ERRORS / links).read_bytes()) if links else None
    result = units.import_file(Upload(name, (ROW_ERRORS / name).read_bytes()), ImportOptions(),
                               mode="insert", actor=by("ana"), dependencies=second)
    errors = [p for p in problems(result) if p["severity"] == "error"]
    assert len(errors) == 1 and not result.imported
    assert (errors[0]["row"], errors[0]["column"]) == (row, column)
    assert words in errors[0]["message"]
    assert snapshot(units) == before


def test_codes_differing_only_in_case_are_refused_in_the_file_and_against_the_inventory(
        units: Catalogue) -> None:
    units.add_process({"code": "HR-REC", "name": "Recruitment", "unit": "HRMD"}, by("ana"))
    units.add_process({"code": "OLD", "name": "Retired", "unit": "HRMD"}, by("ana"))
    units.delete_process("OLD", by("ana"))
    before = snapshot(units)
    text = ("code,name,unit\n"
            "NEW-1,New one,HRMD\n"
            "new-1,New one again,HRMD\n"     # the same code as row 2, in another case
            "hr-rec,Recruitment twin,HRMD\n"  # the inventory has HR-REC
            "old,Retired twin,HRMD\n")        # the inventory has OLD, deleted
    for mode in ("insert", "upsert"):
        result = run(units, upload("twins.csv", text), mode=mode)
        assert not result.imported
        found = {(p["row"], p["value"]): p["message"] for p in problems(result)
                 if p["severity"] == "error"}
        assert "appears also on row 2" in found[3, "new-1"]
        assert "HR-REC" in found[4, "hr-rec"] and "ignore case" in found[4, "hr-rec"]
        assert "OLD" in found[5, "old"]
    assert snapshot(units) == before


def test_a_reference_in_another_case_finds_the_process(units: Catalogue) -> None:
    units.add_process({"code": "HR-REC", "name": "Recruitment", "unit": "HRMD"}, by("ana"))
    result = run(units, upload("children.csv", "code,name,unit,parent_code\n"
                               "HR-REC-01,Post a vacancy,hrmd,hr-rec\n"
                               "HR-REC-02,Interview,HRMD,hr-rec-01\n"))
    assert result.imported, problems(result)
    frame = units.processes().set_index("code")
    assert frame.loc["HR-REC-01", "parent_code"] == "HR-REC"
    assert frame.loc["HR-REC-02", "parent_code"] == "HR-REC-01"


def test_every_row_of_a_table_shares_one_mapping_of_fields_to_columns() -> None:
    """At 199,000 rows a copy of the mapping per row took 180 MB of the app's memory."""
    parsed = read_import(upload("p.csv", "code,name,unit\nP1,One,HRMD\nP2,Two,HRMD\n"),
                         ImportOptions(), set(), {})
    first, second = parsed.rows["processes"]
    assert first.columns == {"code": "code", "name": "name", "unit": "unit"}
    assert second.columns is first.columns
