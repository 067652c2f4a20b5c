"""`reader review` without a terminal: loading, disagreements, majority, adjudication."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.annotate.annotations import Annotation, Speaker, make_annotation
from reader.annotate.schema import load_schema
from reader.annotate.session import AnnotationSession
from reader.cli import cli
from reader.corpus import Document, text_id
from reader.review.adjudication import AdjudicationError, review_log_path
from reader.review.disagreements import find_disagreements, majority
from reader.review.loading import ReviewSourceError, load_review_input
from reader.review.store_view import StoreView
from reader.review.workspace import Review, open_gold
from reader.store import AnnotationStore

TEXT = "The port reopened on Monday. Officials said repairs cost millions. Rents rose.\n"
DOC = text_id(TEXT)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def ann(
    who: str, start: int, end: int, label: str, kind: str = "claim", **extra: str
) -> Annotation:
    return make_annotation(TEXT, DOC, start, end, kind, label, who, **extra)


def build_store(path: Path, annotator: str, spans: list[tuple], document: Document) -> Path:
    schema = load_schema(None)
    with AnnotationStore.open(path, annotator) as store:
        session = AnnotationSession(store, annotator, schema)
        for start, end, label, *stance in spans:
            if stance:
                session.add(
                    document, start, end, "stance", label, target=stance[0], holder=stance[1]
                )
            else:
                session.apply_label(document, start, end, label)
    return path


@pytest.fixture
def document() -> Document:
    return Document(text=TEXT, title="Port", source="port.txt")


# --- disagreements ---------------------------------------------------------------------
def reasons(by: dict[str, list[Annotation]], names: tuple[str, ...] = ("a", "b")) -> list:
    return [d.reasons for d in find_disagreements(DOC, by, names)]


def test_same_span_different_labels() -> None:
    assert reasons({"a": [ann("a", 0, 28, "FACT")], "b": [ann("b", 0, 28, "OPINION")]}) == [
        ("label",)
    ]


def test_stance_with_different_target_or_holder() -> None:
    a = [ann("a", 29, 66, "FAVOR", "stance", target="repairs", holder="Officials")]
    b = [ann("b", 29, 66, "FAVOR", "stance", target="the port", holder="Officials")]
    c = [ann("c", 29, 66, "FAVOR", "stance", target="repairs", holder="mayor")]
    assert reasons({"a": a, "b": b}) == [("target",)]
    assert reasons({"a": a, "c": c}, ("a", "c")) == [("holder",)]


def test_span_only_some_annotators_marked() -> None:
    found = find_disagreements(DOC, {"a": [ann("a", 0, 28, "FACT")], "b": []}, ("a", "b"))
    assert [d.reasons for d in found] == [("missing",)]
    assert found[0].version_of("b") is not None and found[0].version_of("b").is_empty


def test_overlapping_spans_with_different_boundaries() -> None:
    by = {"a": [ann("a", 0, 28, "FACT")], "b": [ann("b", 4, 28, "FACT")]}
    found = find_disagreements(DOC, by, ("a", "b"))
    assert [(d.start, d.end, d.reasons) for d in found] == [(0, 28, ("boundaries",))]


def test_agreement_is_no_disagreement_and_kinds_are_apart() -> None:
    by = {
        "a": [ann("a", 0, 28, "FACT", note="sure"), ann("a", 0, 28, "FAVOR", "stance")],
        "b": [ann("b", 0, 28, "FACT")],
    }
    found = find_disagreements(DOC, by, ("a", "b"))
    assert [(d.kind, d.reasons) for d in found] == [("stance", ("missing",))]
    # notes alone never disagree; the id is stable
    again = find_disagreements(DOC, by, ("a", "b"))
    assert found[0].id == again[0].id


def test_majority() -> None:
    by = {
        "a": [ann("a", 0, 28, "FACT")],
        "b": [ann("b", 0, 28, "FACT")],
        "c": [ann("c", 0, 28, "OPINION")],
    }
    (found,) = find_disagreements(DOC, by, ("a", "b", "c"))
    assert majority(found) is not None and majority(found).key == (
        (0, 28, "FACT", None, None, None),
    )
    (split,) = find_disagreements(DOC, {k: by[k] for k in "ac"}, ("a", "c"))
    assert majority(split) is None
    (nothing,) = find_disagreements(DOC, {"a": by["a"]}, ("a", "b", "c"))
    assert majority(nothing) is not None and majority(nothing).is_empty


QUOTE = (TEXT.index("repairs"), TEXT.index(" millions") + len(" millions"))


def quoted(who: str, speaker: str) -> Annotation:
    start = TEXT.index(speaker)
    said = Speaker(start, start + len(speaker), speaker)
    return ann(who, *QUOTE, "QUOTE", "quote", speaker=said)  # type: ignore[arg-type]


def test_the_same_quote_with_another_speaker_is_a_disagreement() -> None:
    same = {"a": [quoted("a", "Officials")], "b": [quoted("b", "Officials")]}
    assert reasons(same) == []
    other = {"a": [quoted("a", "Officials")], "b": [quoted("b", "port")]}
    assert reasons(other) == [("speaker",)]


# --- adjudication --------------------------------------------------------------------
@pytest.fixture
def review(tmp_path: Path, document: Document) -> Review:
    a = build_store(tmp_path / "a.json", "alice", [(0, 28, "FACT"), (29, 66, "OPINION")], document)
    b = build_store(tmp_path / "b.json", "bob", [(0, 28, "OPINION"), (33, 66, "OPINION")], document)
    schema = load_schema(None)
    loaded = load_review_input([a, b], schema=schema)
    made = Review(loaded, open_gold(tmp_path / "gold.json"), schema)
    yield made
    made.close()


def gold_on_disk(path: Path) -> list[tuple]:
    with AnnotationStore.open(path, read_only=True) as store:
        return [(a.start, a.end, a.kind, a.label, a.annotator) for a in store]


def test_accept_reject_progress_and_undo(review: Review, tmp_path: Path) -> None:
    doc = review.document(0)
    first, second = review.disagreements(doc.id)
    judge = review.adjudicator
    assert review.progress(doc.id) == (0, 2)
    judge.accept(doc, first, "bob")
    assert gold_on_disk(tmp_path / "gold.json") == [(0, 28, "claim", "OPINION", "gold")]
    judge.accept(doc, first, "alice")  # replaces bob's version
    assert gold_on_disk(tmp_path / "gold.json") == [(0, 28, "claim", "FACT", "gold")]
    judge.reject(doc, second)
    assert review.progress(doc.id) == (2, 2)
    assert review.count_all() and review.overall() == (2, 2)
    judge.undo()
    assert review.progress(doc.id) == (1, 2)
    judge.undo()
    assert gold_on_disk(tmp_path / "gold.json") == [(0, 28, "claim", "OPINION", "gold")]
    judge.redo()
    assert gold_on_disk(tmp_path / "gold.json") == [(0, 28, "claim", "FACT", "gold")]
    with pytest.raises(AdjudicationError, match="no majority"):
        judge.accept_majority(doc, first)
    with pytest.raises(AdjudicationError, match="stance label"):
        judge.edit(doc, first, review.schema.label("FAVOR"))
    judge.edit(doc, second, review.schema.label("PREDICTION"))
    assert (29, 66, "claim", "PREDICTION", "gold") in gold_on_disk(tmp_path / "gold.json")


def test_reject_and_notes_persist_across_reopen(
    review: Review, tmp_path: Path, document: Document
) -> None:
    doc = review.document(0)
    first, second = review.disagreements(doc.id)
    review.adjudicator.reject(doc, second)
    review.adjudicator.set_note(first, "ask the editor")
    review.close()
    log = json.loads(review_log_path(tmp_path / "gold.json").read_text(encoding="utf-8"))
    assert log["disagreements"][second.id]["decision"]["action"] == "reject"
    schema = load_schema(None)
    loaded = load_review_input([tmp_path / "a.json", tmp_path / "b.json"], schema=schema)
    again = Review(loaded, open_gold(tmp_path / "gold.json"), schema)
    try:
        assert again.progress(doc.id) == (1, 2)
        assert again.adjudicator.note(first) == "ask the editor"
        assert again.adjudicator.is_resolved(second)
    finally:
        again.close()


def test_agreed_annotations_go_to_gold_once(tmp_path: Path, document: Document) -> None:
    a = build_store(tmp_path / "a.json", "alice", [(0, 28, "FACT"), (29, 66, "OPINION")], document)
    b = build_store(tmp_path / "b.json", "bob", [(0, 28, "FACT")], document)
    schema = load_schema(None)
    review = Review(
        load_review_input([a, b], schema=schema), open_gold(tmp_path / "g.json"), schema
    )
    try:
        assert review.adopt_agreed(DOC) == 0  # not before every annotator is known
        assert review.count_all()
        assert review.adopt_agreed(DOC) == 1
        (copied,) = review.gold.for_document(DOC)
        assert (copied.start, copied.end, copied.label, copied.annotator) == (0, 28, "FACT", "gold")
        review.gold.remove(copied.id)  # taken out of gold by hand: not copied again
        assert review.adopt_agreed(DOC) == 0
        assert review.progress(DOC) == (0, 1)  # agreement is not a disagreement to resolve
    finally:
        review.close()


def quote_store(path: Path, annotator: str, speaker: str, document: Document) -> Path:
    with AnnotationStore.open(path, annotator) as store:
        record = quoted(annotator, speaker)
        session = AnnotationSession(store, annotator, load_schema(None))
        session.add(document, *QUOTE, "quote", "QUOTE", speaker=record.speaker)
    return path


def test_a_quote_goes_to_gold_with_its_speaker(tmp_path: Path, document: Document) -> None:
    a = quote_store(tmp_path / "a.json", "alice", "Officials", document)
    b = quote_store(tmp_path / "b.json", "bob", "port", document)
    c = quote_store(tmp_path / "c.json", "carol", "Officials", document)
    schema = load_schema(None)
    review = Review(
        load_review_input([a, b], schema=schema), open_gold(tmp_path / "g.json"), schema
    )
    try:
        doc = review.document(0)
        (found,) = review.disagreements(doc.id)
        review.adjudicator.accept(doc, found, "bob")
        (gold,) = review.gold.for_document(doc.id)
        assert gold.speaker is not None and gold.speaker.text == "port"
    finally:
        review.close()
    agreed = Review(
        load_review_input([a, c], schema=schema), open_gold(tmp_path / "h.json"), schema
    )
    try:
        assert agreed.count_all() and agreed.adopt_agreed(DOC) == 1
        (gold,) = agreed.gold.for_document(DOC)
        assert gold.speaker is not None and gold.speaker.text == "Officials"
    finally:
        agreed.close()


# --- loading -------------------------------------------------------------------------
def test_store_view_matches_the_store(tmp_path: Path, document: Document) -> None:
    path = build_store(
        tmp_path / "a.json", "alice", [(0, 28, "FACT"), (29, 66, "AGAINST", "x", "y")], document
    )
    view = StoreView(path)
    with AnnotationStore.open(path, read_only=True) as store:
        assert view.document_ids() == [DOC]
        assert sorted(map(json.dumps, view.records(DOC))) == sorted(
            map(json.dumps, store.records(DOC))
        )
    # an open store (journal not compacted) falls back to the store's own reading
    with AnnotationStore.open(path, "alice") as store:
        AnnotationSession(store).add(document, 67, 78, "claim", "FACT")
        assert len(StoreView(path).records(DOC)) == 3


def test_ids_only_export_needs_docs(tmp_path: Path) -> None:
    records = [ann("carol", 0, 28, "FACT").to_json(), ann("dan", 0, 28, "OTHER").to_json()]
    del records[1]["annotator"]  # credited to the file's stem
    path = tmp_path / "dan.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with pytest.raises(ReviewSourceError, match="--docs"):
        load_review_input([path])
    articles = tmp_path / "port.txt"
    articles.write_text(TEXT, encoding="utf-8")
    loaded = load_review_input([path], docs=[articles])
    assert (
        loaded.document(DOC).title
        == "The port reopened on Monday. Officials said repairs cost millions. Rents rose."
    )
    assert sorted(loaded.annotations(DOC)) == ["carol", "dan"]  # no annotator: the file stem


def test_foreign_exports_and_conflicting_texts(tmp_path: Path) -> None:
    prodigy = tmp_path / "p.jsonl"
    task = {"text": TEXT, "spans": [{"start": 0, "end": 28, "label": "FACT", "note": "n"}]}
    prodigy.write_text(json.dumps({**task, "_annotator_id": "pat"}) + "\n", encoding="utf-8")
    doccano = tmp_path / "dora.jsonl"
    doccano.write_text(json.dumps({"text": TEXT, "label": [[0, 28, "OPINION"]]}) + "\n")
    loaded = load_review_input([prodigy, doccano])
    by = loaded.annotations(DOC)
    assert {k: [a.label for a in v] for k, v in by.items()} == {
        "pat": ["FACT"],
        "dora": ["OPINION"],
    }
    assert by["pat"][0].note == "n"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": TEXT, "doc_id": "0" * 64}) + "\n", encoding="utf-8")
    with pytest.raises(ReviewSourceError, match="sha256"):
        load_review_input([bad])
    with pytest.raises(ReviewSourceError, match="no such file"):
        load_review_input([tmp_path / "missing.json"])
    empty = tmp_path / "empty.jsonl"
    empty.write_text(json.dumps({"text": TEXT, "annotations": []}) + "\n", encoding="utf-8")
    with pytest.raises(ReviewSourceError, match="nothing to review"):
        load_review_input([empty])


def test_gold_annotations_are_never_compared(tmp_path: Path, document: Document) -> None:
    a = build_store(tmp_path / "a.json", "alice", [(0, 28, "FACT")], document)
    gold = build_store(tmp_path / "gold.json", "gold", [(0, 28, "OPINION")], document)
    loaded = load_review_input([a, gold])
    assert list(loaded.annotations(DOC)) == ["alice"] and loaded.annotators == ["alice"]


# --- the command -----------------------------------------------------------------------
def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["review", *args])
    return result.exit_code, result.output


def test_cli_errors(tmp_path: Path, document: Document) -> None:
    code, output = run()
    assert code == 2 and "Missing argument" in output
    code, output = run(str(tmp_path / "nope.json"))
    assert code == 2 and "reader: error:" in output and "no such file" in output
    bad_schema = tmp_path / "s.toml"
    bad_schema.write_text("name = 3\n", encoding="utf-8")
    a = build_store(tmp_path / "a.json", "alice", [(0, 28, "FACT")], document)
    code, output = run(str(a), "--schema", str(bad_schema))
    assert code == 2 and "reader: error:" in output and "s.toml" in output
    code, output = run(str(a), "--gold", str(a))
    assert code == 2 and "an annotator's store" in output
    code, output = run(str(a), "--docs", str(tmp_path / "none"))
    assert code == 2 and "no such file" in output


def test_cli_runs_the_app_on_the_default_gold(
    tmp_path: Path, document: Document, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = build_store(tmp_path / "a.json", "alice", [(0, 28, "FACT")], document)
    ran: list[object] = []
    monkeypatch.setattr("reader.ui.review_app.ReviewApp.run", lambda self: ran.append(self.review))
    code, output = run(str(a))
    assert code == 0, output
    assert ran and ran[0].gold_path == data_dir / "annotations" / "gold.json"  # type: ignore[attr-defined]


def test_a_failed_undo_keeps_the_step_to_undo_again(
    review: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store import StoreError

    doc = review.document(0)
    first, _ = review.disagreements(doc.id)
    judge = review.adjudicator
    judge.accept(doc, first, "bob")
    real_undo = judge.session.undo

    def full_disk() -> None:
        raise StoreError("gold.json: cannot write the store (No space left on device)")

    monkeypatch.setattr(judge.session, "undo", full_disk)
    with pytest.raises(StoreError):
        judge.undo()
    assert gold_on_disk(tmp_path / "gold.json") == [(0, 28, "claim", "OPINION", "gold")]
    monkeypatch.setattr(judge.session, "undo", real_undo)
    assert judge.undo() == "undid: accepted bob's version"  # the step was not lost
    assert gold_on_disk(tmp_path / "gold.json") == []
    assert not judge.is_resolved(first)


def test_a_failed_log_write_during_undo_shows_what_is_on_disk(
    review: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gold store is undone but the sidecar cannot be written: the decision shown is
    the one on disk (not forgotten in memory only), and undo again finishes the step."""
    from reader.review import adjudication
    from reader.store import StoreError

    doc = review.document(0)
    first, _ = review.disagreements(doc.id)
    judge = review.adjudicator
    judge.accept(doc, first, "bob")
    real_write = adjudication.atomic_write

    def full_disk(*args: object) -> None:
        raise StoreError("gold.json.review.json: cannot write (No space left on device)")

    monkeypatch.setattr(adjudication, "atomic_write", full_disk)
    with pytest.raises(StoreError):
        judge.undo()
    on_disk = json.loads(review_log_path(tmp_path / "gold.json").read_text(encoding="utf-8"))
    assert on_disk["disagreements"][first.id]["decision"]["action"] == "accept"
    assert judge.decision(first) == on_disk["disagreements"][first.id]["decision"]
    monkeypatch.setattr(adjudication, "atomic_write", real_write)
    assert judge.undo() == "undid: accepted bob's version"
    assert gold_on_disk(tmp_path / "gold.json") == [] and judge.decision(first) is None
    assert judge.redo() == "redid: accepted bob's version"
    assert gold_on_disk(tmp_path / "gold.json") == [(0, 28, "claim", "OPINION", "gold")]
    assert judge.decision(first)["action"] == "accept"  # type: ignore[index]
