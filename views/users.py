"""Users: the admin's page for accounts. List them, add one, change a role, disable or enable,
reset a password, and see and clear the failed sign-ins that make a source wait.

Conventions
-----------
* The page checks the role itself (a deep link such as ``/users`` bypasses the navigation),
  and every call goes through :class:`inventory.services.accounts.AccountBook` with the
  signed-in actor, which checks it again.
* Resetting a password, disabling an account and "Sign out everywhere" end the account's
  sign-in sessions: every browser it is signed in on asks to sign in at its next click.
* A one-time password (a new account's, or one from a reset) is shown once: it is kept in the
  session only until the next rerun draws it, then dropped. It is never stored in clear and
  never logged; the admin hands it over privately and the user must change it at first
  sign-in. Password hashes are never read by the page.
* Failed sign-ins are counted per typed user name and source address, names that are no
  account included (:mod:`inventory.sign_in_throttle`); clearing a name's count lets every
  source try it again at once.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from inventory.access import Action, Role
from inventory.errors import CatalogueError
from inventory.passwords import RULES
from inventory.services.accounts import AccountBook
from views.cache_panel import cache_panel
from views.common import actor, allowed, catalogue, flash, show_flash

ONE_TIME = "users_one_time_password"  # (user name, password, what happened), shown once
TITLES = {"username": "User name", "display_name": "Display name", "role": "Role",
          "owner_title": "Process owner",
          "disabled": "Disabled", "must_change_password": "Must change password",
          "last_sign_in_at": "Last sign-in (UTC)", "failed_attempts": "Failed sign-ins",
          "created_at": "Created (UTC)", "created_by": "Created by",
          "updated_at": "Last changed (UTC)", "updated_by": "Last changed by"}
WAIT_TITLES = {"username": "User name typed", "source": "Source address",
               "failures": "Failures", "last_failure_at": "Last failure (UTC)",
               "wait_until": "Waits until (UTC)"}
ROLES = [role.value for role in Role]


def show_one_time_password() -> None:
    """The one-time password left by the previous run, if any, shown once."""
    shown = st.session_state.pop(ONE_TIME, None)
    if shown is None:
        return
    username, secret, what = shown
    st.success(f"{what} Its one-time password is below; it is shown only this once.",
               icon=":material/key:")
    st.code(secret, language=None)
    st.warning(f"Hand it to {username} privately (in person or by a separate channel), never "
               "in a shared chat or e-mail thread. They must choose their own password at "
               f"their first sign-in: {RULES}. If it is lost, reset the password again.",
               icon=":material/visibility_off:")


def keep_one_time_password(username: str, secret: str, what: str) -> None:
    st.session_state[ONE_TIME] = (username, secret, what)
    st.rerun()


def add_account(accounts: AccountBook) -> None:
    with st.expander("Add an account", icon=":material/person_add:"), st.form("add_user"):
        left, middle, right = st.columns(3)
        username = left.text_input("User name", key="new_username",
                                   help="What they type to sign in: no spaces, at most 100 "
                                        "characters.")
        display_name = middle.text_input("Display name", key="new_display_name",
                                         help="How the app greets them; empty means the user "
                                              "name.")
        role = right.selectbox("Role", ROLES, key="new_role")
        if st.form_submit_button("Add account", type="primary"):
            try:
                secret = accounts.add(username, role, actor(),
                                      display_name=display_name.strip() or None)
            except CatalogueError as error:
                st.error(f"Account not added: {error}", icon=":material/error:")
            else:
                assert secret is not None  # no password given: the book made a one-time one
                keep_one_time_password(username.strip(), secret,
                                       f"Added {username.strip()} as {role}.")


def manage_account(accounts: AccountBook, table: pd.DataFrame) -> None:
    st.subheader("Change an account")
    username = st.selectbox("Account", list(table["username"]), index=None, key="users_pick",
                            placeholder="choose an account")
    if username is None:
        return
    record = table[table["username"] == username].iloc[0]
    who = actor()
    with st.container(border=True):
        left, right = st.columns([2, 1], vertical_alignment="bottom")
        role = left.selectbox("Role", ROLES, index=ROLES.index(record["role"]),
                              key=f"users_role:{username}")
        if right.button("Change role", key="users_set_role", icon=":material/badge:",
                        disabled=role == record["role"]):
            attempt(lambda: accounts.set_role(username, role, who),
                    f"{username} is now {role}; it applies at their next click.")
        left, right = st.columns([2, 1], vertical_alignment="bottom")
        current = record["owner_title"] if isinstance(record["owner_title"], str) else ""
        title = left.text_input(
            "Process owner this account answers for", value=current,
            key=f"users_owner:{username}", placeholder="e.g. Head, HR Operations",
            help="The title as the processes name their owner (case and spaces aside): the "
                 "person reviews and confirms those processes on the Reviews page. Empty "
                 "unlinks the account.")
        if right.button("Link to owner", key="users_set_owner", icon=":material/link:",
                        disabled=" ".join(title.split()) == current):
            link_owner(accounts, username, title)
        left, middle, right = st.columns(3)
        if bool(record["disabled"]):
            if left.button("Enable", key="users_enable", icon=":material/person_check:"):
                attempt(lambda: accounts.enable(username, who),
                        f"{username} is enabled and may sign in again.")
        elif left.button("Disable", key="users_disable", icon=":material/person_off:"):
            attempt(lambda: accounts.disable(username, who),
                    f"{username} is disabled: they can no longer sign in, and an open session "
                    "ends at its next click.")
        if middle.button("Reset password", key="users_reset", icon=":material/lock_reset:"):
            try:
                secret = accounts.reset_password(username, who)
            except CatalogueError as error:
                st.error(f"Password not reset: {error}", icon=":material/error:")
            else:
                keep_one_time_password(username, secret,
                                       f"Reset the password of {username} (and cleared its "
                                       "failed sign-ins).")
        if right.button("Sign out everywhere", key="users_sign_out",
                        icon=":material/logout:",
                        help="Ends every browser session of this account (a lost laptop, a "
                             "shared computer); they can sign in again with their password."):
            sign_out_everywhere(accounts, username)
        st.caption("Accounts are never deleted: disable one instead. Every change here is in "
                   "the audit trail (History page, kind 'user').")


def link_owner(accounts: AccountBook, username: str, title: str) -> None:
    """Link the account to a process owner (or unlink it), saying how many processes name
    that owner."""
    try:
        owned = accounts.set_owner(username, title, actor())
    except CatalogueError as error:
        st.error(f"Not changed: {error}", icon=":material/error:")
        return
    shown = " ".join(title.split())
    if not shown:
        flash(f"{username} answers for no process owner now.")
    elif owned:
        flash(f"{username} answers for {shown}, the owner of {owned} process(es); they review "
              "them on the Reviews page.")
    else:
        flash(f"{username} answers for {shown}, which no process names yet: check the "
              "spelling against the owners on the Inventory page.")
    st.rerun()


def failed_sign_ins(accounts: AccountBook) -> None:
    """The failures still counted, and a button that clears one user name's."""
    st.subheader("Failed sign-ins")
    try:
        waits = accounts.throttles(actor())
    except CatalogueError as error:
        st.error(f"Failed sign-ins not shown: {error}", icon=":material/lock:")
        return
    if waits.empty:
        st.caption("No failed sign-in is counted: nobody has to wait to sign in.")
        return
    st.caption("Counted per user name typed (accounts or not) and per source address; after "
               "a few failures that source waits before trying that name again, 1 second then "
               "twice as long each time. Other addresses are never slowed. Counts are "
               "forgotten a day after the last failure, or at a successful sign-in.")
    st.dataframe(waits.rename(columns=WAIT_TITLES), hide_index=True, width="stretch")
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    name = left.selectbox("User name typed", sorted(set(waits["username"])), index=None,
                          key="users_unlock_name", placeholder="choose a user name")
    if right.button("Clear its failed sign-ins", key="users_unlock",
                    icon=":material/lock_open:", disabled=name is None) and name is not None:
        try:
            cleared = accounts.unlock(name, actor())
        except CatalogueError as error:
            st.error(f"Not cleared: {error}", icon=":material/error:")
        else:
            flash(f"Cleared the failed sign-ins of {name} from {cleared} source(s); every "
                  "source may try it again now.")
            st.rerun()


def sign_out_everywhere(accounts: AccountBook, username: str) -> None:
    try:
        ended = accounts.sign_out_everywhere(username, actor())
    except CatalogueError as error:
        st.error(f"Not signed out: {error}", icon=":material/error:")
    else:
        flash(f"{username} is signed out of {ended} browser session(s); their next click asks "
              "them to sign in.")
        st.rerun()


def attempt(change: Callable[[], None], done: str) -> None:
    """Run ``change``; confirm with ``done`` after a rerun, or show the refusal."""
    try:
        change()
    except CatalogueError as error:
        st.error(f"Not changed: {error}", icon=":material/error:")
    else:
        flash(done)
        st.rerun()


st.title("Users")
if not allowed(Action.manage_users):
    me = actor()
    st.error(f"Only an admin can manage user accounts, and you are signed in as {me.name} "
             f"with the role {me.role.value}. Ask an admin to make the change, or to give you "
             "the admin role.", icon=":material/lock:")
    st.stop()

accounts = catalogue().accounts
show_flash()
show_one_time_password()
try:
    table = accounts.list(actor())
except CatalogueError as error:  # the role changed since the check above
    st.error(f"Accounts not shown: {error}", icon=":material/lock:")
    st.stop()
st.caption(f"{len(table):,} account(s). Passwords are stored only as argon2 hashes, which this "
           "page never reads.")
st.dataframe(table.rename(columns=TITLES), hide_index=True, width="stretch")
add_account(accounts)
manage_account(accounts, table)
failed_sign_ins(accounts)
cache_panel()
