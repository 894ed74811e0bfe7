"""Process frameworks a new inventory can start from (``dti init --framework NAME``).

A framework is a workbook shipped in ``data/`` with the saved mapping that imports it. It is
loaded through :meth:`inventory.services.Catalogue.import_file`, so it obeys exactly the rules a
user's file obeys, in one all-or-nothing transaction, and shows in ``dti imports``.

* ``apqc-pcf``: APQC's cross-industry Process Classification Framework, version 7.4 (APQC,
  www.apqc.org/pcf; ``data/apqc/NOTICE.md`` holds APQC's notice, which every copy keeps),
  imported with ``data/mappings/apqc-pcf.json``: 1,921 processes in five levels, codes from the
  Hierarchy IDs, the PCF ID as external reference.

A framework names no owning unit, so its processes go to one unit (``APQC`` unless another code
is given), created when the inventory has none of that code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from inventory.access import Actor
from inventory.errors import InvalidInput
from inventory.files.importing import ImportOptions, load_mapping
from inventory.files.io import Upload
from inventory.schemas import UnitKind, same_code
from inventory.services import Catalogue, ImportResult

DATA = Path(__file__).resolve().parents[2] / "data"
DEFAULT_UNIT = "APQC"


@dataclass(frozen=True)
class Framework:
    title: str
    workbook: str  # in data/
    notice: str  # in data/: the publisher's notice, which every copy keeps
    mapping: str  # a saved mapping in data/mappings
    unit_name: str  # the name of the unit created for it


FRAMEWORKS = {
    "apqc-pcf": Framework(
        "APQC Process Classification Framework (cross-industry, version 7.4)",
        "apqc/apqc-pcf-cross-industry-7.4.xlsx", "apqc/NOTICE.md", "apqc-pcf",
        "APQC Process Classification Framework"),
}


def framework_named(name: str) -> Framework:
    """The framework called ``name``, else a refusal listing those there are."""
    if name not in FRAMEWORKS:
        raise InvalidInput(f"there is no framework '{name}'; frameworks: "
                           f"{', '.join(sorted(FRAMEWORKS))}")
    return FRAMEWORKS[name]


def start_from_framework(catalogue: Catalogue, name: str, unit: str, actor: Actor,
                         progress: Callable[[str, float], None] | None = None) -> ImportResult:
    """Load framework ``name`` into ``catalogue``, which must hold no process (deleted ones
    included), its processes owned by unit ``unit`` (created if missing)."""
    framework = framework_named(name)
    held = len(catalogue.processes(include_deleted=True))
    if held:
        raise InvalidInput(f"the database already holds {held:,} process(es), deleted ones "
                           f"included; --framework starts a new inventory only (to add "
                           f"{name} to this one, use dti import with --mapping "
                           f"{framework.mapping})")
    stored = [code for code in catalogue.units(include_deleted=True)["code"]
              if same_code(code, unit)]
    if not stored:
        catalogue.add_unit({"code": unit, "name": framework.unit_name,
                            "kind": UnitKind.OTHER.value}, actor)
    options = ImportOptions(**load_mapping(framework.mapping)
                            | {"defaults": {"unit": stored[0] if stored else unit}})
    result = catalogue.import_file(Upload.from_path(DATA / framework.workbook), options,
                                   mode="insert", actor=actor, progress=progress)
    if not result.imported:
        first = result.problems[result.problems["severity"] == "error"].iloc[0]
        raise InvalidInput(f"{name} could not be loaded ({result.errors} error(s), the first: "
                           f"{first['message']}); no process was added")
    return result
