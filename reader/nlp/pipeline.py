"""Choose an engine and run it: `analyze(text) -> Analysis`."""

from __future__ import annotations

from importlib import import_module
from typing import Protocol

from ..errors import ReaderError
from .types import Analysis

DEFAULT_ENGINE = "model"

# name -> "module:Class"; imported only when asked for, so start-up stays light.
ENGINES: dict[str, str] = {
    "model": "reader.nlp.model_engine:ModelEngine",
    "rules": "reader.nlp.rules_engine:RulesEngine",
    "nltk": "reader.nlp.nltk_engine:NltkEngine",
}


class EngineError(ReaderError):
    """An engine that does not exist or cannot run here."""


class Engine(Protocol):
    name: str

    def analyze(self, text: str) -> Analysis: ...


def default_engine_name() -> str:
    return DEFAULT_ENGINE


def get_engine(name: str | None = None) -> Engine:
    name = name or DEFAULT_ENGINE
    if name not in ENGINES:
        raise EngineError(f"unknown analysis engine {name!r} (choose from {', '.join(ENGINES)})")
    module_name, class_name = ENGINES[name].split(":")
    return getattr(import_module(module_name), class_name)()


def analyze(text: str, engine: str | None = None) -> Analysis:
    """Analyze `text` with the named engine (default: the trained entity model)."""
    return get_engine(engine).analyze(text)
