"""The portfolio: the most valuable set of processes that fits the budget and the capacity and
never takes a process without its prerequisites.

Problem. With ``x_i`` in {0, 1} (1 = chosen), ``v_i`` the value of process ``i`` (>= 0, e.g.
its ranking score), ``c_i`` its cost (CHF) and ``e_i`` its effort (person-months)::

    maximise    sum_i v_i x_i
    subject to  sum_i c_i x_i <= B                 budget (CHF), when given
                sum_i e_i x_i <= C                 capacity (person-months), when given
                x_d <= x_u                         every prerequisite edge u -> d
                                                   (d needs u) whose u is not completed
                sum_{i in G} x_i <= 1              every exclusive group G
                x_i = 1 (must-include),  x_i = 0 (must-exclude, completed)

This is the 0-1 knapsack problem with precedence constraints (Boyd, E. A. (1993) "Polyhedral
results for the precedence-constrained knapsack problem", Discrete Applied Mathematics 41(3),
185-201), here with two resources, i.e. a two-dimensional knapsack (Kellerer, H., Pferschy, U.
and Pisinger, D. (2004) "Knapsack problems", Springer), plus generalised upper bounds for the
exclusive groups. It is NP-hard; it is solved exactly by branch and bound with
:func:`scipy.optimize.milp` (HiGHS: Huangfu, Q. and Hall, J. A. J. (2018) "Parallelizing the
dual revised simplex method", Mathematical Programming Computation 10, 119-142), relative gap 0.

Conventions.

* ``capacity`` is the person-months available over the whole horizon the portfolio covers (a
  per-period capacity times the number of periods); :mod:`scoring.roadmap` spreads the chosen
  work over periods.
* Exactness and ties, in one solve: HiGHS maximises ``sum_i (v_i - eps s_i) x_i`` where
  ``s_i`` is the process's share of the budget plus its share of the capacity (of the column's
  total where a limit is not set) plus ``1/n``, and ``eps = VALUE_TOLERANCE x max_i v_i /
  sum_i s_i``. The perturbation of any selection is at most :data:`VALUE_TOLERANCE` (1e-6) of
  the largest value, so the selection's value is the optimum to within that; among selections
  whose values are that close, the one with the least ``sum s_i`` (budget and capacity used,
  and processes) wins, so a process that adds no value is chosen only when something needs
  it. The objective is given to HiGHS in units of ``VALUE_TOLERANCE x max_i v_i``, so that
  HiGHS's absolute tolerance (1e-6 units) resolves the tie-break to a millionth of
  ``sum_i s_i``. Any remaining
  tie (processes identical in value, cost and effort) goes to the first selection HiGHS's
  deterministic search reaches on the model, which is built in code order: the same input, in
  any row order, gives the same selection. A solve stopped by ``time_limit`` depends on the
  machine's speed; its status says so.
* Prerequisites: ``upstream_code -> downstream_code`` means the downstream process needs the
  upstream one. A prerequisite that is ``completed`` is satisfied. One that is neither among the
  items nor completed makes the process impossible to choose, its reason saying which
  (``missing_prerequisites="block"``, the default and the safe reading), or is taken as handled
  elsewhere and named in ``notes`` (``"ignore"``: for items that are a ranking's processes,
  whose other prerequisites were not assessed or were filtered out; :mod:`scoring.roadmap`
  has the same switch). Self-loops are ignored, duplicate edges count once, edges into
  processes that are not items (or are completed) are ignored.
  Processes on a prerequisite cycle can only be chosen all together (noted in ``notes``; the
  roadmap schedules them together, as one piece of work).
* Budget and capacity are compared with a relative slack of 1e-9, for rounding in sums.
* Items that are ``completed`` are never chosen.
* Unknown is never zero by default. When the budget (or the capacity) is set, a process whose
  cost (or effort) is unknown (empty) is, by ``unknown_cost`` (``unknown_effort``):
  ``"leave_out"``: not chosen, its reason saying it needs an estimate first (kind
  ``needs_estimate``), and what needs it blocked; ``"refuse"`` (the default here):
  :class:`MissingEstimates` names the processes; ``"assume"``: counted at ``assumed_cost``
  (``assumed_effort``), which must then be given; ``"zero"``: counted as 0. The last two are
  listed in ``notes``. Without a limit an unknown figure does not enter the choice and totals
  count the known values (listed in ``notes``).
* Conflicting constraints are an answer, not an error: the result has status ``infeasible``,
  nothing selected, and ``conflicts`` names the processes and the numbers (a must-include that
  is also a must-exclude or needs one, or needs a process that is not available; two required
  processes in one exclusive group; a required process, or all of them together with their
  prerequisites, over the budget or the capacity). These checks are complete: when none applies,
  choosing exactly the must-includes and their prerequisites is feasible. :class:`ScoringError`
  is kept for input that cannot be read (missing columns, negative or non-numeric numbers,
  unknown codes, a process both completed and must-include).

Every process not chosen gets a reason where one can be determined, in this order: completed;
must-exclude; needs an estimate; blocked (needs an excluded, unestimated or unavailable
process); exclusive group (it, or a prerequisite it would bring along, shares a group with a
chosen process, or two of them share one); budget or capacity (it does not fit what is left,
with the prerequisites it would bring along, figures given); no value. Under an optimal solution
one of these always applies.
"""

from __future__ import annotations

import math
import numbers
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from scoring.components import condense, cycles, reach_sets
from scoring.errors import ScoringError
from scoring.items import checked_items, prerequisite_links
from scoring.wording import figure, listed

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
UnknownPolicy = Literal["leave_out", "refuse", "assume", "zero"]
UNKNOWN_POLICIES: tuple[UnknownPolicy, ...] = ("leave_out", "refuse", "assume", "zero")
PrerequisitePolicy = Literal["block", "ignore"]

#: Selections whose values differ by at most this share of the largest value count as equal.
VALUE_TOLERANCE = 1e-6
#: Default time limit of one solve, in seconds.
DEFAULT_TIME_LIMIT = 60.0
_FIT = 1e-9  # relative slack on the budget and the capacity, for rounding in sums
_SHOWN = 6  # codes named in one message before "and N more"


class MissingEstimates(ScoringError):
    """Refused (``"refuse"``): the budget (or the capacity) is set and these processes have no
    cost (or effort) estimate. ``what`` is ``"cost"`` or ``"effort"``; ``codes`` names them;
    ``how`` ends the message with the ways to choose, in the words of where it is shown."""

    def __init__(self, what: str, codes: Sequence[str], how: str = (
            "(leave those processes out until estimated, count them at an assumed figure, or "
            "as zero)")) -> None:
        self.what = what
        self.codes = tuple(codes)
        limit = "budget" if what == "cost" else "capacity"
        super().__init__(
            f"The {what} of {listed(list(codes))} is unknown and the {limit} is limited: "
            f"estimate their {what}, or choose how unknown {what}s count {how}")


class Status(StrEnum):
    """How a portfolio solve ended."""

    OPTIMAL = "optimal"  # the best selection (within VALUE_TOLERANCE)
    TIME_LIMIT = "time_limit"  # a feasible selection, not proven best; see ``gap``
    INFEASIBLE = "infeasible"  # the constraints conflict; see ``conflicts``
    NO_SOLUTION = "no_solution"  # the time limit came before any feasible selection


class Reason(StrEnum):
    """Why a process is not in the portfolio (``reason_kind`` of the items table)."""

    COMPLETED = "completed"
    EXCLUDED = "excluded"
    ESTIMATE = "needs_estimate"
    BLOCKED = "blocked"
    GROUP = "exclusive_group"
    BUDGET = "budget"
    CAPACITY = "capacity"
    NO_VALUE = "no_value"
    UNPROVEN = "unproven"
    INFEASIBLE = "infeasible"


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


@dataclass
class _Model:
    """The validated problem, independent of the budget and the capacity."""

    codes: list[str]
    value: FloatArray
    cost: FloatArray  # unknown -> 0
    effort: FloatArray
    up: IntArray  # prerequisite edges between candidates (neither completed)
    down: IntArray
    parents: list[list[int]]
    children: list[list[int]]
    include: list[int]
    exclude: list[int]
    groups: list[list[int]]  # candidates of each exclusive group with at least two
    out: dict[int, tuple[Reason, str]]  # completed, excluded, blocked: never chosen
    out_root: dict[int, int]  # blocked process -> the excluded, unestimated or unavailable one
    estimates: dict[int, str]  # process left out for want of an estimate -> "a cost estimate"
    missing: dict[int, list[str]]  # process -> prerequisites neither items nor completed
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.codes)

    def names(self, positions: Iterable[int]) -> str:
        return listed([self.codes[i] for i in sorted(positions)])


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
    budget = _limit(budget, "budget")
    capacity = _limit(capacity, "capacity")
    _positive_time(time_limit)
    model = _prepare(items, must_include=must_include, must_exclude=must_exclude,
                     exclusive_groups=exclusive_groups, prerequisites=prerequisites,
                     completed=completed, unknown_cost=unknown_cost,
                     unknown_effort=unknown_effort, assumed_cost=assumed_cost,
                     assumed_effort=assumed_effort, missing_prerequisites=missing_prerequisites,
                     cost_limited=budget is not None, effort_limited=capacity is not None)
    required, conflicts = _conflicts(model, budget, capacity)
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
    levels = sorted(_budget_level(b) for b in budgets)
    capacity = _limit(capacity, "capacity")
    _positive_time(time_limit)
    model = _prepare(items, must_include=must_include, must_exclude=must_exclude,
                     exclusive_groups=exclusive_groups, prerequisites=prerequisites,
                     completed=completed, unknown_cost=unknown_cost,
                     unknown_effort=unknown_effort, assumed_cost=assumed_cost,
                     assumed_effort=assumed_effort, missing_prerequisites=missing_prerequisites,
                     cost_limited=True, effort_limited=capacity is not None)
    rows = []
    for level in levels:
        required, conflicts = _conflicts(model, level, capacity)
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


# --- validation ----------------------------------------------------------------------------


def _limit(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ScoringError(f"The {name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise ScoringError(f"The {name} must be a finite number >= 0 (or None for no limit), "
                           f"got {value!r}")
    return number


def _budget_level(value: float) -> float:
    level = _limit(value, "budget")
    if level is None:
        raise ScoringError("Every budget of the frontier must be a number, not None")
    return level


def _positive_time(seconds: float) -> None:
    if isinstance(seconds, bool) or not (isinstance(seconds, numbers.Real)
                                         and math.isfinite(seconds) and seconds > 0):
        raise ScoringError(f"The time limit must be a positive number of seconds, "
                           f"got {seconds!r}")




def _codes_of(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):
        raise ScoringError(f"{what} must be a list of process codes, got the text {values!r}")
    return sorted({str(v) for v in values})


def _column(items: pd.DataFrame, name: str, codes: pd.Series, *, unit: str,
            needed: bool, policy: UnknownPolicy, assumed: float | None,
            notes: list[str]) -> tuple[FloatArray, BoolArray]:
    """(values with unknown ones counted as ``policy`` says, known mask) of a numeric column,
    checked. ``needed``: its limit is set (the value column always is)."""
    if policy not in UNKNOWN_POLICIES:
        raise ScoringError(f"unknown_{name} must be one of {', '.join(UNKNOWN_POLICIES)}, got "
                           f"{policy!r}")
    if name not in items.columns:
        if needed:
            raise ScoringError(f"The items need a {name!r} column ({unit}) when its limit is "
                               "set")
        return np.zeros(len(items)), np.zeros(len(items), dtype=bool)
    raw = items[name]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = raw.notna().to_numpy() & ~np.isfinite(values)
    if bad.any():
        where = codes[bad].tolist()
        raise ScoringError(f"{name.capitalize()} is not a finite number for {listed(where)} "
                           f"({raw[bad].iloc[0]!r}); give a number in {unit}")
    negative = values < 0
    if negative.any():
        raise ScoringError(f"{name.capitalize()} must be >= 0; it is negative for "
                           f"{listed(codes[negative].tolist())} "
                           f"({figure(values[negative][0])})")
    known = np.isfinite(values)
    unknown = codes[~known].tolist()
    if unknown and name == "value":
        raise ScoringError(f"Value is unknown for {listed(unknown)}; rank them first or "
                           "give a value")
    if not needed:
        if unknown:
            notes.append(f"{name.capitalize()} unknown for {listed(unknown)}: no limit is "
                         "set, so it does not matter for the choice; totals count known values")
        return np.where(known, values, 0.0), known
    counted = _unknown_counted(name, unit, unknown, policy, assumed, notes)
    return np.where(known, values, counted), known


def _amount(x: float, unit: str) -> str:
    """``CHF 1,350,000`` for money, ``20 person-months`` for effort."""
    return f"CHF {figure(x)}" if unit == "CHF" else f"{figure(x)} {unit}"


def _unknown_counted(name: str, unit: str, unknown: list[str], policy: UnknownPolicy,
                     assumed: float | None, notes: list[str]) -> float:
    """What an unknown cost or effort counts as under its limit, by ``policy`` (see the module
    doc; a process left out counts 0, as it is never chosen); notes say what was counted."""
    if policy == "assume":
        figure_given = _limit(assumed, f"assumed {name}")
        if figure_given is None:
            raise ScoringError(f"Give the assumed {name} ({unit}) that unknown {name}s count "
                               "at, or choose another way to count them")
    elif assumed is not None:
        raise ScoringError(f"An assumed {name} is given, but unknown {name}s are set to "
                           f"{policy!r}; choose 'assume' to count them at it")
    if not unknown:
        return 0.0
    if policy == "refuse":
        raise MissingEstimates(name, unknown)
    many = f"({len(unknown)} process{'es' if len(unknown) > 1 else ''})"
    if policy == "leave_out":
        notes.append(f"{name.capitalize()} unknown for {listed(unknown)}: left out until "
                     f"estimated {many}")
        return 0.0
    if policy == "zero":
        notes.append(f"{name.capitalize()} unknown for {listed(unknown)}: counted as 0, as "
                     f"chosen {many}")
        return 0.0
    notes.append(f"{name.capitalize()} unknown for {listed(unknown)}: counted at the assumed "
                 f"{_amount(float(assumed or 0.0), unit)} each {many}")
    return float(assumed or 0.0)


def _prepare(items: pd.DataFrame, *, must_include: Iterable[str], must_exclude: Iterable[str],
             exclusive_groups: Sequence[Sequence[str]], prerequisites: pd.DataFrame | None,
             completed: Iterable[str], unknown_cost: UnknownPolicy,
             unknown_effort: UnknownPolicy, assumed_cost: float | None,
             assumed_effort: float | None, missing_prerequisites: PrerequisitePolicy,
             cost_limited: bool, effort_limited: bool) -> _Model:
    frame = checked_items(items, needed=("code", "value"),
                          described="code, value, cost and effort", what="items")
    codes_col = frame["code"]
    codes = codes_col.tolist()
    position = {c: i for i, c in enumerate(codes)}
    notes: list[str] = []
    value, _ = _column(frame, "value", codes_col, unit="points", needed=True, policy="refuse",
                       assumed=None, notes=notes)
    cost, cost_known = _column(frame, "cost", codes_col, unit="CHF", needed=cost_limited,
                               policy=unknown_cost, assumed=assumed_cost, notes=notes)
    effort, effort_known = _column(frame, "effort", codes_col, unit="person-months",
                                   needed=effort_limited, policy=unknown_effort,
                                   assumed=assumed_effort, notes=notes)
    estimates = _estimates_needed(
        ((cost_known, cost_limited and unknown_cost == "leave_out", "a cost estimate"),
         (effort_known, effort_limited and unknown_effort == "leave_out",
          "an effort estimate")))

    def positions(values: Iterable[str], what: str) -> list[int]:
        wanted = _codes_of(values, what)
        unknown = [c for c in wanted if c not in position]
        if unknown:
            raise ScoringError(f"{what} names {listed(unknown)}, which "
                               f"{'is' if len(unknown) == 1 else 'are'} not among the items; "
                               "check the codes")
        return [position[c] for c in wanted]

    include = positions(must_include, "Must-include")
    exclude = positions(must_exclude, "Must-exclude")
    done = set(_codes_of(completed, "Completed"))
    done_items = np.array([c in done for c in codes], dtype=bool)
    both = [codes[i] for i in include if done_items[i]]
    if both:
        raise ScoringError(f"{listed(both)} {'is' if len(both) == 1 else 'are'} both completed "
                           "and must-include; remove from one of the two")
    if isinstance(exclusive_groups, str):
        raise ScoringError("Exclusive groups must be a list of lists of process codes")
    groups: list[list[int]] = []
    for k, group in enumerate(exclusive_groups):
        members = [i for i in positions(group, f"Exclusive group {k + 1}") if not done_items[i]]
        if len(members) >= 2:
            groups.append(members)

    if missing_prerequisites not in ("block", "ignore"):
        raise ScoringError(f"missing_prerequisites must be 'block' or 'ignore', got "
                           f"{missing_prerequisites!r}")
    up, down, missing = _edges(prerequisites, codes, done, done_items)
    if missing_prerequisites == "ignore" and missing:
        elsewhere = sorted({name for names in missing.values() for name in names})
        notes.append(f"Prerequisites that are neither candidates nor completed are taken as "
                     f"handled elsewhere: {listed(elsewhere)}")
        missing = {}
    parents: list[list[int]] = [[] for _ in codes]
    children: list[list[int]] = [[] for _ in codes]
    for u, d in zip(up.tolist(), down.tolist(), strict=True):
        parents[d].append(u)
        children[u].append(d)

    out: dict[int, tuple[Reason, str]] = {}
    root: dict[int, int] = {}
    for i in np.flatnonzero(done_items).tolist():
        out[i] = (Reason.COMPLETED, "already completed")
    queue: deque[int] = deque()
    for i in exclude:
        if i not in out:
            out[i] = (Reason.EXCLUDED, "must-exclude")
            root[i] = i
            queue.append(i)
    for i, needed in sorted(estimates.items()):
        if i not in out:
            out[i] = (Reason.ESTIMATE, f"needs {needed} before it can be chosen")
            root[i] = i
            queue.append(i)
    for i in sorted(missing):
        if i not in out:
            names = listed(missing[i])
            out[i] = (Reason.BLOCKED, f"needs {names}, which "
                      f"{'is' if len(missing[i]) == 1 else 'are'} neither among the items nor "
                      "completed")
            root[i] = i
            queue.append(i)
    while queue:  # everything downstream of an excluded or unavailable process is blocked
        u = queue.popleft()
        for d in children[u]:
            if d in out:
                continue
            why = {Reason.EXCLUDED: "which is must-exclude",
                   Reason.ESTIMATE: f"which needs {estimates.get(u)} first"}.get(
                out[u][0], "which cannot be chosen either")
            out[d] = (Reason.BLOCKED, f"needs {codes[u]}, {why}")
            root[d] = root[u]
            queue.append(d)

    model = _Model(codes=codes, value=value, cost=cost, effort=effort, up=up, down=down,
                   parents=parents, children=children, include=include, exclude=exclude,
                   groups=groups, out=out, out_root=root, estimates=estimates,
                   missing=missing, notes=notes)
    for cycle in cycles(len(codes), up, down):
        model.notes.append(f"{model.names(cycle)} need each other (a prerequisite cycle): they "
                           "can only be chosen together, and the roadmap schedules them together")
    return model


def _estimates_needed(columns: Iterable[tuple[BoolArray, bool, str]]) -> dict[int, str]:
    """Each process left out for want of an estimate -> what it needs ("a cost estimate and an
    effort estimate"), from ``(known mask, left out when unknown, what)`` per column."""
    wanted: dict[int, list[str]] = {}
    for known, leave_out, what in columns:
        if leave_out:
            for i in np.flatnonzero(~known).tolist():
                wanted.setdefault(i, []).append(what)
    return {i: " and ".join(whats) for i, whats in wanted.items()}


def _edges(prerequisites: pd.DataFrame | None, codes: list[str], done: set[str],
           done_items: BoolArray) -> tuple[IntArray, IntArray, dict[int, list[str]]]:
    """Edges between candidates (unique, no self-loops) and each process's unavailable
    prerequisites (neither items nor completed)."""
    empty = np.zeros(0, dtype=np.int64)
    if prerequisites is None or prerequisites.empty or not codes:
        return empty, empty, {}
    upstream, src, dst, keep = prerequisite_links(prerequisites, codes, done)
    keep &= ~np.where(dst >= 0, done_items[np.maximum(dst, 0)], True)
    missing: dict[int, list[str]] = {}
    absent = keep & (src < 0)
    for d, u in zip(dst[absent].tolist(), upstream[absent].tolist(), strict=True):
        missing.setdefault(d, [])
        if u not in missing[d]:
            missing[d].append(u)
    for names in missing.values():
        names.sort()
    keep &= src >= 0
    n = max(len(codes), 1)
    pairs = np.unique(src[keep] * n + dst[keep])
    return pairs // n, pairs % n, missing


# --- conflicts -----------------------------------------------------------------------------


def _conflicts(model: _Model, budget: float | None,
               capacity: float | None) -> tuple[BoolArray, list[str]]:
    """The required processes (must-includes and their prerequisites) and, when the
    constraints conflict, what conflicts, naming processes and figures."""
    codes = model.codes
    conflicts: list[str] = []
    excluded = set(model.exclude)
    for i in model.include:
        if i in excluded:
            conflicts.append(f"{codes[i]} is both must-include and must-exclude")
        elif i in model.out:
            conflicts.append(f"{codes[i]} is must-include but {_chain(model, i)}")
    # Required: must-includes and every prerequisite above them (breadth first, so `why` names
    # the nearest must-include).
    required = np.zeros(model.size, dtype=bool)
    why: dict[int, int] = {}
    queue: deque[int] = deque()
    for i in model.include:
        if i not in model.out:
            required[i] = True
            why[i] = i
            queue.append(i)
    while queue:
        d = queue.popleft()
        for u in model.parents[d]:
            if not required[u]:
                required[u] = True
                why[u] = why[d]
                queue.append(u)

    def role(i: int) -> str:
        return "must-include" if why[i] == i else \
            f"prerequisite of must-include {codes[why[i]]}"

    for group in model.groups:
        both = [i for i in group if required[i]]
        if len(both) >= 2:
            shown = "; ".join(f"{codes[i]}: {role(i)}" for i in both[:_SHOWN])
            conflicts.append(f"{model.names(both)} are in one exclusive group "
                             f"({model.names(group)}) but {'both' if len(both) == 2 else 'all'}"
                             f" are required ({shown})")
    for limit, amounts, unit, name in ((budget, model.cost, "CHF", "budget"),
                                       (capacity, model.effort, "person-months", "capacity")):
        if limit is None:
            continue
        ceiling = limit * (1 + _FIT)
        alone = [i for i in np.flatnonzero(required).tolist() if amounts[i] > ceiling]
        for i in alone:
            conflicts.append(f"{codes[i]} ({role(i)}) needs {_amount(amounts[i], unit)} "
                             f"alone, over the {name} of {_amount(limit, unit)}")
        total = float(amounts[required].sum())
        if not alone and total > ceiling:
            musts = [i for i in np.flatnonzero(required).tolist() if why[i] == i]
            others = [i for i in np.flatnonzero(required).tolist() if why[i] != i]
            together = f"the must-includes {model.names(musts)}" + (
                f" and their prerequisites {model.names(others)}" if others else "")
            conflicts.append(f"{together} need {_amount(total, unit)} together, "
                             f"{_amount(total - limit, unit)} over the {name} of "
                             f"{_amount(limit, unit)}")
    return required, conflicts


def _chain(model: _Model, i: int) -> str:
    """Why blocked ``i`` cannot be chosen, following its prerequisites to the cause."""
    codes = model.codes
    root = model.out_root[i]
    # Shortest path from the cause down to i over candidates, by breadth first search upward.
    previous: dict[int, int] = {i: i}
    queue: deque[int] = deque([i])
    while queue:
        d = queue.popleft()
        if d == root:
            break
        for u in model.parents[d]:
            if u not in previous:
                previous[u] = d
                queue.append(u)
    path = [root]
    while path[-1] != i and path[-1] in previous:
        path.append(previous[path[-1]])
    via = " -> ".join(codes[k] for k in path)
    if model.out[root][0] is Reason.EXCLUDED:
        return f"needs {codes[root]}, which is must-exclude (prerequisite chain {via})"
    if model.out[root][0] is Reason.ESTIMATE:
        if root == i:
            return model.out[i][1]
        return (f"needs {codes[root]}, which needs {model.estimates[root]} first "
                f"(prerequisite chain {via})")
    names = listed(model.missing[root])
    chain = f" (prerequisite chain {model.missing[root][0]} -> {via})" if root != i else ""
    return f"needs {names}, which is neither among the items nor completed{chain}"


# --- solving -------------------------------------------------------------------------------


def _solve(model: _Model, budget: float | None, capacity: float | None, required: BoolArray,
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
            upper[amounts > limit * (1 + _FIT)] = 0.0
            rows.append(sparse.csr_matrix(amounts[None, :] / limit))
            row_upper.append(np.array([1.0 + _FIT]))
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


def _tie_break_weights(model: _Model, budget: float | None,
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


def _result(model: _Model, solution: _Solution, budget: float | None, capacity: float | None,
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


def _reasons(model: _Model, chosen: BoolArray, budget: float | None, capacity: float | None,
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
            if need > left + _FIT * max(limit, 1.0):
                reason = (kind, f"needs {_amount(need, unit)}{along}, more than the whole "
                          f"{name} of {_amount(limit, unit)}" if need > limit * (1 + _FIT)
                          else f"does not fit the {name}: needs {_amount(need, unit)}{along}, "
                          f"{_amount(max(left, 0.0), unit)} left")
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


def _bring_along(model: _Model, rest: list[int], chosen: BoolArray) -> dict[int, list[int]]:
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
