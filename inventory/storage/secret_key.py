"""The server secret that seals the audit trail and the decision snapshots.

Where it comes from, first match wins:

1. ``DTI_SECRET_KEY``: the secret itself (at least 32 characters).
2. ``DTI_SECRET_FILE``: a file holding it; created with a new random secret (64 hex digits,
   permissions 0600) if it does not exist yet.
3. SQLite only: the file ``<database file>.secret`` beside the database, created the same way.
   An in-memory SQLite database, which dies with the process, gets a secret of its own for
   the life of the process.

PostgreSQL needs 1 or 2: every app process on one database must use the same secret, so none
of them may invent one. The secret is never stored in the database: someone who can write to
the database but cannot read the secret cannot forge a seal (see :mod:`inventory.storage.sealing`).
A file is created atomically (written under a temporary name, then hard-linked into place), so
two processes starting together end up with the same secret.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from sqlalchemy.engine import URL

from inventory.errors import SecretUnavailable

KEY_VARIABLE = "DTI_SECRET_KEY"
FILE_VARIABLE = "DTI_SECRET_FILE"
MIN_LENGTH = 32
SQLITE_SUFFIX = ".secret"
MAKE_ONE = "`python -c 'import secrets; print(secrets.token_hex(32))'` prints one"
_IN_MEMORY = secrets.token_hex(32).encode("ascii")


def server_secret(url: URL) -> bytes:
    """The secret for the database at ``url`` (see the module's docstring for where from)."""
    if (value := os.environ.get(KEY_VARIABLE)) is not None:
        return _checked(value, f"${KEY_VARIABLE}")
    if path := os.environ.get(FILE_VARIABLE):
        return _from_file(Path(path).expanduser())
    if url.get_backend_name() != "sqlite":
        raise SecretUnavailable(
            f"no server secret: set {KEY_VARIABLE} (at least {MIN_LENGTH} random characters; "
            f"{MAKE_ONE}) or {FILE_VARIABLE} (a file every app process can read) to the same "
            "value for every process on this PostgreSQL database; it seals the audit trail "
            "and the snapshots and is never stored in the database")
    if url.database in (None, "", ":memory:"):
        return _IN_MEMORY
    return _from_file(Path(url.database).resolve().with_name(
        Path(url.database).name + SQLITE_SUFFIX))


def _checked(value: str, where: str) -> bytes:
    value = value.strip()
    if len(value) < MIN_LENGTH:
        raise SecretUnavailable(f"the server secret in {where} has {len(value)} characters; "
                                f"use at least {MIN_LENGTH} random characters ({MAKE_ONE})")
    return value.encode("utf-8")


def _from_file(path: Path) -> bytes:
    try:
        if not path.exists():
            _create(path)
        return _checked(path.read_text(encoding="utf-8"), str(path))
    except OSError as error:
        raise SecretUnavailable(f"cannot read or create the server secret file {path}: "
                                f"{error.strerror or error}; make its folder writable, or set "
                                f"{FILE_VARIABLE} to a file you can read") from None


def _create(path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first: use that
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
