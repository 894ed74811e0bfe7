"""Databases holding an inventory of a given size, for the page and load benchmarks.

``SAMPLE_SIZE`` (85) processes means the sample inventory of ``data/sample``, loaded as the app's
first start loads it; any other size is the workbook of :mod:`benchmarks.inventory_generator`
imported through the services, as ``dti import`` imports it. SQLite databases are built once
and kept in the temporary folder (``dti-bench-inventories``), keyed by size and seed; a
PostgreSQL database is made new for each run and dropped after it.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.inventory_generator import generate
from inventory.access import Actor, Role
from inventory.files.export import inventory_workbook
from inventory.files.importing import ImportOptions
from inventory.files.io import Limits, Upload
from inventory.services import Catalogue
from inventory.services.sample import load_sample

SAMPLE_SIZE = 85
CACHE = Path(tempfile.gettempdir()) / "dti-bench-inventories"
BUILDER = Actor("benchmark", Role.admin)


def fill(url: str, processes: int, seed: int) -> None:
    """Migrate the empty database at ``url`` and put an inventory of ``processes`` in it."""
    catalogue = Catalogue.open(url)
    try:
        if processes == SAMPLE_SIZE:
            load_sample(catalogue)
            return
        book = inventory_workbook(generate(processes, seed))
        result = catalogue.import_file(Upload(f"inventory-{processes}.xlsx", book),
                                       ImportOptions(), mode="insert", actor=BUILDER,
                                       limits=Limits(max_bytes=len(book) + 1, child_seconds=900.0))
        if result.errors:
            raise RuntimeError(f"the generated inventory of {processes} processes did not "
                               f"import:\n{result.problems.head(10).to_string()}")
    finally:
        catalogue.engine.dispose()


def cached_sqlite(processes: int, seed: int) -> Path:
    """A SQLite file holding the inventory, built on first use and never written to after."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / (f"sample-{SAMPLE_SIZE}.db" if processes == SAMPLE_SIZE
                    else f"inventory-{processes}-seed{seed}-with-roadmap.db")
    if not path.exists():
        building = path.with_suffix(f".building-{uuid.uuid4().hex[:8]}")
        fill(f"sqlite:///{building}", processes, seed)
        building.rename(path)  # a build stopped half-way is never taken for a whole one
    return path


@contextmanager
def sqlite_copy(processes: int, seed: int) -> Iterator[str]:
    """The URL of a fresh copy of the cached database, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="dti-bench-") as folder:
        target = Path(folder) / "dti.db"
        shutil.copyfile(cached_sqlite(processes, seed), target)
        yield f"sqlite:///{target}"


@contextmanager
def postgres_database(server_url: str, processes: int, seed: int) -> Iterator[str]:
    """A new database on the PostgreSQL server of ``server_url`` holding the inventory; dropped
    afterwards."""
    base = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"dti_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        fill(url, processes, seed)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
