"""Dependency uplift: a blocker inherits a damped, shared part of the value it unblocks
(worked by hand in each test from t_i = s_i + f * sum_j t_j / blockers_j)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.errors import ScoringError
from scoring.uplift import apply_uplift, uplift_operator


def uplift(codes: list[str], scores: list[float], edges: list[tuple[str, str]],
           factor: float) -> np.ndarray:
    frame = pd.DataFrame(edges, columns=["upstream_code", "downstream_code"])
    return apply_uplift(uplift_operator(codes, frame, factor), np.array(scores), factor)


def test_value_flows_up_a_chain_shared_among_blockers() -> None:
    # C (0.9) has two blockers, A and B: each receives 0.5 * 0.9 / 2 = 0.225.
    # B also passes up to A: t_B = 0.2 + 0.225 = 0.425, so A gets 0.5 * 0.425 on top.
    result = uplift(["A", "B", "C"], [0.1, 0.2, 0.9],
                    [("A", "B"), ("B", "C"), ("A", "C"), ("A", "C")], 0.5)
    assert result == pytest.approx([0.225 + 0.2125, 0.225, 0.0])


def test_a_cycle_converges_to_the_closed_form() -> None:
    # A <-> B, both 1.0: t = 1 + f t, so t = 1 / (1 - f) and the uplift is f / (1 - f).
    result = uplift(["A", "B"], [1.0, 1.0], [("A", "B"), ("B", "A")], 0.6)
    assert result == pytest.approx([1.5, 1.5])


def test_factor_zero_self_loops_and_outside_processes_change_nothing() -> None:
    assert uplift(["A", "B"], [0.3, 0.7], [("A", "B")], 0.0).tolist() == [0.0, 0.0]
    assert uplift(["A"], [0.3], [("A", "A"), ("A", "Z"), ("Z", "A")], 0.5).tolist() == [0.0]
    with pytest.raises(ScoringError, match=r"\[0, 1\)"):
        uplift(["A"], [0.3], [], 1.0)
