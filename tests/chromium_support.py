"""Headless Chromium driven over the DevTools protocol (websocket-client), for the tests
that load `reader serve` in a real browser.

The served page draws the app with xterm.js into a canvas, so there is no text in the
DOM. To read what the terminal shows, a script run before the page's own catches the
xterm.js `Terminal` the page makes (textual-serve assigns it to `this.terminal`) and
keeps it as `window.__readerTerminal`; its buffer is then read line by line, as xterm.js
holds it. Keys go in as the browser's own key events (`Input.dispatchKeyEvent`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import websocket

CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
    if (value && value.buffer && value.buffer.active) { window.__readerTerminal = value; }
  },
});
"""

SCREEN_TEXT = """(() => {
  const t = window.__readerTerminal;
  if (!t) { return null; }
  const buffer = t.buffer.active, lines = [];
  for (let y = 0; y < t.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()"""

KEYS = {"\r": ("Enter", 13), "\t": ("Tab", 9), "\x1b": ("Escape", 27)}


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """One headless browser with one page; close() ends it."""

    def __init__(self, binary: str, profile: Path, size: tuple[int, int] = (1280, 800)) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        (profile / "DevToolsActivePort").unlink(missing_ok=True)  # a former run's port
        self.log = (profile / "chromium.log").open("wb")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        self._next_id = 0
        try:
            port = self._devtools_port(profile / "DevToolsActivePort")
            self.socket = websocket.create_connection(self._page_socket(port), timeout=30)
        except BaseException:
            self.close()
            raise

    def _devtools_port(self, active_port: Path) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with status {self.process.returncode}")
            lines = active_port.read_text().split() if active_port.exists() else []
            if len(lines) >= 2:
                return int(lines[0])
            time.sleep(0.05)
        raise TimeoutError("chromium did not open its DevTools port in 30 s")

    @staticmethod
    def _page_socket(port: int) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
            if pages:
                return str(pages[0]["webSocketDebuggerUrl"])
            time.sleep(0.05)
        raise TimeoutError("chromium showed no page in 30 s")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        self.socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:  # events in between are not asked for
            message = json.loads(self.socket.recv())
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        """Load `url`, with the terminal catcher run before any script of the page."""
        self.call("Page.enable")
        self.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
        self.call("Page.navigate", url=url)

    def screen(self) -> str | None:
        """The text the page's terminal shows (None before it has one)."""
        text = self.evaluate(SCREEN_TEXT)
        return None if text is None else str(text)

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
        """Poll the page's state until `condition` holds (bounded)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.1)

    def type(self, text: str) -> None:
        """Each character as a key press: into the page's terminal when it has one, else
        into whatever has the focus (a form's field)."""
        self.evaluate("window.__readerTerminal && window.__readerTerminal.focus()")
        for char in text:
            key, code = KEYS.get(char, (char, ord(char.upper()) if char.isalnum() else 0))
            # a virtual key code only where it names the key (33 would be PageUp, not !)
            codes = {"windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code} if code else {}
            self.call("Input.dispatchKeyEvent", type="keyDown", key=key, text=char, **codes)
            self.call("Input.dispatchKeyEvent", type="keyUp", key=key, **codes)

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        socket = getattr(self, "socket", None)
        if socket is not None:
            with contextlib.suppress(Exception):
                self.call("Browser.close")
            socket.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def in_ci() -> bool:
    return bool(os.environ.get("CI"))
