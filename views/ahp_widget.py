"""The AHP pairwise comparison as a widget, shared by the Prioritise and Scenarios pages: pick
criteria, judge each pair on Saaty's scale, read the priorities and the consistency ratio (with
the judgements to revisit when it is above 0.10: all of them when several are equally
inconsistent, as with any three criteria), and hand the weights to the page. The maths is
:func:`scoring.ahp.priorities`; the grid helpers are in :mod:`views.prioritise_charts`.

Each page gives the widget its own key ``prefix``, so the two grids never share state. The
criteria picked and the judgements made are kept in the session under the prefix, so they
survive a visit to another page (Streamlit forgets the values of widgets it did not draw).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from scoring.ahp import CR_THRESHOLD, AhpResult, priorities
from scoring.criteria import CriteriaSet, Group
from views.prioritise_charts import (
    SAATY,
    grid_key,
    judgement_label,
    judgement_words,
    nearest_judgement,
    pair_names,
    pairs_frame,
    pairwise_matrix,
)

#: The most criteria one comparison takes: Saaty's random index is tabulated up to 10.
MOST = 10


def shared_weights(current: Mapping[str, float], keys: Sequence[str], ahp: Sequence[float],
                   ceiling: float | None = None, digits: int = 1) -> dict[str, float]:
    """New weights for ``keys`` in the AHP proportions ``ahp``, sharing these criteria's
    combined ``current`` weight, so that their balance with the other criteria holds. When
    they carry no weight yet, the largest gets 10. With a ``ceiling`` (a slider's maximum),
    weights that would pass it are scaled down together. Rounded to ``digits`` decimals."""
    total = sum(float(current.get(k, 0.0)) for k in keys)
    values = [total * w for w in ahp] if total > 0 else [10.0 * w / max(ahp) for w in ahp]
    if ceiling is not None and max(values) > ceiling:
        values = [ceiling * v / max(values) for v in values]
    return {key: round(value, digits) for key, value in zip(keys, values, strict=True)}


def _remembered(prefix: str) -> dict[str, Any]:
    """The criteria picked and the judgements made under ``prefix`` (a plain session value,
    which Streamlit keeps when the page is left)."""
    memory: dict[str, Any] = st.session_state.setdefault(f"_{prefix}ahp_memory", {})
    return memory


def _grid_start(grid: str, judged: pd.DataFrame) -> pd.DataFrame:
    """The frame the grid ``grid`` starts from, kept unchanged while the grid is on screen.

    The grid shows its edits on top of this frame. Handing it a frame that already holds them
    (the judgements remembered from the previous run) changes the grid's data on every edit,
    and the browser then resets its edits: a judgement made while the page was still
    re-ranking after the previous one was lost. ``judged`` (the remembered judgements) is taken
    only when the grid is drawn afresh: first, or back from another page, whose visit
    Streamlit ends by forgetting the grid's edits."""
    starts: dict[str, pd.DataFrame] = st.session_state.setdefault("_ahp_grid_starts", {})
    if grid not in st.session_state or grid not in starts:
        starts[grid] = judged
    return starts[grid]


def ahp_panel(criteria: CriteriaSet, *, prefix: str,
              on_apply: Callable[[list[str], list[float]], None], apply_help: str) -> None:
    """Pairwise judgements on Saaty's scale, their priorities and consistency, and a button
    that calls ``on_apply(keys, weights)`` (the compared criteria in criteria-set order and
    their AHP weights, summing to 1). Widget keys are ``{prefix}ahp_criteria``,
    ``{prefix}ahp_apply`` and ``prefix + grid_key(keys)`` for the grid."""
    memory = _remembered(prefix)
    impact = [c.key for c in criteria.in_group(Group.IMPACT)]
    default = impact if len(impact) >= 2 else criteria.keys
    picker = f"{prefix}ahp_criteria"
    if picker not in st.session_state:
        st.session_state[picker] = memory.get("criteria", default[:MOST])
    picked = st.multiselect(
        "Criteria compared", criteria.keys, key=picker,
        format_func=lambda k: criteria.get(k).label, max_selections=MOST,
        help=f"At most {MOST}: the consistency ratio needs Saaty's random index, which is "
             f"tabulated only up to {MOST} criteria.")
    memory["criteria"] = picked
    chosen = [k for k in criteria.keys if k in picked]
    if len(chosen) < 2:
        st.info("Choose at least two criteria to compare.")
        return
    st.caption("Each row: how much more important the left criterion is than the right one "
               "(1 equal, 3 moderately, 5 strongly, 7 very strongly, 9 extremely; 1/3 … 1/9 "
               "the other way round).")
    saved: dict[str, str] = memory.get("judgements", {})
    grid = prefix + grid_key(chosen)
    edited = st.data_editor(
        _grid_start(grid, pairs_frame(criteria, chosen, saved)), key=grid, hide_index=True,
        num_rows="fixed", disabled=["a", "b"], width="stretch", column_config={
            "a": st.column_config.TextColumn("Criterion", width=135),
            "judgement": st.column_config.SelectboxColumn(
                "Judgement", options=SAATY, required=True, width=125,
                format_func=judgement_label, help="How much more (or less) important the "
                "left criterion is than the right one."),
            "b": st.column_config.TextColumn("than", width=140)})
    judgements = [str(value or "1") for value in edited["judgement"]]
    memory["judgements"] = saved | dict(zip(pair_names(chosen), judgements, strict=True))
    result = priorities(pairwise_matrix(judgements, len(chosen)))
    labels = [criteria.get(k).label for k in chosen]
    cr = result.cr if result.cr is not None else float("nan")
    ratio, eigen = st.columns(2)
    ratio.metric("Consistency ratio", f"{cr:.3f}",
                 help=f"Saaty: acceptable up to {CR_THRESHOLD:.2f}.")
    eigen.metric("λmax", f"{result.lambda_max:.3f}", help=f"{len(chosen)} when fully consistent.")
    st.dataframe(pd.DataFrame({"criterion": labels, "weight": result.weights}),
                 hide_index=True, width="stretch", column_config={
                     "criterion": "Criterion", "weight": st.column_config.ProgressColumn(
                         "AHP weight", format="percent", min_value=0.0, max_value=1.0)})
    if not result.consistent and result.worst_judgements:
        worst = result.worst_judgements
        which = (f"Revisit {_revisit(chosen, labels, judgements, result, *worst[0])}"
                 if len(worst) == 1 else
                 f"Revisit any of these {len(worst)} judgements, which are equally "
                 "inconsistent (changing one of them can be enough):\n" + "\n".join(
                     f"- {_revisit(chosen, labels, judgements, result, i, j)}"
                     for i, j in worst))
        st.warning(f"Consistency ratio {cr:.2f} is above {CR_THRESHOLD:.2f}: some judgements "
                   f"contradict the others. {which}", icon=":material/warning:")
    elif result.consistent:
        st.success(f"Consistent enough (CR ≤ {CR_THRESHOLD:.2f}).", icon=":material/check:")
    st.button("Use these weights", key=f"{prefix}ahp_apply", type="primary", on_click=on_apply,
              args=(chosen, [float(w) for w in result.weights]), help=apply_help)


def _revisit(chosen: list[str], labels: list[str], judgements: list[str], result: AhpResult,
             i: int, j: int) -> str:
    """``'A' vs 'B': you said ...; your other judgements point to about ...``."""
    given = judgements[pair_names(chosen).index(f"{chosen[i]}|{chosen[j]}")]
    implied = float(result.weights[i] / result.weights[j])
    return (f"'{labels[i]}' vs '{labels[j]}': you said {labels[i]} is "
            f"{judgement_words(given)} {labels[j]} ({given}); your other judgements point to "
            f"about {nearest_judgement(implied)} ({implied:.2f}).")
