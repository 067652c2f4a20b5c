"""Finding every occurrence of an annotation's text: whole words, case-sensitive, exact
offsets; and labelling them through a session as one undo step."""

from __future__ import annotations

from pathlib import Path

from reader.annotate.annotations import make_annotation
from reader.annotate.occurrences import (
    label_every_occurrence,
    occurrences,
    unlabelled_occurrences,
)
from reader.annotate.schema import default_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Document
from reader.store import AnnotationStore


def test_whole_words_only_and_case_sensitive() -> None:
    text = "The port reopened. Ports close; the airport and port-side Port. port"
    found = occurrences(text, "port")
    assert [text[a:b] for a, b in found] == ["port", "port", "port"]
    assert [a for a, _ in found] == [4, text.index("port-side"), len(text) - 4]


def test_a_phrase_with_punctuation_edges_and_non_ascii_text() -> None:
    text = "Café U.S. talks: the U.S. said U.S.A. was «the U.S.»."
    found = occurrences(text, "U.S.")
    assert len(found) == 4  # U.S.A. starts with "U.S." (its edge is a dot, not a word)
    assert all(text[a:b] == "U.S." for a, b in found)
    assert occurrences("naïve naïveté naïve", "naïve") == [(0, 5), (14, 19)]
    assert occurrences("anything", "") == []


def test_offsets_are_python_str_indices_past_astral_characters() -> None:
    text = "😀 Acme said. 😀😀 Acme again."
    found = occurrences(text, "Acme")
    assert [text[a:b] for a, b in found] == ["Acme", "Acme"]
    assert found[1][0] == text.index("Acme", 5)


def test_occurrences_already_carrying_the_label_are_skipped() -> None:
    text = "Acme won. Acme lost. Acme drew."
    doc_id = "d"
    given = make_annotation(text, doc_id, 0, 4, "claim", "FACT", "alice")
    other = make_annotation(text, doc_id, 10, 14, "claim", "FACT", "alice")
    opinion = make_annotation(text, doc_id, 21, 25, "claim", "OPINION", "alice")
    left = unlabelled_occurrences(given, text, [given, other, opinion])
    assert left == [(21, 25)]  # an OPINION there is not the label: it will be given FACT


def _store(tmp_path: Path) -> AnnotationSession:
    return AnnotationSession(
        AnnotationStore.open(tmp_path / "a.json", "alice"), "alice", default_schema()
    )


def test_label_every_occurrence_in_a_corpus_is_one_undo_step(tmp_path: Path) -> None:
    one = Document("Acme won. Acme Corp lost. acme drew.\n", "one", "one.txt")
    two = Document("Nothing here. Then Acme, again Acme.\n", "two", "two.txt")
    session = _store(tmp_path)
    try:
        first = session.add(one, 0, 4, "claim", "FACT")
        done = label_every_occurrence(session, first, [one, two, one])  # `one` twice: once
        assert (done.count, done.documents) == (3, 2)
        spans = {(a.doc_id, a.start, a.end, a.text, a.label) for a in session.store}
        assert spans == {
            (one.id, 0, 4, "Acme", "FACT"),
            (one.id, 10, 14, "Acme", "FACT"),
            (two.id, 19, 23, "Acme", "FACT"),
            (two.id, 31, 35, "Acme", "FACT"),
        }
        assert label_every_occurrence(session, first, [one, two]).count == 0  # nothing left
        session.undo()
        assert [(a.doc_id, a.start) for a in session.store] == [(one.id, 0)]
        session.redo()
        assert len(list(session.store)) == 4
    finally:
        session.store.close()


def test_a_stance_keeps_its_target_and_holder(tmp_path: Path) -> None:
    doc = Document("Tax cuts work. We like tax cuts. Tax cuts work.\n", "t", "t.txt")
    session = _store(tmp_path)
    try:
        stance = session.apply_stance(doc, 0, 14, "FAVOR", "tax cuts", "the mayor")
        assert label_every_occurrence(session, stance, [doc]).count == 1
        copied = [a for a in session.store if a.id != stance.id]
        assert [(a.start, a.end, a.kind, a.label, a.target, a.holder) for a in copied] == [
            (33, 47, "stance", "FAVOR", "tax cuts", "the mayor")
        ]
    finally:
        session.store.close()
