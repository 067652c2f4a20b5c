"""The store: journal and snapshot, reopening, compaction, locking, corrupt files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tinydb import TinyDB

from reader.annotate.annotations import make_annotation
from reader.corpus import text_id
from reader.store import (
    AnnotationStore,
    SnapshotStorage,
    StoreCorruptError,
    StoredDocument,
    StoreLockedError,
    StrIdTable,
)
from reader.store.files import temp_prefix

TEXT = "One claim here. Another claim there. A third claim at the end."
DOC = StoredDocument(text_id(TEXT), TEXT, {"title": "Three"}, "three.txt")


def ann(start: int = 0, end: int = 15, label: str = "FACT", annotator: str = "a"):
    return make_annotation(TEXT, DOC.doc_id, start, end, "claim", label, annotator)


def test_put_get_remove_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "a.json"
    with AnnotationStore.open(path, "a") as store:
        first, second = ann(), ann(16, 36)
        store.put(first, DOC)
        store.put(second)
        assert len(store) == 2 and store.get(first.id) == first
        assert store.remove(second.id) == second and store.remove(second.id) is None
        assert store.for_document(DOC.doc_id) == [first]
    with AnnotationStore.open(path) as store:
        assert store.for_document(DOC.doc_id) == [first]
        assert store.document(DOC.doc_id) == DOC
        assert store.counts() == {DOC.doc_id: 1}


def test_a_document_text_is_needed(tmp_path: Path) -> None:
    from reader.annotate.annotations import AnnotationError

    with (
        AnnotationStore.open(tmp_path / "a.json") as store,
        pytest.raises(AnnotationError, match="not in the store"),
    ):
        store.put(ann())


def test_changes_live_in_the_journal_until_compaction(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    store = AnnotationStore.open(path, "a", compact_after=3)
    store.put(ann(), DOC)
    journal = path.with_name("a.json.journal")
    assert len(journal.read_text().splitlines()) == 2  # header + one batch
    store.put(ann(16, 36))
    store.put(ann(37, 50))  # third operation: compacted (in the background)
    store.wait_for_compaction()
    assert len(journal.read_text().splitlines()) == 1
    assert not path.with_name("a.json.journal.prev").exists()
    snapshot = json.loads(path.read_text())
    assert snapshot["annotations"][DOC.doc_id]["count"] == 3
    store.close()
    assert list(path.parent.glob(f"{temp_prefix(path)}*")) == []  # no temporary file left


def test_journal_replays_over_the_snapshot_without_close(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    store = AnnotationStore.open(path, "a")
    kept = ann()
    store.put(kept, DOC)
    # No close: as if the process died. A new open (after the lock goes) replays.
    store._release()
    with AnnotationStore.open(path) as again:
        assert again.for_document(DOC.doc_id) == [kept]


def test_torn_last_journal_line_is_ignored_then_cut(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    store = AnnotationStore.open(path, "a")
    kept = ann()
    store.put(kept, DOC)
    store._release()
    journal = path.with_name("a.json.journal")
    with journal.open("ab") as out:
        out.write(b'{"op":"put","record":{"id":"x')
    with AnnotationStore.open(path, read_only=True) as reader:  # readers leave it alone
        assert reader.for_document(DOC.doc_id) == [kept]
    assert journal.read_bytes().endswith(b'"x')
    with AnnotationStore.open(path) as store:
        assert store.for_document(DOC.doc_id) == [kept]
        later = ann(16, 36)
        store.put(later)
    with AnnotationStore.open(path) as store:
        assert [a.id for a in store.for_document(DOC.doc_id)] == [kept.id, later.id]


def test_second_open_in_this_process_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    with AnnotationStore.open(path, "a"):
        with pytest.raises(StoreLockedError) as caught:
            AnnotationStore.open(path, "a")
        assert str(path) in str(caught.value) and "another reader process" in str(caught.value)
        AnnotationStore.open(path, read_only=True).close()  # reading is fine
    AnnotationStore.open(path, "a").close()  # and free again after close


def test_second_process_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    code = (
        "import sys\n"
        "from reader.store import AnnotationStore, StoreLockedError\n"
        "try:\n"
        f"    AnnotationStore.open({str(path)!r})\n"
        "except StoreLockedError as e:\n"
        "    print(e); sys.exit(3)\n"
    )
    with AnnotationStore.open(path, "a") as store:
        store.put(ann(), DOC)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 3, done.stderr
        assert "open in another reader process" in done.stdout
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.parametrize(
    "content",
    [
        b'{"_meta": {"1": {"format": "reader-annotations"',  # cut short
        b"\xff\xfe not text",
        b'["a list"]',
        b'{"_meta": {"1": {"format": "something-else", "version": 1}}}',
        b'{"_meta": {"1": {"format": "reader-annotations", "version": 1}},'
        b' "annotations": {"d": {"records": 5}}}',
    ],
)
def test_corrupt_store_is_reported_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(content)
    for read_only in (False, True):
        with pytest.raises(StoreCorruptError) as caught:
            AnnotationStore.open(path, "a", read_only=read_only)
        assert str(path) in str(caught.value) and "left untouched" in str(caught.value)
        assert path.read_bytes() == content
    assert not path.with_name("a.json.journal").exists()
    AnnotationStore.open(path.with_name("b.json")).close()  # the lock was let go


def test_corrupt_journal_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    with AnnotationStore.open(path, "a") as store:
        store.put(ann(), DOC)
    journal = path.with_name("a.json.journal")
    bad = journal.read_bytes() + b"garbage\n" + b'{"op":"delete","doc_id":"d","id":"x"}\n'
    journal.write_bytes(bad)
    snapshot = path.read_bytes()
    with pytest.raises(StoreCorruptError, match="journal is unreadable \\(line 2\\)"):
        AnnotationStore.open(path)
    assert journal.read_bytes() == bad and path.read_bytes() == snapshot


def test_corrupt_packed_annotations_stop_saving(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    with AnnotationStore.open(path, "a") as store:
        store.put(ann(), DOC)
    data = json.loads(path.read_text())
    data["annotations"][DOC.doc_id]["records"] = "[{not json"
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    store = AnnotationStore.open(path)
    with pytest.raises(StoreCorruptError, match="left untouched"):
        store.for_document(DOC.doc_id)
    store.close()
    assert path.read_bytes() == before


def test_the_snapshot_is_a_tinydb_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.json"
    with AnnotationStore.open(path, "a") as store:
        store.put(ann(), DOC)
    monkeypatch.setattr(TinyDB, "table_class", StrIdTable)
    db = TinyDB(path, storage=SnapshotStorage)
    assert db.tables() == {"_meta", "documents", "annotations"}
    [entry] = db.table("annotations").all()
    assert entry.doc_id == DOC.doc_id and json.loads(entry["records"])[0]["label"] == "FACT"
    assert db.table("documents").get(doc_id=DOC.doc_id)["text"] == TEXT


def test_bulk_is_all_at_once(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    many = [ann(i % 40, i % 40 + 5) for i in range(1500)]
    with AnnotationStore.open(path, "a") as store:
        store.bulk([DOC], many)
        assert len(store) == 1500
    with AnnotationStore.open(path) as store:
        assert len(store) == 1500 and len(list(store)) == 1500


def test_previous_versions_by_source(tmp_path: Path) -> None:
    with AnnotationStore.open(tmp_path / "a.json") as store:
        store.put(ann(), DOC)
        assert store.previous_versions("three.txt", "other-id") == [DOC.doc_id]
        assert store.previous_versions("three.txt", DOC.doc_id) == []
        assert store.previous_versions("", "other-id") == []
