"""The one validating entry point: processes, assessments and graph metrics in, ranking out.

``rank(inputs, criteria, scenario)`` takes plain frames (nothing from the database):

* ``processes``: ``code``, ``name`` and any process fields criteria read (``field:NAME``);
  optional ``unit``, ``quick_fix_candidate`` and ``transformation_status``;
* ``assessments``: ``process_code``, ``criterion_key``, ``value``, ``rater``;
* ``metrics``: graph metrics indexed by ``code``, read as given (as
  :func:`inventory.graph.metrics` returns them: each process's values depend only on its own
  connected part of the dependency graph, so processes with no dependency path to it never
  change them);
* ``dependencies``: ``upstream_code``, ``downstream_code`` (for the dependency uplift);
* ``demand``: staff demand indexed by ``code``, one column per measure of
  :data:`scoring.criteria.DEMAND_MEASURES` (what ``cases:MEASURE`` criteria read); a process
  it does not list has no demand (0); ``None`` when it was not read (the values are unknown).

Steps, each recorded in the result so every rank can be explained:

0. Scope: the scenario's filters; then processes whose transformation is ``completed`` are set
   apart (``Ranking.completed``: done, not work still to do) unless the scenario ranks them,
   and processes nobody has assessed are set apart (``Ranking.left_out``) unless it includes
   them.
1. Raw values per process and criterion: raters aggregated (:mod:`scoring.raters`), process
   fields, graph metrics, staff demand. Unknown stays NaN.
2. Normalised values on the declared scale, 1 = best (:func:`scoring.normalize.declared`).
3. Missing values imputed by policy, never as zero: ``midpoint`` 0.5, ``worst`` 0, ``best`` 1;
   ``exclude`` leaves the criterion out of that process's score and re-normalises its weights
   (weighted sum, WSJF and value/effort; the other methods need a full matrix and use the
   midpoint instead, noted in ``Ranking.notes``). Every imputed cell is marked.
4. Score by the scenario's method; contributions are ``weight x normalised value`` (for the
   weighted sum they add up to the score before uplift). VIKOR's score is ``1 - Q``. TOPSIS
   and VIKOR measure against the ideal and anti-ideal the declared scales define (1 and 0 on
   every criterion; :func:`scoring.methods.topsis_declared`, :func:`scoring.methods.
   vikor_declared`) unless the scenario's ``ideal`` is ``data``: then against the best and
   worst of the processes ranked, as published, and ``Ranking.notes`` warns that adding or
   removing processes can re-order the rest.
5. Dependency uplift (:mod:`scoring.uplift`) when the scenario's factor is above 0.
6. Ranks: higher score first; scores equal to 12 significant digits share a rank (1, 2, 2, 4)
   and are listed by code. Rows are sorted by code first, so input order never matters.
7. Best and worst rank each process could reach given what is unknown, whatever the policy
   (:mod:`scoring.rank_bounds`): every way of filling in the unknown values ranks the process
   inside them. Exact (both ends reached) when each score depends on the process's own values
   only and there is no uplift; otherwise outer bounds (``bounds_exact`` false, and a note).
8. Impact and effort levels (0-1 weighted means of the impact and effort groups; effort reads
   1 = hardest), quadrants of the impact-effort matrix (quick win: high impact, low effort;
   major project: high, high; fill-in: low, low; reconsider: low impact, high effort) and
   quick-fix flags (marked by an analyst, or a quick win at or below the quick-fix effort).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from scoring import methods, rank_bounds
from scoring.criteria import CriteriaSet, Criterion, Group, MissingPolicy, SourceKind
from scoring.errors import ScoringError
from scoring.normalize import declared
from scoring.raters import Ratings, rating_matrices
from scoring.scenario import COMPLETED, IDEAL_METHODS, Ideal, Method, Scenario
from scoring.ties import rounded_for_ties
from scoring.uplift import apply_uplift, uplift_operator

FloatArray = NDArray[np.float64]

QUICK_WIN, MAJOR_PROJECT, FILL_IN, RECONSIDER = (
    "Quick win", "Major project", "Fill-in", "Reconsider")
UPLIFT = "dependency_uplift"
#: The floor of the weighted product (and of WSJF's job size): normalised values are mapped
#: onto [WPM_FLOOR, 1], so that no factor is 0.
WPM_FLOOR = 0.1


@dataclass(frozen=True)
class RankingInputs:
    processes: pd.DataFrame
    assessments: pd.DataFrame
    metrics: pd.DataFrame | None = None
    dependencies: pd.DataFrame | None = None
    demand: pd.DataFrame | None = None


@dataclass(frozen=True)
class Ranking:
    """The ranked processes and everything needed to explain them.

    ``table`` has one row per ranked process in rank order (ties by code): ``rank``, ``code``,
    ``name``, ``unit``, ``score``, ``base_score`` (before uplift), ``uplift``, ``completeness``
    (share of weighted criteria with a known value), ``imputed`` (count), ``best_rank``,
    ``worst_rank``, ``bounds_exact`` (both ends can be reached; else outer bounds),
    ``impact``, ``effort``, ``quadrant``, ``quick_fix``, ``disagreement`` (largest raters'
    range, as a share of its scale). The other frames are indexed by code
    in the same order, one column per criterion. ``normalised_low`` and ``normalised_high``
    bound each normalised value by what is known: the lowest and highest rater (or a rater's
    own low-high range, when wider) for assessed criteria, the value itself for fields and
    graph metrics, the whole scale (0 to 1) for an unknown value (NaN where the criterion is
    excluded); robustness analysis samples in them. ``dependencies`` are the edges
    (``upstream_code``, ``downstream_code``) the dependency uplift was computed over, so that
    robustness analysis can add the same uplift to every sample.
    """

    table: pd.DataFrame
    raw: pd.DataFrame
    normalised: pd.DataFrame
    imputed: pd.DataFrame
    spread: pd.DataFrame
    raters: pd.DataFrame
    contributions: pd.DataFrame
    normalised_low: pd.DataFrame
    normalised_high: pd.DataFrame
    weights: pd.Series
    criteria: CriteriaSet
    scenario: Scenario
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    compromise: list[str] = field(default_factory=list)
    dependencies: pd.DataFrame | None = None
    completed: list[str] = field(default_factory=list)

    def require(self, code: str) -> str:
        """``code`` if it is ranked, else a :class:`ScoringError` saying why it is not."""
        if code in self.contributions.index:
            return code
        if code in self.left_out:
            raise ScoringError(f"Process {code!r} is not ranked: it has no assessment yet "
                               "(assess it, or include unassessed processes)")
        if code in self.completed:
            raise ScoringError(f"Process {code!r} is not ranked: its transformation is "
                               "completed (include completed processes to rank it)")
        raise ScoringError(f"Process {code!r} is not in the ranking: check the code")


def rank(inputs: RankingInputs, criteria: CriteriaSet, scenario: Scenario) -> Ranking:
    """Rank the processes of ``inputs`` on ``criteria`` under ``scenario`` (see module doc)."""
    processes = _checked_processes(scenario.filters.apply(inputs.processes))
    processes, completed = _set_apart_completed(processes, scenario)
    weights_raw = scenario.weights_for(criteria)
    ratings = rating_matrices(inputs.assessments, processes["code"].tolist(), criteria.keys,
                              scenario.aggregation)
    left_out: list[str] = []
    if not scenario.include_unassessed and criteria.assessed():
        rated = np.array([c.source is SourceKind.ASSESSMENT for c in criteria.criteria])
        keep: NDArray[np.bool_] = np.asarray((ratings.raters[:, rated] > 0).any(axis=1))
        left_out = processes["code"].to_numpy()[~keep].tolist()
        processes = processes.iloc[np.flatnonzero(keep)].reset_index(drop=True)
        ratings = ratings.rows(keep)
    codes = processes["code"].tolist()
    raw, spread, counts = _raw_values(processes, ratings, inputs, criteria)
    position = np.column_stack([
        declared(raw[c.key].to_numpy(), c.scale.low, c.scale.high, benefit=c.benefit,
                 log=c.scale.log) for c in criteria.criteria]) if codes else \
        np.zeros((0, len(criteria.criteria)))
    missing = np.isnan(position)
    weights = np.array([weights_raw[k] for k in criteria.keys], dtype=np.float64)
    weights = weights / weights.sum()
    notes: list[str] = [scenario.reorder_warning] if scenario.reorder_warning else []
    policies = _policies(criteria, scenario, notes)
    normalised = _impute(position, policies)
    low, high = _rated_bounds(raw, ratings, criteria, policies)
    scores, contributions, extra = _score(normalised, weights, criteria, scenario, codes)
    compromise_rows = _compromise(extra, scenario)
    operator = uplift_operator(codes, inputs.dependencies, scenario.uplift,
                               round_cycles=scenario.uplift_round_cycles)
    uplift = apply_uplift(operator, scores, scenario.uplift)
    total = scores + uplift
    ranks = _ranks(total)
    best, worst, exact = _rank_bounds(position, weights, criteria, scenario, codes, operator,
                                      ranks, notes)
    impact = _group_level(normalised, weights, criteria, (Group.IMPACT,), invert=False)
    effort = _group_level(normalised, weights, criteria, (Group.EFFORT,), invert=True)
    weighted = weights > 0
    known = (~missing[:, weighted]).sum(axis=1) if codes else np.zeros(0)
    table = pd.DataFrame({
        "rank": ranks,
        "code": codes,
        "name": processes["name"].astype(str).tolist(),
        "unit": processes["unit"].tolist() if "unit" in processes else [None] * len(codes),
        "score": total,
        "base_score": scores,
        "uplift": uplift,
        "completeness": known / max(int(weighted.sum()), 1),
        "imputed": (missing & (np.array(policies) != MissingPolicy.EXCLUDE))[:, weighted]
        .sum(axis=1) if codes else np.zeros(0, dtype=int),
        "best_rank": best,
        "worst_rank": worst,
        "bounds_exact": exact | (best == worst),
        "impact": impact,
        "effort": effort,
    })
    table["quadrant"] = _quadrants(impact, effort, scenario)
    table["quick_fix"] = _quick_fix(processes, table, scenario)
    table["disagreement"] = _disagreement(spread, criteria)
    for name, values in extra.items():
        table[name] = values
    # Rows are in code order, so a stable sort by rank lists ties by code.
    order = np.argsort(ranks, kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    index = pd.Index(np.asarray(codes, dtype=object)[order], name="code")

    def framed(values: np.ndarray, columns: list[str] = criteria.keys) -> pd.DataFrame:
        return pd.DataFrame(values[order], index=index, columns=columns)

    contribution_frame = framed(np.column_stack([contributions, uplift]),
                                [*criteria.keys, UPLIFT])
    compromise = [codes[i] for i in compromise_rows]
    if compromise and scenario.uplift > 0:
        notes.append("The VIKOR compromise set is computed on VIKOR's own Q, before the "
                     "dependency uplift")
    return Ranking(
        table=table, raw=framed(raw.to_numpy()), normalised=framed(normalised),
        imputed=framed(missing & (np.array(policies) != MissingPolicy.EXCLUDE)),
        spread=framed(spread.to_numpy()), raters=framed(counts.to_numpy()),
        normalised_low=framed(low), normalised_high=framed(high),
        contributions=contribution_frame,
        weights=pd.Series(weights, index=criteria.keys, name="weight"),
        criteria=criteria, scenario=scenario, left_out=sorted(left_out), notes=notes,
        compromise=compromise, dependencies=inputs.dependencies, completed=completed,
    )


def _set_apart_completed(processes: pd.DataFrame,
                         scenario: Scenario) -> tuple[pd.DataFrame, list[str]]:
    """The processes still to rank, and the codes of the completed ones set apart (none
    when the scenario ranks completed processes, or the processes carry no status)."""
    if scenario.ranks_completed or "transformation_status" not in processes.columns:
        return processes, []
    done = (processes["transformation_status"] == COMPLETED).fillna(False).to_numpy(dtype=bool)
    return (processes.iloc[np.flatnonzero(~done)].reset_index(drop=True),
            processes["code"].to_numpy()[done].tolist())


def _rated_bounds(raw: pd.DataFrame, ratings: Ratings, criteria: CriteriaSet,
                  policies: list[MissingPolicy]) -> tuple[np.ndarray, np.ndarray]:
    """Normalised low and high of every cell (see :class:`Ranking`)."""
    n, k = raw.shape
    low, high = np.zeros((n, k)), np.ones((n, k))
    for j, c in enumerate(criteria.criteria):
        if c.source is SourceKind.ASSESSMENT:
            ends = (ratings.lowest[:, j], ratings.highest[:, j])
        else:
            ends = (raw[c.key].to_numpy(), raw[c.key].to_numpy())
        a, b = (declared(end, c.scale.low, c.scale.high, benefit=c.benefit, log=c.scale.log)
                for end in ends)
        known = ~np.isnan(a)
        low[known, j] = np.minimum(a, b)[known]
        high[known, j] = np.maximum(a, b)[known]
        if policies[j] is MissingPolicy.EXCLUDE:
            low[~known, j] = high[~known, j] = np.nan
    return low, high


def _checked_processes(processes: pd.DataFrame) -> pd.DataFrame:
    for column in ("code", "name"):
        if column not in processes.columns:
            raise ScoringError(f"The processes need a {column!r} column")
    codes = processes["code"].astype(str)
    duplicated = codes[codes.duplicated()]
    if not duplicated.empty:
        raise ScoringError(f"Process code {duplicated.iloc[0]!r} appears twice")
    frame = processes.assign(code=codes)
    return frame.sort_values("code", kind="stable").reset_index(drop=True)


def _raw_values(processes: pd.DataFrame, ratings: Ratings, inputs: RankingInputs,
                criteria: CriteriaSet) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Raw values, raters' spread and raters per process (rows) and criterion (columns)."""
    index = pd.Index(processes["code"], name="code")
    raw = pd.DataFrame(np.nan, index=index, columns=criteria.keys)
    spread = pd.DataFrame(np.nan, index=index, columns=criteria.keys)
    counts = pd.DataFrame(0, index=index, columns=criteria.keys, dtype=np.int64)
    for j, c in enumerate(criteria.criteria):
        if c.source is SourceKind.ASSESSMENT:
            raw[c.key] = ratings.value[:, j]
            spread[c.key] = ratings.spread[:, j]
            counts[c.key] = ratings.raters[:, j]
        elif c.source is SourceKind.FIELD:
            raw[c.key] = _field(processes, c)
        elif c.source is SourceKind.CASES:
            raw[c.key] = _demand(inputs.demand, c, index)
        else:
            raw[c.key] = _metric(inputs.metrics, c, index)
    return raw, spread, counts


def _field(processes: pd.DataFrame, criterion: Criterion) -> np.ndarray:
    name = criterion.source_name
    if name not in processes.columns:
        raise ScoringError(f"Criterion {criterion.key!r} reads the process field {name!r}, "
                           "which the processes do not have; fix its source in the criteria set")
    values = pd.to_numeric(processes[name], errors="coerce")
    bad = processes[name].notna() & values.isna()
    if bad.any():
        code = processes.loc[bad, "code"].iloc[0]
        raise ScoringError(f"Criterion {criterion.key!r} reads {name!r}, which is not a number "
                           f"for process {code!r} ({processes.loc[bad, name].iloc[0]!r})")
    return values.to_numpy(dtype=np.float64)


def _metric(metrics: pd.DataFrame | None, criterion: Criterion, index: pd.Index) -> np.ndarray:
    if metrics is None:
        return np.full(len(index), np.nan)
    name = criterion.source_name
    if name not in metrics.columns:
        raise ScoringError(f"Criterion {criterion.key!r} reads the graph metric {name!r}; the "
                           f"metrics are {', '.join(map(str, metrics.columns))}")
    values = pd.to_numeric(metrics[name], errors="coerce").astype(np.float64)
    return values.reindex(index).to_numpy()


def _demand(demand: pd.DataFrame | None, criterion: Criterion, index: pd.Index) -> np.ndarray:
    if demand is None:
        return np.full(len(index), np.nan)
    if criterion.source_name not in demand.columns:
        raise ScoringError(f"Criterion {criterion.key!r} reads the staff demand "
                           f"{criterion.source_name!r}; the measures are "
                           f"{', '.join(map(str, demand.columns))}")
    values = pd.to_numeric(demand[criterion.source_name], errors="coerce")
    return values.astype(np.float64).reindex(index).fillna(0.0).to_numpy()


def _policies(criteria: CriteriaSet, scenario: Scenario, notes: list[str]) -> list[MissingPolicy]:
    policies = [scenario.missing or c.missing for c in criteria.criteria]
    excluding = scenario.method in (Method.WSM, Method.WSJF, Method.VALUE_EFFORT)
    if not excluding and MissingPolicy.EXCLUDE in policies:
        keys = [c.key for c, p in zip(criteria.criteria, policies, strict=True)
                if p is MissingPolicy.EXCLUDE]
        notes.append(f"{scenario.method.label} needs every value: missing {', '.join(keys)} "
                     "taken at the scale midpoint instead of excluded")
        policies = [MissingPolicy.MIDPOINT if p is MissingPolicy.EXCLUDE else p
                    for p in policies]
    return policies


_FILL = {MissingPolicy.MIDPOINT: 0.5, MissingPolicy.WORST: 0.0, MissingPolicy.BEST: 1.0}


def _impute(position: np.ndarray, policies: list[MissingPolicy]) -> np.ndarray:
    """Missing cells filled by policy; ``exclude`` cells stay NaN."""
    filled = position.copy()
    for j, policy in enumerate(policies):
        if policy is not MissingPolicy.EXCLUDE:
            column = filled[:, j]
            column[np.isnan(column)] = _FILL[policy]
    return filled


def _score(normalised: np.ndarray, weights: FloatArray, criteria: CriteriaSet,
           scenario: Scenario, codes: list[str],
           ) -> tuple[FloatArray, np.ndarray, dict[str, FloatArray]]:
    """Method scores (higher is better), contributions and method-specific extra columns."""
    present = ~np.isnan(normalised)
    row_weights = np.where(present, weights, 0.0)
    totals = row_weights.sum(axis=1, keepdims=True)
    row_weights = row_weights / np.where(totals > 0, totals, 1.0)
    contributions = np.where(present, row_weights * np.nan_to_num(normalised), 0.0)
    extra: dict[str, FloatArray] = {}
    if not codes:
        return np.zeros(0), contributions, extra
    method = scenario.method
    if method is Method.WSM:
        return contributions.sum(axis=1), contributions, extra
    if method in (Method.WSJF, Method.VALUE_EFFORT):
        value_groups = (Group.IMPACT, Group.DEPENDENCY) if method is Method.WSJF \
            else (Group.IMPACT,)
        value = _group_level(normalised, weights, criteria, value_groups, invert=False)
        effort = _group_level(normalised, weights, criteria, (Group.EFFORT,), invert=True)
        size = WPM_FLOOR + (1.0 - WPM_FLOOR) * effort
        if method is Method.WSJF:
            return methods.wsjf(value, size), contributions, extra
        return methods.value_over_effort(value, size), contributions, extra
    full = np.nan_to_num(normalised, nan=0.5)
    benefit = np.ones(full.shape[1], dtype=bool)
    if method is Method.WPM:
        scores = methods.weighted_product(WPM_FLOOR + (1 - WPM_FLOOR) * full, weights, benefit)
        return scores, contributions, extra
    declared = scenario.ideal is Ideal.DECLARED
    best, worst = np.ones(full.shape[1]), np.zeros(full.shape[1])
    if method is Method.TOPSIS:
        scores = methods.topsis_declared(full, weights, best, worst) if declared \
            else methods.topsis(full, weights, benefit)
        return scores, contributions, extra
    s, r, q = methods.vikor_declared(full, weights, best, worst, scenario.vikor_v) \
        if declared else methods.vikor(full, weights, benefit, scenario.vikor_v)
    extra.update({"vikor_s": s, "vikor_r": r, "vikor_q": q})
    return 1.0 - q, contributions, extra


def _compromise(extra: dict[str, FloatArray], scenario: Scenario) -> list[int]:
    """Rows of the VIKOR compromise set (empty for the other methods)."""
    if "vikor_q" not in extra or extra["vikor_q"].size == 0:
        return []
    return methods.vikor_compromise(extra["vikor_s"], extra["vikor_r"], extra["vikor_q"],
                                    scenario.vikor_v)


def _group_level(normalised: np.ndarray, weights: FloatArray, criteria: CriteriaSet,
                 groups: tuple[Group, ...], *, invert: bool) -> FloatArray:
    """Weighted mean of the groups' normalised values (known or imputed); 1 - it when
    ``invert`` (effort: 1 = hardest). 0.5 when the groups carry no weight or no value."""
    columns = np.array([c.group in groups for c in criteria.criteria]) & (weights > 0)
    if not columns.any():
        return np.full(normalised.shape[0], 0.5)
    values = normalised[:, columns]
    w = np.where(np.isnan(values), 0.0, weights[columns])
    totals = w.sum(axis=1)
    level = np.where(totals > 0, (w * np.nan_to_num(values)).sum(axis=1)
                     / np.where(totals > 0, totals, 1.0), 0.5)
    result: FloatArray = 1.0 - level if invert else level
    return result


def _ranks(scores: FloatArray) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4) of ``scores``, highest first, equal to 12 digits tie
    (:mod:`scoring.ties`)."""
    if scores.size == 0:
        return np.zeros(0, dtype=np.int64)
    rounded = pd.Series(rounded_for_ties(scores))
    return rounded.rank(method="min", ascending=False).astype(np.int64).to_numpy()


def _rank_bounds(position: np.ndarray, weights: FloatArray, criteria: CriteriaSet,
                 scenario: Scenario, codes: list[str], operator: sparse.csr_matrix | None,
                 ranks: np.ndarray, notes: list[str],
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best and worst ranks and whether both ends can be reached (module doc, step 7)."""
    n = len(codes)
    if not np.isnan(position).any():
        return ranks, ranks, np.ones(n, dtype=bool)
    data_relative = scenario.ideal is Ideal.DATA and scenario.method in IDEAL_METHODS
    if data_relative and scenario.method is Method.TOPSIS:
        low, high = rank_bounds.topsis_data_bounds(position, weights)
    elif data_relative:
        low, high = rank_bounds.vikor_data_bounds(position, weights, scenario.vikor_v)
    else:
        low, high = rank_bounds.own_row_bounds(
            position, lambda filled: _score(filled, weights, criteria, scenario, codes)[0])
    low = low + apply_uplift(operator, low, scenario.uplift)
    high = high + apply_uplift(operator, high, scenario.uplift)
    best, worst = rank_bounds.ranks_within(low, high, rounded_for_ties)
    exact = not data_relative and operator is None
    if not exact and (best != worst).any():
        why = f"{scenario.method.short_label} against {Ideal.DATA.label}" if data_relative \
            else "the dependency uplift"
        notes.append(f"With {why}, the best and worst ranks are outer bounds: every way of "
                     "filling in the unknown values ranks a process within them, but the ends "
                     "may not be reached")
    return (np.minimum(best, ranks), np.maximum(worst, ranks),
            np.full(n, exact, dtype=bool))


def _quadrants(impact: FloatArray, effort: FloatArray, scenario: Scenario) -> list[str]:
    high_impact = impact >= scenario.impact_threshold
    high_effort = effort > scenario.effort_threshold
    return np.select([high_impact & ~high_effort, high_impact & high_effort,
                      ~high_impact & ~high_effort], [QUICK_WIN, MAJOR_PROJECT, FILL_IN],
                     RECONSIDER).tolist()


def _quick_fix(processes: pd.DataFrame, table: pd.DataFrame, scenario: Scenario) -> list[bool]:
    marked = processes["quick_fix_candidate"].fillna(False).astype(bool).to_numpy() \
        if "quick_fix_candidate" in processes else np.zeros(len(table), dtype=bool)
    easy = (table["quadrant"] == QUICK_WIN).to_numpy() & \
        (table["effort"].to_numpy() <= scenario.quick_fix_effort)
    return (marked | easy).tolist()


def _disagreement(spread: pd.DataFrame, criteria: CriteriaSet) -> np.ndarray:
    spans = np.array([c.scale.high - c.scale.low for c in criteria.criteria])
    if spread.empty:
        return np.zeros(len(spread))
    shares = spread.to_numpy(dtype=np.float64) / spans
    return np.nan_to_num(np.nanmax(np.where(np.isnan(shares), -np.inf, shares), axis=1)
                         .clip(min=0.0), neginf=0.0)
