"""Exports replace their target whole or not at all, and never write outside it.

`-o FILE` goes to a temporary file in the same folder that is renamed into place; a brat
folder is written beside its target and renamed into place. A full disk or a SIGKILL of
a real `reader export` leaves the previous export exactly as it was. File names come
from a safe function, whatever a store's document ids say.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run

from reader.annotate.annotations import make_annotation
from reader.corpus import text_id
from reader.formats import ExportDocument, brat
from reader.store import AnnotationStore, StoredDocument

TEXT = "The harbour reopened on Monday. Officials said repairs cost millions.\n"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "alice")
    return tmp_path / "data"


def make_store(path: Path, documents: int = 3) -> None:
    with AnnotationStore.open(path, "alice") as store:
        docs, annotations = [], []
        for number in range(documents):
            text = f"Article {number}. {TEXT}"
            doc_id = text_id(text)
            docs.append(StoredDocument(doc_id, text, {"n": number}))
            annotations.append(make_annotation(text, doc_id, 0, 10, "claim", "FACT", "alice"))
        store.bulk(docs, annotations)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("fmt", ["native", "prodigy", "doccano"])
def test_a_full_disk_leaves_the_previous_export_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    store = tmp_path / "alice.json"
    make_store(store, documents=50)
    out = tmp_path / "out.jsonl"
    out.write_text("the previous export\n")
    import reader.atomicfile as atomicfile

    monkeypatch.setattr(atomicfile, "CHUNK", 256)
    real_write = os.write
    written = [0]

    def full_disk(fd: int, data: bytes) -> int:
        if written[0] > 1000:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written[0] += len(data)
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    code, _, err = run("export", "--db", str(store), "--format", fmt, "-o", str(out))
    monkeypatch.setattr(os, "write", real_write)
    assert written[0] > 1000  # the disk filled up part-way through
    assert code == 2 and err.count("\n") == 1
    assert "No space left on device" in err and "Traceback" not in err
    assert out.read_text() == "the previous export\n"
    assert leftovers(tmp_path) == []
    # with space again, the export replaces it whole
    assert run("export", "--db", str(store), "--format", fmt, "-o", str(out))[0] == 0
    assert len(out.read_text().splitlines()) == 50


STOP_AFTER_WRITES = """
import os, signal, sys
import reader.atomicfile as atomicfile
atomicfile.CHUNK = 512
name = os.environ["STOP_ON"]  # "write" (a chunk of a file) or "fsync" (a brat file)
real, seen = getattr(os, name), [0]
def stopping(*args):
    result = real(*args)
    seen[0] += 1
    if seen[0] == int(os.environ["STOP_AFTER"]):
        os.kill(os.getpid(), signal.SIGSTOP)  # the parent kills us here
    return result
setattr(os, name, stopping)
from reader.cli import main
sys.argv[0] = "reader"
main(sys.argv[1:])
"""


def kill_mid_export(args: list[str], stop_after: int, cwd: Path, on: str = "write") -> None:
    """Run a real `reader export`, SIGKILL it once it has made `stop_after` calls of
    `os.<on>` (it stops itself there, so the kill lands exactly mid-export)."""
    env = {**os.environ, "STOP_AFTER": str(stop_after), "STOP_ON": on}
    proc = subprocess.Popen(
        [sys.executable, "-c", STOP_AFTER_WRITES, *args], cwd=cwd, env=env, stderr=subprocess.PIPE
    )
    _, status = os.waitpid(proc.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), proc.stderr.read() if proc.stderr else status
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("stop_after", [1, 3, 10])
def test_sigkill_during_export_keeps_the_previous_file(tmp_path: Path, stop_after: int) -> None:
    store = tmp_path / "alice.json"
    make_store(store, documents=60)
    out = tmp_path / "out.jsonl"
    out.write_text("the previous export\n")
    kill_mid_export(["export", "--db", str(store), "-o", str(out)], stop_after, tmp_path)
    assert out.read_text() == "the previous export\n"
    # the next export cleans up what the killed one left and replaces the file whole
    code, _, err = run("export", "--db", str(store), "-o", str(out))
    assert code == 0, err
    assert [json.loads(line)["meta"]["n"] for line in out.read_text().splitlines()] == list(
        range(60)
    )
    assert leftovers(tmp_path) == []


def test_sigkill_during_brat_export_leaves_no_partial_folder(tmp_path: Path) -> None:
    store = tmp_path / "alice.json"
    make_store(store, documents=40)
    folder = tmp_path / "brat"
    assert run("export", "--db", str(store), "--format", "brat", "-o", str(folder))[0] == 0
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    make_store(tmp_path / "bob.json", documents=5)
    kill_mid_export(
        ["export", "--db", str(tmp_path / "bob.json"), "--format", "brat", "-o", str(folder)],
        7,
        tmp_path,
        on="fsync",
    )
    assert {
        p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    } == before
    code, _, err = run(
        "export", "--db", str(tmp_path / "bob.json"), "--format", "brat", "-o", str(folder)
    )
    assert code == 0, err
    assert len(list(folder.glob("*/*.ann"))) == 5  # replaced whole: none of the 40 left
    assert leftovers(tmp_path) == []


def test_brat_export_refuses_a_folder_of_other_files(tmp_path: Path) -> None:
    store = tmp_path / "alice.json"
    make_store(store)
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.odt").write_text("mine")
    code, _, err = run("export", "--db", str(store), "--format", "brat", "-o", str(folder))
    assert code == 2 and "not a brat export" in err
    assert [p.name for p in folder.iterdir()] == ["thesis.odt"]


@pytest.mark.parametrize(
    "doc_id", ["../../ESCAPED1", "/tmp/ESCAPED2", "a\x00b", "..", "x/../../y", "\ud800"]
)
def test_brat_file_names_never_leave_the_folder(tmp_path: Path, doc_id: str) -> None:
    annotation = make_annotation(TEXT, doc_id, 0, 3, "claim", "FACT", "alice")
    document = ExportDocument(doc_id, TEXT, {}, [annotation])
    folder = tmp_path / "out"
    brat.write([document], folder)
    stem = brat.file_stem(document)
    assert len(stem) == 16 and all(c in "0123456789abcdef" for c in stem)
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        ["out", f"{stem}.txt", f"{stem}.ann", "annotation.conf"]
    )
    assert not Path("/tmp/ESCAPED2.txt").exists()


def test_a_store_with_a_hostile_doc_id_exports_inside_the_folder(tmp_path: Path) -> None:
    from reader.store import snapshot

    doc_id = "../../ESCAPED1"
    record = make_annotation(TEXT, doc_id, 0, 3, "claim", "FACT", "alice").to_json()
    tables = {
        "_meta": {"1": {"format": "reader-annotations", "version": 1, "generation": 1}},
        "documents": {doc_id: {"text": TEXT, "meta": {}}},
        "annotations": {doc_id: {"doc_id": doc_id, "count": 1, "records": json.dumps([record])}},
    }
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    (work / "evil.json").write_bytes(snapshot.dump(tables))
    code, _, err = run(
        "export", "--db", str(work / "evil.json"), "--format", "brat", "-o", str(work / "out")
    )
    assert "Traceback" not in err
    everything = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert all(path.startswith("a/b/") for path in everything), everything
    assert not any("ESCAPED" in path for path in everything)
    if code == 0:  # a store that refuses such an id is fine too (exit 2, nothing written)
        assert len(list((work / "out").glob("*/*.ann"))) == 1


def test_exporting_to_a_pipe_or_stdout_still_works(tmp_path: Path) -> None:
    store = tmp_path / "alice.json"
    make_store(store)
    result = subprocess.run(
        [sys.executable, "-m", "reader.cli", "export", "--db", str(store), "-o", "/dev/stdout"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


def test_an_export_keeps_the_file_mode(tmp_path: Path) -> None:
    store = tmp_path / "alice.json"
    make_store(store)
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    out.chmod(0o640)
    assert run("export", "--db", str(store), "-o", str(out))[0] == 0
    assert out.stat().st_mode & 0o777 == 0o640


def test_an_export_never_replaces_a_store(tmp_path: Path) -> None:
    make_store(tmp_path / "alice.json")
    with AnnotationStore.open(tmp_path / "bob.json", "bob"):
        pass
    before = (tmp_path / "bob.json").read_bytes()
    for args in (["-o"], ["--format", "prodigy", "-o"], ["--snapshot", "-o"]):
        code, _, err = run(
            "export", "--db", str(tmp_path / "alice.json"), *args, str(tmp_path / "bob.json")
        )
        assert code == 2 and "is an annotation store" in err, (args, err)
    assert (tmp_path / "bob.json").read_bytes() == before
    code, _, err = run(
        "export", "--db", str(tmp_path / "alice.json"), "-o", str(tmp_path / "alice.json")
    )
    assert code == 2
    # a snapshot may replace an earlier snapshot of the same store
    shared = str(tmp_path / "shared.json")
    assert run("export", "--snapshot", "--db", str(tmp_path / "alice.json"), "-o", shared)[0] == 0
    assert run("export", "--snapshot", "--db", str(tmp_path / "alice.json"), "-o", shared)[0] == 0
