"""dti in the browser: page set-up, the sign-in gate, and navigation by role only.

The navigation is registered before the sign-in form (hidden, with every page) so that the page
a link names is still the one shown once the person is signed in; signed in, it offers only the
pages the role may use, and a link to another page says which role it needs.
"""

from pathlib import Path

import streamlit as st

from inventory.errors import CatalogueError
from views.common import catalogue
from views.navigation import PAGES, pages_for, refused_link_page
from views.signin import account_box, signed_in, stop_unless_ready

# A local icon: a Material icon name would make every browser fetch it from Google's servers,
# which a closed network or the content security policy (docs/nginx/dti.conf) refuses.
st.set_page_config(page_title="dti · what to transform",
                   page_icon=str(Path(__file__).parent / "views" / "icon.png"), layout="wide")
try:
    catalogue()  # opened and migrated once; the sample inventory is loaded into an empty database
except CatalogueError as error:  # no database, a newer schema, no server secret...
    st.error(f"The inventory cannot be opened: {error}", icon=":material/error:")
    st.stop()
who = signed_in()
offered = PAGES if who is None else pages_for(who)
refusal = None if who is None else refused_link_page(who)  # a link to a page not offered
navigation = st.navigation([
    st.Page(page.path, title=page.title, icon=page.icon, default=index == 0,
            **({"url_path": page.url_path} if page.url_path else {}))
    for index, page in enumerate(offered)
] + ([refusal] if refusal else []), position="sidebar" if who is not None else "hidden")
who = stop_unless_ready(who)  # the sign-in form until someone is signed in
account_box(who)
navigation.run()
