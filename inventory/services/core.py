"""What every use case of the catalogue stands on: the database, the criteria set, the write
transaction that moves the catalogue's revision on, checked input, and the lookups of a unit or
a process by code that refuse with a message a user can act on.

:class:`CatalogueCore` is the first of the classes :class:`inventory.services.Catalogue` is
built from (see :mod:`inventory.services`); the use cases themselves are in the modules beside
this one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from inventory.errors import (
    DatabaseMissing,
    DatabaseNotReady,
    InvalidInput,
    NotFound,
    SchemaOutdated,
)
from inventory.schemas import AssessmentIn, describe_validation_error
from inventory.storage import migrate, repository
from inventory.storage.db import (
    describe_url,
    is_sqlite,
    make_engine,
    noting_writes,
    one_snapshot,
    reading,
    write_transaction,
)
from inventory.storage.models import Process, Unit
from inventory.storage.secret_key import server_secret
from scoring.criteria import CriteriaError, CriteriaSet, criteria_in_use

Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], data: dict[str, Any], what: str) -> Model:
    """``data`` checked by the pydantic ``model``; an unknown field, or a value the model
    refuses, is an :class:`~inventory.errors.InvalidInput` that starts with ``what`` (the record
    it is about) and names the field."""
    unknown = sorted(set(data) - set(model.model_fields))
    if unknown:
        raise InvalidInput(f"{what}: unknown field {', '.join(unknown)}; known fields are "
                           f"{', '.join(model.model_fields)}")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(f"{what}: {describe_validation_error(error)}") from None


def row_record(frame: pd.DataFrame, mask: pd.Series | None = None) -> dict[str, Any]:
    """The first (or the masked) row as a plain dict, missing values as ``None``."""
    row = frame[mask].iloc[0] if mask is not None else frame.iloc[0]
    return {str(key): _plain(value) for key, value in row.items()}


def _plain(value: Any) -> Any:
    """NaN/NaT as ``None``, numpy scalars as Python numbers."""
    if _missing(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str | list | dict) and bool(pd.isna(value)))


@contextmanager
def catalogue_transaction(engine: Engine) -> Iterator[Session]:
    """A write transaction that changes the catalogue (records, imports, scenarios,
    snapshots): like :func:`write_transaction`, and it advances the catalogue revision as its
    last statement, so every app process drops the results derived from the old data at its
    next rerun (inventory/results.py), and the revision of every table it wrote to. Sign-ins
    and accounts do not use it."""
    with write_transaction(engine) as session, noting_writes(session) as written:
        yield session
        session.flush()
        repository.advance_revision(session, written)


class CatalogueCore:
    """The catalogue's database and criteria set, and what every use case needs of them.

    ``criteria`` is the criteria set every assessment is checked against, whichever way it
    arrives (form, command line, import): by default the tool's own
    (:func:`scoring.criteria.criteria_in_use`, read when first needed)."""

    def __init__(self, engine: Engine, criteria: CriteriaSet | None = None) -> None:
        self.engine = engine
        self._criteria = criteria

    @classmethod
    def open(cls, url: str | None = None, *, migrate_schema: bool = True,
             criteria: CriteriaSet | None = None) -> Self:
        """Connect (default: :func:`inventory.storage.db.default_url`) and bring the schema
        to head."""
        engine = make_engine(url)
        database = engine.url.database
        if (not migrate_schema and is_sqlite(engine) and database not in (None, "", ":memory:")
                and not Path(database).is_file()):
            raise DatabaseMissing(f"there is no database at {database} yet: create it first")
        try:
            server_secret(engine.url)
            if migrate_schema:
                migrate.upgrade(engine)
            elif (state := migrate.schema_state(engine)) is not None:
                empty = migrate.current_revision(engine) is None  # else an older schema
                raise (DatabaseMissing if empty else SchemaOutdated)(
                    f"the database {describe_url(str(engine.url))} {state}: "
                                       "bring its schema up to date first (that creates or "
                                       "upgrades the schema and keeps the data)")
        except migrate.NewerSchema as newer:
            raise DatabaseNotReady(f"the database {describe_url(str(engine.url))} was written by "
                                   f"a newer version of dti (schema revision {newer}, this "
                                   f"version knows up to {migrate.head_revision()}); open it "
                                   "with that version or upgrade dti; it was left as it is") \
                from None
        except migrate.BrokenForeignKeys as broken:
            raise DatabaseNotReady(f"the schema of {describe_url(str(engine.url))} cannot be "
                                   f"upgraded: {broken}; it was left as it is") from None
        except OperationalError as error:
            raise DatabaseNotReady(f"cannot open the database {describe_url(str(engine.url))}: "
                                   f"{error.orig}") from None
        return cls(engine, criteria)

    @property
    def criteria(self) -> CriteriaSet:
        """The criteria set assessments are checked against (see the class)."""
        if self._criteria is None:
            try:
                self._criteria = criteria_in_use()
            except CriteriaError as error:
                raise InvalidInput(f"assessments cannot be checked: {error}") from None
        return self._criteria

    def rating_problem(self, process_code: str,
                       values: Mapping[str, Any]) -> tuple[str, str] | None:
        """What keeps an assessment of ``process_code`` (its ``criterion_key``, ``value``,
        ``low`` and ``high``) out of the criteria set, as (field at fault, a sentence naming
        the process, the criterion, the value and the allowed range or the known keys), or
        ``None``; the rule itself is :meth:`scoring.criteria.CriteriaSet.rating_problem`."""
        problem = self.criteria.rating_problem(str(values["criterion_key"]),
                                               float(values["value"]), values.get("low"),
                                               values.get("high"))
        if problem is None:
            return None
        field, message = problem
        return field, f"Assessment of {process_code}: {message}"

    def _check_rating(self, process_code: str, value: AssessmentIn) -> None:
        problem = self.rating_problem(process_code, value.model_dump())
        if problem is not None:
            raise InvalidInput(problem[1])

    @property
    def url(self) -> str:
        return describe_url(str(self.engine.url))

    def _write(self) -> AbstractContextManager[Session]:
        return catalogue_transaction(self.engine)

    def revision(self) -> int:
        """The catalogue's revision: it moves on with every committed change (one cheap read)."""
        with reading(self.engine) as s:
            return repository.current_revision(s)

    def one_snapshot(self) -> AbstractContextManager[None]:
        """Reads inside this block see one state of the catalogue, whatever is committed
        meanwhile (:func:`inventory.storage.db.one_snapshot`)."""
        return one_snapshot(self.engine)

    def table_revisions(self) -> dict[str, int]:
        """Each catalogue table's revision (see :func:`repository.table_revisions`)."""
        with reading(self.engine) as s:
            return repository.table_revisions(s)

    # ------------------------------------------------------------------ lookups

    @staticmethod
    def _existing_process(s: Session, code: str, *, allow_deleted: bool = False,
                          lock: bool = False) -> Process:
        row = repository.process_by_code(s, code, lock=lock)
        if row is None:
            raise NotFound(f"no process has the code '{code.strip()}'; check the code in the "
                           "list of processes")
        if row.deleted_at is not None and not allow_deleted:
            raise NotFound(f"process {row.code} is deleted; restore it first (an admin can "
                           "restore it)")
        return row

    @staticmethod
    def _existing_unit(s: Session, code: str, *, allow_deleted: bool = False,
                       lock: bool = False) -> Unit:
        row = repository.unit_by_code(s, code, lock=lock)
        if row is None:
            raise NotFound(f"no unit has the code '{code.strip()}'; check the code in the list "
                           "of units")
        if row.deleted_at is not None and not allow_deleted:
            raise NotFound(f"unit {row.code} is deleted; restore it first (an admin can "
                           "restore it)")
        return row
