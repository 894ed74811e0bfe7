"""What the Assess and Prioritise pages share: the criteria set and the ranking inputs.

The criteria set is read from ``DTI_CRITERIA`` (a YAML file) or the default DT-I set; the
inputs are the live inventory's frames plus its dependency metrics, shared by every session
until the data changes (:mod:`inventory.results`), so a saved assessment shows at the next
rerun and a rerun that changed nothing recomputes nothing.
"""

from __future__ import annotations

import os

import streamlit as st

from inventory.services import Catalogue
from scoring.criteria import CRITERIA_VARIABLE, CriteriaSet, load_criteria
from scoring.errors import ScoringError
from scoring.ranking import Ranking, RankingInputs
from scoring.scenario import Scenario


def criteria_set() -> CriteriaSet:
    """The criteria in use, as :func:`scoring.criteria.criteria_in_use` reads them (read again
    when the file changes); a broken criteria file stops the page with its message."""
    try:
        path = os.environ.get(CRITERIA_VARIABLE) or None
        stamp = os.path.getmtime(path) if path and os.path.isfile(path) else 0.0
        return _criteria_file(path, stamp)
    except ScoringError as error:
        st.error(f"The criteria set cannot be used: {error}", icon=":material/error:")
        st.stop()
        raise  # st.stop() does not return; this keeps type checkers informed


@st.cache_data(show_spinner=False)
def _criteria_file(path: str | None, modified: float) -> CriteriaSet:
    return load_criteria(path)


def ranking_inputs(catalogue: Catalogue, criteria: CriteriaSet | None = None) -> RankingInputs:
    """Live processes, assessments, dependencies and the dependency metrics ``criteria`` read
    (every metric when no criteria are given)."""
    return catalogue.results.ranking_inputs(criteria)


def ranked(catalogue: Catalogue, criteria: CriteriaSet, scenario: Scenario) -> Ranking:
    """The live inventory ranked under ``scenario``, shared until the data changes."""
    return catalogue.results.ranking(criteria, scenario)
