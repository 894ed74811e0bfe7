"""One validation of every value, before either database sees it: numbers are finite, text
holds no NUL character, and lengths and ranges fit both databases. On PostgreSQL these values
gave tracebacks (or were stored as NaN and infinity) where SQLite silently stored them."""

from __future__ import annotations

from typing import Any

import pytest

from inventory.errors import InvalidInput
from inventory.services import Catalogue
from tests.support import by, snapshot

BAD_PROCESS_VALUES: list[tuple[dict[str, Any], str]] = [
    ({"estimated_cost_chf": "inf"}, "finite"),
    ({"estimated_cost_chf": 1e309}, "finite"),
    ({"staff_effort_fte": "nan"}, "finite"),
    ({"cycle_time_days": float("inf")}, "finite"),
    ({"estimated_effort_pm": "-inf"}, "finite"),
    ({"description": "before\x00after"}, "NUL"),
    ({"process_owner": "x" * 201}, "200"),
    ({"external_reference": "r" * 201}, "200"),
    ({"annual_volume": 2**31}, "2147483647"),
]


@pytest.mark.parametrize(("values", "words"), BAD_PROCESS_VALUES,
                         ids=[next(iter(v)) + ":" + w for v, w in BAD_PROCESS_VALUES])
def test_a_value_either_database_cannot_hold_is_refused_naming_it(
        small_catalogue: Catalogue, values: dict[str, Any], words: str) -> None:
    before = snapshot(small_catalogue)
    with pytest.raises(InvalidInput) as refused:
        small_catalogue.add_process({"code": "NEW", "name": "New", "unit": "HRMD", **values},
                                    by("ana"))
    assert next(iter(values)) in str(refused.value) and words in str(refused.value)
    with pytest.raises(InvalidInput):
        small_catalogue.update_process("HR-REC", values, None, by("ana"))
    assert snapshot(small_catalogue) == before


@pytest.mark.parametrize("values", [{"baseline": float("nan"), "target": 1.0},
                                    {"baseline": "inf"}, {"unit_of_measure": "u" * 61}])
def test_a_kpi_with_a_value_either_database_cannot_hold_is_refused(
        small_catalogue: Catalogue, values: dict[str, Any]) -> None:
    before = snapshot(small_catalogue)
    data = {"process_code": "HR-REC", "name": "Time to hire", **values}
    if values.get("baseline") != values.get("baseline"):  # NaN: a blank cell, so unknown
        assert small_catalogue.add_kpi(data, by("ana"))["baseline"] is None
        return
    with pytest.raises(InvalidInput):
        small_catalogue.add_kpi(data, by("ana"))
    assert snapshot(small_catalogue) == before


def test_an_assessment_value_must_be_a_finite_number(small_catalogue: Catalogue) -> None:
    before = snapshot(small_catalogue)
    for value in ("inf", "nan", 1e309):
        with pytest.raises(InvalidInput, match="finite"):
            small_catalogue.add_assessment({"process_code": "HR-REC", "criterion_key":
                                            "complexity", "value": value, "rater": "ana"},
                                           by("ana"))
    assert snapshot(small_catalogue) == before


def test_a_rater_is_one_person_whatever_invisible_or_look_alike_characters_are_typed(
        small_catalogue: Catalogue) -> None:
    """``ana`` and ``ana`` with a zero-width space were two raters; ``\\u0430na`` (a Cyrillic
    first letter) looked like ana and was a third."""
    def rate(rater: str, criterion: str) -> dict[str, Any]:
        return small_catalogue.add_assessment({"process_code": "HR-REC", "criterion_key":
                                               criterion, "value": 3, "rater": rater},
                                              by("ana"))

    rate("ana", "complexity")
    rate("a\u200bna", "staff_empowerment")
    rate("ana\u202e", "duration")
    assert set(small_catalogue.assessments()["rater"]) == {"ana"}
    with pytest.raises(InvalidInput, match="mixes Cyrillic and Latin letters"):
        rate("\u0430na", "change_readiness")
