"""What the Pilot tests of the apps share: waiting on the app's state, opening the reading
app on an annotator's store (and its reading screen), and the review app on its sources.

Imported by the test modules as `pilot_support` (pytest puts `tests/` on `sys.path`, in
each xdist worker too, since the folder has a conftest.py and no `__init__.py`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot

from reader.annotate.schema import Schema, default_schema, load_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Corpus, load_corpus
from reader.review.loading import load_review_input
from reader.review.workspace import Review, open_gold
from reader.store import AnnotationStore
from reader.ui.app import ReaderApp, make_app
from reader.ui.review_app import make_review_app
from reader.ui.screens.reading import ReadingScreen


async def until(pilot: Pilot, condition: Callable[[], bool], what: str) -> None:
    """Wait for the app to reach a state (never a fixed sleep), with a generous bound."""
    for _ in range(2000):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"timed out waiting for {what}")


async def settle(pilot: Pilot) -> None:
    """Every worker done (the corpus analysed) and the screen caught up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@asynccontextmanager
async def annotating(
    corpus: Corpus,
    db: Path,
    schema: Schema | None = None,
    size: tuple[int, int] = (110, 36),
    before: Callable[[AnnotationSession], None] | None = None,
    suggest: bool = False,
) -> AsyncIterator[Pilot]:
    """The app on `corpus`, annotating as alice into the store `db` (closed afterwards);
    `before` is given the session first (to save annotations the test starts from);
    `suggest` as `reader --suggest`."""
    store = AnnotationStore.open(db, "alice")
    try:
        session = AnnotationSession(store, "alice", schema or default_schema())
        if before is not None:
            before(session)
        app = make_app(corpus, session=session, suggest=suggest)
        async with app.run_test(size=size) as pilot:
            if suggest:  # suggesting again cancels the scoring under way: wait on the state
                screen = reading(pilot)
                await until(pilot, lambda: screen._teacher is not None, "the claim model")
                await until(pilot, lambda: all(w.is_finished for w in app.workers), "workers")
                await pilot.pause()
            else:
                await settle(pilot)
            yield pilot
    finally:
        store.close()


@asynccontextmanager
async def reviewing(
    sources: list[Path], gold: Path, size: tuple[int, int] = (110, 36)
) -> AsyncIterator[Pilot]:
    """The review app on `sources` adjudicating into `gold` (closed afterwards), once its
    disagreements are counted (in a thread) and every worker is done."""
    schema = load_schema(None)
    review = Review(load_review_input(sources, schema=schema), open_gold(gold), schema)
    try:
        async with make_review_app(review).run_test(size=size) as pilot:
            await until(pilot, lambda: review.counted, "the disagreements to be counted")
            await settle(pilot)
            yield pilot
    finally:
        review.close()


def reading(pilot: Pilot) -> ReadingScreen:
    assert isinstance(pilot.app, ReaderApp)
    return pilot.app.reading


def thirty_articles(folder: Path) -> Corpus:
    """A 30-article JSONL corpus (the issue's case for keys behind the document list)."""
    path = folder / "thirty.jsonl"
    lines = [
        json.dumps(
            {
                "text": f"Article {n} headline\nThe council met on day {n}. "
                f"It voted on budget item {n}.\n",
                "meta": {"title": f"Article {n}"},
            }
        )
        for n in range(1, 31)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_corpus([path])
