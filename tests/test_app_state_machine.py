"""The hunt (issue 9): random sequences of every annotating key, played on the real app
through Pilot, against a plain-Python model of what the store must hold.

After every step the store, reopened read-only as another process would see it, must
equal the model; the article must show exactly what the store holds for the document on
screen; the document list must mark exactly the documents the model has annotations for.

The model (`Model`) is a dict doc_id -> set of (start, end, kind, label, target, holder,
note), changed only by the documented meaning of each key. Where a key acts on "what is
under the cursor" the span comes from what the app shows (its selection, focused quote or
cursor sentence); where a prompt saves "exactly what is shown" the values come from its
fields. Undo and redo are modelled as a history of whole model states, so they check the
session's own undo bookkeeping instead of repeating it.

Hypothesis' stateful testing has no asyncio support, so each test case (one app) gets its
own event loop and every rule runs a coroutine to completion on it with
`loop.run_until_complete`, in one `contextvars.Context` so the app's context variables
(active app, message pump) carry over from step to step as they would in one async test.

Besides the keys, the corpus is a JSONL file (sometimes with an article twice), the store
compacts every few writes in some runs, and a `restart` rule quits and reopens the app on
the corpus file with its lines reordered or a new article inserted.

Size: `make test` runs a small, derandomised run (4 cases of up to 30 steps). A longer hunt
(`READER_HUNT_NO_SHRINK=1` reports a failure at once instead of minimising it;
`READER_HUNT_LOG=FILE` appends the counts after every case):

    READER_HUNT_EXAMPLES=500 READER_HUNT_STEPS=60 .venv/bin/pytest -s \\
        tests/test_app_state_machine.py -k hunt

A known bug can be tolerated in the random run while its fix is pending (`KNOWN_OPEN`,
pinned by an `xfail(strict=True)` regression test); `READER_HUNT_STRICT=1` tolerates none.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, TypeVar

import pilot_support
import pytest
from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from reader.annotate.schema import Schema, parse_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Corpus, Document, load_corpus
from reader.reading.marks import describe
from reader.store import AnnotationStore
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.prompts import ChoicePrompt, NotePrompt, StancePrompt
from reader.ui.screens.reading import ReadingScreen
from reader.ui.widgets.annotation_list import AnnotationList
from reader.ui.widgets.document_list import DocumentList
from reader.ui.widgets.search_bar import SearchBar
from reader.ui.widgets.status_line import StatusLine

T = TypeVar("T")

# Known bugs, tolerated in the random run so that it can look for others, each pinned by
# an `xfail(strict=True)` regression test below that fails until it is fixed (then remove
# it here). None is open now. Found by this hunt and fixed since: "reanchor" (another
# article now at an annotated article's JSONL line took its annotations) and "duplicate"
# (an article twice in a corpus was marked annotated only where it was labelled); before
# it, issue-9 items 2, 3 and 8 (the stance holder after Tab; keys passing through lists;
# two annotations on one span). Their tests below now simply pass.
KNOWN_OPEN: frozenset[int | str] = (
    frozenset() if os.environ.get("READER_HUNT_STRICT") == "1" else frozenset()
)

ANNOTATOR = "alice"
SCHEMA_TEXT = """
name = "hunt"
[groups.claim]
kind = "claim"
[[groups.claim.labels]]
name = "FACT"
key = "1"
[[groups.claim.labels]]
name = "OPINION"
key = "2"
[[groups.claim.labels]]
name = "PREDICTION"
key = "3"
[[groups.claim.labels]]
name = "OTHER"
key = "4"
[groups.stance]
kind = "stance"
targets = ["Iran", "the ceasefire", "sanctions"]
[[groups.stance.labels]]
name = "FAVOR"
key = "f"
[[groups.stance.labels]]
name = "AGAINST"
key = "a"
[[groups.stance.labels]]
name = "NONE"
key = "o"
"""
SCHEMA: Schema = parse_schema(SCHEMA_TEXT)
CLAIM_KEYS = {"1": "FACT", "2": "OPINION", "3": "PREDICTION", "4": "OTHER"}
STANCE_KEYS = {"f": "FAVOR", "a": "AGAINST", "o": "NONE"}
TARGETS = ["Iran", "the ceasefire", "sanctions"]

TEXTS = [
    "Harbour reopens\n"
    "The harbour in Lisbon reopened on Monday after storms. "
    "Officials said repairs cost millions.\n"
    "“We are open for business,” said Maria Costa, the port director. "
    "Ships will return next week.\n",
    "Rail strike ends\n"
    "Train drivers in Madrid ended a strike on Tuesday. The union said talks would continue.\n"
    "“Nobody wins a strike,” said Ana Ruiz.\n",
    "Museum loans a painting\n"
    "The Louvre lent a painting to a museum in Tokyo. Curators said it was the first such loan.\n",
    # Not in the corpus at first: a restart may add it (a new line in the JSONL file).
    "Port strike called off\n"
    "Dock workers in Lisbon called off a strike on Monday. Officials said repairs cost millions.\n",
]
FIRST = 3  # how many of TEXTS the corpus starts with
DOCUMENTS = [
    Document(text, text.split("\n", 1)[0], f"hunt/{n}.txt") for n, text in enumerate(TEXTS)
]
CORPUS = Corpus(DOCUMENTS[:FIRST])  # for the regression tests
TEXT_OF = {doc.id: doc.text for doc in DOCUMENTS}

# (start, end, kind, label, target, holder, note)
Rec = tuple[int, int, str, str, "str | None", "str | None", str]
State = Mapping[str, frozenset]  # doc_id -> frozenset[Rec]

# What the long run counted (printed with -s): steps, examples, tolerated known issues.
STATS: Counter[str] = Counter()


# --- the model ------------------------------------------------------------------------


def _with(state: State, doc_id: str, records: Iterable[Rec]) -> dict[str, frozenset]:
    new = dict(state)
    records = frozenset(records)
    if records:
        new[doc_id] = records
    else:
        new.pop(doc_id, None)
    return new


class Model:
    """What the store must hold, and the undo history as whole states."""

    def __init__(self) -> None:
        self.state: State = {}
        self.past: list[State] = []
        self.future: list[State] = []

    def records(self, doc_id: str) -> frozenset:
        return self.state.get(doc_id, frozenset())

    def commit(self, new: State) -> bool:
        """An operation: recorded for undo only when it changed something."""
        if dict(new) == dict(self.state):
            return False
        self.past.append(self.state)
        self.state = new
        self.future.clear()
        return True

    # Each returns the state the operation leads to (not committed).
    def claim(self, doc_id: str, start: int, end: int, label: str) -> State:
        """A label key: relabels the claim on exactly this span, else adds one."""
        records = set(self.records(doc_id))
        same = [r for r in records if (r[0], r[1], r[2]) == (start, end, "claim")]
        assert len(same) <= 1, f"model has two claims on one span: {same}"
        if same:
            records.discard(same[0])
            records.add((start, end, "claim", label, None, None, same[0][6]))
        else:
            records.add((start, end, "claim", label, None, None, ""))
        return _with(self.state, doc_id, records)

    def stance(
        self, doc_id: str, start: int, end: int, label: str, target: str | None, holder: str | None
    ) -> State:
        """The stance prompt: a stance towards the same target (case-insensitively) on
        exactly this span is changed; another target adds one."""
        target = (target or "").strip() or None
        holder = (holder or "").strip() or None
        records = set(self.records(doc_id))
        same = [
            r
            for r in records
            if (r[0], r[1], r[2]) == (start, end, "stance")
            and (r[4] or "").casefold() == (target or "").casefold()
        ]
        assert len(same) <= 1, f"model has two stances towards one target: {same}"
        note_text = ""
        if same:
            records.discard(same[0])
            note_text = same[0][6]
        records.add((start, end, "stance", label, target, holder, note_text))
        return _with(self.state, doc_id, records)

    def delete(self, doc_id: str, record: Rec) -> State:
        return _with(self.state, doc_id, self.records(doc_id) - {record})

    def note(self, doc_id: str, record: Rec, text: str) -> State:
        records = set(self.records(doc_id))
        records.discard(record)
        records.add((*record[:6], text))
        return _with(self.state, doc_id, records)

    def undo(self) -> State | None:
        if not self.past:
            return None
        self.future.append(self.state)
        self.state = self.past.pop()
        return self.state

    def redo(self) -> State | None:
        if not self.future:
            return None
        self.past.append(self.state)
        self.state = self.future.pop()
        return self.state


def changed_doc(before: State, after: State) -> str | None:
    """The document two states differ in (an operation touches one)."""
    docs = [d for d in set(before) | set(after) if before.get(d) != after.get(d)]
    assert len(docs) <= 1, f"one operation changed several documents: {docs}"
    return docs[0] if docs else None


def under_cursor(
    records: Iterable[Rec], span: tuple[int, int] | None, picked: Rec | None = None
) -> list[Rec]:
    """The annotations `x` and `;` may act on: the one chosen in the annotation list (while
    its selection stands) when it is among them; else those exactly on the span, else those
    sharing most characters with it (the shortest on a tie). More than one: it must ask."""
    if span is None:
        return []
    records = list(records)
    best = _under_cursor(records, span)
    return [picked] if picked is not None and picked in best else best


def _under_cursor(records: list[Rec], span: tuple[int, int]) -> list[Rec]:
    exact = [r for r in records if (r[0], r[1]) == span]
    if exact:
        return exact
    keyed = []
    for r in records:
        shared = min(r[1], span[1]) - max(r[0], span[0])
        if shared > 0:
            keyed.append(((shared, -(r[1] - r[0])), r))
    if not keyed:
        return []
    best = max(k for k, _ in keyed)
    return [r for k, r in keyed if k == best]


def read_store(db: Path) -> dict[str, Counter]:
    """The store as another process finds it: doc_id -> multiset of records."""
    found: dict[str, Counter] = {}
    with AnnotationStore.open(db, read_only=True) as store:
        for a in store:
            assert a.annotator == ANNOTATOR, a
            assert a.doc_id in TEXT_OF, a
            assert a.text == TEXT_OF[a.doc_id][a.start : a.end], a
            record = (a.start, a.end, a.kind, a.label, a.target, a.holder, a.note)
            found.setdefault(a.doc_id, Counter())[record] += 1
    return found


def as_rec(a: Any) -> Rec:
    return (a.start, a.end, a.kind, a.label, a.target, a.holder, a.note)


def as_counters(state: State) -> dict[str, Counter]:
    return {doc_id: Counter(records) for doc_id, records in state.items() if records}


# --- keys -----------------------------------------------------------------------------

TYPED_WORDS = ["Iran", "iran", "the ceasefire", "sanc", "Ir", "Khamenei", "x j 1", "  "]
TYPED_ALPHABET = "aeiInrsxjkuvq1 ;"
typed_text = st.one_of(
    st.sampled_from(TYPED_WORDS), st.text(alphabet=TYPED_ALPHABET, min_size=1, max_size=6)
)
NAVIGATION_KEYS = [
    "j", "k", "down", "up", "J", "K", "g", "G", "tab", "shift+tab", "e", "E",
    "space", "pageup", "n", "N",
]  # fmt: skip
# Keys that must not reach the article while a list or a prompt has focus.
STRAY_KEYS = [
    "1", "2", "x", "semicolon", "s", "f", "u", "ctrl+r", "v", "right_square_bracket", "d", "L",
]  # fmt: skip


def key_for(char: str) -> str:
    return {" ": "space", ";": "semicolon"}.get(char, char)


class ReaderMachine(RuleBasedStateMachine):
    """One app, one fresh store; modes say where keys go (mirroring what is on screen)."""

    def __init__(self) -> None:
        super().__init__()
        STATS["examples"] += 1
        self.tmp = Path(tempfile.mkdtemp(prefix="reader-hunt-"))
        self.db = self.tmp / "alice.json"
        self.corpus_file = self.tmp / "corpus.jsonl"
        self.loop = asyncio.new_event_loop()
        self.context = contextvars.copy_context()
        self.model = Model()
        self.mode = "read"
        self.pending: dict[str, Any] = {}
        self.keys: list[str] = []
        self.lines: list[int] = []  # the corpus file: which of TEXTS is on each line
        # The annotation chosen in the list (`L` Enter) counts while the selection that
        # made is still the one on screen (a new `v` or Esc ends it): its span.
        self.pick_span: tuple[int, int] | None = None
        self.shown: list[str] = []  # status lines shown since the last key
        self.app: ReaderApp | None = None
        self.store: AnnotationStore | None = None

    @initialize(
        order=st.permutations(range(FIRST)),
        duplicate=st.booleans(),
        compact_after=st.sampled_from([2, 5, 10_000]),
    )
    def start(self, order: list[int], duplicate: bool, compact_after: int) -> None:
        """A JSONL corpus (perhaps with one article twice, as scraped corpora have); a
        store that compacts (rewrites its file, restarts its journal) every few writes."""
        self.lines = list(order) + ([order[0]] if duplicate else [])
        self.compact_after = compact_after
        self.launch()

    def launch(self) -> None:
        self.corpus_file.write_text(
            "".join(json.dumps({"text": TEXTS[n]}) + "\n" for n in self.lines), encoding="utf-8"
        )
        self.corpus = load_corpus([self.corpus_file])
        self.pick_span = None
        self.documents = self.corpus.documents
        note(f"corpus lines: {self.lines}")
        self.store = AnnotationStore.open(self.db, ANNOTATOR, compact_after=self.compact_after)
        self.app = make_app(
            self.corpus, session=AnnotationSession(self.store, ANNOTATOR, SCHEMA)
        )
        self._running = self.app.run_test(size=(100, 30))
        self.pilot: Pilot = self.run(self._running.__aenter__())
        self.run(self.settle())
        self.spy_on_status()
        self.mode = "read"

    def quit(self) -> None:
        assert self.app is not None and self.store is not None
        try:
            if self.app.is_running:
                self.run(self._running.__aexit__(None, None, None))
        finally:
            self.store.close()
            self.app = self.store = None

    # --- driving the app ----------------------------------------------------------------
    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(self.loop.create_task(coro, context=self.context))

    async def settle(self) -> None:
        """Until the app is idle: pending messages handled, analysis workers done (a
        document's analysis runs in a thread; its results arrive as messages)."""
        await self.pilot._wait_for_screen()
        if any(not worker.is_finished for worker in self.app.workers):
            await self.app.workers.wait_for_complete()
            await self.pilot.pause()

    def press(self, *keys: str, until: Callable[[], bool] | None = None) -> None:
        self.keys += keys
        self.shown: list[str] = []
        STATS["steps"] += 1
        STATS["keys"] += len(keys)
        note(f"keys so far: {' '.join(self.keys)}")

        async def go() -> None:
            for key in keys:
                await self.pilot.press(key)
            await self.settle()
            for _ in range(50):  # wait on the state itself, bounded
                if until is None or until():
                    return
                await self.pilot.pause(0.01)

        self.run(go())

    def teardown(self) -> None:
        log = os.environ.get("READER_HUNT_LOG")
        if log:  # a long run's progress, readable while it runs
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{time.strftime('%H:%M:%S')} {dict(STATS)}\n")
        try:
            if self.app is not None:
                self.quit()
        finally:
            asyncio.set_event_loop(None)
            self.loop.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    # --- what the app shows -------------------------------------------------------------
    @property
    def screen(self) -> ReadingScreen:
        assert self.app is not None
        return self.app.reading

    @property
    def doc_id(self) -> str:
        return self.screen.document.id

    def target(self) -> tuple[int, int] | None:
        span = self.screen.state.target_span
        if span is None or span.end <= span.start:
            return None
        return (span.start, span.end)

    def status(self) -> str:
        """Every status line shown since the last key (a message is shown until the next
        repaint, which a timer may bring at any moment: asserting on the line shown now
        would depend on timing)."""
        return "\n".join([*self.shown, str(self.screen.query_one(StatusLine).render())])

    def spy_on_status(self) -> None:
        line = self.screen.query_one(StatusLine)
        update = line.update

        def shown(content: Any = "", **kwargs: Any) -> None:
            self.shown.append(str(content))
            update(content, **kwargs)

        line.update = shown  # type: ignore[method-assign]

    def panel(self) -> AnnotationList | None:
        return self.screen._annotation_panel

    def prompt(self) -> StancePrompt:
        screen = self.app.screen
        assert isinstance(screen, StancePrompt), f"expected the stance prompt, got {screen}"
        return screen

    def field(self, name: str) -> Input:
        return self.app.screen.query_one(f"#{name}", Input)

    def actual_mode(self) -> str:
        screen = self.app.screen
        if isinstance(screen, StancePrompt):
            if screen.label is None:
                return "stance_label"
            focused = screen.focused
            if focused is not None and focused.id in ("target", "holder"):
                return f"stance_{focused.id}"
            return f"stance_focus_{getattr(focused, 'id', None)}"
        if isinstance(screen, NotePrompt):
            return "note"
        if isinstance(screen, ChoicePrompt):
            return "choice"
        if not isinstance(screen, ReadingScreen):
            return f"other:{type(screen).__name__}"
        focused = screen.focused
        if screen.query_one(SearchBar).display:
            return "search" if focused is screen.query_one(SearchBar).input else "search?"
        if screen.documents.display:
            return "docs" if focused is screen.documents else "docs?"
        panel = self.panel()
        if panel is not None and panel.display:
            return "list" if focused is panel else "list?"
        return "read" if focused is screen.article else f"read?{focused}"

    def picked(self) -> Rec | None:
        """The annotation chosen in the list, if that choice still stands (it must, on
        screen, exactly when the model says so)."""
        selection = self.screen.state.selection
        span = (selection.span.start, selection.span.end) if selection else None
        valid = self.pick_span is not None and span == self.pick_span
        picked_id = self.screen.state.picked
        assert (picked_id is not None) == valid, (
            f"the list's choice {'stands' if picked_id else 'is gone'} on screen, "
            f"the model says it {'stands' if valid else 'is gone'}"
        )
        found = [a for a in self.screen._annotations if a.id == picked_id]
        return as_rec(found[0]) if found else None

    def here(self) -> list[Rec]:
        """What x and ; act on, in the order the app lists them."""
        candidates = under_cursor(self.model.records(self.doc_id), self.target(), self.picked())
        order = [as_rec(a) for a in self.screen._annotations]
        return sorted(candidates, key=order.index)

    def known(self, item: int | str, what: str) -> None:
        """A known bug seen: tolerated while its fix is pending."""
        if item not in KNOWN_OPEN:
            raise AssertionError(f"known bug {item}: {what}")
        STATS[f"known issue {item}"] += 1
        note(f"(known issue 9 item {item}: {what})")

    def expect_state(self, candidates: list[State], what: str) -> State:
        """The store must be in one of `candidates` (the first is the documented one)."""
        found = read_store(self.db)
        for candidate in candidates:
            if found == as_counters(candidate):
                return candidate
        raise AssertionError(
            f"{what}: the store holds {found}, expected {as_counters(candidates[0])}"
        )

    # --- invariants ---------------------------------------------------------------------
    @invariant()
    def app_is_alive(self) -> None:
        if self.app is None:  # before `start`
            return
        assert self.app.is_running, "the app stopped"
        assert self.app._exception is None, self.app._exception

    @invariant()
    def store_equals_model(self) -> None:
        if self.app is None:  # before `start`
            return
        found = read_store(self.db)
        assert found == as_counters(self.model.state), (
            f"store {found} != model {as_counters(self.model.state)}"
        )

    @invariant()
    def screen_shows_the_store(self) -> None:
        if self.app is None:  # before `start`
            return
        screen = self.screen
        shown = Counter(
            (a.start, a.end, a.kind, a.label, a.target, a.holder, a.note)
            for a in screen._annotations
        )
        assert shown == Counter(self.model.records(self.doc_id)), "stale annotations on screen"
        assert sorted((m.start, m.end) for m in screen.state.marks) == sorted(
            (r[0], r[1]) for r in self.model.records(self.doc_id)
        ), "the tint does not match the store"
        annotated = {i for i, d in enumerate(self.documents) if self.model.records(d.id)}
        marked = screen.documents.annotated
        if marked != annotated:
            ids = Counter(d.id for d in self.documents)
            wrong = marked ^ annotated
            assert all(ids[self.documents[i].id] > 1 for i in wrong), (
                f"the document list marks {sorted(marked)} as annotated, "
                f"the store has annotations for {sorted(annotated)}"
            )
            self.known("duplicate", f"copies {sorted(wrong)} of an article marked wrongly")
            return
        panel = self.panel()
        if panel is not None and panel.display:
            assert panel.option_count == len(self.model.records(self.doc_id))

    @invariant()
    def mode_is_what_is_on_screen(self) -> None:
        if self.app is None:  # before `start`
            return
        assert self.actual_mode() == self.mode, f"on screen {self.actual_mode()}, {self.mode=}"

    # --- reading mode: moving ---------------------------------------------------------------
    @precondition(lambda self: self.mode == "read")
    @rule(key=st.sampled_from(NAVIGATION_KEYS))
    def navigate(self, key: str) -> None:
        self.press(key)

    @precondition(lambda self: self.mode == "read")
    @rule(key=st.sampled_from(["right_square_bracket", "left_square_bracket"]))
    def step_document(self, key: str) -> None:
        index = self.screen.index
        wanted = max(0, min(len(self.documents) - 1, index + (1 if key == "right_square_bracket" else -1)))
        self.press(key, until=lambda: self.screen.index == wanted)
        assert self.screen.index == wanted, f"{key}: document {self.screen.index + 1}, not {wanted + 1}"
        if wanted != index:
            assert self.screen.state.selection is None

    @precondition(lambda self: self.mode == "read")
    @rule(key=st.sampled_from(["right_parenthesis", "left_parenthesis"]))
    def unannotated_document(self, key: str) -> None:
        index = self.screen.index
        annotated = {i for i, d in enumerate(self.documents) if self.model.records(d.id)}
        others = set(range(len(self.documents))) - {index}
        self.press(key)
        if others <= annotated:
            assert self.screen.index == index
            assert "every other document has annotations" in self.status()
        elif self.screen.index not in others - annotated:
            copies = Counter(d.id for d in self.documents)[self.screen.document.id]
            assert copies > 1 and self.screen.index in others, "went to an annotated document"
            self.known("duplicate", f"{key} went to a copy of an annotated article")

    # --- reading mode: selection ------------------------------------------------------------
    @precondition(lambda self: self.mode == "read")
    @rule()
    def start_selection(self) -> None:
        self.pick_span = None
        self.press("v")
        selection = self.screen.state.selection
        assert selection is not None, "v selected nothing"
        span = selection.span
        assert self.screen.document.text[span.start : span.end].strip(), "v selected no word"

    @precondition(lambda self: self.mode == "read")
    @rule(key=st.sampled_from(["l", "w", "h", "b"]))
    def move_selection(self, key: str) -> None:
        had = self.screen.state.selection
        self.press(key)
        selection = self.screen.state.selection
        if had is None:
            assert selection is None
            assert "press v to start a selection" in self.status()
        else:
            assert selection is not None and selection.anchor == had.anchor

    @precondition(lambda self: self.mode == "read")
    @rule()
    def escape(self) -> None:
        self.pick_span = None
        self.press("escape")
        assert self.screen.state.selection is None

    # --- reading mode: labels, delete, undo ----------------------------------------------
    @precondition(lambda self: self.mode == "read")
    @rule(key=st.sampled_from(sorted(CLAIM_KEYS)))
    def label(self, key: str) -> None:
        span, doc_id = self.target(), self.doc_id
        label = CLAIM_KEYS[key]
        self.press(key)
        if span is None:
            assert "nothing to label here" in self.status()
            return
        self.model.commit(self.model.claim(doc_id, *span, label))
        assert f"saved: {label} on " in self.status(), self.status()
        assert self.screen.state.selection is None

    @precondition(lambda self: self.mode == "read")
    @rule()
    def delete(self) -> None:
        doc_id, here = self.doc_id, self.here()
        self.press("x", until=lambda: len(here) < 2 or self._choosing())
        if not here:
            assert "no annotation here" in self.status()
        elif len(here) == 1:
            self.model.commit(self.model.delete(doc_id, here[0]))
            assert f"saved: deleted {here[0][3]}" in self.status(), self.status()
        else:
            self._choice("delete", doc_id, here)

    def _choosing(self) -> bool:
        return isinstance(self.app.screen, ChoicePrompt)

    def _choice(self, what: str, doc_id: str, here: list[Rec]) -> None:
        """Several annotations here: the app asks which, listing them in its order."""
        prompt = self.app.screen
        assert isinstance(prompt, ChoicePrompt), f"{what}: {len(here)} here, no choice asked"
        by_rec = {as_rec(a): a for a in self.screen._annotations}
        assert prompt.choices == [describe(by_rec[r], 50) for r in here[:9]]
        self.pending = {"doc_id": doc_id, "what": what, "candidates": here[:9]}
        self.mode = "choice"

    @precondition(lambda self: self.mode == "choice")
    @rule(number=st.integers(1, 9))
    def choose_one(self, number: int) -> None:
        doc_id, what, candidates = (
            self.pending["doc_id"], self.pending["what"], self.pending["candidates"]
        )
        if number > len(candidates):  # not a choice: nothing happens
            self.press(str(number))
            return
        chosen = candidates[number - 1]
        self.press(str(number), until=lambda: not self._choosing())
        if what == "delete":
            self.mode = "read"
            self.model.commit(self.model.delete(doc_id, chosen))
            assert f"saved: deleted {chosen[3]}" in self.status(), self.status()
        else:
            self._noting(doc_id, [chosen])

    @precondition(lambda self: self.mode == "choice")
    @rule(key=st.sampled_from(["x", "semicolon", "j", "u", "s", "escape"]))
    def key_in_choice(self, key: str) -> None:
        what = self.pending["what"]
        self.press(key, until=lambda: key != "escape" or not self._choosing())
        if key == "escape":
            self.mode = "read"
            assert f"{what} cancelled" in self.status(), self.status()

    @precondition(lambda self: self.mode == "read")
    @rule(key=st.sampled_from(["u", "ctrl+r"]))
    def undo_redo(self, key: str) -> None:
        before = self.model.state
        after = self.model.undo() if key == "u" else self.model.redo()
        word = "undo" if key == "u" else "redo"
        self.press(key)
        if after is None:
            assert f"nothing to {word}" in self.status(), self.status()
            return
        assert ("saved: undid" if key == "u" else "saved: redid") in self.status(), self.status()
        doc_id = changed_doc(before, after)
        assert doc_id is not None
        assert self.doc_id == doc_id, f"{word} did not show the document it changed"

    # --- stance prompt ----------------------------------------------------------------------
    @precondition(lambda self: self.mode == "read")
    @rule(key=st.sampled_from(["s", *sorted(STANCE_KEYS)]))
    def open_stance(self, key: str) -> None:
        span, doc_id = self.target(), self.doc_id
        focus = self.screen.state.focus
        self.press(key, until=lambda: span is None or isinstance(self.app.screen, StancePrompt))
        if span is None:
            assert "nothing to label here" in self.status()
            return
        prompt = self.prompt()
        label = STANCE_KEYS.get(key)
        assert (prompt.label.name if prompt.label else None) == label
        self.pending = {"doc_id": doc_id, "span": span}
        self.mode = "stance_target" if label else "stance_label"
        # README: for a quote, the holder is filled in with the quote's speaker.
        stances_here = [
            r for r in self.model.records(doc_id) if (r[0], r[1], r[2]) == (*span, "stance")
        ]
        if focus is not None and focus.kind == "quote" and not stances_here:
            quote = self.screen.state.quotes[focus.index]
            if quote.speaker is not None and (quote.start, quote.end) == span:
                speaker = quote.speaker.resolved or quote.speaker.text
                assert self.field("holder").value == speaker

    @precondition(lambda self: self.mode == "stance_label")
    @rule(key=st.sampled_from(sorted(STANCE_KEYS)))
    def choose_stance(self, key: str) -> None:
        self.press(key, until=lambda: self.prompt().label is not None)
        label = self.prompt().label
        assert label is not None and label.name == STANCE_KEYS[key]
        self.mode = "stance_target"

    @precondition(lambda self: self.mode == "stance_label")
    @rule(key=st.sampled_from([k for k in STRAY_KEYS if k not in STANCE_KEYS] + ["j", "enter"]))
    def stray_key_before_the_stance(self, key: str) -> None:
        self.press(key)
        assert self.prompt().label is None  # nothing chosen, nothing saved (invariant)

    def _type(self, name: str, text: str) -> None:
        """Type into a focused field; it must show exactly the characters typed."""
        field = self.field(name)
        value, selection, cursor = field.value, field.selection, field.cursor_position
        if selection.is_empty:
            expected = value[:cursor] + text + value[cursor:]
        else:
            a, b = sorted((selection.start, selection.end))
            expected = value[:a] + text + value[b:]
        self.press(*map(key_for, text))
        assert self.field(name).value == expected, (self.field(name).value, expected)

    @precondition(lambda self: self.mode in ("stance_target", "stance_holder"))
    @rule(text=typed_text)
    def type_in_stance(self, text: str) -> None:
        name = self.mode.removeprefix("stance_")
        self._type(name, text)
        if name == "target":
            self._check_suggestions()

    def _check_suggestions(self) -> None:
        """README: type to filter the schema's targets, or type a new one."""
        typed = self.field("target").value.strip()
        options = self.app.screen.query_one("#targets", OptionList)
        matches = [t for t in TARGETS if typed.casefold() in t.casefold()]
        exact = next((t for t in matches if t.casefold() == typed.casefold()), None)
        if not matches and not typed:
            return
        assert options.highlighted is not None
        shown = self._target_shown()
        assert shown == (exact or (matches[0] if matches else typed)), shown

    def _target_shown(self) -> str | None:
        """What Enter saves as the target: the highlighted suggestion, else the field."""
        options = self.app.screen.query_one("#targets", OptionList)
        if options.display and options.option_count and options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id == "\0new":
                return self.field("target").value.strip()
            return option.id
        return self.field("target").value.strip() or None

    @precondition(lambda self: self.mode == "stance_target")
    @rule(key=st.sampled_from(["down", "up"]))
    def pick_target(self, key: str) -> None:
        self.press(key)

    @precondition(lambda self: self.mode in ("stance_target", "stance_holder"))
    @rule()
    def tab_in_stance(self) -> None:
        wanted = "holder" if self.mode == "stance_target" else "target"
        self.press("tab")
        mode = self.actual_mode()
        assert mode == f"stance_{wanted}", f"Tab from the {self.mode[7:]} went to {mode}"
        self.mode = mode

    @precondition(lambda self: self.mode in ("stance_target", "stance_holder"))
    @rule()
    def save_stance(self) -> None:
        prompt = self.prompt()
        assert prompt.label is not None
        label = prompt.label.name
        target = self._target_shown()
        holder = self.field("holder").value
        preview = str(self.app.screen.query_one("#prompt-preview", Static).render())
        assert preview == (
            f"Enter saves: {label} → {target or '(no target)'}"
            f" · holder: {holder.strip() or '(none)'}"
        ), preview
        doc_id, span = self.pending["doc_id"], self.pending["span"]
        self.press("enter", until=lambda: isinstance(self.app.screen, ReadingScreen))
        self.mode = "read"
        self.model.commit(self.model.stance(doc_id, *span, label, target, holder))
        stored_target = (target or "").strip() or None
        assert f"saved: {label} → {stored_target or '(no target)'}" in self.status(), (
            self.status()
        )

    @precondition(lambda self: self.mode.startswith("stance_"))
    @rule()
    def cancel_stance(self) -> None:
        self.press("escape", until=lambda: isinstance(self.app.screen, ReadingScreen))
        self.mode = "read"
        assert "stance cancelled" in self.status()

    # --- note prompt --------------------------------------------------------------------
    @precondition(lambda self: self.mode == "read")
    @rule()
    def open_note(self) -> None:
        doc_id, here = self.doc_id, self.here()
        self.press(
            "semicolon",
            until=lambda: not here or not isinstance(self.app.screen, ReadingScreen),
        )
        if not here:
            assert isinstance(self.app.screen, ReadingScreen)
            assert "no annotation here" in self.status()
        elif len(here) == 1:
            self._noting(doc_id, here)
        else:
            self._choice("note on", doc_id, here)

    def _noting(self, doc_id: str, chosen: list[Rec]) -> None:
        screen = self.app.screen
        assert isinstance(screen, NotePrompt), f"; opened {screen}"
        [record] = chosen
        assert screen.title_text == f"Note on {record[3]}"
        assert self.field("note").value == record[6]
        self.pending = {"doc_id": doc_id, "candidates": chosen}
        self.mode = "note"

    @precondition(lambda self: self.mode == "note")
    @rule(text=typed_text)
    def type_note(self, text: str) -> None:
        self._type("note", text)

    @precondition(lambda self: self.mode == "note")
    @rule()
    def save_note(self) -> None:
        text = self.field("note").value.strip()
        self.press(
            "enter", until=lambda: isinstance(self.app.screen, ReadingScreen)
        )
        self.mode = "read"
        doc_id, candidates = self.pending["doc_id"], self.pending["candidates"]
        options = [self.model.note(doc_id, r, text) for r in candidates]
        self.model.commit(self.expect_state(options, "; Enter"))
        assert ("saved: note" if text else "saved: note cleared") in self.status(), self.status()

    @precondition(lambda self: self.mode == "note")
    @rule()
    def cancel_note(self) -> None:
        self.press(
            "escape", until=lambda: isinstance(self.app.screen, ReadingScreen)
        )
        self.mode = "read"
        assert "note cancelled" in self.status()

    # --- the document list ----------------------------------------------------------------
    @precondition(lambda self: self.mode == "read")
    @rule()
    def open_documents(self) -> None:
        index = self.screen.index
        self.press("d", until=lambda: self.screen.focused is self.screen.documents)
        self.mode = "docs"
        assert self.screen.documents.highlighted == index

    def _list(self) -> OptionList:
        return self.screen.documents if self.mode == "docs" else self.panel()  # type: ignore[return-value]

    @precondition(lambda self: self.mode in ("docs", "list"))
    @rule(key=st.sampled_from(["down", "up", "j", "k"]))
    def move_in_list(self, key: str) -> None:
        options = self._list()
        before, count = options.highlighted, options.option_count
        self.press(key)
        after = options.highlighted
        if count == 0:
            return
        step = 1 if key in ("down", "j") else -1
        wanted = {max(0, min(count - 1, (before or 0) + step)), ((before or 0) + step) % count}
        assert after in wanted, f"{key} did not move in the {self.mode} list"

    @precondition(lambda self: self.mode == "docs")
    @rule()
    def choose_document(self) -> None:
        wanted = self.screen.documents.highlighted
        self.press("enter", until=lambda: not self.screen.documents.display)
        self.mode = "read"
        assert self.screen.index == wanted, "Enter opened another document than highlighted"

    @precondition(lambda self: self.mode in ("docs", "list"))
    @rule(key=st.sampled_from(["escape", "toggle"]))
    def close_list(self, key: str) -> None:
        own = {"docs": "d", "list": "L"}[self.mode]
        key = own if key == "toggle" else key
        selection = self.screen.state.selection
        self.press(key)
        mode = self.actual_mode()
        if key == "escape" and mode == self.mode and selection is not None:
            # Esc first cleared the selection behind the list (the list stays open).
            assert self.screen.state.selection is None
            return
        assert mode == "read", f"{key} left {mode}"
        self.mode = mode

    @precondition(lambda self: self.mode in ("docs", "list"))
    @rule(key=st.sampled_from(STRAY_KEYS))
    def stray_key_in_list(self, key: str) -> None:
        if key == {"docs": "d", "list": "L"}[self.mode]:
            return  # the list's own key closes it (`close_list`)
        index = self.screen.index
        self.press(key)
        assert self.screen.index == index, f"{key} in the {self.mode} list switched document"
        # The store did not change: the invariant compares it with the unchanged model.

    # --- the annotation list ------------------------------------------------------------
    @precondition(lambda self: self.mode == "read")
    @rule()
    def open_annotations(self) -> None:
        self.press("L", until=lambda: self.panel() is not None and self.screen.focused is self.panel())
        self.mode = "list"

    @precondition(lambda self: self.mode == "list")
    @rule()
    def choose_annotation(self) -> None:
        panel = self.panel()
        assert panel is not None
        records = self.screen._annotations  # the rows the list shows
        chosen = records[panel.highlighted] if records and panel.highlighted is not None else None
        self.press("enter", until=lambda: chosen is None or not panel.display)
        if chosen is None:
            return
        self.mode = "read"
        selection = self.screen.state.selection
        assert selection is not None
        assert (selection.span.start, selection.span.end) == (chosen.start, chosen.end)
        self.pick_span = (chosen.start, chosen.end)
        assert self.screen.state.picked == chosen.id

    # --- quitting and starting again ---------------------------------------------------
    @precondition(lambda self: self.mode == "read")
    @rule(data=st.data())
    def restart(self, data: st.DataObject) -> None:
        """Quit, and open the corpus again after it changed the way corpora do: its lines
        reordered, and perhaps a new article added. Every article annotated before is
        still in it, unchanged, so every annotation stays where it was. (Undo history is
        per session.)"""
        shift = "reanchor" not in KNOWN_OPEN  # (known bug: moving lines moves annotations)
        lines = data.draw(st.permutations(self.lines), label="lines") if shift else self.lines[:]
        missing = [n for n in range(len(TEXTS)) if n not in lines]
        if missing and data.draw(st.booleans(), label="add an article"):
            at = data.draw(st.integers(0, len(lines)), label="at line") if shift else len(lines)
            lines.insert(at, missing[0])
        self.keys.append(f"<restart {lines}>")
        self.quit()
        self.lines = lines
        self.model.past.clear()
        self.model.future.clear()
        self.launch()

    # --- search -------------------------------------------------------------------------
    @precondition(lambda self: self.mode == "read")
    @rule()
    def open_search(self) -> None:
        self.press("slash", until=lambda: self.actual_mode() == "search")
        self.mode = "search"

    @precondition(lambda self: self.mode == "search")
    @rule(text=typed_text)
    def type_search(self, text: str) -> None:
        field = self.screen.query_one(SearchBar).input
        value, cursor = field.value, field.cursor_position
        self.press(*map(key_for, text))
        assert field.value == value[:cursor] + text + value[cursor:] or field.value == text

    @precondition(lambda self: self.mode == "search")
    @rule(key=st.sampled_from(["enter", "escape"]))
    def close_search(self, key: str) -> None:
        self.press(key, until=lambda: not self.screen.query_one(SearchBar).display)
        self.mode = "read"


def hunt_settings() -> settings:
    examples = int(os.environ.get("READER_HUNT_EXAMPLES", "0"))
    steps = int(os.environ.get("READER_HUNT_STEPS", "0"))
    if examples:  # the long hunt: random, remembers failures in .hypothesis
        quick = os.environ.get("READER_HUNT_NO_SHRINK") == "1"  # report, do not minimise
        return settings(
            max_examples=examples,
            stateful_step_count=steps or 60,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            **({"phases": [Phase.generate]} if quick else {}),
        )
    return settings(  # `make test`: small (about 25 s under load), the same every time
        max_examples=4,
        stateful_step_count=steps or 30,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@pytest.mark.slow
def test_hunt_state_machine() -> None:
    STATS.clear()
    started = time.perf_counter()
    run_state_machine_as_test(ReaderMachine, settings=hunt_settings())
    seconds = time.perf_counter() - started
    print(f"\nhunt: {dict(STATS)} in {seconds:.1f}s")


# --- regression tests: what the hunt found, as ordinary Pilot tests -------------------


def annotating(db: Path) -> AbstractAsyncContextManager[Pilot]:
    return pilot_support.annotating(CORPUS, db, SCHEMA, size=(100, 30))


async def press(pilot: Pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def stored(db: Path) -> list[tuple]:
    return sorted(
        (r for records in read_store(db).values() for r in records.elements()), key=repr
    )


@pytest.mark.xfail(
    2 in KNOWN_OPEN,
    strict=True,
    reason="issue 9 item 2: the first Tab goes to the target suggestions, the holder is lost",
)
async def test_stance_holder_typed_after_tab_is_saved(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(db) as pilot:
        await press(pilot, "j", "f", *"Iran", "tab", *"Khamenei", "enter")
        [(_, _, kind, label, target, holder, _)] = stored(db)
        assert (kind, label, target, holder) == ("stance", "FAVOR", "Iran", "Khamenei")


@pytest.mark.xfail(
    3 in KNOWN_OPEN,
    strict=True,
    reason="issue 9 item 3: keys pass through the document list to the article behind it",
)
async def test_keys_do_not_reach_the_article_behind_the_document_list(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(db) as pilot:
        await press(pilot, "d", "down", "1")
        assert stored(db) == []  # not FACT on the first document
        await press(pilot, "s")
        assert isinstance(pilot.app.screen, ReadingScreen)  # no stance prompt on top
        documents = pilot.app.reading.query_one(DocumentList)  # type: ignore[attr-defined]
        await press(pilot, "j")
        assert documents.highlighted == 2


@pytest.mark.xfail(
    8 in KNOWN_OPEN,
    strict=True,
    reason="issue 9 item 8: with two annotations on one span, x deletes one without asking",
)
async def test_delete_with_two_annotations_on_one_span_does_not_guess(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(db) as pilot:
        await press(pilot, "j", "1", "f", *"Iran", "enter")
        assert [r[2] for r in stored(db)] == ["claim", "stance"]
        screen = pilot.app.screen
        await press(pilot, "x")
        # It asks which one (a choice on screen) or says so; both are still stored.
        assert len(stored(db)) == 2
        if pilot.app.screen is not screen:
            await press(pilot, "escape")
        assert len(stored(db)) == 2


def write_corpus(path: Path, *texts: str) -> Corpus:
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    return load_corpus([path])


def annotating_corpus(corpus: Corpus, db: Path) -> AbstractAsyncContextManager[Pilot]:
    return pilot_support.annotating(corpus, db, SCHEMA, size=(100, 30))


@pytest.mark.xfail(
    "reanchor" in KNOWN_OPEN,
    strict=True,
    reason="found by the hunt: re-anchoring takes another article at the same JSONL line "
    "for an earlier version of the annotated one (reader/anchoring.py reanchor_document, "
    "AnnotationStore.previous_versions: the source is `file:line`)",
)
async def test_a_new_line_in_the_corpus_moves_no_annotation(tmp_path: Path) -> None:
    first, second = TEXTS[0], TEXTS[3]  # both say "Officials said repairs cost millions."
    db, corpus_file = tmp_path / "alice.json", tmp_path / "corpus.jsonl"
    async with annotating_corpus(write_corpus(corpus_file, first, second), db) as pilot:
        await press(pilot, "right_square_bracket", "j", "j", "1")  # FACT on the second's
    before = stored(db)
    assert [r[3] for r in before] == ["FACT"]
    # A new article on line 1: the first is now on line 2, where the second was.
    corpus = write_corpus(corpus_file, TEXTS[2], first, second)
    async with annotating_corpus(corpus, db) as pilot:
        await press(pilot, "right_square_bracket")  # open the first article
        assert pilot.app.reading._annotations == []  # type: ignore[attr-defined]
    assert stored(db) == before
    assert list(read_store(db)) == [DOCUMENTS[3].id]  # still on the second article


@pytest.mark.xfail(
    "duplicate" in KNOWN_OPEN,
    strict=True,
    reason="found by the hunt: an article twice in a corpus; labelling one copy leaves the "
    "other marked unannotated (reader/screens/reading.py _load_annotations marks one index)",
)
async def test_every_copy_of_an_annotated_article_is_marked(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    corpus = write_corpus(tmp_path / "corpus.jsonl", TEXTS[0], TEXTS[1], TEXTS[0])
    async with annotating_corpus(corpus, db) as pilot:
        await press(pilot, "1")
        documents = pilot.app.reading.query_one(DocumentList)  # type: ignore[attr-defined]
        assert documents.annotated == {0, 2}
        await press(pilot, "right_parenthesis")  # the next document without annotations
        assert pilot.app.reading.index == 1  # type: ignore[attr-defined]
