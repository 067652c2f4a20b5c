"""The annotation record: field order, JSON round trip, validation, context."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.annotate.annotations import (
    CONTEXT_CHARS,
    FIELD_ORDER,
    Annotation,
    AnnotationError,
    Speaker,
    make_annotation,
    normalise_record,
    record_problem,
    validate_records,
)
from reader.corpus import text_id
from reader.store import AnnotationStore, StoredDocument

TEXT = "x" * 50 + "The port reopened." + "y" * 50


def sample() -> Annotation:
    return make_annotation(TEXT, text_id(TEXT), 50, 68, "claim", "FACT", "ann", note="n")


def test_json_has_every_contract_field_in_order_and_round_trips() -> None:
    annotation = sample()
    record = annotation.to_json()
    assert tuple(record) == FIELD_ORDER
    assert set(FIELD_ORDER) == {
        *("id", "doc_id", "start", "end", "text", "kind", "label", "target", "holder"),
        *("note", "annotator", "created", "updated", "prefix", "suffix"),
    }
    assert Annotation.from_json(record) == annotation
    assert record["created"].endswith("Z") and record["updated"] == record["created"]


def test_context_is_about_32_characters() -> None:
    annotation = sample()
    assert annotation.text == "The port reopened."
    assert annotation.prefix == "x" * CONTEXT_CHARS and annotation.suffix == "y" * CONTEXT_CHARS
    assert make_annotation(TEXT, "d", 0, 3, "claim", "FACT", "a").prefix == ""


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"start": -1}, "'start' must be a non-negative integer"),
        ({"end": 10, "start": 10}, "'end' must be greater"),
        ({"kind": "vibe"}, "kind must be one of"),
        ({"label": 3}, "'label' must be a string"),
        ({"target": 5}, "'target' must be a string or null"),
        ({"start": True}, "non-negative integer"),
    ],
)
def test_bad_records_are_explained(change: dict, problem: str) -> None:
    record = {**sample().to_json(), **change}
    assert problem in (record_problem(record) or "")
    with pytest.raises(AnnotationError):
        Annotation.from_json(record)


def test_missing_fields_and_bad_spans() -> None:
    record = sample().to_json()
    del record["label"]
    assert "missing 'label'" in (record_problem(record) or "")
    assert record_problem([]) == "an annotation must be a JSON object"
    with pytest.raises(AnnotationError, match="not a non-empty span"):
        make_annotation(TEXT, "d", 5, 5, "claim", "FACT", "a")
    with pytest.raises(AnnotationError, match="kind"):
        make_annotation(TEXT, "d", 0, 5, "other", "FACT", "a")


def test_changed_updates_the_timestamp_only() -> None:
    annotation = sample()
    later = annotation.changed(label="OPINION")
    assert later.label == "OPINION" and later.id == annotation.id
    assert later.created == annotation.created and later.updated >= annotation.updated


@pytest.mark.parametrize("missing", ["doc_id", "text", "kind", "label", "annotator"])
def test_a_record_missing_a_required_field_is_refused(missing: str) -> None:
    record = {"doc_id": "d", "start": 0, "end": 3, "text": "abc", "kind": "claim"}
    record |= {"label": "FACT", "annotator": "alice"}
    assert record_problem(record) is None
    del record[missing]
    assert record_problem(record) == f"annotation is missing {missing!r}"


QUOTED = 'Jane Doe said "the port reopened" on Monday.'


def quote(**speaker: object) -> dict:
    who = {"start": 0, "end": 8, "text": "Jane Doe", **speaker}
    record = make_annotation(QUOTED, "d", 14, 33, "quote", "QUOTE", "ann").to_json()
    return {**record, "speaker": who}


def test_a_quote_keeps_its_speaker_span_through_json_and_the_codec() -> None:
    record = quote()
    annotation = Annotation.from_json(record)
    assert annotation.speaker == Speaker(0, 8, "Jane Doe")
    assert annotation.to_json() == record and list(record)[-1] == "speaker"
    assert normalise_record(record) == record
    assert validate_records([record], QUOTED) == [record]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"end": 9}, "speaker's text is not the document's text at 0:9"),
        ({"end": 99}, "outside the document's text"),
        ({"start": "0"}, "start and end must be integers"),
        ({"start": 8, "end": 8}, "start and end must be integers, 0 <= start < end"),
    ],
)
def test_a_speaker_that_does_not_fit_the_text_is_refused(change: dict, problem: str) -> None:
    with pytest.raises(AnnotationError, match=problem):
        validate_records([quote(**change)], QUOTED)


def test_only_a_quote_has_a_speaker() -> None:
    assert "only a quote" in (record_problem({**quote(), "kind": "claim"}) or "")
    assert "must be an object" in (record_problem({**quote(), "speaker": [0, 8]}) or "")


def test_a_quote_with_its_speaker_survives_the_store(tmp_path: Path) -> None:
    document = StoredDocument(text_id(QUOTED), QUOTED, {}, "q.txt")
    record = {**quote(), "doc_id": document.doc_id}
    with AnnotationStore.open(tmp_path / "s.json", "ann") as store:
        store.put(Annotation.from_json(record), document)
    with AnnotationStore.open(tmp_path / "s.json", "ann") as store:
        (stored,) = store.for_document(document.doc_id)
    assert stored.to_json() == record
