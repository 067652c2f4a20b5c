"""Re-anchoring: kept, moved by text and context, or orphaned, never misplaced."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reader.annotate.anchoring import reanchor, reanchor_all, reanchor_document
from reader.annotate.annotations import make_annotation
from reader.corpus import Document, text_id
from reader.store import AnnotationStore, StoredDocument

OLD = (
    "The mayor said the bridge will open in May. Critics said the bridge is late. "
    "The mayor said the bridge will open in May, again, at a later meeting."
)


def annotate(text: str, needle: str, occurrence: int = 0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return make_annotation(text, text_id(text), start, start + len(needle), "claim", "FACT", "a")


def test_same_offsets_are_kept() -> None:
    annotation = annotate(OLD, "Critics said")
    result = reanchor(annotation, OLD)
    assert result.status == "kept" and result.annotation == annotation
    edited = OLD + " More text at the end."
    result = reanchor(annotation, edited)
    assert result.status == "kept" and result.annotation.doc_id == text_id(edited)


def test_moved_when_text_shifts() -> None:
    annotation = annotate(OLD, "Critics said the bridge is late.")
    new = "Breaking: " + OLD
    result = reanchor(annotation, new)
    assert result.status == "moved"
    moved = result.annotation
    assert new[moved.start : moved.end] == annotation.text
    assert moved.start == annotation.start + len("Breaking: ")
    assert moved.id == annotation.id and moved.doc_id == text_id(new)
    assert moved.prefix == new[max(0, moved.start - 32) : moved.start]


def test_repeated_text_is_placed_by_its_context() -> None:
    second = annotate(OLD, "The mayor said the bridge will open in May", occurrence=1)
    new = "Update. " + OLD
    result = reanchor(second, new)
    assert result.status == "moved"
    assert result.annotation.start == second.start + len("Update. ")


def test_ambiguous_or_absent_text_is_orphaned() -> None:
    annotation = annotate(OLD, "the bridge", occurrence=0)
    # Context gone and the words occur twice, equally well: do not guess.
    new = "X the bridge Y. X the bridge Y."
    assert reanchor(annotation, new).status == "orphaned"
    gone = OLD.replace("Critics said the bridge is late.", "Nobody objected.")
    lost = annotate(OLD, "Critics said the bridge is late.")
    result = reanchor(lost, gone)
    assert result.status == "orphaned" and result.annotation == lost


@given(
    st.text(alphabet="abc .", max_size=40),
    st.text(alphabet="abc .", max_size=40),
)
def test_edits_around_a_unique_span_never_misplace_it(before: str, after: str) -> None:
    needle = "UNIQUE-SPAN"
    old = "start of text " + needle + " end of text"
    annotation = annotate(old, needle)
    new = before + old + after
    result = reanchor(annotation, new)
    assert result.status in ("kept", "moved")
    placed = result.annotation
    assert new[placed.start : placed.end] == needle


@given(st.integers(1, 5), st.integers(0, 4))
def test_repeats_never_land_on_the_wrong_copy(copies: int, pick: int) -> None:
    pick %= copies
    parts = [f"para {i} says: same words here. " for i in range(copies)]
    old = "".join(parts)
    annotation = annotate(old, "same words here", occurrence=pick)
    new = "Intro line. " + old
    result = reanchor(annotation, new)
    if result.status == "orphaned":
        return
    expected = new.index(parts[pick]) + parts[pick].index("same words")
    assert result.annotation.start == expected


def test_reanchor_document_moves_annotations_to_the_new_version(tmp_path: Path) -> None:
    old_doc = Document(text=OLD, title="t", source="bridge.txt")
    kept = annotate(OLD, "Critics said the bridge is late.")
    lost = annotate(OLD, "at a later meeting")
    with AnnotationStore.open(tmp_path / "s.json", "a") as store:
        store.put(kept, StoredDocument(old_doc.id, OLD, {}, "bridge.txt"))
        store.put(lost)
        new_text = "Correction. " + OLD.replace("at a later meeting", "")
        new_doc = Document(text=new_text, title="t", source="bridge.txt")
        results = reanchor_document(store, new_doc)
        assert sorted(r.status for r in results) == ["moved", "orphaned"]
        [moved] = store.for_document(new_doc.id)
        assert moved.id == kept.id and new_text[moved.start : moved.end] == kept.text
        assert [a.id for a in store.for_document(old_doc.id)] == [lost.id]
    assert [r.status for r in reanchor_all([kept], OLD)] == ["kept"]


def test_reanchoring_a_document_is_one_journal_operation(tmp_path: Path) -> None:
    """A kill while re-anchoring moves every annotation or none: it is one journal line."""
    old_doc = Document(text=OLD, title="t", source="bridge.txt")
    first = annotate(OLD, "Critics said the bridge is late.")
    second = annotate(OLD, "The mayor said", occurrence=1)
    path = tmp_path / "s.json"
    journal = path.with_name(path.name + ".journal")
    with AnnotationStore.open(path, "a") as store:
        store.put(first, StoredDocument(old_doc.id, OLD, {}, "bridge.txt"))
        store.put(second)
        lines_before = journal.read_bytes().count(b"\n")
        new_doc = Document(text="Correction. " + OLD, title="t", source="bridge.txt")
        results = reanchor_document(store, new_doc)
        assert [r.status for r in results] == ["moved", "moved"]
        assert journal.read_bytes().count(b"\n") == lines_before + 1
        assert {a.id for a in store.for_document(new_doc.id)} == {first.id, second.id}


OTHER = (
    "Dock workers called off a strike on Monday. Critics said the bridge is late. "
    "The union will meet again in June."
)


def test_another_article_from_the_same_source_is_not_an_earlier_version(tmp_path: Path) -> None:
    """A JSONL line (or a file) that now holds a different article sharing one sentence
    with the annotated one takes none of its annotations."""
    old_doc = Document(text=OLD, title="t", source="corpus.jsonl:2")
    shared = annotate(OLD, "Critics said the bridge is late.")
    with AnnotationStore.open(tmp_path / "s.json", "a") as store:
        store.put(shared, StoredDocument(old_doc.id, OLD, {}, old_doc.source))
        other = Document(text=OTHER, title="t", source="corpus.jsonl:2")
        assert reanchor_document(store, other) == []
        assert store.for_document(other.id) == []
        assert [a.id for a in store.for_document(old_doc.id)] == [shared.id]


def test_a_version_still_in_the_corpus_is_not_an_earlier_version(tmp_path: Path) -> None:
    old_doc = Document(text=OLD, title="t", source="corpus.jsonl:2")
    with AnnotationStore.open(tmp_path / "s.json", "a") as store:
        store.put(
            annotate(OLD, "Critics said"), StoredDocument(old_doc.id, OLD, {}, "corpus.jsonl:2")
        )
        edited = Document(text="Correction. " + OLD, title="t", source="corpus.jsonl:2")
        assert reanchor_document(store, edited, in_corpus={old_doc.id, edited.id}) == []
        assert [r.status for r in reanchor_document(store, edited)] == ["moved"]


def test_an_edit_keeps_most_word_runs_another_article_does_not() -> None:
    from reader.annotate.anchoring import is_edit_of

    assert is_edit_of(OLD, "Correction. " + OLD.replace("in May", "in June"))
    assert not is_edit_of(OLD, OTHER)
    assert not is_edit_of("", OTHER)


def test_the_reanchoring_message_counts_moved_and_orphaned() -> None:
    from reader.annotate.anchoring import any_orphaned, reanchor_message

    kept = reanchor(annotate(OLD, "Critics said"), OLD)
    assert reanchor_message([]) == ""
    assert reanchor_message([kept, kept]) == (
        "The text changed since it was annotated: 2 annotation(s) re-anchored"
    )
    orphan = reanchor(annotate(OLD, "Critics said"), "Nothing alike here.")
    assert orphan.status == "orphaned" and any_orphaned([kept, orphan])
    assert reanchor_message([kept, orphan]) == (
        "The text changed since it was annotated: 1 annotation(s) re-anchored, "
        "1 orphaned (kept with the old text, see `reader export`)"
    )


QUOTED = "Intro line. “We will open the bridge in May,” said Mayor Jane Doe on Friday.\n"


def quote_with_speaker(text: str):
    from reader.annotate.annotations import Speaker

    start, s_start = text.index("“"), text.index("Jane Doe")
    quote = make_annotation(
        text,
        text_id(text),
        start,
        text.index("”") + 1,
        "quote",
        "QUOTE",
        "a",
        speaker=Speaker(s_start, s_start + len("Jane Doe"), "Jane Doe"),
    )
    return quote


def test_a_quotes_speaker_moves_with_it() -> None:
    quote = quote_with_speaker(QUOTED)
    new = "A new first paragraph.\n\n" + QUOTED
    placed = reanchor(quote, new)
    assert placed.status == "moved" and not placed.speaker_dropped
    speaker = placed.annotation.speaker
    assert speaker is not None and new[speaker.start : speaker.end] == "Jane Doe"
    assert placed.annotation.start == quote.start + len("A new first paragraph.\n\n")


def test_a_speaker_whose_text_changed_is_dropped_and_the_message_says_so() -> None:
    from reader.annotate.anchoring import reanchor_message

    quote = quote_with_speaker(QUOTED)
    new = "Breaking. " + QUOTED.replace("Mayor Jane Doe", "the mayor, Jane Q. Doe,")
    placed = reanchor(quote, new)
    assert placed.status == "moved" and placed.speaker_dropped
    assert placed.annotation.speaker is None  # never pointing at other characters
    assert new[placed.annotation.start : placed.annotation.end] == quote.text
    assert reanchor_message([placed]) == (
        "The text changed since it was annotated: 1 annotation(s) re-anchored; "
        "the speaker of 1 quote(s) dropped (its text changed)"
    )
    kept = reanchor(quote, QUOTED.replace("Jane Doe", "Jane Roe"))  # same offsets, new name
    assert kept.status == "kept" and kept.speaker_dropped and kept.annotation.speaker is None
