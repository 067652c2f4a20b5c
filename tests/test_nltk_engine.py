"""The "nltk" engine, run on tiny models trained here with NLTK's own classes and file formats."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

nltk = pytest.importorskip("nltk")
pytest.importorskip("numpy")  # NLTK's maxent NE chunker needs it

from reader.nlp import models  # noqa: E402
from reader.nlp.pipeline import EngineError, analyze, get_engine  # noqa: E402

TAGGED = [
    [("Alice", "NNP"), ("Walker", "NNP"), ("met", "VBD"), ("Bob", "NNP"), ("Stone", "NNP")]
    + [("in", "IN"), ("Paris", "NNP"), (".", ".")],
    [("The", "DT"), ("United", "NNP"), ("Nations", "NNPS"), ("said", "VBD"), ("no", "DT")]
    + [(".", ".")],
]
IOB = [
    ["B-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "O", "B-GPE", "O"],
    ["O", "B-ORGANIZATION", "I-ORGANIZATION", "O", "O", "O"],
]
PUNKT_TEXT = (
    "Dr. Brown met Mr. Smith in Paris. They talked. Mr. Smith left for Rome. Dr. Brown stayed."
)


def build_nltk_data(root: Path) -> None:
    """Write the four packages, in the layout and formats NLTK 3.10 loads them from."""
    from nltk.chunk.named_entity import NEChunkParserTagger
    from nltk.classify.maxent import (
        BinaryMaxentFeatureEncoding,
        MaxentClassifier,
        save_maxent_params,
    )
    from nltk.tag.perceptron import PerceptronTagger
    from nltk.tokenize.punkt import PunktTrainer, save_punkt_params

    words = root / "corpora" / "words"
    words.mkdir(parents=True)
    for name in ("en", "en-basic"):
        (words / name).write_text("the\nsaid\nin\nmet\nno\n", encoding="utf-8")

    trainer = PunktTrainer()
    trainer.train(PUNKT_TEXT, finalize=True)
    (root / "tokenizers" / "punkt_tab").mkdir(parents=True)
    save_punkt_params(trainer.get_params(), dir=str(root / "tokenizers" / "punkt_tab" / "english"))

    tagger = PerceptronTagger(load=False)
    tagger.train([list(s) for s in TAGGED], nr_iter=3)
    (root / "taggers").mkdir()
    tagger.save_to_json(lang="eng", loc=str(root / "taggers" / "averaged_perceptron_tagger_eng"))

    features = NEChunkParserTagger(classifier=object())  # only its feature detector is used
    toks = []
    for sent, tags in zip(TAGGED, IOB, strict=True):
        history: list[str] = []
        for i, tag in enumerate(tags):
            toks.append((features._feature_detector(sent, i, history), tag))
            history.append(tag)
    encoding = BinaryMaxentFeatureEncoding.train(toks, alwayson_features=True)
    clf = MaxentClassifier.train(toks, algorithm="iis", encoding=encoding, trace=0, max_iter=10)
    chunkers = root / "chunkers" / "maxent_ne_chunker_tab"
    chunkers.mkdir(parents=True)
    enc = clf._encoding
    with contextlib.redirect_stdout(io.StringIO()):
        save_maxent_params(
            clf._weights,
            enc._mapping,
            enc._labels,
            enc._alwayson,
            tab_dir=str(chunkers / "english_ace_multiclass"),
        )


@pytest.fixture(scope="session")
def tiny_nltk_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("nltk_data")
    saved = list(nltk.data.path)
    nltk.data.path[:] = [str(root), *saved]
    try:
        build_nltk_data(root)
    finally:
        nltk.data.path[:] = saved
    return root


@pytest.fixture
def with_tiny_data(
    tiny_nltk_data: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Path]:
    monkeypatch.setenv("NLTK_DATA", str(tiny_nltk_data))
    monkeypatch.setattr(nltk.data, "path", [str(tiny_nltk_data)])
    monkeypatch.setattr(models, "data_dir", lambda: tmp_path / "reader-data")
    yield tiny_nltk_data


@pytest.fixture
def without_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path / "empty")])
    monkeypatch.setattr(models, "data_dir", lambda: tmp_path / "reader-data")


TEXT = "Alice Walker met Bob Stone in Paris. The United Nations said no. Dr. Brown left."


def test_engine_loads_the_installed_models_and_finds_entities(with_tiny_data: Path) -> None:
    result = analyze(TEXT, engine="nltk")
    assert result.engine == "nltk"
    assert [TEXT[s.start : s.end] for s in result.sentences] == [
        "Alice Walker met Bob Stone in Paris.",
        "The United Nations said no.",
        "Dr. Brown left.",
    ]
    found = {(e.text, e.label) for e in result.entities}
    assert ("Alice Walker", "PERSON") in found
    assert ("Paris", "GPE") in found
    assert ("United Nations", "ORG") in found


def test_spans_index_the_original_text(with_tiny_data: Path) -> None:
    text = '  “Alice Walker” met  Bob Stone in Paris.\n\nThe United Nations said "no."  '
    result = get_engine("nltk").analyze(text)
    assert result.entities
    for e in result.entities:
        assert e.text == text[e.start : e.end]
        assert e.label in {"PERSON", "ORG", "GPE", "LOC"}
    for s in result.sentences:
        assert 0 <= s.start < s.end <= len(text)
    for q in result.quotes:
        assert q.text == text[q.start : q.end]


def test_missing_data_is_a_clear_engine_error(without_data: None) -> None:
    with pytest.raises(EngineError) as info:
        get_engine("nltk")
    message = str(info.value)
    for name in ("punkt_tab", "averaged_perceptron_tagger_eng", "maxent_ne_chunker_tab", "words"):
        assert name in message
    assert "reader models download" in message


def test_reader_data_folder_is_put_on_the_nltk_path(without_data: None) -> None:
    models.ensure_data_path()
    models.ensure_data_path()
    assert nltk.data.path.count(str(models.data_dir())) == 1
