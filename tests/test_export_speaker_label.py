"""A label named SPEAKER that is also a quote's speaker: the relation formats refuse to
write it (importing the file would take the annotation for only the speaker and lose it);
the other formats, and a SPEAKER annotation that is no speaker, are written as ever."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run
from format_support import make_store, record, span

from reader.annotate.annotations import Speaker

TEXT = 'Maria Costa said "We will reopen the harbour." Her deputy agreed.\n'
QUOTE = '"We will reopen the harbour."'


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "alice")


def _store(tmp_path: Path, speaker_words: str) -> Path:
    """alice's quote said by "Maria Costa", which she also labelled SPEAKER (an entity),
    and a SPEAKER label on `speaker_words` when that is another span."""
    start, end = span(TEXT, "Maria Costa")
    records = [
        record(TEXT, "Maria Costa", "entity", "SPEAKER", 1),
        record(TEXT, QUOTE, "quote", "QUOTE", 2, speaker=Speaker(start, end, "Maria Costa")),
    ]
    if speaker_words != "Maria Costa":
        records[0] = record(TEXT, speaker_words, "entity", "SPEAKER", 1)
    return make_store(tmp_path, [(TEXT, {}, records)])


@pytest.mark.parametrize("fmt", ["brat", "label-studio", "doccano-entities"])
def test_a_speaker_labelled_speaker_is_refused_and_nothing_is_written(
    tmp_path: Path, fmt: str
) -> None:
    db = _store(tmp_path, "Maria Costa")
    out = tmp_path / "out"
    code, stdout, err = run("export", "--db", str(db), "--format", fmt, "-o", str(out))
    assert code != 0
    assert "SPEAKER annotation 'Maria Costa'" in err and "Nothing was written" in err
    assert not out.exists()
    code, stdout, err = run("export", "--db", str(db), "--format", fmt)  # to stdout: nothing
    assert code != 0 and stdout == ""


def test_the_formats_without_relations_and_an_unrelated_speaker_label_are_written(
    tmp_path: Path,
) -> None:
    db = _store(tmp_path, "Maria Costa")
    code, stdout, err = run("export", "--db", str(db), "--format", "native")
    assert code == 0, err
    [line] = [json.loads(x) for x in stdout.splitlines()]
    assert sorted(a["label"] for a in line["annotations"]) == ["QUOTE", "SPEAKER"]
    (tmp_path / "other").mkdir()
    other = _store(tmp_path / "other", "Her deputy")
    code, stdout, err = run("export", "--db", str(other), "--format", "label-studio")
    assert code == 0, err
    results = json.loads(stdout)[0]["annotations"][0]["result"]
    labels = [r["value"].get("labels") for r in results if r["type"] == "labels"]
    assert ["SPEAKER"] in labels  # "Her deputy", an annotation of its own
