"""Descriptions from a glossary sheet: every process gets exactly what the glossary says of its
identifier, whatever the glossary's order, repeats and gaps."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.files.glossary import described
from inventory.files.io import Table

MAPPING = {"code": "Hierarchy ID", "name": "Name", "description": "Element Description",
           "external_reference": "PCF ID"}
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).map(str.strip)


def table(sheet: str, rows: list[dict[str, str]], columns: list[str]) -> Table:
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    return Table(frame, sheet, 1, tuple(range(2, len(rows) + 2)))


@st.composite
def frameworks(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str]]]:
    """PCF IDs of the processes, and the glossary's (PCF ID, text) rows: some processes
    missing, some listed twice, an identifier no process has, in any order."""
    ids = draw(st.lists(st.integers(10000, 99999).map(str), min_size=1, max_size=12,
                        unique=True))
    listed = draw(st.lists(st.sampled_from([*ids, "99999x"]), max_size=20))
    entries = [(identifier, draw(texts)) for identifier in listed]
    return ids, draw(st.permutations(entries))


@settings(max_examples=30, deadline=None)
@given(framework=frameworks(), by_pcf_id=st.booleans())
def test_each_process_gets_the_distinct_texts_of_its_identifier_in_order(
        framework: tuple[list[str], list[tuple[str, str]]], by_pcf_id: bool) -> None:
    ids, entries = framework
    key = "PCF ID" if by_pcf_id else "Hierarchy ID"
    processes = table("Combined", [{"PCF ID": i, "Hierarchy ID": f"1.{n}", "Name": f"P{n}"}
                                   for n, i in enumerate(ids)], ["PCF ID", "Hierarchy ID", "Name"])
    code_of = dict(zip(ids, processes.frame["Hierarchy ID"], strict=True))
    glossary = table("Glossary terms",
                     [{key: i if by_pcf_id else code_of.get(i, i), "Definition": words}
                      for i, words in entries], [key, "Definition"])

    found = described(processes, glossary, MAPPING)

    expected = []
    for identifier in ids:
        said = [words for i, words in entries if i == identifier and words]
        expected.append("\n\n".join(dict.fromkeys(said)))
    assert list(found.table.frame[found.column]) == expected
    assert found.matched_on == key and found.column == "Definition (sheet 'Glossary terms')"
    assert found.unmatched == sum(1 for text in expected if not text)
    pd.testing.assert_frame_equal(found.table.frame[processes.frame.columns], processes.frame)
