"""kill -9 at any moment loses nothing that was reported saved, and never breaks the file."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.store import AnnotationStore

SAVER = """
import sys, time
from reader.annotate.annotations import make_annotation
from reader.corpus import text_id
from reader.store import AnnotationStore, StoredDocument

path, mode = sys.argv[1], sys.argv[2]
text = "Word " * 400
doc = StoredDocument(text_id(text), text, {"title": "loop"})
store = AnnotationStore.open(path, "k", compact_after=int(sys.argv[3]))
n = 0
while True:
    start = (n * 5) % 1990
    a = make_annotation(text, doc.doc_id, start, start + 4, "claim", "FACT", "k", note=str(n))
    store.put(a, doc)
    print("saved", a.id, flush=True)
    n += 1
    if mode == "once":
        time.sleep(60)
"""


def start_saver(tmp_path: Path, path: Path, mode: str, compact_after: int = 10_000):
    script = tmp_path / "saver.py"
    script.write_text(SAVER, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), str(path), mode, str(compact_after)],
        stdout=subprocess.PIPE,
        text=True,
    )


def stored_ids(path: Path) -> set[str]:
    with AnnotationStore.open(path) as store:
        return {a.id for a in store}


def test_saved_then_sigkill_is_found_on_reopening(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    proc = start_saver(tmp_path, path, "once")
    line = proc.stdout.readline().split()
    assert line[0] == "saved"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert stored_ids(path) == {line[1]}


@pytest.mark.serial  # kills after time windows: under load they catch fewer saves
def test_sigkill_in_a_tight_loop_of_saves(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    reported: set[str] = set()
    rng = random.Random(4)
    for round_ in range(8):
        # A small compaction threshold so some kills land inside a compaction too.
        proc = start_saver(tmp_path, path, "loop", compact_after=rng.choice([7, 25, 10_000]))
        deadline = time.monotonic() + rng.uniform(0.05, 0.4)
        while time.monotonic() < deadline or not reported:
            line = proc.stdout.readline()
            if line.startswith("saved"):
                reported.add(line.split()[1])
        os.kill(proc.pid, signal.SIGKILL)
        proc.stdout.close()
        proc.wait()
        # The snapshot is always a whole JSON document (or not there yet)...
        if path.exists():
            json.loads(path.read_bytes())
        # ...and store + journal hold every annotation that was reported saved.
        found = stored_ids(path)
        missing = reported - found
        assert not missing, f"round {round_}: lost {len(missing)} of {len(reported)}"
        reported = found  # the next round starts from what is there
    assert len(reported) > 8
