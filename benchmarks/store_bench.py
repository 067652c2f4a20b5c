"""Annotation store benchmark: 100,000 annotations over 2,000 documents.

Prints one JSON object: p50/p99 milliseconds to save one annotation through the session
(journal append + fsync) and, side by side in the same loop, for SQLite doing the same
insert (WAL, one commit per insert); their ratio; seconds to open the store and load the
first document's annotations; seconds to export it all (native JSONL) and to import that;
memory (resident MiB per 100,000 annotations: the store open, then every document decoded)
beside the store's size on disk; and how long the caller's thread (the UI's) is held while
a compaction runs in the background: the save that starts it, every save made meanwhile,
and the worst lateness of a 5 ms tick (what a frame would feel).

    .venv/bin/python benchmarks/store_bench.py [--annotations 100000] [--documents 2000]
    .venv/bin/python benchmarks/store_bench.py --annotations 200000 --documents 4000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from reader.annotate.annotations import make_annotation
from reader.annotate.session import AnnotationSession
from reader.commands.export import collect, export_documents
from reader.commands.import_ import import_outcome, read_file
from reader.corpus import Document, text_id
from reader.formats import ReadOptions
from reader.store import AnnotationStore, StoredDocument

WORDS = [
    "the",
    "port",
    "city",
    "council",
    "said",
    "on",
    "monday",
    "that",
    "repairs",
    "to",
    "the",
    "harbour",
    "wall",
    "would",
    "cost",
    "about",
    "three",
    "million",
    "euros",
    "and",
    "take",
    "until",
    "next",
    "spring",
    "officials",
    "expect",
    "traffic",
    "to",
    "double",
    "critics",
    "argue",
    "the",
    "plan",
    "is",
    "late",
    "and",
    "over",
    "budget",
]
LABELS = ["FACT", "OPINION", "PREDICTION", "OTHER"]


def article(rng: random.Random, sentences: int = 24) -> str:
    out = []
    for _ in range(sentences):
        words = rng.choices(WORDS, k=rng.randint(8, 20))
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out) + "\n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def sqlite_setup(
    path: Path, documents: list[StoredDocument], records: list[dict]
) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE documents (doc_id TEXT PRIMARY KEY, text TEXT, meta TEXT)")
    db.execute(
        "CREATE TABLE annotations (id TEXT PRIMARY KEY, doc_id TEXT, start INT, end INT, "
        "text TEXT, kind TEXT, label TEXT, target TEXT, holder TEXT, note TEXT, annotator TEXT, "
        "created TEXT, updated TEXT, prefix TEXT, suffix TEXT)"
    )
    db.execute("CREATE INDEX by_doc ON annotations (doc_id)")
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO documents VALUES (?, ?, ?)", [(d.doc_id, d.text, "{}") for d in documents]
    )
    db.executemany(
        f"INSERT INTO annotations VALUES ({', '.join('?' * 15)})",
        [tuple(r.values()) for r in records],
    )
    db.execute("COMMIT")
    return db


def resident_mib() -> float:
    """This process's resident memory now (Linux), else its peak."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


MEMORY_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from store_bench import resident_mib
from reader.store import AnnotationStore
base = resident_mib()
store = AnnotationStore.open(sys.argv[2], read_only=sys.argv[3] == "read")
opened = resident_mib() - base
for doc_id in store.document_ids():
    store.records(doc_id)
print(json.dumps({"n": len(store), "open": opened, "decoded": resident_mib() - base}))
store.close()
"""


def memory_per_100k(path: Path) -> dict[str, float]:
    """Resident MiB per 100,000 annotations of a store opened in a fresh process (read-only
    as export and review do, and for writing as the app does), just open and with every
    document decoded, beside the store file's size."""
    import subprocess
    import sys

    here = str(Path(__file__).resolve().parent)
    result: dict[str, float] = {}
    for mode in ("read", "write"):
        done = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, here, str(path), mode],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout)
        scale = 100_000 / figures["n"]
        result[f"{mode}_open"] = round(figures["open"] * scale, 1)
        result[f"{mode}_all_decoded"] = round(figures["decoded"] * scale, 1)
    result["store_file"] = round(path.stat().st_size / 2**20 * 100_000 / figures["n"], 1)
    return result


def compaction_stall(
    path: Path, documents: list[StoredDocument], rng: random.Random
) -> dict[str, float]:
    """Saves and 5 ms ticks on this thread while a compaction of the whole store runs in
    the background: the longest the thread was held, in milliseconds."""
    store = AnnotationStore.open(path, "bench", compact_after=20)
    for doc in documents[:5]:
        store.for_document(doc.doc_id)  # the documents on screen are decoded

    def save() -> float:
        doc = rng.choice(documents)
        start = rng.randrange(0, len(doc.text) - 80)
        annotation = make_annotation(
            doc.text, doc.doc_id, start, start + 30, "claim", "FACT", "bench"
        )
        t0 = time.perf_counter()
        store.put(annotation, doc)
        return (time.perf_counter() - t0) * 1000

    for _ in range(19):
        save()
    trigger_ms = save()  # the 20th save rotates the journal and starts the compaction
    started = time.perf_counter()
    saves_ms: list[float] = []
    late_ms: list[float] = []
    ticks = 0
    while store.compacting:
        t0 = time.perf_counter()
        time.sleep(0.005)
        late_ms.append((time.perf_counter() - t0 - 0.005) * 1000)
        ticks += 1
        if ticks % 4 == 0:
            saves_ms.append(save())
    compaction_s = time.perf_counter() - started
    store.wait_for_compaction()
    store.close()
    return {
        "save_that_starts_it_ms": round(trigger_ms, 2),
        "max_save_during_ms": round(max(saves_ms, default=0.0), 2),
        "saves_during": len(saves_ms),
        "max_tick_late_ms": round(max(late_ms, default=0.0), 2),
        "background_compaction_s": round(compaction_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=2_000)
    parser.add_argument("--saves", type=int, default=1_000)
    args = parser.parse_args()
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="reader-bench-"))
    texts = [article(rng) for _ in range(args.documents)]
    documents = [
        StoredDocument(text_id(t), t, {"title": f"Article {i}"}) for i, t in enumerate(texts)
    ]
    per_doc = args.annotations // args.documents
    annotations = []
    for doc in documents:
        for _ in range(per_doc):
            start = rng.randrange(0, len(doc.text) - 80)
            end = start + rng.randint(10, 80)
            annotations.append(
                make_annotation(
                    doc.text, doc.doc_id, start, end, "claim", rng.choice(LABELS), "bench"
                )
            )

    started = time.perf_counter()
    path = work / "bench.json"
    with AnnotationStore.open(path, "bench") as store:
        store.bulk(documents, annotations)
    build_s = time.perf_counter() - started
    sqlite_db = sqlite_setup(work / "bench.sqlite", documents, [a.to_json() for a in annotations])
    synchronous = sqlite_db.execute("PRAGMA synchronous").fetchone()[0]

    stall = compaction_stall(path, documents, rng)

    memory = memory_per_100k(path)
    started = time.perf_counter()
    store = AnnotationStore.open(path, "bench")
    first = store.for_document(store.document_ids()[0])
    open_s = time.perf_counter() - started
    assert len(first) == per_doc
    started = time.perf_counter()
    for doc_id in store.document_ids():
        store.records(doc_id)
    decode_all_s = time.perf_counter() - started

    session = AnnotationSession(store)
    store_ms: list[float] = []
    sqlite_ms: list[float] = []
    insert = f"INSERT INTO annotations VALUES ({', '.join('?' * 15)})"
    for i in range(args.saves):
        index = rng.randrange(len(documents))
        doc = Document(text=texts[index], title="", source="", meta=documents[index].meta)
        start = rng.randrange(0, len(doc.text) - 80)
        t0 = time.perf_counter()
        added = session.add(doc, start, start + 40, "claim", LABELS[i % 4])
        store_ms.append((time.perf_counter() - t0) * 1000)
        row = tuple(added.to_json().values())
        t0 = time.perf_counter()
        sqlite_db.execute("BEGIN")
        sqlite_db.execute(insert, (row[0] + "-sql", *row[1:]))
        sqlite_db.execute("COMMIT")
        sqlite_ms.append((time.perf_counter() - t0) * 1000)
    started = time.perf_counter()
    store.close()
    close_s = time.perf_counter() - started
    sqlite_db.close()

    export_path = work / "export.jsonl"
    started = time.perf_counter()
    exported = collect([str(path)])
    export_documents(exported, "native", str(export_path))
    export_s = time.perf_counter() - started

    started = time.perf_counter()
    outcome = read_file(export_path, "native", ReadOptions(annotator="bench"))
    with AnnotationStore.open(work / "imported.json", "bench") as imported:
        count, _, _ = import_outcome(outcome, imported, native_ids=True)
    import_s = time.perf_counter() - started
    assert count == sum(len(d.records) for d in exported) and not outcome.problems

    store_p99, sqlite_p99 = percentile(store_ms, 0.99), percentile(sqlite_ms, 0.99)
    result = {
        "annotations": sum(len(d.records) for d in exported),
        "documents": args.documents,
        "saves_measured": args.saves,
        "store_save_ms": {
            "p50": round(statistics.median(store_ms), 3),
            "p99": round(store_p99, 3),
            "max": round(max(store_ms), 3),
        },
        "sqlite_wal_save_ms": {
            "p50": round(statistics.median(sqlite_ms), 3),
            "p99": round(sqlite_p99, 3),
            "max": round(max(sqlite_ms), 3),
            "synchronous": synchronous,
        },
        "p99_ratio_store_over_sqlite": round(store_p99 / sqlite_p99, 2),
        "p50_ratio_store_over_sqlite": round(
            statistics.median(store_ms) / statistics.median(sqlite_ms), 2
        ),
        "open_and_first_document_s": round(open_s, 3),
        "export_s": round(export_s, 3),
        "import_s": round(import_s, 3),
        "build_bulk_s": round(build_s, 3),
        "close_with_compaction_s": round(close_s, 3),
        "decode_all_s": round(decode_all_s, 3),
        "store_file_mb": round(path.stat().st_size / 1e6, 1),
        "memory_mib_per_100k": memory,
        "ui_thread_during_compaction": stall,
        "export_file_mb": round(export_path.stat().st_size / 1e6, 1),
        "targets": {
            "save_p99_ms": 10,
            "open_s": 1,
            "export_s": 3,
            "import_s": 5,
            "ui_thread_held_ms": 100,
        },
    }
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
