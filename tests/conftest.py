"""Shared fixtures: every database test runs on SQLite and, when ``DTI_TEST_POSTGRES_URL`` points
at a server, again on PostgreSQL (in a database of its own, created and dropped here)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from inventory.models import Base
from inventory.sample import load_sample
from inventory.services import Catalogue

POSTGRES_URL = os.environ.get("DTI_TEST_POSTGRES_URL")
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


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/dti.db"
    url = str(request.getfixturevalue("postgres_database"))
    _empty_postgres(url)
    return url


@pytest.fixture
def catalogue(database_url: str) -> Iterator[Catalogue]:
    opened = Catalogue.open(database_url)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def sample_catalogue(catalogue: Catalogue) -> Catalogue:
    load_sample(catalogue)
    return catalogue


@pytest.fixture
def small_catalogue(catalogue: Catalogue) -> Catalogue:
    """Two units and a three-level hierarchy: HR > HR-REC > HR-REC-01, plus FIN."""
    catalogue.add_unit({"code": "HRMD", "name": "Human Resources", "kind": "gs_department"}, "ana")
    catalogue.add_unit({"code": "FRMD", "name": "Financial Resources"}, "ana")
    catalogue.add_process({"code": "HR", "name": "Human resources", "unit": "HRMD"}, "ana")
    catalogue.add_process({"code": "HR-REC", "name": "Recruitment", "unit": "HRMD",
                           "parent_code": "HR"}, "ana")
    catalogue.add_process({"code": "HR-REC-01", "name": "Post a vacancy", "unit": "HRMD",
                           "parent_code": "HR-REC"}, "ana")
    catalogue.add_process({"code": "FIN", "name": "Budgeting", "unit": "FRMD"}, "ana")
    return catalogue
