"""The app's pages and what a role must be allowed to do to be offered each (app.py builds the
navigation from this table; pages a role may not use are not offered at all).

A link to a page the role is not offered (``/import`` opened by a viewer) opens, at that
address, a page of :func:`refused_link_page` that names the page and the role it needs, instead
of Streamlit's "page not found" and the first page. The page asked for is read from the
browser's address (``st.context.url``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from inventory.access import Action, Actor, roles_allowed


@dataclass(frozen=True)
class PageEntry:
    path: str
    title: str
    icon: str
    url_path: str | None
    needs: Action

    @property
    def address(self) -> str:
        """The page's last URL segment: its ``url_path``, else its file name without ``.py``
        (Streamlit's own default for a page given by file)."""
        return self.url_path or PurePosixPath(self.path).stem


PAGES = [
    PageEntry("views/overview.py", "Overview", ":material/dashboard:", None, Action.read),
    PageEntry("views/inventory.py", "Inventory", ":material/account_tree:", None, Action.read),
    PageEntry("views/dependencies.py", "Dependencies", ":material/hub:", None, Action.read),
    PageEntry("views/assess.py", "Assess", ":material/rate_review:", None, Action.assess),
    PageEntry("views/prioritise.py", "Prioritise", ":material/leaderboard:", None, Action.read),
    PageEntry("views/scenarios.py", "Scenarios", ":material/compare_arrows:", "scenarios",
              Action.read),
    PageEntry("views/robustness.py", "Robustness", ":material/shield:", "robustness",
              Action.read),
    PageEntry("views/portfolio.py", "Portfolio", ":material/view_timeline:", "portfolio",
              Action.read),
    PageEntry("views/backlog.py", "Backlog", ":material/checklist:", None, Action.export_backlog),
    PageEntry("views/roadmap.py", "Roadmap", ":material/flag:", "roadmap", Action.read),
    PageEntry("views/cases.py", "Cases", ":material/lightbulb:", "cases", Action.read),
    PageEntry("views/reviews.py", "Reviews", ":material/fact_check:", "reviews", Action.read),
    PageEntry("views/import_data.py", "Import", ":material/upload_file:", "import",
              Action.import_data),
    PageEntry("views/export_data.py", "Export", ":material/download:", "export", Action.read),
    PageEntry("views/history.py", "History", ":material/history:", "history", Action.read),
    PageEntry("views/users.py", "Users", ":material/group:", "users", Action.manage_users),
]


def pages_for(who: Actor) -> list[PageEntry]:
    """The pages offered to ``who``, in menu order."""
    return [page for page in PAGES if who.may(page.needs)]


def requested_page(url: str | None) -> PageEntry | None:
    """The page whose address ends the path of ``url`` (the browser's address), if any."""
    if not url:
        return None
    segment = PurePosixPath(urlsplit(url).path).name
    return next((page for page in PAGES if page.address == segment), None)


def refused_link_message(asked: PageEntry, who: Actor) -> str:
    """Why ``who`` cannot open ``asked``, and what to do about it."""
    roles = " or ".join(role.value for role in roles_allowed(asked.needs))
    return (f"{asked.title} needs the {roles} role; you are signed in as {who.name} with the "
            f"{who.role.value} role. Ask an admin if you need it.")


def refused_link_page(who: Actor) -> StreamlitPage | None:
    """When the browser's address names a page ``who`` is not offered, a page at that address
    (hidden from the menu) saying so, to register with the navigation; otherwise None."""
    asked = requested_page(st.context.url)
    if asked is None or who.may(asked.needs):
        return None
    return st.Page(partial(_explain_refusal, asked, who), title=asked.title, icon=asked.icon,
                   url_path=asked.address, visibility="hidden")


def _explain_refusal(asked: PageEntry, who: Actor) -> None:
    st.title(asked.title)
    st.warning(refused_link_message(asked, who), icon=":material/lock:")
    home = PAGES[0]
    st.page_link(home.path, label=f"Go to the {home.title}", icon=home.icon)
