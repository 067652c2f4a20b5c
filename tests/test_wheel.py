"""The built wheel works on its own: styles and seeds bundled, app and console script run.

The wheel is built from this checkout once per session (`conftest.built_wheel`: with the
venv's hatchling and no build isolation when hatchling is installed, so no network; else
`build` fetches it from PyPI), then installed with --no-deps into a fresh venv. The
dependencies come from the venv running the tests through a plain path line in a .pth file
of the new venv: such a line only adds the folder to sys.path, so the .pth files inside it
(among them the editable install's, which points at this checkout) are not processed. Every
check then runs in the new venv's python, from an empty working folder, and first makes
sure `reader` is imported from the new venv and not from the checkout.

Part of the normal suite (CI requires it); it takes a few seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import reader

# A wheel build and a fresh venv: seconds, and nothing timed. One worker runs this module
# and test_claims_wheel.py (one xdist group), so the wheel is built once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]

CHECKOUT = Path(__file__).resolve().parents[1]
SEED_FILE = "000_1a61316cefcbaba0.txt"
TIMEOUT = 120


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    work: Path  # an empty folder: the working directory of every command
    env: dict[str, str]

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def site_packages(self) -> Path:
        version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
        return self.venv / "lib" / version / "site-packages"

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(a) for a in args],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
        return result


def _run(*args: str | Path, cwd: Path) -> None:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, built_wheel: Path) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    wheel, venv, work, home = built_wheel, root / "venv", root / "work", root / "home"
    for folder in (work, home):
        folder.mkdir()
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    _run(
        sys.executable,
        *("-m", "pip", "--python", venv / "bin" / "python", "install"),
        *("--no-deps", "--no-index", "--quiet", wheel),
        cwd=root,
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTHON") and key not in ("VIRTUAL_ENV", "PYTEST_CURRENT_TEST")
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        READER_DATA_DIR=str(home / "reader-data"),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    )
    result = Installed(wheel, venv, work, env)
    # The dependencies: the test venv's site-packages, as a plain path (no .pth processing).
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (result.site_packages / "_reader_test_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in sorted(dependencies)), encoding="utf-8"
    )
    return result


def test_wheel_bundles_styles_and_seeds(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert "reader/_styles/reader.tcss" in names
    assert f"reader/_seeds/{SEED_FILE}" in names
    assert "reader/annotate/default_schema.toml" in names
    assert not any(name.startswith("tests/") or "__pycache__" in name for name in names)


APP_CHECK = textwrap.dedent(
    """
    import asyncio
    import json
    import sys
    from pathlib import Path

    import reader
    from reader import resources
    from reader.ui.app import make_app
    from reader.corpus import load_corpus
    from reader.ui.widgets.article_view import ArticleView


    async def check() -> dict:
        app = make_app(load_corpus([resources.seeds_dir()]))
        async with app.run_test(size=(110, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.reading
            view = screen.query_one(ArticleView)
            lines = [view.render_line(y).text for y in range(view.size.height)]
            screen_text = "\\n".join(
                strip.text for strip in app.screen._compositor.render_strips()
            )
            person = view.get_component_rich_style("article--person")
            return {
                "view_lines": lines,
                "screen_text": screen_text,
                "person_colour": person.color.name if person.color else None,
                "engine": screen.engine_label,
                "entities": len(screen.state.entities),
            }


    facts = asyncio.run(check())
    facts.update(
        reader_file=reader.__file__,
        seeds_dir=str(resources.seeds_dir()),
        stylesheet=str(resources.stylesheet()),
        stylesheet_exists=resources.stylesheet().is_file(),
        seed_files=sorted(p.name for p in resources.seeds_dir().iterdir()),
        sys_path=sys.path,
    )
    print(json.dumps(facts))
    """
)


def test_installed_app_shows_the_seed_with_styles(installed: Installed) -> None:
    script = installed.work.parent / "app_check.py"
    script.write_text(APP_CHECK, encoding="utf-8")
    facts = json.loads(installed.run(installed.python, script).stdout)

    package = installed.site_packages.resolve() / "reader"
    assert Path(facts["reader_file"]).resolve().parent == package, facts["sys_path"]
    assert not Path(facts["reader_file"]).resolve().is_relative_to(CHECKOUT)
    assert str(CHECKOUT) not in facts["sys_path"]
    assert Path(facts["seeds_dir"]).resolve() == package / "_seeds"
    assert Path(facts["stylesheet"]).resolve() == package / "_styles" / "reader.tcss"
    assert facts["stylesheet_exists"]
    assert SEED_FILE in facts["seed_files"]

    assert any("Iran’s supreme leader" in line for line in facts["view_lines"])
    assert "Iran’s supreme leader" in facts["screen_text"]
    assert facts["person_colour"] is not None  # set only by the bundled reader.tcss
    assert facts["engine"] == "model"  # the trained model, its weights from the wheel
    assert facts["entities"] > 0


def test_installed_console_script_version(installed: Installed) -> None:
    result = installed.run(installed.venv / "bin" / "reader", "--version")
    assert result.stdout.strip() == f"reader, version {reader.__version__}"


def test_installed_console_script_analyzes_the_bundled_seed(installed: Installed) -> None:
    seed = installed.site_packages / "reader" / "_seeds" / SEED_FILE
    assert seed.is_file()
    result = installed.run(installed.venv / "bin" / "reader", "analyze", "--json", seed)
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    assert record["source"] == str(seed)
    assert record["engine"] == "model"
    text = seed.read_text(encoding="utf-8")
    assert record["sentences"] and record["entities"] and record["quotes"]
    assert any(
        e["label"] == "PERSON" and text[e["start"] : e["end"]] == e["text"]
        for e in record["entities"]
    )
