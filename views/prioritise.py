"""Prioritise: leadership's screen. Choose a method and weights (sliders or AHP pairwise
judgements), see the ranking update at once, with each criterion's contribution, the impact x
effort matrix, and why one process ranks above another; start from a saved scenario and save
the choices as one (:mod:`views.prioritise_scenario`). All scores come from
:func:`scoring.ranking.rank`; this page only collects choices and shows results."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from inventory.access import Action
from scoring.criteria import CriteriaSet, Group, MissingPolicy
from scoring.errors import ScoringError
from scoring.explain import explain
from scoring.rank_bounds import interval_texts
from scoring.ranking import QUICK_WIN, Ranking
from scoring.scenario import IDEAL_METHODS, Ideal, Method
from views.ahp_widget import ahp_panel, shared_weights
from views.common import allowed, catalogue, flash, reorder_warning, shared, show_flash
from views.paging import findable, page_of
from views.prioritise_charts import (
    contributions_figure,
    difference_figure,
    matrix_figure,
    waterfall_figure,
)
from views.prioritise_scenario import (
    IDEAL,
    IDEAL_HELP,
    base_scenario,
    save_panel,
    start_from_panel,
)
from views.scoring_data import criteria_set, ranked

NONE = "— none —"
MISSING = {"own": "Each criterion's own rule", MissingPolicy.MIDPOINT.value: "Scale midpoint",
           MissingPolicy.WORST.value: "Worst (cautious)",
           MissingPolicy.BEST.value: "Best (optimistic)",
           MissingPolicy.EXCLUDE.value: "Left out (the known ones share its weight)"}
TIMES, DASH = "\N{MULTIPLICATION SIGN}", "\N{EN DASH}"
TOP_CHOICES = ["10", "20", "30", "50", "All"]
METHOD_HELP = (f"Weighted sum: add weight {TIMES} value. Weighted product: multiply, so a "
               "weak criterion cannot be bought back. TOPSIS: closest to the ideal, furthest "
               "from the worst. VIKOR: best compromise between the majority and the worst "
               "regret. WSJF: value and dependency reach over effort. Value / effort: impact "
               "over effort.")
UPLIFT_HELP = ("A blocker ranks with the work it blocks: each process hands this share of its "
               "value to the processes it depends on, split among them, along whole chains. "
               "Processes that depend on each other round a cycle are one piece of work: they "
               "pass nothing to each other, so none gains from its own value. 0 switches it "
               "off.")


def kept(key: str, default: Any) -> str:
    """``key``, with its value restored after a visit to another page (Streamlit forgets the
    values of widgets it did not draw)."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get("_kept", {}).get(key, default)
    return key


def keep(key: str, value: Any) -> Any:
    st.session_state.setdefault("_kept", {})[key] = value
    return value


def scenario_controls() -> dict[str, Any]:
    """The sidebar: method, raters, missing values, uplift, unassessed, quadrant thresholds."""
    side = st.sidebar
    side.header("Scenario")
    method = keep("method", side.selectbox(
        "Method", [m.value for m in Method], key=kept("method", Method.WSM.value),
        format_func=lambda v: Method(v).label, help=METHOD_HELP))
    ideal = st.session_state.get("_kept", {}).get("ideal", Ideal.DECLARED.value)
    if Method(method) in IDEAL_METHODS:
        ideal = keep("ideal", side.radio(
            "Measure against", list(IDEAL), key=kept("ideal", Ideal.DECLARED.value),
            format_func=lambda v: IDEAL[v], help=IDEAL_HELP))
    vikor_v = 0.5
    if method == Method.VIKOR.value:
        vikor_v = keep("vikor_v", side.slider(
            "VIKOR: weight of the majority (v)", 0.0, 1.0, step=0.05, key=kept("vikor_v", 0.5),
            help="1 = the best for most criteria; 0 = the least bad on its worst criterion."))
    aggregation = keep("aggregation", side.radio(
        "Several raters combined by", ["median", "mean"], key=kept("aggregation", "median"),
        horizontal=True, help="The median ignores one rater far from the others."))
    missing = keep("missing", side.selectbox(
        "Unknown values count as", list(MISSING), key=kept("missing", "own"),
        format_func=lambda v: MISSING[v], help="Never as zero. 'Each criterion's own rule' "
        "uses the criteria set; the others override every criterion."))
    uplift = keep("uplift", side.slider("Dependency uplift", 0.0, 0.9, step=0.05,
                                        key=kept("uplift", 0.0), help=UPLIFT_HELP))
    include = keep("include_unassessed", side.toggle(
        "Include unassessed processes", key=kept("include_unassessed", False),
        help="Rank processes nobody has assessed yet; their assessed criteria are then all "
             "taken by the missing-value rule."))
    completed = keep("include_completed", side.toggle(
        "Include completed processes", key=kept("include_completed", False),
        help="Completed transformations are done, so by default they are counted apart and "
             "not ranked among the work still to do."))
    with side.expander("Quadrant thresholds"):
        impact = keep("impact_threshold", st.slider(
            "High impact from", 0.0, 1.0, step=0.05, key=kept("impact_threshold", 0.5)))
        effort = keep("effort_threshold", st.slider(
            "High effort above", 0.0, 1.0, step=0.05, key=kept("effort_threshold", 0.5)))
        quick = keep("quick_fix_effort", st.slider(
            "Quick fix: effort at most", 0.0, 1.0, step=0.05, key=kept("quick_fix_effort", 0.3),
            help="A quick win this easy is flagged as a quick-fix candidate."))
    return {"method": method, "ideal": ideal, "vikor_v": vikor_v, "aggregation": aggregation,
            "missing": None if missing == "own" else missing, "uplift": uplift,
            "include_unassessed": include, "include_completed": completed,
            "impact_threshold": impact,
            "effort_threshold": effort, "quick_fix_effort": quick}


def weight_sliders(criteria: CriteriaSet) -> dict[str, float]:
    """One slider per criterion, grouped, each label showing its share of the total."""
    keys = {c.key: kept(f"weight_{c.key}", min(float(c.weight), 10.0))
            for c in criteria.criteria}
    current = {k: float(st.session_state[w]) for k, w in keys.items()}
    total = sum(current.values()) or 1.0
    weights: dict[str, float] = {}
    for group in Group:
        members = criteria.in_group(group)
        if not members:
            continue
        share = sum(current[c.key] for c in members) / total
        st.markdown(f"**{group.value.capitalize()}** · {share:.0%} of the weight")
        for c in members:
            weights[c.key] = keep(keys[c.key], st.slider(
                f"{c.label} · {current[c.key] / total:.0%}", 0.0, 10.0, step=0.1,
                format="%.1f", key=keys[c.key], help=c.description or None))
    return weights


def _use_ahp(keys: list[str], ahp: list[float]) -> None:
    """Put AHP weights on the sliders, keeping these criteria's combined weight (so their
    balance with the other criteria holds) unless a slider would pass 10."""
    current = {k: float(st.session_state.get(f"weight_{k}", 0.0)) for k in keys}
    for key, value in shared_weights(current, keys, ahp, ceiling=10.0).items():
        st.session_state[f"weight_{key}"] = keep(f"weight_{key}", value)
    flash(f"AHP weights are on the sliders of {len(keys)} criteria.")


def ranking_table(ranking: Ranking) -> None:
    """The ranked processes; clicking a row explains it below."""
    table = ranking.table
    shown = table[["rank", "code", "name", "score"]].assign(
        could=[text.replace("-", DASH) for text in interval_texts(table)],
        quadrant=table["quadrant"], quick_fix=np.where(table["quick_fix"], "✓", ""),
        completeness=100 * table["completeness"], disagreement=100 * table["disagreement"],
        unit=table["unit"], impact=table["impact"], effort=table["effort"])
    if ranking.scenario.uplift > 0:
        shown.insert(4, "uplift", table["uplift"])
    config: dict[str, Any] = {
        "rank": st.column_config.NumberColumn("Rank", width=50),
        "code": st.column_config.TextColumn("Code", width=95),
        "name": st.column_config.TextColumn("Name", width=220), "unit": "Unit",
        "score": st.column_config.ProgressColumn(
            "Score", format="%.3f", width=120,
            min_value=0.0, max_value=max(1.0, float(table["score"].max()))),
        "uplift": st.column_config.NumberColumn("of which uplift", format="%.3f"),
        "could": st.column_config.TextColumn(
            "Could rank", help=f"Best{DASH}worst rank given what is still unknown: every way "
                               "of filling in the unknown values ranks the process here. "
                               "'within': the ends may not be reached."),
        "completeness": st.column_config.NumberColumn(
            "Known", format="%.0f%%", help="Share of the weighted criteria with a value."),
        "quadrant": st.column_config.TextColumn("Quadrant", width=110),
        "quick_fix": st.column_config.TextColumn("Quick fix", width=70),
        "disagreement": st.column_config.NumberColumn(
            "Disagreement", format="%.0f%%", help="Widest raters' range, share of its scale."),
        "impact": st.column_config.NumberColumn("Impact", format="%.2f"),
        "effort": st.column_config.NumberColumn("Effort", format="%.2f")}
    if ranking.scenario.method is Method.VIKOR:
        shown = shown.assign(vikor_s=table["vikor_s"], vikor_r=table["vikor_r"],
                             vikor_q=table["vikor_q"])
        config |= {f"vikor_{x}": st.column_config.NumberColumn(x.upper(), format="%.3f")
                   for x in "srq"}
    shown = page_of(shown, "ranking_page")
    st.session_state["_ranked_codes"] = shown["code"].tolist()
    st.dataframe(shown, key="ranking_table", hide_index=True, width="stretch", height=420,
                 column_config=config, on_select=_explain_clicked, selection_mode="single-row")


def _explain_clicked() -> None:
    rows = st.session_state["ranking_table"]["selection"]["rows"]
    codes = st.session_state.get("_ranked_codes", [])
    if rows and rows[0] < len(codes):
        st.session_state["explain_a"] = codes[rows[0]]


@st.fragment
def explain_panel(ranking: Ranking) -> None:
    """Why process A scores what it does, or why it ranks above or below B. Choosing another
    process reruns this panel only, not the ranking above it."""
    codes = ranking.table["code"].tolist()
    names = dict(zip(codes, ranking.table["name"], strict=True))
    ranks = dict(zip(codes, ranking.table["rank"], strict=True))
    for key, fallback in (("explain_a", codes[0]), ("explain_b", NONE)):
        if st.session_state.get(key, fallback) not in [NONE, *codes]:
            st.session_state[key] = fallback
    pick_a, pick_b = st.columns(2)
    chosen_a, chosen_b = st.session_state.get("explain_a"), st.session_state.get("explain_b")
    a = pick_a.selectbox("Process", findable(codes, names, "explain_find_a", where=pick_a,
                                             keep=[chosen_a]),
                         key="explain_a", format_func=lambda c: f"{ranks[c]} · {c} {names[c]}")
    b = pick_b.selectbox("Compared with",
                         [NONE, *findable(codes, names, "explain_find_b", where=pick_b,
                                          keep=[chosen_b])], key="explain_b",
                         format_func=lambda c: c if c == NONE else f"{ranks[c]} · {c} {names[c]}")
    versus = None if b in (NONE, a) else b
    explanation = explain(ranking, a, versus)
    st.info(explanation.summary, icon=":material/lightbulb:")
    lines = explanation.lines
    chart, details = st.columns([5, 6])
    if versus is None:
        total = "Score" if ranking.scenario.method is Method.WSM else "Sum of contributions"
        chart.plotly_chart(waterfall_figure(lines, total), width="stretch", key="explain_chart")
        columns = ["label", "contribution", "weight", "imputed", "raters", "level"]
    else:
        chart.plotly_chart(difference_figure(lines, a, versus), width="stretch",
                           key="explain_chart")
        columns = ["label", "difference", "contribution_a", "contribution_b", "level_a",
                   "level_b"]
    details.table(explain_rows(lines[columns], a, versus), hide_index=True, border="horizontal")


def explain_rows(lines: pd.DataFrame, a: str, versus: str | None) -> pd.DataFrame:
    """The explanation's lines as a table people read in full (a static table wraps long
    values, such as a level's sentence, where a data grid would cut them): numbers to three
    decimals, the imputed flag as a word, columns titled."""
    titles = {"label": "Criterion", "level": "Value", "level_a": f"Value {a}",
              "level_b": f"Value {versus}", "raters": "Raters", "imputed": "Imputed",
              "weight": "Weight", "contribution": "Contribution",
              "contribution_a": f"Contribution {a}", "contribution_b": f"Contribution {versus}",
              "difference": "Difference"}
    shown = lines.copy()
    for column in ("weight", "contribution", "contribution_a", "contribution_b"):
        if column in shown:
            shown[column] = [f"{v:.3f}" for v in shown[column]]
    if "difference" in shown:
        shown["difference"] = [f"{v:+.3f}" for v in shown["difference"]]
    if "imputed" in shown:
        shown["imputed"] = ["imputed" if flag else "" for flag in shown["imputed"]]
    return shown.rename(columns=titles)


inventory = catalogue()
criteria = criteria_set()
st.title("Prioritise")
st.caption(f"Criteria set: {criteria.name}. Every change below re-ranks at once.")
show_flash()
with st.container(border=True):
    start_column, save_column = st.columns(2, gap="large")
with start_column:
    start_from_panel(criteria, keep)
choices = scenario_controls()

weights_column, chart_column = st.columns([9, 10], gap="large")
with weights_column:
    st.subheader("Weights")
    sliders_tab, ahp_tab = st.tabs(["Sliders", "AHP pairwise"])
    with sliders_tab:
        weights = weight_sliders(criteria)
    with ahp_tab:
        ahp_panel(criteria, prefix="", on_apply=_use_ahp,
                  apply_help="Shares these criteria's combined slider weight in the AHP "
                             "proportions.")

with chart_column:
    try:
        scenario = base_scenario().replace(weights=weights, **choices)
        ranking = ranked(inventory, criteria, scenario)
    except ScoringError as error:
        st.error(f"Cannot rank with these choices: {error}", icon=":material/error:")
        st.stop()
    with save_column:
        save_panel(scenario)
    table = ranking.table
    st.subheader(f"Ranking by {scenario.method.label}")
    with st.container(horizontal=True, gap="small"):  # wraps rather than cut a label
        st.metric("Ranked", len(table), width="content")
        st.metric("Not assessed", len(ranking.left_out), width="content",
                  help="Processes nobody has assessed yet: not ranked.")
        st.metric("Completed", len(ranking.completed), width="content",
                  help="Processes whose transformation is completed: done, so not ranked "
                       "unless included (sidebar).")
        st.metric("Quick wins", int((table["quadrant"] == QUICK_WIN).sum()), width="content")
        st.metric("Quick fixes", int(table["quick_fix"].sum()), width="content")
    if ranking.left_out:
        who_assesses = ("assess them on the Assess page" if allowed(Action.assess)
                        else "ask an analyst to assess them")
        st.info(f"{len(ranking.left_out)} processes have no assessment yet and are not ranked; "
                f"include them (sidebar) or {who_assesses}.", icon=":material/pending_actions:")
        if allowed(Action.assess):
            st.page_link("views/assess.py", label="Assess them", icon=":material/rate_review:")
    if ranking.completed:
        st.info(f"{len(ranking.completed)} completed processes are done and not ranked among "
                "the work still to do; switch on 'Include completed processes' (sidebar) to "
                "rank them too.", icon=":material/task_alt:")
    reorder_warning(scenario)
    for note in ranking.notes:
        if note != scenario.reorder_warning:
            st.caption(f"Note: {note}")
    if table.empty:
        st.stop()
    if ranking.compromise:
        before = " (VIKOR's own Q, before the dependency uplift the ranking adds)" \
            if scenario.uplift > 0 else ""
        st.info("VIKOR compromise set: " + ", ".join(ranking.compromise) + f"{before}. These "
                "are equally defensible first choices (acceptable advantage and stability).",
                icon=":material/handshake:")
    top = keep("top_n", st.segmented_control("Processes shown", TOP_CHOICES,
                                             key=kept("top_n", "20"))) or "20"
    shown = len(table) if top == "All" else int(top)
    st.plotly_chart(shared("contributions figure", (criteria, scenario, shown),
                           lambda: contributions_figure(ranking, shown)),
                    width="stretch", key="contributions")
    if scenario.method is not Method.WSM:
        st.caption(f"Bars show weight {TIMES} normalised value. {scenario.method.label} combines "
                   "them non-linearly, so bar lengths show the evidence, not the exact score.")

ranking_table(ranking)
st.caption("Click a row to explain it below.")
st.subheader(f"Impact {TIMES} effort")
st.plotly_chart(shared("matrix figure", (criteria, scenario),
                       lambda: matrix_figure(table, scenario)), width="stretch", key="matrix")
st.caption("Bubble size: score. ★ quick-fix candidate. Dashed lines: the quadrant thresholds "
           "(sidebar). The ten best ranked carry their code.")
st.subheader("Why this rank?")
explain_panel(ranking)
