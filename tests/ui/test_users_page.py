"""The Users page: an admin adds accounts (the one-time password shown once signs in), changes
roles and disables accounts, all audited; anyone else opening the page is refused."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from inventory.access import Role
from inventory.errors import SignInRefused
from inventory.services import Catalogue
from tests.support import by
from tests.ui.harness import PASSWORD, ROOT, start

PAGE = "views/users.py"


def _users(app: AppTest) -> AppTest:
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def _text(app: AppTest, element: str) -> str:
    return " ".join(str(e.value) for e in getattr(app, element))


def test_an_admin_adds_an_account_whose_one_time_password_signs_in_once(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    app = _users(start(database_url, monkeypatch))
    assert "password_hash" not in " ".join(app.dataframe[0].value.columns)
    app.text_input(key="new_username").input("zoe")
    app.text_input(key="new_display_name").input("Zoë Analyst")
    assert app.selectbox(key="new_role").options == [role.value for role in Role]  # staff too
    app.selectbox(key="new_role").set_value("analyst")
    app.button(key="FormSubmitter:add_user-Add account").click().run()
    assert not app.exception, app.exception
    assert "Added zoe as analyst" in _text(app, "success")
    assert "privately" in _text(app, "warning")
    secret = app.code[0].value
    assert "zoe" in list(app.dataframe[0].value["User name"])

    signed = reader.accounts.sign_in("zoe", secret)
    assert signed.must_change_password is True
    assert (signed.actor.role, signed.display_name) == (Role.analyst, "Zoë Analyst")
    app.run()
    assert not app.code  # shown once only
    created = reader.audit_log(entity="user", action="create", key_contains="zoe")
    assert list(created["actor"]) == ["ana"] and secret not in str(created["new_value"].iloc[0])


def test_an_admin_links_an_account_to_a_process_owner(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    app = _users(start(database_url, monkeypatch))
    reader.accounts.add("olivia", Role.staff, by("setup"), password=PASSWORD)
    app.run()
    app.selectbox(key="users_pick").set_value("olivia").run()
    app.text_input(key="users_owner:olivia").input("head,  hr operations").run()
    app.button(key="users_set_owner").click().run()
    assert not app.exception, app.exception
    assert "olivia answers for head, hr operations, the owner of 4 process(es)" in \
        _text(app, "success")
    listed = app.dataframe[0].value.set_index("User name")
    assert listed.loc["olivia", "Process owner"] == "head, hr operations"
    assert reader.reviews.owner_title(by("olivia")) == "head, hr operations"
    linked = reader.audit_log(entity="user", key_contains="olivia")
    assert linked.iloc[0][["actor", "field"]].tolist() == ["ana", "owner_title"]


def test_an_admin_changes_a_role_and_disables_an_account_both_audited(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    app = _users(start(database_url, monkeypatch))
    reader.accounts.add("bob", Role.viewer, by("setup"), password=PASSWORD)
    app.run()
    app.selectbox(key="users_pick").set_value("bob").run()
    app.selectbox(key="users_role:bob").set_value("analyst").run()
    app.button(key="users_set_role").click().run()
    assert "bob is now analyst" in _text(app, "success")
    assert reader.accounts.current("bob").role is Role.analyst

    app.button(key="users_disable").click().run()
    assert not app.exception, app.exception
    assert "bob is disabled" in _text(app, "success")
    accounts = reader.accounts.list(by("ana")).set_index("username")
    assert bool(accounts.loc["bob", "disabled"]) is True
    changes = reader.audit_log(entity="user", actor="ana", key_contains="bob")
    assert [(e.field, e.new_value) for e in changes.itertuples()] == [
        ("disabled", "true"), ("role", "analyst")]

    app.selectbox(key="users_pick").set_value("ana").run()  # the admin's own account
    app.button(key="users_disable").click().run()
    assert "Not changed: you cannot disable your own account" in _text(app, "error")
    assert not bool(reader.accounts.list(by("ana")).set_index("username").loc["ana",
                                                                                "disabled"])


@pytest.mark.parametrize("role", [Role.analyst, Role.leadership])
def test_a_non_admin_opening_the_page_directly_is_refused(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue,
        role: Role) -> None:
    app = start(database_url, monkeypatch, name="vic", role=role,
                script=str(ROOT / PAGE))
    assert "Only an admin can manage user accounts" in _text(app, "error")
    assert f"the role {role.value}" in _text(app, "error")
    assert not app.dataframe and not app.button and not app.text_input
    assert reader.audit_log(entity="user", actor="vic").empty


def test_an_admin_sees_failed_sign_ins_and_clears_a_names(
        database_url: str, monkeypatch: pytest.MonkeyPatch, reader: Catalogue) -> None:
    app = _users(start(database_url, monkeypatch))
    assert "No failed sign-in is counted" in _text(app, "caption")
    reader.accounts.add("bob", Role.viewer, by("setup"), password=PASSWORD)
    for name in ("bob", "nobody"):
        for _ in range(5):
            with pytest.raises(SignInRefused):
                reader.accounts.sign_in(name, "a wrong guess", "198.51.100.7")
    app.run()
    waits = app.dataframe[1].value
    assert list(waits.columns) == ["User name typed", "Source address", "Failures",
                                   "Last failure (UTC)", "Waits until (UTC)"]
    assert sorted(waits["User name typed"]) == ["bob", "nobody"]
    assert set(waits["Source address"]) == {"198.51.100.7"} and set(waits["Failures"]) == {5}
    app.selectbox(key="users_unlock_name").set_value("bob").run()
    app.button(key="users_unlock").click().run()
    assert not app.exception, app.exception
    assert "Cleared the failed sign-ins of bob from 1 source(s)" in _text(app, "success")
    assert list(reader.accounts.throttles(by("root"))["username"]) == ["nobody"]
    assert reader.accounts.sign_in("bob", PASSWORD, "198.51.100.7").actor.name == "bob"
