"""Slowing down password guessing without letting anyone lock a named person out.

Conventions
-----------
* Failures are counted per *typed user name and source* (:class:`inventory.storage.models.
  SignInFailure`): the source is the address the request came from (see :mod:`views.signin`),
  :data:`NO_SOURCE` when there is none. A name that is no account is counted exactly as an
  account is, so neither the answer nor the wait tells which names exist.
* After ``free`` failures for one name from one source, that source waits before its next try
  of that name: 1 second, then 2, 4, 8 ... doubling with each further failure, capped at
  ``longest`` seconds (exponential back-off, OWASP Authentication Cheat Sheet, "Account
  lockout"; NIST SP 800-63B 5.2.2 "Rate Limiting (Throttling)"). The same rule over the sum of
  a source's failures for all names, with a larger ``free``, slows one source trying many
  names (password spraying). Another source is never slowed by these failures, so a stranger
  cannot lock the person out.
* A try while the source must wait is refused without checking the password and is not
  counted. A successful sign-in clears that name's failures from that source. A row is
  forgotten :data:`FORGET_AFTER` its last failure (dropped on the next write, ignored before).
* The source of a request from a browser is its connection's address; when the app is reached
  only through the documented proxy (``docs/nginx/dti.conf``, which overwrites
  ``X-Forwarded-For`` with the address it saw) and ``DTI_BEHIND_PROXY`` says so, every
  connection comes from the proxy and the source is the last ``X-Forwarded-For`` hop instead:
  the one the proxy wrote (hops before it are whatever the client sent, so they are never
  trusted). A request without an address, such as one from the command line or on
  ``localhost``, has :data:`NO_SOURCE`.
* Concurrency: every sign-in from one source runs one at a time. SQLite's write transactions
  are serialised already (``BEGIN IMMEDIATE``); on PostgreSQL the transaction takes an advisory
  lock on the source (``pg_advisory_xact_lock``, released at commit), so parallel failures are
  all counted and parallel tries all see the wait.
"""

from __future__ import annotations

import datetime as dt
import math
import os

import pandas as pd
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from inventory.errors import InvalidInput
from inventory.storage.models import SignInFailure

NO_SOURCE = ""
FORGET_AFTER = dt.timedelta(days=1)
LONGEST_NAME = 100
LONGEST_SOURCE = 64
COLUMNS = ["username", "source", "failures", "last_failure_at", "wait_until"]


def name_key(username: str) -> str:
    """How a typed user name is counted: trimmed, lower case, at most 100 characters (user
    names ignore case, see :meth:`inventory.services.accounts.AccountBook.sign_in`)."""
    return (username or "").strip().lower()[:LONGEST_NAME]


def source_key(source: str | None) -> str:
    return (source or NO_SOURCE).strip()[:LONGEST_SOURCE]


def behind_proxy() -> bool:
    """``DTI_BEHIND_PROXY``: whether the app is reached only through the documented proxy."""
    text = os.environ.get("DTI_BEHIND_PROXY", "").strip().lower()
    if text not in {"", "0", "1", "no", "yes", "false", "true"}:
        raise InvalidInput(f"DTI_BEHIND_PROXY={text!r} is not one of 1, yes, true (behind the "
                           "documented proxy) or 0, no, false (reached directly); fix the "
                           "setting and restart the app")
    return text in {"1", "yes", "true"}


def request_source(peer: str | None, forwarded_for: str | None, proxied: bool) -> str:
    """The source of a request: ``peer`` (the connection's address), or with ``proxied`` the
    last hop of ``forwarded_for``; :data:`NO_SOURCE` when there is none."""
    if not proxied:
        return source_key(peer)
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    return source_key(hops[-1] if hops else None)


def backoff_seconds(failures: int, free: int, longest: int) -> int:
    """The wait after ``failures`` failures: none below ``free``, then 1, 2, 4 ... seconds,
    never more than ``longest``."""
    if failures < free:
        return 0
    return min(longest, 2 ** min(failures - free, 62))


class Throttle:
    """The waits of one policy: ``free`` failures per name and source, ``source_free`` per
    source over all names, waits capped at ``longest`` seconds."""

    def __init__(self, free: int, source_free: int, longest: int) -> None:
        self.free, self.source_free, self.longest = free, source_free, longest

    def serialise(self, s: Session, source: str) -> None:
        """Make the sign-ins from ``source`` run one at a time (see the module's conventions)."""
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                      {"key": f"dti sign-in {source}"})

    def wait(self, s: Session, username: str, source: str, now: dt.datetime) -> int:
        """Whole seconds ``source`` must still wait before trying ``username`` again (0: none)."""
        recent = SignInFailure.last_failure_at > now - FORGET_AFTER
        own = s.execute(select(SignInFailure.failures, SignInFailure.last_failure_at).where(
            SignInFailure.username_key == name_key(username), SignInFailure.source == source,
            recent)).first()
        total, last = s.execute(select(func.sum(SignInFailure.failures),
                                       func.max(SignInFailure.last_failure_at)).where(
            SignInFailure.source == source, recent)).one()
        waits = [0]
        if own is not None:
            waits.append(_remaining(own.last_failure_at,
                                    backoff_seconds(own.failures, self.free, self.longest), now))
        if total:
            waits.append(_remaining(last, backoff_seconds(int(total), self.source_free,
                                                          self.longest), now))
        return max(waits)

    def record_failure(self, s: Session, username: str, source: str, now: dt.datetime) -> None:
        """Count one failure (a single UPDATE, or the first row), forgetting old rows."""
        key = name_key(username)
        s.execute(delete(SignInFailure).where(SignInFailure.id.in_(
            select(SignInFailure.id).where(SignInFailure.last_failure_at <= now - FORGET_AFTER)
            .with_for_update(skip_locked=True))))
        counted = s.execute(update(SignInFailure).where(
            SignInFailure.username_key == key, SignInFailure.source == source).values(
            failures=SignInFailure.failures + 1, last_failure_at=now))
        if not counted.rowcount:  # type: ignore[attr-defined]
            s.add(SignInFailure(username_key=key, source=source, failures=1,
                                last_failure_at=now))
            s.flush()

    @staticmethod
    def forget(s: Session, username: str, source: str | None = None) -> int:
        """Drop the failures of ``username`` from ``source`` (every source when None); how many
        sources were waiting or counting."""
        condition = SignInFailure.username_key == name_key(username)
        if source is not None:
            condition = condition & (SignInFailure.source == source)
        return int(s.execute(delete(SignInFailure).where(condition)).rowcount)  # type: ignore[attr-defined]

    def table(self, s: Session, now: dt.datetime) -> pd.DataFrame:
        """The failures still counted, newest first, with when each may try again (UTC; empty
        when it need not wait for its own failures)."""
        rows = s.scalars(select(SignInFailure).where(
            SignInFailure.last_failure_at > now - FORGET_AFTER).order_by(
            SignInFailure.last_failure_at.desc(), SignInFailure.id)).all()
        return pd.DataFrame([{
            "username": r.username_key, "source": r.source or "(none)",
            "failures": r.failures, "last_failure_at": r.last_failure_at,
            "wait_until": self._until(r)} for r in rows], columns=COLUMNS)

    def _until(self, row: SignInFailure) -> dt.datetime | None:
        seconds = backoff_seconds(row.failures, self.free, self.longest)
        return row.last_failure_at + dt.timedelta(seconds=seconds) if seconds else None


def _remaining(since: dt.datetime, seconds: int, now: dt.datetime) -> int:
    if not seconds:
        return 0
    return max(0, math.ceil((since + dt.timedelta(seconds=seconds) - now).total_seconds()))


def duration(seconds: int) -> str:
    """``seconds`` for a person: "1 second", "40 seconds", "3 minutes" (rounded up)."""
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"
