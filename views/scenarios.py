"""Scenarios: build and save the choices behind a ranking (method, weights typed in or taken
from an AHP pairwise comparison, scope, constraints including groups of mutually exclusive
alternatives), compare saved scenarios side by side, and freeze one in a decision snapshot that
can later be verified and explained. All ranks come from :func:`scoring.ranking.rank`; this
page only collects choices, stores them through ``catalogue().scenarios`` and shows results."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from inventory.access import Action
from inventory.errors import CatalogueError
from inventory.services.scenarios import ScenarioBook
from scoring.compare import compare_rankings, kendall_matrix, top_n_overlap
from scoring.criteria import CriteriaSet, MissingPolicy
from scoring.errors import ScoringError
from scoring.ranking import RankingInputs
from scoring.scenario import IDEAL_METHODS, Constraints, Filters, Method, Scenario
from scoring.snapshot import (
    MOVED,
    NEWLY_RANKED,
    NO_LONGER_RANKED,
    freeze,
    settings_changes,
    verify,
    why_moved,
)
from views.ahp_widget import ahp_panel, shared_weights
from views.common import (
    actor,
    allowed,
    catalogue,
    flash,
    label,
    plain,
    refused,
    reorder_warning,
    show_flash,
)
from views.decision_charts import bump_figure
from views.prioritise_scenario import IDEAL, IDEAL_HELP
from views.rounds import rounds_tab
from views.scoring_data import criteria_set, ranked, ranking_inputs

NEW = "— a new scenario —"
#: The page's sections; the one open is remembered (key ``SECTION``), so an action such as
#: taking a snapshot leaves the person where they acted.
SECTIONS = ["Build", "Compare", "Snapshots", "Weighting rounds"]
SECTION = "sc_section"
NO_DEADLINE = "none"
DEADLINES = [NO_DEADLINE, "C26", "PP-26"]
MISSING = {"own": "Each criterion's own rule", MissingPolicy.MIDPOINT.value: "Scale midpoint",
           MissingPolicy.WORST.value: "Worst (cautious)",
           MissingPolicy.BEST.value: "Best (optimistic)",
           MissingPolicy.EXCLUDE.value: "Left out (the known ones share its weight)"}
#: Filter field -> (process column, label).
FILTERS = {"units": ("unit", "Units"), "pillars": ("pillar", "Pillars"),
           "priority_areas": ("priority_area", "Priority areas"),
           "statuses": ("transformation_status", "Transformation statuses"),
           "levels": ("level", "Hierarchy levels")}
#: Column titles of the "why it moved" tables.
MOVED_COLUMNS: dict[str, Any] = {
    "code": st.column_config.TextColumn("Code", width=95),
    "name": st.column_config.TextColumn("Name", width=310),
    "rank_before": st.column_config.NumberColumn("Rank before", width=85),
    "rank_after": st.column_config.NumberColumn("Rank after", width=80),
    "shift": st.column_config.NumberColumn("Shift", help="Positive: moved up.", width=60),
    "from_settings": st.column_config.NumberColumn(
        "Due to settings", width=110, help="The part of the shift the changed settings make, "
        "on the earlier inputs. Empty when the process is not ranked there under the later "
        "settings, so the shift cannot be split."),
    "from_inputs": st.column_config.NumberColumn("Due to inputs", width=100),
    "changed_inputs": st.column_config.TextColumn("Changed inputs (who, when)", width="large"),
    "reason": st.column_config.TextColumn("Why", width="large"),
}
EXCLUSIVE_HELP = ("One group per line, its process codes separated by commas, as in "
                  "'HR-REC, HR-ONB': the portfolio chooses at most one process of each group.")


def exclusive_groups(text: str, codes: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """The groups of mutually exclusive alternatives written one per line, codes separated by
    commas (a code repeated in a line counts once; blank lines are skipped); a
    :class:`ScoringError` names the line and the code when a code is not a process's or a
    group has fewer than two processes."""
    present = set(codes)
    known = {code.casefold(): code for code in codes}
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        members = list(dict.fromkeys(c.strip() for c in line.split(",") if c.strip()))
        if not members:
            continue
        for code in members:
            if code not in present:
                close = difflib.get_close_matches(code.casefold(), list(known), n=1)
                hint = f" (did you mean {known[close[0]]!r}?)" if close else ""
                raise ScoringError(f"Mutually exclusive alternatives, line {number}: {code!r} "
                                   f"is not a process code{hint}; write codes of the "
                                   "inventory, separated by commas")
        if len(members) < 2:
            raise ScoringError(f"Mutually exclusive alternatives, line {number}: "
                               f"{members[0]!r} alone is not a group; name at least two "
                               "processes separated by commas, of which at most one is chosen")
        groups.append(tuple(members))
    return tuple(groups)


def _values(processes: pd.DataFrame, column: str) -> list[Any]:
    if column not in processes.columns:
        return []
    values = processes[column].dropna().unique().tolist()
    if column == "level":
        return sorted(int(v) for v in values)
    return sorted(str(v) for v in values)


def _labeller(column: str) -> Callable[[Any], str]:
    return lambda value: label(column, value)


def _widget_values(scenario: Scenario, criteria: CriteriaSet) -> dict[str, Any]:
    """Every form widget's value for ``scenario``."""
    weights = scenario.weights_for(criteria)
    c = scenario.constraints
    values: dict[str, Any] = {
        "sc_name": scenario.name, "sc_method": scenario.method.value,
        "sc_ideal": scenario.ideal.value,
        "sc_aggregation": scenario.aggregation,
        "sc_missing": "own" if scenario.missing is None else scenario.missing.value,
        "sc_uplift": float(scenario.uplift), "sc_unassessed": scenario.include_unassessed,
        "sc_completed": scenario.include_completed,
        "sc_budget": c.budget, "sc_capacity": c.capacity,
        "sc_include": list(c.must_include), "sc_exclude": list(c.must_exclude),
        "sc_exclusive": "\n".join(", ".join(group) for group in c.exclusive),
        "sc_deadline": (c.deadline or NO_DEADLINE).upper()
        if (c.deadline or NO_DEADLINE).upper() in DEADLINES else NO_DEADLINE,
        "sc_notes": scenario.notes}
    values |= {f"sc_w_{k}": float(w) for k, w in weights.items()}
    values |= {f"sc_f_{name}": list(getattr(scenario.filters, name)) for name in FILTERS}
    return values


def _load(criteria: CriteriaSet) -> None:
    """Put the picked saved scenario (or a fresh one) on the form, remembering the version
    seen."""
    name = st.session_state.get("sc_pick", NEW)
    if name == NEW:
        scenario = Scenario(name="", weights=criteria.weights())
        st.session_state.pop("sc_loaded", None)
    else:
        try:
            saved = catalogue().scenarios.get(name)
            scenario = Scenario.from_dict(saved["settings"])
        except (CatalogueError, ScoringError) as error:
            st.session_state["sc_load_error"] = str(error)
            return
        st.session_state["sc_loaded"] = {"name": saved["name"], "version": saved["version"],
                                         "settings": saved["settings"]}
    st.session_state["sc_base"] = scenario.to_dict()
    st.session_state.update(_widget_values(scenario, criteria))


def _base(criteria: CriteriaSet) -> Scenario:
    data = st.session_state.get("sc_base")
    return Scenario.from_dict(data) if data else Scenario(name="", weights=criteria.weights())


def _ahp_to_weights(keys: list[str], ahp: list[float]) -> None:
    """Put AHP weights on the form's weights, keeping these criteria's combined weight."""
    current = {k: float(st.session_state.get(f"sc_w_{k}") or 0.0) for k in keys}
    for key, value in shared_weights(current, keys, ahp, digits=2).items():
        st.session_state[f"sc_w_{key}"] = value
    flash(f"AHP weights are on the weights of {len(keys)} criteria; save the scenario to "
          "keep them.")


def scenario_form(criteria: CriteriaSet, processes: pd.DataFrame) -> Scenario | None:
    """The form's scenario, or None (with the message shown) when the choices are refused."""
    base = _base(criteria)
    for key, value in _widget_values(base, criteria).items():
        st.session_state.setdefault(key, value)
    st.text_input("Name", key="sc_name", max_chars=100)
    left, middle, right = st.columns(3)
    with left:
        st.markdown("**Method**")
        st.selectbox("Method", [m.value for m in Method], key="sc_method",
                     format_func=lambda v: Method(v).label)
        if Method(st.session_state["sc_method"]) in IDEAL_METHODS:
            st.radio("Measure against", list(IDEAL), key="sc_ideal",
                     format_func=lambda v: IDEAL[v], help=IDEAL_HELP)
        st.radio("Several raters combined by", ["median", "mean"], key="sc_aggregation",
                 horizontal=True)
        st.selectbox("Unknown values count as", list(MISSING), key="sc_missing",
                     format_func=lambda v: MISSING[v])
        st.slider("Dependency uplift", 0.0, 0.9, step=0.05, key="sc_uplift")
        st.toggle("Include unassessed processes", key="sc_unassessed")
        st.toggle("Include completed processes", key="sc_completed",
                  help="Completed transformations are done, so by default they are left out "
                       "of the ranking, the portfolio and the backlog.")
    with middle:
        st.markdown("**Weights**")
        for c in criteria.criteria:
            st.number_input(c.label, min_value=0.0, step=0.5, key=f"sc_w_{c.key}",
                            help=c.description or None)
    codes = sorted(processes["code"].astype(str))
    with right:
        st.markdown("**Scope** (empty: no restriction)")
        for name, (column, title) in FILTERS.items():
            key = f"sc_f_{name}"
            options = sorted(set(_values(processes, column)) | set(st.session_state[key]),
                             key=str)
            st.multiselect(title, options, key=key, format_func=_labeller(column))
        st.markdown("**Constraints**")
        st.number_input("Budget (CHF; empty: no limit)", min_value=0.0, step=50_000.0,
                        key="sc_budget")
        st.number_input("Capacity (person-months per period; empty: no limit)",
                        min_value=0.0, step=1.0, key="sc_capacity")
        for key, title in (("sc_include", "Must include"), ("sc_exclude", "Must exclude")):
            options = sorted(set(codes) | set(st.session_state[key]))
            st.multiselect(title, options, key=key)
        st.text_area("Mutually exclusive alternatives", key="sc_exclusive",
                     placeholder="HR-REC, HR-ONB", help=EXCLUSIVE_HELP)
        st.selectbox("Deadline", DEADLINES, key="sc_deadline")
    with st.expander("Weights from an AHP pairwise comparison"):
        ahp_panel(criteria, prefix="sc_", on_apply=_ahp_to_weights,
                  apply_help="Puts the AHP weights on the weights above, sharing these "
                             "criteria's combined weight in the AHP proportions.")
    st.text_area("Notes (why this scenario)", key="sc_notes")
    state = st.session_state
    deadline = state["sc_deadline"]
    try:
        return base.replace(
            name=" ".join(str(state["sc_name"]).split()), method=state["sc_method"],
            ideal=state["sc_ideal"],
            aggregation=state["sc_aggregation"],
            missing=None if state["sc_missing"] == "own" else state["sc_missing"],
            uplift=float(state["sc_uplift"]), include_unassessed=bool(state["sc_unassessed"]),
            include_completed=bool(state["sc_completed"]),
            weights={c.key: float(state[f"sc_w_{c.key}"] or 0.0) for c in criteria.criteria},
            filters=Filters(**{name: tuple(state[f"sc_f_{name}"]) for name in FILTERS}),
            constraints=Constraints(
                budget=state["sc_budget"], capacity=state["sc_capacity"],
                must_include=tuple(state["sc_include"]), must_exclude=tuple(state["sc_exclude"]),
                deadline=None if deadline == NO_DEADLINE else deadline,
                exclusive=exclusive_groups(str(state["sc_exclusive"] or ""), codes)),
            notes=str(state["sc_notes"] or ""))
    except ScoringError as error:
        st.error(f"These choices cannot be saved: {error}", icon=":material/error:")
        return None


def build_tab(criteria: CriteriaSet, processes: pd.DataFrame, saved: pd.DataFrame) -> None:
    names = saved["name"].tolist()
    pick, load = st.columns([4, 1], vertical_alignment="bottom")
    pick.selectbox("Start from", [NEW, *names], key="sc_pick")
    load.button("Load", key="sc_load", on_click=_load, args=(criteria,),
                width="stretch")
    error = st.session_state.pop("sc_load_error", None)
    if error:
        st.error(f"Cannot load that scenario: {error}", icon=":material/error:")
    loaded: dict[str, Any] = st.session_state.get("sc_loaded") or {}
    if loaded:
        st.caption(f"Editing {loaded['name']!r}, version {loaded['version']}.")
    scenario = scenario_form(criteria, processes)
    if scenario is not None:
        reorder_warning(scenario)
    if not allowed(Action.manage_scenarios):
        st.caption("Saving scenarios needs the leadership or admin role; you can compare the "
                   "saved ones and their snapshots.")
        return
    save_new, update = st.columns(2)
    new_clicked = save_new.button("Save as a new scenario", key="sc_save_new", type="primary",
                                  disabled=scenario is None)
    update_clicked = update.button(
        f"Update {loaded['name']!r}" if loaded else "Update (load a scenario first)",
        key="sc_update", disabled=scenario is None or not loaded)
    if scenario is None or not (new_clicked or update_clicked):
        return
    if not scenario.name:
        st.error("Not saved: a scenario needs a name", icon=":material/error:")
        return
    book = catalogue().scenarios
    try:
        if new_clicked:
            record = book.add(scenario.name, scenario.to_dict(), actor())
        else:
            settings = scenario.replace(name=loaded["name"]).to_dict()
            record = book.update(loaded["name"], settings, loaded["version"], actor())
    except CatalogueError as error:
        refused(error)
        return
    st.session_state["sc_loaded"] = {"name": record["name"], "version": record["version"],
                                     "settings": record["settings"]}
    st.session_state["sc_base"] = record["settings"]
    flash(f"Scenario {record['name']!r} saved (version {record['version']}).")
    st.rerun()


def compare_tab(criteria: CriteriaSet, inputs: RankingInputs, saved: pd.DataFrame) -> None:
    names = saved["name"].tolist()
    if len(names) < 2:
        st.info("Save at least two scenarios to compare them.", icon=":material/info:")
        return
    picked = st.multiselect("Scenarios compared", names, key="cmp_names",
                            default=names[:2])
    top = int(st.number_input("Top N", min_value=1, max_value=100, value=10, key="cmp_top"))
    if len(picked) < 2:
        st.info("Choose at least two scenarios.")
        return
    rankings: dict[str, pd.Series] = {}
    try:
        for name in picked:
            settings = saved.loc[saved["name"] == name, "settings"].iloc[0]
            ranking = ranked(catalogue(), criteria, Scenario.from_dict(settings))
            rankings[name] = ranking.table.set_index("code")["rank"]
        compared = compare_rankings(rankings)
        tau = kendall_matrix(rankings)
    except ScoringError as error:
        st.error(f"Cannot compare these scenarios: {error}", icon=":material/error:")
        return
    st.dataframe(compared.reset_index(), key="cmp_table", hide_index=True, width="stretch",
                 height=380)
    st.caption("One column per scenario (empty: not ranked there); best and worst rank, "
               "their spread, and in how many scenarios the process is ranked.")
    st.plotly_chart(bump_figure(compared, picked, top), width="stretch", key="cmp_bump")
    rows = []
    for i, a in enumerate(picked):
        for b in picked[i + 1:]:
            overlap = top_n_overlap(rankings[a], rankings[b], top)
            rows.append({"a": a, "b": b, "shared": overlap.size,
                         "jaccard": overlap.jaccard, "kendall_tau": float(tau.loc[a, b]),
                         "only_a": ", ".join(map(str, overlap.only_a)),
                         "only_b": ", ".join(map(str, overlap.only_b))})
    number = st.column_config.NumberColumn
    st.dataframe(pd.DataFrame(rows), key="cmp_pairs", hide_index=True, width="stretch",
                 column_config={"a": "Scenario A", "b": "Scenario B",
                                "shared": number(f"Shared in top {top}"),
                                "jaccard": number("Jaccard", format="%.2f"),
                                "kendall_tau": number("Kendall's tau", format="%.3f",
                                                      help="1 same order, -1 reversed"),
                                "only_a": f"Only in A's top {top}",
                                "only_b": f"Only in B's top {top}"})


def snapshots_tab(criteria: CriteriaSet, inputs: RankingInputs, saved: pd.DataFrame) -> None:
    book = catalogue().scenarios
    names = saved["name"].tolist()
    if not names:
        st.info("Save a scenario first; a snapshot freezes one for a decision.")
        return
    if allowed(Action.snapshot):
        take_snapshot(criteria, inputs, saved)
    verify_and_explain(criteria, inputs, book)


def take_snapshot(criteria: CriteriaSet, inputs: RankingInputs, saved: pd.DataFrame) -> None:
    book = catalogue().scenarios
    names = saved["name"].tolist()
    which, text, take = st.columns([3, 4, 2], vertical_alignment="bottom")
    name = which.selectbox("Scenario", names, key="snap_scenario")
    label_text = text.text_input("Label (e.g. the meeting)", key="snap_label")
    if take.button("Take a snapshot", key="snap_take", type="primary", width="stretch"):
        try:
            settings = saved.loc[saved["name"] == name, "settings"].iloc[0]
            scenario = Scenario.from_dict(settings)
            content = freeze(inputs, criteria, scenario, ranked(catalogue(), criteria, scenario))
            record = book.snapshot(name, label_text, content, actor())
        except ScoringError as error:
            st.error(f"Cannot rank under {name!r}: {error}", icon=":material/error:")
        except CatalogueError as error:
            refused(error)
        else:
            flash(f"Snapshot {record['id']} of {name!r} taken (SHA-256 "
                  f"{record['content_hash'][:12]}…).")
            st.rerun()


def verify_and_explain(criteria: CriteriaSet, inputs: RankingInputs,
                       book: ScenarioBook) -> None:
    """The snapshots taken, a check that one still reproduces, and why ranks moved between
    two of them (everyone may read these)."""
    shots = book.snapshots()
    if shots.empty:
        st.info("No snapshot yet.")
        return
    st.dataframe(shots, key="snap_list", hide_index=True, width="stretch", column_config={
        "id": st.column_config.NumberColumn("Snapshot", width=80), "scenario": "Scenario",
        "label": "Label", "taken_at": st.column_config.DatetimeColumn(
            "Taken (UTC)", format="YYYY-MM-DD HH:mm"), "taken_by": "By",
        "content_hash": st.column_config.TextColumn("SHA-256", width="large")})
    ids = [int(i) for i in shots["id"]]
    titles = {int(i): f"#{i} · {s} · {t}" for i, s, t in
              zip(shots["id"], shots["scenario"], shots["label"], strict=True)}
    st.markdown("**Verify a snapshot**")
    pick, check = st.columns([4, 1], vertical_alignment="bottom")
    chosen = pick.selectbox("Snapshot", ids, key="snap_verify_id",
                            format_func=lambda i: titles[int(i)])
    if check.button("Verify", key="snap_verify", width="stretch"):
        try:
            record = book.snapshot_record(int(chosen))
            problems = verify(record["content"]) if record["intact"] else []
        except (CatalogueError, ScoringError) as error:
            st.error(f"Cannot verify snapshot {chosen}: {error}", icon=":material/error:")
        else:
            if not record["intact"]:
                st.error(f"Snapshot {chosen} is not as dti wrote it: {record['damage']}.",
                         icon=":material/error:")
            elif problems:
                st.error(f"Snapshot {chosen} does not reproduce ({len(problems)} differences):"
                         "\n\n" + "\n".join(f"- {p}" for p in problems[:20]),
                         icon=":material/error:")
            else:
                st.success(f"Snapshot {chosen} is intact and reproduces exactly.",
                           icon=":material/verified:")
    st.markdown("**Why it moved**")
    if len(ids) < 2:
        st.caption("Take a second snapshot to see why ranks moved between them.")
        return
    before, after = st.columns(2)
    old = before.selectbox("Before", ids, index=1, key="snap_before",
                           format_func=lambda i: titles[int(i)])
    new = after.selectbox("After", ids, index=0, key="snap_after",
                          format_func=lambda i: titles[int(i)])
    try:
        a = book.snapshot_record(int(old))["content"]
        b = book.snapshot_record(int(new))["content"]
        moves = why_moved(a, b)
        changes = settings_changes(a, b)
    except (CatalogueError, ScoringError) as error:
        st.error(f"Cannot explain the moves: {error}", icon=":material/error:")
        return
    settings_changed(changes)
    moved = moves[(moves["status"] == MOVED) & (moves["shift"] != 0)]
    if moved.empty:
        st.info("No process ranked in both snapshots moved.", icon=":material/info:")
    else:
        st.markdown(f"**Moved** ({len(moved)})")
        st.dataframe(moved.drop(columns=["status", "reason"]), key="snap_why",
                     hide_index=True, width="stretch", column_config=MOVED_COLUMNS)
    for status, rank_column, key in ((NEWLY_RANKED, "rank_after", "snap_entered"),
                                     (NO_LONGER_RANKED, "rank_before", "snap_left")):
        rows = moves[moves["status"] == status]
        if not rows.empty:
            st.markdown(f"**{status.capitalize()}** ({len(rows)})")
            st.dataframe(rows[["code", "name", rank_column, "reason"]], key=key,
                         hide_index=True, width="stretch", column_config=MOVED_COLUMNS)


def settings_changed(changes: list[str]) -> None:
    """What changed in the settings between the two snapshots, one line each."""
    if not changes:
        st.markdown("**Settings changed**: none; every move comes from the inputs.")
        return
    st.markdown("**Settings changed**\n\n" + "\n".join(f"- {plain(line)}" for line in changes))


inventory = catalogue()
criteria = criteria_set()
inputs = ranking_inputs(inventory, criteria)
st.title("Scenarios")
st.caption(f"Criteria set: {criteria.name}. Save the choices behind a ranking, compare them, "
           "and freeze one for a decision.")
show_flash()
saved_scenarios = inventory.scenarios.list()
build, compare, snapshots, rounds = st.tabs(SECTIONS, key=SECTION, on_change="rerun")
with build:
    build_tab(criteria, inputs.processes, saved_scenarios)
with compare:
    compare_tab(criteria, inputs, saved_scenarios)
with snapshots:
    snapshots_tab(criteria, inputs, saved_scenarios)
with rounds:
    rounds_tab(criteria, inputs.processes, saved_scenarios)
