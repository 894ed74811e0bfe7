"""What the Roadmap's and the Cases' forms share: how a stored word and a cell read, and the
flow of an edit (a refusal shown as one sentence; a stale version kept until the person loads
the latest; the record to open after a save).

Conventions
-----------
* An :class:`EditFlow` keeps its state in ``st.session_state`` under keys starting with its
  page's ``prefix`` (``rm`` for the Roadmap, ``cs`` for the Cases): ``<prefix>_seen:<slot>``
  the version a form was opened on, ``<prefix>_conflict:<slot>`` a kept stale-version refusal,
  :attr:`EditFlow.pending` the record to open on the next run (a widget cannot change once
  drawn), ``<prefix>_open`` the record open in the detail.
* The services check the role again and validate; a refusal is never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from inventory.errors import CatalogueError, Conflict
from inventory.schemas import Choice, same_code
from views.common import flash, refused


def word(kind: type[Choice], value: Any) -> str:
    """A stored vocabulary word as people read it (an empty cell as "—")."""
    if not isinstance(value, str):
        return "—"
    try:
        return kind(value).label
    except ValueError:
        return value


def text(value: Any) -> str:
    """A cell as text, an empty one as ""."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def items(value: Any) -> list[str]:
    """A ``;``-separated list cell (processes, KPIs, endorsers) as a list."""
    return [item.strip() for item in text(value).split(";") if item.strip()]


@dataclass(frozen=True)
class EditFlow:
    """One page's edit flow (see the module)."""

    prefix: str

    @property
    def pending(self) -> str:
        return f"{self.prefix}_pending_open"

    @property
    def open_key(self) -> str:
        return f"{self.prefix}_open"

    def saved(self, message: str, open_code: str | None = None) -> None:
        """Confirm a save on the next run, with ``open_code`` open in the detail."""
        flash(message)
        if open_code is not None:
            st.session_state[self.pending] = open_code
        st.rerun()

    def attempt(self, call: Callable[[], Any], slot: str | None = None) -> Any | None:
        """``call()``'s result, or None when the service refused: a stale version is kept for
        :meth:`conflict_notice` under ``slot``; any other refusal is shown at once."""
        try:
            return call()
        except Conflict as error:
            if slot is None:
                refused(error)
            else:
                st.session_state[f"{self.prefix}_conflict:{slot}"] = error
        except CatalogueError as error:
            refused(error)
        return None

    def seen_version(self, slot: str, current: int) -> int:
        """The version an edit form was opened on; kept until a save or a reload."""
        return int(st.session_state.setdefault(f"{self.prefix}_seen:{slot}", current))

    def forget_seen(self, slot: str) -> None:
        """After a save: the next form opens on the version now stored."""
        st.session_state.pop(f"{self.prefix}_seen:{slot}", None)

    def open_record(self, title: str, codes: list[str], shown: Callable[[str], str], *,
                    query: str, placeholder: str) -> str | None:
        """The select box that opens one record in the detail: the record saved last (see
        :meth:`saved`) or the one the link's ``?<query>=CODE`` names (any case) opens first;
        the choice is written back to the address so it can be shared."""
        key = self.open_key
        if self.pending in st.session_state:
            st.session_state[key] = st.session_state.pop(self.pending)
        wanted = st.query_params.get(query)
        if key not in st.session_state and wanted:
            st.session_state[key] = next((c for c in codes if same_code(c, wanted)), None)
        if st.session_state.get(key) not in codes:
            st.session_state.pop(key, None)
        code = st.selectbox(title, codes, index=None, key=key, placeholder=placeholder,
                            format_func=shown)
        if code is None:
            st.query_params.pop(query, None)
        else:
            st.query_params[query] = code
        return code

    def conflict_notice(self, slot: str, discard: str) -> None:
        """A kept stale-version refusal, until the person loads the latest version (the
        button says ``discard``)."""
        error = st.session_state.get(f"{self.prefix}_conflict:{slot}")
        if error is None:
            return
        refused(error)
        if st.button(discard, key=f"{self.prefix}_reload:{slot}"):
            for kind in ("seen", "conflict"):
                st.session_state.pop(f"{self.prefix}_{kind}:{slot}", None)
            st.rerun()
