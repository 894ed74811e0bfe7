"""Pages reuse results computed once per revision of the data, and never show stale ones:
a change made by another app process (a second Catalogue on the same database) shows on every
page at the next rerun, and what is computed for one person is never served to another."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.services import Catalogue
from scoring.criteria import load_criteria
from tests.support import by
from tests.ui.harness import APP, add_account, open_session, sign_in, start

NEW = "ZZ-NEW"
PAGES = ["views/inventory.py", "views/prioritise.py", "views/robustness.py",
         "views/backlog.py", "views/portfolio.py", "views/assess.py",
         "views/dependencies.py", "views/scenarios.py"]


def shown_codes(app: AppTest) -> set[str]:
    """Every process code the page shows in a table or offers in a choice."""
    codes: set[str] = set()
    for element in [*app.dataframe, *app.table]:
        frame = element.value
        if isinstance(frame, pd.DataFrame):
            for column in ("code", "Code"):
                if column in frame.columns:
                    codes |= set(frame[column].astype(str))
    for box in [*app.selectbox, *app.multiselect]:
        codes |= {str(option).split(" · ")[0] for option in box.options}
    return codes


def processes_metric(app: AppTest) -> str:
    return next(m.value for m in app.metric if m.label == "Processes")


def _add_ranked_process(database_url: str) -> None:
    """A new, fully assessed process, added by another app process."""
    other = Catalogue.open(database_url)
    try:
        unit = str(other.units()["code"].iloc[0])
        other.add_process({"code": NEW, "name": "Brand new process", "unit": unit}, by("ana"))
        for criterion in load_criteria(None).assessed():
            other.add_assessment({"process_code": NEW, "criterion_key": criterion.key,
                                  "value": criterion.scale.high, "rater": "ana"}, by("ana"))
    finally:
        other.engine.dispose()


def test_a_change_from_another_app_process_shows_on_every_page_at_the_next_rerun(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = start(database_url, monkeypatch, timeout=120)
    before: dict[str, set[str]] = {}
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        before[page] = shown_codes(app)
        assert NEW not in before[page], page
    app.switch_page("views/overview.py").run()
    count = processes_metric(app)

    _add_ranked_process(database_url)

    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        assert NEW in shown_codes(app), f"{page} still shows the data from before the change"
    app.switch_page("views/overview.py").run()
    assert int(processes_metric(app)) == int(count) + 1


@pytest.fixture
def two_leaders(database_url: str) -> Iterator[tuple[AppTest, AppTest]]:
    """Two people of the leadership role, each in their own browser session on one server."""
    sessions = []
    for name in ("lea", "leo"):
        add_account(database_url, name, Role.leadership)
        sessions.append(sign_in(AppTest.from_file(APP, default_timeout=120), name,
                                Role.leadership, open_session(database_url, name,
                                                              Role.leadership)))
    yield sessions[0], sessions[1]


def test_a_backlog_computed_for_one_person_is_never_served_to_another(
        database_url: str, monkeypatch: pytest.MonkeyPatch,
        two_leaders: tuple[AppTest, AppTest]) -> None:
    start(database_url, monkeypatch, name="vic", role=Role.viewer)  # a fresh server
    for app, name in zip(two_leaders, ("lea", "leo"), strict=True):
        app.run()
        app.switch_page("views/backlog.py").run()
        assert not app.exception, app.exception
        record = app.dataframe[-1].value
        exported_by = record.loc[record["item"] == "Exported by", "value"].iloc[0]
        assert exported_by == name
