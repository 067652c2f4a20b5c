"""`reader serve` end to end, in headless Chromium, as a new annotator would use it: open
the printed URL, give the token, give a name, find the article, press `j` then `1`, and
find the label in that annotator's store, the same record the terminal app writes.

Chromium is installed by `.ci/run`; in CI a missing browser fails the test, elsewhere it
is skipped with the reason printed. The screenshots are kept in the test's tmp folder
(their paths are printed); docs/serve.png is one of them.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from chromium_support import Chromium, chromium_binary, in_ci
from pilot_support import settle, until

from reader.annotate.schema import default_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import load_corpus
from reader.resources import seeds_dir
from reader.store import AnnotationStore
from reader.ui.app import make_app

# A web server, its app processes and a browser: seconds each, and every wait is on the
# page's state (bounded), nothing timed. One worker runs them, one browser at a time.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

TOKEN = "correct-horse-battery"


def the_browser() -> str:
    binary = chromium_binary()
    if binary is None:
        if in_ci():
            pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)")
        print("SKIPPED: no chromium on this machine (apt-get install chromium)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    return binary


@pytest.fixture
def chromium(tmp_path: Path) -> Any:
    browser = Chromium(the_browser(), tmp_path / "profile")
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def second_chromium(tmp_path: Path) -> Any:
    """Another browser: another person's tab."""
    browser = Chromium(the_browser(), tmp_path / "profile-2")
    try:
        yield browser
    finally:
        browser.close()


def start_server(
    tmp_path: Path, *args: str, what: str = "the reading app"
) -> tuple[subprocess.Popen[str], str]:
    """The real `reader serve` on a free port; (the process, the URL it printed)."""
    env = {**os.environ, "READER_DATA_DIR": str(tmp_path / "data"),
           "READER_CONFIG": str(tmp_path / "none.toml")}
    server = subprocess.Popen(
        [sys.executable, "-m", "reader.cli", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    assert server.stdout is not None
    line = server.stdout.readline()  # blocks until the server listens (or dies)
    assert line.startswith(f"reader: serving {what} at http://127.0.0.1:"), (
        line + server.communicate(timeout=30)[1]
    )
    return server, line.split(" at ", 1)[1].strip()


def stop_server(server: subprocess.Popen[str]) -> str:
    """Ctrl+C: the server tells each tab's app to quit; returns what it printed on stderr."""
    server.send_signal(signal.SIGINT)
    _, error = server.communicate(timeout=60)
    assert server.returncode == 0, error
    return error


def first_sentence(text: str) -> tuple[int, int]:
    """The first sentence of more than one word, as `reader analyze` finds it."""
    from reader.nlp.pipeline import analyze  # the core's analysis, not the screen's

    return next((s.start, s.end) for s in analyze(text).sentences if " " in text[s.start : s.end])


def shows(screen: str | None, words: str) -> bool:
    """`words` appear in this order on the screen, however the lines wrap them."""
    if screen is None:
        return False
    on_screen, wanted = screen.split(), words.split()
    return any(
        on_screen[i : i + len(wanted)] == wanted for i in range(len(on_screen) - len(wanted) + 1)
    )


def stored(path: Path) -> dict[str, Any]:
    """A store file as the standard library's JSON parser reads it, its packed records
    unpacked: {"meta": ..., "documents": {id: doc}, "records": [record, ...]}."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    records = [r for doc in raw["annotations"].values() for r in json.loads(doc["records"])]
    return {"meta": raw["_meta"]["1"], "documents": raw["documents"], "records": records}


def test_serve_in_chromium_writes_what_the_terminal_writes(
    chromium: Chromium, tmp_path: Path, seed_text: str
) -> None:
    server, url = start_server(tmp_path, "--token", TOKEN)
    try:
        assert url.endswith(f"/?token={TOKEN}")
        # A new annotator types the address without the token: the page asks for it.
        chromium.open(url.split("?")[0])
        chromium.wait_for(
            lambda: chromium.evaluate("!!document.querySelector('input[name=token]')"),
            "the token page",
        )
        assert chromium.screen() is None  # no app page, no terminal yet
        chromium.evaluate("document.querySelector('input[name=token]').focus()")
        chromium.call("Input.insertText", text=TOKEN)
        chromium.type("\r")
        chromium.wait_for(lambda: shows(chromium.screen(), "Who is annotating?"), "the name page")
        chromium.screenshot(tmp_path / "serve-name.png")
        chromium.type("alice\r")
        chromium.wait_for(lambda: shows(chromium.screen(), "alice →"), "alice's store open")

        start, end = first_sentence(seed_text)
        chromium.wait_for(lambda: shows(chromium.screen(), seed_text[start:end]), "the sentence")
        chromium.type("j")
        chromium.wait_for(lambda: "sentence 2/" in (chromium.screen() or ""), "the cursor on it")
        chromium.type("1")
        chromium.wait_for(lambda: shows(chromium.screen(), "saved: FACT"), "the label saved")
        shot = chromium.screenshot(tmp_path / "serve.png")
        print(f"screenshots: {shot} and {tmp_path / 'serve-name.png'}")
    finally:
        log = stop_server(server)
    assert "Traceback" not in log, log

    browser = stored(tmp_path / "data" / "annotations" / "alice.json")
    (record,) = browser["records"]
    assert (record["start"], record["end"]) == (start, end)
    assert record["text"] == seed_text[start:end]
    assert (record["kind"], record["label"], record["annotator"]) == ("claim", "FACT", "alice")
    # the tab let its store go when the server stopped: it opens for writing again
    AnnotationStore.open(tmp_path / "data" / "annotations" / "alice.json", "alice").close()

    # The same keys in the terminal app, into a store of its own.
    terminal = stored(asyncio.run(terminal_keys(tmp_path / "terminal.json", ["j", "1"])))
    assert browser["documents"] == terminal["documents"]  # text, source, meta alike
    assert browser["meta"].keys() == terminal["meta"].keys()
    assert {k: v for k, v in browser["meta"].items() if k not in ("created", "generation")} == {
        k: v for k, v in terminal["meta"].items() if k not in ("created", "generation")
    }
    moments = ("id", "created", "updated")
    assert [{k: v for k, v in r.items() if k not in moments} for r in terminal["records"]] == [
        {k: v for k, v in record.items() if k not in moments}
    ]
    assert record.keys() == terminal["records"][0].keys()


async def terminal_keys(db: Path, keys: list[str]) -> Path:
    """The reading app as the terminal runs it (Pilot), alice annotating into `db`."""
    store = AnnotationStore.open(db, "alice")
    try:
        session = AnnotationSession(store, "alice", default_schema())
        app = make_app(load_corpus([seeds_dir()]), session=session)
        async with app.run_test(size=(110, 36)) as pilot:
            await settle(pilot)
            await pilot.press(*keys)
            await until(pilot, lambda: len(store) == 1, "the label saved")
    finally:
        store.close()
    return db


def test_a_wrong_token_in_the_url_starts_no_tab(chromium: Chromium, tmp_path: Path) -> None:
    server, url = start_server(tmp_path, "--token", TOKEN)
    try:
        chromium.open(url.replace(TOKEN, "not-it"))
        chromium.wait_for(
            lambda: "not the token" in (chromium.evaluate("document.body && document.body.innerText") or ""),
            "the page to refuse the token",
        )
        deadline = time.monotonic() + 2  # a started tab would show within this
        while time.monotonic() < deadline:
            assert chromium.screen() is None
            time.sleep(0.1)
        tabs = subprocess.run(["pgrep", "-f", "reader.cli serve tab", "-P", str(server.pid)],
                              capture_output=True, text=True)
        assert tabs.stdout == ""
    finally:
        stop_server(server)


def test_serve_review_and_a_second_reviewer_told_why_not(
    chromium: Chromium, second_chromium: Chromium, tmp_path: Path, seed_text: str
) -> None:
    from reader.annotate.annotations import make_annotation
    from reader.corpus import text_id
    from reader.store import StoredDocument

    start, end = first_sentence(seed_text)
    for who, label in (("alice", "FACT"), ("bob", "OPINION")):
        with AnnotationStore.open(tmp_path / f"{who}.json", who) as store:
            doc = StoredDocument(text_id(seed_text), seed_text, {"title": "seed"})
            store.put(make_annotation(seed_text, doc.doc_id, start, end, "claim", label, who), doc)
    server, url = start_server(
        tmp_path, "review", "alice.json", "bob.json", "--gold", "gold.json", what="the review app"
    )
    try:
        chromium.open(url)
        chromium.wait_for(lambda: shows(chromium.screen(), "1 disagreement(s)"), "the review")
        chromium.type("n")  # to the disagreement
        chromium.wait_for(lambda: shows(chromium.screen(), "gold nothing yet"), "the panel")
        chromium.type("!")  # annotator 1's version (alice's FACT) into gold
        chromium.wait_for(lambda: "resolved 1/1" in (chromium.screen() or ""), "the decision")
        # a second reviewer while the first has the gold store: told why, in the page
        second_chromium.open(url)
        second_chromium.wait_for(
            lambda: shows(second_chromium.screen(), "This tab cannot open the app:"),
            "the second tab's refusal",
        )
        assert shows(second_chromium.screen(), "this annotation store is open in another reader process")
        second_chromium.screenshot(tmp_path / "serve-second-reviewer.png")
    finally:
        stop_server(server)
    (decided,) = stored(tmp_path / "gold.json")["records"]
    assert (decided["start"], decided["end"], decided["label"]) == (start, end, "FACT")
