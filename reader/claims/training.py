"""Rebuild the shipped claim model: `python -m reader.claims.training`.

Reads ClaimBuster's training sentences (`../shared/data/claims/claimbuster_train.json`
beside the project, or `--data FILE`): a JSON list of `{"sentence_id", "label", "text"}`,
label 1 for a check-worthy factual claim. It prints, as JSON, and records in the model file:

- `cross_validation`: the positive-class F1 of the whole training procedure under
  `FOLDS`-fold stratified cross-validation over every sentence of the file (mean, standard
  deviation, each fold): the honest estimate of how the model does on sentences it has not
  seen;
- `validation`: the figures of the shipped model on one stratified fifth of the file
  (seed `SEED`), the validation split the shipped model is never fitted on, so that
  `benchmarks/claim_suggestions.py` can replay it.

The training procedure, run on each fold's training part and on the split's: the idf is
counted on that part only; the regularisation C (and, with `TUNE_THRESHOLD`, the decision
threshold, folded into the bias so that the model's 0.5 is the chosen threshold) is chosen
by `INNER_FOLDS`-fold cross-validation on that part only; then logistic regression with
balanced class weights, averaged with a linear SVM's (`SVM_C`; see `fit_linear`), is
fitted on the whole part.

Needs the `train` extra (scikit-learn, scipy): `pip install -e '.[train]'`. Nothing at
run time imports this module.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .features import DIM, block_buckets, featurise_many
from .model import MODEL_FILE, save_model

SEED = 14
VALIDATION_FRACTION = 0.2
GRID_C = (3.0, 10.0, 30.0)
CLASS_WEIGHT = "balanced"
FOLDS = 5
INNER_FOLDS = 3
TUNE_THRESHOLD = False  # choose the decision threshold by the inner folds (else logit 0)
SVM_C: float | None = 1.0  # average a linear SVM (this C) into the regression (None: not)
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


class Counts:
    """Every sentence's feature blocks before idf weighting: one sparse matrix per block of
    1 + log count per bucket. Weighting them with a part's idf and scaling each block as
    `features.featurise_many` does gives that part's feature matrix without featurising
    again."""

    def __init__(self, texts: list[str]) -> None:
        from scipy.sparse import csr_matrix

        self.blocks = []
        for rows, buckets in block_buckets(texts):
            counts = csr_matrix(
                (np.ones(len(rows)), (rows, buckets.astype(np.int64))), shape=(len(texts), DIM)
            )  # duplicates summed: the count of each bucket
            counts.data = 1.0 + np.log(counts.data)
            self.blocks.append(counts)

    def idf(self, part: np.ndarray) -> np.ndarray:
        """Smoothed idf per bucket over the sentences `part`, as scikit-learn's:
        ln((1 + n) / (1 + df)) + 1, a bucket counted once per sentence whatever its block."""
        seen = sum((block[part] > 0).astype(np.int32) for block in self.blocks)
        df = np.asarray((seen > 0).sum(axis=0)).ravel()
        return np.log((1 + len(part)) / (1 + df)) + 1

    def matrix(self, rows: np.ndarray, idf: np.ndarray) -> Any:
        from scipy.sparse import diags
        from sklearn.preprocessing import normalize

        scale = math.sqrt(1.0 / len(self.blocks))
        weighting = diags(idf)
        return sum(normalize(block[rows] @ weighting) * scale for block in self.blocks).tocsr()


def runtime_matrix(texts: list[str], idf: np.ndarray) -> Any:
    """The feature matrix through the run-time path (`features.featurise_many`)."""
    from scipy.sparse import csr_matrix

    rows = featurise_many(texts, idf)  # duplicate entries are summed, as the vector is
    return csr_matrix((rows.values, (rows.rows, rows.indices)), shape=(len(texts), DIM)).tocsr()


def figures(truth: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score, precision_score, recall_score

    predicted = scores >= 0.5
    return {
        "f1": round(float(f1_score(truth, predicted)), 4),
        "precision": round(float(precision_score(truth, predicted, zero_division=0)), 4),
        "recall": round(float(recall_score(truth, predicted)), 4),
        "accuracy": round(float(np.mean(predicted == truth)), 4),
    }


@dataclass
class Fitted:
    weights: np.ndarray  # float32, DIM
    bias: float  # the chosen threshold folded in: sigmoid(w · x + bias) >= 0.5 is suggested
    idf: np.ndarray
    chosen: dict[str, Any]

    def scores(self, x: Any) -> np.ndarray:
        return 1 / (1 + np.exp(-(x @ self.weights.astype(np.float64) + self.bias)))


def fit_linear(c: float, x: Any, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and bias of logistic regression (C = `c`) on `x`, `y`; with `SVM_C`, averaged
    with a linear SVM's, the SVM's margins scaled to the regression's spread on `x` (so the
    sum stays on the regression's logit scale: still one linear model at run time)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    regression = LogisticRegression(C=c, class_weight=CLASS_WEIGHT, max_iter=5000).fit(x, y)
    weights, bias = regression.coef_.ravel(), float(regression.intercept_[0])
    if SVM_C is None:
        return weights, bias
    svm = LinearSVC(C=SVM_C, class_weight=CLASS_WEIGHT).fit(x, y)
    scale = float(np.std(x @ weights) / np.std(svm.decision_function(x)))
    return (weights + scale * svm.coef_.ravel()) / 2, (bias + scale * float(svm.intercept_[0])) / 2


def best_threshold(truth: np.ndarray, logits: np.ndarray) -> tuple[float, float]:
    """The logit cut with the best F1 (predicted positive at or above it), and that F1."""
    order = np.argsort(-logits)
    hits = np.cumsum(truth[order])
    predicted = np.arange(1, len(order) + 1)
    f1 = 2 * hits / (predicted + truth.sum())
    best = int(np.argmax(f1))
    if best + 1 < len(order):  # halfway to the next score, so the cut is not on a sample
        cut = (logits[order[best]] + logits[order[best + 1]]) / 2
    else:
        cut = logits[order[best]]
    return float(cut), float(f1[best])


def fit(counts: Counts, labels: np.ndarray, part: np.ndarray) -> Fitted:
    """The training procedure on the sentences `part` only (see the module's docstring)."""
    from sklearn.model_selection import StratifiedKFold

    idf = counts.idf(part)
    x, y = counts.matrix(part, idf), labels[part]
    folds = list(StratifiedKFold(INNER_FOLDS, shuffle=True, random_state=SEED).split(x, y))
    inner: dict[str, dict[str, float]] = {}
    best: tuple[float, float, float] = (-1.0, GRID_C[0], 0.0)
    for c in GRID_C:
        logits = np.zeros(len(y))
        for inner_fit, inner_held in folds:
            weights, bias = fit_linear(c, x[inner_fit], y[inner_fit])
            logits[inner_held] = x[inner_held] @ weights + bias
        cut, f1 = best_threshold(y, logits) if TUNE_THRESHOLD else (0.0, _f1(y, logits >= 0))
        inner[f"C={c:g}"] = {
            "f1_at_0.5": round(_f1(y, logits >= 0), 4),
            "f1_at_best_threshold": round(f1, 4),
            "logit_threshold": round(cut, 4),
        }
        if f1 > best[0]:
            best = (f1, c, cut)
    _, c, cut = best
    weights, bias = fit_linear(c, x, y)
    chosen = {
        "C": c,
        "class_weight": CLASS_WEIGHT,
        "svm_C": SVM_C,
        "logit_threshold": round(cut, 4),
        "inner": inner,
    }
    return Fitted(weights.astype(np.float32), bias - cut, idf, chosen)


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted))


def cross_validate(counts: Counts, labels: np.ndarray, folds: int = FOLDS) -> dict[str, Any]:
    """Positive-class F1 of the training procedure over `folds` stratified folds of all
    sentences (each fold's model fitted, and its C and threshold chosen, without it)."""
    from sklearn.model_selection import StratifiedKFold

    outer = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    scores = []
    for part, held in outer.split(np.zeros(len(labels)), labels):
        fitted = fit(counts, labels, part)
        scores.append(figures(labels[held], fitted.scores(counts.matrix(held, fitted.idf)))["f1"])
    return {
        "folds": folds,
        "f1_mean": round(float(np.mean(scores)), 4),
        "f1_std": round(float(np.std(scores)), 4),
        "f1_per_fold": scores,
    }


def train(data: Path, out: Path, folds: int = FOLDS) -> dict[str, Any]:
    texts, labels = load_sentences(data)
    counts = Counts(texts)
    train_ix, validation_ix = split(labels)
    fitted = fit(counts, labels, train_ix)
    # What the shipped (float32) model scores, through the run-time feature path.
    x_validation = runtime_matrix([texts[i] for i in validation_ix], fitted.idf)
    y_train, y_validation = labels[train_ix], labels[validation_ix]
    report = {
        "data": data.name,
        "seed": SEED,
        "sentences": {"train": len(train_ix), "validation": len(validation_ix)},
        "positives": {"train": int(y_train.sum()), "validation": int(y_validation.sum())},
        "cross_validation": cross_validate(counts, labels, folds),
        "chosen": fitted.chosen,
        "validation": figures(y_validation, fitted.scores(x_validation)),
    }
    save_model(out, fitted.weights, fitted.bias, fitted.idf, report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--folds", type=int, default=FOLDS, help="cross-validation folds")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = train(args.data, args.out, args.folds)
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["model_bytes"] = args.out.stat().st_size
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
