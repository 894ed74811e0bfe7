"""The roadmap: the chosen processes spread over periods (``by C26``, ``by PP-26``, then later
periods), never a process before its prerequisites, never more effort in a period than its
capacity.

Method: the serial schedule generation scheme with a priority rule (Kolisch, R. (1996) "Serial
and parallel resource-constrained project scheduling methods revisited: theory and
computation", European Journal of Operational Research 90(2), 320-333), i.e. list scheduling
(Graham, R. L. (1966) "Bounds for certain multiprocessing anomalies", Bell System Technical
Journal 45(9), 1563-1581; (1969) "Bounds on multiprocessing timing anomalies", SIAM Journal on
Applied Mathematics 17(2), 416-429) with periods as time buckets. At each step, among the
processes whose prerequisites are all settled (placed, or found unplaceable), the first by
(quick fix first, then ``priority`` ascending, then code) is placed in the earliest period that
comes strictly after every period holding one of its prerequisites and still has room for its
effort. Like any list schedule it is a heuristic: it keeps the order leadership gave and does not
repack earlier periods.

Conventions.

* ``items``: ``code``, ``priority`` (lower = earlier, e.g. the rank), ``effort``
  (person-months, >= 0); an optional boolean ``quick_fix`` column adds to ``quick_fixes``.
* ``periods`` are used in the order given; their ends, where given, must increase along it. An
  open-ended last period (``end=None``) takes what fits after the dated ones.
* Strictly earlier: a process goes into a later period than each of its prerequisites, never
  the same one, because inside a period nothing says what comes first; this is the reading of
  "no process before its prerequisites" that holds whatever happens within a period.
* Prerequisites (``upstream_code -> downstream_code``: the downstream needs the upstream): a
  ``completed`` one is satisfied. One that is neither among the items nor completed blocks the
  process (``missing_prerequisites="block"``, the default, and the safe reading) or is left
  out of account (``"ignore"``, for plans of a hand-picked set whose prerequisites are done
  elsewhere). Self-loops are ignored; codes in ``completed`` or ``quick_fixes`` that are not
  among the items are ignored.
* Quick fixes first where they fit: a quick fix is taken before every other process that is
  ready at the same step, so it claims the earliest room; it still waits for its own
  prerequisites, which keep their own priority.
* A period is full when the efforts placed in it reach its capacity (sums compared with a
  relative slack of 1e-9 for rounding).

Nothing is dropped: the result has one row per item; a process that cannot be placed says why
(``reason_kind``): ``completed``; ``cycle`` (it is on a prerequisite cycle, members named);
``missing_prerequisite``; ``prerequisite_unplaced`` (a prerequisite could not be placed);
``too_large`` (its effort exceeds every period's capacity); ``no_later_period`` (its
prerequisites end in the last period); ``capacity`` (no period from the earliest allowed one has
enough left). The work is O((n + m) log n + n p) for n items, m prerequisites and p periods
(a heap holds the ready processes), and a cycle cannot stall it: its members (strongly
connected components, scipy) are set aside before scheduling.
"""

from __future__ import annotations

import heapq
import itertools
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from scoring.errors import ScoringError
from scoring.items import checked_items, prerequisite_links
from scoring.wording import figure, listed

_FIT = 1e-9
COLUMNS = ["code", "priority", "effort", "quick_fix", "placed", "period", "period_index", "end",
           "step", "reason_kind", "reason"]


class Unplaced(StrEnum):
    """Why a process has no period (``reason_kind`` of the roadmap)."""

    COMPLETED = "completed"
    CYCLE = "cycle"
    MISSING = "missing_prerequisite"
    PREREQUISITE = "prerequisite_unplaced"
    TOO_LARGE = "too_large"
    NO_LATER_PERIOD = "no_later_period"
    CAPACITY = "capacity"


@dataclass(frozen=True)
class Period:
    """A time bucket of the roadmap: its name (``by C26``), its end date (None: open-ended)
    and the person-months available in it."""

    name: str
    end: date | None
    capacity_pm: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ScoringError(f"A period needs a name, got {self.name!r}")
        if self.end is not None and not isinstance(self.end, date):
            raise ScoringError(f"The end of period {self.name!r} must be a date or None, "
                               f"got {self.end!r}")
        capacity = self.capacity_pm
        if isinstance(capacity, bool) or not isinstance(capacity, numbers.Real) \
                or not math.isfinite(capacity) or capacity < 0:
            raise ScoringError(f"The capacity of period {self.name!r} must be a finite number "
                               f"of person-months >= 0, got {capacity!r}")


def plan_roadmap(items: pd.DataFrame, periods: Sequence[Period],
                 prerequisites: pd.DataFrame | None = None, completed: Iterable[str] = (),
                 quick_fixes: Iterable[str] = (), *,
                 missing_prerequisites: Literal["block", "ignore"] = "block") -> pd.DataFrame:
    """One row per item: where it goes, or why it cannot go anywhere (see the module doc).

    Columns: ``code``, ``priority``, ``effort``, ``quick_fix``, ``placed``, ``period`` (name,
    None when not placed), ``period_index`` (0-based, -1 when not placed), ``end``, ``step``
    (order of the decisions, -1 for processes set aside before scheduling), ``reason_kind``
    (an :class:`Unplaced` value) and ``reason``. Placed rows come first, by period then step;
    the others follow by priority and code.
    """
    periods = _checked_periods(periods)
    codes, priority, effort, quick = _checked_items(items, quick_fixes)
    n = len(codes)
    done = {str(c) for c in _codes(completed, "Completed")}
    if missing_prerequisites not in ("block", "ignore"):
        raise ScoringError(f"missing_prerequisites must be 'block' or 'ignore', got "
                           f"{missing_prerequisites!r}")
    parents, children, missing = _graph(prerequisites, codes, done,
                                        block=missing_prerequisites == "block")

    period_of = np.full(n, -1, dtype=np.int64)
    step_of = np.full(n, -1, dtype=np.int64)
    kind: list[str | None] = [None] * n
    reason: list[str | None] = [None] * n
    resolved = np.zeros(n, dtype=bool)
    waiting = np.array([len(p) for p in parents], dtype=np.int64)
    ready: list[tuple[bool, float, str, int]] = []

    def settle(i: int) -> None:
        resolved[i] = True
        for c in children[i]:
            waiting[c] -= 1
            if waiting[c] == 0 and not resolved[c]:
                heapq.heappush(ready, (not quick[c], priority[c], codes[c], c))

    def set_aside(i: int, why: Unplaced, text: str) -> None:
        kind[i], reason[i] = str(why), text

    for i, code in enumerate(codes):
        if code in done:
            set_aside(i, Unplaced.COMPLETED, "already completed")
    for i, names in missing.items():
        if kind[i] is None:
            set_aside(i, Unplaced.MISSING, f"needs {listed(names)}, which "
                      f"{'is' if len(names) == 1 else 'are'} neither in the plan nor completed")
    for cycle in _cycles(n, parents):
        members = listed([codes[k] for k in cycle])
        for i in cycle:
            if kind[i] is None:
                set_aside(i, Unplaced.CYCLE, f"on a prerequisite cycle: {members} need each "
                          "other, so none can come first")
    for i in range(n):
        if kind[i] is not None:
            settle(i)
    for i in range(n):
        if not resolved[i] and waiting[i] == 0:
            heapq.heappush(ready, (not quick[i], priority[i], codes[i], i))

    capacity = np.array([p.capacity_pm for p in periods], dtype=np.float64)
    left = capacity.copy()
    largest = float(capacity.max(initial=0.0))
    step = 0
    while ready:
        *_, i = heapq.heappop(ready)
        if resolved[i]:
            continue
        step_of[i] = step
        step += 1
        unplaced = sorted((p for p in parents[i] if period_of[p] < 0), key=codes.__getitem__)
        if unplaced:
            set_aside(i, Unplaced.PREREQUISITE,
                      f"needs {listed([codes[p] for p in unplaced])}, which could not be "
                      "placed")
            settle(i)
            continue
        earliest = max((int(period_of[p]) + 1 for p in parents[i]), default=0)
        need = float(effort[i])
        fits = np.flatnonzero(left[earliest:] >= need - _FIT * np.maximum(capacity[earliest:],
                                                                          1.0))
        if fits.size:
            chosen = earliest + int(fits[0])
            period_of[i] = chosen
            left[chosen] -= need
        elif need > largest * (1 + _FIT):
            set_aside(i, Unplaced.TOO_LARGE,
                      f"its effort of {figure(need)} person-months is more than any period's "
                      f"capacity (largest: {figure(largest)})")
        elif earliest >= len(periods):
            last = [codes[p] for p in parents[i] if period_of[p] == len(periods) - 1]
            set_aside(i, Unplaced.NO_LATER_PERIOD,
                      f"its prerequisite{'s' if len(last) > 1 else ''} {listed(sorted(last))} "
                      f"{'are' if len(last) > 1 else 'is'} in the last period "
                      f"({periods[-1].name}), so there is no later period for it")
        else:
            after = [codes[p] for p in parents[i] if period_of[p] == earliest - 1]
            since = f" (after its prerequisite{'s' if len(after) > 1 else ''} " \
                f"{listed(sorted(after))} in {periods[earliest - 1].name})" if after else ""
            most = earliest + int(np.argmax(left[earliest:]))
            set_aside(i, Unplaced.CAPACITY,
                      f"no period from {periods[earliest].name} on{since} has "
                      f"{figure(need)} person-months left (most left: "
                      f"{figure(max(left[most], 0.0))} in {periods[most].name})")
        settle(i)

    placed = period_of >= 0
    table = pd.DataFrame({
        "code": codes,
        "priority": priority,
        "effort": effort,
        "quick_fix": quick,
        "placed": placed,
        "period": pd.Series([periods[p].name if p >= 0 else None for p in period_of],
                            dtype=object),
        "period_index": period_of,
        "end": pd.Series([periods[p].end if p >= 0 else None for p in period_of],
                         dtype=object),
        "step": step_of,
        "reason_kind": pd.Series(kind, dtype=object),
        "reason": pd.Series(reason, dtype=object),
    }, columns=COLUMNS)
    head = table[placed].sort_values(["period_index", "step"], kind="stable")
    tail = table[~placed].sort_values(["priority", "code"], kind="stable")
    return pd.concat([head, tail]).reset_index(drop=True)


def period_load(plan: pd.DataFrame, periods: Sequence[Period]) -> pd.DataFrame:
    """Per period of ``plan`` (as :func:`plan_roadmap` returns): ``period``, ``end``,
    ``capacity_pm``, ``used_pm``, ``left_pm`` and ``count`` of processes placed."""
    periods = _checked_periods(periods)
    used = np.zeros(len(periods))
    count = np.zeros(len(periods), dtype=np.int64)
    index = plan["period_index"].to_numpy(dtype=np.int64)
    keep = index >= 0
    np.add.at(used, index[keep], plan["effort"].to_numpy(dtype=np.float64)[keep])
    np.add.at(count, index[keep], 1)
    capacity = np.array([p.capacity_pm for p in periods], dtype=np.float64)
    return pd.DataFrame({"period": [p.name for p in periods], "end": [p.end for p in periods],
                         "capacity_pm": capacity, "used_pm": used, "left_pm": capacity - used,
                         "count": count})


# --- validation and graph ------------------------------------------------------------------




def _codes(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):
        raise ScoringError(f"{what} must be a list of process codes, got the text {values!r}")
    return [str(v) for v in values]


def _checked_periods(periods: Sequence[Period]) -> list[Period]:
    periods = list(periods)
    if not periods:
        raise ScoringError("The roadmap needs at least one period (e.g. 'by C26' with its "
                           "capacity in person-months)")
    for p in periods:
        if not isinstance(p, Period):
            raise ScoringError(f"Each period must be a Period(name, end, capacity_pm), got {p!r}")
    names = [p.name for p in periods]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ScoringError(f"Period name {twice[0]!r} appears twice; give each period its own "
                           "name")
    dated = [p for p in periods if p.end is not None]
    for before, after in itertools.pairwise(dated):
        if after.end is not None and before.end is not None and after.end <= before.end:
            raise ScoringError(f"Periods must be in time order: {after.name!r} ends on "
                               f"{after.end.isoformat()}, not after {before.name!r} "
                               f"({before.end.isoformat()})")
    return periods


def _checked_items(items: pd.DataFrame, quick_fixes: Iterable[str]
                   ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(codes, priority, effort, quick fix) in code order, checked."""
    frame = checked_items(items, needed=("code", "priority", "effort"),
                          described="code, priority and effort", what="roadmap items")
    codes = frame["code"].tolist()
    numbers = {}
    for column, unit in (("priority", "a number, lower = earlier"),
                         ("effort", "person-months")):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            where = [codes[i] for i in np.flatnonzero(bad)]
            raise ScoringError(f"{column.capitalize()} is missing or not a finite number for "
                               f"{listed(where)}; give {unit}")
        numbers[column] = values
    negative = numbers["effort"] < 0
    if negative.any():
        raise ScoringError(f"Effort must be >= 0; it is negative for "
                           f"{listed([codes[i] for i in np.flatnonzero(negative)])}")
    wanted = set(_codes(quick_fixes, "Quick fixes"))
    quick = np.array([c in wanted for c in codes], dtype=bool)
    if "quick_fix" in frame.columns:
        quick |= frame["quick_fix"].fillna(False).astype(bool).to_numpy()
    return codes, numbers["priority"], numbers["effort"], quick


def _graph(prerequisites: pd.DataFrame | None, codes: list[str], done: set[str], *,
           block: bool) -> tuple[list[list[int]], list[list[int]], dict[int, list[str]]]:
    """Parents and children among the items (prerequisites not completed, unique, no
    self-loops) and, when blocking, each process's prerequisites that are neither items nor
    completed."""
    n = len(codes)
    parents: list[list[int]] = [[] for _ in range(n)]
    children: list[list[int]] = [[] for _ in range(n)]
    missing: dict[int, list[str]] = {}
    if prerequisites is None or prerequisites.empty or n == 0:
        return parents, children, missing
    upstream, src, dst, keep = prerequisite_links(prerequisites, codes, done)
    if block:
        absent = keep & (src < 0)
        for d, u in zip(dst[absent].tolist(), upstream[absent].tolist(), strict=True):
            names = missing.setdefault(d, [])
            if u not in names:
                names.append(u)
        for names in missing.values():
            names.sort()
    keep &= src >= 0
    pairs = np.unique(src[keep] * n + dst[keep])
    for u, d in zip((pairs // n).tolist(), (pairs % n).tolist(), strict=True):
        parents[d].append(u)
        children[u].append(d)
    return parents, children, missing


def _cycles(n: int, parents: list[list[int]]) -> list[list[int]]:
    """Processes on prerequisite cycles: strongly connected components of two or more."""
    up = [u for d in range(n) for u in parents[d]]
    down = [d for d in range(n) for _ in parents[d]]
    if not up:
        return []
    graph = sparse.csr_matrix((np.ones(len(up)), (up, down)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels)
    found: dict[int, list[int]] = {}
    for i in np.flatnonzero(sizes[labels] > 1).tolist():
        found.setdefault(int(labels[i]), []).append(i)
    return sorted(found.values())
