"""JSON Lines as every reader of them here wants it: one JSON object a line, blank lines
skipped, and each bad line named by its 1-based number with what is wrong with it.

A line's own problems and the problems its caller finds in the object (raised as
`ValueError` by `convert`) are reported alike, in line order. A leading BOM and `\\r` at
line ends are the caller's business: `\\r` is JSON white space, so a CRLF file reads as
it is, while a BOM makes the first line invalid JSON unless the caller drops it first
(as `reader.corpus` does).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, NamedTuple, TypeVar

from .printable import encodes, inert

T = TypeVar("T")


class BadLine(NamedTuple):
    line: int  # 1-based
    message: str


def loads(data: str | bytes) -> Any:
    """`json.loads`, through orjson when it can (several times faster on big exports and
    stores). Whatever orjson refuses (NaN, huge integers, lone surrogates, bad JSON) goes
    to `json.loads`, so results and error messages are always the standard library's.

    JSON nested too deeply to parse (RecursionError) and integers longer than Python
    converts (`sys.get_int_max_str_digits`, 4,300 digits by default) are reported as
    `json.JSONDecodeError` too, so every caller's one handler covers them."""
    fast = _orjson_loads()
    if fast is not None:
        try:
            return fast(data)
        except ValueError:  # orjson.JSONDecodeError
            pass
    try:
        return json.loads(data)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", _as_doc(data), 0) from None
    except json.JSONDecodeError:
        raise
    except UnicodeDecodeError:
        raise
    except ValueError as exc:  # int("9" * 5000): "Exceeds the limit (4300 digits) ..."
        if "digits" not in str(exc):
            raise
        raise json.JSONDecodeError("a number with too many digits", _as_doc(data), 0) from None


def _as_doc(data: str | bytes) -> str:
    return data if isinstance(data, str) else ""


# A lone surrogate can reach a decoded string only through a `\uD800`-`\uDFFF` escape
# (UTF-8 decoding refuses encoded ones); a line without such an escape needs no search.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")


def surrogate_problem(line: str | bytes, value: Any) -> str | None:
    """Where `value` (parsed from `line`) holds a lone surrogate, which no file can store
    (UTF-8 cannot encode it): None when nowhere, else a message naming the field."""
    escaped: re.Match[str] | re.Match[bytes] | None
    if isinstance(line, str):
        escaped = _SURROGATE_ESCAPE.search(line)
    else:
        escaped = _SURROGATE_ESCAPE_BYTES.search(line)
    if not escaped:
        return None
    where = _surrogate_at(value, "")
    if where is None:
        return None
    return f"a lone surrogate (not valid Unicode) in {inert(where) or 'the line'}"


def _surrogate_at(value: Any, path: str) -> str | None:
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            if not encodes(item):
                return at
        elif isinstance(item, dict):
            for key, inner in item.items():
                name = f"{at}.{key}" if at else str(key)
                if not encodes(key):
                    return f"a key of {at or 'the object'}"
                stack.append((inner, name))
        elif isinstance(item, list):
            stack.extend((inner, f"{at}[{n}]") for n, inner in enumerate(item))
    return None


@cache
def _orjson_loads() -> Callable[[str | bytes], Any] | None:
    """orjson's `loads`, imported on first use (not at start-up); None without orjson."""
    try:
        import orjson
    except ImportError:  # a platform without an orjson wheel: the standard library does it all
        return None
    return orjson.loads


def _noop(n: int = 1) -> None:
    return None


def parse_object(line: str) -> dict[str, Any]:
    """The JSON object on `line`; ValueError says what is wrong with it."""
    try:
        record = loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    problem = surrogate_problem(line, record)
    if problem:
        raise ValueError(problem)
    return record


def read_jsonl(
    lines: Iterable[str],
    convert: Callable[[dict[str, Any], int], T],
    advance: Callable[[], Any] = _noop,
) -> tuple[list[T], list[BadLine]]:
    """`convert(object, line_number)` for every non-blank line, in order, and the lines
    that are not JSON objects or that `convert` refused with a ValueError.

    `advance()` is called once a line, blank ones included (a progress bar's step)."""
    results: list[T] = []
    problems: list[BadLine] = []
    for number, line in enumerate(lines, start=1):
        advance()
        if not line.strip():
            continue
        try:
            results.append(convert(parse_object(line), number))
        except ValueError as exc:
            problems.append(BadLine(number, str(exc)))
    return results, problems
