"""The training script rebuilds a model the run-time code loads and scores with."""

from __future__ import annotations

import contextlib
import io
import json
import random
from pathlib import Path

import pytest

pytest.importorskip("sklearn", reason="training needs the train extra (scikit-learn)")

from reader.claims import training  # noqa: E402
from reader.claims.model import load_model_file  # noqa: E402

pytestmark = pytest.mark.serial  # fits eighteen models: CPU-heavy beside the rest


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


def test_the_script_trains_reports_and_writes_a_loadable_model(tmp_path: Path) -> None:
    data, out = tmp_path / "train.json", tmp_path / "model.npz"
    data.write_text(json.dumps(_sentences(200)), encoding="utf-8")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert training.main(["--data", str(data), "--out", str(out)]) == 0
    report = json.loads(printed.getvalue())
    assert report["sentences"] == {"train": 160, "validation": 40}
    assert report["positives"] == {"train": 40, "validation": 10}
    assert report["validation"]["f1"] == 1.0  # the two kinds are trivially apart
    model = load_model_file(out)
    assert model.meta["validation"] == report["validation"]
    assert model.probability("The payroll rose by 12 percent in 2001.") > 0.5
    assert model.probability("I am so glad to be with you tonight.") < 0.5
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
