"""Hostile label schemas: every one is refused with one line naming the file, the line and
the problem (exit status 2, no traceback), in-process and through the real `reader`;
a key that cannot be pressed, or that the app already uses, is never accepted; a huge
target list loads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from textual.app import App
from textual.screen import Screen

from reader.annotate.schema import (
    MAX_LABELS,
    NAMED_KEYS,
    RESERVED_KEYS,
    SchemaError,
    load_schema,
    normalise_key,
    parse_schema,
)

READER = Path(sys.executable).parent / "reader"

# Line 1: name; 3: [groups.claim]; 6: [[groups.claim.labels]]; 7: name; 8: key.
BASE = """\
name = "hostile"

[groups.claim]
kind = "claim"

[[groups.claim.labels]]
name = "FACT"
key = "1"
"""
STANCE = """
[groups.stance]
kind = "stance"
targets = ["Iran", "the deal"]

[[groups.stance.labels]]
name = "FAVOR"
key = "f"
"""  # appended to BASE: line 10 [groups.stance], 12 targets, 15 name, 16 key


def toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a TOML basic string


def with_key(key: str) -> str:
    return BASE.replace('key = "1"', f"key = {toml_string(key)}")


def many_labels(count: int) -> str:
    labels = "".join(
        f'\n[[groups.claim.labels]]\nname = "L{i}"\nkey = "{chr(0x4E00 + i)}"\n'
        for i in range(count)
    )
    return BASE + labels


def line_of_label(number: int) -> int:
    """The line of the `[[groups.claim.labels]]` header of the `number`th label (1-based)
    in `many_labels`: BASE's label is the first."""
    return 6 + (number - 1) * 4


def nested_arrays(depth: int) -> str:
    return BASE + STANCE.replace('["Iran", "the deal"]', "[" * depth + "]" * depth)


def nested_tables(depth: int) -> str:
    return BASE.replace('name = "hostile"', "name = " + "{a = " * depth + "1" + "}" * depth)


HOSTILE = [
    # (id, schema text, line, words in the message)
    ("unpressable-SS", with_key("SS"), 8, ["'SS'", "cannot be pressed"]),
    ("unpressable-word", with_key("fact"), 8, ["'fact'", "cannot be pressed"]),
    ("unpressable-ctrl+", with_key("ctrl+"), 8, ["cannot be pressed"]),
    ("unpressable-f25", with_key("f25"), 8, ["cannot be pressed"]),
    ("unpressable-shift+a", with_key("shift+a"), 8, ["cannot be pressed", "'A'"]),
    ("unpressable-ctrl+i-is-tab", with_key("ctrl+i"), 8, ["cannot be pressed", "tab"]),
    ("unpressable-ctrl+m-is-enter", with_key("ctrl+m"), 8, ["cannot be pressed", "enter"]),
    ("unpressable-combining-accent", with_key("\u0301"), 8, ["cannot be pressed"]),
    ("unpressable-zero-width-space", with_key("\u200b"), 8, ["cannot be pressed"]),
    ("app-key-G", with_key("G"), 8, ["'G'", "already used by the app", "bottom"]),
    ("app-key-}", with_key("}"), 8, ["'}'", "already used by the app"]),
    ("app-key-right_curly_bracket", with_key("right_curly_bracket"), 8, ["already used"]),
    ("app-key-home", with_key("home"), 8, ["'home'", "already used by the app"]),
    ("app-key-Home", with_key("Home"), 8, ["already used by the app"]),
    ("app-key-ctrl+q", with_key("ctrl+q"), 8, ["'ctrl+q'", "already used by the app", "quit"]),
    ("app-key-ctrl+c", with_key("ctrl+c"), 8, ["'ctrl+c'", "already used by the app"]),
    ("app-key-?", with_key("?"), 8, ["already used by the app", "help"]),
    ("app-key-question_mark", with_key("question_mark"), 8, ["already used by the app"]),
    ("review-key-m", with_key("m"), 8, ["already used by the app", "review"]),
    ("review-key-!", with_key("!"), 8, ["already used by the app", "review"]),
    ("review-key-f3", with_key("f3"), 8, ["already used by the app", "review"]),
    ("too-many-labels", many_labels(5000), line_of_label(MAX_LABELS + 1), ["at most"]),
    ("nested-arrays", nested_arrays(5000), 12, ["nested too deeply"]),
    ("nested-tables", nested_tables(5000), 1, ["nested too deeply"]),
    ("5000-digit-integer", with_key("1").replace('"1"', "1" * 5000), 8, ["5000 digits"]),
    ("5000-digit-hex", BASE.replace('"hostile"', "0x" + "f" * 5000), 1, ["must be a string"]),
    ("nul-in-schema-name", BASE.replace("hostile", "ho\\u0000stile"), 1, ["control"]),
    ("nul-in-label-name", BASE.replace('"FACT"', '"FA\\u0000CT"'), 7, ["control"]),
    ("nul-as-key", with_key("\x00"), 8, ["control"]),
    ("esc-in-label-name", BASE.replace('"FACT"', '"\\u001b[2J"'), 7, ["control", "\\x1b"]),
    ("c1-csi-in-label-name", BASE.replace('"FACT"', '"F\\u009b1m"'), 7, ["control"]),
    ("bel-in-description", BASE + 'description = "ring\\u0007"\n', 9, ["control"]),
    ("nul-in-colour", BASE + 'color = "red\\u0000"\n', 9, ["control"]),
    (
        "nul-in-target",
        BASE + STANCE.replace('"the deal"', '"the\\u0000deal"'),
        12,
        ["target 2", "control"],
    ),
    (
        "nul-in-group-name",
        BASE.replace("[groups.claim]", '[groups."cl\\u0000aim"]'),
        3,
        ["control"],
    ),
    ("quote-in-label-name", BASE.replace('"FACT"', '"it\'s"'), 7, ["must not contain quotes"]),
    ("markup-label-name", BASE.replace('"FACT"', '"[bold]FACT"'), 7, ["square brackets"]),
    ("backslash-label-name", BASE.replace('"FACT"', "'FA\\CT'"), 7, ["backslashes"]),
    ("digit-key-not-a-string", with_key("1").replace('"1"', "1"), 8, ['key = "1"']),
    ("raw-nul-byte", BASE.replace("FACT", "FA\x00CT"), 7, ["invalid TOML"]),
    ("newline-in-target", BASE + STANCE.replace('"Iran"', '"I\\nran"'), 12, ["control"]),
]


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "words"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_hostile_schema_is_refused_with_file_line_and_problem(
    tmp_path: Path, text: str, line: int, words: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}: "), message
    for word in words:
        assert word in message, message
    assert "\n" not in message and "\x1b" not in message and "\x00" not in message


@pytest.fixture
def reader_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "READER_DATA_DIR": str(tmp_path / "data"),
        "READER_ANNOTATOR": "alice",
        "READER_CONFIG": str(tmp_path / "no-config.toml"),
    }


def run_reader(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(READER), *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )


RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def assert_one_error_line(result: subprocess.CompletedProcess, start: str) -> str:
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2, err[-2000:]
    assert b"Traceback" not in result.stderr, err[-2000:]
    assert not RAW_CONTROL.search(result.stderr + result.stdout), err
    assert len(err.strip().splitlines()) == 1, err[-2000:]
    assert err.startswith(start), err
    return err


@pytest.mark.parametrize(
    ("text", "line", "words"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
@pytest.mark.parametrize("command", [[], ["review", "alice.json"]], ids=["open", "review"])
def test_real_reader_refuses_hostile_schema_in_one_line(
    tmp_path: Path,
    reader_env: dict[str, str],
    text: str,
    line: int,
    words: list[str],
    command: list[str],
) -> None:
    write(tmp_path, text)
    result = run_reader([*command, "--schema", "bad.toml"], reader_env, tmp_path)
    err = assert_one_error_line(result, f"reader: error: bad.toml, line {line}: ")
    for word in words:
        assert word in err
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("command", [[], ["review", "alice.json"]], ids=["open", "review"])
def test_schema_file_name_with_escapes_is_printed_inert(
    tmp_path: Path, reader_env: dict[str, str], command: list[str]
) -> None:
    name = "bad\x1b[2J\x1bc\x07.toml"
    write(tmp_path, with_key("SS"), name)
    result = run_reader([*command, "--schema", name], reader_env, tmp_path)
    assert_one_error_line(result, "reader: error: bad\\x1b[2J\\x1bc\\x07.toml, line 8: ")


SIMPLE_BAD_FILES = [
    ("empty", b"", 1, ["no label groups"]),
    ("latin-1", 'name = "caf\u00e9"\n'.encode("latin-1"), None, ["not valid UTF-8"]),
    ("binary", b"\x00\x01\xff\xfe" * 64, None, ["not valid UTF-8"]),
    ("not-toml", b"[groups\n", 1, ["invalid TOML"]),
]


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [b[1:] for b in SIMPLE_BAD_FILES],
    ids=[b[0] for b in SIMPLE_BAD_FILES],
)
@pytest.mark.parametrize("command", [[], ["review", "alice.json"]], ids=["open", "review"])
def test_real_reader_refuses_unreadable_schema_files_in_one_line(
    tmp_path: Path,
    reader_env: dict[str, str],
    data: bytes,
    line: int | None,
    words: list[str],
    command: list[str],
) -> None:
    (tmp_path / "bad.toml").write_bytes(data)
    result = run_reader([*command, "--schema", "bad.toml"], reader_env, tmp_path)
    where = f"bad.toml, line {line}: " if line else "bad.toml: "
    err = assert_one_error_line(result, f"reader: error: {where}")
    for word in words:
        assert word in err


@pytest.mark.parametrize(
    "path", ["missing.toml", ".", "/dev/zero"], ids=["missing", "directory", "endless"]
)
@pytest.mark.parametrize("command", [[], ["review", "alice.json"]], ids=["open", "review"])
def test_schema_path_that_is_not_a_schema_file_is_one_line(
    tmp_path: Path, reader_env: dict[str, str], path: str, command: list[str]
) -> None:
    result = run_reader([*command, "--schema", path], reader_env, tmp_path)
    err = assert_one_error_line(result, "reader: error: ")
    assert path in err


def test_many_stance_targets_all_load_in_order() -> None:
    targets = [f"target {i}" for i in range(200_000)]
    text = BASE + STANCE.replace('["Iran", "the deal"]', json.dumps(targets))
    schema = parse_schema(text, "big.toml")
    group = schema.group("stance")
    assert group is not None and list(group.targets) == targets


def test_many_stance_targets_one_per_line_report_the_right_line() -> None:
    targets = [f"target {i}" for i in range(200_000)] + ["bad\u0000one"]
    listed = ",\n".join(json.dumps(t) for t in targets)
    text = BASE + STANCE.replace('["Iran", "the deal"]', f"[\n{listed}\n]")
    with pytest.raises(SchemaError, match=r"^big\.toml, line 12: target 200001 contains"):
        parse_schema(text, "big.toml")


def test_as_many_labels_as_allowed_still_load() -> None:
    schema = parse_schema(many_labels(MAX_LABELS - 1), "many.toml")
    assert len(schema.labels) == MAX_LABELS


# --- the keys the app binds are exactly the keys a label may not take ----------------


def app_bindings() -> dict[str, set[str]]:
    """The keys bound where label keys are live: the apps, the reading and review screens
    and the article (which has the focus there), with Textual's own keys; and the help
    screen's and the prompts' keys, which a user must not lose either. (A list that has
    the focus takes every key, so its keys never meet a label key.)"""
    from reader.ui.app import ReaderApp
    from reader.ui.review_app import ReviewApp
    from reader.ui.screens.help import HelpScreen
    from reader.ui.screens.prompts import NotePrompt, StancePrompt
    from reader.ui.screens.reading import ReadingScreen
    from reader.ui.screens.review import ReviewScreen
    from reader.ui.widgets.article_view import ArticleView

    classes: list[type] = [
        ReaderApp, ReviewApp, ReadingScreen, ReviewScreen, HelpScreen, StancePrompt,
        NotePrompt, ArticleView, App, Screen,
    ]  # fmt: skip
    return {cls.__name__: set(cls._merge_bindings().key_to_bindings) for cls in classes}


def test_every_key_the_app_binds_is_reserved() -> None:
    for where, keys in app_bindings().items():
        for key in keys:
            if key.startswith("super+"):
                continue  # a macOS-only key no terminal sends to reader
            assert normalise_key(key) in RESERVED_KEYS, (where, key)


def test_every_key_the_app_binds_is_refused_as_a_label_key(tmp_path: Path) -> None:
    for keys in app_bindings().values():
        for key in keys:
            if key.startswith("super+"):
                continue
            with pytest.raises(SchemaError, match="already used by the app"):
                parse_schema(with_key(key), "keys.toml")


def test_named_keys_are_keys_a_terminal_sends() -> None:
    """Every key name a label may use is one Textual reports for some terminal input."""
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

    sent: set[str] = set()
    for value in ANSI_SEQUENCES_KEYS.values():
        for key in value if isinstance(value, tuple) else (value,):
            sent.add(getattr(key, "value", key))
    for key in NAMED_KEYS:
        if key.startswith("alt+"):
            assert re.fullmatch(r"alt\+(shift\+[a-z]|[a-z0-9])", key), key  # ESC + character
        else:
            assert key in sent, key


def test_character_names_mean_the_character_textual_means() -> None:
    from textual.keys import _character_to_key

    for code in range(0x21, 0x7F):
        character = chr(code)
        assert normalise_key(_character_to_key(character)) == character


@pytest.mark.parametrize(
    ("key", "stored"),
    [
        ("F11", "f11"),
        ("Ctrl+T", "ctrl+t"),
        ("semicolon_free", None),
        ("P", "P"),
        ("ä", "ä"),
        ("exclamation_mark", None),
        ("insert", "insert"),
        ("alt+x", "alt+x"),
        ("7", "7"),
    ],
)
def test_pressable_label_keys_are_accepted(key: str, stored: str | None) -> None:
    text = with_key(key)
    if stored is None:
        with pytest.raises(SchemaError):
            parse_schema(text, "k.toml")
        return
    schema = parse_schema(text, "k.toml")
    assert schema.labels[0].key == stored
    assert schema.label_for_key(stored) is schema.labels[0]
