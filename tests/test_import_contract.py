"""The one rule that keeps the core testable and usable as a library (docs/ARCHITECTURE.md):
nothing outside `reader/ui/` imports Textual, and nothing in the core imports `reader.ui`.

The edge (`reader.cli`, `reader.commands`) starts the apps, so it may import `reader.ui`,
but only inside the command that runs an app: importing the edge must not load Textual
either (`reader analyze` and the other commands start without it).

Both are checked twice: in the source (every `import`, also those inside functions) and
in a fresh interpreter that imports every module outside `reader/ui/` one after another,
looking at `sys.modules` after each.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reader"
EDGE = ("reader.cli", "reader.commands")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def outside_ui() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts[:1])


def in_edge(name: str) -> bool:
    return any(name == edge or name.startswith(edge + ".") for edge in EDGE)


def imported_names(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, wherever it is."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_modules_checked_are_the_package() -> None:
    names = {module_name(p) for p in outside_ui()}
    assert {"reader.reading.state", "reader.annotate.session", "reader.store.store"} <= names
    assert not any(is_under(n, "reader.ui") for n in names)


def test_no_source_outside_ui_imports_textual() -> None:
    bad = [
        f"{p.relative_to(PACKAGE.parent)}:{line} imports {target}"
        for p in outside_ui()
        for line, target in imported_names(p)
        if is_under(target, "textual")
    ]
    assert bad == []


def test_no_core_source_imports_the_ui() -> None:
    bad = [
        f"{p.relative_to(PACKAGE.parent)}:{line} imports {target}"
        for p in outside_ui()
        if not in_edge(module_name(p))
        for line, target in imported_names(p)
        if is_under(target, "reader.ui")
    ]
    assert bad == []


CHILD = """
import importlib, json, sys
found = {}
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
    loaded = [m for m in sys.modules if m == "textual" or m.startswith("textual.")
              or m == "reader.ui" or m.startswith("reader.ui.")]
    if loaded:
        found[name] = sorted(loaded)[:3]
        break
print(json.dumps(found))
"""


def test_importing_everything_outside_ui_loads_neither_textual_nor_the_ui() -> None:
    names = [module_name(p) for p in outside_ui()]
    names.sort(key=in_edge)  # the core first, then the edge: a finding names its importer
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(names)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(result.stdout) == {}
