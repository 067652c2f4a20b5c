"""`reader import` never lets a record into a store that the store would refuse.

Every importer checks each record with the store's own codec (JSON booleans are not
offsets, spans fit their text, the span text is the text at its offsets); a bad record
is a line problem, so the file is refused (exit 2, the store untouched) or, with
--skip-bad, the rest is imported. Hostile JSON (lone surrogates, deep nesting, 5,000
digit numbers) is one line, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run

from reader.corpus import text_id
from reader.store import AnnotationStore

READER = [sys.executable, "-m", "reader.cli"]
HARBOUR = "The harbour reopened on Monday.\n"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "tester")
    return tmp_path / "data"




def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def good_store(path: Path) -> None:
    line = json.dumps({"text": HARBOUR, "label": [[0, 11, "FACT"]]})
    source = path.with_suffix(".seed.jsonl")
    source.write_text(line + "\n")
    code, _, err = run("import", str(source), "--db", str(path))
    assert code == 0, err
    source.unlink()


# The exact printf of issue 10, and the same record with the JSON escape `\\n` it meant
# (printf turns the `\n` inside the JSON string into a real line break).
PRINTFS = {
    "doccano label": r'{"text": "The harbour reopened on Monday.\n", "label": [[false, true, "FACT"]]}\n',
    "doccano entities": (
        r'{"text": "The harbour reopened on Monday.\n", "entities": '
        r'[{"start_offset": false, "end_offset": true, "label": "FACT"}]}\n'
    ),
    "prodigy spans": (
        r'{"text": "The harbour reopened on Monday.\n", "spans": '
        r'[{"start": false, "end": true, "label": "FACT"}], "answer": "accept"}\n'
    ),
    "native": (
        r'{"text": "The harbour reopened on Monday.\n", "annotations": [{"doc_id": "'
        + text_id(HARBOUR)
        + r'", "start": false, "end": true, "text": "T", "kind": "claim", "label": "FACT",'
        r' "annotator": "tester"}]}\n'
    ),
}


@pytest.mark.parametrize("escaped", [False, True], ids=["exact", "json-escape"])
@pytest.mark.parametrize("name", list(PRINTFS))
def test_issue_printf_is_refused_and_the_store_is_unchanged(
    tmp_path: Path, name: str, escaped: bool
) -> None:
    store = tmp_path / "s.json"
    good_store(store)
    before = files_of(tmp_path)
    fmt = PRINTFS[name].replace(r"\n", r"\\n", 1) if escaped else PRINTFS[name]
    subprocess.run(["sh", "-c", f"printf '{fmt}' > b.jsonl"], cwd=tmp_path, check=True)
    result = subprocess.run(
        [*READER, "import", "b.jsonl", "--db", "s.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "nothing imported" in result.stderr and "line 1" in result.stderr
    after = files_of(tmp_path)
    del after["b.jsonl"]
    assert after == before
    # and the store still opens and exports
    assert subprocess.run([*READER, "export", "--db", "s.json"], cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ({"text": HARBOUR, "label": [[0, True, "FACT"]]}, "label 1: start and end"),
        ({"text": HARBOUR, "label": [[0.0, 3, "FACT"]]}, "label 1: start and end"),
        ({"text": HARBOUR, "label": [[0, 3, ""]]}, "label 1: the label"),
        ({"text": HARBOUR, "label": [[0, 3, "two words"]]}, "label 1: annotation label"),
        ({"text": HARBOUR, "label": [[0, 3, "FA\nCT"]]}, "label 1: annotation label"),
        (
            {"text": HARBOUR, "spans": [{"start": 0, "end": 3, "label": "\u001b[2J"}]},
            "span 1: annotation label",
        ),
        ({"text": HARBOUR, "spans": [{"start": 0, "end": 3, "label": 5}]}, "span 1: missing label"),
        (
            {"text": HARBOUR, "spans": [{"start": 0, "end": 3, "label": "F", "note": 3}]},
            "span 1: note must be a string",
        ),
        (
            {"text": HARBOUR, "spans": [{"start": 0, "end": 99, "label": "FACT"}]},
            "span 1: start and end",
        ),
    ],
)
def test_each_bad_record_is_a_line_problem(tmp_path: Path, line: dict, problem: str) -> None:
    path = tmp_path / "bad.jsonl"
    first: dict = {"text": HARBOUR, "label": [[0, 3, "FACT"]]}
    if "spans" in line:
        first = {"text": HARBOUR, "spans": [{"start": 0, "end": 3, "label": "FACT"}]}
    path.write_text(json.dumps(first) + "\n")
    with path.open("a") as out:
        out.write(json.dumps(line) + "\n")
    code, _, err = run("import", str(path), "--db", str(tmp_path / "s.json"))
    assert code == 2 and f"line 2: {problem}" in err, err
    assert not (tmp_path / "s.json").exists()
    code, _, err = run("import", str(path), "--db", str(tmp_path / "s.json"), "--skip-bad")
    assert code == 0, err
    with AnnotationStore.open(tmp_path / "s.json", read_only=True) as store:
        assert [(a.start, a.end) for a in store] == [(0, 3)]


NATIVE_OK = {
    "doc_id": text_id(HARBOUR),
    "start": 0,
    "end": 11,
    "text": "The harbour",
    "kind": "claim",
    "label": "FACT",
    "annotator": "tester",
}


@pytest.mark.parametrize("field", ["note", "label", "annotator", "meta", "text"])
def test_a_lone_surrogate_is_refused_with_its_line(tmp_path: Path, field: str) -> None:
    record = dict(NATIVE_OK)
    document: dict = {"text": HARBOUR, "meta": {}, "annotations": [record]}
    if field == "meta":
        document["meta"] = {"title": "SURROGATE"}
    elif field == "text":
        document["text"] = "SURROGATE" + HARBOUR
        record["doc_id"] = "SURROGATE"
    else:
        record[field] = "SURROGATE"
    line = json.dumps(document).replace("SURROGATE", "x\\ud800")
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"text": "A good line first.", "annotations": []}) + "\n" + line)
    store = tmp_path / "s.json"
    code, _, err = run("import", str(path), "--db", str(store))
    assert code == 2, err
    assert "line 2: a lone surrogate" in err and "Traceback" not in err
    assert not store.exists()
    code, _, err = run("import", str(path), "--db", str(store), "--skip-bad")
    assert code == 0 and "line 2" in err
    with AnnotationStore.open(store, read_only=True) as opened:
        assert len(opened) == 0


@pytest.mark.parametrize(
    "line",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"text": "' + HARBOUR.strip() + '", "meta": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"text": "abc", "label": [[0, ' + "9" * 5000 + ', "FACT"]]}',
        '{"text": "abc", "meta": {"n": ' + "9" * 5000 + "}}",
    ],
    ids=["nested", "nested-meta", "digits-offset", "digits-meta"],
)
@pytest.mark.parametrize("fmt", ["native", "doccano", "prodigy"])
def test_hostile_json_is_one_line_not_a_traceback(tmp_path: Path, line: str, fmt: str) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(line + "\n")
    result = subprocess.run(
        [*READER, "import", str(path), "--format", fmt, "--db", str(tmp_path / "s.json")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "line 1:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "s.json").exists()


def test_format_guess_survives_hostile_first_line(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text("[" * 100_000 + "\n")
    code, _, err = run("import", str(path), "--db", str(tmp_path / "s.json"))
    assert code == 2 and "line 1: invalid JSON" in err


def test_a_repeated_annotation_id_is_refused_not_silently_merged(tmp_path: Path) -> None:
    record = dict(NATIVE_OK, id="11111111-1111-4111-8111-111111111111")
    other = "Officials said repairs cost millions."
    twin = dict(record, doc_id=text_id(other), start=0, end=9, text="Officials", label="OPINION")
    lines = [
        json.dumps({"text": HARBOUR, "annotations": [record]}),
        json.dumps({"text": other, "annotations": [twin]}),
        json.dumps({"text": "Rents rose.", "annotations": []}),
    ]
    path = tmp_path / "twins.jsonl"
    path.write_text("\n".join(lines) + "\n")
    store = tmp_path / "s.json"
    code, _, err = run("import", str(path), "--db", str(store))
    assert code == 2 and "line 2: annotation id 11111111" in err and "on line 1" in err
    assert not store.exists()
    code, _, err = run("import", str(path), "--db", str(store), "--skip-bad")
    assert code == 0 and "imported 1 annotation(s)" in err, err
    with AnnotationStore.open(store, read_only=True) as opened:
        assert [(a.label, a.start) for a in opened] == [("FACT", 0)]


def test_a_time_that_is_not_iso_8601_is_refused(tmp_path: Path) -> None:
    record = dict(NATIVE_OK, created="yesterday", updated="garbage")
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"text": HARBOUR, "annotations": [record]}) + "\n")
    code, _, err = run("import", str(path), "--db", str(tmp_path / "s.json"))
    assert code == 2 and "line 1: annotation 1: annotation field 'created'" in err, err


def test_a_stored_bad_time_does_not_break_a_prodigy_export(tmp_path: Path) -> None:
    from reader.store import snapshot

    record = dict(
        NATIVE_OK,
        id="22222222-2222-4222-8222-222222222222",
        created="garbage",
        updated="garbage",
        target=None,
        holder=None,
        note="",
        prefix="",
        suffix="",
    )
    doc_id = record["doc_id"]
    tables = {
        "_meta": {"1": {"format": "reader-annotations", "version": 1, "generation": 1}},
        "documents": {doc_id: {"text": HARBOUR, "meta": {}}},
        "annotations": {doc_id: {"doc_id": doc_id, "count": 1, "records": json.dumps([record])}},
    }
    (tmp_path / "old.json").write_bytes(snapshot.dump(tables))
    code, out, err = run("export", "--db", str(tmp_path / "old.json"), "--format", "prodigy")
    assert code in (0, 2) and "Traceback" not in err
    if code == 0:
        assert json.loads(out)["_timestamp"] == 0


# --- native annotations that leave out who made them or where they are ------------------
@pytest.mark.parametrize("left_out", ["annotator", "doc_id", "both"])
def test_a_native_annotation_that_names_no_annotator_or_document_is_filled_in(
    tmp_path: Path, left_out: str
) -> None:
    """Such a record used to reach the store (so every later read refused the store) or
    crash the import with a KeyError; it belongs to the line's document and the store's
    annotator, and gets the context re-anchoring needs."""
    record = {"doc_id": text_id(HARBOUR), "start": 4, "end": 11, "text": "harbour"}
    record |= {"kind": "claim", "label": "FACT", "annotator": "tester"}
    for name in ("annotator", "doc_id") if left_out == "both" else (left_out,):
        del record[name]
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": HARBOUR, "annotations": [record]}) + "\n")
    code, _, err = run("import", str(source), "--db", str(tmp_path / "s.json"))
    assert code == 0, err
    code, out, err = run("export", "--db", str(tmp_path / "s.json"))
    assert code == 0, err
    [exported] = json.loads(out)["annotations"]
    assert exported["annotator"] == "tester" and exported["doc_id"] == text_id(HARBOUR)
    assert (exported["prefix"], exported["suffix"]) == ("The ", " reopened on Monday.\n")
