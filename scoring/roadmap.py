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
  ``completed`` one is satisfied. One that is neither among the items nor completed is in no
  period, so the process cannot be placed, and its reason names it: no process is ever placed
  before an unplaced prerequisite that is not completed. Self-loops are ignored; codes in
  ``completed`` or ``quick_fixes`` that are not among the items are ignored.
* Prerequisite cycles: processes that need each other round a cycle (a strongly connected
  component of the prerequisite graph, Tarjan, R. E. (1972) "Depth-first search and linear
  graph algorithms", SIAM Journal on Computing 1(2), 146-160, via scipy) are one piece of work:
  scheduled together, in one period, their efforts summed against its capacity, after every
  prerequisite outside the cycle; each says so in ``together``. A piece's priority is its most
  urgent member's (a quick fix, the lowest priority, the first code).
* Quick fixes first where they fit: a quick fix is taken before every other process that is
  ready at the same step, so it claims the earliest room; it still waits for its own
  prerequisites, which keep their own priority.
* A period is full when the efforts placed in it reach its capacity (sums compared with a
  relative slack of 1e-9 for rounding).

Nothing is dropped: the result has one row per item; a process that cannot be placed says why
(``reason_kind``): ``completed``; ``missing_prerequisite`` (a prerequisite neither in the plan
nor completed, named); ``prerequisite_unplaced`` (a prerequisite could not be placed, named);
``too_large`` (its effort, or its cycle's, exceeds every period's capacity);
``no_later_period`` (its prerequisites end in the last period); ``capacity`` (no period from
the earliest allowed one has enough left). The work is O((n + m) log n + n p) for n items, m
prerequisites and p periods (a heap holds the ready pieces of work).
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

import numpy as np
import pandas as pd

from scoring.components import strong_components
from scoring.errors import ScoringError
from scoring.items import checked_items, prerequisite_links
from scoring.wording import figure, listed

_FIT = 1e-9
COLUMNS = ["code", "priority", "effort", "quick_fix", "placed", "period", "period_index", "end",
           "step", "together", "reason_kind", "reason"]


class Unplaced(StrEnum):
    """Why a process has no period (``reason_kind`` of the roadmap)."""

    COMPLETED = "completed"
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
                 quick_fixes: Iterable[str] = ()) -> pd.DataFrame:
    """One row per item: where it goes, or why it cannot go anywhere (see the module doc).

    Columns: ``code``, ``priority``, ``effort``, ``quick_fix``, ``placed``, ``period`` (name,
    None when not placed), ``period_index`` (0-based, -1 when not placed), ``end``, ``step``
    (order of the decisions, -1 for processes set aside before scheduling), ``together``
    (for a member of a prerequisite cycle, the text saying it is scheduled with the others;
    None otherwise), ``reason_kind`` (an :class:`Unplaced` value) and ``reason``. Placed rows
    come first, by period then step; the others follow by priority and code.
    """
    periods = _checked_periods(periods)
    codes, priority, effort, quick = _checked_items(items, quick_fixes)
    done = {str(c) for c in _codes(completed, "Completed")}
    parents, missing = _graph(prerequisites, codes, done)
    work = _Work(codes, priority, effort, quick, parents, _pieces(len(codes), parents))
    for i, code in enumerate(codes):
        if code in done:
            work.set_aside([i], Unplaced.COMPLETED, "already completed")
    for piece, members in enumerate(work.members):
        _set_aside_missing(work, piece, members, missing)
    work.schedule(periods)
    return work.table(periods)


class _Work:
    """The scheduling state: each piece of work (a process, or the processes of a prerequisite
    cycle together) is settled once, placed or set aside, and its dependants become ready when
    every piece they need is settled."""

    def __init__(self, codes: list[str], priority: np.ndarray, effort: np.ndarray,
                 quick: np.ndarray, parents: list[list[int]], piece_of: np.ndarray) -> None:
        self.codes, self.priority, self.effort, self.quick = codes, priority, effort, quick
        self.parents = parents
        self.piece_of = piece_of
        count = int(piece_of.max(initial=-1)) + 1
        self.members: list[list[int]] = [[] for _ in range(count)]
        for i in np.argsort(piece_of, kind="stable").tolist():
            self.members[int(piece_of[i])].append(i)
        self.outside = [sorted({p for i in m for p in parents[i] if piece_of[p] != piece},
                               key=codes.__getitem__) for piece, m in enumerate(self.members)]
        self.needed_by: list[list[int]] = [[] for _ in range(count)]
        for piece, ups in enumerate(self.outside):
            for up in sorted({int(piece_of[p]) for p in ups}):
                self.needed_by[up].append(piece)
        self.waiting = np.array([len({int(piece_of[p]) for p in ups}) for ups in self.outside],
                                dtype=np.int64)
        n = len(codes)
        self.period_of = np.full(n, -1, dtype=np.int64)
        self.step_of = np.full(n, -1, dtype=np.int64)
        self.kind: list[str | None] = [None] * n
        self.reason: list[str | None] = [None] * n
        self.settled = np.zeros(count, dtype=bool)
        self.ready: list[tuple[bool, float, str, int]] = []
        self.step = 0

    def key(self, piece: int) -> tuple[bool, float, str, int]:
        """The priority rule on a piece: by its most urgent member (a quick fix, the lowest
        priority, the first code)."""
        members = self.members[piece]
        return (not bool(self.quick[members].any()), float(self.priority[members].min()),
                min(self.codes[i] for i in members), piece)

    def set_aside(self, members: list[int], why: Unplaced, text: str) -> None:
        for i in members:
            if self.kind[i] is None:
                self.kind[i], self.reason[i] = str(why), text

    def settle(self, piece: int) -> None:
        self.settled[piece] = True
        for child in self.needed_by[piece]:
            self.waiting[child] -= 1
            if self.waiting[child] == 0 and not self.settled[child]:
                heapq.heappush(self.ready, self.key(child))

    def schedule(self, periods: list[Period]) -> None:
        """Serial list scheduling of the pieces (see the module doc)."""
        for piece, members in enumerate(self.members):
            if any(self.kind[i] is not None for i in members):
                self.settle(piece)
        for piece in range(len(self.members)):
            if not self.settled[piece] and self.waiting[piece] == 0:
                heapq.heappush(self.ready, self.key(piece))
        left = np.array([p.capacity_pm for p in periods], dtype=np.float64)
        while self.ready:
            *_, piece = heapq.heappop(self.ready)
            if self.settled[piece]:
                continue
            members = self.members[piece]
            for i in sorted(members, key=lambda k: (self.priority[k], self.codes[k])):
                self.step_of[i] = self.step
                self.step += 1
            self._place(piece, members, periods, left)
            self.settle(piece)

    def _place(self, piece: int, members: list[int], periods: list[Period],
               left: np.ndarray) -> None:
        """Into the earliest period after every prerequisite outside the piece that has room
        for the piece's whole effort, or set aside saying why."""
        codes = self.codes
        ups = self.outside[piece]
        with_others = _with_others(codes, members)
        effort = "its effort" if len(members) == 1 else "their combined effort"
        unplaced = [p for p in ups if self.period_of[p] < 0]
        if unplaced:
            self.set_aside(members, Unplaced.PREREQUISITE,
                           f"needs {listed([codes[p] for p in unplaced])}, which could not be "
                           f"placed{with_others}")
            return
        capacity = np.array([p.capacity_pm for p in periods], dtype=np.float64)
        earliest = max((int(self.period_of[p]) + 1 for p in ups), default=0)
        need = float(self.effort[members].sum())
        room = left[earliest:] >= need - _FIT * np.maximum(capacity[earliest:], 1.0)
        if room.any():
            chosen = earliest + int(np.flatnonzero(room)[0])
            self.period_of[members] = chosen
            left[chosen] -= need
            return
        largest = float(capacity.max(initial=0.0))
        if need > largest * (1 + _FIT):
            self.set_aside(members, Unplaced.TOO_LARGE,
                           f"{effort} of {figure(need)} person-months is more than any "
                           f"period's capacity (largest: {figure(largest)}){with_others}")
        elif earliest >= len(periods):
            last = sorted(codes[p] for p in ups if self.period_of[p] == len(periods) - 1)
            self.set_aside(members, Unplaced.NO_LATER_PERIOD,
                           f"its prerequisite{'s' if len(last) > 1 else ''} {listed(last)} "
                           f"{'are' if len(last) > 1 else 'is'} in the last period "
                           f"({periods[-1].name}), so there is no later period for "
                           f"{'it' if len(members) == 1 else 'them'}{with_others}")
        else:
            after = sorted(codes[p] for p in ups if self.period_of[p] == earliest - 1)
            since = f" (after its prerequisite{'s' if len(after) > 1 else ''} " \
                f"{listed(after)} in {periods[earliest - 1].name})" if after else ""
            most = earliest + int(np.argmax(left[earliest:]))
            self.set_aside(members, Unplaced.CAPACITY,
                           f"no period from {periods[earliest].name} on{since} has "
                           f"{figure(need)} person-months left (most left: "
                           f"{figure(max(left[most], 0.0))} in {periods[most].name})"
                           f"{with_others}")

    def table(self, periods: list[Period]) -> pd.DataFrame:
        placed = self.period_of >= 0
        pieces = [sorted(self.codes[i] for i in members) for members in self.members]
        together = [_together(pieces[int(self.piece_of[i])], code)
                    for i, code in enumerate(self.codes)]
        table = pd.DataFrame({
            "code": self.codes,
            "priority": self.priority,
            "effort": self.effort,
            "quick_fix": self.quick,
            "placed": placed,
            "period": pd.Series([periods[p].name if p >= 0 else None for p in self.period_of],
                                dtype=object),
            "period_index": self.period_of,
            "end": pd.Series([periods[p].end if p >= 0 else None for p in self.period_of],
                             dtype=object),
            "step": self.step_of,
            "together": pd.Series(together, dtype=object),
            "reason_kind": pd.Series(self.kind, dtype=object),
            "reason": pd.Series(self.reason, dtype=object),
        }, columns=COLUMNS)
        head = table[placed].sort_values(["period_index", "step"], kind="stable")
        tail = table[~placed].sort_values(["priority", "code"], kind="stable")
        return pd.concat([head, tail]).reset_index(drop=True)


def _set_aside_missing(work: _Work, piece: int, members: list[int],
                       missing: dict[int, list[str]]) -> None:
    """A piece with a prerequisite that is neither in the plan nor completed cannot be placed:
    the members that need it say which; the others of a cycle say they wait with them."""
    lacking = [i for i in members if i in missing]
    if not lacking:
        return
    codes = work.codes
    for i in lacking:
        names = missing[i]
        work.set_aside([i], Unplaced.MISSING,
                       f"needs {listed(names)}, which {'is' if len(names) == 1 else 'are'} "
                       "neither in the plan nor completed")
    others = [i for i in members if i not in missing]
    if others:
        work.set_aside(others, Unplaced.PREREQUISITE,
                       f"needs {listed([codes[i] for i in lacking])} (they depend on each "
                       "other round a prerequisite cycle), which cannot be placed: "
                       f"{work.reason[lacking[0]]}")


def _with_others(codes: list[str], members: list[int]) -> str:
    """``; A, B depend on each other, so they go together``: the end of the reason of a piece
    of several processes (nothing for one process)."""
    if len(members) == 1:
        return ""
    return f"; {listed(sorted(codes[i] for i in members))} depend on each other (a " \
        "prerequisite cycle), so they go together"


def _together(piece: list[str], code: str, shown: int = 6) -> str | None:
    """Why ``code``, a member of the cycle ``piece`` (codes sorted), shares its period (or its
    fate) with the others; the first ``shown`` others named, as :func:`listed` does."""
    if len(piece) == 1:
        return None
    named = [c for c in piece[:shown + 1] if c != code][:shown]
    rest = len(piece) - 1 - len(named)
    others = ", ".join(named) + (f" and {rest} more" if rest else "")
    return (f"scheduled together with {others}: they depend on each other (a prerequisite "
            "cycle), so they are one piece of work")


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


def _graph(prerequisites: pd.DataFrame | None, codes: list[str], done: set[str]
           ) -> tuple[list[list[int]], dict[int, list[str]]]:
    """The parents of each item among the items (prerequisites not completed, unique, no
    self-loops) and each process's prerequisites that are neither items nor completed."""
    n = len(codes)
    parents: list[list[int]] = [[] for _ in range(n)]
    missing: dict[int, list[str]] = {}
    if prerequisites is None or prerequisites.empty or n == 0:
        return parents, missing
    upstream, src, dst, keep = prerequisite_links(prerequisites, codes, done)
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
    return parents, missing


def _pieces(n: int, parents: list[list[int]]) -> np.ndarray:
    """The piece of work of each process: the strongly connected components of the
    prerequisite graph (a process alone, or every process of a cycle), numbered by their first
    member in code order (:func:`scoring.components.strong_components`)."""
    up = np.array([u for d in range(n) for u in parents[d]], dtype=np.int64)
    down = np.array([d for d in range(n) for _ in parents[d]], dtype=np.int64)
    return strong_components(n, up, down)
