"""SIGKILL of a real `reader import` at any moment: the store holds all of the import or
none of it, opens cleanly, and the next open removes what the killed process left behind
(issue 10, items 6 and 10). The assertions hold whenever the kill lands, so the delays
only spread the kills over the import; nothing here depends on timing."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reader.store import AnnotationStore

READER = Path(sys.executable).parent / "reader"
TEXT = "The harbour reopened on Monday after the storms of the winter. Officials said so.\n"


def big_import_file(path: Path, documents: int) -> int:
    """A native file of `documents` documents with three annotations each."""
    import hashlib

    with path.open("w", encoding="utf-8") as out:
        for n in range(documents):
            text = f"Story {n}. {TEXT}"
            doc_id = hashlib.sha256(text.encode("utf-8")).hexdigest()
            spans = [(0, len(f"Story {n}.")), (len(f"Story {n}. "), len(text) - 1)]
            spans.append((spans[1][0], spans[1][0] + 11))
            records = [
                {
                    "id": f"{n}-{i}",
                    "doc_id": doc_id,
                    "start": s,
                    "end": e,
                    "text": text[s:e],
                    "kind": "claim",
                    "label": "FACT",
                    "annotator": "alice",
                    "created": "2025-03-01T09:30:12.345Z",
                }
                for i, (s, e) in enumerate(spans)
            ]
            out.write(json.dumps({"text": text, "annotations": records}) + "\n")
    return documents * 3


@pytest.mark.serial  # delays spread the kills over the import only on an idle machine
@pytest.mark.parametrize("delay", [0.05, 0.2, 0.35, 0.5, 0.7])
def test_a_killed_import_leaves_all_or_nothing(tmp_path: Path, delay: float) -> None:
    source = tmp_path / "big.jsonl"
    count = big_import_file(source, 8000)
    db = tmp_path / "alice.json"
    AnnotationStore.open(db, "alice").close()
    env = {**os.environ, "READER_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [str(READER), "import", str(source), "--db", str(db)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    with AnnotationStore.open(db, "alice") as store:  # writable: cleans up and recovers
        assert len(store) in (0, count)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".alice.json.tmp-")]
    assert leftovers == []
    with AnnotationStore.open(db, read_only=True) as store:
        assert len(store) in (0, count)
        annotated = {a.doc_id for a in store}
        assert len(annotated) in (0, count // 3)  # never part of the documents
