"""How long opening the shipped entity model takes in a fresh process; prints JSON.

usage: python benchmarks/model_load.py [--runs N]

Issue 12 asks that the weights load in under 0.3 s. Each run starts a new interpreter that
imports `reader.nlp` and times `entity_model()` (reading `entities.npz` and building its
score tables); in the same run, for scale, another new interpreter times `import numpy`
(what every numpy program pays before anything). Medians and the best of --runs runs, in
seconds, with `load_over_numpy_import` the ratio of the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

_LOAD = (
    "import time\n"
    "from reader.nlp.model_engine import entity_model\n"
    "t = time.perf_counter(); entity_model(); print(time.perf_counter() - t)\n"
)
_NUMPY = "import time\nt = time.perf_counter()\nimport numpy\nprint(time.perf_counter() - t)\n"


def _timed(code: str) -> float:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    load: list[float] = []
    numpy: list[float] = []
    for _ in range(args.runs):  # alternated, so both see the same load on the machine
        load.append(_timed(_LOAD))
        numpy.append(_timed(_NUMPY))
    report = {
        "runs": args.runs,
        "model_load_seconds": {"median": statistics.median(load), "best": min(load)},
        "numpy_import_seconds": {"median": statistics.median(numpy), "best": min(numpy)},
        "load_over_numpy_import": statistics.median(load) / statistics.median(numpy),
        "bar_seconds": 0.3,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
