"""The environment for a timed child process that should run from bytecode, as an
installed wheel does, even where PYTHONDONTWRITEBYTECODE is set (this machine sets it)."""

from __future__ import annotations

import os
from pathlib import Path


def compiled_env(cache: Path) -> dict[str, str]:
    """The environment of a child that keeps its modules' bytecode in `cache` (its first,
    untimed run writes it there): an editable install under PYTHONDONTWRITEBYTECODE would
    otherwise compile every reader module at each start (~25-30 ms), which an installed
    wheel never does. With a cache prefix Python looks for all bytecode there, so the first
    run writes that of the libraries too."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(cache)}
