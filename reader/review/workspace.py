"""A review in progress: the documents, their disagreements, the gold store, progress.

This is what the review screen talks to (and what the tests drive without a terminal).
Disagreements are computed per document when it is shown; counting them in every
document, for the overall progress, is `count_all`, which the screen runs in a
background thread so that the first document appears at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from ..annotate.schema import Schema
from ..store import AnnotationStore
from .adjudication import Adjudicator
from .disagreements import Disagreement, agreed, disagreement_places, find_disagreements
from .loading import GOLD, ReviewDocument, ReviewInput

_CACHED = 64


@dataclass(frozen=True)
class Place:
    """Where a disagreement is: enough to tell whether it is resolved."""

    id: str
    doc_id: str
    kind: str
    start: int
    end: int


class Review:
    def __init__(self, loaded: ReviewInput, gold: AnnotationStore, schema: Schema) -> None:
        self.input = loaded
        self.gold = gold
        self.schema = schema
        self.adjudicator = Adjudicator(gold, schema)
        self._lock = threading.Lock()  # the counting thread and the screen share the input
        self._disagreements: OrderedDict[str, list[Disagreement]] = OrderedDict()
        self._annotators_seen: tuple[str, ...] = ()
        self._places: dict[str, list[Place]] | None = None  # every document, once counted

    @property
    def warnings(self) -> list[str]:
        return self.input.warnings

    @property
    def gold_path(self) -> Path:
        return self.gold.path

    @property
    def doc_ids(self) -> list[str]:
        return self.input.doc_ids

    @property
    def annotators(self) -> list[str]:
        return self.input.annotators

    def document(self, index: int) -> ReviewDocument:
        return self.input.document(self.doc_ids[index])

    def disagreements(self, doc_id: str) -> list[Disagreement]:
        """The document's disagreements among every annotator known."""
        by_annotator = self.input.annotations(doc_id)
        annotators = tuple(self.input.annotators)
        with self._lock:
            if annotators != self._annotators_seen:  # a new annotator: compare again
                self._disagreements.clear()
                self._annotators_seen = annotators
            found = self._disagreements.get(doc_id)
            if found is None:
                found = find_disagreements(doc_id, by_annotator, annotators)
                self._disagreements[doc_id] = found
                if len(self._disagreements) > _CACHED:
                    self._disagreements.popitem(last=False)
            return found

    def adopt_agreed(self, doc_id: str) -> int:
        """Copy what all annotators agree on in the document into gold (see
        `Adjudicator.adopt_agreed`); only once every annotator is known (`count_all` has
        run), since an annotator not known yet might have marked nothing here."""
        if not self.counted:
            return 0
        by_annotator = self.input.annotations(doc_id)
        places = agreed(doc_id, by_annotator, self.annotators)
        if not places:
            return 0
        return self.adjudicator.adopt_agreed(self.input.document(doc_id), places)

    def progress(self, doc_id: str) -> tuple[int, int]:
        """(resolved, total) in one document."""
        return self.adjudicator.progress(doc_id, self.disagreements(doc_id))

    # --- every document -----------------------------------------------------------------
    def count_all(self, cancelled: threading.Event | None = None) -> bool:
        """Find where every document has disagreements (slow on big stores: run it in a
        thread). Returns False when cancelled."""
        places: dict[str, list[Place]] = {}
        compared: dict[str, list[str]] = {}
        for doc_id in self.doc_ids:
            if cancelled is not None and cancelled.is_set():
                return False
            places[doc_id], compared[doc_id] = self._places_of(doc_id)
        final = self.annotators
        for doc_id, names in compared.items():  # those counted before an annotator was learnt
            if names != final:
                places[doc_id], _ = self._places_of(doc_id)
        self._places = places
        return True

    def _places_of(self, doc_id: str) -> tuple[list[Place], list[str]]:
        spans = self.input.spans(doc_id)
        names = self.annotators
        found = disagreement_places(doc_id, spans, names)
        return [Place(i, doc_id, kind, start, end) for i, kind, start, end in found], names

    @property
    def counted(self) -> bool:
        return self._places is not None

    def overall(self) -> tuple[int, int] | None:
        """(resolved, total) over every document; None until `count_all` has run."""
        if self._places is None:
            return None
        resolved = total = 0
        for doc_id, places in self._places.items():
            total += len(places)
            if places:
                gold = self.gold.for_document(doc_id)
                resolved += sum(self.adjudicator.is_resolved(p, gold) for p in places)
        return resolved, total

    def close(self) -> None:
        self.gold.close()


def open_gold(path: Path) -> AnnotationStore:
    """The gold store, for writing (its lock keeps a second reviewer out)."""
    return AnnotationStore.open(path, GOLD)
