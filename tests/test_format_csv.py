"""CSV for spreadsheets: Python's csv module reads every cell back exactly (commas,
quotes, line breaks), no cell starts a formula, and a file saved again the way a
spreadsheet saves it imports back to the same annotations."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cli_support import run
from format_support import alice_records, make_store

from reader.formats.csv_rows import COLUMNS

HEADER = ["doc_id", "title", "start", "end", "text", "kind", "label", "target", "holder",
          "note", "annotator"]  # fmt: skip


def export(store: Path, out: Path, *options: str) -> str:
    code, _, err = run("export", "--db", str(store), "--format", "csv", "-o", str(out), *options)
    assert code == 0, err
    assert "CSV rows hold no document text" in err  # the loss, said at export
    return out.read_bytes().decode("utf-8")  # no newline translation


def rows(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content, newline="")))


def test_the_columns_and_every_cell_read_back_with_the_csv_module(tmp_path: Path) -> None:
    content = export(make_store(tmp_path), tmp_path / "a.csv")
    header = next(csv.reader(io.StringIO(content, newline="")))
    assert header[:11] == HEADER == list(COLUMNS)
    read = rows(content)
    expected = [
        (text, r)
        for text, _, records in alice_records()
        for r in sorted(records, key=lambda r: (r["start"], r["end"]))
    ]
    assert len(read) == len(expected) == 7
    for row, (text, record) in zip(read, expected, strict=True):
        start, end = int(row["start"]), int(row["end"])
        assert (start, end) == (record["start"], record["end"])
        assert row["text"] == text[start:end] == record["text"]
        assert row["id"] == record["id"] and row["annotator"] == "alice"
    first = read[0]
    assert first["title"] == 'Prices, "rising"'
    assert first["note"] == '\'=1+1, said "someone"\nthen left'  # guarded, newline kept
    assert read[1]["note"] == "'+cmd|' /C calc'!A0"
    assert read[2]["holder"] == "'@owners" and read[2]["target"] == 'the port, "authority"'
    assert read[5]["title"] == "'-Bridge"
    assert content.count("\r\n") == len(read) + 1  # RFC 4180 row ends; the note's \n kept


def test_no_cell_starts_a_formula(tmp_path: Path) -> None:
    content = export(make_store(tmp_path), tmp_path / "a.csv")
    for row in csv.reader(io.StringIO(content, newline="")):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_export_import_export_is_byte_identical(tmp_path: Path) -> None:
    """A CSV row does not hold its document's text: it comes from --docs."""
    store = make_store(tmp_path)
    first = export(store, tmp_path / "first.csv")
    code, _, err = run(
        "import", str(tmp_path / "first.csv"), "--db", str(tmp_path / "again.json"),
        "--docs", str(tmp_path / "alice-source.jsonl"),
    )  # fmt: skip
    assert code == 0, err
    assert "imported 7 annotation(s), 2 new document(s)" in err
    assert export(tmp_path / "again.json", tmp_path / "second.csv") == first


def test_a_spreadsheet_saved_copy_imports_the_same_annotations(tmp_path: Path) -> None:
    """Read and written again by the csv module with `\\n` row ends and every cell quoted
    (as LibreOffice saves it): the same annotations, in the store that holds the texts."""
    store = make_store(tmp_path)
    content = export(store, tmp_path / "a.csv")
    saved = io.StringIO()
    writer = csv.writer(saved, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in csv.reader(io.StringIO(content, newline="")):
        writer.writerow(row)
    (tmp_path / "saved.csv").write_text(saved.getvalue(), encoding="utf-8", newline="")
    native = tmp_path / "n.jsonl"
    run("export", "--db", str(store), "-o", str(native))
    code, _, err = run("import", str(native), "--db", str(tmp_path / "b.json"))
    assert code == 0, err
    code, _, err = run("import", str(tmp_path / "saved.csv"), "--db", str(tmp_path / "b.json"))
    assert code == 0 and "7 already there skipped" in err, err
    code, out, _ = run("export", "--db", str(tmp_path / "b.json"))
    assert out == native.read_text(encoding="utf-8")


def test_rows_whose_text_is_unknown_or_wrong_are_refused(tmp_path: Path) -> None:
    content = export(make_store(tmp_path), tmp_path / "a.csv")
    code, _, err = run("import", str(tmp_path / "a.csv"), "--db", str(tmp_path / "new.json"))
    assert code == 2 and "row 2: document" in err and "--docs" in err
    assert not (tmp_path / "new.json").exists()
    edited = content.replace("Prices  rose", "Prices rose", 1)
    (tmp_path / "edited.csv").write_text(edited, encoding="utf-8", newline="")
    code, _, err = run(
        "import", str(tmp_path / "edited.csv"), "--db", str(tmp_path / "new.json"),
        "--docs", str(tmp_path / "alice-source.jsonl"),
    )  # fmt: skip
    assert code == 2 and "row 2: its text is not the text at 0:" in err
    assert len(err.strip().splitlines()) == 1  # one line, nothing imported
    assert not (tmp_path / "new.json").exists()
