"""`reader analyze --jobs 2` against `--jobs 1` on 2,000 articles; prints one JSON object.

usage: python benchmarks/analyze_jobs.py [--articles N] [--runs N] [--engine NAME]

The articles are the shared development set's (../shared/eval/dev), else the bundled seeds,
cycled to --articles files, each made distinct by a numbered first line. Each command runs
as a whole process (start-up, model load, reading, analysis, JSON out to /dev/null), timed
with time.perf_counter; the ratio is the median time of --jobs 1 over that of --jobs 2,
measured in the same run. Other work on the machine lowers the ratio: the load average
after the run is printed beside it, and each command's CPU time (user + system of it and its
worker processes, from getrusage) shows what the workers cost beyond --jobs 1.
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
from pathlib import Path

from reader.resources import seeds_dir

_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", default="model")
    args = parser.parse_args()
    sources = sorted(_DEV.glob("*.txt")) if _DEV.is_dir() else []
    texts = [p.read_text(encoding="utf-8") for p in sources or sorted(seeds_dir().glob("*.txt"))]
    reader = shutil.which("reader", path=str(Path(sys.executable).parent)) or "reader"
    report: dict = {"articles": args.articles, "engine": args.engine, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        chars = 0
        for k in range(args.articles):
            text = f"Article {k}.\n" + texts[k % len(texts)]
            (Path(tmp) / f"{k:05d}.txt").write_text(text, encoding="utf-8")
            chars += len(text)
        report["chars"] = chars
        times: dict[int, list[float]] = {1: [], 2: []}
        cpu: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.runs):
            for jobs in (1, 2):  # interleaved, so a change in the machine's load hits both
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                subprocess.run(
                    [
                        reader,
                        "analyze",
                        "--json",
                        "--engine",
                        args.engine,
                        "--jobs",
                        str(jobs),
                        tmp,
                    ],
                    stdout=subprocess.DEVNULL,
                    check=True,
                )
                times[jobs].append(time.perf_counter() - t0)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[jobs].append(
                    after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                )
    for jobs, ts in times.items():
        report[f"jobs_{jobs}"] = {
            "median_seconds": round(statistics.median(ts), 3),
            "chars_per_s": round(chars / statistics.median(ts)),
            "cpu_median_seconds": round(statistics.median(cpu[jobs]), 3),  # all its processes
        }
    report["speedup_jobs2_over_jobs1"] = round(
        statistics.median(times[1]) / statistics.median(times[2]), 2
    )
    report["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
