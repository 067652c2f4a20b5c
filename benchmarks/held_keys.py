"""What holding keys costs: a burst of `j` keys through the reader app, with the key
fence (`reader.ui.screens.keys.OrderedKeys`) and without it, in the same run.

usage: python benchmarks/held_keys.py [--keys N] [--runs R]

Each run opens the bundled seed headless (110x36), waits for the analysis, then posts N
`j` keys to the app at once (as a fast typist, a paste or `tmux send-keys` does) and
times, with time.perf_counter, from the first post until the cursor is on sentence N+1
and nothing is left to handle. The two apps alternate; the fence-less one is the same
`ReaderApp` whose `on_event` skips `OrderedKeys` (the key goes straight to Textual).

Prints one JSON object: per key, the median and min milliseconds of each, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

from textual import events
from textual.app import App

from reader.corpus import load_corpus
from reader.resources import seeds_dir
from reader.ui.app import ReaderApp


class Unfenced(ReaderApp):
    """The reader app without the key fence: keys go to Textual as they come."""

    async def on_event(self, event: events.Event) -> None:
        await App.on_event(self, event)


async def burst(app_class: type[ReaderApp], keys: int) -> float:
    corpus = load_corpus([next(seeds_dir().glob("*.txt"))])
    app = app_class(corpus)
    async with app.run_test(size=(110, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        state = app.reading.state
        assert len(state.sentences) > keys, "the seed has too few sentences for this burst"
        start = time.perf_counter()
        for _ in range(keys):
            app.post_message(events.Key("j", "j"))
        while app.reading.state.cursor < keys:
            await asyncio.sleep(0.0005)
        await pilot.pause()
        return (time.perf_counter() - start) / keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"fenced": [], "unfenced": []}
    for _ in range(args.runs):
        times["fenced"].append(asyncio.run(burst(ReaderApp, args.keys)))
        times["unfenced"].append(asyncio.run(burst(Unfenced, args.keys)))
    result: dict[str, Any] = {"keys": args.keys, "runs": args.runs}
    for name, seconds in times.items():
        result[f"{name}_ms_per_key_median"] = round(statistics.median(seconds) * 1000, 2)
        result[f"{name}_ms_per_key_min"] = round(min(seconds) * 1000, 2)
    result["ratio_median"] = round(
        statistics.median(times["fenced"]) / statistics.median(times["unfenced"]), 2
    )
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
