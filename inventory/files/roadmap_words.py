"""What the roadmap report's workbook and HTML page share: status colours, labels in words, and
the people's tables (headers in words, vocabularies as labels) built from a
:class:`inventory.roadmap_dashboard.Dashboard`. See :mod:`inventory.files.roadmap_report`."""

from __future__ import annotations

from typing import Any

import pandas as pd

from inventory.files.export import is_missing
from inventory.roadmap_dashboard import STATUSES, Dashboard
from inventory.roadmap_schemas import DeliverableStatus, InitiativeStatus, UpdateKind
from inventory.schemas import Choice, Pillar, PriorityArea

#: Cell fill of each deliverable status (the light tints of Excel's good / neutral / bad
#: styles): done green, on track light blue, at risk amber, late red, dropped grey.
DELIVERABLE_FILLS = {"done": "#C6EFCE", "on_track": "#DDEBF7", "at_risk": "#FFEB9C",
                     "late": "#FFC7CE", "dropped": "#D9D9D9"}
#: Text colour on each fill (contrast above 4.5:1).
DELIVERABLE_INKS = {"done": "#006100", "on_track": "#1F3864", "at_risk": "#7A4100",
                    "late": "#9C0006", "dropped": "#3F3F3F"}
#: Bar colour of each initiative status in the charts.
INITIATIVE_COLOURS = {"completed": "#59A14F", "ongoing": "#4E79A7", "planned": "#BAB0AC",
                      "revised": "#F28E2B"}
FILTER_WORDS = {"pillar": ("Pillar", Pillar), "priority_area": ("Priority area", PriorityArea),
                "status": ("Status", InitiativeStatus), "business_owner": ("Business owner", None),
                "unit": ("Unit", None), "tag": ("Tag", None)}


def _label(kind: type[Choice], value: Any) -> str | None:
    """A vocabulary value's label; an unknown word as it is; ``None`` when missing."""
    if is_missing(value):
        return None
    try:
        return kind(str(value)).label
    except ValueError:
        return str(value)


def initiative_label(status: Any) -> str:
    """"Completed", "Ongoing"…; ``total`` as "Total"."""
    return "Total" if status == "total" else _label(InitiativeStatus, status) or ""


def deliverable_label(status: Any) -> str:
    """"Done", "On track", "At risk", "Late", "Dropped"."""
    return _label(DeliverableStatus, status) or ""


def area_label(value: Any) -> str:
    return _label(PriorityArea, value) or "Not set"


def filters_text(dashboard: Dashboard) -> str:
    """The filters applied, in words: "Pillar: People and culture; Tag: ai", or "none"."""
    parts = []
    for name, values in dashboard.filters.items():
        header, kind = FILTER_WORDS.get(name, (name, None))
        words = [(_label(kind, v) if kind else None) or str(v) for v in values]
        parts.append(f"{header}: {', '.join(words)}")
    return "; ".join(parts) or "none (every initiative)"


def next_milestone_text(dashboard: Dashboard) -> str:
    if dashboard.next_milestone is None:
        return "no open deliverable is due on or after this date"
    milestone, day = dashboard.next_milestone
    return f"next milestone {milestone} ({day.isoformat()})"


def status_table(counts: pd.DataFrame, first: str) -> pd.DataFrame:
    """A crosstab of :func:`inventory.roadmap_dashboard.status_counts` with headers in words:
    ``first`` (the row labels), then each status and Total."""
    table = counts.reset_index()
    table.columns = [first, *(initiative_label(c) for c in [*STATUSES, "total"])]
    return table


ANNEX_MILESTONES = (("c26", "C26"), ("pp26", "PP-26"), ("later", "Later"))


def annex_table(dashboard: Dashboard) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """The annex in words, and for each row the deliverable status of its coloured cells
    (column header -> status): the deliverables by C26, by PP-26 and later, each followed by
    its status."""
    rows, fills = [], []
    for line in dashboard.annex.astype(object).to_dict("records"):
        row: dict[str, Any] = {"Priority area": line["priority_area"], "Code": line["code"],
                               "Action": line["action"],
                               "Initiative status": initiative_label(line["status"]),
                               "Objective": line["objective"]}
        fill: dict[str, str] = {}
        for key, name in ANNEX_MILESTONES:
            status = line[f"{key}_status"]
            row[f"By {name}" if key != "later" else name] = line[key]
            row[f"{name} status"] = deliverable_label(status) or None
            if not is_missing(status):
                fill[f"By {name}" if key != "later" else name] = str(status)
                fill[f"{name} status"] = str(status)
        rows.append(row)
        fills.append(fill)
    columns = ["Priority area", "Code", "Action", "Initiative status", "Objective",
               "By C26", "C26 status", "By PP-26", "PP-26 status", "Later", "Later status"]
    return pd.DataFrame(rows, columns=columns), fills


def _names(dashboard: Dashboard) -> dict[str, str]:
    return dict(zip(dashboard.initiatives["code"].astype(str),
                    dashboard.initiatives["name"].astype(str), strict=True))


def due_table(dashboard: Dashboard) -> pd.DataFrame:
    """Due by the next milestone and not done, soonest first, overdue ones marked."""
    due, names = dashboard.due, _names(dashboard)
    return pd.DataFrame({
        "Initiative": due["initiative_code"], "Action": due["initiative_code"].map(names),
        "Ref": due["ref"], "Objective": due["objective"], "Milestone": due["milestone"],
        "Deliverable": due["text"], "Due": due["due_on"],
        "Status": due["status"].map(deliverable_label),
        "Overdue": ["yes" if late else "no" for late in due["overdue"]]},
        columns=["Initiative", "Action", "Ref", "Objective", "Milestone", "Deliverable", "Due",
                 "Status", "Overdue"])


def obstacle_table(dashboard: Dashboard) -> pd.DataFrame:
    """Open obstacles and decisions needed, oldest first."""
    notes, names = dashboard.obstacles, _names(dashboard)
    return pd.DataFrame({
        "Initiative": notes["initiative_code"], "Action": notes["initiative_code"].map(names),
        "Kind": [_label(UpdateKind, kind) for kind in notes["kind"]], "Note": notes["note"],
        "Noted on": notes["noted_on"], "Noted by": notes["created_by"]},
        columns=["Initiative", "Action", "Kind", "Note", "Noted on", "Noted by"])


def anchor_table(dashboard: Dashboard) -> pd.DataFrame:
    """Initiatives on the roadmap without a recorded process or KPI, and what is missing."""
    frame = dashboard.without_anchor
    return pd.DataFrame({
        "Initiative": frame["code"], "Action": frame["name"],
        "Priority area": frame["priority_area"].map(area_label),
        "Status": frame["status"].map(initiative_label), "Missing": frame["missing"]},
        columns=["Initiative", "Action", "Priority area", "Status", "Missing"])
