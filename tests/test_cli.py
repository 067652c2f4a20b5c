"""The command line: help, version, analyze output, and one clear line for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run
from click.testing import CliRunner

from reader import __version__
from reader.cli import cli


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out
    code, out, _ = run("--help")
    assert code == 0
    for word in ("analyze", "PATH", "--engine"):
        assert word in out
    code, out, _ = run("analyze", "--help")
    assert code == 0 and "--json" in out


def test_analyze_json_offsets_index_the_text(seed_path: Path, seed_text: str) -> None:
    code, out, _ = run("analyze", "--json", str(seed_path))
    assert code == 0
    record = json.loads(out)
    assert record["source"] == str(seed_path)
    assert record["engine"] == "model"
    assert record["sentences"] and record["entities"] and record["quotes"]
    for kind in ("entities", "quotes"):
        for span in record[kind]:
            assert seed_text[span["start"] : span["end"]] == span["text"]


def test_analyze_prints_json_lines_for_several_documents(article_folder: Path) -> None:
    code, out, _ = run("analyze", "--json", str(article_folder))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 3


def test_analyze_table_without_json(seed_path: Path) -> None:
    code, out, _ = run("analyze", str(seed_path))
    assert code == 0
    assert "Entities" in out and "Quotes" in out and "engine" in out


def bad(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02\xff" * 10, "binary"),
        ("latin1.txt", "Caf\u00e9 au lait".encode("latin-1"), "UTF-8"),
        ("bad.jsonl", b"{oops\n[1, 2]\n", "no documents"),
    ],
)
@pytest.mark.parametrize("command", [["analyze", "--json"], []])
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, name: str, data: bytes, words: str, command: list[str]
) -> None:
    path = bad(tmp_path / name, data)
    code, out, err = run(*command, str(path))
    assert code == 2
    assert err.startswith("reader: error: ")
    assert name in err and words in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["analyze"], []])
def test_missing_path_and_empty_folder(tmp_path: Path, command: list[str]) -> None:
    code, _, err = run(*command, str(tmp_path / "missing.txt"))
    assert code == 2 and "missing.txt" in err and "no such file" in err
    (tmp_path / "nothing").mkdir()
    code, _, err = run(*command, str(tmp_path / "nothing"))
    assert code == 2 and "nothing" in err and "no articles" in err


def test_malformed_jsonl_line_warns_and_loads_the_rest(tmp_path: Path) -> None:
    path = bad(
        tmp_path / "mixed.jsonl", b'{"text": "Good one."}\n{"text": 5}\n{"text": "Good two."}\n'
    )
    code, out, err = run("analyze", "--json", str(path))
    assert code == 0
    assert len(out.splitlines()) == 2
    assert "mixed.jsonl:2" in err and "skipped 1" in err


def test_unknown_engine_is_a_clear_error(seed_path: Path) -> None:
    code, _, err = run("analyze", "--engine", "nope", str(seed_path))
    assert code == 2 and "unknown analysis engine 'nope'" in err


def test_real_console_script_reports_errors_without_traceback(tmp_path: Path) -> None:
    path = bad(tmp_path / "empty.txt", b"")
    result = subprocess.run(
        [sys.executable, "-m", "reader.cli", "analyze", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"reader: error: {path}: the file is empty"


# --- every error a user can cause: one line, exit status 2, no traceback -----------------


@pytest.fixture
def hostile_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of things that are not what a command wants, as the working folder."""
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "alice")
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.json").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "binary.jsonl").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "object.json").write_text('{"a": 1}', encoding="utf-8")
    (tmp_path / "array.jsonl").write_text("[1, 2]\n", encoding="utf-8")
    (tmp_path / "story.txt").write_text("A story. It is short.\n", encoding="utf-8")
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    return tmp_path


USER_ERRORS = [
    ["analyze"],
    ["analyze", "folder"],
    ["analyze", "binary.json"],
    ["analyze", "missing.txt"],
    ["analyze", "story.txt/inside.txt"],
    ["analyze", "loop1"],
    ["analyze", "--bogus", "story.txt"],
    ["analyze", "--engine"],
    ["stats", "--db", "folder"],
    ["stats", "--db", "binary.json"],
    ["stats", "--db", "object.json"],
    ["stats", "--db", "missing.json"],
    ["stats", "--db", "story.txt/inside.json"],
    ["stats", "--db", "loop1"],
    ["stats", "--db"],
    ["stats", "missing.txt"],
    ["agree"],
    ["agree", "folder"],
    ["agree", "binary.json", "binary.jsonl"],
    ["agree", "array.jsonl", "object.json"],
    ["agree", "missing.jsonl", "missing2.jsonl"],
    ["agree", "loop1", "loop2"],
    ["agree", "--kind", "nope", "folder"],
    ["review"],
    ["review", "folder"],
    ["review", "binary.jsonl"],
    ["review", "missing.json"],
    ["review", "array.jsonl", "--docs", "folder"],
    ["review", "object.json", "--gold", "folder"],
    ["review", "story.txt", "--schema", "folder"],
    ["models", "nope"],
    ["models", "download", "extra"],
    ["--schema", "folder"],
    ["--schema", "binary.json"],
    ["--schema", "loop1"],
    ["nosuchcommand-or-file"],
]


@pytest.mark.parametrize("args", USER_ERRORS, ids=" ".join)
def test_every_user_error_is_one_line_and_exit_2(hostile_files: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    err = result.stderr
    assert err.startswith("reader: error: "), err
    assert len(err.strip().splitlines()) == 1, err
    assert result.stdout == ""


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`reader analyze --json corpus | head -1`: no traceback when head stops reading."""
    corpus = tmp_path / "corpus.jsonl"
    line = json.dumps({"text": "A story. “It is short,” she said. " * 50}) + "\n"
    corpus.write_text(line * 400, encoding="utf-8")
    reader = Path(sys.executable).parent / "reader"
    process = subprocess.Popen(
        [str(reader), "analyze", "--json", str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # what `head -1` does
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err
