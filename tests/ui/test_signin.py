"""Signing in through the page: the first admin, wrong passwords, expiry, roles in the pages."""

from __future__ import annotations

import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import APP, PASSWORD, ROOT, add_account, start
from views.common import SESSION_KEY


def _fresh(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DTI_DATABASE_URL", database_url)
    st.cache_resource.clear()
    test = AppTest.from_file(APP, default_timeout=60)
    test.run()
    assert not test.exception, test.exception
    return test


def _sign_in(test: AppTest, name: str, password: str) -> AppTest:
    test.text_input(key="signin_username").input(name)
    test.text_input(key="signin_password").input(password)
    return test.button(key="FormSubmitter:sign_in-Sign in").click().run()


def _texts(test: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "title", "error", "info")
                    for e in getattr(test, kind))


def test_the_first_start_asks_for_the_one_time_admin_password_then_a_new_one(
        empty_database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    database_url = empty_database_url
    test = _fresh(database_url, monkeypatch)
    assert [t.value for t in test.title] == ["dti · what to transform"]
    assert not test.metric  # no page before signing in
    printed = capsys.readouterr().out
    secret = printed.split("one-time password ")[1].split()[0]
    _sign_in(test, "admin", secret)
    assert [t.value for t in test.title] == ["Choose your password"]
    test.text_input(key="password_current").input(secret)
    test.text_input(key="password_new").input("orchard lantern ferry")
    test.text_input(key="password_again").input("orchard lantern ferry")
    test.button(key="FormSubmitter:change_password-Change password").click().run()
    assert not test.exception, test.exception
    assert {m.label for m in test.metric} >= {"Processes", "Dependencies"}  # the Overview
    assert "Signed in as **Administrator** (admin)" in _texts(test)
    reader = Catalogue.open(database_url)
    assert reader.accounts.sign_in("admin", "orchard lantern ferry").actor.role is Role.admin
    reader.engine.dispose()


def test_a_wrong_password_shows_a_refusal_and_no_page(database_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    test = _fresh(database_url, monkeypatch)
    add_account(database_url, "ana", Role.analyst)
    _sign_in(test, "ana", "not my password")
    assert "Not signed in: wrong user name or password." in _texts(test)
    assert not test.metric and SESSION_KEY not in test.session_state
    _sign_in(test, "ana", PASSWORD)
    assert {m.label for m in test.metric} >= {"Processes"}


def test_an_expired_session_signs_out(database_url: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DTI_SESSION_MINUTES", "30")
    test = start(database_url, monkeypatch, role=Role.analyst)
    test.session_state[SESSION_KEY]["at"] = time.time() - 31 * 60
    test.run()
    assert "Your session ended after 30 minutes; sign in again." in _texts(test)
    assert not test.metric and SESSION_KEY not in test.session_state


def test_a_disabled_account_is_signed_out_at_its_next_click(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    test = start(database_url, monkeypatch, name="ana", role=Role.analyst)
    admin = Catalogue.open(database_url)
    admin.accounts.disable("ana", by("root"))
    admin.engine.dispose()
    test.run()
    assert "disabled" in _texts(test) and not test.metric


def test_a_viewer_reads_the_inventory_but_has_no_way_to_edit_it(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    test = start(database_url, monkeypatch, name="vic", role=Role.viewer)
    test.switch_page("views/inventory.py").run()
    assert not test.exception, test.exception
    assert test.dataframe and len(test.dataframe[0].value) > 10
    assert not [e for e in test.expander if e.label == "Add a process"]
    test.selectbox(key="open_code").set_value("HR-REC").run()
    assert [t.label.split(" (")[0] for t in test.tabs] == ["Details", "Dependencies", "KPIs",
                                                          "Assessments", "History"]
    assert not test.get("form")  # no add-dependency, KPI or assessment forms
    assert not [b for b in test.button if b.label in ("Remove", "Delete")]


def test_an_analyst_sees_the_edit_controls(database_url: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    test = start(database_url, monkeypatch, name="ana", role=Role.analyst)
    test.switch_page("views/inventory.py").run()
    assert [e for e in test.expander if e.label == "Add a process"]
    test.selectbox(key="open_code").set_value("HR-REC").run()
    assert "Edit" in [t.label for t in test.tabs]


@pytest.mark.parametrize(("page", "role", "needed"), [
    ("import_data", Role.viewer, "import spreadsheets"),
    ("assess", Role.leadership, "record assessments"),
])
def test_a_page_opened_by_link_refuses_a_role_that_may_not_use_it(
        database_url: str, monkeypatch: pytest.MonkeyPatch, page: str, role: Role,
        needed: str) -> None:
    test = start(database_url, monkeypatch, name="someone", role=role,
                 script=str(ROOT / "views" / f"{page}.py"))
    assert f"may not {needed}" in " ".join(w.value for w in test.warning)
    assert not test.get("file_uploader") and not test.get("form")


AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "dti", "client_secret": "secret",
        "server_metadata_url": "https://id.example.org/.well-known/openid-configuration"}


def _single_sign_on(database_url: str, monkeypatch: pytest.MonkeyPatch,
                    user: dict[str, object]) -> AppTest:
    monkeypatch.setenv("DTI_DATABASE_URL", database_url)
    st.cache_resource.clear()
    test = AppTest.from_file(APP, default_timeout=60)
    test.secrets["auth"] = AUTH
    test.user = user
    return test.run()


def test_single_sign_on_offers_the_button_and_takes_the_claimed_role(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    logged_out = _single_sign_on(database_url, monkeypatch, {"is_logged_in": False})
    assert "Sign in with your organisation's account" in [b.label for b in logged_out.button]
    test = _single_sign_on(database_url, monkeypatch, {
        "is_logged_in": True, "email": "lea@itu.int", "name": "Lea", "dti_role": "leadership"})
    assert not test.exception, test.exception
    assert "Signed in as **Lea** (lea@itu.int) · role **leadership**" in _texts(test)
    assert {m.label for m in test.metric} >= {"Processes"}


def test_single_sign_on_refuses_a_disabled_account(database_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    add_account(database_url, "ana@itu.int", Role.analyst)
    admin = Catalogue.open(database_url)
    admin.accounts.disable("ana@itu.int", by("root"))
    admin.engine.dispose()
    test = _single_sign_on(database_url, monkeypatch, {
        "is_logged_in": True, "email": "ana@itu.int", "name": "Ana", "dti_role": "admin"})
    assert not test.metric
    assert "Single sign-on refused: this account is disabled" in _texts(test)
