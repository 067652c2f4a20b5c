"""The one format sniffer: which of reader's formats a file (or folder) is in, for every
command that reads one (`reader import`, `reader review`, `reader agree`).

- a folder is brat;
- with `stores=True` (review and agree read stores): a `.json` file, or any file starting
  `{"_meta"`, is an annotation store;
- otherwise the first non-blank JSON line's fields decide: Prodigy (`spans` or
  `_input_hash`), doccano (`label` or `entities`, no `annotations`), else native (a line
  that is not JSON is native too: its reader reports the line). With `records=True`
  (review), a doccano-looking line that is an annotation record (`doc_id` and `start`)
  is native: a native export of one annotation record a line.

Imports nothing of `reader.formats` beyond this module's package, so asking costs little.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..jsonl import loads

STORE_HEAD = '{"_meta"'


def detect_format(path: Path, *, stores: bool = False, records: bool = False) -> str:
    """brat, store (only with `stores`), native, prodigy or doccano; the file is opened
    once (OSError when it cannot be)."""
    if path.is_dir():
        return "brat"
    with open(path, encoding="utf-8", errors="replace") as lines:
        if stores:
            head = lines.read(16)
            if path.suffix.lower() == ".json" or head.lstrip().startswith(STORE_HEAD):
                return "store"
            lines.seek(0)
        return detect_lines_format(_without_bom(lines), records=records)


def detect_lines_format(lines: Iterable[str], *, records: bool = False) -> str:
    """native, prodigy or doccano, guessed from the first non-blank line's fields (for
    text read once: a pipe cannot be read twice)."""
    for line in lines:
        if line.strip():
            try:
                record = loads(line)
            except ValueError:
                return "native"  # its reader will report the line
            if isinstance(record, dict):
                if "spans" in record or "_input_hash" in record:
                    return "prodigy"
                if "annotations" not in record and ("label" in record or "entities" in record):
                    if records and "doc_id" in record and "start" in record:
                        return "native"
                    return "doccano"
            return "native"
    return "native"


def _without_bom(lines: Iterable[str]) -> Iterable[str]:
    first = True
    for line in lines:
        yield line.removeprefix("\ufeff") if first else line
        first = False
