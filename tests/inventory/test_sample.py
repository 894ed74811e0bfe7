"""The illustrative ITU sample inventory in ``data/sample`` meets what it is there to show.

The requirement: at least 40 processes in a hierarchy of at least 3 levels, owned by at least 8
units (General Secretariat departments and the three Bureaux BR, TSB, BDT), covering the named
business areas; at least 60 dependencies including at least one cycle; KPIs with baselines and
targets; assessments from at least two raters on the same process and criterion. It is loaded
through the services, so it obeys the rules a user's data obeys.
"""

from __future__ import annotations

import re

import networkx as nx
import pandas as pd
import pytest

from inventory.errors import CatalogueError
from inventory.services import Catalogue
from inventory.services.sample import SAMPLE_DIR, load_sample

# Business area -> patterns that must each match some process (name, description or tags).
REQUIRED_AREAS: dict[str, list[str]] = {
    "recruitment": [r"recruit"],
    "event registration": [r"\bevent\b.*registration|registration.*\bevent"],
    "procurement": [r"procurement"],
    "travel and expenses": [r"\btravel\b", r"\bexpense"],
    "resource mobilisation / CRM": [r"resource[ -]mobili[sz]ation", r"\bCRM\b"],
    "website and members' zone": [r"\bwebsite\b", r"members(?:'|\u2019)? ?zone|members-zone"],
    "document process and archiving": [r"document process", r"archiv"],
    "operational planning": [r"operational plan"],
    "budgeting": [r"\bbudget"],
    "performance management": [r"performance management"],
    "internal communications": [r"internal communication"],
}


@pytest.fixture
def loaded(catalogue: Catalogue) -> tuple[Catalogue, dict[str, int]]:
    return catalogue, load_sample(catalogue)


def _depth(processes: pd.DataFrame) -> pd.Series:
    """Each process's depth computed from ``parent_code`` alone (1 = top level)."""
    parent = {code: (None if pd.isna(up) else up)
              for code, up in zip(processes["code"], processes["parent_code"], strict=True)}

    def depth(code: str) -> int:
        seen = [code]
        while parent[seen[-1]] is not None:
            seen.append(parent[seen[-1]])
            assert len(seen) <= len(parent), f"the hierarchy loops through {seen}"
        return len(seen)

    return processes["code"].map(depth)


def test_load_sample_reports_what_it_stored(loaded: tuple[Catalogue, dict[str, int]]) -> None:
    catalogue, counts = loaded
    cases = catalogue.cases.list_cases()
    assert counts == catalogue.counts() | {"cases": len(cases),
                                           "case_comments": int(cases["comments"].sum())}
    assert set(catalogue.audit_log()["actor"]) == {"sample-data"}


def test_at_least_40_processes_in_a_hierarchy_of_at_least_3_levels(
        sample_catalogue: Catalogue) -> None:
    catalogue = sample_catalogue  # the sample as loaded once per session (conftest)
    processes = catalogue.processes()
    assert len(processes) >= 40
    assert processes["code"].is_unique
    parents = processes["parent_code"].dropna()
    assert parents.isin(processes["code"]).all()  # every parent is itself a live process

    depth = _depth(processes)
    assert depth.max() >= 3
    assert depth.tolist() == processes["level"].tolist()
    assert (depth == 3).sum() >= 3  # not one lone deep branch


def test_processes_are_owned_by_at_least_8_units_including_gs_and_the_three_bureaux(
        sample_catalogue: Catalogue) -> None:
    catalogue = sample_catalogue  # the sample as loaded once per session (conftest)
    units = catalogue.units().set_index("code")
    owners = catalogue.processes()["unit"].value_counts()
    assert owners.index.isin(units.index).all()
    assert len(owners) >= 8
    assert (units.loc[owners.index, "processes"] == owners).all()

    for bureau in ("BR", "TSB", "BDT"):
        assert units.loc[bureau, "kind"] == "bureau"
        assert owners.get(bureau, 0) >= 1, f"the Bureau {bureau} owns no process"
    gs_owners = [code for code in owners.index if units.loc[code, "kind"] == "gs_department"]
    assert len(gs_owners) >= 5, gs_owners


def test_the_sample_covers_the_required_business_areas(
        sample_catalogue: Catalogue) -> None:
    catalogue = sample_catalogue  # the sample as loaded once per session (conftest)
    processes = catalogue.processes()
    text = processes[["name", "description", "tags"]].fillna("").agg(" ".join, axis=1)

    missing = {area: pattern for area, patterns in REQUIRED_AREAS.items() for pattern in patterns
               if not text.str.contains(pattern, flags=re.IGNORECASE, regex=True).any()}

    assert missing == {}


def test_at_least_60_dependencies_with_at_least_one_cycle(
        sample_catalogue: Catalogue) -> None:
    catalogue = sample_catalogue  # the sample as loaded once per session (conftest)
    dependencies = catalogue.dependencies()
    assert len(dependencies) >= 60
    assert not dependencies.duplicated(["upstream_code", "downstream_code"]).any()
    assert (dependencies["upstream_code"] != dependencies["downstream_code"]).all()
    live = set(catalogue.processes()["code"])
    assert set(dependencies["upstream_code"]) | set(dependencies["downstream_code"]) <= live

    graph = nx.from_pandas_edgelist(dependencies, "upstream_code", "downstream_code",
                                    create_using=nx.DiGraph)
    cycle = nx.find_cycle(graph)  # raises NetworkXNoCycle if there is none
    edges = set(zip(dependencies["upstream_code"], dependencies["downstream_code"], strict=True))
    assert {(up, down) for up, down in cycle} <= edges

    # The two cycles data/sample/README.md documents, and no others.
    cycles = {frozenset(c) for c in nx.simple_cycles(graph)}
    assert cycles == {frozenset({"GOV-OPL", "FIN-BUD-01"}),
                      frozenset({"HR-REC", "HR-ADM", "HR-WFP"})}


def test_kpis_have_baselines_and_targets_that_improve(
        sample_catalogue: Catalogue) -> None:
    catalogue = sample_catalogue  # the sample as loaded once per session (conftest)
    kpis = catalogue.kpis()
    assert len(kpis) >= 10
    assert kpis["baseline"].notna().all() and kpis["target"].notna().all()
    higher = kpis["direction"] == "higher"
    assert (kpis.loc[higher, "target"] > kpis.loc[higher, "baseline"]).all()
    assert (kpis.loc[~higher, "target"] < kpis.loc[~higher, "baseline"]).all()
    assert kpis["process_code"].nunique() >= 10
    assert set(kpis["direction"]) == {"higher", "lower"}


def test_assessments_come_from_at_least_two_raters_on_the_same_process_and_criterion(
        sample_catalogue: Catalogue) -> None:
    catalogue = sample_catalogue  # the sample as loaded once per session (conftest)
    assessments = catalogue.assessments()
    raters = assessments.groupby(["process_code", "criterion_key"])["rater"].nunique()
    assert raters.max() >= 2
    shared = raters[raters >= 2]
    assert len(shared) >= 5
    # Kept side by side, one row per rater, and they do not always agree.
    assert not assessments.duplicated(["process_code", "criterion_key", "rater"]).any()
    spread = assessments.groupby(["process_code", "criterion_key"])["value"].nunique()
    assert (spread.loc[shared.index] >= 2).any()
    assert assessments["value"].between(1, 5).all()


def test_the_readme_says_the_data_is_illustrative_and_not_official() -> None:
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    words = " ".join(readme.split()).lower()
    assert "illustrative" in words
    assert "not official" in words


def test_loading_the_sample_twice_is_refused_and_changes_nothing(
        loaded: tuple[Catalogue, dict[str, int]]) -> None:
    catalogue, counts = loaded
    before = catalogue.counts()
    events = len(catalogue.audit_log())
    processes = catalogue.processes()

    with pytest.raises(CatalogueError) as refused:
        load_sample(catalogue)

    assert type(refused.value) is not CatalogueError  # a specific subclass
    assert "already exists" in str(refused.value)
    assert catalogue.counts() == before
    assert len(catalogue.cases.list_cases()) == counts["cases"]
    assert len(catalogue.audit_log()) == events
    pd.testing.assert_frame_equal(catalogue.processes(), processes)


ANNEX = {  # the 2025 status report's annex: priority area -> actions (initiative codes)
    "member_experience": {"EVT-MOD", "WEB-MZ"},
    "operational_efficiency": {"AUTO-BP", "TRAVEL", "CRM"},
    "staff_empowerment": {"INNOV-HUB", "STAFF-ENG", "CHANGEMAKERS"},
}
EARLY_COMPLETED = {"OPS-PLAN", "OVERSIGHT", "OMBUDS", "PERF-MGT", "FIN-TRANS"}


def test_the_sample_roadmap_holds_the_annex_and_the_early_completed_initiatives(
        sample_catalogue: Catalogue) -> None:
    book = sample_catalogue.initiatives
    initiatives = book.initiatives().set_index("code")
    for area, codes in ANNEX.items():
        assert set(initiatives.index[initiatives["priority_area"] == area]) >= codes
    assert set(initiatives.index[initiatives["status"] == "completed"]) == EARLY_COMPLETED
    assert initiatives.loc[sorted(EARLY_COMPLETED), "priority_area"].isna().all()
    # Every annex action delivers by C26 and PP-26, in the annex's words.
    deliverables = book.deliverables()
    for code in set().union(*ANNEX.values()):
        mine = deliverables[deliverables["initiative_code"] == code]
        assert set(mine["milestone"]) == {"C26", "PP-26"}, code
    annex = book.dashboard().annex.set_index("code")
    assert "Pilot new end-to-end events management system for AI4G/WSIS26." in set(
        annex.loc[["EVT-MOD"], "objective"])
    assert "Working prototype in place." in set(annex.loc[["TRAVEL"], "c26"])
    # Linked to the sample's processes and KPIs; one combined into event modernization.
    assert "EVT-MGT-01" in str(initiatives.loc["EVT-MOD", "processes"])
    assert "FIN-TRV-02: Expense claim settlement time" in str(initiatives.loc["TRAVEL", "kpis"])
    assert set(initiatives["unit"].dropna()) <= set(sample_catalogue.units()["code"])
    assert book.lineage("EVT-MOD")["absorbed"] == ["REMOTE-PART"]
    # Progress notes, one obstacle still open.
    assert len(book.updates()) == 3
    assert list(book.updates(open_only=True)["initiative_code"]) == ["TRAVEL"]


def test_the_readme_says_which_roadmap_words_are_quoted_and_which_are_illustrative() -> None:
    words = " ".join((SAMPLE_DIR / "README.md").read_text(encoding="utf-8").split()).lower()
    assert "initiatives.csv" in words and "deliverables.csv" in words
    assert "quoted" in words and "statuses" in words


def test_the_sample_cases_are_proposed_endorsed_triaged_merged_and_handed_over(
        sample_catalogue: Catalogue) -> None:
    book = sample_catalogue.cases
    cases = book.list_cases().set_index("code")
    assert len(cases) == 15
    assert cases["proposed_by"].nunique() >= 5  # proposed by many members of staff
    by_status = cases.groupby("status").size().to_dict()
    assert by_status == {"new": 4, "under_review": 3, "accepted": 4, "merged": 2,
                         "declined": 1, "handed_over": 1}
    accepted = cases[cases["status"] == "accepted"]
    assert accepted["processes"].notna().all()
    assert cases.loc["CASE-0001", "processes"].split("; ")[0] == "DOC-E2E"
    assert cases.loc["CASE-0003", "processes"] == "DOC-ARC; DOC-DMS"  # archiving
    merged = cases[cases["status"] == "merged"]
    assert merged["merged_into"].to_dict() == {"CASE-0002": "CASE-0001",
                                               "CASE-0007": "CASE-0006"}
    assert (merged["status_reason"] == "merged into " + merged["merged_into"]).all()
    [declined] = cases.index[cases["status"] == "declined"]
    assert cases.loc[declined, "status_reason"]
    assert cases.loc["CASE-0004", ["status", "initiative"]].tolist() == ["handed_over",
                                                                          "INNOV-HUB"]
    assert "new: Staff onboarding" in cases.loc["CASE-0013", "processes"]
    assert cases.loc["CASE-0001", "endorsements"] == 4
    # Nobody endorses their own case.
    for code, endorsers in cases["endorsed_by"].fillna("").items():
        assert cases.loc[code, "proposed_by"] not in endorsers.split("; "), code
    comments = book.get("CASE-0001")["comments_list"]
    assert [c["created_by"] for c in comments] == ["luis.ortega", "analyst.a"]
    # Similar wording finds the open case a duplicate would be merged into.
    assert "CASE-0006" in set(book.similar("protected learning time every month")["code"])
