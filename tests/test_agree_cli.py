"""`reader agree` from the command line, over native JSONL exports, stores and doccano."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from nltk.metrics.agreement import AnnotationTask

from reader.annotate.annotations import Annotation, make_annotation
from reader.cli import cli
from reader.corpus import text_id
from reader.nlp.sentences import split_sentences
from reader.store import AnnotationStore, StoredDocument

TEXT = (
    "The harbour reopened on Monday. Officials said repairs cost millions.\n"
    "The mayor expects more ships next year. Critics called the plan reckless.\n"
)
OTHER_TEXT = "Train drivers ended a strike. The union said talks would continue.\n"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READER_ANNOTATOR", "tester")
    return tmp_path / "data"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def sentence(text: str, i: int) -> tuple[int, int]:
    span = split_sentences(text)[i]
    return span.start, span.end


def label(text: str, i: int, name: str, who: str, kind: str = "claim") -> Annotation:
    return make_annotation(text, text_id(text), *sentence(text, i), kind, name, who)


def write_native(path: Path, documents: list[tuple[str, list[Annotation]]], **meta: Any) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for text, annotations in documents:
            record = {
                "text": text,
                "meta": dict(meta),
                "doc_id": text_id(text),
                "annotations": [a.to_json() for a in annotations],
            }
            out.write(json.dumps(record) + "\n")
    return path


def alice_and_bob() -> tuple[list[Annotation], list[Annotation]]:
    """Four sentences. alice: FACT, FACT, -, -; bob: FACT, OPINION, -, -.

    p_o = 3/4 (sentences 1, 3, 4 agree); marginals alice FACT 2/4, NONE 2/4;
    bob FACT 1/4, OPINION 1/4, NONE 2/4; p_e = 2/4*1/4 + 2/4*2/4 = 3/8;
    kappa = (3/4 - 3/8) / (5/8) = 3/5.
    """
    alice = [label(TEXT, 0, "FACT", "alice"), label(TEXT, 1, "FACT", "alice")]
    bob = [label(TEXT, 0, "FACT", "bob"), label(TEXT, 1, "OPINION", "bob")]
    return alice, bob


def test_agree_json_over_two_exports(tmp_path: Path) -> None:
    alice, bob = alice_and_bob()
    a = write_native(tmp_path / "alice.jsonl", [(TEXT, alice)])
    b = write_native(tmp_path / "bob.jsonl", [(TEXT, bob)])
    code, out, err = run("agree", "--json", a, b)
    assert code == 0, err
    data = json.loads(out)
    assert data["annotators"] == ["alice", "bob"]
    assert data["items"] == 4
    (pair,) = data["pairs"]
    assert (pair["a"], pair["b"]) == ("alice", "bob")
    assert pair["cohen_kappa"] == pytest.approx(0.6, abs=1e-6)
    assert pair["observed"] == pytest.approx(0.75, abs=1e-6)
    # spans: FACT on sentence 0 matches exactly; alice's FACT and bob's OPINION on
    # sentence 1 do not: P = R = F1 = 1/2, the same with overlap
    assert pair["span_f1_exact"] == pytest.approx(0.5, abs=1e-6)
    assert pair["span_f1_overlap"] == pytest.approx(0.5, abs=1e-6)
    assert data["per_label"]["FACT"]["exact"]["recall"] == pytest.approx(0.5, abs=1e-6)
    assert data["per_label"]["OPINION"]["annotations"] == {"alice": 0, "bob": 1}
    for key in ("alpha", "fleiss_kappa"):
        assert isinstance(data[key], float)


def test_one_export_with_both_annotators_gives_the_same_figures(tmp_path: Path) -> None:
    alice, bob = alice_and_bob()
    apart = [
        write_native(tmp_path / "alice.jsonl", [(TEXT, alice)]),
        write_native(tmp_path / "bob.jsonl", [(TEXT, bob)]),
    ]
    together = write_native(tmp_path / "all.jsonl", [(TEXT, alice + bob)])
    code, out_apart, _ = run("agree", "--json", *apart)
    code2, out_together, _ = run("agree", "--json", together)
    assert code == code2 == 0
    assert json.loads(out_apart) == json.loads(out_together)


def test_agree_prints_a_table_by_default(tmp_path: Path) -> None:
    alice, bob = alice_and_bob()
    a = write_native(tmp_path / "alice.jsonl", [(TEXT, alice)])
    b = write_native(tmp_path / "bob.jsonl", [(TEXT, bob)])
    code, out, err = run("agree", a, b)
    assert code == 0, err
    assert "Krippendorff's alpha" in out and "Fleiss' kappa" in out
    assert "alice" in out and "bob" in out and "0.600" in out  # Cohen's kappa
    assert "OPINION" in out


def test_agree_reads_stores_and_doccano(tmp_path: Path) -> None:
    alice, bob = alice_and_bob()
    with AnnotationStore.open(tmp_path / "alice.json", "alice") as store:
        for annotation in alice:
            store.put(annotation, StoredDocument(text_id(TEXT), TEXT))
    doccano = tmp_path / "bob.jsonl"  # no annotator in doccano: the file name says bob
    triples = [[a.start, a.end, a.label] for a in bob]
    doccano.write_text(json.dumps({"text": TEXT, "label": triples}) + "\n", encoding="utf-8")
    code, out, err = run("agree", "--json", tmp_path / "alice.json", doccano)
    assert code == 0, err
    data = json.loads(out)
    assert data["annotators"] == ["alice", "bob"]
    assert data["pairs"][0]["cohen_kappa"] == pytest.approx(0.6, abs=1e-6)


def test_kind_filter(tmp_path: Path) -> None:
    alice, bob = alice_and_bob()
    alice.append(label(TEXT, 3, "AGAINST", "alice", kind="stance"))
    bob.append(label(TEXT, 3, "AGAINST", "bob", kind="stance"))
    a = write_native(tmp_path / "alice.jsonl", [(TEXT, alice)])
    b = write_native(tmp_path / "bob.jsonl", [(TEXT, bob)])
    code, out, _ = run("agree", "--json", a, b)
    assert code == 0 and "stance:AGAINST" in json.loads(out)["per_label"]
    code, out, _ = run("agree", "--json", "--kind", "stance", a, b)
    data = json.loads(out)
    assert code == 0 and set(data["per_label"]) == {"AGAINST"} and data["kind"] == "stance"
    assert data["pairs"][0]["cohen_kappa"] == 1.0


ENTITY_TEXT = "Jane Doe met Acme staff in Paris."


def entity(text: str, word: str, name: str, who: str) -> Annotation:
    start = text.index(word)
    return make_annotation(text, text_id(text), start, start + len(word), "entity", name, who)


def test_entities_are_compared_by_word_token_and_kept_out_of_the_claims(tmp_path: Path) -> None:
    alice = [
        entity(ENTITY_TEXT, *pair, "alice")
        for pair in [("Jane Doe", "PERSON"), ("Acme", "ORG"), ("Paris", "GPE")]
    ]
    bob = [
        entity(ENTITY_TEXT, *pair, "bob")
        for pair in [("Jane", "PERSON"), ("Acme", "ORG"), ("Paris", "LOC")]
    ]
    claims = alice_and_bob()
    a = write_native(tmp_path / "alice.jsonl", [(ENTITY_TEXT, alice), (TEXT, claims[0])])
    b = write_native(tmp_path / "bob.jsonl", [(ENTITY_TEXT, bob), (TEXT, claims[1])])
    code, out, err = run("agree", "--json", "--kind", "entity", a, b)
    assert code == 0, err
    data = json.loads(out)
    # the tokens: Jane Doe met Acme staff in Paris .
    values = {
        "alice": ["PERSON", "PERSON", None, "ORG", None, None, "GPE", None],
        "bob": ["PERSON", None, None, "ORG", None, None, "LOC", None],
    }
    task = AnnotationTask(
        [(who, i, str(v)) for who, row in values.items() for i, v in enumerate(row)]
    )
    assert data["unit"] == "token" and data["items"] == 8 and data["documents"] == 1
    assert data["pairs"][0]["cohen_kappa"] == pytest.approx(task.kappa(), abs=1e-6)
    assert data["alpha"] == pytest.approx(task.alpha(), abs=1e-6)
    assert data["pairs"][0]["span_exact"]["matched"] == 1  # only Acme, as ORG, agrees
    # the entities do not change the claims' figures (kappa 0.6 for these claims alone)
    code, out, err = run("agree", "--json", a, b)
    data = json.loads(out)
    assert data["unit"] == "sentence" and data["pairs"][0]["cohen_kappa"] == pytest.approx(0.6)
    assert not {"PERSON", "ORG", "GPE", "LOC"} & set(data["per_label"])


# --- edge cases: one line on stderr, exit status 2 ---------------------------------------


def error_of(*args: str | Path) -> str:
    code, _, err = run("agree", *args)
    assert code == 2, err
    assert err.startswith("reader: error: ")
    return err


def test_fewer_than_two_annotators(tmp_path: Path) -> None:
    alice, _ = alice_and_bob()
    a = write_native(tmp_path / "alice.jsonl", [(TEXT, alice)])
    assert "at least two annotators (only 'alice')" in error_of("--json", a)


def test_no_documents_in_common(tmp_path: Path) -> None:
    alice, _ = alice_and_bob()
    bob = [label(OTHER_TEXT, 0, "FACT", "bob")]
    a = write_native(tmp_path / "alice.jsonl", [(TEXT, alice)])
    b = write_native(tmp_path / "bob.jsonl", [(OTHER_TEXT, bob)])
    assert "no document in common (documents: alice 1, bob 1)" in error_of(a, b)


def test_same_document_edited_between_annotators(tmp_path: Path) -> None:
    """The same article (meta id) with a changed text: a warning names it, and with no
    other document in common, the error says so."""
    alice, _ = alice_and_bob()
    edited = TEXT.replace("Monday", "Tuesday")
    bob = [label(edited, 0, "FACT", "bob")]
    a = write_native(tmp_path / "alice.jsonl", [(TEXT, alice)], id="art-7")
    b = write_native(tmp_path / "bob.jsonl", [(edited, bob)], id="art-7")
    code, _, err = run("agree", a, b)
    assert code == 2
    assert "reader: warning: document 'art-7' has a different text in" in err
    assert "no document in common" in err


def test_same_id_different_text_is_refused(tmp_path: Path) -> None:
    """Stores do not check that a document's id is its text's sha256: two stores giving one
    id two texts cannot be compared."""
    for who, text in (("alice", TEXT), ("bob", OTHER_TEXT)):
        with AnnotationStore.open(tmp_path / f"{who}.json", who) as store:
            annotation = Annotation("doc-1", 0, 10, text[:10], "claim", "FACT", who)
            store.put(annotation, StoredDocument("doc-1", text))
    err = error_of(tmp_path / "alice.json", tmp_path / "bob.json")
    assert "document doc-1 has different texts in" in err


def test_nothing_of_the_kind(tmp_path: Path) -> None:
    alice, bob = alice_and_bob()
    a = write_native(tmp_path / "alice.jsonl", [(TEXT, alice)])
    b = write_native(tmp_path / "bob.jsonl", [(TEXT, bob)])
    assert "no stance annotations in the 1 document(s)" in error_of("--kind", "stance", a, b)


def test_malformed_and_missing_sources(tmp_path: Path) -> None:
    alice, bob = alice_and_bob()
    a = write_native(tmp_path / "alice.jsonl", [(TEXT, alice)])
    bad = tmp_path / "bob.jsonl"
    record = {"text": TEXT, "annotations": [{**bob[0].to_json(), "end": 10_000}]}
    bad.write_text("not json\n" + json.dumps(record) + "\n", encoding="utf-8")
    err = error_of(a, bad)
    assert "bob.jsonl: 2 malformed record(s): line 1: invalid JSON" in err
    assert "line 2: annotation 1:" in err
    assert "no such file or folder" in error_of(a, tmp_path / "nobody.jsonl")


def test_native_records_are_checked_like_reader_import(tmp_path: Path) -> None:
    alice, bob = alice_and_bob()
    a = write_native(tmp_path / "alice.jsonl", [(TEXT, alice)])
    moved = {**bob[0].to_json(), "start": 1}  # its text is no longer the text at start:end
    b = tmp_path / "bob.jsonl"
    b.write_text(json.dumps({"text": TEXT, "annotations": [moved]}) + "\n", encoding="utf-8")
    assert "annotation 1: its text is not the document's text at 1:" in error_of(a, b)
    # id, created and updated may be left out, as `reader import` allows
    skip = ("id", "created", "updated")
    bare = [{k: v for k, v in x.to_json().items() if k not in skip} for x in bob]
    b.write_text(json.dumps({"text": TEXT, "annotations": bare}) + "\n", encoding="utf-8")
    code, out, err = run("agree", "--json", a, b)
    assert code == 0, err
    assert json.loads(out)["annotators"] == ["alice", "bob"]
