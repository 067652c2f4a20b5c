"""`reader export`, `reader import` and `reader stats` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run

from reader.annotate.schema import default_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Document, text_id
from reader.store import AnnotationStore

TEXTS = [
    "The harbour reopened on Monday. Officials said repairs cost millions.",
    "Train drivers ended a strike. The union said talks would continue next week.",
]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "tester")
    return tmp_path / "data"




def make_store(path: Path, annotator: str) -> None:
    with AnnotationStore.open(path, annotator) as store:
        session = AnnotationSession(store, schema=default_schema())
        for number, text in enumerate(TEXTS):
            doc = Document(
                text=text, title=f"T{number}", source=f"{number}.txt", meta={"n": number}
            )
            claim = session.apply_label(doc, 0, text.index(".") + 1, "FACT")
            session.set_note(claim, f"note {number} by {annotator}")
            session.apply_label(doc, 4, 11, "AGAINST", target="the port", holder="officials")


def test_native_export_import_export_is_byte_identical(tmp_path: Path) -> None:
    make_store(tmp_path / "alice.json", "alice")
    first = tmp_path / "first.jsonl"
    code, _, err = run("export", "--db", str(tmp_path / "alice.json"), "-o", str(first))
    assert code == 0, err
    records = [json.loads(line) for line in first.read_text().splitlines()]
    assert len(records) == 2 and len(records[0]["annotations"]) == 2
    assert list(records[0]) == ["text", "meta", "doc_id", "annotations"]
    code, _, err = run("import", str(first), "--db", str(tmp_path / "merged.json"))
    assert code == 0, err
    assert "imported 4 annotation(s), 2 new document(s)" in err
    code, out, _ = run("export", "--db", str(tmp_path / "merged.json"))
    assert code == 0 and out == first.read_text()
    # Importing again replaces by id: still the same.
    run("import", str(first), "--db", str(tmp_path / "merged.json"))
    assert run("export", "--db", str(tmp_path / "merged.json"))[1] == first.read_text()


def test_import_never_writes_another_annotators_records(tmp_path: Path) -> None:
    make_store(tmp_path / "alice.json", "alice")
    make_store(tmp_path / "bob.json", "bob")
    both = tmp_path / "both.jsonl"
    dbs = ["--db", str(tmp_path / "alice.json"), "--db", str(tmp_path / "bob.json")]
    assert run("export", *dbs, "-o", str(both))[0] == 0
    # into alice's store: bob's records are refused with their lines, nothing imported
    before = (tmp_path / "alice.json").read_bytes()
    code, _, err = run("import", str(both), "--db", str(tmp_path / "alice.json"))
    assert code == 2
    assert "line 1: 2 annotation(s) by bob, not by alice" in err
    assert "line 2: 2 annotation(s) by bob" in err and "--split-by-annotator" in err
    assert (tmp_path / "alice.json").read_bytes() == before
    # a new store takes the default annotator (tester) when the file names several
    code, _, err = run("import", str(both), "--db", str(tmp_path / "new.json"))
    assert code == 2 and "by alice, bob, not by tester" in err
    assert not (tmp_path / "new.json").exists()
    # --skip-bad imports only alice's
    code, _, err = run("import", str(both), "--db", str(tmp_path / "alice.json"), "--skip-bad")
    assert code == 0, err
    with AnnotationStore.open(tmp_path / "alice.json", read_only=True) as store:
        assert {a.annotator for a in store} == {"alice"} and len(store) == 4
    # one store per annotator
    split = tmp_path / "split"
    code, _, err = run("import", str(both), "--split-by-annotator", str(split))
    assert code == 0, err
    assert sorted(p.name for p in split.glob("*.json")) == ["alice.json", "bob.json"]
    for name in ("alice", "bob"):
        with AnnotationStore.open(split / f"{name}.json", read_only=True) as store:
            assert {a.annotator for a in store} == {name} and len(store) == 4
    # --annotator credits every record to one annotator (whose store it must be)
    code, _, err = run(
        "import", str(both), "--db", str(tmp_path / "rev.json"), "--annotator", "rev"
    )
    assert code == 0, err
    code, _, err = run(
        "import", str(both), "--db", str(tmp_path / "rev.json"), "--annotator", "eve"
    )
    assert code == 2 and "rev" in err and "eve" in err
    with AnnotationStore.open(tmp_path / "rev.json", read_only=True) as store:
        assert {a.annotator for a in store} == {"rev"} and len(store) == 8


def test_records_that_name_no_one_go_to_the_stores_annotator(tmp_path: Path) -> None:
    make_store(tmp_path / "alice.json", "alice")
    line = {"text": "Another text entirely.", "label": [[0, 7, "FACT"]]}
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(line) + "\n")
    code, _, err = run("import", str(path), "--db", str(tmp_path / "alice.json"))
    assert code == 0, err
    with AnnotationStore.open(tmp_path / "alice.json", read_only=True) as store:
        assert {a.annotator for a in store} == {"alice"} and len(store) == 5


@pytest.mark.parametrize("fmt", ["prodigy", "doccano"])
def test_foreign_formats_import_for_review(tmp_path: Path, fmt: str) -> None:
    make_store(tmp_path / "alice.json", "alice")
    out = tmp_path / f"out.{fmt}.jsonl"
    assert (
        run("export", "--db", str(tmp_path / "alice.json"), "--format", fmt, "-o", str(out))[0] == 0
    )
    code, _, err = run("import", str(out), "--db", str(tmp_path / "b.json"), "--annotator", "rev")
    assert code == 0, err
    with AnnotationStore.open(tmp_path / "b.json") as store:
        found = sorted((a.start, a.end, a.label, a.kind, a.annotator) for a in store)
    assert found == sorted(
        (s, e, label, kind, "rev")
        for text in TEXTS
        for s, e, label, kind in [
            (0, text.index(".") + 1, "FACT", "claim"),
            (4, 11, "AGAINST", "stance"),
        ]
    )
    # Same spans again: skipped, not doubled (the format guessed from the file).
    code, _, err = run("import", str(out), "--db", str(tmp_path / "b.json"), "--annotator", "rev")
    assert code == 0 and "4 already there skipped" in err


def test_malformed_lines_import_nothing_unless_skip_bad(tmp_path: Path) -> None:
    make_store(tmp_path / "alice.json", "alice")
    good = run("export", "--db", str(tmp_path / "alice.json"))[1].splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([good[0], "{not json", good[1], '{"text": 5}']) + "\n")
    target = tmp_path / "target.json"
    code, _, err = run("import", str(bad), "--db", str(target))
    assert code == 2
    assert "2 malformed record(s), nothing imported" in err
    assert "line 2: invalid JSON" in err and 'line 4: missing or empty "text"' in err
    assert not target.exists()
    code, _, err = run("import", str(bad), "--db", str(target), "--skip-bad")
    assert code == 0 and "skipped" in err
    with AnnotationStore.open(target) as store:
        assert len(store) == 4


def test_brat_export_needs_a_folder_and_default_stores_are_found(data_dir: Path) -> None:
    make_store(data_dir / "annotations" / "alice.json", "alice")
    code, _, err = run("export", "--format", "brat")
    assert code == 2 and "-o DIR" in err
    code, out, _ = run("export")  # every store in the data folder
    assert code == 0 and len(out.splitlines()) == 2
    folder = data_dir / "brat"
    assert run("export", "--format", "brat", "-o", str(folder))[0] == 0
    assert len(list(folder.glob("*/*.ann"))) == 2
    code, _, err = run("import", str(folder))  # alice's annotations (the .ann says so)
    assert code == 2 and "by alice, not by tester" in err
    code, _, err = run("import", str(folder), "--annotator", "tester")  # tester's store
    assert code == 0, err
    assert (data_dir / "annotations" / "tester.json").exists()


def test_missing_or_corrupt_store_is_one_line(tmp_path: Path) -> None:
    code, _, err = run("export", "--db", str(tmp_path / "nope.json"))
    assert (
        code == 2
        and err.strip() == f"reader: error: {tmp_path / 'nope.json'}: no such annotation store"
    )
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"{oops")
    code, _, err = run("stats", "--db", str(broken))
    assert code == 2 and str(broken) in err and "left untouched" in err
    assert broken.read_bytes() == b"{oops"
    code, _, err = run("export")
    assert code == 2 and "no annotation stores" in err


def test_stats_counts_and_progress(tmp_path: Path) -> None:
    make_store(tmp_path / "alice.json", "alice")
    make_store(tmp_path / "bob.json", "bob")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXTS[0])
    (corpus / "c.txt").write_text("An article nobody annotated yet.\n")
    dbs = ["--db", str(tmp_path / "alice.json"), "--db", str(tmp_path / "bob.json")]
    code, out, _ = run("stats", *dbs, "--json", str(corpus))
    assert code == 0
    stats = json.loads(out)
    assert stats["total"] == 8
    assert stats["by_kind"] == {"claim": 4, "stance": 4}
    assert stats["by_label"] == {"FACT": 4, "AGAINST": 4}
    assert stats["by_annotator"] == {"alice": 4, "bob": 4}
    assert [d["annotations"] for d in stats["by_document"]] == [4, 4]
    assert stats["progress"]["corpus_documents"] == 2
    assert stats["progress"]["corpus_documents_annotated"] == 1
    code, out, _ = run("stats", *dbs)
    assert code == 0 and "annotations: 8" in out and "FACT" in out


def test_split_by_annotator_checks_every_store_before_writing(tmp_path: Path) -> None:
    make_store(tmp_path / "alice.json", "alice")
    make_store(tmp_path / "bob.json", "bob")
    both = tmp_path / "both.jsonl"
    dbs = ["--db", str(tmp_path / "alice.json"), "--db", str(tmp_path / "bob.json")]
    assert run("export", *dbs, "-o", str(both))[0] == 0
    split = tmp_path / "split"
    split.mkdir()
    make_store(split / "bob.json", "mallory")  # bob's file name, someone else's store
    before = (split / "bob.json").read_bytes()
    code, _, err = run("import", str(both), "--split-by-annotator", str(split))
    assert code == 2 and "belongs to annotator mallory, not bob" in err, err
    assert (split / "bob.json").read_bytes() == before
    assert not (split / "alice.json").exists()
    code, _, err = run("import", str(both), "--split-by-annotator", str(split), "--db", "x.json")
    assert code == 2 and "not both" in err


def test_split_by_annotator_refuses_two_annotators_on_one_file_name(tmp_path: Path) -> None:
    text = "A text."
    records = [
        {
            "doc_id": text_id(text),
            "start": 0,
            "end": 6,
            "text": "A text",
            "kind": "claim",
            "label": "FACT",
            "annotator": name,
        }
        for name in ("ann smith", "ann/smith")
    ]
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps({"text": text, "annotations": records}) + "\n")
    code, _, err = run("import", str(path), "--split-by-annotator", str(tmp_path / "split"))
    assert code == 2 and "would share the store" in err
    assert not (tmp_path / "split").exists()
