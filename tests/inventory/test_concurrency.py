"""Many editors at once: no acknowledged save is ever lost; every refused save is a conflict."""

from __future__ import annotations

import threading
from collections import Counter

from inventory.errors import Conflict
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
