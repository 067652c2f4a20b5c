"""Quote speakers, with PERSON entities given by hand (independent of the recogniser)."""

from __future__ import annotations

from reader.nlp.quotes import find_quotes
from reader.nlp.sentences import split_sentences
from reader.nlp.speakers import attribute_speakers
from reader.nlp.types import Entity, Quote


def attribute(text: str, people: tuple[str, ...] = ()) -> list[Quote]:
    ents = []
    for name in people:
        start = text.find(name)
        while start >= 0:
            ents.append(Entity(start, start + len(name), "PERSON", name))
            start = text.find(name, start + len(name))
    ents.sort(key=lambda e: e.start)
    found = attribute_speakers(text, find_quotes(text), split_sentences(text), ents)
    for q in found:
        if q.speaker is not None:
            assert q.speaker.text == text[q.speaker.start : q.speaker.end]
    return found


def speakers(text: str, people: tuple[str, ...] = ()) -> list[str | None]:
    return [q.speaker.text if q.speaker else None for q in attribute(text, people)]


def test_after_the_quote_subject_then_verb() -> None:
    text = "“The bridge is safe,” the city engineer said on Tuesday."
    assert speakers(text) == ["the city engineer"]


def test_after_the_quote_verb_then_subject() -> None:
    text = "“We lost everything,” said a farmer near the river."
    assert speakers(text) == ["a farmer"]
    text = "“Prices will rise,” said Ana Lopes, an economist."
    assert speakers(text, ("Ana Lopes",)) == ["Ana Lopes"]


def test_pronoun_and_told() -> None:
    text = "Nora Diaz spoke first.\n“It is over,” she told reporters."
    [q] = attribute(text, ("Nora Diaz",))
    assert q.speaker is not None
    assert (q.speaker.text, q.speaker.resolved) == ("she", "Nora Diaz")


def test_name_inside_a_title_is_the_speaker() -> None:
    text = "Foreign Minister Omar Haddad said the border was “open for trade” on Friday."
    assert speakers(text, ("Omar Haddad",)) == ["Omar Haddad"]


def test_verb_before_the_quote_in_the_sentence() -> None:
    text = "Ella Moss arrived late.\nShe accused the board of “hiding the facts” at the meeting."
    [q] = attribute(text, ("Ella Moss",))
    assert q.speaker is not None
    assert (q.speaker.text, q.speaker.resolved) == ("She", "Ella Moss")


def test_according_to() -> None:
    text = "“The vote is delayed,” according to the electoral board."
    assert speakers(text) == ["the electoral board"]


def test_second_quote_in_a_paragraph_keeps_the_speaker() -> None:
    text = "“We will rebuild,” said another official. “It will take years.”"
    found = attribute(text)
    assert [q.speaker.text if q.speaker else None for q in found] == ["another official"] * 2
    assert found[0].speaker == found[1].speaker


def test_quote_only_paragraph_continues_the_previous_speaker() -> None:
    text = (
        "Deputy Mayor Lena Ortiz told reporters in Lima that the plan had failed.\n"
        "“We need a new approach. The old one cost too much.”\n"
    )
    assert speakers(text, ("Lena Ortiz",)) == ["Lena Ortiz"]


def test_multi_paragraph_quote_keeps_its_speaker() -> None:
    text = (
        "“The river rose fast,” Mayor Tom Reyes said. “We moved everyone we could.\n"
        "“Now we wait for the water to fall.”\n"
    )
    assert speakers(text, ("Tom Reyes",)) == ["Tom Reyes"] * 3


def test_short_form_resolves_to_the_full_name() -> None:
    text = "Laura Brandt met the unions.\n“We have a deal,” Brandt said."
    [q] = attribute(text, ("Laura Brandt", "Brandt"))
    assert q.speaker is not None
    assert (q.speaker.text, q.speaker.resolved) == ("Brandt", "Laura Brandt")


def test_titles_and_scare_quotes_have_no_speaker() -> None:
    text = (
        "‘NO WAY BACK’\n"
        "The band played a song called “Morning Star” at the fair.\n"
        "Critics described the so-called “reform” as late.\n"
    )
    assert speakers(text) == [None, None, None]


def test_heading_after_a_quote_paragraph_has_no_speaker() -> None:
    text = "“We are ready,” said Kim Osei.\n‘READY OR NOT”\nThe match starts at noon.\n"
    assert speakers(text, ("Kim Osei",)) == ["Kim Osei", None]


def test_no_quotes() -> None:
    assert attribute_speakers("No quotes here.", [], [], []) == []
