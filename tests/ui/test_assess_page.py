"""The Assess page, driven headless with AppTest on the sample inventory, on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Radio, TextInput

from inventory.services import Catalogue
from scoring.criteria import load_criteria
from tests.support import by
from tests.ui.harness import start

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SAVE = "FormSubmitter:assess_form-Save ratings"
CRITERIA = load_criteria().assessed()
LABELS = {c.key: c.label for c in CRITERIA}


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The app on an empty database (the first start loads the sample), as user 'ana'."""
    monkeypatch.delenv("DTI_CRITERIA", raising=False)
    yield start(database_url, monkeypatch)


def _assess(app: AppTest, process: str | None = None, rater: str | None = None) -> AppTest:
    app.switch_page("views/assess.py").run()
    if process is not None:
        app.selectbox(key="assess_code").set_value(process).run()
    if rater is not None:
        _choose_rater(app, rater)
    assert not app.exception, app.exception
    return app


def _choose_rater(app: AppTest, rater: str) -> AppTest:
    """Pick ``rater`` from the known raters, or type them in as someone new."""
    picker = app.selectbox(key="rater")
    if rater in picker.options:
        return picker.set_value(rater).run()
    picker.set_value(picker.options[-1]).run()  # "Someone else (a new rater)…", always last
    return app.text_input(key="new_rater").input(rater).run()


def _rate(app: AppTest, criterion: str) -> Radio[Any]:
    """The scale of ``criterion`` (its key is ``rate:GENERATION:CRITERION``)."""
    found = [r for r in app.radio if r.key and r.key.startswith("rate:")
             and r.key.endswith(f":{criterion}")]
    assert len(found) == 1, [r.key for r in app.radio]
    return found[0]


def _why(app: AppTest, criterion: str) -> TextInput:
    """The rationale field of ``criterion``."""
    found = [t for t in app.text_input if t.key and t.key.startswith("why:")
             and t.key.endswith(f":{criterion}")]
    assert len(found) == 1
    return found[0]


def _stored(database_url: str, process: str, rater: str) -> dict[str, dict[Any, Any]]:
    """One rater's live ratings of one process by criterion, read straight from the catalogue."""
    frame = Catalogue.open(database_url).assessments(process_code=process)
    mine = frame[frame["rater"] == rater]
    return {str(row["criterion_key"]): row for row in mine.to_dict("records")}


def _text(app: AppTest, element: str) -> str:
    return " ".join(str(e.value) for e in getattr(app, element))


def _raters_table(app: AppTest) -> pd.DataFrame:
    tables = [d.value for d in app.dataframe
              if "Spread" in d.value and "Process" not in d.value]
    assert len(tables) == 1
    return tables[0].set_index("Criterion")


def test_the_page_shows_every_assessed_criterion_preset_to_the_raters_values(
        app: AppTest, database_url: str) -> None:
    _assess(app, "HR-REC")
    assert "HR-REC · Recruitment and selection" in _text(app, "markdown")
    for criterion in CRITERIA:  # a new rater: everything starts unrated, never at zero
        assert _rate(app, criterion.key).value == "not rated"
        assert f"**{criterion.label}**" in _text(app, "markdown")
    _choose_rater(app, "analyst.a")
    stored = _stored(database_url, "HR-REC", "analyst.a")
    assert len(stored) >= 3
    for criterion in CRITERIA:
        row = stored.get(criterion.key, {"value": "not rated", "rationale": None})
        assert _rate(app, criterion.key).value == row["value"]
        assert _why(app, criterion.key).value == (row["rationale"] or "")


def test_saving_as_a_new_rater_adds_exactly_those_ratings(app: AppTest,
                                                          database_url: str) -> None:
    others = len(Catalogue.open(database_url).assessments(process_code="HR-REC"))
    _assess(app, "HR-REC")
    assert _stored(database_url, "HR-REC", "ana") == {}
    _rate(app, "member_experience").set_value(4.0)
    _why(app, "member_experience").input("Candidates are often members' nationals.")
    _rate(app, "complexity").set_value(2.0)
    app.button(key=SAVE).click().run()
    assert not app.exception
    assert "Saved 2 ratings for HR-REC by ana" in _text(app, "success")
    mine = _stored(database_url, "HR-REC", "ana")
    assert sorted(mine) == ["complexity", "member_experience"]
    assert mine["member_experience"]["value"] == 4.0
    assert mine["member_experience"]["rationale"] == "Candidates are often members' nationals."
    assert mine["complexity"]["value"] == 2.0 and mine["complexity"]["created_by"] == "ana"
    everyone = Catalogue.open(database_url).assessments(process_code="HR-REC")
    assert len(everyone) == others + 2
    assert _rate(app, "complexity").value == 2.0  # the form now shows what was saved
    assert _rate(app, "duration").value == "not rated"


def test_changing_a_value_updates_it_and_clearing_one_deletes_it(app: AppTest,
                                                                 database_url: str) -> None:
    before = _stored(database_url, "HR-REC", "analyst.a")
    changed, cleared = "member_experience", "information_governance_risk"
    new_value = 3.0 if before[changed]["value"] != 3.0 else 4.0
    _assess(app, "HR-REC", rater="analyst.a")
    _rate(app, changed).set_value(new_value)
    _rate(app, cleared).set_value("not rated")
    app.button(key=SAVE).click().run()
    assert not app.exception
    assert ("Saved 2 ratings for HR-REC by analyst.a: 0 new, 1 changed, 1 cleared"
            in _text(app, "success"))
    after = _stored(database_url, "HR-REC", "analyst.a")
    assert after[changed]["value"] == new_value
    assert after[changed]["id"] == before[changed]["id"]
    assert after[changed]["version"] == before[changed]["version"] + 1
    assert after[changed]["updated_by"] == "ana"
    assert cleared not in after
    untouched = set(before) - {changed, cleared}
    assert untouched and set(after) == untouched | {changed}
    assert all(after[k]["version"] == before[k]["version"] for k in untouched)


def test_a_change_made_meanwhile_is_a_conflict_and_nothing_is_lost(app: AppTest,
                                                                   database_url: str) -> None:
    _assess(app, "HR-REC", rater="analyst.a")  # the page has read analyst.a's ratings
    before = _stored(database_url, "HR-REC", "analyst.a")
    row = before["complexity"]
    # Someone else changes analyst.a's complexity rating while the form is open.
    Catalogue.open(database_url).update_assessment(int(row["id"]), {"value": 5},
                                                   int(row["version"]), by("bob"))
    _rate(app, "complexity").set_value(2.0)
    _rate(app, "member_experience").set_value(5.0)
    app.button(key=SAVE).click().run()
    assert not app.exception
    errors = _text(app, "error")
    assert "Not saved" in errors and "Complexity was changed by bob" in errors
    after = _stored(database_url, "HR-REC", "analyst.a")
    assert after["complexity"]["value"] == 5.0  # bob's change stands
    assert after["member_experience"]["version"] == before["member_experience"]["version"]
    assert _rate(app, "complexity").value == 2.0  # and the user's choices are kept
    assert _rate(app, "member_experience").value == 5.0
    # The user has seen bob's value and keeps theirs: the next save overwrites it knowingly.
    app.button(key="assess_keep").click().run()
    assert "Not saved" not in _text(app, "error")
    assert _rate(app, "complexity").value == 2.0
    app.button(key=SAVE).click().run()
    assert "Saved 2 ratings for HR-REC by analyst.a" in _text(app, "success")
    final = _stored(database_url, "HR-REC", "analyst.a")
    assert final["complexity"]["value"] == 2.0
    assert final["complexity"]["version"] == row["version"] + 2


def test_coming_back_to_the_page_shows_the_latest_values(app: AppTest,
                                                        database_url: str) -> None:
    _assess(app, "HR-REC", rater="analyst.a")
    row = _stored(database_url, "HR-REC", "analyst.a")["complexity"]
    app.switch_page("views/inventory.py").run()
    Catalogue.open(database_url).update_assessment(int(row["id"]), {"value": 1},
                                                   int(row["version"]), by("bob"))
    app.switch_page("views/assess.py").run()
    assert app.selectbox(key="rater").value == "analyst.a"
    assert _rate(app, "complexity").value == 1.0
    _rate(app, "complexity").set_value(2.0)
    app.button(key=SAVE).click().run()  # no conflict: the form stands on bob's version
    assert "Saved 1 rating for HR-REC by analyst.a" in _text(app, "success")


def test_discarding_after_a_conflict_loads_the_latest(app: AppTest, database_url: str) -> None:
    _assess(app, "HR-REC", rater="analyst.a")
    row = _stored(database_url, "HR-REC", "analyst.a")["complexity"]
    Catalogue.open(database_url).delete_assessment(int(row["id"]), by("bob"), int(row["version"]))
    _rate(app, "complexity").set_value(1.0)
    app.button(key=SAVE).click().run()
    assert "Complexity was removed" in _text(app, "error")
    app.button(key="assess_reload").click().run()
    assert "Not saved" not in _text(app, "error")
    assert _rate(app, "complexity").value == "not rated"
    assert "complexity" not in _stored(database_url, "HR-REC", "analyst.a")


def test_the_raters_table_shows_each_value_the_median_and_the_spread(
        app: AppTest, database_url: str) -> None:
    frame = Catalogue.open(database_url).assessments()
    frame = frame[frame["criterion_key"].isin(LABELS)]
    groups = frame.groupby(["process_code", "criterion_key"])["value"]
    spreads = (groups.max() - groups.min()).sort_values(kind="stable")
    process, key = spreads.index[-1]
    assert spreads.iloc[-1] > 0, "the sample should hold a disagreement"
    _assess(app, process)
    table = _raters_table(app)
    row = table.loc[LABELS[key]]
    assert row["Spread"] == f"{spreads.iloc[-1]:g}"
    assert row["Median"] == f"{groups.median()[(process, key)]:g}"
    for rater, value in frame[(frame["process_code"] == process)
                              & (frame["criterion_key"] == key)][["rater", "value"]].values:
        assert row[rater] == f"{value:g}"
    assert list(table.index) == [c.label for c in CRITERIA]


def test_a_disagreement_of_half_the_scale_is_flagged(app: AppTest, database_url: str) -> None:
    stored = _stored(database_url, "HR-REC", "analyst.a")
    key = max(stored, key=lambda k: stored[k]["value"])
    top = stored[key]["value"]
    assert top >= 4
    _assess(app, "HR-REC")
    assert "⚠️" not in str(_raters_table(app).loc[LABELS[key], "Spread"])
    flagged_before = int(next(m.value for m in app.metric
                              if m.label == "Criteria with disagreement"))
    Catalogue.open(database_url).add_assessment(
        {"process_code": "HR-REC", "criterion_key": key, "value": top - 3, "rater": "carol"},
        by("carol"))
    app.run()
    table = _raters_table(app)
    assert table.loc[LABELS[key], "Spread"] == "3 ⚠️"
    assert table.loc[LABELS[key], "carol"] == f"{top - 3:g}"
    assert LABELS[key] in _text(app, "warning")
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Criteria with disagreement"]) == flagged_before + 1


def test_the_process_query_parameter_preselects_it(app: AppTest) -> None:
    app.query_params["process"] = "HR-ADM"
    _assess(app)
    assert app.selectbox(key="assess_code").value == "HR-ADM"
    assert "HR-ADM · " in _text(app, "markdown")
    assert len(_raters_table(app)) == len(CRITERIA)


def test_the_coverage_heatmap_and_metrics_cover_the_inventory(app: AppTest,
                                                              database_url: str) -> None:
    reader = Catalogue.open(database_url)
    frame = reader.assessments()
    frame = frame[frame["criterion_key"].isin(LABELS)]
    _assess(app)
    metrics = {m.label: m.value for m in app.metric}
    total = len(reader.processes())
    assessed = frame["process_code"].nunique()
    assert metrics["Processes assessed"] == f"{assessed} of {total}"
    assert int(metrics["Ratings"]) == len(frame)
    assert int(metrics["Raters"]) == frame["rater"].nunique()
    charts = app.get("plotly_chart")
    assert len(charts) == 1
    heatmap = json.loads(charts[0].proto.spec)["data"][0]
    assert heatmap["type"] == "heatmap" and len(heatmap["y"]) == assessed < total
    assert list(heatmap["x"]) == [c.label for c in CRITERIA]
    app.toggle(key="coverage_all").set_value(True).run()
    heatmap = json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]
    assert len(heatmap["y"]) == total


def test_bad_input_is_refused_without_a_traceback(app: AppTest, database_url: str) -> None:
    _assess(app, "HR-REC")
    _why(app, "duration").input("No idea yet")
    app.button(key=SAVE).click().run()
    assert not app.exception
    assert "Not saved: Duration has a rationale but no value" in _text(app, "error")
    _why(app, "duration").input("")
    _choose_rater(app, "x" * 101)  # longer than a rater name may be
    _rate(app, "duration").set_value(2.0)
    app.button(key=SAVE).click().run()
    assert not app.exception
    assert "Not saved" in _text(app, "error") and "rater" in _text(app, "error")
    assert _stored(database_url, "HR-REC", "ana") == {}
    assert _stored(database_url, "HR-REC", "x" * 101) == {}


def test_a_value_between_the_levels_is_shown_and_kept(app: AppTest, database_url: str) -> None:
    frame = Catalogue.open(database_url).assessments()
    levels = {c.key: {value for value, _ in c.scale.levels} for c in CRITERIA}
    between = frame[[v not in levels.get(k, {v}) for k, v in
                     zip(frame["criterion_key"], frame["value"], strict=True)]]
    assert len(between) > 0, "the sample should hold a value between anchored levels"
    first = between.iloc[0]
    process, rater = str(first["process_code"]), str(first["rater"])
    key = str(first["criterion_key"])
    before = _stored(database_url, process, rater)
    _assess(app, process, rater=rater)
    scale = _rate(app, key)
    assert scale.value == first["value"]
    assert f"{first['value']:g} · between the anchored levels" in scale.options
    other = next(c.key for c in CRITERIA if c.key not in before)
    _rate(app, other).set_value(1.0)
    app.button(key=SAVE).click().run()
    assert f"Saved 1 rating for {process} by {rater}: 1 new" in _text(app, "success")
    after = _stored(database_url, process, rater)
    assert after[key]["value"] == first["value"]
    assert after[key]["version"] == before[key]["version"]


def test_in_a_browser_choosing_another_rater_shows_and_keeps_their_values(
        database_url: str) -> None:
    """A browser keeps a widget's choice while its key lives, whatever its new preset: without
    fresh widgets per rater the form would show 'not rated' and a save would delete their values.
    """
    from tests.e2e import harness

    missing = harness.browser_missing()
    if missing is not None:
        pytest.skip(f"browser test skipped: {missing}")
    from playwright.sync_api import sync_playwright

    harness.create_accounts(database_url, {"ana": ("analyst", "river pebble quartz")})
    with harness.running_app(database_url) as base, sync_playwright() as playwright:
        browser = harness.launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        harness.sign_in(page, base, "ana", "river pebble quartz", path="assess?process=HR-REC")
        harness.choose(page, "Rater", "analyst.b")
        harness.wait_for_app(page)
        before = _stored(database_url, "HR-REC", "analyst.b")
        assert len(before) >= 2
        for criterion in CRITERIA:
            if criterion.key in before:
                value = before[criterion.key]["value"]
                shown = (f"{value:g} · "
                         f"{criterion.scale.anchor(value) or 'between the anchored levels'}")
                assert page.get_by_role("radio", name=shown, exact=True).is_checked(), shown
        new = next(c for c in CRITERIA if c.key not in before)
        page.get_by_role("radio", name=f"2 · {new.scale.anchor(2.0)}", exact=True).check(
            force=True)
        page.get_by_role("button", name="Save ratings").click()
        harness.wait_for_app(page)
        browser.close()
    after = _stored(database_url, "HR-REC", "analyst.b")
    assert set(after) == set(before) | {new.key} and after[new.key]["value"] == 2.0
    assert all(after[k]["version"] == before[k]["version"] for k in before)


def test_the_rater_is_the_signed_in_person_unless_another_is_chosen_on_purpose(
        app: AppTest, database_url: str) -> None:
    _assess(app, "HR-REC")
    picker = app.selectbox(key="rater")
    assert picker.value == "ana"
    assert "analyst.a" in picker.options and picker.options[-1].startswith("Someone else")
    _choose_rater(app, " ANALYST.A ")  # typed as new, but it is a known rater
    assert "is the existing rater analyst.a" in _text(app, "caption")
    before = _stored(database_url, "HR-REC", "analyst.a")
    assert "**analyst.a**" in _text(app, "markdown")
    assert {k: _rate(app, k).value for k in before} == {k: v["value"] for k, v in before.items()}
    key, row = next(iter(before.items()))
    level = 1.0 if row["value"] != 1.0 else 2.0
    _rate(app, key).set_value(level)
    app.button(key=SAVE).click().run()
    raters = set(Catalogue.open(database_url).assessments(process_code="HR-REC")["rater"])
    assert " ANALYST.A " not in raters and "ANALYST.A" not in raters
    assert _stored(database_url, "HR-REC", "analyst.a")[key]["value"] == level
