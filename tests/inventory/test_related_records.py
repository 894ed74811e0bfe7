"""Dependencies, KPIs, assessments and units: validation, audit, delete and restore."""

from __future__ import annotations

import pytest

from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.services import Catalogue
from tests.support import by


def test_dependencies_allow_cycles_but_not_self_or_duplicates(small_catalogue: Catalogue) -> None:
    small_catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "HR-REC",
                                    "kind": "Policy / rule", "strength": 3}, by("ana"))
    small_catalogue.add_dependency({"upstream_code": "HR-REC", "downstream_code": "FIN",
                                    "kind": "information"}, by("ana"))  # a cycle is stored
    pairs = set(zip(small_catalogue.dependencies()["upstream_code"],
                    small_catalogue.dependencies()["downstream_code"], strict=True))
    assert pairs == {("FIN", "HR-REC"), ("HR-REC", "FIN")}
    with pytest.raises(InvalidInput, match="cannot depend on itself"):
        small_catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "FIN"},
                                       by("ana"))
    with pytest.raises(Conflict, match="already exists"):
        small_catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "HR-REC"},
                                       by("ana"))
    with pytest.raises(InvalidInput, match="strength"):
        small_catalogue.add_dependency({"upstream_code": "HR", "downstream_code": "FIN",
                                        "strength": 5}, by("ana"))
    with pytest.raises(NotFound, match="NOPE"):
        small_catalogue.add_dependency({"upstream_code": "NOPE", "downstream_code": "FIN"},
                                       by("ana"))


def test_process_detail_separates_what_it_needs_from_what_it_feeds(
        small_catalogue: Catalogue) -> None:
    small_catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "HR-REC"}, by("ana"))
    small_catalogue.add_dependency({"upstream_code": "HR-REC", "downstream_code": "HR-REC-01"},
                                   by("ana"))
    detail = small_catalogue.process("HR-REC")
    assert list(detail.upstream["upstream_code"]) == ["FIN"]
    assert list(detail.downstream["downstream_code"]) == ["HR-REC-01"]
    assert detail.children == ["HR-REC-01"]


def test_removed_dependency_can_be_restored_or_re_added(small_catalogue: Catalogue) -> None:
    small_catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "HR"}, by("ana"))
    small_catalogue.update_dependency("FIN", "HR", {"strength": 3}, 1, by("bob"))
    with pytest.raises(Conflict, match="changed by bob"):
        small_catalogue.update_dependency("FIN", "HR", {"strength": 1}, 1, by("carol"))
    small_catalogue.remove_dependency("FIN", "HR", by("ana"))
    assert small_catalogue.dependencies().empty
    small_catalogue.restore_dependency("FIN", "HR", by("ana"))
    assert list(small_catalogue.dependencies()["strength"]) == [3]
    small_catalogue.remove_dependency("FIN", "HR", by("ana"))
    record = small_catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "HR",
                                             "kind": "handoff", "strength": 1}, by("ana"))
    assert record["kind"] == "handoff" and record["strength"] == 1
    history = small_catalogue.history("HR")
    assert list(history[history["entity"] == "dependency"]["action"])[:3] == [
        "update", "update", "restore"]


def test_dependencies_of_a_deleted_process_are_hidden_then_back(
        small_catalogue: Catalogue) -> None:
    small_catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "HR-REC-01"},
                                   by("ana"))
    small_catalogue.add_kpi({"process_code": "HR-REC-01", "name": "Days open"}, by("ana"))
    small_catalogue.delete_process("HR-REC-01", by("ana"))
    assert small_catalogue.dependencies().empty
    assert small_catalogue.counts() == {"units": 2, "processes": 3, "dependencies": 0,
                                        "kpis": 0, "assessments": 0, "initiatives": 0,
                                        "deliverables": 0, "progress_updates": 0}
    small_catalogue.restore_process("HR-REC-01", by("ana"))
    assert small_catalogue.counts()["dependencies"] == 1 and small_catalogue.counts()["kpis"] == 1
    assert len(small_catalogue.dependencies()) == 1


def test_kpi_targets_must_improve_on_the_baseline(small_catalogue: Catalogue) -> None:
    kpi = small_catalogue.add_kpi({"process_code": "HR-REC", "name": "Time to hire",
                                   "unit_of_measure": "days", "direction": "lower is better",
                                   "baseline": 120, "target": 60, "target_date": "2026-12-31",
                                   "source": "HRMD dashboard"}, by("ana"))
    assert kpi["direction"] == "lower" and kpi["process_code"] == "HR-REC"
    with pytest.raises(InvalidInput, match="worse than baseline"):
        small_catalogue.add_kpi({"process_code": "HR-REC", "name": "Offer acceptance",
                                 "direction": "higher", "baseline": 80, "target": 70}, by("ana"))
    with pytest.raises(Conflict, match="already exists"):
        small_catalogue.add_kpi({"process_code": "HR-REC", "name": "Time to hire"}, by("ana"))
    updated = small_catalogue.update_kpi(kpi["id"], {"target": 45}, 1, by("bob"))
    assert updated["target"] == 45 and updated["version"] == 2
    with pytest.raises(InvalidInput, match="worse than baseline"):
        small_catalogue.update_kpi(kpi["id"], {"target": 200}, 2, by("bob"))
    small_catalogue.delete_kpi(kpi["id"], by("ana"))
    assert small_catalogue.kpis().empty
    small_catalogue.restore_kpi(kpi["id"], by("ana"))
    assert list(small_catalogue.kpis()["target"]) == [45]


def test_several_raters_are_kept_side_by_side(small_catalogue: Catalogue) -> None:
    for rater, value in (("analyst.a", 4), ("analyst.b", 2)):
        small_catalogue.add_assessment({"process_code": "HR-REC", "criterion_key":
                                        "member_experience", "value": value, "rater": rater,
                                        "low": value - 1, "high": value + 1}, by("ana"))
    frame = small_catalogue.assessments(process_code="HR-REC")
    assert sorted(frame["value"]) == [2, 4]  # nothing averaged at storage
    with pytest.raises(Conflict, match=r"analyst\.a already assessed member_experience"):
        small_catalogue.add_assessment({"process_code": "HR-REC", "criterion_key":
                                        "member_experience", "value": 3, "rater": "analyst.a"},
                                       by("ana"))
    with pytest.raises(InvalidInput, match="low 4 is above the value 3"):
        small_catalogue.add_assessment({"process_code": "HR-REC", "criterion_key": "complexity",
                                        "value": 3, "low": 4, "rater": "analyst.a"}, by("ana"))
    first = int(frame["id"].iloc[0])
    small_catalogue.update_assessment(first, {"value": 5, "high": 5}, 1, by("ana"))
    small_catalogue.delete_assessment(first, by("ana"))
    assert len(small_catalogue.assessments()) == 1
    small_catalogue.restore_assessment(first, by("ana"))
    assert len(small_catalogue.assessments()) == 2


def test_units_cannot_be_deleted_while_they_own_processes(small_catalogue: Catalogue) -> None:
    with pytest.raises(Conflict, match="still owns 1 process"):
        small_catalogue.delete_unit("FRMD", by("ana"))
    small_catalogue.add_unit({"code": "BDT", "name": "Development Bureau", "kind": "bureau"},
                             by("ana"))
    small_catalogue.delete_unit("BDT", by("ana"))
    with pytest.raises(NotFound, match="unit BDT is deleted"):
        small_catalogue.add_process({"code": "BDT-1", "name": "Projects", "unit": "BDT"},
                                    by("ana"))
    small_catalogue.restore_unit("BDT", by("ana"))
    small_catalogue.update_unit("BDT", {"name": "Telecommunication Development Bureau"}, 3,
                                by("ana"))
    units = small_catalogue.units().set_index("code")
    assert units.loc["BDT", "kind"] == "bureau" and units.loc["FRMD", "processes"] == 1


def test_unit_codes_are_unique_in_any_case_and_the_refusal_names_the_existing_one(
        small_catalogue: Catalogue) -> None:
    with pytest.raises(Conflict, match="a unit with the code HRMD already exists"):
        small_catalogue.add_unit({"code": "hrmd", "name": "Again"}, by("ana"))
    with pytest.raises(Conflict, match="a unit with the code HRMD already exists"):
        small_catalogue.update_unit("FRMD", {"code": "Hrmd"}, None, by("ana"))
    assert small_catalogue.update_unit("frmd", {"code": "Frmd"}, None, by("ana"))["code"] == "Frmd"


def test_a_dependency_on_itself_is_refused_in_any_case(small_catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput, match="cannot depend on itself"):
        small_catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "fin"},
                                       by("ana"))
    record = small_catalogue.add_dependency({"upstream_code": "fin", "downstream_code": "hr"},
                                            by("ana"))
    assert (record["upstream_code"], record["downstream_code"]) == ("FIN", "HR")
    small_catalogue.update_dependency("Fin", "Hr", {"strength": 3}, 1, by("ana"))
    small_catalogue.remove_dependency("fin", "hr", by("ana"))
    small_catalogue.restore_dependency("FIN", "hr", by("ana"))
    assert list(small_catalogue.dependencies(process_code="hr")["strength"]) == [3]


def test_raters_are_one_person_whatever_the_case_or_spacing(small_catalogue: Catalogue) -> None:
    first = small_catalogue.add_assessment({"process_code": "HR", "criterion_key": "complexity",
                                            "value": 3, "rater": "Ana Silva"}, by("ana"))
    with pytest.raises(Conflict, match="Ana Silva already assessed complexity"):
        small_catalogue.add_assessment({"process_code": "hr", "criterion_key": "complexity",
                                        "value": 4, "rater": " ana  silva"}, by("ana"))
    other = small_catalogue.add_assessment({"process_code": "HR", "criterion_key": "duration",
                                            "value": 2, "rater": "ANA SILVA"}, by("ana"))
    assert first["rater"] == other["rater"] == "Ana Silva"
    assert small_catalogue.raters() == ["Ana Silva"]
