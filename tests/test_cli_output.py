"""Nothing a file holds can drive the terminal reader prints to: article text, titles,
labels, annotator names and file names with escape sequences in them come out of every
command (tables, JSON, warnings, errors) as visible escapes, never as raw control bytes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.annotate.annotations import make_annotation
from reader.cli import cli
from reader.corpus import text_id
from reader.nlp.sentences import split_sentences
from reader.store import AnnotationStore, StoredDocument

PAYLOADS = {
    "csi-clear-screen": "\x1b[2J",
    "reset-terminal": "\x1bc",
    "osc0-title": "\x1b]0;pwned\x07",
    "osc2-title": "\x1b]2;pwned\x1b\\",
    "osc52-clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "c1-csi": "\x9b2J",
}
# Any C0 control but newline, and DEL and C1 controls.
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "tester")
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "no-config.toml"))


def run(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_inert(*outputs: str) -> None:
    for output in outputs:
        found = RAW_CONTROL.search(output)
        assert found is None, f"raw {found.group()!r} in output:\n{output[-1500:]!r}"


def article(payload: str) -> str:
    return (
        f"Harbour {payload} reopens\n"
        f"The harbour in Lisbon reopened on Monday{payload} after storms. "
        f"“We are open {payload} for business,” said Maria Costa, the port director.\n"
    )


parametrize_payloads = pytest.mark.parametrize(
    "payload", list(PAYLOADS.values()), ids=list(PAYLOADS)
)


@parametrize_payloads
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_analyze_of_a_text_file(tmp_path: Path, payload: str, as_json: bool) -> None:
    path = tmp_path / f"story{payload}.txt"
    path.write_text(article(payload), encoding="utf-8")
    code, out, err = run("analyze", *(["--json"] if as_json else []), path)
    assert code == 0, err
    assert_inert(out, err)
    if as_json:  # still exactly the text, once decoded
        record = json.loads(out)
        assert record["source"] == str(path)
        assert any(payload in q["text"] for q in record["quotes"]), record["quotes"]
    else:
        assert "\\x1b" in out or "\\x9b" in out  # shown, visibly
        assert "Harbour" in out and "Maria Costa" in out


@parametrize_payloads
def test_analyze_table_of_a_jsonl_corpus_with_hostile_titles(tmp_path: Path, payload: str) -> None:
    path = tmp_path / f"corpus{payload}.jsonl"
    lines = [
        json.dumps({"text": article(payload), "meta": {"title": f"Title {payload} one"}}),
        "{not json " + payload,
        json.dumps({"text": article("") + payload, "meta": {"title": payload}}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run("analyze", path)
    assert code == 0, err
    assert_inert(out, err)
    assert "Title" in out and "skipped" in err


@parametrize_payloads
def test_errors_naming_hostile_files_are_one_inert_line(tmp_path: Path, payload: str) -> None:
    empty = tmp_path / f"empty{payload}.txt"
    empty.write_bytes(b"")
    for args in (
        ["analyze", tmp_path / f"missing{payload}.txt"],
        ["analyze", empty],
        [empty],
        ["stats", "--db", tmp_path / f"missing{payload}.json"],
        ["agree", tmp_path / f"missing{payload}.jsonl", tmp_path / "other.jsonl"],
        ["review", tmp_path / f"missing{payload}.jsonl"],
        ["analyze", f"--engine=nope{payload}", empty],
        ["export", "--format", f"nope{payload}"],
    ):
        code, out, err = run(*args)
        assert code == 2, (args, err)
        assert_inert(out, err)
        assert err.startswith("reader: error: ") and len(err.strip().splitlines()) == 1, err


def store_with(tmp_path: Path, payload: str, annotator: str = "alice") -> Path:
    db = tmp_path / f"{annotator}.json"
    text = article(payload)
    doc = StoredDocument(text_id(text), text, {"title": f"Title {payload}"})
    first = split_sentences(text)[0]
    store = AnnotationStore.open(db, annotator)
    try:
        store.put(
            make_annotation(text, doc.doc_id, first.start, first.end, "claim", "FACT", annotator),
            doc,
        )
        store.put(
            make_annotation(
                text, doc.doc_id, first.start, first.end, "stance", f"ODD{payload}", annotator,
                target=f"Iran{payload}",
            ),
            doc,
        )  # fmt: skip
    finally:
        store.close()
    return db


@parametrize_payloads
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_stats_with_hostile_titles_and_labels(tmp_path: Path, payload: str, as_json: bool) -> None:
    db = store_with(tmp_path, payload)
    corpus = tmp_path / f"corpus{payload}.txt"
    corpus.write_text(article(payload), encoding="utf-8")
    code, out, err = run("stats", "--db", db, *(["--json"] if as_json else []), corpus)
    assert code == 0, err
    assert_inert(out, err)
    if as_json:
        stats = json.loads(out)
        assert f"ODD{payload}" in stats["by_label"]
    else:
        assert "ODD\\x" in out and "Title \\x" in out


def native_export(path: Path, annotator: str, label: str, payload: str) -> Path:
    text = article(payload)
    first = split_sentences(text)[0]
    annotation = make_annotation(
        text, text_id(text), first.start, first.end, "claim", label, annotator
    )
    record = {
        "text": text,
        "meta": {"title": f"T{payload}"},
        "doc_id": text_id(text),
        "annotations": [annotation.to_json()],
    }
    path.write_text(json.dumps(record) + "\n" + "{broken" + payload + "\n", encoding="utf-8")
    return path


@parametrize_payloads
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_agree_with_hostile_labels_and_file_names(
    tmp_path: Path, payload: str, as_json: bool
) -> None:
    a = native_export(tmp_path / f"alice{payload}.jsonl", "alice", f"FACT{payload}", payload)
    b = native_export(tmp_path / f"bob{payload}.jsonl", "bob", "OPINION", payload)
    code, out, err = run("agree", a, b, *(["--json"] if as_json else []))
    assert code in (0, 2), err
    assert_inert(out, err)
    if code == 0 and not as_json:
        assert "FACT\\x" in out


@parametrize_payloads
def test_models_with_a_hostile_data_folder(tmp_path: Path, payload: str) -> None:
    folder = tmp_path / f"data{payload}"
    code, out, err = run("models", env={"XDG_DATA_HOME": str(folder)})
    assert code == 0, err
    assert_inert(out, err)
    assert "nltk_data" in out


def test_json_output_escapes_c1_controls_and_lone_surrogates(tmp_path: Path) -> None:
    """JSON escapes C0 controls itself; DEL, C1 controls and lone surrogates are escaped
    too, so that the output is inert and can always be written (and decodes the same)."""
    path = tmp_path / "c1.jsonl"
    title = "T\x9b2J\x7f\x85"
    path.write_text(json.dumps({"text": article("\x9b31m"), "meta": {"title": title}}) + "\n")
    code, out, err = run("analyze", "--json", path)
    assert code == 0, err
    assert_inert(out)
    assert "\\u009b" in out
    record = json.loads(out)
    assert any("\x9b31m" in q["text"] for q in record["quotes"])
