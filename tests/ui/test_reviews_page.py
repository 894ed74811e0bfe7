"""The Reviews page (AppTest): an owner (staff) sees their processes with what is missing, fills
it and confirms; an analyst asks a unit's owners after seeing what the round reaches; a viewer
reads the completeness and changes nothing; an account linked to no owner is told how to be."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.services import Catalogue
from tests.support import by, snapshot
from tests.ui.harness import PASSWORD, add_account, start

PAGE = "views/reviews.py"
OWNER = "Head, HR Operations"  # HR-REC-04 (a draft missing four fields), HR-ADM, HR-ADM-01


@pytest.fixture
def database_url(tmp_path: Path, sqlite_inventory_sample: Path) -> str:
    """This test's own SQLite database with the sample's inventory."""
    target = tmp_path / "dti.db"
    shutil.copyfile(sqlite_inventory_sample, target)
    return f"sqlite:///{target}"


def prepare(database_url: str, *, round_for: str | None = "HRMD") -> None:
    """olivia (staff) answers for the Head, HR Operations; a round asks HRMD's owners."""
    catalogue = Catalogue.open(database_url)
    try:
        catalogue.accounts.add("olivia", Role.staff, by("root"), password=PASSWORD)
        catalogue.accounts.set_owner("olivia", OWNER, by("root"))
        if round_for is not None:
            catalogue.reviews.request("unit", round_for, "2999-12-31", by("ana"))
    finally:
        catalogue.engine.dispose()


def reviews(database_url: str, monkeypatch: pytest.MonkeyPatch, name: str,
            role: Role) -> AppTest:
    test = start(database_url, monkeypatch, name=name, role=role)
    test.switch_page(PAGE).run()
    assert not test.exception, test.exception
    return test


def texts(test: AppTest) -> str:
    return " ".join([*(m.value for m in test.markdown), *(c.value for c in test.caption),
                     *(e.value for e in test.error), *(s.value for s in test.success),
                     *(i.value for i in test.info), *(w.value for w in test.warning)])


def press(test: AppTest, label: str) -> AppTest:
    next(b for b in test.button if b.label == label).click().run()
    assert not test.exception, test.exception
    return test


def test_an_owner_fills_what_is_missing_and_confirms(database_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    prepare(database_url)
    test = reviews(database_url, monkeypatch, "olivia", Role.staff)
    shown = texts(test)
    assert f"You answer for **{OWNER}**: 3 process(es) wait" in shown
    assert "**HR-REC-04**" in shown
    assert ":red-badge[Missing: Staff effort (FTE)]" in shown
    test.selectbox(key="rv_open").set_value("HR-REC-04").run()
    labels = [w.label for w in test.number_input]
    assert ":red[Staff effort (FTE) · missing]" in labels
    field = next(w for w in test.number_input if w.label.startswith(":red[Staff effort"))
    field.set_value(1.5)
    press(test, "Save and confirm")
    assert "Confirmed HR-REC-04 (on time); it is validated." in texts(test)
    catalogue = Catalogue.open(database_url)
    try:
        request = catalogue.reviews.list_requests(owner_title=OWNER)
        done = request[request["code"] == "HR-REC-04"].iloc[0]
        assert (done["status"], done["confirmed_by"], done["lifecycle"]) == (
            "confirmed", "olivia", "validated")
        assert catalogue.processes().set_index("code").loc["HR-REC-04",
                                                           "staff_effort_fte"] == 1.5
    finally:
        catalogue.engine.dispose()
    assert "2 process(es) wait for your review, 1 confirmed" in texts(test)


def test_an_analyst_sees_the_reach_and_asks_a_units_owners(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare(database_url, round_for=None)
    test = reviews(database_url, monkeypatch, "ana", Role.analyst)
    assert "Your account answers for no process owner yet" in texts(test)
    assert "No review round yet" in texts(test)
    test.selectbox(key="rv_new:unit").set_value("HRMD").run()
    assert "Reaches 12 process(es) of " in texts(test) and "1 of whom have an account" in \
        texts(test)
    press(test, "Ask the owners")
    assert "Asked for REV-0001: 12 process(es) to review by" in texts(test)
    rounds = test.dataframe[0].value
    assert rounds[["Round", "Of", "Processes", "Confirmed"]].values.tolist() == [
        ["REV-0001", "HRMD", 12, 0]]
    test.selectbox(key="rv_new:unit").set_value("HRMD").run()
    assert "12 already waiting in an open review are not asked again" in texts(test)
    assert next(b for b in test.button if b.label == "Ask the owners").disabled


def test_a_viewer_reads_the_completeness_and_changes_nothing(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare(database_url)
    add_account(database_url, "vic", Role.viewer)
    catalogue = Catalogue.open(database_url)
    before = snapshot(catalogue) | {"sign_in_sessions": []}
    test = reviews(database_url, monkeypatch, "vic", Role.viewer)
    assert "an admin links an account to a process owner" in texts(test).lower()
    assert not [b for b in test.button if b.label == "Ask the owners"]
    completeness = test.dataframe[-1].value.set_index("Unit")
    assert completeness.loc["HRMD", "Requested"] == 12
    assert completeness.loc["HRMD", "Confirmed"] == 0
    assert len(test.get("plotly_chart")) == 1
    assert snapshot(catalogue) | {"sign_in_sessions": []} == before  # its sign-in aside
    catalogue.engine.dispose()
