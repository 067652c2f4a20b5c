"""`--offsets utf16`: offsets counted as a JavaScript page counts them (UTF-16 code units),
checked against Python's own UTF-16 encoder, on emoji, skin-tone modifiers, ZWJ
sequences and combining marks; only when asked (never guessed); an offset inside a
surrogate pair is refused with one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run
from format_support import TEXT, make_store, span, utf16, utf16_slice
from hypothesis import given
from hypothesis import strategies as st

from reader.formats.offsets import OffsetError, Utf16Offsets
from reader.store import AnnotationStore

HOSTILE = "a😀b 👍🏽 👨‍👩‍👧 e\u0301 🇫🇷 \U0001f469\U0001f3fd\u200d\U0001f52c z"


def test_every_index_converts_as_the_utf16_encoder_counts() -> None:
    offsets = Utf16Offsets(HOSTILE)
    assert offsets.units == len(HOSTILE.encode("utf-16-le")) // 2
    for index in range(len(HOSTILE) + 1):
        unit = offsets.to_utf16(index)
        assert unit == utf16(HOSTILE, index)
        assert offsets.from_utf16(unit) == index


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_conversion_round_trips_on_any_text(text: str) -> None:
    offsets = Utf16Offsets(text)
    for index in range(len(text) + 1):
        assert offsets.from_utf16(offsets.to_utf16(index)) == index


def test_an_offset_inside_a_surrogate_pair_is_refused() -> None:
    offsets = Utf16Offsets(HOSTILE)
    inside = utf16(HOSTILE, HOSTILE.index("😀")) + 1
    with pytest.raises(OffsetError, match="inside the surrogate pair.*U\\+1F600"):
        offsets.from_utf16(inside)
    with pytest.raises(OffsetError, match="outside the text"):
        offsets.from_utf16(offsets.units + 1)


def doccano_line(words: str, label: str, *, units: bool) -> str:
    start, end = span(TEXT, words)
    if units:
        start, end = utf16(TEXT, start), utf16(TEXT, end)
    return json.dumps({"text": TEXT, "label": [[start, end, label]]}, ensure_ascii=False)


def imported_texts(store: Path) -> list[str]:
    opened = AnnotationStore.open(store, read_only=True)
    return [r["text"] for doc_id in opened.counts() for r in opened.records(doc_id)]


def test_doccano_utf16_offsets_import_onto_the_right_characters(tmp_path: Path) -> None:
    words = (
        "Cafe\u0301 owners said\u00a0no"  # after 6 astral characters: 😀, 3 in 👨‍👩‍👧, 2 in 👍🏽
    )
    path = tmp_path / "doccano.jsonl"
    path.write_text(doccano_line(words, "AGAINST", units=True) + "\n", encoding="utf-8")
    start, end = span(TEXT, words)
    assert utf16(TEXT, start) - start == 6  # the shift a code-point reading suffers
    code, _, err = run("import", str(path), "--db", str(tmp_path / "u.json"), "--offsets", "utf16")
    assert code == 0, err
    assert imported_texts(tmp_path / "u.json") == [words]
    # Not guessed: without --offsets the same numbers are code points (6 characters off).
    code, _, err = run("import", str(path), "--db", str(tmp_path / "c.json"))
    assert code == 0, err
    (shifted,) = imported_texts(tmp_path / "c.json")
    assert shifted == TEXT[start + 6 : end + 6]


def test_a_split_surrogate_pair_is_refused_and_nothing_imported(tmp_path: Path) -> None:
    start = utf16(TEXT, TEXT.index("😀")) + 1
    line = json.dumps({"text": TEXT, "label": [[start, start + 4, "FACT"]]}, ensure_ascii=False)
    path = tmp_path / "doccano.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    code, _, err = run("import", str(path), "--db", str(tmp_path / "u.json"), "--offsets", "utf16")
    assert code == 2 and "line 1: label 1: UTF-16 offset" in err and "surrogate pair" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "u.json").exists()


@pytest.mark.parametrize("fmt", ["doccano", "label-studio", "csv"])
def test_utf16_exports_slice_like_javascript(tmp_path: Path, fmt: str) -> None:
    store = make_store(tmp_path)
    out = tmp_path / "out"
    code, _, err = run(
        "export", "--db", str(store), "--format", fmt, "--offsets", "utf16", "-o", str(out)
    )
    assert code == 0, err
    content = out.read_bytes().decode("utf-8")
    found: list[tuple[int, int, str]] = []
    if fmt == "doccano":
        for line in content.splitlines():
            record = json.loads(line)
            found += [(s, e, record["text"]) for s, e, _ in record["label"]]
    elif fmt == "label-studio":
        for task in json.loads(content):
            for entry in task["annotations"]:
                found += [
                    (r["value"]["start"], r["value"]["end"], task["data"]["text"])
                    for r in entry["result"]
                    if r["type"] == "labels"
                ]
    else:
        import csv
        import io

        texts = {r["doc_id"]: r["doc_text"] for r in _sources(tmp_path)}
        for row in csv.DictReader(io.StringIO(content, newline="")):
            found.append((int(row["start"]), int(row["end"]), texts[row["doc_id"]]))
    expected = sorted(
        text[r["start"] : r["end"]] for r in _sources(tmp_path) for text in [r["doc_text"]]
    )
    assert sorted(utf16_slice(text, s, e) for s, e, text in found) == expected


def _sources(folder: Path) -> list[dict]:
    """alice's records as the source file holds them, each with its document's text."""
    records = []
    for line in (folder / "alice-source.jsonl").read_text(encoding="utf-8").splitlines():
        document = json.loads(line)
        for record in document["annotations"]:
            records.append({**record, "doc_text": document["text"]})
    return records


def test_utf16_is_refused_for_formats_that_count_code_points(tmp_path: Path) -> None:
    native = tmp_path / "n.jsonl"
    native.write_text(doccano_line("Prices", "FACT", units=False) + "\n", encoding="utf-8")
    code, _, err = run(
        "import", str(native), "--format", "prodigy", "--offsets", "utf16", "--db", "x.json"
    )
    assert code == 2 and "prodigy offsets are always code points" in err


def brat_folder(tmp_path: Path, words: str, *, units: bool) -> Path:
    """A brat folder as brat's web page saves one: the text, and a T line whose offsets
    are UTF-16 code units (`units`) or code points."""
    folder = tmp_path / "brat-web"
    folder.mkdir()
    start, end = span(TEXT, words)
    if units:
        start, end = utf16(TEXT, start), utf16(TEXT, end)
    (folder / "doc.txt").write_text(TEXT, encoding="utf-8", newline="")
    (folder / "doc.ann").write_text(f"T1\tFACT {start} {end}\t{words}\n", encoding="utf-8")
    return folder


def test_brat_utf16_offsets_import_onto_the_right_characters(tmp_path: Path) -> None:
    words = "Cafe\u0301 owners"  # after 6 astral characters (6 UTF-16 units of shift)
    folder = brat_folder(tmp_path, words, units=True)
    args = ("import", str(folder), "--annotator", "web")
    code, _, err = run(*args, "--db", str(tmp_path / "u.json"), "--offsets", "utf16")
    assert code == 0, err
    assert imported_texts(tmp_path / "u.json") == [words]
    # Read as code points, the T line's text no longer matches its offsets: refused, by line.
    code, _, err = run(*args, "--db", str(tmp_path / "c.json"))
    assert code == 2 and "doc.ann line 1" in err and "is not the text at" in err
    assert not (tmp_path / "c.json").exists()


def test_brat_utf16_export_round_trips_and_counts_like_javascript(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    out = tmp_path / "brat"
    code, _, err = run(
        "export", "--db", str(store), "--format", "brat", "--offsets", "utf16", "-o", str(out)
    )
    assert code == 0, err
    found = []
    for ann in sorted(out.glob("*/*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                pieces = line.split("\t")[1].split(" ", 1)[1].split(";")
                found += [utf16_slice(text, *map(int, p.split())) for p in pieces]
    fragments = " ".join(found)
    for r in _sources(tmp_path):  # every span's words are where the UTF-16 offsets say
        for word in r["doc_text"][r["start"] : r["end"]].split():
            assert word in fragments
    code, _, err = run(
        "import", str(out), "--db", str(tmp_path / "back.json"), "--offsets", "utf16"
    )
    assert code == 0, err
    again = tmp_path / "again"
    code, _, err = run(
        "export",
        "--db",
        str(tmp_path / "back.json"),
        "--format",
        "brat",
        "--offsets",
        "utf16",
        "-o",
        str(again),
    )
    assert code == 0, err
    for ann in out.glob("*/*.ann"):
        assert (again / ann.relative_to(out)).read_bytes() == ann.read_bytes()
