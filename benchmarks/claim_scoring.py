"""What scoring a document's sentences for claims costs, one by one and together; prints JSON.

usage: python benchmarks/claim_scoring.py [--runs N] [--documents N]

The documents: the bundled seed articles, each cut into sentences as `reader analyze` does
(`reader.nlp.sentences.split_sentences`). For each, in the same run:

- `one_by_one`: the shipped model's `probability` called per sentence (what `analyze` did
  before the batch path);
- `together`: `score_sentences` over the document's sentences (what `claim_scores` does
  now, through `scorer_for(None)`);
- `learner_together`: a `ClaimLearner`'s `scores` over them (what `analyze --db` does);
- `analysis`: `reader.nlp.analyze` of the document with the default engine, so that the
  claims' share of `analyze --json` can be read off.

Each figure is the best and the median of --runs runs, in ms per sentence (amortised over
every sentence of every document); `speedup` is one_by_one / together (medians), measured
in the same run. The model's file is read before anything is timed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from reader.claims.learner import ClaimLearner
from reader.claims.model import probability, score_sentences, shipped_model
from reader.nlp import analyze
from reader.nlp.sentences import split_sentences
from reader.resources import seeds_dir


def documents(copies: int) -> list[tuple[str, list[str]]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir().glob("*.txt"))]
    out = []
    for text in texts * copies:
        out.append((text, [text[s.start : s.end] for s in split_sentences(text)]))
    return out


def per_sentence_ms(work: Callable[[], object], sentences: int, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000 / sentences)
    return {"best": round(min(times), 4), "median": round(statistics.median(times), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--documents", type=int, default=10, help="copies of the seeds")
    args = parser.parse_args()
    docs = documents(args.documents)
    sentences = sum(len(s) for _, s in docs)
    shipped_model()  # the file is read here, not in a timed run
    learner = ClaimLearner([["FACT", "OPINION"]])
    analyze(docs[0][0])  # the engine's model is loaded here too
    figures = {
        "one_by_one": lambda: [[probability(s) for s in doc] for _, doc in docs],
        "together": lambda: [score_sentences(doc) for _, doc in docs],
        "learner_together": lambda: [learner.scores(doc) for _, doc in docs],
        "analysis": lambda: [analyze(text) for text, _ in docs],
    }
    ms = {name: per_sentence_ms(work, sentences, args.runs) for name, work in figures.items()}
    print(
        json.dumps(
            {
                "documents": len(docs),
                "sentences": sentences,
                "chars_per_sentence": round(sum(len(t) for t, _ in docs) / sentences, 1),
                "runs": args.runs,
                "ms_per_sentence": ms,
                "speedup": round(ms["one_by_one"]["median"] / ms["together"]["median"], 2),
                "claims_share_of_analyze": {
                    name: round(
                        ms[name]["median"] / (ms[name]["median"] + ms["analysis"]["median"]), 3
                    )
                    for name in ("one_by_one", "together")
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
