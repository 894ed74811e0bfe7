"""(Re)generate the import test corpus: one small file per good or bad input case.

Run ``python tests/data/import_corpus/make_corpus.py [FOLDER]`` (default: this script's folder).
Only the standard library and XlsxWriter are used; the output is deterministic (fixed document
dates, fixed zip timestamps), so the files can be regenerated and the diff reviewed. README.md in
this folder lists each file, its case and the outcome ``tests/inventory/test_io.py`` expects.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import sys
import zipfile
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent

# A fixed date for the workbook properties and for every zip member, so output is reproducible.
FIXED_DATE = dt.datetime(2025, 1, 1, 0, 0, 0)
ZIP_DATE = (2025, 1, 1, 0, 0, 0)

PROCESS_HEADER = ["code", "name", "unit", "parent_code", "transformation_status",
                  "digital_maturity"]
PROCESS_ROWS = [
    ["HR", "Human resources management", "HRMD", "", "ongoing", "2"],
    ["HR-REC", "Recruitment", "HRMD", "HR", "planned", "3"],
    ["HR-PAY", "Payroll", "HRMD", "HR", "not_started", ""],
    ["FIN", "Financial management", "FRMD", "", "ongoing", "3"],
    ["FIN-BUD", "Budget preparation", "FRMD", "FIN", "completed", "4"],
]
DEPENDENCY_HEADER = ["upstream_code", "downstream_code", "kind", "strength"]
DEPENDENCY_ROWS = [
    ["HR-REC", "HR-PAY", "information", "3"],
    ["FIN-BUD", "HR-PAY", "policy", "2"],
]
# Names with é, ü and U+2019 (right single quote): Windows-1252 encodes each in one byte.
CP1252_ROWS = [
    ["HR-SEC", "Sécurité des données du personnel", "HRMD", "", "ongoing", "2"],
    ["HR-MUE", "Müller\u2019s leave review", "HRMD", "HR-SEC", "planned", "1"],
]
ZERO_PART_BYTES = 40 * 1024 * 1024  # zip_bomb.xlsx: 40 MiB of zeros deflate to about 40 KB
PADDING_BYTES = 2 * 1024 * 1024  # lying_sizes.xlsx: blanks in the sheet beyond its declared size


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    """The rows as CSV text, ``\\n`` line ends, quoting only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _write_row(sheet: xlsxwriter.worksheet.Worksheet, row: int, values: list[str]) -> None:
    """Text as text (never a formula), whole numbers as numbers, empty cells left blank."""
    for col, value in enumerate(values):
        if value.isdigit():
            sheet.write_number(row, col, int(value))
        elif value:
            sheet.write_string(row, col, value)


def workbook_bytes(sheets: list[tuple[str, list[str], list[list[str]]]],
                   title: tuple[str, str] | None = None) -> bytes:
    """An xlsx with one table per sheet; ``title`` puts a title block (A1, A2, empty row)
    above the first sheet's table."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": FIXED_DATE, "author": "dti test corpus"})
    for index, (name, header, rows) in enumerate(sheets):
        sheet = book.add_worksheet(name)
        top = 0
        if title and index == 0:
            sheet.write_string(0, 0, title[0])
            sheet.write_string(1, 0, title[1])
            top = 3
        _write_row(sheet, top, header)
        for offset, row in enumerate(rows, start=1):
            _write_row(sheet, top + offset, row)
    book.close()
    return buffer.getvalue()


def stray_cell_bytes() -> bytes:
    """The processes table and one forgotten cell in the sheet's last row and column."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": FIXED_DATE, "author": "dti test corpus"})
    sheet = book.add_worksheet("Processes")
    for offset, row in enumerate([PROCESS_HEADER, *PROCESS_ROWS]):
        _write_row(sheet, offset, row)
    sheet.write_string(1_048_575, 16_383, "forgotten")
    book.close()
    return buffer.getvalue()


def hidden_first_bytes() -> bytes:
    """A hidden sheet 'Old' (an earlier version of the table) before the visible 'Processes'."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": FIXED_DATE, "author": "dti test corpus"})
    old = book.add_worksheet("Old")
    for offset, row in enumerate([PROCESS_HEADER, PROCESS_ROWS[0]]):
        _write_row(old, offset, row)
    visible = book.add_worksheet("Processes")
    for offset, row in enumerate([PROCESS_HEADER, *PROCESS_ROWS]):
        _write_row(visible, offset, row)
    visible.activate()
    old.hide()
    book.close()
    return buffer.getvalue()


def formulas_bytes() -> bytes:
    """'name' cells holding formulas with cached values, and one text cell that looks like one."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": FIXED_DATE, "author": "dti test corpus"})
    sheet = book.add_worksheet("Processes")
    _write_row(sheet, 0, PROCESS_HEADER)
    _write_row(sheet, 1, ["HR-REC", "", "HRMD", "", "planned", ""])
    sheet.write_formula(1, 1, '="Recruit"&"ment"', None, "Recruitment")
    sheet.write_formula(1, 5, "=1+2", None, 3)
    _write_row(sheet, 2, ["HR-PAY", "", "HRMD", "", "ongoing", "2"])
    sheet.write_formula(2, 1, '="Pay"&"roll"', None, "Payroll")
    _write_row(sheet, 3, ["HR-TXT", "", "HRMD", "", "ongoing", "1"])
    sheet.write_string(3, 1, "=1+1")  # text that starts with '=', not a formula
    book.close()
    return buffer.getvalue()


def rezip(source: bytes, extra: dict[str, bytes]) -> bytes:
    """The members of zip ``source`` plus ``extra`` parts, deflated, with fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        parts = [(m.filename, original.read(m)) for m in original.infolist()]
        for name, data in [*parts, *extra.items()]:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return buffer.getvalue()


def replace_part(source: bytes, name: str, data: bytes) -> bytes:
    """Zip ``source`` with part ``name`` replaced by ``data`` (deflated, fixed timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in original.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data if member.filename == name else original.read(member))
    return buffer.getvalue()


def understate_size(source: bytes, name: str, declared: int) -> bytes:
    """Zip ``source`` with the uncompressed size of part ``name`` declared as ``declared`` in
    both its local header and the central directory (the lie a crafted zip bomb tells)."""
    data = bytearray(source)
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        local = archive.getinfo(name).header_offset
        directory = len(source) - 22  # no archive comment: the end record is the last 22 bytes
        (start,) = struct.unpack_from("<I", data, directory + 16)
    struct.pack_into("<I", data, local + 22, declared)
    entry = start
    while data[entry:entry + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46:entry + 46 + name_length].decode() == name:
            struct.pack_into("<I", data, entry + 24, declared)
        entry += 46 + name_length + extra_length + comment_length
    return bytes(data)


def corpus() -> dict[str, bytes]:
    """File name -> content, for every file of the corpus."""
    good_csv = csv_text(PROCESS_HEADER, PROCESS_ROWS)
    processes = ("Processes", PROCESS_HEADER, PROCESS_ROWS)
    plain_xlsx = workbook_bytes([processes])
    titled_xlsx = workbook_bytes(
        [processes, ("Dependencies", DEPENDENCY_HEADER, DEPENDENCY_ROWS)],
        title=("Process inventory", "Exported 2025-01-01 by the Transformation Team"))
    not_excel = io.BytesIO()
    with zipfile.ZipFile(not_excel, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("readme.txt", date_time=ZIP_DATE),
                         "This zip holds no workbook.\n")
    sheet_xml = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(plain_xlsx)) as archive:
        sheet = archive.read(sheet_xml)
    padded = sheet.replace(b"</sheetData>", b" " * PADDING_BYTES + b"</sheetData>")
    return {
        "good_processes.csv": good_csv.encode("utf-8"),
        "good_with_title.xlsx": titled_xlsx,
        "formulas.xlsx": formulas_bytes(),
        "empty.csv": b"",
        "blank.csv": b"  \n\n \t \r\n\n",
        "header_only.csv": csv_text(PROCESS_HEADER, []).encode("utf-8"),
        "header_only.xlsx": workbook_bytes([("Processes", PROCESS_HEADER, [])]),
        "bom.csv": good_csv.encode("utf-8-sig"),
        "cp1252.csv": csv_text(PROCESS_HEADER, CP1252_ROWS).encode("cp1252"),
        "utf16.csv": good_csv.encode("utf-16"),
        "macro.xlsm": plain_xlsx,
        "vba_inside.xlsx": rezip(plain_xlsx, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" * 64}),
        "legacy.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4,
        "not_really.xlsx": good_csv.encode("utf-8"),
        "csv_named_zip.csv": plain_xlsx,
        "zip_not_excel.xlsx": not_excel.getvalue(),
        "zip_bomb.xlsx": rezip(plain_xlsx, {"xl/media/zeros.bin": bytes(ZERO_PART_BYTES)}),
        "damaged.xlsx": titled_xlsx[: len(titled_xlsx) // 2],
        "corrupt_workbook.xlsx": replace_part(plain_xlsx, "xl/workbook.xml", b"not xml <<<"),
        "corrupt_sheet.xlsx": replace_part(plain_xlsx, sheet_xml, sheet[: len(sheet) // 2]),
        "stray_cell.xlsx": stray_cell_bytes(),
        "hidden_first.xlsx": hidden_first_bytes(),
        "lying_sizes.xlsx": understate_size(replace_part(plain_xlsx, sheet_xml, padded),
                                            sheet_xml, len(sheet)),
    }


def build(folder: Path) -> list[Path]:
    """Write every corpus file into ``folder``; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in corpus().items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: list[str]) -> None:
    folder = Path(argv[1]) if len(argv) > 1 else HERE
    for path in build(folder):
        print(f"{path.stat().st_size:>8,} {path}")


if __name__ == "__main__":
    main(sys.argv)
