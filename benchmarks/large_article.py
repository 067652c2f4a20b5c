"""A ~1 MB article: first paint, and the repaint after one `j`, against the small seed.

usage: python benchmarks/large_article.py [--size BYTES] [--paint-runs N] [--presses N]

The article is the bundled seed followed by its body paragraphs repeated until the file
holds about --size bytes of UTF-8 (default 1 MiB), written to a temporary file.

First paint (bar: under 1 s). Measured as in startup.py: a fresh subprocess of
`_paint_child.py` does what `reader PATH` does, headless at 110x36; the time is the
parent's wall clock from Popen to the child's report of the first frame holding the
seed's first sentence. Reported: process start to paint (`process_*`, includes the
interpreter and imports) and app start to paint (`in_app_*`: from the child's "imports
done" stamp, so the CLI loading the 1 MB file, layout, mount and the first frame, with
the analysis thread already running). One more run waits for the highlights of the
whole article (every analysis piece applied), for information.

`j` repaint (bar: median under 50 ms). In process, `app.run_test(size=(110, 36))`, after
the analysis is complete (`app.workers.wait_for_complete()` then `pilot.pause()`). For
each press the time runs from just before `pilot.press("j")` to the first frame, after
it, whose text shows the status line's new `sentence N/M`: the frame is the compositor
update Textual composed for the dirty regions (article view lines rendered through
`render_line`, status and quote lines), then encoded as terminal output by the hook in
`_frames.py`, the step a headless app skips. That covers the key event's dispatch, the
binding and action, the 60 fps update timer's wait and the whole repaint; pilot's own
idle-waiting after the key is not counted, as the frame's time is taken when it is made.
The same is measured on the small seed; `ratio_large_to_small` near 1 shows the cost
does not grow with the article.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _frames import hook_frames
from startup import spawn

from reader.corpus import Corpus, load_corpus
from reader.resources import seeds_dir
from reader.ui.app import make_app

SIZE = (110, 36)
SEED_FILE = "000_1a61316cefcbaba0.txt"
NEEDLE = "Iran’s supreme leader said on Monday"
PAINT_BAR_S = 1.0
J_BAR_S = 0.050


def build_article(size: int) -> str:
    """The seed, then its body paragraphs (every line but the title) again and again."""
    seed = (seeds_dir() / SEED_FILE).read_text(encoding="utf-8")
    lines = [line for line in seed.split("\n") if line.strip()]
    body = "\n".join(lines[1:]) + "\n"
    parts = [seed.rstrip("\n") + "\n"]
    total = len(parts[0].encode("utf-8"))
    body_bytes = len(body.encode("utf-8"))
    while total < size:
        parts.append(body)
        total += body_bytes
    return "".join(parts)


def first_paint(path: Path, runs: int) -> dict[str, Any]:
    env = {**os.environ, "PAINT_ONLY": "1", "PAINT_NEEDLE": NEEDLE}
    spawn(["reader", str(path)], env)  # warm the file cache once, unmeasured
    results = [spawn(["reader", str(path)], env) for _ in range(runs)]
    process = [r["painted"] for r in results]
    in_app = [r["painted"] - r["imported"] for r in results]
    full = spawn(["reader", str(path)], {**env, "PAINT_ONLY": "0"})
    return {
        "process_median_s": round(statistics.median(process), 4),
        "process_min_s": round(min(process), 4),
        "in_app_median_s": round(statistics.median(in_app), 4),
        "in_app_min_s": round(min(in_app), 4),
        "runs": runs,
        "highlights_s_one_run": round(full["highlights"], 4),
        "bar_s": PAINT_BAR_S,
        "pass": statistics.median(process) < PAINT_BAR_S,
    }


async def j_repaint(corpus: Corpus, presses: int) -> dict[str, Any]:
    app = make_app(corpus)
    frames: list[tuple[float, str]] = []
    hook_frames(app, lambda text: frames.append((time.perf_counter(), text)))
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.reading
        assert "analysing" not in screen.engine_label, screen.engine_label
        total = len(screen.state.sentences)
        for _ in range(presses):
            if screen.state.cursor + 1 >= total:
                await pilot.press("g")  # back to the top, untimed, when out of sentences
            await pilot.pause()
            shown = f"sentence {screen.state.cursor + 2}/{total}"
            seen = len(frames)
            start = time.perf_counter()
            await pilot.press("j")
            deadline = time.perf_counter() + 2.0
            while True:
                made = next((t for t, text in frames[seen:] if shown in text), None)
                if made is not None:
                    break
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"no frame showed {shown!r} after j")
                await asyncio.sleep(0.001)
            times.append(made - start)
        await pilot.press("q")
    ordered = sorted(times)
    return {
        "chars": len(corpus.documents[0].text),
        "sentences": total,
        "presses": presses,
        "median_ms": round(statistics.median(times) * 1000, 2),
        "min_ms": round(min(times) * 1000, 2),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(max(times) * 1000, 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1 << 20, help="article bytes (1 MiB)")
    parser.add_argument("--paint-runs", type=int, default=5, help="first-paint runs (5)")
    parser.add_argument("--presses", type=int, default=50, help="timed j presses (50)")
    args = parser.parse_args(argv)

    text = build_article(args.size)
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as folder:
        path = Path(folder) / "large_article.txt"
        path.write_text(text, encoding="utf-8")
        paint = first_paint(path, args.paint_runs)
        large = asyncio.run(j_repaint(load_corpus([path]), args.presses))
    small = asyncio.run(j_repaint(load_corpus([seeds_dir() / SEED_FILE]), args.presses))
    report = {
        "benchmark": "large_article",
        "python": sys.version.split()[0],
        "article": {"bytes": len(text.encode("utf-8")), "chars": len(text)},
        "first_paint": paint,
        "j_repaint": {
            "large": large,
            "small_seed": small,
            "ratio_large_to_small": round(large["median_ms"] / small["median_ms"], 3),
            "bar_ms": J_BAR_S * 1000,
            "pass": large["median_ms"] < J_BAR_S * 1000,
        },
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
