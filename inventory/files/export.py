"""Exporting the catalogue: DataFrames in, XLSX or CSV bytes out. No database, no Streamlit.

Conventions
-----------
* One sheet (or CSV file) per kind of record, named in :data:`SHEETS`. The columns are exactly the
  field names of the input models in :mod:`inventory.schemas` (``ProcessIn``, ``DependencyIn``,
  ``KpiIn``, ``AssessmentIn``, ``UnitIn``) and :mod:`inventory.roadmap_schemas`
  (``InitiativeRowIn``: an initiative with its lineage, ``DeliverableIn``), in their order, so
  an exported file imports back without any column mapping. Extra frame columns (``id``,
  ``version``, ``level``, ``unit_name``, ``created_at``...) are left out. :data:`SHEET_KINDS`
  maps a sheet to the record kind (``processes``, ``dependencies``, ``kpis``, ``assessments``,
  ``units``, ``initiatives``, ``deliverables``) used by
  :meth:`inventory.services.Catalogue.load`.
* An initiative's links are list cells: ``processes`` holds process codes, ``kpis`` holds KPIs
  written ``PROCESS-CODE: KPI name``.
* An empty cell means unknown: ``None``, ``NaN``, ``<NA>``, ``NaT`` and empty text are written as
  empty cells, never as 0 or ``false``.
* Dates are written as text ``YYYY-MM-DD``; booleans as the text ``true`` / ``false``; numbers as
  numbers (in CSV, whole numbers without ``.0`` and other numbers in the shortest form that reads
  back exactly); vocabulary values as their machine words (``not_started``).
* Processes are written parents before children (otherwise in the frame's order), because an
  import creates a parent before its children.
* Formula injection (OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection):
  every text cell goes through :func:`neutralise`, which puts one apostrophe in front of text
  beginning with ``=``, ``+``, ``-``, ``@``, TAB, CR or LF, or with their full-width forms U+FF1D,
  U+FF0B, U+FF0D, U+FF20 (which some spreadsheet programs also read as formula signs), and in
  front of text already beginning with an apostrophe, so that :func:`restore` is an exact inverse,
  ``restore(neutralise(x)) == x`` for every string. In XLSX every text cell is written with
  ``write_string``, so nothing in an exported workbook is ever a formula. Numbers, booleans and
  dates are formatted here, never taken from user text, so they need no neutralisation (a
  negative number stays ``-3``).
  An importer should pass text cells through :func:`restore`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from inventory.files.roadmap_help import roadmap_help
from inventory.roadmap_schemas import (
    DELIVERABLE_FIELDS,
    INITIATIVE_ROW_FIELDS,
    DeliverableStatus,
    InitiativeStatus,
    Lineage,
)
from inventory.schemas import (
    DEPENDENCY_STRENGTHS,
    DIGITAL_MATURITY_LEVELS,
    KPI_NAME_LENGTH,
    MILESTONES,
    NAME_LENGTH,
    PROCESS_FIELDS,
    AssessmentIn,
    Choice,
    DependencyIn,
    DependencyKind,
    KpiDirection,
    KpiIn,
    Lifecycle,
    Pillar,
    PriorityArea,
    ProcessType,
    TransformationStatus,
    UnitIn,
    UnitKind,
)

# ---------------------------------------------------------------- formula neutralisation

DANGEROUS_PREFIXES: tuple[str, ...] = (
    "=", "+", "-", "@", "\t", "\r", "\n",
    "\uff1d",  # FULLWIDTH EQUALS SIGN
    "\uff0b",  # FULLWIDTH PLUS SIGN
    "\uff0d",  # FULLWIDTH HYPHEN-MINUS
    "\uff20",  # FULLWIDTH COMMERCIAL AT
)
QUOTE = "'"
_ESCAPED_STARTS = frozenset((*DANGEROUS_PREFIXES, QUOTE))


def neutralise(text: str) -> str:
    """``text`` made safe for a spreadsheet cell: an apostrophe in front if it begins with a
    dangerous prefix (:data:`DANGEROUS_PREFIXES`) or with an apostrophe; otherwise unchanged."""
    if text[:1] in _ESCAPED_STARTS:
        return QUOTE + text
    return text


def restore(text: str) -> str:
    """The exact inverse of :func:`neutralise`: drop a leading apostrophe that is followed by a
    dangerous prefix or another apostrophe; anything else is returned unchanged."""
    if text[:1] == QUOTE and text[1:2] in _ESCAPED_STARTS:
        return text[1:]
    return text


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV with every text cell neutralised, so a CSV from any command opens in a
    spreadsheet without running what someone typed as a formula (OWASP, "CSV injection")."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = [neutralise(value) if isinstance(value, str) else value
                            for value in safe[column]]
    return safe.to_csv(index=False)


# ---------------------------------------------------------------- sheets and columns

SHEETS: dict[str, tuple[str, ...]] = {
    "Processes": PROCESS_FIELDS,
    "Dependencies": tuple(DependencyIn.model_fields),
    "KPIs": tuple(KpiIn.model_fields),
    "Assessments": tuple(AssessmentIn.model_fields),
    "Units": tuple(UnitIn.model_fields),
    "Initiatives": INITIATIVE_ROW_FIELDS,
    "Deliverables": DELIVERABLE_FIELDS,
}
"""Data sheet name -> its columns (the input model's field names, in order)."""

RecordKind = Literal["processes", "dependencies", "kpis", "assessments", "units", "initiatives",
                     "deliverables"]

SHEET_KINDS: dict[str, RecordKind] = {
    "Processes": "processes",
    "Dependencies": "dependencies",
    "KPIs": "kpis",
    "Assessments": "assessments",
    "Units": "units",
    "Initiatives": "initiatives",
    "Deliverables": "deliverables",
}
"""Data sheet name -> record kind (the key of the frames and of ``Catalogue.load``)."""

SHEET_NAMES: dict[str, str] = {kind: sheet for sheet, kind in SHEET_KINDS.items()}
"""Record kind -> data sheet name."""

README_SHEET = "README"

VOCABULARIES: dict[tuple[str, str], type[Choice]] = {
    ("Processes", "pillar"): Pillar,
    ("Processes", "priority_area"): PriorityArea,
    ("Processes", "process_type"): ProcessType,
    ("Processes", "lifecycle"): Lifecycle,
    ("Processes", "transformation_status"): TransformationStatus,
    ("Dependencies", "kind"): DependencyKind,
    ("KPIs", "direction"): KpiDirection,
    ("Units", "kind"): UnitKind,
    ("Initiatives", "pillar"): Pillar,
    ("Initiatives", "priority_area"): PriorityArea,
    ("Initiatives", "status"): InitiativeStatus,
    ("Initiatives", "lineage"): Lineage,
    ("Deliverables", "status"): DeliverableStatus,
}
"""(sheet, column) -> the vocabulary its cells take their machine words from."""

WHOLE_NUMBER_RANGES: dict[tuple[str, str], tuple[int, int]] = {
    ("Processes", "digital_maturity"): (min(DIGITAL_MATURITY_LEVELS), max(DIGITAL_MATURITY_LEVELS)),
    ("Dependencies", "strength"): (min(DEPENDENCY_STRENGTHS), max(DEPENDENCY_STRENGTHS)),
}
"""(sheet, column) -> inclusive range of the whole numbers the column accepts."""

_NON_NEGATIVE_WHOLE = {("Processes", "annual_volume")}
_NON_NEGATIVE_DECIMAL = {("Processes", column) for column in
                         ("staff_effort_fte", "cycle_time_days", "estimated_cost_chf",
                          "estimated_effort_pm")} | \
    {("Initiatives", "budget_chf"), ("Initiatives", "staff_pm")}
_NUMBER_COLUMNS = {*WHOLE_NUMBER_RANGES, *_NON_NEGATIVE_WHOLE, *_NON_NEGATIVE_DECIMAL,
                   ("KPIs", "baseline"), ("KPIs", "target"), ("Assessments", "value"),
                   ("Assessments", "low"), ("Assessments", "high")}

VALIDATED_ROWS = 1000
"""Data validation covers the data rows plus this many empty rows (and at least this many)."""
MAX_COLUMN_WIDTH = 60
MIN_COLUMN_WIDTH = 8

_LIST = "List: items separated by '; '."
_FREE_TEXT = "Free text."
_NAME_TEXT = f"Text, at most {NAME_LENGTH:,} characters."


MILESTONE_LISTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Deliverables", "milestone"): tuple(MILESTONES)}
"""(sheet, column) -> milestones a drop-down offers; a date YYYY-MM-DD is accepted too."""


def _process_code_text(what: str) -> str:
    return f"A code from the Processes sheet{what}."


def _vocabulary_text(kind: type[Choice]) -> str:
    return "\n".join(f"{member.value} = {member.label}" for member in kind)


def _column_help() -> dict[tuple[str, str], tuple[str, str]]:
    """(sheet, column) -> (meaning, allowed values) for the README sheet."""
    maturity = "Whole number 1 to 5:\n" + "\n".join(
        f"{level} = {text}" for level, text in DIGITAL_MATURITY_LEVELS.items())
    strength = "Whole number 1 to 3: " + ", ".join(
        f"{level} = {name}" for level, name in DEPENDENCY_STRENGTHS.items()) + "."
    milestone = " or ".join(f"{code} ({name})" for code, name in MILESTONES.items())
    date = "Date written YYYY-MM-DD."
    table: dict[tuple[str, str], tuple[str, str]] = {
        ("Processes", "code"): (
            "Unique code of the process. Required.",
            "Letters, digits and . _ - / (no spaces), starting with a letter or digit; at most "
            "40 characters, e.g. HR-REC-01."),
        ("Processes", "parent_code"): (
            "The process this one belongs to in the hierarchy; empty for a top-level process.",
            _process_code_text(" (listed above this row), or empty")),
        ("Processes", "name"): ("Name of the process. Required.", _NAME_TEXT),
        ("Processes", "description"): ("What the process does.", _FREE_TEXT),
        ("Processes", "unit"): ("The organisational unit that owns the process. Required.",
                                "A code from the Units sheet."),
        ("Processes", "process_owner"): ("Who owns the process (a role title).", _NAME_TEXT),
        ("Processes", "change_owner"): ("Who could change the process (a role title).",
                                        _NAME_TEXT),
        ("Processes", "pillar"): ("Pillar of the transformation roadmap.", ""),
        ("Processes", "priority_area"): ("2026 priority area the process serves.", ""),
        ("Processes", "process_type"): (
            "Core (delivers the organisation's mandate), enabling (supports the core) or "
            "management.", ""),
        ("Processes", "lifecycle"): (
            "Review state of this inventory record; empty means draft.", ""),
        ("Processes", "transformation_status"): (
            "Where the process stands on the transformation roadmap; empty means not_started. "
            "revised = scope changed or combined with another initiative.", ""),
        ("Processes", "digital_maturity"): ("How digital the process is today.", maturity),
        ("Processes", "annual_volume"): (
            "How many cases the process handles in a year (recruitments, registrations, "
            "invoices...).", "Whole number of at least 0, in cases per year."),
        ("Processes", "staff_effort_fte"): (
            "Staff effort the process takes.",
            "Number of at least 0, in full-time equivalents (FTE)."),
        ("Processes", "cycle_time_days"): (
            "Typical elapsed time of one case, from start to end.",
            "Number of at least 0, in calendar days."),
        ("Processes", "pain_points"): ("What goes wrong today.", _LIST),
        ("Processes", "systems_used"): ("IT systems and tools the process uses.", _LIST),
        ("Processes", "stakeholders"): ("Who takes part in or is affected by the process.",
                                        _LIST),
        ("Processes", "quick_fix_candidate"): (
            "Could a quick fix bring an early, concrete result?",
            "true or false; empty means false."),
        ("Processes", "earliest_start"): ("Earliest date a change could start.", date),
        ("Processes", "target_milestone"): (
            "When the change should be delivered.",
            f"{milestone}, or a date written YYYY-MM-DD."),
        ("Processes", "estimated_cost_chf"): (
            "Estimated cost of transforming the process.",
            "Number of at least 0, in Swiss francs (CHF)."),
        ("Processes", "estimated_effort_pm"): (
            "Estimated effort of transforming the process.",
            "Number of at least 0, in person-months."),
        ("Processes", "resources_needed"): (
            "People, project team or money the change would need.", _LIST),
        ("Processes", "related_initiatives"): (
            "Roadmap initiatives and complementary studies the process relates to.", _LIST),
        ("Processes", "external_reference"): (
            "Reference in an external framework, e.g. APQC PCF 7.2.1.", _NAME_TEXT),
        ("Processes", "tags"): ("Short keywords for searching and filtering.",
                                "List: items separated by '; '; kept in lower case."),
        ("Dependencies", "upstream_code"): (
            "The process depended on: it gives information, a hand-off, a system, a resource or "
            "a rule to the downstream process. Required.", _process_code_text("")),
        ("Dependencies", "downstream_code"): (
            "The process that depends on (receives from) the upstream process. Required.",
            _process_code_text(", not the upstream_code")),
        ("Dependencies", "kind"): (
            "What the downstream process receives or shares; empty means information.", ""),
        ("Dependencies", "strength"): (
            "How strongly the downstream process depends on the upstream one; empty means 2.",
            strength),
        ("Dependencies", "note"): ("Anything worth knowing about the dependency.", _FREE_TEXT),
        ("KPIs", "process_code"): ("The process the KPI measures. Required.",
                                   _process_code_text("")),
        ("KPIs", "name"): ("Name of the KPI, unique within its process. Required.",
                           f"Text, at most {KPI_NAME_LENGTH:,} characters."),
        ("KPIs", "unit_of_measure"): ("What baseline and target are counted in.",
                                      "Text, e.g. days, %, CHF."),
        ("KPIs", "direction"): ("Whether a higher or a lower value is better; empty means "
                                "higher.", ""),
        ("KPIs", "baseline"): ("Value of the KPI today.", "Number, in the unit_of_measure."),
        ("KPIs", "target"): ("Value to reach; better than the baseline in the KPI's direction.",
                             "Number, in the unit_of_measure."),
        ("KPIs", "target_date"): ("When the target should be reached.", date),
        ("KPIs", "source"): ("Where the baseline comes from.", _FREE_TEXT),
        ("Assessments", "process_code"): ("The process assessed. Required.",
                                          _process_code_text("")),
        ("Assessments", "criterion_key"): (
            "The criterion scored, e.g. operational_efficiency or complexity. Required.",
            "Lower-case letters, digits and _, starting with a letter; at most 60 characters."),
        ("Assessments", "value"): (
            "The rater's score. Required. A high value always means more of the criterion.",
            "Number on the criterion's scale (usually 1 = very low to 5 = very high; halves such "
            "as 3.5 allowed)."),
        ("Assessments", "low"): ("Lowest plausible score, when the rater is unsure.",
                                 "Number, at most the value, or empty."),
        ("Assessments", "high"): ("Highest plausible score, when the rater is unsure.",
                                  "Number, at least the value, or empty."),
        ("Assessments", "rater"): (
            "Who gave the score. Required. Each rater scores a process and criterion once; "
            "several raters' rows are kept side by side.", "Text, at most 100 characters."),
        ("Assessments", "rationale"): ("Why this score.", _FREE_TEXT),
        ("Assessments", "assessed_on"): ("When the score was given.", date),
        ("Units", "code"): ("Code of the unit, e.g. HRMD or BR. Required.",
                            "Letters, digits and . _ - / (no spaces); at most 20 characters."),
        ("Units", "name"): ("Name of the unit. Required.", _NAME_TEXT),
        ("Units", "kind"): ("Kind of unit; empty means gs_department.", ""),
        **roadmap_help(milestone, date),
    }
    for key, kind in VOCABULARIES.items():
        meaning, _ = table[key]
        table[key] = (meaning, _vocabulary_text(kind))
    return table


COLUMN_HELP: dict[tuple[str, str], tuple[str, str]] = _column_help()
"""(sheet, column) -> (meaning, allowed values): the column table of the README sheet."""


# ---------------------------------------------------------------- cell values


def is_missing(value: Any) -> bool:
    """An empty cell: ``None``, pandas' NA or NaT, a NaN, or the empty string."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return isinstance(value, str) and value == ""


def _date_text(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    return value.isoformat()


def cell_value(value: Any) -> str | int | float | None:
    """A frame value as a cell: ``None`` (empty, see :func:`is_missing`), a number, or
    neutralised text (:func:`neutralise`): booleans as ``true``/``false``, a non-finite number
    as text, dates in ISO 8601 (a midnight without a time zone as the date alone), a
    vocabulary member as its machine word."""
    if is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else neutralise(str(number))
    if isinstance(value, dt.date):  # datetime and pandas Timestamp included
        return _date_text(value)
    if isinstance(value, np.datetime64):
        return _date_text(pd.Timestamp(value).to_pydatetime())
    return neutralise(value.value if isinstance(value, Choice) else str(value))


def _number_text(number: int | float) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return repr(number)


def _parents_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows reordered so that a parent comes before its children; otherwise order kept."""
    if "code" not in frame.columns or "parent_code" not in frame.columns:
        return frame
    codes = [None if is_missing(c) else str(c) for c in frame["code"]]
    parents = [None if is_missing(p) else str(p) for p in frame["parent_code"]]
    position = {code: i for i, code in enumerate(codes) if code is not None}
    order: list[int] = []
    placed: set[int] = set()
    for start in range(len(frame)):
        chain: list[int] = []
        current: int | None = start
        while current is not None and current not in placed and current not in chain:
            chain.append(current)
            parent = parents[current]
            current = position.get(parent) if parent is not None else None
        for row in reversed(chain):
            order.append(row)
            placed.add(row)
    if order == list(range(len(frame))):
        return frame
    return frame.iloc[order]


def _rows(frame: pd.DataFrame | None, columns: tuple[str, ...],
          what: str) -> list[list[str | int | float | None]]:
    """The frame's cells in ``columns`` order; extra columns dropped."""
    if frame is None or (frame.empty and len(frame.columns) == 0):
        return []
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what}: the frame has no column {', '.join(missing)}")
    table = _parents_first(frame)[list(columns)].astype(object)
    return [[cell_value(value) for value in row]
            for row in table.itertuples(index=False, name=None)]


# ---------------------------------------------------------------- CSV


def table_csv(frame: pd.DataFrame, columns: tuple[str, ...]) -> bytes:
    """One table as UTF-8 CSV (no byte-order mark, ``\\n`` line ends, standard quoting): a header
    of ``columns``, then the frame's rows in those columns, text neutralised, dates
    ``YYYY-MM-DD``, booleans ``true``/``false``, whole numbers without ``.0``, empty cells for
    unknown values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(column) for column in columns])
    for row in _rows(frame, columns, "table"):
        writer.writerow(["" if value is None else value if isinstance(value, str)
                         else _number_text(value) for value in row])
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------- XLSX


def _width(header: str, rows: list[list[str | int | float | None]], index: int) -> float:
    longest = len(header)
    for row in rows:
        value = row[index]
        if value is None:
            continue
        text = value if isinstance(value, str) else _number_text(value)
        longest = max(longest, *(len(line) for line in text.splitlines() or [""]))
    return float(min(MAX_COLUMN_WIDTH, max(MIN_COLUMN_WIDTH, longest + 2)))


def _write_row(sheet: Worksheet, row: int, values: list[str | int | float | None],
               cell_format: Any = None) -> None:
    for column, value in enumerate(values):
        if value is None:
            continue
        if isinstance(value, str):
            sheet.write_string(row, column, value, cell_format)
        else:
            sheet.write_number(row, column, value, cell_format)


def _validate_columns(sheet: Worksheet, name: str, columns: tuple[str, ...], n_rows: int) -> None:
    last = max(n_rows + VALIDATED_ROWS, VALIDATED_ROWS) - 1  # 0-based index of the last row
    for index, column in enumerate(columns):
        key = (name, column)
        rule: dict[str, Any] | None = None
        if key in VOCABULARIES:
            rule = {"validate": "list", "source": [m.value for m in VOCABULARIES[key]],
                    "input_title": column[:32],
                    "input_message": "Choose a value from the list (see the README sheet)."}
        elif key in WHOLE_NUMBER_RANGES:
            low, high = WHOLE_NUMBER_RANGES[key]
            rule = {"validate": "integer", "criteria": "between", "minimum": low,
                    "maximum": high, "input_title": column[:32],
                    "input_message": f"A whole number from {low} to {high} (see the README "
                                     "sheet)."}
        elif key in _NON_NEGATIVE_WHOLE:
            rule = {"validate": "integer", "criteria": ">=", "value": 0,
                    "error_message": "Write a whole number of at least 0."}
        elif key in _NON_NEGATIVE_DECIMAL:
            rule = {"validate": "decimal", "criteria": ">=", "value": 0,
                    "error_message": "Write a number of at least 0."}
        elif key in MILESTONE_LISTS:
            # An information box, not a stop: a date YYYY-MM-DD is a milestone too.
            rule = {"validate": "list", "source": list(MILESTONE_LISTS[key]),
                    "input_title": column[:32], "error_type": "information",
                    "input_message": "Choose a milestone or write a date YYYY-MM-DD.",
                    "error_message": "Not C26 or PP-26: keep it only if it is a date written "
                                     "YYYY-MM-DD."}
        if rule is not None:
            rule.setdefault("error_title", "Value not allowed")
            rule.setdefault("error_message", "See the README sheet for the allowed values.")
            sheet.data_validation(1, index, last, index, rule)


def _readme(book: xlsxwriter.Workbook, formats: dict[str, Any], template: bool) -> None:
    sheet = book.add_worksheet(README_SHEET)
    what = ("This is an empty template of the dti process inventory: fill in the sheets and "
            "import the workbook into dti." if template else
            "This workbook is an export of the dti process inventory, the catalogue of the "
            "organisation's processes, their dependencies, KPIs and assessments, with the "
            "roadmap's initiatives and deliverables, kept for the Digital Transformation "
            "Initiative.")
    lines = [
        what,
        "Sheets: " + ", ".join(SHEETS) + ". One row per record. The column names are dti's "
        "field names, so the workbook imports back into dti without any column mapping.",
        "Dates are written YYYY-MM-DD (for example 2026-06-30).",
        "An empty cell means unknown. It never means zero, no or none.",
        "Yes/no values are written true or false. List cells separate their items with '; '.",
        "Vocabulary columns hold machine values (for example not_started); the drop-down lists "
        "offer them and the table below gives the label of each.",
        "A row of the Dependencies sheet means: the downstream process depends on (receives "
        "from) the upstream process.",
        "Initiatives and Deliverables hold the transformation roadmap: an initiative names the "
        "processes it transforms and the KPIs it is to move; a deliverable belongs to an "
        "initiative and is due by a milestone (C26, PP-26 or a date).",
        "Text that begins with = + - @ (or their full-width forms), a tab, a line break or an "
        "apostrophe is stored with one extra apostrophe ' in front, so that no spreadsheet "
        "program can run it as a formula (OWASP, CSV Injection). dti removes that one "
        "apostrophe again on import.",
    ]
    sheet.write_string(0, 0, neutralise("dti process inventory"), formats["title"])
    for row, line in enumerate(lines, start=2):
        sheet.write_string(row, 0, neutralise(line))
    start = len(lines) + 3
    header = ["sheet", "column", "meaning", "allowed values"]
    _write_row(sheet, start, [neutralise(h) for h in header], formats["header"])
    row = start
    for name, columns in SHEETS.items():
        for column in columns:
            row += 1
            meaning, allowed = COLUMN_HELP[(name, column)]
            _write_row(sheet, row, [neutralise(name), neutralise(column), neutralise(meaning),
                                    neutralise(allowed) if allowed else None], formats["wrap"])
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 60)
    sheet.set_column(3, 3, 70)
    sheet.autofilter(start, 0, row, len(header) - 1)


def _data_sheet(book: xlsxwriter.Workbook, formats: dict[str, Any], name: str,
                frame: pd.DataFrame | None) -> None:
    columns = SHEETS[name]
    rows = _rows(frame, columns, f"{SHEET_KINDS[name]} frame")
    sheet = book.add_worksheet(name)
    _write_row(sheet, 0, [neutralise(c) for c in columns], formats["header"])
    for row, values in enumerate(rows, start=1):
        _write_row(sheet, row, values)
    for index, column in enumerate(columns):
        key = (name, column)
        text_column = key not in _NUMBER_COLUMNS
        # Text format, so that a code like 001 or a typed date stays the text it looks like.
        sheet.set_column(index, index, _width(column, rows, index),
                         formats["text"] if text_column else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(columns) - 1)
    _validate_columns(sheet, name, columns, len(rows))


def _workbook(frames: Mapping[str, pd.DataFrame | None], template: bool) -> bytes:
    unknown = set(frames) - set(SHEET_NAMES)
    if unknown:
        raise ValueError(f"no sheet for {', '.join(sorted(unknown))}; expected "
                         f"{', '.join(SHEET_NAMES)}")
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    book.set_properties({"title": "dti process inventory",
                         "comments": "Exported by dti; see the README sheet."})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1,
                                   "text_wrap": True, "valign": "top"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "text": book.add_format({"num_format": "@"}),
    }
    _readme(book, formats, template)
    for name, kind in SHEET_KINDS.items():
        _data_sheet(book, formats, name, frames.get(kind))
    book.close()
    return output.getvalue()


def inventory_workbook(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """The inventory as an XLSX workbook: a README sheet, then one sheet per record kind.

    ``frames`` maps ``processes``, ``dependencies``, ``kpis``, ``assessments``, ``units``,
    ``initiatives`` and ``deliverables`` to the catalogue's frames (``Catalogue.frames()``); a
    kind left out gives an empty sheet. Only the columns in :data:`SHEETS` are written. Each
    data sheet has a bold header, frozen header row, autofilter, drop-down lists on vocabulary
    columns and milestones and range checks on numbers, for the data rows and 1000 more.
    """
    return _workbook(frames, template=False)


def template_workbook() -> bytes:
    """The same workbook with empty data sheets, for analysts to fill in."""
    return _workbook({}, template=True)
