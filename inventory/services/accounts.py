"""User accounts: sign-in with a password, single sign-on, and the admin's account management.

Conventions
-----------
* Passwords are hashed with argon2id (``argon2-cffi``'s defaults, RFC 9106); neither a password
  nor its hash is ever written to the audit trail or a log. A new password follows
  :mod:`inventory.passwords` (NIST SP 800-63B: length, not the user name, not a pattern, not a
  commonly used one); passwords set before keep working.
* An account the admin creates or resets gets a one-time password (random, 16 characters from
  :func:`secrets.token_urlsafe`) that must be changed at the first sign-in.
* On a database without any account, :meth:`AccountBook.ensure_first_admin` creates ``admin``
  with a one-time password for the caller to print; there is never a fixed default password.
* Failed sign-ins slow down the source that makes them, per typed user name and per source
  (:mod:`inventory.sign_in_throttle`): after :attr:`SignInPolicy.max_attempts` failures that
  source waits 1, 2, 4 ... seconds, at most :attr:`SignInPolicy.lock_minutes`; no account is
  ever locked, so nobody can lock a named person out. Every refusal of a name and password has
  one wording, the same for an unknown name, a wrong password and a source that must wait
  (:func:`refusal`), and an unknown name costs one argon2 verification like a known one (OWASP
  Authentication Cheat Sheet, "Authentication and Error Messages"). Only the right password of
  a disabled account is told so. Sign-ins and refusals of accounts are audited (entity
  ``user``); an account's ``failed_attempts`` counts its failures since its last sign-in.
* Accounts are disabled, never deleted. Every change is audited like any other record.

Staying signed in across reloads
--------------------------------
A reload of the browser tab, or a shared link opened in a new tab, starts a new Streamlit
session, which knows nobody. So that the person stays signed in, a sign-in opens a *sign-in
session* (:meth:`AccountBook.open_session`): a random token (:func:`secrets.token_urlsafe`, 256
bits) that the browser keeps in a cookie, while the database keeps only its SHA-256 with the
user name, when it was created, when it expires (:attr:`SignInPolicy.session_minutes` after the
sign-in, as before) and when it was last seen or revoked. A new Streamlit session presents the
cookie's token to :meth:`AccountBook.resume_session`, which refuses an unknown, expired or
revoked token and a disabled account, and applies the account's current role. Resuming is not
a new sign-in and is not audited as one.

Why a cookie set by a script, and what protects it: Streamlit serves no HTTP response the app
can add a ``Set-Cookie`` header to, so the page sets the cookie from JavaScript (see
:mod:`views.signin`); it therefore cannot be HttpOnly. What protects it instead: the token is
random and only its hash is stored (a copy of the database resumes nobody); it is sent only to
the app's own origin (``SameSite=Strict``, ``Secure`` on https, ``Path=/``) and expires with
the session; it is revoked server-side at sign-out, when the account is disabled, and when its
password is reset or changed (the session that changes it excepted), and every click of an open
session checks it again (:meth:`AccountBook.check_session`); and the pages render no HTML or
script from user text (see :func:`views.common.plain`), the usual way a script could read it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from inventory.access import Action, Actor, Role, authorize
from inventory.errors import Conflict, InvalidInput, NotFound, SignInRefused
from inventory.passwords import checked_password
from inventory.review_schemas import owner_key
from inventory.sign_in_throttle import NO_SOURCE, Throttle, duration, source_key
from inventory.storage import audit, review_rows
from inventory.storage.db import reading, write_transaction
from inventory.storage.models import SignInSession, UserAccount, utcnow
from inventory.storage.sealing import append_audit

ENTITY = "user"
FIRST_ADMIN = "admin"
USER_COLUMNS = ["username", "display_name", "role", "owner_title", "disabled",
                "must_change_password", "last_sign_in_at", "failed_attempts", "created_at",
                "created_by", "updated_at", "updated_by"]
OWNER_TITLE_LENGTH = 200
_HASHER = PasswordHasher()
_REFUSED = "wrong user name or password"


def refusal(wait_seconds: int) -> str:
    """The one answer to a name and password that do not sign in, whatever the reason."""
    if not wait_seconds:
        return _REFUSED
    return f"{_REFUSED}, or too many attempts: wait {duration(wait_seconds)} and try again"


@cache
def _dummy_hash() -> str:
    """A hash no password matches, verified for a name without a password so that the answer
    takes as long as for an account."""
    return _HASHER.hash(secrets.token_urlsafe(32))


@dataclass(frozen=True)
class SignInPolicy:
    """How sign-in is limited; read from the environment by :meth:`from_env`.

    ``max_attempts`` failures for one name from one source, or ``source_attempts`` from one
    source for all names, start the waits; ``lock_minutes`` is the longest wait."""

    max_attempts: int = 5
    lock_minutes: int = 15
    session_minutes: int = 480
    source_attempts: int = 50
    single_sign_on_role: Role = Role.staff

    @classmethod
    def from_env(cls) -> SignInPolicy:
        """``DTI_SIGNIN_ATTEMPTS``, ``DTI_SIGNIN_LOCK_MINUTES``, ``DTI_SESSION_MINUTES``,
        ``DTI_SIGNIN_SOURCE_ATTEMPTS``, ``DTI_SSO_DEFAULT_ROLE`` (the role of someone single
        sign-on lets in with no role claim and no account: staff unless set)."""
        values: dict[str, Any] = {}
        role = os.environ.get("DTI_SSO_DEFAULT_ROLE")
        if role is not None:
            if role.strip().lower() not in Role.__members__:
                raise InvalidInput(f"DTI_SSO_DEFAULT_ROLE={role!r} is not one of "
                                   f"{', '.join(Role)}")
            values["single_sign_on_role"] = Role(role.strip().lower())
        for field, name in (("max_attempts", "DTI_SIGNIN_ATTEMPTS"),
                            ("lock_minutes", "DTI_SIGNIN_LOCK_MINUTES"),
                            ("session_minutes", "DTI_SESSION_MINUTES"),
                            ("source_attempts", "DTI_SIGNIN_SOURCE_ATTEMPTS")):
            text = os.environ.get(name)
            if text is None:
                continue
            if not text.strip().isdigit() or int(text) < 1:
                raise InvalidInput(f"{name}={text!r} is not a whole number of at least 1")
            values[field] = int(text)
        return cls(**values)

    def throttle(self) -> Throttle:
        return Throttle(self.max_attempts, self.source_attempts, self.lock_minutes * 60)


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, and whether they must choose a new password before anything else."""

    actor: Actor
    display_name: str
    must_change_password: bool


@dataclass(frozen=True)
class OpenedSession:
    """A sign-in session: the token for the browser to keep (never stored in clear), when it
    started and when it expires (UTC)."""

    token: str
    started_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class ResumedSession:
    """The account a sign-in session resumes, as it is now, and when that session started."""

    signed: SignedIn
    started_at: dt.datetime
    expires_at: dt.datetime


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


class AccountBook:
    """User accounts on one database."""

    def __init__(self, engine: Engine, policy: SignInPolicy | None = None) -> None:
        self.engine = engine
        self.policy = policy or SignInPolicy.from_env()

    # ------------------------------------------------------------------ admin's view

    def list(self, actor: Actor) -> pd.DataFrame:
        """Every account (no password hashes), by user name."""
        authorize(actor, Action.manage_users)
        with reading(self.engine) as s:
            rows = s.scalars(select(UserAccount).order_by(UserAccount.username)).all()
            return pd.DataFrame([{c: getattr(r, c) for c in USER_COLUMNS} for r in rows],
                                columns=USER_COLUMNS)

    def add(self, username: str, role: Role | str, actor: Actor, *,
            display_name: str | None = None, password: str | None = None) -> str | None:
        """Create an account. Without ``password`` it gets a one-time password, returned for the
        admin to hand over; with one, it is checked and nothing is returned."""
        who = authorize(actor, Action.manage_users)
        username = _checked_username(username)
        role = _checked_role(role)
        temporary = password is None
        secret = one_time_password() if password is None else checked_password(password,
                                                                                username)
        with write_transaction(self.engine) as s:
            if self._find(s, username) is not None:
                raise Conflict(f"an account named {username!r} already exists; change its role "
                               "or reset its password instead")
            row = UserAccount(username=username, display_name=(display_name or username)[:200],
                              role=role.value, password_hash=_HASHER.hash(secret),
                              must_change_password=temporary, disabled=False, failed_attempts=0)
            audit.record_create(s, row, ENTITY, username, who,
                                {"username": username, "display_name": row.display_name,
                                 "role": role.value})
        return secret if temporary else None

    def set_role(self, username: str, role: Role | str, actor: Actor) -> None:
        who = authorize(actor, Action.manage_users)
        role = _checked_role(role)
        with write_transaction(self.engine) as s:
            row = self._existing(s, username)
            if row.username == who and role is not Role.admin:
                self._keep_an_admin(s, row)
            audit.apply_changes(s, row, ENTITY, row.username, who, {"role": row.role},
                                {"role": role.value}, {"role": role.value})

    def set_owner(self, username: str, title: str | None, actor: Actor) -> int:
        """Link an account to the process owner it answers for (``title`` as the processes'
        ``process_owner`` holds it, compared as :func:`~inventory.review_schemas.owner_key`
        writes it); an empty title unlinks it. Return how many live processes name that owner
        now (0 is allowed: the processes may come later, but it may be a typing slip)."""
        who = authorize(actor, Action.manage_users)
        wanted = " ".join((title or "").split()) or None
        if wanted is not None and len(wanted) > OWNER_TITLE_LENGTH:
            raise InvalidInput(f"owner title is {len(wanted):,} characters long; at most "
                               f"{OWNER_TITLE_LENGTH} are allowed")
        if wanted is not None and "\x00" in wanted:
            raise InvalidInput("owner title holds a NUL character (\\x00); remove it")
        with write_transaction(self.engine) as s:
            row = self._existing(s, username)
            audit.apply_changes(s, row, ENTITY, row.username, who,
                                {"owner_title": row.owner_title}, {"owner_title": wanted},
                                {"owner_title": wanted})
            owners = review_rows.process_owners(s)
        key = owner_key(wanted)
        return sum(count for name, count in owners.items() if key and owner_key(name) == key)

    def disable(self, username: str, actor: Actor) -> None:
        """The account can no longer sign in; its sign-in sessions are revoked, and sessions
        already open end at their next step."""
        who = authorize(actor, Action.manage_users)
        with write_transaction(self.engine) as s:
            row = self._existing(s, username)
            if row.username == who:
                raise InvalidInput("you cannot disable your own account; ask another admin")
            audit.apply_changes(s, row, ENTITY, row.username, who, {"disabled": row.disabled},
                                {"disabled": True}, {"disabled": True})
            _revoke_sessions(s, row.username)

    def enable(self, username: str, actor: Actor) -> None:
        who = authorize(actor, Action.manage_users)
        with write_transaction(self.engine) as s:
            row = self._existing(s, username)
            audit.apply_changes(s, row, ENTITY, row.username, who, {"disabled": row.disabled},
                                {"disabled": False}, {"disabled": False})

    def throttles(self, actor: Actor) -> pd.DataFrame:
        """The sign-in failures still counted, per typed user name and source, newest first,
        with when that source may try that name again (see :mod:`inventory.sign_in_throttle`).
        Names that are no account are listed too."""
        authorize(actor, Action.manage_users)
        with reading(self.engine) as s:
            return self.policy.throttle().table(s, utcnow())

    def unlock(self, username: str, actor: Actor) -> int:
        """Forget the failed sign-ins of ``username`` (any name, account or not) from every
        source, so nobody waits to try it; return how many sources were counted. An account's
        count of failures is reset too, audited."""
        who = authorize(actor, Action.manage_users)
        with write_transaction(self.engine) as s:
            row = self._find(s, username, lock=True)  # before the failures, as sign_in does
            cleared = Throttle.forget(s, username)
            if row is not None:
                audit.apply_changes(s, row, ENTITY, row.username, who,
                                    {"failed_attempts": row.failed_attempts},
                                    {"failed_attempts": 0}, {"failed_attempts": 0})
        return cleared

    def reset_password(self, username: str, actor: Actor) -> str:
        """A new one-time password (returned) replaces the old one, clears the name's failed
        sign-ins and revokes its sign-in sessions."""
        who = authorize(actor, Action.manage_users)
        secret = one_time_password()
        with write_transaction(self.engine) as s:
            row = self._existing(s, username)
            _set_password(s, row, secret, who, temporary=True)
            Throttle.forget(s, row.username)
            _revoke_sessions(s, row.username)
        return secret

    def sign_out_everywhere(self, username: str, actor: Actor) -> int:
        """Revoke every sign-in session of ``username`` (a lost laptop, a shared computer);
        return how many were still open. Audited as a change of the account."""
        who = authorize(actor, Action.manage_users)
        with write_transaction(self.engine) as s:
            row = self._existing(s, username)
            ended = _revoke_sessions(s, row.username)
            audit.apply_changes(s, row, ENTITY, row.username, who, {"sessions": f"{ended} open"},
                                {"sessions": "signed out everywhere"}, {})
        return ended

    # ------------------------------------------------------------------ signing in

    def sign_in(self, username: str, password: str, source: str | None = NO_SOURCE) -> SignedIn:
        """Check the password of ``username`` tried from ``source`` (the client's address; none
        from a caller without one). Every refusal of the name and password is :func:`refusal`,
        whether the name is unknown, the password wrong or the source must wait; a disabled
        account is told so only with its right password. The failure is stored before the
        refusal is raised.

        The password is checked (a tenth of a second of Argon2 on purpose) between two
        transactions, not inside the write transaction that stores the outcome: holding the
        write lock meanwhile made 25 people signing in at once wait for each other's hashes.
        The write transaction looks at the throttle again, so tries made in parallel are all
        counted and none is answered once the source must wait; a hash changed in between is
        checked again."""
        source, throttle = source_key(source), self.policy.throttle()
        with reading(self.engine) as s:
            row = self._find(s, username)
            checked_hash = None if row is None else row.password_hash
            waiting = throttle.wait(s, username, source, utcnow())
        if waiting:
            raise SignInRefused(refusal(waiting))
        right = _verified(checked_hash or _dummy_hash(), password) and checked_hash is not None
        answer: str | None = None
        with write_transaction(self.engine) as s:
            throttle.serialise(s, source)
            row = self._find(s, username, lock=True)
            now = utcnow()  # once the earlier tries from this source are stored
            if row is None or row.password_hash != checked_hash:
                right = (row is not None and row.password_hash is not None
                         and _verified(row.password_hash, password))
            waiting = throttle.wait(s, username, source, now)
            if waiting:
                answer = refusal(waiting)
            elif not right or row is None:
                throttle.record_failure(s, username, source, now)
                if row is not None:
                    self._failed(s, row, source)
                answer = refusal(throttle.wait(s, username, source, now))
            elif row.disabled:
                _note(s, row, "sign_in_refused", "account disabled")
                answer = "this account is disabled; ask an admin"
            else:
                throttle.forget(s, username, source)
                row.failed_attempts, row.last_sign_in_at = 0, now
                _note(s, row, "sign_in", None)
                signed = SignedIn(Actor(row.username, Role(row.role)), row.display_name,
                                  row.must_change_password)
        if answer is not None:
            raise SignInRefused(answer)
        return signed

    def change_password(self, username: str, current: str, new: str, *,
                        keep_session: str | None = None) -> None:
        """The user's own change: the current password is required, the new one checked. Every
        sign-in session of the account is revoked except ``keep_session``'s (the browser that
        made the change stays signed in)."""
        with write_transaction(self.engine) as s:
            row = self._find(s, username)
            if row is None or row.password_hash is None or not _verified(row.password_hash,
                                                                          current):
                raise SignInRefused("the current password is wrong")
            checked = checked_password(new, row.username)
            if _verified(row.password_hash, checked):
                raise InvalidInput("the new password must differ from the current one")
            _set_password(s, row, checked, row.username, temporary=False)
            _revoke_sessions(s, row.username, keep=keep_session)

    def current(self, username: str) -> Actor:
        """The account as it is now (role changes and disabling apply at the next step)."""
        with reading(self.engine) as s:
            row = self._find(s, username)
            if row is None or row.disabled:
                raise SignInRefused(f"the account {username!r} is disabled or gone; sign in "
                                    "again or ask an admin")
            return Actor(row.username, Role(row.role))

    def single_sign_on(self, username: str, display_name: str,
                       claimed_role: str | None) -> SignedIn:
        """Someone the identity provider signed in. The role comes from ``claimed_role`` when
        the provider sends one dti knows, else from their account, else the policy's
        :attr:`SignInPolicy.single_sign_on_role` (staff by default: new people may read and
        propose cases for change). A disabled account is refused whatever the provider
        says."""
        username = _checked_username(username)
        with write_transaction(self.engine) as s:
            row = self._find(s, username)
            disabled = row is not None and row.disabled
            if row is not None:
                if not disabled:
                    row.last_sign_in_at = utcnow()
                _note(s, row, "sign_in_refused" if disabled else "sign_in",
                      "single sign-on" + (": account disabled" if disabled else ""))
            known_claim = claimed_role is not None and claimed_role in Role.__members__
            role = (Role(str(claimed_role)) if known_claim
                    else Role(row.role) if row is not None else self.policy.single_sign_on_role)
        if disabled:
            raise SignInRefused("this account is disabled; ask an admin")
        return SignedIn(Actor(username, role), display_name or username, False)

    # ------------------------------------------------------------------ staying signed in

    def open_session(self, signed: SignedIn) -> OpenedSession:
        """A sign-in session for someone :meth:`sign_in` has just let in: the token for the
        browser, valid :attr:`SignInPolicy.session_minutes`. The account's sessions expired
        since are dropped."""
        token, now = secrets.token_urlsafe(32), utcnow()
        expires = now + dt.timedelta(minutes=self.policy.session_minutes)
        with write_transaction(self.engine) as s:
            row = self._existing(s, signed.actor.name)
            s.execute(delete(SignInSession).where(SignInSession.username == row.username,
                                                  SignInSession.expires_at <= now))
            s.add(SignInSession(token_sha256=_digest(token), username=row.username,
                                created_at=now, expires_at=expires, last_seen_at=now))
        return OpenedSession(token, now, expires)

    def resume_session(self, token: str) -> ResumedSession:
        """The account a browser's token signs in again (a reload, a new tab), with its role as
        it is now; records when the session was last seen. Not audited: it is the same sign-in.
        Refuses with :class:`SignInRefused` an unknown, revoked or expired token and a disabled
        account."""
        now = utcnow()
        with write_transaction(self.engine) as s:
            session, account = self._valid_session(s, token, now)
            session.last_seen_at = now
            signed = SignedIn(Actor(account.username, Role(account.role)), account.display_name,
                              account.must_change_password)
            return ResumedSession(signed, session.created_at, session.expires_at)

    def check_session(self, token: str) -> Actor:
        """The account of a sign-in session still valid, as it is now (read only: every click
        of an open session calls it); refused as :meth:`resume_session` refuses."""
        with reading(self.engine) as s:
            _, account = self._valid_session(s, token, utcnow())
            return Actor(account.username, Role(account.role))

    def end_session(self, token: str) -> None:
        """Revoke one sign-in session (signing out); an unknown or revoked token is ignored."""
        with write_transaction(self.engine) as s:
            s.execute(update(SignInSession).where(
                SignInSession.token_sha256 == _digest(token),
                SignInSession.revoked_at.is_(None)).values(revoked_at=utcnow()))

    def ensure_first_admin(self) -> str | None:
        """On a database with no account at all, create ``admin`` and return its one-time
        password; otherwise do nothing and return None."""
        with write_transaction(self.engine) as s:
            if s.scalar(select(func.count()).select_from(UserAccount)):
                return None
            secret = one_time_password()
            row = UserAccount(username=FIRST_ADMIN, display_name="Administrator",
                              role=Role.admin.value, password_hash=_HASHER.hash(secret),
                              must_change_password=True, disabled=False, failed_attempts=0)
            audit.record_create(s, row, ENTITY, FIRST_ADMIN, "first-start",
                                {"username": FIRST_ADMIN, "role": Role.admin.value})
            return secret

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _failed(s: Session, row: UserAccount, source: str) -> None:
        row.failed_attempts += 1
        _note(s, row, "sign_in_refused", f"wrong password ({row.failed_attempts} in a row, "
                                         f"from {source or 'no address'})")

    def _valid_session(self, s: Session, token: str,
                       now: dt.datetime) -> tuple[SignInSession, UserAccount]:
        session = s.scalars(select(SignInSession).where(
            SignInSession.token_sha256 == _digest(token))).first() if token else None
        account = None if session is None else self._find(s, session.username)
        if session is None or account is None:
            raise SignInRefused("your session has ended; sign in again")
        if account.disabled:
            raise SignInRefused("this account is disabled; ask an admin")
        if session.revoked_at is not None:
            raise SignInRefused("your session has ended; sign in again")
        if session.expires_at <= now:
            minutes = round((session.expires_at - session.created_at).total_seconds() / 60)
            raise SignInRefused(f"your session ended after {minutes} minutes; sign in again")
        return session, account

    @staticmethod
    def _find(s: Session, username: str, *, lock: bool = False) -> UserAccount | None:
        """The account, whatever the case of ``username``. ``lock`` takes the row lock until the
        transaction ends (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write transactions
        are serialised already), so concurrent failed sign-ins are all counted."""
        key = (username or "").strip().lower()
        query = select(UserAccount).where(func.lower(UserAccount.username) == key)
        return s.scalars(query.with_for_update() if lock else query).first()

    def _existing(self, s: Session, username: str) -> UserAccount:
        row = self._find(s, username)
        if row is None:
            raise NotFound(f"no account is named {username!r}; check the spelling in the list "
                           "of accounts")
        return row

    @staticmethod
    def _keep_an_admin(s: Session, row: UserAccount) -> None:
        admins = s.scalar(select(func.count()).select_from(UserAccount).where(
            UserAccount.role == Role.admin.value, UserAccount.disabled.is_(False)))
        if row.role == Role.admin.value and (admins or 0) <= 1:
            raise InvalidInput("you are the last admin: make someone else admin first")


def _digest(token: str) -> str:
    """What the database keeps of a session token: its SHA-256, in hexadecimal."""
    return hashlib.sha256(token.encode()).hexdigest()


def _revoke_sessions(s: Session, username: str, *, keep: str | None = None) -> int:
    """Revoke the account's sign-in sessions still open, except ``keep``'s; how many."""
    now = utcnow()
    open_sessions = s.scalars(select(SignInSession).where(
        SignInSession.username == username, SignInSession.revoked_at.is_(None),
        SignInSession.expires_at > now)).all()
    kept = _digest(keep) if keep else None
    ended = [session for session in open_sessions if session.token_sha256 != kept]
    for session in ended:
        session.revoked_at = now
    return len(ended)


def _verified(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _set_password(s: Session, row: UserAccount, password: str, who: str, *,
                  temporary: bool) -> None:
    """Store the new hash; the audit trail says the password changed, never what to."""
    row.password_hash = _HASHER.hash(password)
    row.must_change_password = temporary
    row.failed_attempts = 0
    audit.apply_changes(s, row, ENTITY, row.username, who, {"password": "old"},
                        {"password": "reset" if temporary else "changed"}, {})


def _note(s: Session, row: UserAccount, action: str, detail: str | None) -> None:
    """A sign-in event: audited without changing the account's version."""
    append_audit(s, [{"at": utcnow(), "actor": row.username, "action": action,
                      "entity": ENTITY, "entity_id": row.id, "entity_key": row.username,
                      "entity_version": row.version, "field": None, "old_value": None,
                      "new_value": detail}])


def _checked_username(username: str) -> str:
    name = (username or "").strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise InvalidInput(f"user name {username!r} must be 1 to 100 characters without spaces")
    return name


def _checked_role(role: Role | str) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise InvalidInput(f"role {role!r} is not one of "
                           f"{', '.join(r.value for r in Role)}") from None


__all__ = ["AccountBook", "OpenedSession", "ResumedSession", "SignInPolicy", "SignedIn"]
