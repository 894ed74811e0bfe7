"""dti in the browser: page set-up, the catalogue, the acting user, and navigation only."""

import streamlit as st

from views.common import actor_box, catalogue

st.set_page_config(page_title="dti · what to transform", page_icon=":material/hub:",
                   layout="wide")
catalogue()  # opened and migrated once; the sample inventory is loaded into an empty database

navigation = st.navigation([
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/inventory.py", title="Inventory", icon=":material/account_tree:"),
    st.Page("views/dependencies.py", title="Dependencies", icon=":material/hub:"),
    st.Page("views/assess.py", title="Assess", icon=":material/rate_review:"),
    st.Page("views/prioritise.py", title="Prioritise", icon=":material/leaderboard:"),
    st.Page("views/scenarios.py", title="Scenarios", icon=":material/compare_arrows:",
            url_path="scenarios"),
    st.Page("views/robustness.py", title="Robustness", icon=":material/shield:",
            url_path="robustness"),
    st.Page("views/portfolio.py", title="Portfolio", icon=":material/view_timeline:",
            url_path="portfolio"),
    st.Page("views/backlog.py", title="Backlog", icon=":material/checklist:"),
    st.Page("views/import_data.py", title="Import", icon=":material/upload_file:",
            url_path="import"),
    st.Page("views/export_data.py", title="Export", icon=":material/download:",
            url_path="export"),
])
actor_box()
navigation.run()
