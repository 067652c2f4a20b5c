"""The data-free entity recogniser: spans, types, propagation, speed. Texts written for the tests."""

from __future__ import annotations

import pytest

from reader.nlp.entities import find_entities
from reader.nlp.types import Entity, Span


def _sentences(text: str) -> list[Span]:
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch in ".!?\n" and (i + 1 == len(text) or text[i + 1] in " \n"):
            spans.append(Span(start, i + 1))
            start = i + 2
    return spans


def ents(text: str) -> list[Entity]:
    return find_entities(text, _sentences(text))


def labels(text: str) -> dict[str, str]:
    return {e.text: e.label for e in ents(text)}


def check_valid(text: str, found: list[Entity]) -> None:
    last_end = -1
    for e in found:
        assert e.text == text[e.start : e.end]
        assert e.start >= last_end, "entities overlap"
        last_end = e.end


TEXT = (
    "LISBON, Portugal (AP) _ Portugal’s foreign minister met Laurent Fabius in Lisbon on "
    "Tuesday, officials said. Fabius told reporters the U.N. Security Council would meet. "
    "Gen. Marta Okonkwo of U.S. Central Command said Iraqi forces had crossed the Tigris. "
    "Kenya's Finance Minister Paul Otieno met the International Monetary Fund (IMF). "
    "The IMF said Ayatollah Ali Hosseini and Ibrahim al-Rawi would travel to the Middle East."
)


def test_offsets_are_exact_and_spans_do_not_overlap() -> None:
    check_valid(TEXT, ents(TEXT))


def test_person_and_later_bare_mention() -> None:
    found = labels(TEXT)
    assert found["Laurent Fabius"] == "PERSON"
    assert found["Fabius"] == "PERSON"


def test_multiword_organisations_are_one_span() -> None:
    found = labels(TEXT)
    assert found["U.N. Security Council"] == "ORG"
    assert found["U.S. Central Command"] == "ORG"
    assert found["International Monetary Fund"] == "ORG"
    assert found["IMF"] == "ORG"


def test_possessive_is_not_part_of_the_place() -> None:
    found = ents(TEXT)
    portugal = [e for e in found if e.text.startswith("Portugal")]
    assert portugal and all(e.text == "Portugal" and e.label == "GPE" for e in portugal)
    assert labels(TEXT)["Kenya"] == "GPE"


def test_titles_stay_outside_the_name() -> None:
    found = labels(TEXT)
    assert found["Marta Okonkwo"] == "PERSON"
    assert "Gen. Marta Okonkwo" not in found
    assert found["Paul Otieno"] == "PERSON"
    assert found["Finance"] == "ORG"  # the portfolio before "Minister"


def test_arabic_names_and_religious_titles() -> None:
    found = labels(TEXT)
    assert found["Ayatollah Ali Hosseini"] == "PERSON"
    assert found["Ibrahim al-Rawi"] == "PERSON"


def test_places_regions_and_nationalities() -> None:
    found = labels(TEXT)
    assert found["LISBON"] == "GPE"  # dateline
    assert found["Lisbon"] == "GPE"
    assert found["Middle East"] == "LOC"
    assert found["Tigris"] == "LOC"
    assert found["Iraqi"] == "NORP"
    assert found["AP"] == "ORG"


@pytest.mark.parametrize(
    ("text", "span", "label"),
    [
        ("Shi'ite and Sunni parties met in Basra.", "Shi'ite", "NORP"),
        ("Protesters gathered near Lake Victoria on Sunday.", "Lake Victoria", "LOC"),
        ("The Zambezi River flooded again.", "Zambezi River", "LOC"),
        ("He spoke to the Kenya National Assembly on Monday.", "Kenya National Assembly", "ORG"),
        ("Norwegian skier Ola Brekke won.", "Ola Brekke", "PERSON"),
        ("Iran’s leader spoke.", "Iran", "GPE"),
    ],
)
def test_single_cases(text: str, span: str, label: str) -> None:
    found = ents(text)
    check_valid(text, found)
    assert (span, label) in {(e.text, e.label) for e in found}


def test_a_short_acronym_is_not_the_town_of_that_name() -> None:
    # "Sana" and "Oslo" are towns; in capitals a four-letter word is an acronym, but a
    # dateline in capitals is still the place
    text = "OSLO, Norway (AP) _ The report was carried by the state news agency SANA on Monday."
    found = labels(text)
    assert found["SANA"] == "ORG"
    assert found["OSLO"] == "GPE"


def test_sentence_openers_and_dates_are_not_entities() -> None:
    text = "However, the talks ended. Yesterday it rained. On Monday the market in Nairobi closed."
    found = labels(text)
    assert "However" not in found and "Yesterday" not in found and "On Monday" not in found
    assert "Monday" not in found
    assert found.get("Nairobi") == "GPE"


def test_empty_and_lowercase_text() -> None:
    assert ents("") == []
    assert ents("nothing here is a name at all.") == []


