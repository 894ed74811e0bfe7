"""Compare the rankings of the same processes under several scenarios.

A ranking here is a Series mapping a process code (its index) to its rank, 1 = best, such as
``ranking.table.set_index("code")["rank"]`` for a :class:`~scoring.ranking.Ranking`. Ranks
must be whole numbers >= 1; competition ranks with ties (1, 2, 2, 4) are fine. A process
absent from a Series, or with a missing (NaN/NA) rank, is *not ranked* in that scenario (for
instance, filtered out or unassessed there): it is reported as ``<NA>``, never as rank 0, and
left out of every statistic that needs both ranks.

Functions: :func:`compare_rankings` (one row per process, one column per scenario),
:func:`rank_shifts` (who moved, and how far, between two scenarios), :func:`top_n_overlap`
(how much two top-N lists share) and :func:`kendall_tau` / :func:`kendall_matrix` (rank
correlation over the common processes). Malformed input raises
:class:`~scoring.errors.ScoringError`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from scoring.errors import ScoringError

#: Summary columns of :func:`compare_rankings` (so no scenario may use these names).
SUMMARY_COLUMNS = ("best", "worst", "spread", "ranked_in")


def _checked(ranks: Any, name: str) -> pd.Series:
    """The ranked processes of ``ranks`` as an int64 Series (not-ranked entries dropped)."""
    if not isinstance(ranks, pd.Series):
        raise ScoringError(f"ranking {name!r} must be a pandas Series mapping code -> rank, "
                           f"got {type(ranks).__name__}")
    duplicated = ranks.index[ranks.index.duplicated()]
    if len(duplicated):
        raise ScoringError(f"ranking {name!r} lists process {duplicated[0]!r} twice")
    values = pd.to_numeric(ranks, errors="coerce")
    bad = ranks.notna() & values.isna()
    if bad.any():
        code = ranks.index[np.flatnonzero(bad.to_numpy())[0]]
        raise ScoringError(f"ranking {name!r}: the rank of {code!r} is not a number "
                           f"({ranks[code]!r})")
    values = values.dropna().astype(np.float64)
    numbers = values.to_numpy()
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (numbers >= 1)
    if not whole.all():
        first = int(np.flatnonzero(~whole)[0])
        raise ScoringError(f"ranking {name!r}: ranks are whole numbers from 1 (best); "
                           f"{values.index[first]!r} has {float(numbers[first])!r}")
    return values.astype(np.int64)


def _aligned(checked: Mapping[str, pd.Series]) -> tuple[pd.Index, np.ndarray]:
    """Every code ranked anywhere, sorted (as text if the codes cannot be compared), and a
    codes x scenarios float matrix of ranks (NaN: not ranked there), so that row order is
    code order."""
    indexes = [ranks.index for ranks in checked.values()]
    if not indexes:
        return pd.Index([], name="code"), np.zeros((0, 0))
    every = indexes[0].append(indexes[1:]) if len(indexes) > 1 else indexes[0]
    ids, uniques = every.factorize()
    try:
        order = np.asarray(uniques.argsort(), dtype=np.intp)
    except TypeError:  # codes of mixed types
        order = np.argsort(np.asarray(uniques, dtype=object).astype(str), kind="stable")
    where = np.empty_like(order)
    where[order] = np.arange(order.size)
    values = np.full((order.size, len(indexes)), np.nan)
    start = 0
    for column, ranks in enumerate(checked.values()):
        values[where[ids[start:start + len(ranks)]], column] = ranks.to_numpy(np.float64)
        start += len(ranks)
    return pd.Index(uniques[order], name="code"), values


def _int_array(values: np.ndarray) -> pd.arrays.IntegerArray:
    result: pd.arrays.IntegerArray = pd.array(values, dtype="Int64")
    return result


def compare_rankings(rankings: Mapping[str, pd.Series]) -> pd.DataFrame:
    """One row per process ranked in any scenario, one ``Int64`` column per scenario (in the
    mapping's order; ``<NA>`` where the process is not ranked), then ``best`` and ``worst``
    (its best and worst rank over the scenarios that rank it), ``spread`` (``worst - best``)
    and ``ranked_in`` (how many scenarios rank it).

    Rows are sorted by the first scenario's rank (not ranked there: last), then by ``best``,
    then by code. The index is the code (named ``code``).
    """
    if not rankings:
        raise ScoringError("compare_rankings needs at least one ranking")
    clash = [name for name in rankings if name in SUMMARY_COLUMNS]
    if clash:
        raise ScoringError(f"scenario name {clash[0]!r} is reserved for a summary column; "
                           "rename the scenario")
    checked = {name: _checked(ranks, str(name)) for name, ranks in rankings.items()}
    codes, values = _aligned(checked)
    known = ~np.isnan(values)
    best = np.where(known, values, np.inf).min(axis=1, initial=np.inf)
    worst = np.where(known, values, -np.inf).max(axis=1, initial=-np.inf)
    first = np.where(known[:, 0], values[:, 0], np.inf)
    order = np.lexsort((np.arange(codes.size), best, first))
    frame = pd.DataFrame({name: _int_array(values[order, column])
                          for column, name in enumerate(checked)}, index=codes[order])
    frame["best"] = _int_array(best[order])
    frame["worst"] = _int_array(worst[order])
    frame["spread"] = frame["worst"] - frame["best"]
    frame["ranked_in"] = known.sum(axis=1)[order].astype(np.int64)
    return frame


def rank_shifts(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    """Rank changes from scenario ``a`` to scenario ``b``: columns ``code``, ``rank_a``,
    ``rank_b`` and ``shift = rank_a - rank_b`` (``Int64``), so a positive shift means the
    process moved *up* (to a better rank) in ``b``.

    Sorted by ``|shift|``, largest first, then by code; processes ranked in only one of the
    two (``<NA>`` rank and shift) come last, by code.
    """
    codes, values = _aligned({"a": _checked(a, "a"), "b": _checked(b, "b")})
    shift = values[:, 0] - values[:, 1]
    size = np.where(np.isnan(shift), -1.0, np.abs(shift))
    order = np.lexsort((np.arange(codes.size), -size))
    return pd.DataFrame({"code": codes[order].to_numpy(),
                         "rank_a": _int_array(values[order, 0]),
                         "rank_b": _int_array(values[order, 1]),
                         "shift": _int_array(shift[order])})


@dataclass(frozen=True)
class TopOverlap:
    """Two top-N lists compared: each list (codes with rank ``<= n``, in rank order, then
    code), the codes in both, in only one, and the Jaccard index ``|A & B| / |A | B|``."""

    n: int
    top_a: tuple[Hashable, ...]
    top_b: tuple[Hashable, ...]
    common: tuple[Hashable, ...]
    only_a: tuple[Hashable, ...]
    only_b: tuple[Hashable, ...]

    @property
    def size(self) -> int:
        """How many processes the two top-N lists share."""
        return len(self.common)

    @property
    def jaccard(self) -> float:
        """``|A & B| / |A | B|`` (1.0 when both lists are empty: they are the same)."""
        union = len(self.common) + len(self.only_a) + len(self.only_b)
        return len(self.common) / union if union else 1.0


def top_n_overlap(a: pd.Series, b: pd.Series, n: int) -> TopOverlap:
    """Overlap of the top ``n`` of two rankings. The top ``n`` is every process with rank
    ``<= n``: with competition ranks a tie at the boundary is kept whole, so a list may hold
    more than ``n`` processes (as the ranking table shows them)."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ScoringError(f"n must be a whole number >= 1, got {n!r}")
    ranks_a, ranks_b = _checked(a, "a"), _checked(b, "b")

    def top(ranks: pd.Series) -> list[Hashable]:
        chosen = ranks[ranks <= n]
        order = np.lexsort((chosen.index.astype(str).to_numpy(), chosen.to_numpy()))
        return chosen.index[order].tolist()

    top_a, top_b = top(ranks_a), top(ranks_b)
    in_a, in_b = set(top_a), set(top_b)
    return TopOverlap(int(n), tuple(top_a), tuple(top_b),
                      tuple(c for c in top_a if c in in_b),
                      tuple(c for c in top_a if c not in in_b),
                      tuple(c for c in top_b if c not in in_a))


def kendall_tau(a: pd.Series, b: pd.Series) -> float:
    """Kendall's tau-b between two rankings, over the processes both rank.

    ``tau_b = (C - D) / sqrt((P - T_a)(P - T_b))`` with ``C`` and ``D`` the concordant and
    discordant pairs, ``P`` all pairs and ``T_a``, ``T_b`` the pairs tied in ``a`` and in
    ``b``: 1 for the same order, -1 for the reverse, and with ties corrected so that a
    ranking with tied ranks can still reach 1 against itself. Computed by
    ``scipy.stats.kendalltau(variant="b")`` (Knight's O(n log n) algorithm). NaN when fewer
    than two processes are common or one ranking is constant over them.

    Sources: Kendall, M. G. (1938) "A new measure of rank correlation", Biometrika
    30(1/2):81-93; Kendall, M. G. (1945) "The treatment of ties in ranking problems",
    Biometrika 33(3):239-251 (tau-b); Knight, W. R. (1966) "A computer method for
    calculating Kendall's tau with ungrouped data", Journal of the American Statistical
    Association 61(314):436-439.
    """
    _, values = _aligned({"a": _checked(a, "a"), "b": _checked(b, "b")})
    return _tau(values[:, 0], values[:, 1])


def _tau(x: np.ndarray, y: np.ndarray) -> float:
    both = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[both], y[both]
    if x.size < 2 or (x == x[0]).all() or (y == y[0]).all():
        return math.nan
    return float(stats.kendalltau(x, y, variant="b").statistic)


def kendall_matrix(rankings: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Kendall's tau-b (see :func:`kendall_tau`) for every pair of scenarios: a symmetric
    scenario x scenario frame, each pair over the processes both rank."""
    checked = {name: _checked(ranks, str(name)) for name, ranks in rankings.items()}
    _, values = _aligned(checked)
    names = list(checked)
    result = np.full((len(names), len(names)), np.nan)
    for i in range(len(names)):
        for j in range(i, len(names)):
            result[i, j] = result[j, i] = _tau(values[:, i], values[:, j])
    return pd.DataFrame(result, index=pd.Index(names, name="scenario"), columns=names)
