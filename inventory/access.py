"""Who may do what: the five roles and the one permission matrix every service checks.

Conventions
-----------
* An :class:`Actor` is the person a service acts for: a name (what the audit trail records) and a
  :class:`Role`. Pages build it from the signed-in session, the command line from the operator
  (see :mod:`inventory.cli.shell`).
* Every service that changes something calls :func:`authorize` first; hiding a button is not
  security. Reading is allowed to every role.
* :data:`PERMISSIONS` is the whole matrix, written out once: viewers read; staff read and
  propose, endorse and comment on cases for change (as analysts, leadership and admins may);
  analysts triage those cases, edit the inventory, dependencies, KPIs and assessments and
  import; leadership manages scenarios, takes
  snapshots and exports backlogs; on the roadmap, leadership (the task force) decides the
  initiatives (creates, edits, links, combines, splits them), while analysts and leadership
  record deliverables, their status and progress notes; analysts and admins ask process owners
  to review their processes (a review round), and staff, analysts, leadership and admins
  review and confirm the processes they own (the service checks, besides the role, that the
  account answers for the process's owner: :mod:`inventory.services.reviews`); admins may do
  everything, and alone manage users and restore deleted items.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from inventory.errors import InvalidInput, PermissionDenied


class Role(StrEnum):
    viewer = "viewer"
    staff = "staff"
    analyst = "analyst"
    leadership = "leadership"
    admin = "admin"


class Action(StrEnum):
    """What a service does, as a user would name it (the value reads in messages)."""

    read = "read the inventory, rankings and history"
    edit_inventory = "edit units, processes, dependencies and KPIs"
    assess = "record assessments"
    import_data = "import spreadsheets"
    manage_scenarios = "create, edit and delete scenarios"
    snapshot = "freeze a scenario as a decision snapshot"
    export_backlog = "export the transformation backlog"
    manage_initiatives = "create, edit, combine and split roadmap initiatives"
    propose_cases = "propose, endorse and comment on cases for change"
    triage_cases = "triage cases for change"
    track_delivery = "record deliverables and progress notes on the roadmap"
    request_reviews = "ask process owners to review their processes"
    review_own_processes = "review and confirm the processes they own"
    restore = "restore deleted items"
    manage_users = "manage user accounts"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.viewer: frozenset({Action.read}),
    Role.staff: frozenset({Action.read, Action.propose_cases, Action.review_own_processes}),
    Role.analyst: frozenset({Action.read, Action.edit_inventory, Action.assess,
                             Action.import_data, Action.track_delivery, Action.propose_cases,
                             Action.triage_cases, Action.request_reviews,
                             Action.review_own_processes}),
    Role.leadership: frozenset({Action.read, Action.manage_scenarios, Action.snapshot,
                                Action.export_backlog, Action.manage_initiatives,
                                Action.track_delivery, Action.propose_cases,
                                Action.review_own_processes}),
    Role.admin: frozenset(Action),
}


@dataclass(frozen=True)
class Actor:
    """The person a service acts for."""

    name: str
    role: Role

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]


def roles_allowed(action: Action) -> list[Role]:
    """The roles that may do ``action``, in the order of :class:`Role`."""
    return [role for role in Role if action in PERMISSIONS[role]]


def authorize(actor: Actor, action: Action) -> str:
    """Refuse with :class:`PermissionDenied` unless ``actor`` may do ``action``; return the
    name to record in the audit trail (trimmed, at most 100 characters)."""
    name = (actor.name or "").strip()
    if not name:
        raise InvalidInput("who is making the change is unknown: sign in or give a user name")
    if not actor.may(action):
        allowed = " or ".join(role.value for role in roles_allowed(action))
        raise PermissionDenied(f"{name} ({actor.role.value}) may not {action.value}: that needs "
                               f"the {allowed} role; ask an admin")
    return name[:100]
