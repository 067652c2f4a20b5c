"""Named entities. PLACEHOLDER: to be replaced by the real recogniser."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .types import Entity, Span

_CAPS = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b")


def find_entities(text: str, sentences: Sequence[Span]) -> list[Entity]:
    return [Entity(m.start(), m.end(), "PERSON", m.group()) for m in _CAPS.finditer(text)]
