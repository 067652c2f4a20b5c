"""What a reviewer decided reaches the gold export; brat imports read only what they
were given; a store can be shared as one consistent file while it is open."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from cli_support import run

from reader.annotate.annotations import make_annotation
from reader.annotate.schema import load_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Document, text_id
from reader.review.loading import load_review_input
from reader.review.workspace import Review, open_gold
from reader.store import AnnotationStore, StoredDocument

TEXT = "The port reopened on Monday. Officials said repairs cost millions. Rents rose.\n"
DOC = text_id(TEXT)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "tester")
    return tmp_path / "data"




def build_store(path: Path, annotator: str, spans: list[tuple[int, int, str]]) -> Path:
    document = Document(text=TEXT, title="Port", source="port.txt")
    with AnnotationStore.open(path, annotator) as store:
        session = AnnotationSession(store, annotator, load_schema(None))
        for start, end, label in spans:
            session.apply_label(document, start, end, label)
    return path


def open_review(tmp_path: Path, gold: str = "gold.json") -> Review:
    a = build_store(tmp_path / "a.json", "alice", [(0, 28, "FACT"), (29, 66, "OPINION")])
    b = build_store(tmp_path / "b.json", "bob", [(0, 28, "OPINION"), (33, 66, "OPINION")])
    schema = load_schema(None)
    return Review(load_review_input([a, b], schema=schema), open_gold(tmp_path / gold), schema)


def test_the_gold_export_carries_every_decision(tmp_path: Path) -> None:
    review = open_review(tmp_path)
    doc = review.document(0)
    first, second = review.disagreements(doc.id)
    review.adjudicator.accept(doc, first, "alice")
    review.adjudicator.set_note(first, "checked with the editor")
    review.adjudicator.reject(doc, second)
    review.adjudicator.set_note(second, "neither is a claim")
    review.close()
    code, out, err = run("export", "--db", str(tmp_path / "gold.json"))
    assert code == 0, err
    [line] = [json.loads(text) for text in out.splitlines()]
    [gold] = line["annotations"]
    assert (gold["start"], gold["end"], gold["label"], gold["annotator"]) == (0, 28, "FACT", "gold")
    assert "checked with the editor" in gold["note"]
    decisions = [(d["kind"], d["from"], d["span"], d["note"]) for d in line["review"]]
    assert decisions == [
        (
            "accepted",
            ["alice"],
            {"start": 0, "end": 28, "kind": "claim"},
            "checked with the editor",
        ),
        ("rejected", [], {"start": 29, "end": 66, "kind": "claim"}, "neither is a claim"),
    ]
    # the export imports (into a store of gold's) as any other
    code, _, err = run(
        "import",
        str(_write(tmp_path / "g.jsonl", out)),
        "--db",
        str(tmp_path / "g2.json"),
        "--annotator",
        "gold",
    )
    assert code == 0, err


def test_a_gold_store_of_rejections_only_exports_them(tmp_path: Path) -> None:
    review = open_review(tmp_path)
    doc = review.document(0)
    for disagreement in review.disagreements(doc.id):
        review.adjudicator.reject(doc, disagreement)
    review.close()
    code, out, err = run("export", "--db", str(tmp_path / "gold.json"))
    assert code == 0, err
    [line] = [json.loads(text) for text in out.splitlines()]
    assert line["annotations"] == [] and line["text"] == TEXT
    assert [d["kind"] for d in line["review"]] == ["rejected", "rejected"]


def test_an_ordinary_store_exports_no_review(tmp_path: Path) -> None:
    build_store(tmp_path / "a.json", "alice", [(0, 28, "FACT")])
    code, out, _ = run("export", "--db", str(tmp_path / "a.json"))
    assert code == 0 and "review" not in json.loads(out)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# --- brat imports read only the folder's own files ------------------------------------
def brat_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT)
    (folder / "a.ann").write_text("T1\tFACT 0 8\tThe port\n")
    return folder


@pytest.mark.parametrize("which", ["txt", "ann"])
def test_brat_import_never_follows_a_symlink(tmp_path: Path, which: str) -> None:
    folder = brat_folder(tmp_path)
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN PRIVATE KEY-----\n" if which == "txt" else "T1\tFACT 0 3\tThe\n")
    (folder / f"a.{which}").unlink()
    (folder / f"a.{which}").symlink_to(secret)
    store = tmp_path / "s.json"
    code, _, err = run("import", str(folder), "--db", str(store))
    assert code == 2 and f"a.{which}: is a symbolic link" in err, err
    assert not store.exists()
    code, _, err = run("import", str(folder), "--db", str(store), "--skip-bad")
    assert code == 0 and "symbolic link" in err
    with AnnotationStore.open(store, read_only=True) as opened:
        assert len(opened) == 0 and opened.document_ids() == []


def test_brat_import_refuses_a_fifo(tmp_path: Path) -> None:
    folder = brat_folder(tmp_path)
    (folder / "a.txt").unlink()
    os.mkfifo(folder / "a.txt")
    code, _, err = run("import", str(folder), "--db", str(tmp_path / "s.json"))
    assert code == 2 and "a.txt: is not a regular file" in err


@pytest.mark.parametrize("line", ["T1\tFACT 0 8\t", "T1\tFACT 0 8", "T1\tFACT 0 8\tThe pier"])
def test_a_brat_span_is_checked_against_the_text_even_with_no_text(
    tmp_path: Path, line: str
) -> None:
    folder = brat_folder(tmp_path)
    (folder / "a.ann").write_text(line + "\n")
    code, _, err = run("import", str(folder), "--db", str(tmp_path / "s.json"))
    assert code == 2 and "a.ann line 1: its text is not the text at 0:8" in err


# --- sharing a store that is open ------------------------------------------------------
def test_a_snapshot_holds_what_a_copy_of_the_open_store_misses(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    store = AnnotationStore.open(path, "alice")
    try:
        document = StoredDocument(DOC, TEXT, {"title": "Port"})
        store.put(make_annotation(TEXT, DOC, 0, 8, "claim", "FACT", "alice"), document)
        shutil.copy(path, tmp_path / "copied.json")
        code, _, err = run(
            "export", "--snapshot", "--db", str(path), "-o", str(tmp_path / "shared.json")
        )
        assert code == 0, err
        assert "wrote 1 annotation(s)" in err
    finally:
        store.close()
    with AnnotationStore.open(tmp_path / "copied.json", read_only=True) as copied:
        assert len(copied) == 0  # what the README's advice used to give
    with AnnotationStore.open(tmp_path / "shared.json", read_only=True) as shared:
        assert [(a.start, a.end, a.label) for a in shared] == [(0, 8, "FACT")]
        assert shared.document(DOC) is not None
    assert not (tmp_path / "shared.json.journal").exists()
    code, out, _ = run("export", "--db", str(tmp_path / "shared.json"))
    assert code == 0 and json.loads(out)["annotations"][0]["label"] == "FACT"


def test_a_snapshot_needs_one_store_and_a_new_file(tmp_path: Path) -> None:
    build_store(tmp_path / "a.json", "alice", [(0, 28, "FACT")])
    code, _, err = run("export", "--snapshot", "--db", str(tmp_path / "a.json"))
    assert code == 2 and "-o FILE" in err
    code, _, err = run(
        "export", "--snapshot", "--db", str(tmp_path / "a.json"), "-o", str(tmp_path / "a.json")
    )
    assert code == 2 and "the store itself" in err


def test_a_decisions_only_line_is_read_by_every_reader(tmp_path: Path) -> None:
    """A gold export's line for a document the gold store holds no text of (decisions
    only) is skipped by import, review and agree alike, not refused."""
    from reader.agreement.sources import load_sources

    build_store(tmp_path / "a.json", "alice", [(0, 28, "FACT")])
    code, out, _ = run("export", "--db", str(tmp_path / "a.json"))
    assert code == 0
    decisions = {
        "doc_id": "0" * 64,
        "annotations": [],
        "review": [
            {
                "kind": "rejected",
                "from": [],
                "span": {"start": 0, "end": 3, "kind": "claim"},
                "note": "",
            }
        ],
    }
    mixed = _write(tmp_path / "alice.jsonl", out + json.dumps(decisions) + "\n")
    code, _, err = run("import", str(mixed), "--db", str(tmp_path / "copy.json"))
    assert code == 0 and "imported 1 annotation(s)" in err, err
    assert load_review_input([mixed]).doc_ids == [DOC]
    assert load_sources([str(mixed)]).documents == {DOC: TEXT}


def test_reader_share_writes_the_same_consistent_copy(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    with AnnotationStore.open(path, "alice") as store:
        document = StoredDocument(DOC, TEXT, {"title": "Port"})
        store.put(make_annotation(TEXT, DOC, 0, 8, "claim", "FACT", "alice"), document)
        code, _, err = run("share", str(path), "-o", str(tmp_path / "shared.json"))
        assert code == 0, err
    with AnnotationStore.open(tmp_path / "shared.json", read_only=True) as shared:
        assert [(a.start, a.end, a.label, a.annotator) for a in shared] == [
            (0, 8, "FACT", "alice")
        ]
