"""Export: the whole inventory as a workbook that re-imports unchanged, one table as CSV, or the
empty template. Text that a spreadsheet would run as a formula is written as plain text."""

import datetime as dt

import streamlit as st

from inventory.export import SHEET_NAMES, SHEETS, inventory_workbook, table_csv, template_workbook
from views.common import catalogue, shared

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

inventory = catalogue()
frames = inventory.results.frames()
stamp = dt.date.today().isoformat()

st.title("Export")
st.markdown("The workbook holds a README sheet that defines every column, then Processes, "
            "Dependencies, KPIs, Assessments and Units, with dropdowns on every vocabulary "
            "column. Edit it and import it again on the Import page.")
left, right = st.columns(2)
left.download_button("Whole inventory (.xlsx)",
                     shared("inventory workbook", None, lambda: inventory_workbook(frames)),
                     file_name=f"dti-inventory-{stamp}.xlsx", mime=XLSX, type="primary",
                     icon=":material/download:", key="download_workbook", on_click="ignore")
right.download_button("Empty template (.xlsx)", template_workbook,  # built when clicked
                      file_name="dti-import-template.xlsx", mime=XLSX,
                      icon=":material/note_add:", key="download_template", on_click="ignore")

st.subheader("One table as CSV (UTF-8)")
columns = st.columns(len(frames))
for column, (kind, frame) in zip(columns, frames.items(), strict=True):
    column.download_button(f"{SHEET_NAMES[kind]} ({len(frame):,})",
                           shared("table csv", kind, lambda frame=frame, kind=kind: table_csv(
                               frame, SHEETS[SHEET_NAMES[kind]])),
                           file_name=f"dti-{kind}-{stamp}.csv", mime="text/csv",
                           key=f"download_{kind}", on_click="ignore")

st.subheader("Past imports")
imports = inventory.imports()
if imports.empty:
    st.caption("No import yet.")
else:
    st.dataframe(imports, hide_index=True, width="stretch")
