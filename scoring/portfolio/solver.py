"""The portfolio's solver: :func:`select_portfolio` (one exact solve and the reasons for every
process left out) and :func:`efficient_frontier` (the best value at each budget). The problem
and its conventions are in :mod:`scoring.portfolio`; the model it solves is built by
:mod:`scoring.portfolio.model`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from scoring.components import condense, reach_sets
from scoring.errors import ScoringError
from scoring.portfolio.model import (
    FIT,
    Model,
    PrerequisitePolicy,
    Reason,
    UnknownPolicy,
    amount,
    budget_level,
    checked_limit,
    checked_time_limit,
    find_conflicts,
    prepare_model,
)

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Selections whose values differ by at most this share of the largest value count as equal.
VALUE_TOLERANCE = 1e-6
#: Default time limit of one solve, in seconds.
DEFAULT_TIME_LIMIT = 60.0


class Status(StrEnum):
    """How a portfolio solve ended."""

    OPTIMAL = "optimal"  # the best selection (within VALUE_TOLERANCE)
    TIME_LIMIT = "time_limit"  # a feasible selection, not proven best; see ``gap``
    INFEASIBLE = "infeasible"  # the constraints conflict; see ``conflicts``
    NO_SOLUTION = "no_solution"  # the time limit came before any feasible selection


@dataclass(frozen=True)
class PortfolioResult:
    """The chosen processes and the reasons for the others.

    ``selected`` is in code order. ``items`` has one row per item, in code order: ``code``,
    ``value``, ``cost``, ``effort`` (as given; unknown stays NaN), ``selected``, ``required``
    (a must-include or a prerequisite of one), ``reason_kind`` (a :class:`Reason` value, None
    when selected) and ``reason`` (text naming codes and figures). The slacks are what is left of
    the budget and the capacity (None without a limit). ``gap`` is the solver's relative gap (0
    when proven optimal).
    """

    status: Status
    selected: tuple[str, ...]
    total_value: float
    total_cost: float
    total_effort: float
    budget: float | None
    capacity: float | None
    budget_slack: float | None
    capacity_slack: float | None
    items: pd.DataFrame
    conflicts: tuple[str, ...] = ()
    gap: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def feasible(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.TIME_LIMIT)

    @property
    def needs_estimate(self) -> tuple[str, ...]:
        """The processes left out until their cost (or effort) is estimated, in code order."""
        return tuple(self.items.loc[self.items["reason_kind"] == Reason.ESTIMATE, "code"])


@dataclass(frozen=True)
class _Solution:
    status: Status
    chosen: BoolArray
    gap: float
    notes: tuple[str, ...] = ()


def select_portfolio(items: pd.DataFrame, *, budget: float | None, capacity: float | None,
                     must_include: Iterable[str] = (), must_exclude: Iterable[str] = (),
                     exclusive_groups: Sequence[Sequence[str]] = (),
                     prerequisites: pd.DataFrame | None = None, completed: Iterable[str] = (),
                     unknown_cost: UnknownPolicy = "refuse",
                     unknown_effort: UnknownPolicy = "refuse",
                     assumed_cost: float | None = None, assumed_effort: float | None = None,
                     missing_prerequisites: PrerequisitePolicy = "block",
                     time_limit: float = DEFAULT_TIME_LIMIT) -> PortfolioResult:
    """The most valuable selection of ``items`` under the constraints (see the module doc).

    ``items`` has ``code``, ``value`` (>= 0), ``cost`` (CHF, >= 0; needed when ``budget`` is
    set) and ``effort`` (person-months, >= 0; needed when ``capacity`` is set).
    ``unknown_cost`` and ``unknown_effort`` say how an unknown one counts under its limit, and
    ``assumed_cost`` (CHF) and ``assumed_effort`` (person-months) are the figures of
    ``"assume"`` (see the module doc).
    ``prerequisites`` has ``upstream_code`` and ``downstream_code``; ``missing_prerequisites``
    says what one that is neither an item nor completed does (``block`` or ``ignore``, see
    the module doc). ``budget`` and ``capacity`` of None mean no limit. ``time_limit``
    (seconds) bounds the solver.
    """
    budget = checked_limit(budget, "budget")
    capacity = checked_limit(capacity, "capacity")
    checked_time_limit(time_limit)
    model = prepare_model(items, must_include=must_include, must_exclude=must_exclude,
                     exclusive_groups=exclusive_groups, prerequisites=prerequisites,
                     completed=completed, unknown_cost=unknown_cost,
                     unknown_effort=unknown_effort, assumed_cost=assumed_cost,
                     assumed_effort=assumed_effort, missing_prerequisites=missing_prerequisites,
                     cost_limited=budget is not None, effort_limited=capacity is not None)
    required, conflicts = find_conflicts(model, budget, capacity)
    if conflicts:
        solution = _Solution(Status.INFEASIBLE, np.zeros(model.size, dtype=bool), math.nan)
    else:
        solution = _solve(model, budget, capacity, required, time_limit)
        if solution.status is Status.INFEASIBLE:
            conflicts = ["The solver found no selection that meets every constraint, although "
                         "none of the known conflicts applies; please report this input"]
    return _result(model, solution, budget, capacity, required, items, conflicts)


def efficient_frontier(items: pd.DataFrame, budgets: Sequence[float], *,
                       capacity: float | None = None, must_include: Iterable[str] = (),
                       must_exclude: Iterable[str] = (),
                       exclusive_groups: Sequence[Sequence[str]] = (),
                       prerequisites: pd.DataFrame | None = None, completed: Iterable[str] = (),
                       unknown_cost: UnknownPolicy = "refuse",
                       unknown_effort: UnknownPolicy = "refuse",
                       assumed_cost: float | None = None, assumed_effort: float | None = None,
                       missing_prerequisites: PrerequisitePolicy = "block",
                       time_limit: float = DEFAULT_TIME_LIMIT) -> pd.DataFrame:
    """The best value at each budget, for plotting value against money.

    One row per budget, ascending: ``budget``, ``value`` (best total value), ``cost`` (CHF
    used), ``effort`` (person-months used), ``count`` (processes chosen), ``status`` and
    ``selected`` (tuple of codes). A budget under which the constraints conflict (e.g. below
    the must-includes' cost) gives NaN figures and status ``infeasible``. Each budget is an
    exact solve under the same other constraints (``time_limit`` each), exactly as
    :func:`select_portfolio` solves that budget with the same arguments (prerequisites
    included: ``missing_prerequisites`` and the unknown policies work the same way, the budget
    always being limited), so the value never decreases as
    the budget grows, up to :data:`VALUE_TOLERANCE`.
    """
    if isinstance(budgets, str | int | float):
        raise ScoringError(f"The budgets must be a list of numbers, got {budgets!r}")
    levels = sorted(budget_level(b) for b in budgets)
    capacity = checked_limit(capacity, "capacity")
    checked_time_limit(time_limit)
    model = prepare_model(items, must_include=must_include, must_exclude=must_exclude,
                     exclusive_groups=exclusive_groups, prerequisites=prerequisites,
                     completed=completed, unknown_cost=unknown_cost,
                     unknown_effort=unknown_effort, assumed_cost=assumed_cost,
                     assumed_effort=assumed_effort, missing_prerequisites=missing_prerequisites,
                     cost_limited=True, effort_limited=capacity is not None)
    rows = []
    for level in levels:
        required, conflicts = find_conflicts(model, level, capacity)
        if conflicts:
            rows.append({"budget": level, "value": math.nan, "cost": math.nan,
                         "effort": math.nan, "count": 0, "status": str(Status.INFEASIBLE),
                         "selected": ()})
            continue
        solution = _solve(model, level, capacity, required, time_limit)
        chosen = solution.chosen
        found = solution.status in (Status.OPTIMAL, Status.TIME_LIMIT)
        rows.append({
            "budget": level,
            "value": float(model.value @ chosen) if found else math.nan,
            "cost": float(model.cost @ chosen) if found else math.nan,
            "effort": float(model.effort @ chosen) if found else math.nan,
            "count": int(chosen.sum()),
            "status": str(solution.status),
            "selected": tuple(model.codes[i] for i in np.flatnonzero(chosen)),
        })
    return pd.DataFrame(rows, columns=["budget", "value", "cost", "effort", "count", "status",
                                       "selected"])


# --- solving -------------------------------------------------------------------------------


def _solve(model: Model, budget: float | None, capacity: float | None, required: BoolArray,
           time_limit: float) -> _Solution:
    """One solve of the perturbed objective (see :func:`_tie_break_weights`)."""
    n = model.size
    if n == 0:
        return _Solution(Status.OPTIMAL, np.zeros(0, dtype=bool), 0.0)
    lower = required.astype(np.float64)
    upper = np.ones(n)
    upper[list(model.out)] = 0.0
    rows: list[sparse.csr_matrix] = []
    row_upper: list[FloatArray] = []
    for limit, amounts in ((budget, model.cost), (capacity, model.effort)):
        if limit is None:
            continue
        if limit == 0:
            upper[amounts > 0] = 0.0
        else:
            upper[amounts > limit * (1 + FIT)] = 0.0
            rows.append(sparse.csr_matrix(amounts[None, :] / limit))
            row_upper.append(np.array([1.0 + FIT]))
    m = model.up.size
    if m:
        rows.append(sparse.csr_matrix(
            (np.concatenate([np.ones(m), -np.ones(m)]),
             (np.concatenate([np.arange(m), np.arange(m)]),
              np.concatenate([model.down, model.up]))), shape=(m, n)))
        row_upper.append(np.zeros(m))
    if model.groups:
        members = [np.array(g, dtype=np.int64) for g in model.groups]
        rows.append(sparse.csr_matrix(
            (np.ones(sum(len(g) for g in members)),
             (np.repeat(np.arange(len(members)), [len(g) for g in members]),
              np.concatenate(members))), shape=(len(members), n)))
        row_upper.append(np.ones(len(members)))
    constraints = [LinearConstraint(sparse.vstack(rows, format="csr"), -np.inf,
                                    np.concatenate(row_upper))] if rows else []
    res = milp(_solver_objective(model.value, _tie_break_weights(model, budget, capacity)),
               integrality=np.ones(n), bounds=Bounds(lower, upper), constraints=constraints,
               options={"mip_rel_gap": 0.0, "time_limit": time_limit})
    if res.status == 2:
        return _Solution(Status.INFEASIBLE, np.zeros(n, dtype=bool), math.nan)
    if res.x is None:
        return _Solution(Status.NO_SOLUTION, np.zeros(n, dtype=bool), math.nan,
                         (f"No selection found within the time limit of {time_limit:g} s "
                          f"({res.message})",))
    chosen = np.asarray(res.x) > 0.5
    if res.status != 0:
        gap = float(res.mip_gap) if res.get("mip_gap") is not None else math.nan
        return _Solution(Status.TIME_LIMIT, chosen, gap,
                         (f"Stopped at the time limit of {time_limit:g} s: the selection is "
                          f"feasible but not proven best (relative gap {gap:.2%})",))
    return _Solution(Status.OPTIMAL, chosen, 0.0)


def _tie_break_weights(model: Model, budget: float | None,
                      capacity: float | None) -> FloatArray:
    """``s_i``: process ``i``'s share of the budget plus its share of the capacity (of the
    column's total where a limit is not set or is 0) plus ``1 / n``."""
    n = model.size
    shares = np.full(n, 1.0 / max(n, 1))
    for limit, amounts in ((budget, model.cost), (capacity, model.effort)):
        whole = limit if limit else float(amounts.sum())
        if whole > 0:
            shares += amounts / whole
    return shares


def _solver_objective(value: FloatArray, weights: FloatArray) -> FloatArray:
    """The objective HiGHS minimises: ``-(v_i - eps s_i)`` in units of ``1e-6 x`` the largest
    value (so its absolute tolerance of 1e-6 is ``1e-12`` of it), with ``eps`` such that the
    whole tie-break, ``eps x sum_i s_i``, is worth ``VALUE_TOLERANCE`` of the largest value."""
    largest = float(value.max(initial=0.0))
    unit = largest * VALUE_TOLERANCE if largest > 0 else 1.0
    total = float(weights.sum())
    result: FloatArray = -value / unit + (weights / total if total > 0 else 0.0)
    return result


# --- reasons and the result ----------------------------------------------------------------


def _result(model: Model, solution: _Solution, budget: float | None, capacity: float | None,
            required: BoolArray, items: pd.DataFrame, conflicts: list[str]) -> PortfolioResult:
    chosen = solution.chosen
    kinds: list[str | None] = [None] * model.size
    reasons: list[str | None] = [None] * model.size
    for i, (kind, text) in model.out.items():
        kinds[i], reasons[i] = str(kind), text
    if solution.status in (Status.INFEASIBLE, Status.NO_SOLUTION):
        kind = Reason.INFEASIBLE if solution.status is Status.INFEASIBLE else Reason.UNPROVEN
        text = ("no selection: the constraints conflict (see the conflicts)"
                if kind is Reason.INFEASIBLE else "no selection found within the time limit")
        for i in range(model.size):
            if kinds[i] is None:
                kinds[i], reasons[i] = str(kind), text
    else:
        for i, (kind, text) in _reasons(model, chosen, budget, capacity, solution).items():
            kinds[i], reasons[i] = str(kind), text
    frame = items.assign(code=items["code"].astype(str)).sort_values("code", kind="stable")
    table = pd.DataFrame({
        "code": model.codes,
        "value": model.value,
        "cost": pd.to_numeric(frame["cost"], errors="coerce").to_numpy(dtype=np.float64)
        if "cost" in frame else np.full(model.size, np.nan),
        "effort": pd.to_numeric(frame["effort"], errors="coerce").to_numpy(dtype=np.float64)
        if "effort" in frame else np.full(model.size, np.nan),
        "selected": chosen,
        "required": required,
        "reason_kind": pd.Series(kinds, dtype=object),
        "reason": pd.Series(reasons, dtype=object),
    })
    found = solution.status in (Status.OPTIMAL, Status.TIME_LIMIT)
    total_cost = float(model.cost @ chosen) if found else math.nan
    total_effort = float(model.effort @ chosen) if found else math.nan
    notes = list(model.notes) + list(solution.notes)
    return PortfolioResult(
        status=solution.status,
        selected=tuple(model.codes[i] for i in np.flatnonzero(chosen)),
        total_value=float(model.value @ chosen) if found else math.nan,
        total_cost=total_cost,
        total_effort=total_effort,
        budget=budget,
        capacity=capacity,
        budget_slack=None if budget is None else budget - total_cost,
        capacity_slack=None if capacity is None else capacity - total_effort,
        items=table,
        conflicts=tuple(conflicts),
        gap=solution.gap,
        notes=tuple(notes),
    )


def _reasons(model: Model, chosen: BoolArray, budget: float | None, capacity: float | None,
             solution: _Solution) -> dict[int, tuple[Reason, str]]:
    """Why each candidate that is not chosen (and not ruled out up front) was left out."""
    codes = model.codes
    rest = [i for i in range(model.size) if not chosen[i] and i not in model.out]
    if not rest:
        return {}
    bring = _bring_along(model, rest, chosen)
    partner: dict[int, int] = {}  # not chosen -> the chosen process sharing a group with it
    for group in model.groups:
        picked = [i for i in group if chosen[i]]
        for i in group:
            if picked and not chosen[i]:
                partner.setdefault(i, picked[0])
    largest = float(model.value.max(initial=0.0))
    budget_left = None if budget is None else budget - float(model.cost @ chosen)
    capacity_left = None if capacity is None else capacity - float(model.effort @ chosen)
    found: dict[int, tuple[Reason, str]] = {}
    for i in rest:
        members = bring[i]
        others = [k for k in members if k != i]
        along = f" with its prerequisites not chosen ({model.names(others)})" if others else ""
        hit = next((k for k in members if k in partner), None)
        if hit is not None:
            found[i] = (Reason.GROUP, (
                f"in an exclusive group with {codes[partner[hit]]}, which is chosen"
                if hit == i else f"needs {codes[hit]}, which is in an exclusive group with "
                f"{codes[partner[hit]]}, which is chosen"))
            continue
        inside = set(members)
        pair = next(([k for k in g if k in inside] for g in model.groups
                     if sum(k in inside for k in g) >= 2), None)
        if pair is not None:
            found[i] = (Reason.GROUP, f"needs {model.names(pair)}, which are in one exclusive "
                        "group")
            continue
        reason = None
        for limit, left, amounts, unit, kind, name in (
                (budget, budget_left, model.cost, "CHF", Reason.BUDGET, "budget"),
                (capacity, capacity_left, model.effort, "person-months", Reason.CAPACITY,
                 "capacity")):
            if limit is None or left is None:
                continue
            need = float(amounts[members].sum())
            if need > left + FIT * max(limit, 1.0):
                reason = (kind, f"needs {amount(need, unit)}{along}, more than the whole "
                          f"{name} of {amount(limit, unit)}" if need > limit * (1 + FIT)
                          else f"does not fit the {name}: needs {amount(need, unit)}{along}, "
                          f"{amount(max(left, 0.0), unit)} left")
                break
        if reason is not None:
            found[i] = reason
        elif (gain := float(model.value[members].sum())) <= VALUE_TOLERANCE * largest:
            found[i] = (Reason.NO_VALUE, f"adds no value{along}" if gain == 0 else
                        f"adds too little value to count ({gain:.3g}{along}; values within "
                        f"{VALUE_TOLERANCE:g} of the largest count as equal)")
        else:
            found[i] = (Reason.UNPROVEN, "not chosen: the solver stopped at the time limit "
                        "before proving the best selection" if solution.status is not
                        Status.OPTIMAL else "not chosen: an equally valuable selection was "
                        "preferred within the solver's tolerance")
    return found


def _bring_along(model: Model, rest: list[int], chosen: BoolArray) -> dict[int, list[int]]:
    """For each process in ``rest``: itself and every prerequisite above it that is not chosen
    (what choosing it would bring along), sorted: its upstream reach among ``rest``
    (:func:`scoring.components.reach_sets`, bitsets on the condensation, as
    docs/architecture.md measured for reach counts)."""
    local = {g: k for k, g in enumerate(rest)}
    keep = [(local[u], local[d]) for u, d in zip(model.up.tolist(), model.down.tolist(),
                                                  strict=True)
            if u in local and d in local and not chosen[u]]
    src, dst = (np.array(a, dtype=np.int64) for a in zip(*keep, strict=True)) if keep \
        else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    above = reach_sets(condense(len(rest), src, dst), downstream=False)
    return {g: [rest[j] for j in above[k]] for k, g in enumerate(rest)}
