"""Properties of `reader.nlp.analyze` for any text: no errors, spans inside and consistent."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.nlp import analyze
from reader.nlp.types import Analysis

_FRAGMENTS = [
    "“", "”", "‘", "’", '"', "'", "``", "''", "`", "«", "»", "\n", "\n\n", " ", ". ", ".. ",
    "... ", "…", "?", "! ", ", ", " said ", " he said. ", " told reporters ", " according to ",
    "Mr. ", "Gen. ", "U.S. ", "U.N. ", "J. ", "Iran’s ", "don’t ", "Shi’ite ", "’90s ",
    "students’ ", "TEHRAN-\n", "NAIROBI, Kenya (AP) _ ", "Anna Berg", "Laurent Fabius",
    " the minister ", "We will stay", "HANDS ARE DIRTY", "(", ")", "_", "—", "12\" ", "Syria..",
]  # fmt: skip

_NEWS_TEXT = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=6)), max_size=40).map(
    "".join
)


def _check_spans(text: str, spans: Sequence[tuple[int, int]], kind: str) -> None:
    last_end = 0
    for start, end in sorted(spans):
        assert 0 <= start < end <= len(text), (kind, start, end)
        assert start >= last_end, f"{kind} spans overlap"
        last_end = end


def _check(text: str, result: Analysis) -> None:
    _check_spans(text, [(s.start, s.end) for s in result.sentences], "sentence")
    for s in result.sentences:
        piece = text[s.start : s.end]
        assert piece == piece.strip() and "\n" not in piece
    _check_spans(text, [(e.start, e.end) for e in result.entities], "entity")
    for e in result.entities:
        assert e.text == text[e.start : e.end]
    _check_spans(text, [(q.start, q.end) for q in result.quotes], "quote")
    for q in result.quotes:
        assert q.text == text[q.start : q.end]
        sp = q.speaker
        if sp is not None:
            assert 0 <= sp.start < sp.end <= len(text)
            assert sp.text == text[sp.start : sp.end]


_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


_ENGINES = pytest.mark.parametrize("engine", ["model", "rules"])  # the default, and the old one


@_ENGINES
@_SETTINGS
@given(text=st.text(max_size=200))
def test_any_unicode_text(engine: str, text: str) -> None:
    _check(text, analyze(text, engine))


@_ENGINES
@_SETTINGS
@given(text=_NEWS_TEXT)
def test_news_like_text(engine: str, text: str) -> None:
    _check(text, analyze(text, engine))

