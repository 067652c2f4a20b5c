"""SIGKILL benchmark: an editor process re-anchors an edited article, then relabels, notes
and adds annotations (compacting every 3, 8 or 10,000 saves) until it is killed at a
random moment; after every kill the store is read back and checked against everything
the editor acknowledged. Prints one JSON object per scenario (with and without an edit
of the article between kills): kills, saves, lost, duplicated, reverted.

The same rounds run in `make test` at a small size (tests/test_store_reanchor.py).

    .venv/bin/python benchmarks/store_crash_bench.py [--rounds 60] [--seed 11]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_store_reanchor import run_kills  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    results = {}
    for name, edit in (("edited_article", True), ("unchanged_article", False)):
        with tempfile.TemporaryDirectory(prefix="reader-kill-") as folder:
            started = time.perf_counter()
            totals = run_kills(Path(folder), rounds=args.rounds, edit=edit, seed=args.seed)
            totals["seconds"] = round(time.perf_counter() - started, 1)
            results[name] = totals
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
