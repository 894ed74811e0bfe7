"""The portfolio's model set-up: the items, prerequisites, groups and limits read and checked
into a :class:`Model`, the reasons a process is ruled out before solving, and the conflicts
that make the constraints infeasible (:func:`find_conflicts`). The problem and its conventions
are in :mod:`scoring.portfolio`."""

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

from scoring.components import cycles
from scoring.errors import ScoringError
from scoring.items import checked_items, prerequisite_links
from scoring.wording import figure, listed

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
UnknownPolicy = Literal["leave_out", "refuse", "assume", "zero"]
UNKNOWN_POLICIES: tuple[UnknownPolicy, ...] = ("leave_out", "refuse", "assume", "zero")
PrerequisitePolicy = Literal["block", "ignore"]

#: Relative slack on the budget and the capacity, for rounding in sums.
FIT = 1e-9
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


@dataclass
class Model:
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
        """The number of items."""
        return len(self.codes)

    def names(self, positions: Iterable[int]) -> str:
        """The codes at ``positions``, in code order, as :func:`scoring.wording.listed` says."""
        return listed([self.codes[i] for i in sorted(positions)])


# --- validation ----------------------------------------------------------------------------


def checked_limit(value: float | None, name: str) -> float | None:
    """A budget or capacity (``name``) as a float >= 0, None for no limit; refused when it is
    not a finite number >= 0."""
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


def budget_level(value: float) -> float:
    """One budget of the efficient frontier, checked like a limit; None is refused."""
    level = checked_limit(value, "budget")
    if level is None:
        raise ScoringError("Every budget of the frontier must be a number, not None")
    return level


def checked_time_limit(seconds: float) -> None:
    """Refuse a solver time limit that is not a positive, finite number of seconds."""
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


def amount(x: float, unit: str) -> str:
    """``CHF 1,350,000`` for money, ``20 person-months`` for effort."""
    return f"CHF {figure(x)}" if unit == "CHF" else f"{figure(x)} {unit}"


def _unknown_counted(name: str, unit: str, unknown: list[str], policy: UnknownPolicy,
                     assumed: float | None, notes: list[str]) -> float:
    """What an unknown cost or effort counts as under its limit, by ``policy`` (see the module
    doc; a process left out counts 0, as it is never chosen); notes say what was counted."""
    if policy == "assume":
        figure_given = checked_limit(assumed, f"assumed {name}")
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
                 f"{amount(float(assumed or 0.0), unit)} each {many}")
    return float(assumed or 0.0)


def prepare_model(items: pd.DataFrame, *, must_include: Iterable[str], must_exclude: Iterable[str],
             exclusive_groups: Sequence[Sequence[str]], prerequisites: pd.DataFrame | None,
             completed: Iterable[str], unknown_cost: UnknownPolicy,
             unknown_effort: UnknownPolicy, assumed_cost: float | None,
             assumed_effort: float | None, missing_prerequisites: PrerequisitePolicy,
             cost_limited: bool, effort_limited: bool) -> Model:
    """The checked :class:`Model` of the items and constraints, the same for every budget and
    capacity (``cost_limited`` and ``effort_limited`` say which limits are set, for the unknown
    policies): processes ruled out up front (completed, must-exclude, left out for an estimate,
    blocked) with their reasons, and notes on what was assumed (see :mod:`scoring.portfolio`)."""
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

    model = Model(codes=codes, value=value, cost=cost, effort=effort, up=up, down=down,
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


def find_conflicts(model: Model, budget: float | None,
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
        ceiling = limit * (1 + FIT)
        alone = [i for i in np.flatnonzero(required).tolist() if amounts[i] > ceiling]
        for i in alone:
            conflicts.append(f"{codes[i]} ({role(i)}) needs {amount(amounts[i], unit)} "
                             f"alone, over the {name} of {amount(limit, unit)}")
        total = float(amounts[required].sum())
        if not alone and total > ceiling:
            musts = [i for i in np.flatnonzero(required).tolist() if why[i] == i]
            others = [i for i in np.flatnonzero(required).tolist() if why[i] != i]
            together = f"the must-includes {model.names(musts)}" + (
                f" and their prerequisites {model.names(others)}" if others else "")
            conflicts.append(f"{together} need {amount(total, unit)} together, "
                             f"{amount(total - limit, unit)} over the {name} of "
                             f"{amount(limit, unit)}")
    return required, conflicts


def _chain(model: Model, i: int) -> str:
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


