"""Keys are handled one at a time, in the order they were typed.

Textual hands a key to the focused widget and moves on to the next key at once; the key
reaches the screen's bindings a few message hops later. Typed quickly (a fast typist, a
paste, `tmux send-keys`), the keys after `d`, `s` or `Tab` were handed to the widget that
had the focus *before* the list or prompt opened: `j f Iran Tab Khamenei Enter` saved a
stance with no target and no holder, `d Down 1` could label the article behind the list.

`OrderedKeys` holds each key until the previous one has been handled all the way: a
fence event follows the key along the same path (focused widget, its parents, the app)
and arrives after it; then whatever the key opened (a prompt mounting, the focus moving,
the messages they post) is waited for. So every key lands where the screen shows the
focus to be once the keys before it are done.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual import events

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

POLL_SECONDS = 0.001
MAX_HOLD_SECONDS = 3.0  # a key is never held longer, however busy the app is
RELEASED = "_reader_released"  # set on a key this module lets through


class KeyFence(events.Event, bubble=True):
    """Sent to where a key went, right after it; bubbles to the app behind the key."""


def _unsettled(pump: MessagePump) -> bool:
    """Not mounted yet, messages waiting, or callbacks waiting for its next idle."""
    if not getattr(pump, "_is_mounted", True):
        return True
    queue: Any = pump.__dict__.get("_message_queue")  # created on first use
    if queue is not None and not queue.empty():
        return True
    return bool(getattr(pump, "_next_callbacks", None))


class OrderedKeys:
    """For an App: handle typed keys strictly one after another (see the module)."""

    _held_keys: deque[events.Key]
    _key_task: asyncio.Task[None] | None = None
    _fence: asyncio.Event

    def _pumps(self) -> Iterator[MessagePump]:
        app: Any = self
        yield app
        for screen in app.screen_stack:
            yield screen
            yield from screen.walk_children(with_self=False)

    def _settled(self) -> bool:
        return not any(_unsettled(pump) for pump in self._pumps())

    async def on_event(self, event: events.Event) -> None:
        app: Any = self
        if isinstance(event, KeyFence):
            self._fence.set()
            return
        if isinstance(event, events.Key) and not event.is_forwarded:
            if getattr(event, RELEASED, False):
                if not app.is_running or not app.screen_stack:
                    return  # the app is closing: the key has nowhere to go
                target = app.focused or app.screen
                await super().on_event(event)  # type: ignore[misc]  # a mixin: the App after it has on_event
                # Behind the key, on the same path (or to the app when a priority binding
                # took it): the fence arrives once the key has been through.
                if not (target if event.is_forwarded else app).post_message(KeyFence()):
                    self._fence.set()  # the target is closing: nothing more will come
                return
            if not hasattr(self, "_held_keys"):
                self._held_keys = deque()
                self._key_task = None
                self._fence = asyncio.Event()
            self._held_keys.append(event)
            if self._key_task is None:
                self._key_task = asyncio.create_task(self._release_keys())
            return
        await super().on_event(event)  # type: ignore[misc]  # a mixin: the App after it has on_event

    async def _release_keys(self) -> None:
        app: Any = self
        try:
            while self._held_keys and app.is_running:
                held = self._held_keys.popleft()
                key = events.Key(held.key, held.character)
                setattr(key, RELEASED, True)
                key.set_sender(app)
                self._fence.clear()
                screens = list(app.screen_stack)
                app.post_message(key)
                await self._wait_until_handled(screens)
        finally:
            self._key_task = None

    async def _wait_until_handled(self, screens: list[object]) -> None:
        """Until the fence is back, or the key opened or closed a screen (whose widgets,
        the fence perhaps among their messages, may be gone); then until all is settled."""
        app: Any = self
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_HOLD_SECONDS
        while not self._fence.is_set() and list(app.screen_stack) == screens:
            if loop.time() > deadline:
                return
            await asyncio.sleep(POLL_SECONDS)
        while not self._settled() and loop.time() < deadline:
            await asyncio.sleep(POLL_SECONDS)
