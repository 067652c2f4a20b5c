"""doccano exports in the shapes doccano 1.8 reads (issue 13): one annotator a file,
`meta` kept, `label` triples or relation-project `entities`, and overlapping spans
reported before export. `make interop` (tests/interop/doccano_roundtrip.py) uploads these
files to a real doccano 1.8.4 and compares what it exports back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import run
from format_support import make_store as make_native_store
from format_support import record, span

from reader.annotate.annotations import Speaker, make_annotation
from reader.corpus import text_id
from reader.store import AnnotationStore, StoredDocument

TEXT = "The harbour reopened on Monday.\nOfficials said repairs cost millions."
FACT = (0, 31)  # The harbour reopened on Monday.
AGAINST = (21, 54)  # on Monday.\nOfficials said repairs  (overlaps FACT, 33 characters)
OPINION = (32, 69)  # Officials said repairs cost millions.


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "tester")
    return tmp_path / "data"


def make_store(path: Path, annotator: str, spans: list[tuple[int, int, str]]) -> None:
    doc_id = text_id(TEXT)
    with AnnotationStore.open(path, annotator) as store:
        store.bulk(
            [StoredDocument(doc_id, TEXT, {"title": "Harbour"})],
            [
                make_annotation(TEXT, doc_id, s, e, "claim", label, annotator)
                for s, e, label in spans
            ],
        )


@pytest.fixture
def stores(tmp_path: Path) -> Path:
    make_store(tmp_path / "alice.json", "alice", [(*FACT, "FACT"), (*OPINION, "OPINION")])
    make_store(tmp_path / "bob.json", "bob", [(*FACT, "OPINION"), (*FACT, "FACT")])
    return tmp_path


def export_both(stores: Path, *options: str) -> tuple[int, str, str]:
    """`reader export --format doccano` of alice's and bob's stores together."""
    dbs = ["--db", str(stores / "alice.json"), "--db", str(stores / "bob.json")]
    return run("export", *dbs, "--format", "doccano", *options)


def test_two_annotators_are_refused_without_split(stores: Path) -> None:
    """Exporting two stores merged alice's FACT and bob's OPINION on one span into one
    `label` list and dropped repeats."""
    out = stores / "both.jsonl"
    code, _, err = export_both(stores, "-o", str(out))
    assert code == 2 and "2 annotators (alice, bob)" in err and "--split" in err, err
    assert not out.exists()


def test_split_writes_one_file_per_annotator_with_meta(stores: Path) -> None:
    folder = stores / "doccano"
    code, _, err = export_both(stores, "--split", "-o", str(folder))
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["alice.jsonl", "bob.jsonl"]
    [alice] = [json.loads(line) for line in (folder / "alice.jsonl").read_text().splitlines()]
    [bob] = [json.loads(line) for line in (folder / "bob.jsonl").read_text().splitlines()]
    assert alice == {
        "text": TEXT,
        "label": [[*FACT, "FACT"], [*OPINION, "OPINION"]],
        "meta": {"title": "Harbour"},
    }
    assert sorted(map(tuple, bob["label"])) == [(*FACT, "FACT"), (*FACT, "OPINION")]
    assert bob["meta"] == {"title": "Harbour"}
    code, _, err = run(
        "export", "--db", str(stores / "alice.json"), "--format", "doccano", "--split"
    )
    assert code == 2 and "-o DIR" in err


def test_entities_shape_for_relation_projects(stores: Path) -> None:
    code, out, err = run(
        "export", "--db", str(stores / "alice.json"), "--format", "doccano-entities"
    )
    assert code == 0, err
    [line] = out.splitlines()
    record = json.loads(line)
    assert list(record) == ["text", "entities", "relations", "meta"]
    assert record["entities"] == [
        {"id": 1, "label": "FACT", "start_offset": 0, "end_offset": 31},
        {"id": 2, "label": "OPINION", "start_offset": 32, "end_offset": 69},
    ]
    assert record["relations"] == [] and record["meta"] == {"title": "Harbour"}
    for entity in record["entities"]:
        assert TEXT[entity["start_offset"] : entity["end_offset"]]


def test_overlapping_spans_are_reported_before_export(tmp_path: Path) -> None:
    """doccano's default project (no overlapping spans) silently dropped 12 of 35 spans."""
    make_store(
        tmp_path / "carol.json",
        "carol",
        [(*FACT, "FACT"), (*AGAINST, "AGAINST"), (*OPINION, "OPINION")],
    )
    code, out, err = run("export", "--db", str(tmp_path / "carol.json"), "--format", "doccano")
    assert code == 0, err
    assert "carol's export has 2 overlapping pair(s)" in err and "--no-overlap" in err, err
    assert "0:31 FACT / 21:54 AGAINST" in err and "21:54 AGAINST / 32:69 OPINION" in err
    assert len(json.loads(out)["label"]) == 3  # reported, nothing dropped
    code, out, err = run(
        "export", "--db", str(tmp_path / "carol.json"), "--format", "doccano", "--no-overlap"
    )
    assert code == 0, err
    # OPINION (37 characters) is the longest; FACT does not overlap it; AGAINST goes
    assert json.loads(out)["label"] == [[*FACT, "FACT"], [*OPINION, "OPINION"]]
    dropped = [line for line in err.splitlines() if "--no-overlap dropped" in line]
    assert dropped == [
        "reader: warning: --no-overlap dropped carol's AGAINST at 21:54 "
        f"('on Monday.\\nOfficials said repairs') in {text_id(TEXT)[:16]}"
    ]


def test_doccano_export_imports_back_with_meta(stores: Path) -> None:
    out = stores / "alice.jsonl"
    code, _, err = run(
        "export", "--db", str(stores / "alice.json"), "--format", "doccano-entities", "-o", str(out)
    )
    assert code == 0, err
    code, _, err = run(
        "import", str(out), "--db", str(stores / "back.json"), "--annotator", "alice"
    )
    assert code == 0, err
    again = stores / "again.jsonl"
    code, _, err = run(
        "export",
        "--db",
        str(stores / "back.json"),
        "--format",
        "doccano-entities",
        "-o",
        str(again),
    )
    assert code == 0, err
    assert again.read_bytes() == out.read_bytes()


def test_what_doccano_cannot_hold_is_warned_about(tmp_path: Path) -> None:
    doc_id = text_id(TEXT)
    with AnnotationStore.open(tmp_path / "dan.json", "dan") as store:
        made = make_annotation(TEXT, doc_id, *FACT, "claim", "FACT", "dan", note="checked")
        store.bulk([StoredDocument(doc_id, TEXT, {})], [made])
    code, out, err = run("export", "--db", str(tmp_path / "dan.json"), "--format", "doccano")
    assert code == 0 and json.loads(out)["label"] == [[*FACT, "FACT"]]
    assert "1 annotation(s) have a note, target or holder, which doccano cannot hold" in err


# A quote's speaker that is no annotation's span is a `SPEAKER` entity of its own in the
# relation shape: here each overlaps a PERSON the annotator marked, and nothing else does.
SAID = 'Her deputy, Ana Lima, said "No comment." The mayor, Rui Sousa, said "Later."\n'


def doccano_keeps(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a doccano 1.8.4 project that does not allow overlapping spans keeps of a
    line's spans (its SpanCleaner): sorted by start, each that starts at or after the end
    of the last one kept."""
    kept: list[dict[str, Any]] = []
    for entity in sorted(entities, key=lambda e: e["start_offset"]):
        if not kept or entity["start_offset"] >= kept[-1]["end_offset"]:
            kept.append(entity)
    return kept


def said_store(tmp_path: Path) -> Path:
    def speaker(words: str) -> Speaker:
        return Speaker(*span(SAID, words), words)

    records = [
        record(SAID, "Ana Lima", "entity", "PERSON", 1),
        record(SAID, '"No comment."', "quote", "QUOTE", 2, speaker=speaker("Her deputy, Ana Lima")),
        record(SAID, "The mayor, Rui Sousa", "entity", "PERSON", 3),
        record(SAID, '"Later."', "quote", "QUOTE", 4, speaker=speaker("Rui Sousa")),
    ]
    return make_native_store(tmp_path, [(SAID, {}, records)])


def test_overlaps_of_the_speakers_own_spans_are_reported(tmp_path: Path) -> None:
    """The warning counted only the annotations: doccano dropped two of these six spans
    (and with them the relations to them) while reader said nothing."""
    db = said_store(tmp_path)
    code, out, err = run("export", "--db", str(db), "--format", "doccano-entities")
    assert code == 0, err
    entities = json.loads(out)["entities"]
    lost = [e for e in entities if e not in doccano_keeps(entities)]
    assert {(SAID[e["start_offset"] : e["end_offset"]], e["label"]) for e in lost} == {
        ("Ana Lima", "PERSON"),
        ("Rui Sousa", "SPEAKER"),
    }
    assert "alice's export has 2 overlapping pair(s)" in err, err
    assert "SPEAKER / " in err and "PERSON / " in err
    code, out, err = run("export", "--db", str(db), "--format", "doccano")
    assert code == 0 and "overlapping" not in err  # the label shape holds no speakers


def test_no_overlap_drops_speakers_spans_too_and_the_relations_hold(tmp_path: Path) -> None:
    db = said_store(tmp_path)
    code, out, err = run(
        "export", "--db", str(db), "--format", "doccano-entities", "--no-overlap"
    )
    assert code == 0, err
    line = json.loads(out)
    assert doccano_keeps(line["entities"]) == sorted(
        line["entities"], key=lambda e: e["start_offset"]
    )  # nothing left for doccano to drop
    by_id = {e["id"]: SAID[e["start_offset"] : e["end_offset"]] for e in line["entities"]}
    said = {(by_id[r["from_id"]], by_id[r["to_id"]]) for r in line["relations"]}
    assert said == {('"No comment."', "Her deputy, Ana Lima")}  # the longer span won
    dropped = [line for line in err.splitlines() if "--no-overlap dropped" in line]
    assert len(dropped) == 2 and "PERSON at 12:20 ('Ana Lima')" in dropped[0]
    assert "SPEAKER at 52:61 ('Rui Sousa')" in dropped[1]
    assert "the quote is kept without it" in dropped[1]
