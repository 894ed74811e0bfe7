"""Import: upload a spreadsheet, pick the sheet, map columns, check (dry run), then import.

The file is checked on the server, whatever the browser said about it. Nothing is written until
the check shows no error and the user confirms; the import itself is all or nothing.
"""

from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from inventory.access import Action
from inventory.errors import CatalogueError
from inventory.files.export import SHEET_KINDS, table_csv
from inventory.files.importing import (
    MODELS,
    ImportOptions,
    load_mapping,
    saved_mappings,
    suggest_mapping,
)
from inventory.files.io import Upload, read_table, sheet_names
from inventory.services import Catalogue, ImportResult
from views.common import actor, catalogue, flash, plain, refused, require, show_flash

IGNORE = "— not imported —"
READ_FROM_UPLOAD = "read_from_upload"  # (the upload, what was read from it)
T = TypeVar("T")
PROBLEMS_LISTED = 50  # listed in full on the page; the table and its download hold them all


def receive_upload() -> Upload | None:
    """The uploaded file, kept across reruns (tests put an Upload in session state directly)."""
    uploaded = st.file_uploader("Spreadsheet (CSV UTF-8 or XLSX)", type=["csv", "xlsx"],
                                key="uploader")
    if uploaded is not None:
        upload = Upload(uploaded.name, uploaded.getvalue())
        if st.session_state.get("upload") != upload:
            st.session_state["upload"] = upload
            st.session_state.pop("check", None)
    upload = st.session_state.get("upload")
    return upload if isinstance(upload, Upload) else None


def read_once(upload: Upload, what: tuple[str | None, ...], read: Callable[[], T]) -> T:
    """What ``read`` gets from ``upload``, read the first time only: the sheets and the table
    of the current file are kept in the session until another file comes, so a click on the
    form does not read the whole file again (seconds for a workbook of 10,000 rows). A file
    refused is refused again at each click, never kept."""
    kept = st.session_state.get(READ_FROM_UPLOAD)
    if kept is None or kept[0] is not upload:
        kept = st.session_state[READ_FROM_UPLOAD] = (upload, {})
    if what not in kept[1]:
        kept[1][what] = read()
    return kept[1][what]


def mapping_widgets(columns: list[str], saved: dict[str, Any]) -> dict[str, str]:
    """One picker per column of the file, pre-set from the saved mapping and name matches."""
    suggested = suggest_mapping(columns, "processes", saved.get("mapping"))
    field_of = {column: field for field, column in suggested.items()}
    fields = [IGNORE, *MODELS["processes"].model_fields]
    chosen: dict[str, str] = {}
    grid = st.columns(3)
    for index, column in enumerate(columns):
        current = field_of.get(column, IGNORE)
        field = grid[index % 3].selectbox(f"Column '{column}'", fields,
                                          index=fields.index(current), key=f"map:{column}")
        if field != IGNORE:
            chosen[field] = column
    return chosen


def forget_choices_a_mapping_makes() -> None:
    """A saved mapping just chosen sets the sheet, the columns, the hierarchy and the glossary:
    the pickers shown before it are reset, so they show what it says."""
    for key in [key for key in st.session_state if str(key).startswith("map:")] + [
            "sheet", "hierarchy", "glossary_sheet"]:
        st.session_state.pop(key, None)


def options_form(inventory: Catalogue, upload: Upload) -> tuple[ImportOptions, str] | None:
    """Sheet, mapping, defaults and mode; None when the file cannot be read."""
    try:
        sheets = read_once(upload, ("sheets",), lambda: sheet_names(upload))
    except CatalogueError as error:
        refused(error)
        return None
    ours = upload.kind == "xlsx" and bool({"Processes", "Initiatives"} & set(sheets))
    left, right = st.columns(2)
    mode = left.radio("Mode", ["insert", "upsert"], horizontal=True, key="mode",
                      format_func={"insert": "Insert new records only",
                                   "upsert": "Insert and update existing (by code)"}.get)
    if ours:
        st.info("This workbook has the export's sheets: "
                f"{', '.join(s for s in sheets if s in SHEET_KINDS)}. They are imported "
                "together with their own column names.", icon=":material/table_view:")
        return ImportOptions(), str(mode)
    saved_name = right.selectbox("Saved mapping", [None, *saved_mappings()], key="saved_mapping",
                                 format_func=lambda n: "— none —" if n is None else n,
                                 on_change=forget_choices_a_mapping_makes)
    saved = load_mapping(saved_name) if saved_name else {}
    default_sheet = saved.get("sheet") if saved.get("sheet") in sheets else sheets[0]
    sheet = st.selectbox("Sheet with the processes", sheets, index=sheets.index(default_sheet),
                         key="sheet") if len(sheets) > 1 else sheets[0]
    try:
        chosen_sheet = sheet if upload.kind == "xlsx" else None
        table = read_once(upload, ("table", chosen_sheet),
                          lambda: read_table(upload, chosen_sheet))
    except CatalogueError as error:
        refused(error)
        return None
    st.caption(f"Header found on row {table.header_row}; {len(table.frame):,} data rows. "
               "First rows:")
    st.dataframe(table.frame.head(5), hide_index=True, width="stretch")
    st.markdown("**Which column feeds which field**")
    mapping = mapping_widgets(list(table.frame.columns), saved)
    units = inventory.units()
    left, right = st.columns(2)
    unit_codes = [None, *units["code"]]
    unit = left.selectbox("Unit for new processes (when the file has no unit column)",
                          unit_codes, key="default_unit",
                          format_func=lambda c: "— from the file —" if c is None else c)
    hierarchy = right.radio("Hierarchy", ["auto", "parent", "dotted"], horizontal=True,
                            index=["auto", "parent", "dotted"].index(
                                saved.get("hierarchy", "auto")), key="hierarchy",
                            format_func={"auto": "Automatic", "parent": "Parent column",
                                         "dotted": "Dotted codes (7.2.1)"}.get)
    other_sheets = [None, *(s for s in sheets if s != sheet)]
    several = upload.kind == "xlsx" and len(sheets) > 1
    links = st.selectbox("Sheet with dependencies (optional)", other_sheets,
                         key="dependencies_sheet",
                         format_func=lambda s: "— none —" if s is None else s) \
        if several else None
    glossary = glossary_widget(other_sheets, saved.get("glossary_sheet")) \
        if several and "description" not in mapping else None
    options = ImportOptions(sheet=sheet if upload.kind == "xlsx" else None, mapping=mapping,
                            defaults={"unit": unit} if unit else {}, hierarchy=hierarchy,
                            dependencies_sheet=links, glossary_sheet=glossary)
    return options, str(mode)


def glossary_widget(sheets: list[str | None], saved: str | None) -> str | None:
    """The sheet descriptions come from when no column feeds them (APQC's industry frameworks
    keep them in 'Glossary terms'), pre-set from the saved mapping."""
    return st.selectbox("No column feeds the description: take descriptions from sheet",
                        sheets, index=sheets.index(saved) if saved in sheets else 0,
                        key="glossary_sheet",
                        format_func=lambda s: "— none —" if s is None else s,
                        help="Matched to the processes by the column feeding the external "
                             "reference (APQC's PCF ID), else the code (Hierarchy ID).")


def show_result(result: ImportResult) -> None:
    st.dataframe(result.summary(), hide_index=True, width="content")
    if result.problems.empty:
        return
    st.markdown("**What to do**")
    st.markdown(problem_list(result.problems.head(PROBLEMS_LISTED)))
    if len(result.problems) > PROBLEMS_LISTED:
        st.caption(f"The first {PROBLEMS_LISTED} of {len(result.problems):,} problems are listed; "
                   "the table below and its download hold them all.")
    with st.expander(f"Every problem as a table ({len(result.problems):,})",
                     icon=":material/table_rows:"):
        problems = result.problems.astype(object)
        st.dataframe(problems.where(problems.notna(), ""), hide_index=True, width="stretch",
                     column_config={"severity": "Severity", "sheet": "Sheet", "row": "Row",
                                    "column": "Column", "value": "Value",
                                    "message": st.column_config.TextColumn("What to do",
                                                                           width="large")})
        st.download_button("Download the problems (CSV)",
                           table_csv(result.problems, tuple(result.problems.columns)),
                           file_name=f"problems-{result.file_name}.csv", mime="text/csv",
                           icon=":material/download:", key="problems_csv")


def problem_list(problems: pd.DataFrame) -> str:
    """Each problem on its own line, in full: where (sheet, row, column, value), then what to
    do. Markdown wraps long text, where a table cell would cut it off."""
    lines = []
    for problem in problems.to_dict("records"):
        where = [plain(problem["sheet"])]
        where += [f"row {problem['row']}"] if not pd.isna(problem["row"]) else []
        where += [f"column {plain(problem['column'])}"] if _filled(problem["column"]) else []
        value = f" (value {plain(problem['value'])})" if _filled(problem["value"]) else ""
        mark = ":red[Error]" if problem["severity"] == "error" else ":orange[Warning]"
        lines.append(f"- {mark} · {', '.join(where)}{value}: {plain(problem['message'])}")
    return "\n".join(lines)


def _filled(cell: Any) -> bool:
    return isinstance(cell, str) and bool(cell)


inventory = catalogue()
st.title("Import")
require(Action.import_data)
st.caption("CSV (UTF-8) or XLSX, including a workbook exported from here. Check first: the "
           "import itself is all or nothing.")
show_flash()
upload = receive_upload()
if upload is None:
    st.info("Upload a file to start, or download the template on the Export page.")
    st.stop()

chosen = options_form(inventory, upload)
if chosen is None:
    st.stop()
options, mode = chosen
if st.button("Check the file (dry run)", icon=":material/fact_check:", key="check_button"):
    with st.status("Checking every row…", expanded=False) as status:
        bar = st.progress(0.0)
        try:
            st.session_state["check"] = (inventory.import_file(
                upload, options, mode=mode, actor=actor(), dry_run=True,
                progress=lambda label, share: bar.progress(share, text=label)), options, mode)
            status.update(label="Check finished", state="complete")
        except CatalogueError as error:
            status.update(label="The file was refused", state="error")
            st.session_state.pop("check", None)
            refused(error)

check = st.session_state.get("check")
if check is not None and check[1:] == (options, mode):
    result: ImportResult = check[0]
    show_result(result)
    if result.errors:
        st.error(f"{result.errors} error(s): nothing can be imported until they are corrected "
                 "in the file.", icon=":material/block:")
    else:
        force = st.checkbox("Import again although this file was imported before",
                            key="force") if result.warnings else False
        total = sum(c.created + c.updated for c in result.counts.values())
        if st.button(f"Import {total:,} change(s)", type="primary", key="import_button"):
            with st.status("Importing…") as status:
                bar = st.progress(0.0)
                try:
                    done = inventory.import_file(upload, options, mode=mode, actor=actor(),
                                                 force=force, progress=lambda label, share:
                                                 bar.progress(share, text=label))
                except CatalogueError as error:
                    status.update(label="Nothing was imported", state="error")
                    refused(error)
                else:
                    status.update(label="Imported", state="complete")
                    st.session_state.pop("check", None)
                    st.session_state.pop("upload", None)
                    changes = [f"{c.created} created and {c.updated} updated {kind}"
                               for kind, c in done.counts.items() if c.created or c.updated]
                    flash(f"Imported {upload.name}: {', '.join(changes) or 'nothing changed'}.")
                    st.rerun()
