"""Group decisions on weights: combining several people's weights or pairwise judgements, and
measuring how far they agree.

Conventions
-----------
* Members are rows, criteria are columns, in the caller's order; a member's priorities are
  non-negative and are divided by their sum here (so points shared out work as given).
* Member weights say how much each member counts; ``None`` means equally. They must be finite,
  non-negative and not all zero, and are divided by their sum (``w_k``, summing to 1).
* Nothing depends on the order of the members: every function is symmetric in them.

Methods and sources
-------------------
* **AIJ**, aggregation of individual judgements: the weighted element-wise geometric mean of
  the members' pairwise matrices, ``a_ij = prod_k a_ij^(k) ^ w_k``, then the priorities of that
  one matrix (eigenvector method, :func:`scoring.ahp.priorities`). It is reciprocal whenever the
  members' matrices are, and it is the only mean that is (Aczél, J. and Saaty, T. L. (1983)
  "Procedures for synthesizing ratio judgements", Journal of Mathematical Psychology 27(1),
  93-102); it suits a group that acts as one unit (Forman, E. and Peniwati, K. (1998)
  "Aggregating individual judgments and priorities with the analytic hierarchy process",
  European Journal of Operational Research 108(1), 165-169).
* **AIP**, aggregation of individual priorities: the weighted geometric mean of the members'
  priorities, renormalised to sum 1, or their weighted arithmetic mean; it suits a group of
  individuals who each keep their own view (Forman and Peniwati 1998, same pages). Under the
  geometric mean a criterion one member gives 0 gets 0 (that member's veto).
* **Consensus**: Goepel's relative homogeneity from Shannon entropy (see :func:`consensus`).
* **Disagreement** per criterion: the weighted standard deviation of the members' weights,
  with their coefficient of variation and range (see :func:`disagreement`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from scoring.ahp import CR_THRESHOLD, AhpResult, priorities
from scoring.errors import ScoringError

Mean = Literal["geometric", "arithmetic"]

#: The largest judgement of Saaty's fundamental scale (1 to 9 and reciprocals).
SAATY_SCALE_MAX = 9.0

#: Goepel's word scale for the AHP consensus, as (lower bound, words): below 50 % very low,
#: 50-62.5 % low, 62.5-75 % moderate, 75-87.5 % high, from 87.5 % very high (K. D. Goepel,
#: "AHP consensus word scale", BPMSG notes on AHP-OS, bpmsg.com: four equal bands above 50 %,
#: set after the consensus of 140 nodes of 35 AHP group projects, mean 64 %). A guide to
#: reading the value, not a test.
CONSENSUS_BANDS: tuple[tuple[float, str], ...] = (
    (0.875, "very high"), (0.75, "high"), (0.625, "moderate"), (0.5, "low"),
    (-math.inf, "very low"),
)


def member_weights(count: int, weights: ArrayLike | None = None) -> NDArray[np.float64]:
    """How much each of ``count`` members counts, summing to 1 (equal when ``None``)."""
    if count < 1:
        raise ScoringError("A group needs at least one member")
    if weights is None:
        return np.full(count, 1.0 / count)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (count,):
        raise ScoringError(f"Give one weight per member: {count} members, {w.size} weights")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ScoringError("Member weights must be finite, non-negative and not all 0")
    normalised: NDArray[np.float64] = w / w.sum()
    return normalised


def priority_rows(vectors: ArrayLike) -> NDArray[np.float64]:
    """The members' priorities as a members x criteria array, each row divided by its sum;
    refused unless every value is finite and non-negative and no row is all zero."""
    p = np.asarray(vectors, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] < 1 or p.shape[1] < 1:
        raise ScoringError("Priorities must be one row per member and one column per criterion")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ScoringError("Priorities must be finite and non-negative")
    sums = p.sum(axis=1)
    if np.any(sums <= 0):
        row = int(np.argmax(sums <= 0))
        raise ScoringError(f"Member {row + 1} gives every criterion 0: a member must weigh at "
                           "least one criterion")
    rows: NDArray[np.float64] = p / sums[:, np.newaxis]
    return rows


def aggregate_judgements(matrices: Sequence[ArrayLike],
                         weights: ArrayLike | None = None) -> NDArray[np.float64]:
    """AIJ: the weighted element-wise geometric mean of the members' pairwise matrices.

    ``a_ij = exp(sum_k w_k ln a_ij^(k))``. Each matrix is checked as
    :func:`scoring.ahp.priorities` checks one. The result is reciprocal by construction: above
    the diagonal ``exp`` of the mean of ``ln a_ij`` and ``-ln a_ji`` (equal up to rounding),
    below it exactly ``1 / a_ij``, ones on the diagonal.
    """
    if not matrices:
        raise ScoringError("There are no judgements to combine")
    checked = [_checked(m, k)[0] for k, m in enumerate(matrices)]
    shapes = {m.shape for m in checked}
    if len(shapes) != 1:
        raise ScoringError("Every member must compare the same criteria: the matrices differ "
                           "in size")
    w = member_weights(len(checked), weights)
    logs = np.tensordot(w, np.log(np.stack(checked)), axes=1)
    upper = np.triu(np.exp((logs - logs.T) / 2.0), k=1)
    combined: NDArray[np.float64] = upper + np.eye(len(logs))
    below = np.tril_indices(len(logs), k=-1)
    combined[below] = 1.0 / combined.T[below]
    return combined


def aggregate_priorities(vectors: ArrayLike, weights: ArrayLike | None = None,
                         mean: Mean = "geometric") -> NDArray[np.float64]:
    """AIP: the members' priorities combined by their weighted geometric mean
    (``prod_k p_kj ^ w_k``, renormalised to sum 1) or weighted arithmetic mean
    (``sum_k w_k p_kj``, which sums to 1 already)."""
    p = priority_rows(vectors)
    w = member_weights(p.shape[0], weights)
    if mean == "arithmetic":
        combined: NDArray[np.float64] = w @ p
        return combined
    if mean != "geometric":
        raise ScoringError(f"Unknown mean {mean!r}: use geometric or arithmetic")
    with np.errstate(divide="ignore"):
        logs = np.log(p)
    counted = w > 0  # a member of weight 0 counts for nothing, even with a 0 priority
    geometric = np.exp(w[counted] @ logs[counted])
    if geometric.sum() <= 0:
        raise ScoringError("Under the geometric mean every criterion gets 0 (each one is given "
                           "0 by some member): combine with the arithmetic mean instead")
    normalised: NDArray[np.float64] = geometric / geometric.sum()
    return normalised


def member_consistency(matrices: Sequence[ArrayLike]) -> list[AhpResult]:
    """Each member's priorities and consistency ratio (:func:`scoring.ahp.priorities`)."""
    return [_checked(m, k)[1] for k, m in enumerate(matrices)]


def inconsistent(result: AhpResult) -> bool:
    """Whether a member's matrix is flagged: its CR exceeds Saaty's 0.10. A CR that cannot be
    told (more than 10 criteria) is not flagged: there is no published random index to judge
    it by (see :data:`scoring.ahp.RANDOM_INDEX`)."""
    return result.cr is not None and result.cr > CR_THRESHOLD


def _entropy(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Shannon entropy (natural log) of each row, with ``0 ln 0 = 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    entropy: NDArray[np.float64] = terms.sum(axis=-1)
    return entropy


def minimum_alpha_entropy(n: int, scale_max: float = SAATY_SCALE_MAX) -> float:
    """Goepel's smallest Shannon entropy of one member's AHP priorities on a judgement scale up
    to ``scale_max``: one criterion ``scale_max`` times as important as each of the others,
    ``p = (M, 1, ..., 1) / (n + M - 1)``."""
    total = n + scale_max - 1.0
    return float(-(scale_max / total) * math.log(scale_max / total)
                 - (n - 1) * (1.0 / total) * math.log(1.0 / total))


def consensus(vectors: ArrayLike, weights: ArrayLike | None = None, *,
              scale_max: float | None = None) -> float:
    """Goepel's consensus of the members' priorities, from 0 (none) to 1 (all agree).

    With ``p_kj`` member ``k``'s priority of criterion ``j`` (``n`` criteria) and ``w_k`` the
    member weights (equal by default), after Goepel (2013):

    * alpha entropy ``H_alpha = sum_k w_k (-sum_j p_kj ln p_kj)``, the members' mean entropy;
    * gamma entropy ``H_gamma = -sum_j pbar_j ln pbar_j`` of the mean priorities
      ``pbar_j = sum_k w_k p_kj``;
    * beta entropy ``H_beta = H_gamma - H_alpha`` (>= 0: entropy is concave), and the
      homogeneity ``M = 1 / exp(H_beta)``, 1 when all agree;
    * relative homogeneity ``S* = (M - D_alpha,min / D_gamma,max) / (1 - D_alpha,min /
      D_gamma,max)`` with ``D_gamma,max = n``. For direct weights (``scale_max=None``)
      ``D_alpha,min = 1`` (one criterion takes everything), so ``S* = (M - 1/n) / (1 - 1/n)``,
      within [0, 1] since ``exp(H_beta) <= n``. For AHP priorities (``scale_max=9``)
      ``D_alpha,min = exp(H_alpha,min)`` of :func:`minimum_alpha_entropy`: Goepel's AHP
      consensus ``S_AHP``, as AHP-OS computes it (clipped at 0 should a matrix beyond the scale
      give less).

    With one member, or one criterion, the consensus is 1. Equal member weights give exactly
    Goepel's unweighted means; weights enter as in the weighted partition of Shannon
    diversity (Jost, L. (2007) "Partitioning diversity into independent alpha and beta
    components", Ecology 88(10), 2427-2439, where ``H_gamma = H_alpha + H_beta`` holds for any
    weights).

    Source: Goepel, K. D. (2013) "Implementing the analytic hierarchy process as a standard
    method for multi-criteria decision making in corporate enterprises - a new AHP Excel
    template with multiple inputs", Proceedings of the International Symposium on the Analytic
    Hierarchy Process (ISAHP 2013), Kuala Lumpur, section "AHP consensus indicator"; the
    correction for the AHP scale as in Goepel (2018), IJAHP 10(3), 469-487. Words for the
    value: :func:`consensus_band`.
    """
    p = priority_rows(vectors)
    w = member_weights(p.shape[0], weights)
    n = p.shape[1]
    if p.shape[0] == 1 or n == 1:
        return 1.0
    alpha = float(w @ _entropy(p))
    gamma = float(_entropy(w @ p))
    beta = max(gamma - alpha, 0.0)
    homogeneity = math.exp(-beta)
    floor = 1.0 / n if scale_max is None else math.exp(minimum_alpha_entropy(n, scale_max)) / n
    value = (homogeneity - floor) / (1.0 - floor)
    return float(min(max(value, 0.0), 1.0))


def consensus_band(value: float) -> str:
    """Goepel's words for a consensus value (:data:`CONSENSUS_BANDS`)."""
    return next(words for bound, words in CONSENSUS_BANDS if value >= bound)


def disagreement(vectors: ArrayLike, labels: Sequence[str],
                 weights: ArrayLike | None = None) -> pd.DataFrame:
    """How far the members' weights of each criterion spread, most disputed first.

    Columns: ``criterion``; ``mean`` (weighted mean weight, the AIP arithmetic mean);
    ``std`` (weighted population standard deviation of the members' weights, in weight
    points: ``sqrt(sum_k w_k (p_kj - mean_j)^2)``); ``cv`` (``std / mean``, 0 when every member
    gives the criterion 0); ``low`` and ``high`` (the smallest and largest weight a counted
    member gives). Sorted by ``std`` (largest first, ties in the criteria's order): the
    standard deviation, unlike the coefficient of variation, does not single out a criterion
    everyone weighs near zero.
    """
    p = priority_rows(vectors)
    if len(labels) != p.shape[1]:
        raise ScoringError(f"Give one label per criterion: {p.shape[1]} criteria, "
                           f"{len(labels)} labels")
    w = member_weights(p.shape[0], weights)
    mean = w @ p
    std = np.sqrt(np.maximum(w @ (p - mean) ** 2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, std / np.where(mean > 0, mean, 1.0), 0.0)
    counted = p[w > 0]
    frame = pd.DataFrame({"criterion": list(labels), "mean": mean, "std": std, "cv": cv,
                          "low": counted.min(axis=0), "high": counted.max(axis=0)})
    order = np.lexsort((np.arange(len(labels)), -np.round(std, 12)))
    return frame.iloc[order].reset_index(drop=True)


def top_n_frequency(ranks: Mapping[str, Mapping[str, int]], n: int) -> pd.DataFrame:
    """How often each process is in the top ``n`` across members.

    ``ranks`` maps each member to the rank of each process under that member's weights
    (1 = first; tied processes share a rank). A process is in a member's top ``n`` when its
    rank is at most ``n`` (so ties at the boundary are all in). Columns: ``process``,
    ``members`` (how many members have it in their top ``n``), ``share`` (that over the
    number of members), ``best_rank`` (its best rank across members); sorted by ``members``
    (most first), then ``best_rank``, then process code. Processes in no member's top ``n``
    are left out.
    """
    if n < 1:
        raise ScoringError(f"The top N needs N >= 1, got {n}")
    if not ranks:
        raise ScoringError("There are no members' rankings to count")
    counts: dict[str, int] = {}
    best: dict[str, int] = {}
    for member_ranks in ranks.values():
        for process, rank in member_ranks.items():
            best[process] = min(best.get(process, rank), rank)
            if rank <= n:
                counts[process] = counts.get(process, 0) + 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], best[item[0]], item[0]))
    return pd.DataFrame({"process": [p for p, _ in rows], "members": [c for _, c in rows],
                         "share": [c / len(ranks) for _, c in rows],
                         "best_rank": [best[p] for p, _ in rows]},
                        columns=["process", "members", "share", "best_rank"])


@dataclass(frozen=True)
class GroupWeights:
    """The outcome of :func:`combine`.

    * ``method``: ``aij``, ``aip-geometric`` or ``aip-arithmetic``.
    * ``weights``: the group's weight of each criterion, summing to 1, in the criteria's order.
    * ``members``: the members combined, in the order given; ``excluded``: members left out
      because their matrix is inconsistent (:func:`inconsistent`).
    * ``member_priorities``: every member's priorities (rows in the order of all members
      given, combined or not), each summing to 1.
    * ``member_cr``: each member's consistency ratio (``None`` for direct weights, or when
      there are more than 10 criteria).
    * ``group_cr``: the consistency ratio of the AIJ matrix (``None`` otherwise).
    * ``consensus``: :func:`consensus` over the combined members (AHP-corrected for pairwise
      answers), and ``band`` its words.
    """

    method: str
    weights: NDArray[np.float64]
    members: tuple[str, ...]
    excluded: tuple[str, ...]
    member_priorities: NDArray[np.float64]
    member_cr: tuple[float | None, ...]
    group_cr: float | None
    consensus: float
    band: str


def combine(names: Sequence[str], answers: Sequence[ArrayLike], *, pairwise: bool,
            method: str, mean: Mean = "geometric", weights: ArrayLike | None = None,
            include_inconsistent: bool = False) -> GroupWeights:
    """Combine the members' answers (direct weights, or pairwise matrices when ``pairwise``)
    by ``method`` (``aij`` needs pairwise matrices; ``aip`` takes either, combined by
    ``mean``). Inconsistent members (CR > 0.10) are left out unless ``include_inconsistent``;
    if that leaves nobody, the combination is refused, naming them."""
    if len(names) != len(answers) or not names:
        raise ScoringError("Give one answer per member, and at least one")
    if len(set(names)) != len(names):
        raise ScoringError("A member answers once")
    w_all = member_weights(len(names), weights)
    if method == "aij" and not pairwise:
        raise ScoringError("AIJ combines pairwise judgements; these answers are direct "
                           "weights: combine them with aip")
    if method not in ("aij", "aip"):
        raise ScoringError(f"Unknown method {method!r}: use aij or aip")
    if pairwise:
        results = member_consistency(answers)
        member_p = np.vstack([r.weights for r in results])
        member_cr: tuple[float | None, ...] = tuple(r.cr for r in results)
        flagged = [inconsistent(r) for r in results]
    else:
        member_p = priority_rows(np.vstack([np.asarray(a, dtype=np.float64) for a in answers]))
        member_cr = tuple(None for _ in names)
        flagged = [False] * len(names)
    keep = [k for k, bad in enumerate(flagged) if include_inconsistent or not bad]
    excluded = tuple(names[k] for k, bad in enumerate(flagged) if bad and k not in keep)
    if not keep:
        raise ScoringError(f"Every answer is inconsistent (CR > {CR_THRESHOLD:.2f}): "
                           f"{', '.join(excluded)}; ask them to revise their judgements, or "
                           "include inconsistent answers")
    w = w_all[keep]
    if w.sum() <= 0:
        raise ScoringError("The members combined all have weight 0: give one a weight")
    group_cr: float | None = None
    if method == "aij":
        matrix = aggregate_judgements([answers[k] for k in keep], w)
        group = priorities(matrix)
        combined, group_cr, label = group.weights, group.cr, "aij"
    else:
        combined = aggregate_priorities(member_p[keep], w, mean)
        label = f"aip-{mean}"
    value = consensus(member_p[keep], w, scale_max=SAATY_SCALE_MAX if pairwise else None)
    return GroupWeights(method=label, weights=combined, members=tuple(names[k] for k in keep),
                        excluded=excluded, member_priorities=member_p, member_cr=member_cr,
                        group_cr=group_cr, consensus=value, band=consensus_band(value))


def _checked(matrix: ArrayLike, member: int) -> tuple[NDArray[np.float64], AhpResult]:
    """One member's matrix (0-based ``member``) and its priorities, checked by
    :func:`scoring.ahp.priorities`'s rules; a refusal names the member (from 1)."""
    try:
        result = priorities(matrix)
    except ValueError as error:
        raise ScoringError(f"Member {member + 1}'s judgements: {error}") from None
    return np.asarray(matrix, dtype=np.float64), result
