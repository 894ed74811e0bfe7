"""What each column of the workbook's Initiatives and Deliverables sheets means and takes: the
README sheet's rows for the roadmap (see :mod:`inventory.files.export`)."""

from __future__ import annotations

from inventory.schemas import NAME_LENGTH

_LIST = "List: items separated by '; '."
_FREE_TEXT = "Free text."
_NAME_TEXT = f"Text, at most {NAME_LENGTH:,} characters."


def roadmap_help(milestone: str, date: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(sheet, column) -> (meaning, allowed values) of the Initiatives and Deliverables
    sheets."""
    initiative_code = ("Letters, digits and . _ - / (no spaces), starting with a letter or "
                       "digit; at most 40 characters, e.g. EVT-MOD.")
    amount = "Number of at least 0, in {}."
    return {
        ("Initiatives", "code"): ("Unique code of the initiative; codes ignore case. Required.",
                                  initiative_code),
        ("Initiatives", "name"): ("Name of the initiative. Required.", _NAME_TEXT),
        ("Initiatives", "description"): ("What the initiative changes.", _FREE_TEXT),
        ("Initiatives", "pillar"): ("Pillar of the transformation roadmap.", ""),
        ("Initiatives", "priority_area"): ("2026 priority area the initiative serves.", ""),
        ("Initiatives", "business_owner"): ("Who answers for the initiative (a role title).",
                                            _NAME_TEXT),
        ("Initiatives", "unit"): ("The unit that leads the initiative.",
                                  "A code from the Units sheet, or empty."),
        ("Initiatives", "status"): (
            "Where the initiative stands, as the status report counts them; empty means "
            "planned. revised = scope changed, combined with another or split.", ""),
        ("Initiatives", "status_reason"): (
            "Why the status is what it is. Required when the status is revised.", _FREE_TEXT),
        ("Initiatives", "start_date"): ("When the work started or starts.", date),
        ("Initiatives", "end_date"): ("When the work ends; not before start_date.", date),
        ("Initiatives", "budget_chf"): ("Budget of the initiative.",
                                        amount.format("Swiss francs (CHF)")),
        ("Initiatives", "staff_pm"): ("Staff effort of the initiative.",
                                      amount.format("person-months")),
        ("Initiatives", "processes"): ("The processes the initiative transforms.",
                                       "List of codes from the Processes sheet (or the "
                                       "inventory), separated by '; '."),
        ("Initiatives", "kpis"): ("The KPIs the initiative is to move.",
                                  "List of KPIs written PROCESS-CODE: KPI name (as on the KPIs "
                                  "sheet), separated by '; '."),
        ("Initiatives", "studies"): ("Complementary studies the initiative builds on.", _LIST),
        ("Initiatives", "tags"): ("Short keywords for searching and filtering.",
                                  "List: items separated by '; '; kept in lower case."),
        ("Initiatives", "lineage"): (
            "Why the initiative left the roadmap while staying on record; empty while it is "
            "on the roadmap. combined needs combined_into.", ""),
        ("Initiatives", "combined_into"): (
            "The initiative that absorbed this one (lineage combined).",
            "A code from the Initiatives sheet (or the inventory), or empty."),
        ("Initiatives", "split_from"): (
            "The initiative this one was split out of.",
            "A code from the Initiatives sheet (or the inventory), or empty."),
        ("Deliverables", "initiative_code"): (
            "The initiative that delivers it. Required.",
            "A code from the Initiatives sheet (or the inventory)."),
        ("Deliverables", "ref"): (
            "Name of the deliverable within its initiative, e.g. D1; refs ignore case. "
            "Required.", "Letters, digits and . _ - / (no spaces); at most 60 characters."),
        ("Deliverables", "objective"): (
            "The objective (annex line) the deliverable belongs to.", _FREE_TEXT),
        ("Deliverables", "milestone"): ("When it is due. Required.",
                                        f"{milestone}, or a date written YYYY-MM-DD."),
        ("Deliverables", "text"): ("What is to be delivered. Required.", _FREE_TEXT),
        ("Deliverables", "due"): ("A precise due date, when the milestone is not enough.", date),
        ("Deliverables", "status"): ("Where the deliverable stands; empty means on_track.", ""),
        ("Deliverables", "evidence"): ("A link to what shows it done.",
                                       "A web address starting with https://, or empty."),
    }
