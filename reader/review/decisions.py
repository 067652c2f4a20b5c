"""A gold store's reviewer decisions as exports carry them: each document's `review`
list (`{"kind", "from", "span", "note"}`, `label` for an edit, `at` for when) and the
reviewer's notes added to the gold annotations they concern (see docs/FORMATS.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .adjudication import ReviewLog, review_log_path

_DECISION_KINDS = {"accept": "accepted", "majority": "majority", "reject": "rejected"}


def gold_decisions(store_path: Path) -> dict[str, list[dict[str, Any]]]:
    """doc_id -> the reviewer's decisions on it, from a gold store's `<gold>.review.json`
    (nothing for a store without one), each `{"kind", "from", "span", "note"}` (and
    `label` for an edit, `at` for when): see docs/FORMATS.md."""

    path = review_log_path(store_path)
    if not path.exists():
        return {}
    log = ReviewLog.open(path)
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for entry in log.entries.values():
        doc_id = entry.get("doc_id")
        if not isinstance(doc_id, str):
            continue
        found = entry.get("decision")
        decision: dict[str, Any] = found if isinstance(found, dict) else {}
        action = decision.get("action")
        if action == "edit":
            kind, from_ = "edited", []
        elif action in _DECISION_KINDS:
            kind = _DECISION_KINDS[action]
            named = decision.get("annotators") or decision.get("annotator") or decision.get("as")
            from_ = named if isinstance(named, list) else [named] if named else []
            from_ = [name for name in from_ if name != "majority"]
        else:
            kind, from_ = "note", []
        item: dict[str, Any] = {
            "kind": kind,
            "from": from_,
            "span": {
                "start": entry.get("start"),
                "end": entry.get("end"),
                "kind": entry.get("kind"),
            },
            "note": str(entry.get("note", "")),
        }
        if action == "edit":
            item["label"] = decision.get("label")
        if decision.get("at"):
            item["at"] = decision["at"]
        by_doc.setdefault(doc_id, []).append(item)
    for items in by_doc.values():
        items.sort(key=lambda d: (_int(d["span"]["start"]), _int(d["span"]["end"]), d["kind"]))
    return by_doc


def _int(value: Any) -> int:
    return value if type(value) is int else -1


def with_reviewer_notes(
    records: list[dict[str, Any]], review: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`records` (copied where changed) with each reviewer note added to the `note` of
    the gold annotations of its kind that overlap the disagreement it was made on."""
    notes = [d for d in review if d["note"]]
    if not notes:
        return records
    out = []
    for record in records:
        extra = [
            d["note"]
            for d in notes
            if d["span"]["kind"] == record["kind"]
            and _int(d["span"]["start"]) < record["end"]
            and _int(d["span"]["end"]) > record["start"]
        ]
        if extra:
            own = [record["note"]] if record["note"] else []
            record = {**record, "note": "\n".join(own + [f"reviewer: {n}" for n in extra])}
        out.append(record)
    return out
