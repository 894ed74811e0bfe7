"""`dti graph` on the sample inventory: metrics, impact, cycles, waves, in every format."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from inventory.cli import app

runner = CliRunner()


@pytest.fixture
def db(sample_url: str) -> str:
    return sample_url


def dti(db: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_metrics_rank_the_processes_that_unblock_most(db: str) -> None:
    rows = json.loads(dti(db, "graph", "metrics", "--format", "json"))
    assert len(rows) >= 40
    assert {"code", "downstream", "upstream", "pagerank", "betweenness", "betweenness_method",
            "longest_chain", "scc_id", "scc_size", "on_cycle", "wave"} <= set(rows[0])
    reach = [row["downstream"] for row in rows]
    assert reach == sorted(reach, reverse=True)  # sorted by downstream reach by default
    top = json.loads(dti(db, "graph", "metrics", "--sort", "pagerank", "--top", "3", "--format",
                         "json"))
    assert len(top) == 3 and top[0]["pagerank"] >= top[2]["pagerank"]
    table = dti(db, "graph", "metrics", "--top", "5")
    assert "betweenness: exact" in table and rows[0]["code"] in table


def test_impact_downstream_upstream_and_limits(db: str) -> None:
    every = pd.read_csv(io.StringIO(dti(db, "graph", "impact", "MEM-IDM", "--format", "csv")))
    near = pd.read_csv(io.StringIO(dti(db, "graph", "impact", "MEM-IDM", "--depth", "1",
                                       "--format", "csv")))
    assert len(near) < len(every) and set(near["distance"]) == {1}
    assert all(path.startswith("MEM-IDM > ") for path in every["path"])
    needs = json.loads(dti(db, "graph", "impact", "HR-REC", "--upstream", "--own-links-only",
                           "--format", "json"))
    assert needs and all(row["path"].startswith("HR-REC < ") for row in needs)


def test_cycles_are_listed_with_the_links_to_question(db: str) -> None:
    loops = json.loads(dti(db, "graph", "cycles", "--format", "json"))
    members = {row["members"] for row in loops}
    assert "HR-ADM; HR-REC; HR-WFP" in members
    assert all("->" in row["cut"] for row in loops)


def test_waves_respect_every_dependency(db: str) -> None:
    waves = {row["code"]: row for row in json.loads(dti(db, "graph", "waves", "--format",
                                                        "json"))}
    links = json.loads(dti(db, "dep", "list", "--format", "json"))
    for link in links:
        up, down = waves[link["upstream_code"]], waves[link["downstream_code"]]
        assert up["wave"] < down["wave"] or up["scc_id"] == down["scc_id"]


def test_unknown_codes_and_sort_columns_are_refused(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "graph", "impact", "NOPE"])
    assert result.exit_code == 1 and "NOPE" in result.stderr
    result = runner.invoke(app, ["--db", db, "graph", "metrics", "--sort", "colour"])
    assert result.exit_code == 1 and "cannot sort by 'colour'" in result.stderr


def test_a_parent_includes_its_sub_processes_links_unless_asked_not_to(db: str) -> None:
    """HR records no dependency of its own; its sub-processes do."""
    own = json.loads(dti(db, "graph", "impact", "HR", "--own-links-only", "--format", "json"))
    rolled = json.loads(dti(db, "graph", "impact", "HR", "--format", "json"))
    children = {row["code"] for row in json.loads(dti(db, "process", "list", "--format",
                                                      "json")) if row["code"].startswith("HR-")}
    assert own == [] and rolled
    assert all(row["code"] not in children and row["path"].split(" > ")[0] in children
               for row in rolled)
    needs = json.loads(dti(db, "graph", "impact", "HR", "--upstream", "--format", "json"))
    assert needs and all(row["path"].split(" < ")[0] in children for row in needs)
