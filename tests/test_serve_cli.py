"""`reader serve`: the server the command builds, the door in front of it (host, token,
origin), and a tab's own app (the name page, the read-only second tab).

The browser itself is in test_serve_browser.py (slow); here the server is built but
not run (`ReaderServer.serve` is replaced), the door is exercised with aiohttp's own test
client, and the tab's app with Textual's Pilot.
"""

from __future__ import annotations

import asyncio
import gc
import shlex
import sys
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar, WSServerHandshakeError, web
from cli_support import run
from pilot_support import settle, until

from reader.annotate.annotations import make_annotation
from reader.annotate.schema import default_schema
from reader.commands.serve import open_tab_session, store_of
from reader.corpus import load_corpus, text_id
from reader.resources import seeds_dir
from reader.serving.access import is_local
from reader.serving.server import ReaderServer
from reader.store import AnnotationStore, StoredDocument
from reader.ui.app import ReaderApp, make_app
from reader.ui.screens.annotator_name import AnnotatorNameScreen


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[ReaderServer]:
    """The servers the command would have run (built with every argument, not run)."""
    built: list[ReaderServer] = []
    monkeypatch.setattr(ReaderServer, "serve", lambda self, debug=False: built.append(self))
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return built


def words(server: ReaderServer) -> list[str]:
    return shlex.split(server.command)


# --- the server the CLI builds --------------------------------------------------------


def test_serve_builds_the_reading_tab_on_localhost(served: list[ReaderServer]) -> None:
    seed = seeds_dir()
    code, _, error = run("serve", "--port", "8123", "--annotator", "alice", "--db", "a.json", str(seed))
    assert (code, error) == (0, "")
    (server,) = served
    assert (server.host, server.port, server.token) == ("127.0.0.1", 8123, None)
    assert words(server) == [
        sys.executable, "-m", "reader.cli", "serve", "tab",
        "--db", str(Path("a.json").resolve()), "--annotator", "alice", "--", str(seed),
    ]


def test_serve_without_annotator_lets_each_tab_ask(served: list[ReaderServer]) -> None:
    code, _, _ = run("serve")
    assert code == 0
    (server,) = served
    assert server.port == 8000
    assert words(server)[3:] == ["serve", "tab", "--"]  # the seeds, and no --annotator


def test_serve_review_builds_the_review_tab(
    served: list[ReaderServer], tmp_path: Path, seed_text: str
) -> None:
    with AnnotationStore.open(tmp_path / "alice.json", "alice") as alice:
        doc = StoredDocument(text_id(seed_text), seed_text, {"title": "seed"})
        alice.put(make_annotation(seed_text, doc.doc_id, 0, 7, "claim", "FACT", "alice"), doc)
    # the word may come after the server's options
    code, _, error = run("serve", "--port", "9001", "review", "alice.json", "--gold", "g.json")
    assert (code, error) == (0, ""), error
    (server,) = served
    assert server.port == 9001
    assert words(server)[3:] == [
        "serve", "review-tab", "--gold", str(tmp_path / "g.json"), "--",
        str(tmp_path / "alice.json"),
    ]


def test_a_non_local_host_without_token_is_refused(served: list[ReaderServer]) -> None:
    code, out, error = run("serve", "--host", "0.0.0.0")
    assert code == 2
    assert out == ""
    assert error.count("\n") == 1 and "--token" in error and error.startswith("reader: error:")
    assert served == []  # nothing was served


def test_a_non_local_host_with_a_token_is_served(served: list[ReaderServer]) -> None:
    code, _, _ = run("serve", "--host", "0.0.0.0", "--token", "s3cret")
    assert code == 0
    assert (served[0].host, served[0].token) == ("0.0.0.0", "s3cret")


def test_a_review_on_a_non_local_host_without_token_is_refused(
    served: list[ReaderServer],
) -> None:
    code, _, error = run("serve", "review", "x.json", "--host", "10.1.2.3")
    assert code == 2 and "--token" in error
    assert served == []


@pytest.mark.parametrize(
    ("host", "local"),
    [("127.0.0.1", True), ("127.5.0.1", True), ("localhost", True), ("::1", True),
     ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
     ("example.org", False)],
)
def test_which_hosts_are_local(host: str, local: bool) -> None:
    assert is_local(host) is local


def test_a_damaged_store_stops_the_server_before_it_starts(
    served: list[ReaderServer], tmp_path: Path
) -> None:
    (tmp_path / "alice.json").write_text("not json {", encoding="utf-8")
    code, _, error = run("serve", "--annotator", "alice", "--db", "alice.json")
    assert code == 2 and "alice.json" in error and "invalid JSON" in error
    assert (tmp_path / "alice.json").read_text(encoding="utf-8") == "not json {"
    assert served == []


def test_a_bad_schema_stops_the_server_before_it_starts(
    served: list[ReaderServer], tmp_path: Path
) -> None:
    (tmp_path / "bad.toml").write_text("[[label]]\nname = \n", encoding="utf-8")
    code, _, error = run("serve", "--schema", "bad.toml")
    assert code == 2 and "bad.toml" in error
    assert served == []


def test_a_port_in_use_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, error = run("serve", "--port", str(port))
    assert code == 2
    assert error == f"reader: error: cannot listen on 127.0.0.1 port {port}: address already in use\n"


# --- the door: token, origin, host --------------------------------------------------------


def marker_command(marker: Path) -> str:
    """A 'tab' that only leaves a file behind: it shows whether a process was started."""
    return shlex.join([sys.executable, "-c", f"open({str(marker)!r}, 'w').close()"])


async def started(marker: Path) -> bool:
    for _ in range(200):  # the process is started after the handshake: wait for it
        if marker.exists():
            return True
        await asyncio.sleep(0.02)
    return False


async def serving(server: ReaderServer) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"127.0.0.1:{runner.addresses[0][1]}"


async def stopped(runner: web.AppRunner) -> None:
    await runner.cleanup()
    # textual-serve never waits on a tab's process: let its transport go while the loop
    # still runs (else it is collected after, and complains that the loop is closed)
    gc.collect()


@pytest.mark.slow  # waits 4 s for a process that must not start
async def test_without_the_token_no_app_process_starts(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    server = ReaderServer(marker_command(marker), "127.0.0.1", 0, token="s3cret")
    runner, where = await serving(server)
    try:  # a browser keeps a cookie from 127.0.0.1; aiohttp's client only when told to
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as client:
            page = await client.get(f"http://{where}/")
            assert page.status == 401 and 'name="token"' in await page.text()
            wrong = await client.get(f"http://{where}/?token=guess")
            assert wrong.status == 401 and "not the token" in await wrong.text()
            for socket_url in (f"ws://{where}/ws", f"ws://{where}/ws?token=guess"):
                with pytest.raises(WSServerHandshakeError) as refused:
                    await client.ws_connect(socket_url)
                assert refused.value.status == 403
            assert not await started(marker)

            given = await client.get(f"http://{where}/?token=s3cret&fontsize=20")
            assert given.status == 200  # redirected, the token dropped from the address
            assert given.url.query_string == "fontsize=20"
            assert f"ws://{where}/ws" in await given.text()
            socket = await client.ws_connect(f"ws://{where}/ws")  # the cookie goes with it
            assert await started(marker)
            await socket.close()
    finally:
        await stopped(runner)


@pytest.mark.slow  # waits 4 s for a process that must not start
async def test_a_websocket_from_another_site_starts_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    runner, where = await serving(ReaderServer(marker_command(marker), "127.0.0.1", 0))
    try:
        async with ClientSession() as client:
            with pytest.raises(WSServerHandshakeError) as refused:
                await client.ws_connect(f"ws://{where}/ws", origin="http://evil.example")
            assert refused.value.status == 403
            renamed = await client.get(f"http://{where}/", headers={"Host": "evil.example"})
            assert renamed.status == 403  # DNS rebinding: not a loopback name
            assert not await started(marker)
            socket = await client.ws_connect(f"ws://{where}/ws", origin=f"http://{where}")
            assert await started(marker)
            await socket.close()
    finally:
        await stopped(runner)


# --- a tab's app: the name page, its own store, the read-only second tab ------------------


def test_each_name_has_its_own_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    assert store_of("Ana María", None) == tmp_path / "data" / "annotations" / "Ana_María.json"
    team = tmp_path / "team" / "x.json"
    assert store_of("bob", str(team)) == tmp_path / "team" / "bob.json"


def tab_app(folder: Path) -> ReaderApp:
    """The app as a `reader serve` tab runs it: it asks who is annotating and opens
    `<name>.json` in `folder`."""
    schema = default_schema()
    return make_app(
        load_corpus([seeds_dir()]),
        schema=schema,
        ask_annotator=lambda name: open_tab_session(folder / f"{name}.json", name, schema),
    )


async def test_the_name_page_opens_that_annotators_store(tmp_path: Path) -> None:
    taken = AnnotationStore.open(tmp_path / "carol.json", "someone else")
    taken.close()
    app = tab_app(tmp_path)
    async with app.run_test(size=(110, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AnnotatorNameScreen)
        await pilot.press("1")  # a label key types into the name, labels nothing
        await pilot.press("backspace", "enter")
        assert "Type your name first" in str(app.screen.query_one("#name-problem").render())
        await pilot.press(*"carol", "enter")  # someone else's store: said, not opened
        assert isinstance(app.screen, AnnotatorNameScreen)
        assert "belongs to annotator someone else" in str(
            app.screen.query_one("#name-problem").render()
        )
        await pilot.press(*["backspace"] * 5, *"dave", "enter")
        await until(pilot, lambda: app.session is not None, "dave's store open")
        await pilot.press("j", "1")
        await until(pilot, lambda: len(app.session.store) == 1, "a label saved")  # type: ignore[union-attr]
    assert app.session is not None and app.session.store.path == tmp_path / "dave.json"
    app.session.store.close()
    reopened = AnnotationStore.open(tmp_path / "dave.json", read_only=True)
    (label,) = reopened.for_document(reopened.document_ids()[0])
    assert (label.annotator, label.label) == ("dave", "FACT")


async def test_a_second_tab_on_the_same_store_says_so_and_saves_nothing(tmp_path: Path) -> None:
    first_tab = open_tab_session(tmp_path / "erin.json", "erin", default_schema())
    try:
        app = tab_app(tmp_path)
        async with app.run_test(size=(110, 36)) as pilot:
            await settle(pilot)
            await pilot.press(*"erin", "enter")
            await until(pilot, lambda: app.session is not None, "the store open")
            assert app.session is not None and app.session.store.read_only
            assert any("read-only" in n.message for n in app._notifications)
            await pilot.press("j", "1")
            await until(
                pilot,
                lambda: any("NOT saved" in n.message for n in app._notifications),
                "the label refused",
            )
        assert len(first_tab.store) == 0
    finally:
        first_tab.store.close()
    assert len(AnnotationStore.open(tmp_path / "erin.json", read_only=True)) == 0
