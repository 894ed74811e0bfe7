"""Overview: where a newcomer starts, how big the inventory is and where it stands, by unit,
pillar, status and maturity.

"Start here" names the first steps of the signed-in person's role, each a link to its page;
a step whose page the role is not offered is left out (the navigation refuses such a link).
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from inventory.access import Action, Role
from inventory.schemas import DIGITAL_MATURITY_LEVELS, Pillar, TransformationStatus
from inventory.services.sample import SAMPLE_ACTOR
from views.common import actor, allowed, catalogue, label, shared
from views.navigation import pages_for

STATUS_COLOURS = {"Not started": "#b0b7c3", "Planned": "#5b8def", "Ongoing": "#f2a93b",
                  "Completed": "#3aa876", "Revised": "#9b6ad6"}


class Step(NamedTuple):
    page: str  # the page's script, as in views.navigation.PAGES
    what: str


ROLE_INTRO = {
    Role.analyst: "You build the inventory: the processes, how they depend on each other, and "
                  "their assessments.",
    Role.leadership: "You decide what to transform first, from the assessed inventory, and "
                     "follow it on the roadmap.",
    Role.staff: "You can read everything here, and propose, endorse and discuss cases for "
                "change.",
    Role.viewer: "You can read everything here; analysts and leadership make the changes (ask "
                 "an admin if you need their role).",
    Role.admin: "You decide who signs in, with which role, and can do everything analysts and "
                "leadership do.",
}
START_HERE = {
    Role.analyst: [
        Step("views/import_data.py", "Bring processes, dependencies and KPIs in from a "
                                     "spreadsheet, checked before anything is saved."),
        Step("views/inventory.py", "Or add processes one by one; open one to record what it "
                                   "needs and what it feeds."),
        Step("views/dependencies.py", "Check the network: what each process affects, and the "
                                      "cycles worth questioning."),
        Step("views/assess.py", "Rate each process on the criteria; several raters side by "
                                "side."),
    ],
    Role.leadership: [
        Step("views/prioritise.py", "The ranking of the assessed processes, and why each "
                                    "sits where it does."),
        Step("views/scenarios.py", "Save the weights and method you chose as a scenario; "
                                   "compare scenarios and freeze the one you decide on."),
        Step("views/portfolio.py", "Fit the ranking to a budget and see the roadmap."),
        Step("views/backlog.py", "Export the ranked backlog for the teams."),
        Step("views/roadmap.py", "Turn it into initiatives and follow their deliverables by "
                                 "C26 and PP-26."),
    ],
    Role.staff: [
        Step("views/cases.py", "Propose a change to how we work, back colleagues' ideas, and "
                               "follow what becomes of yours."),
        Step("views/inventory.py", "Every process with its owners, dependencies, KPIs and "
                                   "history."),
        Step("views/prioritise.py", "What is ranked first, and why."),
        Step("views/roadmap.py", "The initiatives, where each stands and what is due."),
    ],
    Role.viewer: [
        Step("views/inventory.py", "Every process with its owners, dependencies, KPIs and "
                                   "history."),
        Step("views/dependencies.py", "What each process affects downstream and needs "
                                      "upstream."),
        Step("views/prioritise.py", "What is ranked first, and why."),
        Step("views/portfolio.py", "The portfolio within budget and the roadmap."),
        Step("views/roadmap.py", "The initiatives, where each stands and what is due."),
    ],
    Role.admin: [
        Step("views/users.py", "Add your colleagues and give each a role: analyst, "
                               "leadership or viewer."),
        Step("views/import_data.py", "Bring the organisation's processes in from a "
                                     "spreadsheet."),
        Step("views/prioritise.py", "The ranking of the assessed processes, and why."),
        Step("views/backlog.py", "Export the ranked backlog."),
    ],
}


def start_here(role: Role) -> None:
    """The role's first steps, each a link to a page the role is offered."""
    offered = {page.path: page for page in pages_for(actor())}
    steps = [step for step in START_HERE[role] if step.page in offered]
    with st.container(border=True):
        st.markdown(f"**Start here** · {ROLE_INTRO[role]}")
        for column, (number, step) in zip(st.columns(len(steps)), enumerate(steps, start=1),
                                          strict=True):
            page = offered[step.page]
            column.page_link(page.path, label=f"{number}. {page.title}", icon=page.icon)
            column.caption(step.what)


class Charts(NamedTuple):
    """What the page draws below its metrics, built once per revision of the data and shared
    by every session (plotly figures take a tenth of a second each to build at 2,000
    processes; drawing a built one takes milliseconds)."""
    quick_fixes: int
    by_unit: go.Figure
    by_pillar: go.Figure
    maturity: go.Figure
    summary: pd.DataFrame


def charts(processes: pd.DataFrame, units: pd.DataFrame) -> Charts:
    """The charts and the table by unit of the live ``processes``."""
    processes = processes.assign(
        status=[label("transformation_status", v) for v in processes["transformation_status"]],
        pillar_label=[label("pillar", v) for v in processes["pillar"]],
        maturity=[("Unknown" if pd.isna(v) else label("digital_maturity", v))
                  for v in processes["digital_maturity"]],
    )
    counts = processes.groupby(["unit", "status"]).size().reset_index(name="processes")
    by_unit = px.bar(counts, x="unit", y="processes", color="status",
                     color_discrete_map=STATUS_COLOURS,
                     category_orders={"status": [s.label for s in TransformationStatus],
                                      "unit": list(processes["unit"].value_counts().index)})
    by_unit.update_layout(xaxis_title=None, legend_title_text=None, height=360,
                          margin={"t": 10, "b": 10})
    pillars = processes.groupby("pillar_label").size().reset_index(name="processes")
    by_pillar = px.bar(pillars, y="pillar_label", x="processes", orientation="h",
                       category_orders={"pillar_label": [p.label for p in Pillar] + ["—"]})
    by_pillar.update_layout(yaxis_title=None, height=360, margin={"t": 10, "b": 10})
    levels = [label("digital_maturity", level) for level in DIGITAL_MATURITY_LEVELS] + ["Unknown"]
    matrix = (pd.crosstab(processes["unit"], processes["maturity"])
              .reindex(columns=levels, fill_value=0))
    maturity = px.imshow(matrix.to_numpy(), x=levels, y=list(matrix.index), text_auto=True,
                         color_continuous_scale="Blues", aspect="auto",
                         labels={"x": "Digital maturity", "y": "Unit", "color": "Processes"})
    maturity.update_xaxes(type="category", side="top")
    maturity.update_layout(height=max(300, 28 * len(matrix)), margin={"t": 10, "b": 10})
    return Charts(int(processes["quick_fix_candidate"].sum()), by_unit, by_pillar, maturity,
                  unit_summary(processes, units))


def unit_summary(processes: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per unit: processes, average maturity (halves rounded up, as people round: 3.25 reads
    3.3), ongoing transformations and quick-fix candidates."""
    summary = processes.groupby("unit").agg(
        processes=("code", "size"),
        average_maturity=("digital_maturity", "mean"),
        ongoing=("transformation_status", lambda s: int((s == "ongoing").sum())),
        quick_fixes=("quick_fix_candidate", "sum"),
    ).reset_index()
    summary.insert(1, "name", summary["unit"].map(units.set_index("code")["name"]))
    summary["average_maturity"] = [
        str(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)) if pd.notna(value)
        else "unknown" for value in pd.to_numeric(summary["average_maturity"])]
    return summary


inventory = catalogue()
processes = inventory.results.processes()
counts = inventory.results.counts()

st.title("Overview")
if allowed(Action.manage_users):
    st.caption(f"Database: {inventory.url}")
start_here(actor().role)
if shared("started from the sample", None,
          lambda: bool((processes["created_by"] == SAMPLE_ACTOR).any())):
    st.info("This inventory started from the illustrative ITU sample (data/sample): it shows how "
            "the tool works and is not official ITU data.", icon=":material/info:")

if processes.empty:
    drawn = None
else:
    drawn = shared("overview charts", None,
                   lambda: charts(processes, inventory.results.units()))
columns = st.columns(6)
columns[0].metric("Processes", counts["processes"])
columns[1].metric("Units", counts["units"])
columns[2].metric("Dependencies", counts["dependencies"])
columns[3].metric("KPIs", counts["kpis"])
columns[4].metric("Assessments", counts["assessments"])
columns[5].metric("Quick-fix candidates", drawn.quick_fixes if drawn else 0)

if drawn is None:
    st.info("The inventory is empty. " + (
        "Add processes on the Inventory page or import a spreadsheet on the Import page."
        if allowed(Action.edit_inventory) else "Analysts add the processes; come back once "
        "they have."))
    st.stop()

left, right = st.columns(2)
with left:
    st.subheader("Processes by unit and status")
    st.plotly_chart(drawn.by_unit, width="stretch")
with right:
    st.subheader("Processes by pillar")
    st.plotly_chart(drawn.by_pillar, width="stretch")

st.subheader("Digital maturity by unit")
with st.expander("What the maturity levels mean"):
    for level, text in DIGITAL_MATURITY_LEVELS.items():
        st.markdown(f"**{level}** {text}")
st.plotly_chart(drawn.maturity, width="stretch")

st.subheader("By unit")
st.dataframe(drawn.summary, hide_index=True, width="stretch",
             height=35 * (len(drawn.summary) + 1) + 3, column_config={
    "unit": "Unit", "name": "Name", "processes": "Processes",
    "average_maturity": st.column_config.TextColumn(
        "Average maturity", help="Unknown when no process of the unit has a maturity yet"),
    "ongoing": "Ongoing", "quick_fixes": "Quick-fix candidates"})
