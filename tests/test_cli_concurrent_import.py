"""Four ``dti import --mode upsert`` of one file started at the same moment, as four separate
processes: the file is imported once and the other three are refused with one line saying so."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from inventory.services import Catalogue
from tests.support import by

ROOT = Path(__file__).resolve().parent.parent
IMPORTERS = 4
# Each process loads the command line, says it is ready, then waits for the go of the test.
STARTER = """
import pathlib, sys, time
from inventory.cli import main
folder = pathlib.Path(sys.argv.pop(1))
(folder / f"ready-{sys.argv.pop(1)}").touch()
while not (folder / "go").exists():
    time.sleep(0.005)
main()
"""


def test_four_processes_importing_one_file_at_once_import_it_once(database_url: str,
                                                                   tmp_path: Path) -> None:
    catalogue = Catalogue.open(database_url)
    catalogue.add_unit({"code": "HRMD", "name": "Human Resources"}, by("ana"))
    file = tmp_path / "processes.csv"
    file.write_text("code,name,unit\n" + "".join(f"P{n:04d},Process {n},HRMD\n"
                                                 for n in range(2_000)), encoding="utf-8")
    sha256 = hashlib.sha256(file.read_bytes()).hexdigest()
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    importers = [subprocess.Popen(
        [sys.executable, "-c", STARTER, str(tmp_path), str(n), "--db", database_url, "--actor",
         f"importer{n}", "import", str(file), "--mode", "upsert"], env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(IMPORTERS)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < IMPORTERS and time.monotonic() < deadline:
        time.sleep(0.01)
    (tmp_path / "go").touch()
    outcomes = [(importer.wait(timeout=120), *importer.communicate()) for importer in importers]

    try:
        done = [out for code, out, _ in outcomes if code == 0]
        refused = [err for code, _, err in outcomes if code == 1]
        assert len(done) == 1 and len(refused) == IMPORTERS - 1, outcomes
        first = catalogue.imports()
        assert len(first) == 1 and first["sha256"].tolist() == [sha256]
        for message in refused:
            assert message.startswith(f"Error: processes.csv (SHA-256 {sha256}) was already "
                                      "imported on ") and message.count("\n") == 1, message
            assert f"by {first['actor'].iloc[0]}; nothing was changed" in message
        assert len(catalogue.processes()) == 2_000
    finally:
        catalogue.engine.dispose()
