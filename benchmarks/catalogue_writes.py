"""Concurrent editors and bulk loading on the catalogue.

Concurrent edits: EDITORS threads each add 1 to the same process's ``annual_volume``
SAVES_EACH times, by read-modify-write, as a form would. Compared:

* plain: save without a version (last write wins), the approach of a naive form;
* version-checked: save with the version read; on a conflict, read again and retry.

Printed per database: acknowledged saves, lost updates (acknowledged minus the final increase),
conflicts reported, wall time and saves per second. Bulk load: the sample inventory in one
transaction. PostgreSQL runs too when ``DTI_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid

from sqlalchemy import create_engine, text

from inventory.errors import Conflict
from inventory.services import Catalogue
from inventory.services.sample import load_sample

EDITORS = 20
SAVES_EACH = 20


def _editors(catalogue: Catalogue, checked: bool) -> dict[str, float]:
    start_volume = catalogue.process("HR-REC").record["annual_volume"] or 0
    conflicts = acknowledged = 0
    lock = threading.Lock()
    barrier = threading.Barrier(EDITORS)

    def editor(number: int) -> None:
        nonlocal conflicts, acknowledged
        barrier.wait()
        for _ in range(SAVES_EACH):
            while True:
                record = catalogue.process("HR-REC").record
                volume = (record["annual_volume"] or 0) + 1
                try:
                    catalogue.update_process("HR-REC", {"annual_volume": volume},
                                             record["version"] if checked else None,
                                             f"editor{number}")
                    with lock:
                        acknowledged += 1
                    break
                except Conflict:
                    with lock:
                        conflicts += 1

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(EDITORS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    increase = (catalogue.process("HR-REC").record["annual_volume"] or 0) - start_volume
    return {"acknowledged": acknowledged, "lost": acknowledged - increase,
            "conflicts": conflicts, "seconds": elapsed, "saves_per_s": acknowledged / elapsed}


def _run(name: str, url: str) -> None:
    catalogue = Catalogue.open(url)
    began = time.perf_counter()
    loaded = load_sample(catalogue)
    load_seconds = time.perf_counter() - began
    print(f"\n{name}: sample load ({sum(loaded.values())} records, one transaction) "
          f"{load_seconds:.2f} s")
    print(f"  {EDITORS} editors x {SAVES_EACH} read-modify-write saves on one process")
    print(f"  {'approach':<16}{'acknowledged':>13}{'lost':>7}{'conflicts':>11}{'seconds':>9}"
          f"{'saves/s':>9}")
    results = {}
    for label, checked in (("plain", False), ("version-checked", True)):
        result = results[label] = _editors(catalogue, checked)
        print(f"  {label:<16}{result['acknowledged']:>13.0f}{result['lost']:>7.0f}"
              f"{result['conflicts']:>11.0f}{result['seconds']:>9.2f}{result['saves_per_s']:>9.1f}")
    ratio = results["version-checked"]["seconds"] / results["plain"]["seconds"]
    print(f"  version-checked takes {ratio:.2f}x the plain time and loses "
          f"{results['version-checked']['lost']:.0f} of {EDITORS * SAVES_EACH} saves "
          f"(plain loses {results['plain']['lost']:.0f})")
    catalogue.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        _run("SQLite", f"sqlite:///{folder}/bench.db")
    base = os.environ.get("DTI_TEST_POSTGRES_URL")
    if not base:
        print("\nPostgreSQL: skipped (set DTI_TEST_POSTGRES_URL to include it)")
        return
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    name = f"dti_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _run("PostgreSQL", admin.url.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
