"""``dti user``: the admin's account commands (see :mod:`inventory.services.accounts`).

One-time passwords are printed once, on stdout, for the admin to hand over privately; the
person signs in with it and must choose their own password straight away. The command line
acts as the admin operator (see :func:`inventory.cli.shell.actor`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from inventory.access import Role
from inventory.cli import shell
from inventory.cli.shell import Format, FormatOption
from inventory.passwords import RULES

user_app = shell.command_group("User accounts: add, list, set-role, set-owner, disable, "
                               "enable, reset-password, change-password, sign-out, throttles, "
                               "unlock.")

RoleArgument = Annotated[Role, typer.Argument(help="viewer, staff, analyst, leadership or admin.",
                                              case_sensitive=False)]


def _handover(username: str, secret: str) -> None:
    typer.echo(f"One-time password for {username}: {secret}")
    typer.echo("Hand it over privately; it must be changed at the first sign-in.")


@user_app.command("add")
def add(ctx: typer.Context, username: str,
        role: Annotated[Role, typer.Option(
            "--role", help="viewer, staff, analyst, leadership or admin.",
            case_sensitive=False)] = Role.viewer,
        name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None) -> None:
    """Create an account with a one-time password."""
    secret = shell.catalogue(ctx).accounts.add(username, role, shell.actor(ctx), display_name=name)
    typer.echo(f"Account {username} created with the role {role.value}.")
    if secret is not None:
        _handover(username, secret)


@user_app.command("list")
def list_users(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Every account with its role, state and last sign-in (never a password hash)."""
    shell.emit(shell.catalogue(ctx).accounts.list(shell.actor(ctx)), fmt,
          ["username", "display_name", "role", "owner_title", "disabled",
           "must_change_password", "last_sign_in_at", "failed_attempts"])


@user_app.command("set-role")
def set_role(ctx: typer.Context, username: str, role: RoleArgument) -> None:
    """Give an account another role; it applies at the person's next click."""
    shell.catalogue(ctx).accounts.set_role(username, role, shell.actor(ctx))
    typer.echo(f"{username} now has the role {role.value}.")


@user_app.command("set-owner")
def set_owner(ctx: typer.Context, username: str,
              title: Annotated[str, typer.Argument(
                  help="The process owner's title as the processes name it, e.g. \"Head, HR "
                       "Operations\"; empty (\"\") unlinks the account.")]) -> None:
    """Link an account to the process owner it answers for: that person reviews and confirms
    those processes (`dti review`)."""
    owned = shell.catalogue(ctx).accounts.set_owner(username, title, shell.actor(ctx))
    shown = " ".join(title.split())
    if not shown:
        typer.echo(f"{username} answers for no process owner now.")
    elif owned:
        typer.echo(f"{username} answers for {shell.terminal_safe(shown)}: {owned} process(es).")
    else:
        typer.echo(f"{username} answers for {shell.terminal_safe(shown)}, which no process "
                   "names yet; check the spelling against `dti process list`.")


@user_app.command("disable")
def disable(ctx: typer.Context, username: str) -> None:
    """Stop an account from signing in; an open session ends at its next click."""
    shell.catalogue(ctx).accounts.disable(username, shell.actor(ctx))
    typer.echo(f"{username} is disabled.")


@user_app.command("enable")
def enable(ctx: typer.Context, username: str) -> None:
    """Let a disabled account sign in again."""
    shell.catalogue(ctx).accounts.enable(username, shell.actor(ctx))
    typer.echo(f"{username} is enabled.")


@user_app.command("reset-password")
def reset_password(ctx: typer.Context, username: str) -> None:
    """Replace the password with a new one-time password (also clears its failed sign-ins)."""
    _handover(username, shell.catalogue(ctx).accounts.reset_password(username, shell.actor(ctx)))


@user_app.command("change-password")
def change_password(ctx: typer.Context, username: str) -> None:
    """Choose a new password for an account, given its current one (asked without echo); the
    account's browsers are signed out."""
    current = typer.prompt("Current password", hide_input=True)
    new = typer.prompt(f"New password ({RULES})", hide_input=True, confirmation_prompt=True)
    shell.catalogue(ctx).accounts.change_password(username, current, new)
    typer.echo(f"Password of {username} changed; its browsers are signed out.")


@user_app.command("sign-out")
def sign_out(ctx: typer.Context, username: str) -> None:
    """Sign an account out of every browser it is signed in on (a lost laptop, a shared
    computer); it can sign in again with its password."""
    ended = shell.catalogue(ctx).accounts.sign_out_everywhere(username, shell.actor(ctx))
    typer.echo(f"{username} is signed out of {ended} browser session(s).")


@user_app.command("throttles")
def throttles(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Failed sign-ins still counted, per typed user name and source (the client's address),
    with when that source may try that name again (UTC)."""
    shell.emit(shell.catalogue(ctx).accounts.throttles(shell.actor(ctx)), fmt,
          ["username", "source", "failures", "last_failure_at", "wait_until"])


@user_app.command("unlock")
def unlock(ctx: typer.Context, username: str) -> None:
    """Forget the failed sign-ins of a user name from every source, so nobody waits to try it
    (any name: failures are counted for names that are no account too)."""
    cleared = shell.catalogue(ctx).accounts.unlock(username, shell.actor(ctx))
    typer.echo(f"Cleared the failed sign-ins of {username} from {cleared} source(s)."
               if cleared else f"No failed sign-ins of {username} are counted; nothing to clear.")
