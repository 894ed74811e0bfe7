"""Shared fixtures: every database test runs on SQLite and, when ``DTI_TEST_POSTGRES_URL`` points
at a server, again on PostgreSQL (in a database of its own, created and dropped here)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from inventory.services import Catalogue
from inventory.services.sample import SAMPLE_ACTOR, open_with_sample, read_sample
from inventory.storage.models import Base
from tests.support import by

POSTGRES_URL = os.environ.get("DTI_TEST_POSTGRES_URL")
#: One server secret for the whole run (and the app and CLI processes it starts), so that the
#: PostgreSQL databases copied from the session's sample keep verifying.
os.environ.setdefault("DTI_SECRET_KEY", "test-only-secret-" + "0" * 32)
NO_POSTGRES = ("DTI_TEST_POSTGRES_URL is not set: PostgreSQL variant skipped "
               "(.ci/run sets it when a server answers on 127.0.0.1:5432)")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    base = make_url(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"dti_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    Catalogue.open(url).engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def empty_postgres(url: str) -> None:
    """Empty every table; the append-only triggers (TRUNCATE refused) are off for this session
    only, as replication sessions have them (superuser, as the test server's user is)."""
    engine = create_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/dti.db"
    url = str(request.getfixturevalue("postgres_database"))
    empty_postgres(url)
    return url


@pytest.fixture
def catalogue(database_url: str) -> Iterator[Catalogue]:
    opened = Catalogue.open(database_url)
    yield opened
    opened.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the schema and the sample inventory, built once and never written."""
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    open_with_sample(f"sqlite:///{path}").engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_sample(postgres_database: str) -> Iterator[str]:
    """A PostgreSQL database holding the sample, used only as a template (never connected to
    during tests, as CREATE DATABASE ... TEMPLATE requires)."""
    base = make_url(postgres_database)
    name = f"dti_sample_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    open_with_sample(base.set(database=name).render_as_string(hide_password=False)
                     ).engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


INVENTORY_KINDS = ("units", "processes", "dependencies", "kpis", "assessments")


def load_inventory_sample(url: str) -> None:
    """The sample's inventory alone (no roadmap, no cases), for tests that build their own."""
    catalogue = Catalogue.open(url)
    try:
        catalogue.load({kind: records for kind, records in read_sample().items()
                        if kind in INVENTORY_KINDS}, by(SAMPLE_ACTOR))
    finally:
        catalogue.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_inventory_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the sample's inventory and no roadmap, built once, never written."""
    path = tmp_path_factory.mktemp("inventory") / "inventory.db"
    load_inventory_sample(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_inventory_sample(postgres_database: str) -> Iterator[str]:
    """The PostgreSQL template of :func:`sqlite_inventory_sample`."""
    base = make_url(postgres_database)
    name = f"dti_inventory_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    load_inventory_sample(base.set(database=name).render_as_string(hide_password=False))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def inventory_sample_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """This test's own database of each kind holding the sample's inventory and no roadmap."""
    yield from _copied(request, tmp_path, "sqlite_inventory_sample",
                       "postgres_inventory_sample")


@pytest.fixture(params=["sqlite", "postgresql"])
def sample_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """This test's own database of each kind holding the sample inventory and no accounts,
    copied from one built per test session (loading the sample each time was slow)."""
    yield from _copied(request, tmp_path, "sqlite_sample", "postgres_sample")


def _copied(request: pytest.FixtureRequest, tmp_path: Path, sqlite_file: str,
            postgres_template: str) -> Iterator[str]:
    """A copy, for this test alone, of the SQLite file or PostgreSQL template fixture named."""
    if request.param == "sqlite":
        target = tmp_path / "dti.db"
        shutil.copyfile(request.getfixturevalue(sqlite_file), target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue(postgres_template)
    base = make_url(str(request.getfixturevalue("postgres_database")))
    name = f"dti_copy_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sample_catalogue(sample_url: str) -> Iterator[Catalogue]:
    opened = Catalogue.open(sample_url)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def small_catalogue(catalogue: Catalogue) -> Catalogue:
    """Two units and a three-level hierarchy: HR > HR-REC > HR-REC-01, plus FIN."""
    catalogue.add_unit({"code": "HRMD", "name": "Human Resources", "kind": "gs_department"},
                       by("ana"))
    catalogue.add_unit({"code": "FRMD", "name": "Financial Resources"}, by("ana"))
    catalogue.add_process({"code": "HR", "name": "Human resources", "unit": "HRMD"}, by("ana"))
    catalogue.add_process({"code": "HR-REC", "name": "Recruitment", "unit": "HRMD",
                           "parent_code": "HR"}, by("ana"))
    catalogue.add_process({"code": "HR-REC-01", "name": "Post a vacancy", "unit": "HRMD",
                           "parent_code": "HR-REC"}, by("ana"))
    catalogue.add_process({"code": "FIN", "name": "Budgeting", "unit": "FRMD"}, by("ana"))
    return catalogue
