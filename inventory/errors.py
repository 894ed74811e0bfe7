"""Errors a user can act on. Their text is shown as is, on one line, by the CLI and the UI."""


class CatalogueError(Exception):
    """Base class: the request was refused and nothing was changed."""


class InvalidInput(CatalogueError):
    """The data given breaks a rule (type, range, vocabulary, reference)."""


class NotFound(CatalogueError):
    """No live record answers to the code or id given."""


class SnapshotNotFound(NotFound):
    """No decision snapshot has the number given: the list of snapshots shows the numbers."""


class NoScenarioSaved(NotFound):
    """A scenario was asked for by name and none is saved yet: saving one cures this."""


class Conflict(CatalogueError):
    """The record changed since the caller read it, or the change clashes with existing data."""


class DatabaseNotReady(CatalogueError):
    """The database is missing, unreachable, or not at the schema version this code expects."""


class DatabaseMissing(DatabaseNotReady):
    """There is no database yet, or it holds no schema: creating it cures this."""


class SchemaOutdated(DatabaseNotReady):
    """The database holds an older schema: upgrading it (data kept) cures this."""


class PermissionDenied(CatalogueError):
    """The acting user's role does not allow the action (see :mod:`inventory.access`)."""


class SignInRefused(CatalogueError):
    """Wrong user name or password, a disabled account, or too many failed attempts."""


class SecretUnavailable(CatalogueError):
    """The server secret that seals the audit trail and snapshots cannot be found or made
    (see :mod:`inventory.storage.secret_key`)."""
