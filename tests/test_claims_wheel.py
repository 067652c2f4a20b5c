"""The claim model ships inside the wheel, and loads from it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from reader.claims.model import MODEL_FILE, load_model_file

# The wheel test_wheel.py builds (conftest.built_wheel): in its xdist group, built once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


def test_the_wheel_carries_the_claim_model(built_wheel: Path) -> None:
    with zipfile.ZipFile(built_wheel) as archive:
        names = set(archive.namelist())
        assert f"reader/claims/data/{MODEL_FILE}" in names
        assert "reader/claims/training.py" in names
        shipped = load_model_file(io.BytesIO(archive.read(f"reader/claims/data/{MODEL_FILE}")))
    assert shipped.meta["validation"]["f1"] > 0.7
