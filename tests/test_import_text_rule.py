"""One text rule at every door: a BOM dropped, `\\r\\n` read as `\\n`, nothing else.

An imported text is stored as the corpus loader reads the same text, so its annotations
sit on the document id the app shows; annotations whose offsets index the text as the
file held it move with the rule (never orphaned, never on other words).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run

from reader.agreement.sources import load_sources
from reader.corpus import load_corpus, normalise, text_id
from reader.formats import ReadOptions, brat, native
from reader.review.loading import load_review_input
from reader.store import AnnotationStore

RAW = "\ufeffLine one.\r\nLine two is here.\r\n\r\nLast line.\r\n"
PLAIN = normalise(RAW)
OPTIONS = ReadOptions(annotator="tester")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "tester")
    return tmp_path / "data"




def raw_span(words: str) -> tuple[int, int]:
    start = RAW.index(words)
    return start, start + len(words)


def stored(path: Path) -> list[tuple[str, int, int, str]]:
    with AnnotationStore.open(path, read_only=True) as store:
        return [(a.doc_id, a.start, a.end, a.text) for a in store]


def test_a_crlf_doccano_import_is_annotated_on_the_corpus_document(tmp_path: Path) -> None:
    start, end = raw_span("Line two is here.")
    corpus = tmp_path / "crlf.jsonl"
    corpus.write_text(json.dumps({"text": RAW, "label": [[start, end, "FACT"]]}) + "\n")
    store = tmp_path / "s.json"
    code, _, err = run("import", str(corpus), "--db", str(store))
    assert code == 0, err
    [document] = load_corpus([corpus]).documents
    assert document.text == PLAIN
    assert stored(store) == [(document.id, 10, 27, "Line two is here.")]
    code, out, err = run("stats", "--db", str(store), "--json", str(corpus))
    assert code == 0, err
    assert json.loads(out)["progress"]["corpus_documents_annotated"] == 1


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Line one.\r", "Line one."),  # a boundary between \r and \n: before the line end
        ("Line one.\r\n", "Line one.\n"),
        ("\r\nLine two", "\nLine two"),
        ("\nLine two", "\nLine two"),  # starting between \r and \n: at the \n
        ("here.\r\n\r\nLast", "here.\n\nLast"),
        ("Last line.", "Last line."),
    ],
)
def test_native_records_on_the_raw_text_move_with_it(words: str, expected: str) -> None:
    start, end = raw_span(words)
    record = {
        "doc_id": text_id(RAW),
        "start": start,
        "end": end,
        "text": words,
        "kind": "claim",
        "label": "FACT",
        "annotator": "tester",
    }
    line = json.dumps({"text": RAW, "doc_id": text_id(RAW), "annotations": [record]})
    documents, problems = native.read_raw([line], OPTIONS)
    assert problems == []
    [document] = documents
    assert document.text == PLAIN and document.doc_id == text_id(PLAIN)
    [moved] = document.records
    assert PLAIN[moved["start"] : moved["end"]] == moved["text"] == expected
    assert moved["doc_id"] == text_id(PLAIN)
    assert moved["prefix"] == PLAIN[max(0, moved["start"] - 32) : moved["start"]]


def test_native_records_already_on_the_normalised_text_stay(tmp_path: Path) -> None:
    start = PLAIN.index("Last line.")
    record = {
        "doc_id": text_id(PLAIN),
        "start": start,
        "end": start + 10,
        "text": "Last line.",
        "kind": "claim",
        "label": "FACT",
        "annotator": "tester",
    }
    line = json.dumps({"text": RAW, "annotations": [record]})
    [document], problems = native.read_raw([line], OPTIONS)
    assert problems == [] and document.records[0]["start"] == start


def test_a_span_of_only_a_dropped_character_is_a_line_problem() -> None:
    start = RAW.index("\r")
    record = {
        "doc_id": text_id(RAW),
        "start": start,
        "end": start + 1,
        "text": "\r",
        "kind": "claim",
        "label": "FACT",
        "annotator": "tester",
    }
    documents, problems = native.read_raw(
        [json.dumps({"text": RAW, "annotations": [record]})], OPTIONS
    )
    assert documents == [] and problems[0].line == 1 and "drops" in problems[0].message


def test_brat_offsets_count_the_txt_as_brat_reads_it(tmp_path: Path) -> None:
    """brat reads a .txt with newline translation (each \\r\\n is one character) but keeps
    a BOM: its offsets are those of the BOM'd text with \\n line ends."""
    (tmp_path / "a.txt").write_bytes(RAW.encode("utf-8"))
    start = RAW.replace("\r\n", "\n").index("Last line.")
    end = start + len("Last line.")
    (tmp_path / "a.ann").write_text(f"T1\tFACT {start} {end}\tLast line.\n")
    outcome = brat.read(tmp_path, OPTIONS)
    assert outcome.problems == []
    [document] = outcome.documents
    assert document.text == PLAIN and document.doc_id == text_id(PLAIN)
    [annotation] = document.annotations
    assert PLAIN[annotation.start : annotation.end] == "Last line." == annotation.text


def test_review_and_agree_sources_use_the_rule(tmp_path: Path) -> None:
    start, end = raw_span("Line two is here.")
    for name in ("alice", "bob"):
        record = {
            "doc_id": text_id(RAW),
            "start": start,
            "end": end,
            "text": "Line two is here.",
            "kind": "claim",
            "label": "FACT" if name == "alice" else "OPINION",
            "annotator": name,
        }
        line = json.dumps({"text": RAW, "annotations": [record]})
        (tmp_path / f"{name}.jsonl").write_text(line + "\n")
    paths = [tmp_path / "alice.jsonl", tmp_path / "bob.jsonl"]
    review = load_review_input(paths)
    assert review.doc_ids == [text_id(PLAIN)]
    assert review.document(text_id(PLAIN)).text == PLAIN
    spans = {
        n: [(a.start, a.end) for a in found]
        for n, found in review.annotations(text_id(PLAIN)).items()
    }
    assert spans == {"alice": [(10, 27)], "bob": [(10, 27)]}
    agree = load_sources([str(p) for p in paths])
    assert agree.documents == {text_id(PLAIN): PLAIN}
    assert agree.annotations["alice"][text_id(PLAIN)] == [(10, 27, "claim", "FACT")]


def test_review_docs_by_id_match_the_normalised_text(tmp_path: Path) -> None:
    """An ids-only export of a CRLF text is matched by `--docs` (which applies the rule)
    once its records are on the normalised text's id."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_bytes(RAW.encode("utf-8"))
    start = PLAIN.index("Last line.")
    record = {
        "doc_id": text_id(PLAIN),
        "start": start,
        "end": start + 10,
        "text": "Last line.",
        "kind": "claim",
        "label": "FACT",
        "annotator": "alice",
    }
    (tmp_path / "alice.jsonl").write_text(json.dumps(record) + "\n")
    review = load_review_input([tmp_path / "alice.jsonl"], docs=[articles])
    assert review.document(text_id(PLAIN)).text == PLAIN


def test_a_jsonl_file_with_a_bom_and_crlf_lines_imports(tmp_path: Path) -> None:
    line = json.dumps({"text": "A text.", "label": [[0, 6, "FACT"]]})
    path = tmp_path / "bom.jsonl"
    path.write_bytes(
        ("\ufeff" + line + "\r\n" + line.replace("A text", "B text") + "\r\n").encode()
    )
    code, _, err = run("import", str(path), "--db", str(tmp_path / "s.json"))
    assert code == 0 and "imported 2 annotation(s)" in err, err
    paths = [str(path)]
    assert len(load_sources(paths).documents) == 2
    assert len(load_review_input(paths).doc_ids) == 2


def test_import_from_a_pipe_reads_every_line(tmp_path: Path) -> None:
    """A pipe can be read once: guessing the format must not eat the first line."""
    import subprocess
    import sys

    lines = [json.dumps({"text": f"Text {n}.", "label": [[0, 4, "FACT"]]}) for n in range(3)]
    (tmp_path / "d.jsonl").write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m reader.cli import <(cat d.jsonl) --db s.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "imported 3 annotation(s)" in result.stderr


def test_review_docs_match_ids_of_the_files_own_text(tmp_path: Path) -> None:
    """An ids-only export made on a CRLF file's own text (its doc_id is the sha256 of the
    text with `\\r\\n`) finds its text in `--docs`, its records moved by the text rule."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_bytes(RAW.encode("utf-8"))
    start, end = raw_span("Last line.")
    record = {
        "doc_id": text_id(RAW),
        "start": start,
        "end": end,
        "text": "Last line.",
        "kind": "claim",
        "label": "FACT",
        "annotator": "alice",
    }
    (tmp_path / "alice.jsonl").write_text(json.dumps(record) + "\n")
    review = load_review_input([tmp_path / "alice.jsonl"], docs=[articles])
    assert review.doc_ids == [text_id(PLAIN)]
    [moved] = review.annotations(text_id(PLAIN))["alice"]
    assert PLAIN[moved.start : moved.end] == "Last line." == moved.text
