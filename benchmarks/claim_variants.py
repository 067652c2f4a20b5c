"""The claim-model variants of docs/CLAIMS.md, each by 5-fold cross-validation; prints JSON lines.

usage: python benchmarks/claim_variants.py [VARIANT ...]   (default: all; needs the train extra)

On `../shared/data/claims/claimbuster_train.json`, the folds of `reader.claims.training`
(StratifiedKFold, seed 14); in each fold the idf is counted on the training part only.
Logistic regression with C = 10, balanced class weights and the threshold 0.5 unless the
variant says otherwise. One line per variant: positive-class F1 mean and std over folds,
each fold's, and the seconds it took. The whole training procedure (nested) is the
training script's own figure: `python -m reader.claims.training`.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import time
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, diags
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from reader.claims import features, training
from reader.nlp.entities import find_entities
from reader.nlp.types import Span

Run = Callable[[Any, np.ndarray, Any], np.ndarray]  # (x_train, y_train, x_held) -> predicted

_NUMBERS = [
    (re.compile(r"\$\s?\d[\d,.]*(\s(?:million|billion|trillion))?", re.I), " <MONEY> "),
    (re.compile(r"\d[\d,.]*\s?(?:%|percent\b)", re.I), " <PCT> "),
    (re.compile(r"\b(?:1[89]|20)\d\d\b"), " <YEAR> "),
    (re.compile(r"\d[\d,.]*(\s(?:million|billion|trillion|thousand|hundred))?", re.I), " <NUM> "),
]
_SHAPED_TOKEN = re.compile(r"<\w+>|\w+|[^\w\s]")


def regression(c: float = 10.0, weighted: bool = True) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced" if weighted else None, max_iter=5000)


def plain(c: float = 10.0) -> Run:
    return lambda a, y, b: regression(c).fit(a, y).decision_function(b) >= 0


def scaled_margin(model: Any, a: Any, b: Any) -> np.ndarray:
    return model.decision_function(b) / np.std(model.decision_function(a))


def with_svm(a: Any, y: np.ndarray, b: Any) -> np.ndarray:
    lr, svm = regression().fit(a, y), LinearSVC(C=1.0, class_weight="balanced").fit(a, y)
    return scaled_margin(lr, a, b) + scaled_margin(svm, a, b) >= 0


def with_nb(a: Any, y: np.ndarray, b: Any) -> np.ndarray:
    """Plain regression and one on naive-Bayes log-count-ratio scaled features, 3 : 1."""
    p = np.asarray(a[y == 1].sum(0)).ravel() + 1
    q = np.asarray(a[y == 0].sum(0)).ravel() + 1
    ratio = diags(np.log((p / p.sum()) / (q / q.sum())))
    nb = regression().fit(a @ ratio, y)
    return (
        0.75 * scaled_margin(regression().fit(a, y), a, b)
        + 0.25 * (nb.decision_function(b @ ratio) / np.std(nb.decision_function(a @ ratio)))
        >= 0
    )


def unweighted_tuned(a: Any, y: np.ndarray, b: Any) -> np.ndarray:
    inner = StratifiedKFold(3, shuffle=True, random_state=training.SEED)
    logits = np.zeros(len(y))
    for fit, held in inner.split(a, y):
        logits[held] = regression(weighted=False).fit(a[fit], y[fit]).decision_function(a[held])
    cut, _ = training.best_threshold(y, logits)
    return regression(weighted=False).fit(a, y).decision_function(b) >= cut


def shaped(text: str) -> str:
    """`text` with reader's entities as `<TYPE>` and numbers as their class, lower-cased."""
    out, last = [], 0
    for entity in sorted(find_entities(text, [Span(0, len(text))]), key=lambda e: e.start):
        out += [text[last : entity.start], f" <{entity.label}> "]
        last = entity.end
    result = "".join([*out, text[last:]])
    for pattern, token in _NUMBERS:
        result = pattern.sub(token, result)
    return result.lower()


def entity_block(texts: list[str]) -> Any:
    """1 + log count of the hashed word 1- to 3-grams of each shaped text."""
    tokens = [_SHAPED_TOKEN.findall(shaped(text)) for text in texts]
    flat = list(itertools.chain.from_iterable(tokens))
    codes = np.fromiter((zlib.crc32(t.encode()) for t in flat), dtype=np.uint64, count=len(flat))
    rows = np.repeat(np.arange(len(tokens)), [len(t) for t in tokens])
    rows, buckets = features._rolled(codes, rows, 3, 7 * features._SALT)
    block = csr_matrix(
        (np.ones(len(rows)), (rows, buckets.astype(np.int64))), shape=(len(texts), features.DIM)
    )
    block.data = 1.0 + np.log(block.data)
    return block


def cross_validate(name: str, counts: training.Counts, labels: np.ndarray, run: Run) -> None:
    folds = StratifiedKFold(5, shuffle=True, random_state=training.SEED)
    started, scores = time.perf_counter(), []
    for part, held in folds.split(np.zeros(len(labels)), labels):
        idf = counts.idf(part)
        a, b = counts.matrix(part, idf), counts.matrix(held, idf)
        scores.append(f1_score(labels[held], run(a, labels[part], b)))
    line = {
        "variant": name,
        "f1_mean": round(float(np.mean(scores)), 4),
        "f1_std": round(float(np.std(scores)), 4),
        "f1_per_fold": [round(float(s), 3) for s in scores],
        "seconds": round(time.perf_counter() - started),
    }
    print(json.dumps(line), flush=True)


def main(chosen: list[str]) -> None:
    texts, labels = training.load_sentences(training.DEFAULT_DATA)
    counts = training.Counts(texts)
    runs: dict[str, tuple[str, Run]] = {
        "lr": ("logistic regression", plain()),
        "svm": ("logistic regression and a linear SVM, scaled margins averaged", with_svm),
        "nb": ("logistic regression and NB-LR, scaled margins 3 : 1", with_nb),
        "unweighted": ("unweighted regression, threshold tuned in-fold", unweighted_tuned),
    }
    for key, (name, run) in runs.items():
        if key in chosen:
            cross_validate(name, counts, labels, run)
    if "entities" in chosen:
        with_entities = training.Counts([])
        with_entities.blocks = [*counts.blocks, entity_block(texts)]
        for c in (10.0, 30.0):
            cross_validate(f"plus the entity block, C = {c:g}", with_entities, labels, plain(c))
    if "dim20" in chosen:  # last: it re-hashes into 2^20 buckets for the rest of the process
        features._SHIFT = np.uint64(64 - 20)
        training.DIM = 1 << 20
        cross_validate("in 2^20 buckets", training.Counts(texts), labels, plain())


if __name__ == "__main__":
    main(sys.argv[1:] or ["lr", "svm", "nb", "unweighted", "entities", "dim20"])
