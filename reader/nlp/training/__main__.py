"""Train the entity model: `python -m reader.nlp.training [--data DIR] [--hold-out NAME]`.

Reads ONLY `DATA/ner/*.conll` (default DATA: `../shared/data` beside the project). With
`--hold-out wikigold` the model is trained without that file and scored on it (the
cross-corpus figure) and nothing is written unless `--out` is given; without it, the model
is trained on every file and written to `reader/nlp/data/entities.npz` (atomically): python-
crfsuite trains it, and its weights are saved as arrays (`reader.nlp.crf_weights`), which is
what the engine reads. Training is deterministic: the documents are read in a fixed order and
crfsuite's L-BFGS has no randomness; `--seed` shuffles the document order reproducibly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ..crf_weights import Weights, from_crfsuite, save
from ..entity_features import Token, WordFeatures, document_features, tokenize
from ..entity_scores import ScoreTables
from ..gazetteer import lexicon
from ..model_engine import MODEL_FILE, model_inputs, tag_entities
from ..types import Span
from .conll import Document, GoldSpan, read_documents

_REPO = Path(__file__).resolve().parents[3]
DEFAULT_DATA = _REPO.parent / "shared" / "data"
# file stem -> sentences per pseudo-document where the file has no -DOCSTART- lines
# (news runs on; tweets stand alone), and how many times the file is repeated (gold weighs
# more than silver)
FILES: dict[str, tuple[int, int]] = {
    "silver_news_spacy": (20, 1),
    "wikigold": (20, 2),
    "sec_filings_train": (20, 1),
    "sec_filings_test": (20, 1),
    "btc": (1, 1),
    "wnut17_train": (1, 1),
}
PARAMS = {
    "c1": 0.1,
    "c2": 0.05,
    "max_iterations": 120,
    "feature.possible_transitions": True,
    "feature.minfreq": 1,
}
_SCORED = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}
LOWERCASE = True  # the lc:seen / lc:unseen features (entity_features): measured, see MODELS.md


def lowercase_words(docs: Iterable[Document]) -> frozenset[str]:
    """The words the training text has in lower case (as `WordFeatures` keys them)."""
    out: set[str] = set()
    for doc in docs:
        out.update(
            t.text.lower().replace("’", "'") for t in tokenize(doc.text) if t.text[:1].islower()
        )
    return frozenset(out)


def gold_tags(tokens: Sequence[Token], gold: Sequence[GoldSpan]) -> list[str]:
    """BIO tags of the model's tokens, projected from the gold character spans."""
    tags = ["O"] * len(tokens)
    for g in gold:
        first = True
        for k, t in enumerate(tokens):
            if t.start >= g.end:
                break
            if t.end > g.start and t.start >= g.start:
                tags[k] = ("B-" if first else "I-") + g.label
                first = False
    return tags


def examples(doc: Document, words: WordFeatures) -> Iterable[tuple[list[list[str]], list[str]]]:
    toks, per_rules, _ = model_inputs(doc.text, [Span(s, e) for s, e in doc.sentences])
    flat_gold = gold_tags([t for sent in toks for t in sent], doc.entities)
    per_gold: list[list[str]] = []
    k = 0
    for sent in toks:
        per_gold.append(flat_gold[k : k + len(sent)])
        k += len(sent)
    feats = document_features(toks, per_rules, words)
    yield from zip(feats, per_gold, strict=True)


def load(data: Path, names: Iterable[str]) -> dict[str, list[Document]]:
    out: dict[str, list[Document]] = {}
    for name in names:
        path = data / "ner" / f"{name}.conll"
        if not path.is_file():
            sys.exit(f"training file missing: {path}")
        out[name] = read_documents(path, FILES[name][0])
    return out


def train(
    docs: Sequence[Document], out: Path, lowercase: frozenset[str] | None, verbose: bool = False
) -> dict[str, Any]:
    try:
        import pycrfsuite
    except ImportError:
        raise SystemExit(
            "training needs python-crfsuite: pip install 'reader[train]' (tagging does not)"
        ) from None

    trainer = pycrfsuite.Trainer(verbose=verbose)
    words = WordFeatures(lexicon(), lowercase)
    n_tokens = 0
    for doc in docs:
        for feats, tags in examples(doc, words):
            trainer.append(feats, tags)
            n_tokens += len(tags)
    trainer.set_params(PARAMS)
    t0 = time.perf_counter()
    trainer.train(str(out))
    return {
        "documents": len(docs),
        "tokens": n_tokens,
        "train_seconds": round(time.perf_counter() - t0, 1),
    }


def _f1(tp: int, fp: int, fn: int) -> float:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def score(docs: Sequence[Document], weights: Weights) -> dict[str, Any]:
    """Exact and overlap F1 (PER ORG LOC, MISC not scored) of the model on `docs`."""
    crf = ScoreTables(weights, WordFeatures(lexicon(), weights.lowercase))
    counts: dict[str, list[int]] = {}  # label -> [tp_exact, fp_exact, tp_loose, fp_loose, gold]

    def row(label: str) -> list[int]:
        return counts.setdefault(label, [0, 0, 0, 0, 0])

    for doc in docs:
        gold = [g for g in doc.entities if g.label != "MISC"]
        for g in gold:
            row(g.label)[4] += 1
        found = tag_entities(doc.text, [Span(s, e) for s, e in doc.sentences], crf)
        for e in found:
            label = _SCORED.get(e.label)
            if label is None:
                continue
            r = row(label)
            same = [g for g in gold if g.label == label]
            if any(g.start == e.start and g.end == e.end for g in same):
                r[0] += 1
            else:
                r[1] += 1
            if any(g.start < e.end and e.start < g.end for g in same):
                r[2] += 1
            else:
                r[3] += 1
    result: dict[str, Any] = {}
    tot = [0] * 5
    for label, (tpe, fpe, tpl, fpl, n) in sorted(counts.items()):
        result[label] = {
            "exact_f1": _f1(tpe, fpe, n - tpe),
            "overlap_f1": _f1(tpl, fpl, n - tpl),
            "gold": n,
        }
        tot = [a + b for a, b in zip(tot, (tpe, fpe, tpl, fpl, n), strict=True)]
    tpe, fpe, tpl, fpl, n = tot
    result["all"] = {
        "exact_f1": _f1(tpe, fpe, n - tpe),
        "overlap_f1": _f1(tpl, fpl, n - tpl),
        "gold": n,
    }
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--hold-out", choices=sorted(FILES), default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    names = [n for n in FILES if n != args.hold_out]
    by_file = load(args.data, names)
    docs = [d for n in names for _ in range(FILES[n][1]) for d in by_file[n]]
    random.Random(args.seed).shuffle(docs)
    shipped = Path(str(resources.files("reader.nlp").joinpath("data", MODEL_FILE)))
    target = args.out or (None if args.hold_out else shipped)
    # beside the target, so that os.replace is atomic; elsewhere when nothing is written
    where = target.parent if target is not None else Path(tempfile.gettempdir())
    fd, tmp_name = tempfile.mkstemp(prefix=".training-", suffix=".npz", dir=where)
    os.close(fd)
    tmp = Path(tmp_name)
    crf_file = tmp.with_suffix(".crfsuite")
    try:
        report: dict[str, Any] = {"files": names, "params": PARAMS, "seed": args.seed}
        lowercase = lowercase_words(docs) if LOWERCASE else None
        report.update(train(docs, crf_file, lowercase, args.verbose))
        weights = from_crfsuite(crf_file, lowercase)
        save(weights, tmp)
        report["model_bytes"] = tmp.stat().st_size
        report["attributes"] = len(weights.index)
        if args.hold_out:
            held = load(args.data, [args.hold_out])[args.hold_out]
            report["held_out"] = {args.hold_out: score(held, weights)}
        if target is not None:
            tmp.chmod(0o644)  # mkstemp made it private; the shipped file is read by all
            os.replace(tmp, target)
            report["written"] = str(target)
    finally:
        tmp.unlink(missing_ok=True)
        crf_file.unlink(missing_ok=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
