"""Value types of the analysis. Every offset is a Python str index into the text as loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Entity:
    start: int
    end: int
    label: str  # one of ENTITY_LABELS
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text}


@dataclass(frozen=True, slots=True)
class Speaker:
    start: int
    end: int
    text: str
    resolved: str | None = None  # the full name a pronoun or short form refers to

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "resolved": self.resolved}


@dataclass(frozen=True, slots=True)
class Quote:
    start: int  # includes the opening mark
    end: int  # includes the closing mark
    text: str
    speaker: Speaker | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "speaker": self.speaker.to_json() if self.speaker else None,
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    engine: str
    sentences: tuple[Span, ...]
    entities: tuple[Entity, ...]
    quotes: tuple[Quote, ...]

    def to_json(self, source: str) -> dict[str, Any]:
        return {
            "source": source,
            "engine": self.engine,
            "sentences": [s.to_json() for s in self.sentences],
            "entities": [e.to_json() for e in self.entities],
            "quotes": [q.to_json() for q in self.quotes],
        }
