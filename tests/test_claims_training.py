"""The training script rebuilds a model the run-time code loads and scores with."""

from __future__ import annotations

import contextlib
import io
import json
import random
from pathlib import Path

import pytest

pytest.importorskip("sklearn", reason="training needs the train extra (scikit-learn)")

import numpy as np  # noqa: E402

from reader.claims import training  # noqa: E402
from reader.claims.features import featurise  # noqa: E402
from reader.claims.model import load_model_file  # noqa: E402


def _sentences(count: int) -> list[dict]:
    rng = random.Random(3)
    things = ["budget", "deficit", "tax rate", "crime rate", "debt", "payroll"]
    moods = ["proud", "hopeful", "grateful", "glad", "honoured", "thankful"]
    records = []
    for i in range(count):
        if i % 4 == 0:
            text = f"The {rng.choice(things)} rose by {rng.randint(2, 90)} percent in {rng.randint(1990, 2020)}."
            label = 1
        else:
            text = f"I am so {rng.choice(moods)} to be with you {rng.choice(['tonight', 'here', 'again'])}."
            label = 0
        records.append({"sentence_id": i, "label": label, "text": text})
    return records


@pytest.mark.serial  # fits forty models: CPU-heavy beside the rest
def test_the_script_trains_reports_and_writes_a_loadable_model(tmp_path: Path) -> None:
    data, out = tmp_path / "train.json", tmp_path / "model.npz"
    data.write_text(json.dumps(_sentences(200)), encoding="utf-8")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert training.main(["--data", str(data), "--out", str(out), "--folds", "3"]) == 0
    report = json.loads(printed.getvalue())
    assert report["sentences"] == {"train": 160, "validation": 40}
    assert report["positives"] == {"train": 40, "validation": 10}
    assert report["validation"]["f1"] == 1.0  # the two kinds are trivially apart
    assert report["cross_validation"] == {
        "folds": 3,
        "f1_mean": 1.0,
        "f1_std": 0.0,
        "f1_per_fold": [1.0, 1.0, 1.0],
    }
    model = load_model_file(out)
    assert model.meta["validation"] == report["validation"]
    assert model.meta["cross_validation"] == report["cross_validation"]
    assert model.probability("The payroll rose by 12 percent in 2001.") > 0.5
    assert model.probability("I am so glad to be with you tonight.") < 0.5
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_the_training_matrices_are_the_run_time_features_weighted_by_the_parts_idf() -> None:
    texts = [r["text"] for r in _sentences(60)] + ["", "Ünïcödé — 3.5% «quoted»", "a a a a a"]
    counts = training.Counts(texts)
    part = np.arange(0, len(texts), 2)
    idf = counts.idf(part)
    rows = np.arange(len(texts))
    fast = counts.matrix(rows, idf).toarray()
    for row, text in enumerate(texts):
        features = featurise(text, idf)
        expected = np.zeros(fast.shape[1])
        expected[features.indices] = features.values
        np.testing.assert_allclose(fast[row], expected, atol=1e-12)


def test_the_threshold_chosen_is_the_cut_with_the_best_f1() -> None:
    truth = np.array([1, 0, 1, 1, 0, 0])
    logits = np.array([3.0, 2.0, 1.0, -1.0, -2.0, -3.0])
    # Cutting below -1 takes all three positives and one negative: F1 6/7, the best.
    cut, f1 = training.best_threshold(truth, logits)
    assert f1 == pytest.approx(6 / 7)
    assert -2.0 < cut < -1.0
