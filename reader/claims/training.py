"""Rebuild the shipped claim model: `python -m reader.claims.training`.

Reads ClaimBuster's training sentences (`../shared/data/claims/claimbuster_train.json`
beside the project, or `--data FILE`): a JSON list of `{"sentence_id", "label", "text"}`,
label 1 for a check-worthy factual claim. A stratified fifth of them (seed `SEED`) is held
out as the validation split; the regularisation and class weighting are chosen by
cross-validation on the rest, the model is fitted on the rest, and its figures on the
validation split are printed as JSON and recorded in the model file. The model is never
fitted on the validation split, so `benchmarks/claim_suggestions.py` can replay it.

Needs the `train` extra (scikit-learn, scipy): `pip install -e '.[train]'`. Nothing at
run time imports this module.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from .features import DIM, all_buckets, featurise
from .model import MODEL_FILE, save_model

SEED = 14
VALIDATION_FRACTION = 0.2
GRID_C = (3.0, 10.0, 30.0)
GRID_CLASS_WEIGHT = (None, "balanced")
FOLDS = 3
PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = PROJECT.parent / "shared" / "data" / "claims" / "claimbuster_train.json"
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / MODEL_FILE


def load_sentences(path: Path) -> tuple[list[str], np.ndarray]:
    records = json.loads(path.read_text(encoding="utf-8"))
    texts = [str(record["text"]) for record in records]
    labels = np.array([int(record["label"]) for record in records])
    return texts, labels


def split(labels: np.ndarray, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and validation parts: of each class, a shuffled
    `VALIDATION_FRACTION` (rounded) is held out. Numpy only, so the benchmark draws the
    same split without scikit-learn."""
    rng = np.random.default_rng(seed)
    held: list[np.ndarray] = []
    for value in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == value))
        held.append(members[: round(len(members) * VALIDATION_FRACTION)])
    validation = np.sort(np.concatenate(held))
    train = np.setdiff1d(np.arange(len(labels)), validation)
    return train, validation


def validation_split(path: Path = DEFAULT_DATA) -> list[tuple[str, int]]:
    """The held-out sentences and their labels, in file order (for the benchmark)."""
    texts, labels = load_sentences(path)
    _, validation = split(labels)
    return [(texts[i], int(labels[i])) for i in validation]


def inverse_document_frequency(texts: list[str]) -> np.ndarray:
    """Smoothed idf per bucket, as scikit-learn's: ln((1 + n) / (1 + df)) + 1."""
    df = np.zeros(DIM)
    for text in texts:
        df[all_buckets(text)] += 1
    return np.log((1 + len(texts)) / (1 + df)) + 1


def matrix(texts: list[str], idf: np.ndarray) -> Any:
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for text in texts:
        features = featurise(text, idf)
        indices.append(features.indices)
        values.append(features.values)
        indptr.append(indptr[-1] + len(features.indices))
    return csr_matrix(
        (np.concatenate(values), np.concatenate(indices), np.array(indptr)), shape=(len(texts), DIM)
    )


def figures(truth: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score, precision_score, recall_score

    predicted = scores >= 0.5
    return {
        "f1": round(float(f1_score(truth, predicted)), 4),
        "precision": round(float(precision_score(truth, predicted)), 4),
        "recall": round(float(recall_score(truth, predicted)), 4),
        "accuracy": round(float(np.mean(predicted == truth)), 4),
    }


def choose(x: Any, y: np.ndarray) -> tuple[float, str | None, dict[str, float]]:
    """C and class weight with the best mean F1 (threshold 0.5) over folds of `x`."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, y))
    results: dict[str, float] = {}
    best: tuple[float, float, str | None] = (-1.0, GRID_C[0], None)
    for c in GRID_C:
        for weight in GRID_CLASS_WEIGHT:
            scores = []
            for fit, held in folds:
                model = LogisticRegression(C=c, class_weight=weight, max_iter=5000)
                model.fit(x[fit], y[fit])
                scores.append(f1_score(y[held], model.predict_proba(x[held])[:, 1] >= 0.5))
            mean = float(np.mean(scores))
            results[f"C={c:g},class_weight={weight}"] = round(mean, 4)
            if mean > best[0]:
                best = (mean, c, weight)
    return best[1], best[2], results


def train(data: Path, out: Path) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    texts, labels = load_sentences(data)
    train_ix, validation_ix = split(labels)
    train_texts = [texts[i] for i in train_ix]
    idf = inverse_document_frequency(train_texts)
    x_train = matrix(train_texts, idf)
    x_validation = matrix([texts[i] for i in validation_ix], idf)
    y_train, y_validation = labels[train_ix], labels[validation_ix]
    c, weight, cross_validation = choose(x_train, y_train)
    model = LogisticRegression(C=c, class_weight=weight, max_iter=5000).fit(x_train, y_train)
    weights = model.coef_.ravel().astype(np.float32)
    bias = float(model.intercept_[0])
    # What the shipped (float32) model scores, through the run-time feature path.
    kept = weights.astype(np.float64)
    scores = 1 / (1 + np.exp(-(x_validation @ kept + bias)))
    report = {
        "data": data.name,
        "seed": SEED,
        "sentences": {"train": len(train_ix), "validation": len(validation_ix)},
        "positives": {"train": int(y_train.sum()), "validation": int(y_validation.sum())},
        "cross_validation_f1": cross_validation,
        "chosen": {"C": c, "class_weight": weight},
        "validation": figures(y_validation, scores),
    }
    save_model(out, weights, bias, idf, report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = train(args.data, args.out)
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["model_bytes"] = args.out.stat().st_size
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
