"""`reader agree` benchmark: 3 annotators x 2,000 documents x 50 annotations each.

Writes one native JSONL export per annotator into a temporary folder (generated texts of
about 20 sentences; the annotators start from the same 50 spans per document and each
moves boundaries or changes labels on some of them), runs `reader agree --json` on the
three files as a subprocess and prints one JSON object: the wall-clock seconds (best of
`--runs`), whether that is under the 5 s target, and the figures reported.

    .venv/bin/python benchmarks/agree_bench.py [--documents 2000] [--annotations 50]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from reader.annotate.annotations import FIELD_ORDER, span_context
from reader.corpus import text_id
from reader.nlp.sentences import split_sentences

TARGET_SECONDS = 5.0
ANNOTATORS = ("alice", "bob", "carol")
CLAIMS = ("FACT", "OPINION", "PREDICTION", "OTHER")
STANCES = ("FAVOR", "AGAINST", "NONE")
SUBJECTS = ("The council", "Officials", "The port director", "Residents", "The minister")
VERBS = ("said", "denied", "expected", "announced", "warned", "confirmed", "argued")
OBJECTS = (
    "that repairs to the harbour wall would cost about three million euros",
    "the new ferry timetable before the summer season",
    "a sharp rise in rents across the old town",
    "that the strike would end by Friday",
    "the plan to close two schools in the northern districts",
    "an inquiry into the delays at the container terminal",
)
TAILS = ("on Monday", "last week", "in a statement", "after a long meeting", "")
CREATED = "2025-03-01T09:30:12.345Z"


def make_text(rng: random.Random, sentences: int) -> str:
    lines, line = [], []
    for n in range(sentences):
        tail = rng.choice(TAILS)
        sentence = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        line.append(f"{sentence} {tail}." if tail else f"{sentence}.")
        if n % 5 == 4:  # a paragraph every five sentences
            lines.append(" ".join(line))
            line = []
    if line:
        lines.append(" ".join(line))
    return "\n".join(lines) + "\n"


def base_spans(rng: random.Random, text: str, count: int) -> list[tuple[int, int, str, str]]:
    """`count` (start, end, kind, label) spans: whole sentences and parts of sentences."""
    bounds = [(s.start, s.end) for s in split_sentences(text)]
    spans = []
    for _ in range(count):
        start, end = rng.choice(bounds)
        if rng.random() < 0.5:  # a part of the sentence, cut at spaces
            cuts = [start] + [i + 1 for i in range(start, end) if text[i] == " "] + [end]
            i = rng.randrange(len(cuts) - 1)
            j = rng.randrange(i + 1, len(cuts))
            start, end = cuts[i], cuts[j]
            while end > start + 1 and text[end - 1] == " ":
                end -= 1
        kind = "claim" if rng.random() < 0.7 else "stance"
        spans.append((start, end, kind, rng.choice(CLAIMS if kind == "claim" else STANCES)))
    return spans


def perturb(rng: random.Random, span: tuple[int, int, str, str], size: int) -> tuple:
    start, end, kind, label = span
    roll = rng.random()
    if roll < 0.15:  # other boundaries
        start = max(0, min(end - 1, start + rng.randint(-6, 6)))
        end = min(size, max(start + 1, end + rng.randint(-6, 6)))
    elif roll < 0.30:  # another label of the same kind
        label = rng.choice(CLAIMS if kind == "claim" else STANCES)
    return start, end, kind, label


def record(text: str, doc_id: str, span: tuple, annotator: str) -> dict[str, Any]:
    start, end, kind, label = span
    prefix, suffix = span_context(text, start, end)
    values = {
        "id": str(uuid.UUID(int=random.getrandbits(128), version=4)),
        "doc_id": doc_id,
        "start": start,
        "end": end,
        "text": text[start:end],
        "kind": kind,
        "label": label,
        "target": None,
        "holder": None,
        "note": "",
        "annotator": annotator,
        "created": CREATED,
        "updated": CREATED,
        "prefix": prefix,
        "suffix": suffix,
    }
    return {name: values[name] for name in FIELD_ORDER}


def write_exports(folder: Path, documents: int, annotations: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    random.seed(seed)
    paths = [folder / f"{name}.jsonl" for name in ANNOTATORS]
    with ExitStack() as stack:
        outs = [stack.enter_context(open(p, "w", encoding="utf-8")) for p in paths]
        for n in range(documents):
            text = make_text(rng, 20)
            doc_id = text_id(text)
            spans = base_spans(rng, text, annotations)
            meta = {"id": f"doc-{n:05d}", "title": f"Generated article {n}"}
            for name, out in zip(ANNOTATORS, outs, strict=True):
                records = [record(text, doc_id, perturb(rng, s, len(text)), name) for s in spans]
                line = {"text": text, "meta": meta, "doc_id": doc_id, "annotations": records}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return paths


def reader_command() -> list[str]:
    script = Path(sys.executable).parent / "reader"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reader.cli"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--annotations", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="agree-bench-") as tmp:
        paths = write_exports(Path(tmp), args.documents, args.annotations, args.seed)
        command = [*reader_command(), "agree", "--json", *map(str, paths)]
        timings, output = [], ""
        for _ in range(args.runs):
            began = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            timings.append(time.perf_counter() - began)
            if done.returncode != 0:
                sys.exit(f"reader agree failed ({done.returncode}): {done.stderr.strip()}")
            output = done.stdout
        size = sum(p.stat().st_size for p in paths)
    figures = json.loads(output)
    best = min(timings)
    print(
        json.dumps(
            {
                "annotators": len(ANNOTATORS),
                "documents": args.documents,
                "annotations_per_document": args.annotations,
                "input_megabytes": round(size / 1e6, 1),
                "seconds": round(best, 3),
                "seconds_all_runs": [round(t, 3) for t in timings],
                "target_seconds": TARGET_SECONDS,
                "under_target": best < TARGET_SECONDS,
                "figures": {
                    key: figures[key]
                    for key in ("items", "alpha", "fleiss_kappa", "observed", "method", "pairs")
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
