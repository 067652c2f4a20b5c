"""Names the model sees across a whole article: one word, one decision per document.

The Viterbi path tags each mention of a word on its own evidence, so a name the model is
unsure of ("Kiriyenko", "Pechstein") can be tagged in one sentence and missed in the next,
or missed everywhere although every mention leans towards a name. Here the model's own
posterior probabilities (`crf_weights.marginals`) are pooled over a word's mentions: a
capitalised word written more than once in the document, and never in lower case there,
whose mentions inside a sentence (not opening it, where a capital says nothing) are on
average at least `THRESHOLD` likely to be part of a name is tagged as a one-word name at
each mention the path left untagged, with the type its mentions' probabilities favour. The tags are then decoded as the path's are (so a lone "The" is
still trimmed away). Only a mention that stands alone is tagged (neither neighbour is
capitalised): a single word inside a run of capitalised words is part of a longer name.

The statistic (the mean, against the maximum, a noisy-or and no pooling; over the mentions
inside sentences, against all), the stand-alone condition and the threshold were chosen on
held-out wikigold with a model trained without it (docs/MODELS.md), never on the
development set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import accumulate

import numpy as np

from .crf_weights import Weights, marginals
from .entity_features import _OPENERS, Token

THRESHOLD = 0.4  # mean probability of a name over a word's mentions (MODELS.md)


def _mentions(texts: Sequence[str], doc: Mapping[str, Sequence[str]]) -> list[list[int]]:
    """The mentions (token positions) of each capitalised word of letters written more than
    once and never in lower case in the document ("The" is, so it is not a name), as the
    document's word features (`entity_features.document_word_features`) say."""
    names = {w for w, f in doc.items() if "d:repeat" in f and "d:lower" not in f and w.isalpha()}
    if not names:
        return []
    mentions: dict[str, list[int]] = {w: [] for w in names}
    for i, w in enumerate(texts):
        if w in names:
            mentions[w].append(i)
    return list(mentions.values())


class _Places:
    """Where a token is in its sentence: whether it stands alone (neither neighbour in its
    sentence is capitalised) and whether it opens the sentence (first, or after an opening
    quote or bracket), where a capital says nothing about a name."""

    def __init__(self, texts: Sequence[str], lengths: Sequence[int]) -> None:
        self.texts = texts
        self.firsts = set(accumulate(lengths[:-1], initial=0))  # each sentence's first token
        self.firsts.add(len(texts))  # (past the last sentence)

    def alone(self, i: int) -> bool:
        texts, firsts = self.texts, self.firsts
        capital_before = i not in firsts and texts[i - 1][:1].isupper()
        capital_after = i + 1 not in firsts and texts[i + 1][:1].isupper()
        return not capital_before and not capital_after

    def opening(self, i: int) -> bool:
        return i in self.firsts or self.texts[i - 1] in _OPENERS


def pooled_tags(
    sentences: Sequence[Sequence[Token]],
    tags: Sequence[Sequence[str]],
    scores: np.ndarray,
    weights: Weights,
    doc: Mapping[str, Sequence[str]],
) -> list[list[str]]:
    """The path's `tags` of each sentence, with the one-word names that pooling a word's
    mentions finds (see the module's doc). `scores` are the state scores the path was
    decoded from, `doc` the document's word features."""
    texts = [t.text for toks in sentences for t in toks]
    lengths = [len(toks) for toks in sentences]
    flat_tags = [tag for sent in tags for tag in sent]
    places = _Places(texts, lengths)
    words = []  # each word's mentions, and those the path left untagged standing alone
    for idx in _mentions(texts, doc):
        free = [i for i in idx if flat_tags[i] == "O" and places.alone(i)]
        if free:
            words.append((idx, free))
    if words:
        probs = _probabilities(lengths, scores, weights, [i for idx, _ in words for i in idx])
        outside = weights.labels.index("O")
        kinds = sorted({label[2:] for label in weights.labels if label != "O"})
        columns = [[k for k, lab in enumerate(weights.labels) if lab[2:] == kind] for kind in kinds]
        for idx, free in words:
            p = np.array([probs[i] for i in idx])
            inside = [k for k, i in enumerate(idx) if not places.opening(i)]
            if 1 - p[inside or slice(None), outside].mean() < THRESHOLD:
                continue
            kind = kinds[int(np.argmax([p[:, cols].sum() for cols in columns]))]
            for i in free:
                flat_tags[i] = "B-" + kind
    out: list[list[str]] = []
    k = 0
    for n in lengths:
        out.append(flat_tags[k : k + n])
        k += n
    return out


def _probabilities(
    lengths: Sequence[int], scores: np.ndarray, weights: Weights, wanted: Sequence[int]
) -> dict[int, np.ndarray]:
    """The label probabilities of the tokens at `wanted` (flat positions), by forward-
    backward over only the sentences that hold them."""
    sizes = np.asarray(lengths)
    starts = np.cumsum(sizes) - sizes
    sentence_of = np.repeat(np.arange(len(sizes)), sizes)
    chosen = sorted(set(sentence_of[list(wanted)].tolist()))  # (np.unique imports numpy.ma)
    rows = np.concatenate([np.arange(starts[s], starts[s] + sizes[s]) for s in chosen])
    probs = marginals(weights, scores[rows], sizes[chosen].tolist())
    position = np.searchsorted(rows, wanted).tolist()  # `rows` is sorted: where each one is
    return {i: probs[k] for i, k in zip(wanted, position, strict=True)}
