"""The reading screen's suggestions (`reader --suggest`, `S`): the claim suggestions of
the store's learner and the engine's entities and quotes, and what Enter/y, n, A, a label
key and `v` do to them. The rules are the core's (`annotate/suggestions.py`,
`annotate/span_suggestions.py`); this is the keys, the workers and the repaint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import work
from textual.screen import Screen
from textual.worker import get_current_worker

from ...errors import ReaderError
from ...reading.marks import Mark, label_color

if TYPE_CHECKING:
    from ...annotate.annotations import Annotation
    from ...annotate.rejections import Rejections
    from ...annotate.schema import Schema
    from ...annotate.session import AnnotationSession
    from ...annotate.span_suggestions import SpanSuggested
    from ...annotate.suggestions import Suggested, Teacher
    from ...corpus import Document
    from ...nlp.types import Analysis
    from ...reading.state import ReadingState
    from ..widgets.article_view import ArticleView

T = TypeVar("T")


class SuggestingScreen(Screen[None]):
    """The reading screen's suggestions; `ReadingScreen` is one."""

    if TYPE_CHECKING:  # what the reading screen gives it
        session: AnnotationSession | None
        schema: Schema
        state: ReadingState
        _annotations: list[Annotation]
        _analyses: dict[str, Analysis]

        @property
        def document(self) -> Document: ...
        @property
        def article(self) -> ArticleView: ...
        def refresh_panels(self, message: str = "") -> None: ...
        def _write(self, operation: Callable[[AnnotationSession], T]) -> T | None: ...
        def _saved(self, message: str) -> None: ...
        def _flash(self, message: str) -> None: ...
        def _editing(self) -> AnnotationSession | None: ...

    def _init_suggestions(self, suggest: bool) -> None:
        """`suggest`: shown from the start (the model loads once the store is open)."""
        self.suggesting = suggest
        self._teacher: Teacher | None = None
        self._suggestions: list[Suggested] = []  # claim suggestions
        self._scored: str | None = None  # the document whose claim suggestions are shown
        self._span_suggestions: list[SpanSuggested] = []  # entity and quote suggestions
        self._rejections: Rejections | None = None
        self._fixing: SpanSuggested | None = None  # whose ends the selection fixes

    def _start_suggestions(self) -> None:
        if self.session is None:
            return
        if self._rejections is None and self._suggests_spans():
            from ...annotate.rejections import Rejections

            try:
                self._rejections = Rejections.load(self.session.store.path)
            except ReaderError as exc:
                self.notify(str(exc), severity="error", timeout=15)
        self._rescore()
        if self._teacher is None:
            self._load_learner(self.session.store.path)

    def _suggests_spans(self) -> bool:
        """Whether the schema has a group for the engine's entities or quotes."""
        return self.schema.quote_label is not None or any(
            label.kind == "entity" and label.tag for label in self.schema.labels
        )

    @work(thread=True, exclusive=True, group="learner", description="claim model")
    def _load_learner(self, store_path: Path) -> None:
        """The store's learned claim model (and the shipped one), off the UI thread."""
        from ...annotate.suggestions import Teacher
        from ...claims.learner import claim_label_groups
        from ...claims.persist import load_learner, save_learner

        try:
            learner = load_learner(store_path, claim_label_groups(self.schema))
            learner.suggest("A warm-up sentence.")  # the model's file is read here
        except ReaderError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        teacher = Teacher(learner, lambda: save_learner(store_path, learner))
        self.app.call_from_thread(self._learner_ready, teacher)

    def _learner_ready(self, teacher: Teacher) -> None:
        self._teacher = teacher
        self._rescore()

    def _rescore(self) -> None:
        """Suggest again for the document shown (once its analysis is complete)."""
        if not self.suggesting or self.document.id not in self._analyses:
            return
        self._suggest_spans()
        if self._teacher is None:
            return
        spans = [(s.start, s.end) for s in self.state.sentences.spans]
        self._score(self.document, spans, list(self._annotations), self._teacher)

    @work(thread=True, exclusive=True, group="suggest", description="claim suggestions")
    def _score(
        self, document: Document, spans: list[tuple[int, int]], annotations: list, teacher: Teacher
    ) -> None:
        from ...annotate.suggestions import claim_suggestions

        worker = get_current_worker()
        found = claim_suggestions(
            document.id,
            document.text,
            spans,
            teacher.learner,
            annotations,
            lambda: worker.is_cancelled,
        )
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_suggestions, document.id, found)

    def _show_suggestions(self, doc_id: str, found: list[Suggested]) -> None:
        if doc_id != self.document.id:
            return
        self._suggestions = found if self.suggesting else []
        self._scored = doc_id if self.suggesting else None
        self._paint_suggestions()

    def _suggest_spans(self) -> None:
        """The engine's entities and quotes of the document shown as suggestions (with
        suggestions on, a store open and a schema group of their kind)."""
        analysis = self._analyses.get(self.document.id)
        self._span_suggestions = []
        if self.suggesting and self._rejections is not None and analysis is not None:
            from ...annotate.span_suggestions import span_suggestions

            self._span_suggestions = span_suggestions(
                self.document.id,
                analysis.entities,
                analysis.quotes,
                self.schema,
                self._annotations,
                self._rejections,
            )
        self._paint_suggestions()

    def _paint_suggestions(self) -> None:
        suggestions: list[Suggested | SpanSuggested] = [*self._suggestions]
        suggestions.extend(self._span_suggestions)
        self.article.show_suggestions(
            [
                Mark(s.start, s.end, label_color(self.schema, s.label), s.label, s.kind)
                for s in suggestions
            ]
        )
        self.refresh_panels()

    def _suggestion_here(self) -> Suggested | None:
        """The claim suggestion on the cursor's sentence (none while selecting)."""
        span = self.state.sentence
        if not self._suggestions or span is None or self.state.selection is not None:
            return None
        from ...annotate.suggestions import suggestion_on

        return suggestion_on(self._suggestions, span.start, span.end)

    def _under_cursor(self) -> SpanSuggested | Suggested | None:
        """The suggestion a key acts on (`span_suggestions.suggestion_under`); none while
        selecting."""
        if self.state.selection is not None or not (self._suggestions or self._span_suggestions):
            return None
        from ...annotate.span_suggestions import suggestion_under

        return suggestion_under(
            self._span_suggestions,
            self.state.focused_entity_or_quote,
            self.state.sentence,
            self._suggestion_here(),
        )

    def _focused_suggestion(self) -> SpanSuggested | None:
        """The entity or quote suggestion on the focused entity or quote, if any."""
        focused = self.state.focused_entity_or_quote
        if focused is None or self.state.selection is not None:
            return None
        from ...annotate.span_suggestions import SpanSuggested, suggestion_under

        found = suggestion_under(self._span_suggestions, focused, None)
        return found if isinstance(found, SpanSuggested) else None

    def action_accept_suggestion(self) -> None:
        if self._fixing is not None and self.state.selection is not None:
            self._accept_span(self._fixing)
            return
        suggested = self._under_cursor()
        if suggested is None:
            several = self.state.sentence is not None and len(self._in_sentence()) > 1
            self.refresh_panels(
                "several suggestions here: e/tab picks one, A accepts them all"
                if several
                else "no suggestion here"
                if self.suggesting
                else "suggestions are off (S)"
            )
            return
        from ...annotate.suggestions import Suggested

        if isinstance(suggested, Suggested):
            self._label_suggested(suggested, suggested.label)
        else:
            self._accept_span(suggested)

    def _in_sentence(self) -> list[SpanSuggested]:
        from ...annotate.span_suggestions import in_sentence

        span = self.state.sentence
        return in_sentence(self._span_suggestions, span.start, span.end) if span else []

    def _accept_span(self, suggested: SpanSuggested, label: str | None = None) -> None:
        """Save an entity or quote suggestion: as it is, relabelled, or with the ends the
        selection gave it (when fixing it)."""
        from ...annotate.span_suggestions import accept

        selection = self.state.selection
        fixed = selection.span if self._fixing is suggested and selection is not None else None
        annotation = self._write(lambda s: accept(s, self.document, suggested, label, fixed))
        if annotation is None:
            return
        self.state.clear_selection()
        self._fixing = None
        how = "accepted" if annotation.source == "suggested" else "corrected to"
        self._saved(f"{how} {annotation.label} {annotation.text[:30]!r}")

    def action_accept_sentence(self) -> None:
        """`A`: every suggestion in the sentence (entities, quotes, the claim), one undo step."""
        from ...annotate.span_suggestions import accept
        from ...annotate.suggestions import label_suggested

        spans, claim = self._in_sentence(), self._suggestion_here()
        count = len(spans) + (claim is not None)
        if not count:
            self.refresh_panels("no suggestion in this sentence")
            return

        def accept_all(session: AnnotationSession) -> list[Annotation]:
            with session.batch(f"accept {count} suggestions"):
                made = [accept(session, self.document, suggested) for suggested in spans]
                if claim is not None:
                    made.append(label_suggested(session, self.document, claim, claim.label))
                    self._teach(session, made[-1].text, claim.label, claim)
            return made

        if self._write(accept_all) is None:
            return
        self._saved(f"accepted {count} suggestion{'s' if count != 1 else ''} (u undoes them all)")

    def _label_suggested(self, suggested: Suggested, label: str) -> None:
        from ...annotate.suggestions import label_suggested

        def label_it(session: AnnotationSession) -> Annotation:
            with session.batch():  # the label and what the learner learns: one undo step
                annotation = label_suggested(session, self.document, suggested, label)
                self._teach(session, annotation.text, label, suggested)
            return annotation

        annotation = self._write(label_it)
        if annotation is None:
            return
        how = "accepted" if annotation.source == "suggested" else "corrected to"
        self._saved(f"{how} {annotation.label}")

    def _reject(self, suggested: Suggested | SpanSuggested) -> None:
        from ...annotate.suggestions import Suggested

        if not isinstance(suggested, Suggested):
            self._reject_span(suggested)
            return
        if self._teacher is None or self.session is None:
            return
        self._show_suggestions(self.document.id, [s for s in self._suggestions if s != suggested])
        text = self.document.text[suggested.start : suggested.end]
        lesson = self._teacher.rejected(self.document.id, text, suggested)
        self.session.record(lesson, f"reject {suggested.label}")
        self._learn_queued()
        self._flash(f"rejected the {suggested.label} suggestion (u suggests it again)")

    def _reject_span(self, suggested: SpanSuggested) -> None:
        """`n` on an entity or quote suggestion: never suggested again (saved beside the
        store); the store does not change."""
        if self._rejections is None:
            return
        from ...annotate.rejections import Rejected

        key = suggested.key(self.document.id)
        try:
            self._rejections.reject(key)
        except ReaderError as exc:
            self.notify(f"rejection NOT saved: {exc}", severity="error", timeout=15)
            return
        if self.session is not None:
            self.session.record(Rejected(self._rejections, key), f"reject {suggested.label}")
        self._span_suggestions = [s for s in self._span_suggestions if s != suggested]
        self._paint_suggestions()
        self._flash(f"rejected the {suggested.label} suggestion (u suggests it again)")

    def _missed(self, start: int, end: int) -> Suggested | None:
        """For a claim label about to be given by hand on `start:end`: with suggestions
        shown for this document, and that span a sentence with no claim yet that the model
        did not suggest (nor the annotator reject), the suggestion the model missed (scored
        under the threshold), so that the learner counts a "missed"."""
        doc_id = self.document.id
        if not self.suggesting or self._scored != doc_id or self._teacher is None:
            return None
        from ...annotate.suggestions import Suggested, suggestion_on

        if (
            suggestion_on(self._suggestions, start, end) is not None
            or self._teacher.learner.was_rejected(doc_id, start, end)
            or not self._is_sentence(start, end)
            or any(
                (a.start, a.end) == (start, end) and a.kind == "claim" for a in self._annotations
            )
        ):
            return None
        return Suggested(start, end, "", 0.0)

    def _is_sentence(self, start: int, end: int) -> bool:
        sentences = self.state.sentences
        at = sentences.index_at(start)
        return at is not None and (sentences[at].start, sentences[at].end) == (start, end)

    def _teach(
        self, session: AnnotationSession, sentence: str, label: str, suggested: Suggested | None
    ) -> None:
        """Teach the learner the claim `label` given to `sentence`: a part of the session's
        step under way (undo takes back what it learned too), learned off the UI thread."""
        if self._teacher is not None and self.schema.kind_of(label) == "claim":
            session.record(self._teacher.labelled(sentence, label, suggested))
            self._learn_queued()

    def on_unmount(self) -> None:
        """Quitting: what the learner was taught and no worker has learned yet is learned
        and saved now (the annotations are saved already; this keeps their lessons)."""
        if self._teacher is not None and self._teacher.pending:
            try:
                self._teacher.work()
            except ReaderError as exc:
                messages = getattr(self.app, "exit_messages", None)
                if messages is not None:
                    messages.append(f"learned suggestions NOT saved: {exc}")

    def _learn_queued(self) -> None:
        """Run what the learner was taught, or had undone, since the last time."""
        if self._teacher is not None and self._teacher.pending:
            self._learn(self._teacher)

    @work(thread=True, group="teach", description="learning from a label")
    def _learn(self, teacher: Teacher) -> None:
        """Teach the learner and save its state, off the UI thread; then suggest again."""
        try:
            teacher.work()
        except ReaderError as exc:
            self.app.call_from_thread(
                self.notify, f"learned suggestions NOT saved: {exc}", severity="error", timeout=15
            )
        self.app.call_from_thread(self._rescore)

    def action_toggle_suggestions(self) -> None:
        self.suggesting = not self.suggesting
        if self.suggesting:
            if self._editing() is not None:
                self._start_suggestions()
            self._flash("suggestions on")
        else:
            self._suggestions, self._span_suggestions, self._fixing = [], [], None
            self._paint_suggestions()
            self._flash("suggestions off")
