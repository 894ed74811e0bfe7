"""Export -> import into an empty database -> export gives identical content, on generated
inventories with unicode and awkward text (formula-like, quotes, line breaks, full-width signs),
roadmap included: initiatives with their links and lineage, and their deliverables."""

from __future__ import annotations

import tempfile
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.files.export import SHEET_NAMES, SHEETS, inventory_workbook, table_csv
from inventory.files.importing import ImportOptions
from inventory.files.io import Upload
from inventory.roadmap_schemas import DeliverableStatus, InitiativeStatus
from inventory.schemas import DependencyKind, Lifecycle, Pillar, PriorityArea, TransformationStatus
from inventory.services import Catalogue
from tests.support import by

AWKWARD_STARTS = ["=", "+", "-", "@", "'", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\n"]
texts = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=25),
    st.builds(lambda start, rest: start + rest, st.sampled_from(AWKWARD_STARTS),
              st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                      max_size=15)),
).filter(lambda text: text.strip())  # blank text means unknown, which a name cannot be
optional_texts = st.one_of(st.none(), texts)
codes = st.from_regex(r"[A-Z][A-Z0-9]{0,3}(-[0-9]{1,2})?", fullmatch=True)
list_items = texts.filter(lambda text: not {";", "\n"} & set(text))  # a list cell's items
OWNERS = ["Chief, CPD", "Head, Travel Section", "Chief Information Officer"]


@st.composite
def roadmaps(draw: st.DrawFn, process_codes: list[str],
             kpis: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Initiatives linked to some of the processes and KPIs, each after the one it was
    combined into or split from, and their deliverables."""
    references = [f"{k['process_code']}: {k['name']}" for k in kpis
                  if not {";", "\n"} & set(k["name"])]
    initiatives: list[dict[str, Any]] = []
    for index, code in enumerate(draw(st.lists(codes, max_size=4, unique=True))):
        status = draw(st.sampled_from([s.value for s in InitiativeStatus]))
        start = draw(st.one_of(st.none(), st.dates()))
        record: dict[str, Any] = {
            "code": code, "name": draw(texts), "description": draw(optional_texts),
            "pillar": draw(st.one_of(st.none(), st.sampled_from([p.value for p in Pillar]))),
            "priority_area": draw(st.one_of(st.none(), st.sampled_from(
                [p.value for p in PriorityArea]))),
            "business_owner": draw(st.one_of(st.none(), st.sampled_from(OWNERS))),
            "unit": draw(st.sampled_from([None, "U1"])), "status": status,
            "status_reason": draw(texts if status == "revised" else optional_texts),
            "start_date": None if start is None else str(start),
            "end_date": None if start is None or draw(st.booleans()) else str(start),
            "budget_chf": draw(st.one_of(st.none(), st.floats(0, 1e9, allow_nan=False))),
            "processes": draw(st.lists(st.sampled_from(process_codes), unique=True)),
            "kpis": draw(st.lists(st.sampled_from(references), unique=True))
            if references else [],
            "studies": draw(st.lists(list_items, max_size=2)),
            "tags": draw(optional_texts)}
        if index:
            earlier = draw(st.sampled_from([i["code"] for i in initiatives]))
            record |= draw(st.sampled_from([{}, {"combined_into": earlier},
                                            {"split_from": earlier},
                                            {"lineage": "split"}]))
        initiatives.append(record)
    deliverables = [
        {"initiative_code": initiative["code"], "ref": f"D{n}",
         "objective": draw(optional_texts),
         "milestone": draw(st.sampled_from(["C26", "PP-26", "2027-03-31"])),
         "text": draw(texts), "due": draw(st.one_of(st.none(), st.dates().map(str))),
         "status": draw(st.sampled_from([s.value for s in DeliverableStatus])),
         "evidence": draw(st.sampled_from([None, "https://example.org/evidence?id=1"]))}
        for initiative in initiatives for n in range(1, draw(st.integers(0, 2)) + 1)]
    return {"initiatives": initiatives, "deliverables": deliverables}


@st.composite
def inventories(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    process_codes = draw(st.lists(codes, min_size=1, max_size=6, unique=True))
    processes = []
    for index, code in enumerate(process_codes):
        parent = draw(st.one_of(st.none(), st.sampled_from(process_codes[:index]))) \
            if index else None
        processes.append({
            "code": code, "parent_code": parent, "name": draw(texts), "unit": "U1",
            "description": draw(optional_texts), "process_owner": draw(optional_texts),
            "pillar": draw(st.one_of(st.none(), st.sampled_from([p.value for p in Pillar]))),
            "lifecycle": draw(st.sampled_from([v.value for v in Lifecycle])),
            "transformation_status": draw(st.sampled_from([v.value for v in
                                                           TransformationStatus])),
            "digital_maturity": draw(st.one_of(st.none(), st.integers(1, 5))),
            "annual_volume": draw(st.one_of(st.none(), st.integers(0, 10**9))),
            "staff_effort_fte": draw(st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False))),
            "estimated_cost_chf": draw(st.one_of(st.none(), st.floats(0, 1e9, allow_nan=False))),
            "quick_fix_candidate": draw(st.booleans()),
            "earliest_start": draw(st.one_of(st.none(), st.dates().map(str))),
            "target_milestone": draw(st.sampled_from([None, "C26", "PP-26", "2027-03-31"])),
            "tags": draw(optional_texts),
        })
    pairs = draw(st.lists(st.tuples(st.sampled_from(process_codes),
                                    st.sampled_from(process_codes)), max_size=8, unique=True))
    dependencies = [{"upstream_code": up, "downstream_code": down,
                     "kind": draw(st.sampled_from([k.value for k in DependencyKind])),
                     "strength": draw(st.integers(1, 3)), "note": draw(optional_texts)}
                    for up, down in pairs if up != down]
    kpis = [{"process_code": draw(st.sampled_from(process_codes)), "name": f"KPI {i} {name}",
             "direction": "lower", "baseline": 10.5, "target": draw(st.floats(-1e6, 10.5)),
             "source": draw(optional_texts)}
            for i, name in enumerate(draw(st.lists(texts, max_size=3)))]
    assessments = [{"process_code": code, "criterion_key": "member_experience",
                    "value": draw(st.floats(1, 5)), "rater": f"rater{i}",
                    "rationale": draw(optional_texts)}
                   for i, code in enumerate(draw(st.lists(st.sampled_from(process_codes),
                                                          max_size=3)))]
    return {"units": [{"code": "U1", "name": draw(texts), "kind": "bureau"}],
            "processes": processes, "dependencies": dependencies, "kpis": kpis,
            "assessments": assessments, **draw(roadmaps(process_codes, kpis))}


def exported(catalogue: Catalogue) -> dict[str, bytes]:
    frames = catalogue.frames()
    return {kind: table_csv(frames[kind], SHEETS[SHEET_NAMES[kind]]) for kind in frames}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventory=inventories())
def test_export_import_export_is_identical_and_re_imports_unchanged(
        inventory: dict[str, list[dict[str, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        first = Catalogue.open(f"sqlite:///{folder}/a.db")
        first.load(inventory, by("gen"))
        workbook = inventory_workbook(first.frames())
        second = Catalogue.open(f"sqlite:///{folder}/b.db")
        result = second.import_file(Upload("inventory.xlsx", workbook), ImportOptions(),
                                    mode="insert", actor=by("gen"))
        assert result.imported, result.problems.to_dict("records")
        assert exported(second) == exported(first)
        events = len(first.audit_log())
        again = first.import_file(Upload("inventory.xlsx", workbook), ImportOptions(),
                                  mode="upsert", actor=by("gen"))
        assert again.imported, again.problems.to_dict("records")
        assert all(c.created == c.updated == 0 for c in again.counts.values()), again.summary()
        assert len(first.audit_log()) == events
        first.engine.dispose()
        second.engine.dispose()
