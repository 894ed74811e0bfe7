"""The page benchmark times every step of a page in a session of its own, stops a step that
takes too long, marks figures over the targets of issue 14 and refuses bad arguments. Nothing
here asserts how fast a page is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.page_session import USER
from benchmarks.pages import Figure, main, measure, report
from inventory.services import Catalogue
from views.navigation import PAGES

BY_TITLE = {page.title: page for page in PAGES}


@pytest.fixture
def sample_copy(sqlite_sample: Path, tmp_path: Path) -> str:
    target = tmp_path / "dti.db"
    shutil.copyfile(sqlite_sample, target)
    return f"sqlite:///{target}"


def test_every_step_of_prioritise_is_timed_and_the_edit_is_saved(sample_copy: str) -> None:
    figures = measure(sample_copy, BY_TITLE["Prioritise"], timeout=300)

    assert list(figures) == ["first", "rerun", "weight", "changed", "rated"]
    assert all(figure.seconds is not None for figure in figures.values()), figures
    catalogue = Catalogue.open(sample_copy)
    try:
        edited = catalogue.audit_log(actor=USER)  # the one process, then the one assessment
        assert set(edited["entity"]) == {"process", "assessment"}
    finally:
        catalogue.engine.dispose()


def test_a_step_over_the_time_limit_is_stopped_and_shown_as_such(sample_copy: str) -> None:
    figures = measure(sample_copy, BY_TITLE["Overview"], timeout=0.001)

    assert [figure.text(None) for figure in figures.values()] == ["> 0.001 s", "-", "-", "-"]


def test_the_table_marks_figures_over_their_targets(capsys: pytest.CaptureFixture[str]) -> None:
    pages = [BY_TITLE["Overview"], BY_TITLE["Portfolio"]]
    slow = {"first": Figure(9.0), "rerun": Figure(0.5), "changed": Figure(2.0),
            "rated": Figure(0.9)}
    quick = {"first": Figure(0.3), "rerun": Figure(0.1), "changed": Figure(0.2),
             "rated": Figure(0.3)}
    report({85: {"Overview": quick, "Portfolio": quick},
            2000: {"Overview": slow, "Portfolio": slow}}, pages)

    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["Overview", "first", "0.30", "9.00", "30.0x"] in rows
    assert ["rerun", "0.10", "0.50", "!", "5.0x"] in rows  # over 0.3 s
    assert ["changed", "0.20", "2.00", "!", "10.0x"] in rows  # over 1 s
    assert ["changed", "0.20", "2.00", "10.0x"] in rows  # Portfolio may take longer
    assert ["rated", "0.30", "0.90", "3.0x"] in rows  # under 1 s


@pytest.mark.parametrize(("arguments", "says"), [
    (["--pages", "Overview,Nowhere"], "--pages: no page nowhere; the pages are Overview, "),
    (["--sizes", "85,lots"], "--sizes 85,lots: give numbers of processes"),
    (["--sizes", "2"], "--sizes 2: every size needs at least 3 processes"),
    (["--timeout", "0"], "--timeout 0: give a number of seconds above 0"),
])
def test_bad_arguments_are_refused_in_one_line(arguments: list[str], says: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(arguments)
    assert exit_.value.code == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("Error: ") and says in line
