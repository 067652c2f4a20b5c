"""Where the bundled styles and seed articles live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """`reader/_<name>` inside a wheel; `<checkout>/<name>` in a source tree."""
    inside = _PACKAGE_DIR / f"_{name}"
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / name


def styles_dir() -> Path:
    return _bundled("styles")


def seeds_dir() -> Path:
    return _bundled("seeds")


def stylesheet() -> Path:
    return styles_dir() / "reader.tcss"
