"""From tables read off a file to validated import rows and a problem report. No database.

Conventions
-----------
* A mapping says which column feeds which field (``code`` <- ``Hierarchy ID``). Columns named
  like a field (``Process owner`` for ``process_owner``, any case and punctuation) or like a
  common alias (``Status``, ``Parent``) map themselves; the rest are suggested by name
  similarity and otherwise ignored with a warning.
* An empty cell in a mapped column means *unknown*: on update it clears the field. A field with no
  column keeps its stored value on update; on create it takes the ``--default`` given, if any.
* Hierarchy: from a ``parent_code`` column, or from dotted codes: ``7.2.1`` belongs to ``7.2``,
  which may be written ``7.2`` or, at the top level, ``7.0`` (APQC style). A missing
  intermediate level is a warning and the process hangs on the nearest ancestor present.
* Descriptions may come from a glossary sheet of the same workbook (``glossary_sheet``, as
  APQC's industry frameworks keep them) when no column of the processes' sheet feeds the
  description: see :mod:`inventory.files.glossary`. A glossary that cannot be matched, or processes
  it does not describe, are warnings: the descriptions stay unknown.
* Dependencies come from their own sheet or file, or from references in a text column: every
  match of a regular expression's first group names the *upstream* process by its external
  reference, and the row's own process is downstream (it depends on what it cites).
* Text cells written by our export with a protective leading quote get it back off
  (:func:`inventory.files.export.restore`), so an export re-imports unchanged.
* Codes of units and processes ignore case (:func:`inventory.schemas.same_code`): two rows of
  one file whose codes differ only in case are the same record (an error), a new process whose
  code is an existing one in another case is refused naming the stored code, and a reference
  (parent, either end of a dependency, the process of a KPI or assessment) written in another
  case is read as the code it names.
* Our workbook's Initiatives and Deliverables sheets (the roadmap) are read like the others:
  an initiative by its code, a deliverable by its initiative's code and its ref, both in any
  case; their references (processes, KPIs, units, other initiatives) are checked against the
  file and the inventory by :mod:`inventory.storage.roadmap_bulk`.
* Every problem carries sheet, row, column, value and a sentence on how to fix it; errors block
  the import, warnings do not. A rule on several fields (a revised initiative needs a reason)
  points at the first of its fields the message names.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ValidationError

from inventory.errors import InvalidInput
from inventory.files.export import SHEET_KINDS, restore
from inventory.files.glossary import UnusableGlossary, described
from inventory.files.io import FileRefused, Limits, Table, Upload, read_table, sheet_names
from inventory.roadmap_schemas import DeliverableIn, InitiativeRowIn
from inventory.schemas import (
    AssessmentIn,
    DependencyIn,
    KpiIn,
    ProcessIn,
    UnitIn,
    validation_problems,
)

Kind = Literal["units", "processes", "dependencies", "kpis", "assessments", "initiatives",
               "deliverables"]
KINDS: tuple[Kind, ...] = ("units", "processes", "dependencies", "kpis", "assessments",
                           "initiatives", "deliverables")
PROCESS_KINDS: tuple[Kind, ...] = ("processes", "dependencies", "kpis", "assessments")
"""The kinds whose codes name processes (the roadmap's codes name initiatives)."""
MODELS: dict[str, type[BaseModel]] = {"units": UnitIn, "processes": ProcessIn,
                                      "dependencies": DependencyIn, "kpis": KpiIn,
                                      "assessments": AssessmentIn,
                                      "initiatives": InitiativeRowIn,
                                      "deliverables": DeliverableIn}
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "units": ("code",), "processes": ("code",),
    "dependencies": ("upstream_code", "downstream_code"),
    "kpis": ("process_code", "name"), "assessments": ("process_code", "criterion_key", "rater"),
    "initiatives": ("code",), "deliverables": ("initiative_code", "ref"),
}
ALIASES: dict[str, str] = {
    "id": "code", "ref": "code", "process_code": "code", "process_id": "code", "reference": "code",
    "parent": "parent_code", "parent_id": "parent_code", "title": "name",
    "process_name": "name", "owner": "process_owner", "department": "unit",
    "owning_unit": "unit", "unit_code": "unit", "status": "transformation_status",
    "maturity": "digital_maturity", "quick_fix": "quick_fix_candidate",
    "cost": "estimated_cost_chf",
    "cost_chf": "estimated_cost_chf", "effort": "estimated_effort_pm", "milestone":
    "target_milestone", "type": "process_type", "from": "upstream_code",
    "upstream": "upstream_code", "to": "downstream_code", "downstream": "downstream_code",
    "criterion": "criterion_key",
}
CODE_FIELDS = ("code", "parent_code", "upstream_code", "downstream_code", "process_code")
SIMILARITY = 0.8
# Valid stand-ins for required fields a row does not give, so that the fields it does give are
# checked now; the record as a whole is checked again against the inventory (storage.bulk).
PLACEHOLDERS: dict[str, object] = {"value": 0.0, "milestone": "C26"}
CASELESS_KEYS = (*CODE_FIELDS, "initiative_code", "ref")
"""Key fields compared in any case: codes, and a deliverable's initiative and ref."""


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    message: str


@dataclass(frozen=True)
class ImportRow:
    """One validated row: the fields the file gives (unknown ones as None) plus defaults."""

    kind: Kind
    sheet: str
    row: int
    given: dict[str, Any]
    defaults: dict[str, Any]
    columns: dict[str, str]  # field -> column, to point problems at the right cell
    complete: dict[str, Any] | None = None  # the whole validated record, when no field was
    # missing from the row, so a new record needs no second validation

    def key(self) -> tuple[str, ...]:
        return tuple(str(self.given[f]) for f in KEY_FIELDS[self.kind])


@dataclass
class ParsedImport:
    """Everything read from one file, ready for the services to check against the database."""

    rows: dict[str, list[ImportRow]] = field(default_factory=lambda: {k: [] for k in KINDS})
    problems: list[Problem] = field(default_factory=list)
    first_seen: dict[tuple[str, tuple[str, ...]], int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def problem(self, severity: Literal["error", "warning"], sheet: str, row: int | None,
                column: str | None, value: object, message: str) -> None:
        shown = None if value is None or value == "" else str(value)[:200]
        self.problems.append(Problem(severity, sheet, row, column, shown, message))

    def report(self) -> pd.DataFrame:
        columns = ["severity", "sheet", "row", "column", "value", "message"]
        frame = pd.DataFrame([p.__dict__ for p in self.problems], columns=columns)
        frame["row"] = frame["row"].astype("Int64")  # a file-level problem has no row
        return frame


def problem_column(name: str, message: str, columns: dict[str, str]) -> str | None:
    """The column a validation problem of field ``name`` points at: the field's column, or for
    a rule on the whole record (``record``) the column of the first field its message names."""
    if name != "record":
        return columns.get(name)
    named = sorted((match.start(), field) for field in columns
                   for match in [re.search(rf"\b{re.escape(field)}\b", message)] if match)
    return columns[named[0][1]] if named else None


def _same_record(kind: str, key: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """What makes two rows one record: their key, with codes compared in any case."""
    codes = [name in CASELESS_KEYS for name in KEY_FIELDS[kind]]
    return kind, tuple(part.casefold() if is_code else part
                       for part, is_code in zip(key, codes, strict=True))


def _word(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")


def suggest_mapping(columns: Iterable[str], kind: Kind,
                    given: dict[str, str] | None = None) -> dict[str, str]:
    """Field -> column: the ``given`` pairs, then exact names and aliases, then close names."""
    fields = list(MODELS[kind].model_fields)
    mapping = dict(given or {})
    free = [c for c in columns if c not in mapping.values()]
    for column in list(free):
        word = _word(column)
        target = word if word in fields else ALIASES.get(word)
        if target in fields and target not in mapping:
            mapping[target] = column
            free.remove(column)
    for column in list(free):
        close = difflib.get_close_matches(_word(column), [f for f in fields if f not in mapping],
                                          n=1, cutoff=SIMILARITY)
        if close:
            mapping[close[0]] = column
            free.remove(column)
    return mapping


def parse_table(parsed: ParsedImport, table: Table, kind: Kind, mapping: dict[str, str],
                defaults: dict[str, str] | None = None, also_read: set[str] | None = None) -> None:
    """Validate every row of ``table`` as ``kind`` records into ``parsed``; ``also_read``
    names columns read for another purpose (no 'not imported' warning for them)."""
    model = MODELS[kind]
    fields = model.model_fields
    if table.hidden:
        parsed.problem("warning", table.sheet, None, None, None,
                       "this sheet is hidden in the workbook: check that it holds what you mean "
                       "to import (unhide it in Excel to see it)")
    unknown = sorted(set(mapping) - set(fields))
    for name in unknown:
        parsed.problem("error", table.sheet, None, mapping[name], None,
                       f"'{name}' is not a field of {kind}; the fields are {', '.join(fields)}")
    missing = sorted(set(mapping.values()) - set(table.frame.columns))
    for column in missing:
        parsed.problem("error", table.sheet, None, column, None,
                       f"there is no column '{column}' in sheet '{table.sheet}'; its columns are "
                       f"{', '.join(table.frame.columns)}")
    unmapped_keys = [f for f in KEY_FIELDS[kind]
                     if f in fields and f not in mapping and not (defaults or {}).get(f)]
    for name in unmapped_keys:
        parsed.problem("error", table.sheet, None, None, None,
                       f"no column feeds '{name}', which every {kind} row needs; map the column "
                       f"that holds it to '{name}'")
    if unknown or missing or unmapped_keys:
        return
    for column in table.frame.columns:
        if column not in mapping.values() and column not in (also_read or set()):
            parsed.problem("warning", table.sheet, None, column, None,
                           "column not imported: no field matches its name; to import it, map "
                           "it to a field")
    required = [name for name, info in fields.items() if info.is_required()]
    placeholders = {name: PLACEHOLDERS.get(name, "x") for name in required}
    defaults = {k: v for k, v in (defaults or {}).items() if v not in (None, "")}
    columns = list(mapping.items())
    column_of = dict(mapping)  # shared by every row: a copy per row took 180 MB at 199k rows
    cells = table.frame[[column for _, column in columns]].to_numpy()
    for index, values in enumerate(cells):
        row = table.file_row(index)
        given = {name: (restore(value) if value else None)
                 for (name, _), value in zip(columns, values, strict=True)}
        keys = [f for f in KEY_FIELDS[kind] if f in fields]
        absent = [f for f in keys if not given.get(f) and not defaults.get(f)]
        if absent:
            for name in absent:
                parsed.problem("error", table.sheet, row, mapping.get(name), None,
                               f"{name} is empty; every row needs one")
            continue
        key = tuple(str(given.get(f) or defaults.get(f)) for f in keys)
        if _same_record(kind, key) in parsed.first_seen:
            parsed.problem("error", table.sheet, row, mapping.get(keys[0]), " / ".join(key),
                           f"{' / '.join(key)} appears also on row "
                           f"{parsed.first_seen[_same_record(kind, key)]} (codes ignore case); "
                           "keep one row per record")
            continue
        parsed.first_seen[_same_record(kind, key)] = row
        present = {k: v for k, v in given.items() if v is not None}
        candidate = placeholders | defaults | present
        try:
            checked = model.model_validate(candidate).model_dump()
        except ValidationError as error:
            for name, message in validation_problems(error):
                at = problem_column(name, message, mapping)
                field = next((f for f, c in mapping.items() if c == at), name)
                parsed.problem("error", table.sheet, row, at,
                               given.get(field, defaults.get(field)), f"{name}: {message}")
            continue
        values_given = {name: (checked[name] if given[name] is not None else None)
                        for name in given}
        complete = checked if placeholders.keys() <= (present.keys() | defaults.keys()) else None
        parsed.rows[kind].append(ImportRow(
            kind, table.sheet, row, values_given,
            {k: checked[k] for k in defaults if k in checked}, column_of, complete))


def dotted_parents(parsed: ParsedImport, known_codes: set[str]) -> None:
    """Fill ``parent_code`` from dotted codes (``7.2.1`` -> ``7.2``; ``7.0`` is top level)."""
    codes = {item.given["code"] for item in parsed.rows["processes"]} | known_codes
    updated = []
    for item in parsed.rows["processes"]:
        code = str(item.given["code"])
        parent, skipped = _dotted_parent(code, codes)
        if skipped:
            where = f"{parent}" if parent else "the top level"
            parsed.problem("warning", item.sheet, item.row, item.columns.get("code"), code,
                           f"level {skipped} is missing above {code}; it is placed under "
                           f"{where}. Add a row for {skipped} to keep every level")
        complete = None if item.complete is None else item.complete | {"parent_code": parent}
        updated.append(ImportRow(item.kind, item.sheet, item.row,
                                 item.given | {"parent_code": parent}, item.defaults,
                                 item.columns, complete))
    parsed.rows["processes"] = updated


def _dotted_parent(code: str, codes: set[str]) -> tuple[str | None, str | None]:
    """(parent code, first missing level) for a dotted code, or (None, None) at the top."""
    parts = code.split(".")
    if len(parts) < 2 or (len(parts) == 2 and parts[1] == "0"):
        return None, None
    missing = None
    for end in range(len(parts) - 1, 0, -1):
        stem = ".".join(parts[:end])
        for candidate in (stem, f"{stem}.0") if end == 1 else (stem,):
            if candidate in codes:
                return candidate, missing
        missing = missing or stem
    return None, missing


def references(parsed: ParsedImport, table: Table, column: str, pattern: str,
               external_refs: dict[str, str]) -> None:
    """Dependencies from citations in ``column``: each match's first group is the external
    reference of an upstream process; ``external_refs`` maps references to codes."""
    try:
        regex = re.compile(pattern)
    except re.error as error:
        parsed.problem("error", table.sheet, None, column, pattern,
                       f"the reference pattern is not a valid regular expression ({error})")
        return
    if regex.groups < 1:
        parsed.problem("error", table.sheet, None, column, pattern,
                       "the reference pattern needs a group, e.g. \\[(\\d+)\\]")
        return
    if column not in table.frame.columns:
        parsed.problem("error", table.sheet, None, column, None,
                       f"there is no column '{column}' to read references from")
        return
    refs = dict(external_refs)
    for item in parsed.rows["processes"]:
        reference = item.given.get("external_reference")
        if reference:
            refs[str(reference)] = str(item.given["code"])
    codes_by_row = {item.row: str(item.given["code"]) for item in parsed.rows["processes"]}
    for index, text in enumerate(table.frame[column]):
        row = table.file_row(index)
        downstream = codes_by_row.get(row)
        if downstream is None or not text:
            continue
        for match in regex.finditer(str(text)):
            cited = match.group(1)
            upstream = refs.get(cited)
            if upstream is None:
                parsed.problem("error", table.sheet, row, column, cited,
                               f"no process has the external reference '{cited}'; correct the "
                               "reference or add that process")
            elif upstream == downstream:
                parsed.problem("warning", table.sheet, row, column, cited,
                               f"{downstream} cites itself; the citation is ignored")
            elif _same_record("dependencies", (upstream, downstream)) not in parsed.first_seen:
                parsed.first_seen[_same_record("dependencies", (upstream, downstream))] = row
                parsed.rows["dependencies"].append(ImportRow(
                    "dependencies", table.sheet, row,
                    {"upstream_code": upstream, "downstream_code": downstream}, {}, {}))


def match_stored_codes(parsed: ParsedImport, known_codes: set[str]) -> None:
    """Refuse new processes whose code is a stored one (deleted ones included) in another case,
    naming the stored code; write every reference to a process as the code it names, as stored
    or as first written in the file."""
    stored = {code.casefold(): code for code in known_codes}
    spelled = dict(stored)
    for item in parsed.rows["processes"]:
        code = str(item.given["code"])
        twin = stored.get(code.casefold())
        if twin is not None and twin != code:
            parsed.problem("error", item.sheet, item.row, item.columns.get("code"), code,
                           f"the inventory already has the code {twin} (codes ignore case); "
                           f"write {twin} to update that process, or choose another code")
        spelled.setdefault(code.casefold(), code)
    for kind in PROCESS_KINDS:
        parsed.rows[kind] = [_respelled(item, spelled) for item in parsed.rows[kind]]


def _respelled(item: ImportRow, spelled: dict[str, str]) -> ImportRow:
    """``item`` with its references to processes spelled as ``spelled`` says (its own code
    stays as written, so that a refused twin is reported as the file has it)."""
    fields = [name for name in CODE_FIELDS if name != "code" or item.kind != "processes"]
    changes = {name: spelled.get(str(item.given[name]).casefold(), item.given[name])
               for name in fields if item.given.get(name) is not None}
    if all(item.given[name] == value for name, value in changes.items()):
        return item
    complete = None if item.complete is None else item.complete | changes
    return replace(item, given=item.given | changes, complete=complete)


__all__ = ["KINDS", "SHEET_KINDS", "ImportRow", "ParsedImport", "Problem", "dotted_parents",
           "match_stored_codes", "parse_table", "problem_column", "references",
           "suggest_mapping"]


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file: which sheet, which columns, where the hierarchy and links come from."""

    sheet: str | None = None  # the processes sheet (default: the first sheet)
    mapping: dict[str, str] = field(default_factory=dict)  # process field -> column
    defaults: dict[str, str] = field(default_factory=dict)  # process field -> value for new rows
    hierarchy: Literal["auto", "parent", "dotted"] = "auto"
    dependencies_sheet: str | None = None
    reference_column: str | None = None
    reference_pattern: str = r"\[(\d+)\]"
    glossary_sheet: str | None = None  # descriptions, when the processes sheet has none
    encoding: str | None = None


def read_import(upload: Upload, options: ImportOptions, known_codes: set[str],
                external_refs: dict[str, str], limits: Limits = Limits(),
                dependencies: Upload | None = None) -> ParsedImport:
    """Read and validate a whole file: our export workbook (every sheet, no mapping needed;
    one with a Processes or an Initiatives sheet, so the roadmap's sheets alone will do) or one
    table of processes, with dependencies from a sheet, a second file or references."""
    parsed = ParsedImport()
    sheets = sheet_names(upload, limits)
    ours = [name for name in sheets if name in SHEET_KINDS]
    if upload.kind == "xlsx" and options.sheet is None and {"Processes", "Initiatives"} & set(ours):
        for sheet in ours:
            table = read_table(upload, sheet, limits=limits, allow_empty=True)
            kind = SHEET_KINDS[sheet]
            given = options.mapping if kind == "processes" else None
            parse_table(parsed, table, kind, suggest_mapping(table.frame.columns, kind, given),
                        options.defaults if kind == "processes" else None)
        if not any(parsed.rows.values()) and not parsed.errors:
            raise FileRefused(f"{upload.name} has header rows but no data rows in any sheet")
    else:
        table = read_table(upload, options.sheet, encoding=options.encoding, limits=limits)
        mapping = suggest_mapping(table.frame.columns, "processes", options.mapping)
        if options.glossary_sheet in sheets and mapping.get("description") not in \
                table.frame.columns:
            table, mapping = _glossary_descriptions(parsed, table, mapping, upload,
                                                    options.glossary_sheet, limits)
        parse_table(parsed, table, "processes", mapping, options.defaults,
                    {options.reference_column} if options.reference_column else None)
        if options.hierarchy == "dotted" or (options.hierarchy == "auto"
                                             and "parent_code" not in mapping
                                             and _looks_dotted(parsed)):
            dotted_parents(parsed, known_codes)
        if options.reference_column:
            references(parsed, table, options.reference_column, options.reference_pattern,
                       external_refs)
        source = dependencies or (upload if options.dependencies_sheet else None)
        if source is not None:
            links = read_table(source, options.dependencies_sheet, encoding=options.encoding,
                               limits=limits)
            parse_table(parsed, links, "dependencies",
                        suggest_mapping(links.frame.columns, "dependencies"))
    match_stored_codes(parsed, known_codes)
    return parsed


def _glossary_descriptions(parsed: ParsedImport, table: Table, mapping: dict[str, str],
                           upload: Upload, sheet: str,
                           limits: Limits) -> tuple[Table, dict[str, str]]:
    """The processes' table and mapping with descriptions from the glossary ``sheet``; when
    they cannot be matched (or the sheet is empty), a warning and no description."""
    try:
        found = described(table, read_table(upload, sheet, limits=limits, allow_empty=True),
                          mapping)
    except (UnusableGlossary, FileRefused) as reason:
        parsed.problem("warning", sheet, None, None, None, f"descriptions not imported: {reason}")
        return table, {field: column for field, column in mapping.items()
                       if field != "description"}
    if found.unmatched:
        parsed.problem("warning", sheet, None, found.matched_on, None,
                       f"{found.unmatched:,} of {len(table.frame):,} processes of sheet "
                       f"'{table.sheet}' have no text here (matched by {found.matched_on}); "
                       "their description stays unknown")
    return found.table, mapping | {"description": found.column}


def _looks_dotted(parsed: ParsedImport) -> bool:
    codes = [str(item.given["code"]) for item in parsed.rows["processes"]]
    return bool(codes) and all(re.fullmatch(r"\d+(\.\d+)+", code) for code in codes)


MAPPINGS_DIR = Path(__file__).resolve().parents[2] / "data" / "mappings"


def saved_mappings() -> list[str]:
    """Names of the mappings shipped in data/mappings (e.g. ``apqc-pcf``)."""
    return sorted(path.stem for path in MAPPINGS_DIR.glob("*.json"))


def load_mapping(name: str) -> dict[str, Any]:
    """A saved mapping's options: a name from data/mappings or the path of a .json file."""
    path = Path(name) if Path(name).suffix == ".json" else MAPPINGS_DIR / f"{name}.json"
    if not path.is_file():
        raise InvalidInput(f"there is no saved mapping '{name}'; saved mappings: "
                           f"{', '.join(saved_mappings())}, or give the path of a .json file")
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"the mapping file {path} cannot be read: {error}") from None
    if not isinstance(saved, dict):
        raise InvalidInput(f"the mapping file {path} does not hold an object of options")
    unknown = set(saved) - set(ImportOptions.__dataclass_fields__) - {"about"}
    if unknown:
        raise InvalidInput(f"the mapping file {path} has unknown keys: "
                           f"{', '.join(sorted(unknown))}")
    return {k: v for k, v in saved.items() if k != "about"}


def mapping_json(options: ImportOptions) -> str:
    """Options as a saved mapping (everything but the encoding, which belongs to one file)."""
    return json.dumps({k: v for k, v in options.__dict__.items() if k != "encoding"}, indent=2)
