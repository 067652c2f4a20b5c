"""`reader export --format conll`: IOB2 that spaCy's own IOB reader turns back into the
very spans annotated, one token per line, sentences apart, a -DOCSTART- per document."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import run
from format_support import SECOND, TEXT, make_store, record, span

from reader.nlp.sentences import split_sentences


def blocks(path: Path) -> list[list[list[tuple[str, str]]]]:
    """The file's documents, each a list of sentences of (token, tag)."""
    documents: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            assert line == "-DOCSTART-\tO" and not sentence
            documents.append([])
        elif line:
            token, tag = line.split("\t")
            sentence.append((token, tag))
        elif sentence:
            documents[-1].append(sentence)
            sentence = []
    assert not sentence
    return documents


def spans_in(text: str, sentences: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """(label, text) of every span, found by spaCy from the IOB2 tags; each token is
    looked up in `text` in order, so a span's text is the text between its tokens.
    (spaCy is imported here, not at the top: it is slow to import in every xdist worker.)"""
    spacy = pytest.importorskip("spacy", reason="spaCy is in the test extra: pip install -e '.[test]'")
    from spacy.tokens import Doc
    from spacy.training import biluo_tags_to_spans, iob_to_biluo

    tokens = [token for sentence in sentences for token, _ in sentence]
    tags = [tag for sentence in sentences for _, tag in sentence]
    doc = Doc(spacy.blank("en").vocab, words=tokens)
    offsets, at = [], 0
    for token in tokens:
        at = text.index(token, at)
        offsets.append((at, at + len(token)))
        at += len(token)
    found = biluo_tags_to_spans(doc, iob_to_biluo(tags))
    return [(s.label_, text[offsets[s.start][0] : offsets[s.end - 1][1]]) for s in found]


def export(store: Path, out: Path) -> tuple[int, str]:
    code, _, err = run("export", "--db", str(store), "--format", "conll", "-o", str(out))
    return code, err


def test_spacy_reads_back_every_span_and_the_sentences(tmp_path: Path) -> None:
    out = tmp_path / "out.conll"
    code, err = export(make_store(tmp_path), out)
    assert code == 0, err
    first, second = blocks(out)
    assert spans_in(TEXT, first) == [
        ("FACT", "Prices  rose\tsharply 😀 on Monday."),
        ("OPINION", "👨‍👩‍👧 and 👍🏽 fans"),
        ("AGAINST", "Cafe\u0301 owners said\u00a0no"),
        ("OTHER", "Officials"),  # annotated "fficials": tagged on the whole token
        ("PREDICTION", "repairs would cost 1,000 euros"),
    ]
    assert spans_in(SECOND, second) == [
        ("FACT", "The bridge will close in May."),
        ("OPINION", "Drivers 🚗 were told"),
    ]
    for text, sentences in ((TEXT, first), (SECOND, second)):
        assert len(sentences) == len(split_sentences(text))
        assert all(" " not in token and token.strip() == token for s in sentences for token, _ in s)
    assert "2 span(s) not on token boundaries" in err
    assert "annotators, notes" in err  # what CoNLL cannot hold is said at export


def test_overlapping_spans_are_reported_not_silently_merged(tmp_path: Path) -> None:
    records = [
        record(SECOND, "The bridge will close", "claim", "FACT", 1),
        record(SECOND, "will close in May", "stance", "AGAINST", 2, target="the bridge"),
    ]
    out = tmp_path / "out.conll"
    code, err = export(make_store(tmp_path, [(SECOND, {}, records)]), out)
    assert code == 0, err
    assert spans_in(SECOND, blocks(out)[0]) == [("FACT", "The bridge will close")]
    start, end = span(SECOND, "will close in May")
    assert "1 overlapping span(s) left out (a token holds one tag): " in err
    assert f'{start}:{end} "will close in May"' in err


def test_one_block_per_document_and_annotator(tmp_path: Path) -> None:
    make_store(tmp_path, [(SECOND, {}, [record(SECOND, "The bridge", "claim", "FACT", 1)])])
    bob = [record(SECOND, "Drivers", "claim", "OPINION", 2, annotator="bob")]
    make_store(tmp_path, [(SECOND, {}, bob)], name="bob")
    out = tmp_path / "out.conll"
    code, _, err = run(
        "export",
        "--db",
        str(tmp_path / "alice.json"),
        "--db",
        str(tmp_path / "bob.json"),
        "--format",
        "conll",
        "-o",
        str(out),
    )
    assert code == 0, err
    alice_block, bob_block = blocks(out)
    assert spans_in(SECOND, alice_block) == [("FACT", "The bridge")]
    assert spans_in(SECOND, bob_block) == [("OPINION", "Drivers")]
    assert "2 annotators" in err
