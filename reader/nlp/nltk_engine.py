"""The "nltk" engine: NLTK's Punkt sentences, perceptron POS tags and maxent NE chunker.

Needs the NLTK data packages listed in `reader.nlp.models` (`reader models download`). Quotes
and speakers come from the same functions the rules engine uses. Every span is an offset into
the text as given: tokens are aligned back to it, never the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .analysis import analysis
from .pipeline import EngineError
from .types import Analysis, Entity, Span

LABELS = {
    "PERSON": "PERSON",
    "ORGANIZATION": "ORG",
    "GPE": "GPE",
    "GSP": "GPE",
    "LOCATION": "LOC",
    "FACILITY": "LOC",
}
_FALLBACK_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")


class _Models:
    """Loaded NLTK models; one set per `nltk.data.path` value in a process."""

    def __init__(self) -> None:
        from nltk.chunk.named_entity import Maxent_NE_Chunker
        from nltk.tag.perceptron import PerceptronTagger
        from nltk.tokenize import NLTKWordTokenizer
        from nltk.tokenize.punkt import PunktTokenizer

        self.sentences = PunktTokenizer("english")
        self.words = NLTKWordTokenizer()
        self.tagger = PerceptronTagger()
        self.chunker = Maxent_NE_Chunker()


_loaded: dict[tuple[str, ...], _Models] = {}


def _models() -> _Models:
    import nltk

    from . import models

    models.ensure_data_path()
    key = tuple(nltk.data.path)
    if key not in _loaded:
        missing = models.missing()
        if missing:
            raise EngineError(
                "the nltk engine needs NLTK data that is not installed: "
                f"{', '.join(missing)} (install with `reader models download`)"
            )
        try:
            _loaded[key] = _Models()
        except ImportError as exc:  # NLTK's maxent chunker needs numpy
            raise EngineError(f"the nltk engine needs the Python package {exc.name!r}") from None
        except (LookupError, OSError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise EngineError(f"could not load NLTK data: {first}") from None
    return _loaded[key]


class NltkEngine:
    name = "nltk"

    def __init__(self) -> None:
        self._models = _models()

    def analyze(self, text: str) -> Analysis:
        sentences = [Span(s, e) for s, e in self._models.sentences.span_tokenize(text)]
        return analysis(self.name, text, sentences, self.entities)

    def entities(self, text: str, sentences: list[Span]) -> list[Entity]:
        out: list[Entity] = []
        for sent in sentences:
            spans = list(self._token_spans(text, sent))
            if not spans:
                continue
            tagged = self._models.tagger.tag([text[s:e] for s, e in spans])
            tree = self._models.chunker.parse(tagged)
            index = 0
            for node in tree:
                if _is_tree(node):
                    n = len(node.leaves())
                    label = LABELS.get(node.label())
                    if label is not None and n:
                        start, end = spans[index][0], spans[index + n - 1][1]
                        out.append(Entity(start, end, label, text[start:end]))
                    index += n
                else:
                    index += 1
        return out

    def _token_spans(self, text: str, sent: Span) -> Iterator[tuple[int, int]]:
        chunk = text[sent.start : sent.end]
        try:
            pairs = list(self._models.words.span_tokenize(chunk))
        except ValueError:  # a token the tokenizer rewrote and cannot align: split plainly
            pairs = [(m.start(), m.end()) for m in _FALLBACK_TOKEN.finditer(chunk)]
        for s, e in pairs:
            if e > s:
                yield sent.start + s, sent.start + e


def _is_tree(node: Any) -> bool:
    return hasattr(node, "label") and hasattr(node, "leaves")
