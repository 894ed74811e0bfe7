"""The roadmap's dashboard, computed from the frames of initiatives, deliverables and notes:
what the status report to the Council shows, and what the task force acts on.

* **Counts by status** for each pillar and each priority area: Completed, Ongoing, Planned and
  Revised, as the 2025 status report's dashboard counts the roadmap's initiatives.
* **The annex**: per priority area and action (initiative), each line (objective) with its
  deliverables by C26 and by PP-26 (and by any dated milestone), laid out like the report's
  annex "Priority areas with deliverables by C26 and PP-26".
* **Due by the next milestone and not done**: the open deliverables (on track, at risk, late)
  whose due date is on or before the next milestone still ahead, overdue ones included.
* **Open obstacles**: obstacles and decisions needed that nobody has resolved.
* **Initiatives without anchor**: on the roadmap but transforming no recorded process or moving
  no recorded KPI.

A deliverable's due date is its own, else its milestone's date: C26 and PP-26 are dated in
``data/milestones.csv`` (the organisation sets them there), a dated milestone is its date.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from inventory.roadmap_schemas import DeliverableStatus, InitiativeStatus, UpdateKind
from inventory.schemas import Choice, Pillar, PriorityArea, parse_choice

MILESTONES_FILE = Path(__file__).resolve().parents[1] / "data" / "milestones.csv"
STATUSES = [s.value for s in InitiativeStatus]
OPEN = [DeliverableStatus.ON_TRACK.value, DeliverableStatus.AT_RISK.value,
        DeliverableStatus.LATE.value]
NAMED_MILESTONES = ("C26", "PP-26")
FILTERS = ("pillar", "priority_area", "status", "business_owner", "unit", "tag")
VOCABULARIES: dict[str, type[Choice]] = {"pillar": Pillar, "priority_area": PriorityArea,
                                          "status": InitiativeStatus}


@functools.cache
def milestone_dates() -> dict[str, dt.date]:
    """The named milestones' dates (``data/milestones.csv``: code, name, date, note)."""
    frame = pd.read_csv(MILESTONES_FILE, dtype=str, keep_default_na=False)
    return {str(code): dt.date.fromisoformat(str(day))
            for code, day in zip(frame["code"], frame["date"], strict=True)}


def due_date(milestone: str, due: dt.date | None) -> dt.date | None:
    """The date a deliverable is due: its own, else its milestone's (see the module)."""
    if due is not None and not pd.isna(due):
        return due
    if milestone in milestone_dates():
        return milestone_dates()[milestone]
    try:
        return dt.date.fromisoformat(milestone)
    except ValueError:
        return None


def on_roadmap(initiatives: pd.DataFrame) -> pd.Series:
    """True for the initiatives still on the roadmap (not combined into another, not split)."""
    return initiatives["lineage"].isna()


def filtered(initiatives: pd.DataFrame, **wanted: str | list[str] | None) -> pd.DataFrame:
    """The initiatives matching every filter given (:data:`FILTERS`; a list matches any of its
    values; a pillar, priority area or status is read by value, label or synonym, else
    ``ValueError``; ``tag`` matches one of the ``; ``-separated tags)."""
    unknown = set(wanted) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown filter {', '.join(sorted(unknown))}; filters are "
                         f"{', '.join(FILTERS)}")
    keep = pd.Series(True, index=initiatives.index)
    for name, value in wanted.items():
        values = [value] if isinstance(value, str) else list(value or [])
        if not values:
            continue
        if name in VOCABULARIES:
            values = [parse_choice(VOCABULARIES[name], v).value for v in values]
        if name == "tag":
            tags = initiatives["tags"].fillna("").str.split(";").apply(
                lambda items: {t.strip() for t in items})
            keep &= tags.apply(lambda have, w=set(values): bool(have & w))
        else:
            keep &= initiatives[name].isin(values)
    return initiatives[keep]


def status_counts(initiatives: pd.DataFrame, by: str) -> pd.DataFrame:
    """Initiatives by ``by`` (``pillar`` or ``priority_area``, labelled; "Not set" for none)
    and status: one column per status in the report's order, and ``total``."""
    kind = {"pillar": Pillar, "priority_area": PriorityArea}[by]
    labels = {m.value: m.label for m in kind}
    groups = initiatives[by].map(lambda v: labels.get(v, "Not set") if isinstance(v, str)
                                 else "Not set")
    table = pd.crosstab(groups, initiatives["status"]).reindex(columns=STATUSES, fill_value=0)
    order = [label for label in [*labels.values(), "Not set"] if label in table.index]
    table = table.reindex(order).fillna(0).astype(int)
    table.index.name = by
    table["total"] = table.sum(axis=1)
    return table


def with_due(deliverables: pd.DataFrame) -> pd.DataFrame:
    """The deliverables with ``due_on``: their due date as :func:`due_date` reads it."""
    frame = deliverables.copy()
    frame["due_on"] = [due_date(str(m), d if isinstance(d, dt.date) else None)
                       for m, d in zip(frame["milestone"], frame["due"], strict=True)]
    return frame


def annex(initiatives: pd.DataFrame, deliverables: pd.DataFrame) -> pd.DataFrame:
    """The annex table: one row per initiative and objective, by priority area, with the
    deliverables by C26, by PP-26 and by later dated milestones and their statuses."""
    labels = {m.value: m.label for m in PriorityArea}
    rows = []
    live = deliverables[deliverables["initiative_code"].isin(initiatives["code"])]
    for initiative in initiatives.itertuples(index=False):
        own = live[live["initiative_code"] == initiative.code]
        objectives = list(dict.fromkeys(own["objective"].fillna(""))) or [""]
        for objective in objectives:
            line = own[own["objective"].fillna("") == objective]
            row = {"priority_area": labels.get(initiative.priority_area, "Not set")
                   if isinstance(initiative.priority_area, str) else "Not set",
                   "code": initiative.code, "action": initiative.name,
                   "status": initiative.status, "objective": objective or None}
            for milestone, column in (("C26", "c26"), ("PP-26", "pp26")):
                chosen = line[line["milestone"] == milestone]
                row[column] = "\n".join(chosen["text"]) or None
                row[f"{column}_status"] = _worst(chosen["status"])
            later = line[~line["milestone"].isin(NAMED_MILESTONES)]
            row["later"] = "\n".join(f"{m}: {t}" for m, t in zip(later["milestone"],
                                                                   later["text"],
                                                                   strict=True)) or None
            row["later_status"] = _worst(later["status"])
            rows.append(row)
    columns = ["priority_area", "code", "action", "status", "objective", "c26", "c26_status",
               "pp26", "pp26_status", "later", "later_status"]
    frame = pd.DataFrame(rows, columns=columns)
    order = {label: i for i, label in enumerate([*labels.values(), "Not set"])}
    return frame.sort_values("priority_area", key=lambda s: s.map(order),
                             kind="stable").reset_index(drop=True)


SEVERITY = [DeliverableStatus.LATE.value, DeliverableStatus.AT_RISK.value,
            DeliverableStatus.ON_TRACK.value, DeliverableStatus.DONE.value,
            DeliverableStatus.DROPPED.value]


def _worst(statuses: pd.Series) -> str | None:
    """The status a cell shows for several deliverables: the most worrying one."""
    present = set(statuses)
    return next((status for status in SEVERITY if status in present), None)


def next_milestone(deliverables: pd.DataFrame, today: dt.date) -> tuple[str, dt.date] | None:
    """The first milestone on or after ``today`` that an open deliverable is due by."""
    frame = with_due(deliverables)
    ahead = frame[frame["status"].isin(OPEN) & frame["due_on"].notna()]
    ahead = ahead[ahead["due_on"] >= today]
    if ahead.empty:
        return None
    first = ahead.sort_values("due_on").iloc[0]
    return str(first["milestone"]), first["due_on"]


def due_and_not_done(deliverables: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Open deliverables due by the next milestone (overdue ones included), soonest first,
    with ``overdue`` true for those past their date."""
    frame = with_due(deliverables)
    upcoming = next_milestone(deliverables, today)
    limit = upcoming[1] if upcoming is not None else today
    due = frame[frame["status"].isin(OPEN) & frame["due_on"].notna()]
    due = due[due["due_on"] <= limit].copy()
    due["overdue"] = due["due_on"] < today
    return due.sort_values(["due_on", "initiative_code", "ref"]).reset_index(drop=True)


def open_obstacles(updates: pd.DataFrame) -> pd.DataFrame:
    """Obstacles and decisions needed nobody has resolved, oldest first."""
    frame = updates[(updates["kind"] != UpdateKind.PROGRESS.value)
                    & updates["resolved_at"].isna()]
    return frame.sort_values(["noted_on", "id"]).reset_index(drop=True)


def without_anchor(initiatives: pd.DataFrame) -> pd.DataFrame:
    """Initiatives on the roadmap that transform no recorded process or move no recorded KPI,
    with ``missing`` saying which."""
    frame = initiatives[on_roadmap(initiatives)
                        & (initiatives["processes"].isna() | initiatives["kpis"].isna())].copy()
    frame["missing"] = [", ".join(name for name, value in (("processes", p), ("KPIs", k))
                                  if not isinstance(value, str))
                        for p, k in zip(frame["processes"], frame["kpis"], strict=True)]
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class Dashboard:
    """Everything the Roadmap page and the reports show, for one set of filters and a day."""

    today: dt.date
    initiatives: pd.DataFrame
    deliverables: pd.DataFrame
    by_pillar: pd.DataFrame
    by_priority_area: pd.DataFrame
    annex: pd.DataFrame
    next_milestone: tuple[str, dt.date] | None
    due: pd.DataFrame
    obstacles: pd.DataFrame
    without_anchor: pd.DataFrame
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        """Initiatives by status, and ``total``."""
        counts = self.initiatives["status"].value_counts()
        return {**{s: int(counts.get(s, 0)) for s in STATUSES},
                "total": len(self.initiatives)}


def dashboard(initiatives: pd.DataFrame, deliverables: pd.DataFrame, updates: pd.DataFrame,
              today: dt.date, **filters: str | list[str] | None) -> Dashboard:
    """The dashboard of the live initiatives matching ``filters`` (see :func:`filtered`)."""
    chosen = filtered(initiatives, **filters)
    own = deliverables[deliverables["initiative_code"].isin(chosen["code"])]
    notes = updates[updates["initiative_code"].isin(chosen["code"])]
    return Dashboard(
        today=today, initiatives=chosen.reset_index(drop=True),
        deliverables=with_due(own).reset_index(drop=True),
        by_pillar=status_counts(chosen, "pillar"),
        by_priority_area=status_counts(chosen, "priority_area"),
        annex=annex(chosen[on_roadmap(chosen)], own),
        next_milestone=next_milestone(own, today), due=due_and_not_done(own, today),
        obstacles=open_obstacles(notes), without_anchor=without_anchor(chosen),
        filters={k: ([v] if isinstance(v, str) else list(v)) for k, v in filters.items() if v})
