"""The label schema: which labels exist, in which groups, on which keys, in which colours.

A schema is a TOML file (see `default_schema.toml`, shipped inside the package). It is
checked as a whole: a bad schema raises `SchemaError` naming the file, the line and the
problem, and nothing of it is used.
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.color import Color, ColorParseError

from ..errors import ReaderError
from ..printable import inert
from .kinds import KINDS

DEFAULT_SCHEMA_PATH = Path(__file__).resolve().parent / "default_schema.toml"

# Every key the app already binds where label keys are live (reading and review screens,
# the app, Textual's own keys), with what it does; a label may not use one of them.
# tests/test_schema_hostile.py checks this against the bindings themselves.
_APP_KEYS: dict[str, str] = {
    **dict.fromkeys("jk", "next / previous sentence"),
    **dict.fromkeys(["down", "up"], "next / previous sentence"),
    **dict.fromkeys("JK}{", "next / previous paragraph"),
    **dict.fromkeys(["g", "home"], "top"),
    **dict.fromkeys(["G", "end"], "bottom"),
    **dict.fromkeys(["pagedown", "space", "pageup"], "page down / up"),
    **dict.fromkeys(["tab", "shift+tab"], "next / previous quote"),
    **dict.fromkeys("eE", "next / previous entity"),
    "/": "search",
    **dict.fromkeys("nN", "next / previous match or disagreement"),
    "d": "document list",
    **dict.fromkeys("][", "next / previous document"),
    **dict.fromkeys(")(", "next / previous unannotated document"),
    "escape": "cancel",
    "enter": "choose / confirm",
    "v": "select",
    **dict.fromkeys("lwhb", "move the selection"),
    "s": "stance prompt",
    "x": "delete",
    "u": "undo",
    "ctrl+r": "redo",
    ";": "note",
    "L": "annotation list",
    "y": "accept a suggestion",
    "A": "accept every suggestion in the sentence",
    "S": "show / hide suggestions",
    "?": "help",
    "q": "quit",
    "ctrl+q": "quit",
    "ctrl+c": "copy / quit",
    "ctrl+p": "command palette",
    # reader review
    **dict.fromkeys("!@#$%^&*(", "review: accept an annotator's version"),
    "m": "review: accept the majority",
    "r": "review: reject all",
    **{f"f{i}": f"review: show/hide annotator {i}" for i in range(1, 10)},
    "f10": "review: show/hide gold",
}
RESERVED_KEYS: frozenset[str] = frozenset(_APP_KEYS)

# Key names (besides single characters) a terminal can send and Textual reports: the
# label key may be one of these. Not here: ctrl+h, ctrl+i, ctrl+m, ctrl+[ (terminals send
# them as backspace, tab, enter and escape), shift+letter (the terminal sends the capital).
_MOVES = ("up", "down", "left", "right", "home", "end", "insert", "delete", "pageup", "pagedown")
NAMED_KEYS: frozenset[str] = frozenset(
    [f"f{i}" for i in range(1, 25)]
    + [f"ctrl+f{i}" for i in range(1, 25)]
    + [f"ctrl+{c}" for c in "abcdefgjklnopqrstuvwxyz0123456789@"]
    + [f"ctrl+shift+{d}" for d in "0123456789"]
    + ["ctrl+backslash", "ctrl+right_square_bracket", "ctrl+circumflex_accent"]
    + ["ctrl+underscore"]
    + [f"{mod}{move}" for mod in ("", "shift+", "ctrl+", "ctrl+shift+") for move in _MOVES]
    + ["tab", "shift+tab", "enter", "escape", "shift+escape", "backspace", "space"]
    + [f"alt+{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    + [f"alt+shift+{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
)
# Other spellings of a key: "esc" is "escape"; "semicolon" is ";" (found by Unicode name).
KEY_ALIASES = {
    " ": "space",
    "esc": "escape",
    "return": "enter",
    "page_up": "pageup",
    "page_down": "pagedown",
    "ctrl+at": "ctrl+@",
    "ctrl+space": "ctrl+@",
}
# Textual's short names for characters whose Unicode names are longer.
_CHARACTER_NAMES = {
    "slash": "solidus",
    "backslash": "reverse solidus",
    "at": "commercial at",
    "minus": "hyphen-minus",
    "plus": "plus sign",
    "underscore": "low line",
    "hyphen_minus": "hyphen-minus",
}
# Why a key that looks plausible cannot be pressed.
_UNPRESSABLE_WHY = {
    "ctrl+i": "the terminal sends Ctrl+I as tab",
    "ctrl+m": "the terminal sends Ctrl+M as enter",
    "ctrl+h": "the terminal sends Ctrl+H as backspace",
    "ctrl+left_square_bracket": "the terminal sends Ctrl+[ as escape",
    "ctrl+[": "the terminal sends Ctrl+[ as escape",
}
PALETTE = ("#4caf50", "#ffb300", "#42a5f5", "#ab47bc", "#ef5350", "#26a69a", "#8d6e63")
# A schema's labels each need their own key and fit in the legend and the help screen.
MAX_LABELS = 100
# A schema is a small text file; this much is plenty even for a very long target list.
MAX_SCHEMA_BYTES = 64 * 1024 * 1024
# Arrays and inline tables nested deeper than this are not a schema (TOML's parser
# recurses on them).
MAX_NESTING = 64

_TOP_FIELDS = {"name", "description", "groups"}
_GROUP_FIELDS = {"kind", "description", "targets", "labels"}
_LABEL_FIELDS = {"name", "key", "color", "description", "tag"}
# The entity types the engine finds (reader.nlp.types.ENTITY_LABELS): what an entity
# label's `tag` may name, so that it receives the engine's suggestions of that type.
ENGINE_ENTITY_TYPES = ("PERSON", "ORG", "GPE", "LOC", "NORP")
_LABEL_NAME = re.compile(r"^[^\s]+$")
# Characters with a meaning where a label name is used in key actions (`label('NAME')`)
# and in markup (`[bold]`): a label name is a plain word.
_NAME_SYNTAX = re.compile(r"[\'\"\\\[\]]")
# C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class SchemaError(ReaderError):
    """A schema file is invalid; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class Label:
    name: str
    key: str
    group: str
    kind: str  # one of KINDS: "claim", "stance", "entity" or "quote"
    color: str
    description: str = ""
    tag: str = ""  # an entity label: the engine's entity type it takes (default: its name)


@dataclass(frozen=True)
class LabelGroup:
    name: str
    kind: str
    labels: tuple[Label, ...]
    description: str = ""
    targets: tuple[str, ...] = ()  # stance targets to choose from; empty: typed


@dataclass(frozen=True)
class Schema:
    groups: tuple[LabelGroup, ...]
    name: str = ""
    source: str = ""
    _by_key: dict[str, Label] = field(default_factory=dict, repr=False, compare=False)
    _by_name: dict[str, Label] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for group in self.groups:
            for label in group.labels:
                self._by_key[label.key] = label
                self._by_name[label.name] = label

    @property
    def labels(self) -> tuple[Label, ...]:
        return tuple(label for group in self.groups for label in group.labels)

    @property
    def keys(self) -> dict[str, Label]:
        """Key → label (keys normalised with `normalise_key`)."""
        return dict(self._by_key)

    def label_for_key(self, key: str) -> Label | None:
        return self._by_key.get(normalise_key(key))

    def label(self, name: str) -> Label | None:
        return self._by_name.get(name)

    def group(self, name: str) -> LabelGroup | None:
        return next((g for g in self.groups if g.name == name), None)

    def group_of(self, label_name: str) -> LabelGroup | None:
        label = self._by_name.get(label_name)
        return self.group(label.group) if label else None

    def color_of(self, label_name: str) -> str | None:
        label = self._by_name.get(label_name)
        return label.color if label else None

    def kind_of(self, label_name: str) -> str | None:
        label = self._by_name.get(label_name)
        return label.kind if label else None

    def entity_label(self, engine_type: str) -> Label | None:
        """The entity label that takes the engine's `engine_type` (PERSON, ORG...), if any."""
        return next(
            (label for label in self.labels if label.kind == "entity" and label.tag == engine_type),
            None,
        )

    @property
    def quote_label(self) -> Label | None:
        """The label an engine's quote is suggested with: the first quote label, if any."""
        return next((label for label in self.labels if label.kind == "quote"), None)


def normalise_key(key: str) -> str:
    """One spelling per key: a character stays itself (Textual names of characters, such
    as `semicolon` or `right_curly_bracket`, become the character); other key names are
    lower case (`Ctrl+T` is `ctrl+t`)."""
    if len(key) == 1:
        return KEY_ALIASES.get(key, key)
    lowered = key.strip().lower()
    lowered = KEY_ALIASES.get(lowered, lowered)
    if lowered in NAMED_KEYS or "+" in lowered:
        return lowered
    return _character_named(lowered) or lowered


@functools.lru_cache(maxsize=1024)  # asked on every key press
def _character_named(name: str) -> str | None:
    """The printable character Textual calls `name` (`semicolon` is `;`), if any."""
    if name in _CHARACTER_NAMES:
        spellings = [_CHARACTER_NAMES[name]]
    else:  # Textual writes "-" and " " in a Unicode name as "_": "less_than_sign"
        parts = name.split("_")
        if len(parts) > 8:
            return None
        spellings = [
            "".join(p + s for p, s in zip(parts, seps, strict=False)) + parts[-1]
            for seps in itertools.product(" -", repeat=len(parts) - 1)
        ]
    for spelling in spellings:
        try:
            character = unicodedata.lookup(spelling)
        except KeyError:
            continue
        return character if _printable_character(character) else None
    return None


def _printable_character(character: str) -> bool:
    """One character that a key press types and that shows: not a control, format,
    combining or space character."""
    return (
        len(character) == 1
        and character.isprintable()
        and not character.isspace()
        and not unicodedata.category(character).startswith(("M", "C", "Z"))
    )


def check_key(raw: str) -> str:
    """The key as the schema stores it (see `normalise_key`), or `ValueError` saying why
    no key press can produce `raw`."""
    key = normalise_key(raw)
    if len(key) == 1:
        if _printable_character(key):
            return key
        raise ValueError("a key of one character must be a visible character")
    if key in NAMED_KEYS:
        return key
    why = _UNPRESSABLE_WHY.get(key)
    shift = re.fullmatch(r"shift\+(\w)", key)
    if shift:
        why = f"the terminal sends Shift+{shift.group(1)} as {shift.group(1).upper()!r}"
    hint = (
        "a key is one character (like '1' or 'A') or a key name such as 'f11', 'ctrl+t' or 'insert'"
    )
    raise ValueError(f"{why}; {hint}" if why else hint)


def default_schema() -> Schema:
    """The schema that ships with reader."""
    return load_schema(DEFAULT_SCHEMA_PATH)


def load_schema(path: str | Path | None = None) -> Schema:
    """Read and check a schema file (the default schema when `path` is None)."""
    path = Path(path) if path is not None else DEFAULT_SCHEMA_PATH
    try:
        with path.open("rb") as file:
            data = file.read(MAX_SCHEMA_BYTES + 1)
    except FileNotFoundError:
        raise SchemaError(f"{path}: no such schema file") from None
    except IsADirectoryError:
        raise SchemaError(f"{path}: is a folder, not a schema file") from None
    except OSError as exc:
        raise SchemaError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_SCHEMA_BYTES:
        limit = MAX_SCHEMA_BYTES // (1024 * 1024)
        raise SchemaError(f"{path}: larger than {limit} MB; not a schema file")
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{path}: not valid UTF-8 (byte {exc.start + 1})") from None
    return parse_schema(source.removeprefix("\ufeff"), str(path))


def parse_schema(source: str, filename: str = "<schema>") -> Schema:
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r" \(at line (\d+), column (\d+)\)$", message)
        if where is None:
            raise SchemaError(f"{filename}: invalid TOML: {message}") from None
        problem = f"{message[: where.start()]} (column {where.group(2)})"
        raise SchemaError(f"{filename}, line {where.group(1)}: invalid TOML: {problem}") from None
    except RecursionError:
        line = _too_deep_line(source)
        raise SchemaError(
            f"{filename}, line {line}: arrays or tables nested too deeply "
            f"(more than {MAX_NESTING} levels)"
        ) from None
    except ValueError:  # an integer too long to convert (Python's 4300-digit limit)
        line, digits = _longest_number(source)
        raise SchemaError(
            f"{filename}, line {line}: a number with {digits} digits is not a schema value"
        ) from None
    return _Checker(source, filename).schema(data)


# What can hold brackets that do not nest: strings and comments; and what counts.
_TOKEN = re.compile(
    r'''
      """(?:[^"\\]|\\.|"(?!""))*"""   # multi-line basic string
    | \'\'\'.*?\'\'\'                 # multi-line literal string
    | "(?:[^"\\\n]|\\.)*"          # basic string
    | '[^'\n]*'                  # literal string
    | \#[^\n]*                   # comment
    | [\[\]{}\n]
    ''',
    re.DOTALL | re.VERBOSE,
)


def _too_deep_line(source: str) -> int:
    """The line where arrays or inline tables first nest deeper than `MAX_NESTING`."""
    depth = 0
    line = 1
    for token in _TOKEN.finditer(source):
        text = token.group()
        if text in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif text in "]}":
            depth -= 1
        else:
            line += text.count("\n")
    return 1


def _longest_number(source: str) -> tuple[int, int]:
    """(line, digits) of the longest run of digits in `source`."""
    numbers = re.finditer(r"(?<![\w.])(?:0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|[0-9_]+)", source)
    best = max(numbers, key=lambda m: len(m.group()), default=None)
    if best is None:
        return 1, 0
    digits = len(best.group().replace("_", "").removeprefix("0x").removeprefix("0o"))
    return source.count("\n", 0, best.start()) + 1, digits


def _control_in(text: str) -> str | None:
    """The first control character in `text`, shown as an escape, or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    shown = inert(found.group())
    return shown if shown != found.group() else f"\\u{ord(shown):04x}"


class _Checker:
    def __init__(self, source: str, filename: str) -> None:
        self.filename = filename
        self.source = source
        self._lines: dict[tuple, int] | None = None
        self.label_count = 0
        self.tags: dict[str, str] = {}  # engine entity type → the label that takes it

    @property
    def lines(self) -> dict[tuple, int]:
        if self._lines is None:  # only a bad schema needs its lines
            self._lines = locate_lines(self.source)
        return self._lines

    def fail(self, where: Sequence[str | int], problem: str) -> SchemaError:
        line = find_line(self.lines, tuple(where))
        return SchemaError(f"{self.filename}, line {line}: {problem}")

    def unknown(self, table: dict[str, Any], allowed: set[str], where: tuple) -> None:
        for name in table:
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail((*where, name), f"unknown field {name!r} (known: {known})")

    def text(self, value: Any, where: tuple, what: str, *, required: bool = False) -> str:
        if value is None:
            if required:
                raise self.fail(where[:-1], f"missing {what}")
            return ""
        if not isinstance(value, str):
            raise self.fail(where, f"{what} must be a string")
        control = _control_in(value)
        if control:
            raise self.fail(where, f"{what} contains a control character ({control})")
        if required and not value.strip():
            raise self.fail(where, f"{what} must not be empty")
        return value.strip()

    def schema(self, data: dict[str, Any]) -> Schema:
        self.unknown(data, _TOP_FIELDS, ())
        name = self.text(data.get("name"), ("name",), "schema name")
        groups_data = data.get("groups")
        if not isinstance(groups_data, dict) or not groups_data:
            raise self.fail(("groups",), "the schema defines no label groups ([groups.NAME])")
        keys: dict[str, str] = {}
        names: dict[str, str] = {}
        groups = []
        palette = itertools.cycle(PALETTE)
        for group_name, group_data in groups_data.items():
            where = ("groups", group_name)
            control = _control_in(group_name)
            if control:
                raise self.fail(where, f"a group name contains a control character ({control})")
            if not isinstance(group_data, dict):
                raise self.fail(where, f"group {group_name!r} must be a table")
            groups.append(self.group(group_name, group_data, keys, names, palette))
        return Schema(groups=tuple(groups), name=name, source=self.filename)

    def group(self, name: str, data: dict, keys: dict, names: dict, palette: Any) -> LabelGroup:
        where = ("groups", name)
        self.unknown(data, _GROUP_FIELDS, where)
        kind = data.get("kind")
        if kind is None:
            raise self.fail(where, f"group {name!r} is missing kind (one of {', '.join(KINDS)})")
        if kind not in KINDS:
            raise self.fail((*where, "kind"), f"kind must be one of {', '.join(KINDS)}")
        description = self.text(data.get("description"), (*where, "description"), "description")
        targets = self.targets(data.get("targets", []), (*where, "targets"))
        if targets and kind != "stance":
            raise self.fail((*where, "targets"), "only stance groups have targets")
        labels_data = data.get("labels")
        if not isinstance(labels_data, list) or not labels_data:
            raise self.fail(where, f"group {name!r} has no labels ([[groups.{name}.labels]])")
        labels = []
        for index, label_data in enumerate(labels_data):
            lw = (*where, "labels", index)
            self.label_count += 1
            if self.label_count > MAX_LABELS:
                raise self.fail(
                    lw, f"too many labels: a schema has at most {MAX_LABELS}, each on its own key"
                )
            if not isinstance(label_data, dict):
                raise self.fail(lw, "each label must be a table")
            labels.append(self.label(label_data, lw, name, kind, keys, names, palette))
        return LabelGroup(
            name=name, kind=kind, labels=tuple(labels), description=description, targets=targets
        )

    def targets(self, targets: Any, where: tuple) -> tuple[str, ...]:
        """The stance targets, stripped, empty ones and repeats left out (in one pass
        each, so a list of 200,000 loads as fast as TOML parses it)."""
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise self.fail(where, "targets must be a list of strings")
        if _CONTROL.search("".join(targets)):
            number, control = next(
                (n, c) for n, t in enumerate(targets, start=1) if (c := _control_in(t))
            )
            raise self.fail(where, f"target {number} contains a control character ({control})")
        return tuple(dict.fromkeys(s for t in targets if (s := t.strip())))

    def label(
        self, data: dict, where: tuple, group: str, kind: str, keys: dict, names: dict, palette: Any
    ) -> Label:
        self.unknown(data, _LABEL_FIELDS, where)
        name = self.text(data.get("name"), (*where, "name"), "label name", required=True)
        if not _LABEL_NAME.match(name):
            raise self.fail((*where, "name"), f"label name {name!r} must not contain spaces")
        if _NAME_SYNTAX.search(name):
            raise self.fail(
                (*where, "name"),
                f"label name {name!r} must not contain quotes, backslashes or square brackets",
            )
        if name in names:
            raise self.fail((*where, "name"), f"label {name!r} is already defined in {names[name]}")
        names[name] = f"group {group!r}"
        raw_key = data.get("key")
        if isinstance(raw_key, int) and not isinstance(raw_key, bool) and 0 <= raw_key <= 9:
            raise self.fail(
                (*where, "key"), f'key for label {name!r} must be a string: key = "{raw_key}"'
            )
        if isinstance(raw_key, str) and len(raw_key) == 1:
            if _control_in(raw_key):
                raise self.fail(
                    (*where, "key"),
                    f"key of label {name!r} is a control character ({inert(raw_key)})",
                )
        else:
            raw_key = self.text(raw_key, (*where, "key"), f"key for label {name!r}")
        if not raw_key:
            raise self.fail(where, f"label {name!r} has no key")
        try:
            key = check_key(raw_key)
        except ValueError as exc:
            raise self.fail(
                (*where, "key"), f"key {raw_key!r} of label {name!r} cannot be pressed: {exc}"
            ) from None
        if key in RESERVED_KEYS:
            raise self.fail(
                (*where, "key"),
                f"key {raw_key!r} of label {name!r} is already used by the app ({_APP_KEYS[key]})",
            )
        if key in keys:
            raise self.fail(
                (*where, "key"), f"key {raw_key!r} is on two labels: {keys[key]} and {name}"
            )
        keys[key] = name
        color = self.text(data.get("color"), (*where, "color"), "color") or next(palette)
        try:
            Color.parse(color)
        except ColorParseError:
            raise self.fail((*where, "color"), f"{color!r} is not a colour") from None
        description = self.text(data.get("description"), (*where, "description"), "description")
        return Label(name, key, group, kind, color, description, self.tag(data, where, name, kind))

    def tag(self, data: dict, where: tuple, name: str, kind: str) -> str:
        """An entity label's engine type: its `tag`, else its name when that is an engine
        type ("" for a label that takes none); each type goes to one label only."""
        if "tag" in data and kind != "entity":
            raise self.fail((*where, "tag"), "only entity labels have a tag")
        if kind != "entity":
            return ""
        tag = self.text(data.get("tag"), (*where, "tag"), f"tag of label {name!r}")
        if tag and tag not in ENGINE_ENTITY_TYPES:
            raise self.fail(
                (*where, "tag"),
                f"tag {tag!r} of label {name!r} is not an entity type the engine finds "
                f"(one of {', '.join(ENGINE_ENTITY_TYPES)})",
            )
        tag = tag or (name if name in ENGINE_ENTITY_TYPES else "")
        if tag in self.tags:
            raise self.fail(
                (*where, "tag"),
                f"entity type {tag} is taken by two labels: {self.tags[tag]} and {name}",
            )
        if tag:
            self.tags[tag] = name
        return tag


# --- finding the line of a key or table in TOML source -------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)
_PART = re.compile(r"\s*(?:([A-Za-z0-9_-]+)|\"([^\"]*)\"|'([^']*)')\s*(?:\.|$)")


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(a or _unescaped(b) or c for a, b, c in _PART.findall(text))


def _unescaped(basic: str) -> str:
    """A TOML basic string's text with its escapes (`\\u0000`) read."""
    if "\\" not in basic:
        return basic
    try:
        return tomllib.loads(f'k = "{basic}"')["k"]
    except (tomllib.TOMLDecodeError, ValueError):
        return basic


def locate_lines(source: str) -> dict[tuple, int]:
    """Map the path of every table and key in `source` to its (first) line number.

    Array-of-tables entries get their index: `[[groups.claim.labels]]` the second time
    is ("groups", "claim", "labels", 1). Good enough for schema files; not a TOML parser.
    """
    found: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    current: tuple = ()
    in_multiline = False
    for number, line in enumerate(source.splitlines(), start=1):
        if in_multiline:
            if line.count('"""') % 2 or line.count("'''") % 2:
                in_multiline = False
            continue
        header = _HEADER.match(line)
        if header and not _ASSIGN.match(line):
            path: tuple[str | int, ...] = _dotted(header.group(2))
            if header.group(1) == "[[":
                index = counts.get(path, 0)
                counts[path] = index + 1
                path = (*path, index)
            current = path
            found.setdefault(path, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            found.setdefault((*current, *_dotted(assign.group(1))), number)
            if line.count('"""') % 2 or line.count("'''") % 2:
                in_multiline = True
    return found


def find_line(lines: dict[tuple, int], where: tuple) -> int:
    """The line of `where`, or of its nearest enclosing table that has one (else 1)."""
    for cut in range(len(where), 0, -1):
        if where[:cut] in lines:
            return lines[where[:cut]]
    return 1
