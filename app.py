"""dti in the browser: page set-up, the sign-in gate, and navigation by role only."""

import streamlit as st

from views.common import catalogue
from views.navigation import pages_for
from views.signin import account_box, gate

st.set_page_config(page_title="dti · what to transform", page_icon=":material/hub:",
                   layout="wide")
catalogue()  # opened and migrated once; the sample inventory is loaded into an empty database
who = gate()  # stops here with the sign-in form until someone is signed in

navigation = st.navigation([
    st.Page(page.path, title=page.title, icon=page.icon, default=index == 0,
            **({"url_path": page.url_path} if page.url_path else {}))
    for index, page in enumerate(pages_for(who))
])
account_box(who)
navigation.run()
