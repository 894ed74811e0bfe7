"""Failed sign-ins slow down their source, per typed name and source, and never lock a named
person out: one answer for an unknown name, a wrong password and a source that must wait; the
waits double; another source is not slowed; spraying many names is slowed; parallel failures
are all counted; an admin sees and clears the counts; old ones are forgotten."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from inventory.access import Role
from inventory.cli import app
from inventory.errors import InvalidInput, SignInRefused
from inventory.services import Catalogue
from inventory.services import accounts as accounts_module
from inventory.services.accounts import AccountBook, SignInPolicy
from inventory.sign_in_throttle import backoff_seconds, behind_proxy, request_source
from tests.support import by, ok, runner

PASSWORD = "a long password 1"
ATTACKER, OWNER = "198.51.100.7", "203.0.113.5"  # documentation addresses (RFC 5737)


class Clock:
    """The time the account book reads, moved by the test (a wait of one second must not pass
    while a slow machine runs argon2)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 3, 9, 0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fixed = Clock()
    monkeypatch.setattr(accounts_module, "utcnow", fixed)
    return fixed


@pytest.fixture
def book(catalogue: Catalogue, clock: Clock) -> AccountBook:
    accounts = AccountBook(catalogue.engine, SignInPolicy(max_attempts=3, lock_minutes=15))
    accounts.add("ana", Role.analyst, by("root"), display_name="Ana Analyst", password=PASSWORD)
    return accounts


def _answer(book: AccountBook, name: str, password: str, source: str = ATTACKER) -> str:
    with pytest.raises(SignInRefused) as refusal:
        book.sign_in(name, password, source)
    return str(refusal.value)


def test_an_unknown_name_a_wrong_password_and_a_waiting_source_get_one_answer(
        book: AccountBook) -> None:
    """The attack report: after 5 failures a real account answered 'too many failed sign-ins
    for this account' and an unknown one 'wrong user name or password'."""
    for _ in range(2):
        assert (_answer(book, "ana", "guess") == _answer(book, "nobody", "guess")
                == "wrong user name or password")
    third = _answer(book, "ana", "guess")
    assert third == _answer(book, "nobody", "guess") == (
        "wrong user name or password, or too many attempts: wait 1 second and try again")
    assert _answer(book, "ana", PASSWORD) == _answer(book, "nobody", PASSWORD) == third
    assert _answer(book, "ana", "guess") == _answer(book, "nobody", "guess") == third


def test_an_unknown_name_costs_one_argon2_verification_like_an_account(
        book: AccountBook, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = accounts_module._verified

    def spy(stored_hash: str, password: str) -> bool:
        checked.append(stored_hash)
        return real(stored_hash, password)

    monkeypatch.setattr(accounts_module, "_verified", spy)
    _answer(book, "nobody", "guess")
    _answer(book, "ana", "guess")
    assert len(checked) == 2 and all(h.startswith("$argon2id$") for h in checked)


def test_a_stranger_cannot_lock_the_owner_out_from_another_source(
        book: AccountBook, catalogue: Catalogue) -> None:
    for _ in range(10):
        _answer(book, "ana", "guess", ATTACKER)
    assert "too many attempts" in _answer(book, "ana", PASSWORD, ATTACKER)
    assert book.sign_in("ana", PASSWORD, OWNER).actor.name == "ana"
    assert book.sign_in("ANA", PASSWORD, OWNER).actor.name == "ana"
    audited = catalogue.audit_log(actor="ana")
    assert f"from {ATTACKER}" in " ".join(audited["new_value"].dropna())


def test_the_wait_doubles_with_each_failure_up_to_the_longest(catalogue: Catalogue,
                                                               clock: Clock) -> None:
    book = AccountBook(catalogue.engine, SignInPolicy(max_attempts=3, lock_minutes=1))
    waits = []
    for _ in range(10):
        answer = _answer(book, "nobody", "guess")
        waits.append(answer.split("wait ")[1].split(" and")[0] if "wait" in answer else "-")
        clock.advance(dt.timedelta(minutes=2))  # past every wait, within a day
    assert waits == ["-", "-", "1 second", "2 seconds", "4 seconds", "8 seconds", "16 seconds",
                     "32 seconds", "60 seconds", "60 seconds"]
    assert [backoff_seconds(n, 5, 900) for n in (4, 5, 6, 7, 14, 15, 100)] == [
        0, 1, 2, 4, 512, 900, 900]


def test_a_try_while_waiting_is_refused_unchecked_and_not_counted(book: AccountBook) -> None:
    for _ in range(3):
        _answer(book, "ana", "guess")
    _answer(book, "ana", PASSWORD)
    counted = book.throttles(by("root")).set_index("username").loc["ana"]
    assert counted["failures"] == 3 and counted["source"] == ATTACKER
    assert counted["wait_until"] == counted["last_failure_at"] + dt.timedelta(seconds=1)


def test_one_source_trying_many_names_is_slowed(catalogue: Catalogue, clock: Clock) -> None:
    book = AccountBook(catalogue.engine, SignInPolicy(max_attempts=5, source_attempts=4))
    book.add("ana", Role.analyst, by("root"), password=PASSWORD)
    for name in ("bob", "carl", "dora"):
        assert _answer(book, name, "Summer2025!") == "wrong user name or password"
    assert "wait 1 second" in _answer(book, "erin", "Summer2025!")
    assert "too many attempts" in _answer(book, "ana", PASSWORD)
    assert book.sign_in("ana", PASSWORD, OWNER).actor.name == "ana"


@pytest.mark.parametrize("name", ["ana", "nobody"])
def test_parallel_failures_are_all_counted(catalogue: Catalogue, name: str) -> None:
    """Each failure is counted under the source's lock, whether or not the name exists."""
    policy = SignInPolicy(max_attempts=1_000, source_attempts=1_000)
    AccountBook(catalogue.engine, policy).add("ana", Role.analyst, by("root"), password=PASSWORD)
    attempts = 12

    def guess(_: int) -> None:
        with pytest.raises(SignInRefused, match=r"^wrong user name or password$"):
            AccountBook(catalogue.engine, policy).sign_in(name, "a wrong guess", ATTACKER)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(guess, range(attempts)))
    counted = catalogue.accounts.throttles(by("root"))
    assert counted.to_dict("records")[0]["failures"] == attempts and len(counted) == 1


def test_parallel_tries_of_a_waiting_source_are_all_refused_unchecked(
        book: AccountBook, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        _answer(book, "ana", "guess")
    checked: list[str] = []
    monkeypatch.setattr(accounts_module, "_verified", lambda h, p: checked.append(p) or True)

    def right_password(_: int) -> str:
        return _answer(AccountBook(book.engine, book.policy), "ana", PASSWORD)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = set(pool.map(right_password, range(12)))
    assert checked == [] and len(answers) == 1 and "too many attempts" in answers.pop()


def test_a_sign_in_clears_its_sources_count_only(book: AccountBook) -> None:
    for source in (ATTACKER, OWNER):
        _answer(book, "ana", "guess", source)
    book.sign_in("ana", PASSWORD, OWNER)
    assert list(book.throttles(by("root"))["source"]) == [ATTACKER]


def test_an_admin_sees_and_clears_the_waits_audited(book: AccountBook,
                                                    catalogue: Catalogue) -> None:
    for name in ("ana", "nobody"):
        for _ in range(3):
            _answer(book, name, "guess")
    assert set(book.throttles(by("root"))["username"]) == {"ana", "nobody"}
    assert book.unlock("ANA", by("root")) == 1
    assert book.sign_in("ana", PASSWORD, ATTACKER).actor.name == "ana"
    assert book.unlock("nobody", by("root")) == 1 and book.unlock("nobody", by("root")) == 0
    change = catalogue.audit_log(actor="root").iloc[0]
    assert (change["field"], change["old_value"], change["new_value"]) == (
        "failed_attempts", "3", "0")
    with pytest.raises(Exception, match="may not manage user accounts"):
        book.unlock("ana", by("vic", Role.viewer))


def test_a_password_reset_clears_the_names_waits(book: AccountBook) -> None:
    for _ in range(3):
        _answer(book, "ana", "guess")
    secret = book.reset_password("ana", by("root"))
    assert book.sign_in("ana", secret, ATTACKER).must_change_password


def test_failures_older_than_a_day_are_forgotten_and_dropped(
        book: AccountBook, catalogue: Catalogue, clock: Clock) -> None:
    for _ in range(3):
        _answer(book, "ana", "guess")
    clock.advance(dt.timedelta(days=1, seconds=1))
    assert book.throttles(by("root")).empty
    assert _answer(book, "nobody", "guess") == "wrong user name or password"
    with catalogue.engine.connect() as conn:
        assert conn.execute(text("SELECT username_key FROM sign_in_failures")).all() == [
            ("nobody",)]


def test_dti_user_throttles_and_unlock(book: AccountBook, database_url: str) -> None:
    for _ in range(3):
        _answer(book, "ana", "guess")
    listed = ok(runner.invoke(app, ["--db", database_url, "--actor", "root", "user",
                                    "throttles"]))
    assert "ana" in listed and ATTACKER in listed
    out = ok(runner.invoke(app, ["--db", database_url, "--actor", "root", "user", "unlock",
                                 "ana"]))
    assert out.strip() == "Cleared the failed sign-ins of ana from 1 source(s)."
    assert book.sign_in("ana", PASSWORD, ATTACKER).actor.name == "ana"
    again = ok(runner.invoke(app, ["--db", database_url, "--actor", "root", "user", "unlock",
                                   "ana"]))
    assert again.strip() == "No failed sign-ins of ana are counted; nothing to clear."


@pytest.mark.parametrize(("peer", "forwarded", "proxied", "source"), [
    ("198.51.100.7", None, False, "198.51.100.7"),
    (None, None, False, ""),  # localhost: Streamlit gives no address
    ("198.51.100.7", "10.0.0.1", False, "198.51.100.7"),  # a header nobody vouches for
    (None, "203.0.113.5", True, "203.0.113.5"),
    (None, "10.9.9.9, 203.0.113.5", True, "203.0.113.5"),  # the first hop is the client's say
    (None, None, True, ""),
])
def test_the_source_is_the_peer_or_the_proxys_hop(peer: str | None, forwarded: str | None,
                                                  proxied: bool, source: str) -> None:
    assert request_source(peer, forwarded, proxied) == source


def test_a_bad_proxy_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DTI_BEHIND_PROXY", "maybe")
    with pytest.raises(InvalidInput, match="DTI_BEHIND_PROXY='maybe' is not one of 1, yes"):
        behind_proxy()
    monkeypatch.setenv("DTI_BEHIND_PROXY", "Yes")
    assert behind_proxy()


def test_the_password_is_checked_without_holding_the_write_lock(
        book: AccountBook, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    """While one person's password is being hashed, others can sign in and save: 25 people
    signing in at once waited for each other's hashes while the check held the write lock."""
    others_saved = threading.Event()
    real = accounts_module._verified

    def slow_check(stored: str, password: str) -> bool:
        assert others_saved.wait(20), "a write waited for the password check"
        return real(stored, password)

    monkeypatch.setattr(accounts_module, "_verified", slow_check)
    with ThreadPoolExecutor(max_workers=1) as pool:
        signing_in = pool.submit(book.sign_in, "ana", PASSWORD, OWNER)
        time.sleep(0.2)  # the sign-in is in its check
        catalogue.add_unit({"code": "NEWU", "name": "A unit saved meanwhile"}, by("root"))
        others_saved.set()
        assert signing_in.result(timeout=30).actor.name == "ana"


def test_a_password_changed_during_the_check_is_checked_again(
        book: AccountBook, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old password no longer lets anyone in once an admin has reset it, even when the
    reset lands while that sign-in was being checked."""
    real = accounts_module._verified
    reset: list[str] = []

    def check_then_reset(stored: str, password: str) -> bool:
        if not reset:
            reset.append(book.reset_password("ana", by("root")))
        return real(stored, password)

    monkeypatch.setattr(accounts_module, "_verified", check_then_reset)
    assert _answer(book, "ana", PASSWORD, OWNER) == "wrong user name or password"
    assert book.sign_in("ana", reset[0], OWNER).must_change_password
