"""brat exports that brat accepts, checked with bratly (an independent brat parser from
PyPI), and brat folders read the way brat's server reads them (issue 13).

brat's server (`server/src/annotation.py`) reads the `.txt` with newline translation
(`\\r\\n` is one character), reads the `.ann` a line at a time (`str.splitlines`), and
requires a T line's text to be the text at its fragments joined by one space; bratly
reads a T line's text up to its next tab and checks it against the `.txt` read with
Python's universal newlines.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bratly import EntityAnnotation, ParsingError
from cli_support import run
from format_support import bratly_read

from reader.annotate.annotations import make_annotation
from reader.corpus import text_id
from reader.store import AnnotationStore, StoredDocument

# Double spaces, a tab, a no-break space, an emoji with a skin tone, a combining mark,
# line breaks.
TEXT = (
    "Prices  rose\tsharply on Monday.\n"
    "The\u00a0bank said 👍🏽 the café\u0301 would stay open.\n"
    "\n"
    "Officials disagreed."
)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "tester")
    return tmp_path / "data"


def span(words: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def make_store(path: Path, annotator: str, spans: list[tuple[int, int, str]], **extra) -> None:
    doc_id = text_id(TEXT)
    with AnnotationStore.open(path, annotator) as store:
        store.bulk(
            [StoredDocument(doc_id, TEXT, {"title": "Prices"})],
            [
                make_annotation(TEXT, doc_id, s, e, "claim", label, annotator, **extra)
                for s, e, label in spans
            ],
        )


def conf_labels(folder: Path) -> list[str]:
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    sections = conf.split("\n\n")
    assert sections[0].startswith("[entities]\n")
    assert [s.split("\n", 1)[0] for s in sections[1:]] == [
        "[relations]",
        "[events]",
        "[attributes]",
    ]
    return sections[0].split("\n")[1:]


def run_export(tmp_path: Path, *stores: str, out: str = "brat") -> tuple[int, str, str]:
    """`reader export --format brat` of the `stores` in `tmp_path` into `tmp_path/out`."""
    args = [a for name in stores for a in ("--db", str(tmp_path / name))]
    return run("export", *args, "--format", "brat", "-o", str(tmp_path / out))


def export(tmp_path: Path, *stores: str, out: str = "brat") -> Path:
    code, _, err = run_export(tmp_path, *stores, out=out)
    assert code == 0, err
    return tmp_path / out


def test_whitespace_tabs_and_marks_are_exact_and_bratly_accepts_them(tmp_path: Path) -> None:
    """(b) The T line's text was whitespace-collapsed (`Prices rose sharply` for
    `Prices  rose\\tsharply`, a no-break space made a space): brat and bratly refused it."""
    words = ["Prices  rose\tsharply", "The\u00a0bank said 👍🏽 the café\u0301"]
    make_store(tmp_path / "alice.json", "alice", [(*span(w), "FACT") for w in words])
    folder = export(tmp_path, "alice.json") / "alice"
    [(document, entities, _, _)] = bratly_read(folder)
    assert document.get_txt_content() == TEXT
    by_start = {e.fragments[0].start: e for e in entities}
    tabbed = by_start[0]
    assert [(f.start, f.end) for f in tabbed.fragments] == [(0, 12), (13, 20)]
    assert tabbed.content == "Prices  rose sharply"  # the tab is the fragments' gap
    marked = by_start[TEXT.index("The")]
    assert marked.content == "The\u00a0bank said 👍🏽 the café\u0301"
    assert [(f.start, f.end) for f in marked.fragments] == [span(words[1])]
    assert conf_labels(folder) == ["FACT"]


def test_spans_on_and_across_line_breaks_come_back_exactly(tmp_path: Path) -> None:
    """(c) A span that started or ended on a line break moved by one character on the
    way out and stayed moved on the way back."""
    starts_on_break = (TEXT.index("\nThe"), TEXT.index("\u00a0bank"))
    ends_on_break = (TEXT.index("The"), TEXT.index("\n\nOfficials") + 1)
    across = span("open.\n\nOfficials")
    spans = [(*starts_on_break, "FACT"), (*ends_on_break, "OPINION"), (*across, "FACT")]
    make_store(tmp_path / "alice.json", "alice", spans)
    folder = export(tmp_path, "alice.json")
    [(_, entities, _, _)] = bratly_read(folder / "alice")
    fragments = sorted([(f.start, f.end) for f in e.fragments] for e in entities)
    assert fragments == sorted(
        [
            [(starts_on_break[0],) * 2, (starts_on_break[0] + 1, starts_on_break[1])],
            [(ends_on_break[0], ends_on_break[1] - 1), (ends_on_break[1],) * 2],
            [(across[0], across[0] + 5), (across[1] - 9, across[1])],
        ]
    )
    code, _, err = run("import", str(folder), "--split-by-annotator", str(tmp_path / "back"))
    assert code == 0, err
    with AnnotationStore.open(tmp_path / "back" / "alice.json", read_only=True) as store:
        back = sorted((r["start"], r["end"], r["label"]) for r in store.records(text_id(TEXT)))
    assert back == sorted(spans)


def test_notes_targets_and_holders_keep_tabs_and_line_breaks(tmp_path: Path) -> None:
    """(d) Notes and targets with tabs or newlines were flattened."""
    note = "checked\twith the port,\nthen\r\nagain \\ twice\u2028end"
    doc_id = text_id(TEXT)
    with AnnotationStore.open(tmp_path / "alice.json", "alice") as store:
        made = make_annotation(
            TEXT,
            doc_id,
            0,
            6,
            "stance",
            "AGAINST",
            "alice",
            note=note,
            target="the\tport\nauthority",
            holder="Maria\nCosta",
        )
        store.bulk([StoredDocument(doc_id, TEXT, {})], [made])
    folder = export(tmp_path, "alice.json")
    [(_, _, notes, _)] = bratly_read(folder / "alice")
    values = {n.label: n.value for n in notes}  # bratly reads a note up to a tab
    assert (
        values["AnnotatorNotes"]
        == "checked\\twith the port,\\nthen\\r\\nagain \\\\ twice\\u2028end"
    )
    code, _, err = run("import", str(folder), "--split-by-annotator", str(tmp_path / "back"))
    assert code == 0, err
    with AnnotationStore.open(tmp_path / "back" / "alice.json", read_only=True) as store:
        [record] = store.records(doc_id)
    assert (record["note"], record["target"], record["holder"]) == (
        note,
        "the\tport\nauthority",
        "Maria\nCosta",
    )


@pytest.mark.parametrize("label", ["hard news", "OPINIÓN", "a.b"])
def test_a_label_brat_cannot_hold_is_refused_before_anything_is_written(
    tmp_path: Path, label: str
) -> None:
    """(e) `hard news` gave `T1\\thard news 0 15`, which brat, bratly and reader refuse."""
    make_store(tmp_path / "alice.json", "alice", [(0, 6, "FACT"), (8, 12, label)])
    if " " in label:  # bratly refuses what the export wrote before
        with pytest.raises(ParsingError):
            EntityAnnotation.from_line(f"T1\t{label} 8 12\trose")
    code, _, err = run_export(tmp_path, "alice.json")
    assert code == 2 and label in err and "cannot be a brat type" in err, err
    assert len(err.strip().splitlines()) == 1
    assert not [p.name for p in tmp_path.iterdir() if "brat" in p.name]


def test_importing_an_export_of_two_annotators_keeps_who_annotated(tmp_path: Path) -> None:
    """(f) The .ann files said nothing about who annotated: importing a brat folder into a
    new store reported "3 already there skipped" and kept 10 of 13."""
    shared = [(*span("Prices"), "FACT"), (*span("bank"), "FACT"), (*span("Officials"), "FACT")]
    alice = shared + [(*span(w), "OPINION") for w in ("rose", "sharply", "Monday", "café")]
    bob = shared + [(*span(w), "OPINION") for w in ("said", "stay", "open")]
    make_store(tmp_path / "alice.json", "alice", alice)
    make_store(tmp_path / "bob.json", "bob", bob)
    assert len(alice) + len(bob) == 13
    folder = export(tmp_path, "alice.json", "bob.json")
    assert sorted(p.name for p in folder.iterdir()) == ["alice", "bob"]
    for name in ("alice", "bob"):
        [(_, _, notes, _)] = bratly_read(folder / name)
        assert {n.value for n in notes if n.label == "Annotator"} == {name}
        assert conf_labels(folder / name) == ["FACT", "OPINION"]
    code, _, err = run("import", str(folder), "--db", str(tmp_path / "new.json"))
    assert code == 2 and "by alice" in err and "by bob" in err, err
    assert not (tmp_path / "new.json").exists()
    code, _, err = run("import", str(folder), "--split-by-annotator", str(tmp_path / "back"))
    assert code == 0 and "skipped" not in err, err
    kept = {}
    for name in ("alice", "bob"):
        with AnnotationStore.open(tmp_path / "back" / f"{name}.json", read_only=True) as store:
            kept[name] = sorted(
                (r["start"], r["end"], r["label"]) for r in store.records(text_id(TEXT))
            )
    assert kept == {"alice": sorted(alice), "bob": sorted(bob)}


CRLF_TEXT = "Rates held.\r\nThe bank said it would wait.\r\nMarkets expected a cut in June.\r\n"


def crlf_folder(tmp_path: Path, name: str, label: str) -> Path:
    """A brat folder as brat writes one for a `.txt` with Windows line ends: offsets count
    each `\\r\\n` as one character (brat reads the text with newline translation)."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "doc.txt").write_bytes(CRLF_TEXT.encode("utf-8"))
    seen = CRLF_TEXT.replace("\r\n", "\n")
    start = seen.index("Markets")
    end = start + len("Markets expected a cut in June.")
    ann = f"T1\tFACT 0 11\tRates held.\nT2\t{label} {start} {end}\t{seen[start:end]}\n"
    (folder / "doc.ann").write_text(ann, encoding="utf-8")
    (folder / "annotation.conf").write_text(f"[entities]\nFACT\n{label}\n", encoding="utf-8")
    return folder


def test_a_crlf_brat_folder_is_read_as_brat_counts(tmp_path: Path) -> None:
    """(a) brat reads text with newline translation, so `T2 PREDICTION 56 81` is inside a
    CRLF document for brat; reader refused such a folder."""
    folder = crlf_folder(tmp_path, "alice", "PREDICTION")
    [(_, entities, _, _)] = bratly_read(folder)  # bratly reads it the same way
    assert [(e.fragments[0].start, e.fragments[0].end) for e in entities] == [(0, 11), (41, 72)]
    code, _, err = run(
        "import", str(folder), "--db", str(tmp_path / "alice.json"), "--annotator", "alice"
    )
    assert code == 0, err
    plain = CRLF_TEXT.replace("\r\n", "\n")
    with AnnotationStore.open(tmp_path / "alice.json", read_only=True) as store:
        records = store.records(text_id(plain))
    assert sorted((r["text"], r["label"]) for r in records) == [
        ("Markets expected a cut in June.", "PREDICTION"),
        ("Rates held.", "FACT"),
    ]
    out = export(tmp_path, "alice.json", out="again")
    [(document, again, _, _)] = bratly_read(out / "alice")
    assert sorted(e.content for e in again) == ["Markets expected a cut in June.", "Rates held."]
    code, _, err = run("import", str(out), "--split-by-annotator", str(tmp_path / "back"))
    assert code == 0, err  # reader's own export of the CRLF document imports


def test_agree_accepts_brat_folders(tmp_path: Path) -> None:
    """(a) `reader agree` on brat folders (of a CRLF document) was refused."""
    alice = crlf_folder(tmp_path, "alice", "PREDICTION")
    bob = crlf_folder(tmp_path, "bob", "OPINION")
    code, out, err = run("agree", str(alice), str(bob), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["annotators"] == ["alice", "bob"]
    make_store(tmp_path / "carol.json", "carol", [(0, 6, "FACT")])
    make_store(tmp_path / "dan.json", "dan", [(0, 6, "FACT")])
    folder = export(tmp_path, "carol.json", "dan.json", out="both")
    code, out, err = run("agree", str(folder), "--json")  # the export's folder of folders
    assert code == 0, err
    assert json.loads(out)["annotators"] == ["carol", "dan"]


def test_export_import_export_is_byte_identical(tmp_path: Path) -> None:
    words = ["Prices  rose\tsharply", "\nThe\u00a0bank", "👍🏽 the café\u0301", "open.\n\nOff"]
    make_store(
        tmp_path / "alice.json", "alice", [(*span(w), "FACT") for w in words], note="a\tb\nc"
    )
    make_store(tmp_path / "bob.json", "bob", [(*span(w), "OPINION") for w in words[1:]])
    first = export(tmp_path, "alice.json", "bob.json", out="first")
    code, _, err = run("import", str(first), "--split-by-annotator", str(tmp_path / "back"))
    assert code == 0, err
    second = export(tmp_path, "back/alice.json", "back/bob.json", out="second")

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}

    assert files(first) == files(second) and len(files(first)) == 6
    for name in ("alice", "bob"):
        bratly_read(first / name)


def test_a_kind_brat_cannot_carry_is_warned_about(tmp_path: Path) -> None:
    doc_id = text_id(TEXT)
    with AnnotationStore.open(tmp_path / "alice.json", "alice") as store:
        made = make_annotation(TEXT, doc_id, 0, 6, "stance", "FACT", "alice")
        store.bulk([StoredDocument(doc_id, TEXT, {})], [made])
    code, _, err = run_export(tmp_path, "alice.json")
    assert code == 0 and "brat has no place for an annotation's kind" in err
    assert "1 FACT stance" in err
