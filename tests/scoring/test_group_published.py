"""Group weights against published worked examples of AHP group decision making.

Both papers prioritise by the row geometric mean (RGM, ``w_i`` proportional to
``(prod_j a_ij)^(1/n)``); the combination itself (AIJ, the weighted element-wise geometric
mean of the members' matrices, :func:`scoring.group.aggregate_judgements`) does not depend on
it, so the tests check dti's combined matrix, and the RGM priorities of that matrix against the
printed ones. Under RGM, AIJ equals AIP with the weighted geometric mean of the members'
priorities (Barzilai, J. and Golany, B. (1994) "AHP rank reversal, normalization and
aggregation rules", INFOR 32(2), 57-64), which checks :func:`scoring.group.aggregate_priorities`
on the printed individual priorities.

No published numeric example of Goepel's consensus was found; its test checks dti against the
formula of Goepel's own implementation (AHP-OS, github.com/bpmsg/ahp-os,
``classes/AhpGroup.php``, ``getConsensus``), with values computed from that formula and said
to be so.
"""

from __future__ import annotations

import numpy as np
import pytest

from scoring.ahp import priorities
from scoring.group import aggregate_judgements, aggregate_priorities, consensus


def reciprocal(upper: list[list[float]]) -> np.ndarray:
    """The full matrix from the judgements above the diagonal, row by row."""
    n = len(upper) + 1
    a = np.eye(n)
    for i, row in enumerate(upper):
        for offset, value in enumerate(row):
            j = i + 1 + offset
            a[i, j], a[j, i] = value, 1.0 / value
    return a


def rgm(matrix: np.ndarray) -> np.ndarray:
    """The row geometric mean priorities both papers use."""
    rows = np.exp(np.log(matrix).mean(axis=1))
    return rows / rows.sum()


# Dong, Y., Zhang, G., Hong, W.-C. and Xu, Y. (2010) "Consensus models for AHP group decision
# making under row geometric mean prioritization method", Decision Support Systems 49(3),
# 281-289, section 5 (numerical example; A(1)-A(4) first given by Xu 2000). A(5)'s a_32 is
# printed as 1/2 in some copies, which is not reciprocal to a_23 = 1/2; every printed result
# (w(5), A(c), w(c)) holds with a_32 = 2, used here.
DONG = [
    reciprocal([[4, 6, 7], [3, 4], [2]]),
    reciprocal([[5, 7, 9], [4, 6], [2]]),
    reciprocal([[3, 5, 8], [4, 5], [2]]),
    reciprocal([[4, 5, 6], [3, 3], [2]]),
    reciprocal([[1 / 2, 1, 2], [1 / 2, 3], [4]]),
]
DONG_WEIGHTS = [0.1, 0.3, 0.1, 0.2, 0.3]
DONG_MEMBERS = [(0.6145, 0.2246, 0.0985, 0.0624), (0.6461, 0.227, 0.0793, 0.0476),
                (0.5693, 0.2764, 0.0967, 0.0575), (0.5967, 0.2208, 0.1089, 0.0736),
                (0.2247, 0.2958, 0.378, 0.1015)]
DONG_GROUP_MATRIX = [[1, 2.227, 3.4756, 5.0937], [0.4490, 1, 1.9663, 4.0005],
                     [0.2877, 0.5086, 1, 2.4623], [0.1963, 0.2500, 0.4061, 1]]
DONG_GROUP = [0.4984, 0.2727, 0.1541, 0.0747]


def test_dong_2010_the_weighted_aij_matrix_and_its_priorities() -> None:
    combined = aggregate_judgements(DONG, DONG_WEIGHTS)
    assert combined == pytest.approx(np.array(DONG_GROUP_MATRIX), abs=1e-4)
    assert rgm(combined) == pytest.approx(DONG_GROUP, abs=1e-4)
    assert [tuple(rgm(m)) for m in DONG] == [pytest.approx(w, abs=1e-4) for w in DONG_MEMBERS]


def test_dong_2010_aip_geometric_of_the_printed_member_priorities_is_the_group() -> None:
    combined = aggregate_priorities(DONG_MEMBERS, DONG_WEIGHTS, "geometric")
    assert combined == pytest.approx(DONG_GROUP, abs=2e-4)  # inputs printed to 4 decimals


# Escobar, M. T., Aguarón, J. and Moreno-Jiménez, J. M. (2015) "Some extensions of the precise
# consistency consensus matrix", Decision Support Systems, doi 10.1016/j.dss.2015.04.005,
# section 4 (the HistoPark case of Monreal del Campo; alternatives DUV, IUV, PUV, EV, BV):
# Table 1 and 2 (the parties' matrices), Table 3 (their RGM priorities), Tables 5, 8, 15 and 22
# (the AIJ priorities with equal weights and with weights by councillors).
PSOE = reciprocal([[3, 5, 8, 6], [3, 5, 4], [3, 2], [1 / 3]])
PP = reciprocal([[3, 7, 9, 5], [3, 7, 1], [5, 1 / 5], [1 / 5]])
PAR = reciprocal([[5, 7, 7, 5], [1, 5, 1], [5, 1 / 3], [1 / 5]])
NP = reciprocal([[1 / 2, 1 / 5, 1 / 8, 1 / 7], [1 / 4, 1 / 6, 1 / 5], [1 / 4, 1 / 3], [3]])
ESCOBAR_MEMBERS = {"PSOE": (0.513, 0.251, 0.115, 0.042, 0.079),
                   "PP": (0.520, 0.195, 0.072, 0.030, 0.182),
                   "PAR": (0.560, 0.135, 0.101, 0.035, 0.168)}


@pytest.mark.parametrize(("members", "weights", "published"), [
    ([PSOE, PP, PAR], None, (0.540, 0.191, 0.096, 0.036, 0.137)),  # Table 5
    ([PSOE, PP, PAR], [5, 4, 2], (0.533, 0.208, 0.096, 0.037, 0.125)),  # Table 8
    ([PSOE, PP, PAR, NP], None, (0.366, 0.188, 0.141, 0.091, 0.214)),  # Table 15
    ([PSOE, PP, PAR, NP], [3, 4, 2, 2], (0.411, 0.198, 0.125, 0.071, 0.194)),  # Table 22
], ids=["three-equal", "three-by-councillors", "four-equal", "four-by-councillors"])
def test_escobar_2015_aij_priorities(members: list[np.ndarray], weights: list[float] | None,
                                     published: tuple[float, ...]) -> None:
    assert rgm(aggregate_judgements(members, weights)) == pytest.approx(published, abs=5e-4)


def test_escobar_2015_aip_geometric_of_the_printed_member_priorities() -> None:
    combined = aggregate_priorities(list(ESCOBAR_MEMBERS.values()), [5, 4, 2], "geometric")
    assert combined == pytest.approx((0.533, 0.208, 0.096, 0.037, 0.125), abs=2e-3)


@pytest.mark.parametrize(("members", "expected"), [
    ([PSOE, PP, PAR], 0.9611),
    ([PSOE, PP, PAR, NP], 0.5376),
    (DONG, 0.8491),
], ids=["escobar-three", "escobar-four", "dong-five"])
def test_consensus_follows_goepels_own_implementation(members: list[np.ndarray],
                                                      expected: float) -> None:
    """AHP-OS's S* on the members' eigenvector priorities, unweighted, scale 1-9: values
    computed from its formula (not printed in a paper)."""
    vectors = [priorities(m).weights for m in members]
    assert consensus(vectors, scale_max=9) == pytest.approx(expected, abs=1e-4)
