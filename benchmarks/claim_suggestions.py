"""Claim suggestions replayed through the session by a simulated annotator (issue 14).

The validation split of ClaimBuster's training file (the sentences the shipped model was
not fitted on; `reader.claims.training.split`) is shuffled (fixed seed) and cut in two: a fixed probe set, never
labelled, on which suggestion accuracy is measured, and a stream, turned into short
documents of five sentences, that the simulated annotator works through in an
`AnnotationSession` over a real store. On each sentence it sees the suggestion and:

- accepts it (Enter) when it is right: the label is applied through the session;
- presses `n` (reject) when a claim is suggested on a sentence that is none;
- presses the right label key when nothing, or the wrong label, is suggested on a claim;
- presses nothing when nothing is suggested on a sentence that is no claim.

Each decision is given to the store's learner (`ClaimLearner.observe`): labels, accepts
and rejects, and, in the "every decision" run, the sentences passed over as well (a
sentence read and left unlabelled is not a claim). Without suggestions the annotator
presses one label key per claim. Navigation keys are the same in both and not counted.

The same replay is run for a team whose schema differs from ClaimBuster's (a relabelling
made up to show the learning: only check-worthy claims holding a digit are FACT).

Prints one JSON object: suggestion accuracy (and F1) on the probe after 0, 50, 200 and
1000 labels; keystrokes per labelled sentence with and without suggestions; p50/p99
milliseconds to score a sentence and to update the learner; the suggest-stats tally.

    .venv/bin/python benchmarks/claim_suggestions.py [--data FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from reader.annotate.schema import default_schema
from reader.annotate.session import AnnotationSession
from reader.claims.learner import ClaimLearner, claim_label_groups
from reader.claims.persist import load_learner, save_learner
from reader.claims.training import DEFAULT_DATA, validation_split
from reader.corpus import Document
from reader.store import AnnotationStore

CHECKPOINTS = (0, 50, 200, 1000)
PROBE = 400
PER_DOCUMENT = 5
SEED = 14
CLAIM = "FACT"  # ClaimBuster's check-worthy factual claim, in the default schema


Sentences = list[tuple[int, int, int]]  # start, end, ClaimBuster's label


def documents(sentences: list[tuple[str, int]]) -> list[tuple[Document, Sentences]]:
    """Short documents of `PER_DOCUMENT` sentences, with each sentence's span and label."""
    made = []
    for first in range(0, len(sentences), PER_DOCUMENT):
        spans: Sentences = []
        parts, offset = [], 0
        for text, label in sentences[first : first + PER_DOCUMENT]:
            spans.append((offset, offset + len(text), label))
            parts.append(text)
            offset += len(text) + 1
        text = " ".join(parts)
        made.append((Document(text, f"claims {first}", f"claimbuster-{first}"), spans))
    return made


def probe_figures(learner: ClaimLearner, probe: list[tuple[str, int]]) -> dict[str, Any]:
    right = tp = fp = fn = 0
    for text, label in probe:
        suggestion = learner.suggest(text)
        said = suggestion.shown and suggestion.label == CLAIM
        right += said == bool(label)
        tp += said and bool(label)
        fp += said and not label
        fn += (not said) and bool(label)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"accuracy": round(right / len(probe), 4), "f1": round(f1, 4)}


def replay(
    stream: list[tuple[str, int]],
    probe: list[tuple[str, int]],
    folder: Path,
    every_decision: bool,
) -> dict[str, Any]:
    schema = default_schema()
    store_path = folder / ("every.json" if every_decision else "explicit.json")
    store = AnnotationStore.open(store_path, "bench")
    session = AnnotationSession(store, schema=schema)
    learner = load_learner(store_path, claim_label_groups(schema))
    curve: dict[str, Any] = {"0": probe_figures(learner, probe)}
    keys = labelled = labels = 0
    score_ms: list[float] = []
    update_ms: list[float] = []
    for document, spans in documents(stream):
        for start, end, truth in spans:
            sentence = document.text[start:end]
            began = time.perf_counter()
            suggestion = learner.suggest(sentence)
            score_ms.append((time.perf_counter() - began) * 1000)
            wanted = CLAIM if truth else None
            suggested = suggestion.label if suggestion.shown else None
            labelled += wanted is not None
            if wanted is None and suggested is None:
                if not every_decision:
                    continue
            else:
                keys += 1  # Enter, n, or the label key
                if wanted is not None:
                    session.apply_label(document, start, end, wanted)
            began = time.perf_counter()
            learner.observe(sentence, wanted, suggestion)
            update_ms.append((time.perf_counter() - began) * 1000)
            labels += 1
            if labels in CHECKPOINTS:
                curve[str(labels)] = probe_figures(learner, probe)
    save_learner(store_path, learner)
    stored = sum(1 for _ in store)
    store.close()
    return {
        "labels_given": labels,
        "learning_curve": curve,
        "keystrokes": keys,
        "labelled_sentences": labelled,
        "annotations_in_store": stored,
        "keystrokes_per_labelled_sentence": round(keys / labelled, 4),
        "score_ms": _percentiles(score_ms),
        "update_ms": _percentiles(update_ms),
        "suggest_stats": {
            k: v for k, v in load_learner(store_path).stats().items() if k != "by_label"
        },
    }


def without_suggestions(stream: list[tuple[str, int]], folder: Path) -> dict[str, Any]:
    """One label key per claim, through a session of its own."""
    store = AnnotationStore.open(folder / "plain.json", "bench")
    session = AnnotationSession(store, schema=default_schema())
    keys = 0
    for document, spans in documents(stream):
        for start, end, truth in spans:
            if truth:
                session.apply_label(document, start, end, CLAIM)
                keys += 1
    labelled = sum(label for _, label in stream)
    store.close()
    return {
        "keystrokes": keys,
        "labelled_sentences": labelled,
        "keystrokes_per_labelled_sentence": round(keys / labelled, 4),
    }


def numbers_only(sentences: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A team whose FACT is narrower than ClaimBuster's: only claims with a number."""
    return [
        (text, int(bool(label) and any(c.isdigit() for c in text))) for text, label in sentences
    ]


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    sentences = validation_split(args.data)  # in file order, which is by label:
    random.Random(SEED).shuffle(sentences)  # mixed, the same way every run
    probe, stream = sentences[:PROBE], sentences[PROBE:]
    with tempfile.TemporaryDirectory() as folder:
        every = replay(stream, probe, Path(folder), every_decision=True)
        explicit = replay(stream, probe, Path(folder), every_decision=False)
        plain = without_suggestions(stream, Path(folder))
        (Path(folder) / "numbers").mkdir()
        numbers = replay(numbers_only(stream), numbers_only(probe), Path(folder) / "numbers", True)
    print(
        json.dumps(
            {
                "validation_sentences": len(sentences),
                "probe_sentences": len(probe),
                "stream_sentences": len(stream),
                "with_suggestions_every_decision_learned": every,
                "with_suggestions_only_keystrokes_learned": explicit,
                "without_suggestions": plain,
                "team_that_calls_only_numeric_claims_FACT": {
                    k: numbers[k]
                    for k in ("learning_curve", "keystrokes_per_labelled_sentence", "suggest_stats")
                },
                "keystroke_ratio_with_vs_without": round(
                    every["keystrokes_per_labelled_sentence"]
                    / plain["keystrokes_per_labelled_sentence"],
                    4,
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
