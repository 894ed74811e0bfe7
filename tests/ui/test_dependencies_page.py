"""The Dependencies page, driven headless with AppTest, on the sample inventory, and its network
figure (views.network_chart) on generated graphs."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from inventory import graph
from inventory.services import Catalogue
from tests.ui.harness import start
from views.network_chart import (
    COLUMN_LIMIT,
    LABEL_ALL_LIMIT,
    LABEL_LIMIT,
    WAVE_LABELS,
    labelled_codes,
    nearest,
    neighbourhood,
    network_figure,
    placed_nodes,
    ripple_groups,
)

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def page(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    test = start(database_url, monkeypatch)
    test.switch_page("views/dependencies.py").run()
    assert not test.exception, test.exception
    yield test


def test_the_network_cycles_and_waves_are_shown(page: AppTest, database_url: str) -> None:
    loops = graph.cycles(Catalogue.open(database_url).graph())
    assert len(loops) >= 1
    shown = page.dataframe[0].value
    assert list(shown["Members"]) == list(loops["members"])
    assert len(page.get("plotly_chart")) == 2  # the network and the waves


def test_choosing_a_process_shows_its_ripple_both_ways(page: AppTest, database_url: str) -> None:
    page.selectbox(key="ripple_code").set_value("MEM-IDM").run()
    assert not page.exception
    dependencies = Catalogue.open(database_url).graph()
    downstream = graph.impact(dependencies, ["MEM-IDM"])
    upstream = graph.impact(dependencies, ["MEM-IDM"], direction="upstream")
    tabs = [tab.label for tab in page.tabs]
    assert f"Feeds ({len(downstream)})" in tabs and f"Needs ({len(upstream)})" in tabs
    feeds = page.dataframe[0].value
    assert list(feeds["code"]) == list(downstream["code"])


def test_roll_up_links_parents(page: AppTest, database_url: str) -> None:
    page.toggle(key="roll_up").set_value(True).run()
    assert not page.exception
    rolled = Catalogue.open(database_url).graph(roll_up=True)
    direct = Catalogue.open(database_url).graph()
    assert rolled.number_of_edges() > direct.number_of_edges()


def network(page: AppTest) -> dict[str, Any]:
    """The network figure as the browser receives it."""
    return dict(json.loads(page.get("plotly_chart")[0].proto.spec))


def values(data: Any) -> list[Any]:
    """A figure's array as a list: plotly sends numeric arrays base64-encoded with their dtype."""
    if isinstance(data, dict) and "bdata" in data:
        raw = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        return raw.tolist()
    return list(data)


def drawn_processes(figure: dict[str, Any]) -> pd.DataFrame:
    """One row per process point: code (from its hover text), x, y and the label shown."""
    rows = []
    for trace in figure["data"]:
        if "text" not in trace.get("mode", ""):
            continue
        for hover, x, y, shown in zip(values(trace["hovertext"]), values(trace["x"]),
                                      values(trace["y"]), values(trace["text"]), strict=True):
            rows.append((hover.split("</b>")[0].removeprefix("<b>"), x, y, shown))
    return pd.DataFrame(rows, columns=["code", "x", "y", "label"])


def arrowheads(figure: dict[str, Any], name: str | None = None) -> set[tuple[float, float]]:
    """Where the arrowheads of the edge traces (or only the trace ``name``) sit."""
    heads = set()
    for trace in figure["data"]:
        marker = trace.get("marker", {})
        if marker.get("symbol") != "arrow" or name not in (None, trace["name"]):
            continue
        assert marker["angleref"] == "previous"  # turned along its edge
        for x, y, size in zip(values(trace["x"]), values(trace["y"]), values(marker["size"]),
                              strict=True):
            if size:
                heads.add((round(x, 6), round(y, 6)))
    return heads


def head_of(points: pd.DataFrame, up: str, down: str) -> tuple[float, float]:
    """Where an arrowhead from ``up`` to ``down`` belongs: 60% of the way, nearer ``down``."""
    (x0, y0), (x1, y1) = (points.loc[up, ["x", "y"]], points.loc[down, ["x", "y"]])
    return round(x0 + 0.6 * (x1 - x0), 6), round(y0 + 0.6 * (y1 - y0), 6)


def test_crowded_waves_spread_and_every_process_of_the_sample_is_labelled(
        page: AppTest, database_url: str) -> None:
    dependencies = Catalogue.open(database_url).graph()
    shown = drawn_processes(network(page))
    assert sorted(shown["code"]) == sorted(dependencies.nodes)
    assert shown.groupby("x").size().max() <= COLUMN_LIMIT  # wave 1 holds far more
    assert (shown["label"] == shown["code"]).all()  # few enough to read every code


def test_every_dependency_shows_its_direction(page: AppTest, database_url: str) -> None:
    dependencies = Catalogue.open(database_url).graph()
    figure = network(page)
    points = drawn_processes(figure).set_index("code")
    assert arrowheads(figure) == {head_of(points, up, down) for up, down in dependencies.edges}


def test_the_chosen_process_and_its_links_stand_out(page: AppTest, database_url: str) -> None:
    page.selectbox(key="ripple_code").set_value("MEM-IDM").run()
    assert not page.exception
    dependencies = Catalogue.open(database_url).graph()
    feeds = set(graph.impact(dependencies, ["MEM-IDM"])["code"])
    figure = network(page)
    points = drawn_processes(figure).set_index("code")
    assert set(points["label"]) >= feeds | {"MEM-IDM"}
    links = {head_of(points, up, down) for up, down in dependencies.edges
             if down in feeds and (up in feeds or up == "MEM-IDM")}
    assert arrowheads(figure, "feeds link") == links


def test_a_parent_feeds_what_its_sub_processes_feed(page: AppTest, database_url: str) -> None:
    """HR records no dependency itself: by default it stands for its sub-processes."""
    dependencies = Catalogue.open(database_url).graph()
    rolled = graph.impact(dependencies, ["HR"], include_sub_processes=True)
    needs = graph.impact(dependencies, ["HR"], direction="upstream", include_sub_processes=True)
    assert graph.impact(dependencies, ["HR"]).empty and len(rolled) and len(needs)
    page.selectbox(key="ripple_code").set_value("HR").run()
    assert not page.exception
    labels = [tab.label for tab in page.tabs]
    assert f"Feeds ({len(rolled)})" in labels and f"Needs ({len(needs)})" in labels
    assert list(page.dataframe[0].value["code"]) == list(rolled["code"])
    page.toggle(key="with_sub_processes").set_value(False).run()  # its own links only
    assert {"Feeds (0)", "Needs (0)"} <= {tab.label for tab in page.tabs}


def test_a_large_network_labels_only_the_neighbourhood_of_the_chosen_process() -> None:
    """Over LABEL_ALL_LIMIT processes, codes would overlap: only the chosen process and what it
    feeds or needs within the chosen depth are labelled, the rest on hover."""
    size = LABEL_ALL_LIMIT + 50
    codes = [f"P{i:03d}" for i in range(size)]
    processes = pd.DataFrame({"code": codes, "name": codes, "unit": "U", "parent_code": None})
    chain = pd.DataFrame({"upstream_code": codes[:-1], "downstream_code": codes[1:]})
    dependencies = graph.build_graph(processes, chain)
    nodes = graph.metrics(dependencies).reset_index().assign(
        name=lambda f: f["code"], unit="U", owner="—")
    middle = codes[size // 2]
    downstream = graph.impact(dependencies, [middle])
    upstream = graph.impact(dependencies, [middle], direction="upstream")
    near = neighbourhood([middle], downstream, upstream, depth=2)
    labelled = labelled_codes(nodes, near)
    assert labelled == set(codes[size // 2 - 2:size // 2 + 3])
    ripple = ripple_groups(middle, [], downstream, upstream)
    figure = network_figure(dependencies, placed_nodes(dependencies, nodes), "unit", ripple,
                            labelled).to_plotly_json()
    shown = drawn_processes(figure)
    assert set(shown.loc[shown["label"] != "", "code"]) == labelled
    assert shown.groupby("x").size().max() <= COLUMN_LIMIT
    numbered = [text for text in figure["layout"]["xaxis"]["ticktext"] if text]
    assert numbered[0] == "1" and len(numbered) <= WAVE_LABELS < size  # waves stay legible


def test_a_crowded_neighbourhood_labels_the_chosen_process_and_its_nearest() -> None:
    """A hub feeding more processes than can be labelled: the hub and its widest-reaching
    direct neighbours are labelled, up to LABEL_LIMIT, and the drawing keeps the nearest."""
    spokes = [f"S{i:03d}" for i in range(LABEL_ALL_LIMIT + 20)]
    codes = ["HUB", "FAR", *spokes]
    processes = pd.DataFrame({"code": codes, "name": codes, "unit": "U", "parent_code": None})
    links = pd.DataFrame({"upstream_code": ["HUB"] * len(spokes) + [spokes[0], spokes[1]],
                          "downstream_code": [*spokes, "FAR", spokes[2]]})
    dependencies = graph.build_graph(processes, links)
    nodes = graph.metrics(dependencies).reset_index()
    near = neighbourhood(["HUB"], graph.impact(dependencies, ["HUB"]),
                         graph.impact(dependencies, ["HUB"], direction="upstream"), depth=2)
    labelled = labelled_codes(nodes, near)
    assert len(labelled) == LABEL_LIMIT and "HUB" in labelled and "FAR" not in labelled
    assert {spokes[0], spokes[1]} <= labelled  # they feed others: the widest reach
    assert nearest(near, nodes, 3) == ["HUB", spokes[0], spokes[1]]
