"""Shared fixtures: the bundled seed, a small multi-document folder, app helpers."""

from __future__ import annotations

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
