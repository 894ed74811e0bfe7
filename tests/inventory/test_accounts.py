"""Sign-in: passwords and their policy, one-time passwords, disabled accounts, single sign-on,
sign-in sessions that survive a reload, the ``dti user`` commands, and no password, token or
hash ever in the audit trail (failed sign-ins and their waits: test_sign_in_throttle.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from typer.testing import Result

from inventory.access import Actor, Role
from inventory.cli import app
from inventory.errors import Conflict, InvalidInput, SignInRefused
from inventory.passwords import (
    MIN_LENGTH,
    common_passwords,
    contains_user_name,
    is_common,
    is_pattern,
    password_problem,
)
from inventory.services import Catalogue
from inventory.services.accounts import AccountBook, SignedIn, SignInPolicy
from tests.support import by, ok, refused, runner, snapshot

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
    with pytest.raises(InvalidInput, match="at least 12 characters and this one has 5"):
        book.change_password("lea", secret, "short")
    with pytest.raises(InvalidInput, match="contains the user name"):
        book.add("lea.leader", Role.viewer, by("root"), password="LEA.LEADER.LEA")
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
    with pytest.raises(InvalidInput, match="role 'boss' is not one of viewer, staff, analyst"):
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


def test_single_sign_on_takes_the_claimed_role_else_the_account_else_staff(
        book: AccountBook) -> None:
    assert book.single_sign_on("ana", "Ana", "leadership").actor.role is Role.leadership
    assert book.single_sign_on("ana", "Ana", None).actor.role is Role.analyst
    assert book.single_sign_on("ana", "Ana", "superuser").actor.role is Role.analyst
    assert book.single_sign_on("new@itu.int", "New", None).actor.role is Role.staff
    book.disable("ana", by("root"))
    with pytest.raises(SignInRefused, match="disabled"):
        book.single_sign_on("ana", "Ana", "admin")


def test_policy_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DTI_SESSION_MINUTES", "30")
    assert SignInPolicy.from_env().session_minutes == 30
    assert SignInPolicy.from_env().single_sign_on_role is Role.staff
    monkeypatch.setenv("DTI_SSO_DEFAULT_ROLE", "Viewer")
    assert SignInPolicy.from_env().single_sign_on_role is Role.viewer
    monkeypatch.setenv("DTI_SSO_DEFAULT_ROLE", "boss")
    with pytest.raises(InvalidInput, match="DTI_SSO_DEFAULT_ROLE='boss' is not one of"):
        SignInPolicy.from_env()
    monkeypatch.delenv("DTI_SSO_DEFAULT_ROLE")
    monkeypatch.setenv("DTI_SIGNIN_ATTEMPTS", "zero")
    with pytest.raises(InvalidInput, match="DTI_SIGNIN_ATTEMPTS='zero'"):
        SignInPolicy.from_env()



# ---------------------------------------------------------------- sign-in sessions (reloads)


def _signed(book: AccountBook, name: str = "ana") -> SignedIn:
    return book.sign_in(name, PASSWORD)


def _sign_ins(catalogue: Catalogue, name: str) -> int:
    return int((catalogue.audit_log(actor=name)["action"] == "sign_in").sum())


def test_a_sign_in_session_resumes_the_account_without_a_new_sign_in(
        book: AccountBook, catalogue: Catalogue) -> None:
    opened = book.open_session(_signed(book))
    assert (opened.expires_at - opened.started_at) == dt.timedelta(minutes=480)
    sign_ins = _sign_ins(catalogue, "ana")
    resumed = book.resume_session(opened.token)
    assert resumed.signed.actor == Actor("ana", Role.analyst)
    assert resumed.signed.display_name == "Ana Analyst"
    assert (resumed.started_at, resumed.expires_at) == (opened.started_at, opened.expires_at)
    assert book.check_session(opened.token) == Actor("ana", Role.analyst)
    assert _sign_ins(catalogue, "ana") == sign_ins  # a reload does not flood the history
    book.set_role("ana", Role.leadership, by("root"))
    assert book.resume_session(opened.token).signed.actor.role is Role.leadership
    assert book.check_session(opened.token).role is Role.leadership


def test_only_the_tokens_hash_is_stored_never_the_token(book: AccountBook,
                                                        catalogue: Catalogue) -> None:
    opened = book.open_session(_signed(book))
    stored = _stored_text(catalogue)
    assert opened.token not in stored
    assert hashlib.sha256(opened.token.encode()).hexdigest() in stored
    assert len(opened.token) >= 43  # 256 random bits
    assert opened.token not in repr(catalogue.audit_log().to_dict("records"))


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
def test_an_unknown_token_is_refused(book: AccountBook, token: str) -> None:
    book.open_session(_signed(book))
    with pytest.raises(SignInRefused, match="your session has ended; sign in again"):
        book.resume_session(token)
    with pytest.raises(SignInRefused, match="your session has ended"):
        book.check_session(token)


def test_an_expired_session_is_refused_with_its_length(catalogue: Catalogue) -> None:
    book = AccountBook(catalogue.engine, SignInPolicy(session_minutes=30))
    book.add("ana", Role.analyst, by("root"), password=PASSWORD)
    opened = book.open_session(_signed(book))
    later = opened.expires_at + dt.timedelta(seconds=1)
    with catalogue.engine.begin() as conn:  # as if 30 minutes and a second had passed
        conn.execute(text("UPDATE sign_in_sessions SET created_at = :c, expires_at = :e"),
                     {"c": opened.started_at - (later - opened.started_at),
                      "e": opened.started_at - dt.timedelta(seconds=1)})
    with pytest.raises(SignInRefused, match="your session ended after 30 minutes"):
        book.resume_session(opened.token)
    with pytest.raises(SignInRefused, match="ended after 30 minutes"):
        book.check_session(opened.token)


def test_signing_out_ends_that_session_only(book: AccountBook) -> None:
    laptop, phone = (book.open_session(_signed(book)) for _ in range(2))
    book.end_session(laptop.token)
    book.end_session(laptop.token)  # twice is harmless
    with pytest.raises(SignInRefused, match="session has ended"):
        book.resume_session(laptop.token)
    assert book.resume_session(phone.token).signed.actor.name == "ana"


def test_disabling_an_account_revokes_its_sessions_for_good(book: AccountBook) -> None:
    opened = book.open_session(_signed(book))
    book.disable("ana", by("root"))
    with pytest.raises(SignInRefused, match="this account is disabled"):
        book.resume_session(opened.token)
    book.enable("ana", by("root"))
    with pytest.raises(SignInRefused, match="session has ended"):  # revoked, not paused
        book.check_session(opened.token)


def test_a_password_reset_revokes_the_accounts_sessions(book: AccountBook) -> None:
    opened = book.open_session(_signed(book))
    book.reset_password("ana", by("root"))
    with pytest.raises(SignInRefused, match="session has ended"):
        book.resume_session(opened.token)


def test_changing_ones_password_signs_out_the_other_browsers_only(book: AccountBook) -> None:
    here, elsewhere = (book.open_session(_signed(book)) for _ in range(2))
    book.change_password("ana", PASSWORD, "tulip orbit cascade", keep_session=here.token)
    assert book.check_session(here.token).name == "ana"
    with pytest.raises(SignInRefused, match="session has ended"):
        book.check_session(elsewhere.token)
    book.change_password("ana", "tulip orbit cascade", "granite window parade")
    with pytest.raises(SignInRefused, match="session has ended"):
        book.check_session(here.token)


def test_an_admin_signs_an_account_out_everywhere_audited(book: AccountBook,
                                                          catalogue: Catalogue) -> None:
    sessions = [book.open_session(_signed(book)) for _ in range(2)]
    book.end_session(sessions[0].token)
    assert book.sign_out_everywhere("ana", by("root")) == 1
    with pytest.raises(SignInRefused):
        book.check_session(sessions[1].token)
    change = catalogue.audit_log(actor="root").iloc[0]
    assert (change["field"], change["old_value"], change["new_value"]) == (
        "sessions", "1 open", "signed out everywhere")
    with pytest.raises(Exception, match="may not manage user accounts"):
        book.sign_out_everywhere("ana", Actor("vic", Role.viewer))


def test_a_new_session_drops_the_accounts_expired_ones(book: AccountBook,
                                                      catalogue: Catalogue) -> None:
    old = book.open_session(_signed(book))
    with catalogue.engine.begin() as conn:
        conn.execute(text("UPDATE sign_in_sessions SET expires_at = :e"),
                     {"e": old.started_at - dt.timedelta(minutes=1)})
    book.open_session(_signed(book))
    with catalogue.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sign_in_sessions")).scalar() == 1


# ---------------------------------------------------------------- password policy


@pytest.mark.parametrize(("password", "username", "rule"), [
    ("adminadmin", "admin", "at least 12 characters and this one has 10"),
    ("", "ana", "at least 12 characters and this one has 0"),
    ("x" * 257, "ana", "at most 256 characters"),
    ("AdminAdminAdmin", "admin", "contains the user name"),
    ("my name is ana.lopez", "ana.lopez", "contains the user name"),
    ("zepol is a good word", "ana.lopez", "contains the user name"),
    ("anaanaanaana", "ana", "contains the user name"),
    ("aaaaaaaaaaaa", "ana", "repeated or sequential pattern"),
    ("1234567890123", "ana", "repeated or sequential pattern"),
    ("abcdefghijklmnop", "ana", "repeated or sequential pattern"),
    ("1234abcd5678", "ana", "repeated or sequential pattern"),
    ("catdogcatdogcatdog", "ana", "repeated or sequential pattern"),
    ("qwertyuiop12", "ana", "commonly used"),
    ("P@ssw0rd2024!", "ana", "commonly used"),
    ("Summer 2025 !!", "ana", "commonly used"),
    ("correct horse battery staple", "ana", "commonly used"),
    ("Welcome123456", "ana", "commonly used"),
])
def test_a_password_breaking_a_rule_is_refused_naming_that_rule(
        book: AccountBook, password: str, username: str, rule: str) -> None:
    problem = password_problem(password, username)
    assert problem is not None and rule in problem
    with pytest.raises(InvalidInput, match=rule):  # an admin setting it
        book.add(username, Role.viewer, by("root"), password=password)
    if username != "ana":
        book.add(username, Role.viewer, by("root"), password=PASSWORD)
    with pytest.raises(InvalidInput, match=rule):  # the person changing their own
        book.change_password(username, PASSWORD, password)
    assert book.sign_in(username, PASSWORD).actor.name == username  # nothing changed


@pytest.mark.parametrize("password", ["correct horse battery", "tulip orbit cascade",
                                      "Kx7!mQ2#pL9v", "paper kite over the lake",
                                      "Zürich-Genève 1864 Morges"])
def test_a_long_unpredictable_password_is_accepted(password: str) -> None:
    assert password_problem(password, "ana") is None


def test_a_password_chosen_before_the_policy_still_signs_in(book: AccountBook,
                                                           catalogue: Catalogue) -> None:
    with catalogue.engine.begin() as conn:
        conn.execute(text("UPDATE users SET password_hash = :h WHERE username = 'ana'"),
                     {"h": PasswordHasher().hash("adminadmin")})
    assert book.sign_in("ana", "adminadmin").actor.name == "ana"


def test_the_common_password_list_is_shipped_and_compared_ignoring_case() -> None:
    listed = common_passwords()
    assert len(listed) > 300 and {"password", "qwertyuiop", "iloveyou"} <= listed
    assert all(word == word.casefold() and word.strip() == word for word in listed)


NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=3, max_size=12)
FILLER = st.text(min_size=0, max_size=20)


@settings(max_examples=150, deadline=None)
@given(name=NAMES, before=FILLER, after=FILLER, reverse=st.booleans(), upper=st.booleans())
def test_a_password_holding_the_user_name_is_always_refused(
        name: str, before: str, after: str, reverse: bool, upper: bool) -> None:
    form = name[::-1] if reverse else name
    password = before + (form.upper() if upper else form) + after
    assert contains_user_name(password, name)
    assert password_problem(password, name) is not None


@st.composite
def runs(draw: st.DrawFn) -> str:
    """Text made only of runs of three or more letters or digits that stay the same
    (``aaa``) or step by one (``abcd``, ``4321``), in either case."""
    pieces = []
    for _ in range(draw(st.integers(1, 5))):
        alphabet = draw(st.sampled_from(["abcdefghijklmnopqrstuvwxyz", "0123456789"]))
        length = draw(st.integers(3, 8))
        start = draw(st.integers(0, len(alphabet) - length))
        run = draw(st.sampled_from([alphabet[start:start + length],
                                    alphabet[start:start + length][::-1],
                                    alphabet[start] * length]))
        pieces.append(run.upper() if draw(st.booleans()) else run)
    return "".join(pieces)


@settings(max_examples=150, deadline=None)
@given(text=runs())
def test_runs_of_repeated_or_sequential_characters_are_always_refused(text: str) -> None:
    assert is_pattern(text)
    assert password_problem(text, "someone-else") is not None


@settings(max_examples=150, deadline=None)
@given(block=st.text(min_size=1, max_size=6), times=st.integers(2, 8))
def test_a_repeated_block_is_always_refused(block: str, times: int) -> None:
    assert is_pattern(block * times)
    assert password_problem(block * times, "someone-else") is not None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word=st.sampled_from(sorted(common_passwords())),
       digits=st.text(alphabet="0123456789!?#.", min_size=0, max_size=8),
       upper=st.booleans())
def test_a_common_password_with_digits_or_symbols_added_is_always_refused(
        word: str, digits: str, upper: bool) -> None:
    password = (word.upper() if upper else word) + digits
    assert is_common(password)
    assert password_problem(password, "someone-else") is not None


@settings(max_examples=200, deadline=None)
@given(password=st.text(max_size=40), name=st.text(max_size=20))
def test_the_policy_answers_any_text_with_a_rule_or_acceptance(password: str,
                                                               name: str) -> None:
    problem = password_problem(password, name)
    if len(password) < MIN_LENGTH:
        assert problem is not None and "at least 12 characters" in problem
    if problem is None:
        assert not contains_user_name(password, name) and not is_pattern(password)
        assert not is_common(password)


# ---------------------------------------------------------------- dti user commands


def dti(db: str, *args: str, input: str | None = None) -> Result:
    """``dti --db DB --actor root ARGS...`` with ``input`` typed at its prompts."""
    return runner.invoke(app, ["--db", db, "--actor", "root", *args], input=input)


def test_dti_user_change_password_checks_the_policy_and_signs_out_browsers(
        book: AccountBook, database_url: str) -> None:
    opened = book.open_session(_signed(book))
    line = refused(dti(database_url, "user", "change-password", "ana",
                       input=f"{PASSWORD}\nadminadmin\nadminadmin\n"))
    assert line == ("Error: a password needs at least 12 characters and this one has 10; a few "
                    "unrelated words make a long one that is easy to remember")
    assert book.check_session(opened.token).name == "ana"  # nothing changed
    out = ok(dti(database_url, "user", "change-password", "ana",
                 input=f"{PASSWORD}\ntulip orbit cascade\ntulip orbit cascade\n"))
    assert "Password of ana changed; its browsers are signed out." in out
    assert book.sign_in("ana", "tulip orbit cascade").actor.name == "ana"
    with pytest.raises(SignInRefused):
        book.check_session(opened.token)


def test_dti_user_sign_out_ends_every_session(book: AccountBook, database_url: str) -> None:
    opened = book.open_session(_signed(book))
    assert "ana is signed out of 1 browser session(s)." in ok(
        dti(database_url, "user", "sign-out", "ana"))
    with pytest.raises(SignInRefused):
        book.resume_session(opened.token)
    assert refused(dti(database_url, "user", "sign-out", "nobody")).startswith(
        "Error: no account is named 'nobody'")


def test_concurrent_wrong_passwords_are_all_counted(catalogue: Catalogue) -> None:
    """Each failure reads and bumps the count under the account's row lock: on PostgreSQL 40
    parallel wrong passwords left the count at 1 when the row was read without it."""
    accounts = AccountBook(catalogue.engine, SignInPolicy(max_attempts=1_000, lock_minutes=15))
    accounts.add("ana", Role.analyst, by("root"), password=PASSWORD)
    attempts = 12

    def guess(_: int) -> None:
        with pytest.raises(SignInRefused):
            AccountBook(catalogue.engine, accounts.policy).sign_in("ana", "a wrong guess")

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(guess, range(attempts)))
    row = accounts.list(by("root")).set_index("username").loc["ana"]
    assert row["failed_attempts"] == attempts
