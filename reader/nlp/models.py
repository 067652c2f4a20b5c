"""The NLTK data packages the "nltk" engine needs: where they are, and downloading them.

Packages are installed into reader's own data folder (``platformdirs.user_data_dir("reader")
/ "nltk_data"``), which is added to ``nltk.data.path`` before anything is looked up, so NLTK's
usual places (``NLTK_DATA``, ``~/nltk_data``...) still count too. NLTK is imported only when
one of these functions runs.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReaderError

# package id -> the resource NLTK loads from it
PACKAGES: dict[str, str] = {
    "punkt_tab": "tokenizers/punkt_tab/english/",
    "averaged_perceptron_tagger_eng": "taggers/averaged_perceptron_tagger_eng/",
    "maxent_ne_chunker_tab": "chunkers/maxent_ne_chunker_tab/english_ace_multiclass/",
    "words": "corpora/words",
}


class ModelsError(ReaderError):
    """NLTK data that could not be found or downloaded."""


@dataclass(frozen=True, slots=True)
class PackageStatus:
    name: str
    location: str | None  # where NLTK finds it, or None when it is not installed

    @property
    def installed(self) -> bool:
        return self.location is not None


def data_dir() -> Path:
    """reader's own NLTK data folder (it need not exist yet)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("reader")) / "nltk_data"


def ensure_data_path() -> None:
    """Put reader's data folder on ``nltk.data.path`` (once)."""
    import nltk

    folder = str(data_dir())
    if folder not in nltk.data.path:
        nltk.data.path.append(folder)


def _locate(resource: str) -> str | None:
    import nltk

    try:
        found = nltk.data.find(resource)
    except LookupError:
        return None
    path = getattr(found, "path", None) or str(found)
    return str(path)


def status() -> list[PackageStatus]:
    """Each package the nltk engine needs, and where it is installed."""
    ensure_data_path()
    return [PackageStatus(name, _locate(resource)) for name, resource in PACKAGES.items()]


def missing() -> list[str]:
    return [s.name for s in status() if not s.installed]


def download(names: list[str] | None = None) -> list[str]:
    """Download the named packages (default: the missing ones) into `data_dir()`.

    Returns the names downloaded. A failure raises `ModelsError` with a one-line message.
    """
    import nltk

    todo = missing() if names is None else names
    unknown = [n for n in todo if n not in PACKAGES]
    if unknown:
        raise ModelsError(f"unknown NLTK package {unknown[0]!r} (known: {', '.join(PACKAGES)})")
    target = data_dir()
    done: list[str] = []
    for name in todo:
        try:
            target.mkdir(parents=True, exist_ok=True)
            errors = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()):
                ok = nltk.download(
                    name, download_dir=str(target), quiet=True, print_error_to=errors
                )
        except Exception as exc:  # network, disk, a refused path: all end the same way
            raise ModelsError(_failure(name, str(exc))) from None
        if not ok:
            raise ModelsError(_failure(name, errors.getvalue()))
        done.append(name)
    ensure_data_path()
    return done


def _failure(name: str, detail: str) -> str:
    reason = " ".join(detail.replace("[nltk_data]", " ").split())
    reason = f" ({reason[:160]})" if reason else ""
    return (
        f"could not download NLTK package {name!r}{reason}; check the network connection "
        "and try `reader models download` again"
    )
