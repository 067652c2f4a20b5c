"""`reader models` and `reader models download`, without touching the network."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.nlp import models

nltk = pytest.importorskip("nltk")


@pytest.fixture
def data_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty reader data folder and nothing else on NLTK's search path."""
    root = tmp_path / "reader-data" / "nltk_data"
    monkeypatch.setattr(nltk.data, "path", [])
    monkeypatch.setattr(models, "data_dir", lambda: root)
    return root


def install_words(root: Path) -> None:
    words = root / "corpora" / "words"
    words.mkdir(parents=True)
    (words / "en").write_text("the\n", encoding="utf-8")


def test_listing_shows_each_package_and_where(data_root: Path) -> None:
    install_words(data_root)
    result = CliRunner().invoke(cli, ["models"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    for name in models.PACKAGES:
        assert name in lines
    assert "installed" in lines["words"] and str(data_root) in lines["words"]
    assert "missing" in lines["punkt_tab"]
    assert "reader models download" in result.output


def test_status_reports_locations(data_root: Path) -> None:
    install_words(data_root)
    by_name = {s.name: s for s in models.status()}
    assert by_name["words"].installed
    assert by_name["words"].location and by_name["words"].location.startswith(str(data_root))
    assert not by_name["punkt_tab"].installed
    assert set(models.missing()) == set(models.PACKAGES) - {"words"}


def test_download_fetches_only_missing_packages_into_the_data_folder(
    data_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_words(data_root)
    calls: list[tuple[str, str]] = []

    def fake_download(name: str, download_dir: str, **_: object) -> bool:
        calls.append((name, download_dir))
        return True

    monkeypatch.setattr(nltk, "download", fake_download)
    result = CliRunner().invoke(cli, ["models", "download"])
    assert result.exit_code == 0, result.output
    assert [c[0] for c in calls] == [n for n in models.PACKAGES if n != "words"]
    assert {c[1] for c in calls} == {str(data_root)}
    assert "downloaded punkt_tab" in result.output


def test_failed_download_is_one_line_error(
    data_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def offline(name: str, download_dir: str, **kwargs: object) -> bool:
        print(
            "[nltk_data] Error loading punkt_tab: <urlopen error [Errno -3]>",
            file=kwargs["print_error_to"],
        )  # type: ignore[arg-type]
        return False

    monkeypatch.setattr(nltk, "download", offline)
    result = CliRunner().invoke(cli, ["models", "download"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith("reader: error: could not download NLTK package 'punkt_tab'")
    assert "Traceback" not in result.output


def test_download_that_raises_is_one_line_error(
    data_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object, **__: object) -> bool:
        raise OSError("network is unreachable")

    monkeypatch.setattr(nltk, "download", boom)
    with pytest.raises(models.ModelsError, match="network is unreachable"):
        models.download()


def test_nothing_to_download(data_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "missing", lambda: [])
    result = CliRunner().invoke(cli, ["models", "download"])
    assert result.exit_code == 0
    assert "All NLTK data packages are installed." in result.output
