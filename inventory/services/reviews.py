"""Review rounds: process owners confirm their processes (see :mod:`inventory.review_schemas`
for the words).

Conventions are those of every write (:mod:`inventory.services`). Who may do what
(:mod:`inventory.access`): analysts and admins ask for a round
(:attr:`~inventory.access.Action.request_reviews`); staff, analysts, leadership and admins
review (:attr:`~inventory.access.Action.review_own_processes`), and then only the processes
whose ``process_owner`` is the owner their account answers for (``users.owner_title``, set by
an admin). Analysts and admins may confirm any process on its owner's behalf.

* A round is audited as ``review_round`` (key: its code, ``REV-0001``), its create event
  listing the processes asked; a confirmation as a change of ``review_request`` (key:
  ``REV-0001: HR-REC``), and the process's own fields and lifecycle as a change of the
  ``process``, by the person who confirmed.
* A round asks the live processes that are not retired of one unit, one pillar or all; a
  process whose request of an earlier round is still open is not asked again (the answer says
  how many were skipped). A due date in the past, an unknown unit or pillar and a selection
  left empty are refused.
* Edits through a review go through the same checks as every process edit
  (:meth:`~inventory.services.editing.CatalogueEdits._change_process`); an owner may not
  change the fields of :data:`~inventory.review_schemas.OWNER_LOCKED`.
* Confirming moves the request to confirmed (who, when in UTC, on time when ``today`` is the
  due date or earlier) and the process's lifecycle from draft or in review to validated, in
  the transaction that saves the owner's last changes: all or nothing.
* Dates: every method that compares with the due date takes ``today`` (default: the server's
  date), so an answer can be reproduced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from inventory.access import Action, Actor, authorize
from inventory.errors import InvalidInput, NotFound, PermissionDenied
from inventory.review_schemas import (
    OWNER_LOCKED,
    REVIEWABLE_FIELDS,
    REVIEWED_FROM,
    RequestStatus,
    ReviewRoundIn,
    Scope,
    owner_key,
)
from inventory.schemas import Lifecycle, Pillar, parse_choice
from inventory.services.core import catalogue_transaction, row_record, validated
from inventory.storage import audit, repository, review_rows
from inventory.storage.db import reading
from inventory.storage.models import Process, ReviewRound, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from inventory.services.editing import CatalogueEdits

ROUND = "review_round"
REQUEST = "review_request"
REQUEST_COLUMNS = ["code", "name", "unit", "owner", "lifecycle", "round", "due", "status",
                   "confirmed_by", "confirmed_at", "on_time", "overdue", "empty_fields",
                   "filled", "version"]
"""The columns of :meth:`ReviewBook.list_requests`; ``empty_fields`` is ``; ``-joined in the
order of :data:`~inventory.review_schemas.REVIEWABLE_FIELDS`, ``filled`` how many of them are
filled."""
ROUND_COLUMNS = ["code", "scope", "scope_value", "due", "note", "requested_by", "created_at",
                 "requests", "confirmed", "on_time", "overdue"]
COMPLETENESS_COLUMNS = ["unit", "unit_name", "processes", "filled_share", "requested",
                        "confirmed", "on_time", "overdue"]


@dataclass(frozen=True)
class Selection:
    """A round's scope, checked: what selects its processes (a unit's id, a pillar's word,
    None for all), what the round records (the unit's code, the pillar's word) and how
    messages name it."""

    kind: Scope
    selector: str | int | None
    value: str | None
    label: str


def empty_fields(frame: pd.DataFrame) -> pd.DataFrame:
    """Whether each reviewable field of each row is empty (unknown, or text of spaces only)."""
    empty = {}
    for field in REVIEWABLE_FIELDS:
        column = frame[field]
        blank = column.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
        empty[field] = column.isna() | blank
    return pd.DataFrame(empty, index=frame.index)


def completeness_table(processes: pd.DataFrame, requests: pd.DataFrame,
                       today: dt.date) -> pd.DataFrame:
    """:meth:`ReviewBook.completeness` from the frames it reads (the live processes with
    their unit, lifecycle and reviewable fields; the live requests with their process id,
    status, due date and whether confirmed on time)."""
    processes = processes[processes["lifecycle"] != Lifecycle.RETIRED.value]
    filled = (~empty_fields(processes)).sum(axis=1) / len(REVIEWABLE_FIELDS)
    per_unit = processes.assign(filled=filled.astype(float)).groupby(
        ["unit", "unit_name"]).agg(processes=("code", "size"), filled_share=("filled", "mean"))
    asked = requests.merge(processes[["process_id", "unit"]], on="process_id")
    confirmed = (asked["status"] == RequestStatus.CONFIRMED.value).astype(bool)
    counts = asked.assign(
        requested=1, confirmed=confirmed,
        on_time=confirmed & asked["on_time"].fillna(False).astype(bool),
        overdue=~confirmed & asked["due"].map(lambda due: due < today).astype(bool),
    ).groupby("unit")[["requested", "confirmed", "on_time", "overdue"]].sum()
    frame = per_unit.reset_index().merge(counts, left_on="unit", right_index=True, how="left")
    for column in ("requested", "confirmed", "on_time", "overdue"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame["filled_share"] = frame["filled_share"].astype(float)
    return frame.sort_values("unit", kind="stable")[COMPLETENESS_COLUMNS].reset_index(drop=True)


class ReviewBook:
    """The review rounds on one catalogue (see the module)."""

    def __init__(self, catalogue: CatalogueEdits) -> None:
        self.catalogue = catalogue
        self.engine = catalogue.engine

    # ------------------------------------------------------------------ reads

    def list_requests(self, *, round: str | None = None, owner_title: str | None = None,
                      status: str | None = None, today: dt.date | None = None
                      ) -> pd.DataFrame:
        """Review requests of live processes, by round and process (see
        :data:`REQUEST_COLUMNS`), filtered by round code, owner title (as
        :func:`~inventory.review_schemas.owner_key` compares) and status; ``overdue`` is open
        and past the due date on ``today``."""
        today = today or dt.date.today()
        with reading(self.engine) as s:
            processes = review_rows.processes_frame(s)
            requests = review_rows.requests_frame(s)
            if round is not None and review_rows.round_by_code(s, round) is None:
                raise NotFound(f"no review round has the code '{round.strip()}'; check the code "
                               "in the list of rounds")
        if status is not None:
            try:
                wanted = parse_choice(RequestStatus, status).value
            except ValueError as error:
                raise InvalidInput(f"status: {error}") from None
            requests = requests[requests["status"] == wanted]
        if round is not None:
            requests = requests[requests["round"].str.upper() == round.strip().upper()]
        frame = requests.merge(processes, on="process_id", how="inner", sort=False)
        if owner_title is not None:
            key = owner_key(owner_title)
            frame = frame[frame["process_owner"].map(owner_key) == key] if key else frame[:0]
        return self._request_rows(frame, today)

    @staticmethod
    def _request_rows(frame: pd.DataFrame, today: dt.date) -> pd.DataFrame:
        empty = empty_fields(frame)
        names = [[f for f in REVIEWABLE_FIELDS if row[f]] for row in empty.to_dict("records")]
        rows = frame.assign(
            owner=frame["process_owner"],
            overdue=[(s == RequestStatus.REQUESTED.value and due < today)
                     for s, due in zip(frame["status"], frame["due"], strict=True)],
            empty_fields=pd.Series(["; ".join(n) or None for n in names], index=frame.index,
                                   dtype=object),
            filled=[len(REVIEWABLE_FIELDS) - len(n) for n in names])
        rows = rows.sort_values(["round", "code"], kind="stable")
        return rows[REQUEST_COLUMNS].reset_index(drop=True)

    def owner_title(self, actor: Actor) -> str | None:
        """The process owner ``actor``'s account answers for, if any (an account of that name
        in any case, linked by an admin)."""
        with reading(self.engine) as s:
            return review_rows.owner_title(s, actor.name)

    def mine(self, actor: Actor, *, status: str | None = None,
             today: dt.date | None = None) -> pd.DataFrame:
        """The requests of the processes whose owner ``actor``'s account answers for (none
        when it answers for no owner)."""
        title = self.owner_title(actor)
        return self.list_requests(owner_title=title or "", status=status, today=today)

    def rounds(self, *, today: dt.date | None = None) -> pd.DataFrame:
        """Every round by code with its progress: requests, confirmed, on time, overdue."""
        today = today or dt.date.today()
        with reading(self.engine) as s:
            rounds = review_rows.rounds_frame(s)
        requests = self.list_requests(today=today)
        progress = requests.assign(
            confirmed=requests["status"] == RequestStatus.CONFIRMED.value,
            on_time=requests["on_time"].fillna(False).astype(bool),
        ).groupby("round").agg(requests=("code", "size"), confirmed=("confirmed", "sum"),
                               on_time=("on_time", "sum"), overdue=("overdue", "sum"))
        frame = rounds.merge(progress, left_on="code", right_index=True, how="left")
        for column in ("requests", "confirmed", "on_time", "overdue"):
            frame[column] = frame[column].fillna(0).astype(int)
        return frame[ROUND_COLUMNS].reset_index(drop=True)

    def reach(self, scope: str, value: str | None = None) -> dict[str, Any]:
        """What a round of this scope would ask, without asking: ``processes`` selected,
        ``asked`` (not already in an open request), ``skipped``, and ``owners`` (the distinct
        owner titles of the processes asked; a process with no owner counts none) and
        ``linked`` (how many of those owners an account answers for)."""
        checked = self._checked_scope(scope, value)
        with reading(self.engine) as s:
            selected, asked = self._selection(s, checked)
            linked = {owner_key(t) for t in review_rows.owner_titles(s).values()}
        owners = {owner_key(owner) for _, _, owner in asked if owner_key(owner)}
        return {"processes": len(selected), "asked": len(asked),
                "skipped": len(selected) - len(asked), "owners": len(owners),
                "linked": len(owners & linked)}

    def completeness(self, *, today: dt.date | None = None) -> pd.DataFrame:
        """Per unit, over its live processes that are not retired: how many, the share of the
        reviewable fields filled (0 to 1, the mean over the processes), and of their review
        requests (every round) how many were requested, confirmed, confirmed on time, and are
        overdue (open and past due on ``today``). By unit code; a unit without such processes
        is left out."""
        with reading(self.engine) as s:
            processes = review_rows.processes_frame(s)
            requests = review_rows.requests_frame(s)
        return completeness_table(processes, requests, today or dt.date.today())

    def history(self, code: str) -> pd.DataFrame:
        """Audit events of a round and its requests, newest first."""
        with reading(self.engine) as s:
            round_code = self._existing_round(s, code).code
            events = repository.audit_frame(s, entity=[ROUND, REQUEST])
        keys = events["entity_key"].str.split(":").str[0]
        return events[keys == round_code].reset_index(drop=True)

    # ------------------------------------------------------------------ writes

    def request(self, scope: str, value: str | None, due: dt.date | str, actor: Actor, *,
                note: str | None = None, today: dt.date | None = None) -> dict[str, Any]:
        """Ask the owners of the processes of ``scope`` (see the module) to review them by
        ``due``; return the round (see :data:`ROUND_COLUMNS`) with ``skipped``, how many
        processes were left out as already waiting in an open request."""
        who = authorize(actor, Action.request_reviews)
        today = today or dt.date.today()
        checked = validated(ReviewRoundIn, {"scope": scope, "value": value, "due": due,
                                            "note": note}, "Review round")
        if checked.due < today:
            raise InvalidInput(f"the due date {checked.due.isoformat()} is in the past; give "
                               f"today ({today.isoformat()}) or a later date")
        scope_ = self._checked_scope(checked.scope.value, checked.value)
        with catalogue_transaction(self.engine) as s:
            selected, asked = self._selection(s, scope_)
            if not asked:
                waiting = ", ".join(sorted(set(review_rows.open_requests(s).values())))
                raise InvalidInput(f"all {len(selected)} processes of {scope_.label} are "
                                   f"already waiting in an open review ({waiting}); nothing "
                                   "new to ask")
            code = review_rows.next_code(s)
            row = ReviewRound(code=code, scope=scope_.kind.value, scope_value=scope_.value,
                              due=checked.due, note=checked.note, requested_by=who)
            audit.record_create(s, row, ROUND, code, who, {
                "scope": scope_.kind.value, "scope_value": scope_.value, "due": checked.due,
                "note": checked.note, "processes": "; ".join(c for _, c, _ in asked)})
            review_rows.insert_requests(s, row.id, [i for i, _, _ in asked], who,
                                        row.created_at)
        record = self._round_record(code, today)
        return record | {"skipped": len(selected) - len(asked)}

    def edit_own(self, code: str, changes: dict[str, Any], seen_version: int | None,
                 actor: Actor) -> dict[str, Any]:
        """An owner changes fields of a process they own (not those of
        :data:`~inventory.review_schemas.OWNER_LOCKED`); refused unless the actor's account
        answers for the process's owner. Return the process as stored."""
        who = authorize(actor, Action.review_own_processes)
        self._check_unlocked(changes)
        with catalogue_transaction(self.engine) as s:
            process = self.catalogue._existing_process(s, code, lock=True)
            self._check_owner(s, process, actor, who)
            new_code = self.catalogue._change_process(s, process.code, changes, seen_version,
                                                      who).code
        return self.catalogue._process_record(new_code)

    def confirm(self, code: str, actor: Actor, changes: dict[str, Any] | None = None,
                seen_version: int | None = None, *, today: dt.date | None = None
                ) -> dict[str, Any]:
        """Confirm a process's open request, saving ``changes`` first (see the module); the
        owner confirms, or an analyst or admin on the owner's behalf. Return the request as
        :meth:`list_requests` lists it."""
        who = authorize(actor, Action.review_own_processes)
        today = today or dt.date.today()
        changes = dict(changes or {})
        self._check_unlocked(changes)
        with catalogue_transaction(self.engine) as s:
            process = self.catalogue._existing_process(s, code, lock=True)
            if not actor.may(Action.request_reviews):
                self._check_owner(s, process, actor, who)
            found = review_rows.open_request(s, process.id)
            if found is None:
                raise InvalidInput(f"{process.code} has no open review request: it was "
                                   "confirmed already or never asked; nothing to confirm")
            request, round_ = found
            if process.lifecycle in REVIEWED_FROM:
                changes["lifecycle"] = Lifecycle.VALIDATED.value
            if changes:
                self.catalogue._change_process(s, process.code, changes, seen_version, who)
            else:
                audit.check_version(s, process, "process", process.code, seen_version)
            now, on_time = utcnow(), today <= round_.due
            before = {"status": request.status, "confirmed_by": None, "confirmed_at": None,
                      "on_time": None}
            after = {"status": RequestStatus.CONFIRMED.value, "confirmed_by": who,
                     "confirmed_at": now, "on_time": on_time}
            audit.apply_changes(s, request, REQUEST, f"{round_.code}: {process.code}", who,
                                before, after, after)
            process_code, round_code = process.code, round_.code
        frame = self.list_requests(round=round_code, today=today)
        return row_record(frame, frame["code"] == process_code)

    # ------------------------------------------------------------------ checks and lookups

    def _checked_scope(self, scope: str, value: str | None) -> Selection:
        """What selects the processes of a scope; an unknown scope, unit or pillar is
        refused."""
        try:
            kind = parse_choice(Scope, scope)
        except ValueError as error:
            raise InvalidInput(f"scope: {error}") from None
        value = (value or "").strip() or None
        if kind is Scope.ALL:
            if value is not None:
                raise InvalidInput("a round for all processes names no unit or pillar; leave "
                                   "the value empty")
            return Selection(kind, None, None, "the inventory")
        if value is None:
            raise InvalidInput(f"name the {kind.value} whose processes are to be reviewed")
        if kind is Scope.PILLAR:
            try:
                pillar = parse_choice(Pillar, value)
            except ValueError as error:
                raise InvalidInput(f"pillar: {error}") from None
            return Selection(kind, pillar.value, pillar.value, f"the pillar {pillar.label}")
        with reading(self.engine) as s:
            unit = self.catalogue._existing_unit(s, value)
            return Selection(kind, unit.id, unit.code, f"the unit {unit.code}")

    @staticmethod
    def _selection(s: Session, scope: Selection
                   ) -> tuple[list[tuple[int, str, str | None]],
                              list[tuple[int, str, str | None]]]:
        """The processes ``scope`` selects, and those of them not waiting in an open
        request; an empty selection is refused."""
        selected = review_rows.selected_processes(s, scope.kind, scope.selector)
        if not selected:
            raise InvalidInput(f"{scope.label} has no live process that is not retired: there "
                               "is nothing to review; choose another scope")
        waiting = review_rows.open_requests(s)
        return selected, [item for item in selected if item[0] not in waiting]

    @staticmethod
    def _check_unlocked(changes: dict[str, Any]) -> None:
        locked = [field for field in OWNER_LOCKED if field in changes]
        if locked:
            raise InvalidInput(f"{', '.join(locked)}: an owner may not change "
                               f"{'this field' if len(locked) == 1 else 'these fields'} "
                               "through a review; ask an analyst to change it in the "
                               "inventory")

    @staticmethod
    def _check_owner(s: Session, process: Process, actor: Actor, who: str) -> None:
        """Refuse unless ``actor``'s account answers for the owner of ``process``."""
        title = review_rows.owner_title(s, actor.name)
        if not owner_key(title):
            raise PermissionDenied(f"{who} is linked to no process owner, so may edit no "
                                   "process through a review; an admin links accounts to "
                                   "process owners on the Users page")
        if owner_key(title) != owner_key(process.process_owner):
            raise PermissionDenied(f"{who} may edit only the processes they own ({title}); "
                                   f"{process.code} is owned by "
                                   f"{process.process_owner or 'nobody yet'}")

    @staticmethod
    def _existing_round(s: Session, code: str) -> ReviewRound:
        row = review_rows.round_by_code(s, code)
        if row is None or row.deleted_at is not None:
            raise NotFound(f"no review round has the code '{(code or '').strip()}'; check the "
                           "code in the list of rounds")
        return row

    def _round_record(self, code: str, today: dt.date) -> dict[str, Any]:
        frame = self.rounds(today=today)
        return row_record(frame, frame["code"] == code)
