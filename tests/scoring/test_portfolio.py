"""Portfolio selection (scoring.portfolio): the MILP against brute force over every subset on
small random instances, the tie-break, determinism, reasons, conflicts and the frontier, also
as a ranking's frontier (scoring.decision), with prerequisites outside the ranking."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import decision
from scoring.criteria import parse_criteria
from scoring.errors import ScoringError
from scoring.portfolio import (
    VALUE_TOLERANCE,
    MissingEstimates,
    PortfolioResult,
    Reason,
    Status,
    efficient_frontier,
    select_portfolio,
)
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Constraints, Scenario


@dataclass
class Instance:
    items: pd.DataFrame
    budget: float | None = None
    capacity: float | None = None
    must_include: list[str] = field(default_factory=list)
    must_exclude: list[str] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)

    def prerequisites(self) -> pd.DataFrame:
        return pd.DataFrame(self.edges, columns=["upstream_code", "downstream_code"])

    def solve(self, items: pd.DataFrame | None = None) -> PortfolioResult:
        return select_portfolio(
            self.items if items is None else items, budget=self.budget,
            capacity=self.capacity, must_include=self.must_include,
            must_exclude=self.must_exclude, exclusive_groups=self.groups,
            prerequisites=self.prerequisites(), completed=self.completed)


def frame(rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "value", "cost", "effort"])


def random_instance(seed: int) -> Instance:
    """Up to 12 items; values tie often (small integers) or are random reals; every kind of
    constraint appears at random, including prerequisites outside the items, completed ones,
    cycles, overlapping groups and conflicting must-includes."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 13))
    codes = [f"P{k:02d}" for k in rng.permutation(40)[:n]]
    values = rng.integers(0, 5, n).astype(float) if rng.random() < 0.5 else rng.random(n)
    cost = rng.integers(0, 11, n) * 1000.0
    effort = rng.integers(0, 9, n) / 2
    items = frame(list(zip(codes, values, cost, effort, strict=True)))
    inst = Instance(items)
    if rng.random() < 0.8:
        inst.budget = float(np.round(rng.random() * cost.sum() * 0.8, -2))
    if rng.random() < 0.6:
        inst.capacity = float(np.round(rng.random() * effort.sum() * 0.8, 1))
    outside = ["Z1", "Z2"]
    inst.completed = [c for c in codes if rng.random() < 0.1] + (
        ["Z1"] if rng.random() < 0.5 else [])
    for _ in range(int(rng.integers(0, 2 * n + 1))):
        pool = codes + outside if rng.random() < 0.15 else codes
        inst.edges.append((str(rng.choice(pool)), str(rng.choice(codes))))
    open_codes = [c for c in codes if c not in inst.completed]
    if open_codes and rng.random() < 0.5:
        inst.must_include = [str(c) for c in rng.choice(open_codes, int(rng.integers(1, 3)))]
    if rng.random() < 0.4:
        inst.must_exclude = [str(c) for c in rng.choice(codes, int(rng.integers(1, 3)))]
    for _ in range(int(rng.integers(0, 3))):
        size = min(n, int(rng.integers(2, 4)))
        inst.groups.append([str(c) for c in rng.choice(codes, size, replace=False)])
    return inst


def brute_force(inst: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(subsets as a 0/1 matrix over the sorted codes, feasible mask, values, codes): every
    subset checked against the constraints as the specification states them."""
    items = inst.items.sort_values("code").reset_index(drop=True)
    codes = items["code"].tolist()
    n = len(codes)
    at = {c: i for i, c in enumerate(codes)}
    subsets = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
    ok = np.ones(len(subsets), dtype=bool)
    cost, effort = items["cost"].to_numpy(), items["effort"].to_numpy()
    if inst.budget is not None:
        ok &= subsets @ cost <= inst.budget * (1 + 1e-9)
    if inst.capacity is not None:
        ok &= subsets @ effort <= inst.capacity * (1 + 1e-9)
    for c in inst.must_include:
        ok &= subsets[:, at[c]]
    for c in [*inst.must_exclude, *(c for c in inst.completed if c in at)]:
        ok &= ~subsets[:, at[c]]
    for up, down in inst.edges:
        if down not in at or up == down or up in inst.completed:
            continue
        ok &= ~subsets[:, at[down]] | (subsets[:, at[up]] if up in at else False)
    for group in inst.groups:
        ok &= subsets[:, [at[c] for c in set(group)]].sum(axis=1) <= 1
    return subsets, ok, subsets @ items["value"].to_numpy(), codes


def perturbed(inst: Instance, subsets: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The documented objective: value - eps * sum s_i, s_i = share of the budget + share of
    the capacity (of the total without a limit) + 1/n, eps = tolerance x largest / sum s."""
    items = inst.items.sort_values("code")
    n = len(items)
    shares = np.full(n, 1 / n)
    for limit, column in ((inst.budget, "cost"), (inst.capacity, "effort")):
        amounts = items[column].to_numpy()
        whole = limit if limit else amounts.sum()
        if whole > 0:
            shares += amounts / whole
    eps = VALUE_TOLERANCE * float(items["value"].max()) / shares.sum()
    result: np.ndarray = values - eps * (subsets @ shares)
    return result


@settings(max_examples=250, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_matches_brute_force_over_every_subset(seed: int) -> None:
    inst = random_instance(seed)
    subsets, ok, values, codes = brute_force(inst)
    result = inst.solve()
    if not ok.any():
        assert result.status is Status.INFEASIBLE
        assert result.selected == ()
        assert result.conflicts
        assert all(any(c in text for c in codes) for text in result.conflicts)
        return
    assert result.status is Status.OPTIMAL, result.conflicts
    chosen = np.array([c in result.selected for c in codes])
    row = int((chosen * (1 << np.arange(len(codes)))).sum())
    assert ok[row], "the selection breaks a constraint"
    largest = float(inst.items["value"].max())
    best = float(values[ok].max())
    assert values[row] == pytest.approx(best, abs=VALUE_TOLERANCE * largest + 1e-12)
    assert result.total_value == pytest.approx(values[row])
    # The tie-break: the best of the perturbed objective, to the solver's tolerance.
    objective = perturbed(inst, subsets, values)
    assert objective[row] >= objective[ok].max() - 1e-11 * max(largest, 1e-300)
    # Every process left out has a reason, and an optimal solve never needs "unproven".
    left_out = result.items[~result.items["selected"]]
    assert left_out["reason"].notna().all()
    assert Reason.UNPROVEN not in set(left_out["reason_kind"])


def test_a_worked_example_with_every_kind_of_constraint() -> None:
    # Budget 100, capacity 5. A (9) needs C; B and C exclude each other; D needs X (neither an
    # item nor completed); E is must-exclude; F needs Y, which is completed.
    # Feasible best: A + C = 9 + 3 = 12 at cost 70 + 20 = 90, effort 2 + 1 = 3; adding F
    # (value 1, cost 10, effort 1) gives 13 at 100 CHF and 4 person-months, exactly the budget.
    inst = Instance(
        frame([("A", 9, 70, 2), ("B", 5, 20, 1), ("C", 3, 20, 1), ("D", 8, 5, 1),
               ("E", 7, 5, 1), ("F", 1, 10, 1), ("G", 2, 40, 1)]),
        budget=100, capacity=5, must_exclude=["E"], groups=[["B", "C"]],
        edges=[("C", "A"), ("X", "D"), ("Y", "F")], completed=["Y"])
    result = inst.solve()
    assert result.status is Status.OPTIMAL
    assert result.selected == ("A", "C", "F")
    assert (result.total_value, result.total_cost, result.total_effort) == (13, 100, 4)
    assert (result.budget_slack, result.capacity_slack) == (0, 1)
    reasons = dict(zip(result.items["code"], result.items["reason"], strict=True))
    kinds = dict(zip(result.items["code"], result.items["reason_kind"], strict=True))
    assert kinds["B"] == Reason.GROUP and "C, which is chosen" in reasons["B"]
    assert kinds["D"] == Reason.BLOCKED and "X" in reasons["D"]
    assert kinds["E"] == Reason.EXCLUDED
    assert kinds["G"] == Reason.BUDGET and reasons["G"] == (
        "does not fit the budget: needs CHF 40, CHF 0 left")


def test_reasons_name_prerequisites_brought_along_and_no_value() -> None:
    # Budget 50: A (10, 30 CHF) is chosen; B (5, 10 CHF) needs C (1, 25 CHF): together 35,
    # 20 left (B + C alone are worth 6 only; A + C would cost 55). Z has no value and no
    # prerequisites: left out although it costs nothing.
    # Q needs E, which is must-exclude; R needs Q.
    inst = Instance(frame([("A", 10, 30, 1), ("B", 5, 10, 1), ("C", 1, 25, 1), ("Z", 0, 0, 0),
                           ("E", 3, 1, 1), ("Q", 3, 1, 1), ("R", 3, 1, 1)]),
                    budget=50, must_exclude=["E"], edges=[("C", "B"), ("E", "Q"), ("Q", "R")])
    result = inst.solve()
    assert result.selected == ("A",)
    rows = result.items.set_index("code")
    assert rows.loc["B", "reason"] == ("does not fit the budget: needs CHF 35 with its "
                                       "prerequisites not chosen (C), CHF 20 left")
    assert rows.loc["Z", "reason_kind"] == Reason.NO_VALUE
    assert rows.loc["Q", "reason"] == "needs E, which is must-exclude"
    assert rows.loc["R", "reason"] == "needs Q, which cannot be chosen either"


def test_a_process_bigger_than_the_whole_limit_says_so() -> None:
    result = select_portfolio(frame([("A", 1, 10, 30), ("B", 1, 10, 1)]), budget=None,
                              capacity=12)
    row = result.items.set_index("code").loc["A"]
    assert row["reason_kind"] == Reason.CAPACITY
    assert row["reason"] == ("needs 30 person-months, more than the whole capacity of 12 "
                             "person-months")


def test_the_same_selection_whatever_the_row_order() -> None:
    # Twelve identical items and room for five: many equally good selections.
    rows = [(f"P{k:02d}", 1.0, 100.0, 1.0) for k in range(12)]
    inst = Instance(frame(rows), budget=500, capacity=8,
                    edges=[("P03", "P07"), ("P01", "P02")], groups=[["P04", "P05", "P06"]])
    first = inst.solve().selected
    assert len(first) == 5
    for seed in range(5):
        shuffled = inst.items.sample(frac=1.0, random_state=seed)
        assert inst.solve(shuffled).selected == first


def test_the_value_tolerance_decides_between_near_ties() -> None:
    # Room for one of A (cost 100) and B (cost 1). B worth 1e-4 less: A, the more valuable.
    # B worth 1e-7 less (under the tolerance of 1e-6 of the largest value): B, the cheaper.
    for gap, expected in ((1e-4, ("A",)), (1e-7, ("B",))):
        items = frame([("A", 1.0, 100, 1), ("B", 1.0 - gap, 1, 1)])
        result = select_portfolio(items, budget=None, capacity=1)
        assert result.selected == expected, gap


def test_zero_value_work_is_chosen_only_when_needed() -> None:
    # Z (value 0) is free and fits: it is left out; Y (value 0) is the prerequisite of A.
    inst = Instance(frame([("A", 5, 10, 1), ("Y", 0, 10, 1), ("Z", 0, 0, 0)]), budget=100,
                    edges=[("Y", "A")])
    assert inst.solve().selected == ("A", "Y")


def test_a_prerequisite_cycle_is_chosen_all_together_and_noted() -> None:
    inst = Instance(frame([("A", 5, 10, 1), ("B", 0, 10, 1), ("C", 1, 100, 1)]), budget=20,
                    edges=[("A", "B"), ("B", "A")])
    result = inst.solve()
    assert result.selected == ("A", "B")
    assert any("A, B need each other" in note for note in result.notes)
    inst.budget = 15
    assert inst.solve().selected == ()


@pytest.mark.parametrize(("inst", "expected"), [
    (Instance(frame([("A", 1, 1_200_000, 1), ("B", 1, 10, 1)]), budget=1_000_000,
              must_include=["A"]),
     ["A (must-include) needs CHF 1,200,000 alone, over the budget of CHF 1,000,000"]),
    (Instance(frame([("A", 1, 10, 1), ("B", 1, 10, 1), ("C", 1, 10, 1)]), budget=100,
              must_include=["A"], must_exclude=["C"], edges=[("C", "B"), ("B", "A")]),
     ["A is must-include but needs C, which is must-exclude (prerequisite chain C -> B -> A)"]),
    (Instance(frame([("A", 1, 10, 1), ("B", 1, 10, 1), ("C", 1, 10, 1)]),
              must_include=["A", "C"], groups=[["B", "C"]], edges=[("B", "A")]),
     ["B, C are in one exclusive group (B, C) but both are required (B: prerequisite of "
      "must-include A; C: must-include)"]),
    (Instance(frame([("A", 1, 10, 3), ("B", 1, 10, 2.5), ("C", 1, 10, 1)]), capacity=5,
              must_include=["A"], edges=[("B", "A")]),
     ["the must-includes A and their prerequisites B need 5.5 person-months together, "
      "0.5 person-months over the capacity of 5 person-months"]),
    (Instance(frame([("A", 1, 10, 1), ("B", 1, 10, 1)]), must_include=["A"],
              must_exclude=["A"]),
     ["A is both must-include and must-exclude"]),
    (Instance(frame([("A", 1, 10, 1)]), must_include=["A"], edges=[("X", "A")]),
     ["A is must-include but needs X, which is neither among the items nor completed"]),
])
def test_conflicts_name_the_processes_and_the_figures(inst: Instance,
                                                      expected: list[str]) -> None:
    result = inst.solve()
    assert result.status is Status.INFEASIBLE
    assert list(result.conflicts) == expected
    assert result.selected == ()
    assert math.isnan(result.total_value)
    # Nothing is chosen; each process keeps its own reason where it has one.
    assert result.items["reason"].notna().all()
    assert set(result.items["reason_kind"]) <= {Reason.INFEASIBLE, Reason.EXCLUDED,
                                                 Reason.BLOCKED}


def test_unknown_cost_is_left_out_refused_assumed_or_counted_as_zero() -> None:
    # A (3) and C (1) have no cost; B (2) costs 50; D (1) costs 5 and needs C.
    items = frame([("A", 3, float("nan"), 1), ("B", 2, 50, 1), ("C", 1, float("nan"), 1),
                   ("D", 1, 5, 1)])
    needs = pd.DataFrame({"upstream_code": ["C"], "downstream_code": ["D"]})
    left = select_portfolio(items, budget=60, capacity=None, prerequisites=needs,
                            unknown_cost="leave_out")
    assert left.selected == ("B",)  # never "free": A and C wait for an estimate, D for C
    reasons = left.items.set_index("code")["reason"]
    assert reasons["A"] == "needs a cost estimate before it can be chosen"
    assert reasons["D"] == "needs C, which needs a cost estimate first"
    assert left.needs_estimate == ("A", "C")
    assert any("Cost unknown for A, C: left out until estimated (2 processes)" in n
               for n in left.notes)
    with pytest.raises(MissingEstimates, match=r"^The cost of A, C is unknown and the budget "
                       r"is limited: estimate their cost, or choose how unknown costs count"):
        select_portfolio(items, budget=60, capacity=None)
    zero = select_portfolio(items, budget=50, capacity=None, unknown_cost="zero")
    assert zero.selected == ("A", "B", "C")
    assert any("Cost unknown for A, C: counted as 0, as chosen" in n for n in zero.notes)
    # At an assumed 40 each, A (3) fits alone, C and D (40 + 5) with it do not.
    assumed = select_portfolio(items, budget=60, capacity=None, prerequisites=needs,
                               unknown_cost="assume", assumed_cost=40)
    assert assumed.selected == ("A",) and assumed.total_cost == 40
    assert any("counted at the assumed CHF 40 each" in n for n in assumed.notes)
    with pytest.raises(ScoringError, match="Give the assumed cost"):
        select_portfolio(items, budget=60, capacity=None, unknown_cost="assume")
    with pytest.raises(ScoringError, match="choose 'assume' to count them at it"):
        select_portfolio(items, budget=60, capacity=None, unknown_cost="zero", assumed_cost=1)
    # A must-include without an estimate conflicts, naming what it lacks.
    wanted = select_portfolio(items, budget=60, capacity=None, must_include=["A"],
                              unknown_cost="leave_out")
    assert wanted.conflicts == ("A is must-include but needs a cost estimate before it can "
                                "be chosen",)
    # Without a budget the cost does not matter: no refusal, and a note.
    free = select_portfolio(items, budget=None, capacity=2)
    assert free.selected == ("A", "B")
    assert any("no limit is set" in n for n in free.notes)


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_leaving_out_unestimated_work_is_excluding_it(seed: int) -> None:
    """Over random instances with unknown costs and efforts: leaving them out chooses exactly
    what must-excluding them (and counting their figures as 0) chooses, so nothing without an
    estimate under a set limit is ever chosen, nor anything that needs it."""
    inst = random_instance(seed)
    rng = np.random.default_rng(seed)
    items = inst.items.copy()
    for column in ("cost", "effort"):
        items.loc[rng.random(len(items)) < 0.3, column] = np.nan
    unknown = set(items.loc[items["cost"].isna() & (inst.budget is not None), "code"]) | set(
        items.loc[items["effort"].isna() & (inst.capacity is not None), "code"])
    left = select_portfolio(
        items, budget=inst.budget, capacity=inst.capacity, must_include=inst.must_include,
        must_exclude=inst.must_exclude, exclusive_groups=inst.groups,
        prerequisites=inst.prerequisites(), completed=inst.completed,
        unknown_cost="leave_out", unknown_effort="leave_out")
    excluded = select_portfolio(
        items, budget=inst.budget, capacity=inst.capacity, must_include=inst.must_include,
        must_exclude=[*inst.must_exclude, *unknown], exclusive_groups=inst.groups,
        prerequisites=inst.prerequisites(), completed=inst.completed,
        unknown_cost="zero", unknown_effort="zero")
    assert left.status == excluded.status
    assert left.selected == excluded.selected
    assert not set(left.selected) & unknown
    assert set(left.needs_estimate) == unknown - set(inst.completed) - set(inst.must_exclude)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: select_portfolio(frame([("A", 1, 1, 1)]).drop(columns="cost"), budget=10,
                              capacity=None), "need a 'cost' column"),
    (lambda: select_portfolio(frame([("A", 1, -5, 1)]), budget=10, capacity=None),
     "negative for A"),
    (lambda: select_portfolio(frame([("A", float("nan"), 1, 1)]), budget=10, capacity=None),
     "Value is unknown for A"),
    (lambda: select_portfolio(frame([("A", 1, 1, 1), ("A", 2, 1, 1)]), budget=10,
                              capacity=None), "'A' appears twice"),
    (lambda: select_portfolio(frame([("A", 1, 1, 1)]), budget=-1, capacity=None),
     "budget must be a finite number >= 0"),
    (lambda: select_portfolio(frame([("A", 1, 1, 1)]), budget=10, capacity=None,
                              must_include=["Q"]), "Must-include names Q, which is not among"),
    (lambda: select_portfolio(frame([("A", 1, 1, 1)]), budget=10, capacity=None,
                              must_include=["A"], completed=["A"]),
     "A is both completed and must-include"),
    (lambda: select_portfolio(frame([("A", 1, 1, 1)]), budget=10, capacity=None,
                              exclusive_groups=[["A", "Q"]]), "Exclusive group 1 names Q"),
    (lambda: select_portfolio(frame([("A", 1, 1, 1)]), budget=10, capacity=None,
                              must_include="A"), "must be a list of process codes"),
    (lambda: select_portfolio(frame([("A", 1, 1, 1)]), budget=10, capacity=None,
                              time_limit=0), "time limit must be a positive"),
])
def test_unusable_input_is_a_scoring_error(call: object, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        call()  # type: ignore[operator]


def test_completed_items_are_not_chosen_and_satisfy_their_dependents() -> None:
    inst = Instance(frame([("A", 5, 10, 1), ("B", 5, 10, 1)]), budget=100,
                    edges=[("A", "B")], completed=["A"])
    result = inst.solve()
    assert result.selected == ("B",)
    assert result.items.set_index("code").loc["A", "reason_kind"] == Reason.COMPLETED


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_frontier_never_decreases_and_matches_single_solves(seed: int) -> None:
    inst = random_instance(seed)
    total = float(inst.items["cost"].sum())
    budgets = [total * k / 4 for k in (4, 0, 2, 1, 3)]
    curve = efficient_frontier(inst.items, budgets, capacity=inst.capacity,
                               must_include=inst.must_include,
                               must_exclude=inst.must_exclude, exclusive_groups=inst.groups,
                               prerequisites=inst.prerequisites(), completed=inst.completed)
    assert curve["budget"].tolist() == sorted(budgets)
    feasible = curve[curve["status"] == Status.OPTIMAL]
    largest = float(inst.items["value"].max())
    assert (np.diff(feasible["value"].to_numpy()) >= -VALUE_TOLERANCE * largest).all()
    assert (feasible["cost"] <= feasible["budget"] * (1 + 1e-9)).all()
    # Once feasible, a larger budget stays feasible.
    statuses = curve["status"].tolist()
    if Status.OPTIMAL in statuses:
        first = statuses.index(Status.OPTIMAL)
        assert all(s == Status.OPTIMAL for s in statuses[first:])
    for budget, status, selected in zip(curve["budget"].tolist(), curve["status"].tolist(),
                                        curve["selected"].tolist(), strict=True):
        inst.budget = budget
        single = inst.solve()
        assert str(single.status) == status
        assert single.selected == selected


def test_frontier_below_the_must_includes_is_infeasible() -> None:
    items = frame([("A", 5, 100, 1), ("B", 3, 50, 1), ("C", 1, 50, 1)])
    curve = efficient_frontier(items, [300, 50, 150], must_include=["A"])
    assert curve["status"].tolist() == ["infeasible", "optimal", "optimal"]
    assert math.isnan(curve["value"].tolist()[0])
    assert curve["value"].tolist()[1:] == [8, 9]
    assert curve["count"].tolist() == [0, 2, 3]


def test_a_prerequisite_outside_the_candidates_blocks_or_is_handled_elsewhere() -> None:
    """B needs X, which is neither an item (not ranked) nor completed. By default that blocks
    B; with ``missing_prerequisites="ignore"`` (how a ranking's portfolio reads it) X is taken
    as handled elsewhere: the frontier is not emptied by it, and at the full budget it is the
    single solve's optimum."""
    items = frame([("A", 1, 100, 1), ("B", 5, 100, 1), ("C", 2, 100, 1)])
    needs = pd.DataFrame({"upstream_code": ["X", "A"], "downstream_code": ["B", "C"]})
    blocked = select_portfolio(items, budget=300, capacity=None, prerequisites=needs)
    assert blocked.selected == ("A", "C")
    assert blocked.items.set_index("code").loc["B", "reason_kind"] == Reason.BLOCKED

    budgets = [0.0, 100.0, 200.0, 300.0]
    curve = efficient_frontier(items, budgets, prerequisites=needs,
                               missing_prerequisites="ignore")
    assert curve["status"].tolist() == ["optimal"] * 4
    assert curve["value"].tolist() == [0, 5, 6, 8]
    assert curve["selected"].tolist()[1] == ("B",)
    single = select_portfolio(items, budget=300, capacity=None, prerequisites=needs,
                              missing_prerequisites="ignore")
    assert single.status is Status.OPTIMAL and single.selected == ("A", "B", "C")
    assert curve["value"].iloc[-1] == pytest.approx(single.total_value)
    assert curve["selected"].iloc[-1] == single.selected
    assert single.notes == ("Prerequisites that are neither candidates nor completed are "
                            "taken as handled elsewhere: X",)
    # C still needs A, which is a candidate: ignoring X changes nothing else.
    assert efficient_frontier(items, [200.0], prerequisites=needs,
                              missing_prerequisites="ignore")["selected"].iloc[0] == ("A", "B")
    with pytest.raises(ScoringError, match="missing_prerequisites must be 'block' or 'ignore'"):
        efficient_frontier(items, budgets, prerequisites=needs,
                           missing_prerequisites="skip")  # type: ignore[arg-type]


def test_a_rankings_frontier_solves_each_budget_as_choose_does() -> None:
    """B needs X, which is not assessed and so not ranked: :func:`decision.frontier` takes it
    as handled elsewhere, as :func:`decision.choose` does, under the scenario's capacity and
    exclusive group (A or C), and agrees with ``choose`` at every budget."""
    criteria = parse_criteria("""
criteria:
  - {key: a, group: impact, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
""")
    processes = pd.DataFrame({"code": ["A", "B", "C", "X"], "name": ["a", "b", "c", "x"],
                              "estimated_cost_chf": [100.0] * 4,
                              "estimated_effort_pm": [10.0] * 4})
    ratings = pd.DataFrame({"process_code": ["A", "B", "C"], "criterion_key": ["a"] * 3,
                            "value": [5.0, 4.0, 3.0], "rater": ["r"] * 3})
    needs = pd.DataFrame({"upstream_code": ["X"], "downstream_code": ["B"]})
    scenario = Scenario(constraints=Constraints(capacity=30, deadline="C26",
                                                exclusive=(("A", "C"),)))
    ranking = rank(RankingInputs(processes, ratings, None, needs), criteria, scenario)
    budgets = [0.0, 100.0, 200.0, 300.0]
    curve = decision.frontier(ranking, processes, needs, budgets)
    assert curve["status"].tolist() == ["optimal"] * 4
    assert curve["selected"].tolist() == [(), ("A",), ("A", "B"), ("A", "B")]
    for budget, selected, value in zip(budgets, curve["selected"], curve["value"], strict=True):
        chosen = decision.choose(ranking, processes, needs, budget=budget)
        assert chosen.selected == selected
        assert chosen.total_value == pytest.approx(value)
    assert any("handled elsewhere: X" in note for note in chosen.notes)


def test_a_time_limit_is_reported_not_hidden() -> None:
    rng = np.random.default_rng(3)
    n = 600
    items = pd.DataFrame({"code": [f"P{i:04d}" for i in range(n)], "value": rng.random(n),
                          "cost": rng.integers(1, 100, n) * 1000.0,
                          "effort": rng.integers(1, 20, n) / 2})
    pairs = pd.DataFrame([(f"P{u:04d}", f"P{d:04d}") for d in range(1, n)
                          for u in rng.integers(max(0, d - 30), d, 3)],
                         columns=["upstream_code", "downstream_code"])
    result = select_portfolio(items, budget=float(items["cost"].sum()) * 0.3,
                              capacity=float(items["effort"].sum()) * 0.3,
                              prerequisites=pairs, time_limit=0.001)
    assert result.status in (Status.TIME_LIMIT, Status.NO_SOLUTION)
    assert any("time limit of 0.001 s" in note for note in result.notes)
    left_out = result.items[~result.items["selected"]]
    assert left_out["reason"].notna().all()
    assert set(left_out["reason_kind"]) & {Reason.UNPROVEN}
