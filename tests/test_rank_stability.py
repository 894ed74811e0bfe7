"""What leadership relies on when the inventory grows or is still incomplete, checked on random
inventories (graph metrics computed by :mod:`inventory.graph`, as the tool does):

* processes with no dependency path to the ranked ones never change their scores or their
  order, under every method (TOPSIS and VIKOR against the declared scales, the default);
* every way of filling in the unknown values ranks each process inside the best and worst
  rank shown, under every method, missing-value policy and dependency uplift.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.graph import build_graph, metrics
from scoring.criteria import parse_criteria
from scoring.ranking import RankingInputs, rank
from scoring.scenario import Ideal, Method, Scenario

CRITERIA = parse_criteria("""
criteria:
  - {key: a, group: impact, weight: 3, scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: b, group: impact, weight: 1, missing: worst,
     scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: effort, group: effort, direction: cost, weight: 2,
     scale: {levels: {1: l1, 2: l2, 3: l3, 4: l4, 5: l5}}}
  - {key: volume, group: impact, source: "field:annual_volume", weight: 1,
     scale: {low: 0, high: 1000, log: true}}
  - {key: centrality, group: dependency, source: "graph:pagerank", weight: 2,
     scale: {low: 0, high: 3}}
  - {key: reach, group: dependency, source: "graph:downstream", weight: 1,
     scale: {low: 0, high: 5}}
  - {key: between, group: dependency, source: "graph:betweenness", weight: 1,
     scale: {low: 0, high: 0.5}}
""")
RATED = ("a", "b", "effort")
PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Inventory = tuple[dict[str, dict[str, float]], dict[str, float | None], list[tuple[str, str]]]


@st.composite
def inventories(draw: st.DrawFn, letters: str, size: tuple[int, int]) -> Inventory:
    """Processes named from ``letters``: their ratings (any may be unknown), annual volume
    (or unknown) and dependencies among themselves."""
    codes = draw(st.lists(st.sampled_from([f"{x}{i}" for x in letters for i in range(3)]),
                          min_size=size[0], max_size=size[1], unique=True))
    ratings = {code: draw(st.fixed_dictionaries(
        {}, optional={key: st.integers(1, 5).map(float) for key in RATED})) for code in codes}
    volumes = {code: draw(st.none() | st.floats(0, 1000)) for code in codes}
    edges = draw(st.lists(st.tuples(st.sampled_from(codes), st.sampled_from(codes)),
                          max_size=2 * len(codes)))
    return ratings, volumes, [(a, b) for a, b in edges if a != b]


def ranking_inputs(*parts: Inventory) -> RankingInputs:
    """The inputs the tool builds from these processes: frames, graph and its metrics."""
    ratings = {code: r for part in parts for code, r in part[0].items()}
    volumes = {code: v for part in parts for code, v in part[1].items()}
    processes = pd.DataFrame({"code": list(ratings), "name": list(ratings),
                              "annual_volume": [volumes[c] for c in ratings]})
    assessments = pd.DataFrame(
        [{"process_code": code, "criterion_key": key, "value": value, "rater": "r"}
         for code, row in ratings.items() for key, value in row.items()],
        columns=["process_code", "criterion_key", "value", "rater"])
    dependencies = pd.DataFrame([edge for part in parts for edge in part[2]],
                                columns=["upstream_code", "downstream_code"])
    graph = build_graph(processes, dependencies)
    return RankingInputs(processes, assessments, metrics(graph), dependencies)


def scenarios(ideals: list[Ideal]) -> st.SearchStrategy[Scenario]:
    return st.builds(
        lambda method, ideal, **rest: Scenario(method=method, **rest, **(
            {"ideal": ideal} if ideal is not Ideal.DECLARED else {})),
        method=st.sampled_from(list(Method)), ideal=st.sampled_from(ideals),
        missing=st.sampled_from([None, "exclude", "midpoint", "worst", "best"]),
        uplift=st.sampled_from([0.0, 0.4]), include_unassessed=st.booleans())


@PROPERTY
@given(inventories("ACEG", (1, 6)), inventories("BDFH", (1, 5)), scenarios([Ideal.DECLARED]))
def test_processes_with_no_dependency_path_never_reorder_the_ranked_ones(
        ranked: Inventory, unrelated: Inventory, scenario: Scenario) -> None:
    before = rank(ranking_inputs(ranked), CRITERIA, scenario).table
    after = rank(ranking_inputs(ranked, unrelated), CRITERIA, scenario).table
    after = after[after["code"].isin(before["code"])].reset_index(drop=True)
    assert after["code"].tolist() == before["code"].tolist()
    assert after["score"].tolist() == before["score"].tolist()
    ties_before = np.diff(before["rank"].to_numpy()) == 0
    assert (np.diff(after["rank"].to_numpy()) == 0).tolist() == ties_before.tolist()


def filled_in(ranked: Inventory, codes: list[str], data: st.DataObject) -> Inventory:
    """``ranked`` with every unknown value of the processes in ``codes`` filled in: any value
    on its scale, its ends drawn often."""
    ratings, volumes, edges = ranked
    level = st.sampled_from([1.0, 5.0]) | st.floats(1, 5)
    full = {code: {**{key: data.draw(level) for key in RATED}, **row} if code in codes
            else row for code, row in ratings.items()}
    volume = st.sampled_from([0.0, 1000.0]) | st.floats(0, 1000)
    known = {code: v if v is not None or code not in codes else data.draw(volume)
             for code, v in volumes.items()}
    return full, known, edges


@PROPERTY
@given(inventories("ACEG", (2, 7)), scenarios(list(Ideal)), st.data())
def test_every_filling_in_of_the_unknown_values_ranks_inside_the_interval_shown(
        ranked: Inventory, scenario: Scenario, data: st.DataObject) -> None:
    shown = rank(ranking_inputs(ranked), CRITERIA, scenario).table.set_index("code")
    codes = shown.index.tolist()
    for _ in range(3):
        truth = rank(ranking_inputs(filled_in(ranked, codes, data)), CRITERIA, scenario)
        ranks: Any = truth.table.set_index("code")["rank"].reindex(codes)
        assert (shown["best_rank"] <= ranks).all() and (ranks <= shown["worst_rank"]).all(), \
            pd.DataFrame({"shown": shown["rank"], "best": shown["best_rank"],
                          "worst": shown["worst_rank"], "filled_in": ranks})
    assert ((shown["best_rank"] <= shown["rank"]) & (shown["rank"] <= shown["worst_rank"])).all()
