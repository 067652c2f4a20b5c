"""Pilot tests of `*` and `&`: the label of the annotation under the cursor on every other
occurrence of its text (document, then corpus), checked in the store on disk, and `u`."""

from __future__ import annotations

from pathlib import Path

from pilot_support import annotating, reading, until
from textual.pilot import Pilot

from reader.annotate.session import AnnotationSession
from reader.corpus import Corpus, Document
from reader.store import AnnotationStore

ONE = "Acme Corp said the port reopened. Acmeville denied it.\n\nLater acme and Acme met.\n"
TWO = "Acme again.\n"


def corpus() -> Corpus:
    return Corpus([Document(ONE, "One", "one.txt"), Document(TWO, "Two", "two.txt")])


def on_disk(db: Path) -> list[tuple[str, int, int, str, str]]:
    with AnnotationStore.open(db, read_only=True) as store:
        return sorted((a.doc_id[:6], a.start, a.end, a.text, a.label) for a in store)


def first_acme(session: AnnotationSession) -> None:
    session.add(corpus().documents[0], 0, 4, "claim", "OPINION")


def notices(pilot: Pilot) -> list[str]:
    return [n.message for n in pilot.app._notifications]


async def test_star_labels_the_document_then_u_undoes_all(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    one, two = (d.id[:6] for d in corpus().documents)
    async with annotating(corpus(), db, before=first_acme) as pilot:
        await pilot.press("asterisk")
        await until(pilot, lambda: len(on_disk(db)) == 2, "the second Acme labelled")
        later = ONE.index("Acme met")
        assert on_disk(db) == [
            (one, 0, 4, "Acme", "OPINION"),
            (one, later, later + 4, "Acme", "OPINION"),
        ]
        assert any("OPINION on 1 more 'Acme' in this document" in m for m in notices(pilot))
        await pilot.press("asterisk")  # again: every occurrence has it, nothing is added
        await pilot.pause()
        assert len(on_disk(db)) == 2
        await pilot.press("u")
        await until(pilot, lambda: len(on_disk(db)) == 1, "the undo")
        assert on_disk(db) == [(one, 0, 4, "Acme", "OPINION")]
        await pilot.press("ampersand")  # the corpus: both documents, one step
        await until(pilot, lambda: len(on_disk(db)) == 3, "the corpus labelled")
        assert (two, 0, 4, "Acme", "OPINION") in on_disk(db)
        assert any("OPINION on 2 more 'Acme' in 2 documents" in m for m in notices(pilot))
        await pilot.press("u")
        await until(pilot, lambda: len(on_disk(db)) == 1, "the corpus undo")
        status = str(reading(pilot).query_one("StatusLine").render())
        assert "undid OPINION on every 'Acme'" in status


async def test_star_with_no_annotation_here_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(corpus(), db) as pilot:
        await pilot.press("asterisk")
        await pilot.pause()
        assert on_disk(db) == []
        assert "no annotation here" in str(reading(pilot).query_one("StatusLine").render())
