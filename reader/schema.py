"""The label schema: which labels exist, in which groups, on which keys, in which colours.

A schema is a TOML file (see `default_schema.toml`, shipped inside the package). It is
checked as a whole: a bad schema raises `SchemaError` naming the file, the line and the
problem, and nothing of it is used.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.color import Color, ColorParseError

from .errors import ReaderError
from .kinds import KINDS

DEFAULT_SCHEMA_PATH = Path(__file__).resolve().parent / "default_schema.toml"

# Keys the app already binds; a label may not use one of them.
RESERVED_KEYS: frozenset[str] = frozenset(
    [*"jkJKghlwbvsxu;/nNd][?qeEL()"]
    + ["space", "tab", "shift+tab", "ctrl+r", "ctrl+p", "escape", "enter"]
    + ["up", "down", "pageup", "pagedown"]
)
# Textual's names for printable keys, so "semicolon" and ";" are the same key.
KEY_ALIASES = {
    " ": "space",
    "semicolon": ";",
    "slash": "/",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "left_parenthesis": "(",
    "right_parenthesis": ")",
    "esc": "escape",
    "return": "enter",
    "page_up": "pageup",
    "page_down": "pagedown",
}
PALETTE = ("#4caf50", "#ffb300", "#42a5f5", "#ab47bc", "#ef5350", "#26a69a", "#8d6e63")

_TOP_FIELDS = {"name", "description", "groups"}
_GROUP_FIELDS = {"kind", "description", "targets", "labels"}
_LABEL_FIELDS = {"name", "key", "color", "description"}
_LABEL_NAME = re.compile(r"^[^\s]+$")


class SchemaError(ReaderError):
    """A schema file is invalid; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class Label:
    name: str
    key: str
    group: str
    kind: str  # "claim" or "stance"
    color: str
    description: str = ""


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


def normalise_key(key: str) -> str:
    """One spelling per key: Textual names of printable keys become the character."""
    if len(key) == 1:
        return KEY_ALIASES.get(key, key)
    lowered = key.strip().lower()
    return KEY_ALIASES.get(lowered, lowered)


def default_schema() -> Schema:
    """The schema that ships with reader."""
    return load_schema(DEFAULT_SCHEMA_PATH)


def load_schema(path: str | Path | None = None) -> Schema:
    """Read and check a schema file (the default schema when `path` is None)."""
    path = Path(path) if path is not None else DEFAULT_SCHEMA_PATH
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemaError(f"{path}: no such schema file") from None
    except UnicodeDecodeError:
        raise SchemaError(f"{path}: not valid UTF-8") from None
    except OSError as exc:
        raise SchemaError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_schema(source, str(path))


def parse_schema(source: str, filename: str = "<schema>") -> Schema:
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(f"{filename}: invalid TOML: {exc}") from None
    return _Checker(source, filename).schema(data)


class _Checker:
    def __init__(self, source: str, filename: str) -> None:
        self.filename = filename
        self.lines = locate_lines(source)

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
        if required and not value.strip():
            raise self.fail(where, f"{what} must not be empty")
        return value.strip()

    def schema(self, data: dict[str, Any]) -> Schema:
        self.unknown(data, _TOP_FIELDS, ())
        groups_data = data.get("groups")
        if not isinstance(groups_data, dict) or not groups_data:
            raise self.fail(("groups",), "the schema defines no label groups ([groups.NAME])")
        keys: dict[str, str] = {}
        names: dict[str, str] = {}
        groups = []
        colour = iter(PALETTE * 100)
        for group_name, group_data in groups_data.items():
            where = ("groups", group_name)
            if not isinstance(group_data, dict):
                raise self.fail(where, f"group {group_name!r} must be a table")
            groups.append(self.group(group_name, group_data, keys, names, colour))
        return Schema(
            groups=tuple(groups),
            name=self.text(data.get("name"), ("name",), "schema name"),
            source=self.filename,
        )

    def group(self, name: str, data: dict, keys: dict, names: dict, colour: Any) -> LabelGroup:
        where = ("groups", name)
        self.unknown(data, _GROUP_FIELDS, where)
        kind = data.get("kind")
        if kind is None:
            raise self.fail(where, f"group {name!r} is missing kind (one of {', '.join(KINDS)})")
        if kind not in KINDS:
            raise self.fail((*where, "kind"), f"kind must be one of {', '.join(KINDS)}")
        targets = data.get("targets", [])
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise self.fail((*where, "targets"), "targets must be a list of strings")
        if targets and kind != "stance":
            raise self.fail((*where, "targets"), "only stance groups have targets")
        labels_data = data.get("labels")
        if not isinstance(labels_data, list) or not labels_data:
            raise self.fail(where, f"group {name!r} has no labels ([[groups.{name}.labels]])")
        labels = []
        for index, label_data in enumerate(labels_data):
            lw = (*where, "labels", index)
            if not isinstance(label_data, dict):
                raise self.fail(lw, "each label must be a table")
            labels.append(self.label(label_data, lw, name, kind, keys, names, colour))
        return LabelGroup(
            name=name,
            kind=kind,
            labels=tuple(labels),
            description=self.text(data.get("description"), (*where, "description"), "description"),
            targets=tuple(t.strip() for t in targets if t.strip()),
        )

    def label(
        self, data: dict, where: tuple, group: str, kind: str, keys: dict, names: dict, colour: Any
    ) -> Label:
        self.unknown(data, _LABEL_FIELDS, where)
        name = self.text(data.get("name"), (*where, "name"), "label name", required=True)
        if not _LABEL_NAME.match(name):
            raise self.fail((*where, "name"), f"label name {name!r} must not contain spaces")
        if name in names:
            raise self.fail((*where, "name"), f"label {name!r} is already defined in {names[name]}")
        names[name] = f"group {group!r}"
        raw_key = self.text(data.get("key"), (*where, "key"), f"key for label {name!r}")
        if not raw_key:
            raise self.fail(where, f"label {name!r} has no key")
        key = normalise_key(raw_key)
        if key in RESERVED_KEYS:
            raise self.fail(
                (*where, "key"), f"key {raw_key!r} of label {name!r} is already used by the app"
            )
        if key in keys:
            raise self.fail(
                (*where, "key"), f"key {raw_key!r} is on two labels: {keys[key]} and {name}"
            )
        keys[key] = name
        color = self.text(data.get("color"), (*where, "color"), "color") or next(colour)
        try:
            Color.parse(color)
        except ColorParseError:
            raise self.fail((*where, "color"), f"{color!r} is not a colour") from None
        description = self.text(data.get("description"), (*where, "description"), "description")
        if "\n" in description:
            raise self.fail((*where, "description"), "a description is one line")
        return Label(name, key, group, kind, color, description)


# --- finding the line of a key or table in TOML source -------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)
_PART = re.compile(r"\s*(?:([A-Za-z0-9_-]+)|\"([^\"]*)\"|'([^']*)')\s*(?:\.|$)")


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(a or b or c for a, b, c in _PART.findall(text))


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
            path = _dotted(header.group(2))
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
