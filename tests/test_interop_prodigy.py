"""Prodigy tasks carry tokens and token indices that spaCy (what Prodigy is built on)
agrees with: a `Doc` made from the task's tokens is the task's text, and `Doc.char_span`
finds every span at the tokens the task names. Spans off token boundaries are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run
from format_support import make_store


def export(store: Path, out: Path) -> tuple[list[dict], str]:
    code, _, err = run("export", "--db", str(store), "--format", "prodigy", "-o", str(out))
    assert code == 0, err
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], err


def test_every_exported_span_is_where_spacy_finds_it(tmp_path: Path) -> None:
    # spaCy is imported here, not at the top: it is slow to import in every xdist worker.
    spacy = pytest.importorskip("spacy", reason="spaCy is in the test extra: pip install -e '.[test]'")
    from spacy.tokens import Doc

    tasks, err = export(make_store(tmp_path), tmp_path / "prodigy.jsonl")
    vocab = spacy.blank("en").vocab
    aligned = off = 0
    for task in tasks:
        tokens = task["tokens"]
        assert all(set(t) == {"text", "start", "end", "id", "ws"} for t in tokens)
        assert [t["id"] for t in tokens] == list(range(len(tokens)))
        doc = Doc(vocab, words=[t["text"] for t in tokens], spaces=[t["ws"] for t in tokens])
        assert doc.text == task["text"]
        assert [(t.idx, t.idx + len(t.text)) for t in doc] == [
            (t["start"], t["end"]) for t in tokens
        ]
        for span in task["spans"]:
            found = doc.char_span(span["start"], span["end"])
            if "token_start" in span:
                assert found is not None and found.text == span["text"]
                assert (found.start, found.end - 1) == (span["token_start"], span["token_end"])
                aligned += 1
            else:  # reported, and spaCy agrees it is not on token boundaries
                assert found is None
                assert f'{span["start"]}:{span["end"]} "{span["text"]}"' in err
                off += 1
    assert (aligned, off) == (5, 2)
    assert "2 span(s) not on token boundaries" in err
    assert "Prodigy tasks keep no annotation ids" in err  # the loss, said at export


def test_prodigy_export_import_export_is_byte_identical(tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    export(make_store(tmp_path), first)
    code, _, err = run("import", str(first), "--db", str(tmp_path / "again.json"))
    assert code == 0, err
    second = tmp_path / "second.jsonl"
    export(tmp_path / "again.json", second)
    assert second.read_bytes() == first.read_bytes()


def test_utf16_offsets_are_refused_for_prodigy(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    out = tmp_path / "p.jsonl"
    code, _, err = run(
        "export", "--db", str(store), "--format", "prodigy", "--offsets", "utf16", "-o", str(out)
    )
    assert code == 2 and "code points" in err and not out.exists()
