"""Scoring methods (scoring.methods) at the sizes the issue names, against its targets and
against two public libraries, pymcdm and scikit-criteria (the ``bench`` extra).

Synthetic decision matrices (seeded, so every run sees the same data): 10,000 and 100,000
alternatives x 12 criteria; column j holds log-normal values (sigma 0.5) times 10^(3j/11), so
the criteria span units from about 1 to about 1,000; all values are strictly positive.
Criteria 2, 5 and 9 (0-based) are cost criteria. Weights drawn uniformly in [0.5, 2) and
divided by their sum.

Measured (wall time, best of 5 runs with ``time.perf_counter``, never asserted): each of our
methods, then the equivalent of each library, as a ratio theirs / ours, with a check that the
results agree where the conventions match ("agrees: yes/no (max abs diff)", within 1e-9 of the
largest value). Targets from the issue: each method under 50 ms at 10,000 x 12; under 3 s at
100,000 x 12 (each method; the total of the three is printed too).

What is compared with what:

* Weighted product, raw values: pymcdm ``WPM()`` sum-normalises each column first, which
  multiplies every score by the same constant, so the check compares scores divided by their
  maximum (the ratios between alternatives, which is what the WPM defines); scikit-criteria
  ``InvertMinimize -> WeightedProductModel`` returns ``log10`` of our score.
* TOPSIS closeness: pymcdm ``TOPSIS(vector_normalization)`` (its cost-column form ``1 - r``
  gives the same distances as ours) and scikit-criteria ``VectorScaler(target="matrix") ->
  TOPSIS``. pymcdm's default normalisation is min-max, a different convention: the size of
  the difference is printed, not timed.
* VIKOR: pymcdm ``VIKOR()`` returns Q (its default "normalisation" for cost criteria,
  ``max - x``, gives the same S, R and Q); scikit-criteria ``VIKOR()`` returns S, R, Q and the
  compromise set, so it is also compared with our ``vikor`` + ``vikor_compromise``.
* pymcdm validates its input by default, including a check for dominant alternatives that loops
  over the rows in Python; it is timed with and without (``validation=False``). Ours always
  validates (finite values, weights, flags). scikit-criteria is timed on ``evaluate`` of a
  prepared ``DecisionMatrix`` and separately including ``mkdm`` (building it from the arrays).

If pymcdm or scikit-criteria cannot be imported, a line says so and our own figures still come.

Measured on this machine (2 cores), numpy 2.4.6 with OpenBLAS, pymcdm 1.4.0, scikit-criteria
0.10; one run of ``python -m benchmarks.scoring_methods``; ms, with the ratio theirs / ours::

                                ours   pymcdm        pymcdm,        scikit-criteria  scikit-criteria
                                       (validates)   validation=    evaluate         mkdm + evaluate
                                                     False
    10,000 x 12, target < 50 ms per method
    weighted_product            0.68   90.2 (133x)   3.15 (4.6x)    12.8 (19x)       17.3 (26x)
    topsis                      3.01   92.2 (31x)    3.95 (1.3x)    10.5 (3.5x)      15.2 (5.0x)
    vikor                       2.86   90.2 (32x)    3.60 (1.3x)
    vikor + vikor_compromise    4.80                                8.55 (1.8x)      13.1 (2.7x)
    the three targets, total    6.55
    100,000 x 12, target < 3 s
    weighted_product            12.9   891 (69x)     32.7 (2.5x)    90.8 (7.1x)      133 (10x)
    topsis                      31.2   897 (29x)     29.0 (0.9x)    83.8 (2.7x)      129 (4.1x)
    vikor                       30.7   887 (29x)     28.7 (0.9x)
    vikor + vikor_compromise    51.5                                77.0 (1.5x)      115 (2.2x)
    the three targets, total    74.8

Every target is met with a wide margin: about 3 ms at most per method at 10,000 x 12
(target 50 ms), at most 31 ms per method and 75 ms for all three at 100,000 x 12 (target 3 s). Every
comparison printed "agrees: yes": max abs diff at most 2.3e-15 (1.8e-14 on scikit-criteria's
``10**score`` for the WPM), and scikit-criteria's VIKOR compromise set is ours. pymcdm's default
TOPSIS (min-max normalisation) differs from the vector-normalised closeness by up to 0.06, as
expected from the different convention. Validated pymcdm spends about 85 ms per 10,000 rows in
its checks; without them it is 0.9x to 1.3x ours for TOPSIS and VIKOR (ours always
validates) and 2.5x to 4.6x for the WPM (``x ** w`` and a product where ours takes one
``log(x) @ w``). Figures vary between runs by up to about 1.8x for the lines under 50 ms at 100,000
(three runs: weighted_product 7.3 to 12.9 ms);
``vikor_compromise`` costs about 20 ms of the 51 ms at 100,000 (it turns the full argsort of Q
into a Python list).

Run with ``python -m benchmarks`` (all benchmarks) or ``python -m benchmarks.scoring_methods``.
"""

from __future__ import annotations

import importlib
import time
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.methods import topsis, vikor, vikor_compromise, weighted_product

CRITERIA = 12
COST_COLUMNS = (2, 5, 9)
SEED = 20240612
RUNS = 5
SIZES = (10_000, 100_000)
TARGETS = {10_000: "target < 50 ms", 100_000: "target < 3 s"}
#: Results "agree" when the largest absolute difference is at most this times the largest
#: absolute value of ours (or 1, whichever is larger).
AGREE_TOL = 1e-9

FloatArray = NDArray[np.float64]


def synthetic(alternatives: int, criteria: int = CRITERIA,
              seed: int = SEED) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(matrix, weights, benefit) as described in the module docstring."""
    rng = np.random.default_rng(seed)
    scales = 10.0 ** np.linspace(0.0, 3.0, criteria)
    matrix = rng.lognormal(mean=0.0, sigma=0.5, size=(alternatives, criteria)) * scales
    weights = rng.uniform(0.5, 2.0, size=criteria)
    weights /= weights.sum()
    benefit = np.ones(criteria, dtype=bool)
    benefit[list(COST_COLUMNS)] = False
    return matrix, weights, benefit


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _best(action: Callable[[], Any], runs: int = RUNS) -> tuple[float, Any]:
    """Best wall time of ``runs`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def _shown(seconds: float) -> str:
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _line(label: str, seconds: float, target: str = "", extra: str = "") -> None:
    print(f"    {label:<60} {_shown(seconds):>9}  {target:<15} {extra}".rstrip())


def _note(text: str) -> None:
    print(f"    {text}")


def _agrees(ours: Any, theirs: Any, *, scale_free: bool = False) -> str:
    """"agrees: yes/no (max abs diff)"; ``scale_free`` divides each by its maximum first."""
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(theirs, dtype=np.float64)
    if scale_free:
        a, b = a / a.max(), b / b.max()
    diff = float(np.max(np.abs(a - b)))
    ok = diff <= AGREE_TOL * max(1.0, float(np.max(np.abs(a))))
    return f"agrees: {'yes' if ok else 'no'} (max abs diff {diff:.1e})"


class _Bench:
    """One matrix size: our figures and the libraries' beside them."""

    def __init__(self, alternatives: int, pymcdm: ModuleType | None,
                 skc: dict[str, Any] | None) -> None:
        self.x, self.w, self.b = synthetic(alternatives)
        self.types = np.where(self.b, 1, -1)
        self.objectives = [max if flag else min for flag in self.b]
        self.target = TARGETS.get(alternatives, "")
        self.pymcdm = pymcdm
        self.skc = skc
        self.dm = skc["mkdm"](self.x, self.objectives, weights=self.w) if skc else None
        self.ours_total = 0.0

    def ours(self, label: str, action: Callable[[], Any], *, counted: bool = True,
             target: bool = True) -> tuple[float, Any]:
        seconds, result = _best(action)
        if counted:
            self.ours_total += seconds
        _line(f"ours: {label}", seconds, self.target if target else "")
        return seconds, result

    @staticmethod
    def theirs(label: str, action: Callable[[], Any], reference: float,
               check: Callable[[Any], str] | None = None) -> None:
        seconds, result = _best(action)
        extra = f"ratio {seconds / reference:.1f}x"
        if check is not None:
            extra += f"  {check(result)}"
        _line(label, seconds, "", extra)

    def pymcdm_pair(self, name: str, method: Any, reference: float,
                    check: Callable[[Any], str]) -> None:
        """pymcdm with its default validation, then with ``validation=False``."""
        x, w, types = self.x, self.w, self.types
        self.theirs(f"pymcdm {name}", lambda: method(x, w, types), reference, check)
        self.theirs("  the same, validation=False",
                    lambda: method(x, w, types, validation=False), reference)

    def skc_pair(self, name: str, evaluator: Any, reference: float,
                 check: Callable[[Any], str]) -> None:
        """scikit-criteria ``evaluate`` on the prepared matrix, then including ``mkdm``."""
        assert self.skc is not None
        mkdm, x, w, objectives = self.skc["mkdm"], self.x, self.w, self.objectives
        self.theirs(f"scikit-criteria evaluate: {name}",
                    lambda: evaluator.evaluate(self.dm), reference, check)
        self.theirs("  the same plus mkdm (building the DecisionMatrix)",
                    lambda: evaluator.evaluate(mkdm(x, objectives, weights=w)), reference)

    def weighted_product(self) -> None:
        print("  Weighted product (raw values)")
        x, w, b = self.x, self.w, self.b
        seconds, ours = self.ours("weighted_product", lambda: weighted_product(x, w, b))
        pm = self.pymcdm
        if pm is not None and hasattr(pm.methods, "WPM"):
            self.pymcdm_pair("WPM() (scores x a constant)", pm.methods.WPM(),
                             seconds, lambda r: _agrees(ours, r, scale_free=True))
        elif pm is not None:
            _note("pymcdm has no WPM in this version")
        if self.skc is not None:
            s = self.skc
            pipe = s["mkpipe"](s["InvertMinimize"](), s["WeightedProductModel"]())
            self.skc_pair("InvertMinimize, WPM (10**score)", pipe, seconds,
                          lambda r: _agrees(ours, 10.0 ** r.extra_["score"]))

    def topsis(self) -> None:
        print("  TOPSIS closeness (vector normalisation)")
        x, w, b = self.x, self.w, self.b
        seconds, ours = self.ours("topsis", lambda: topsis(x, w, b))
        pm = self.pymcdm
        if pm is not None:
            method = pm.methods.TOPSIS(pm.normalizations.vector_normalization)
            self.pymcdm_pair("TOPSIS(vector_normalization)", method, seconds,
                             lambda r: _agrees(ours, r))
            default = pm.methods.TOPSIS()(x, w, self.types, validation=False)
            diff = float(np.max(np.abs(default - ours)))
            _note(f"pymcdm TOPSIS() default (min-max normalisation, a different convention): "
                  f"max abs diff {diff:.2f}, not timed")
        if self.skc is not None:
            s = self.skc
            pipe = s["mkpipe"](s["VectorScaler"](target="matrix"), s["TOPSIS"]())
            self.skc_pair("VectorScaler, TOPSIS", pipe, seconds,
                          lambda r: _agrees(ours, r.extra_["similarity"]))

    def vikor(self) -> None:
        print("  VIKOR (S, R, Q; v = 0.5)")
        x, w, b = self.x, self.w, self.b
        seconds, (s_ours, r_ours, q_ours) = self.ours("vikor", lambda: vikor(x, w, b))

        def with_compromise() -> tuple[Any, list[int]]:
            s, r, q = vikor(x, w, b)
            return (s, r, q), vikor_compromise(s, r, q)

        both, (_, compromise) = self.ours("vikor + vikor_compromise", with_compromise,
                                          counted=False, target=False)
        pm = self.pymcdm
        if pm is not None:
            self.pymcdm_pair("VIKOR() (Q)", pm.methods.VIKOR(), seconds,
                             lambda r: _agrees(q_ours, r))
        if self.skc is not None and self.skc.get("VIKOR") is not None:

            def check(result: Any) -> str:
                e = result.extra_
                same_set = sorted(int(k) for k in e["compromise_set"]) == sorted(compromise)
                verdict = _agrees(np.concatenate([s_ours, r_ours, q_ours]),
                                  np.concatenate([e["s_k"], e["r_k"], e["q_k"]]))
                return f"{verdict}, same compromise set: {'yes' if same_set else 'no'}"

            self.skc_pair("VIKOR (S, R, Q, set)", self.skc["VIKOR"](), both, check)
        elif self.skc is not None:
            _note("scikit-criteria has no VIKOR in this version")


def _load_pymcdm() -> ModuleType | None:
    pymcdm = _optional("pymcdm")
    if pymcdm is None or _optional("pymcdm.methods") is None:
        print("pymcdm is not importable (pip install -e '.[bench]'): its figures are left out")
        return None
    importlib.import_module("pymcdm.normalizations")
    return pymcdm


def _load_skcriteria() -> dict[str, Any] | None:
    """The scikit-criteria names used here, or None (with a line saying so)."""
    skc = _optional("skcriteria")
    if skc is None:
        print("scikit-criteria is not importable (pip install -e '.[bench]'): "
              "its figures are left out")
        return None
    # 0.9 moved TOPSIS from agg.similarity to agg.topsis and the pipeline to `pipelines`.
    topsis_module = _optional("skcriteria.agg.topsis") or _optional("skcriteria.agg.similarity")
    pipelines = _optional("skcriteria.pipelines") or _optional("skcriteria.pipeline")
    simple = importlib.import_module("skcriteria.agg.simple")
    scalers = importlib.import_module("skcriteria.preprocessing.scalers")
    invert = importlib.import_module("skcriteria.preprocessing.invert_objectives")
    vikor_module = _optional("skcriteria.agg.vikor")
    assert topsis_module is not None and pipelines is not None
    return {
        "mkdm": skc.mkdm, "mkpipe": pipelines.mkpipe, "TOPSIS": topsis_module.TOPSIS,
        "WeightedSumModel": simple.WeightedSumModel,
        "WeightedProductModel": simple.WeightedProductModel,
        "VIKOR": getattr(vikor_module, "VIKOR", None),
        "VectorScaler": scalers.VectorScaler, "MinMaxScaler": scalers.MinMaxScaler,
        "InvertMinimize": invert.InvertMinimize, "NegateMinimize": invert.NegateMinimize,
    }


def main() -> None:
    print("Scoring methods (scoring.methods) against pymcdm and scikit-criteria; "
          f"wall time, best of {RUNS} runs; ratio = theirs / ours")
    with warnings.catch_warnings():
        # scikit-criteria warns that TOPSIS "can operate with minimization objectives" but
        # does not recommend it, and warns on deprecated module names.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        pymcdm = _load_pymcdm()
        skc = _load_skcriteria()
        for alternatives in SIZES:
            bench = _Bench(alternatives, pymcdm, skc)
            print(f"\n{alternatives:,} alternatives x {CRITERIA} criteria "
                  f"({len(COST_COLUMNS)} cost criteria)")
            bench.weighted_product()
            bench.topsis()
            bench.vikor()
            print("  Total")
            total_target = "target < 3 s" if alternatives == 100_000 else ""
            _line("ours: the three lines with a target above", bench.ours_total, total_target)


if __name__ == "__main__":
    main()
