"""What a store refuses: files that are not reader stores, read-only files, another
annotator's work, hostile contents, planted links and other users' files (issues 9, 10)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from reader.annotate.annotations import Speaker, make_annotation
from reader.config import existing_stores
from reader.corpus import text_id
from reader.errors import ReaderError
from reader.store import (
    AnnotationStore,
    StoreAnnotatorError,
    StoreCorruptError,
    StoredDocument,
    StoreError,
    StoreReadOnlyError,
    StoreUnsafeError,
)

TEXT = "One claim here. Another claim there. A third claim at the end."
DOC = StoredDocument(text_id(TEXT), TEXT, {"title": "Three"}, "three.txt")


def ann(start: int = 0, end: int = 15, annotator: str = "alice"):
    return make_annotation(TEXT, DOC.doc_id, start, end, "claim", "FACT", annotator)


def snapshot_of(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir()) if p.is_file()}


def one_line(error: BaseException, path: Path) -> str:
    message = str(error)
    assert "\n" not in message and str(path) in message, message
    assert isinstance(error, ReaderError)
    return message


# --- files that are not reader stores (issue 10 item 9) ----------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b'{"_default": {"1": {"note": "my own data"}}}',
        b"{}",
        b'{"format": "reader-review", "version": 1, "disagreements": {}, "agreed": {}}\n',
    ],
    ids=["tinydb-default-table", "empty-object", "review-sidecar"],
)
def test_other_programs_json_is_refused_and_never_rewritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.json"
    path.write_bytes(content)
    for read_only in (True, False):
        with pytest.raises(StoreCorruptError) as caught:
            AnnotationStore.open(path, "alice", read_only=read_only)
        assert "not a reader annotation store" in one_line(caught.value, path)
    assert path.read_bytes() == content
    assert not path.with_name("notes.json.journal").exists()


def test_existing_stores_skips_files_that_are_not_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path))
    folder = tmp_path / "annotations"
    with AnnotationStore.open(folder / "gold.json", "gold") as store:
        store.put(ann(annotator="gold"), DOC)
    (folder / "gold.json.review.json").write_text('{"format": "reader-review"}\n')
    (folder / "other.json").write_text('{"_default": {}}')
    (folder / "empty.json").write_bytes(b"")
    assert existing_stores() == [folder / "gold.json"]


def test_a_read_only_store_file_is_refused_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    with AnnotationStore.open(path, "alice") as store:
        store.put(ann(), DOC)
    path.chmod(0o444)
    before = snapshot_of(path)
    with pytest.raises(StoreReadOnlyError) as caught:
        AnnotationStore.open(path, "alice")
    assert "read-only" in one_line(caught.value, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert snapshot_of(path) == before
    with AnnotationStore.open(path, read_only=True) as reader:  # reading is fine
        assert len(reader) == 1


def test_compaction_keeps_the_store_files_mode(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    with AnnotationStore.open(path, "alice"):
        pass
    path.chmod(0o640)
    with AnnotationStore.open(path, "alice") as store:
        store.put(ann(), DOC)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


# --- whose store it is (issue 9 item 1) --------------------------------------------------


def test_a_store_records_its_annotator_and_opens_as_it(tmp_path: Path) -> None:
    path = tmp_path / "team" / "alice.json"
    AnnotationStore.open(path, "", default_annotator="alice").close()
    assert json.loads(path.read_text())["_meta"]["1"]["annotator"] == "alice"
    with AnnotationStore.open(path, "", default_annotator="root") as store:
        assert store.annotator == "alice"
        store.put(ann(), DOC)
    before = snapshot_of(path)
    with pytest.raises(StoreAnnotatorError) as caught:
        AnnotationStore.open(path, "root")
    assert one_line(caught.value, path) == f"{path} belongs to annotator alice, not root"
    assert snapshot_of(path) == before
    AnnotationStore.open(path, "alice").close()  # the lock was let go


def test_records_of_another_annotator_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    with AnnotationStore.open(path, "alice") as store:
        store.put(ann(), DOC)
        journal = store.journal_path.read_bytes()
        with pytest.raises(StoreAnnotatorError, match="by root"):
            store.put(ann(16, 36, annotator="root"))
        with pytest.raises(StoreAnnotatorError, match="2 annotation"):
            store.bulk([DOC], [ann(16, 36, "bob"), ann(37, 50, "bob"), ann(0, 3)])
        many = [ann(i % 40, i % 40 + 5, "bob" if i == 1200 else "alice") for i in range(1500)]
        with pytest.raises(StoreAnnotatorError):
            store.bulk([DOC], many)
        assert store.journal_path.read_bytes() == journal
        assert {a.annotator for a in store} == {"alice"} and len(store) == 1
    with AnnotationStore.open(path, read_only=True) as reader:
        assert [a.annotator for a in reader] == ["alice"]


def test_records_that_do_not_fit_their_text_are_refused(tmp_path: Path) -> None:
    with AnnotationStore.open(tmp_path / "alice.json", "alice") as store:
        record = ann().to_json()
        with pytest.raises(ReaderError, match="does not fit"):
            store.bulk_records([DOC], [{**record, "end": 500}])
        with pytest.raises(ReaderError, match="does not fit"):
            store.bulk_records([DOC], [{**record, "text": "something else"}])
        assert len(store) == 0


def test_a_quote_whose_speaker_does_not_fit_is_refused_in_the_snapshot(tmp_path: Path) -> None:
    said = Speaker(0, 3, "One")
    quote = make_annotation(TEXT, DOC.doc_id, 4, 15, "quote", "QUOTE", "alice", speaker=said)
    with AnnotationStore.open(tmp_path / "alice.json", "alice") as store:
        with pytest.raises(ReaderError, match="speaker's text is not the document's"):
            store.bulk_records(
                [DOC], [{**quote.to_json(), "speaker": {**said.to_json(), "end": 4}}]
            )
        store.put(quote, DOC)
    path = tmp_path / "alice.json"
    data = json.loads(path.read_text())
    records = _records(data)
    records[0]["speaker"]["text"] = "Two"
    _set_records(data, records)
    path.write_text(json.dumps(data))
    with (
        pytest.raises(StoreCorruptError, match="speaker's text") as caught,
        AnnotationStore.open(path, "alice") as store,
    ):
        store.for_document(DOC.doc_id)
    one_line(caught.value, path)


# --- hostile contents (issue 9 item 13) --------------------------------------------------


def good_store(path: Path) -> dict:
    with AnnotationStore.open(path, "alice") as store:
        store.put(ann(), DOC)
        store.put(ann(16, 36))
    return json.loads(path.read_text())


def _records(data: dict) -> list[dict]:
    return json.loads(data["annotations"][DOC.doc_id]["records"])


def _set_records(data: dict, records: list[dict]) -> None:
    data["annotations"][DOC.doc_id]["records"] = json.dumps(records)


def _meta(data: dict, **changes: object) -> None:
    data["_meta"]["1"].update(changes)


def _offsets(data: dict) -> None:
    records = _records(data)
    records[0]["end"] = 5000
    _set_records(data, records)


def _shifted(data: dict) -> None:
    records = _records(data)
    records[0]["start"] += 1
    records[0]["end"] += 1
    _set_records(data, records)


def _other_doc(data: dict) -> None:
    data["annotations"][DOC.doc_id]["doc_id"] = "0" * 64


def _record_other_doc(data: dict) -> None:
    records = _records(data)
    records[0]["doc_id"] = "0" * 64
    _set_records(data, records)


SNAPSHOT_DAMAGE = {
    "generation-null": lambda d: _meta(d, generation=None),
    "generation-string": lambda d: _meta(d, generation="3"),
    "generation-list": lambda d: _meta(d, generation=[1]),
    "generation-negative": lambda d: _meta(d, generation=-1),
    "version-true": lambda d: _meta(d, version=True),
    "meta-a-string": lambda d: d["_meta"].update({"1": "reader-annotations"}),
    "document-meta-a-string": lambda d: d["documents"][DOC.doc_id].update(meta="x"),
    "offsets-beyond-text": _offsets,
    "offsets-off-by-one": _shifted,
    "entry-doc-id-differs": _other_doc,
    "record-doc-id-differs": _record_other_doc,
    "count-wrong": lambda d: d["annotations"][DOC.doc_id].update(count=5),
    "count-negative": lambda d: d["annotations"][DOC.doc_id].update(count=-2),
    "count-zero": lambda d: d["annotations"][DOC.doc_id].update(count=0),
    "count-bool": lambda d: d["annotations"][DOC.doc_id].update(count=True),
    "annotations-without-document": lambda d: d["documents"].clear(),
}


def _open_and_read(path: Path, read_only: bool) -> None:
    store = AnnotationStore.open(path, read_only=read_only)
    try:
        for doc_id in store.document_ids():
            store.records(doc_id)
        list(store)
    finally:
        store.close()


@pytest.mark.parametrize("damage", sorted(SNAPSHOT_DAMAGE))
def test_hostile_snapshot_is_one_line_and_untouched(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "alice.json"
    data = good_store(path)
    SNAPSHOT_DAMAGE[damage](data)
    path.write_text(json.dumps(data))
    before = snapshot_of(path)
    for read_only in (True, False):
        with pytest.raises(StoreCorruptError) as caught:
            _open_and_read(path, read_only)
        assert "left untouched" in one_line(caught.value, path)
        assert snapshot_of(path) == before


@pytest.mark.parametrize(
    "content",
    [
        b'{"_meta": {"1": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
        b'{"_meta": {"1": {"format": "reader-annotations", "version": 1, "generation": '
        + b"9" * 5000
        + b"}}}",
    ],
    ids=["deeply-nested", "5000-digit-integer"],
)
def test_hostile_json_is_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "alice.json"
    path.write_bytes(content)
    for read_only in (True, False):
        with pytest.raises(StoreCorruptError) as caught:
            AnnotationStore.open(path, read_only=read_only)
        one_line(caught.value, path)
    assert path.read_bytes() == content


def _journal_line(op: object) -> bytes:
    return json.dumps(op).encode() + b"\n"


JOURNAL_DAMAGE = {
    "header-generation-null": lambda header, rec: _journal_line(
        {"op": "generation", "generation": None}
    ),
    "header-generation-string": lambda header, rec: _journal_line(
        {"op": "generation", "generation": "1"}
    ),
    "header-generation-true": lambda header, rec: _journal_line(
        {"op": "generation", "generation": True}
    ),
    "batch-ops-a-string": lambda header, rec: header + _journal_line({"op": "batch", "ops": "put"}),
    "batch-ops-an-object": lambda header, rec: (
        header + _journal_line({"op": "batch", "ops": {"op": "put"}})
    ),
    "put-beyond-text": lambda header, rec: (
        header + _journal_line({"op": "put", "record": {**rec, "end": 900}})
    ),
    "put-unknown-document": lambda header, rec: (
        header + _journal_line({"op": "put", "record": {**rec, "doc_id": "f" * 64}})
    ),
    "document-meta-a-string": lambda header, rec: (
        header
        + _journal_line({"op": "document", "doc_id": "d", "value": {"text": "x", "meta": "m"}})
    ),
    "nested-deeply": lambda header, rec: (
        header
        + b'{"op": "batch", "ops": '
        + b"[" * 50_000
        + b"]" * 50_000
        + b"}\n"
        + _journal_line({"op": "delete", "doc_id": "d", "id": "x"})
    ),
    "huge-integer": lambda header, rec: (
        header
        + b'{"op": "put", "record": {"start": '
        + b"7" * 5000
        + b"}}\n"
        + _journal_line({"op": "delete", "doc_id": "d", "id": "x"})
    ),
    "unknown-op": lambda header, rec: header + _journal_line({"op": "drop-table"}),
}


@pytest.mark.parametrize("damage", sorted(JOURNAL_DAMAGE))
def test_hostile_journal_is_one_line_and_untouched(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "alice.json"
    good_store(path)
    journal = path.with_name("alice.json.journal")
    header = journal.read_bytes()
    record = ann(37, 50).to_json()
    journal.write_bytes(JOURNAL_DAMAGE[damage](header, record))
    before = snapshot_of(path)
    for read_only in (True, False):
        with pytest.raises(StoreCorruptError) as caught:
            _open_and_read(path, read_only)
        message = one_line(caught.value, journal)
        assert "left untouched" in message
        assert snapshot_of(path) == before


# --- planted links and other users' files (issue 10 item 3) ------------------------------


@pytest.mark.parametrize("companion", [".journal", ".lock", ".journal.prev"])
def test_a_symlinked_companion_is_refused_and_its_target_untouched(
    tmp_path: Path, companion: str
) -> None:
    path = tmp_path / "alice.json"
    with AnnotationStore.open(path, "alice") as store:
        store.put(ann(), DOC)
    victim = tmp_path / "notes.txt"
    victim.write_text("my precious notes\n")
    link = path.with_name(path.name + companion)
    link.unlink(missing_ok=True)
    link.symlink_to(victim)
    before = path.read_bytes()
    for read_only in (False, True):
        if read_only and companion == ".lock":
            continue  # readers take no lock
        with pytest.raises(StoreError) as caught:
            AnnotationStore.open(path, "alice", read_only=read_only)
        assert "symbolic link" in one_line(caught.value, link)
    assert victim.read_text() == "my precious notes\n" and path.read_bytes() == before


def test_a_companion_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a file of another user needs root")
    path = tmp_path / "alice.json"
    with AnnotationStore.open(path, "alice") as store:
        store.put(ann(), DOC)
    os.chown(path.with_name("alice.json.journal"), 4242, 4242)
    with pytest.raises(StoreUnsafeError) as caught:
        AnnotationStore.open(path, "alice")
    assert "another user" in one_line(caught.value, path.with_name("alice.json.journal"))


def test_predictable_temporary_names_are_not_used(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    victim = tmp_path / "notes.txt"
    victim.write_text("keep me\n")
    pid = os.getpid()
    for guess in range(max(0, pid - 50), pid + 50):
        (tmp_path / f".alice.json.tmp-{guess}").symlink_to(victim)
    with AnnotationStore.open(path, "alice") as store:
        store.put(ann(), DOC)
        store.compact()
    assert victim.read_text() == "keep me\n"
    assert all(p.is_symlink() for p in tmp_path.glob(".alice.json.tmp-*"))  # left alone
    with AnnotationStore.open(path, read_only=True) as reader:
        assert len(reader) == 1


def test_stale_temporary_files_are_cleaned_at_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    AnnotationStore.open(path, "alice").close()
    stale = [tmp_path / ".alice.json.tmp-99999", tmp_path / ".alice.json.tmp-k3j_x9"]
    for leftover in stale:
        leftover.write_bytes(b"x" * 100_000)  # what a killed import leaves
    unrelated = tmp_path / ".alice.json.review.json.tmp-1"
    unrelated.write_bytes(b"not ours")
    AnnotationStore.open(path, read_only=True).close()
    assert all(p.exists() for p in stale)  # readers never delete anything
    AnnotationStore.open(path, "alice").close()
    assert not any(p.exists() for p in stale)
    assert unrelated.exists()


def test_a_colleagues_store_can_be_read_but_not_a_third_users_journal(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making files of other users needs root")
    path = tmp_path / "alice.json"
    store = AnnotationStore.open(path, "alice")
    store.put(ann(), DOC)  # in the journal only
    store._release()
    journal = path.with_name("alice.json.journal")
    os.chown(path, 4242, 4242)
    os.chown(journal, 4242, 4242)  # alice's files, read by a reviewer
    with AnnotationStore.open(path, read_only=True) as reader:
        assert len(reader) == 1
    os.chown(journal, 4343, 4343)  # planted by someone else
    with pytest.raises(StoreUnsafeError) as caught:
        AnnotationStore.open(path, read_only=True)
    assert "another user" in one_line(caught.value, journal)


def test_an_older_stores_phantom_records_can_still_be_edited_and_moved(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    phantom = ann(annotator="root")  # what the old `--db alice.json` bug saved
    with AnnotationStore.open(path) as unowned:
        unowned.put(phantom, DOC)
    data = json.loads(path.read_text())
    data["_meta"]["1"]["annotator"] = "alice"
    path.write_text(json.dumps(data))
    with AnnotationStore.open(path, "alice") as store:
        store.put(phantom.changed(label="OPINION"))  # a relabel of a stored record
        with pytest.raises(StoreAnnotatorError):
            store.put(ann(16, 36, annotator="root"))  # new work by someone else
        with pytest.raises(StoreAnnotatorError):
            store.put(phantom.changed(annotator="bob"))
    with AnnotationStore.open(path, read_only=True) as reader:
        assert [(a.annotator, a.label) for a in reader] == [("root", "OPINION")]
