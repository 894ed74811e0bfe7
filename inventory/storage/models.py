"""The catalogue's tables as SQLAlchemy 2.x typed models.

Conventions
-----------
* Every editable record carries ``version`` (starts at 1, +1 on every change, delete and restore
  included), who created and last changed it and when (UTC, stored without time zone), and a soft
  delete (``deleted_at``/``deleted_by``): nothing is ever removed from the database.
* Vocabularies are stored as their machine words (see :mod:`inventory.schemas`) in plain strings,
  so a new word needs no schema change.
* ``audit_events`` and ``snapshots`` are append-only: triggers in the migrations refuse UPDATE
  and DELETE (and, on PostgreSQL, TRUNCATE) on them, and each row carries a ``seal`` keyed with
  the server secret that shows a rewrite (see :mod:`inventory.storage.sealing`).
* The schema changes only through Alembic (``inventory/storage/migrations``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from inventory.schemas import KPI_NAME_LENGTH, NAME_LENGTH

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Now in UTC, without tzinfo (the form stored in every timestamp column)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Tracked:
    """Columns shared by every editable record: version, who and when, soft delete."""

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(100))


class Unit(Tracked, Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    kind: Mapped[str] = mapped_column(String(30))


class Process(Tracked, Base):
    __tablename__ = "processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    process_owner: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    change_owner: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    pillar: Mapped[str | None] = mapped_column(String(40))
    priority_area: Mapped[str | None] = mapped_column(String(40))
    process_type: Mapped[str | None] = mapped_column(String(20))
    lifecycle: Mapped[str] = mapped_column(String(20))
    transformation_status: Mapped[str] = mapped_column(String(20))
    digital_maturity: Mapped[int | None] = mapped_column(Integer)
    annual_volume: Mapped[int | None] = mapped_column(Integer)
    staff_effort_fte: Mapped[float | None] = mapped_column(Float)
    cycle_time_days: Mapped[float | None] = mapped_column(Float)
    pain_points: Mapped[str | None] = mapped_column(Text)
    systems_used: Mapped[str | None] = mapped_column(Text)
    stakeholders: Mapped[str | None] = mapped_column(Text)
    quick_fix_candidate: Mapped[bool] = mapped_column(Boolean, default=False)
    earliest_start: Mapped[dt.date | None] = mapped_column(Date)
    target_milestone: Mapped[str | None] = mapped_column(String(20))
    estimated_cost_chf: Mapped[float | None] = mapped_column(Float)
    estimated_effort_pm: Mapped[float | None] = mapped_column(Float)
    resources_needed: Mapped[str | None] = mapped_column(Text)
    related_initiatives: Mapped[str | None] = mapped_column(Text)
    external_reference: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    tags: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("digital_maturity BETWEEN 1 AND 5", name="maturity_1_to_5"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )


class Dependency(Tracked, Base):
    """``downstream`` depends on (receives from) ``upstream``. Cycles are allowed."""

    __tablename__ = "dependencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    upstream_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True)
    downstream_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    strength: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("upstream_id", "downstream_id"),
        CheckConstraint("upstream_id <> downstream_id", name="no_self_dependency"),
        CheckConstraint("strength BETWEEN 1 AND 3", name="strength_1_to_3"),
    )


class Kpi(Tracked, Base):
    __tablename__ = "kpis"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True)
    name: Mapped[str] = mapped_column(String(KPI_NAME_LENGTH))
    unit_of_measure: Mapped[str | None] = mapped_column(String(60))
    direction: Mapped[str] = mapped_column(String(10))
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("process_id", "name"),)


class Assessment(Tracked, Base):
    """One rater's value; several raters per process and criterion are kept side by side."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True)
    criterion_key: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    rater: Mapped[str] = mapped_column(String(100))
    rationale: Mapped[str | None] = mapped_column(Text)
    assessed_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("process_id", "criterion_key", "rater"),)


class AuditEvent(Base):
    """One changed field (or one create/delete/restore) of one record; never updated or deleted.
    ``seal`` chains it to the event before (:func:`inventory.storage.sealing.audit_seal`)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    entity_key: Mapped[str] = mapped_column(String(100))
    entity_version: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    seal: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)


class ImportRecord(Base):
    """One import that changed the database: which file (and its SHA-256), who, when, counts."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    counts: Mapped[str] = mapped_column(Text)  # JSON: {"processes": {"created": n, ...}, ...}


class SavedScenario(Tracked, Base):
    """A named prioritisation scenario; ``settings`` is its JSON (see scoring.scenario)."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    settings: Mapped[str] = mapped_column(Text)


class Snapshot(Base):
    """A scenario frozen for a decision: its inputs, criteria, settings and results as JSON,
    with the SHA-256 of that content and a ``seal`` keyed with the server secret
    (:func:`.sealing.snapshot_seal`). Append-only: triggers refuse UPDATE and DELETE."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    taken_by: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[str] = mapped_column(Text)
    seal: Mapped[str] = mapped_column(String(64))


class UserAccount(Tracked, Base):
    """A person who may sign in. ``password_hash`` is an argon2id hash (never the password) and
    is empty for accounts that only sign in through single sign-on. ``failed_attempts`` counts
    wrong passwords since the last sign-in, for the admin to see; it locks nothing (the waits
    are per source, :class:`SignInFailure`). Accounts are disabled, not deleted, so the audit
    trail's names stay explained. ``owner_title`` is the process owner the person answers for
    (a title as ``processes.process_owner`` holds it, e.g. "Head, HR Operations"), set by an
    admin; it lets them review and confirm those processes (:mod:`inventory.services.reviews`)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    owner_title: Mapped[str | None] = mapped_column(String(200))


class SignInSession(Base):
    """A browser kept signed in across reloads (see :mod:`inventory.services.accounts`). Only the
    SHA-256 of the token the browser holds is stored, so a copy of the database cannot resume
    anyone's session. A session is refused once ``expires_at`` has passed or once it is revoked
    (``revoked_at`` set: signed out, account disabled, password reset or changed). Unlike the
    catalogue's records these rows are not kept for ever: an account's expired sessions are
    dropped when it next signs in (the audit trail keeps the sign-ins themselves)."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class CatalogueRevision(Base):
    """One row: the catalogue's revision, advanced by every committed change to units,
    processes, dependencies, KPIs, assessments, imports, scenarios and snapshots (never by
    sign-ins). App processes key their shared derived results by it (inventory/results.py)."""

    __tablename__ = "catalogue_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TableRevision(Base):
    """For each catalogue table, the catalogue revision of the last committed change that
    wrote to it (a row is missing until the first such change: the catalogue revision stands
    in). A frame read from tables none of which changed is still valid, so the shared results
    keep it across revisions (inventory/results.py): a process edited does not make 170,000
    assessments be read again."""

    __tablename__ = "table_revisions"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)


class SignInFailure(Base):
    """Failed password sign-ins for one typed user name from one source (see
    :mod:`inventory.sign_in_throttle`): how many since the last success and when the last one
    was. Kept for unknown names exactly as for accounts, so it says nothing about which names
    exist; ``username_key`` is therefore not a foreign key. A row is dropped on a successful
    sign-in from that source, when an admin clears it, and a day after its last failure."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username_key: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)

    __table_args__ = (UniqueConstraint("username_key", "source"),
                      Index("ix_sign_in_failures_source", "source"))


class Initiative(Tracked, Base):
    """An initiative of the transformation roadmap (see :mod:`inventory.roadmap_schemas`).

    ``lineage`` says why it left the roadmap while staying on record: ``combined`` (absorbed by
    ``combined_into_id``) or ``split`` (replaced by the initiatives whose ``split_from_id`` is
    this one); empty while it is on the roadmap. ``snapshot_id`` is the decision snapshot that
    justified it, when it was proposed from a ranked backlog. ``studies`` and ``tags`` are
    ``; ``-separated lists."""

    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    pillar: Mapped[str | None] = mapped_column(String(40))
    priority_area: Mapped[str | None] = mapped_column(String(40))
    business_owner: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    status_reason: Mapped[str | None] = mapped_column(Text)
    lineage: Mapped[str | None] = mapped_column(String(20))
    combined_into_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"))
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    budget_chf: Mapped[float | None] = mapped_column(Float)
    staff_pm: Mapped[float | None] = mapped_column(Float)
    studies: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(Text)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))

    __table_args__ = (
        CheckConstraint("combined_into_id IS NULL OR combined_into_id <> id",
                        name="not_combined_into_itself"),
    )


class InitiativeProcess(Base):
    """A process an initiative transforms. The links are a field of the initiative: they
    change with its version and are audited as its ``processes`` field."""

    __tablename__ = "initiative_processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True)

    __table_args__ = (UniqueConstraint("initiative_id", "process_id"),)


class InitiativeKpi(Base):
    """A KPI an initiative is to move (audited as the initiative's ``kpis`` field)."""

    __tablename__ = "initiative_kpis"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id"), index=True)

    __table_args__ = (UniqueConstraint("initiative_id", "kpi_id"),)


class Deliverable(Tracked, Base):
    """What an initiative is to deliver by a milestone (``C26``, ``PP-26`` or an ISO date);
    ``ref`` names it within its initiative."""

    __tablename__ = "deliverables"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    ref: Mapped[str] = mapped_column(String(60))
    objective: Mapped[str | None] = mapped_column(Text)
    milestone: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    due: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str | None] = mapped_column(String(NAME_LENGTH))

    __table_args__ = (UniqueConstraint("initiative_id", "ref"),)


class ProgressUpdate(Tracked, Base):
    """A dated note on an initiative: progress, an obstacle or a decision needed. An obstacle
    or a decision stays open until someone resolves it (``resolved_at``, ``resolved_by``)."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    noted_on: Mapped[dt.date] = mapped_column(Date)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class CaseForChange(Tracked, Base):
    """A case for change proposed by a member of staff (see :mod:`inventory.case_schemas`):
    the problem today, the idea, who proposed it; triaged by analysts (``status``, with the
    reason when declined), merged into another (``merged_into_id``) or handed to an initiative
    (``initiative_id``)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    problem: Mapped[str] = mapped_column(Text)
    idea: Mapped[str] = mapped_column(Text)
    priority_area: Mapped[str | None] = mapped_column(String(40))
    benefit: Mapped[str | None] = mapped_column(Text)
    effort: Mapped[str | None] = mapped_column(String(10))
    links: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    status_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id"))
    proposed_by: Mapped[str] = mapped_column(String(100), index=True)


class CaseProcess(Base):
    """A process a case is about: one of the inventory's, or one not in it yet (by name)."""

    __tablename__ = "case_processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id"), index=True)
    new_process_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))

    __table_args__ = (CheckConstraint("(process_id IS NULL) <> (new_process_name IS NULL)",
                                      name="process_or_new_name"),)


class CaseEndorsement(Tracked, Base):
    """One person's endorsement of a case (once per person and case)."""

    __tablename__ = "case_endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    username: Mapped[str] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("case_id", "username"),)


class CaseComment(Tracked, Base):
    """A comment on a case."""

    __tablename__ = "case_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    text: Mapped[str] = mapped_column(Text)


class ReviewRound(Tracked, Base):
    """A request to the owners of some processes to review them by ``due`` (see
    :mod:`inventory.review_schemas`): ``scope`` is ``unit``, ``pillar`` or ``all``, with the
    unit's code or the pillar's word in ``scope_value`` (empty for all)."""

    __tablename__ = "review_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    scope: Mapped[str] = mapped_column(String(10))
    scope_value: Mapped[str | None] = mapped_column(String(40))
    due: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(100))


class ReviewRequest(Tracked, Base):
    """One process of a round: ``requested`` until its owner (or an analyst for them) confirms
    it, then ``confirmed`` with who, when (UTC) and whether by the round's due date."""

    __tablename__ = "review_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"), index=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    on_time: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (UniqueConstraint("round_id", "process_id"),)


class WeightingRound(Tracked, Base):
    """A round in which invited members weigh a scenario's criteria, each on their own, by
    direct weights or pairwise judgements (``mode``); closing it combines the answers
    (``method``) and writes the group's weights into the scenario. ``criteria`` is the JSON
    list of the criterion keys weighed; ``result`` the JSON of the combination (see
    :mod:`inventory.services.rounds`), empty while the round is open."""

    __tablename__ = "weighting_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    criteria: Mapped[str] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(30))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[str | None] = mapped_column(Text)


class RoundMember(Tracked, Base):
    """A person invited to a weighting round, how much they count (``weight``) and their
    answer (JSON, empty until they answer; replaced if they answer again while it is open)."""

    __tablename__ = "round_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("weighting_rounds.id"), index=True)
    username: Mapped[str] = mapped_column(String(100))
    weight: Mapped[float] = mapped_column(Float)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("round_id", "username"),
                      CheckConstraint("weight >= 0", name="weight_not_negative"))
