"""Process frameworks for the tests: APQC's cross-industry PCF as shipped in ``data/apqc`` (with
its notice), and a small workbook laid out as APQC's industry PCFs are."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
APQC_CROSS_INDUSTRY = ROOT / "data" / "apqc" / "apqc-pcf-cross-industry-7.4.xlsx"

LONG_NAME = ("Manage regulatory reporting, supervisory examinations, and remediation of findings "
             "across retail, commercial, and investment banking operations, including capital, "
             "liquidity, and conduct risk reporting demands")
"""A process name of 209 characters, as long as one in an APQC industry framework."""

ROWS = [  # PCF ID, Hierarchy ID, Name, the glossary's text ('' when it has none)
    (10002, "1.0", "Develop Vision and Strategy",
     "Establishing a direction and vision for the organization."),
    (17040, "1.1", "Define the business concept and long-term vision",
     "Creating a conceptual framework of the organization's business."),
    (21501, "1.1.1", LONG_NAME, "Meeting every obligation of a regulated bank."),
    (10018, "1.1.2", "Survey market and determine customer needs and wants", ""),
    (10003, "2.0", "Develop and Manage Products and Services",
     "Detailing practices related to the concept of products and services."),
]


def industry_workbook(key: str = "PCF ID", text: str = "Element Description",
                      glossary_filled: bool = True) -> bytes:
    """A workbook laid out as an APQC industry PCF: a title sheet; a ``Combined`` sheet with no
    description column (PCF IDs as numbers); the texts in a ``Glossary terms`` sheet whose
    identifier column is ``key`` (PCF IDs written as text) and text column ``text`` (an empty
    sheet unless ``glossary_filled``)."""
    book = openpyxl.Workbook()
    title = book.active
    assert title is not None
    title.title = "Introduction"
    title["A1"] = "BANKING PROCESS CLASSIFICATION FRAMEWORK"
    combined = book.create_sheet("Combined")
    combined.append(["PCF ID", "Hierarchy ID", "Name", "Difference Index", "Change details",
                     "Metrics available?"])
    for pcf_id, hierarchy_id, name, _ in ROWS:
        combined.append([pcf_id, hierarchy_id, name, 0, "", "N"])
    glossary = book.create_sheet("Glossary terms")
    if glossary_filled:
        glossary.append([key, "Name", text])
    for pcf_id, hierarchy_id, name, words in ROWS:
        if words and glossary_filled:
            glossary.append([str(pcf_id) if key == "PCF ID" else hierarchy_id, name, words])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def glossary_text(hierarchy_id: str) -> str | None:
    """What the glossary says of a process, or None when it does not list it."""
    return next(words for _, code, _, words in ROWS if code == hierarchy_id) or None
