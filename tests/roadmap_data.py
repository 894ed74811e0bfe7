"""A small roadmap for the report tests, added through the services on a catalogue holding
``small_catalogue``'s processes (HR-REC and FIN): three initiatives in the three priority areas,
deliverables in every status and at C26, PP-26 and a later date, hostile text in names, a
deliverable and a note, and one open obstacle."""

from __future__ import annotations

import datetime as dt

from inventory.services import Catalogue
from tests.support import by

HOSTILE = "<script>alert(1)</script>"
AS_OF = dt.date(2026, 6, 1)
"""Before C26 (2026-06-30): the next milestone an open deliverable is due by is PP-26."""


def add_roadmap(catalogue: Catalogue) -> None:
    ana = by("ana")
    catalogue.add_kpi({"process_code": "HR-REC", "name": "Time to hire",
                       "direction": "lower"}, ana)
    book = catalogue.initiatives
    book.add({"code": "EVT", "name": f"Events {HOSTILE}", "pillar": "members_and_partners",
              "priority_area": "member_experience", "status": "ongoing",
              "processes": ["HR-REC"], "kpis": ["HR-REC: Time to hire"], "tags": "AI",
              "budget_chf": 250_000, "start_date": "2026-01-15"}, ana)
    book.add({"code": "HRX", "name": '=HYPERLINK("http://evil.example")',
              "pillar": "people_and_culture", "priority_area": "staff_empowerment"}, ana)
    book.add({"code": "FIN1", "name": "Budget tool", "pillar": "resource_optimisation",
              "priority_area": "operational_efficiency", "status": "completed",
              "processes": ["FIN"]}, ana)
    for item in (
            {"initiative_code": "EVT", "objective": "Pilot events system", "milestone": "C26",
             "text": "Pilot the new system", "status": "done",
             "evidence": "https://example.org/pilot"},
            {"initiative_code": "EVT", "objective": "Pilot events system",
             "milestone": "PP-26", "text": f"{HOSTILE} roll-out", "status": "at_risk"},
            {"initiative_code": "EVT", "objective": "Train staff", "milestone": "C26",
             "text": "Train 50 staff", "status": "late", "due": "2026-05-01"},
            {"initiative_code": "HRX", "milestone": "2027-03-01", "text": "Later thing"},
            {"initiative_code": "HRX", "milestone": "PP-26", "text": "Dropped idea",
             "status": "dropped"},
            {"initiative_code": "FIN1", "milestone": "C26", "text": "Budget tool live",
             "status": "done"}):
        book.add_deliverable(item, ana)
    book.add_update({"initiative_code": "HRX", "kind": "obstacle",
                     "note": "=1+1 no budget yet", "noted_on": "2026-05-20"}, ana)
