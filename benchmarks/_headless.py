"""What the benchmarks' child processes share: the event lines they report, and running
an app headless with its frames watched (`_frames.py`).

An event is a line `<event> <time.perf_counter()>` written straight to file descriptor 1:
the parent reads it as it comes (on Linux perf_counter is CLOCK_MONOTONIC, shared by all
processes, so the parent can subtract its own Popen time).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

SIZE = (110, 36)


def emit(event: str) -> None:
    os.write(1, f"{event} {time.perf_counter()}\n".encode())


def headless(make: Callable[..., Any], on_frame: Callable[[str], None]) -> Callable[..., Any]:
    """The app factory `make`, wrapped: the app it makes hands the text of every frame
    to `on_frame` and runs headless at SIZE, whatever its `run` is asked."""
    from _frames import hook_frames

    def make_app(*args: Any, **kwargs: Any) -> Any:
        app = make(*args, **kwargs)
        hook_frames(app, on_frame)
        run = app.run
        app.run = lambda **_: run(headless=True, size=SIZE)
        return app

    return make_app
