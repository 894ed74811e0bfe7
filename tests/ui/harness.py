"""Starting the app in AppTest as a signed-in person, the way the sign-in form leaves a session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from inventory import results
from inventory.access import Actor, Role
from inventory.services import Catalogue
from inventory.services.accounts import OpenedSession, SignedIn
from tests.support import by
from views.common import SESSION_KEY

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PASSWORD = "correct horse battery"


def add_account(database_url: str, name: str, role: Role, password: str = PASSWORD) -> None:
    """An account with a known password (no one-time password to change)."""
    catalogue = Catalogue.open(database_url)
    try:
        if name not in set(catalogue.accounts.list(by("setup"))["username"]):
            catalogue.accounts.add(name, role, by("setup"), password=password)
    finally:
        catalogue.engine.dispose()


def open_session(database_url: str, name: str, role: Role) -> OpenedSession:
    """A sign-in session for ``name``, as a successful sign-in opens one (not audited)."""
    catalogue = Catalogue.open(database_url)
    try:
        return catalogue.accounts.open_session(SignedIn(Actor(name, role), name, False))
    finally:
        catalogue.engine.dispose()


def sign_in(test: AppTest, name: str, role: Role, session: OpenedSession) -> AppTest:
    """Mark ``test``'s session as signed in, as a successful sign-in form does."""
    test.session_state[SESSION_KEY] = {
        "username": name, "display_name": name, "role": role.value, "via": "password",
        "at": session.started_at.replace(tzinfo=dt.UTC).timestamp(), "token": session.token,
        "expires_at": session.expires_at, "must_change_password": False}
    return test


def start(database_url: str, monkeypatch: pytest.MonkeyPatch, *, name: str = "ana",
          role: Role = Role.admin, script: str = APP, timeout: int = 60) -> AppTest:
    """``script`` (app.py by default) on ``database_url``, signed in as ``name`` with ``role``;
    each start is a fresh server (the cached catalogue and the shared results are cleared)."""
    monkeypatch.setenv("DTI_DATABASE_URL", database_url)
    st.cache_resource.clear()
    results.SHARED.clear()
    add_account(database_url, name, role)
    test = sign_in(AppTest.from_file(script, default_timeout=timeout), name, role,
                   open_session(database_url, name, role))
    test.run()
    assert not test.exception, test.exception
    return test
