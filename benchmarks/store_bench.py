"""Annotation store benchmark: 100,000 annotations over 2,000 documents.

Prints one JSON object: p50/p99 milliseconds to save one annotation through the session
(journal append + fsync) and, side by side in the same loop, for SQLite doing the same
insert (WAL, one commit per insert); their ratio; seconds to open the store and load the
first document's annotations; seconds to export it all (native JSONL) and to import that.

    .venv/bin/python benchmarks/store_bench.py [--annotations 100000] [--documents 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from reader.annotations import make_annotation
from reader.commands.export import collect, export_documents
from reader.commands.import_ import import_outcome, read_file
from reader.corpus import Document, text_id
from reader.formats import ReadOptions
from reader.session import AnnotationSession
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

    started = time.perf_counter()
    store = AnnotationStore.open(path, "bench")
    first = store.for_document(store.document_ids()[0])
    open_s = time.perf_counter() - started
    assert len(first) == per_doc

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
    assert count == args.annotations + args.saves and not outcome.problems

    store_p99, sqlite_p99 = percentile(store_ms, 0.99), percentile(sqlite_ms, 0.99)
    result = {
        "annotations": args.annotations + args.saves,
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
        "store_file_mb": round(path.stat().st_size / 1e6, 1),
        "export_file_mb": round(export_path.stat().st_size / 1e6, 1),
        "targets": {"save_p99_ms": 10, "open_s": 1, "export_s": 3, "import_s": 5},
    }
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
