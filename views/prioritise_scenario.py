"""Prioritise and saved scenarios, one flow: start from a saved scenario (its method, what
TOPSIS and VIKOR measure against, weights, policies and uplift go onto the page's controls;
its scope and portfolio constraints are kept and apply to the ranking), tune, then save the
controls as a new scenario or as an update of the one started from (refused, with who changed
it, when someone saved it in between). After a save, links open Portfolio and Backlog with
that scenario chosen (``?scenario=NAME``).

Saving needs the leadership or admin role (the services check it too); everyone may start from
a saved scenario to explore it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from inventory.access import Action
from inventory.errors import CatalogueError
from scoring.criteria import CriteriaSet
from scoring.errors import ScoringError
from scoring.scenario import Ideal, Scenario
from views.common import actor, allowed, catalogue, flash, plain, refused

#: The saved scenario the controls started from: ``{"name", "version", "settings"}``.
LOADED = "_prio_loaded"
#: The name of the scenario just saved, for the links to Portfolio and Backlog.
SAVED = "_prio_saved"
DEFAULTS = "— the criteria set's defaults —"
#: The weight sliders' maximum.
SLIDER_MAX = 10.0
#: What TOPSIS and VIKOR measure against, as the controls offer it (here and on Scenarios).
IDEAL = {Ideal.DECLARED.value: "The criteria's declared scales",
         Ideal.DATA.value: "The processes ranked (ranks can reverse)"}
IDEAL_HELP = ("What TOPSIS and VIKOR measure each process against. The declared scales: a "
              "process's score depends on its own values only, so adding or removing processes "
              "never re-orders the others. The processes ranked (as first published): the best "
              "and worst among them, so adding or removing one can re-order the rest.")


def control_values(scenario: Scenario, criteria: CriteriaSet) -> dict[str, Any]:
    """Every Prioritise control's value (by widget key) for ``scenario``. Weights above the
    sliders' maximum are scaled down together: the shares, which are all a ranking reads
    (weights are normalised to sum 1), stay the same."""
    weights = scenario.weights_for(criteria)
    scale = min(1.0, SLIDER_MAX / max(weights.values()))
    values: dict[str, Any] = {
        "method": scenario.method.value, "ideal": scenario.ideal.value,
        "vikor_v": scenario.vikor_v,
        "aggregation": scenario.aggregation,
        "missing": "own" if scenario.missing is None else scenario.missing.value,
        "uplift": scenario.uplift, "include_unassessed": scenario.include_unassessed,
        "include_completed": scenario.include_completed,
        "impact_threshold": scenario.impact_threshold,
        "effort_threshold": scenario.effort_threshold,
        "quick_fix_effort": scenario.quick_fix_effort}
    return values | {f"weight_{key}": round(weight * scale, 2)
                     for key, weight in weights.items()}


def loaded() -> dict[str, Any]:
    """The saved scenario the controls started from (empty when none)."""
    record: dict[str, Any] = st.session_state.get(LOADED) or {}
    return record


def base_scenario() -> Scenario:
    """The scenario the controls change: the one started from (its scope, constraints and
    notes apply), or the defaults."""
    record = loaded()
    return Scenario.from_dict(record["settings"]) if record else Scenario()


def _start_from(criteria: CriteriaSet, remember: Any) -> None:
    """Put the picked saved scenario (or the defaults) on the controls; ``remember(key,
    value)`` keeps each value across pages."""
    name = st.session_state.get("prio_start", DEFAULTS)
    try:
        if name == DEFAULTS:
            record: dict[str, Any] = {}
            scenario = Scenario(weights=criteria.weights())
        else:
            record = catalogue().scenarios.get(name)
            scenario = Scenario.from_dict(record["settings"])
        values = control_values(scenario, criteria)
    except (CatalogueError, ScoringError) as error:
        st.session_state["_prio_start_error"] = f"Cannot start from {name!r}: {error}"
        return
    for key, value in values.items():
        st.session_state[key] = remember(key, value)
    st.session_state[LOADED] = {key: record[key] for key in ("name", "version", "settings")} \
        if record else {}
    st.session_state.pop(SAVED, None)
    st.session_state["prio_save_name"] = record.get("name", "")
    flash(f"Started from {record['name']!r} (version {record['version']})." if record
          else "Back to the criteria set's defaults.")


def start_from_panel(criteria: CriteriaSet, remember: Any) -> None:
    """Pick a saved scenario and put it on the controls."""
    names = catalogue().scenarios.list()["name"].tolist()
    pick, load = st.columns([4, 1], vertical_alignment="bottom")
    pick.selectbox("Start from a saved scenario", [DEFAULTS, *names], key="prio_start",
                   help="Puts its method, weights, policies and uplift on the controls; its "
                        "scope and portfolio constraints are kept.")
    load.button("Load", key="prio_load", on_click=_start_from, args=(criteria, remember),
                width="stretch")
    error = st.session_state.pop("_prio_start_error", None)
    if error:
        st.error(error, icon=":material/error:")
    record = loaded()
    if record:
        scope = " Its scope applies to this ranking." if base_scenario().filters.active else ""
        st.caption(f"Started from {plain(record['name'])} (version {record['version']}): its "
                   f"portfolio constraints and notes are kept.{scope}")


def save_panel(scenario: Scenario) -> None:
    """Save the controls as a scenario (leadership and admin), then link to Portfolio and
    Backlog with it; others read why they cannot."""
    if not allowed(Action.manage_scenarios):
        st.caption("Saving scenarios needs the leadership or admin role; you can start from a "
                   "saved one and explore it here.")
        return
    record = loaded()
    st.text_input("Scenario name", key="prio_save_name", max_chars=100,
                  placeholder="e.g. Members first")
    save_new, update = st.columns(2)
    new_clicked = save_new.button("Save as a new scenario", key="prio_save_new",
                                  type="primary", width="stretch")
    update_clicked = update.button(
        "Update", key="prio_update", disabled=not record, width="stretch",
        help=f"Save these settings over {record['name']!r} (version {record['version']}); "
             "refused if someone saved it since." if record else
             "Start from a saved scenario first, then update it.")
    if new_clicked or update_clicked:
        _save(scenario, record, as_new=new_clicked)
    _links()


def _save(scenario: Scenario, record: dict[str, Any], *, as_new: bool) -> None:
    name = " ".join(str(st.session_state.get("prio_save_name") or "").split())
    if as_new and not name:
        st.error("Not saved: a scenario needs a name; type one above.", icon=":material/error:")
        return
    book = catalogue().scenarios
    try:
        if as_new:
            saved = book.add(name, scenario.replace(name=name).to_dict(), actor())
        else:
            settings = scenario.replace(name=record["name"]).to_dict()
            saved = book.update(record["name"], settings, record["version"], actor())
    except CatalogueError as error:
        refused(error)
        return
    st.session_state[LOADED] = {key: saved[key] for key in ("name", "version", "settings")}
    st.session_state[SAVED] = saved["name"]
    flash(f"Scenario {saved['name']!r} saved (version {saved['version']}).")
    st.rerun()


def _links() -> None:
    """Portfolio and Backlog for the scenario just saved."""
    name = st.session_state.get(SAVED)
    if not name:
        return
    portfolio, backlog = st.columns(2)
    portfolio.page_link("views/portfolio.py", label=f"Portfolio and roadmap for {name}",
                        icon=":material/view_timeline:", query_params={"scenario": name})
    if allowed(Action.export_backlog):
        backlog.page_link("views/backlog.py", label=f"Backlog for {name}",
                          icon=":material/checklist:", query_params={"scenario": name})
