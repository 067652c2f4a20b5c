"""Child process for the startup benchmarks: run an app headless, report when it painted.

usage: python benchmarks/_paint_child.py reader [PATH...]   # what `reader [PATH...]` does
       python benchmarks/_paint_child.py bare               # a bare Textual app, one Static

Writes `<event> <time.perf_counter()>` lines straight to file descriptor 1 (the parent
reads them as they come; on Linux perf_counter is CLOCK_MONOTONIC, shared by all
processes, so the parent can subtract its own Popen time):

  started     the script's first line ran (the interpreter is up)
  imported    the app's modules are imported
  painted     the first frame whose content holds the expected text was composed and
              encoded as the terminal bytes a real terminal would be sent
  highlights  (reader only) the first frame after the complete analysis was applied

(not waited for when the environment has PAINT_ONLY=1; PAINT_NEEDLE overrides the text
looked for), then exits at once with os._exit (no teardown: the parent has what it needs).

A frame is as `_frames.py` defines it: composed by Textual, then encoded as terminal
output (the step a headless app skips), so the bare and the reader app both pay the full
cost of producing a terminal frame.
"""

from __future__ import annotations

import os
import sys
import time

os.write(1, f"started {time.perf_counter()}\n".encode())

from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from _frames import hook_frames  # noqa: E402
from _headless import SIZE, emit, headless  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import Static  # noqa: E402

READER_NEEDLE = "Iran’s supreme leader said on Monday"
BARE_NEEDLE = "Hello from a bare Textual app"


def watch_paint(app: App[Any], needle: str, then: Callable[[], None]) -> None:
    done = False

    def on_frame(text: str) -> None:
        nonlocal done
        if not done and needle in text:
            done = True
            emit("painted")
            then()

    hook_frames(app, on_frame)


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(BARE_NEEDLE)


def run_bare() -> None:
    emit("imported")
    app = BareApp()
    watch_paint(app, BARE_NEEDLE, lambda: os._exit(0))
    app.run(headless=True, size=SIZE)


def run_reader(paths: list[str], needle: str, paint_only: bool = False) -> None:
    import reader.ui.app as app_module
    from reader.cli import main
    from reader.ui.screens.reading import ReadingScreen

    emit("imported")
    state = {"painted": False, "analysed": False}
    original_apply = ReadingScreen._apply_analysis

    def apply_analysis(screen: ReadingScreen, doc_id: str, analysis: Any, covered: int) -> None:
        original_apply(screen, doc_id, analysis, covered)
        if covered >= len(screen.document.text):
            state["analysed"] = True

    ReadingScreen._apply_analysis = apply_analysis  # type: ignore[method-assign]

    def on_frame(text: str) -> None:
        if not state["painted"] and needle in text:
            state["painted"] = True
            emit("painted")
            if paint_only:
                os._exit(0)
        if state["painted"] and state["analysed"]:
            emit("highlights")
            os._exit(0)

    app_module.make_app = headless(app_module.make_app, on_frame)
    main(paths)


if __name__ == "__main__":
    mode, *rest = sys.argv[1:] or ["bare"]
    if mode == "bare":
        run_bare()
    elif mode == "reader":
        needle = os.environ.get("PAINT_NEEDLE", READER_NEEDLE)
        run_reader(rest, needle, paint_only=os.environ.get("PAINT_ONLY") == "1")
    else:
        sys.exit(f"unknown mode {mode!r}")
    sys.exit("the app exited without painting")
