"""Adjudication: a reviewer's decisions, written into the gold store.

The gold store is an ordinary annotation store whose annotator is `gold`; every change
goes through `reader.annotate.session.AnnotationSession`, so it is durable when the call returns
and it exports like any other store. Accepting a version copies its annotations (span,
kind, label, target, holder, note) into gold, replacing gold's annotations of that kind
overlapping the disagreement; rejecting removes them.

What the gold store cannot hold (a rejection is the absence of annotations; a reviewer's
note is about a disagreement, not an annotation) is kept in a small sidecar file next to
it, `<gold>.review.json`, rewritten atomically on each change (temporary file, fsync,
rename, fsync of the folder: `reader.store.snapshot.atomic_write`). Only the process
holding the gold store's lock writes it.

A disagreement is resolved when gold holds an annotation of its kind overlapping it, or
when it was rejected. Every decision can be undone and redone, store and sidecar alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from ..annotate.annotations import Annotation, make_annotation, now_iso
from ..annotate.schema import Label, Schema
from ..annotate.session import AnnotationSession, DocumentLike
from ..errors import ReaderError
from ..reading.span_index import Extent
from ..store import AnnotationStore, StoredDocument
from ..store.snapshot import atomic_write
from .disagreements import Disagreement, Version, majority
from .loading import GOLD

LOG_FORMAT = "reader-review"
LOG_VERSION = 1


class AdjudicationError(ReaderError):
    """A decision cannot be made (no majority, a label of another kind...)."""


class Located(Extent, Protocol):
    """Where a disagreement is (a `Disagreement`, or the lighter `workspace.Place`)."""

    @property
    def id(self) -> str: ...
    @property
    def doc_id(self) -> str: ...


def review_log_path(gold_path: Path) -> Path:
    return gold_path.with_name(gold_path.name + ".review.json")


class ReviewLog:
    """Decisions and notes by disagreement id, in `<gold>.review.json`."""

    def __init__(
        self,
        path: Path,
        entries: dict[str, dict[str, Any]],
        agreed: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.path = path
        self.entries = entries
        self.agreed = agreed if agreed is not None else {}  # places copied to gold as agreed

    @classmethod
    def open(cls, path: Path) -> ReviewLog:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path, {})
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ReaderError(
                f"{path}: the review decisions file is unreadable ({exc}); "
                "it has been left untouched"
            ) from None
        entries = data.get("disagreements") if isinstance(data, dict) else None
        agreed = data.get("agreed", {}) if isinstance(data, dict) else None
        if (
            not isinstance(entries, dict)
            or not isinstance(agreed, dict)
            or data.get("format") != LOG_FORMAT
            or not all(isinstance(e, dict) for e in entries.values())
        ):
            raise ReaderError(
                f"{path}: not a reader review decisions file; it has been left untouched"
            )
        return cls(path, entries, agreed)

    def get(self, disagreement_id: str) -> dict[str, Any] | None:
        return self.entries.get(disagreement_id)

    def put(self, disagreement_id: str, entry: dict[str, Any] | None) -> None:
        """Replace (None: remove) one entry; durable when this returns, and unchanged in
        memory too when the write fails."""
        entries = dict(self.entries)
        if entry is None:
            entries.pop(disagreement_id, None)
        else:
            entries[disagreement_id] = entry
        self._write(entries, self.agreed)
        self.entries = entries

    def add_agreed(self, places: dict[str, dict[str, Any]]) -> None:
        """Mark `places` as copied to gold; durable when this returns."""
        agreed = {**self.agreed, **places}
        self._write(self.entries, agreed)
        self.agreed = agreed

    def save(self) -> None:
        self._write(self.entries, self.agreed)

    def _write(self, entries: dict[str, Any], agreed: dict[str, Any]) -> None:
        data = {
            "format": LOG_FORMAT,
            "version": LOG_VERSION,
            "disagreements": entries,
            "agreed": agreed,
        }
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        atomic_write(self.path, text.encode("utf-8"))


@dataclass(frozen=True)
class LogEntry:
    """One sidecar entry's change, an `Edit` in the gold session's undo history."""

    log: ReviewLog
    disagreement_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def undo(self) -> None:
        self.log.put(self.disagreement_id, self.before)

    def redo(self) -> None:
        self.log.put(self.disagreement_id, self.after)


class Adjudicator:
    """Decisions on disagreements, into `gold` (opened for writing by the caller)."""

    def __init__(self, gold: AnnotationStore, schema: Schema | None = None) -> None:
        self.gold = gold
        self.schema = schema
        self.session = AnnotationSession(gold, GOLD, schema)
        self.log = ReviewLog.open(review_log_path(gold.path))

    # --- reading ------------------------------------------------------------------------
    def gold_in(self, disagreement: Located) -> list[Annotation]:
        """Gold annotations of the disagreement's kind overlapping it."""
        return _overlapping(self.gold.for_document(disagreement.doc_id), disagreement)

    def decision(self, disagreement: Located) -> dict[str, Any] | None:
        entry = self.log.get(disagreement.id)
        return entry.get("decision") if entry else None

    def note(self, disagreement: Located) -> str:
        entry = self.log.get(disagreement.id)
        return str(entry.get("note", "")) if entry else ""

    def is_resolved(self, disagreement: Located, gold: Sequence[Annotation] | None = None) -> bool:
        gold = self.gold.for_document(disagreement.doc_id) if gold is None else gold
        if _overlapping(gold, disagreement):
            return True
        decision = self.decision(disagreement)
        return bool(decision and decision.get("action") == "reject")

    def progress(self, doc_id: str, disagreements: Iterable[Disagreement]) -> tuple[int, int]:
        """(resolved, total) for one document's disagreements."""
        gold = self.gold.for_document(doc_id)
        items = list(disagreements)
        return sum(self.is_resolved(d, gold) for d in items), len(items)

    # --- agreement ----------------------------------------------------------------------
    def adopt_agreed(
        self, document: DocumentLike, places: Sequence[tuple[str, Sequence[Annotation]]]
    ) -> int:
        """Copy into gold what every annotator marked alike (`disagreements.agreed`), once
        per place: a place already copied (then perhaps changed in gold) or where gold has
        something is left alone. One write; not a reviewer decision, so not undone."""
        gold = self.gold.for_document(document.id)
        copies: list[Annotation] = []
        adopted: dict[str, dict[str, Any]] = {}
        for place_id, cluster in places:
            if place_id in self.log.agreed or not cluster:
                continue
            start, end = min(a.start for a in cluster), max(a.end for a in cluster)
            kind = cluster[0].kind
            if any(g.kind == kind and g.start < end and g.end > start for g in gold):
                continue
            first = cluster[0].annotator
            for a in (a for a in cluster if a.annotator == first):
                extra: dict[str, Any] = {"note": a.note}
                if kind == "stance":
                    extra.update(target=a.target, holder=a.holder)
                if a.speaker is not None:
                    extra["speaker"] = a.speaker
                copies.append(
                    make_annotation(
                        document.text, document.id, a.start, a.end, kind, a.label, GOLD, **extra
                    )
                )
            adopted[place_id] = {"doc_id": document.id, "kind": kind, "start": start, "end": end}
        if not adopted:
            return 0
        stored = StoredDocument(
            document.id, document.text, dict(document.meta or {}), document.source
        )
        self.gold.bulk([stored], copies)
        self.log.add_agreed(adopted)
        return len(copies)

    # --- decisions ----------------------------------------------------------------------
    def accept(self, document: DocumentLike, disagreement: Disagreement, annotator: str) -> str:
        """Make `annotator`'s version the gold one."""
        version = disagreement.version_of(annotator)
        if version is None:
            raise AdjudicationError(f"{annotator} is not compared in this disagreement")
        return self._take(
            document,
            disagreement,
            version,
            ({"action": "accept", "annotator": annotator}, f"accepted {annotator}'s version"),
            ({"action": "reject", "as": annotator}, f"{annotator}: none"),
        )

    def accept_majority(self, document: DocumentLike, disagreement: Disagreement) -> str:
        version = majority(disagreement)
        if version is None:
            raise AdjudicationError("no majority: no version is held by more than half")
        holders = [v.annotator for v in disagreement.versions if v.key == version.key]
        return self._take(
            document,
            disagreement,
            version,
            (
                {"action": "majority", "annotators": holders},
                f"accepted the majority ({', '.join(holders)})",
            ),
            (
                {"action": "reject", "as": "majority", "annotators": holders},
                "majority marked nothing: rejected",
            ),
        )

    def reject(self, document: DocumentLike, disagreement: Disagreement) -> str:
        return self._reject(document, disagreement, {"action": "reject"}, "rejected all")

    def edit(self, document: DocumentLike, disagreement: Disagreement, label: Label) -> str:
        """A label key: gold's annotations here get `label`; when gold has none yet, the
        span most annotators chose gets it (with that annotator's target and holder)."""
        if label.kind != disagreement.kind:
            raise AdjudicationError(
                f"{label.name} is a {label.kind} label; this disagreement is about "
                f"{disagreement.kind}s"
            )
        current = self.gold_in(disagreement)
        decision = {"action": "edit", "label": label.name}
        description = f"gold: {label.name}"
        if not current:
            base = _commonest(disagreement)
            return self._replace(
                document, disagreement, [_with_label(base, label.name)], decision, description
            )
        return self._apply(
            disagreement,
            decision,
            description,
            lambda: self._relabel(current, label.name),
        )

    def _relabel(self, gold: Iterable[Annotation], label: str) -> None:
        for g in gold:
            if g.label != label:  # an unchanged label records no operation
                self.session.relabel(g, label)

    def set_note(self, disagreement: Disagreement, note: str) -> str:
        """The reviewer's note on a disagreement ("" removes it)."""
        before = self.log.get(disagreement.id)
        entry = {**_entry(disagreement, before), "note": note.strip()}
        after: dict[str, Any] | None = entry
        if not note.strip():
            del entry["note"]
            after = _meaningful(entry)
        self._log(disagreement.id, before, after, "note")
        return "note saved" if note.strip() else "note removed"

    def undo(self) -> str | None:
        """Take back the last decision or note, gold store and sidecar alike."""
        step = self.session.undo()
        return f"undid: {step.description}" if step else None

    def redo(self) -> str | None:
        step = self.session.redo()
        return f"redid: {step.description}" if step else None

    # --- helpers ------------------------------------------------------------------------
    def _take(
        self,
        document: DocumentLike,
        disagreement: Disagreement,
        version: Version,
        accepted: tuple[dict[str, Any], str],
        if_empty: tuple[dict[str, Any], str],
    ) -> str:
        """Make `version` gold's: its annotations, logged as the `accepted` (decision,
        description); a version that marked nothing is a rejection, logged as `if_empty`."""
        if version.is_empty:
            return self._reject(document, disagreement, *if_empty)
        return self._replace(document, disagreement, version.annotations, *accepted)

    def _replace(
        self,
        document: DocumentLike,
        disagreement: Disagreement,
        annotations: Iterable[Annotation],
        decision: dict[str, Any],
        description: str,
    ) -> str:
        wanted = list(annotations)

        def change() -> None:
            if self.gold.document(document.id) is None:  # so exports carry its decisions
                self.gold.put_document(
                    StoredDocument(
                        document.id, document.text, dict(document.meta or {}), document.source
                    )
                )
            current = self.gold_in(disagreement)
            if sorted(map(_content, current)) == sorted(map(_content, wanted)):
                return  # gold already says exactly this
            for g in current:
                self.session.delete(g)
            for a in wanted:
                self.session.add(
                    document,
                    a.start,
                    a.end,
                    a.kind,
                    a.label,
                    target=a.target,
                    holder=a.holder,
                    speaker=a.speaker,
                    note=a.note,
                )

        return self._apply(disagreement, decision, description, change)

    def _reject(
        self,
        document: DocumentLike,
        disagreement: Disagreement,
        decision: dict[str, Any],
        description: str,
    ) -> str:
        return self._replace(document, disagreement, [], decision, description)

    def _apply(
        self,
        disagreement: Disagreement,
        decision: dict[str, Any],
        description: str,
        change: Callable[[], None],
    ) -> str:
        """Run `change` (gold-store operations through the session), then log the decision:
        one undo step, also when a write fails half-way (what was saved is undone)."""
        before = self.log.get(disagreement.id)
        after = {**_entry(disagreement, before), "decision": {**decision, "at": now_iso()}}
        with self.session.batch(description):
            change()
            self._log(disagreement.id, before, after, description)
        return description

    def _log(
        self,
        disagreement_id: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        description: str,
    ) -> None:
        """Write one sidecar entry (durable when this returns) and record it for undo."""
        self.log.put(disagreement_id, after)
        self.session.record(LogEntry(self.log, disagreement_id, before, after), description)


def _entry(disagreement: Disagreement, before: dict[str, Any] | None) -> dict[str, Any]:
    """A sidecar entry: where the disagreement is (for people reading the file), plus
    what `before` already held."""
    return {
        **(before or {}),
        "doc_id": disagreement.doc_id,
        "kind": disagreement.kind,
        "start": disagreement.start,
        "end": disagreement.end,
    }


def _meaningful(entry: dict[str, Any]) -> dict[str, Any] | None:
    """An entry worth keeping: one with a decision or a note."""
    return entry if "decision" in entry or "note" in entry else None


def _overlapping(annotations: Iterable[Annotation], d: Located) -> list[Annotation]:
    return [a for a in annotations if a.kind == d.kind and a.start < d.end and a.end > d.start]


def _content(a: Annotation) -> tuple:
    speaker = (a.speaker.start, a.speaker.end) if a.speaker else (-1, -1)
    return (a.start, a.end, a.kind, a.label, a.target or "", a.holder or "", speaker, a.note)


def _commonest(disagreement: Disagreement) -> Annotation:
    """The annotation whose span most annotators marked (the first such on a tie)."""
    marked = [a for v in disagreement.versions for a in v.annotations]
    counts: dict[tuple[int, int], int] = {}
    for version in disagreement.versions:
        for span in {a.span for a in version.annotations}:
            counts[span] = counts.get(span, 0) + 1
    best = max(counts.values())
    return next(a for a in marked if counts[a.span] == best)


def _with_label(annotation: Annotation, label: str) -> Annotation:
    return replace(annotation, label=label, note="")


__all__ = ["AdjudicationError", "Adjudicator", "ReviewLog", "review_log_path"]
