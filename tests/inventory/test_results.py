"""Derived results are computed once per catalogue revision, shared, bounded, and never stale."""

from __future__ import annotations

import contextlib
import re
import threading
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hyp
from sqlalchemy import event

from inventory.errors import CatalogueError
from inventory.graph import metrics
from inventory.results import (
    DEPENDENCIES_TABLES,
    FRAME_TABLES,
    RATINGS_TABLES,
    Key,
    ResultCache,
    Results,
    size_of,
)
from inventory.services import Catalogue
from scoring.criteria import load_criteria, parse_criteria
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Scenario
from tests.support import by

ROOT = Path(__file__).resolve().parents[2]


def _revisions(catalogue: Catalogue, change: object) -> tuple[int, int]:
    before = catalogue.revision()
    change()  # type: ignore[operator]
    return before, catalogue.revision()


def test_every_committed_catalogue_change_advances_the_revision(
        small_catalogue: Catalogue) -> None:
    catalogue = small_catalogue
    changes = [
        lambda: catalogue.add_unit({"code": "ITU", "name": "Bureau"}, by("ana")),
        lambda: catalogue.update_process("FIN", {"name": "Budget"}, None, by("ana")),
        lambda: catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "HR"},
                                         by("ana")),
        lambda: catalogue.delete_process("HR-REC-01", by("ana")),
        lambda: catalogue.scenarios.add("Cost first", {"method": "wsm"}, by("lea")),
    ]
    for change in changes:
        before, after = _revisions(catalogue, change)
        assert after == before + 1


def test_refused_changes_and_sign_ins_leave_the_revision_where_it_was(
        small_catalogue: Catalogue) -> None:
    catalogue = small_catalogue
    before = catalogue.revision()
    with pytest.raises(CatalogueError):
        catalogue.add_process({"code": "FIN", "name": "Again", "unit": "FRMD"}, by("ana"))
    password = catalogue.accounts.ensure_first_admin()
    assert password is not None
    catalogue.accounts.sign_in("admin", password)
    with pytest.raises(CatalogueError):
        catalogue.accounts.sign_in("admin", "wrong password")
    assert catalogue.revision() == before


def _reads(catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the catalogue is asked to read from the database, in order, from now on."""
    reads: list[str] = []
    for name in ("frame", "assessment_rows", "dependency_rows"):
        original = getattr(catalogue, name)

        def reading(*args: object, _name: str = name, _original: object = original) -> object:
            reads.append(" ".join([_name, *map(str, args)]))
            return _original(*args)  # type: ignore[operator]
        monkeypatch.setattr(catalogue, name, reading)
    return reads


def test_results_are_reused_until_the_data_changes_then_show_the_change(
        small_catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    small_catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "HR"}, by("ana"))
    results = Results(small_catalogue, ResultCache())
    reads = _reads(small_catalogue, monkeypatch)
    first = results.frames()
    assert sorted(reads) == ["dependency_rows", "frame assessments", "frame deliverables",
                             "frame initiatives", "frame kpis", "frame processes",
                             "frame units"]
    reads.clear()
    assert results.frames()["processes"].equals(first["processes"])
    assert reads == []
    small_catalogue.update_process("FIN", {"name": "Budget planning"}, None, by("ana"))
    shared = results.frames()
    assert shared["processes"].set_index("code").loc["FIN", "name"] == "Budget planning"
    assert "Budget planning" in set(shared["dependencies"]["upstream_name"]) | set(
        shared["dependencies"]["downstream_name"])
    assert sorted(reads) == ["frame assessments", "frame initiatives", "frame kpis",
                             "frame processes", "frame units"]


def test_a_table_no_change_wrote_to_is_not_read_again(
        small_catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rating re-reads the assessments only; a process's volume changes no graph, so the
    dependency metrics are not computed again; a scenario saved re-reads nothing."""
    results = Results(small_catalogue, ResultCache())
    results.ratings(), results.metrics(), results.frames()
    reads = _reads(small_catalogue, monkeypatch)
    criterion = load_criteria(None).assessed()[0]
    small_catalogue.add_assessment({"process_code": "FIN", "criterion_key": criterion.key,
                                    "value": criterion.scale.high, "rater": "ana"}, by("ana"))
    assert "FIN" in set(results.ratings()["process_code"])
    results.metrics(), results.frames()
    assert reads == ["assessment_rows", "frame assessments"]
    reads.clear()
    small_catalogue.scenarios.add("Cost first", {"method": "wsm"}, by("lea"))
    results.ratings(), results.metrics(), results.frames()
    assert reads == []
    computed = results.cache.computed
    small_catalogue.update_process("FIN", {"annual_volume": 1234}, None, by("ana"))
    results.metrics()
    assert reads == ["frame processes"]
    assert results.cache.computed == computed + 3  # processes, the joined links, the content


def test_the_roadmap_is_read_again_after_a_roadmap_save_not_after_a_rating(
        small_catalogue: Catalogue) -> None:
    results = Results(small_catalogue, ResultCache())
    book = small_catalogue.initiatives
    book.add({"code": "EVT", "name": "Events", "processes": ["HR-REC"]}, by("lee"))
    reads = []

    def board() -> int:
        reads.append(1)
        return book.dashboard().totals["total"]

    assert results.roadmap("board", "today", board) == 1
    small_catalogue.add_assessment({"process_code": "HR", "criterion_key": "complexity",
                                    "value": 3, "rater": "ana"}, by("ana"))
    assert results.roadmap("board", "today", board) == 1 and len(reads) == 1
    book.add({"code": "WEB", "name": "Website"}, by("lee"))
    assert results.roadmap("board", "today", board) == 2 and len(reads) == 2
    book.add_update({"initiative_code": "WEB", "note": "Kick-off"}, by("lee"))
    results.roadmap("board", "today", board)
    small_catalogue.delete_process("HR-REC-01", by("ana"))  # the processes it may name
    results.roadmap("board", "today", board)
    assert len(reads) == 4


def test_a_change_made_through_another_app_process_shows_at_the_next_read(
        small_catalogue: Catalogue) -> None:
    """A second Catalogue on the same database stands for another app process or the CLI:
    the revision lives in the database, so this process's cache sees the change."""
    results = Results(small_catalogue, ResultCache())
    assert "NEW" not in set(results.frames()["processes"]["code"])
    assert len(results.graph()) == 4
    other = Catalogue.open(str(small_catalogue.engine.url.render_as_string(hide_password=False)))
    try:
        other.add_process({"code": "NEW", "name": "New process", "unit": "FRMD"}, by("ana"))
        other.add_dependency({"upstream_code": "NEW", "downstream_code": "FIN"}, by("ana"))
    finally:
        other.engine.dispose()
    assert "NEW" in set(results.frames()["processes"]["code"])
    assert results.graph().has_edge("NEW", "FIN")
    assert "NEW" in set(results.ranking_inputs().processes["code"])


def test_the_ranking_inputs_are_one_state_of_the_data_even_when_a_save_lands_meanwhile(
        small_catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone rates FIN through another app process just after this one has read the
    processes: the ranking inputs still hold the state of one moment (no rating of FIN), not
    the processes of one moment and the ratings of the next. The next read shows the rating."""
    url = str(small_catalogue.engine.url.render_as_string(hide_password=False))
    criterion = load_criteria(None).assessed()[0]
    read_frame = small_catalogue.frame
    saved: list[str] = []

    def frame_then_someone_saves(kind: str) -> pd.DataFrame:
        frame = read_frame(kind)
        if kind == "processes" and not saved:
            other = Catalogue.open(url)
            try:
                other.add_assessment({"process_code": "FIN", "criterion_key": criterion.key,
                                      "value": criterion.scale.high, "rater": "ana"},
                                     by("ana"))
            finally:
                other.engine.dispose()
            saved.append("FIN")
        return frame

    monkeypatch.setattr(small_catalogue, "frame", frame_then_someone_saves)
    results = Results(small_catalogue, ResultCache())

    inputs = results.ranking_inputs()

    assert saved == ["FIN"]
    assert "FIN" in set(inputs.processes["code"])
    assert "FIN" not in set(inputs.assessments["process_code"])
    assert "FIN" in set(results.ranking_inputs().assessments["process_code"])


def test_a_page_adding_a_column_does_not_change_what_others_receive(
        small_catalogue: Catalogue) -> None:
    results = Results(small_catalogue, ResultCache())
    mine = results.frames()["processes"]
    mine["scribble"] = 1
    mine.loc[0, "name"] = "changed here only"
    theirs = results.frames()["processes"]
    assert "scribble" not in theirs.columns
    assert "changed here only" not in set(theirs["name"])


def test_results_computed_for_one_role_are_never_served_to_another() -> None:
    cache = ResultCache()
    admin = Key("db", 1, "history", "-", role="admin")
    viewer = Key("db", 1, "history", "-", role="viewer")
    cache.get(admin, lambda: "every account's sign-ins")
    assert cache.get(viewer, lambda: "what a viewer may see") == "what a viewer may see"
    assert cache.get(admin, lambda: "recomputed") == "every account's sign-ins"


def test_a_bounded_cache_evicts_the_least_recently_used_and_recomputes_it() -> None:
    cache = ResultCache(max_entries=2)
    calls: list[str] = []

    def compute(name: str) -> object:
        return lambda: calls.append(name) or name

    keys = {name: Key("db", 1, name, "-") for name in "abc"}
    cache.get(keys["a"], compute("a"))
    cache.get(keys["b"], compute("b"))
    cache.get(keys["a"], compute("a"))  # a is now the most recently used
    cache.get(keys["c"], compute("c"))  # b goes
    assert list(cache.entries()["kind"]) == ["a", "c"]
    assert cache.get(keys["b"], compute("b")) == "b"
    assert calls == ["a", "b", "c", "b"]
    assert cache.evicted == 2


def test_the_byte_bound_holds_and_a_result_larger_than_it_is_returned_but_not_kept() -> None:
    cache = ResultCache(max_bytes=3_000_000)
    frame = pd.DataFrame({"x": range(250_000)})  # 2 MB
    for kind in "abc":
        cache.get(Key("db", 1, kind, "-"), frame.copy)
    assert cache.nbytes <= 3_000_000
    assert len(cache) == 1
    huge = pd.DataFrame({"x": range(500_000)})
    assert len(cache.get(Key("db", 1, "huge", "-"), lambda: huge)) == 500_000
    assert "huge" not in set(cache.entries()["kind"])


def test_a_newer_revision_drops_the_older_ones() -> None:
    cache = ResultCache()
    cache.get(Key("db", 1, "frames", "-"), lambda: "old")
    cache.get(Key("other", 1, "frames", "-"), lambda: "other database")
    cache.get(Key("db", 2, "frames", "-"), lambda: "new")
    held = cache.entries()
    assert sorted(zip(held["database"], held["revision"], strict=True)) == [("db", 2),
                                                                           ("other", 1)]


def test_a_replaced_database_whose_revision_went_back_is_never_answered_from_before() -> None:
    """A restored copy (or emptied tables) can bring a database back to a revision it had
    before with other data: nothing computed before the replacement may answer for it."""
    cache = ResultCache()
    cache.get(Key("db", 3, "frames", "-"), lambda: "before the restore, revision 3")
    assert cache.get(Key("db", 2, "frames", "-"), lambda: "restored copy") == "restored copy"
    assert cache.get(Key("db", 2, "frames", "-"), lambda: "again") == "restored copy"
    assert cache.get(Key("db", 3, "frames", "-"), lambda: "after a change") == "after a change"


def test_people_asking_for_the_same_result_at_once_share_one_computation() -> None:
    cache = ResultCache()
    calls = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "frontier"

    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(
        cache.get(Key("db", 1, "frontier", "-"), slow))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["frontier"] * 8
    assert len(calls) == 1


def test_a_failed_computation_keeps_nothing_and_the_next_request_tries_again() -> None:
    cache = ResultCache()
    key = Key("db", 1, "ranking", "-")

    def fails() -> str:
        raise ValueError("weights do not add up")

    with pytest.raises(ValueError, match="weights"):
        cache.get(key, fails)
    assert len(cache) == 0
    assert cache.get(key, lambda: "ranked") == "ranked"


def test_betweenness_is_computed_for_the_ranking_only_when_the_criteria_read_it(
        small_catalogue: Catalogue) -> None:
    """Exact betweenness is most of the metrics' time; the default criteria do not read it."""
    small_catalogue.add_dependency({"upstream_code": "FIN", "downstream_code": "HR-REC"},
                                   by("ana"))
    small_catalogue.add_dependency({"upstream_code": "HR-REC", "downstream_code": "HR-REC-01"},
                                   by("ana"))
    results = Results(small_catalogue, ResultCache())
    default = load_criteria(None)
    assert results.ranking_inputs(default).metrics["betweenness"].isna().all()
    text = (ROOT / "data" / "criteria" / "dt-i.yaml").read_text(encoding="utf-8")
    reading_it = parse_criteria(text.replace("source: graph:pagerank",
                                             "source: graph:betweenness"))
    between = results.ranking_inputs(reading_it).metrics["betweenness"]
    assert between["HR-REC"] > 0  # on the only path of two links
    assert (between.drop("HR-REC") == 0).all()
    unassessed = results.ranking(reading_it, Scenario()).left_out  # ranks with the column
    assert sorted(unassessed) == ["FIN", "HR", "HR-REC", "HR-REC-01"]


def test_the_shared_audit_log_shows_a_sign_in_although_the_catalogue_did_not_change(
        small_catalogue: Catalogue) -> None:
    """Sign-ins add audit events without moving the catalogue revision."""
    results = Results(small_catalogue, ResultCache())
    password = small_catalogue.accounts.ensure_first_admin()
    assert password is not None
    before = results.audit_log(limit=50)
    small_catalogue.accounts.sign_in("admin", password)
    after = results.audit_log(limit=50)
    assert len(after) == len(before) + 1
    assert after["action"].iloc[0] == "sign_in"


EDITS = hyp.lists(hyp.tuples(hyp.sampled_from(["add", "rename", "volume", "delete", "restore",
                                              "link", "unlink", "rate", "unrate", "unit"]),
                             hyp.integers(0, 5), hyp.integers(0, 5)), min_size=1, max_size=10)


def _edit(catalogue: Catalogue, action: str, first: int, second: int) -> None:
    """One change of the kind ``action`` picked by two numbers (refused ones change nothing)."""
    every = catalogue.processes(include_deleted=True)
    codes = sorted(catalogue.processes()["code"])
    deleted = sorted(every.loc[every["deleted_at"].notna(), "code"])
    criterion = load_criteria(None).assessed()[second % 3]
    if action == "add":
        catalogue.add_process({"code": f"P{first}{second}", "name": f"Process {first}",
                               "unit": "GS"}, by("ana"))
    elif codes and action in ("rename", "volume"):
        changes = ({"name": f"Renamed {second}"} if action == "rename"
                   else {"annual_volume": 100 * second})
        catalogue.update_process(codes[first % len(codes)], changes, None, by("ana"))
    elif codes and action == "delete":
        catalogue.delete_process(codes[first % len(codes)], by("ana"))
    elif deleted and action == "restore":
        catalogue.restore_process(deleted[first % len(deleted)], by("root"))
    elif len(codes) > 1 and action == "link":
        catalogue.add_dependency({"upstream_code": codes[first % len(codes)],
                                  "downstream_code": codes[second % len(codes)]}, by("ana"))
    elif codes and action == "unlink":
        links = catalogue.dependencies()
        if len(links):
            row = links.iloc[first % len(links)]
            catalogue.remove_dependency(row["upstream_code"], row["downstream_code"], by("ana"))
    elif codes and action == "rate":
        catalogue.add_assessment({"process_code": codes[first % len(codes)],
                                  "criterion_key": criterion.key, "value": criterion.scale.low,
                                  "rater": "ana"}, by("ana"))
    elif codes and action == "unrate":
        rated = catalogue.assessments()
        if len(rated):
            catalogue.delete_assessment(int(rated["id"].iloc[first % len(rated)]), by("ana"))
    elif action == "unit":
        catalogue.update_unit("GS", {"name": f"General Secretariat {first}"}, None, by("ana"))


@given(edits=EDITS)
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_whatever_is_changed_the_shared_results_equal_a_fresh_read(
        tmp_path: Path, edits: list[tuple[str, int, int]]) -> None:
    """The promise of the README's "Computed once, shared by everyone": after any sequence of
    changes, each read between them, what the cache hands out is what the database holds,
    frames kept across revisions and graphs kept by content included."""
    catalogue = Catalogue.open(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.db")
    try:
        catalogue.add_unit({"code": "GS", "name": "General Secretariat"}, by("ana"))
        results = Results(catalogue, ResultCache())
        for action, first, second in edits:
            with contextlib.suppress(CatalogueError):  # a refused change changes nothing
                _edit(catalogue, action, first, second)
            fresh = catalogue.frames()
            shared = results.frames()
            for kind, frame in fresh.items():
                pd.testing.assert_frame_equal(shared[kind], frame)
            pd.testing.assert_frame_equal(results.ratings(), catalogue.ratings())
            assert sorted(results.graph().edges(data=True)) == sorted(
                catalogue.graph().edges(data=True))
            pd.testing.assert_frame_equal(results.metrics(), metrics(catalogue.graph()))
    finally:
        catalogue.engine.dispose()


def test_the_shared_ranking_is_the_ranking_of_the_whole_inventory(
        sample_catalogue: Catalogue) -> None:
    """The shared ranking reads the assessments' values alone; it ranks exactly as the
    command line does from every column (and the staff demand of the sample's cases)."""
    criteria = load_criteria(None)
    frames = sample_catalogue.frames()
    whole = rank(RankingInputs(processes=frames["processes"], assessments=frames["assessments"],
                               metrics=metrics(sample_catalogue.graph()),
                               dependencies=frames["dependencies"],
                               demand=sample_catalogue.cases.demand()), criteria, Scenario())
    shared = Results(sample_catalogue, ResultCache()).ranking(criteria, Scenario())
    pd.testing.assert_frame_equal(shared.table, whole.table)


def test_each_frame_is_kept_by_every_table_it_is_read_from(
        small_catalogue: Catalogue) -> None:
    """A frame kept across revisions must name every table its query reads, or a change to
    the one it forgot would never show: the tables in the SQL each reader runs are listed."""
    read: list[str] = []

    def note(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        read.append(statement)

    readers = {kind: (FRAME_TABLES[kind], lambda kind=kind: small_catalogue.frame(kind))
               for kind in FRAME_TABLES}
    readers["assessment rows"] = (("assessments",), small_catalogue.assessment_rows)
    readers["dependency rows"] = (("dependencies",), small_catalogue.dependency_rows)
    event.listen(small_catalogue.engine, "before_cursor_execute", note)
    try:
        for kind, (tables, reader) in readers.items():
            read.clear()
            reader()
            named = {name for statement in read
                     for name in re.findall(r"(?:FROM|JOIN)\s+(\w+)", statement)}
            assert named - {"catalogue_revision", "table_revisions"} <= set(tables), kind
    finally:
        event.remove(small_catalogue.engine, "before_cursor_execute", note)
    assert set(DEPENDENCIES_TABLES) >= {"dependencies", *FRAME_TABLES["processes"]}
    assert set(RATINGS_TABLES) >= {"assessments", *FRAME_TABLES["processes"]}


def test_a_cached_figure_counts_its_data_against_the_byte_bound() -> None:
    """Pages keep plotly figures in the cache: a figure of 10,000 points must weigh what it
    holds, or the byte bound would not hold."""
    import plotly.graph_objects as go

    figure = go.Figure(go.Scatter(x=list(range(10_000)), y=list(range(10_000))))
    assert size_of(figure) > 20_000
