"""How an annotator answered the engine's entity and quote suggestions, read from the
store and its rejections: the agreement of a person with the model.

An annotation with `"source": "suggested"` is a suggestion accepted as it was, one with
`"corrected"` a suggestion relabelled or given other boundaries, one with no source was
made by hand (the engine did not suggest it, or the annotator did not start from its
suggestion); a rejection is kept in `<store>.rejected.json` (`rejections`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .annotations import Annotation

SPAN_KINDS = ("entity", "quote")
_ANSWERS = ("accepted", "corrected", "by_hand")
_ANSWER_OF = {"suggested": "accepted", "corrected": "corrected", None: "by_hand"}


def span_suggestion_stats(
    annotations: Iterable[Annotation], rejected: Iterable[tuple[str, int, int, str]]
) -> dict[str, Any]:
    """Per kind (entity, quote): `accepted`, `corrected`, `rejected`, `by_hand`, the
    `acceptance` rate (accepted of every answered suggestion; None when none was), and
    per label the same counts but `rejected` (a rejection keeps no label)."""
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in SPAN_KINDS}
    by_label: dict[str, dict[str, Counter[str]]] = {kind: {} for kind in SPAN_KINDS}
    for annotation in annotations:
        if annotation.kind not in counts:
            continue
        answer = _ANSWER_OF.get(annotation.source, "by_hand")
        counts[annotation.kind][answer] += 1
        by_label[annotation.kind].setdefault(annotation.label, Counter())[answer] += 1
    for _doc_id, _start, _end, kind in rejected:
        if kind in counts:
            counts[kind]["rejected"] += 1
    return {kind: _figures(counts[kind], by_label[kind]) for kind in SPAN_KINDS}


def _figures(counts: Counter[str], by_label: dict[str, Counter[str]]) -> dict[str, Any]:
    answered = counts["accepted"] + counts["corrected"] + counts["rejected"]
    return {
        **{name: counts[name] for name in ("accepted", "corrected", "rejected", "by_hand")},
        "acceptance": round(counts["accepted"] / answered, 6) if answered else None,
        "by_label": {
            label: {name: found[name] for name in _ANSWERS}
            for label, found in sorted(by_label.items())
        },
    }
