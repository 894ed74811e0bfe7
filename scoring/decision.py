"""From a ranking to a decision: robustness, the portfolio under constraints, the roadmap and
the ranked transformation backlog, composed the same way for the command line and the pages.

Conventions:

* Robustness scores every sample exactly as the scenario ranks
  (:func:`scoring.sensitivity.monte_carlo` with :func:`method_scoring`): the ranking's
  normalised values (missing ones already imputed or excluded by the scenario's policy), its
  method, and the dependency uplift over the same edges; weights around the scenario's,
  values within the raters' range and anywhere on the scale when unknown
  (``Ranking.normalised_low/high``). With nothing varying, every sample is the scenario's own
  ranking. The weight flips are exact for the weighted sum without uplift only;
  :func:`robustness` says so in its notes.
* The portfolio's value of a process is its ranking score (uplift included); its cost is the
  process's ``estimated_cost_chf`` and its effort ``estimated_effort_pm``. A process needs its
  upstream processes (``upstream_code -> downstream_code``) chosen too, unless their
  transformation status is ``completed``; upstream processes outside the ranking (not assessed
  or filtered out) cannot be chosen here and are taken as handled elsewhere, with a note
  naming them. :func:`choose` and :func:`frontier` (the best value at each budget) apply the
  scenario's constraints alike.
* A process with no cost (or effort) estimate is left out of the portfolio while the budget
  (or the capacity) is limited, named as needing an estimate, unless the caller chooses to
  refuse, to count it at an assumed figure or as zero (:class:`Unknowns`).
* The roadmap places the chosen processes (all ranked ones when no portfolio is given) by rank,
  quick fixes first, into periods whose default names follow the DT-I milestones; processes on
  a prerequisite cycle go together; a prerequisite in no period holds its dependants back, and
  :func:`prerequisites_in_no_period` lists such prerequisites.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.criteria import Group
from scoring.errors import ScoringError
from scoring.portfolio import (
    PortfolioResult,
    UnknownPolicy,
    efficient_frontier,
    select_portfolio,
)
from scoring.rank_bounds import interval_texts
from scoring.ranking import UPLIFT, WPM_FLOOR, Ranking
from scoring.roadmap import Period, plan_roadmap
from scoring.scenario import Method
from scoring.sensitivity import Scoring, monte_carlo, weight_flips

#: Default roadmap periods: the two DT-I milestones, then two later years.
DEFAULT_PERIOD_NAMES = ("by C26", "by PP-26", "2027", "2028")
COMPLETED = "completed"


#: The criterion groups of a ranking's value level, by method (:mod:`scoring.ranking`, step 4);
#: the effort level reads the effort group.
VALUE_GROUPS = {Method.WSJF: (Group.IMPACT, Group.DEPENDENCY),
                Method.VALUE_EFFORT: (Group.IMPACT,)}


@dataclass(frozen=True)
class Robustness:
    """``table``: per ranked process (index code, rank order) ``rank`` (the scenario's rank,
    ordinal: a tie in code order; the ranking the samples perturb),
    ``probability_top_n``, ``rank_p5``, ``rank_p50``, ``rank_p95`` and ``robustness``;
    ``flips``: per criterion the smallest weight change that alters the top N of the weighted
    sum; and what the analysis assumed."""

    table: pd.DataFrame
    flips: pd.DataFrame
    samples: int
    top_n: int
    seed: int
    concentration: float | None
    notes: list[str] = field(default_factory=list)


def method_scoring(ranking: Ranking) -> Scoring:
    """How :func:`scoring.sensitivity.monte_carlo` scores a sample the way ``ranking`` was
    scored: its method, VIKOR's ``v``, what TOPSIS and VIKOR measure against, the floor of
    the weighted product and of WSJF's job size, the criteria of the value and effort levels,
    and the dependency uplift over the edges the ranking used."""
    scenario, criteria = ranking.scenario, ranking.criteria
    value = [c.key for c in criteria.criteria if c.group in VALUE_GROUPS.get(scenario.method, ())]
    edges = ranking.dependencies
    pairs = () if edges is None or edges.empty else tuple(zip(
        edges["upstream_code"].astype(str), edges["downstream_code"].astype(str), strict=True))
    return Scoring(scenario.method, vikor_v=scenario.vikor_v, ideal=scenario.ideal,
                   floor=WPM_FLOOR,
                   value=tuple(value), effort=tuple(c.key for c in criteria.in_group(Group.EFFORT)),
                   uplift=scenario.uplift, dependencies=pairs,
                   uplift_round_cycles=scenario.uplift_round_cycles)


def robustness(ranking: Ranking, *, samples: int = 2_000, top_n: int = 10, seed: int = 0,
               concentration: float | None = 100.0, value_noise: bool = True,
               progress: Callable[[float], None] | None = None) -> Robustness:
    """Monte Carlo over weights (and values, with ``value_noise``) by the scenario's method,
    plus weight flips. ``progress`` is called with the fraction of the samples done, as
    :func:`scoring.sensitivity.monte_carlo` says."""
    matrix = ranking.normalised
    weights = ranking.weights
    result = monte_carlo(matrix, weights, samples=samples, top_n=top_n, seed=seed,
                         concentration=concentration,
                         low=ranking.normalised_low if value_noise else None,
                         high=ranking.normalised_high if value_noise else None,
                         scoring=method_scoring(ranking), progress=progress)
    table = result.table.drop(columns=["score"]).rename(columns={"deterministic_rank": "rank"})
    notes = []
    if ranking.scenario.method is not Method.WSM:
        notes.append(f"The weight flips are exact for the weighted sum and computed on it; the "
                     f"scenario ranks by {ranking.scenario.method.label}, which the Monte "
                     "Carlo samples")
    if ranking.scenario.uplift > 0:
        notes.append("The weight flips are computed without the dependency uplift; the Monte "
                     "Carlo includes it")
    flips = weight_flips(matrix, weights, top_n=top_n)
    flips.insert(0, "label", [ranking.criteria.get(str(k)).label for k in flips.index])
    return Robustness(table=table, flips=flips, samples=samples, top_n=top_n, seed=seed,
                      concentration=concentration, notes=notes)


def portfolio_items(ranking: Ranking, processes: pd.DataFrame) -> pd.DataFrame:
    """``code``, ``value`` (score), ``cost`` and ``effort`` of every ranked process."""
    info = processes.set_index("code")
    codes = ranking.table["code"]
    return pd.DataFrame({
        "code": codes.to_numpy(),
        "value": ranking.table["score"].to_numpy(),
        "cost": _column(info, "estimated_cost_chf", codes),
        "effort": _column(info, "estimated_effort_pm", codes),
    })


def completed(processes: pd.DataFrame) -> list[str]:
    """Codes of processes whose transformation is completed (their dependants may start)."""
    if "transformation_status" not in processes:
        return []
    return processes.loc[processes["transformation_status"] == COMPLETED, "code"].tolist()


@dataclass(frozen=True)
class Unknowns:
    """How a process with no cost (or effort) estimate counts when the budget (or the
    capacity) is limited: ``policy`` is one of :data:`scoring.portfolio.UNKNOWN_POLICIES`,
    ``"leave_out"`` by default (unknown is never zero unless chosen); ``"assume"`` counts an
    unknown cost at ``cost`` (CHF) and an unknown effort at ``effort`` (person-months)."""

    policy: UnknownPolicy = "leave_out"
    cost: float | None = None
    effort: float | None = None

    def terms(self) -> dict[str, Any]:
        """The arguments of :func:`scoring.portfolio.select_portfolio` they set."""
        assumed = self.policy == "assume"
        return {"unknown_cost": self.policy, "unknown_effort": self.policy,
                "assumed_cost": self.cost if assumed else None,
                "assumed_effort": self.effort if assumed else None}


def choose(ranking: Ranking, processes: pd.DataFrame, dependencies: pd.DataFrame | None, *,
           budget: float | None = None, capacity: float | None = None,
           unknown: Unknowns | UnknownPolicy = "leave_out") -> PortfolioResult:
    """The best portfolio under the scenario's constraints; ``budget`` and ``capacity`` (person-
    months per period), when given, replace the scenario's. The portfolio may use the capacity
    of every period up to the scenario's deadline (see :func:`default_periods`). ``unknown``
    says how missing estimates count (see :class:`Unknowns`)."""
    budget = ranking.scenario.constraints.budget if budget is None else budget
    return select_portfolio(portfolio_items(ranking, processes), budget=budget,
                            **_portfolio_terms(ranking, processes, dependencies, capacity,
                                               unknown))


def frontier(ranking: Ranking, processes: pd.DataFrame, dependencies: pd.DataFrame | None,
             budgets: Sequence[float], *, capacity: float | None = None,
             unknown: Unknowns | UnknownPolicy = "leave_out") -> pd.DataFrame:
    """The best value at each budget (:func:`scoring.portfolio.efficient_frontier`'s table)
    under the scenario's other constraints, each budget solved as :func:`choose` solves it
    with that budget: the same capacity, must-include and must-exclude, exclusive groups and
    prerequisites (those outside the ranking taken as handled elsewhere)."""
    return efficient_frontier(portfolio_items(ranking, processes), budgets,
                              **_portfolio_terms(ranking, processes, dependencies, capacity,
                                                 unknown))


def _portfolio_terms(ranking: Ranking, processes: pd.DataFrame,
                     dependencies: pd.DataFrame | None, capacity: float | None,
                     unknown: Unknowns | UnknownPolicy) -> dict[str, Any]:
    """Every argument of :func:`scoring.portfolio.select_portfolio` and
    :func:`scoring.portfolio.efficient_frontier` but the items and the budget, from the
    scenario's constraints: the capacity over the periods up to the deadline (``capacity``
    per period, else the scenario's), the ranked must-include (refused when not ranked),
    must-exclude and exclusive alternatives, the prerequisites, those neither ranked nor
    completed taken as handled elsewhere (with a note), and how unknown estimates count."""
    constraints = ranking.scenario.constraints
    ranked = set(ranking.table["code"])
    per_period = constraints.capacity if capacity is None else capacity
    total = None if per_period is None else sum(
        p.capacity_pm for p in default_periods(per_period, constraints.deadline))
    unknowns = unknown if isinstance(unknown, Unknowns) else Unknowns(unknown)
    return {"capacity": total,
            "must_include": _ranked(ranking, constraints.must_include, "must-include"),
            "must_exclude": [c for c in constraints.must_exclude if c in ranked],
            "exclusive_groups": [[c for c in group if c in ranked]
                                 for group in constraints.exclusive],
            "prerequisites": dependencies, "completed": completed(processes),
            **unknowns.terms(), "missing_prerequisites": "ignore"}


def default_periods(capacity: float, deadline: str | None = None) -> list[Period]:
    """The DT-I periods up to the ``deadline`` milestone (``C26``: one, ``PP-26``: two; none
    or a date: all four), each with ``capacity`` person-months."""
    count = {"C26": 1, "PP-26": 2}.get((deadline or "").upper(), len(DEFAULT_PERIOD_NAMES))
    return [Period(name, None, capacity) for name in DEFAULT_PERIOD_NAMES[:count]]


def roadmap(ranking: Ranking, processes: pd.DataFrame, dependencies: pd.DataFrame | None,
            periods: Sequence[Period], chosen: Sequence[str] | None = None) -> pd.DataFrame:
    """The chosen processes (all ranked ones when ``chosen`` is None) placed into periods by
    rank, quick fixes first (:func:`scoring.roadmap.plan_roadmap`); unknown effort counts as 0
    and is flagged in ``effort_unknown``. A process whose prerequisite is in no period and not
    completed is not placed, its reason naming it (see :func:`prerequisites_in_no_period`),
    and ``waiting_for`` names, for every process, its prerequisites that are not completed and
    have no period in this plan (not in it, or in it but not placed), comma-separated by code;
    empty text when none, which is always the case for a placed process."""
    table = ranking.table
    if chosen is not None:
        table = table[table["code"].isin(list(chosen))]
    info = processes.set_index("code")
    effort = _column(info, "estimated_effort_pm", table["code"])
    items = pd.DataFrame({"code": table["code"].to_numpy(), "priority": table["rank"].to_numpy(),
                          "effort": np.nan_to_num(effort, nan=0.0),
                          "quick_fix": table["quick_fix"].to_numpy(dtype=bool)})
    done = completed(processes)
    plan = plan_roadmap(items, periods, dependencies, done)
    unknown = set(table["code"][np.isnan(effort)])
    plan["effort_unknown"] = plan["code"].isin(unknown)
    plan["waiting_for"] = _waiting_for(plan, dependencies, set(done))
    return plan


def _waiting_for(plan: pd.DataFrame, dependencies: pd.DataFrame | None,
                 done: set[str]) -> list[str]:
    """Per row of ``plan``, its prerequisites neither completed nor placed, as text."""
    if dependencies is None or dependencies.empty:
        return [""] * len(plan)
    placed = set(plan.loc[plan["placed"], "code"].astype(str))
    links = pd.DataFrame({"up": dependencies["upstream_code"].astype(str),
                          "down": dependencies["downstream_code"].astype(str)})
    links = links[(links["up"] != links["down"]) & ~links["up"].isin(placed | done)]
    waiting = links.groupby("down")["up"].apply(lambda codes: ", ".join(sorted(set(codes))))
    return [str(waiting.get(code, "")) for code in plan["code"].astype(str)]


def prerequisites_in_no_period(plan: pd.DataFrame, ranking: Ranking, processes: pd.DataFrame,
                               dependencies: pd.DataFrame | None) -> pd.DataFrame:
    """The prerequisites the roadmap ``plan`` waits for but holds in no period (neither in the
    plan nor completed): ``code``, ``name``, ``status`` (transformation status), ``ranked``
    (False: not assessed or filtered out under this scenario, so it cannot be chosen) and
    ``needed_by`` (the planned processes that need it, comma-separated), by code."""
    columns = ["code", "name", "status", "ranked", "needed_by"]
    if dependencies is None or dependencies.empty:
        return pd.DataFrame(columns=columns)
    planned = set(plan["code"].astype(str))
    done = set(completed(processes))
    links = dependencies.assign(upstream_code=dependencies["upstream_code"].astype(str),
                                downstream_code=dependencies["downstream_code"].astype(str))
    links = links[links["downstream_code"].isin(planned) & ~links["upstream_code"].isin(planned)
                  & ~links["upstream_code"].isin(done)
                  & (links["upstream_code"] != links["downstream_code"])]
    needed = links.groupby("upstream_code")["downstream_code"].apply(
        lambda codes: ", ".join(sorted(set(codes))))
    info = processes.assign(code=processes["code"].astype(str)).set_index("code")
    codes = sorted(needed.index)
    ranked = set(ranking.table["code"].astype(str))
    return pd.DataFrame({
        "code": codes,
        "name": [_text(info, "name", code) for code in codes],
        "status": [_text(info, "transformation_status", code).replace("_", " ")
                   for code in codes],
        "ranked": [code in ranked for code in codes],
        "needed_by": [needed[code] for code in codes]}, columns=columns)


def _text(info: pd.DataFrame, column: str, code: str) -> str:
    """A process's text field, or "unknown" when the process or the field is missing."""
    if column not in info.columns or code not in info.index:
        return "unknown"
    value = info.at[code, column]
    return str(value) if isinstance(value, str) and value else "unknown"


BACKLOG_COLUMNS = ["rank", "code", "name", "unit", "process_owner", "change_owner", "score",
                   "uplift", "quadrant", "quick_fix", "probability_top_n", "rank_interval",
                   "completeness", "selected", "period", "waiting_for", "cost_chf",
                   "effort_pm", "prerequisites", "kpis", "reasons"]


def backlog(ranking: Ranking, processes: pd.DataFrame, dependencies: pd.DataFrame | None,
            kpis: pd.DataFrame | None, *, robust: Robustness | None = None,
            portfolio: PortfolioResult | None = None,
            plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ranked transformation backlog: one row per ranked process in rank order with the
    reasons attached, then one ``contribution_<criterion>`` column per criterion."""
    table = ranking.table.set_index("code")
    codes = list(table.index)
    info = processes.set_index("code").reindex(codes)
    frame = pd.DataFrame({
        "rank": table["rank"], "code": codes, "name": table["name"],
        "unit": table["unit"],
        "process_owner": info.get("process_owner"), "change_owner": info.get("change_owner"),
        "score": table["score"], "uplift": table["uplift"], "quadrant": table["quadrant"],
        "quick_fix": table["quick_fix"],
        "probability_top_n": robust.table["probability_top_n"].reindex(codes)
        if robust is not None else np.nan,
        "rank_interval": interval_texts(table),
        "completeness": table["completeness"],
        "selected": [c in set(portfolio.selected) for c in codes]
        if portfolio is not None else None,
        "period": plan.set_index("code")["period"].reindex(codes)
        if plan is not None else None,
        "waiting_for": plan.set_index("code")["waiting_for"].reindex(codes)
        if plan is not None else None,
        "cost_chf": info.get("estimated_cost_chf"), "effort_pm": info.get("estimated_effort_pm"),
        "prerequisites": _prerequisites(dependencies, codes),
        "kpis": _kpis(kpis, codes),
        "reasons": [_reason(ranking, code) for code in codes],
    }, index=pd.Index(codes, name="code"))
    contributions = ranking.contributions.add_prefix("contribution_")
    return pd.concat([frame[BACKLOG_COLUMNS], contributions], axis=1).reset_index(drop=True)


def _reason(ranking: Ranking, code: str) -> str:
    """The criteria that lift a process most, in words: 'Strategic alignment 0.120; ...'."""
    keys = ranking.criteria.keys
    values = ranking.contributions.loc[code, keys].to_numpy(dtype=np.float64)
    order = [j for j in np.argsort(-values, kind="stable")[:3] if values[j] > 0]
    words = [f"{ranking.criteria.criteria[j].label} {values[j]:.3f}" for j in order]
    uplift = float(ranking.contributions.loc[code].to_numpy(dtype=np.float64)[-1])
    if uplift > 0:
        words.append(f"unblocks other work (+{uplift:.3f})")
    return "; ".join(words)


def _prerequisites(dependencies: pd.DataFrame | None, codes: list[str]) -> list[str]:
    if dependencies is None or dependencies.empty:
        return [""] * len(codes)
    needs = dependencies.groupby("downstream_code")["upstream_code"].apply(
        lambda s: ", ".join(sorted(map(str, s))))
    return [str(needs.get(code, "")) for code in codes]


def _kpis(kpis: pd.DataFrame | None, codes: list[str]) -> list[str]:
    if kpis is None or kpis.empty:
        return [""] * len(codes)

    def one(row: pd.Series) -> str:
        unit = row.get("unit_of_measure")
        unit = f" {unit}" if isinstance(unit, str) else ""
        change = f"{_number(row.get('baseline'))} -> {_number(row.get('target'))}"
        return f"{row['name']}: {change}{unit}"

    texts = kpis.assign(text=kpis.apply(one, axis=1)).groupby("process_code")["text"].apply(
        "; ".join)
    return [str(texts.get(code, "")) for code in codes]


def _number(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    return f"{float(value):g}" if isinstance(value, int | float) else str(value)


def _column(info: pd.DataFrame, name: str, codes: pd.Series) -> np.ndarray:
    if name not in info.columns:
        return np.full(len(codes), np.nan)
    return pd.to_numeric(info[name], errors="coerce").reindex(codes.to_numpy()).to_numpy(
        dtype=np.float64)


def _ranked(ranking: Ranking, codes: Sequence[str], what: str) -> list[str]:
    ranked = set(ranking.table["code"])
    missing = [c for c in codes if c not in ranked]
    if missing:
        raise ScoringError(f"The {what} {', '.join(missing)} is not ranked under this scenario "
                           "(filtered out or not assessed); assess it or widen the filters")
    return list(codes)


def backlog_sheets(name: str, ranking: Ranking, frames: Mapping[str, pd.DataFrame], *,
                   robust: Robustness, portfolio: PortfolioResult | None,
                   plan: pd.DataFrame | None, exported_by: str,
                   weighting_round: Mapping[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """Every sheet of the exported backlog: Backlog, Scenario, Robustness, Weight flips,
    Roadmap and Prerequisites in no period (when planned: see
    :func:`prerequisites_in_no_period`), Decision record and Columns (each column's header in
    words and meaning, see :func:`columns_sheet`). ``frames`` are the inventory's frames (processes,
    dependencies, kpis). Columns keep their machine keys and full precision here; the
    handout formats (:mod:`inventory.files.backlog_export`) put them in words. The decision record
    names the scenario, when, who and the SHA-256 figures, never where the data is stored;
    the SHA-256 figures are of canonical JSON (sorted keys, compact), as for decision
    snapshots. When a weighting round decided the scenario's weights (``weighting_round``, its
    record as :meth:`inventory.services.scenarios.ScenarioBook.weighting_round` gives it),
    the record says which, how they were combined, the consensus and each member's weights
    (:func:`round_rows`)."""
    frame = backlog(ranking, frames["processes"], frames["dependencies"], frames.get("kpis"),
                    robust=robust, portfolio=portfolio, plan=plan)
    sheets = {"Backlog": frame, "Scenario": _scenario_sheet(ranking),
              "Robustness": _named(robust.table.reset_index(), ranking),
              "Weight flips": robust.flips.reset_index().assign(
                  enters=lambda f: f["enters"].map(lambda e: ", ".join(map(str, e))),
                  leaves=lambda f: f["leaves"].map(lambda e: ", ".join(map(str, e))))}
    if plan is not None:
        sheets["Roadmap"] = _named(plan, ranking)
        sheets["Prerequisites in no period"] = prerequisites_in_no_period(
            plan, ranking, frames["processes"], frames["dependencies"])
    rows: list[tuple[str, Any]] = [
        ("Exported at", f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"),
        ("Exported by", exported_by),
        ("Scenario", name),
        ("Criteria set", ranking.criteria.name),
        ("Method", ranking.scenario.method.label),
        ("Processes ranked", len(ranking.table)),
        ("Processes not ranked (no assessment)", len(ranking.left_out)),
        ("Robustness", f"{robust.samples:,} samples, seed {robust.seed}, top {robust.top_n}"),
        ("Backlog SHA-256", _sha256(json.loads(frame.to_json(orient="records")))),
    ]
    if portfolio is not None:
        rows.append(("Portfolio", f"{len(portfolio.selected)} chosen, CHF "
                                  f"{portfolio.total_cost:,.0f}, {portfolio.total_effort:g} "
                                  "person-months"))
    if weighting_round is not None:
        rows += round_rows(weighting_round, ranking)
    rows += [("Note", note) for note in [*ranking.notes, *robust.notes,
                                        *(portfolio.notes if portfolio else ())]]
    sheets["Decision record"] = pd.DataFrame(rows, columns=["item", "value"]).astype(
        {"value": object})
    sheets["Columns"] = columns_sheet(ranking, robust.top_n, sheets.values())
    return sheets


#: How the decision record names a weighting round's method of combination.
ROUND_METHODS = {"aij": "AIJ, the geometric mean of the members' judgements",
                 "aip-arithmetic": "AIP, the arithmetic mean of the members' weights",
                 "aip-geometric": "AIP, the geometric mean of the members' weights"}


def round_rows(record: Mapping[str, Any], ranking: Ranking) -> list[tuple[str, Any]]:
    """The decision record's lines on the weighting round behind the weights: the round, who
    closed it and when, the method, the consensus, then one line per member with their
    weights (or why they were not counted)."""
    result = record["result"]
    labels = {c.key: c.label for c in ranking.criteria.criteria}

    def shares(priorities: Mapping[str, float]) -> str:
        ordered = [*[k for k in labels if k in priorities],
                   *[k for k in priorities if k not in labels]]
        return ", ".join(f"{labels.get(k, k)} {priorities[k]:.0%}" for k in ordered)

    excluded = set(result.get("excluded_inconsistent") or [])
    rows: list[tuple[str, Any]] = [
        ("Weights decided by", f"{record['code']}, closed by {record['closed_by']} on "
                               f"{str(record['closed_at'])[:16].replace('T', ' ')} UTC"),
        ("Combined by", f"{ROUND_METHODS.get(result['method'], result['method'])} of "
                        f"{len(result['included'])} member(s)' answers"),
        ("Consensus", f"{result['consensus']:.0%} ({result['consensus_band']})")]
    for member in result["members"]:
        name = member["username"]
        if member["priorities"] is None:
            rows.append((f"Member {name}", "did not answer"))
            continue
        note = " (not counted: consistency ratio over 0.10)" if name in excluded else ""
        rows.append((f"Member {name}", shares(member["priorities"]) + note))
    return rows


def _named(frame: pd.DataFrame, ranking: Ranking) -> pd.DataFrame:
    """``frame`` with each process's name after its code."""
    names = ranking.table.set_index("code")["name"]
    return frame.assign(name=frame["code"].map(names))[
        ["code", "name", *[c for c in frame.columns if c not in ("code", "name")]]]


#: Each column of the backlog's sheets: its header in words and what it means. ``{n}`` is the
#: size of the top group.
COLUMN_WORDS: dict[str, tuple[str, str]] = {
    "rank": ("Rank", "1 = transform first. Processes with equal scores share a rank (Backlog); "
                     "the Robustness sheet orders them by code."),
    "code": ("Code", "The process's code in the inventory."),
    "name": ("Process", "The process's name."),
    "unit": ("Unit", "The organisational unit that owns the process."),
    "process_owner": ("Process owner", "Who owns the process."),
    "change_owner": ("Change owner", "Who could change the process."),
    "score": ("Score", "The scenario's score, dependency uplift included; higher ranks first."),
    "uplift": ("Dependency uplift", "The part of the score that comes from the work the "
                                    "process unblocks."),
    "quadrant": ("Quadrant", "Impact against effort: quick win, major project, fill-in or "
                             "reconsider."),
    "quick_fix": ("Quick fix", "Marked by an analyst, or a quick win of low effort."),
    "probability_top_n": ("In the top {n}", "Share of the robustness samples in which the "
                                            "process ranks in the top {n}."),
    "rank_interval": ("Could rank", "Best to worst rank given the values still unknown: every "
                                    "way of filling them in ranks the process there ('within': "
                                    "the ends may not be reached)."),
    "completeness": ("Known", "Share of the weighted criteria with a known value."),
    "selected": ("Chosen", "Chosen for the portfolio under the scenario's budget and "
                           "capacity; empty when the scenario sets neither."),
    "period": ("Period", "The roadmap period the process is planned in; empty when it is not "
                         "planned."),
    "waiting_for": ("Waiting for", "Prerequisites not completed that the roadmap could not "
                                   "place (in no period, or not placed), which hold the "
                                   "process back: it is not planned until they are."),
    "status": ("Status", "The prerequisite's transformation status."),
    "ranked": ("Ranked", "Whether the prerequisite is ranked under this scenario; if not, "
                         "assess it (or widen the scenario's filters) so it can be chosen."),
    "needed_by": ("Needed by", "The planned processes that wait for this prerequisite."),
    "cost_chf": ("Cost (CHF)", "Estimated cost of the transformation, in Swiss francs."),
    "effort_pm": ("Effort (person-months)", "Estimated effort of the transformation."),
    "prerequisites": ("Needs first", "The processes this one depends on."),
    "kpis": ("KPIs", "Key performance indicators: baseline -> target."),
    "reasons": ("Why", "The criteria that lift the process most, with their contributions."),
    "rank_p5": ("Best rank (5%)", "In 5% of the samples the process ranks this well or "
                                  "better."),
    "rank_p50": ("Median rank", "The process's rank in the middle of the samples."),
    "rank_p95": ("Worst rank (95%)", "In 95% of the samples the process ranks this well or "
                                     "better."),
    "robustness": ("Robustness", "Robust: settled in or out of the top {n} and a steady rank; "
                                 "fragile: close to a coin toss; sensitive: in between."),
    "label": ("Criterion", "The criterion whose weight changes."),
    "weight": ("Weight now", "The criterion's share of the weights (they sum to 1)."),
    "down": ("Smallest decrease", "The smallest decrease of the weight that changes the top "
                                  "{n} (weighted sum); empty when none does."),
    "up": ("Smallest increase", "The smallest increase of the weight that changes the top "
                                "{n} (weighted sum); empty when none does."),
    "change": ("Smallest change", "The smaller of the two, signed."),
    "new_weight": ("Weight then", "The weight after the smallest change."),
    "relative_change": ("Relative change", "The smallest change as a share of the weight "
                                           "now."),
    "enters": ("Enters the top {n}", "Who enters the top {n} after the smallest change."),
    "leaves": ("Leaves the top {n}", "Who leaves the top {n} after the smallest change."),
    "priority": ("Rank", "The process's rank in the backlog."),
    "effort": ("Effort (person-months)", "Estimated effort the roadmap plans for (unknown "
                                         "counts as 0)."),
    "placed": ("Planned", "Whether the roadmap found a period for the process."),
    "end": ("Period ends", "The end date of the period, when it has one."),
    "step": ("Order planned", "The order in which the roadmap placed the processes."),
    "reason": ("Why not planned", "Why the roadmap found no period for the process."),
    "effort_unknown": ("Effort unknown", "The effort is not estimated yet."),
    "setting": ("Setting", "A setting of the scenario."),
    "item": ("Item", "What the decision record states."),
    "value": ("Value", ""),
}


def columns_sheet(ranking: Ranking, top_n: int,
                  frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """``column`` (machine key), ``header`` (in words) and ``meaning`` of every column of
    ``frames``, in order of appearance; a contribution column is named after its criterion's
    label in the criteria set."""
    labels = {c.key: c.label for c in ranking.criteria.criteria} | {UPLIFT: "Unblocks other work"}
    rows: dict[str, tuple[str, str]] = {}
    for frame in frames:
        for column in map(str, frame.columns):
            if column in rows:
                continue
            key = column.removeprefix("contribution_")
            if column.startswith("contribution_") and key in labels:
                rows[column] = (f"Contribution: {labels[key]}",
                                f"What {labels[key].lower()} adds to the score: its weight "
                                "times the process's normalised value.")
            elif column in COLUMN_WORDS:
                header, meaning = COLUMN_WORDS[column]
                rows[column] = (header.format(n=top_n), meaning.format(n=top_n))
    return pd.DataFrame([(k, h, m) for k, (h, m) in rows.items()],
                        columns=["column", "header", "meaning"])


#: The scenario's settings in words (the Scenario sheet), in this order.
SETTING_WORDS = {"name": "Scenario", "method": "Method", "aggregation": "Raters combined by",
                 "missing": "Missing values", "uplift": "Dependency uplift",
                 "vikor_v": "VIKOR strategy weight (v)",
                 "ideal": "TOPSIS and VIKOR measure against",
                 "impact_threshold": "Impact threshold",
                 "effort_threshold": "Effort threshold",
                 "quick_fix_effort": "Quick-fix effort at most",
                 "include_unassessed": "Processes without an assessment", "notes": "Notes"}
PART_WORDS = {"units": "Units", "pillars": "Pillars", "priority_areas": "Priority areas",
              "statuses": "Transformation statuses", "levels": "Levels",
              "budget": "Budget (CHF)", "capacity": "Capacity (person-months per period)",
              "must_include": "Must include", "must_exclude": "Must exclude",
              "deadline": "Deadline", "exclusive": "At most one of"}


def _scenario_sheet(ranking: Ranking) -> pd.DataFrame:
    """``key`` (machine), ``setting`` (in words) and ``value`` of every setting of the
    scenario, the weights (normalised, by criterion label), the filters and constraints set,
    and the SHA-256 of the settings."""
    scenario = ranking.scenario
    settings = scenario.to_dict()
    words = {"method": scenario.method.label, "ideal": scenario.ideal.label,
             "missing": "each criterion's own policy" if scenario.missing is None
             else scenario.missing.value,
             "include_unassessed": "ranked" if scenario.include_unassessed else "left out"}
    rows: list[tuple[str, str, Any]] = [(key, label, words.get(key, settings[key]))
                                        for key, label in SETTING_WORDS.items()]
    rows += [(f"weights.{c.key}", f"Weight: {c.label}", float(ranking.weights[c.key]))
             for c in ranking.criteria.criteria]
    for part in ("filters", "constraints"):
        for key, value in settings[part].items():
            if value in (None, []):
                continue
            text = ", ".join(" or ".join(x) if isinstance(x, list) else str(x) for x in value) \
                if isinstance(value, list) else value
            rows.append((f"{part}.{key}", PART_WORDS.get(key, key), text))
    rows.append(("sha256", "Settings SHA-256", _sha256(settings)))
    return pd.DataFrame(rows, columns=["key", "setting", "value"]).astype({"value": object})


def _sha256(content: Any) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
