"""Sign-in: passwords, one-time passwords, lockout, disabled accounts, single sign-on, and no
password or hash ever in the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from inventory.access import Actor, Role
from inventory.accounts import AccountBook, SignInPolicy
from inventory.errors import Conflict, InvalidInput, SignInRefused
from inventory.services import Catalogue
from tests.support import by, snapshot

PASSWORD = "a long password 1"


@pytest.fixture
def book(catalogue: Catalogue) -> AccountBook:
    accounts = AccountBook(catalogue.engine, SignInPolicy(max_attempts=3, lock_minutes=15))
    accounts.add("ana", Role.analyst, by("root"), display_name="Ana Analyst", password=PASSWORD)
    return accounts


def _stored_text(catalogue: Catalogue) -> str:
    return repr(snapshot(catalogue))


def test_the_right_password_signs_in_with_the_accounts_role(book: AccountBook) -> None:
    signed = book.sign_in("ana", PASSWORD)
    assert signed.actor == Actor("ana", Role.analyst)
    assert signed.display_name == "Ana Analyst" and not signed.must_change_password
    assert book.sign_in("ANA", PASSWORD).actor.name == "ana"  # user names ignore case


def test_a_wrong_password_and_an_unknown_name_get_the_same_refusal(book: AccountBook) -> None:
    with pytest.raises(SignInRefused) as wrong:
        book.sign_in("ana", "not the password")
    with pytest.raises(SignInRefused) as unknown:
        book.sign_in("nobody", "not the password")
    assert str(wrong.value) == str(unknown.value) == "wrong user name or password"


def test_repeated_failures_lock_the_account_even_for_the_right_password(
        book: AccountBook, catalogue: Catalogue) -> None:
    for _ in range(3):
        with pytest.raises(SignInRefused, match="wrong user name or password"):
            book.sign_in("ana", "guess")
    with pytest.raises(SignInRefused, match="try again in 15 minute"):
        book.sign_in("ana", PASSWORD)
    refusals = catalogue.audit_log(actor="ana")
    assert list(refusals["action"]).count("sign_in_refused") == 3
    book.reset_password("ana", by("root"))  # an admin's reset unlocks
    with pytest.raises(SignInRefused, match="wrong user name or password"):
        book.sign_in("ana", PASSWORD)  # the old password is gone


def test_the_lock_ends_after_its_time(book: AccountBook, catalogue: Catalogue) -> None:
    for _ in range(3):
        with pytest.raises(SignInRefused):
            book.sign_in("ana", "guess")
    past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)
    with catalogue.engine.begin() as conn:
        conn.execute(text("UPDATE users SET locked_until = :t WHERE username = 'ana'"),
                     {"t": past})
    assert book.sign_in("ana", PASSWORD).actor.name == "ana"


def test_a_disabled_account_is_refused_and_its_open_session_ends(book: AccountBook) -> None:
    book.disable("ana", by("root"))
    with pytest.raises(SignInRefused, match="disabled"):
        book.sign_in("ana", PASSWORD)
    with pytest.raises(SignInRefused, match="disabled"):
        book.current("ana")
    book.enable("ana", by("root"))
    assert book.current("ana") == Actor("ana", Role.analyst)


def test_a_one_time_password_must_be_changed_and_never_reaches_the_database(
        book: AccountBook, catalogue: Catalogue) -> None:
    secret = book.add("lea", Role.leadership, by("root"))
    assert secret is not None and len(secret) >= 16
    signed = book.sign_in("lea", secret)
    assert signed.must_change_password
    with pytest.raises(InvalidInput, match="at least 10 characters"):
        book.change_password("lea", secret, "short")
    with pytest.raises(InvalidInput, match="differ from the user name"):
        book.add("lea.leader", Role.viewer, by("root"), password="LEA.LEADER")
    with pytest.raises(SignInRefused, match="current password is wrong"):
        book.change_password("lea", "not it", "my own password")
    book.change_password("lea", secret, "my own password")
    assert not book.sign_in("lea", "my own password").must_change_password
    stored = _stored_text(catalogue)
    assert secret not in stored and "my own password" not in stored and PASSWORD not in stored
    assert "$argon2id$" in stored  # hashes, in the users table only
    assert "$argon2" not in repr(catalogue.audit_log().to_dict("records"))


def test_account_changes_are_audited_and_checked(book: AccountBook,
                                                 catalogue: Catalogue) -> None:
    book.set_role("ana", "LEADERSHIP", by("root"))
    assert book.current("ana").role is Role.leadership
    change = catalogue.audit_log(actor="root").iloc[0]
    assert (change["entity"], change["field"], change["old_value"], change["new_value"]) == (
        "user", "role", "analyst", "leadership")
    with pytest.raises(InvalidInput, match="role 'boss' is not one of viewer, analyst"):
        book.set_role("ana", "boss", by("root"))
    with pytest.raises(Conflict, match="already exists"):
        book.add("Ana", Role.viewer, by("root"))
    with pytest.raises(InvalidInput, match="without spaces"):
        book.add("two words", Role.viewer, by("root"))
    with pytest.raises(InvalidInput, match="your own account"):
        book.disable("ana", by("ana"))


def test_the_last_admin_cannot_give_up_the_role(book: AccountBook) -> None:
    book.add("boss", Role.admin, by("root"), password=PASSWORD)
    with pytest.raises(InvalidInput, match="last admin"):
        book.set_role("boss", Role.viewer, Actor("boss", Role.admin))


def test_the_first_start_creates_one_admin_with_a_one_time_password(
        catalogue: Catalogue) -> None:
    book = catalogue.accounts
    secret = book.ensure_first_admin()
    assert secret is not None
    assert book.ensure_first_admin() is None  # once only
    signed = book.sign_in("admin", secret)
    assert signed.actor.role is Role.admin and signed.must_change_password


def test_single_sign_on_takes_the_claimed_role_else_the_account_else_viewer(
        book: AccountBook) -> None:
    assert book.single_sign_on("ana", "Ana", "leadership").actor.role is Role.leadership
    assert book.single_sign_on("ana", "Ana", None).actor.role is Role.analyst
    assert book.single_sign_on("ana", "Ana", "superuser").actor.role is Role.analyst
    assert book.single_sign_on("new@itu.int", "New", None).actor.role is Role.viewer
    book.disable("ana", by("root"))
    with pytest.raises(SignInRefused, match="disabled"):
        book.single_sign_on("ana", "Ana", "admin")


def test_policy_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DTI_SESSION_MINUTES", "30")
    assert SignInPolicy.from_env().session_minutes == 30
    monkeypatch.setenv("DTI_SIGNIN_ATTEMPTS", "zero")
    with pytest.raises(InvalidInput, match="DTI_SIGNIN_ATTEMPTS='zero'"):
        SignInPolicy.from_env()
