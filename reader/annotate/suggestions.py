"""Claim suggestions in the app, without Textual: which sentences to suggest a label for,
what accepting, relabelling and rejecting one does, and teaching the learner.

The learner is `reader.claims.learner.ClaimLearner` (anything with its methods: this
package does not import `claims`). A suggestion is shown for a sentence the learner scores
at 0.5 or more that has no claim annotation on exactly its span and was not rejected.
Accepting one is an ordinary annotation with `"source": "suggested"`; a label key that
gives it another label makes one with `"source": "corrected"`; rejecting it is remembered
by the learner (saved with its state) and never changes the store.

What the learner is taught (a claim label given, a suggestion rejected) is a `Lesson`: an
undo step of the session (an `Edit`), so undo takes back exactly what the learner learned
and redo teaches it again. The `Teacher` does the work off the UI thread, in the order
asked, and saves the learner's state after it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .annotations import Annotation
from .session import AnnotationSession, DocumentLike

THRESHOLD = 0.5  # the learner's own (reader.claims.model.THRESHOLD)
# Lessons whose learning undo can take back exactly, newest first: each keeps the rows it
# changed (about 40 kB), so an older one forgets them and its undo leaves the learning be.
LESSONS_KEPT = 500
# Sentences scored together: one numpy pass each (four times cheaper a sentence than one by
# one), small enough that a long article's memory stays small and a cancel is soon seen.
BATCH_SENTENCES = 256


class Learner(Protocol):
    """What a suggestion needs of `ClaimLearner`."""

    def suggestions(self, sentences: Sequence[str]) -> Sequence[Any]: ...  # .label, .score

    def observe(self, sentence: str, label: str | None, suggested: Any = None) -> Any: ...

    def undo(self, update: Any) -> None: ...  # what `observe` returned

    def redo(self, update: Any) -> None: ...

    def reject(self, doc_id: str, start: int, end: int) -> None: ...

    def unreject(self, doc_id: str, start: int, end: int) -> None: ...

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
    """Teaches the learner and saves its state: the lessons (and their undoing) are queued
    on the UI thread, in the order the annotator made them, and `work` runs them from a
    worker thread, one call at a time, then saves."""

    def __init__(self, learner: Learner, save: Callable[[], object]) -> None:
        self.learner = learner
        self._save = save
        self._lock = threading.Lock()
        self._queue: deque[Callable[[], None]] = deque()  # appended on the UI thread
        self._kept: deque[Lesson] = deque()  # the newest lessons, whose updates are kept

    def labelled(self, sentence: str, label: str, suggested: Suggested | None) -> Lesson:
        """The annotator gave `sentence` the claim `label` (with the suggestion that was
        shown there, if any): queued; record the lesson in the session's step."""
        return self._lesson(Lesson(self, sentence, label, suggested))

    def rejected(self, doc_id: str, sentence: str, suggested: Suggested) -> Lesson:
        """The annotator rejected `suggested` on `sentence`: never suggest it again."""
        key = (doc_id, suggested.start, suggested.end)
        return self._lesson(Lesson(self, sentence, None, suggested, key))

    def _lesson(self, lesson: Lesson) -> Lesson:
        self.queue(lesson.learn)
        self._kept.append(lesson)
        if len(self._kept) > LESSONS_KEPT:  # forgotten in the queue's order, after its learning
            self.queue(self._kept.popleft().forget)
        return lesson

    def queue(self, job: Callable[[], None]) -> None:
        self._queue.append(job)

    @property
    def pending(self) -> bool:
        return bool(self._queue)

    def work(self) -> None:
        """Run what is queued, oldest first, then save the learner's state (when anything
        ran). Any worker may call it: the first to get the lock runs them all."""
        with self._lock:
            ran = False
            while self._queue:
                self._queue.popleft()()
                ran = True
            if ran:
                self._save()


@dataclass(eq=False)
class Lesson:
    """What the learner was taught about one sentence (the claim `label` given, or with
    `rejected` the suggestion rejected: its doc_id, start and end), as an undo step of the
    session: undo and redo queue the learner's own `undo`/`redo` of the update it made."""

    teacher: Teacher
    sentence: str
    label: str | None
    suggested: Suggested | None
    rejected: tuple[str, int, int] | None = None
    update: Any = field(default=None, init=False)  # the learner's, once taught

    def learn(self) -> None:
        learner = self.teacher.learner
        if self.rejected is not None:
            learner.reject(*self.rejected)
        self.update = learner.observe(self.sentence, self.label, self.suggested)

    def forget(self) -> None:
        """Let go of the update (`LESSONS_KEPT` newer lessons were taught): undo and redo
        then leave what was learned as it is (a rejection is still taken back)."""
        self.update = None

    def undo(self) -> None:
        self.teacher.queue(self._unlearn)

    def redo(self) -> None:
        self.teacher.queue(self._relearn)

    def _unlearn(self) -> None:
        learner = self.teacher.learner
        if self.update is not None:
            learner.undo(self.update)
        if self.rejected is not None:
            learner.unreject(*self.rejected)

    def _relearn(self) -> None:
        learner = self.teacher.learner
        if self.rejected is not None:
            learner.reject(*self.rejected)
        if self.update is not None:
            learner.redo(self.update)
