"""Startup time: process start to the seed article painted, against a bare Textual app.

usage: python benchmarks/startup.py [--runs N]

Each run is a fresh subprocess of `benchmarks/_paint_child.py`, alternating the two apps:

  reader  does what `reader` (no arguments) does: the click CLI loads the bundled seed and
          runs the app, here headless at 110x36;
  bare    a Textual app showing one Static, headless at 110x36.

The time of a run is the parent's wall clock (time.perf_counter) from just before
`subprocess.Popen` to reading the child's "painted" line: the child writes it from the
first frame whose content holds the expected text (for reader, the seed's first
sentence), after the frame was composed and encoded for the terminal. Painting the text
is the bar (median ratio reader/bare <= 1.5); the analysis is not waited for. Reader's
time to highlights (the first frame after the whole analysis was applied) is reported
for information, as are the children's own stamps (interpreter up, imports done).

Both apps run from bytecode written by an untimed first run (in a temporary
PYTHONPYCACHEPREFIX), as an installed wheel does: under PYTHONDONTWRITEBYTECODE an
editable install would compile every reader module at each start.

Prints one JSON object: median and min seconds for each app, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _bytecode import compiled_env

CHILD = Path(__file__).resolve().parent / "_paint_child.py"
BAR = 1.5


def spawn(args: Sequence[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run the child once; seconds from Popen to each event it reported."""
    return run_child([sys.executable, str(CHILD), *args], env=env, what=f"child {args}")


def run_child(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    what: str = "child",
    check_exit: bool = True,
) -> dict[str, float]:
    """Run a child that reports events (`_headless.emit`) once; seconds from Popen to
    each event. It failed when it reported no "painted" (or, with `check_exit`, when its
    exit status is not 0)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    events: dict[str, float] = {}
    for line in child.stdout:
        read_at = time.perf_counter()
        event, stamp = line.split()
        # "painted" is timed by the parent; the other stamps come from the child's clock.
        events[event] = (read_at if event == "painted" else float(stamp)) - start
    _, stderr = child.communicate(timeout=timeout)
    if "painted" not in events or (check_exit and child.returncode != 0):
        raise RuntimeError(f"{what} failed ({child.returncode}): {stderr[-2000:]}")
    return events


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for event in runs[0]:
        times = [run[event] for run in runs if event in run]
        result[event] = {
            "median_s": round(statistics.median(times), 4),
            "min_s": round(min(times), 4),
        }
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each app (default 10)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as cache:
        env = compiled_env(Path(cache))
        spawn(["bare"], env)  # unmeasured: warms the file cache and writes the bytecode
        spawn(["reader"], env)
        bare: list[dict[str, float]] = []
        ours: list[dict[str, float]] = []
        for _ in range(args.runs):
            bare.append(spawn(["bare"], env))
            ours.append(spawn(["reader"], env))

    def painted(runs: list[dict[str, float]]) -> list[float]:
        return [run["painted"] for run in runs]

    ratio_median = statistics.median(painted(ours)) / statistics.median(painted(bare))
    ratio_min = min(painted(ours)) / min(painted(bare))
    report = {
        "benchmark": "startup",
        "what": "seconds from Popen to the first frame with the text painted, headless 110x36",
        "runs_each": args.runs,
        "bytecode": "both apps' modules compiled before timing, as an installed wheel has",
        "python": sys.version.split()[0],
        "reader": {
            "painted_median_s": round(statistics.median(painted(ours)), 4),
            "painted_min_s": round(min(painted(ours)), 4),
            "highlights_median_s": round(statistics.median(r["highlights"] for r in ours), 4),
            "highlights_min_s": round(min(r["highlights"] for r in ours), 4),
            "stamps": summary(ours),
        },
        "bare_textual": {
            "painted_median_s": round(statistics.median(painted(bare)), 4),
            "painted_min_s": round(min(painted(bare)), 4),
            "stamps": summary(bare),
        },
        "ratio_median": round(ratio_median, 3),
        "ratio_min": round(ratio_min, 3),
        "bar": BAR,
        "pass": ratio_median <= BAR,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
