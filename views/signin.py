"""Signing in and out: the gate app.py runs before any page, and who the session acts for.

Two ways in, one model (:class:`inventory.access.Actor`):

* built-in accounts (user name and password, :mod:`inventory.services.accounts`), always available;
* single sign-on through Streamlit's OpenID Connect login (``st.login``) when ``.streamlit/
  secrets.toml`` has an ``[auth]`` section. The role is the claim named by ``DTI_ROLE_CLAIM``
  (default ``dti_role``) when the identity provider sends a role dti knows, else the account's
  role for the same user name (the e-mail address), else viewer.

app.py registers the navigation before the sign-in form stops the run, so a shared link
(``/inventory?process=HR-REC``) opens its page once the person is signed in.

The session keeps ``SESSION_KEY``: user name, display name, role, how they signed in and when,
and for a password sign-in the token of its sign-in session. It ends after
:attr:`inventory.services.accounts.SignInPolicy.session_minutes`. A password session's token is
checked again on every rerun, so signing out elsewhere, a disabled account, a password reset or
a changed role applies at the next click.

Staying signed in across reloads (design and protections: :mod:`inventory.services.accounts`):
after a password sign-in the browser keeps the session's token in the cookie :data:`COOKIE`,
set by a script :func:`st.html` runs in the app's own page (Streamlit sends no response the app
could add a ``Set-Cookie`` header to; ``st.components.v1.html`` would work too, from an iframe
of the same origin, but leaves an empty frame in the layout). The cookie is
``SameSite=Strict``, ``Path=/``, ``Secure`` when the page is served over https, and expires
with the session. A new Streamlit session (a reload, a link opened in a new tab) reads it from
``st.context.cookies`` and resumes the account without a new sign-in; a refused token is
cleared from the browser, and so is the cookie at sign-out. Single sign-on keeps Streamlit's
own login cookie instead.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from email.utils import format_datetime
from typing import Any

import streamlit as st

from inventory.access import Actor, Role
from inventory.errors import CatalogueError
from inventory.passwords import MIN_LENGTH, RULES
from inventory.services.accounts import OpenedSession, SignedIn, SignInPolicy
from inventory.sign_in_throttle import behind_proxy, request_source
from views.common import SESSION_KEY, catalogue

SSO = "single sign-on"
PASSWORD = "password"
COOKIE = "dti_session"  # the token of the browser's sign-in session
PRESENTED = "signin_cookie_presented"  # the cookie's token this session has already tried
CLEAR_COOKIE = "signin_clear_cookie"  # the next sign-in form removes the browser's cookie


def remember(signed: SignedIn, via: str, session: OpenedSession | None = None) -> None:
    """Start this browser session as ``signed``; ``session`` is the sign-in session a password
    sign-in opened or a cookie resumed (none with single sign-on)."""
    st.session_state[SESSION_KEY] = {
        "username": signed.actor.name, "display_name": signed.display_name,
        "role": signed.actor.role.value, "via": via,
        "at": _epoch(session.started_at) if session else time.time(),
        "token": session.token if session else None,
        "expires_at": session.expires_at if session else None,
        "must_change_password": signed.must_change_password}


def forget(reason: str | None = None) -> None:
    """End this browser session (the sign-in session it held is ended by the caller) and
    remove the browser's cookie at the next sign-in form."""
    st.session_state.pop(SESSION_KEY, None)
    st.session_state[CLEAR_COOKIE] = True
    if reason:
        st.session_state["signin_notice"] = reason


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, OSError):
        return False
    except Exception as error:  # Streamlit raises its own error when no secrets file exists
        if type(error).__name__ == "StreamlitSecretNotFoundError":
            return False
        raise


def session_actor() -> Actor | None:
    """The signed-in person of this session, or None (expired, disabled, or nobody)."""
    session: dict[str, Any] | None = st.session_state.get(SESSION_KEY)
    if session is None:
        return None
    limit = SignInPolicy.from_env().session_minutes
    if time.time() - float(session["at"]) > limit * 60:
        forget(f"Your session ended after {limit} minutes; sign in again.")
        return None
    if session["via"] == SSO:
        return Actor(session["username"], Role(session["role"]))
    try:
        current = catalogue().accounts.check_session(session["token"])
    except CatalogueError as error:
        forget(str(error).capitalize() + ".")
        return None
    session["role"] = current.role.value
    return current


def signed_in() -> Actor | None:
    """Who this session acts for: the person signed in in it, else the one whose sign-in session
    the browser's cookie resumes (a reload, a new tab), else the one the identity provider
    already knows; None when nobody is signed in."""
    who = session_actor()
    if who is None:
        who = _resumed_from_cookie()
    if who is None and sso_configured() and st.user.is_logged_in:
        who = _from_identity_provider()
    return who


def stop_unless_ready(who: Actor | None) -> Actor:
    """Show the sign-in form (nobody signed in) or the password change a one-time password
    requires, and stop the run; otherwise return ``who``."""
    if who is None:
        _sign_in_form()
        st.stop()
    assert who is not None
    _keep_cookie(st.session_state[SESSION_KEY])
    if st.session_state[SESSION_KEY]["must_change_password"]:
        _change_password_form(who, first=True)
        st.stop()
    return who


def account_box(who: Actor) -> None:
    """Sidebar: who is signed in, their role, sign out and change password."""
    session = st.session_state[SESSION_KEY]
    st.sidebar.caption(f"Signed in as **{session['display_name']}** ({who.name}) · "
                       f"role **{who.role.value}**")
    left, right = st.sidebar.columns(2)
    if session["via"] == PASSWORD and right.button("Password", key="open_password",
                                                   icon=":material/key:"):
        st.session_state["changing_password"] = True
    if left.button("Sign out", key="sign_out", icon=":material/logout:"):
        via = session["via"]
        if session["token"]:
            catalogue().accounts.end_session(session["token"])
        forget("You are signed out.")
        if via == SSO:
            st.logout()
        st.rerun()
    if st.session_state.get("changing_password"):
        with st.sidebar:
            _change_password_form(who, first=False)


def _resumed_from_cookie() -> Actor | None:
    """The person whose sign-in session the browser's cookie holds, once per Streamlit session
    and token; a refused token says why on the sign-in form and is removed from the browser."""
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token or st.session_state.get(PRESENTED) == token:
        return None
    st.session_state[PRESENTED] = token
    try:
        resumed = catalogue().accounts.resume_session(token)
    except CatalogueError as error:
        forget(str(error).capitalize() + ".")
        return None
    remember(resumed.signed, PASSWORD,
             OpenedSession(token, resumed.started_at, resumed.expires_at))
    return resumed.signed.actor


def _keep_cookie(session: dict[str, Any]) -> None:
    """Have the browser keep this session's token until the session expires."""
    if session["token"]:
        _set_cookie(f"{COOKIE}={session['token']}; Expires={_http_date(session['expires_at'])}")


def _clear_cookie() -> None:
    """Remove the browser's cookie once, after a sign-out or a refused token."""
    if st.session_state.pop(CLEAR_COOKIE, False):
        _set_cookie(f"{COOKIE}=; Max-Age=0")


def _set_cookie(cookie: str) -> None:
    """Set ``cookie`` (a token or an expiry, never user text) on the app's own origin, from a
    script run in the app's page: SameSite=Strict, Path=/, Secure when served over https."""
    st.html(f"<script>document.cookie = '{cookie}; Path=/; SameSite=Strict' + "
            "(window.location.protocol === 'https:' ? '; Secure' : '');</script>",
            unsafe_allow_javascript=True)


def _http_date(moment: dt.datetime) -> str:
    """A stored UTC time as a cookie's Expires date (RFC 9110)."""
    return format_datetime(moment.replace(tzinfo=dt.UTC), usegmt=True)


def _epoch(moment: dt.datetime) -> float:
    return moment.replace(tzinfo=dt.UTC).timestamp()


def _from_identity_provider() -> Actor | None:
    claim = os.environ.get("DTI_ROLE_CLAIM", "dti_role")
    username = str(st.user.get("email") or st.user.get("preferred_username")
                   or st.user.get("sub") or "")
    claimed = st.user.get(claim)
    try:
        signed = catalogue().accounts.single_sign_on(
            username, str(st.user.get("name") or username),
            str(claimed).lower() if isinstance(claimed, str) else None)
    except CatalogueError as error:
        st.session_state["signin_notice"] = f"Single sign-on refused: {error}"
        st.logout()
        return None
    remember(signed, SSO)
    return signed.actor


def _sign_in_form() -> None:
    _clear_cookie()
    st.title("dti · what to transform")
    notice = st.session_state.pop("signin_notice", None)
    if notice:
        st.info(notice, icon=":material/info:")
    with st.form("sign_in"):
        st.subheader("Sign in")
        username = st.text_input("User name", key="signin_username")
        password = st.text_input("Password", type="password", key="signin_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            signed = catalogue().accounts.sign_in(username, password, _source())
            opened = catalogue().accounts.open_session(signed)
        except CatalogueError as error:
            st.error(f"Not signed in: {error}.", icon=":material/lock:")
        else:
            remember(signed, PASSWORD, opened)
            st.rerun()
    if sso_configured():
        st.button("Sign in with your organisation's account", key="sso",
                  on_click=st.login, icon=":material/badge:")
    st.caption("No account? Ask an admin to add one on the Users page. On a first start the "
               "server's console shows the admin's one-time password.")


def _source() -> str:
    """Where this sign-in comes from, as the sign-in waits count it
    (:func:`inventory.sign_in_throttle.request_source`); Streamlit gives no address on
    localhost, and anything but text counts as none."""
    peer = st.context.ip_address
    hops = [hop for hop in st.context.headers.get_all("X-Forwarded-For") if isinstance(hop, str)]
    return request_source(peer if isinstance(peer, str) else None, ", ".join(hops),
                          behind_proxy())


def _change_password_form(who: Actor, *, first: bool) -> None:
    if first:
        st.title("Choose your password")
        st.info("You signed in with a one-time password: choose your own before going on.",
                icon=":material/key:")
    with st.form("change_password"):
        current = st.text_input("Current password", type="password", key="password_current")
        new = st.text_input(f"New password (at least {MIN_LENGTH} characters)",
                            type="password", key="password_new", help=f"A password needs {RULES}.")
        again = st.text_input("New password again", type="password", key="password_again")
        submitted = st.form_submit_button("Change password", type="primary")
    if not submitted:
        return
    if new != again:
        st.error("The two new passwords differ; type them again.")
        return
    try:
        catalogue().accounts.change_password(
            who.name, current, new, keep_session=st.session_state[SESSION_KEY]["token"])
    except CatalogueError as error:
        st.error(f"Password not changed: {error}.")
        return
    st.session_state[SESSION_KEY]["must_change_password"] = False
    st.session_state.pop("changing_password", None)
    st.toast("Password changed.", icon=":material/check:")
    st.rerun()
