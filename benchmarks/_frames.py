"""Watch the frames a Textual app composes (shared by the benchmarks).

A "frame" is one call of `App._display` with a compositor update: the screen's widgets
have rendered their dirty lines into it (`Compositor.render_update`). The hook then
encodes it with `render_segments`, the step a headless app skips, so that a frame here
costs what it costs on a real terminal, and hands its text to a callback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.app import App


def update_text(renderable: object) -> str:
    """The text of a compositor update, one line per screen row it touches."""
    if isinstance(renderable, LayoutUpdate):
        return "\n".join("".join(s.text for s in line) for line in renderable.strips)
    if isinstance(renderable, ChopsUpdate):
        return "\n".join(
            "".join(s.text for s in chop.values() if s is not None) for chop in renderable.chops
        )
    return ""


def hook_frames(app: App[Any], on_frame: Callable[[str], None]) -> None:
    """Call `on_frame(text)` after every frame the app composes and encodes."""
    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if isinstance(renderable, CompositorUpdate):
            renderable.render_segments(app.console)  # what a real terminal run would encode
            on_frame(update_text(renderable))

    app._display = display  # type: ignore[method-assign]
