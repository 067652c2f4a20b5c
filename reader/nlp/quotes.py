"""Quote spans. PLACEHOLDER: to be replaced by the real quote finder."""

from __future__ import annotations

import re

from .types import Quote

_QUOTE = re.compile(r"“[^”\n]*”")


def find_quotes(text: str) -> list[Quote]:
    return [Quote(m.start(), m.end(), m.group()) for m in _QUOTE.finditer(text)]
