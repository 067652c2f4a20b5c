"""Entity annotations exported as NER training data, and quotes with their speakers as
relations (issue 14), checked against the real tools' parsers: spaCy (`Doc.char_span` on
`spacy.blank("en")`, `DocBin`, its IOB reader), bratly, Python's csv module, and UTF-16
offsets counted by Python's own UTF-16 codec (as JavaScript counts them)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_support import run
from format_support import bratly_read, make_store, record, span, utf16, utf16_slice

from reader.annotate.annotations import Speaker
from reader.store import AnnotationStore

spacy = pytest.importorskip("spacy", reason="spaCy is in the test extra: pip install -e '.[test]'")
from spacy.tokens import Doc, DocBin  # noqa: E402
from spacy.training import biluo_tags_to_spans, iob_to_biluo  # noqa: E402

TEXT = (
    'Maria Costa said "We will reopen the harbour 🚢 in Lisbon." Officials of the EU agreed.\n'
    'Her deputy, João Silva, said "No comment."\n'
    "The 👨‍👩‍👧 family from Zürich cheered."
)
QUOTE = '"We will reopen the harbour 🚢 in Lisbon."'
NO_COMMENT = '"No comment."'
ENTITIES = [("Maria Costa", "PERSON"), ("Lisbon", "GPE"), ("EU", "ORG")]
ENTITIES += [("João Silva", "PERSON"), ("Zürich", "GPE")]
LABEL_KINDS = [
    arg
    for label, kind in [
        ("PERSON", "entity"),
        ("GPE", "entity"),
        ("ORG", "entity"),
        ("QUOTE", "quote"),
    ]
    for arg in ("--label-kind", f"{label}={kind}")
]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "alice")
    return tmp_path / "data"


def speaker(words: str) -> Speaker:
    start, end = span(TEXT, words)
    return Speaker(start, end, words)


def records(extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """alice's entities, a claim, and two quotes: one said by an entity she marked
    (Maria Costa), one by a span that is no entity (Her deputy)."""
    made = [record(TEXT, w, "entity", label, n) for n, (w, label) in enumerate(ENTITIES, 1)]
    made.append(record(TEXT, "Officials of the EU agreed.", "claim", "FACT", 10))
    made.append(record(TEXT, QUOTE, "quote", "QUOTE", 11, speaker=speaker("Maria Costa")))
    made.append(record(TEXT, NO_COMMENT, "quote", "QUOTE", 12, speaker=speaker("Her deputy")))
    return made + (extra or [])


def store(tmp_path: Path, extra: list[dict[str, Any]] | None = None) -> Path:
    return make_store(tmp_path, [(TEXT, {"title": "Harbour"}, records(extra))])


def export(db: Path, fmt: str, out: Path, *options: str) -> str:
    code, _, err = run("export", "--db", str(db), "--format", fmt, "-o", str(out), *options)
    assert code == 0, err
    return err


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def entity_spans() -> set[tuple[int, int, str]]:
    return {(*span(TEXT, words), label) for words, label in ENTITIES}


def stored_quotes(db: Path) -> dict[str, tuple[str, str | None]]:
    """quote text -> (kind, its speaker's text) in a store."""
    with AnnotationStore.open(db, read_only=True) as opened:
        [doc_id] = opened.document_ids()
        found = {}
        for r in opened.records(doc_id):
            if r["label"] == "QUOTE":
                found[r["text"]] = (r["kind"], (r.get("speaker") or {}).get("text"))
        return found


# --- spaCy -----------------------------------------------------------------------------


def test_spacy_export_loads_in_spacy_and_makes_a_docbin(tmp_path: Path) -> None:
    out = tmp_path / "train.jsonl"
    err = export(store(tmp_path), "spacy", out, "--kind", "entity")
    [line] = lines(out)
    assert set(line) == {"text", "entities"} and line["text"] == TEXT
    assert {tuple(e) for e in line["entities"]} == entity_spans()
    nlp = spacy.blank("en")
    doc = nlp.make_doc(line["text"])
    spans = [doc.char_span(s, e, label=label) for s, e, label in line["entities"]]
    assert all(s is not None for s in spans)
    doc.ents = spans  # the snippet in docs/FORMATS.md: no overlap, every span made
    path = tmp_path / "train.spacy"
    DocBin(docs=[doc]).to_disk(path)
    [back] = DocBin().from_disk(path).get_docs(nlp.vocab)
    assert {(e.start_char, e.end_char, e.label_) for e in back.ents} == entity_spans()
    assert "left out" not in err


def test_spacy_export_lists_and_leaves_out_what_spacy_cannot_make(tmp_path: Path) -> None:
    cut = record(TEXT, "Offic", "entity", "ORG", 20)  # ends inside a word
    inner = record(TEXT, "Costa", "entity", "NORP", 21)  # inside Maria Costa
    out = tmp_path / "train.jsonl"
    err = export(store(tmp_path, [cut, inner]), "spacy", out, "--kind", "entity")
    [line] = lines(out)
    assert {tuple(e) for e in line["entities"]} == entity_spans()  # offsets never moved
    warnings = [w for w in err.splitlines() if "left out" in w]
    assert len(warnings) == 2
    assert f'{cut["start"]}:{cut["end"]} "Offic": not on spaCy token boundaries' in warnings[1]
    assert f'{inner["start"]}:{inner["end"]} "Costa": overlaps an earlier entity' in warnings[0]
    doc = spacy.blank("en").make_doc(TEXT)
    assert doc.char_span(cut["start"], cut["end"]) is None  # spaCy agrees


def test_prodigy_ner_tasks_have_token_indices_spacy_agrees_with(tmp_path: Path) -> None:
    out = tmp_path / "ner.jsonl"
    export(store(tmp_path), "prodigy", out, "--kind", "entity")
    [task] = lines(out)
    assert {(s["start"], s["end"], s["label"]) for s in task["spans"]} == entity_spans()
    assert {s["kind"] for s in task["spans"]} == {"entity"}
    nlp = spacy.blank("en")
    blank = nlp.make_doc(TEXT)
    tokens = task["tokens"]
    own = Doc(nlp.vocab, words=[t["text"] for t in tokens], spaces=[t["ws"] for t in tokens])
    for s in task["spans"]:
        assert blank.char_span(s["start"], s["end"], label=s["label"]) is not None
        found = own.char_span(s["start"], s["end"], label=s["label"])
        assert found is not None and found.text == s["text"]
        assert (found.start, found.end - 1) == (s["token_start"], s["token_end"])


def test_conll_of_entities_reads_back_in_spacys_iob_reader(tmp_path: Path) -> None:
    out = tmp_path / "ner.conll"
    export(store(tmp_path), "conll", out, "--kind", "entity")
    rows = [r.split("\t") for r in out.read_text(encoding="utf-8").splitlines()[2:] if r]
    words, tags = [w for w, _ in rows], [t for _, t in rows]
    assert {t[2:] for t in tags if t != "O"} == {"PERSON", "GPE", "ORG"}  # no claims, quotes
    doc = Doc(spacy.blank("en").vocab, words=words)
    found = {(s.text, s.label_) for s in biluo_tags_to_spans(doc, iob_to_biluo(tags))}
    assert found == set(ENTITIES)


# --- quotes and speakers as relations --------------------------------------------------


def test_brat_quotes_and_speakers_parse_with_bratly_and_come_back(tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    export(store(tmp_path), "brat", folder)
    [(document, entities, _, relations)] = bratly_read(folder / "alice")
    [ann_path] = list((folder / "alice").glob("*.ann"))
    text = document.get_txt_content()
    assert text == TEXT
    for entity in entities:
        [fragment] = entity.fragments
        assert text[fragment.start : fragment.end] == entity.content
    said = {
        (r.argument1[1].content, r.argument2[1].content, r.argument2[1].label)
        for r in relations
        if r.label == "Speaker"
    }
    assert said == {(QUOTE, "Maria Costa", "PERSON"), (NO_COMMENT, "Her deputy", "SPEAKER")}
    assert {r.argument1[0] for r in relations} == {"Arg1"}
    conf = (folder / "alice" / "annotation.conf").read_text(encoding="utf-8")
    assert "[relations]\nSpeaker\tArg1:QUOTE, Arg2:PERSON|SPEAKER\n" in conf
    assert "\nSPEAKER\n" in conf.split("[relations]")[0]

    again = tmp_path / "again.json"
    code, _, err = run("import", str(folder), "--db", str(again), *LABEL_KINDS)
    assert code == 0, err
    assert stored_quotes(again) == {
        QUOTE: ("quote", "Maria Costa"),
        NO_COMMENT: ("quote", "Her deputy"),
    }
    second = tmp_path / "brat2"
    export(again, "brat", second)
    assert (second / "alice" / ann_path.name).read_bytes() == ann_path.read_bytes()
    assert (second / "alice" / "annotation.conf").read_text(encoding="utf-8") == conf


def test_doccano_relations_point_at_the_quote_and_speaker_in_utf16(tmp_path: Path) -> None:
    out = tmp_path / "doccano.jsonl"
    export(store(tmp_path), "doccano-entities", out, "--offsets", "utf16")
    [line] = lines(out)
    by_id = {e["id"]: e for e in line["entities"]}
    assert len(by_id) == len(line["entities"])

    def shown(entity: dict[str, Any]) -> str:  # as doccano's page slices the text
        return utf16_slice(line["text"], entity["start_offset"], entity["end_offset"])

    said = {
        (shown(by_id[r["from_id"]]), shown(by_id[r["to_id"]]), by_id[r["to_id"]]["label"])
        for r in line["relations"]
    }
    assert said == {(QUOTE, "Maria Costa", "PERSON"), (NO_COMMENT, "Her deputy", "SPEAKER")}
    assert all(set(r) == {"id", "from_id", "to_id", "type"} for r in line["relations"])
    assert {r["type"] for r in line["relations"]} == {"speaker"}
    zurich = next(e for e in line["entities"] if shown(e) == "Zürich")
    assert zurich["start_offset"] == utf16(TEXT, TEXT.index("Zürich")) != TEXT.index("Zürich")

    again = tmp_path / "again.json"
    code, _, err = run(
        "import", str(out), "--format", "doccano", "--offsets", "utf16", "--db", str(again),
        *LABEL_KINDS,
    )  # fmt: skip
    assert code == 0, err
    assert stored_quotes(again) == {
        QUOTE: ("quote", "Maria Costa"),
        NO_COMMENT: ("quote", "Her deputy"),
    }
    second = tmp_path / "second.jsonl"
    export(again, "doccano-entities", second, "--offsets", "utf16")
    assert second.read_bytes() == out.read_bytes()


def test_label_studio_relation_results_point_at_the_regions(tmp_path: Path) -> None:
    out = tmp_path / "ls.json"
    export(store(tmp_path), "label-studio", out, "--offsets", "utf16")
    [task] = json.loads(out.read_text(encoding="utf-8"))
    [entry] = task["annotations"]
    regions = {r["id"]: r for r in entry["result"] if r["type"] == "labels"}
    relations = [r for r in entry["result"] if r["type"] == "relation"]

    def shown(region: dict[str, Any]) -> str:
        value = region["value"]
        assert utf16_slice(TEXT, value["start"], value["end"]) == value["text"]
        return value["text"]

    said = {
        (shown(regions[r["from_id"]]), shown(regions[r["to_id"]]), tuple(r["labels"]))
        for r in relations
    }
    assert said == {(QUOTE, "Maria Costa", ("speaker",)), (NO_COMMENT, "Her deputy", ("speaker",))}
    again = tmp_path / "again.json"
    code, _, err = run("import", str(out), "--offsets", "utf16", "--db", str(again))
    assert code == 0, err
    assert stored_quotes(again) == {
        QUOTE: ("quote", "Maria Costa"),
        NO_COMMENT: ("quote", "Her deputy"),
    }


def test_csv_speaker_columns_and_native_speaker_field(tmp_path: Path) -> None:
    db = store(tmp_path)
    out = tmp_path / "rows.csv"
    export(db, "csv", out)
    content = out.read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    header = content.split("\r\n", 1)[0].split(",")
    assert header[-3:] == ["speaker_start", "speaker_end", "speaker"]
    quotes = {r["text"]: r for r in rows if r["kind"] == "quote"}
    for quote, who in [(QUOTE, "Maria Costa"), (NO_COMMENT, "Her deputy")]:
        row = quotes[quote]
        assert TEXT[int(row["speaker_start"]) : int(row["speaker_end"])] == row["speaker"] == who
    assert all(r["speaker_start"] == r["speaker"] == "" for r in rows if r["kind"] != "quote")

    native = tmp_path / "native.jsonl"
    export(db, "native", native)
    code, _, err = run(
        "import", str(out), "--docs", str(native), "--db", str(tmp_path / "from-csv.json")
    )
    assert code == 0, err
    assert stored_quotes(tmp_path / "from-csv.json") == {
        QUOTE: ("quote", "Maria Costa"),
        NO_COMMENT: ("quote", "Her deputy"),
    }
    [line] = lines(native)
    spoken = {a["text"]: a["speaker"] for a in line["annotations"] if "speaker" in a}
    start, end = span(TEXT, "Maria Costa")
    assert spoken[QUOTE] == {"start": start, "end": end, "text": "Maria Costa"}


# --- options ---------------------------------------------------------------------------


def test_import_label_kind_gives_labels_their_kinds(tmp_path: Path) -> None:
    out = tmp_path / "doccano.jsonl"
    export(store(tmp_path), "doccano", out)
    code, _, err = run("import", str(out), "--db", str(tmp_path / "a.json"), *LABEL_KINDS)
    assert code == 0, err
    with AnnotationStore.open(tmp_path / "a.json", read_only=True) as opened:
        [doc_id] = opened.document_ids()
        kinds = {r["label"]: r["kind"] for r in opened.records(doc_id)}
    assert kinds == {"PERSON": "entity", "GPE": "entity", "ORG": "entity", "QUOTE": "quote",
                     "FACT": "claim"}  # fmt: skip
    code, _, err = run(
        "import", str(out), "--db", str(tmp_path / "b.json"), "--label-kind", "X=ner"
    )
    assert code == 2
    assert err.strip().splitlines() == [
        "reader: error: --label-kind X=ner: expected LABEL=KIND, KIND one of claim, stance, "
        "entity, quote"
    ]
    assert not (tmp_path / "b.json").exists()


def test_export_kind_keeps_only_that_kind(tmp_path: Path) -> None:
    out = tmp_path / "doccano.jsonl"
    export(store(tmp_path), "doccano", out, "--kind", "quote")
    [line] = lines(out)
    assert sorted(TEXT[s:e] for s, e, _ in line["label"]) == sorted([QUOTE, NO_COMMENT])


def test_without_spacy_the_export_says_so_and_checks_readers_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut = record(TEXT, "Offic", "entity", "ORG", 20)
    db = store(tmp_path, [cut])
    monkeypatch.setitem(sys.modules, "spacy", None)  # `import spacy` raises ImportError
    out = tmp_path / "train.jsonl"
    err = export(db, "spacy", out, "--kind", "entity")
    assert "spaCy is not installed here: spans were checked against reader's tokens" in err
    assert "left out" in err and '"Offic": not on spaCy token boundaries' in err
    [line] = lines(out)
    assert {tuple(e) for e in line["entities"]} == entity_spans()


def test_export_kind_is_refused_for_native(tmp_path: Path) -> None:
    code, _, err = run("export", "--db", str(store(tmp_path)), "--kind", "entity")
    assert code == 2
    assert err.strip() == (
        "reader: error: --kind applies to the foreign formats; native exports the whole store"
    )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("R1\tSpeaker Arg1:T3 Arg2:T9", "line 7: relation refers to unknown T9"),
        ("R1\tSpeaker Arg1:T2 Arg2:T1\nR2\tSpeaker Arg1:T2 Arg2:T3", "a second Speaker relation"),
    ],
)
def test_a_brat_speaker_relation_that_cannot_be_read_is_refused(
    tmp_path: Path, line: str, problem: str
) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "doc.txt").write_text(TEXT, encoding="utf-8")
    t_lines = [
        f"T1\tPERSON {span(TEXT, 'Maria Costa')[0]} {span(TEXT, 'Maria Costa')[1]}\tMaria Costa",
        f"T2\tQUOTE {span(TEXT, NO_COMMENT)[0]} {span(TEXT, NO_COMMENT)[1]}\t{NO_COMMENT}",
        f"T3\tPERSON {span(TEXT, 'João Silva')[0]} {span(TEXT, 'João Silva')[1]}\tJoão Silva",
        "", "", "",
    ]  # fmt: skip
    (folder / "doc.ann").write_text("\n".join([*t_lines, line]) + "\n", encoding="utf-8")
    db = tmp_path / "b.json"
    code, _, err = run("import", str(folder), "--db", str(db))
    assert code == 2 and problem in err and "nothing imported" in err
    assert not db.exists()


def test_a_doccano_relation_to_an_unknown_entity_is_refused(tmp_path: Path) -> None:
    start, end = span(TEXT, NO_COMMENT)
    line = {
        "text": TEXT,
        "entities": [{"id": 7, "label": "QUOTE", "start_offset": start, "end_offset": end}],
        "relations": [{"id": 1, "from_id": 7, "to_id": 8, "type": "speaker"}],
    }
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, err = run("import", str(path), "--format", "doccano", "--db", str(tmp_path / "d.json"))
    assert code == 2
    assert "line 1: a speaker relation refers to 8, which is not a span" in err
