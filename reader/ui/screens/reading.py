"""The reading screen: article view, legend, quote line, document list, search, status,
and the annotation keys (labels, selection, stance, notes, undo) when a store is open."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from ...annotate.schema import Label, Schema, default_schema
from ...corpus import Corpus, Document
from ...errors import ReaderError
from ...nlp.chunked import analyze_progressively
from ...nlp.types import Analysis, Entity, Span
from ...printable import inert
from ...reading.marks import annotations_here, describe, label_color, marks_for
from ...reading.state import FocusKind, ReadingState
from ..widgets.annotation_list import AnnotationList
from ..widgets.article_view import ENTITY_KINDS, ArticleView
from ..widgets.document_list import DocumentList
from ..widgets.overlay_list import OverlayList
from ..widgets.search_bar import SearchBar
from ..widgets.status_line import StatusLine, warning_summary
from .paging import DOCUMENT_BINDINGS, PAGE_BINDINGS, article_keys_allowed, turn_page
from .schema_keys import hidden_keys, textual_key, with_bindings
from .suggesting import SuggestingScreen

if TYPE_CHECKING:  # the store is imported by the command that opens it, not at start-up
    from ...annotate.annotations import Annotation, Speaker
    from ...annotate.session import AnnotationSession, Step
    from .prompts import StanceChoice

READING_BINDINGS = [
    *hidden_keys("""
        j,down                 sentence(1)             Next sentence
        k,up                   sentence(-1)            Previous sentence
        J,right_curly_bracket  paragraph(1)            Next paragraph
        K,left_curly_bracket   paragraph(-1)           Previous paragraph
        g,home                 top                     Top
        G,end                  bottom                  Bottom
    """),
    *PAGE_BINDINGS,
    Binding("tab", "jump('quote', True)", "Next quote"),
    *hidden_keys("shift+tab  jump('quote', False)  Previous quote"),
    Binding("e", "jump('entity', True)", "Next entity"),
    *hidden_keys("E  jump('entity', False)  Previous entity"),
    # Priority: handled in key order, so keys typed right after `/` reach the search box.
    Binding("slash", "search", "Search", priority=True),
    *hidden_keys("""
        n  match(True)   Next match (no search: reject the suggestion)
        N  match(False)  Previous match
    """),
    Binding("d", "documents", "Documents"),
    *DOCUMENT_BINDINGS,
    *hidden_keys("""
        right_parenthesis  unannotated(1)   Next unannotated doc
        left_parenthesis   unannotated(-1)  Previous unannotated doc
        escape             cancel           Cancel selection / close search or list
    """),
]

# Label keys come from the schema (see `label_bindings`); these are the rest.
ANNOTATION_BINDINGS = hidden_keys("""
    v              select                     Select from the cursor word (a suggestion: fix its ends)
    l,w            select_word(True)          Selection: next word
    h,b            select_word(False)         Selection: previous word
    s              stance                     Stance
    x              delete                     Delete
    u              undo                       Undo
    ctrl+r         redo                       Redo
    semicolon      note                       Note
    L              annotations                Annotation list
    asterisk       every_occurrence(False)    Label every occurrence: document
    ampersand      every_occurrence(True)     Label every occurrence: corpus
    enter,y        accept_suggestion          Accept the suggestion
    A              accept_sentence            Accept every suggestion in the sentence
    S              toggle_suggestions         Show / hide suggestions
""")
SAVED_MESSAGE_SECONDS = 4.0
T = TypeVar("T")
# The editing keys the legend lists after the label keys, while there is room.
EDITING_KEYS = (
    ("v", "select"),
    ("s", "stance"),
    ("x", "delete"),
    ("u", "undo"),
    (";", "note"),
    ("L", "list"),
)


def label_bindings(schema: Schema) -> list[Binding]:
    """One binding per label: a claim, entity or quote label applies at once, a stance
    label opens the stance prompt with that stance chosen."""
    bindings = []
    for index, label in enumerate(schema.labels):
        action = f"stance({index})" if label.kind == "stance" else f"label({index})"
        what = label.description or label.kind
        bindings.append(
            Binding(textual_key(label.key), action, f"{label.name}: {what}", show=False)
        )
    return bindings


@cache  # the status line asks on every key; resolving touches the file system
def short_path(path: str | Path) -> str:
    """`~/…` for paths in the home folder, so the status line stays short."""
    path = Path(path)
    try:
        return "~/" + str(path.resolve().relative_to(Path.home().resolve()))
    except (ValueError, RuntimeError, OSError):
        return str(path)


class ReadingScreen(SuggestingScreen):
    BINDINGS = [*READING_BINDINGS, *ANNOTATION_BINDINGS]  # a list of Screen's BindingType

    def __init__(
        self,
        corpus: Corpus,
        engine: str | None = None,
        session: AnnotationSession | None = None,
        schema: Schema | None = None,
        open_session: Callable[[], AnnotationSession | None] | None = None,
        suggest: bool = False,
    ) -> None:
        """`open_session` opens the store when a key needs it before it was opened
        (the app opens it just after the first paint); `suggest` shows claim
        suggestions (the model loads once the store is open)."""
        super().__init__()
        self.corpus = corpus
        self.engine = engine
        self.session = session
        self._open_session = open_session
        self.schema: Schema = screen_schema(schema, session)
        self.label_bindings = label_bindings(self.schema)  # bound by `reading_screen`
        self.index = 0
        self.state = ReadingState(self.document.text)
        self.engine_label = "analysing…"
        self._analyses: dict[str, Analysis] = {}
        self._search_origin: int | None = None
        self._annotations: list[Annotation] = []
        self._message = ""
        self._message_timer: Timer | None = None
        self._annotation_panel: AnnotationList | None = None
        # Where each text is in the corpus (an article may be in it twice: same id).
        self._copies: dict[str, list[int]] = {}
        for number, doc in enumerate(corpus.documents):
            self._copies.setdefault(doc.id, []).append(number)
        # Problems with the input (malformed JSONL lines...) stay in the status line.
        self._warning = warning_summary(corpus.warnings)
        self._init_suggestions(suggest)

    # --- composition -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="legend")  # two lines: the highlight colours, then the label keys
        with Horizontal(id="body"):
            yield DocumentList(self.corpus.documents, id="documents")
            yield ArticleView(self.document.title, self.state, id="article")
        yield Static(id="quote-info")
        yield SearchBar()
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.article.focus()
        self._show_legend()
        # Once the article has its theme's styles (`:light`/`:dark`), so the legend shows
        # exactly the colours the article does.
        self.call_after_refresh(self._show_legend)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._show_annotated_documents()
        self._open(0)
        if self.suggesting and self.session is not None:  # the model loads after the paint
            self.call_after_refresh(self._start_suggestions)

    def _show_legend(self) -> None:
        lines = Text()
        lines.append_text(self.article.legend())
        lines.append("\n")
        lines.append_text(self._keys_line())
        self.query_one("#legend", Static).update(lines)

    def _keys_line(self) -> Text:
        """The label keys, each name in its label's colour, then as many of the other
        editing keys as the width leaves room for (all of them are in the help, `?`)."""
        line = Text()
        for label in self.schema.labels:
            line.append(f"{inert(label.key)} ", "bold")
            line.append_text(self.article.swatch(inert(label.name), label.color, pad=False))
            line.append(" ")
        width = self.query_one("#legend", Static).content_region.width or 10**6
        for key, what in EDITING_KEYS:
            if line.cell_len + len(key) + len(what) + 3 > width:
                break
            line.append(f" {key}", "bold")
            line.append(f" {what} ")
        return line

    def on_resize(self) -> None:
        self._show_legend()

    def _theme_changed(self, _theme: object) -> None:
        self._show_legend()
        self.article.repaint()

    @property
    def document(self) -> Document:
        return self.corpus.documents[self.index]

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    # --- documents and analysis ---------------------------------------------------------
    def _open(self, index: int) -> None:
        self.index = index
        self.state = ReadingState(self.document.text)
        self._reanchor(self.document)
        self._load_annotations()
        self._suggestions, self._span_suggestions, self._fixing = [], [], None
        self.article.show_suggestions([])
        self.article.show(self.document.title, self.state)
        self.documents.mark_current(index)
        cached = self._analyses.get(self.document.id)
        if cached is not None:
            self._apply_analysis(self.document.id, cached, len(self.document.text))
        else:
            self.engine_label = "analysing…"
            self._analyze(self.document)
        self.refresh_panels()

    @work(thread=True, exclusive=True, group="analysis", description="analysis")
    def _analyze(self, document: Document) -> None:
        """Analyse in pieces off the UI thread; highlights appear as each piece is done."""
        worker = get_current_worker()
        engine = self.engine
        try:
            pieces = analyze_progressively(document.text, engine)
            result = next(pieces)
        except ReaderError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            engine = None
            pieces = analyze_progressively(document.text, engine)
            result = next(pieces)
        for later in pieces:
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self._apply_analysis, document.id, *result)
            result = later
        if not worker.is_cancelled:
            self.app.call_from_thread(self._apply_analysis, document.id, *result)

    def _apply_analysis(self, doc_id: str, analysis: Analysis, covered: int) -> None:
        if doc_id != self.document.id:
            return  # a late result for a document no longer shown
        complete = covered >= len(self.document.text)
        if complete:
            self._analyses[doc_id] = analysis
            self.call_after_refresh(self._rescore)
        self.state.set_analysis(analysis, covered)
        self.engine_label = analysis.engine if complete else f"{analysis.engine} (analysing…)"
        if self.state.query:
            self.state.search(self.state.query)
        self.article.state_changed(scroll=False)  # highlights arriving never move the view
        self.refresh_panels()

    # --- panels -------------------------------------------------------------------------
    def refresh_panels(self, message: str = "") -> None:
        """Redraw the status and quote lines; a `message` stays up like a saved one (a
        later redraw, or an earlier message's timer, does not wipe it at once)."""
        if message:
            self._hold_message(message)
        state = self.state
        message = self._message or state.hint()
        self.query_one(StatusLine).show_status(
            position=(self.index + 1, len(self.corpus)),
            words=self.document.word_count,
            sentence=(state.cursor + 1 if len(state.sentences) else 0, len(state.sentences)),
            engine=self.engine_label,
            extra=message,
            annotations=self._annotation_summary(),
            warning=self._warning,
        )
        self.query_one("#quote-info", Static).update(self._quote_line())

    def _quote_line(self) -> Text:
        """The quote under the cursor and its speaker; the entity under the cursor and
        its type. Text from the article is shown inertly."""
        line = Text()
        suggested = self._under_cursor()
        if suggested is not None:
            from ...annotate.suggestions import Suggested, shown_score

            line.append("Suggested: ", "dim")
            line.append(inert(suggested.label), f"bold {label_color(self.schema, suggested.label)}")
            if isinstance(suggested, Suggested):
                what, fix = shown_score(suggested.score), ""
            else:
                what, fix = suggested.kind, " · v fix ends"
            line.append(f" ({what})  Enter/y accept · n reject · label key relabel{fix}", "dim")
            line.append(" · A whole sentence\n", "dim")
        entity = self.state.focused_span if self._focus_kind() == "entity" else None
        if isinstance(entity, Entity):
            line.append("Entity: ", "dim")
            line.append(inert(entity.text), "bold")
            kind = ENTITY_KINDS.get(entity.label, entity.label)
            line.append(f"  ({inert(kind)}, {entity.start}–{entity.end})", "dim")
            line.append("\n")
        quote = self.state.cursor_quote()
        if quote is None:
            line.append("No quote in this sentence.", "dim")
            return line
        text = " ".join(quote.text.split())
        line.append(inert(text if len(text) <= 70 else text[:67] + "…"))
        if quote.speaker is None:
            line.append("  — no speaker", "dim")
            return line
        who = quote.speaker.text
        if quote.speaker.resolved and quote.speaker.resolved != quote.speaker.text:
            who += f" → {quote.speaker.resolved}"
        line.append("  — speaker: ")
        line.append(inert(who), "bold")
        return line

    def _focus_kind(self) -> str | None:
        return self.state.focus.kind if self.state.focus else None

    def _moved(self, moved: bool, nothing: str = "") -> None:
        self.article.state_changed()
        self.refresh_panels("" if moved or not nothing else nothing)

    # --- actions ------------------------------------------------------------------------
    def action_sentence(self, delta: int) -> None:
        self._moved(self.state.move_sentence(delta))

    def action_paragraph(self, delta: int) -> None:
        if self.state.selection is not None:  # J/K while selecting: widen by a sentence
            self._moved(self.state.extend_selection_by_sentence(delta > 0), "no more sentences")
            return
        self._moved(self.state.move_paragraph(delta))

    def action_top(self) -> None:
        self._moved(self.state.to_top())
        self.article.scroll_to(y=0, animate=False)

    def action_bottom(self) -> None:
        """The last sentence, with the end of the text in view (not the start of a last
        "sentence" that is still a whole unanalysed paragraph)."""
        self.state.to_bottom()
        self.article.scroll_to(y=self.article.max_scroll_y, animate=False, immediate=True)
        self.article.state_changed(scroll=False)
        self.refresh_panels()

    def action_page(self, direction: int) -> None:
        turn_page(self.article, self.state, direction)
        self.refresh_panels()

    def action_jump(self, kind: FocusKind, forward: bool) -> None:
        names = {"quote": "quotes", "entity": "entities"}
        where = "after" if forward else "before"
        moved = self.state.jump(kind, forward)
        self._moved(moved, f"no more {names[kind]} {where} this point")

    def action_match(self, forward: bool) -> None:
        suggested = self._under_cursor()
        if forward and not self.state.query and suggested is not None:
            self._reject(suggested)
            return
        if not self.state.query:
            self._moved(False, "no search: press / to search")
            return
        self._moved(self.state.next_match(forward), f"/{self.state.query}: no match")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a list or the search box has focus, its keys are its own: none of the
        article's actions run but Esc (a list's own key closes it: `OverlayList.Closed`)."""
        return article_keys_allowed(self, self.article, action, "cancel")

    def action_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.display = True  # set inline, so the input can take focus at once
        self._search_origin = self.state.sentence.start if self.state.sentence else 0
        bar.input.value = self.state.query
        self.set_focus(bar.input)

    @on(Input.Changed, "#search-input")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value:
            self.state.search(event.value, self._search_origin)
        else:
            self.state.clear_search()
        self._moved(True)

    @on(Input.Submitted, "#search-input")
    def _search_submitted(self) -> None:
        self._close_search()

    def _close_search(self) -> None:
        self.query_one(SearchBar).display = False
        self.article.focus()

    def action_cancel(self) -> None:
        """Esc: cancel the selection, close the search (clearing it) or a list."""
        if self.state.selection is not None and not self.query_one(SearchBar).display:
            self.state.clear_selection()
            self._fixing = None
            self._moved(True)
        elif self.query_one(SearchBar).display:
            self.state.clear_search()
            if self._search_origin is not None:
                self.state.to_offset(self._search_origin)
            self._close_search()
            self._moved(True)
        elif self.documents.display:
            self.action_documents()
        elif self._annotation_panel is not None and self._annotation_panel.display:
            self.action_annotations()

    def action_documents(self) -> None:
        documents = self.documents
        documents.display = not documents.display
        if documents.display:
            documents.mark_current(self.index)
            documents.focus()
        else:
            self.article.focus()

    @on(OverlayList.Chosen, "#documents")
    def _document_chosen(self, event: OverlayList.Chosen) -> None:
        self._open(event.index)
        self.action_documents()

    @on(OverlayList.Closed)
    def _list_closed(self, event: OverlayList.Closed) -> None:
        """A list's own key closes it (the key that opened it)."""
        if event.overlay is self.documents:
            self.action_documents()
        elif event.overlay is self._annotation_panel:
            self.action_annotations()

    def action_document(self, delta: int) -> None:
        target = self.index + delta
        if 0 <= target < len(self.corpus):
            self._open(target)
        else:
            self.refresh_panels("first document" if delta < 0 else "last document")

    # --- annotations: loading and showing ------------------------------------------------
    def attach_session(self, session: AnnotationSession) -> None:
        """Start annotating into `session`'s store (opened once the article is on screen)."""
        self.session = session
        self._show_annotated_documents()
        self._reanchor(self.document)
        self._load_annotations()
        self.article.state_changed(scroll=False)
        self.refresh_panels()
        if self.suggesting:
            self._start_suggestions()

    def _show_annotated_documents(self) -> None:
        """Mark in the document list the documents the store has annotations for (the
        list is then kept up to date document by document in `_load_annotations`)."""
        if self.session is None:
            return
        stored = self.session.store.counts()
        self.documents.set_annotated(
            {i for i, doc in enumerate(self.corpus.documents) if doc.id in stored}
        )

    @property
    def documents(self) -> DocumentList:
        return self.query_one(DocumentList)

    def _reanchor(self, document: Document) -> None:
        """Carry annotations made on an earlier version of this article's text."""
        if self.session is None:
            return
        from ...annotate.anchoring import any_orphaned, reanchor_document, reanchor_message

        try:
            in_corpus = {doc.id for doc in self.corpus.documents}
            placed = reanchor_document(self.session.store, document, in_corpus)
        except ReaderError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        if placed:
            self.notify(
                reanchor_message(placed),
                severity="warning" if any_orphaned(placed) else "information",
                timeout=10,
            )

    def _load_annotations(self) -> None:
        """Read the document's annotations from the store and draw them."""
        if self.session is None:
            return
        self._annotations = self.session.annotations(self.document.id)
        self.state.set_marks(marks_for(self._annotations, self.schema))
        if self._annotation_panel is not None:
            self._annotation_panel.show(self._annotations)
        annotated = bool(self._annotations)
        for index in self._copies.get(self.document.id, (self.index,)):
            if annotated != (index in self.documents.annotated):  # every copy of the text
                self.documents.mark_annotated(index, annotated)
        if self._suggestions or self._span_suggestions:
            from ...annotate.span_suggestions import still_open

            self._suggestions = still_open(self._suggestions, self._annotations)
            self._span_suggestions = still_open(self._span_suggestions, self._annotations)
            self._paint_suggestions()

    def _annotation_summary(self) -> str:
        if self.session is None:
            return "annotations off"
        count = len(self._annotations)
        summary = f"{count} annotation{'s' if count != 1 else ''}"
        if len(self.corpus) > 1:
            summary += f" · annotated {len(self.documents.annotated)}/{len(self.corpus)}"
        return f"{summary} · {self.session.annotator} → {short_path(self.session.store.path)}"

    def _flash(self, message: str) -> None:
        """A brief confirmation in the status line."""
        self.refresh_panels(message)

    def _hold_message(self, message: str) -> None:
        self._message = message
        if self._message_timer is not None:
            self._message_timer.stop()
        self._message_timer = self.set_timer(SAVED_MESSAGE_SECONDS, self._clear_flash)

    def _clear_flash(self) -> None:
        self._message = ""
        self.refresh_panels()

    def _saved(self, message: str) -> None:
        """After a write: redraw the annotations and confirm (the store saved it already)."""
        self._load_annotations()
        self.article.state_changed(scroll=False)
        self._flash(f"saved: {message}")

    def _editing(self) -> AnnotationSession | None:
        if self.session is None and self._open_session is not None:
            self.session = self._open_session()  # a key beat the store
        if self.session is None:
            self.refresh_panels("annotations are off: no store is open")
        return self.session

    def _target(self, kind: str | None = None) -> Span | None:
        span = self.state.target_for(kind)
        if span is None or span.end <= span.start:
            self.refresh_panels("nothing to label here")
            return None
        return span

    def _write(self, operation: Callable[[AnnotationSession], T]) -> T | None:
        """Run `operation` on the session (opening the store if a key beat it); a write
        that fails is reported and gives None (nothing was recorded)."""
        session = self._editing()
        if session is None:
            return None
        try:
            return operation(session)
        except ReaderError as exc:
            self._report(exc)
            return None

    def _report(self, exc: ReaderError) -> None:
        """A write failed (disk full, store gone): say so; nothing was recorded."""
        self.notify(f"NOT saved: {exc}", severity="error", timeout=15)
        self._message = ""
        self._load_annotations()
        self.refresh_panels("NOT saved (see the message)")

    # --- annotations: keys ------------------------------------------------------------------
    def action_select(self) -> None:
        """`v`: select from the cursor word; on a focused entity or quote suggestion,
        select exactly its span, to fix its ends before saving it."""
        self._fixing = self._focused_suggestion()
        if self._fixing is not None:
            self.state.select_exactly(self._fixing.start, self._fixing.end)
            self._moved(True)
            self.refresh_panels(
                f"fixing the {self._fixing.label} suggestion: l/w h/b move its end, "
                "Enter or a label key saves, Esc cancels"
            )
        elif self.state.start_selection():
            self._moved(True)
        else:
            self.refresh_panels("no word to select here")

    def action_select_word(self, forward: bool) -> None:
        if self.state.selection is None:
            self.refresh_panels("press v to start a selection")
            return
        self._moved(self.state.extend_selection_by_word(forward), "no more words")

    def action_label(self, index: int) -> None:
        label = self.schema.labels[index]
        session, span = self._editing(), self._target(label.kind)
        if session is None or span is None:
            return
        from ...annotate.span_suggestions import SpanSuggested, takes_label
        from ...annotate.suggestions import suggestion_on

        fixing = self._fixing if self.state.selection is not None else None
        suggested = fixing or self._under_cursor()
        if isinstance(suggested, SpanSuggested) and takes_label(self.schema, suggested, label.name):
            self._accept_span(suggested, label.name)
            return
        claim = suggestion_on(self._suggestions, span.start, span.end)
        if claim is not None and label.kind == "claim":  # whatever else is focused
            self._label_suggested(claim, label.name)
            return
        if label.kind == "quote" and self._ask_speaker(label, span):
            return
        self._apply_label(label, span)

    def _apply_label(self, label: Label, span: Span, speaker: Speaker | None = None) -> None:
        """Give `span` the `label` (a quote its `speaker`, when one was chosen)."""
        from ...annotate.suggestions import source_after

        def apply(session: AnnotationSession) -> Annotation:
            existing = session.find(self.document.id, span.start, span.end, label.kind, label.name)
            source = source_after(existing, label.name)
            # asked before the label is made (a claim only: the learner learns no other)
            missed = self._missed(span.start, span.end) if label.kind == "claim" else None
            with session.batch():  # the label and what the learner learns: one undo step
                annotation = session.apply_label(
                    self.document, span.start, span.end, label.name, source=source, speaker=speaker
                )
                if annotation != existing:  # the same label again teaches nothing
                    self._teach(session, annotation.text, annotation.label, missed)
            return annotation

        annotation = self._write(apply)
        if annotation is None:
            return
        self.state.clear_selection()
        said = f" said by {annotation.speaker.text}" if annotation.speaker else ""
        self._saved(f"{annotation.label} on {len(annotation.text.split())} words{said}")

    def _ask_speaker(self, label: Label, span: Span) -> bool:
        """A quote made by hand: when the engine found people or organisations in its
        paragraph, ask which one says it (one key; the last choice is none). Returns
        whether it asked."""
        from ...annotate.span_suggestions import speaker_candidates

        analysis = self._analyses.get(self.document.id)
        paragraphs = list(self.state.paragraphs.overlapping(span.start, span.end))
        if analysis is None or not paragraphs:
            return False
        start, end = paragraphs[0].start, paragraphs[-1].end
        candidates = speaker_candidates(analysis.entities, start, end, span)
        if not candidates:
            return False
        from .prompts import ChoicePrompt

        def chosen(index: int | None) -> None:
            if index is None:
                self.refresh_panels(f"{label.name} cancelled")
            else:
                speaker = candidates[index] if index < len(candidates) else None
                self._apply_label(label, span, speaker)

        names = [candidate.text for candidate in candidates]
        prompt = ChoicePrompt(f"{label.name}: who says it?", [*names, "(no speaker)"])
        self.app.push_screen(prompt, chosen)
        return True

    def _stance_labels(self) -> list[Label]:
        return [label for label in self.schema.labels if label.kind == "stance"]

    def action_stance(self, index: int | None = None) -> None:
        session, span = self._editing(), self._target()
        if session is None or span is None:
            return
        labels = self._stance_labels()
        if not labels:
            self.refresh_panels("the schema has no stance labels")
            return
        chosen = self.schema.labels[index] if index is not None else None
        from ...annotate.session import stance_defaults
        from .prompts import StancePrompt  # imported when first needed: faster start

        defaults = stance_defaults(
            self.schema,
            self._annotations,
            span.start,
            span.end,
            chosen.name if chosen else None,
            self.state.speaker_of(span),
        )
        prompt = StancePrompt(
            labels,
            defaults.targets,
            self.document.text[span.start : span.end],
            label=chosen,
            holder=defaults.holder,
        )
        self.app.push_screen(prompt, lambda choice: self._stance_chosen(span, choice))

    def _stance_chosen(self, span: Span, choice: StanceChoice | None) -> None:
        if choice is None:
            self.refresh_panels("stance cancelled")
            return
        annotation = self._write(
            lambda session: session.apply_stance(
                self.document, span.start, span.end, choice.label, choice.target, choice.holder
            )
        )
        if annotation is None:
            return
        self.state.clear_selection()
        self._saved(f"{annotation.label} → {annotation.target or '(no target)'}")

    def _with_annotation_here(self, what: str, then: Callable[[Annotation], None]) -> None:
        """Call `then` with the annotation under the cursor: the one chosen in the list,
        the only one here, or (several on this span) the one the person picks; never a
        guess."""
        found = annotations_here(self._annotations, self.state.target_span, self.state.picked)
        if not found:
            self.refresh_panels("no annotation here")
            return
        if len(found) == 1:
            then(found[0])
            return
        from .prompts import ChoicePrompt

        def chosen(index: int | None) -> None:
            if index is None:
                self.refresh_panels(f"{what} cancelled")
                return
            then(found[index])

        shown = found[:9]
        prompt = ChoicePrompt(
            f"{len(found)} annotations here: {what} which?", [describe(a, 50) for a in shown]
        )
        self.app.push_screen(prompt, chosen)

    def action_delete(self) -> None:
        if self._editing() is None:
            return
        self._with_annotation_here("delete", self._delete)

    def _delete(self, annotation: Annotation) -> None:
        if self._write(lambda session: session.delete(annotation)) is None:
            return
        self.state.clear_selection()
        self._saved(f"deleted {annotation.label} (u undoes)")

    def action_note(self) -> None:
        if self._editing() is None:
            return
        self._with_annotation_here("note on", self._ask_note)

    def _ask_note(self, annotation: Annotation) -> None:
        from .prompts import NotePrompt

        prompt = NotePrompt(f"Note on {annotation.label}", annotation.text, annotation.note)
        self.app.push_screen(prompt, lambda note: self._note_written(annotation, note))

    def _note_written(self, annotation: Annotation, note: str | None) -> None:
        if note is None:
            self.refresh_panels("note cancelled")
        elif self._write(lambda session: session.set_note(annotation, note)) is not None:
            self._saved("note" if note else "note cleared")

    def action_undo(self) -> None:
        self._history(undo=True)

    def action_redo(self) -> None:
        self._history(undo=False)

    def _history(self, undo: bool) -> None:
        if self._editing() is None:
            return
        assert self.session is not None
        try:
            step: Step | None = self.session.undo() if undo else self.session.redo()
        except ReaderError as exc:
            self._report(exc)
            return
        if step is None:
            self.refresh_panels("nothing to undo" if undo else "nothing to redo")
            return
        doc_id = step.doc_id
        if doc_id is not None and doc_id != self.document.id:  # show the document the change is in
            where = next((i for i, d in enumerate(self.corpus.documents) if d.id == doc_id), None)
            if where is not None:
                self._open(where)
        self._saved(("undid " if undo else "redid ") + step.description)
        self._rescore()  # an annotation undone may leave a sentence to suggest again
        self._learn_queued()  # what the learner learned in the step, undone or redone

    def action_every_occurrence(self, corpus: bool) -> None:
        """`*` (`&`): the label of the annotation here on every other occurrence of its
        text in the document (the corpus), one undo step."""
        if self._editing() is None:
            return
        self._with_annotation_here("label every occurrence of", lambda a: self._every(a, corpus))

    def _every(self, annotation: Annotation, corpus: bool) -> None:
        from ...annotate.occurrences import label_every_occurrence

        assert self.session is not None
        documents = self.corpus.documents if corpus else [self.document]
        try:
            done = label_every_occurrence(self.session, annotation, documents)
        except ReaderError as exc:
            self._report(exc)
            return
        where = f"in {done.documents} documents" if corpus else "in this document"
        more = "" if corpus or len(self.corpus) < 2 else " (& does the whole corpus)"
        message = f"{annotation.label} on {done.count} more {annotation.text[:30]!r} {where}"
        self.notify(inert(message + (" (u undoes)" if done.count else "") + more))
        self._saved(message)

    def action_annotations(self) -> None:
        panel = self._annotation_panel
        if panel is None:  # made on first use: one widget less to build before the article
            panel = self._annotation_panel = AnnotationList(id="annotations")
            panel.display = False
            self.query_one("#body").mount(panel)
            panel.show(self._annotations)
        panel.display = not panel.display
        if panel.display:
            panel.focus()
        else:
            self.article.focus()

    @on(OverlayList.Chosen, "#annotations")
    def _annotation_chosen(self, event: OverlayList.Chosen) -> None:
        assert self._annotation_panel is not None  # it sent the event
        annotation = self._annotation_panel.chosen(event)
        self.state.pick(annotation.id, Span(annotation.start, annotation.end))
        self.action_annotations()
        self._moved(True)
        self.refresh_panels(describe(annotation))

    def action_unannotated(self, direction: int) -> None:
        """`)`/`(`: the next/previous document nobody has annotated yet, wrapping around."""
        total = len(self.corpus)
        for step in range(1, total):
            index = (self.index + direction * step) % total
            if index not in self.documents.annotated:
                self._open(index)
                return
        self.refresh_panels("every other document has annotations")


def screen_schema(schema: Schema | None, session: AnnotationSession | None) -> Schema:
    """The schema a reading screen uses: the one given, else the session's, else the default."""
    return schema or (session.schema if session else None) or default_schema()


def reading_screen(schema: Schema) -> type[ReadingScreen]:
    """The reading screen whose keys include `schema`'s label keys (the app's way to make
    one; `ReadingScreen` itself binds no label key)."""
    return with_bindings(ReadingScreen, label_bindings(schema))
