"""How far the cells of each worksheet of an XLSX reach, read from the zip without a parser.

The XLSX reader builds one dense grid from the top-left to the bottom-right cell of a sheet, so a
single cell at ``XFD1048576`` beside ``A1`` makes it ask for 17 billion cells (512 GB) and the
process aborts. :func:`worksheet_extents` streams each worksheet's XML in chunks and finds the
rows and columns its cells occupy, in bounded memory, before the reader is called.

Conventions (ECMA-376 part 1, 18.3.1.73 ``row`` and 18.3.1.4 ``c``): a row's ``r`` is its 1-based
number and a cell's ``r`` its A1 reference; both are optional, and a row or cell without one
follows the previous. The declared ``dimension`` element is not trusted: the cells decide.
Worksheets are found through ``xl/workbook.xml`` and its relationships, as a reader finds them.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

CHUNK = 1 << 20
SMALL_PART_LIMIT = 10_000_000  # workbook.xml and its relationships: a sheet list, never large
TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*)>")
REF = re.compile(rb'\br\s*=\s*["\']([A-Za-z]*)(\d+)["\']')
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class UnreadableWorkbook(ValueError):
    """The workbook's parts cannot be read as a spreadsheet (caller reports it as damaged)."""


@dataclass(frozen=True)
class Extent:
    """The last row and column a sheet's cells reach (1-based) and how many cells it holds."""

    last_row: int = 0
    last_column: int = 0
    cells: int = 0

    @property
    def grid(self) -> int:
        """The cells of the rectangle from A1 to the last row and column: what a reader that
        keeps the sheet's empty area (as this project's does) holds in memory."""
        return self.last_row * self.last_column

    @property
    def last_reference(self) -> str:
        """The A1 reference of the bottom-right corner, as a spreadsheet names it."""
        return f"{column_letters(self.last_column)}{self.last_row}"


def column_letters(number: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA, 16384 -> XFD."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def worksheet_extents(archive: zipfile.ZipFile, max_bytes: int) -> dict[str, Extent]:
    """Each worksheet's name and extent. A part larger than ``max_bytes`` once inflated (whatever
    its declared size) or a sheet list that cannot be read raises :class:`UnreadableWorkbook`."""
    return {name: _extent(archive, part, max_bytes)
            for name, part in _worksheet_parts(archive).items()}


def _worksheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member, following ``xl/workbook.xml`` and its relationships."""
    workbook = ElementTree.fromstring(_small_part(archive, "xl/workbook.xml"))
    try:
        relations = ElementTree.fromstring(_small_part(archive, "xl/_rels/workbook.xml.rels"))
    except KeyError:
        relations = ElementTree.fromstring(b"<Relationships/>")
    targets = {rel.get("Id"): rel.get("Target", "")
               for rel in relations.iter(f"{PACKAGE_REL_NS}Relationship")}
    members = {info.filename.lower(): info.filename for info in archive.infolist()}
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{REL_NS}id"), "")
        path = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join("xl", target))
        member = members.get(path.lower())
        if member is not None:
            parts[sheet.get("name", member)] = member
    return parts


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(_member(archive, name)) as part:
        data = part.read(SMALL_PART_LIMIT + 1)
    if len(data) > SMALL_PART_LIMIT:
        raise UnreadableWorkbook(f"{name} is larger than any sheet list")
    return data


def _member(archive: zipfile.ZipFile, name: str) -> str:
    for info in archive.infolist():
        if info.filename.lower() == name:
            return info.filename
    raise KeyError(name)


def _extent(archive: zipfile.ZipFile, member: str, max_bytes: int) -> Extent:
    """Scan one worksheet part chunk by chunk; a tag cut by a chunk boundary waits for the next."""
    scan = _Scan()
    read = 0
    carry = b""
    with archive.open(member) as part:
        while chunk := part.read(CHUNK):
            read += len(chunk)
            if read > max_bytes:
                raise UnreadableWorkbook(f"{member} inflates beyond {max_bytes:,} bytes")
            data = carry + chunk
            cut = data.rfind(b"<")
            complete, carry = (data[:cut], data[cut:]) if cut > data.rfind(b">") \
                else (data, b"")
            scan.feed(complete)
    scan.feed(carry)
    return scan.extent()


class _Scan:
    """Running last row and column over ``row`` and ``c`` tags, in document order."""

    def __init__(self) -> None:
        self.row = 0
        self.column = 0
        self.cells = 0
        self.last_row = 0
        self.last_column = 0

    def feed(self, data: bytes) -> None:
        for closing, tag, attributes in TAG.findall(data):
            if closing:
                continue
            reference = REF.search(attributes)
            if tag == b"row":
                self.row = int(reference.group(2)) if reference else self.row + 1
                self.column = 0
                continue
            if reference and reference.group(1):
                self.column = column_number(reference.group(1))
                self.row = int(reference.group(2))
            else:
                self.column += 1
            self.cells += 1
            self.last_row = max(self.last_row, self.row, 1)
            self.last_column = max(self.last_column, self.column)

    def extent(self) -> Extent:
        return Extent(self.last_row, self.last_column, self.cells)
