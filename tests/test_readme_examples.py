"""The README shows what the program does: every marked example in README.md (and in
docs/FORMATS.md) is run, and what it prints is compared with what the document shows.

Markers (HTML comments, invisible when the Markdown is rendered):

- `<!-- example-file: NAME -->` before a fenced block: the block is written to NAME;
- `<!-- example: reader ARGS -->` before a fenced block: `reader ARGS` is run and must
  print the block (line for line, trailing spaces aside; a `json` block is compared as
  the JSON values it holds, keys in the same order, so it may be laid out for reading);
- `<!-- example-error: reader ARGS -->` before a fenced block: `reader ARGS` must fail
  with exit status 2 and print the block on stderr;
- `<!-- example-run: reader ARGS -->`: `reader ARGS` is run (it must succeed), its output
  not shown;
- `<!-- example-written: NAME -->` before a fenced block: the file NAME, written by an
  earlier example, holds the block;
- `<!-- json-keys: reader ARGS -->` before a paragraph: the quoted names in the paragraph
  are the keys of the JSON object `reader ARGS` prints (and of its first `pairs` entry);
- `<!-- example-review: reader review SOURCE... --gold GOLD; keys: KEY... -->`: the review
  app is run on the SOURCEs (through Textual's Pilot) and the KEYs pressed, one after the
  other (a Textual key name or character; a "quoted text" is typed), then it is closed.

A document's examples run in order in one fresh folder, so a later example can use what an
earlier one wrote. Examples give fixed ids and times (an import keeps them), so what a
command prints is the same on every run and is compared whole. Only what reader makes
afresh on each run (the gold store's records, its decisions' times) may be shown as
`"…"` in a `json` block, and only as the value of `id`, `created`, `updated` or `at`,
where it matches a uuid or an ISO 8601 time respectively and nothing else.
Every marker must be seen (one right after another's block or paragraph is a mistake the
test reports, not an example it silently drops).
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reader.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "FORMATS.md"]

_MARKER = re.compile(
    r"<!--\s*(example-file|example-written|example-error|example-run|example-review|example"
    r"|json-keys):"
    r"\s*(.*?)\s*-->[ \t]*\n"
    r"(?:\s*```([^\n]*)\n(.*?)\n```|((?!<!--)[^\n]*(?:\n(?!\n|<!--)[^\n]*)*))?",
    re.DOTALL,
)


@dataclass(frozen=True)
class Example:
    kind: str  # one of the markers above, without the comment
    argument: str  # the file name or the command
    language: str
    shown: str
    line: int


def examples_in(path: Path) -> list[Example]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _MARKER.finditer(text):
        kind, argument, language, block, paragraph = match.groups()
        if kind in ("example-file", "example-written", "example", "example-error"):
            assert block is not None, f"{path.name}: {kind} {argument} has no fenced block"
        shown = block if block is not None else (paragraph or "")
        line = text.count("\n", 0, match.start()) + 1
        found.append(Example(kind, argument, (language or "").strip(), shown, line))
    markers = re.findall(r"(?<!`)<!--\s*(?:example|json-keys)[\w-]*:", text)  # not `quoted`
    assert len(markers) == len(found), f"{path.name}: a marker is hidden in another's block"
    return found


def run(command: str, folder: Path, monkeypatch: pytest.MonkeyPatch, status: int = 0) -> str:
    """What `command` prints on stdout (on stderr when it is to fail with `status`)."""
    words = shlex.split(command)
    assert words[0] == "reader", command
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, words[1:], env={"COLUMNS": "80"})
    assert result.exit_code == status, (
        f"`{command}` exit status {result.exit_code}:\n{result.output}"
    )
    return result.stdout if status == 0 else result.stderr


def review(argument: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run `reader review SOURCE... --gold GOLD` in the app and press the keys given."""
    from pilot_support import reviewing

    command, keys = argument.split("; keys:", 1)
    words = shlex.split(command)
    assert words[:2] == ["reader", "review"] and "--gold" in words, argument
    at = words.index("--gold")
    gold, sources = words[at + 1], words[2:at] + words[at + 2 :]
    presses: list[str] = []
    for text, key in re.findall(r'"([^"]*)"|(\S+)', keys):
        presses.extend(["space" if c == " " else c for c in text] if text else [key])
    monkeypatch.chdir(folder)

    async def run_review() -> None:
        async with reviewing([Path(p) for p in sources], Path(gold)) as pilot:
            for key in presses:
                await pilot.press(key)
                await pilot.pause()

    asyncio.run(run_review())


def json_values(text: str) -> list[Any]:
    """Every JSON value in `text`, one after the other (JSON Lines, or laid out freely)."""
    decoder = json.JSONDecoder()
    values, index = [], 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            return values
        value, index = decoder.raw_decode(text, index)
        values.append(value)


ANY = "…"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
VARIABLE = {"id": _UUID, "created": _TIME, "updated": _TIME, "at": _TIME}


def unvarying(printed: Any, shown: Any) -> Any:
    """`printed` with each value that `shown` gives as `ANY` replaced by `ANY`, where the
    key is one of `VARIABLE` and the value has that key's shape: every other value, and
    the keys' order, must still be as shown."""
    if isinstance(printed, dict) and isinstance(shown, dict):
        out = {}
        for key, value in printed.items():
            given = shown.get(key)
            if (
                given == ANY
                and key in VARIABLE
                and isinstance(value, str)
                and re.fullmatch(VARIABLE[key], value)
            ):
                out[key] = ANY
            else:
                out[key] = unvarying(value, given)
        return out
    if isinstance(printed, list) and isinstance(shown, list) and len(printed) == len(shown):
        return [unvarying(p, s) for p, s in zip(printed, shown, strict=True)]
    return printed


def in_order(values: list[Any]) -> list[str]:
    """The JSON values written out with their keys in the order they came: a shown object
    must list its keys in the order reader prints them (only the layout is free)."""
    return [json.dumps(value, ensure_ascii=False) for value in values]


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip().splitlines()]


def document_id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "alice")
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "no-config.toml"))
    folder = tmp_path / "examples"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("path", DOCUMENTS, ids=document_id)
def test_examples_print_what_the_document_shows(
    path: Path, environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = examples_in(path)
    if not examples:
        pytest.skip(f"{path.name} has no marked examples")
    for example in examples:
        where = f"{path.name}, line {example.line}: {example.argument}"
        if example.kind == "example-file":
            target = environment / example.argument
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(example.shown + "\n", encoding="utf-8")
            continue
        if example.kind == "example-written":
            written = (environment / example.argument).read_text(encoding="utf-8")
            assert lines(written) == lines(example.shown), where
            continue
        if example.kind == "example-review":
            review(example.argument, environment, monkeypatch)
            continue
        status = 2 if example.kind == "example-error" else 0
        printed = run(example.argument, environment, monkeypatch, status)
        if example.kind == "example-run":
            continue
        if example.kind == "json-keys":
            (value,) = json_values(printed)
            names = re.findall(r'"(\w+)"', example.shown)
            expected = set(value) | set(value["pairs"][0] if value.get("pairs") else {})
            assert set(names) == expected, where
            continue
        if example.language == "json":
            shown = json_values(example.shown)
            assert in_order(unvarying(json_values(printed), shown)) == in_order(shown), where
        else:
            assert lines(printed) == lines(example.shown), where


def test_the_readme_has_examples_of_what_reader_prints() -> None:
    commands = [e.argument for e in examples_in(ROOT / "README.md") if e.kind == "example"]
    assert "reader analyze --json story.txt" in commands
    assert any(c.startswith("reader agree") for c in commands)


def test_formats_shows_what_every_format_writes() -> None:
    """docs/FORMATS.md's examples of each format are run, so none can silently go."""
    examples = examples_in(ROOT / "docs" / "FORMATS.md")
    commands = [e.argument for e in examples if e.kind == "example"]
    assert "reader export --db alice.json" in commands
    for fmt in ("prodigy", "doccano"):
        assert any(c.startswith("reader export") and f"--format {fmt}" in c for c in commands)
    assert any(e.kind == "example-written" and e.argument.endswith(".ann") for e in examples)
    errors = [e.argument for e in examples if e.kind == "example-error"]
    assert any(c.startswith("reader import") for c in errors)
    assert any(c.startswith("reader stats") and "--json" in c for c in commands)
    reviewed = [e for e in examples if e.kind == "example-review"]
    assert reviewed and any('"review": [' in e.shown for e in examples if e.kind == "example")


def test_command_line_synopsis_names_real_commands_and_options() -> None:
    """Every `reader COMMAND [--option]` in the README's command-line summary exists."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1].split("```", 2)[1]
    for line in section.splitlines():
        words = line.split()
        if not words or words[0] != "reader":
            continue
        command = words[1] if len(words) > 1 and words[1].isalpha() else None
        args = [command, "--help"] if command else ["--help"]
        if command == "models" and len(words) > 2 and words[2] == "download":
            args = ["models", "download", "--help"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, line
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-o)\b", line):
            assert option in result.stdout, f"{option} of `{line.strip()}` is not an option"


def test_schema_examples_in_the_readme_are_valid_schemas() -> None:
    from reader.annotate.schema import parse_schema

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)\n```", text, re.DOTALL)
    assert blocks
    for block in blocks:
        parse_schema(block + "\n", "README.md")
