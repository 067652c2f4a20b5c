"""What making claim learning undoable costs: an update's time and the memory its undo
record holds; prints JSON.

usage: python benchmarks/claim_undo.py [--runs N] [--against CHECKOUT]

The sentences: the bundled seed articles', cut as `reader analyze` does. Each run teaches a
fresh `ClaimLearner` every sentence in turn (FACT, OPINION, a rejection, over and over,
each against a shown FACT suggestion), then undoes every update, newest first, then redoes
them all. Printed: ms per `observe`, `undo` and `redo` (best and median of the runs), the
bytes an `Update` keeps (mean and largest), and `exact`: whether every run's undo gave
back the state it started from and its redo the state it reached, to the byte of the saved
file.

With `--against CHECKOUT` (another checkout of reader, e.g. main's, before updates kept
their undo record) the `observe` timing alone is run in child processes, alternately with
CHECKOUT's code and this one's, `--runs` times each (three runs, warm, in each), so both
are measured in the same run;
`observe_ratio` is this one's median over CHECKOUT's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]


def sentences() -> list[str]:
    from reader.nlp.sentences import split_sentences
    from reader.resources import seeds_dir

    found = []
    for path in sorted(seeds_dir().glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found.extend(text[s.start : s.end] for s in split_sentences(text))
    return found


def teach(learner: Any, texts: list[str]) -> tuple[list[Any], float]:
    """Teach every sentence; the updates and ms per observe."""
    from reader.claims.learner import Suggestion

    shown = Suggestion("FACT", 0.9)
    labels = ["FACT", "OPINION", None]
    started = time.perf_counter()
    made = [learner.observe(t, labels[n % 3], shown) for n, t in enumerate(texts)]
    return made, (time.perf_counter() - started) * 1000 / len(texts)


def fresh() -> Any:
    from reader.annotate.schema import default_schema
    from reader.claims.learner import ClaimLearner, claim_label_groups

    learner = ClaimLearner(claim_label_groups(default_schema()))
    learner.suggest("A warm-up sentence.")  # the shipped model's file is read here
    return learner


def update_bytes(update: Any) -> int:
    rows = [side.weights.nbytes for pair in update.labels.values() for side in pair]
    return update.indices.nbytes + sum(rows)


def figures(values: list[float]) -> dict[str, float]:
    return {"best": round(min(values), 4), "median": round(statistics.median(values), 4)}


def undo_run(texts: list[str]) -> dict[str, Any]:
    from reader.claims.persist import encode

    learner = fresh()
    before = encode(learner)
    made, observe_ms = teach(learner, texts)
    after = encode(learner)
    started = time.perf_counter()
    for update in reversed(made):
        learner.undo(update)
    undo_ms = (time.perf_counter() - started) * 1000 / len(made)
    exact = encode(learner) == before
    started = time.perf_counter()
    for update in made:
        learner.redo(update)
    redo_ms = (time.perf_counter() - started) * 1000 / len(made)
    sizes = [update_bytes(u) for u in made]
    return {
        "observe_ms": observe_ms,
        "undo_ms": undo_ms,
        "redo_ms": redo_ms,
        "exact": exact and encode(learner) == after,
        "bytes": sizes,
    }


def child(runs: int) -> None:
    """Only `observe`, with whatever reader is on sys.path: one JSON list of ms (after a
    run not timed, so both checkouts are timed warm)."""
    texts = sentences()
    teach(fresh(), texts)
    print(json.dumps([teach(fresh(), texts)[1] for _ in range(runs)]))


def observe_in(checkout: Path, runs: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    command = [sys.executable, __file__, "--child", "--runs", str(runs)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return [float(ms) for ms in json.loads(done.stdout)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--against", type=Path, help="another checkout of reader")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.runs)
        return
    texts = sentences()
    runs = [undo_run(texts) for _ in range(args.runs)]
    sizes = runs[0]["bytes"]
    result: dict[str, Any] = {
        "sentences": len(texts),
        "runs": args.runs,
        **{name: figures([r[name] for r in runs]) for name in ("observe_ms", "undo_ms", "redo_ms")},
        "update_bytes": {"mean": round(statistics.mean(sizes)), "max": max(sizes)},
        "exact": all(r["exact"] for r in runs),
    }
    if args.against is not None:
        theirs: list[float] = []
        ours: list[float] = []
        for _ in range(args.runs):  # alternated, a child process each, three runs in each
            theirs += observe_in(args.against.resolve(), 3)
            ours += observe_in(HERE, 3)
        result["against"] = {
            "checkout": str(args.against),
            "observe_ms": figures(theirs),
            "this_observe_ms": figures(ours),
            "observe_ratio": round(statistics.median(ours) / statistics.median(theirs), 3),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
