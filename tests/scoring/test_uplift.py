"""Dependency uplift: a blocker inherits a damped, shared part of the value it unblocks, on the
condensation (worked by hand from u_i = f * sum over the pieces L that i blocks of T_L / B_L;
without cycles, t_i = s_i + f * sum_j t_j / blockers_j), and no process ever gains from its
own value round a cycle (properties on random graphs with cycles)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.errors import ScoringError
from scoring.uplift import apply_uplift, uplift_operator


def uplift(codes: list[str], scores: list[float] | np.ndarray, edges: list[tuple[str, str]],
           factor: float) -> np.ndarray:
    frame = pd.DataFrame(edges, columns=["upstream_code", "downstream_code"])
    return apply_uplift(uplift_operator(codes, frame, factor), np.array(scores), factor)


def test_value_flows_up_a_chain_shared_among_blockers() -> None:
    # C (0.9) has two blockers, A and B: each receives 0.5 * 0.9 / 2 = 0.225.
    # B also passes up to A: t_B = 0.2 + 0.225 = 0.425, so A gets 0.5 * 0.425 on top.
    result = uplift(["A", "B", "C"], [0.1, 0.2, 0.9],
                    [("A", "B"), ("B", "C"), ("A", "C"), ("A", "C")], 0.5)
    assert result == pytest.approx([0.225 + 0.2125, 0.225, 0.0])


def test_a_cycle_alone_passes_nothing_to_its_members() -> None:
    # A <-> B, both 1.0: one piece of work with no blocker outside it, so no uplift at all
    # (before, each received the other's value and its own back: f / (1 - f) = 1.5 each).
    assert uplift(["A", "B"], [1.0, 1.0], [("A", "B"), ("B", "A")], 0.6).tolist() == [0, 0]


def test_a_cycle_hands_its_whole_value_to_its_blockers_and_credits_who_blocks_outside() -> None:
    # X -> A, A <-> B, B -> C. Piece {A, B}: B blocks C, so B gets 0.5 * 0.8 = 0.4 and A
    # nothing; the piece's total 0.1 + 0.2 + 0.4 = 0.7 goes to its one blocker X: 0.35.
    result = uplift(["A", "B", "C", "X"], [0.1, 0.2, 0.8, 0.3],
                    [("X", "A"), ("A", "B"), ("B", "A"), ("B", "C")], 0.5)
    assert result == pytest.approx([0.0, 0.4, 0.0, 0.35])


def test_the_convention_before_pieces_of_work_is_kept_for_frozen_decisions() -> None:
    # round_cycles: A <-> B, both 1.0, t = 1 + f t, so each gets f / (1 - f) = 1.5 back.
    frame = pd.DataFrame([("A", "B"), ("B", "A")], columns=["upstream_code", "downstream_code"])
    operator = uplift_operator(["A", "B"], frame, 0.6, round_cycles=True)
    assert apply_uplift(operator, np.array([1.0, 1.0]), 0.6) == pytest.approx([1.5, 1.5])


def test_factor_zero_self_loops_and_outside_processes_change_nothing() -> None:
    assert uplift(["A", "B"], [0.3, 0.7], [("A", "B")], 0.0).tolist() == [0.0, 0.0]
    assert uplift(["A"], [0.3], [("A", "A"), ("A", "Z"), ("Z", "A")], 0.5).tolist() == [0.0]
    with pytest.raises(ScoringError, match=r"\[0, 1\)"):
        uplift(["A"], [0.3], [], 1.0)


# ---------------------------------------------------------------- properties (hypothesis)


@st.composite
def graphs_with_cycles(draw: st.DrawFn) -> tuple[list[str], np.ndarray,
                                                 list[tuple[str, str]], float]:
    """Up to 8 processes with random scores and edges, always with at least one cycle
    (a planted loop through 2 or 3 processes) and a random factor up to 0.95."""
    n = draw(st.integers(2, 8))
    codes = [f"P{i}" for i in range(n)]
    scores = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    edges = [(codes[a], codes[b]) for a, b in draw(st.lists(pairs, max_size=3 * n))]
    loop = draw(st.permutations(range(n)))[:min(n, draw(st.integers(2, 3)))]
    edges += [(codes[a], codes[b]) for a, b in zip(loop, [*loop[1:], loop[0]], strict=True)]
    return codes, scores, edges, draw(st.floats(0.05, 0.95))


def _pieces(codes: list[str], edges: list[tuple[str, str]]) -> list[set[int]]:
    """The processes on a cycle with each one (itself included), by reachability."""
    n = len(codes)
    reach = np.eye(n, dtype=bool)
    for a, b in edges:
        reach[codes.index(a), codes.index(b)] = True
    for k in range(n):
        reach |= reach[:, [k]] & reach[[k], :]
    return [set(np.flatnonzero(reach[i] & reach[:, i]).tolist()) for i in range(n)]


@settings(max_examples=30, deadline=None)
@given(graphs_with_cycles())
def test_no_process_gains_from_its_own_value_or_its_cycles(
        graph: tuple[list[str], np.ndarray, list[tuple[str, str]], float]) -> None:
    """The uplift of a process is the same with its own score set to zero, and with the score
    of every process on a cycle with it set to zero."""
    codes, scores, edges, factor = graph
    lifted = uplift(codes, scores, edges, factor)
    for i, piece in enumerate(_pieces(codes, edges)):
        for zeroed in ({i}, piece):
            other = scores.copy()
            other[list(zeroed)] = 0.0
            assert uplift(codes, other, edges, factor)[i] == pytest.approx(
                lifted[i], rel=1e-9, abs=1e-12), (codes[i], zeroed)


@settings(max_examples=30, deadline=None)
@given(graphs_with_cycles())
def test_value_is_handed_up_once(
        graph: tuple[list[str], np.ndarray, list[tuple[str, str]], float]) -> None:
    """Every piece of work with a blocker hands up exactly the share f of its total value:
    the uplifts add up to f times the totals of those pieces, so nothing is counted twice."""
    codes, scores, edges, factor = graph
    lifted = uplift(codes, scores, edges, factor)
    pieces = _pieces(codes, edges)
    handed = 0.0
    for piece in {frozenset(p) for p in pieces}:
        outside = {a for a, b in edges if codes.index(b) in piece
                   and codes.index(a) not in piece}
        if outside:
            handed += factor * sum(scores[j] + lifted[j] for j in piece)
    assert lifted.sum() == pytest.approx(handed, rel=1e-9, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 8), st.data())
def test_without_cycles_each_blocker_inherits_its_share_of_each_total(
        n: int, data: st.DataObject) -> None:
    """On an acyclic graph the uplift solves t = s + f A D^-1 t (D: each process's number of
    blockers), solved here directly."""
    codes = [f"P{i}" for i in range(n)]
    scores = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    forward = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(
        lambda pair: pair[0] < pair[1])
    edges = sorted(set(data.draw(st.lists(forward, max_size=3 * n)))) if n > 1 else []
    factor = data.draw(st.floats(0.0, 0.95))
    adjacency = np.zeros((n, n))
    for a, b in edges:
        adjacency[a, b] = 1.0
    blockers = np.maximum(adjacency.sum(axis=0), 1.0)
    total = np.linalg.solve(np.eye(n) - factor * adjacency / blockers, scores)
    result = uplift(codes, scores, [(codes[a], codes[b]) for a, b in edges], factor)
    assert result == pytest.approx(total - scores, rel=1e-9, abs=1e-12)
