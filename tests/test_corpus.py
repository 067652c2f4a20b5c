"""Loading articles: text kept exactly as loaded, ids, titles, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.corpus import load_corpus, text_id
from reader.errors import CorpusError


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_text_is_kept_exactly_but_bom_and_crlf(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "\ufeffTitle\r\nBody  with\ttabs.\r\n".encode())
    doc = load_corpus([path]).documents[0]
    assert doc.text == "Title\nBody  with\ttabs.\n"
    assert doc.id == text_id(doc.text)
    assert doc.title == "Title"


def test_long_first_line_falls_back_to_file_name(tmp_path: Path) -> None:
    path = write(tmp_path / "long.txt", ("word " * 100).encode())
    assert load_corpus([path]).documents[0].title == "long.txt"


def test_folder_is_read_recursively_and_sorted(article_folder: Path) -> None:
    corpus = load_corpus([article_folder])
    assert [d.title for d in corpus.documents] == [
        "Harbour reopens",
        "Rail strike ends",
        "Museum loans a painting",
    ]


def test_jsonl_records_titles_meta_and_ids(tmp_path: Path) -> None:
    lines = [
        {"text": "First article body.", "meta": {"title": "One", "source": "x"}},
        {"text": "Second\nbody", "title": "Two", "id": "abc"},
        {"text": "Third body only."},
    ]
    path = write(tmp_path / "c.jsonl", "\n".join(json.dumps(x) for x in lines).encode())
    docs = load_corpus([path]).documents
    assert [d.title for d in docs] == ["One", "Two", "Third body only."]
    assert docs[0].meta["source"] == "x"
    assert docs[1].meta["id"] == "abc"
    assert docs[1].id == text_id("Second\nbody")
    assert docs[2].source.endswith("c.jsonl:3")


def test_malformed_jsonl_lines_are_skipped_with_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.jsonl", b'{"text": "ok one"}\n{not json\n{"text": ""}\n{"text": "ok two"}\n'
    )
    corpus = load_corpus([path])
    assert [d.text for d in corpus.documents] == ["ok one", "ok two"]
    assert any("c.jsonl:2" in w for w in corpus.warnings)
    assert any("c.jsonl:3" in w for w in corpus.warnings)
    assert any("skipped 2" in w for w in corpus.warnings)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("latin1.txt", "café".encode("latin-1"), "not valid UTF-8"),
    ],
)
def test_bad_files_raise_a_clear_error_naming_the_file(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = write(tmp_path / name, data)
    with pytest.raises(CorpusError) as caught:
        load_corpus([path])
    assert name in str(caught.value)
    assert message in str(caught.value)


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such file"):
        load_corpus([tmp_path / "nope.txt"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no articles"):
        load_corpus([tmp_path / "empty"])
