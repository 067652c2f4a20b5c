"""Entity and quote suggestions in the app, without Textual: which of the engine's
entities and quotes to suggest, which one is under the cursor, and what accepting,
relabelling, fixing and rejecting one does.

An engine entity is suggested with the schema's entity label whose `tag` is its type
(none: not suggested); an engine quote with the schema's quote label, carrying the
engine's speaker span. A suggestion is not shown once an annotation of the same kind
covers exactly its span, nor once rejected (`Rejections`, keyed by doc_id, span, kind).
Accepting one is an ordinary annotation with `"source": "suggested"`; another label or
other boundaries make it `"corrected"`. The claim suggestions are `suggestions.py`'s.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from .annotations import Annotation, Speaker
from .schema import Schema
from .session import AnnotationSession, DocumentLike
from .suggestions import Suggested

SPAN_KINDS = ("entity", "quote")


class _Extent(Protocol):  # a span: reader.nlp.types.Span fits
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class _Kinded(_Extent, Protocol):  # a suggestion of any kind (a claim one too)
    @property
    def kind(self) -> str: ...


K = TypeVar("K", bound=_Kinded)


class EngineEntity(_Extent, Protocol):
    """What a suggestion needs of `reader.nlp.types.Entity`."""

    @property
    def label(self) -> str: ...
    @property
    def text(self) -> str: ...


class EngineSpeaker(_Extent, Protocol):
    @property
    def text(self) -> str: ...


class EngineQuote(_Extent, Protocol):
    """What a suggestion needs of `reader.nlp.types.Quote`."""

    @property
    def speaker(self) -> EngineSpeaker | None: ...


@dataclass(frozen=True, slots=True)
class SpanSuggested:
    """A suggested entity or quote annotation on `start:end` of the document's text."""

    start: int
    end: int
    kind: str  # "entity" or "quote"
    label: str  # the schema's label
    speaker: Speaker | None = None  # a quote's, from the engine

    def key(self, doc_id: str) -> tuple[str, int, int, str]:
        """What a rejection remembers it by."""
        return (doc_id, self.start, self.end, self.kind)


def span_suggestions(
    doc_id: str,
    entities: Iterable[EngineEntity],
    quotes: Iterable[EngineQuote],
    schema: Schema,
    annotations: Sequence[Annotation],
    rejected: Container[tuple[str, int, int, str]] = (),
) -> list[SpanSuggested]:
    """The suggestions for one document's analysis, in text order."""
    found = []
    for entity in entities:
        label = schema.entity_label(entity.label)
        if label is not None:
            found.append(SpanSuggested(entity.start, entity.end, "entity", label.name))
    quote_label = schema.quote_label
    if quote_label is not None:
        for quote in quotes:
            speaker = quote.speaker
            said_by = Speaker(speaker.start, speaker.end, speaker.text) if speaker else None
            found.append(SpanSuggested(quote.start, quote.end, "quote", quote_label.name, said_by))
    open_ = [s for s in still_open(found, annotations) if s.key(doc_id) not in rejected]
    return sorted(open_, key=lambda s: (s.start, -s.end, s.kind))


def still_open(suggestions: Iterable[K], annotations: Sequence[Annotation]) -> list[K]:
    """`suggestions` (claim, entity or quote ones) without those an annotation of the
    same kind now covers exactly."""
    covered = {(a.start, a.end, a.kind) for a in annotations}
    return [s for s in suggestions if (s.start, s.end, s.kind) not in covered]


def in_sentence(suggestions: Iterable[K], start: int, end: int) -> list[K]:
    """The suggestions that start in the sentence `start:end`."""
    return [s for s in suggestions if start <= s.start < end]


def suggestion_under(
    suggestions: Sequence[SpanSuggested],
    focused: tuple[str, _Extent] | None,
    sentence: _Extent | None,
    claim: Suggested | None = None,
) -> SpanSuggested | Suggested | None:
    """The suggestion a key acts on, never a guess: the one on the focused entity or
    quote (`focused`: its kind and span), else the sentence's `claim` suggestion, else
    the only entity or quote suggestion in the cursor's `sentence`."""
    if focused is not None:
        kind, span = focused
        return next(
            (s for s in suggestions if (s.start, s.end, s.kind) == (span.start, span.end, kind)),
            None,
        )
    if claim is not None or sentence is None:
        return claim
    here = in_sentence(suggestions, sentence.start, sentence.end)
    return here[0] if len(here) == 1 else None


SPEAKER_TYPES = ("PERSON", "ORG")  # the engine's entity types that can say something
SPEAKERS_OFFERED = 8


def speaker_candidates(
    entities: Iterable[EngineEntity], start: int, end: int, quote: _Extent
) -> list[Speaker]:
    """Who may say the `quote` made by hand: the engine's people and organisations in
    `start:end` (its paragraph) outside the quote, each name once, nearest first."""

    def distance(entity: EngineEntity) -> int:
        return entity.start - quote.end if entity.start >= quote.end else quote.start - entity.end

    outside = [
        entity
        for entity in entities
        if entity.label in SPEAKER_TYPES
        and start <= entity.start < entity.end <= end
        and (entity.end <= quote.start or entity.start >= quote.end)
    ]
    found: dict[str, Speaker] = {}
    for entity in sorted(outside, key=distance):
        found.setdefault(entity.text, Speaker(entity.start, entity.end, entity.text))
    return list(found.values())[:SPEAKERS_OFFERED]


def takes_label(schema: Schema, suggested: SpanSuggested, label: str) -> bool:
    """Whether a label key gives `suggested` that label (a label of its kind)."""
    return schema.kind_of(label) == suggested.kind


def accept(
    session: AnnotationSession,
    document: DocumentLike,
    suggested: SpanSuggested,
    label: str | None = None,
    span: _Extent | None = None,
) -> Annotation:
    """Annotate the suggestion: as suggested (`"source": "suggested"`), or with another
    `label` or other boundaries `span` (`"corrected"`); a quote keeps its speaker."""
    label = label or suggested.label
    start, end = (span.start, span.end) if span is not None else (suggested.start, suggested.end)
    same = label == suggested.label and (start, end) == (suggested.start, suggested.end)
    return session.apply_label(
        document,
        start,
        end,
        label,
        kind=suggested.kind,
        source="suggested" if same else "corrected",
        speaker=suggested.speaker,
    )
