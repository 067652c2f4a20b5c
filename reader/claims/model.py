"""The shipped check-worthiness model: a weight vector over `features.DIM` hashed n-grams.

`probability(sentence)` is the model's probability that the sentence is a check-worthy
factual claim (ClaimBuster's positive class); 0.5 or more is what reader suggests.
`score_sentences(sentences)` is the same for many sentences scored together (a document's:
one batch of features, no Python call per n-gram). The weights (`data/claimbuster.npz`,
built by `python -m reader.claims.training`) are read the first time a sentence is scored,
not at import.
"""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ReaderError
from .features import DIM, FEATURES_VERSION, FeatureRows, Features, featurise, featurise_many

MODEL_FILE = "claimbuster.npz"
THRESHOLD = 0.5  # a score at or above it is suggested


class ClaimModelError(ReaderError):
    """The shipped claim model is missing or was built for other features."""


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression: `sigmoid(weights · x + bias)`."""

    weights: np.ndarray  # float64, DIM
    bias: float
    idf: np.ndarray  # float64, DIM: the feature weighting the model was trained with
    meta: dict[str, Any]

    def features(self, sentence: str) -> Features:
        return featurise(sentence, self.idf)

    def logit(self, features: Features) -> float:
        return float(self.weights[features.indices] @ features.values) + self.bias

    def probability(self, sentence: str) -> float:
        return sigmoid(self.logit(self.features(sentence)))

    def feature_rows(self, sentences: Sequence[str]) -> FeatureRows:
        return featurise_many(sentences, self.idf)

    def logits(self, rows: FeatureRows) -> np.ndarray:
        return rows.dot(self.weights) + self.bias

    def probabilities(self, sentences: Sequence[str]) -> np.ndarray:
        """`probability` of each of `sentences`, computed together."""
        return sigmoids(self.logits(self.feature_rows(sentences)))


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def sigmoids(z: np.ndarray) -> np.ndarray:
    """`sigmoid` of each of `z`, without overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def save_model(
    path: Any, weights: np.ndarray, bias: float, idf: np.ndarray, meta: dict[str, Any]
) -> None:
    """Write a model file (used by the training script): whole, or not at all."""
    meta = {**meta, "features": FEATURES_VERSION}
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial.npz")
    np.savez_compressed(
        partial,
        weights=weights.astype(np.float32),
        idf=idf.astype(np.float32),
        bias=np.array(bias, dtype=np.float64),
        meta=np.array(json.dumps(meta, sort_keys=True)),
    )
    os.replace(partial, path)


def load_model_file(path: Any) -> LinearModel:
    try:
        with np.load(path, allow_pickle=False) as data:
            weights = data["weights"].astype(np.float64)
            bias = float(data["bias"])
            idf = data["idf"].astype(np.float64)
            meta = json.loads(str(data["meta"]))
    except (OSError, KeyError, ValueError) as exc:
        raise ClaimModelError(f"{path}: not a claim model ({exc})") from None
    if meta.get("features") != FEATURES_VERSION or weights.shape != (DIM,) or idf.shape != (DIM,):
        raise ClaimModelError(
            f"{path}: built for features {meta.get('features')!r}, not {FEATURES_VERSION!r}; "
            "rebuild it with `python -m reader.claims.training`"
        )
    return LinearModel(weights, bias, idf, meta)


@functools.cache
def shipped_model() -> LinearModel:
    """The model shipped in the package, loaded once, on first use."""
    return load_model_file(Path(__file__).with_name("data") / MODEL_FILE)


def probability(sentence: str) -> float:
    """The shipped model's probability that `sentence` is a check-worthy factual claim."""
    return shipped_model().probability(sentence)


def score_sentences(sentences: Sequence[str]) -> list[float]:
    """`probability` of each of `sentences`, scored together (a document's, say)."""
    return shipped_model().probabilities(sentences).tolist()
