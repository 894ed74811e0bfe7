"""Spreadsheet import and export at the sizes the issue names, against its targets.

Measured (wall time on this machine, one run each, never asserted):

1. APQC PCF cross-industry 7.4 (``DTI_APQC_FILE``, default the copy in
   data/apqc/) imported with the saved mapping
   data/mappings/apqc-pcf.json plus ``unit=<a unit added first>`` into a fresh SQLite database
   (``Catalogue.import_file``): target under 3 s. Also printed: the read-only parse
   (``read_import``: read the sheet, map, validate, dotted hierarchy; no database).
2. A generated inventory (seeded, so every run sees the same data): 10,000 processes in a
   three-level hierarchy (100 / 900 / 9,000, parents by ``parent_code``) with every field filled
   realistically (units, vocabularies, maturity, numbers, dates, lists, some blanks and some
   text starting with a formula sign) and 30,000 distinct dependencies (no self-loops, all kinds
   and strengths). Written (a) as a processes CSV plus a dependencies CSV and (b) as one XLSX
   workbook in our export format (``inventory_workbook``). Each imported into a fresh SQLite
   database: target under 5 s each.
3. Export of that inventory: ``inventory_workbook(catalogue.frames())`` and one CSV per kind
   (``table_csv``), each including the read of the frames: target under 5 s.
4. Plain approaches, as ratios: reading the 10k-row Processes sheet with pandas' openpyxl engine
   against its calamine engine; adding processes one by one through ``Catalogue.add_process``
   (ORM unit of work, one transaction each, measured on the first 1,000 processes and
   extrapolated linearly to 10,000) against the bulk import of the 10,000 processes (CSV,
   no dependencies).
5. With ``DTI_TEST_POSTGRES_URL`` set, the 10k imports (CSV, XLSX) and the export again on
   throwaway PostgreSQL databases (created and dropped here).
6. Memory of the app's own process for the size the attack report names: a generated 48 MB CSV
   of 199,000 processes (the generator's rows without their four longest text columns), checked
   (a) as the Import page does, its preview (``read_table``) then its dry run
   (``Catalogue.import_file(dry_run=True)``), and (b) as ``dti import --dry-run`` does. Each
   runs in a fresh process; the figure is the peak resident memory (Linux ``VmHWM``, reset
   through ``/proc/self/clear_refs`` once the file and the modules are loaded) above the
   resident memory at that moment. The bounded child that parses the file is not counted: its
   own limit is :attr:`inventory.files.io.Limits.child_memory_bytes`. Measured on a 2-core machine:
   1,564 MB (page) and 1,614 MB (command line) while the child sent a list of rows that the app
   copied into a frame and every row kept a copy of the mapping; 1,345 and 1,394 MB once the
   child sent the finished frame with each distinct text once and the rows shared one mapping.
   Of what remains, about 80 MB is the table, 460 MB the validated rows, 160 MB the plan of
   records to create and 640 MB, at the peak, their rows and audit events being inserted (in
   the dry run's transaction, ``inventory.storage.bulk``).

Run with ``python -m benchmarks`` (all benchmarks) or ``python -m benchmarks.spreadsheets``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import multiprocessing
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Engine, create_engine, text

from inventory.access import Actor, Role
from inventory.files.export import SHEET_NAMES, SHEETS, inventory_workbook, table_csv
from inventory.files.importing import ImportOptions, read_import
from inventory.files.io import Upload, read_table
from inventory.schemas import (
    DependencyKind,
    Lifecycle,
    Pillar,
    PriorityArea,
    ProcessType,
    TransformationStatus,
)
from inventory.services import Catalogue, ImportResult

ROOT = Path(__file__).resolve().parent.parent
APQC_FILE = Path(os.environ.get("DTI_APQC_FILE",
                                ROOT / "data" / "apqc" / "apqc-pcf-cross-industry-7.4.xlsx"))
APQC_MAPPING = ROOT / "data" / "mappings" / "apqc-pcf.json"
ACTOR = Actor("benchmark", Role.admin)
SEED = 20260
TOP, MIDDLE_EACH, LEAVES_EACH = 100, 9, 10  # 100 + 900 + 9,000 = 10,000 processes
DEPENDENCIES = 30_000
ORM_SUBSET = 1_000
TARGET_APQC = 3.0
TARGET_IMPORT = 5.0
TARGET_EXPORT = 5.0
LARGE_ROWS = 199_000
LARGE_WITHOUT = ("description", "pain_points", "process_owner", "related_initiatives")
PROC_STATUS = Path("/proc/self/status")

T = TypeVar("T")
_verdicts: list[tuple[str, float, float]] = []  # (section: measurement, seconds, target)
_section = [""]  # number of the section being printed


# ---------------------------------------------------------------- output


def _timed(action: Callable[[], T]) -> tuple[T, float]:
    began = time.perf_counter()
    result = action()
    return result, time.perf_counter() - began


def _line(label: str, seconds: float, target: float | None = None, note: str = "") -> None:
    if target is None:
        goal = verdict = ""
    else:
        _verdicts.append((f"{_section[0]} {label}", seconds, target))
        goal = f"< {target:.0f} s"
        verdict = "met" if seconds < target else f"MISSED ({seconds / target:.1f}x target)"
    print(f"  {label:<50}{seconds:>9.2f} s  {goal:<7} {verdict:<22}{note}".rstrip())


def _header(title: str) -> None:
    _section[0] = title.split()[0]
    print(f"\n{title}")
    print(f"  {'measurement':<50}{'time':>11}  {'target':<7} {'verdict':<22}note")


def _check(result: ImportResult, what: str) -> str:
    """A short note on what the import did; the problems when it did not import."""
    if not result.imported:
        shown = result.problems[result.problems["severity"] == "error"].head(5)
        raise RuntimeError(f"{what} was not imported ({result.errors} errors):\n"
                           f"{shown.to_string()}")
    made = ", ".join(f"{c.created:,} {kind}" for kind, c in result.counts.items() if c.created)
    return f"{made}; {result.warnings} warnings"


# ---------------------------------------------------------------- generated inventory

UNITS = [("SGO", "Office of the Secretary-General", "gs_department"),
         ("HRMD", "Human Resources Management Department", "gs_department"),
         ("FRMD", "Financial Resources Management Department", "gs_department"),
         ("ISD", "Information Services Department", "gs_department"),
         ("CCD", "Conferences and Publications Department", "gs_department"),
         ("SPM", "Strategic Planning and Membership Department", "gs_department"),
         ("LEG", "Legal Affairs Unit", "other"),
         ("OIA", "Internal Audit", "other"),
         ("BR", "Radiocommunication Bureau", "bureau"),
         ("TSB", "Telecommunication Standardization Bureau", "bureau"),
         ("BDT", "Telecommunication Development Bureau", "bureau"),
         ("REG", "Regional Presence", "other")]
VERBS = ["Manage", "Plan", "Review", "Approve", "Process", "Register", "Monitor", "Report on",
         "Prepare", "Coordinate", "Archive", "Publish", "Assess", "Procure", "Onboard"]
OBJECTS = ["staff contracts", "travel requests", "invoices", "member contributions",
           "conference documents", "frequency notifications", "study group reports",
           "project budgets", "vendor contracts", "IT service requests", "audit findings",
           "translation requests", "fellowships", "publications", "user accounts",
           "meeting registrations", "donor agreements", "leave requests", "asset records"]
PAIN_POINTS = ["manual re-keying between systems", "approval chains by e-mail",
               "no single source of truth", "long waiting times", "paper forms",
               "spreadsheets kept by individuals", "little visibility of status",
               "duplicate checks", "late reporting", "hard-to-find documents"]
SYSTEMS = ["ERP (SAP)", "SharePoint", "e-mail", "Excel", "ServiceNow", "e-recruitment platform",
           "document management system", "TIES accounts", "Power BI", "in-house database"]
STAKEHOLDERS = ["staff", "managers", "member states", "sector members", "donors", "vendors",
                "delegates", "Staff Council", "auditors", "regional offices"]
RESOURCES = ["business analyst", "project manager", "ERP functional consultant",
             "change manager", "developer team of 3", "external vendor support", "budget"]
INITIATIVES = ["Automation of business processes", "ERP modernisation", "Digital workplace",
               "Data governance framework", "Skills Gap and Leadership Cultural Analysis"]
TAGS = ["priority", "ai", "automation", "erp", "members", "finance", "hr", "quick-win",
        "compliance", "data"]
NOTES = ["Monthly hand-over of the consolidated figures", "Shares the master data",
         "Needs the approval before it can start", "Same case management tool",
         "- only for extrabudgetary projects", "Rules set by the financial regulations"]


def _some(rng: random.Random, items: list[str], most: int = 3) -> str:
    return "; ".join(rng.sample(items, rng.randint(1, most)))


def _maybe(rng: random.Random, value: T, filled: float = 0.9) -> T | None:
    return value if rng.random() < filled else None


def _process(rng: random.Random, code: str, parent: str | None, level: int,
             number: int) -> dict[str, Any]:
    unit = UNITS[number % len(UNITS)][0] if level == 1 else None  # children: parent's unit
    obj = rng.choice(OBJECTS)
    pain = _some(rng, PAIN_POINTS)
    if rng.random() < 0.01:
        pain = "=" + pain if rng.random() < 0.5 else "-" + pain  # formula-looking text
    start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 730))
    milestone = rng.choice(["C26", "PP-26", (start + dt.timedelta(days=180)).isoformat()])
    return {
        "code": code, "parent_code": parent,
        "name": f"{rng.choice(VERBS)} {obj} ({code})",
        "description": _maybe(rng, f"Level {level} process: how the organisation handles {obj}, "
                                   f"from request to closure, including checks and reporting."),
        "unit": unit,
        "process_owner": _maybe(rng, f"Chief, {rng.choice(OBJECTS).capitalize()} Section"),
        "change_owner": _maybe(rng, "Head, Transformation Team", 0.6),
        "pillar": _maybe(rng, rng.choice(list(Pillar)).value),
        "priority_area": _maybe(rng, rng.choice(list(PriorityArea)).value, 0.8),
        "process_type": _maybe(rng, rng.choice(list(ProcessType)).value),
        "lifecycle": rng.choice(list(Lifecycle)).value,
        "transformation_status": rng.choice(list(TransformationStatus)).value,
        "digital_maturity": _maybe(rng, rng.randint(1, 5), 0.85),
        "annual_volume": _maybe(rng, rng.randint(0, 50_000), 0.8),
        "staff_effort_fte": _maybe(rng, round(rng.uniform(0.1, 40), 1), 0.8),
        "cycle_time_days": _maybe(rng, round(rng.uniform(0.5, 200), 1), 0.8),
        "pain_points": _maybe(rng, pain, 0.8),
        "systems_used": _maybe(rng, _some(rng, SYSTEMS), 0.8),
        "stakeholders": _maybe(rng, _some(rng, STAKEHOLDERS), 0.8),
        "quick_fix_candidate": rng.random() < 0.15,
        "earliest_start": _maybe(rng, start, 0.7),
        "target_milestone": _maybe(rng, milestone, 0.7),
        "estimated_cost_chf": _maybe(rng, float(rng.randint(1, 2_000) * 500), 0.6),
        "estimated_effort_pm": _maybe(rng, round(rng.uniform(0.5, 120), 1), 0.6),
        "resources_needed": _maybe(rng, _some(rng, RESOURCES), 0.5),
        "related_initiatives": _maybe(rng, _some(rng, INITIATIVES, 2), 0.5),
        "external_reference": _maybe(rng, f"APQC {rng.randint(1, 13)}.{rng.randint(1, 9)}."
                                          f"{rng.randint(1, 9)}", 0.4),
        "tags": _maybe(rng, _some(rng, TAGS), 0.7),
    }


def generate() -> dict[str, pd.DataFrame]:
    """Units, 10,000 processes and 30,000 dependencies, as frames shaped like
    ``Catalogue.frames()`` (the columns the export writes); the same on every run."""
    rng = random.Random(SEED)
    records: list[dict[str, Any]] = []
    unit_of: dict[str, str] = {}
    for top in range(1, TOP + 1):
        code = f"P{top:03d}"
        records.append(_process(rng, code, None, 1, top))
        unit_of[code] = records[-1]["unit"]
    for top in range(1, TOP + 1):
        for middle in range(1, MIDDLE_EACH + 1):
            code, parent = f"P{top:03d}-{middle:02d}", f"P{top:03d}"
            records.append(_process(rng, code, parent, 2, 0) | {"unit": unit_of[parent]})
            unit_of[code] = unit_of[parent]
    for top in range(1, TOP + 1):
        for middle in range(1, MIDDLE_EACH + 1):
            parent = f"P{top:03d}-{middle:02d}"
            for leaf in range(1, LEAVES_EACH + 1):
                records.append(_process(rng, f"{parent}-{leaf:02d}", parent, 3, 0)
                               | {"unit": unit_of[parent]})
    processes = pd.DataFrame(records, columns=list(SHEETS["Processes"]))
    for column in ("digital_maturity", "annual_volume"):
        processes[column] = processes[column].astype("Int64")
    codes = [r["code"] for r in records]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < DEPENDENCIES:
        up, down = rng.randrange(len(codes)), rng.randrange(len(codes))
        if up != down:
            pairs.add((up, down))
    kinds = [k.value for k in DependencyKind]
    dependencies = pd.DataFrame(
        [{"upstream_code": codes[up], "downstream_code": codes[down],
          "kind": rng.choice(kinds), "strength": rng.randint(1, 3),
          "note": _maybe(rng, rng.choice(NOTES), 0.3)} for up, down in sorted(pairs)],
        columns=list(SHEETS["Dependencies"]))
    units = pd.DataFrame(UNITS, columns=list(SHEETS["Units"]))
    return {"units": units, "processes": processes, "dependencies": dependencies}


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


# ---------------------------------------------------------------- databases


@contextmanager
def _sqlite() -> Iterator[Catalogue]:
    with tempfile.TemporaryDirectory() as folder:
        catalogue = Catalogue.open(f"sqlite:///{folder}/bench.db")
        try:
            yield catalogue
        finally:
            catalogue.engine.dispose()


@contextmanager
def _postgres(admin: Engine) -> Iterator[Catalogue]:
    """A catalogue on a new, empty PostgreSQL database, dropped afterwards."""
    name = f"dti_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    catalogue = None
    try:
        catalogue = Catalogue.open(admin.url.set(database=name)
                                   .render_as_string(hide_password=False))
        yield catalogue
    finally:
        if catalogue is not None:
            catalogue.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


def _add_units(catalogue: Catalogue, units: pd.DataFrame) -> None:
    catalogue.load({"units": [{k: _plain(v) for k, v in row.items()}
                              for row in units.to_dict("records")]}, ACTOR)


# ---------------------------------------------------------------- the measurements


def apqc() -> None:
    _header("1. APQC PCF workbook, saved mapping apqc-pcf, into a fresh SQLite database")
    if not APQC_FILE.is_file():
        print(f"  skipped: there is no file {APQC_FILE} (set DTI_APQC_FILE to its path)")
        return
    saved = json.loads(APQC_MAPPING.read_text(encoding="utf-8"))
    fields = set(ImportOptions.__dataclass_fields__)
    options = ImportOptions(**{k: v for k, v in saved.items() if k in fields},
                            defaults={"unit": "APQC"})
    upload = Upload(APQC_FILE.name, APQC_FILE.read_bytes())
    parsed, parse_seconds = _timed(lambda: read_import(upload, options, set(), {}))
    _line("read-only parse (read_import, no database)", parse_seconds,
          note=f"{len(parsed.rows['processes']):,} rows, {len(parsed.errors)} errors")
    with _sqlite() as catalogue:
        catalogue.add_unit({"code": "APQC", "name": "APQC reference processes",
                            "kind": "other"}, ACTOR)
        result, seconds = _timed(lambda: catalogue.import_file(upload, options, mode="insert",
                                                               actor=ACTOR))
        _line(f"import_file ({len(upload.data) / 1e6:.1f} MB xlsx)", seconds, TARGET_APQC,
              _check(result, "APQC"))


def _files(frames: dict[str, pd.DataFrame]) -> dict[str, Upload]:
    return {
        "processes.csv": Upload("processes.csv", table_csv(frames["processes"],
                                                           SHEETS["Processes"])),
        "dependencies.csv": Upload("dependencies.csv", table_csv(frames["dependencies"],
                                                                 SHEETS["Dependencies"])),
        "inventory.xlsx": Upload("inventory.xlsx", inventory_workbook(frames)),
    }


def _import_csv(catalogue: Catalogue, files: dict[str, Upload], units: pd.DataFrame,
                with_dependencies: bool = True) -> tuple[ImportResult, float]:
    _add_units(catalogue, units)
    return _timed(lambda: catalogue.import_file(
        files["processes.csv"], ImportOptions(), mode="insert", actor=ACTOR,
        dependencies=files["dependencies.csv"] if with_dependencies else None))


def _import_xlsx(catalogue: Catalogue, files: dict[str, Upload]) -> tuple[ImportResult, float]:
    return _timed(lambda: catalogue.import_file(files["inventory.xlsx"], ImportOptions(),
                                                mode="insert", actor=ACTOR))


def _export(catalogue: Catalogue) -> None:
    frames, read_seconds = _timed(catalogue.frames)
    book, book_seconds = _timed(lambda: inventory_workbook(frames))
    tables, csv_seconds = _timed(lambda: {kind: table_csv(frames[kind], SHEETS[sheet])
                                          for kind, sheet in SHEET_NAMES.items()})
    _line("read frames (Catalogue.frames)", read_seconds)
    _line("export XLSX: frames + inventory_workbook", read_seconds + book_seconds,
          TARGET_EXPORT, f"workbook alone {book_seconds:.2f} s, {len(book) / 1e6:.1f} MB")
    _line("export CSV: frames + table_csv per kind", read_seconds + csv_seconds,
          TARGET_EXPORT, f"CSV alone {csv_seconds:.2f} s, "
                         f"{sum(map(len, tables.values())) / 1e6:.1f} MB")


def _orm_one_by_one(frames: dict[str, pd.DataFrame]) -> float:
    """Seconds for the first ORM_SUBSET processes through add_process (parents come first)."""
    records = [{k: _plain(v) for k, v in row.items()}
               for row in frames["processes"].head(ORM_SUBSET).to_dict("records")]
    with _sqlite() as catalogue:
        _add_units(catalogue, frames["units"])

        def add_all() -> None:
            for record in records:
                catalogue.add_process(record, ACTOR)

        _, seconds = _timed(add_all)
        return seconds


def generated(frames: dict[str, pd.DataFrame], files: dict[str, Upload]) -> None:
    n_processes, n_dependencies = len(frames["processes"]), len(frames["dependencies"])
    size = {name: len(upload.data) / 1e6 for name, upload in files.items()}
    _header(f"2-3. Generated inventory ({n_processes:,} processes, {n_dependencies:,} "
            f"dependencies; CSV {size['processes.csv']:.1f} + {size['dependencies.csv']:.1f} "
            f"MB, XLSX {size['inventory.xlsx']:.1f} MB), fresh SQLite databases")
    with _sqlite() as catalogue:
        result, seconds = _import_csv(catalogue, files, frames["units"])
        _line("import CSV processes + CSV dependencies", seconds, TARGET_IMPORT,
              _check(result, "CSV"))
    with _sqlite() as catalogue:
        result, seconds = _import_xlsx(catalogue, files)
        _line("import XLSX workbook (our export format)", seconds, TARGET_IMPORT,
              _check(result, "XLSX"))
        _export(catalogue)

    _header("4. Plain approaches, for comparison")
    book = files["inventory.xlsx"].data
    _, openpyxl_seconds = _timed(lambda: pd.read_excel(io.BytesIO(book), sheet_name="Processes",
                                                       engine="openpyxl"))
    _, calamine_seconds = _timed(lambda: pd.read_excel(io.BytesIO(book), sheet_name="Processes",
                                                       engine="calamine"))
    _line("pd.read_excel Processes sheet, engine openpyxl", openpyxl_seconds)
    _line("pd.read_excel Processes sheet, engine calamine", calamine_seconds,
          note=f"openpyxl takes {openpyxl_seconds / calamine_seconds:.1f}x calamine's time")
    orm_seconds = _orm_one_by_one(frames)
    extrapolated = orm_seconds * n_processes / ORM_SUBSET
    with _sqlite() as catalogue:
        result, bulk_seconds = _import_csv(catalogue, files, frames["units"],
                                           with_dependencies=False)
        note = _check(result, "CSV processes")
    _line(f"add_process one by one, {ORM_SUBSET:,} processes (measured)", orm_seconds,
          note=f"{orm_seconds / ORM_SUBSET * 1000:.1f} ms per process")
    _line(f"add_process one by one, {n_processes:,} (extrapolated x{n_processes // ORM_SUBSET})",
          extrapolated, note="linear extrapolation, not measured")
    _line(f"bulk import_file, {n_processes:,} processes (CSV, no deps)", bulk_seconds,
          note=f"{note}; one by one takes {extrapolated / bulk_seconds:.0f}x the bulk time")


def postgres(base: str, frames: dict[str, pd.DataFrame], files: dict[str, Upload]) -> None:
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    _header("5. The same imports and export on PostgreSQL (throwaway databases, dropped after)")
    try:
        with _postgres(admin) as catalogue:
            result, seconds = _import_csv(catalogue, files, frames["units"])
            _line("import CSV processes + CSV dependencies", seconds, TARGET_IMPORT,
                  _check(result, "CSV"))
        with _postgres(admin) as catalogue:
            result, seconds = _import_xlsx(catalogue, files)
            _line("import XLSX workbook (our export format)", seconds, TARGET_IMPORT,
                  _check(result, "XLSX"))
            _export(catalogue)
    finally:
        admin.dispose()


def large_csv() -> bytes:
    """199,000 generated processes as CSV (about 48 MB), all at the top level, the same on every
    run."""
    rng = random.Random(SEED)
    columns = tuple(c for c in SHEETS["Processes"] if c not in LARGE_WITHOUT)
    records = [_process(rng, f"P{n:06d}", None, 1, n) for n in range(LARGE_ROWS)]
    return table_csv(pd.DataFrame(records, columns=list(columns)), columns)


def _resident_kb(field: str) -> int:
    line = next(line for line in PROC_STATUS.read_text().splitlines()
                if line.startswith(f"{field}:"))
    return int(line.split()[1])


def _check_large_file(how: str, path: str, url: str, answer: Any) -> None:
    """In a fresh process: check the file as ``how`` says and put (peak MB above the resident
    memory once everything was loaded, seconds) on ``answer``."""
    import typer.main

    from inventory.cli import app

    catalogue = Catalogue.open(url)
    data = Path(path).read_bytes() if how == "page" else b""
    Path("/proc/self/clear_refs").write_text("5")
    before = _resident_kb("VmRSS")
    began = time.perf_counter()
    if how == "page":
        upload = Upload(Path(path).name, data)
        shown = len(read_table(upload).frame)  # the page keeps only the first rows it shows
        result = catalogue.import_file(upload, ImportOptions(), mode="upsert", actor=ACTOR,
                                       dry_run=True)
        if result.errors or shown != LARGE_ROWS:
            raise RuntimeError(f"the check found {result.errors} errors in {shown:,} rows")
    else:
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            typer.main.get_command(app).main(["--db", url, "import", path, "--dry-run",
                                              "--mode", "upsert"], standalone_mode=False)
    seconds = time.perf_counter() - began
    answer.put(((_resident_kb("VmHWM") - before) / 1000, seconds))


def parent_memory() -> None:
    if not PROC_STATUS.is_file():
        print("\n6. App process memory: skipped (peak memory is read from /proc, Linux only)")
        return
    data, seconds = _timed(large_csv)
    print(f"\n  (generating the {len(data) / 1e6:.0f} MB CSV took {seconds:.1f} s)")
    _header(f"6. App process memory for that CSV of {LARGE_ROWS:,} rows (fresh SQLite database)")
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        path, url = f"{folder}/large.csv", f"sqlite:///{folder}/bench.db"
        Path(path).write_bytes(data)
        del data
        catalogue = Catalogue.open(url)
        _add_units(catalogue, pd.DataFrame(UNITS, columns=list(SHEETS["Units"])))
        catalogue.engine.dispose()
        for how, label in (("page", "Import page: preview + dry run"),
                           ("cli", "dti import --dry-run --mode upsert")):
            answer = spawn.Queue()
            child = spawn.Process(target=_check_large_file, args=(how, path, url, answer))
            child.start()
            child.join()
            if child.exitcode != 0:
                raise RuntimeError(f"{label}: the measuring process failed ({child.exitcode})")
            peak, seconds = answer.get(timeout=10)
            _line(label, seconds, note=f"peak {peak:,.0f} MB above the loaded process")


def main() -> None:
    print("\nSpreadsheets: import and export against the issue's targets (wall time, one run)")
    _verdicts.clear()
    began = time.perf_counter()
    apqc()
    frames, generate_seconds = _timed(generate)
    files, write_seconds = _timed(lambda: _files(frames))
    print(f"\n  (generating the inventory took {generate_seconds:.2f} s, writing its CSV and "
          f"XLSX files {write_seconds:.2f} s; seed {SEED})")
    generated(frames, files)
    base = os.environ.get("DTI_TEST_POSTGRES_URL")
    if base:
        postgres(base, frames, files)
    else:
        print("\n5. PostgreSQL: skipped (set DTI_TEST_POSTGRES_URL to include it)")
    parent_memory()
    met = sum(seconds < target for _, seconds, target in _verdicts)
    print(f"\n  targets met: {met} of {len(_verdicts)}"
          + "".join(f"\n    missed: {label} ({seconds:.2f} s, target < {target:.0f} s)"
                    for label, seconds, target in _verdicts if seconds >= target))
    print(f"  spreadsheet benchmarks took {time.perf_counter() - began:.0f} s in all")


if __name__ == "__main__":
    main()
