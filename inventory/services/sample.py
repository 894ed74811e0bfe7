"""The illustrative ITU sample inventory shipped in ``data/sample`` (not official ITU data).

One CSV file per kind of record, with the same column names as the catalogue's fields; an empty
cell means "unknown". Loaded through :meth:`inventory.services.Catalogue.load`, so the sample
obeys exactly the rules a user's data obeys, in one all-or-nothing transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from inventory.access import Actor, Role
from inventory.errors import InvalidInput
from inventory.services.catalogue import Catalogue

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
FILES = ("units", "processes", "dependencies", "kpis", "assessments", "initiatives",
         "deliverables", "progress_updates", "cases", "case_comments")
SAMPLE_ACTOR = "sample-data"


def read_sample(folder: Path = SAMPLE_DIR) -> dict[str, list[dict[str, Any]]]:
    """The sample's records as field dictionaries, blank cells left out."""
    records: dict[str, list[dict[str, Any]]] = {}
    for name in FILES:
        path = folder / f"{name}.csv"
        if not path.is_file():
            raise InvalidInput(f"the sample file {path} is missing")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        records[name] = [{str(k): v for k, v in row.items() if v.strip()}
                         for row in frame.to_dict(orient="records")]
    return records


def load_sample(catalogue: Catalogue) -> dict[str, int]:
    """Load the sample into ``catalogue`` (which should be empty); return counts per kind.
    The audit trail records it as the work of ``sample-data`` (acting as admin)."""
    return catalogue.load(read_sample(), Actor(SAMPLE_ACTOR, Role.admin))


def open_with_sample(url: str | None = None) -> Catalogue:
    """Open (and migrate) the catalogue; on an empty database, load the sample first.

    This is what the app does on start, so a fresh machine shows a populated inventory.
    """
    catalogue = Catalogue.open(url)
    if catalogue.is_empty():
        load_sample(catalogue)
    return catalogue
