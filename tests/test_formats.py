"""Every format writes what it reads back: spans, labels and what the format can hold."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reader.annotate.annotations import make_annotation
from reader.corpus import text_id
from reader.formats import (
    ExportDocument,
    ReadOptions,
    brat,
    doccano,
    merge_documents,
    native,
    prodigy,
)

TEXT = "The port reopened on Monday.\nOfficials said repairs cost “millions”. Traffic will double."
KINDS = {"FACT": "claim", "OPINION": "claim", "AGAINST": "stance"}
OPTIONS = ReadOptions(annotator="importer", kind_of=lambda label: KINDS.get(label, "claim"))


def document() -> ExportDocument:
    doc_id = text_id(TEXT)
    annotations = [
        make_annotation(TEXT, doc_id, 0, 28, "claim", "FACT", "alice", note="check it"),
        make_annotation(TEXT, doc_id, 20, 45, "stance", "AGAINST", "bob", target="the port"),
        make_annotation(TEXT, doc_id, 70, 88, "claim", "OPINION", "alice"),
    ]
    return ExportDocument(doc_id, TEXT, {"title": "Port"}, annotations)


def spans(doc: ExportDocument) -> list[tuple]:
    return sorted((a.start, a.end, a.label, a.kind, a.text) for a in doc.annotations)


def lines_of(writer, docs: list[ExportDocument]) -> list[str]:
    out = io.StringIO()
    writer(docs, out)
    return out.getvalue().split("\n")


def test_native_round_trip_is_exact() -> None:
    doc = document()
    lines = lines_of(native.write, [doc])
    outcome = native.read(lines, OPTIONS)
    assert not outcome.problems
    [back] = outcome.documents
    assert back.annotations == sorted(doc.annotations, key=lambda a: (a.start, a.end))
    assert back.meta == {"title": "Port"}
    assert lines_of(native.write, outcome.documents) == lines
    record = json.loads(lines[0])
    assert list(record) == ["text", "meta", "doc_id", "annotations"]


def test_native_problems_name_their_lines() -> None:
    good = lines_of(native.write, [document()])[0]
    record = json.loads(good)
    record["annotations"][0]["text"] = "something else"
    wrong_doc = dict(json.loads(good), doc_id="0" * 64)
    lines = [good, "{broken", json.dumps(record), json.dumps(wrong_doc), "", "[1]"]
    outcome = native.read(lines, OPTIONS)
    assert [(p.line, p.message.split(" (")[0][:30]) for p in outcome.problems] == [
        (2, "invalid JSON"),
        (3, "annotation 1: its text is not "),
        (4, '"doc_id" is not the sha256 of '),
        (6, "expected a JSON object"),
    ]
    assert len(outcome.documents) == 1


def test_prodigy_round_trip() -> None:
    doc = document()
    lines = lines_of(prodigy.write, [doc])
    tasks = [json.loads(line) for line in lines if line]
    assert {t["_annotator_id"] for t in tasks} == {"alice", "bob"}
    for task in tasks:
        for key in ("text", "spans", "answer", "_input_hash", "_task_hash", "_session_id"):
            assert key in task
        assert isinstance(task["_input_hash"], int) and isinstance(task["_timestamp"], int)
        assert all({"start", "end", "label"} <= set(s) for s in task["spans"])
    outcome = prodigy.read(lines, OPTIONS)
    assert not outcome.problems
    merged = merge_documents([outcome.documents])
    assert spans(merged[0]) == spans(doc)
    back = {a.label: a for a in merged[0].annotations}
    assert back["FACT"].note == "check it" and back["AGAINST"].target == "the port"
    assert back["AGAINST"].annotator == "bob"


def test_prodigy_rejected_tasks_and_bad_spans() -> None:
    lines = [
        json.dumps({"text": TEXT, "spans": [{"start": 0, "end": 3, "label": "FACT"}]}),
        json.dumps({"text": TEXT, "answer": "reject", "spans": []}),
        json.dumps({"text": TEXT, "spans": [{"start": 5, "end": 500, "label": "FACT"}]}),
        json.dumps({"text": TEXT, "spans": [{"start": 0, "end": 3, "label": "FACT", "text": "x"}]}),
    ]
    outcome = prodigy.read(lines, OPTIONS)
    assert outcome.skipped == 1 and len(outcome.documents) == 1
    assert [p.line for p in outcome.problems] == [3, 4]
    assert outcome.documents[0].annotations[0].annotator == "importer"


def test_doccano_round_trip() -> None:
    doc = document()
    lines = lines_of(doccano.write, [doc])
    assert json.loads(lines[0]) == {
        "text": TEXT,
        "label": [[0, 28, "FACT"], [20, 45, "AGAINST"], [70, 88, "OPINION"]],
        "meta": {"title": "Port"},
    }
    outcome = doccano.read(lines, OPTIONS)
    assert not outcome.problems and spans(outcome.documents[0]) == spans(doc)
    entities = {"text": TEXT, "entities": [{"start_offset": 0, "end_offset": 3, "label": "FACT"}]}
    assert doccano.read([json.dumps(entities)], OPTIONS).documents[0].annotations[0].end == 3
    bad = doccano.read([json.dumps({"text": TEXT, "label": ["FACT"]})], OPTIONS)
    assert bad.problems[0].line == 1 and "[start, end, label]" in bad.problems[0].message


def test_brat_round_trip_with_notes_and_line_breaks(tmp_path: Path) -> None:
    doc = document()
    brat.write([doc], tmp_path)
    stem = doc.doc_id[:16]
    assert (tmp_path / f"{stem}.txt").read_text(encoding="utf-8") == TEXT
    ann = (tmp_path / f"{stem}.ann").read_text(encoding="utf-8")
    assert "T2\tAGAINST 20 28;29 45\t" in ann  # cut at the line break
    assert "#1\tAnnotatorNotes T1\tcheck it" in ann
    assert "[entities]\nAGAINST\nFACT\nOPINION\n" in (tmp_path / "annotation.conf").read_text()
    outcome = brat.read(tmp_path, OPTIONS)
    assert not outcome.problems
    [back] = outcome.documents
    assert spans(back) == spans(doc)
    notes = {a.label: (a.note, a.target) for a in back.annotations}
    assert notes["FACT"] == ("check it", None) and notes["AGAINST"] == ("", "the port")


def test_brat_problems_name_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tFACT 0 3\tThe\nT2 broken\n#1\tAnnotatorNotes T9\tx\n")
    outcome = brat.read(tmp_path, OPTIONS)
    assert [str(p) for p in outcome.problems] == [
        "a.ann line 2: malformed text-bound annotation",
        "a.ann line 3: note refers to unknown T9",
    ]


@pytest.mark.parametrize("module", [native, prodigy, doccano])
def test_empty_input_reads_as_nothing(module) -> None:
    outcome = module.read(["", "  "], OPTIONS)
    assert outcome.documents == [] and outcome.problems == []


SNIFFED = [  # (file name, content, format for import, for agree, for review)
    ("a.jsonl", '{"text": "x", "annotations": []}\n', "native", "native", "native"),
    ("a.jsonl", '\n\n{"text": "x", "spans": []}\n', "prodigy", "prodigy", "prodigy"),
    ("a.jsonl", '{"_input_hash": 1, "text": "x"}\n', "prodigy", "prodigy", "prodigy"),
    ("a.jsonl", '\ufeff{"text": "x", "label": [[0, 1, "A"]]}\n', "doccano", "doccano", "doccano"),
    ("a.jsonl", '{"text": "x", "entities": []}\n', "doccano", "doccano", "doccano"),
    ("a.jsonl", '{"doc_id": "d", "start": 0, "label": "A"}\n', "doccano", "doccano", "native"),
    ("a.jsonl", "not json\n", "native", "native", "native"),
    ("a.jsonl", "", "native", "native", "native"),
    ("a.jsonl", '  {"_meta": {"1": {}}}', "native", "store", "store"),
    ("a.json", '{"text": "x", "spans": []}\n', "prodigy", "store", "store"),
]


@pytest.mark.parametrize(("name", "content", "for_import", "for_agree", "for_review"), SNIFFED)
def test_one_sniffer_for_every_command(
    tmp_path: Path, name: str, content: str, for_import: str, for_agree: str, for_review: str
) -> None:
    from reader.formats.detect import detect_format, detect_lines_format

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert detect_format(path) == for_import
    assert detect_lines_format(content.removeprefix("\ufeff").split("\n")) == for_import
    assert detect_format(path, stores=True) == for_agree
    assert detect_format(path, stores=True, records=True) == for_review
    assert detect_format(tmp_path, stores=True) == "brat"
