"""Make text from files safe to show: control characters become visible escapes.

Article text, titles, notes and file names come from files a user may not trust. Printed
raw, `ESC [2J` clears the screen, `ESC c` resets the terminal and OSC 52 writes the
clipboard. Every string that came from a file goes through `inert` before it reaches a
terminal (the CLI's tables, warnings and errors; the app's titles, lists and status lines).
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls, DEL and C1 controls (C1 `\x9b` is a one-byte CSI on some terminals).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\x{ord(char):02x}"


def inert(text: str, *, keep_lines: bool = False) -> str:
    """`text` with every control character shown as an escape (`\\x1b`, `\\n`, `\\t`).

    With `keep_lines`, newlines and tabs stay as they are (for multi-line output).
    Lone surrogates, which no terminal encoding can write, become `\\udXXX` escapes.
    """
    pattern = _CONTROL_BUT_LINES if keep_lines else _CONTROL
    if pattern.search(text):
        text = pattern.sub(_escape, text)
    if not encodes(text):
        text = "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text


def encodes(text: str) -> bool:
    """Whether `text` can be written as UTF-8 (no lone surrogate, which nothing can write)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# What JSON leaves raw with ensure_ascii=False: DEL, C1 controls and lone surrogates.
_JSON_RAW = re.compile(r"[\x7f-\x9f\ud800-\udfff]")


def inert_json(value: Any, *, indent: int | None = None) -> str:
    """`value` as JSON text that is safe to print: `json.dumps` escapes C0 controls, and
    here DEL, C1 controls (`\\u009b`, a one-byte CSI) and lone surrogates (which no
    terminal encoding can write) are escaped too. It decodes to the same value."""
    import json  # here: the app's start (which shows text through `inert`) needs no json

    text = json.dumps(value, ensure_ascii=False, indent=indent)
    if _JSON_RAW.search(text):
        text = _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text
