"""Claim suggestions in the app, without Textual: which sentences to suggest a label for,
what accepting, relabelling and rejecting one does, and teaching the learner.

The learner is `reader.claims.learner.ClaimLearner` (anything with its methods: this
package does not import `claims`). A suggestion is shown for a sentence the learner scores
at 0.5 or more that has no claim annotation on exactly its span and was not rejected.
Accepting one is an ordinary annotation with `"source": "suggested"`; a label key that
gives it another label makes one with `"source": "corrected"`; rejecting it is remembered
by the learner (saved with its state) and never changes the store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .annotations import Annotation
from .session import AnnotationSession, DocumentLike

THRESHOLD = 0.5  # the learner's own (reader.claims.model.THRESHOLD)
# Sentences scored together: one numpy pass each (four times cheaper a sentence than one by
# one), small enough that a long article's memory stays small and a cancel is soon seen.
BATCH_SENTENCES = 256


class Learner(Protocol):
    """What a suggestion needs of `ClaimLearner`."""

    def suggestions(self, sentences: Sequence[str]) -> Sequence[Any]: ...  # .label, .score

    def observe(self, sentence: str, label: str | None, suggested: Any = None) -> str | None: ...

    def reject(self, doc_id: str, start: int, end: int) -> None: ...

    def was_rejected(self, doc_id: str, start: int, end: int) -> bool: ...


@dataclass(frozen=True, slots=True)
class Suggested:
    """A suggested claim label on one sentence (`start:end` of the document's text)."""

    start: int
    end: int
    label: str
    score: float

    @property
    def kind(self) -> str:
        return "claim"

    @property
    def shown(self) -> bool:  # what `ClaimLearner.observe` asks of a suggestion
        return self.score >= THRESHOLD


def claim_suggestions(
    doc_id: str,
    text: str,
    sentences: Iterable[tuple[int, int]],
    learner: Learner,
    annotations: Sequence[Annotation],
    cancelled: Callable[[], bool] = lambda: False,
) -> list[Suggested]:
    """The suggestion for each sentence `(start, end)` that gets one, in text order
    (an empty list once `cancelled()` says the work is no longer wanted)."""
    claimed = {(a.start, a.end) for a in annotations if a.kind == "claim"}
    open_spans = [
        (start, end)
        for start, end in sentences
        if (start, end) not in claimed
        and text[start:end].strip()
        and not learner.was_rejected(doc_id, start, end)
    ]
    found: list[Suggested] = []
    for at in range(0, len(open_spans), BATCH_SENTENCES):
        if cancelled():
            return []
        batch = open_spans[at : at + BATCH_SENTENCES]
        guesses = learner.suggestions([text[start:end] for start, end in batch])
        found.extend(
            Suggested(start, end, guess.label, guess.score)
            for (start, end), guess in zip(batch, guesses, strict=True)
            if guess.score >= THRESHOLD
        )
    return [] if cancelled() else found


def suggestion_on(suggestions: Iterable[Suggested], start: int, end: int) -> Suggested | None:
    """The suggestion on exactly `start:end`, if any."""
    return next((s for s in suggestions if (s.start, s.end) == (start, end)), None)


def label_suggested(
    session: AnnotationSession, document: DocumentLike, suggested: Suggested, label: str
) -> Annotation:
    """Annotate the suggested sentence with `label`: its own label is an accepted
    suggestion (`"source": "suggested"`), another a corrected one (`"corrected"`)."""
    source = "suggested" if label == suggested.label else "corrected"
    return session.apply_label(
        document, suggested.start, suggested.end, label, kind="claim", source=source
    )


def source_after(existing: Annotation | None, label: str) -> str | None:
    """The `source` a label key gives an annotation it relabels: an accepted suggestion
    given another label becomes a corrected one; anything else keeps its own (None)."""
    if existing is not None and existing.source == "suggested" and existing.label != label:
        return "corrected"
    return None


def shown_score(score: float) -> str:
    """A score as the app shows it: cut (not rounded) to two decimals, so 0.995 is 0.99
    and 0.4999 is never shown as 0.50."""
    return f"{int(score * 100) / 100:.2f}"


class Teacher:
    """Teaches the learner what the annotator did and saves its state, one call at a time
    (the app calls it from worker threads, off the UI thread)."""

    def __init__(self, learner: Learner, save: Callable[[], object]) -> None:
        self.learner = learner
        self._save = save
        self._lock = threading.Lock()

    def labelled(self, sentence: str, label: str, suggested: Suggested | None) -> str | None:
        """The annotator gave `sentence` the claim `label` (with the suggestion that was
        shown there, if any); returns the outcome counted (accepted, relabelled...)."""
        with self._lock:
            outcome = self.learner.observe(sentence, label, suggested)
            self._save()
        return outcome

    def rejected(self, doc_id: str, sentence: str, suggested: Suggested) -> None:
        """The annotator rejected `suggested` on `sentence`: never suggest it again."""
        with self._lock:
            self.learner.reject(doc_id, suggested.start, suggested.end)
            self.learner.observe(sentence, None, suggested)
            self._save()
