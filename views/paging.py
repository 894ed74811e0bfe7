"""Long tables and long choices, a page at a time: at 10,000 processes a table would ship every
row to the browser on every rerun (about 2.5 MB for 10,000 rows of 20 columns), and a choice
every code, so tables show a page of rows with a page picker and choices of a process a "Find"
box with the first matches; search and filters narrow the rows first, on the server."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

PAGE_ROWS = 200


def page_of(frame: pd.DataFrame, key: str, *, rows: int = PAGE_ROWS,
            where: Any = None) -> pd.DataFrame:
    """The rows of ``frame`` on the page the reader chose (all of them when they fit one
    page), with a page picker and "rows a-b of n" drawn in ``where`` (default: the page).
    A page past the end, after a filter narrowed the rows, becomes the last page."""
    pages = max(1, math.ceil(len(frame) / rows))
    if pages == 1:
        st.session_state.pop(key, None)
        return frame
    if int(st.session_state.get(key, 1)) > pages:
        st.session_state[key] = pages
    picker, caption = (where or st).columns([1, 4], vertical_alignment="bottom")
    page = int(picker.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages,
                                   step=1, key=key))
    first = (page - 1) * rows
    shown = frame.iloc[first:first + rows]
    caption.caption(f"Rows {first + 1:,} to {first + len(shown):,} of {len(frame):,}. Search "
                    "and filter to narrow them.")
    return shown


def findable(codes: list[str], names: Mapping[str, str], key: str, *,
             keep: Iterable[object] = (), where: Any = None, rows: int = PAGE_ROWS) -> list[str]:
    """The processes a choice offers: every one while they fit a page; above that, a "Find"
    box drawn in ``where`` and the first ``rows`` whose code or name holds what is typed (any
    case), plus ``keep`` (what is already chosen), so that no list of 10,000 codes travels to
    the browser on every click."""
    if len(codes) <= rows:
        return codes
    place = where or st
    typed = place.text_input("Find a process", key=key, placeholder="part of a code or name")
    needle = typed.strip().lower()
    matching = [c for c in codes if needle in f"{c} {names.get(c, '')}".lower()] \
        if needle else codes
    offered = matching[:rows]
    kept = [c for c in keep if isinstance(c, str) and c in names and c not in offered]
    if len(matching) > rows:
        place.caption(f"{len(matching):,} processes match; the first {rows} are offered. Type "
                      "part of a code or name to find another.")
    return kept + offered
