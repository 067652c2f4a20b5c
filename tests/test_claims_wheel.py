"""The claim model ships inside the wheel, and loads from it."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reader.claims.model import MODEL_FILE, load_model_file

pytestmark = pytest.mark.serial  # builds a wheel

CHECKOUT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_the_claim_model(tmp_path: Path) -> None:
    isolation = ["--no-isolation"] if importlib.util.find_spec("hatchling") else []
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", tmp_path, CHECKOUT],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("reader-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert f"reader/claims/data/{MODEL_FILE}" in names
        assert "reader/claims/training.py" in names
        shipped = load_model_file(io.BytesIO(archive.read(f"reader/claims/data/{MODEL_FILE}")))
    assert shipped.meta["validation"]["f1"] > 0.7
