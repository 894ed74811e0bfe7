"""Descriptions from a glossary sheet, for workbooks whose table of processes has none.

APQC's industry Process Classification Frameworks (APQC, www.apqc.org/pcf) keep each element's
description in a "Glossary terms" sheet, where the cross-industry PCF has an "Element
Description" column in its "Combined" sheet. No database here: tables in, a table out.

Conventions
-----------
* The two sheets are matched on an identifier both carry: the column the mapping reads the
  external reference from (APQC's PCF ID, stable across releases, so tried first), else the
  column it reads the code from (the Hierarchy ID).
* The description is the glossary's column named like the mapping's description column, else
  its first column whose name says "description" or "definition" (any case).
* An identifier the glossary lists more than once gets its distinct texts in order, one
  paragraph each, so nothing it says is lost. A process the glossary does not list keeps an
  unknown description.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from inventory.files.io import Table

MATCHED_BY = ("external_reference", "code")  # fields whose column may hold the identifier
TEXT_WORDS = ("description", "definition")


class UnusableGlossary(ValueError):
    """The glossary sheet has no identifier or no text the processes can be matched with."""


@dataclass(frozen=True)
class Described:
    """The processes' table with a column of descriptions taken from the glossary."""

    table: Table
    column: str  # the added column, which feeds the description
    matched_on: str  # the identifier column both sheets carry
    unmatched: int  # rows of processes the glossary does not describe


def described(processes: Table, glossary: Table, mapping: dict[str, str]) -> Described:
    """``processes`` with a column of descriptions read from ``glossary`` (see the module)."""
    columns = list(glossary.frame.columns)
    candidates = [mapping[name] for name in MATCHED_BY if name in mapping]
    key = next((column for column in candidates
                if column in columns and column in processes.frame.columns), None)
    if key is None:
        wanted = " or ".join(f"'{column}'" for column in candidates) or "an identifier"
        raise UnusableGlossary(f"sheet '{glossary.sheet}' has no column {wanted} to match its "
                               f"texts with the processes; its columns are {', '.join(columns)}")
    text = _text_column(columns, mapping.get("description"))
    if text is None:
        raise UnusableGlossary(f"sheet '{glossary.sheet}' has no column named like "
                               f"'{mapping.get('description', 'description')}', or saying "
                               f"description or definition; its columns are {', '.join(columns)}")
    paragraphs: dict[str, list[str]] = {}
    for identifier, words in zip(glossary.frame[key], glossary.frame[text], strict=True):
        found = paragraphs.setdefault(identifier, [])
        if words and words not in found:
            found.append(words)
    descriptions = ["\n\n".join(paragraphs.get(identifier, []))
                    for identifier in processes.frame[key]]
    column = f"{text} (sheet '{glossary.sheet}')"
    frame = processes.frame.assign(**{column: descriptions})
    return Described(dataclasses.replace(processes, frame=frame), column, key,
                     sum(1 for description in descriptions if not description))


def _text_column(columns: list[str], named: str | None) -> str | None:
    if named in columns:
        return named
    return next((column for column in columns
                 if any(word in column.casefold() for word in TEXT_WORDS)), None)
