"""Throughput of the analysis engines, whole and stage by stage; prints one JSON object.

usage: python benchmarks/analysis_throughput.py [--size CHARS] [--runs N] [--dev DIR]
                                                [--process-chars CHARS] [--spacy-python PY]

In this process: the bundled seed articles repeated (paragraph-joined) to about --size
characters, analysed by the default engine (the trained model) stage by stage and by the
rules engine beside it; if the shared development set exists (../shared/eval/dev, or --dev),
its articles are also analysed one by one, as the app does. Timings use time.perf_counter;
the figures are characters per second for the best and the median of --runs runs.

Whole process, one core: the articles (dev set, else seeds) written as files up to
--process-chars characters, then `reader analyze --json --jobs 1 FOLDER` timed from start to
exit for each engine, pinned to one core (wall time, and the child's CPU time, user + system
from getrusage), and side by side in the same run spaCy's
`en_core_web_sm` (`_spacy_child.py`, in the venv of --spacy-python, default
benchmarks/.spacy-venv: install spaCy there, never in reader's venv) over the same files:
its full pipeline, and its tok2vec + ner only. The ratios are computed from these timings.
reader's modules are compiled to bytecode (in a temporary PYTHONPYCACHEPREFIX, by an untimed
first run) before the timed runs, as an installed wheel has them and spaCy's venv has its
own: an editable install under PYTHONDONTWRITEBYTECODE compiles them at each start (~30 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _bytecode import compiled_env

from reader.nlp import analyze, default_engine_name
from reader.nlp.entities import find_entities
from reader.nlp.model_engine import find_model_entities
from reader.nlp.quotes import find_quotes
from reader.nlp.sentences import split_sentences
from reader.nlp.speakers import attribute_speakers
from reader.resources import seeds_dir

_REPO = Path(__file__).resolve().parents[1]
_DEV = _REPO.parent / "shared" / "eval" / "dev"
_SPACY = _REPO / "benchmarks" / ".spacy-venv" / "bin" / "python"
_CHILD = _REPO / "benchmarks" / "_spacy_child.py"


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
        "entities (model)": lambda: find_model_entities(text, sentences),
        "entities (rules)": lambda: find_entities(text, sentences),
        "quotes": lambda: find_quotes(text),
        "speakers": lambda: attribute_speakers(text, quotes, sentences, entities),
    }
    result = analyze(text)
    return {
        "chars": n,
        "engine": rates(n, timed(lambda: analyze(text), runs)),
        "rules_engine": rates(n, timed(lambda: analyze(text, "rules"), runs)),
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


def write_articles(folder: Path, texts: list[str], chars: int) -> int:
    """Files of the given articles, cycled, until `chars` characters are written."""
    written = k = 0
    while written < chars:
        text = texts[k % len(texts)]
        (folder / f"{k:05d}.txt").write_text(text, encoding="utf-8")
        written += len(text)
        k += 1
    return written


def one_core() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def wall(
    cmd: list[str], runs: int, env: dict[str, str] | None = None
) -> tuple[list[float], list[float], str]:
    """Wall times and CPU times (user + system of the child, from getrusage, far less
    sensitive than wall time to other work on the machine) of `runs` runs of `cmd`."""
    times, cpu, err = [], [], ""
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=one_core,
            env=env,
        )
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode:
            sys.exit(f"{cmd[0]} failed: {done.stderr.strip()[-300:]}")
        err = done.stderr
    return times, cpu, err


def process_rates(chars: int, times: list[float], cpu: list[float]) -> dict[str, float]:
    return {
        **rates(chars, times),
        "cpu_median_chars_per_s": round(chars / statistics.median(cpu)),
        "cpu_median_seconds": round(statistics.median(cpu), 4),
    }


def ratio(report: dict[str, Any], ours: str, theirs: str, key: str) -> float:
    return round(report[ours][key] / report[theirs][key], 1)


def bench_processes(texts: list[str], chars: int, runs: int, spacy_python: Path) -> dict[str, Any]:
    reader = shutil.which("reader", path=str(Path(sys.executable).parent)) or "reader"
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as cache:
        folder = Path(tmp)
        n = write_articles(folder, texts, chars)
        report: dict[str, Any] = {
            "chars": n,
            "files": len(list(folder.iterdir())),
            "one_core": True,
        }
        env = compiled_env(Path(cache))
        report["bytecode"] = "reader's modules compiled before timing, as an installed wheel has"
        for engine in ("model", "rules"):
            cmd = [reader, "analyze", "--json", "--jobs", "1", "--engine", engine, str(folder)]
            wall(cmd, 1, env)  # untimed: writes the bytecode
            times, cpu, _ = wall(cmd, runs, env)
            report[f"reader_{engine}"] = process_rates(n, times, cpu)
        if spacy_python.is_file():
            for name, extra in (("spacy_sm_full", []), ("spacy_sm_ner_only", ["--ner-only"])):
                times, cpu, err = wall([str(spacy_python), str(_CHILD), tmp, *extra], runs)
                report[name] = process_rates(n, times, cpu)
                report[f"{name}_pipes"] = json.loads(err.strip().splitlines()[-1])
            for spacy in ("spacy_sm_full", "spacy_sm_ner_only"):
                for engine in ("model", "rules"):
                    for key, clock in (
                        ("median_chars_per_s", "wall"),
                        ("cpu_median_chars_per_s", "cpu"),
                    ):
                        report[f"{engine}_vs_{spacy[6:]}_{clock}"] = ratio(
                            report, f"reader_{engine}", spacy, key
                        )
        else:
            report["spacy"] = f"not measured: no {spacy_python}"
        return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters of news text")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dev", type=Path, default=_DEV, help="folder of dev .txt articles")
    parser.add_argument("--process-chars", type=int, default=500_000)
    parser.add_argument("--spacy-python", type=Path, default=_SPACY)
    args = parser.parse_args()
    analyze("Warm up the engine. “Imports,” it said.")
    report: dict[str, Any] = {
        "engine": default_engine_name(),
        "runs": args.runs,
        "news_text": bench_text(news_text(args.size), args.runs),
    }
    if args.dev.is_dir():
        report["dev_set"] = bench_dev(args.dev, args.runs)
    dev = sorted(args.dev.glob("*.txt")) if args.dev.is_dir() else []
    texts = [p.read_text(encoding="utf-8") for p in dev or sorted(seeds_dir().glob("*.txt"))]
    whole = bench_processes(texts, args.process_chars, args.runs, args.spacy_python)
    report["whole_process"] = whole
    report["target_chars_per_s"] = 300_000
    model = whole["reader_model"]
    report["meets_target_wall"] = model["median_chars_per_s"] >= 300_000
    report["meets_target_cpu"] = model["cpu_median_chars_per_s"] >= 300_000
    if "model_vs_sm_full_wall" in whole:
        report["meets_10x_spacy_wall"] = whole["model_vs_sm_full_wall"] >= 10
        report["meets_10x_spacy_cpu"] = whole["model_vs_sm_full_cpu"] >= 10
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
