"""User settings: who is annotating and where their annotations are stored.

`annotator` comes from `--annotator`, else `$READER_ANNOTATOR`, else `annotator = "..."`
in the config file (`config.toml` in the user's config folder), else the login name.
Stores live in `<user data folder>/annotations/<annotator>.json` unless `--db` says
otherwise; `$READER_DATA_DIR` replaces the user data folder (handy for tests and scripts).
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import platformdirs

from .errors import ReaderError

APP_NAME = "reader"


class ConfigError(ReaderError):
    """The config file cannot be read."""


def config_path() -> Path:
    override = os.environ.get("READER_CONFIG")
    if override:
        return Path(override)
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def load_config() -> dict[str, Any]:
    path = config_path()
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc})") from None


def default_annotator() -> str:
    name = os.environ.get("READER_ANNOTATOR") or load_config().get("annotator")
    if isinstance(name, str) and name.strip():
        return name.strip()
    try:
        return getpass.getuser() or "anonymous"
    except (OSError, KeyError):
        return "anonymous"


def resolve_annotator(given: str | None) -> str:
    return given.strip() if given and given.strip() else default_annotator()


def data_dir() -> Path:
    override = os.environ.get("READER_DATA_DIR")
    return Path(override) if override else platformdirs.user_data_path(APP_NAME)


def stores_dir() -> Path:
    return data_dir() / "annotations"


def safe_file_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.-]+", "_", name.strip()).strip("._")
    return cleaned or "anonymous"


def default_db_path(annotator: str | None = None) -> Path:
    """The annotator's store in the user data folder."""
    return stores_dir() / f"{safe_file_name(resolve_annotator(annotator))}.json"


def resolve_db_path(db: str | os.PathLike[str] | None, annotator: str | None = None) -> Path:
    """`--db` when given, else the annotator's default store."""
    return Path(db) if db else default_db_path(annotator)


def existing_stores() -> list[Path]:
    """Every store in the default folder (what export and stats read without `--db`):
    `*.json` files that say they are reader stores (review sidecars such as
    `gold.json.review.json` and other programs' files are skipped, by a cheap sniff)."""
    folder = stores_dir()
    if not folder.is_dir():
        return []
    from .store.snapshot import is_reader_store

    return sorted(p for p in folder.glob("*.json") if p.is_file() and is_reader_store(p))


def stores_to_read(dbs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The stores named by `--db`, else every store in the default folder (what export
    and stats read); empty when neither names one."""
    return [Path(db) for db in dbs] or existing_stores()
