"""Offsets counted in UTF-16 code units (what JavaScript, and so the web UIs of doccano,
brat and Label Studio, count) to and from reader's offsets (Python `str` indices, one per
code point).

A character outside the Basic Multilingual Plane (most emoji, each part of a ZWJ
sequence or a skin-tone modifier that is itself astral) is one `str` index but two UTF-16
units, a surrogate pair. A UTF-16 offset that lands between the two halves of a pair
names no character boundary: it is refused, never rounded.

The unit is always explicit (`--offsets utf16`): reader never guesses it from the data.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import Any

CODEPOINT = "codepoint"
UTF16 = "utf16"
UNITS = (CODEPOINT, UTF16)


class OffsetError(ValueError):
    """A UTF-16 offset that is not a character boundary of the text (or is past its end)."""


class Utf16Offsets:
    """Conversions for one text, each in O(log n) after one O(n) scan."""

    __slots__ = ("_astral", "_text", "_units", "length", "units")

    def __init__(self, text: str) -> None:
        self._text = text
        # str indices of the astral characters, and where each starts in UTF-16 units
        self._astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]
        self._units = [index + k for k, index in enumerate(self._astral)]
        self.length = len(text)
        self.units = self.length + len(self._astral)

    def to_utf16(self, index: int) -> int:
        """The UTF-16 offset of the `str` index `index` (0 <= index <= len(text))."""
        if not 0 <= index <= self.length:
            raise OffsetError(f"offset {index} is outside the {self.length}-character text")
        return index + bisect_left(self._astral, index)

    def from_utf16(self, unit: int) -> int:
        """The `str` index at UTF-16 offset `unit`; OffsetError inside a surrogate pair."""
        if not 0 <= unit <= self.units:
            raise OffsetError(
                f"UTF-16 offset {unit} is outside the text ({self.units} UTF-16 units)"
            )
        before = bisect_left(self._units, unit)  # astral characters starting before `unit`
        if before and self._units[before - 1] + 1 == unit:
            index = self._astral[before - 1]
            raise OffsetError(
                f"UTF-16 offset {unit} falls inside the surrogate pair of character {index} "
                f"(U+{ord(self._text[index]):04X}), not between two characters"
            )
        return unit - before


class OffsetCounter:
    """Converts offsets of one text in `unit`, scanning the text at most once."""

    __slots__ = ("_map", "_text", "unit")

    def __init__(self, text: str, unit: str) -> None:
        self._text = text
        self.unit = unit
        self._map: Utf16Offsets | None = None

    def _utf16(self) -> Utf16Offsets:
        if self._map is None:
            self._map = Utf16Offsets(self._text)
        return self._map

    def to_index(self, value: int) -> int:
        """A file offset (in `unit`) as a `str` index."""
        return value if self.unit == CODEPOINT else self._utf16().from_utf16(value)

    def from_index(self, index: int) -> int:
        """A `str` index as a file offset (in `unit`)."""
        return index if self.unit == CODEPOINT else self._utf16().to_utf16(index)


def doccano_record(record: dict, unit: str, *, reading: bool) -> dict:
    """A doccano record (`label`/`labels` triples or `entities` objects) with its offsets
    turned from `unit` into `str` indices (`reading`) or from `str` indices into `unit`:
    doccano's own reader and writer then work on indices as everywhere in reader. The
    record is returned as it is when `unit` is codepoint or it has no text; OffsetError
    names the label whose offset is not a character boundary."""
    text = record.get("text")
    if unit == CODEPOINT or not isinstance(text, str):
        return record
    counter = OffsetCounter(text, unit)
    convert = counter.to_index if reading else counter.from_index
    out = dict(record)
    for key in ("label", "labels"):
        items = record.get(key)
        if isinstance(items, list):
            out[key] = [
                _converted_triple(item, convert, f"label {n}") for n, item in enumerate(items, 1)
            ]
    entities = record.get("entities")
    if isinstance(entities, list):
        converted = []
        for n, entity in enumerate(entities, 1):
            if isinstance(entity, dict):
                entity = dict(entity)
                for key in ("start_offset", "end_offset"):
                    if type(entity.get(key)) is int:
                        entity[key] = _converted(convert, entity[key], f"entity {n}")
            converted.append(entity)
        out["entities"] = converted
    return out


def _converted(convert: Callable[[int], int], value: int, where: str) -> int:
    try:
        return convert(value)
    except OffsetError as exc:
        raise OffsetError(f"{where}: {exc}") from None


def _converted_triple(item: Any, convert: Callable[[int], int], where: str) -> Any:
    if not isinstance(item, list) or len(item) != 3:
        return item  # doccano's reader reports it
    start, end, label = item
    if type(start) is int:
        start = _converted(convert, start, where)
    if type(end) is int:
        end = _converted(convert, end, where)
    return [start, end, label]
