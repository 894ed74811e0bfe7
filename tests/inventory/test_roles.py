"""The owner and application roles of docs/deployment-postgresql.md, run as written there on a
database of their own: the application works, and cannot change or empty the audit trail or
the snapshots."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from inventory.services import Catalogue
from tests.support import by

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "deployment-postgresql.md"


def guide_sql(owner: str, app: str, database: str) -> list[list[str]]:
    """The guide's SQL blocks, statement by statement, with these names put in."""
    blocks = re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.DOTALL)
    named = [re.sub(r"\bdti\b", f'"{database}"', re.sub(r"\bdti_app\b", app, re.sub(
        r"\bdti_owner\b", owner, block))) for block in blocks]
    return [[s.strip() for s in block.split(";") if s.strip()] for block in named]


def run(engine: Engine, statements: list[str]) -> None:
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


@pytest.fixture
def roles(postgres_database: str) -> Iterator[tuple[URL, URL]]:
    """The URLs of the owner and the application role, set up by the guide's SQL."""
    suffix = uuid.uuid4().hex[:8]
    owner, app, database = f"dti_owner_{suffix}", f"dti_app_{suffix}", f"dti_roles_{suffix}"
    as_superuser, as_owner = guide_sql(owner, app, database)
    base = make_url(postgres_database)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    owner_url = base.set(username=owner, password="owner-password", database=database)
    try:
        run(admin, as_superuser)
        Catalogue.open(owner_url.render_as_string(hide_password=False)).engine.dispose()
        run(create_engine(owner_url, isolation_level="AUTOCOMMIT"), as_owner)
        yield owner_url, base.set(username=app, password="app-password", database=database)
    finally:
        run(admin, [f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
                    f"DROP ROLE IF EXISTS {app}", f"DROP ROLE IF EXISTS {owner}"])


def test_the_application_role_adds_and_reads_but_cannot_rewrite(roles: tuple[URL, URL]) -> None:
    _, app_url = roles
    catalogue = Catalogue.open(app_url.render_as_string(hide_password=False))
    catalogue.add_unit({"code": "HRMD", "name": "Human Resources"}, by("ana"))
    catalogue.scenarios.add("Decision", {}, by("ana"))
    catalogue.scenarios.snapshot("Decision", "Board", {"a": 1}, by("ana"))
    for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events",
                      "TRUNCATE audit_events", "UPDATE snapshots SET label = 'x'",
                      "DELETE FROM snapshots", "TRUNCATE snapshots",
                      "UPDATE alembic_version SET version_num = '0001'"):
        with pytest.raises(DBAPIError, match="permission denied"), \
                catalogue.engine.begin() as conn:
            conn.execute(text(statement))
    for statement in ("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
                      "DROP TRIGGER audit_events_no_truncate ON audit_events"):
        with pytest.raises(DBAPIError, match="must be owner"), catalogue.engine.begin() as conn:
            conn.execute(text(statement))
    check = catalogue.verify_audit()
    assert check.intact and check.entries == 2
    catalogue.engine.dispose()
