"""The review screen: every annotator's spans over the article, the disagreements one by
one, and the keys that decide them into the gold store.

The screen holds no review rules: `reader.review.workspace.Review` finds disagreements and
progress, `reader.review.adjudication.Adjudicator` makes decisions. This module maps keys
to those calls and repaints.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...annotate.schema import Label, Schema
from ...errors import ReaderError
from ...nlp.types import Span
from ...reading.marks import Mark
from ...reading.span_index import SpanIndex
from ...reading.state import Focus, ReadingState
from ...review.disagreements import Disagreement
from ...review.loading import GOLD, ReviewDocument
from ...review.workspace import Review
from ..widgets.article_view import ArticleView
from ..widgets.overlay_list import OverlayList
from ..widgets.review_panels import (
    GOLD_COLOR,
    DetailPanel,
    DisagreementList,
    ReviewStatus,
    annotator_color,
    legend,
    who_said_what,
)
from .paging import DOCUMENT_BINDINGS, PAGE_BINDINGS, article_keys_allowed, turn_page
from .schema_keys import keys_of, textual_key, with_bindings

ACCEPT_KEYS = "!@#$%^&*("  # shift + 1..9 on a US keyboard
COUNT_DELAY = 0.2  # seconds after the first paint before counting every document

REVIEW_BINDINGS = [
    Binding("n", "disagreement(1)", "Next disagreement"),
    Binding("N", "disagreement(-1)", "Previous disagreement", show=False),
    Binding("l,d", "list", "List"),
    *[
        Binding(key, f"accept({i})", f"Accept annotator {i}", show=i == 1)
        for i, key in enumerate(ACCEPT_KEYS, start=1)
    ],
    Binding("m", "majority", "Majority"),
    Binding("r", "reject", "Reject all"),
    Binding("u", "undo", "Undo"),
    Binding("ctrl+r", "redo", "Redo", show=False),
    Binding("semicolon", "note", "Note"),
    *[
        Binding(f"f{i}", f"toggle_annotator({i})", f"Show/hide annotator {i}", show=False)
        for i in range(1, 10)
    ],
    Binding("f10", "toggle_gold", "Show/hide gold", show=False),
    *DOCUMENT_BINDINGS,
    Binding("j,down", "sentence(1)", "Next sentence", show=False),
    Binding("k,up", "sentence(-1)", "Previous sentence", show=False),
    *PAGE_BINDINGS,
    Binding("escape", "close_list", "Close the list", show=False),
]


class ReviewScreen(Screen[None]):
    BINDINGS = [*REVIEW_BINDINGS]  # a list of Screen's BindingType

    def __init__(self, review: Review) -> None:
        super().__init__()
        self.review = review
        self.index = 0
        self.document: ReviewDocument = review.document(0)
        self.state = ReadingState(self.document.text)
        self.disagreements: list[Disagreement] = []
        self.current: int | None = None
        self.hidden: set[str] = set()
        self.gold_hidden = False
        self._cancel_count = threading.Event()
        self._label_keys = gold_label_keys(review.schema)  # bound by `review_screen`

    # --- composition ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="legend")
        with Horizontal(id="body"):
            yield DisagreementList(id="disagreement-list")
            yield ArticleView(self.document.title, self.state, id="article")
        yield DetailPanel(id="review-detail")
        yield ReviewStatus(id="review-status")
        yield Footer()

    def on_mount(self) -> None:
        self.article.focus()
        self._open(0)
        self.call_after_refresh(self._refresh_legend)  # with the article's theme styles
        # Counting every document competes with the first paint for the interpreter:
        # start it once the first document is on screen.
        self.call_after_refresh(self.set_timer, COUNT_DELAY, self._count_all)

    def on_unmount(self) -> None:
        self._cancel_count.set()

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def annotators(self) -> list[str]:
        return self.review.annotators

    def annotator_colors(self) -> dict[str, str]:
        return {name: annotator_color(i) for i, name in enumerate(self.annotators)}

    # --- documents --------------------------------------------------------------------
    def _open(self, index: int) -> None:
        try:
            document = self.review.document(index)
            disagreements = self.review.disagreements(document.id)
        except ReaderError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.index = index
        self.document = document
        self.disagreements = disagreements
        self.current = None
        self.state = ReadingState(document.text)
        self.article.show(document.title, self.state)
        self.refresh_all(self._adopt_agreed())

    def _adopt_agreed(self) -> str:
        """What every annotator marked alike goes to gold as it is; say so."""
        try:
            copied = self.review.adopt_agreed(self.document.id)
        except ReaderError as exc:
            return str(exc)
        if not copied:
            return ""
        self._paint_marks()
        return f"{copied} agreed annotation(s) copied to gold · saved"

    @work(thread=True, exclusive=True, group="review-count", description="counting")
    def _count_all(self) -> None:
        """Count every document's disagreements for the overall progress, off the UI."""
        try:
            done = self.review.count_all(self._cancel_count)
        except ReaderError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
            return
        if done and not self._cancel_count.is_set():
            self.app.call_from_thread(self._counted)

    def _counted(self) -> None:
        """Counting learnt every annotator: compare this document again if one was new."""
        found = self.review.disagreements(self.document.id)
        if found is not self.disagreements:
            self.disagreements = found
            self.current = None
        self.refresh_all(self._adopt_agreed())

    # --- painting ---------------------------------------------------------------------
    def refresh_all(self, message: str = "") -> None:
        self._paint_marks()
        self._paint_current()
        self._refresh_legend()
        self._refresh_list()
        self._refresh_detail()
        self._refresh_status(message)

    def _refresh_legend(self) -> None:
        self.query_one("#legend", Static).update(
            legend(self.annotators, self.hidden, self.gold_hidden, self.article.swatch)
        )

    def _paint_marks(self) -> None:
        marks: list[Mark] = []
        annotations = self.review.input.annotations(self.document.id)
        for i, name in enumerate(self.annotators):
            if name in self.hidden:
                continue
            color = annotator_color(i)
            marks += [
                Mark(a.start, a.end, color, a.label, name) for a in annotations.get(name, [])
            ]
        if not self.gold_hidden:
            marks += [
                Mark(a.start, a.end, GOLD_COLOR, a.label, GOLD)
                for a in self.review.gold.for_document(self.document.id)
            ]
        self.state.set_marks(marks)

    def _paint_current(self, scroll: bool = False) -> None:
        current = self.current_disagreement
        if current is None:
            self.state.matches = SpanIndex([])
            if self.state.focus is not None and self.state.focus.kind == "match":
                self.state.focus = None
        else:
            self.state.to_offset(current.start)
            self.state.matches = SpanIndex([Span(current.start, current.end)])
            self.state.focus = Focus("match", 0)
        self.article.state_changed(scroll=scroll)

    def _refresh_list(self) -> None:
        listing = self.query_one(DisagreementList)
        gold = self.review.gold.for_document(self.document.id)
        resolved = [self.review.adjudicator.is_resolved(d, gold) for d in self.disagreements]
        listing.show_items(self.disagreements, resolved, self.document.text)
        if self.current is not None:
            listing.highlighted = self.current

    def _refresh_detail(self) -> None:
        panel = self.query_one(DetailPanel)
        current = self.current_disagreement
        if current is None:
            count = len(self.disagreements)
            if count:
                panel.update(
                    f"{count} disagreement(s) in this document: n goes to the next, "
                    "l lists them, ? shows every key."
                )
            else:
                panel.update("No disagreements in this document: ] goes to the next one.")
            return
        adjudicator = self.review.adjudicator
        assert self.current is not None
        panel.update(
            who_said_what(
                current,
                (self.current + 1, len(self.disagreements)),
                self.annotator_colors(),
                adjudicator.gold_in(current),
                adjudicator.decision(current),
                adjudicator.note(current),
                adjudicator.is_resolved(current),
            )
        )

    def _refresh_status(self, message: str = "") -> None:
        resolved, total = self.review.progress(self.document.id)
        overall = self.review.overall()
        parts = [
            f"doc {self.index + 1}/{len(self.review.doc_ids)}",
            f"resolved {resolved}/{total} here",
            f"{overall[0]}/{overall[1]} overall" if overall else "overall: counting…",
            f"gold: {self.review.gold_path}",
        ]
        self.query_one(ReviewStatus).show_parts(parts, message)

    @property
    def current_disagreement(self) -> Disagreement | None:
        if self.current is None or not 0 <= self.current < len(self.disagreements):
            return None
        return self.disagreements[self.current]

    # --- navigation -------------------------------------------------------------------
    def action_disagreement(self, delta: int) -> None:
        if not self.disagreements:
            self._refresh_status("no disagreements here: ] for the next document")
            return
        if self.current is None:
            here = self.state.sentence.start if self.state.sentence else 0
            starts = [d.start for d in self.disagreements]
            if delta > 0:
                target = next((i for i, s in enumerate(starts) if s >= here), None)
            else:
                target = next((i for i in reversed(range(len(starts))) if starts[i] < here), None)
        else:
            target = self.current + delta
        if target is None or not 0 <= target < len(self.disagreements):
            where = "after" if delta > 0 else "before"
            self._refresh_status(f"no more disagreements {where} this one")
            return
        self._go(target)

    def _go(self, index: int) -> None:
        self.current = index
        self._paint_current(scroll=True)
        self._refresh_detail()
        self._refresh_status()
        self.query_one(DisagreementList).highlighted = index

    def action_list(self) -> None:
        listing = self.query_one(DisagreementList)
        listing.display = not listing.display
        if listing.display:
            if listing.option_count:
                listing.highlighted = self.current if self.current is not None else 0
            listing.focus()
        else:
            self.article.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the disagreement list has focus its keys are its own: no decision, note
        or move reaches the article behind it (Esc closes it, and its own `l`/`d`)."""
        return article_keys_allowed(self, self.article, action, "close_list")

    def action_close_list(self) -> None:
        listing = self.query_one(DisagreementList)
        if listing.display:
            self.action_list()

    @on(OverlayList.Chosen, "#disagreement-list")
    @on(OverlayList.Closed, "#disagreement-list")
    def _from_list(self, event: OverlayList.Chosen | OverlayList.Closed) -> None:
        """Enter goes to the disagreement chosen; either, or the list's own `l`/`d`,
        closes the list."""
        if isinstance(event, OverlayList.Chosen):
            self._go(event.index)
        self.action_list()

    def action_document(self, delta: int) -> None:
        target = self.index + delta
        if 0 <= target < len(self.review.doc_ids):
            self._open(target)
        else:
            self._refresh_status("first document" if delta < 0 else "last document")

    def action_sentence(self, delta: int) -> None:
        self.state.move_sentence(delta)
        self.article.state_changed()

    def action_page(self, direction: int) -> None:
        turn_page(self.article, self.state, direction)

    def action_toggle_annotator(self, number: int) -> None:
        if number > len(self.annotators):
            self._refresh_status(f"there is no annotator {number}")
            return
        name = self.annotators[number - 1]
        self.hidden ^= {name}
        self.refresh_all(f"{name} {'hidden' if name in self.hidden else 'shown'}")

    def action_toggle_gold(self) -> None:
        self.gold_hidden = not self.gold_hidden
        self.refresh_all(f"gold {'hidden' if self.gold_hidden else 'shown'}")

    # --- decisions --------------------------------------------------------------------
    def _target(self) -> Disagreement | None:
        """The disagreement a decision applies to: the current one, else the first one
        under the cursor."""
        current = self.current_disagreement
        if current is not None:
            return current
        sentence = self.state.sentence
        if sentence is not None:
            for index, d in enumerate(self.disagreements):
                if d.start < sentence.end and d.end > sentence.start:
                    self.current = index
                    return d
        self._refresh_status("no disagreement chosen: press n to go to one")
        return None

    def _decide(self, decide: Callable[[ReviewDocument, Disagreement], str]) -> None:
        """Make one decision on the target disagreement and repaint, or say why not."""
        target = self._target()
        if target is None:
            return
        try:
            message = decide(self.document, target)
        except ReaderError as exc:
            self._refresh_status(str(exc))
            return
        self._decided(f"{message} · saved")

    def _decided(self, message: str) -> None:
        self.refresh_all(message)

    def action_accept(self, number: int) -> None:
        if number > len(self.annotators):
            self._refresh_status(f"there is no annotator {number}")
            return
        annotator = self.annotators[number - 1]
        adjudicator = self.review.adjudicator
        self._decide(lambda document, target: adjudicator.accept(document, target, annotator))

    def action_majority(self) -> None:
        self._decide(self.review.adjudicator.accept_majority)

    def action_reject(self) -> None:
        self._decide(self.review.adjudicator.reject)

    def action_label(self, name: str) -> None:
        label = self.review.schema.label(name)
        if label is not None:
            adjudicator = self.review.adjudicator
            self._decide(lambda document, target: adjudicator.edit(document, target, label))

    def action_undo(self) -> None:
        self._history(self.review.adjudicator.undo, "nothing to undo")

    def action_redo(self) -> None:
        self._history(self.review.adjudicator.redo, "nothing to redo")

    def _history(self, step: Callable[[], str | None], nothing: str) -> None:
        """Undo or redo one step; a failed write says so and leaves the step to retry."""
        try:
            done = step()
        except ReaderError as exc:
            self._refresh_status(f"NOT saved: {exc}")
            return
        self.refresh_all(f"{done} · saved" if done else nothing)

    def action_note(self) -> None:
        target = self._target()
        if target is None:
            return
        from .prompts import NotePrompt  # imported when first needed, as the reading screen does

        def save(note: str | None) -> None:
            if note is None:
                return
            try:
                message = self.review.adjudicator.set_note(target, note)
            except ReaderError as exc:
                self._refresh_status(str(exc))
                return
            self.refresh_all(message)

        prompt = NotePrompt(
            f"Note on {target.kind} {target.start}–{target.end}",
            self.document.text[target.start : target.end],
            self.review.adjudicator.note(target),
        )
        self.app.push_screen(prompt, save)

    def help_bindings(self) -> list[Binding]:
        """The keys for the help screen: one line for each family of keys."""
        grouped = {"accept", "toggle_annotator"}
        shown = [b for b in REVIEW_BINDINGS if b.action.split("(")[0] not in grouped]
        families = [
            Binding(",".join(ACCEPT_KEYS), "accept(1)", "Accept annotator 1…9's version into gold"),
            Binding("F1…F9", "toggle_annotator(1)", "Show/hide annotator 1…9 (F10: gold)"),
        ]
        return shown[:3] + families + shown[3:] + self._label_bindings()

    def palette_bindings(self) -> list[Binding]:
        """Every key, for the command palette."""
        return REVIEW_BINDINGS + self._label_bindings()

    def _label_bindings(self) -> list[Binding]:
        return [
            Binding(key, f"label('{label.name}')", f"Gold gets the label {label.name}")
            for key, label in self._label_keys
        ]


# Keys the app keeps for itself (quit, help, the command palette).
APP_KEYS = {"q", "question_mark", "ctrl+p"}


def gold_label_keys(schema: Schema) -> list[tuple[str, Label]]:
    """The schema's label keys the review screen can bind: a review key wins (its label
    is still named in the list of keys)."""
    taken = keys_of(REVIEW_BINDINGS) | APP_KEYS
    return [(key, label) for key, label in schema.keys.items() if textual_key(key) not in taken]


def review_screen(review: Review) -> ReviewScreen:
    """A review screen whose keys include the schema's label keys (gold gets the label)."""
    bindings = [
        Binding(textual_key(key), f"label('{label.name}')", f"Gold: {label.name}", show=False)
        for key, label in gold_label_keys(review.schema)
    ]
    return with_bindings(ReviewScreen, bindings)(review)
