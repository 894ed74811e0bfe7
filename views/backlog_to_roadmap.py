"""From the backlog to the roadmap: the Backlog page's panel that turns the chosen processes
into proposed (planned) initiatives, one per process or one for them all, linked to the
decision snapshot that justified them (:meth:`inventory.services.rationalisation.
InitiativeBook.propose`). Offered to the roles that decide initiatives."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from inventory.access import Action
from inventory.errors import CatalogueError
from views.common import actor, allowed, catalogue, inert

NO_SNAPSHOT = "— none —"
EACH, ONE = "One initiative per process", "One initiative for them all"


def default_choice(backlog: pd.DataFrame, top: int) -> list[str]:
    """The processes chosen for the portfolio when there is one, else the top ``top``."""
    if backlog["selected"].notna().any():
        return backlog.loc[backlog["selected"].fillna(False).astype(bool), "code"].tolist()
    return backlog["code"].head(top).tolist()


def to_roadmap_panel(backlog: pd.DataFrame, scenario: str | None, top: int) -> None:
    """The panel (nothing for roles that may not decide initiatives)."""
    if not allowed(Action.manage_initiatives):
        return
    inventory = catalogue()
    with st.expander("Turn into roadmap initiatives", icon=":material/flag:"):
        st.caption("Proposed initiatives start as planned, carry the process's pillar, priority "
                   "area, change owner, unit, earliest start, cost, effort and KPIs, and keep "
                   "the snapshot that justified them. Edit them on the Roadmap page.")
        names = dict(zip(backlog["code"], backlog["name"], strict=True))
        with st.form("backlog_to_roadmap"):
            codes = st.multiselect("Processes", backlog["code"].tolist(),
                                   default=default_choice(backlog, top),
                                   format_func=lambda code: f"{code} · {names.get(code, '')}")
            grouping = st.radio("Initiatives", [EACH, ONE], horizontal=True)
            left, right = st.columns(2)
            group_code = left.text_input("Code of the one initiative", placeholder="MX-2027")
            group_name = right.text_input("Name of the one initiative")
            snapshots = inventory.scenarios.snapshots(scenario) if scenario else \
                inventory.scenarios.snapshots()
            labels = {f"#{ident} {label} ({taken:%Y-%m-%d})": int(ident)
                      for ident, label, taken in zip(snapshots["id"], snapshots["label"],
                                                     snapshots["taken_at"], strict=True)}
            justified = st.selectbox("Decision snapshot that justifies them",
                                     [NO_SNAPSHOT, *labels])
            proposed = st.form_submit_button("Propose initiatives", type="primary")
        if not proposed:
            return
        group = {"code": group_code, "name": group_name} if grouping == ONE else None
        try:
            made = inventory.initiatives.propose(codes, actor(), group=group,
                                                 snapshot_id=labels.get(justified))
        except CatalogueError as error:
            st.error(inert(error), icon=":material/error:")
            return
        st.success(f"Proposed {len(made)} initiative(s): {inert(', '.join(made))}.",
                   icon=":material/check_circle:")
        st.page_link("views/roadmap.py", label="Open the Roadmap", icon=":material/flag:")
