"""Creating, editing, deleting and restoring processes through the services."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.services import Catalogue
from tests.support import by


def test_a_new_process_is_stored_with_every_phase_1_field(small_catalogue: Catalogue) -> None:
    record = small_catalogue.add_process({
        "code": "HR-ADM", "parent_code": "HR", "name": "HR administration", "unit": "hrmd",
        "process_owner": "Chief, HRMD", "change_owner": "Head, HR Services",
        "pillar": "People and culture",
        "priority_area": "Boosting operational efficiency and impact",
        "process_type": "enabling", "lifecycle": "In review",
        "transformation_status": "In progress",
        "digital_maturity": "2", "annual_volume": "12000", "staff_effort_fte": "6.5",
        "cycle_time_days": 4, "quick_fix_candidate": "yes", "earliest_start": "2026-03-01",
        "target_milestone": "PP26", "estimated_cost_chf": "250000", "estimated_effort_pm": 18,
        "tags": "AI; Quick-win; ai", "external_reference": "APQC 7.5",
    }, by("ana"))
    assert record["unit"] == "HRMD"  # unit codes match case-insensitively
    assert record["parent_code"] == "HR" and record["level"] == 2
    assert record["pillar"] == "people_and_culture"
    assert record["priority_area"] == "operational_efficiency"
    assert record["lifecycle"] == "in_review"
    assert record["transformation_status"] == "ongoing"  # synonym "In progress"
    assert record["digital_maturity"] == 2 and record["annual_volume"] == 12000
    assert record["quick_fix_candidate"]
    assert record["target_milestone"] == "PP-26"
    assert record["tags"] == "ai; quick-win"
    assert record["version"] == 1 and record["created_by"] == "ana"


def test_missing_facts_stay_unknown_not_zero(small_catalogue: Catalogue) -> None:
    record = small_catalogue.process("FIN").record
    for field in ("digital_maturity", "annual_volume", "estimated_cost_chf", "cycle_time_days"):
        assert record[field] is None


@pytest.mark.parametrize(("data", "expected"), [
    ({"digital_maturity": 6}, "digital_maturity"),
    ({"pillar": "goverance"}, "Did you mean 'governance'"),
    ({"transformation_status": "halfway"}, "not_started, planned, ongoing, completed, revised"),
    ({"annual_volume": -3}, "annual_volume"),
    ({"target_milestone": "someday"}, "C26, PP-26 or a date"),
    ({"earliest_start": "31/02/2026"}, "earliest_start"),
    ({"code": "HR 02"}, "no spaces"),
    ({"name": "  "}, "name: is required"),
    ({"unit": "NOPE"}, "no unit has the code 'NOPE'"),
    ({"parent_code": "NOPE"}, "parent_code 'NOPE' is not a live process"),
    ({"colour": "red"}, "unknown field colour"),
])
def test_bad_input_is_refused_with_a_precise_reason_and_nothing_stored(
        small_catalogue: Catalogue, data: dict[str, object], expected: str) -> None:
    before = small_catalogue.counts()
    with pytest.raises((InvalidInput, NotFound)) as refused:
        small_catalogue.add_process({"code": "HR-02", "name": "Onboarding", "unit": "HRMD"} | data,
                                    by("ana"))
    assert expected in str(refused.value)
    assert small_catalogue.counts() == before
    assert len(small_catalogue.audit_log()) == 6  # only the fixture's records


def test_a_duplicate_code_is_refused(small_catalogue: Catalogue) -> None:
    with pytest.raises(Conflict, match="a process with the code HR-REC already exists"):
        small_catalogue.add_process({"code": "HR-REC", "name": "Again", "unit": "HRMD"}, by("ana"))


def test_an_edit_is_audited_field_by_field(small_catalogue: Catalogue) -> None:
    record = small_catalogue.update_process(
        "HR-REC", {"name": "Recruitment and selection", "digital_maturity": 3, "unit": "FRMD"},
        seen_version=1, actor=by("bob"))
    assert record["version"] == 2 and record["updated_by"] == "bob" and record["unit"] == "FRMD"
    history = small_catalogue.history("HR-REC")
    updates = history[history["action"] == "update"].set_index("field")
    assert updates.loc["name", "old_value"] == "Recruitment"
    assert updates.loc["name", "new_value"] == "Recruitment and selection"
    assert updates.loc["unit", "old_value"] == "HRMD" and updates.loc["unit", "new_value"] == "FRMD"
    assert pd.isna(updates.loc["digital_maturity", "old_value"])  # it was unknown
    assert set(updates["actor"]) == {"bob"} and set(updates["entity_version"]) == {2}


def test_an_edit_that_changes_nothing_keeps_the_version(small_catalogue: Catalogue) -> None:
    record = small_catalogue.update_process("HR", {"name": "Human resources"}, 1, by("bob"))
    assert record["version"] == 1
    assert len(small_catalogue.history("HR")) == 1


def test_a_stale_edit_is_refused_and_names_who_changed_what(small_catalogue: Catalogue) -> None:
    small_catalogue.update_process("HR-REC", {"process_owner": "Chief, HRMD"}, 1, by("bob"))
    with pytest.raises(Conflict) as refused:
        small_catalogue.update_process("HR-REC", {"name": "Hiring"}, 1, by("carol"))
    message = str(refused.value)
    assert "changed by bob" in message and "process_owner" in message
    assert "version 1" in message and "now version 2" in message
    record = small_catalogue.process("HR-REC").record
    assert record["name"] == "Recruitment" and record["process_owner"] == "Chief, HRMD"


def test_the_hierarchy_cannot_loop(small_catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput, match="below it in the hierarchy"):
        small_catalogue.update_process("HR", {"parent_code": "HR-REC-01"}, None, by("ana"))
    with pytest.raises(InvalidInput, match="own parent"):
        small_catalogue.update_process("HR", {"parent_code": "HR"}, None, by("ana"))


def test_renaming_a_code_keeps_children_and_history(small_catalogue: Catalogue) -> None:
    small_catalogue.update_process("HR-REC", {"code": "HR-RECRUIT"}, 1, by("ana"))
    assert small_catalogue.process("HR-REC-01").record["parent_code"] == "HR-RECRUIT"
    assert len(small_catalogue.history("HR-RECRUIT")) == 2
    with pytest.raises(NotFound):
        small_catalogue.process("HR-REC")


def test_delete_and_restore(small_catalogue: Catalogue) -> None:
    with pytest.raises(Conflict, match=r"has sub-processes \(HR-REC-01\)"):
        small_catalogue.delete_process("HR-REC", by("ana"))
    small_catalogue.delete_process("HR-REC-01", by("ana"))
    assert "HR-REC-01" not in set(small_catalogue.processes()["code"])
    assert "HR-REC-01" in set(small_catalogue.processes(include_deleted=True)["code"])
    with pytest.raises(NotFound, match="is deleted; restore it first"):
        small_catalogue.update_process("HR-REC-01", {"name": "x"}, None, by("ana"))
    with pytest.raises(Conflict, match="it is deleted; an admin can restore it"):
        small_catalogue.add_process({"code": "HR-REC-01", "name": "x", "unit": "HRMD"}, by("ana"))
    small_catalogue.restore_process("HR-REC-01", by("bob"))
    record = small_catalogue.process("HR-REC-01").record
    assert record["deleted_at"] is None and record["version"] == 3
    actions = list(small_catalogue.history("HR-REC-01")["action"])
    assert actions == ["restore", "delete", "create"]


def test_a_child_of_a_deleted_parent_waits_for_the_parent(small_catalogue: Catalogue) -> None:
    small_catalogue.delete_process("HR-REC-01", by("ana"))
    small_catalogue.delete_process("HR-REC", by("ana"))
    with pytest.raises(NotFound, match="process HR-REC is deleted"):
        small_catalogue.restore_process("HR-REC-01", by("ana"))
    small_catalogue.restore_process("HR-REC", by("ana"))
    small_catalogue.restore_process("HR-REC-01", by("ana"))


def test_create_event_lists_the_given_fields(small_catalogue: Catalogue) -> None:
    created = small_catalogue.history("HR-REC").iloc[-1]
    assert created["action"] == "create" and created["actor"] == "ana"
    assert json.loads(created["new_value"])["parent_code"] == "HR"


def test_filters_and_search(small_catalogue: Catalogue) -> None:
    small_catalogue.update_process("FIN", {"transformation_status": "ongoing",
                                           "tags": "erp"}, None, by("ana"))
    assert list(small_catalogue.processes(units=["frmd"])["code"]) == ["FIN"]
    assert list(small_catalogue.processes(transformation_status=["ongoing"])["code"]) == ["FIN"]
    assert list(small_catalogue.processes(search="ERP")["code"]) == ["FIN"]
    assert list(small_catalogue.processes(search="vacancy")["code"]) == ["HR-REC-01"]
    assert list(small_catalogue.processes()["level"]) == [1, 1, 2, 3]


def test_an_actor_is_required(small_catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput, match="who is making the change is unknown"):
        small_catalogue.update_process("HR", {"name": "x"}, None, by(" "))


def test_an_empty_catalogue_answers_every_filter(catalogue: Catalogue) -> None:
    assert catalogue.processes(search="x", units=["HRMD"], pillar=["governance"]).empty


@pytest.mark.parametrize("typed", ["hr-rec", "Hr-Rec", " HR-rec "])
def test_a_code_differing_only_in_case_is_refused_naming_the_existing_code(
        small_catalogue: Catalogue, typed: str) -> None:
    before = small_catalogue.counts()
    with pytest.raises(Conflict, match="a process with the code HR-REC already exists"):
        small_catalogue.add_process({"code": typed, "name": "Again", "unit": "HRMD"}, by("ana"))
    with pytest.raises(Conflict, match="a process with the code HR-REC already exists"):
        small_catalogue.update_process("FIN", {"code": typed}, None, by("ana"))
    assert small_catalogue.counts() == before
    assert small_catalogue.process("FIN").record["version"] == 1


def test_a_deleted_code_still_holds_its_spelling_in_any_case(small_catalogue: Catalogue) -> None:
    small_catalogue.delete_process("HR-REC-01", by("ana"))
    with pytest.raises(Conflict, match="HR-REC-01 already exists: it is deleted"):
        small_catalogue.add_process({"code": "hr-rec-01", "name": "x", "unit": "HRMD"}, by("ana"))


def test_a_process_is_found_by_its_code_in_any_case(small_catalogue: Catalogue) -> None:
    assert small_catalogue.process("hr-rec").record["code"] == "HR-REC"
    record = small_catalogue.update_process("hr-rec", {"parent_code": "hr"}, 1, by("ana"))
    assert record["code"] == "HR-REC" and record["parent_code"] == "HR"
    assert len(small_catalogue.history("Hr-Rec")) == 1  # no change: the parent was HR already
    record = small_catalogue.update_process("HR-REC", {"code": "Hr-Rec"}, 1, by("ana"))
    assert record["code"] == "Hr-Rec"  # changing only the case of its own code is allowed


def test_a_process_cannot_be_its_own_parent_in_another_case(small_catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput, match="own parent"):
        small_catalogue.update_process("HR", {"parent_code": "hr"}, None, by("ana"))


def test_a_deleted_process_says_who_can_restore_it_without_a_command(
        small_catalogue: Catalogue) -> None:
    small_catalogue.delete_process("HR-REC-01", by("ana"))
    with pytest.raises(NotFound) as refused:
        small_catalogue.update_process("HR-REC-01", {"name": "x"}, None, by("ana"))
    assert "an admin can restore it" in str(refused.value)
    assert "dti " not in str(refused.value)
    with pytest.raises(NotFound) as missing:
        small_catalogue.process("NOPE")
    assert "dti " not in str(missing.value)
