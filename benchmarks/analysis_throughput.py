"""Throughput of the default analysis engine, whole and stage by stage; prints one JSON object.

usage: python benchmarks/analysis_throughput.py [--size CHARS] [--runs N] [--dev DIR]

The text is the bundled seed articles repeated (paragraph-joined) to about --size characters.
If the shared development set exists (../shared/eval/dev, or --dev), its articles are also
analysed one by one, as the app does. Timings use time.perf_counter in this one process;
the figures are characters per second for the best and the median of --runs runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reader.nlp import analyze, default_engine_name
from reader.nlp.entities import find_entities
from reader.nlp.quotes import find_quotes
from reader.nlp.sentences import split_sentences
from reader.nlp.speakers import attribute_speakers
from reader.resources import seeds_dir

_REPO = Path(__file__).resolve().parents[1]
_DEV = _REPO.parent / "shared" / "eval" / "dev"


def news_text(size: int) -> str:
    articles = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir().glob("*.txt"))]
    if not articles:
        sys.exit("no seed articles found")
    unit = "\n".join(a.strip("\n") for a in articles) + "\n"
    return unit * max(1, round(size / len(unit)))


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def rates(chars: int, times: list[float]) -> dict[str, float]:
    return {
        "best_chars_per_s": round(chars / min(times)),
        "median_chars_per_s": round(chars / statistics.median(times)),
        "best_seconds": round(min(times), 4),
    }


def bench_text(text: str, runs: int) -> dict[str, Any]:
    n = len(text)
    sentences = split_sentences(text)
    entities = find_entities(text, sentences)
    quotes = find_quotes(text)
    stages: dict[str, Callable[[], Any]] = {
        "sentences": lambda: split_sentences(text),
        "entities": lambda: find_entities(text, sentences),
        "quotes": lambda: find_quotes(text),
        "speakers": lambda: attribute_speakers(text, quotes, sentences, entities),
    }
    result = analyze(text)
    return {
        "chars": n,
        "engine": rates(n, timed(lambda: analyze(text), runs)),
        "stages": {name: rates(n, timed(fn, runs)) for name, fn in stages.items()},
        "counts": {
            "sentences": len(result.sentences),
            "entities": len(result.entities),
            "quotes": len(result.quotes),
            "quotes_with_speaker": sum(1 for q in result.quotes if q.speaker),
        },
    }


def bench_dev(folder: Path, runs: int) -> dict[str, Any] | None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    if not texts:
        return None
    chars = sum(len(t) for t in texts)

    def run_all() -> None:
        for t in texts:
            analyze(t)

    return {"docs": len(texts), "chars": chars, "engine": rates(chars, timed(run_all, runs))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters of news text")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dev", type=Path, default=_DEV, help="folder of dev .txt articles")
    args = parser.parse_args()
    analyze("Warm up the engine. “Imports,” it said.")
    report: dict[str, Any] = {
        "engine": default_engine_name(),
        "runs": args.runs,
        "news_text": bench_text(news_text(args.size), args.runs),
    }
    if args.dev.is_dir():
        report["dev_set"] = bench_dev(args.dev, args.runs)
    report["target_chars_per_s"] = 300_000
    report["meets_target"] = report["news_text"]["engine"]["median_chars_per_s"] >= 300_000
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
