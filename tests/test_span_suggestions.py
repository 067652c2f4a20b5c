"""The core of entity and quote suggestions (`reader.annotate.span_suggestions`) and their
rejections kept beside the store (`reader.annotate.rejections`), without the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.annotate.annotations import Speaker, make_annotation
from reader.annotate.rejections import Rejections, RejectionsError, rejections_path
from reader.annotate.schema import default_schema, parse_schema
from reader.annotate.session import AnnotationSession
from reader.annotate.span_suggestions import (
    SpanSuggested,
    accept,
    span_suggestions,
    suggestion_under,
)
from reader.annotate.suggestions import Suggested
from reader.corpus import Document
from reader.nlp.types import Entity, Quote, Span
from reader.nlp.types import Speaker as EngineSpeaker
from reader.store import AnnotationStore

TEXT = "“We will win,” said Ana Smith of Acme in Paris. Dutch voters agreed.\n"


def at(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def entity(words: str, label: str) -> Entity:
    return Entity(*at(words), label, words)


ENTITIES = [
    entity("Ana Smith", "PERSON"),
    entity("Acme", "ORG"),
    entity("Paris", "GPE"),
    entity("Dutch", "NORP"),
]
SPEAKER = EngineSpeaker(*at("Ana Smith"), "Ana Smith", resolved="Ana Smith")
QUOTES = [Quote(*at("“We will win,”"), "“We will win,”", SPEAKER)]


def shown(found: list[SpanSuggested]) -> list[tuple[str, str, str]]:
    return [(TEXT[s.start : s.end], s.kind, s.label) for s in found]


def test_the_default_schema_suggests_every_engine_type_and_the_quote() -> None:
    found = span_suggestions("d", ENTITIES, QUOTES, default_schema(), [])
    assert shown(found) == [
        ("“We will win,”", "quote", "QUOTE"),
        ("Ana Smith", "entity", "PERSON"),
        ("Acme", "entity", "ORG"),
        ("Paris", "entity", "GPE"),
        ("Dutch", "entity", "NORP"),
    ]
    assert found[0].speaker == Speaker(*at("Ana Smith"), "Ana Smith")


def test_only_the_types_the_schema_maps_are_suggested_under_its_names() -> None:
    schema = parse_schema(
        '[groups.e]\nkind = "entity"\n'
        '[[groups.e.labels]]\nname = "Person"\nkey = "5"\ntag = "PERSON"\n'
        '[[groups.e.labels]]\nname = "Place"\nkey = "6"\ntag = "GPE"\n'
    )
    assert shown(span_suggestions("d", ENTITIES, QUOTES, schema, [])) == [
        ("Ana Smith", "entity", "Person"),
        ("Paris", "entity", "Place"),
    ]


def test_a_schema_without_entity_or_quote_groups_suggests_nothing() -> None:
    schema = parse_schema(
        '[groups.c]\nkind = "claim"\n[[groups.c.labels]]\nname = "F"\nkey = "1"\n'
    )
    assert span_suggestions("d", ENTITIES, QUOTES, schema, []) == []


def test_covered_and_rejected_suggestions_are_left_out() -> None:
    covered = make_annotation(TEXT, "d", *at("Acme"), "entity", "ORG", "alice")
    claim_on_paris = make_annotation(TEXT, "d", *at("Paris"), "claim", "FACT", "alice")
    rejected = {("d", *at("Dutch"), "entity")}
    found = span_suggestions(
        "d", ENTITIES, QUOTES, default_schema(), [covered, claim_on_paris], rejected
    )
    assert [words for words, _, _ in shown(found)] == ["“We will win,”", "Ana Smith", "Paris"]


def test_the_suggestion_under_the_cursor_is_never_a_guess() -> None:
    found = span_suggestions("d", ENTITIES, QUOTES, default_schema(), [])
    first_sentence = Span(0, TEXT.index("Dutch") - 1)
    second = Span(TEXT.index("Dutch"), len(TEXT) - 1)
    paris = suggestion_under(found, ("entity", Span(*at("Paris"))), first_sentence)
    assert isinstance(paris, SpanSuggested) and paris.label == "GPE"
    assert suggestion_under(found, ("quote", Span(*at("Paris"))), first_sentence) is None
    assert suggestion_under(found, None, first_sentence) is None  # four there: which?
    only = suggestion_under(found, None, second)
    assert isinstance(only, SpanSuggested) and only.label == "NORP"
    claim = Suggested(second.start, second.end, "FACT", 0.9)
    assert suggestion_under(found, None, second, claim) is claim


@pytest.fixture
def session(tmp_path: Path):  # noqa: ANN201
    store = AnnotationStore.open(tmp_path / "a.json", "alice")
    yield AnnotationSession(store, "alice", default_schema())
    store.close()


def test_accepting_records_how_it_was_made(session: AnnotationSession) -> None:
    doc = Document(TEXT, "t", "t.txt")
    quote, person, org, place, _ = span_suggestions("x", ENTITIES, QUOTES, default_schema(), [])
    as_is = accept(session, doc, person)
    assert (as_is.label, as_is.kind, as_is.source) == ("PERSON", "entity", "suggested")
    relabelled = accept(session, doc, org, "PERSON")
    assert (relabelled.label, relabelled.source) == ("PERSON", "corrected")
    moved = accept(session, doc, place, span=Span(place.start - 3, place.end))
    assert (moved.text, moved.source) == ("in Paris", "corrected")
    said = accept(session, doc, quote)
    assert said.speaker == Speaker(*at("Ana Smith"), "Ana Smith")
    assert said.to_json()["speaker"] == {
        "start": at("Ana Smith")[0],
        "end": at("Ana Smith")[1],
        "text": "Ana Smith",
    }


def test_rejections_are_saved_and_read_again(tmp_path: Path) -> None:
    store = tmp_path / "a.json"
    rejections = Rejections.load(store)
    assert len(rejections) == 0 and not rejections_path(store).exists()
    rejections.reject(("d", 3, 9, "entity"))
    document = json.loads(rejections_path(store).read_text(encoding="utf-8"))
    assert document["rejected"] == [["d", 3, 9, "entity"]]
    again = Rejections.load(store)
    assert ("d", 3, 9, "entity") in again
    assert ("d", 3, 9, "quote") not in again


def test_a_rejections_file_that_cannot_be_read_is_named_and_left_as_it_is(tmp_path: Path) -> None:
    store = tmp_path / "a.json"
    path = rejections_path(store)
    path.write_text('{"reader": "rejected-suggestions", "version": 1, "rejected": [["d", 1]]}')
    before = path.read_bytes()
    with pytest.raises(RejectionsError, match="a.json.rejected.json: cannot be read"):
        Rejections.load(store)
    assert path.read_bytes() == before


def test_speaker_candidates_are_the_paragraphs_people_and_bodies_nearest_first() -> None:
    from reader.annotate.span_suggestions import speaker_candidates

    quote = Span(*at("“We will win,”"))
    found = speaker_candidates([*ENTITIES, entity("Ana Smith", "PERSON")], 0, len(TEXT), quote)
    assert [(s.text, s.start) for s in found] == [
        ("Ana Smith", at("Ana Smith")[0]),  # once, though found twice
        ("Acme", at("Acme")[0]),  # an organisation; Paris (a place) and Dutch are not
    ]
    assert speaker_candidates(ENTITIES, 0, at("Ana Smith")[0], quote) == []  # not in the span
