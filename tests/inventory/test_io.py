"""Reading uploaded spreadsheets (``files.io``) against the corpus of good and bad files in
``tests/data/import_corpus`` (see its README.md; ``make_corpus.py`` there regenerates it).

A refused file raises :class:`FileRefused` (an :class:`InvalidInput`, shown to the user as is):
never another exception, and a one-line message that names the file, says what is wrong and,
where the user can act, how to fix it.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from types import ModuleType

import pytest

from inventory.errors import InvalidInput
from inventory.files.io import (
    FileRefused,
    Limits,
    Table,
    Upload,
    check_workbook,
    hidden_sheets,
    read_table,
    sheet_names,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "import_corpus"
NOT_CORPUS = {"make_corpus.py", "README.md", ".gitattributes"}

PROCESS_COLUMNS = ["code", "name", "unit", "parent_code", "transformation_status",
                   "digital_maturity"]
PROCESS_ROWS = [
    ["HR", "Human resources management", "HRMD", "", "ongoing", "2"],
    ["HR-REC", "Recruitment", "HRMD", "HR", "planned", "3"],
    ["HR-PAY", "Payroll", "HRMD", "HR", "not_started", ""],
    ["FIN", "Financial management", "FRMD", "", "ongoing", "3"],
    ["FIN-BUD", "Budget preparation", "FRMD", "FIN", "completed", "4"],
]

# file -> (words the message must contain, whether sheet_names refuses it too). Every message
# must also name the file. sheet_names checks the file type, the zip directory and how far each
# sheet's cells reach (which reads every sheet part through the zip's own size and CRC checks),
# so a CSV's encoding and a sheet's cell content are judged by read_table alone.
REFUSED: dict[str, tuple[tuple[str, ...], bool]] = {
    "empty.csv": (("is empty",), True),
    "blank.csv": (("is empty",), True),
    "header_only.csv": (("header row but no data rows",), False),
    "header_only.xlsx": (("sheet 'Processes'", "header row but no data rows"), False),
    "cp1252.csv": (("not UTF-8", "row 2", "cp1252", "CSV UTF-8", "--encoding cp1252"), False),
    "utf16.csv": (("not a text (CSV) file", "CSV UTF-8"), True),
    "macro.xlsm": (("macro-enabled", "save it as an .xlsx"), True),
    "vba_inside.xlsx": (("contains macros", "VBA", "without macros"), True),
    "legacy.xls": (("Excel 97-2003", "save it as .xlsx"), True),
    "not_really.xlsx": (("not an Excel workbook although it is named .xlsx",
                         "save it again as .xlsx"), True),
    "csv_named_zip.csv": (("is an Excel workbook, not a .csv file", "rename it to .xlsx"), True),
    "zip_not_excel.xlsx": (("zip file but not an Excel workbook",), True),
    "zip_bomb.xlsx": (("compressed", "to 1", "refused before reading"), True),
    "damaged.xlsx": (("damaged", "save it again"), True),
    # A sound zip directory around a broken part: only the parser can tell.
    "corrupt_workbook.xlsx": (("damaged", "save it again"), True),
    "corrupt_sheet.xlsx": (("damaged", "save it again"), False),
    "lying_sizes.xlsx": (("damaged", "save it again"), True),
    "stray_cell.xlsx": (("sheet 'Processes'", "XFD1048576", "5,000,000-cell limit",
                         "Ctrl+End"), True),
}


def upload(name: str) -> Upload:
    return Upload(name, (CORPUS / name).read_bytes())


def rows_of(table: Table) -> list[list[str]]:
    return table.frame.to_numpy().tolist()


def load_make_corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_refused(error: pytest.ExceptionInfo[FileRefused], name: str,
                   words: tuple[str, ...]) -> None:
    message = str(error.value)
    assert name in message
    assert "\n" not in message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


# --- accepted files ------------------------------------------------------------------------


def test_good_csv_is_read_as_text_with_file_rows() -> None:
    file = upload("good_processes.csv")
    assert sheet_names(file) == ["good_processes.csv"]
    table = read_table(file)
    assert table.sheet == "good_processes.csv"
    assert list(table.frame.columns) == PROCESS_COLUMNS
    assert rows_of(table) == PROCESS_ROWS
    assert table.header_row == 1
    assert table.row_numbers == (2, 3, 4, 5, 6)
    assert table.file_row(0) == 2
    assert all(isinstance(v, str) for row in rows_of(table) for v in row)


def test_title_block_is_skipped_and_rows_keep_their_sheet_numbers() -> None:
    file = upload("good_with_title.xlsx")
    assert sheet_names(file) == ["Processes", "Dependencies"]
    table = read_table(file)
    assert table.sheet == "Processes"
    assert list(table.frame.columns) == PROCESS_COLUMNS
    # Whole numbers stored as numbers read back as '2', not '2.0'; empty cells as ''.
    assert rows_of(table) == PROCESS_ROWS
    assert table.header_row == 4
    assert table.row_numbers == (5, 6, 7, 8, 9)
    assert table.file_row(0) == 5


def test_second_sheet_is_read_by_name() -> None:
    table = read_table(upload("good_with_title.xlsx"), "Dependencies")
    assert table.sheet == "Dependencies"
    assert list(table.frame.columns) == ["upstream_code", "downstream_code", "kind", "strength"]
    assert rows_of(table) == [["HR-REC", "HR-PAY", "information", "3"],
                              ["FIN-BUD", "HR-PAY", "policy", "2"]]
    assert table.header_row == 1
    assert table.row_numbers == (2, 3)


def test_missing_sheet_is_refused_with_the_sheets_there_are() -> None:
    with pytest.raises(FileRefused) as error:
        read_table(upload("good_with_title.xlsx"), "Units")
    assert_refused(error, "good_with_title.xlsx",
                   ("no sheet 'Units'", "Processes, Dependencies"))


def test_formulas_give_their_cached_values_and_formula_like_text_stays_text() -> None:
    file = upload("formulas.xlsx")
    assert sheet_names(file) == ["Processes"]
    table = read_table(file)
    assert list(table.frame.columns) == PROCESS_COLUMNS
    assert rows_of(table) == [
        ["HR-REC", "Recruitment", "HRMD", "", "planned", "3"],  # ="Recruit"&"ment", =1+2
        ["HR-PAY", "Payroll", "HRMD", "", "ongoing", "2"],
        ["HR-TXT", "=1+1", "HRMD", "", "ongoing", "1"],  # a text cell, not evaluated
    ]
    assert table.header_row == 1
    assert table.row_numbers == (2, 3, 4)


def test_utf8_bom_is_dropped() -> None:
    table = read_table(upload("bom.csv"))
    assert table.frame.columns[0] == "code"
    assert list(table.frame.columns) == PROCESS_COLUMNS
    assert rows_of(table) == PROCESS_ROWS
    assert table.row_numbers == (2, 3, 4, 5, 6)


def test_cp1252_csv_is_read_when_the_encoding_is_named() -> None:
    table = read_table(upload("cp1252.csv"), encoding="cp1252")
    assert table.frame["name"].tolist() == ["Sécurité des données du personnel",
                                            "Müller\u2019s leave review"]


def test_unknown_encoding_name_is_refused() -> None:
    with pytest.raises(FileRefused) as error:
        read_table(upload("good_processes.csv"), encoding="no-such-encoding")
    assert_refused(error, "good_processes.csv", ("cannot be read as no-such-encoding",))


@pytest.mark.parametrize("name", ["header_only.csv", "header_only.xlsx"])
def test_header_only_is_an_empty_table_when_allowed(name: str) -> None:
    table = read_table(upload(name), allow_empty=True)
    assert list(table.frame.columns) == PROCESS_COLUMNS
    assert rows_of(table) == []
    assert table.header_row == 1
    assert table.row_numbers == ()


# --- refused files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_file_is_refused_with_a_clear_message(name: str) -> None:
    words, at_open = REFUSED[name]
    file = upload(name)
    with pytest.raises(FileRefused) as error:
        read_table(file)
    assert_refused(error, name, words)
    assert isinstance(error.value, InvalidInput)
    if at_open:
        with pytest.raises(FileRefused) as error:
            sheet_names(file)
        assert_refused(error, name, words)
    else:
        sheet_names(file)  # the type and zip directory are sound; the content is not


def test_refusal_table_covers_the_whole_corpus() -> None:
    accepted = {"good_processes.csv", "good_with_title.xlsx", "formulas.xlsx", "bom.csv",
                "hidden_first.xlsx"}
    files = {p.name for p in CORPUS.iterdir()} - NOT_CORPUS
    assert files == accepted | set(REFUSED)


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "too_big.csv"
    path.write_text("code,name\n" + "".join(f"P{i:04d},Process {i}\n" for i in range(200)),
                    encoding="utf-8")
    size = path.stat().st_size
    with path.open("rb") as file, pytest.raises(FileRefused) as error:
        Upload.read("too_big.csv", file, Limits(max_bytes=size - 1))
    assert_refused(error, "too_big.csv", ("larger than", "split it or raise the size limit"))
    with path.open("rb") as file:
        exact = Upload.read("too_big.csv", file, Limits(max_bytes=size))
    assert exact.data == path.read_bytes()
    assert len(read_table(exact).frame) == 200


def test_rows_over_the_limit_are_refused() -> None:
    with pytest.raises(FileRefused) as error:
        read_table(upload("good_processes.csv"), limits=Limits(max_rows=3))
    assert_refused(error, "good_processes.csv",
                   ("5 rows", "over the 3 row limit", "split the file or raise the limit"))
    assert len(read_table(upload("good_processes.csv"), limits=Limits(max_rows=5)).frame) == 5


def test_rows_limit_applies_to_workbooks() -> None:
    with pytest.raises(FileRefused) as error:
        read_table(upload("good_with_title.xlsx"), limits=Limits(max_rows=4))
    assert_refused(error, "good_with_title.xlsx", ("sheet 'Processes'", "over the 4 row limit"))


def test_uncompressed_size_limit_is_checked_before_parsing() -> None:
    with pytest.raises(FileRefused) as error:
        check_workbook(upload("zip_bomb.xlsx"), Limits(max_uncompressed_bytes=1_000_000))
    assert_refused(error, "zip_bomb.xlsx", ("would expand to 42 MB", "over the 1 MB limit"))


def test_normal_workbook_passes_the_zip_checks() -> None:
    for name in ("good_with_title.xlsx", "formulas.xlsx", "header_only.xlsx"):
        check_workbook(upload(name))
    with pytest.raises(FileRefused) as error:
        read_table(upload("good_with_title.xlsx"), limits=Limits(max_uncompressed_bytes=1_000))
    assert_refused(error, "good_with_title.xlsx", ("would expand to",))


def test_upload_read_from_a_file_object() -> None:
    data = (CORPUS / "good_processes.csv").read_bytes()
    file = Upload.read("good_processes.csv", io.BytesIO(data))
    assert file == Upload("good_processes.csv", data)
    assert file.kind == "csv"


# --- the corpus itself -----------------------------------------------------------------------


def test_corpus_files_are_small() -> None:
    for path in CORPUS.iterdir():
        assert path.stat().st_size < 50 * 1024, path.name


def _outcome(file: Upload) -> tuple[object, ...]:
    """What read_table makes of a file: the table, or the refusal."""
    try:
        table = read_table(file)
    except FileRefused as error:
        return ("refused", str(error))
    except Exception as error:  # io.py bug, reported by test_bad_file_is_refused...
        return ("error", type(error).__name__, str(error))
    return ("table", list(table.frame.columns), rows_of(table), table.sheet, table.header_row,
            table.row_numbers)


def test_make_corpus_regenerates_the_same_files(tmp_path: Path) -> None:
    written = load_make_corpus().build(tmp_path)
    names = {path.name for path in written}
    assert names == {p.name for p in CORPUS.iterdir()} - NOT_CORPUS
    for name in sorted(names):
        fresh = (tmp_path / name).read_bytes()
        stored = (CORPUS / name).read_bytes()
        if name.endswith((".xlsx", ".xlsm")) or stored.startswith(b"PK"):
            # Workbooks depend on the XlsxWriter version: compare what is read from them.
            assert _outcome(Upload(name, fresh)) == _outcome(Upload(name, stored)), name
        else:
            assert fresh == stored, name


# --- files that defeat a reader: refused before it allocates, or read in a bounded child ------


def test_a_forgotten_far_cell_is_refused_from_the_zip_before_the_reader_runs() -> None:
    """One cell at XFD1048576 made the reader ask for 512 GB and abort the app's process; the
    file is now refused from its sheet XML, with the cell's place, before any parsing."""
    file = upload("stray_cell.xlsx")
    assert len(file.data) < 20_000
    with pytest.raises(FileRefused) as error:
        read_table(file, limits=Limits(in_process_bytes=10**9))  # in this very process
    assert "row 1,048,576, column 16,384" in str(error.value)


def test_the_cell_limit_counts_from_a1_to_the_last_row_and_column() -> None:
    file = upload("good_with_title.xlsx")  # Processes reaches F9: 54 cells
    read_table(file, limits=Limits(max_cells=54))
    with pytest.raises(FileRefused, match="a grid of 54 cells, over the 53-cell limit"):
        read_table(file, limits=Limits(max_cells=53))


@pytest.mark.parametrize("name", ["good_processes.csv", "good_with_title.xlsx"])
def test_a_file_read_in_the_bounded_child_gives_the_same_table(name: str) -> None:
    in_process = read_table(upload(name))
    in_child = read_table(upload(name), limits=Limits(in_process_bytes=0))
    assert rows_of(in_child) == rows_of(in_process)
    assert in_child.row_numbers == in_process.row_numbers


def test_a_refusal_inside_the_child_keeps_its_message() -> None:
    with pytest.raises(FileRefused) as error:
        read_table(upload("corrupt_sheet.xlsx"), limits=Limits(in_process_bytes=0))
    assert_refused(error, "corrupt_sheet.xlsx", ("damaged", "save it again"))


def test_a_file_needing_more_memory_than_the_child_has_is_refused_and_this_process_lives(
) -> None:
    """The child reads under an address-space limit: running out of it ends the child, not
    this process, and the person is told what to do. (A limit no reader can work within makes
    the child run out at once, whatever the machine's load.)"""
    with pytest.raises(FileRefused) as error:
        read_table(upload("good_with_title.xlsx"),
                   limits=Limits(in_process_bytes=0, child_memory_bytes=50_000_000))
    assert_refused(error, "good_with_title.xlsx", ("more than 0.1 GB of memory", "split it"))
    assert rows_of(read_table(upload("good_with_title.xlsx")))  # this process goes on


def test_a_file_taking_longer_than_the_child_may_is_stopped() -> None:
    with pytest.raises(FileRefused) as error:
        read_table(upload("good_processes.csv"),
                   limits=Limits(in_process_bytes=0, child_seconds=0.001))
    assert_refused(error, "good_processes.csv", ("took longer than", "split it"))


@pytest.mark.parametrize("in_process_bytes", [10**9, 0], ids=["in process", "in the child"])
def test_cells_of_the_same_text_share_one_string(in_process_bytes: int) -> None:
    """What keeps a 199,000-row table small in the app's process: a unit or a status repeated
    on every row is one string, also when the table comes pickled from the bounded child."""
    text = "code,name,unit\n" + "".join(f"P{n}, Process {n} ,HRMD\n" for n in range(50))
    table = read_table(Upload("p.csv", text.encode()),
                       limits=Limits(in_process_bytes=in_process_bytes))
    units = table.frame["unit"].tolist()
    assert units == ["HRMD"] * 50 and all(unit is units[0] for unit in units)
    assert table.frame["name"].iloc[7] == "Process 7"


def test_the_row_limit_is_checked_inside_the_child_with_its_message() -> None:
    text = "code,name\n" + "".join(f"P{n},Process {n}\n" for n in range(11))
    with pytest.raises(FileRefused) as error:
        read_table(Upload("p.csv", text.encode()),
                   limits=Limits(max_rows=10, in_process_bytes=0))
    assert_refused(error, "p.csv", ("has 11 rows, over the 10 row limit", "split the file"))


# --- rows and columns never dropped without a word ---------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ('code,name\nA,"one\nB,two\nC,three\n', ("quoted value that starts on row 2 is never closed",
                                            "swallow")),
    ('code,name\nA,"x"y\n', ("row 2 is not valid CSV", "followed by a comma")),
    ("code,name\nA," + "x" * 140_000 + "\n", ("row 2 holds a value longer than 131,072",)),
], ids=["open quote", "text after a quote", "huge value"])
def test_a_csv_that_would_lose_rows_is_refused_naming_the_row(text: str,
                                                              words: tuple[str, ...]) -> None:
    with pytest.raises(FileRefused) as error:
        read_table(Upload("broken.csv", text.encode()))
    assert_refused(error, "broken.csv", words)


def test_a_quoted_value_over_several_lines_is_one_cell() -> None:
    table = read_table(Upload("notes.csv", b'code,name\nA,"two\nlines"\nB,x\n'))
    assert rows_of(table) == [["A", "two\nlines"], ["B", "x"]]


def test_values_under_an_empty_header_cell_keep_a_column_that_says_so() -> None:
    """Two header cells merged leave the second empty: its values are kept and reported."""
    table = read_table(Upload("merged.csv", b"code,name,\nA,One,kept\nB,Two,\n"))
    assert list(table.frame.columns) == ["code", "name", "(no header, column C)"]
    assert rows_of(table)[0] == ["A", "One", "kept"]
    empty = read_table(Upload("blank.csv", b"code,name,\nA,One,\n"))
    assert list(empty.frame.columns) == ["code", "name"]


def test_a_hidden_sheet_is_never_read_by_default_and_is_marked_when_named() -> None:
    file = upload("hidden_first.xlsx")
    assert sheet_names(file) == ["Processes", "Old"]
    assert hidden_sheets(file) == ["Old"]
    default = read_table(file)
    assert (default.sheet, default.hidden, len(default.frame)) == ("Processes", False, 5)
    named = read_table(file, "Old")
    assert (named.sheet, named.hidden, len(named.frame)) == ("Old", True, 1)
