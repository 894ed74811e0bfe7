"""What this app process holds in its shared results cache, for an admin (see
:mod:`inventory.results`): each result, the revision of the data it was computed from, the role
it was computed for, its size, how often it was reused and how long it took."""

from __future__ import annotations

import streamlit as st

from views.common import catalogue, flash


def cache_panel() -> None:
    results = catalogue().results
    cache = results.cache
    entries = cache.entries()
    held = entries["megabytes"].sum()
    limit = cache.max_bytes / 1024 / 1024
    with st.expander(f"Shared results on this server: {len(entries)} held, {held:,.1f} of "
                     f"{limit:,.0f} MB", icon=":material/memory:"):
        st.caption(f"Rankings, frontiers, Monte Carlo runs and files are computed once per "
                   f"revision of the data and reused by every session of this app process "
                   f"until someone changes the data (revision now {results.revision():,}). "
                   f"Computed so far: {cache.computed:,}; dropped: {cache.evicted:,}. The "
                   f"limits are {cache.max_entries:,} results and {limit:,.0f} MB "
                   "(DTI_CACHE_MB); the least recently used go first.")
        st.dataframe(entries.drop(columns="database"), hide_index=True, width="stretch",
                     column_config={
                         "megabytes": st.column_config.NumberColumn("MB", format="%.2f"),
                         "computed in (s)": st.column_config.NumberColumn(format="%.2f"),
                         "age (s)": st.column_config.NumberColumn(format="%.0f")})
        if st.button("Empty the cache", key="cache_clear", icon=":material/delete_sweep:",
                     help="Everything is computed again when next needed; nothing is lost."):
            cache.clear()
            flash("The shared results cache is empty; results are computed again when "
                  "next needed.")
            st.rerun()
