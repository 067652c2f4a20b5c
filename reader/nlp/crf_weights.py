"""A linear-chain CRF's weights as numpy arrays, and its Viterbi decoding.

python-crfsuite trains the entity model (`reader.nlp.training`); its weights are then written
here as a small `.npz` (`save`), which is what the wheel ships and the engine reads (`load`):
opening it is a few array reads, and tagging needs no crfsuite at all. A token's state scores
are the sums of its attributes' weight rows (`rows` gives the rows of attribute names; the
last row is all zeros and stands for any name the model does not know, which crfsuite
ignores too). `viterbi` decodes every sentence of a document at once and breaks ties as
crfsuite does (the lowest label number wins), so it gives crfsuite's tags.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "crf-weights-1"
_STAMP = (1980, 1, 1, 0, 0, 0)  # fixed zip dates: the same weights give the same bytes


@dataclass(frozen=True)
class Weights:
    labels: tuple[str, ...]  # label number -> name, crfsuite's numbering
    index: dict[str, int]  # attribute name -> row of `state`
    state: np.ndarray  # float64 (attributes + 1, labels); the last row is zeros
    transition: np.ndarray  # float64 (labels, labels): from row label to column label
    lowercase: frozenset[str] | None = None  # words the training text has in lower case

    @property
    def unknown(self) -> int:
        """The all-zero row: an attribute the model does not know."""
        return len(self.state) - 1

    def rows(self, names: Iterable[str]) -> list[int]:
        get, unknown = self.index.get, self.unknown
        return [get(n, unknown) for n in names]

    def score(self, names: Iterable[str]) -> np.ndarray:
        """The summed weights of `names` for each label."""
        return np.asarray(self.state[self.rows(names)].sum(axis=0))


def from_crfsuite(path: Path, lowercase: frozenset[str] | None = None) -> Weights:
    """The weights of a model file written by python-crfsuite (training only)."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    info = tagger.info()
    labels = tuple(sorted(info.labels, key=lambda name: int(info.labels[name])))
    number = {name: k for k, name in enumerate(labels)}
    names = sorted({a for a, _ in info.state_features})
    index = {a: k for k, a in enumerate(names)}
    state = np.zeros((len(names) + 1, len(labels)))
    for (attr, label), w in info.state_features.items():
        state[index[attr], number[label]] = w
    transition = np.zeros((len(labels), len(labels)))
    for (a, b), w in info.transitions.items():
        transition[number[a], number[b]] = w
    return Weights(labels, index, state, transition, lowercase)


def _array_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def save(weights: Weights, path: Path) -> None:
    """Write `weights` to `path` (a zip of .npy files, as numpy's npz; deterministic)."""
    names = sorted(weights.index, key=weights.index.__getitem__)
    nz_rows, nz_cols = np.nonzero(weights.state)
    parts = {
        "meta.npy": np.array(json.dumps({"format": FORMAT, "labels": list(weights.labels)})),
        "attributes.npy": np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8),
        "rows.npy": nz_rows.astype(np.int32),
        "cols.npy": nz_cols.astype(np.int8),
        "values.npy": weights.state[nz_rows, nz_cols],
        "transition.npy": weights.transition,
    }
    if weights.lowercase is not None:
        words = "\n".join(sorted(weights.lowercase)).encode("utf-8")
        parts["lowercase.npy"] = np.frombuffer(words, dtype=np.uint8)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, array in parts.items():
            z.writestr(zipfile.ZipInfo(name, _STAMP), _array_bytes(array))


def load(path: Any) -> Weights:
    """The weights `save` wrote to `path`."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"not {FORMAT} weights")
        blob = data["attributes"].tobytes().decode("utf-8")
        names = blob.split("\n") if blob else []
        labels = tuple(meta["labels"])
        state = np.zeros((len(names) + 1, len(labels)))
        state[data["rows"], data["cols"]] = data["values"]
        transition = data["transition"]
        lowercase = None
        if "lowercase" in data.files:
            lowercase = frozenset(data["lowercase"].tobytes().decode("utf-8").split("\n"))
    index = dict(zip(names, range(len(names)), strict=True))
    return Weights(labels, index, state, transition, lowercase)


def viterbi(weights: Weights, scores: np.ndarray, lengths: Sequence[int]) -> list[list[str]]:
    """The best label sequence of each sentence: `scores` (tokens, labels) holds the state
    scores of the document's tokens, sentence after sentence, `lengths` the sentences'
    token counts (each at least 1)."""
    if not lengths:
        return []
    lens = np.asarray(lengths, dtype=np.intp)
    order = np.argsort(-lens, kind="stable")  # longest first: the live ones are a prefix
    starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
    n_sent, longest, n_labels = len(lens), int(lens.max()), scores.shape[1]
    padded = np.zeros((n_sent, longest, n_labels))
    sorted_lens = lens[order]
    sent_of = np.repeat(np.arange(n_sent), sorted_lens)
    pos = np.arange(len(sent_of)) - np.repeat(np.cumsum(sorted_lens) - sorted_lens, sorted_lens)
    token = np.repeat(starts[order], sorted_lens) + pos
    padded[sent_of, pos] = scores[token]
    # how many sentences are longer than t, as Python ints (cheaper to slice with each step)
    live = (n_sent - np.searchsorted(sorted_lens[::-1], np.arange(longest), side="right")).tolist()
    best = padded[:, 0].copy()
    trans = weights.transition
    back = []
    rows, to = np.arange(n_sent), np.arange(n_labels)
    for t in range(1, longest):
        k = live[t]
        cand = best[:k, :, None] + trans  # (k, from, to)
        came = cand.argmax(axis=1)  # the first best: crfsuite's tie-break
        back.append(came)
        best[:k] = cand[rows[:k, None], came, to] + padded[:k, t]
    labels = np.zeros((n_sent, longest), dtype=np.intp)
    labels[np.arange(n_sent), sorted_lens - 1] = best.argmax(axis=1)
    for t in range(longest - 1, 0, -1):
        k = live[t]
        labels[:k, t - 1] = back[t - 1][rows[:k], labels[:k, t]]
    names = weights.labels
    out: list[list[str]] = [[] for _ in range(n_sent)]
    for s, row, n in zip(order.tolist(), labels.tolist(), sorted_lens.tolist(), strict=True):
        out[s] = list(map(names.__getitem__, row[:n]))
    return out


def marginals(weights: Weights, scores: np.ndarray, lengths: Sequence[int]) -> np.ndarray:
    """Each token's probability of each label (tokens, labels), by forward-backward over
    every sentence at once: `scores` and `lengths` as for `viterbi`. It works in
    probabilities, each token's scores shifted by their maximum and each step normalised
    (which leaves the marginals as they are), so nothing overflows; sentences are taken
    longest first, so the ones still running at a position are a prefix, as in `viterbi`."""
    if not lengths:
        return np.zeros((0, len(weights.labels)))
    lens = np.asarray(lengths, dtype=np.intp)
    n_sent, longest, n_labels = len(lens), int(lens.max()), scores.shape[1]
    order = np.argsort(-lens, kind="stable")
    sorted_lens = lens[order]
    sent_of = np.repeat(np.arange(n_sent), sorted_lens)
    pos = np.arange(len(sent_of)) - np.repeat(np.cumsum(sorted_lens) - sorted_lens, sorted_lens)
    token = np.repeat((np.cumsum(lens) - lens)[order], sorted_lens) + pos
    mine = scores[token]
    odds = np.ones((longest, n_sent, n_labels))  # position-major; past a sentence's end: ones
    odds[pos, sent_of] = np.exp(mine - mine.max(axis=1, keepdims=True))
    live = (n_sent - np.searchsorted(sorted_lens[::-1], np.arange(longest), side="right")).tolist()
    step = np.exp(weights.transition - weights.transition.max())
    back_step = step.T.copy()
    total = np.add.reduce  # what ndarray.sum calls, without its Python-level wrapper
    forward = np.empty_like(odds)
    f = forward[0] = odds[0]
    for t in range(1, longest):
        k = live[t]
        f = (f[:k] @ step) * odds[t, :k]
        f /= total(f, axis=1, keepdims=True)
        forward[t, :k] = f
    backward = np.ones_like(odds)
    for t in range(longest - 2, -1, -1):
        k = live[t + 1]
        b = (odds[t + 1, :k] * backward[t + 1, :k]) @ back_step
        b /= total(b, axis=1, keepdims=True)
        backward[t, :k] = b
    probs = forward[pos, sent_of] * backward[pos, sent_of]
    probs /= probs.sum(axis=1, keepdims=True)
    out = np.empty_like(probs)
    out[token] = probs
    return out
