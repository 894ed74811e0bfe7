"""User accounts: sign-in with a password, single sign-on, and the admin's account management.

Conventions
-----------
* Passwords are hashed with argon2id (``argon2-cffi``'s defaults, RFC 9106); neither a password
  nor its hash is ever written to the audit trail or a log. A password is at least
  :data:`MIN_PASSWORD_LENGTH` characters and differs from the user name.
* An account the admin creates or resets gets a one-time password (random, 16 characters from
  :func:`secrets.token_urlsafe`) that must be changed at the first sign-in.
* On a database without any account, :meth:`AccountBook.ensure_first_admin` creates ``admin``
  with a one-time password for the caller to print; there is never a fixed default password.
* Failed sign-ins are counted per account: after :attr:`SignInPolicy.max_attempts` in a row the
  account is locked for :attr:`SignInPolicy.lock_minutes`. The refusal never says whether the
  user name exists. Sign-ins and refusals are audited (entity ``user``).
* Accounts are disabled, never deleted. Every change is audited like any other record.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from inventory import audit
from inventory.access import Action, Actor, Role, authorize
from inventory.db import reading
from inventory.errors import Conflict, InvalidInput, NotFound, SignInRefused
from inventory.models import AuditEvent, UserAccount, utcnow
from inventory.services import write_transaction

ENTITY = "user"
FIRST_ADMIN = "admin"
MIN_PASSWORD_LENGTH = 10
USER_COLUMNS = ["username", "display_name", "role", "disabled", "must_change_password",
                "last_sign_in_at", "failed_attempts", "locked_until", "created_at", "created_by",
                "updated_at", "updated_by"]
_HASHER = PasswordHasher()
_REFUSED = "wrong user name or password"


@dataclass(frozen=True)
class SignInPolicy:
    """How sign-in is limited; read from the environment by :meth:`from_env`."""

    max_attempts: int = 5
    lock_minutes: int = 15
    session_minutes: int = 480

    @classmethod
    def from_env(cls) -> SignInPolicy:
        """``DTI_SIGNIN_ATTEMPTS``, ``DTI_SIGNIN_LOCK_MINUTES``, ``DTI_SESSION_MINUTES``."""
        values = {}
        for field, name in (("max_attempts", "DTI_SIGNIN_ATTEMPTS"),
                            ("lock_minutes", "DTI_SIGNIN_LOCK_MINUTES"),
                            ("session_minutes", "DTI_SESSION_MINUTES")):
            text = os.environ.get(name)
            if text is None:
                continue
            if not text.strip().isdigit() or int(text) < 1:
                raise InvalidInput(f"{name}={text!r} is not a whole number of at least 1")
            values[field] = int(text)
        return cls(**values)


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, and whether they must choose a new password before anything else."""

    actor: Actor
    display_name: str
    must_change_password: bool


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
        secret = one_time_password() if password is None else _checked_password(password,
                                                                                 username)
        with write_transaction(self.engine) as s:
            if self._find(s, username) is not None:
                raise Conflict(f"an account named {username!r} already exists; use "
                               f"`dti user set-role` or `dti user reset-password` on it")
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

    def disable(self, username: str, actor: Actor) -> None:
        """The account can no longer sign in; sessions already open end at their next step."""
        who = authorize(actor, Action.manage_users)
        with write_transaction(self.engine) as s:
            row = self._existing(s, username)
            if row.username == who:
                raise InvalidInput("you cannot disable your own account; ask another admin")
            audit.apply_changes(s, row, ENTITY, row.username, who, {"disabled": row.disabled},
                                {"disabled": True}, {"disabled": True})

    def enable(self, username: str, actor: Actor) -> None:
        who = authorize(actor, Action.manage_users)
        with write_transaction(self.engine) as s:
            row = self._existing(s, username)
            audit.apply_changes(s, row, ENTITY, row.username, who,
                                {"disabled": row.disabled, "locked_until": row.locked_until},
                                {"disabled": False, "locked_until": None},
                                {"disabled": False, "locked_until": None,
                                 "failed_attempts": 0})

    def reset_password(self, username: str, actor: Actor) -> str:
        """A new one-time password (returned) replaces the old one, and unlocks the account."""
        who = authorize(actor, Action.manage_users)
        secret = one_time_password()
        with write_transaction(self.engine) as s:
            row = self._existing(s, username)
            _set_password(s, row, secret, who, temporary=True)
        return secret

    # ------------------------------------------------------------------ signing in

    def sign_in(self, username: str, password: str) -> SignedIn:
        """Check the password; refuse a wrong one or an unknown name with one message that does
        not say which, a locked account with when to try again, a disabled one as such. The
        failed attempt is stored before the refusal is raised."""
        now = utcnow()
        refusal: str | None = None
        with write_transaction(self.engine) as s:
            row = self._find(s, username)
            if row is None or row.password_hash is None:
                _HASHER.hash(password or "-")  # same cost whether or not the name exists
                refusal = _REFUSED
            elif row.locked_until is not None and row.locked_until > now:
                minutes = max(1, round((row.locked_until - now).total_seconds() / 60))
                refusal = (f"too many failed sign-ins for this account: try again in {minutes} "
                           "minute(s), or ask an admin to reset the password")
            elif not _verified(row.password_hash, password):
                self._failed(s, row, now)
                refusal = _REFUSED
            elif row.disabled:
                _note(s, row, "sign_in_refused", "account disabled")
                refusal = "this account is disabled; ask an admin"
            else:
                row.failed_attempts, row.locked_until, row.last_sign_in_at = 0, None, now
                _note(s, row, "sign_in", None)
                signed = SignedIn(Actor(row.username, Role(row.role)), row.display_name,
                                  row.must_change_password)
        if refusal is not None:
            raise SignInRefused(refusal)
        return signed

    def change_password(self, username: str, current: str, new: str) -> None:
        """The user's own change: the current password is required, the new one checked."""
        with write_transaction(self.engine) as s:
            row = self._find(s, username)
            if row is None or row.password_hash is None or not _verified(row.password_hash,
                                                                          current):
                raise SignInRefused("the current password is wrong")
            checked = _checked_password(new, row.username)
            if _verified(row.password_hash, checked):
                raise InvalidInput("the new password must differ from the current one")
            _set_password(s, row, checked, row.username, temporary=False)

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
        the provider sends one dti knows, else from their account, else viewer. A disabled
        account is refused whatever the provider says."""
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
                    else Role(row.role) if row is not None else Role.viewer)
        if disabled:
            raise SignInRefused("this account is disabled; ask an admin")
        return SignedIn(Actor(username, role), display_name or username, False)

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

    def _failed(self, s: Session, row: UserAccount, now: dt.datetime) -> None:
        row.failed_attempts += 1
        detail = f"wrong password ({row.failed_attempts} in a row)"
        if row.failed_attempts >= self.policy.max_attempts:
            row.locked_until = now + dt.timedelta(minutes=self.policy.lock_minutes)
            detail += f"; locked for {self.policy.lock_minutes} minutes"
        _note(s, row, "sign_in_refused", detail)

    @staticmethod
    def _find(s: Session, username: str) -> UserAccount | None:
        key = (username or "").strip().lower()
        return s.scalars(select(UserAccount).where(func.lower(UserAccount.username) == key)
                         ).first()

    def _existing(self, s: Session, username: str) -> UserAccount:
        row = self._find(s, username)
        if row is None:
            raise NotFound(f"no account is named {username!r}; `dti user list` shows them")
        return row

    @staticmethod
    def _keep_an_admin(s: Session, row: UserAccount) -> None:
        admins = s.scalar(select(func.count()).select_from(UserAccount).where(
            UserAccount.role == Role.admin.value, UserAccount.disabled.is_(False)))
        if row.role == Role.admin.value and (admins or 0) <= 1:
            raise InvalidInput("you are the last admin: make someone else admin first")


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
    row.failed_attempts, row.locked_until = 0, None
    audit.apply_changes(s, row, ENTITY, row.username, who, {"password": "old"},
                        {"password": "reset" if temporary else "changed"}, {})


def _note(s: Session, row: UserAccount, action: str, detail: str | None) -> None:
    """A sign-in event: audited without changing the account's version."""
    s.add(AuditEvent(at=utcnow(), actor=row.username, action=action, entity=ENTITY,
                     entity_id=row.id, entity_key=row.username, entity_version=row.version,
                     field=None, old_value=None, new_value=detail))


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


def _checked_password(password: str, username: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip().lower() == username.strip().lower():
        raise InvalidInput("the password must differ from the user name")
    return password


__all__ = ["AccountBook", "SignInPolicy", "SignedIn"]
