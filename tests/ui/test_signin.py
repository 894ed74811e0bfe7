"""Signing in through the page: the first admin, wrong passwords, expiry, roles in the pages,
staying signed in across reloads (the session cookie), the password policy, and links to pages
a role is not offered."""

from __future__ import annotations

import datetime as dt
import re
import time
from types import SimpleNamespace

import pytest
import streamlit as st
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.errors import SignInRefused
from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import APP, PASSWORD, ROOT, add_account, open_session, start
from views.common import SESSION_KEY
from views.navigation import PAGES


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


def _waits(database_url: str, name: str, source: str, failures: int = 20) -> None:
    """``failures`` failed sign-ins of ``name`` from ``source`` just now (20: the longest wait)."""
    reader = Catalogue.open(database_url)
    for _ in range(3):
        with pytest.raises(SignInRefused):
            reader.accounts.sign_in(name, "a wrong guess", source)
    with reader.engine.begin() as conn:
        conn.execute(text("UPDATE sign_in_failures SET failures = :n WHERE username_key = :name"),
                     {"n": failures, "name": name})
    reader.engine.dispose()


def _connects_from(monkeypatch: pytest.MonkeyPatch, address: str | None,
                   forwarded: str | None = None) -> None:
    """The address of the connection and the X-Forwarded-For header Streamlit reports (AppTest
    has no browser, so the session's client context is replaced)."""
    headers = [] if forwarded is None else [("X-Forwarded-For", forwarded)]
    monkeypatch.setattr("streamlit.runtime.context._get_client_context",
                        lambda: SimpleNamespace(cookies={}, headers=headers, remote_ip=address))


def test_an_unknown_name_a_wrong_password_and_a_waiting_address_get_one_answer(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The attack report: after 5 failures a real account answered 'too many failed sign-ins
    for this account' and an unknown one 'wrong user name or password'."""
    add_account(database_url, "ana", Role.analyst)
    _connects_from(monkeypatch, "198.51.100.7")
    test = _fresh(database_url, monkeypatch)
    answers = [_texts(_sign_in(test, name, "not my password")) for name in ("ana", "nobody")]
    assert answers[0] == answers[1] and "Not signed in: wrong user name or password." in answers[0]
    for name in ("ana", "nobody"):
        _waits(database_url, name, "198.51.100.7")
    answers = [_texts(_sign_in(test, name, password))
               for name, password in (("ana", PASSWORD), ("ana", "x"), ("nobody", PASSWORD))]
    assert answers[0] == answers[1] == answers[2]
    assert ("Not signed in: wrong user name or password, or too many attempts: wait 15 "
            "minutes and try again.") in answers[0]
    assert not test.metric and SESSION_KEY not in test.session_state


def test_a_strangers_failures_do_not_stop_the_owner_at_another_address(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind the documented proxy every connection comes from it: the address that counts is
    the proxy's X-Forwarded-For hop."""
    add_account(database_url, "ana", Role.analyst)
    _waits(database_url, "ana", "198.51.100.7")
    monkeypatch.setenv("DTI_BEHIND_PROXY", "1")
    _connects_from(monkeypatch, None, "10.0.0.9, 198.51.100.7")
    refused = _sign_in(_fresh(database_url, monkeypatch), "ana", PASSWORD)
    assert "too many attempts" in _texts(refused) and not refused.metric
    _connects_from(monkeypatch, None, "198.51.100.7, 203.0.113.5")  # a forged first hop
    test = _sign_in(_fresh(database_url, monkeypatch), "ana", PASSWORD)
    assert not test.exception, test.exception
    assert {m.label for m in test.metric} >= {"Processes"}


def test_a_bad_proxy_setting_is_shown_and_signs_nobody_in(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    add_account(database_url, "ana", Role.analyst)
    monkeypatch.setenv("DTI_BEHIND_PROXY", "maybe")
    test = _sign_in(_fresh(database_url, monkeypatch), "ana", PASSWORD)
    assert "Not signed in: DTI_BEHIND_PROXY='maybe' is not one of 1, yes, true" in " ".join(
        e.value for e in test.error)
    assert not test.metric


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
                                                          "Assessments", "Initiatives",
                                                          "History"]
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


# ---------------------------------------------------------------- staying signed in


def _cookie_scripts(test: AppTest) -> list[str]:
    return [element.proto.body for element in test.get("html")
            if "document.cookie" in element.proto.body]


def _browser_sends(monkeypatch: pytest.MonkeyPatch, cookies: dict[str, str]) -> None:
    """The cookies the browser sent when it opened this Streamlit session (AppTest has no
    browser, so the session's client context is replaced)."""
    monkeypatch.setattr("streamlit.runtime.context._get_client_context",
                        lambda: SimpleNamespace(cookies=cookies, headers=[], remote_ip=None))


def _reloaded(database_url: str, monkeypatch: pytest.MonkeyPatch, token: str) -> AppTest:
    """A new Streamlit session (a reload, a new tab) whose browser holds ``token``."""
    _browser_sends(monkeypatch, {"dti_session": token})
    return _fresh(database_url, monkeypatch)


def _sign_ins(reader: Catalogue, name: str) -> int:
    return int((reader.audit_log(actor=name)["action"] == "sign_in").sum())


def test_signing_in_has_the_browser_keep_a_strict_cookie_with_the_sessions_token(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    add_account(database_url, "ana", Role.analyst)
    test = _sign_in(_fresh(database_url, monkeypatch), "ana", PASSWORD)
    assert {m.label for m in test.metric} >= {"Processes"}
    [script] = _cookie_scripts(test)
    token = re.search(r"dti_session=([\w-]+);", script)
    assert token is not None, script
    for attribute in ("; Path=/", "; SameSite=Strict", "; Expires=", "'; Secure'",
                      "window.location.protocol === 'https:'"):
        assert attribute in script, attribute
    assert reader.accounts.check_session(token.group(1)).name == "ana"


def test_a_reload_with_the_cookie_resumes_the_account_without_a_new_sign_in(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    add_account(database_url, "ana", Role.analyst)
    session = open_session(database_url, "ana", Role.analyst)
    reader.accounts.set_role("ana", Role.leadership, by("root"))  # applies on resuming
    sign_ins = _sign_ins(reader, "ana")
    test = _reloaded(database_url, monkeypatch, session.token)
    assert not test.exception, test.exception
    assert {m.label for m in test.metric} >= {"Processes"}
    assert "Signed in as **ana** (ana) · role **leadership**" in _texts(test)
    assert _sign_ins(reader, "ana") == sign_ins
    assert test.session_state[SESSION_KEY]["at"] == pytest.approx(
        session.started_at.replace(tzinfo=dt.UTC).timestamp())  # the same expiry as before


def _revoked(reader: Catalogue, token: str) -> None:
    reader.accounts.end_session(token)


def _expired(reader: Catalogue, token: str) -> None:
    with reader.engine.begin() as conn:
        conn.execute(text("UPDATE sign_in_sessions SET created_at = :c, expires_at = :e"),
                     {"c": dt.datetime(2026, 1, 1, 8), "e": dt.datetime(2026, 1, 1, 16)})


def _disabled(reader: Catalogue, token: str) -> None:
    reader.accounts.disable("ana", by("root"))


@pytest.mark.parametrize(("spoil", "notice"), [
    (_revoked, "Your session has ended; sign in again."),
    (_expired, "Your session ended after 480 minutes; sign in again."),
    (_disabled, "This account is disabled; ask an admin."),
], ids=["signed-out", "expired", "disabled"])
def test_a_reload_with_a_refused_cookie_shows_the_sign_in_form_and_clears_it(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue,
        spoil: object, notice: str) -> None:
    add_account(database_url, "ana", Role.analyst)
    session = open_session(database_url, "ana", Role.analyst)
    spoil(reader, session.token)  # type: ignore[operator]
    test = _reloaded(database_url, monkeypatch, session.token)
    assert not test.metric and SESSION_KEY not in test.session_state
    assert notice in _texts(test)
    assert [s for s in _cookie_scripts(test) if "dti_session=; Max-Age=0" in s]
    assert test.text_input(key="signin_username")  # the sign-in form


def test_signing_out_ends_the_session_and_clears_the_cookie(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    test = start(database_url, monkeypatch, name="ana", role=Role.analyst)
    token = test.session_state[SESSION_KEY]["token"]
    test.button(key="sign_out").click().run()
    assert "You are signed out." in _texts(test) and not test.metric
    assert [s for s in _cookie_scripts(test) if "dti_session=; Max-Age=0" in s]
    with pytest.raises(SignInRefused, match="session has ended"):
        reader.accounts.check_session(token)
    assert not _reloaded(database_url, monkeypatch, token).metric


def test_an_open_session_ends_at_its_next_click_once_signed_out_elsewhere(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    test = start(database_url, monkeypatch, name="ana", role=Role.analyst)
    reader.accounts.sign_out_everywhere("ana", by("root"))
    test.run()
    assert "Your session has ended; sign in again." in _texts(test) and not test.metric


# ---------------------------------------------------------------- the password policy


def _change_password(test: AppTest, current: str, new: str) -> AppTest:
    test.button(key="open_password").click().run()
    test.text_input(key="password_current").input(current)
    test.text_input(key="password_new").input(new)
    test.text_input(key="password_again").input(new)
    return test.button(key="FormSubmitter:change_password-Change password").click().run()


@pytest.mark.parametrize(("new", "rule"), [
    ("adminadmin", "needs at least 12 characters and this one has 10"),
    ("ana ana ana ana", "contains the user name"),
    ("abcabcabcabc", "repeated or sequential pattern"),
    ("P@ssw0rd2025!", "commonly used"),
])
def test_a_new_password_breaking_a_rule_is_refused_with_that_rule(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue, new: str,
        rule: str) -> None:
    test = start(database_url, monkeypatch, name="ana", role=Role.analyst)
    _change_password(test, PASSWORD, new)
    errors = " ".join(e.value for e in test.error)
    assert errors.startswith("Password not changed: ") and rule in errors
    assert reader.accounts.sign_in("ana", PASSWORD).actor.name == "ana"


def test_changing_ones_password_keeps_this_browser_signed_in_and_signs_out_the_others(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    test = start(database_url, monkeypatch, name="ana", role=Role.analyst)
    elsewhere = open_session(database_url, "ana", Role.analyst)
    _change_password(test, PASSWORD, "tulip orbit cascade")
    assert not test.exception and not test.error
    assert {m.label for m in test.metric} >= {"Processes"}
    assert reader.accounts.check_session(test.session_state[SESSION_KEY]["token"])
    with pytest.raises(SignInRefused):
        reader.accounts.check_session(elsewhere.token)


# ---------------------------------------------------------------- links to pages not offered

REFUSED_LINKS = [("import", Role.viewer, "Import needs the analyst or admin role"),
                 ("users", Role.analyst, "Users needs the admin role"),
                 ("assess", Role.leadership, "Assess needs the analyst or admin role"),
                 ("backlog", Role.viewer, "Backlog needs the leadership or admin role")]


@pytest.mark.parametrize(("address", "role", "needed"), REFUSED_LINKS,
                         ids=[link[0] for link in REFUSED_LINKS])
def test_a_link_to_a_page_the_role_is_not_offered_says_which_role_it_needs(
        database_url: str, monkeypatch: pytest.MonkeyPatch, address: str, role: Role,
        needed: str) -> None:
    """The link is opened signed out, and the person signs in on its page."""
    add_account(database_url, "vic", role)
    test = _fresh(database_url, monkeypatch)
    test.context["url"] = f"http://localhost:8501/{address}"
    page = next(page for page in PAGES if page.address == address)
    test.switch_page(page.path).run()
    _sign_in(test, "vic", PASSWORD)
    assert not test.exception, test.exception
    assert [t.value for t in test.title] == [page.title]
    assert [w.value for w in test.warning] == [
        f"{needed}; you are signed in as vic with the {role.value} role. Ask an admin if you "
        "need it."]
    assert not test.get("file_uploader") and not test.dataframe and not test.get("form")


def test_a_link_to_a_page_the_role_is_offered_opens_it(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    add_account(database_url, "ana", Role.analyst)
    test = _fresh(database_url, monkeypatch)
    test.context["url"] = "http://localhost:8501/import"
    test.switch_page("views/import_data.py").run()
    _sign_in(test, "ana", PASSWORD)
    assert not test.warning and test.get("file_uploader")


def test_an_admin_signs_an_account_out_of_every_browser_from_the_users_page(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    add_account(database_url, "bob", Role.viewer)
    laptop = open_session(database_url, "bob", Role.viewer)
    test = start(database_url, monkeypatch, name="ana", role=Role.admin)
    test.switch_page("views/users.py").run()
    test.selectbox(key="users_pick").set_value("bob").run()
    test.button(key="users_sign_out").click().run()
    assert not test.exception, test.exception
    assert "bob is signed out of 1 browser session(s)" in " ".join(
        s.value for s in test.success)
    with pytest.raises(SignInRefused, match="session has ended"):
        reader.accounts.resume_session(laptop.token)
