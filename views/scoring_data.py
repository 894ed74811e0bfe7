"""What the Assess and Prioritise pages share: the criteria set and the ranking inputs.

The criteria set is read from ``DTI_CRITERIA`` (a YAML file) or the default DT-I set; the
inputs are the live inventory's frames plus its dependency metrics, read fresh on every rerun
so a saved assessment shows at once.
"""

from __future__ import annotations

import streamlit as st

from inventory.graph import metrics
from inventory.services import Catalogue
from scoring.criteria import CriteriaSet, criteria_in_use
from scoring.errors import ScoringError
from scoring.ranking import RankingInputs


def criteria_set() -> CriteriaSet:
    """The criteria in use; a broken criteria file stops the page with its message."""
    try:
        return criteria_in_use()
    except ScoringError as error:
        st.error(f"The criteria set cannot be used: {error}", icon=":material/error:")
        st.stop()
        raise  # st.stop() does not return; this keeps type checkers informed


def ranking_inputs(catalogue: Catalogue) -> RankingInputs:
    """Live processes, assessments, dependencies and dependency metrics."""
    frames = catalogue.frames()
    return RankingInputs(processes=frames["processes"], assessments=frames["assessments"],
                         metrics=metrics(catalogue.graph()),
                         dependencies=frames["dependencies"])
