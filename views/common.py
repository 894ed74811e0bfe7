"""What every page shares: the catalogue, the acting user, labels, and how messages are shown.

The catalogue is opened once per database URL and holds no user data. Derived results go
through :func:`shared`: computed once per revision of the data, reused by every session until
someone changes the data, so a save shows at the next rerun and a rerun that changed nothing
recomputes nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from inventory.access import Action, Actor, Role, roles_allowed
from inventory.errors import CatalogueError
from inventory.schemas import (
    DIGITAL_MATURITY_LEVELS,
    Choice,
    DependencyKind,
    KpiDirection,
    Lifecycle,
    Pillar,
    PriorityArea,
    ProcessType,
    TransformationStatus,
)
from inventory.services import Catalogue
from inventory.services.sample import open_with_sample
from scoring.scenario import Scenario

T = TypeVar("T")
SESSION_KEY = "signed_in"  # the signed-in person, set by views.signin

VOCABULARIES: dict[str, type[Choice]] = {
    "pillar": Pillar,
    "priority_area": PriorityArea,
    "process_type": ProcessType,
    "lifecycle": Lifecycle,
    "transformation_status": TransformationStatus,
    "kind": DependencyKind,
    "direction": KpiDirection,
}

FIELD_LABELS: dict[str, str] = {
    "code": "Code", "parent_code": "Parent", "level": "Level", "name": "Name",
    "description": "Description", "unit": "Unit", "unit_name": "Unit name",
    "process_owner": "Process owner", "change_owner": "Change owner (who could change it)",
    "pillar": "Pillar", "priority_area": "Priority area", "process_type": "Process type",
    "lifecycle": "Lifecycle", "transformation_status": "Transformation status",
    "digital_maturity": "Digital maturity", "annual_volume": "Annual volume",
    "staff_effort_fte": "Staff effort (FTE)", "cycle_time_days": "Cycle time (days)",
    "pain_points": "Pain points", "systems_used": "Systems used", "stakeholders": "Stakeholders",
    "quick_fix_candidate": "Quick-fix candidate", "earliest_start": "Earliest start",
    "target_milestone": "Target milestone", "estimated_cost_chf": "Estimated cost (CHF)",
    "estimated_effort_pm": "Estimated effort (person-months)",
    "resources_needed": "Resources needed", "related_initiatives": "Related studies/initiatives",
    "external_reference": "External reference", "tags": "Tags", "version": "Version",
    "created_at": "Created", "created_by": "Created by", "updated_at": "Last changed",
    "updated_by": "Last changed by", "deleted_at": "Deleted", "deleted_by": "Deleted by",
}


@st.cache_resource(show_spinner="Opening the inventory…")
def _open(url: str | None) -> Catalogue:
    opened = open_with_sample(url)
    secret = opened.accounts.ensure_first_admin()
    if secret is not None:  # shown once, on the server's console, never in the browser
        print(f"dti: created the account 'admin' with the one-time password {secret}\n"
              "dti: sign in with it and choose a password; `dti user reset-password admin` "
              "prints a new one", flush=True)
    return opened


def catalogue() -> Catalogue:
    """The catalogue on ``DTI_DATABASE_URL`` (default: SQLite ``dti.db``), sample on first start."""
    return _open(os.environ.get("DTI_DATABASE_URL"))


def shared(kind: str, settings: object, compute: Callable[[], T], *,
           role: Role | None = None) -> T:
    """A derived result computed once per data revision and ``settings`` and shared by every
    session of this app process (:mod:`inventory.results`); pass ``role`` when what it holds
    depends on the role of who asks."""
    return catalogue().results.get(kind, settings, compute,
                                   role=role.value if role is not None else None)


def shared_roadmap(kind: str, settings: object, compute: Callable[[], T]) -> T:
    """Like :func:`shared` for a result of the roadmap: kept until the roadmap's tables (or
    the processes, KPIs and units it names) change, not recomputed when a rating is saved
    (:meth:`inventory.results.Results.roadmap`)."""
    return catalogue().results.roadmap(kind, settings, compute)


def actor() -> Actor:
    """Who this browser session acts for: the person app.py's sign-in gate let in. The
    services check this actor's role themselves; pages use it to hide what the role may not
    do and to record the change."""
    session = st.session_state.get(SESSION_KEY)
    if session is None:
        st.error("You are not signed in; reload the page to sign in.", icon=":material/lock:")
        st.stop()
    return Actor(session["username"], Role(session["role"]))


def allowed(action: Action) -> bool:
    """Whether the signed-in person's role allows ``action`` (to show or hide controls)."""
    return actor().may(action)


def require(action: Action) -> None:
    """Stop a page that only some roles may use, with the reason, when opened by link."""
    who = actor()
    if not who.may(action):
        roles = " or ".join(role.value for role in roles_allowed(action))
        st.warning(f"Your role ({who.role.value}) may not {action.value}: this page needs the "
                   f"{roles} role. Ask an admin.", icon=":material/lock:")
        st.stop()


MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>$~|:])")


def plain(text: Any) -> str:
    """User-entered text made safe to place inside Markdown (titles, captions, bold labels):
    the characters that make links, images, emphasis, code, tables, formulas and Streamlit's
    ``:colour[...]`` directives are escaped, so a name is shown as typed. Streamlit never
    renders HTML from Markdown."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


LINK_MAKERS = re.compile(r"([\\\[\]<>$])")


def inert(text: Any) -> str:
    """A whole message made safe to show as Markdown: the characters that make links, images,
    Streamlit's ``:colour[...]`` directives and formulas are escaped, so nothing in it can load
    anything or change how the page looks beyond emphasis; the rest reads as written."""
    return LINK_MAKERS.sub(r"\\\1", str(text))


def label(field: str, value: Any) -> str:
    """A stored vocabulary word as users read it (``ongoing`` -> ``Ongoing``)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    kind = VOCABULARIES.get(field)
    if kind is not None:
        try:
            return kind(value).label
        except ValueError:
            return str(value)
    if field == "digital_maturity":
        return f"{int(value)} · {DIGITAL_MATURITY_LEVELS[int(value)].split(':')[0]}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0")
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return str(value)


def readable(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The chosen columns with vocabulary words as labels and human column titles."""
    shown = frame[columns].copy()
    for column in columns:
        if column in VOCABULARIES:
            shown[column] = [label(column, v) for v in shown[column]]
    return shown.rename(columns=lambda c: FIELD_LABELS.get(c, c.replace("_", " ").capitalize()))


def restore_hint(where: str) -> str:
    """How the signed-in person gets a deleted record back, for the message after a delete:
    a role that may restore is told ``where``; anyone else that an admin can restore it."""
    if allowed(Action.restore):
        return f"you can restore it {where}"
    return "an admin can restore it if it was deleted by mistake"


def forget(prefix: str) -> None:
    """Drop the values of the widgets whose keys start with ``prefix``, so that they are drawn
    empty on the next run (an add form after a successful save)."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]


def flash(message: str) -> None:
    """Show ``message`` as a success notice after the next rerun. Notices name records by what
    people typed, so nothing in them is rendered as a link or an image (:func:`inert`; a name
    holding an image link made every reader's browser fetch it)."""
    st.session_state["flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("flash", None)
    if message:
        st.success(inert(message), icon=":material/check_circle:")


def reorder_warning(scenario: Scenario) -> None:
    """Warn, where a scenario is used, when its method measures each process against the
    others (TOPSIS or VIKOR against the processes ranked): ranks can move as processes come
    and go."""
    if scenario.reorder_warning:
        st.warning(f"{scenario.reorder_warning}.", icon=":material/warning:")


def refused(error: CatalogueError) -> None:
    """Show a refused change: what was wrong, in the user's words, inert (:func:`inert`);
    nothing was saved."""
    st.error(inert(f"Not saved: {error}"), icon=":material/error:")
