"""The reading screen: article view, legend, quote line, document list, search, status."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.worker import get_current_worker

from ..corpus import Corpus, Document
from ..errors import ReaderError
from ..nlp.chunked import analyze_progressively
from ..nlp.types import Analysis
from ..reading_state import ReadingState
from ..widgets.article_view import ArticleView
from ..widgets.document_list import DocumentList
from ..widgets.search_bar import SearchBar
from ..widgets.status_line import StatusLine

READING_BINDINGS = [
    Binding("j,down", "sentence(1)", "Next sentence", show=False),
    Binding("k,up", "sentence(-1)", "Previous sentence", show=False),
    Binding("J,right_curly_bracket", "paragraph(1)", "Next paragraph", show=False),
    Binding("K,left_curly_bracket", "paragraph(-1)", "Previous paragraph", show=False),
    Binding("g,home", "top", "Top", show=False),
    Binding("G,end", "bottom", "Bottom", show=False),
    Binding("pagedown,space", "page(1)", "Page down", show=False),
    Binding("pageup", "page(-1)", "Page up", show=False),
    Binding("tab", "jump('quote', True)", "Next quote"),
    Binding("shift+tab", "jump('quote', False)", "Previous quote", show=False),
    Binding("e", "jump('entity', True)", "Next entity"),
    Binding("E", "jump('entity', False)", "Previous entity", show=False),
    # Priority: handled in key order, so keys typed right after `/` reach the search box.
    Binding("slash", "search", "Search", priority=True),
    Binding("n", "match(True)", "Next match", show=False),
    Binding("N", "match(False)", "Previous match", show=False),
    Binding("d", "documents", "Documents"),
    Binding("right_square_bracket", "document(1)", "Next doc"),
    Binding("left_square_bracket", "document(-1)", "Previous doc", show=False),
    Binding("escape", "cancel", "Close search / list", show=False),
]


class ReadingScreen(Screen[None]):
    BINDINGS = READING_BINDINGS

    def __init__(self, corpus: Corpus, engine: str | None = None) -> None:
        super().__init__()
        self.corpus = corpus
        self.engine = engine
        self.index = 0
        self.state = ReadingState(self.document.text)
        self.engine_label = "analysing…"
        self._analyses: dict[str, Analysis] = {}
        self._search_origin: int | None = None

    # --- composition -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="legend")
        with Horizontal(id="body"):
            yield DocumentList(self.corpus.documents, id="documents")
            yield ArticleView(self.document.title, self.state, id="article")
        yield Static(id="quote-info")
        yield SearchBar()
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.article.focus()
        self.query_one("#legend", Static).update(self.article.legend())
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._open(0)

    def _theme_changed(self, _theme: object) -> None:
        self.query_one("#legend", Static).update(self.article.legend())
        self.article.state_changed()

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
        self.article.show(self.document.title, self.state)
        self.query_one(DocumentList).mark_current(index)
        cached = self._analyses.get(self.document.id)
        if cached is not None:
            self._apply_analysis(self.document.id, cached, len(self.document.text))
        else:
            self.engine_label = "analysing…"
            self._analyse(self.document)
        self.refresh_panels()

    @work(thread=True, exclusive=True, group="analysis", description="analysis")
    def _analyse(self, document: Document) -> None:
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
        self.state.set_analysis(analysis, covered)
        self.engine_label = analysis.engine if complete else f"{analysis.engine} (analysing…)"
        if self.state.query:
            self.state.search(self.state.query)
        self.article.state_changed(scroll=False)  # highlights arriving never move the view
        self.refresh_panels()

    # --- panels -------------------------------------------------------------------------
    def refresh_panels(self, message: str = "") -> None:
        state = self.state
        if not message and state.query:
            number, total = state.match_position
            message = (
                f"/{state.query}: match {number}/{total}" if total else f"/{state.query}: no match"
            )
        self.query_one(StatusLine).show_status(
            position=(self.index + 1, len(self.corpus)),
            words=self.document.word_count,
            sentence=(state.cursor + 1 if len(state.sentences) else 0, len(state.sentences)),
            engine=self.engine_label,
            extra=message,
        )
        self.query_one("#quote-info", Static).update(self._quote_line())

    def _quote_line(self) -> str:
        quote = self.state.cursor_quote()
        if quote is None:
            return "[dim]No quote in this sentence.[/]"
        text = quote.text if len(quote.text) <= 70 else quote.text[:67] + "…"
        text = text.replace("[", r"\[")
        if quote.speaker is None:
            return f"{text}  [dim]— no speaker[/]"
        who = quote.speaker.text.replace("[", r"\[")
        if quote.speaker.resolved and quote.speaker.resolved != quote.speaker.text:
            who += f" → {quote.speaker.resolved}"
        return f"{text}  — speaker: [b]{who}[/]"

    def _moved(self, moved: bool, nothing: str = "") -> None:
        self.article.state_changed()
        self.refresh_panels("" if moved or not nothing else nothing)

    # --- actions ------------------------------------------------------------------------
    def action_sentence(self, delta: int) -> None:
        self._moved(self.state.move_sentence(delta))

    def action_paragraph(self, delta: int) -> None:
        self._moved(self.state.move_paragraph(delta))

    def action_top(self) -> None:
        self._moved(self.state.to_top())
        self.article.scroll_to(y=0, animate=False)

    def action_bottom(self) -> None:
        self._moved(self.state.to_bottom())
        self.article.scroll_to(y=self.article.max_scroll_y, animate=False)

    def action_page(self, direction: int) -> None:
        article = self.article
        height = max(1, article.scrollable_content_region.height - 2)
        top = max(0, min(int(article.scroll_y) + direction * height, int(article.max_scroll_y)))
        article.scroll_to(y=top, animate=False)
        self.state.to_first_sentence_from(article.first_visible_offset(top))
        article.revision += 1
        article.refresh()
        self.refresh_panels()

    def action_jump(self, kind: str, forward: bool) -> None:
        names = {"quote": "quotes", "entity": "entities"}
        where = "after" if forward else "before"
        moved = self.state.jump(kind, forward)  # type: ignore[arg-type]
        self._moved(moved, f"no more {names[kind]} {where} this point")

    def action_match(self, forward: bool) -> None:
        if not self.state.query:
            self._moved(False, "no search: press / to search")
            return
        self._moved(self.state.next_match(forward), f"/{self.state.query}: no match")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the search box is open, a `/` typed into it is just a character.
        return not (action == "search" and self.query_one(SearchBar).display)

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
        """Esc: close the search (clearing it) or the document list."""
        if self.query_one(SearchBar).display:
            self.state.clear_search()
            if self._search_origin is not None:
                self.state.to_offset(self._search_origin)
            self._close_search()
            self._moved(True)
        elif self.query_one(DocumentList).display:
            self.action_documents()

    def action_documents(self) -> None:
        documents = self.query_one(DocumentList)
        documents.display = not documents.display
        if documents.display:
            documents.mark_current(self.index)
            documents.focus()
        else:
            self.article.focus()

    @on(OptionList.OptionSelected, "#documents")
    def _document_chosen(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_index)
        self.action_documents()

    def action_document(self, delta: int) -> None:
        target = self.index + delta
        if 0 <= target < len(self.corpus):
            self._open(target)
        else:
            self.refresh_panels("first document" if delta < 0 else "last document")
