"""Page tests run on SQLite only: they test the pages, and the services the pages call are tested
on both databases in tests/inventory. Each test gets its own copy of one sample database built
once per test session, as a first start leaves it (loading the sample for every test cost most of
the suite's time); ``empty_database_url`` is for the tests of the first start itself."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from inventory.services import Catalogue
from inventory.services.sample import open_with_sample


@pytest.fixture(scope="session")
def sample_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A SQLite file holding the migrated schema and the sample inventory, never written to."""
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    open_with_sample(f"sqlite:///{path}").engine.dispose()
    yield path


@pytest.fixture
def database_url(tmp_path: Path, sample_database: Path) -> str:
    """This test's own SQLite database, holding the sample inventory and no accounts."""
    target = tmp_path / "dti.db"
    shutil.copyfile(sample_database, target)
    return f"sqlite:///{target}"


@pytest.fixture
def reader(database_url: str) -> Iterator[Catalogue]:
    """The services on this test's database, to check what a page stored."""
    opened = Catalogue.open(database_url)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def empty_database_url(tmp_path: Path) -> str:
    """An empty SQLite database: the app's first start migrates it and loads the sample."""
    return f"sqlite:///{tmp_path}/empty.db"
