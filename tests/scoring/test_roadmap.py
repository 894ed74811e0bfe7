"""The roadmap (scoring.roadmap): serial list scheduling into periods. Properties over random
graphs (prerequisites strictly earlier, capacity kept, the priority rule, the earliest period
that fits, nothing dropped) and worked examples for every reason a process cannot be placed."""

from __future__ import annotations

import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.errors import ScoringError
from scoring.roadmap import Period, Unplaced, plan_roadmap

C26 = Period("by C26", date(2026, 3, 31), 4)
PP26 = Period("by PP-26", date(2026, 11, 30), 4)
LATER = Period("later", None, 3)


def items(rows: Sequence[tuple[str, float | None, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "priority", "effort"])


def edges(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["upstream_code", "downstream_code"])


def by_code(plan: pd.DataFrame) -> pd.DataFrame:
    return plan.set_index("code")


def period_load(plan: pd.DataFrame, periods: Sequence[Period]) -> pd.DataFrame:
    """Per period of ``plan``: ``capacity_pm``, ``used_pm``, ``left_pm`` and ``count`` of
    processes placed."""
    placed = plan[plan["period_index"] >= 0]
    used = placed.groupby("period_index")["effort"].sum().reindex(range(len(periods)),
                                                                  fill_value=0.0)
    count = placed.groupby("period_index").size().reindex(range(len(periods)), fill_value=0)
    capacity = np.array([p.capacity_pm for p in periods], dtype=np.float64)
    return pd.DataFrame({"capacity_pm": capacity, "used_pm": used.to_numpy(dtype=np.float64),
                         "left_pm": capacity - used.to_numpy(dtype=np.float64),
                         "count": count.to_numpy(dtype=np.int64)})


def test_a_worked_plan() -> None:
    # Capacities 4, 4, 3. Steps: A (3) -> by C26, 1 left; B needs A (2) -> by PP-26, 2 left;
    # C (2): by C26 has 1 left, by PP-26 has 2 -> by PP-26; D needs B (1) -> strictly after
    # by PP-26: later; E (1) -> by C26, which still has 1 left.
    plan = plan_roadmap(items([("A", 1, 3), ("B", 2, 2), ("C", 3, 2), ("D", 4, 1),
                               ("E", 5, 1)]), [C26, PP26, LATER],
                        edges([("A", "B"), ("B", "D")]))
    rows = by_code(plan)
    assert rows["period"].to_dict() == {"A": "by C26", "B": "by PP-26", "C": "by PP-26",
                                        "D": "later", "E": "by C26"}
    assert plan["code"].tolist() == ["A", "E", "B", "C", "D"]  # by period, then step
    assert rows["step"].to_dict() == {"A": 0, "B": 1, "C": 2, "D": 3, "E": 4}
    assert rows.loc["D", "end"] is None and rows.loc["A", "end"] == date(2026, 3, 31)
    load = period_load(plan, [C26, PP26, LATER])
    assert load["used_pm"].tolist() == [4, 4, 1]
    assert load["left_pm"].tolist() == [0, 0, 2]
    assert load["count"].tolist() == [2, 2, 1]


def test_quick_fixes_claim_the_earliest_room() -> None:
    # One period of 3 person-months before a later one. A comes first by priority, but the
    # quick fixes Q1 and Q2 are taken first and fill by C26; A moves to by PP-26.
    plan = plan_roadmap(items([("A", 1, 2), ("Q1", 7, 1), ("Q2", 9, 2)]),
                        [Period("by C26", None, 3), Period("by PP-26", None, 3)],
                        quick_fixes=["Q1", "Q2", "NOT-AN-ITEM"])
    rows = by_code(plan)
    assert rows["period"].to_dict() == {"A": "by PP-26", "Q1": "by C26", "Q2": "by C26"}
    assert rows["quick_fix"].to_dict() == {"A": False, "Q1": True, "Q2": True}
    # A quick fix still waits for its prerequisite, and a quick_fix column counts as well.
    table = items([("A", 1, 1), ("Q", 2, 1)]).assign(quick_fix=[False, True])
    plan = plan_roadmap(table, [C26, PP26], edges([("A", "Q")]))
    assert by_code(plan)["period"].to_dict() == {"A": "by C26", "Q": "by PP-26"}


def test_every_reason_a_process_cannot_be_placed() -> None:
    plan = plan_roadmap(
        items([("BIG", 1, 9), ("A", 2, 4), ("B", 3, 1), ("C", 4, 4), ("D", 5, 1),
               ("E", 6, 4), ("M", 7, 1), ("N", 8, 1), ("DONE", 9, 1)]),
        [Period("by C26", None, 4), Period("by PP-26", None, 4)],
        edges([("A", "B"), ("X", "M"), ("M", "N"), ("B", "D"), ("BIG", "E")]),
        completed=["DONE"])
    rows = by_code(plan)
    assert rows.loc["BIG", "reason"] == ("its effort of 9 person-months is more than any "
                                         "period's capacity (largest: 4)")
    assert rows.loc["A", "period"] == "by C26" and rows.loc["B", "period"] == "by PP-26"
    assert rows.loc["C", "reason_kind"] == Unplaced.CAPACITY
    assert rows.loc["C", "reason"] == ("no period from by C26 on has 4 person-months left "
                                       "(most left: 3 in by PP-26)")
    assert rows.loc["D", "reason"] == ("its prerequisite B is in the last period (by PP-26), "
                                       "so there is no later period for it")
    assert rows.loc["E", "reason"] == "needs BIG, which could not be placed"
    assert rows.loc["M", "reason"] == "needs X, which is neither in the plan nor completed"
    assert rows.loc["N", "reason"] == "needs M, which could not be placed"
    assert rows.loc["DONE", "reason_kind"] == Unplaced.COMPLETED
    assert len(plan) == 9 and plan["placed"].sum() == 2
    assert plan["reason"].isna().tolist() == plan["placed"].tolist()


def test_capacity_reason_names_the_prerequisite_it_must_follow() -> None:
    plan = plan_roadmap(items([("A", 1, 1), ("F", 2, 3), ("B", 3, 3)]),
                        [Period("P1", None, 4), Period("P2", None, 4), Period("P3", None, 1)],
                        edges([("A", "B")]))
    # A -> P1 (3 left); F -> P1 (0 left); B must follow A: P2 has 4, fits.
    assert by_code(plan)["period"].to_dict() == {"A": "P1", "F": "P1", "B": "P2"}
    # A -> P1, F -> P1 (full); B must follow A, and P2 has only 2 of the 3 it needs.
    plan = plan_roadmap(items([("A", 1, 1), ("F", 2, 3), ("B", 3, 3)]),
                        [Period("P1", None, 4), Period("P2", None, 2)], edges([("A", "B")]))
    assert by_code(plan).loc["B", "reason"] == (
        "no period from P2 on (after its prerequisite A in P1) has 3 person-months left "
        "(most left: 2 in P2)")


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Turn a hang into a failure."""
    def stop(*_: object) -> None:
        raise TimeoutError(f"plan_roadmap did not finish within {seconds} s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_cycle_is_one_piece_of_work_placed_together() -> None:
    # A and B need each other and X; C needs A. X goes first; A and B (3 + 2 = 5 person-months,
    # over one period's 4 alone but not over 6) share the first period after X; C follows.
    plan = plan_roadmap(items([("A", 1, 3), ("B", 9, 2), ("C", 2, 1), ("X", 5, 1)]),
                        [Period("P1", None, 6), Period("P2", None, 6), Period("P3", None, 6)],
                        edges([("A", "B"), ("B", "A"), ("X", "B"), ("A", "C")]))
    rows = by_code(plan)
    assert rows["period"].to_dict() == {"X": "P1", "A": "P2", "B": "P2", "C": "P3"}
    assert rows.loc["A", "together"] == ("scheduled together with B: they depend on each other "
                                         "(a prerequisite cycle), so they are one piece of work")
    assert rows.loc["X", "together"] is None and rows.loc["C", "together"] is None
    # Their combined effort counts against the capacity: 5 never fits a period of 4.
    tight = by_code(plan_roadmap(items([("A", 1, 3), ("B", 2, 2)]), [C26, PP26],
                                 edges([("A", "B"), ("B", "A")])))
    assert tight.loc["A", "reason"] == tight.loc["B", "reason"] == (
        "their combined effort of 5 person-months is more than any period's capacity "
        "(largest: 4); A, B depend on each other (a prerequisite cycle), so they go together")
    # A member that needs something outside the plan holds the whole cycle back, named.
    held = by_code(plan_roadmap(items([("A", 1, 1), ("B", 2, 1)]), [C26],
                                edges([("A", "B"), ("B", "A"), ("OUT", "B")])))
    assert held.loc["B", "reason"] == "needs OUT, which is neither in the plan nor completed"
    assert held.loc["A", "reason_kind"] == Unplaced.PREREQUISITE
    assert "needs B (they depend on each other" in str(held.loc["A", "reason"])


def test_a_long_cycle_does_not_hang() -> None:
    ring = [f"R{k:04d}" for k in range(2000)]
    pairs = [(ring[k], ring[(k + 1) % len(ring)]) for k in range(len(ring))]
    pairs += [("R0005", "C"), ("S", "S")]
    table = items([(c, float(k), 0.001) for k, c in enumerate(ring)]
                  + [("C", 3, 1), ("S", 4, 1)])
    with deadline(20):
        plan = plan_roadmap(table, [C26, PP26], edges(pairs))
    rows = by_code(plan)
    assert set(rows.loc[ring, "period"]) == {"by C26"}
    assert str(rows.loc["R0000", "together"]).startswith("scheduled together with R0001, ")
    assert rows.loc["C", "period"] == "by PP-26"
    assert rows.loc["S", "period"] == "by C26"  # a self-loop is ignored


def test_the_same_plan_whatever_the_row_order() -> None:
    rng = np.random.default_rng(5)
    table = items([(f"P{k:02d}", int(rng.integers(0, 4)), float(rng.integers(0, 4)))
                   for k in range(30)])
    pairs = edges([(f"P{a:02d}", f"P{b:02d}") for a, b in rng.integers(0, 30, (40, 2))
                   if a < b])
    periods = [C26, PP26, LATER]
    first = plan_roadmap(table, periods, pairs, quick_fixes=["P03", "P17"])
    for seed in range(3):
        again = plan_roadmap(table.sample(frac=1.0, random_state=seed), periods,
                             pairs.sample(frac=1.0, random_state=seed),
                             quick_fixes=["P17", "P03"])
        pd.testing.assert_frame_equal(first, again)


def random_plan(seed: int, cycles: float = 0.3) -> tuple[pd.DataFrame, list[Period],
                                                        pd.DataFrame, list[str], list[str]]:
    """A random graph over up to 30 processes: a DAG (edges forward in a hidden order), with
    back edges (cycles) with probability ``cycles`` and sometimes prerequisites outside the
    plan; priorities with ties; quick fixes and completed processes; 1 to 4 periods."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 31))
    codes = [f"P{k:02d}" for k in rng.permutation(60)[:n]]
    table = items([(c, int(rng.integers(0, 6)), float(rng.integers(0, 9)) / 2)
                   for c in codes])
    pairs = []
    for _ in range(int(rng.integers(0, 3 * n + 1))):
        a, b = sorted(rng.integers(0, n, 2))
        if a != b:
            pairs.append((codes[a], codes[b]))
    if rng.random() < cycles:
        for _ in range(int(rng.integers(1, 4))):
            a, b = rng.integers(0, n, 2)
            pairs.append((codes[a], codes[b]))
    if rng.random() < 0.3:
        pairs.append(("OUTSIDE", codes[int(rng.integers(0, n))]))
    periods = [Period(f"T{k}", None, float(rng.integers(0, 17)) / 2)
               for k in range(int(rng.integers(1, 5)))]
    quick = [c for c in codes if rng.random() < 0.2]
    completed = [c for c in codes if rng.random() < 0.1] + ["OUTSIDE-DONE"]
    if rng.random() < 0.5:
        pairs.append(("OUTSIDE-DONE", codes[0]))
    return table, periods, edges(pairs), quick, completed


def pieces_of(codes: list[str], parents: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Each code's piece of work, found independently of the code under test: the codes it
    reaches and that reach it (transitive closure by repeated squaring)."""
    index = {c: k for k, c in enumerate(codes)}
    reach = np.eye(len(codes), dtype=bool)
    for down, ups in parents.items():
        for up in ups:
            if up in index:
                reach[index[up], index[down]] = True
    for _ in range(max(len(codes), 1).bit_length()):
        reach = reach | ((reach.astype(np.int64) @ reach.astype(np.int64)) > 0)
    both = reach & reach.T
    return {c: frozenset(codes[j] for j in np.flatnonzero(both[index[c]])) for c in codes}


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.floats(min_value=0.0, max_value=1.0))
def test_list_scheduling_properties_on_random_graphs(seed: int, cycles: float) -> None:
    """Over random graphs, with prerequisite cycles in a share ``cycles`` of them: every
    process is placed or says why; no process comes before (or, outside its cycle, with) a
    prerequisite, nor after an unplaced one; the members of a cycle share one period and its
    capacity; and the serial rule holds on the pieces of work."""
    table, periods, pairs, quick, completed = random_plan(seed, cycles)
    plan = plan_roadmap(table, periods, pairs, completed=completed, quick_fixes=quick)
    rows = by_code(plan)
    # Nothing dropped, nothing invented; a reason exactly when not placed.
    assert sorted(rows.index) == sorted(table["code"])
    assert (rows["reason"].isna() == rows["placed"]).all()
    assert ((rows["period_index"] >= 0) == rows["placed"]).all()
    # Capacity never exceeded.
    load = period_load(plan, periods)
    assert (load["used_pm"] <= load["capacity_pm"] * (1 + 1e-9) + 1e-12).all()
    parents: dict[str, set[str]] = {c: set() for c in rows.index}
    for up, down in pairs.itertuples(index=False):
        if up != down and down in parents and up not in completed:
            parents[down].add(up)
    piece = pieces_of(list(rows.index), parents)
    period = rows["period_index"].to_dict()
    # Placed only after every prerequisite, which is placed too; with it inside a cycle.
    for code in rows.index[rows["placed"]]:
        for up in parents[code]:
            assert up in rows.index, f"{code} placed though {up} is in no period"
            assert period[up] >= 0, f"{code} placed though its prerequisite {up} is not"
            if up in piece[code]:
                assert period[up] == period[code], f"{code} apart from {up}, on its cycle"
            else:
                assert period[up] < period[code], f"{code} not after its prerequisite {up}"
    # A cycle's members share their fate, and say that they are scheduled together.
    for code in rows.index:
        members = piece[code]
        assert len({period[m] for m in members}) == 1
        assert (rows.loc[code, "together"] is not None) == (len(members) > 1)
    for code in rows.index[rows["reason_kind"] == Unplaced.PREREQUISITE]:
        assert any(up not in rows.index or period[up] < 0
                   for m in piece[code] for up in parents[m])
    # The serial rule on pieces: the piece taken at each step is the first (quick fix,
    # priority, code, by its most urgent member) among those whose prerequisites outside it
    # were all settled before that step.
    step = rows["step"].to_dict()
    first = {members: min(step[m] for m in members) for members in set(piece.values())}
    outside = {members: {up for m in members for up in parents[m]} - members
               for members in first}

    quick_fix, priority = rows["quick_fix"].to_dict(), rows["priority"].to_dict()

    def key(members: frozenset[str]) -> tuple[bool, float, str]:
        return (not any(quick_fix[m] for m in members), min(priority[m] for m in members),
                min(members))

    taken = sorted((s, members) for members, s in first.items() if s >= 0)
    for s, members in taken:
        ready = [other for other, t in first.items() if t >= s
                 and all(up in rows.index and step[up] < s for up in outside[other])]
        assert min(ready, key=key) == members
    # The earliest period with room at the time (after the prerequisites), for placed pieces
    # and for those refused for lack of room.
    effort = rows["effort"].to_dict()
    capacity = [p.capacity_pm for p in periods]

    def left_before(p: int, s: int) -> float:
        return capacity[p] - sum(effort[c] for c in effort if period[c] == p and 0 <= step[c] < s)

    kind = rows["reason_kind"].to_dict()
    for s, members in taken:
        code = min(members)
        if kind[code] == Unplaced.PREREQUISITE:
            continue
        earliest = max((period[up] + 1 for up in outside[members]), default=0)
        end = period[code] if period[code] >= 0 else len(periods)
        need = sum(effort[m] for m in members)
        for p in range(earliest, end):
            assert left_before(p, s) < need - 1e-9


@pytest.mark.parametrize(("call", "message"), [
    (lambda: plan_roadmap(items([("A", 1, 1)]), []), "at least one period"),
    (lambda: plan_roadmap(items([("A", 1, 1)]), [C26, Period("by C26", None, 1)]),
     "'by C26' appears twice"),
    (lambda: plan_roadmap(items([("A", 1, 1)]), [PP26, C26]), "must be in time order"),
    (lambda: Period("x", None, -1), "capacity of period 'x' must be a finite number"),
    (lambda: Period("", None, 1), "needs a name"),
    (lambda: plan_roadmap(items([("A", 1, float("nan")), ("B", 1, 1)]), [C26]),
     "Effort is missing or not a finite number for A"),
    (lambda: plan_roadmap(items([("A", 1, -1)]), [C26]), "negative for A"),
    (lambda: plan_roadmap(items([("A", None, 1)]), [C26]), "Priority is missing"),
    (lambda: plan_roadmap(items([("A", 1, 1), ("A", 2, 1)]), [C26]), "'A' appears twice"),
    (lambda: plan_roadmap(items([("A", 1, 1)]).drop(columns="effort"), [C26]),
     "need a 'effort' column"),
    (lambda: plan_roadmap(items([("A", 1, 1)]), [C26], pd.DataFrame({"downstream_code": ["A"]})),
     "need a 'upstream_code'"),
])
def test_unusable_input_is_a_scoring_error(call: object, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        call()  # type: ignore[operator]
