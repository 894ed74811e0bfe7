"""One validation of every value, before either database sees it: numbers are finite, text
holds no NUL character, and lengths and ranges fit both databases. On PostgreSQL these values
gave tracebacks (or were stored as NaN and infinity) where SQLite silently stored them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.errors import InvalidInput
from inventory.schemas import KPI_NAME_LENGTH, NAME_LENGTH
from inventory.services import Catalogue
from tests.support import by, snapshot

BAD_PROCESS_VALUES: list[tuple[dict[str, Any], str]] = [
    ({"estimated_cost_chf": "inf"}, "finite"),
    ({"estimated_cost_chf": 1e309}, "finite"),
    ({"staff_effort_fte": "nan"}, "finite"),
    ({"cycle_time_days": float("inf")}, "finite"),
    ({"estimated_effort_pm": "-inf"}, "finite"),
    ({"description": "before\x00after"}, "NUL"),
    ({"name": "n" * 1001}, "is 1,001 characters long; at most 1,000 characters are allowed"),
    ({"process_owner": "x" * 1001}, "at most 1,000 characters"),
    ({"change_owner": "x" * 1001}, "at most 1,000 characters"),
    ({"external_reference": "r" * 1001}, "at most 1,000 characters"),
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
                                    {"baseline": "inf"}, {"unit_of_measure": "u" * 61},
                                    {"name": "k" * 501}])
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


ENDS = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))  # never stripped
INSIDE = st.characters(blacklist_categories=("Cs", "Cc"))  # any script, spaces too


@st.composite
def names(draw: st.DrawFn, limit: int) -> str:
    """A name of 1 to ``limit`` characters from any script (four-byte characters included)
    that stripping leaves as it is."""
    size = draw(st.integers(1, limit))
    if size == 1:
        return draw(ENDS)
    return draw(ENDS) + draw(st.text(INSIDE, min_size=size - 2, max_size=size - 2)) + draw(ENDS)


def one_too_many(name: str, limit: int) -> str:
    return name + "x" * (limit + 1 - len(name))


NUMBERS = itertools.count(1)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(process=names(NAME_LENGTH), owner=names(NAME_LENGTH), reference=names(NAME_LENGTH),
       unit=names(NAME_LENGTH), kpi=names(KPI_NAME_LENGTH))
def test_a_name_up_to_its_limit_is_kept_exactly_and_one_character_more_is_refused(
        catalogue: Catalogue, process: str, owner: str, reference: str, unit: str,
        kpi: str) -> None:
    """Names as long as real frameworks have them: process, unit and KPI names, owners and
    external references of any length up to the limit and any script are stored and read back
    unchanged on both databases; one character more is refused naming the limit, and nothing
    changes."""
    number = next(NUMBERS)
    code, unit_code = f"P{number}", f"U{number}"
    catalogue.add_unit({"code": unit_code, "name": unit}, by("ana"))
    catalogue.add_process({"code": code, "name": process, "unit": unit_code,
                           "process_owner": owner, "change_owner": owner,
                           "external_reference": reference}, by("ana"))
    catalogue.add_kpi({"process_code": code, "name": kpi}, by("ana"))

    record = catalogue.process(code).record
    assert (record["name"], record["process_owner"], record["change_owner"],
            record["external_reference"]) == (process, owner, owner, reference)
    assert catalogue.units().set_index("code").loc[unit_code, "name"] == unit
    assert list(catalogue.kpis().query("process_code == @code")["name"]) == [kpi]
    before = snapshot(catalogue)
    for field, name in (("name", process), ("process_owner", owner),
                        ("external_reference", reference)):
        with pytest.raises(InvalidInput, match=f"{field}: .*at most {NAME_LENGTH:,} characters"):
            catalogue.update_process(code, {field: one_too_many(name, NAME_LENGTH)}, None,
                                     by("ana"))
    with pytest.raises(InvalidInput, match=f"at most {NAME_LENGTH:,} characters"):
        catalogue.update_unit(unit_code, {"name": one_too_many(unit, NAME_LENGTH)}, None,
                              by("ana"))
    with pytest.raises(InvalidInput, match=f"at most {KPI_NAME_LENGTH:,} characters"):
        catalogue.add_kpi({"process_code": code, "name": one_too_many(kpi, KPI_NAME_LENGTH)},
                          by("ana"))
    assert snapshot(catalogue) == before
