"""The robustness lab (scoring.sensitivity, scoring.compare) at the sizes the issue names.

Synthetic normalised matrices (seeded, so every run sees the same data): N processes x 12
criteria on the 0-1 scale, 1 = best; 9 criteria rated on anchored 1-5 scales (normalised
levels 0, .25, .5, .75, 1) and 3 continuous ones (as log volumes, costs and graph reach give
them); 2% of the rated cells excluded (NaN, weights re-normalised per process). Weights drawn
uniformly in [0.5, 2), as a scenario's. Scenarios for the comparison: 10 rankings of 10,000
processes, each from the scores plus independent noise (sd 0.05), 2% of the processes left
unranked in each, competition ranks.

Measured (wall time, one run each; the machine has 2 cores shared with other work, so run it
twice and keep the better; never asserted):

1. ``monte_carlo``: 10,000 weight samples (Dirichlet around the weights, concentration 100),
   top 10, with the 5th/50th/95th rank percentiles, at 2,000 processes (target < 2 s) and
   10,000 (target < 10 s); the same with ``ranks=False`` (top-N probabilities only); at
   2,000, also with triangular value noise of one level either side on the rated criteria.
   Peak resident memory (``ru_maxrss`` of this process so far, after each line: it includes
   the data and everything run before) and the module's own bound for the rank store.
   Plain approach: per sample, draw the weights, score, and ``pandas.Series.rank`` the
   scores (ordinal, ``method="first"``), collecting the ranks for the percentiles; timed on
   the first 200 samples and extrapolated linearly to 10,000 (the per-sample work does not
   change), as a ratio plain / ours. A check line says whether the plain approach gives the
   same top-N probabilities as ``monte_carlo`` with ``samples=200`` (the same Dirichlet
   draws: both take them from ``default_rng(seed)`` in order).
2. ``weight_flips`` (exact thresholds, every criterion, both directions) at 10,000, top 10.
3. Comparing 10 scenarios over 10,000 processes (target < 1 s): ``compare_rankings``,
   ``kendall_matrix`` (45 pairs), and ``rank_shifts`` plus ``top_n_overlap`` (n = 50) of each
   scenario against the first; against a plain pandas approach to the same figures (outer
   ``merge`` on the code, one per scenario; ``DataFrame.corr(method="kendall")``, which also
   calls scipy per pair; per scenario a difference sorted by its size and two top-50 sets).

Figures measured on this machine (2 cores, other work light; one run; the benchmark samples
the weighted sum. Scored by the other methods, each sample its own way, the same 10,000
samples over 2,000 processes without value noise took WPM 0.55 s, TOPSIS 0.67 s, VIKOR
0.80 s, WSJF 0.69 s and value/effort 0.70 s, measured separately on the same data):

* 2,000 processes: ``monte_carlo`` 0.71 s (target < 2 s), peak RSS 0.25 GB, rank store 38 MB;
  ``ranks=False`` 0.28 s; with triangular value noise on 17,645 cells 2.9 s (no target: 176
  million draws); plain pandas rank per sample 2.69 s extrapolated, ratio 3.8x; the same
  top-N probabilities as the plain approach on 200 samples; ``weight_flips`` 26 ms.
* 10,000 processes: ``monte_carlo`` 3.9 s (target < 10 s), peak RSS 0.41 GB, rank store
  191 MB; ``ranks=False`` 1.41 s; plain 13.4 s extrapolated, ratio 3.4x; ``weight_flips``
  0.11 s.
* 10 scenarios x 10,000 processes: everything 0.17 s (target < 1 s): ``compare_rankings``
  26 ms, ``kendall_matrix`` 93 ms, 10 ``rank_shifts`` 59 ms, 10 ``top_n_overlap`` 12 ms. The
  plain pandas approach takes about as long (0.14 s, ratio 0.9x): both spend most of it in
  scipy's Kendall tau; what the module adds is validation and the not-ranked semantics, not
  speed.
* Timings varied by up to 2x between runs with other work on the machine.

Run with ``python -m benchmarks.robustness``.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from scoring.compare import compare_rankings, kendall_matrix, rank_shifts, top_n_overlap
from scoring.sensitivity import monte_carlo, weight_flips

SEED = 20240611
CRITERIA = 12
RATED = 9
SAMPLES = 10_000
TOP_N = 10
PLAIN_SAMPLES = 200
SCENARIOS = 10
COMPARED = 10_000


def synthetic(processes: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """(normalised matrix with NaN for excluded cells, weights) as in the module docstring."""
    rng = np.random.default_rng(seed)
    rated = rng.integers(0, 5, size=(processes, RATED)) / 4
    rated[rng.random(rated.shape) < 0.02] = np.nan
    continuous = rng.beta(2.0, 2.0, size=(processes, CRITERIA - RATED))
    weights = rng.uniform(0.5, 2.0, CRITERIA)
    return np.column_stack([rated, continuous]), weights


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _line(label: str, seconds: float, target: str = "", extra: str = "") -> None:
    shown = f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.2f} s"
    print(f"  {label:<60} {shown:>9}  {target:<16} {extra}".rstrip())


def _peak() -> str:
    return f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.2f} GB"


def _plain(matrix: np.ndarray, weights: np.ndarray, samples: int,
           top_n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per sample: Dirichlet weights, per-process re-normalised weighted sum, pandas rank."""
    rng = np.random.default_rng(0)
    w = weights / weights.sum()
    known = ~np.isnan(matrix)
    values = np.nan_to_num(matrix)
    ranks = []
    for _ in range(samples):
        drawn = rng.dirichlet(100.0 * w)
        scores = (values @ drawn) / (known @ drawn)
        ranks.append(pd.Series(scores).rank(ascending=False, method="first").to_numpy())
    stacked = np.array(ranks)
    return (stacked <= top_n).mean(axis=0), np.percentile(stacked, [5, 50, 95], axis=0)


def robustness(processes: int) -> None:
    matrix, weights = synthetic(processes)
    print(f"\n{processes:,} processes x {CRITERIA} criteria, {SAMPLES:,} weight samples, "
          f"top {TOP_N}")
    target = {2_000: "target < 2 s", 10_000: "target < 10 s"}.get(processes, "")
    ours, result = _timed(lambda: monte_carlo(matrix, weights, samples=SAMPLES, top_n=TOP_N))
    store = 2 * processes * SAMPLES / 1024**2
    _line("monte_carlo, rank percentiles and top-N probabilities", ours, target,
          f"{_peak()} (rank store {store:,.0f} MB)")
    fast, _ = _timed(lambda: monte_carlo(matrix, weights, samples=SAMPLES, top_n=TOP_N,
                                         ranks=False))
    _line("monte_carlo(ranks=False): top-N probabilities only", fast, "", _peak())
    if processes <= 2_000:
        rated = ~np.isnan(matrix[:, :RATED])
        low, high = matrix.copy(), matrix.copy()
        low[:, :RATED] = np.where(rated, np.clip(matrix[:, :RATED] - 0.25, 0, 1), np.nan)
        high[:, :RATED] = np.where(rated, np.clip(matrix[:, :RATED] + 0.25, 0, 1), np.nan)
        noisy, _ = _timed(lambda: monte_carlo(matrix, weights, samples=SAMPLES, top_n=TOP_N,
                                              low=low, high=high))
        _line(f"  ... with triangular value noise ({int(rated.sum()):,} noisy cells)", noisy,
              "", _peak())
    part, (probability, _) = _timed(lambda: _plain(matrix, weights, PLAIN_SAMPLES, TOP_N))
    plain = part * SAMPLES / PLAIN_SAMPLES
    _line(f"plain: pandas rank per sample ({PLAIN_SAMPLES} run, extrapolated)", plain, "",
          f"ratio {plain / ours:,.1f}x")
    same = monte_carlo(matrix, weights, samples=PLAIN_SAMPLES, top_n=TOP_N, seed=0)
    agree = np.array_equal(same.probability_top_n, probability)
    print(f"  {'same top-N probabilities as the plain approach (200 samples)':<60} "
          f"{'yes' if agree else 'NO'}")
    settled = (result.table["robustness"].value_counts().to_dict())
    print(f"  {'labels':<60} {settled}")
    flips, table = _timed(lambda: weight_flips(matrix, weights, top_n=TOP_N))
    _line("weight_flips, every criterion, both directions", flips, "",
          f"smallest |change| {table['change'].abs().min():.4f}")


def _scenarios(processes: int = COMPARED) -> dict[str, pd.Series]:
    rng = np.random.default_rng(SEED + 1)
    codes = np.array([f"P{i:06d}" for i in rng.permutation(processes)], dtype=object)
    base = rng.random(processes)
    rankings = {}
    for k in range(SCENARIOS):
        keep = rng.random(processes) >= 0.02
        scores = pd.Series(base[keep] + rng.normal(0, 0.05, int(keep.sum())), index=codes[keep])
        rankings[f"scenario {k}"] = scores.rank(ascending=False, method="min").astype(np.int64)
    return rankings


def _compare_all(rankings: dict[str, pd.Series]) -> None:
    first = next(iter(rankings.values()))
    compare_rankings(rankings)
    kendall_matrix(rankings)
    for ranks in rankings.values():
        rank_shifts(first, ranks)
        top_n_overlap(first, ranks, 50)


def _compare_plain(rankings: dict[str, pd.Series]) -> None:
    """The same figures with plain pandas: outer merges on the code, corr("kendall"), and
    per scenario a difference, a sort by its size and two top-50 sets."""
    merged: pd.DataFrame | None = None
    for name, ranks in rankings.items():
        frame = ranks.rename(name).rename_axis("code").reset_index()
        merged = frame if merged is None else merged.merge(frame, on="code", how="outer")
    assert merged is not None
    table = merged.set_index("code")
    table.corr(method="kendall")
    first = table.columns[0]
    for name in table.columns:
        shift = (table[first] - table[name]).rename("shift").to_frame()
        shift.sort_values("shift", key=abs, ascending=False)
        top_a = set(table.index[table[first] <= 50])
        top_b = set(table.index[table[name] <= 50])
        len(top_a & top_b) / len(top_a | top_b)


def comparison() -> None:
    rankings = _scenarios()
    print(f"\n{SCENARIOS} scenarios over {COMPARED:,} processes (2% unranked in each)")
    parts = [("compare_rankings", lambda: compare_rankings(rankings)),
             ("kendall_matrix (45 pairs, scipy tau-b)", lambda: kendall_matrix(rankings))]
    for label, action in parts:
        seconds, _ = _timed(action)
        _line(label, seconds)
    first = next(iter(rankings.values()))
    seconds, _ = _timed(lambda: [rank_shifts(first, r) for r in rankings.values()])
    _line("rank_shifts against the first, 10 times", seconds)
    seconds, _ = _timed(lambda: [top_n_overlap(first, r, 50) for r in rankings.values()])
    _line("top_n_overlap(50) against the first, 10 times", seconds)
    ours, _ = _timed(lambda: _compare_all(rankings))
    _line("all of the above", ours, "target < 1 s")
    plain, _ = _timed(lambda: _compare_plain(rankings))
    _line("plain pandas: merges, corr('kendall'), sorted differences", plain, "",
          f"ratio {plain / ours:,.1f}x")


def main() -> None:
    print("Robustness lab (scoring.sensitivity, scoring.compare); wall time, one run each")
    robustness(2_000)
    robustness(10_000)
    comparison()


if __name__ == "__main__":
    main()
