"""Shared fixtures: the bundled seed, a small multi-document folder, the built wheel; and
the order of the run: the tests marked slow first."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from reader.corpus import Corpus, load_corpus
from reader.resources import seeds_dir

SEED_FILE = "000_1a61316cefcbaba0.txt"

FOLDER_ARTICLES = {
    "a_first.txt": (
        "Harbour reopens\n"
        "The harbour in Lisbon reopened on Monday after storms. "
        "Officials said repairs cost millions.\n"
        "“We are open for business,” said Maria Costa, the port director.\n"
    ),
    "b_second.md": (
        "Rail strike ends\n"
        "Train drivers in Madrid ended a strike on Tuesday. "
        "The union said talks would continue.\n"
    ),
    "nested/c_third.txt": (
        "Museum loans a painting\n"
        "The Louvre lent a painting to a museum in Tokyo. "
        "Curators said it was the first such loan.\n"
    ),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first (the rest keep their order). `make test` hands the
    tests out one at a time (`--dist loadgroup`), so the longest start at once on their
    own workers and the short ones fill in around them: no worker is left at the end
    with a 15-second test while the others wait."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def seed_path() -> Path:
    return seeds_dir() / SEED_FILE


@pytest.fixture
def seed_text(seed_path: Path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture
def seed_corpus() -> Corpus:
    return load_corpus([seeds_dir()])


@pytest.fixture
def article_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    for name, text in FOLDER_ARTICLES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, once per session (the tests of what it ships
    and of installing it share it: a build takes seconds). Without build isolation when
    the backend is at hand (no network); else `build` fetches hatchling from PyPI."""
    dist = tmp_path_factory.mktemp("dist")
    isolation = ["--no-isolation"] if importlib.util.find_spec("hatchling") else []
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", dist, CHECKOUT],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"the wheel build failed:\n{result.stdout}\n{result.stderr}"
    (wheel,) = dist.glob("reader-*.whl")
    return wheel
