"""Choose an engine and run it: `analyze(text) -> Analysis`."""

from __future__ import annotations

from .types import Analysis
from .rules_engine import RulesEngine

DEFAULT_ENGINE = "rules"


def default_engine_name() -> str:
    return DEFAULT_ENGINE


def analyze(text: str, engine: str | None = None) -> Analysis:
    """Analyse `text` with the named engine (default: the data-free rules engine)."""
    name = engine or DEFAULT_ENGINE
    if name != "rules":
        raise ValueError(f"unknown analysis engine {name!r}")
    return RulesEngine().analyze(text)
