"""Reading spreadsheets safely: file objects in, tables of text out. No database.

Conventions
-----------
* A path given on the command line must be a regular file, checked before it is opened (a
  symbolic link is followed and named): a directory, a device such as ``/dev/zero``, a named
  pipe or a socket is refused saying which it is, and a file over :attr:`Limits.max_bytes` is
  refused from its size, before any byte is read.
* A file is judged by its content, not its name: an XLSX is a zip holding ``xl/workbook.xml``;
  a legacy ``.xls`` (OLE2) or a macro workbook (``.xlsm``, or any ``vbaProject.bin`` part) is
  refused; a CSV holds no NUL byte and is not a zip.
* Zip bombs are refused before parsing, from the sizes the zip declares (OWASP, "File upload
  cheat sheet"; a 0.9 MB xlsx can expand to 200 MB): total uncompressed size and compression
  ratio have limits (:class:`Limits`), as do the file size and the number of rows.
* A sheet whose cells reach further than :attr:`Limits.max_cells` allows (counted from A1 to its
  last row and column, found by :mod:`inventory.files.sheet_extent` without a parser) is refused
  before the reader allocates its grid: one stray cell at ``XFD1048576`` would ask for 512 GB.
* Files above :attr:`Limits.in_process_bytes` are read in a child process with bounded memory
  and time (:mod:`.bounded_read`), so a file that still defeats the reader fails alone
  and never takes the app down.
* CSV must be UTF-8 (a byte-order mark is accepted and dropped). Anything else is refused with
  the legacy encoding it most likely is, unless the caller names the encoding.
* Cells are read as text, exactly as shown by a spreadsheet for text cells; XLSX formulas are
  never evaluated or kept: the value cached in the file is read (python-calamine).
* The header row is the first row, among the first 30, that fills at least half as many cells
  as the fullest row, so a title block above the table is skipped.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from inventory.errors import InvalidInput
from inventory.files.bounded_read import BoundedReadFailed, read_table_bounded
from inventory.files.sheet_extent import UnreadableWorkbook, column_letters, worksheet_extents

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LEGACY_ENCODINGS = ("cp1252", "latin-1")
HEADER_SCAN_ROWS = 30
FILE_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
              (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
              (stat.S_ISSOCK, "a socket"))


class FileRefused(InvalidInput):
    """The file cannot be read as an inventory table; nothing was imported."""


@dataclass(frozen=True)
class Limits:
    """What an import accepts; every limit can be raised by configuration."""

    max_bytes: int = 50_000_000
    max_rows: int = 200_000
    max_uncompressed_bytes: int = 500_000_000
    max_compression_ratio: float = 100.0
    max_cells: int = 5_000_000  # per sheet, from A1 to its last row and column
    in_process_bytes: int = 2_000_000  # larger files (inflated, for a workbook) go to a child
    child_memory_bytes: int = 3_000_000_000
    child_seconds: float = 120.0


@dataclass(frozen=True)
class Table:
    """A table read from a file: every cell as text ('' when empty)."""

    frame: pd.DataFrame
    sheet: str  # sheet name, or the file name for a CSV
    header_row: int  # 1-based row number of the header in the file
    row_numbers: tuple[int, ...]  # 1-based file row of each data row (blank rows skipped)
    hidden: bool = False  # a sheet hidden in the workbook: the import says so

    def file_row(self, index: int) -> int:
        """The 1-based row number in the file of data row ``index`` (0-based)."""
        return self.row_numbers[index]


@dataclass(frozen=True)
class Upload:
    """The bytes of an uploaded or opened file, with the name the user gave it."""

    name: str
    data: bytes

    @classmethod
    def read(cls, name: str, file: BinaryIO, limits: Limits = Limits()) -> Upload:
        data = file.read(limits.max_bytes + 1)
        if len(data) > limits.max_bytes:
            raise FileRefused(f"{name} is larger than {_size(limits.max_bytes)}; split it or "
                              "raise the size limit")
        return cls(name, data)

    @classmethod
    def from_path(cls, path: Path, limits: Limits = Limits()) -> Upload:
        """The regular file at ``path`` (a symbolic link is followed): anything else, or a file
        over the size limit, is refused before it is read. The file is opened without blocking
        and checked again once open, so one swapped for a pipe meanwhile cannot hang the read."""
        link = f"{path} (a symbolic link to {os.path.realpath(path)})" if path.is_symlink() \
            else str(path)
        try:
            found = os.stat(path)
            _check_regular(link, found.st_mode, found.st_size, limits)
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            raise FileRefused(f"there is no file {link}") from None
        except OSError as error:
            raise FileRefused(f"{link} cannot be read ({error.strerror})") from None
        with os.fdopen(descriptor, "rb") as file:
            opened = os.fstat(file.fileno())
            _check_regular(link, opened.st_mode, opened.st_size, limits)
            return cls.read(path.name, file, limits)

    @property
    def kind(self) -> str:
        """``xlsx`` or ``csv``, from the content, checked against the extension."""
        extension = self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""
        if not self.data.strip():
            raise FileRefused(f"{self.name} is empty")
        if extension in ("xlsm", "xltm", "xlsb"):
            raise FileRefused(f"{self.name} is a macro-enabled or binary workbook; save it as "
                              "an .xlsx workbook (no macros) and import that")
        if self.data.startswith(OLE2_MAGIC):
            raise FileRefused(f"{self.name} is an old Excel 97-2003 (.xls) file; save it as "
                              ".xlsx and import that")
        if self.data.startswith(XLSX_MAGIC):
            if extension not in ("xlsx", ""):
                raise FileRefused(f"{self.name} is an Excel workbook, not a .{extension} file; "
                                  "rename it to .xlsx")
            return "xlsx"
        if extension == "xlsx":
            raise FileRefused(f"{self.name} is not an Excel workbook although it is named .xlsx; "
                              "open it in Excel and save it again as .xlsx")
        if b"\x00" in self.data[:4096]:
            raise FileRefused(f"{self.name} is not a text (CSV) file; export the table as CSV "
                              "UTF-8 or .xlsx")
        return "csv"


def _check_regular(path: str, mode: int, size: int, limits: Limits) -> None:
    """Refuse what is not a regular file, saying what it is, and a file over the size limit."""
    if not stat.S_ISREG(mode):
        what = next((name for is_kind, name in FILE_KINDS if is_kind(mode)), "of another kind")
        raise FileRefused(f"{path} is not a regular file (it is {what}); give the path of a "
                          "CSV or XLSX file")
    if size > limits.max_bytes:
        raise FileRefused(f"{path} is {size:,} bytes, over the {_size(limits.max_bytes)} limit; "
                          "split it or raise the size limit")


def check_workbook(upload: Upload, limits: Limits = Limits()) -> None:
    """Refuse macro workbooks and zip bombs from the zip directory, before any parsing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(upload.data))
    except zipfile.BadZipFile:
        raise FileRefused(f"{upload.name} is a damaged workbook; open and save it again in "
                          "Excel") from None
    with archive:
        members = archive.infolist()
        names = {m.filename.lower() for m in members}
        if "xl/workbook.xml" not in names:
            raise FileRefused(f"{upload.name} is a zip file but not an Excel workbook; export "
                              "the table from Excel as .xlsx or CSV UTF-8")
        if any(name.endswith("vbaproject.bin") for name in names):
            raise FileRefused(f"{upload.name} contains macros (a VBA project); save it as an "
                              ".xlsx workbook without macros")
        expanded = sum(m.file_size for m in members)
        packed = max(1, sum(m.compress_size for m in members))
        if expanded > limits.max_uncompressed_bytes:
            raise FileRefused(f"{upload.name} would expand to {_size(expanded)}, over the "
                              f"{_size(limits.max_uncompressed_bytes)} limit; split the workbook "
                              "or raise the limit")
        if expanded / packed > limits.max_compression_ratio:
            raise FileRefused(f"{upload.name} is compressed {expanded / packed:,.0f} to 1, which "
                              "only a malicious or corrupt file does; refused before reading")
        _check_extents(upload, archive, limits)


def _check_extents(upload: Upload, archive: zipfile.ZipFile, limits: Limits) -> None:
    try:
        extents = worksheet_extents(archive, limits.max_uncompressed_bytes)
    except (UnreadableWorkbook, ElementTree.ParseError, KeyError, zipfile.BadZipFile,
            EOFError, OSError, zlib.error):
        raise FileRefused(f"{upload.name} is a damaged workbook; open it in Excel and save it "
                          "again as .xlsx") from None
    for sheet, extent in extents.items():
        if extent.grid > limits.max_cells:
            raise FileRefused(
                f"{upload.name}: sheet '{sheet}' has cells as far as {extent.last_reference} "
                f"(row {extent.last_row:,}, column {extent.last_column:,}), a grid of "
                f"{extent.grid:,} cells, over the {limits.max_cells:,}-cell limit; delete the "
                "stray cells far from the table (Ctrl+End in Excel goes to the last one) or "
                "copy the table into a new workbook")


def _size(count: int) -> str:
    return f"{count / 1e6:,.0f} MB" if count >= 1_000_000 else f"{count:,} bytes"


def decode_csv(upload: Upload, encoding: str | None = None) -> str:
    """The CSV text: UTF-8 (BOM dropped), or the encoding the caller names."""
    if encoding:
        try:
            return upload.data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as error:
            raise FileRefused(f"{upload.name} cannot be read as {encoding}: {error}") from None
    try:
        return upload.data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        guess = next((e for e in LEGACY_ENCODINGS if _decodes(upload.data, e)), None)
        row = upload.data[: error.start].count(b"\n") + 1
        hint = (f"; it looks like {guess} (Windows Western European). Save it as 'CSV UTF-8' "
                f"in Excel, or import it with --encoding {guess}") if guess else \
            "; save it as 'CSV UTF-8'"
        raise FileRefused(f"{upload.name} is not UTF-8 (first bad byte on row {row}){hint}") \
            from None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def sheet_names(upload: Upload, limits: Limits = Limits()) -> list[str]:
    """The sheets of a workbook, visible ones first (a CSV has one, named after the file)."""
    hidden = set(hidden_sheets(upload, limits))
    names = [upload.name] if upload.kind == "csv" else _sheets(upload)
    return [name for name in names if name not in hidden] + \
        [name for name in names if name in hidden]


def hidden_sheets(upload: Upload, limits: Limits = Limits()) -> list[str]:
    """The sheets a person does not see when opening the workbook (hidden or very hidden)."""
    if upload.kind == "csv":
        return []
    check_workbook(upload, limits)
    with _damaged_as_refusal(upload):
        metadata = CalamineWorkbook.from_filelike(io.BytesIO(upload.data)).sheets_metadata
    return [sheet.name for sheet in metadata if str(sheet.visible).rsplit(".", 1)[-1] != "Visible"]


def _sheets(upload: Upload) -> list[str]:
    with _damaged_as_refusal(upload):
        return list(CalamineWorkbook.from_filelike(io.BytesIO(upload.data)).sheet_names)


@contextmanager
def _damaged_as_refusal(upload: Upload) -> Iterator[None]:
    """A workbook the parser cannot read (broken XML, parts larger than declared) is refused."""
    try:
        yield
    except CalamineError as error:
        raise FileRefused(f"{upload.name} is a damaged workbook ({type(error).__name__}); open "
                          "it in Excel and save it again as .xlsx") from None


def read_table(upload: Upload, sheet: str | None = None, *, encoding: str | None = None,
               limits: Limits = Limits(), allow_empty: bool = False) -> Table:
    """One table from the file: the named sheet (default: the first), header found, all text."""
    hidden = False
    if upload.kind == "csv":
        sheet_name = upload.name
    else:
        names = sheet_names(upload, limits)  # visible first: the default is one people see
        sheet_name = sheet or names[0]
        if sheet_name not in names:
            raise FileRefused(f"{upload.name} has no sheet '{sheet_name}'; its sheets are "
                              f"{', '.join(names)}")
        hidden = sheet_name in hidden_sheets(upload, limits)
    if _inflated_size(upload) > limits.in_process_bytes:
        try:
            table = read_table_bounded(upload, sheet_name, encoding, limits, allow_empty)
        except BoundedReadFailed as failure:
            raise FileRefused(str(failure)) from None
    else:
        rows = read_rows(upload, sheet_name, encoding)
        table = table_of_rows(rows, upload.name, sheet_name, limits, allow_empty)
    return dataclasses.replace(table, hidden=hidden)


def read_rows(upload: Upload, sheet: str, encoding: str | None) -> list[list[str]]:
    """Every row of the sheet (or the CSV) as text, empty area kept; no limit is checked here."""
    if upload.kind == "csv":
        return _csv_rows(upload, decode_csv(upload, encoding))
    with _damaged_as_refusal(upload):
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(upload.data))
        cells = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return [[_cell_text(v) for v in row] for row in cells]


def _csv_rows(upload: Upload, text: str) -> list[list[str]]:
    """The CSV's rows, read strictly (RFC 4180): a quote left open would otherwise swallow every
    row up to the next quote without a word, so it is refused with the row where it starts."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as error:
        start = reader.line_num
        if "field larger than field limit" in str(error):
            raise FileRefused(f"{upload.name}: row {start} holds a value longer than "
                              f"{csv.field_size_limit():,} characters; shorten it or check for a "
                              "quote that is never closed") from None
        if "unexpected end of data" in str(error):
            start = len(rows) + 1 + sum(cell.count("\n") for row in rows for cell in row)
            raise FileRefused(f"{upload.name}: a quoted value that starts on row {start} is "
                              "never closed, so it would swallow every row after it; add the "
                              "closing quote (\") and import again") from None
        raise FileRefused(f"{upload.name}: row {start} is not valid CSV ({error}); a quoted "
                          "value must be followed by a comma or the end of the row") from None
    return rows


def _inflated_size(upload: Upload) -> int:
    """The bytes a reader goes through: a workbook's declared uncompressed size, a CSV's own."""
    if upload.kind == "csv":
        return len(upload.data)
    with zipfile.ZipFile(io.BytesIO(upload.data)) as archive:
        return max(len(upload.data), sum(m.file_size for m in archive.infolist()))


def _cell_text(value: object) -> str:
    """A cell as text: whole numbers without '.0', dates as YYYY-MM-DD, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


def table_of_rows(rows: list[list[str]], file_name: str, sheet: str, limits: Limits,
                  allow_empty: bool) -> Table:
    """The table held in ``rows``: header found, blank rows skipped, limits checked. Cells of
    the same text share one string (a unit, a status or an empty cell repeated on 199,000 rows
    is held once), which also keeps the pickle a bounded child sends small."""
    one_copy: dict[str, str] = {}
    rows = [[one_copy.setdefault(text, text) for text in map(str.strip, row)] for row in rows]
    one_copy.clear()
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        where = file_name if sheet == file_name else f"{file_name}: sheet '{sheet}'"
        raise FileRefused(f"{where} is empty")
    filled = [sum(1 for cell in row if cell) for row in rows[:HEADER_SCAN_ROWS]]
    header_index = next(i for i, n in enumerate(filled) if n >= max(1, max(filled) / 2))
    header = rows[header_index]
    width = max(len(row) for row in rows)
    header = header + [""] * (width - len(header))
    numbered = [(number, row + [""] * (width - len(row)))
                for number, row in enumerate(rows[header_index + 1:], start=header_index + 2)
                if any(row)]
    body = [row for _, row in numbered]
    where = file_name if sheet == file_name else f"{file_name}: sheet '{sheet}'"
    if not body and not allow_empty:
        raise FileRefused(f"{where} has a header row but no data rows")
    if len(body) > limits.max_rows:
        raise FileRefused(f"{where} has {len(body):,} rows, over the "
                          f"{limits.max_rows:,} row limit; split the file or raise the limit")
    header = _name_headless_columns(header, body)
    columns = _unique_columns(header)
    keep = [i for i, name in enumerate(header) if name]
    frame = pd.DataFrame([[row[i] for i in keep] for row in body],
                         columns=[columns[i] for i in keep], dtype=object)
    return Table(frame, sheet, header_index + 1, tuple(number for number, _ in numbered))


def _name_headless_columns(header: list[str], body: list[list[str]]) -> list[str]:
    """A column holding values under an empty header cell (two header cells merged, say) is
    kept as ``(no header, column F)``, so the import reports it instead of dropping its data."""
    return [name or (f"(no header, column {column_letters(i + 1)})"
                     if any(row[i] for row in body) else "")
            for i, name in enumerate(header)]


def _unique_columns(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    columns = []
    for name in header:
        count = seen.get(name, 0)
        seen[name] = count + 1
        columns.append(name if count == 0 else f"{name} ({count + 1})")
    return columns
