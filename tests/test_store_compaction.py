"""Compaction: off the caller's thread, never hiding saved work from readers, surviving a
full disk, and a safe single-file copy for sharing (issue 10 items 7, 8, 10 and scale)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.annotate.annotations import make_annotation
from reader.corpus import text_id
from reader.review.store_view import StoreView
from reader.store import AnnotationStore, StoredDocument, StoreError

TEXT = "Word " * 400
DOC = StoredDocument(text_id(TEXT), TEXT, {"title": "loop"})


def ann(n: int, label: str = "FACT"):
    start = (n * 5) % 1990
    return make_annotation(TEXT, DOC.doc_id, start, start + 4, "claim", label, "k", note=str(n))


def ids_read_only(path: Path) -> set[str]:
    with AnnotationStore.open(path, read_only=True) as store:
        return {a.id for a in store}


def ids_view(path: Path) -> set[str]:
    view = StoreView(path)
    return {r["id"] for d in view.document_ids() for r in view.records(d)}


# --- readers while a writer compacts (item 7) --------------------------------------------

WRITER = """
import sys
from reader.annotate.annotations import make_annotation
from reader.corpus import text_id
from reader.store import AnnotationStore, StoredDocument

text = "Word " * 400
doc = StoredDocument(text_id(text), text, {"title": "loop"})
store = AnnotationStore.open(sys.argv[1], "k", compact_after=5)
for n in range(int(sys.argv[2])):
    start = (n * 5) % 1990
    a = make_annotation(text, doc.doc_id, start, start + 4, "claim", "FACT", "k", note=str(n))
    store.put(a, doc)
    print("saved", a.id, flush=True)
store.close()
print("closed", flush=True)
"""


@pytest.mark.slow  # 1,500 saves, each synced, read all the while
def test_readers_see_every_saved_annotation_while_the_writer_compacts(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(path), "1500"], stdout=subprocess.PIPE, text=True
    )
    acknowledged: list[str] = []
    finished = threading.Event()

    def follow() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("saved"):
                acknowledged.append(line.split()[1])
        finished.set()

    threading.Thread(target=follow, daemon=True).start()
    reads = misses = 0
    try:
        while not finished.is_set() or reads < 20:
            before = set(acknowledged)  # saved before this read started
            if not before:
                continue
            for read in (ids_read_only, ids_view):
                missing = before - read(path)
                reads += 1
                misses += bool(missing)
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == 0
    assert misses == 0, f"{misses} of {reads} reads missed saved annotations"
    assert ids_read_only(path) == set(acknowledged) and len(acknowledged) == 1500


# --- compaction off the caller's thread (scale) ------------------------------------------


@pytest.fixture
def held_snapshot_rename(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Hold every rename onto a `.json` store file (the last step of writing a snapshot)
    until the returned event is set."""
    release = threading.Event()
    real_replace = os.replace

    def replace(src: object, dst: object, *args: object, **kwargs: object) -> None:
        if str(dst).endswith(".json") and ".tmp-" in str(src):
            assert release.wait(60), "the test never released the snapshot"
        real_replace(src, dst, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    yield release
    release.set()


def test_saves_go_on_while_a_snapshot_is_written(
    tmp_path: Path, held_snapshot_rename: threading.Event
) -> None:
    path = tmp_path / "a.json"
    held_snapshot_rename.set()
    store = AnnotationStore.open(path, "k", compact_after=10)
    held_snapshot_rename.clear()
    saved: list[str] = []
    done = threading.Event()

    def save_thirty() -> None:
        for n in range(30):  # the tenth save starts a compaction, which cannot finish
            annotation = ann(n)
            store.put(annotation, DOC)
            saved.append(annotation.id)
        done.set()

    threading.Thread(target=save_thirty, daemon=True).start()
    finished = done.wait(60)
    # Every save returned while the snapshot was still being written, and readers (which
    # take the journals too) see all of them.
    assert finished, f"saves stalled behind the compaction after {len(saved)}"
    assert ids_read_only(path) == set(saved) == ids_view(path)
    held_snapshot_rename.set()
    store.wait_for_compaction()
    assert not store.previous_journal_path.exists()
    store.close()
    assert ids_read_only(path) == set(saved)


# --- a full disk during compaction (item 10) ---------------------------------------------


@pytest.fixture
def full_disk_for_new_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """While the event is set, writes to temporary files (a snapshot being written) fail
    with ENOSPC; appends to the journal still fit."""
    full = threading.Event()
    real_write = os.write

    def write(fd: int, data: bytes) -> int:
        if full.is_set():
            try:
                name = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                name = ""
            if ".tmp-" in name:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    yield full


def test_a_full_disk_during_compaction_loses_nothing_and_recovers(
    tmp_path: Path, full_disk_for_new_files: threading.Event
) -> None:
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to tell files apart")
    path = tmp_path / "a.json"
    store = AnnotationStore.open(path, "k", compact_after=5)
    full_disk_for_new_files.set()
    saved = []
    for n in range(12):  # compactions at 5 and 10 fail; every save itself succeeds
        annotation = ann(n)
        store.put(annotation, DOC)  # no error: the save is in the journal
        saved.append(annotation.id)
        store.wait_for_compaction()
        assert ids_read_only(path) == set(saved)  # the disk holds exactly what was saved
    assert store.compaction_error and "No space left" in store.compaction_error
    full_disk_for_new_files.clear()  # space again: saving and compacting work, no restart
    for n in range(12, 20):
        annotation = ann(n)
        store.put(annotation, DOC)
        saved.append(annotation.id)
    store.wait_for_compaction()
    assert store.compaction_error is None
    store.close()
    assert ids_read_only(path) == set(saved)
    assert not store.previous_journal_path.exists()
    assert not list(tmp_path.glob(".a.json.tmp-*"))


def test_a_full_disk_for_the_journal_is_not_saved_and_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.json"
    store = AnnotationStore.open(path, "k")
    store.put(ann(0), DOC)
    real_write = os.write

    def no_space(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", no_space)
    with pytest.raises(StoreError, match="cannot save"):
        store.put(ann(1))
    monkeypatch.setattr(os, "write", real_write)
    assert ids_read_only(path) == {a.id for a in store}  # the refused save is nowhere
    later = ann(2)
    store.put(later)
    store.close()
    assert later.id in ids_read_only(path) and len(ids_read_only(path)) == 2


# --- a copy to share (item 8) ------------------------------------------------------------


def test_a_snapshot_copy_holds_the_journal_too(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    store = AnnotationStore.open(path, "k")
    saved = {a.id for a in (ann(n) for n in range(5)) if not store.put(a, DOC)}
    share = tmp_path / "share" / "alice.json"
    share.parent.mkdir()
    assert store.write_snapshot_copy(share) == 5
    assert sorted(p.name for p in share.parent.iterdir()) == ["alice.json"]
    with AnnotationStore.open(share, read_only=True) as copy:
        assert {a.id for a in copy} == saved and copy.annotator == "k"
    assert ids_view(share) == saved
    store.put(ann(9))
    assert store.write_snapshot_copy(share) == 6  # replacing an earlier copy is fine
    with pytest.raises(StoreError, match="the store itself"):
        store.write_snapshot_copy(path)
    in_use = tmp_path / "b.json"
    AnnotationStore.open(in_use, "b").close()
    before = in_use.read_bytes()
    with pytest.raises(StoreError, match="in use"):
        store.write_snapshot_copy(in_use)
    notes = tmp_path / "notes.json"
    notes.write_text('{"_default": {}}')
    with pytest.raises(StoreError, match="not a reader annotation store"):
        store.write_snapshot_copy(notes)
    assert in_use.read_bytes() == before and notes.read_text() == '{"_default": {}}'
    store.close()


def test_a_read_only_store_can_be_copied(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    with AnnotationStore.open(path, "k") as store:
        store.put(ann(0), DOC)
        store.put(ann(1))
        with AnnotationStore.open(path, read_only=True) as reader:
            reader.records(DOC.doc_id)  # decoded: the copy packs them again
            reader.write_snapshot_copy(tmp_path / "copy.json")
    assert ids_read_only(tmp_path / "copy.json") == ids_read_only(path)


# --- where a crash can leave the journals: replay handles each, once -------------------


def test_a_journal_set_aside_but_not_replaced_replays_once(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    store = AnnotationStore.open(path, "k")
    saved = [ann(n) for n in range(3)]
    for annotation in saved:
        store.put(annotation, DOC)
    os.link(store.journal_path, store.previous_journal_path)  # then a kill
    store._release()
    assert ids_read_only(path) == {a.id for a in saved} == ids_view(path)
    with AnnotationStore.open(path, "k") as again:
        assert len(again) == 3
    assert not store.previous_journal_path.exists() and ids_read_only(path) == {a.id for a in saved}


def test_a_compaction_cut_short_is_finished_at_the_next_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.json"
    real_replace = os.replace

    def snapshot_rename_fails(src: object, dst: object) -> None:
        if str(dst).endswith(".json") and ".tmp-" in str(src):
            raise OSError(errno.EIO, "simulated crash before the rename")
        real_replace(src, dst)  # type: ignore[arg-type]

    store = AnnotationStore.open(path, "k", compact_after=5)
    monkeypatch.setattr(os, "replace", snapshot_rename_fails)
    saved = [ann(n) for n in range(7)]
    for annotation in saved:
        store.put(annotation, DOC)
    store.wait_for_compaction()
    store._release()  # a kill with the previous journal and the new one both on disk
    monkeypatch.setattr(os, "replace", real_replace)
    assert store.previous_journal_path.exists()
    assert ids_read_only(path) == {a.id for a in saved} == ids_view(path)
    with AnnotationStore.open(path, "k") as again:
        again.wait_for_compaction()
        assert not again.previous_journal_path.exists()
        assert {a.id for a in again} == {a.id for a in saved}
    assert ids_read_only(path) == {a.id for a in saved}


def test_a_big_import_that_cannot_be_written_leaves_nothing_behind(
    tmp_path: Path, full_disk_for_new_files: threading.Event
) -> None:
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to tell files apart")
    path = tmp_path / "a.json"
    store = AnnotationStore.open(path, "k")
    kept = ann(0)
    store.put(kept, DOC)
    full_disk_for_new_files.set()
    with pytest.raises(StoreError, match="No space left"):
        store.bulk([DOC], [ann(n) for n in range(1, 1500)])  # written as a new snapshot
    assert {a.id for a in store} == {kept.id}  # memory holds what the disk holds
    full_disk_for_new_files.clear()
    later = ann(2000)
    store.put(later)
    store.close()
    assert ids_read_only(path) == {kept.id, later.id}


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB file system (tmpfs; needs root and mount), unmounted afterwards."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_really_full_disk_shows_exactly_what_is_saved_and_recovers(tiny_disk: Path) -> None:
    text = " ".join(f"Sentence {n} says {n * 3}." for n in range(2000))
    doc = StoredDocument(text_id(text), text, {})
    store = AnnotationStore.open(tiny_disk / "a.json", "k", compact_after=50)
    saved: list[str] = []
    refused = 0
    for n in range(5000):
        start = (n * 7) % (len(text) - 20)
        annotation = make_annotation(
            text, doc.doc_id, start, start + 10, "claim", "FACT", "k", note="x" * 50
        )
        try:
            store.put(annotation, doc)
            saved.append(annotation.id)
        except StoreError as exc:
            assert "No space left" in str(exc)
            refused += 1
            if refused == 5:
                break
    assert refused == 5
    store.wait_for_compaction()
    assert ids_read_only(tiny_disk / "a.json") == set(saved)  # the screen matches the disk
    subprocess.run(["mount", "-o", "remount,size=16m", str(tiny_disk)], check=True)
    for n in range(120):  # space again: saves and (retried) compaction work, no restart
        start = (n * 11) % (len(text) - 20)
        annotation = make_annotation(text, doc.doc_id, start, start + 10, "claim", "FACT", "k")
        store.put(annotation, doc)
        saved.append(annotation.id)
    store.wait_for_compaction()
    assert store.compaction_error is None
    store.close()
    assert ids_read_only(tiny_disk / "a.json") == set(saved)
    assert sorted(p.name for p in tiny_disk.iterdir()) == [
        "a.json",
        "a.json.journal",
        "a.json.lock",
    ]
