"""Criteria sets are data: the default DT-I set loads, and a badly written set is refused with a
message naming the file, the criterion and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.criteria import (
    DEFAULT_CRITERIA_FILE,
    CriteriaError,
    Direction,
    Group,
    MissingPolicy,
    SourceKind,
    load_criteria,
    parse_criteria,
)

GOOD = """
name: Tiny
criteria:
  - key: value
    group: impact
    scale: {levels: {1: Low, 2: Some, 3: High}}
  - key: spend
    direction: cost
    group: effort
    source: field:estimated_cost_chf
    missing: worst
    weight: 2
    scale: {low: 0, high: 1000, unit: CHF, log: true}
"""


def test_the_default_set_has_the_dt_i_criteria_in_their_groups() -> None:
    criteria = load_criteria()
    groups = {c.key: c.group for c in criteria.criteria}
    impact = {"member_experience", "operational_efficiency", "staff_empowerment",
              "strategic_alignment", "risk_compliance", "information_governance_risk", "volume",
              "staff_demand"}
    assert {k for k, g in groups.items() if g is Group.IMPACT} == impact
    assert {k for k, g in groups.items() if g is Group.EFFORT} == {
        "cost", "complexity", "duration", "change_readiness"}
    assert {k for k, g in groups.items() if g is Group.DEPENDENCY} == {
        "downstream_reach", "pagerank"}
    assert criteria.get("cost").direction is Direction.COST
    assert criteria.get("downstream_reach").source is SourceKind.GRAPH
    assert criteria.get("volume").source_name == "annual_volume"
    for criterion in criteria.assessed():
        assert criterion.scale.anchored and len(criterion.scale.levels) == 5
        assert all(sentence for _, sentence in criterion.scale.levels)


def test_the_default_file_is_the_one_shipped_in_data() -> None:
    assert DEFAULT_CRITERIA_FILE.parts[-3:] == ("data", "criteria", "dt-i.yaml")


def test_a_small_set_reads_with_its_defaults() -> None:
    criteria = parse_criteria(GOOD)
    value, spend = criteria.criteria
    assert (value.direction, value.source, value.missing, value.weight) == (
        Direction.BENEFIT, SourceKind.ASSESSMENT, MissingPolicy.MIDPOINT, 1.0)
    assert value.label == "Value" and value.scale.low == 1 and value.scale.high == 3
    assert value.scale.anchor(2) == "Some"
    assert spend.missing is MissingPolicy.WORST and spend.scale.log and spend.weight == 2


@pytest.mark.parametrize(("change", "message"), [
    (("weight: 2", "weight: -1"), "'spend': 'weight' must be a number >= 0"),
    (("direction: cost", "direction: costly"), "direction 'costly' is not one of benefit, cost"),
    (("missing: worst", "missing: zero"), "missing 'zero' is not one of exclude"),
    (("key: spend", "key: Spend"), "lower_snake_case"),
    (("key: spend", "key: value"), "criterion key 'value' appears twice"),
    (("{low: 0, high: 1000", "{low: 1000, high: 10"), "high (10) must be above low (1000)"),
    (("source: field:estimated_cost_chf", "source: field"), "must name the field"),
    (("source: field:estimated_cost_chf", "source: survey"), "source 'survey' must be"),
    (("    group: effort", "    group: effort\n    colour: red"), "unknown field 'colour'"),
    (("{levels: {1: Low, 2: Some, 3: High}}", "{levels: {1: Low}}"), "at least two values"),
])
def test_a_bad_criterion_is_refused_naming_it(change: tuple[str, str], message: str) -> None:
    with pytest.raises(CriteriaError, match=r"criteria\.yaml") as raised:
        parse_criteria(GOOD.replace(*change), origin="criteria.yaml")
    assert message in str(raised.value)


def test_unreadable_yaml_and_missing_files_are_explained(tmp_path: Path) -> None:
    with pytest.raises(CriteriaError, match=r"not valid YAML at line \d+"):
        parse_criteria("criteria:\n  - key: a\n   group: impact\n", origin="x.yaml")
    with pytest.raises(CriteriaError, match="expected a 'criteria:' list"):
        parse_criteria("name: nothing\n")
    with pytest.raises(CriteriaError, match="does not exist"):
        load_criteria(tmp_path / "absent.yaml")
    with pytest.raises(CriteriaError, match="every weight is 0"):
        parse_criteria("criteria:\n  - key: a\n    weight: 0\n    scale: {low: 0, high: 1}\n")


def test_an_unknown_criterion_lists_the_known_ones() -> None:
    with pytest.raises(CriteriaError, match="has value, spend"):
        parse_criteria(GOOD).get("cost")
