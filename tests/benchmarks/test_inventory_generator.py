"""The benchmark inventory generator writes a workbook that `dti import` takes as it is: no
error, no warning, every record stored, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from benchmarks.inventory_generator import RATERS, generate, main, rated_criteria
from inventory.services import Catalogue
from tests.support import dti, ok

PROCESSES = 60


def test_the_generated_workbook_imports_cleanly(database_url: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "inventory.xlsx"
    main(["--processes", str(PROCESSES), "--out", str(book), "--seed", "1"])
    assert f"{PROCESSES} processes" in capsys.readouterr().out

    ok(dti(database_url, "init"))
    out = ok(dti(database_url, "import", str(book)))

    assert out.splitlines()[-1] == "inventory.xlsx imported: 0 warning(s)."
    catalogue = Catalogue.open(database_url)
    try:
        processes, dependencies = catalogue.processes(), catalogue.dependencies()
        assessments = catalogue.assessments()
        assert len(processes) == PROCESSES
        assert len(catalogue.units()) == 14
        assert sorted(processes["level"].unique()) == [1, 2, 3]
        assert 2.5 <= len(dependencies) / PROCESSES <= 3.5
        assert not nx.is_directed_acyclic_graph(catalogue.graph())
        assert set(assessments["criterion_key"]) == set(rated_criteria())
        assert set(assessments["rater"]) == set(RATERS)
        slots = PROCESSES * len(rated_criteria()) * len(RATERS)
        assert 0.02 <= 1 - len(assessments) / slots <= 0.08
        assert len(catalogue.kpis()) > 0
    finally:
        catalogue.engine.dispose()


def test_the_same_seed_gives_the_same_inventory_and_another_seed_another() -> None:
    first, again, other = generate(100, 7), generate(100, 7), generate(100, 8)
    for kind, frame in first.items():
        pd.testing.assert_frame_equal(frame, again[kind])
    assert not first["dependencies"].equals(other["dependencies"])


@pytest.mark.parametrize(("arguments", "says"), [
    (["--processes", "2"], "--processes 2: three levels need at least 3 processes"),
    (["--out", "inventory.csv"], "name it .xlsx"),
    (["--out", "no/such/folder/inventory.xlsx"], "choose a folder that exists"),
])
def test_bad_arguments_are_refused_in_one_line_and_write_nothing(
        arguments: list[str], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    given = {"--out": "inventory.xlsx"} | dict(zip(arguments[::2], arguments[1::2], strict=True))
    with pytest.raises(SystemExit) as exit_:
        main([part for pair in given.items() for part in pair])
    assert exit_.value.code == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("Error: ") and says in line
    assert list(tmp_path.iterdir()) == []
