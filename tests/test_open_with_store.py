"""The real `reader` command with an annotation store: a bad schema, a locked store and a
corrupt store each stop it with one clear line and exit status 2 (touching nothing), and
a label reported saved in a real terminal survives SIGKILL of the app."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.corpus import load_corpus
from reader.nlp.pipeline import analyze
from reader.resources import seeds_dir
from reader.store import AnnotationStore, StoreLockedError

READER = Path(sys.executable).parent / "reader"
ERROR_LINE = re.compile(r"reader: error: [^\x1b\r\n\x07]*")


@pytest.fixture
def reader_env(tmp_path: Path) -> dict[str, str]:
    """The environment for a `reader` run: data folder and config inside tmp_path."""
    return {
        **os.environ,
        "READER_DATA_DIR": str(tmp_path / "data"),
        "READER_ANNOTATOR": "alice",
        "READER_CONFIG": str(tmp_path / "no-config.toml"),
    }


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def run_reader(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """Run the installed `reader` script (no terminal: Textual draws to stderr, which is
    captured) and return (exit status, the error line, all of stderr)."""
    result = subprocess.run(
        [str(READER), *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    errors = ERROR_LINE.findall(result.stderr)
    assert len(errors) == 1, f"expected one error line, stderr was:\n{result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr
    return result.returncode, errors[0], result.stderr


# --- 1. a bad schema ---------------------------------------------------------------------

DUPLICATE_KEY = """\
name = "bad"

[groups.claim]
kind = "claim"

[[groups.claim.labels]]
name = "FACT"
key = "1"

[[groups.claim.labels]]
name = "OPINION"
key = "1"
"""

UNKNOWN_FIELD = """\
name = "bad"

[groups.claim]
kind = "claim"

[[groups.claim.labels]]
name = "FACT"
key = "1"
colour = "green"
"""


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        (DUPLICATE_KEY, 12, ["'1'", "two labels", "FACT", "OPINION"]),
        (UNKNOWN_FIELD, 9, ["unknown field", "'colour'"]),
    ],
    ids=["key-on-two-labels", "unknown-field"],
)
def test_bad_schema_is_one_line_exit_2_and_creates_nothing(
    tmp_path: Path, reader_env: dict[str, str], source: str, line: int, words: list[str]
) -> None:
    schema = tmp_path / "BAD.toml"
    schema.write_text(source, encoding="utf-8")
    env = {k: reader_env[k] for k in ("READER_DATA_DIR", "READER_ANNOTATOR", "READER_CONFIG")}
    result = CliRunner().invoke(cli, ["--schema", str(schema)], env=env)
    assert result.exit_code == 2, result.output
    err = result.stderr
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"reader: error: {schema}, line {line}: "), err
    for word in words:
        assert word in err
    assert "Traceback" not in err
    assert not (tmp_path / "data").exists()


# --- 2. a store open in another process --------------------------------------------------


def test_locked_store_exit_2_names_path_and_lock(
    tmp_path: Path, reader_env: dict[str, str], seed_text: str
) -> None:
    from reader.annotate.annotations import make_annotation
    from reader.corpus import text_id
    from reader.store import StoredDocument

    db = tmp_path / "alice.json"
    held = AnnotationStore.open(db, "alice")
    try:
        doc = StoredDocument(text_id(seed_text), seed_text, {"title": "seed"})
        held.put(make_annotation(seed_text, doc.doc_id, 0, 7, "claim", "FACT", "alice"), doc)
        before = files_in(tmp_path)
        code, error, _ = run_reader(["--db", str(db)], reader_env, tmp_path)
        assert code == 2
        assert str(db) in error
        assert "lock" in error and "another reader process" in error
        assert files_in(tmp_path) == before
        assert len(held) == 1  # the holder is unaffected
    finally:
        held.close()
    assert not (tmp_path / "data").exists()


# --- 3. a corrupt store ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("garbage", "words"),
    [
        (b"this is not json {{{\n", "invalid JSON"),
        (b'{"_meta": "\x80\x81\x00\xff"}', "not UTF-8 text (byte 11)"),
        (b'{"documents": [1, 2, 3]}\n', "not a TinyDB database"),
    ],
    ids=["text", "binary", "wrong-json"],
)
def test_corrupt_store_exit_2_names_path_and_leaves_it(
    tmp_path: Path, reader_env: dict[str, str], garbage: bytes, words: str
) -> None:
    db = tmp_path / "store.json"
    db.write_bytes(garbage)
    code, error, _ = run_reader(["--db", "store.json"], reader_env, tmp_path)
    assert code == 2
    assert error.startswith("reader: error: store.json: "), error
    assert words in error and "untouched" in error
    assert db.read_bytes() == garbage
    # No journal, no temporary file; at most the (empty) lock file is left beside it.
    assert set(files_in(tmp_path)) <= {"store.json", "store.json.lock"}
    assert not (tmp_path / "data").exists()


# --- 4. SIGKILL of the real app in a real terminal ---------------------------------------


def wait_for(
    check: Callable[[], object], timeout: float, what: str, screen: Callable[[], str]
) -> Any:
    """Poll `check` until it returns something true (returned), else fail with the screen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what}; the screen:\n{screen()}")


def ready(screen: str) -> bool:
    return "TEHRAN-" in screen and "0 annotations · alice →" in screen


def saved(screen: str) -> str | None:
    return screen if "saved: FACT" in screen else None


def open_writable(db: Path) -> list[AnnotationStore]:
    """[the store opened for writing], or [] while another process still holds it."""
    try:
        return [AnnotationStore.open(db, "alice")]
    except StoreLockedError:
        return []


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie nobody has reaped yet counts as gone (its files are closed)
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


class TmuxReader:
    """The real `reader` in a private tmux server: keys in, screen out."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        tmux = shutil.which("tmux")
        if tmux is None:
            pytest.skip("tmux is not installed: cannot run the app in a real terminal")
        self.name = f"reader-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        # A private tmux server (-L) so the test neither sees nor disturbs anyone else's.
        self.base = [tmux, "-L", self.name]
        self.env = env
        self.command = "exec " + shlex.join([str(READER), *args])
        self.socket: Path | None = None
        self.pid = 0

    def run(self, *args: str) -> str:
        return subprocess.run(
            [*self.base, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout

    def screen(self) -> str:
        try:
            return self.run("capture-pane", "-p", "-t", self.name)
        except subprocess.CalledProcessError as exc:
            return f"(no pane: {exc.stderr.strip()})"

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", "-t", self.name, key)

    def __enter__(self) -> TmuxReader:
        env_flags = [
            f"-e{key}={self.env[key]}"
            for key in ("READER_DATA_DIR", "READER_ANNOTATOR", "READER_CONFIG")
        ]
        self.run(
            "new-session", "-d", "-s", self.name, "-x", "120", "-y", "40", *env_flags, self.command
        )
        self.socket = Path(
            self.run("display-message", "-p", "-t", self.name, "#{socket_path}").strip()
        )
        self.pid = int(self.run("list-panes", "-t", self.name, "-F", "#{pane_pid}").split()[0])
        return self

    def __exit__(self, *exc: object) -> None:
        subprocess.run(
            [*self.base, "kill-session", "-t", self.name], capture_output=True, timeout=10
        )
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10)
        if self.socket is not None and self.socket.name == self.name:  # tmux leaves it
            self.socket.unlink(missing_ok=True)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        wait_for(
            lambda: "gone" if process_gone(self.pid) else None, 10, "the killed app", self.screen
        )


@pytest.mark.serial  # a real terminal with waits of seconds
def test_label_reported_saved_survives_sigkill_in_tmux(
    tmp_path: Path, reader_env: dict[str, str]
) -> None:
    document = load_corpus([seeds_dir()]).documents[0]
    second = analyze(document.text).sentences[1]
    second_text = document.text[second.start : second.end]
    db = tmp_path / "alice.json"
    with TmuxReader(["--db", str(db), "--annotator", "alice"], reader_env) as app:
        # The article, and the store attached: the status line names the annotator. (Keys
        # typed after the first paint but before the store opens are not queued for it:
        # a `1` then only flashes "annotations are off", so wait for the store too.)
        wait_for(lambda: ready(app.screen()), 15, "the article and the store", app.screen)
        app.keys("j", "1")
        shown = wait_for(lambda: saved(app.screen()), 10, "saved: FACT", app.screen)
        app.kill()
        screen = app.screen

    assert "saved: FACT" in shown
    with AnnotationStore.open(db, read_only=True) as store:
        found = list(store)
    assert [(a.label, a.kind, a.text, a.start, a.end) for a in found] == [
        ("FACT", "claim", second_text, second.start, second.end)
    ], shown
    assert found[0].annotator == "alice" and found[0].doc_id == document.id
    # The kill frees the lock: the store opens for writing, with the label in it. (The
    # kernel closes a killed process's files when its last thread is gone, which can be a
    # moment after the process already shows as a zombie, so allow a few seconds.)
    [store] = wait_for(lambda: open_writable(db), 10, "the lock to be freed", screen)
    with store:
        assert [a.id for a in store] == [found[0].id]
    with AnnotationStore.open(db, read_only=True) as store:
        assert [a.id for a in store] == [found[0].id]


# --- 5. whose store it is (issue 9, item 1) ----------------------------------------------


def test_db_without_annotator_uses_the_stores_annotator(
    tmp_path: Path, reader_env: dict[str, str]
) -> None:
    db = tmp_path / "alice.json"
    AnnotationStore.open(db, "alice").close()
    env = {**reader_env, "READER_ANNOTATOR": "root"}  # the default is someone else
    with TmuxReader(["--db", str(db)], env) as app:
        wait_for(lambda: ready(app.screen()), 15, "the article and alice's store", app.screen)
        app.keys("j", "1")
        shown = wait_for(lambda: saved(app.screen()), 10, "saved: FACT", app.screen)
        app.kill()
    assert "root" not in shown.split("saved: FACT")[1].split("\n")[0]
    with AnnotationStore.open(db, read_only=True) as store:
        assert [a.annotator for a in store] == ["alice"]


def test_annotator_naming_someone_else_is_refused(
    tmp_path: Path, reader_env: dict[str, str]
) -> None:
    db = tmp_path / "alice.json"
    AnnotationStore.open(db, "alice").close()
    before = files_in(tmp_path)
    code, error, stderr = run_reader(
        ["--db", "alice.json", "--annotator", "root"], reader_env, tmp_path
    )
    assert code == 2
    assert error == "reader: error: alice.json belongs to annotator alice, not root"
    assert files_in(tmp_path) == before
    assert stderr == error + "\n"  # refused before the app draws anything


def test_a_new_store_takes_the_default_annotator(
    tmp_path: Path, reader_env: dict[str, str]
) -> None:
    db = tmp_path / "team" / "new.json"
    with TmuxReader(["--db", str(db)], reader_env) as app:  # READER_ANNOTATOR=alice
        wait_for(lambda: ready(app.screen()), 15, "the article and the store", app.screen)
        app.kill()
    with AnnotationStore.open(db, read_only=True) as store:
        assert store.annotator == "alice"
