"""Many editors at once: no acknowledged save is ever lost; every refused save is a conflict.
Many importers of one file at once: it is imported once."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter

from inventory.errors import Conflict
from inventory.files.importing import ImportOptions
from inventory.files.io import Upload
from inventory.services import Catalogue
from tests.support import by

EDITORS = 12


def _run(workers: list[threading.Thread]) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert not worker.is_alive()


def test_editors_who_read_the_same_version_get_one_winner(small_catalogue: Catalogue) -> None:
    seen = small_catalogue.process("HR-REC").record["version"]
    start = threading.Barrier(EDITORS)
    outcomes: Counter[str] = Counter()
    winners: list[str] = []

    def edit(editor: int) -> None:
        start.wait()
        try:
            small_catalogue.update_process("HR-REC", {"name": f"Name by editor {editor}"}, seen,
                                           by(f"editor{editor}"))
            winners.append(f"Name by editor {editor}")
            outcomes["saved"] += 1
        except Conflict:
            outcomes["conflict"] += 1

    _run([threading.Thread(target=edit, args=(i,)) for i in range(EDITORS)])
    assert outcomes == {"saved": 1, "conflict": EDITORS - 1}
    record = small_catalogue.process("HR-REC").record
    assert record["name"] == winners[0] and record["version"] == seen + 1
    history = small_catalogue.history("HR-REC")
    assert len(history[history["action"] == "update"]) == 1


def test_editors_who_retry_after_a_conflict_lose_nothing(small_catalogue: Catalogue) -> None:
    """Each editor appends its own tag (read, modify, write with the version read)."""
    start = threading.Barrier(EDITORS)
    conflicts: list[int] = []

    def append_tag(editor: int) -> None:
        start.wait()
        while True:
            record = small_catalogue.process("HR-REC").record
            tags = [t for t in (record["tags"] or "").split("; ") if t]
            try:
                small_catalogue.update_process(
                    "HR-REC", {"tags": "; ".join([*tags, f"editor-{editor}"])},
                    record["version"], by(f"editor{editor}"))
                return
            except Conflict:
                conflicts.append(editor)

    _run([threading.Thread(target=append_tag, args=(i,)) for i in range(EDITORS)])
    record = small_catalogue.process("HR-REC").record
    assert sorted(record["tags"].split("; ")) == sorted(f"editor-{i}" for i in range(EDITORS))
    assert record["version"] == 1 + EDITORS
    history = small_catalogue.history("HR-REC")
    assert len(history[history["field"] == "tags"]) == EDITORS


IMPORTERS = 4


def test_the_same_file_imported_at_the_same_moment_is_imported_once(database_url: str) -> None:
    """Four upserts of one file at once, each through its own connection pool as separate
    processes would: one imports, the others wait their turn and are told the file was already
    imported (by whom, when, its SHA-256) and that nothing changed."""
    catalogues = [Catalogue.open(database_url) for _ in range(IMPORTERS)]
    catalogues[0].add_unit({"code": "HRMD", "name": "Human Resources"}, by("ana"))
    rows = "".join(f"P{n:04d},Process {n},HRMD\n" for n in range(1_000))
    file = Upload("processes.csv", f"code,name,unit\n{rows}".encode())
    sha256 = hashlib.sha256(file.data).hexdigest()
    start = threading.Barrier(IMPORTERS)
    imported: list[str] = []
    refusals: list[str] = []

    def upsert(importer: int) -> None:
        start.wait()
        try:
            catalogues[importer].import_file(file, ImportOptions(), mode="upsert",
                                             actor=by(f"importer{importer}"))
            imported.append(f"importer{importer}")
        except Conflict as refusal:
            refusals.append(str(refusal))

    try:
        _run([threading.Thread(target=upsert, args=(i,)) for i in range(IMPORTERS)])
        records = catalogues[0].imports()
        assert len(imported) == 1 and len(records) == 1
        assert records["sha256"].tolist() == [sha256]
        assert len(refusals) == IMPORTERS - 1
        for refusal in refusals:
            assert refusal.startswith(f"processes.csv (SHA-256 {sha256}) was already imported "
                                      "on ") and f"by {imported[0]}; nothing was changed" in refusal
        assert len(catalogues[0].processes()) == 1_000
        history = catalogues[0].history("P0001")
        assert history["action"].tolist() == ["create"]
    finally:
        for catalogue in catalogues:
            catalogue.engine.dispose()
