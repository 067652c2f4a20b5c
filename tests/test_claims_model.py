"""The shipped check-worthiness model: what it scores, that its scores are the training
run's, that it is stable across processes, lazy, fast and free of scikit-learn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reader.claims import model
from reader.claims.features import DIM, featurise, featurise_many
from reader.claims.scoring import claim_scores, scorer_for
from reader.claims.training import DEFAULT_DATA, validation_split

ODD = ["", "   ", "\x00\x1b[31m", "İstanbul ǅ ﬃ", "\ud800 lone surrogate", "😀 42%", "x" * 5000]
CLAIM = "Unemployment fell to 4.1 percent last year, the lowest rate since 2000."
NOT_A_CLAIM = "Thank you very much, and good evening to all of you."


def test_a_statistic_is_suggested_and_a_greeting_is_not() -> None:
    assert model.probability(CLAIM) >= model.THRESHOLD
    assert model.probability(NOT_A_CLAIM) < model.THRESHOLD


def test_scores_are_probabilities_even_for_empty_or_odd_text() -> None:
    for sentence in ODD:
        score = model.probability(sentence)
        assert 0.0 <= score <= 1.0


def test_a_document_scored_together_scores_each_sentence_as_alone() -> None:
    """The batch path: no n-gram spans two sentences, and empty or odd ones change nothing."""
    sentences = [CLAIM, *ODD, NOT_A_CLAIM, CLAIM.upper(), "a", "ab"]
    together = model.score_sentences(sentences)
    assert together == pytest.approx([model.probability(s) for s in sentences], abs=1e-12)
    rows = featurise_many(sentences)
    for r, sentence in enumerate(sentences):
        alone = featurise(sentence)
        assert rows.row(r).indices.tolist() == alone.indices.tolist()
        assert rows.row(r).values == pytest.approx(alone.values, abs=1e-12)
    assert model.score_sentences([]) == []


def test_analyze_claims_list_scores_the_document_together_as_one_by_one() -> None:
    text = f"{CLAIM} {NOT_A_CLAIM}\n\nNo."
    spans = [
        (0, len(CLAIM)),
        (len(CLAIM) + 1, len(CLAIM) + 1 + len(NOT_A_CLAIM)),
        (len(text) - 3, len(text)),
    ]
    together = claim_scores(text, spans, scorer_for(None))
    one_by_one = claim_scores(text, spans, model.probability)  # a plain function: one by one
    assert together == one_by_one
    assert [(c["start"], c["end"]) for c in together] == spans
    assert together[0]["score"] >= 0.5 > together[1]["score"]


@pytest.mark.skipif(not DEFAULT_DATA.is_file(), reason="ClaimBuster's training file is absent")
def test_the_shipped_model_scores_the_validation_split_as_its_training_run_reported() -> None:
    """The run-time feature path gives the figures the training script recorded, and
    they are what docs/CLAIMS.md reports."""
    shipped = model.shipped_model()
    sentences = validation_split(DEFAULT_DATA)
    predicted = np.array([shipped.probability(text) >= 0.5 for text, _ in sentences])
    together = shipped.probabilities([text for text, _ in sentences]) >= 0.5
    assert (together == predicted).all()
    truth = np.array([bool(label) for _, label in sentences])
    tp = int(np.sum(predicted & truth))
    precision = tp / int(predicted.sum())
    recall = tp / int(truth.sum())
    f1 = 2 * precision * recall / (precision + recall)
    recorded = shipped.meta["validation"]
    assert len(sentences) == shipped.meta["sentences"]["validation"]
    assert f1 == pytest.approx(recorded["f1"], abs=1e-3)
    assert precision == pytest.approx(recorded["precision"], abs=1e-3)
    assert recall == pytest.approx(recorded["recall"], abs=1e-3)
    assert f"F1 {recorded['f1']:.3f}" in (Path(__file__).parents[1] / "docs/CLAIMS.md").read_text()


def test_features_do_not_depend_on_the_process_hash_seed() -> None:
    code = (
        "import json, sys; from reader.claims.features import featurise;"
        "f = featurise(sys.argv[1]); print(json.dumps(f.indices.tolist()))"
    )
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code, CLAIM], env=env, capture_output=True, text=True, check=True
        ).stdout
        runs.append(json.loads(out))
    assert runs[0] == runs[1] == featurise(CLAIM).indices.tolist()
    assert all(0 <= i < DIM for i in runs[0])


def test_scoring_loads_the_weights_lazily_and_never_imports_scikit_learn() -> None:
    code = (
        "import sys; import reader.claims.model as m;"
        "assert m.shipped_model.cache_info().currsize == 0;"
        "m.probability('Taxes rose by 3 percent.');"
        "assert m.shipped_model.cache_info().currsize == 1;"
        "bad = [n for n in sys.modules if n.split('.')[0] in ('sklearn', 'scipy')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_model_built_for_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.npz"
    shipped = model.shipped_model()
    np.savez(
        path,
        weights=shipped.weights[:100],
        idf=shipped.idf[:100],
        bias=np.array(0.0),
        meta=np.array(json.dumps({"features": "v0"})),
    )
    with pytest.raises(model.ClaimModelError, match="built for features 'v0'"):
        model.load_model_file(path)


def test_the_shipped_weights_are_small() -> None:
    path = Path(model.__file__).parent / "data" / model.MODEL_FILE
    assert path.stat().st_size < 3 * 1024 * 1024
