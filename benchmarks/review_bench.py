"""`reader review` benchmark: first document shown, at 3 annotators x 2,000 documents x
50 annotations each.

Builds one annotation store per annotator in a temporary folder (the texts and spans of
`agree_bench.py`: about 20 sentences a document; the annotators start from the same 50
spans per document and each moves boundaries or changes labels on some), then runs
`reader review alice.json bob.json carol.json --gold gold.json` in a fresh subprocess,
headless at 110x36, as in `startup.py`: the time of a run is the parent's wall clock from
just before `subprocess.Popen` to the child's report of the first frame (composed and
encoded for a terminal, `_frames.py`) that shows the first document's title and status
line. That covers the interpreter, imports, the CLI, opening the three stores and the
gold store, the first document's disagreements and progress, and the first paint.

Bar: under 1 s (best and median of --runs are reported). The time until the overall
progress is counted (every document's disagreements, in a background thread) is reported
for information from one more run.

    .venv/bin/python benchmarks/review_bench.py [--documents 2000] [--annotations 50] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from startup import run_child

BAR_SECONDS = 1.0
NEEDLE = "Generated article 0"


def build_stores(folder: Path, documents: int, annotations: int, seed: int) -> list[Path]:
    from agree_bench import ANNOTATORS, base_spans, make_text, perturb, record

    from reader.corpus import text_id
    from reader.store import AnnotationStore, StoredDocument

    rng = random.Random(seed)
    random.seed(seed)
    stored: list[StoredDocument] = []
    records: dict[str, list[dict[str, Any]]] = {name: [] for name in ANNOTATORS}
    for n in range(documents):
        text = make_text(rng, 20)
        doc_id = text_id(text)
        spans = base_spans(rng, text, annotations)
        meta = {"id": f"doc-{n:05d}", "title": f"Generated article {n}"}
        stored.append(StoredDocument(doc_id, text, meta, f"generated/{n:05d}.txt"))
        for name in ANNOTATORS:
            records[name] += [record(text, doc_id, perturb(rng, s, len(text)), name) for s in spans]
    paths = []
    for name in ANNOTATORS:
        path = folder / f"{name}.json"
        with AnnotationStore.open(path, name) as store:
            store.bulk_records(stored, records[name])
        paths.append(path)
    return paths


# --- the child: run `reader review` headless, report the first paint ---------------------
def child(args: list[str], wait_for_count: bool) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _headless import emit, headless

    emit("started")

    import reader.ui.review_app as review_app
    from reader.cli import main
    from reader.ui.screens.review import ReviewScreen

    emit("imported")
    state = {"painted": False}
    original_counted = ReviewScreen._counted

    def counted(screen: ReviewScreen) -> None:
        original_counted(screen)
        emit("counted")
        os._exit(0)

    ReviewScreen._counted = counted  # type: ignore[method-assign]

    def on_frame(text: str) -> None:
        if not state["painted"] and NEEDLE in text and "resolved" in text:
            state["painted"] = True
            emit("painted")
            if not wait_for_count:
                os._exit(0)

    review_app.make_review_app = headless(review_app.make_review_app, on_frame)
    main(["review", *args])
    sys.exit("the app exited without painting")


def spawn(args: list[str], wait_for_count: bool = False) -> dict[str, float]:
    """One run; seconds from Popen to each event the child reported."""
    command = [sys.executable, __file__, "--child", "count" if wait_for_count else "paint", *args]
    return run_child(command, timeout=300, what="review", check_exit=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--annotations", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        stores = build_stores(folder, args.documents, args.annotations, args.seed)
        built = time.perf_counter() - began
        review_args = [*map(str, stores), "--gold", str(folder / "gold.json")]
        spawn(review_args)  # warm the file cache once, unmeasured
        runs = [spawn(review_args) for _ in range(args.runs)]
        counted = spawn(review_args, wait_for_count=True)
        size = sum(p.stat().st_size for p in stores)
    painted = [run["painted"] for run in runs]
    print(
        json.dumps(
            {
                "annotators": 3,
                "documents": args.documents,
                "annotations_per_document": args.annotations,
                "annotations_total": 3 * args.documents * args.annotations,
                "stores_megabytes": round(size / 1e6, 1),
                "build_seconds": round(built, 1),
                "first_document_seconds_median": round(statistics.median(painted), 3),
                "first_document_seconds_min": round(min(painted), 3),
                "first_document_seconds_all_runs": [round(t, 3) for t in painted],
                "imports_done_seconds_median": round(
                    statistics.median(run["imported"] for run in runs), 3
                ),
                "bar_seconds": BAR_SECONDS,
                "under_bar": statistics.median(painted) < BAR_SECONDS,
                "overall_progress_counted_seconds": round(counted.get("counted", float("nan")), 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[3:], wait_for_count=sys.argv[2] == "count")
    else:
        main()
