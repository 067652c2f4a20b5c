"""`reader suggest-stats` on entity and quote suggestions: what the annotator accepted,
corrected, rejected and made by hand, read from the store and its rejections file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from reader.annotate.annotations import Speaker, make_annotation
from reader.annotate.rejections import Rejections
from reader.cli import cli
from reader.corpus import text_id
from reader.store import AnnotationStore, StoredDocument

TEXT = 'Jane Doe said "Acme will grow" in Paris, and Bob Roe of Zeta agreed.'
DOC = StoredDocument(text_id(TEXT), TEXT, {}, "a.txt")


def at(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def build(path: Path) -> None:
    quote = at('"Acme will grow"')
    with AnnotationStore.open(path, "alice") as store:
        for word, label, source in [
            ("Jane Doe", "PERSON", "suggested"),
            ("Paris", "GPE", "suggested"),
            ("Acme", "ORG", "corrected"),
            ("Zeta", "ORG", None),
        ]:
            store.put(
                make_annotation(
                    TEXT, DOC.doc_id, *at(word), "entity", label, "alice", source=source
                ),
                DOC,
            )
        speaker = Speaker(*at("Jane Doe"), "Jane Doe")
        store.put(
            make_annotation(
                TEXT,
                DOC.doc_id,
                *quote,
                "quote",
                "QUOTE",
                "alice",
                source="suggested",
                speaker=speaker,
            )
        )
        store.put(make_annotation(TEXT, DOC.doc_id, 0, 8, "claim", "FACT", "alice"))
    rejections = Rejections.load(path)
    rejections.reject((DOC.doc_id, *at("Bob Roe"), "entity"))
    rejections.reject((DOC.doc_id, *at("Roe"), "entity"))


def test_entity_and_quote_answers_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    build(path)
    result = CliRunner().invoke(cli, ["suggest-stats", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    spans = json.loads(result.stdout)["spans"]
    entity = spans["entity"]
    assert (entity["accepted"], entity["corrected"], entity["rejected"], entity["by_hand"]) == (
        2,
        1,
        2,
        1,
    )
    assert entity["acceptance"] == 0.4  # 2 accepted of 5 answered
    assert entity["by_label"]["ORG"] == {"accepted": 0, "corrected": 1, "by_hand": 1}
    assert spans["quote"]["accepted"] == 1 and spans["quote"]["acceptance"] == 1.0
    shown = CliRunner().invoke(cli, ["suggest-stats", "--db", str(path)]).stdout
    assert (
        "entity suggestions: accepted 2 (40% of those answered) · corrected 1 · rejected 2" in shown
    )


def test_it_reads_a_store_another_process_has_open(tmp_path: Path) -> None:
    path = tmp_path / "alice.json"
    build(path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom reader.store import AnnotationStore\n"
            f"s = AnnotationStore.open({str(path)!r}, 'alice')\nprint('open', flush=True)\n"
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        result = CliRunner().invoke(cli, ["suggest-stats", "--db", str(path), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["spans"]["entity"]["accepted"] == 2
    finally:
        holder.communicate("")
