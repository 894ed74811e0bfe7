"""A seeded, made-up inventory at the size of a real organisation, as a workbook `dti import`
reads without any mapping (the sheets of dti's own export: Processes, Dependencies, KPIs,
Assessments, Units).

What it holds, for ``--processes N``:

* the 14 units of the sample (``data/sample/units.csv``);
* N processes in three levels, coded in the sample's style: categories (``HR``), process groups
  (``HR-004``) and processes (``HR-004-07``), about 12 processes per group and up to 13
  categories (as in APQC's cross-industry framework); leaves spread unevenly over the groups;
* about 3 dependencies per process, drawn along a random order of the processes so that the
  graph is acyclic, mostly within a category and towards a few hubs, plus a few cycles (one per
  500 processes, at least two: half of two processes, half of three) as real inventories have;
* every rated criterion of the default criteria set (``data/criteria/dt-i.yaml``) rated by two
  raters (``analyst.a``, ``analyst.b``) who mostly agree within a point; 1 value in 20 left out;
* costs, effort, FTE, volumes, cycle times, maturity, statuses and milestones, each blank for a
  share of processes (blank means unknown), and about one KPI per two processes.

The same ``--processes`` and ``--seed`` give the same tables.

Usage::

    python -m benchmarks.inventory_generator --processes 2000 --out /tmp/inv2000.xlsx --seed 1
    dti --db /tmp/inv2000.db import /tmp/inv2000.xlsx
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from inventory.files.export import SHEETS, inventory_workbook
from scoring.criteria import SourceKind, load_criteria

UNITS_FILE = Path(__file__).resolve().parent.parent / "data" / "sample" / "units.csv"
RATERS = ("analyst.a", "analyst.b")
MISSING_RATING = 0.05  # 1 value in 20
PROCESSES_PER_GROUP = 12
PROCESSES_PER_CATEGORY = 25  # below 13 categories, one category per this many processes
DEPENDENCIES_PER_PROCESS = 3.0
PROCESSES_PER_CYCLE = 500


@dataclass(frozen=True)
class Domain:
    prefix: str
    name: str
    unit: str
    pillar: str
    subjects: tuple[str, ...]


DOMAINS = (
    Domain("HR", "Human resources management", "HRMD", "people_and_culture",
           ("recruitment", "onboarding", "payroll", "leave and attendance", "performance review",
            "learning", "staff entitlements", "separation")),
    Domain("FIN", "Financial resources management", "FRMD", "resource_optimisation",
           ("budget", "accounts payable", "treasury", "travel claims", "trust funds",
            "financial reporting", "invoicing", "asset accounting")),
    Domain("ICT", "Information and communication technology", "ISD",
           "systems_processes_and_tools",
           ("service desk", "identity and access", "network operations", "application support",
            "data backup", "cyber security", "licences", "enterprise architecture")),
    Domain("EVT", "Conferences and events", "CPD", "members_and_partners",
           ("delegate registration", "meeting rooms", "interpretation", "remote participation",
            "documentation", "event logistics", "badges", "translation")),
    Domain("MEM", "Membership and partnerships", "SPM", "members_and_partners",
           ("member admission", "contributions", "sector membership", "partner agreements",
            "member directory", "focal points", "academia membership", "member surveys")),
    Domain("GOV", "Governance and strategic planning", "SGO", "governance",
           ("operational plans", "council preparation", "risk register", "strategic plan",
            "policy drafting", "performance reporting", "decisions follow-up", "mandates")),
    Domain("COM", "Corporate communication", "CCD", "members_and_partners",
           ("press releases", "web content", "social media", "publications", "campaigns",
            "media accreditation", "newsletters", "brand assets")),
    Domain("JUR", "Legal affairs", "JUR", "governance",
           ("contracts review", "host country agreements", "privileges and immunities",
            "legal opinions", "disputes", "data protection", "intellectual property",
            "delegations of authority")),
    Domain("PRC", "Procurement", "PRM", "resource_optimisation",
           ("requisitions", "tenders", "vendor management", "low-value purchases",
            "framework agreements", "contract renewals", "bid evaluation", "receiving")),
    Domain("FAC", "Facilities and premises", "FAC", "resource_optimisation",
           ("workspace planning", "building maintenance", "security services", "mail room",
            "cleaning contracts", "energy use", "moves", "access badges")),
    Domain("RAD", "Radiocommunication services", "BR", "members_and_partners",
           ("frequency notices", "satellite filings", "space services", "terrestrial services",
            "interference reports", "radio regulations", "study groups", "master register")),
    Domain("STD", "Standardization", "TSB", "members_and_partners",
           ("study group meetings", "recommendations approval", "numbering resources",
            "workshops", "test labs", "focus groups", "document workflow", "patent statements")),
    Domain("DEV", "Development cooperation", "BDT", "members_and_partners",
           ("project delivery", "capacity building", "regional offices", "expert missions",
            "statistics", "connectivity projects", "fellowships", "donor reporting")),
)
VERBS = ("Plan", "Request", "Approve", "Record", "Review", "Report on", "Monitor", "Archive",
         "Prepare", "Validate", "Publish", "Reconcile")
CONTEXTS = ("at headquarters", "for regional offices", "for Member States", "for the Bureaux",
            "for external partners", "for senior management", "for staff", "for governing bodies")
OWNERS = ("Head of section", "Chief of department", "Senior officer", "Programme coordinator")
PAIN_POINTS = ("manual re-keying", "paper forms", "slow approvals", "no single source of data",
               "e-mail hand-offs", "duplicate records", "no status tracking", "late reporting")
SYSTEMS = ("ERP", "SharePoint", "e-mail", "Excel workbooks", "ticketing system", "web portal",
           "document management system", "CRM")
STAKEHOLDERS = ("staff", "managers", "Member States", "Sector Members", "delegates", "vendors",
                "Bureaux", "governing bodies")
RESOURCES = ("business analyst", "developer", "vendor support", "data migration",
             "training", "change manager")
INITIATIVES = ("Automation of business processes", "Digital Agenda", "New HQ Building Project",
               "Remote Participation Taskforce", "Regional Presence Review")
KPIS = (("Average processing time", "days", "lower"), ("Cases handled on time", "%", "higher"),
        ("Requests submitted online", "%", "higher"), ("Cost per case", "CHF", "lower"),
        ("Error rate", "%", "lower"), ("User satisfaction", "%", "higher"))
STATUSES = {"not_started": 0.45, "planned": 0.25, "ongoing": 0.18, "completed": 0.07,
            "revised": 0.05}
LIFECYCLES = {"validated": 0.6, "in_review": 0.2, "draft": 0.15, "retired": 0.05}
KINDS = {"information": 0.4, "handoff": 0.25, "shared_system": 0.2, "shared_resource": 0.1,
         "policy": 0.05}


def rated_criteria() -> list[str]:
    """The keys of the default criteria set's criteria that raters score."""
    return [c.key for c in load_criteria().criteria if c.source is SourceKind.ASSESSMENT]


def generate(processes: int, seed: int) -> dict[str, pd.DataFrame]:
    """The inventory's tables (``units``, ``processes``, ``dependencies``, ``kpis``,
    ``assessments``, ``initiatives``, ``deliverables``) as frames with the columns of dti's
    import workbook."""
    if processes < 3:
        raise ValueError(f"--processes {processes}: three levels need at least 3 processes")
    rng = np.random.default_rng(seed)
    frame = _processes(rng, processes)
    kpis = _kpis(rng, frame)
    initiatives = _initiatives(rng, frame, kpis)
    return {"units": pd.read_csv(UNITS_FILE, dtype=str), "processes": frame,
            "dependencies": _dependencies(rng, frame), "kpis": kpis,
            "assessments": _assessments(rng, frame), "initiatives": initiatives,
            "deliverables": _deliverables(rng, initiatives)}


def _hierarchy(rng: np.random.Generator, processes: int) -> list[tuple[str, str | None, int, str]]:
    """(code, parent code, domain index, subject) for every process, parents first."""
    categories = min(len(DOMAINS), max(1, processes // PROCESSES_PER_CATEGORY))
    groups = min(processes - categories,
                 max(categories, round((processes - categories) / PROCESSES_PER_GROUP)))
    leaves = processes - categories - groups
    rows: list[tuple[str, str | None, int, str]] = [
        (DOMAINS[c].prefix, None, c, DOMAINS[c].name) for c in range(categories)]
    group_rows = []
    for g in range(groups):
        domain = g % categories
        number = g // categories + 1
        subject = DOMAINS[domain].subjects[(number - 1) % len(DOMAINS[domain].subjects)]
        group_rows.append((f"{DOMAINS[domain].prefix}-{number:03d}", DOMAINS[domain].prefix,
                           domain, subject))
    rows += group_rows
    sizes = rng.multinomial(leaves, rng.dirichlet(np.full(groups, 2.0)))
    for (code, _, domain, subject), size in zip(group_rows, sizes, strict=True):
        rows += [(f"{code}-{n:02d}", code, domain, subject) for n in range(1, size + 1)]
    return rows


def _pick(rng: np.random.Generator, choices: dict[str, float], size: int) -> np.ndarray:
    return rng.choice(list(choices), size=size, p=list(choices.values()))


def _some(rng: np.random.Generator, values: np.ndarray, blank: float) -> list[Any]:
    """``values`` with a share ``blank`` left empty (unknown)."""
    return [None if empty else value
            for value, empty in zip(values.tolist(), rng.random(len(values)) < blank,
                                    strict=True)]


def _days_after(first: str, days: np.ndarray) -> np.ndarray:
    """Dates as ``YYYY-MM-DD`` text, ``days`` after ``first``."""
    return (np.datetime64(first) + days.astype("timedelta64[D]")).astype(str)


def _items(rng: np.random.Generator, words: tuple[str, ...], size: int) -> list[str]:
    return ["; ".join(rng.choice(words, size=rng.integers(1, 4), replace=False))
            for _ in range(size)]


def _processes(rng: np.random.Generator, processes: int) -> pd.DataFrame:
    rows = _hierarchy(rng, processes)
    n = len(rows)
    level = np.array([0 if parent is None else 1 if code.count("-") == 1 else 2
                      for code, parent, _, _ in rows])
    names = []
    for (_, _, domain, subject), depth in zip(rows, level, strict=True):
        context = CONTEXTS[rng.integers(len(CONTEXTS))]
        names.append(DOMAINS[domain].name if depth == 0 else
                     f"{subject.capitalize()} {context}" if depth == 1 else
                     f"{VERBS[rng.integers(len(VERBS))]} {subject} {context}")
    own_unit = np.array([DOMAINS[domain].unit for _, _, domain, _ in rows])
    units = pd.read_csv(UNITS_FILE, dtype=str)["code"].to_numpy()
    unit = np.where(rng.random(n) < 0.85, own_unit, rng.choice(units, n))
    start = _days_after("2026-01-01", rng.integers(0, 540, n))
    milestone = rng.choice(np.array(["C26", "PP-26", "2027-06-30", "2027-12-31"]), n)
    return pd.DataFrame({
        "code": [code for code, _, _, _ in rows],
        "parent_code": [parent for _, parent, _, _ in rows],
        "name": names,
        "description": [f"{name}, as practised today; made-up benchmark data." for name in names],
        "unit": unit,
        "process_owner": rng.choice(OWNERS, n),
        "change_owner": _some(rng, rng.choice(OWNERS, n), 0.3),
        "pillar": np.where(rng.random(n) < 0.8,
                           [DOMAINS[domain].pillar for _, _, domain, _ in rows],
                           rng.choice([d.pillar for d in DOMAINS], n)),
        "priority_area": _some(rng, rng.choice(np.array(
            ["member_experience", "operational_efficiency", "staff_empowerment"]), n), 0.3),
        "process_type": np.where(level == 0, "management",
                                 rng.choice(np.array(["core", "enabling"]), n)),
        "lifecycle": _pick(rng, LIFECYCLES, n),
        "transformation_status": _pick(rng, STATUSES, n),
        "digital_maturity": _some(rng, rng.choice(np.arange(1, 6), n,
                                                  p=[0.15, 0.3, 0.3, 0.18, 0.07]), 0.1),
        "annual_volume": _some(rng, np.round(rng.lognormal(5, 1.5, n)).astype(int), 0.1),
        "staff_effort_fte": _some(rng, np.round(rng.lognormal(0, 1, n), 1), 0.1),
        "cycle_time_days": _some(rng, np.round(rng.lognormal(2.5, 1, n), 1), 0.1),
        "pain_points": _items(rng, PAIN_POINTS, n),
        "systems_used": _items(rng, SYSTEMS, n),
        "stakeholders": _items(rng, STAKEHOLDERS, n),
        "quick_fix_candidate": np.where(rng.random(n) < 0.15, "true", "false"),
        "earliest_start": _some(rng, start, 0.3),
        "target_milestone": _some(rng, milestone, 0.3),
        "estimated_cost_chf": _some(rng, np.round(rng.lognormal(11, 1.2, n), -3), 0.15),
        "estimated_effort_pm": _some(rng, np.round(rng.lognormal(2, 1, n), 1), 0.15),
        "resources_needed": _items(rng, RESOURCES, n),
        "related_initiatives": _some(rng, np.array(_items(rng, INITIATIVES, n)), 0.5),
        "external_reference": [f"APQC {d % 13 + 1}.{i % 9 + 1}" for i, (_, _, d, _)
                               in enumerate(rows)],
        "tags": [f"{DOMAINS[domain].prefix.lower()}; benchmark" for _, _, domain, _ in rows],
    })


def _dependencies(rng: np.random.Generator, processes: pd.DataFrame) -> pd.DataFrame:
    """About ``DEPENDENCIES_PER_PROCESS`` upstream processes for each process, earlier in one
    random order (so no cycle), three times likelier in the same category and likelier for a
    few hubs; then a few cycles closed on purpose."""
    n = len(processes)
    order = rng.permutation(n)
    category = processes["code"].str.split("-").str[0].to_numpy()[order]
    hub = rng.pareto(1.5, n) + 1.0
    pairs: set[tuple[int, int]] = set()
    for position in range(1, n):
        wanted = min(position, rng.poisson(DEPENDENCIES_PER_PROCESS))
        if wanted == 0:
            continue
        weight = hub[:position] * np.where(category[:position] == category[position], 3.0, 1.0)
        ups = rng.choice(position, size=wanted, replace=False, p=weight / weight.sum())
        pairs.update((int(order[up]), int(order[position])) for up in ups)
    _close_cycles(rng, pairs, max(2, n // PROCESSES_PER_CYCLE))
    edges = sorted(pairs)
    codes = processes["code"].to_numpy()
    return pd.DataFrame({
        "upstream_code": [codes[u] for u, _ in edges],
        "downstream_code": [codes[d] for _, d in edges],
        "kind": _pick(rng, KINDS, len(edges)),
        "strength": rng.choice(np.array([1, 2, 3]), len(edges), p=[0.3, 0.45, 0.25]),
        "note": _some(rng, np.array(["Receives the upstream output"] * len(edges)), 0.7),
    })


def _close_cycles(rng: np.random.Generator, pairs: set[tuple[int, int]], cycles: int) -> None:
    """Add ``cycles`` edges that close a cycle: half back along one edge (a -> b -> a), half
    back along a path of two (a -> b -> c -> a)."""
    edges = sorted(pairs)
    following: dict[int, list[int]] = {}
    for up, down in edges:
        following.setdefault(up, []).append(down)
    for number in range(cycles):
        up, down = edges[rng.integers(len(edges))]
        if number % 2 and following.get(down):
            last = following[down][rng.integers(len(following[down]))]
            if last != up:
                pairs.add((last, up))
                continue
        pairs.add((down, up))


def _kpis(rng: np.random.Generator, processes: pd.DataFrame) -> pd.DataFrame:
    """About one KPI for two processes, never two of the same name on one process."""
    rows = []
    for code in processes["code"]:
        for index in rng.choice(len(KPIS), size=rng.poisson(0.5) % len(KPIS), replace=False):
            name, measure, direction = KPIS[index]
            baseline = float(rng.integers(10, 90))
            better = 0.7 if direction == "lower" else 1.3
            rows.append({"process_code": code, "name": name, "unit_of_measure": measure,
                         "direction": direction, "baseline": baseline,
                         "target": min(100.0, round(baseline * better)) if measure == "%"
                         else round(baseline * better), "target_date": "2027-12-31",
                         "source": "Made-up benchmark figure"})
    return pd.DataFrame(rows)


PROCESSES_PER_INITIATIVE = 25
INITIATIVE_STATUSES = {"planned": 0.35, "ongoing": 0.4, "completed": 0.15, "revised": 0.1}
DELIVERABLE_STATUSES = {"on_track": 0.5, "at_risk": 0.15, "late": 0.1, "done": 0.2,
                        "dropped": 0.05}


def _initiatives(rng: np.random.Generator, processes: pd.DataFrame,
                 kpis: pd.DataFrame) -> pd.DataFrame:
    """One initiative for about 25 processes (as a roadmap of forty for 1,000 would have),
    each transforming one to five of them and moving the KPIs those have."""
    count = max(1, len(processes) // PROCESSES_PER_INITIATIVE)
    statuses = _pick(rng, INITIATIVE_STATUSES, count)
    rows = []
    for number in range(count):
        chosen = rng.choice(processes["code"].to_numpy(), size=int(rng.integers(1, 6)),
                            replace=False)
        moved = kpis[kpis["process_code"].isin(chosen)] if not kpis.empty else kpis
        first = processes.loc[processes["code"] == chosen[0]].iloc[0]
        rows.append({"code": f"INI-{number + 1:04d}", "name": f"Transform {first['name']}",
                     "pillar": first["pillar"], "priority_area": first["priority_area"],
                     "business_owner": first["change_owner"], "status": statuses[number],
                     "status_reason": "Scope changed" if statuses[number] == "revised"
                     else None,
                     "budget_chf": float(rng.integers(5, 200)) * 10_000,
                     "staff_pm": float(rng.integers(1, 36)),
                     "processes": "; ".join(chosen),
                     "kpis": "; ".join(f"{c}: {n}" for c, n in
                                       zip(moved.get("process_code", []), moved.get("name", []),
                                           strict=True)) or None})
    return pd.DataFrame(rows).reindex(columns=list(SHEETS["Initiatives"]))


def _deliverables(rng: np.random.Generator, initiatives: pd.DataFrame) -> pd.DataFrame:
    """A deliverable by C26 and one by PP-26 for each initiative."""
    rows = []
    for code in initiatives["code"]:
        for ref, milestone in (("D1", "C26"), ("D2", "PP-26")):
            rows.append({"initiative_code": code, "ref": ref, "milestone": milestone,
                         "objective": "Deliver the change", "text": f"{milestone} deliverable",
                         "status": _pick(rng, DELIVERABLE_STATUSES, 1)[0]})
    return pd.DataFrame(rows).reindex(columns=list(SHEETS["Deliverables"]))


def _assessments(rng: np.random.Generator, processes: pd.DataFrame) -> pd.DataFrame:
    """Each rater's value per process and rated criterion: a shared true level (1-5) plus the
    rater's own error of at most a point, a quarter of values in halves, a sixth with a
    low-high range; ``MISSING_RATING`` of the values left out."""
    criteria = rated_criteria()
    codes = np.repeat(processes["code"].to_numpy(), len(criteria))
    keys = np.tile(criteria, len(processes))
    truth = rng.integers(1, 6, len(codes))
    parts = []
    for rater in RATERS:
        value = np.clip(truth + rng.choice([-1, 0, 1], len(codes), p=[0.2, 0.6, 0.2]), 1, 5)
        value = np.clip(value + np.where(rng.random(len(codes)) < 0.25, 0.5, 0.0), 1, 5)
        ranged = rng.random(len(codes)) < 1 / 6
        parts.append(pd.DataFrame({
            "process_code": codes, "criterion_key": keys, "value": value,
            "low": np.where(ranged, np.maximum(1.0, value - 1), np.nan),
            "high": np.where(ranged, np.minimum(5.0, value + 1), np.nan),
            "rater": rater, "rationale": "Rated in the unit's assessment workshop.",
            "assessed_on": _days_after("2025-09-01", rng.integers(0, 300, len(codes))),
        })[rng.random(len(codes)) >= MISSING_RATING])
    return pd.concat(parts, ignore_index=True)


def _refuse(message: str) -> NoReturn:
    print(f"Error: {message}", file=sys.stderr)
    raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.inventory_generator",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2000)
    parser.add_argument("--out", type=Path, required=True, help="the workbook to write (.xlsx)")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    if options.out.suffix.lower() != ".xlsx":
        _refuse(f"--out {options.out}: the inventory is a workbook; name it .xlsx")
    try:
        frames = generate(options.processes, options.seed)
    except ValueError as error:
        _refuse(str(error))
    try:
        options.out.write_bytes(inventory_workbook(frames))
    except OSError as error:
        _refuse(f"--out {options.out}: cannot write it ({error.strerror}); choose a folder "
                "that exists and that you may write to")
    print(f"Wrote {options.out}: " + ", ".join(f"{len(frame):,} {kind}"
                                                for kind, frame in frames.items()))


if __name__ == "__main__":
    main()
