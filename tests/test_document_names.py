"""Pooling a word's mentions over an article: the CRF's marginals, and the names they add."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from reader.nlp.crf_weights import Weights, marginals
from reader.nlp.document_names import THRESHOLD, pooled_tags
from reader.nlp.entity_features import Token, document_word_features, tokenize

LABELS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG")


def _weights(transition: np.ndarray | None = None) -> Weights:
    n = len(LABELS)
    return Weights(
        LABELS, {}, np.zeros((1, n)), np.zeros((n, n)) if transition is None else transition
    )


def _brute_force(weights: Weights, scores: np.ndarray) -> np.ndarray:
    """Each label's probability at each position, by summing over every label sequence."""
    n, k = scores.shape
    probs = np.zeros((n, k))
    total = 0.0
    for path in itertools.product(range(k), repeat=n):
        s = sum(scores[t, path[t]] for t in range(n))
        s += sum(weights.transition[path[t - 1], path[t]] for t in range(1, n))
        w = np.exp(s)
        total += w
        for t, label in enumerate(path):
            probs[t, label] += w
    return probs / total


def test_marginals_sum_over_every_label_sequence_of_each_sentence() -> None:
    rng = np.random.default_rng(3)
    weights = _weights(rng.normal(size=(5, 5)))
    lengths = [3, 1, 4]  # decoded together, each sentence on its own
    scores = rng.normal(scale=2.0, size=(sum(lengths), 5))
    ours = marginals(weights, scores, lengths)
    start = 0
    for n in lengths:
        expected = _brute_force(weights, scores[start : start + n])
        np.testing.assert_allclose(ours[start : start + n], expected, atol=1e-12)
        start += n


def test_marginals_of_a_long_sentence_beside_short_ones_are_finite() -> None:
    weights = _weights(np.full((5, 5), 3.0))
    lengths = [400, 2]
    probs = marginals(weights, np.full((402, 5), 5.0), lengths)
    assert np.isfinite(probs).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


def _scores_for(words: list[Token], name_odds: dict[str, float | list[float]]) -> np.ndarray:
    """State scores with no transitions: each token is B-PER with the given probability
    (one for all its mentions, or one a mention) and O otherwise, so its marginals are
    exactly that."""
    rows = []
    seen: dict[str, int] = {}
    for t in words:
        given = name_odds.get(t.text, 1e-6)
        k = seen[t.text] = seen.get(t.text, -1) + 1
        p = given[k] if isinstance(given, list) else given
        rows.append(np.log([1 - p, p, 1e-9, 1e-9, 1e-9]))
    return np.array(rows)


def _pooled(
    text: str, odds: dict[str, float | list[float]], tags: dict[str, str] | None = None
) -> list[str]:
    """The words pooling tags in `text` (one sentence), given each word's probability of
    being a name and the path's tags."""
    toks = tokenize(text)
    path = [(tags or {}).get(t.text, "O") for t in toks]
    doc = document_word_features([toks], [["O"] * len(toks)])
    (pooled,) = pooled_tags([toks], [path], _scores_for(toks, odds), _weights(), doc)
    return [f"{t.text}:{new}" for t, old, new in zip(toks, path, pooled, strict=True) if old != new]


def test_a_word_whose_mentions_lean_to_a_name_is_tagged_at_every_mention() -> None:
    text = "Talks with Vorbask went on. Vorbask left. Allies of Vorbask said so."
    low, high = THRESHOLD - 0.15, THRESHOLD + 0.25  # mean above the threshold
    odds = {"Vorbask": (low + high) / 2 + 0.01}
    assert _pooled(text, odds) == ["Vorbask:B-PER"] * 3


def test_a_word_under_the_threshold_or_written_once_is_left_alone() -> None:
    assert _pooled("Talks with Vorbask went on. Vorbask left.", {"Vorbask": THRESHOLD - 0.05}) == []
    assert _pooled("Talks with Vorbask went on. Then left.", {"Vorbask": 0.9}) == []


def test_only_mentions_the_path_missed_and_that_stand_alone_are_added() -> None:
    text = "Vorbask spoke. Then Vorbask Holdings sold. Allies of Vorbask said so."
    found = _pooled(text, {"Vorbask": 0.6}, tags={"Holdings": "B-ORG"})
    # the first and last mentions; the one beside "Holdings" belongs to a longer name
    assert found == ["Vorbask:B-PER", "Vorbask:B-PER"]
    assert _pooled("Vorbask spoke. Vorbask left.", {"Vorbask": 0.6}, {"Vorbask": "B-PER"}) == []


@pytest.mark.parametrize("word", ["vorbask", "V0rbask"])
def test_only_capitalised_words_of_letters_are_pooled(word: str) -> None:
    assert _pooled(f"Talks with {word} went on. {word} left.", {word: 0.9}) == []


def test_mentions_opening_a_sentence_do_not_count_against_a_name() -> None:
    # at a sentence's start (or after a quote mark) a capital says nothing: only the two
    # mentions inside sentences are averaged, (0.5 + 0.4) / 2 over the threshold
    text = "Vorbask fell. Allies of Vorbask said “Vorbask lost” to Vorbask."
    odds: dict[str, float | list[float]] = {"Vorbask": [0.01, 0.5, 0.01, 0.4]}
    assert _pooled(text, odds) == ["Vorbask:B-PER"] * 4
    assert THRESHOLD > (0.01 + 0.5 + 0.01 + 0.4) / 4  # all four would not have been


def test_a_word_only_ever_opening_sentences_is_judged_on_those_mentions() -> None:
    assert _pooled("Vorbask fell. Vorbask rose.", {"Vorbask": 0.6}) == ["Vorbask:B-PER"] * 2
    assert _pooled("Vorbask fell. Vorbask rose.", {"Vorbask": 0.1}) == []
