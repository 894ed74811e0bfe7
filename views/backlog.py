"""Backlog: the ranked, sequenced transformation backlog of a scenario, previewed and downloaded
as a workbook, CSV, JSON or an HTML report for leadership (the same files as `dti backlog`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from inventory.access import Action
from inventory.errors import CatalogueError
from inventory.files import backlog_export
from scoring import decision
from scoring.errors import ScoringError
from scoring.portfolio import MissingEstimates
from scoring.scenario import Scenario
from views.backlog_to_roadmap import to_roadmap_panel
from views.common import actor, catalogue, reorder_warning, require, shared
from views.estimates import unknowns_input
from views.paging import page_of
from views.scoring_data import criteria_set, ranked

DEFAULT = "— default settings —"
DOWNLOADS = [("xlsx", "Workbook (.xlsx)", ":material/table_view:"),
             ("csv", "CSV", ":material/description:"),
             ("json", "JSON", ":material/data_object:"),
             ("html", "Report (.html)", ":material/summarize:")]
SHOWN = ["rank", "code", "name", "unit", "score", "quadrant", "probability_top_n",
         "rank_interval", "completeness", "selected", "period", "waiting_for", "cost_chf",
         "effort_pm", "prerequisites", "reasons"]

inventory = catalogue()
st.title("Backlog")
require(Action.export_backlog)
st.caption("The ranked transformation backlog with the reasons attached: what Phase 2 "
           "receives. Choose a saved scenario; its budget, capacity and deadline decide the "
           "portfolio and the roadmap.")

saved = inventory.scenarios.list()
left, middle, right = st.columns([2, 1, 1])
options = [DEFAULT, *saved["name"].tolist()]
linked = st.query_params.get("scenario")  # a link such as Prioritise's ?scenario=NAME
name = left.selectbox("Scenario", options, key="backlog_scenario",
                      index=options.index(linked) if linked in options else 0)
samples = middle.select_slider("Robustness samples", [500, 1_000, 2_000, 5_000], value=2_000,
                               key="backlog_samples")
top = right.number_input("Top group (N)", min_value=1, max_value=100, value=10,
                         key="backlog_top")
unknowns = unknowns_input(st, "backlog")
criteria = criteria_set()


def build() -> dict[str, pd.DataFrame]:
    """The backlog's sheets for the chosen scenario, or the reason it cannot be built. Each
    step is shared with everyone asking for the same (the Portfolio page's portfolio and
    roadmap included) until the data changes; a bar shows the Monte Carlo's progress, then the
    portfolio and roadmap steps, to whoever computes them first."""
    scenario = Scenario() if name == DEFAULT else Scenario.from_dict(
        inventory.scenarios.get(name)["settings"])
    ranking = ranked(inventory, criteria, scenario)
    frames = inventory.results.frames()
    step = f"Robustness: {samples:,} Monte Carlo samples"
    bar = st.empty()

    def sample() -> decision.Robustness:
        meter = bar.progress(0.0, text=step)
        return decision.robustness(
            ranking, samples=samples, top_n=int(top),
            progress=lambda done: meter.progress(done, text=f"{step}… {done:.0%}"))

    try:
        robust = shared("backlog robustness", (criteria, scenario, samples, int(top)), sample)
        constraints = scenario.constraints
        chosen = plan = None
        if constraints.budget is not None or constraints.capacity is not None:
            bar.progress(1.0, text="Portfolio (exact)…")
            chosen = shared("portfolio", (criteria, scenario, unknowns),
                            lambda: decision.choose(ranking, frames["processes"],
                                                    frames["dependencies"], unknown=unknowns))
            if not chosen.feasible:
                raise ScoringError("The constraints cannot all be met: "
                                   + "; ".join(chosen.conflicts))
        if constraints.capacity is not None:
            bar.progress(1.0, text="Roadmap…")
            periods = decision.default_periods(constraints.capacity, constraints.deadline)
            selected = chosen.selected if chosen is not None else None
            plan = shared("roadmap", (criteria, scenario, unknowns, periods),
                          lambda: decision.roadmap(ranking, frames["processes"],
                                                   frames["dependencies"], periods, selected))
    finally:
        bar.empty()
    behind = catalogue().scenarios.weighting_round(name, dict(ranking.scenario.weights))
    return decision.backlog_sheets(name, ranking, frames, robust=robust, portfolio=chosen,
                                   plan=plan, exported_by=actor().name, weighting_round=behind)


settings = (criteria, name, samples, int(top), unknowns, actor().name)
try:
    sheets = shared("backlog", settings, build)
except MissingEstimates as error:
    st.error(str(MissingEstimates(error.what, error.codes,
                                  how="under “Processes without an estimate” above")),
             icon=":material/error:")
    st.stop()
except (ScoringError, CatalogueError) as error:
    st.error(f"The backlog cannot be built: {error}", icon=":material/error:")
    st.stop()
if name != DEFAULT:
    reorder_warning(Scenario.from_dict(inventory.scenarios.get(name)["settings"]))

backlog = sheets["Backlog"]
title = f"Transformation backlog: {name if name != DEFAULT else 'default settings'}"
slug = "backlog" if name == DEFAULT else "backlog-" + "-".join(name.lower().split())
st.caption("Download the backlog to hand out: the workbook and the report put headers in "
           "words and round the figures; JSON keeps every figure in full for other programs.")
files = st.columns(4)
who, results = actor(), inventory.results  # the file is built on click, outside this run


def handout(kind: str) -> bytes:
    """The backlog as ``kind``, built when its button is clicked, then shared."""
    return results.get("backlog file", (*settings, kind), lambda: backlog_export.export(
        kind, sheets, who, title=title, top=int(top)))


for column, (kind, caption, icon) in zip(files, DOWNLOADS, strict=True):
    column.download_button(caption, lambda kind=kind: handout(kind), f"{slug}.{kind}", icon=icon,
                           on_click="ignore")
columns = st.columns(4)
columns[0].metric("Processes in the backlog", len(backlog))
columns[1].metric("Chosen for the portfolio",
                  "—" if backlog["selected"].isna().all()
                  else int(backlog["selected"].fillna(False).astype(bool).sum()),
                  help="Computed when the scenario sets a budget or a capacity.")
columns[2].metric("Quick fixes", int(backlog["quick_fix"].sum()))
columns[3].metric("In the top group in most samples",
                  int((backlog["probability_top_n"] >= 0.5).sum()))
shown = page_of(backlog[SHOWN].assign(completeness=backlog["completeness"] * 100),
                "backlog_page")
st.dataframe(shown, hide_index=True, width="stretch", column_config={
    "rank": "Rank", "code": "Code", "name": "Process", "unit": "Unit", "quadrant": "Quadrant",
    "rank_interval": st.column_config.TextColumn(
        "Could rank", help="Best to worst rank given the values still unknown"),
    "selected": st.column_config.CheckboxColumn("Chosen"), "period": "Period",
    "waiting_for": st.column_config.TextColumn(
        "Waiting for", help="Prerequisites the roadmap could not place: not planned until "
                            "they are"),
    "effort_pm": st.column_config.NumberColumn("Effort (PM)"),
    "prerequisites": "Needs first",
    "score": st.column_config.NumberColumn("Score", format="%.3f"),
    "probability_top_n": st.column_config.ProgressColumn(
        f"P(top {int(top)})", min_value=0.0, max_value=1.0, format="percent"),
    "completeness": st.column_config.NumberColumn(
        "Known", format="%.0f%%", help="Share of the weighted criteria with a known value"),
    "cost_chf": st.column_config.NumberColumn("Cost (CHF)", format="localized"),
    "reasons": st.column_config.TextColumn("Why", width="large"),
})
with st.expander("Decision record"):
    st.dataframe(sheets["Decision record"].astype(str), hide_index=True, width="stretch",
                 column_config={"item": "Item", "value": "Value"})

to_roadmap_panel(backlog, None if name == DEFAULT else name, int(top))
