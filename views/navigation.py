"""The app's pages and what a role must be allowed to do to be offered each (app.py builds the
navigation from this table; pages a role may not use are not offered at all)."""

from __future__ import annotations

from dataclasses import dataclass

from inventory.access import Action, Actor


@dataclass(frozen=True)
class PageEntry:
    path: str
    title: str
    icon: str
    url_path: str | None
    needs: Action


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
    PageEntry("views/import_data.py", "Import", ":material/upload_file:", "import",
              Action.import_data),
    PageEntry("views/export_data.py", "Export", ":material/download:", "export", Action.read),
    PageEntry("views/history.py", "History", ":material/history:", "history", Action.read),
    PageEntry("views/users.py", "Users", ":material/group:", "users", Action.manage_users),
]


def pages_for(who: Actor) -> list[PageEntry]:
    """The pages offered to ``who``, in menu order."""
    return [page for page in PAGES if who.may(page.needs)]
