"""Export: the whole inventory as a workbook that re-imports unchanged, one table as CSV, or the
empty template; and the transformation roadmap's status report (workbook, HTML page, CSV,
JSON), which every role may read. Text that a spreadsheet would run as a formula is written as
plain text. Files are built when their button is clicked (then shared until the data changes),
so showing the page costs nothing at any size."""

import datetime as dt
import functools

import pandas as pd
import streamlit as st

from inventory.files import roadmap_report
from inventory.files.export import (
    SHEET_NAMES,
    SHEETS,
    inventory_workbook,
    table_csv,
    template_workbook,
)
from inventory.roadmap_dashboard import Dashboard
from views.common import actor, catalogue

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

inventory = catalogue()
results = inventory.results  # no Streamlit inside: the files are built outside the page's run
counts = results.counts()
today = dt.date.today()
stamp = today.isoformat()
who = actor().name


def workbook() -> bytes:
    return results.get("inventory workbook", None, lambda: inventory_workbook(results.frames()))


def one_table(kind: str) -> bytes:
    return results.get("table csv", kind, lambda: table_csv(results.frame(kind),
                                                            SHEETS[SHEET_NAMES[kind]]))


st.title("Export")
st.markdown("The workbook holds a README sheet that defines every column, then Processes, "
            "Dependencies, KPIs, Assessments and Units, and the roadmap's Initiatives and "
            "Deliverables, with dropdowns on every vocabulary column. Edit it and import it "
            "again on the Import page.")
left, right = st.columns(2)
left.download_button("Whole inventory (.xlsx)", workbook,
                     file_name=f"dti-inventory-{stamp}.xlsx", mime=XLSX, type="primary",
                     icon=":material/download:", key="download_workbook", on_click="ignore")
right.download_button("Empty template (.xlsx)", template_workbook,
                      file_name="dti-import-template.xlsx", mime=XLSX,
                      icon=":material/note_add:", key="download_template", on_click="ignore")

st.subheader("One table as CSV (UTF-8)")
kinds = list(SHEET_NAMES)
for column, kind in zip(st.columns(len(kinds)), kinds, strict=True):
    column.download_button(f"{SHEET_NAMES[kind]} ({counts[kind]:,})",
                           functools.partial(one_table, kind),
                           file_name=f"dti-{kind}-{stamp}.csv", mime="text/csv",
                           key=f"download_{kind}", on_click="ignore")

def roadmap() -> tuple[Dashboard, pd.DataFrame]:
    """The roadmap's dashboard as of today and its count over time."""
    book = inventory.initiatives

    def compute() -> tuple[Dashboard, pd.DataFrame]:
        return book.dashboard(today), book.count_over_time()

    return results.get("roadmap dashboard", stamp, compute)


def roadmap_file(kind: str) -> bytes:
    """One of the roadmap files, built by its button's click, shared until the data changes
    (the person is in the key: the report names who generated it)."""

    def build() -> bytes:
        board, timeline = roadmap()
        title = f"Transformation roadmap: status report as of {stamp}"
        if kind == "xlsx":
            return roadmap_report.report_workbook(board, timeline, title=title, generated_by=who)
        if kind == "html":
            return roadmap_report.report_html(board, timeline, title=title,
                                              generated_by=who).encode("utf-8")
        if kind == "json":
            return roadmap_report.roadmap_json(board.initiatives,
                                               board.deliverables).encode("utf-8")
        if kind == "deliverables":
            return roadmap_report.deliverables_csv(board.deliverables)
        return roadmap_report.initiatives_csv(board.initiatives)

    return results.get("roadmap file", (kind, stamp, who), build)


st.subheader("Roadmap")
st.markdown("The status report on the transformation roadmap as of today: the dashboard "
            "(initiatives by status, by pillar and by priority area), the annex of "
            "deliverables by C26 and PP-26 coloured by status, what is due by the next "
            "milestone and not done, and the open obstacles. Statuses are those recorded in "
            "the tool. The HTML page is one self-contained file, ready to print or to paste "
            "into a Council document.")
ROADMAP_FILES = (
    ("Report workbook (.xlsx)", "xlsx", f"dti-roadmap-{stamp}.xlsx", XLSX),
    ("Report page (.html)", "html", f"dti-roadmap-{stamp}.html", "text/html"),
    ("Initiatives (.csv)", "initiatives", f"dti-initiatives-{stamp}.csv", "text/csv"),
    ("Deliverables (.csv)", "deliverables", f"dti-deliverables-{stamp}.csv", "text/csv"),
    ("Initiatives with deliverables (.json)", "json", f"dti-roadmap-{stamp}.json",
     "application/json"),
)
for column, (label, kind, name, mime) in zip(st.columns(len(ROADMAP_FILES)), ROADMAP_FILES,
                                             strict=True):
    column.download_button(label, functools.partial(roadmap_file, kind), file_name=name,
                           mime=mime, key=f"download_roadmap_{kind}", on_click="ignore")

st.subheader("Past imports")
imports = inventory.imports()
if imports.empty:
    st.caption("No import yet.")
else:
    st.dataframe(imports, hide_index=True, width="stretch")
