"""Export: the whole inventory as a workbook that re-imports unchanged, one table as CSV, or the
empty template. Text that a spreadsheet would run as a formula is written as plain text. Files
are built when their button is clicked (then shared until the data changes), so showing the
page costs nothing at any size."""

import datetime as dt

import streamlit as st

from inventory.files.export import (
    SHEET_NAMES,
    SHEETS,
    inventory_workbook,
    table_csv,
    template_workbook,
)
from views.common import catalogue

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

inventory = catalogue()
results = inventory.results  # no Streamlit inside: the files are built outside the page's run
counts = results.counts()
stamp = dt.date.today().isoformat()


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
                           lambda kind=kind: one_table(kind),
                           file_name=f"dti-{kind}-{stamp}.csv", mime="text/csv",
                           key=f"download_{kind}", on_click="ignore")

st.subheader("Past imports")
imports = inventory.imports()
if imports.empty:
    st.caption("No import yet.")
else:
    st.dataframe(imports, hide_index=True, width="stretch")
