"""The kinds of annotation, apart from the record (`annotations`), so that the label
schema, which the app reads before its first paint, does not import the record's code."""

from __future__ import annotations

KINDS = ("claim", "stance", "entity", "quote")
"""The kinds of annotation: a claim or stance a passage makes, a named entity, a quotation
(which may carry its speaker's span: a relation)."""
