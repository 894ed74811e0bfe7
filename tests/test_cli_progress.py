"""The Monte Carlo progress bar of `dti robustness` and `dti backlog`: drawn on stderr when it
is a terminal, fed by the Monte Carlo's own progress, and absent otherwise (so that redirected
output and `--format json` stay clean)."""

from __future__ import annotations

import io
import json
import sys

import pandas as pd
import pytest

from inventory.cli import decisions as decision_cli
from scoring import decision
from scoring.criteria import parse_criteria
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Scenario
from tests.support import dti

CRITERIA = parse_criteria("""
criteria:
  - {key: a, weight: 2, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: b, weight: 1, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
""")


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _ranking(processes: int = 300) -> object:
    codes = [f"P{i:03d}" for i in range(processes)]
    ratings = pd.DataFrame([{"process_code": code, "criterion_key": key, "rater": "r",
                             "value": 1 + (i * (3 if key == "a" else 7)) % 5}
                            for i, code in enumerate(codes) for key in ("a", "b")])
    return rank(RankingInputs(pd.DataFrame({"code": codes, "name": codes}), ratings),
                CRITERIA, Scenario())


def test_on_a_terminal_the_bar_follows_the_samples_to_the_end(
        monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    ranking = _ranking()
    with decision_cli._progress("Monte Carlo", 30_000) as progress:
        assert progress is not None
        shown = decision.robustness(ranking, samples=30_000, top_n=5,  # type: ignore[arg-type]
                                    progress=progress)
    frames = terminal.getvalue().split("\r")
    assert len(frames) > 3  # the 30,000 samples take several chunks: the bar moves
    assert "Monte Carlo" in frames[-1] and "30000/30000" in frames[-1]
    assert frames[1].count("#") < frames[-1].count("#")
    quiet = decision.robustness(ranking, samples=30_000, top_n=5)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(shown.table, quiet.table)


def test_elsewhere_there_is_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    redirected = io.StringIO()
    monkeypatch.setattr(sys, "stderr", redirected)
    with decision_cli._progress("Monte Carlo", 100) as progress:
        assert progress is None
    assert redirected.getvalue() == ""


def test_json_output_stays_clean(sample_url: str) -> None:
    result = dti(sample_url, "robustness", "--samples", "300", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["processes"]) > 10
    assert "Monte Carlo" not in result.output
