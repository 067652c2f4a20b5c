"""The web server: textual-serve's, with reader's door in front of it.

textual-serve serves a page that draws a terminal (xterm.js) and opens a websocket; each
websocket starts `command` as its own process and pipes it to the page. In front of that,
one aiohttp middleware:

- the websocket must come from a page of this server (its `Origin` is this `Host`), so
  no other web site open in the browser can start a tab and type into it;
- without a token (a local server), the `Host` must be a loopback name, so a web site
  renamed to 127.0.0.1 (DNS rebinding) cannot reach it either;
- with a token, nothing but the static files is served until the token was given: the
  page asks for it (or takes `?token=` from the URL, then drops it from the address),
  and the browser keeps a digest of it in a cookie. A websocket without that cookie is
  refused before any process starts.

The page's URLs are made from the `Host` the browser used, so the same server answers on
every name it is reached by (textual-serve would write its bind address into the page).
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

from .access import ServeError, host_name, is_local, same_secret, token_digest

COOKIE = "reader_serve"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TOKEN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ background: #0c181f; color: #e8eef2; font: 16px monospace; display: flex;
  align-items: center; justify-content: center; height: 100vh; margin: 0; }}
form {{ background: #12232d; padding: 32px 40px; }}
input, button {{ font: inherit; padding: 8px; margin-top: 12px; }}
.problem {{ color: #ff8a80; }}
</style></head>
<body><form method="get" action="/">
<div>{title}: this server asks for its token.</div>
<div class="problem">{problem}</div>
<input type="password" name="token" autofocus aria-label="token" placeholder="token">
<button type="submit">Open</button>
</form></body></html>
"""


class ReaderServer(Server):
    """textual-serve's `Server`, guarded by `token` (None: a local server, no token)."""

    def __init__(
        self,
        command: str,
        host: str,
        port: int,
        *,
        token: str | None = None,
        title: str = "reader",
        announce: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token
        self.announce = announce
        self.bound_port: int | None = None
        self._tabs: set[asyncio.Task[Any]] = set()

    # --- the door ---------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/static/"):
            return await handler(request)
        if self.token is None and not is_local(host_name(request.host)):
            raise web.HTTPForbidden(text="this server answers only to a loopback address")
        if request.path == "/ws" and not self._same_origin(request):
            raise web.HTTPForbidden(text="a websocket from another site's page")
        if self.token is None or self._has_cookie(request):
            return await handler(request)
        given = request.query.get("token")
        if request.path != "/":
            raise web.HTTPForbidden(text="give the token first")
        if given is not None and same_secret(given, self.token):
            rest = {k: v for k, v in request.query.items() if k != "token"}
            found = web.HTTPSeeOther("/" + (f"?{urlencode(rest)}" if rest else ""))
            found.set_cookie(COOKIE, token_digest(self.token), httponly=True, samesite="Lax")
            raise found
        problem = "" if given is None else "That is not the token."
        page = TOKEN_PAGE.format(title=html.escape(self.title), problem=problem)
        return web.Response(text=page, content_type="text/html", status=401)

    def _has_cookie(self, request: web.Request) -> bool:
        assert self.token is not None
        return same_secret(request.cookies.get(COOKIE, ""), token_digest(self.token))

    @staticmethod
    def _same_origin(request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        return origin is None or urlsplit(origin).netloc == request.host

    # --- the page: its URLs from the Host the browser used ------------------------------

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        base = f"{request.scheme}://{request.host}"
        socket = ("wss" if request.scheme == "https" else "ws") + f"://{request.host}"
        router = request.app.router
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": socket + str(router["websocket"].url_for()),
            "config": {"static": {"url": base + "/static/"}},
            "application": {"name": self.title},
        }

    # --- running --------------------------------------------------------------------------

    def initialize_logging(self) -> None:
        """Only textual-serve's warnings (a tab that failed to start), no banner."""
        logging.basicConfig(level=logging.WARNING, format="reader serve: %(message)s")

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C (or SIGTERM); each open tab's app is told to quit first."""
        self.debug = debug
        self.initialize_logging()
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        runner = web.AppRunner(await self._make_app(), access_log=None, shutdown_timeout=10)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            try:
                await site.start()
            except OSError as exc:
                what = os.strerror(exc.errno) if exc.errno else str(exc)
                raise ServeError(
                    f"cannot listen on {self.host} port {self.port}: {what[:1].lower()}{what[1:]}"
                ) from None
            self.bound_port = runner.addresses[0][1]
            if self.announce is not None:
                self.announce(self.bound_port)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            await stop.wait()
        finally:
            await runner.cleanup()

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a banner here; `announce` says what reader has to say."""

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: its app process lives as long as this handler."""
        task = asyncio.current_task()
        assert task is not None
        self._tabs.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self._tabs.discard(task)

    async def on_shutdown(self, app: web.Application) -> None:
        """Stopping: each tab's handler tells its app to quit (the app closes its store,
        as on `q`) and waits for it, instead of aiohttp cutting it off later."""
        for task in list(self._tabs):
            task.cancel()
