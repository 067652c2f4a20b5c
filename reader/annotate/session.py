"""Annotation operations with unlimited undo and redo, applied to a store.

Each operation is a `Change` from one version of an annotation to another (`None` on one
side for an add or a delete). Undo applies the change backwards to the store, redo
forwards again, so what is on disk is always what the screen shows.

Operations made inside `with session.batch("accept alice"):` are one `Step` (as
Textual's `EditHistory` groups edits): one undo takes them all back, one redo does them
all again. A step may also hold an `Edit` the caller keeps outside the store (the review
log's entry), undone and redone with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, Unpack

from ..store import AnnotationStore, StoredDocument
from .annotations import (
    KINDS,
    SPEAKER_KINDS,
    Annotation,
    AnnotationError,
    Speaker,
    make_annotation,
)
from .schema import Schema


class DocumentLike(Protocol):
    """What a session needs of a document: `reader.corpus.Document` fits."""

    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def meta(self) -> Mapping[str, Any]: ...
    @property
    def source(self) -> str: ...


@dataclass(frozen=True)
class Change:
    """One operation: `before` → `after` (None before: an add; None after: a delete)."""

    before: Annotation | None
    after: Annotation | None
    description: str

    def inverse(self) -> Change:
        return Change(self.after, self.before, f"undo {self.description}")

    @property
    def annotation(self) -> Annotation:
        """The annotation concerned (its latest version)."""
        found = self.after or self.before
        assert found is not None
        return found


class Edit(Protocol):
    """An undoable change kept outside the store (already made when it is recorded)."""

    def undo(self) -> None: ...
    def redo(self) -> None: ...


Entry = Change | Edit


@dataclass(frozen=True)
class Step:
    """One undo step: the entries of one operation or one batch, in the order made."""

    description: str
    entries: tuple[Entry, ...]

    @property
    def changes(self) -> list[Change]:
        """The store changes of the step."""
        return [e for e in self.entries if isinstance(e, Change)]

    @property
    def doc_id(self) -> str | None:
        """The document the step changed last, if it changed the store."""
        changes = self.changes
        return changes[-1].annotation.doc_id if changes else None


class Fields(TypedDict, total=False):
    """The optional fields an operation may give an annotation."""

    target: str | None  # stance only
    holder: str | None  # stance only
    note: str
    source: str | None  # "suggested" or "corrected"
    speaker: Speaker | None  # quote only


_KEEP: Any = object()


class AnnotationSession:
    """One annotator's editing session over a store; every call is saved before it returns."""

    def __init__(
        self, store: AnnotationStore, annotator: str | None = None, schema: Schema | None = None
    ) -> None:
        self.store = store
        self.annotator = annotator or store.annotator
        self.schema = schema
        self._done: list[Step] = []
        self._undone: list[Step] = []
        self._batch: list[Entry] | None = None

    # --- reading ------------------------------------------------------------------

    def annotations(self, doc_id: str) -> list[Annotation]:
        """Every annotation of the document (all annotators in this store), in text order."""
        return self.store.for_document(doc_id)

    def at(self, doc_id: str, offset: int) -> list[Annotation]:
        """Annotations covering character `offset`, innermost (shortest) first."""
        found = [a for a in self.store.for_document(doc_id) if a.start <= offset < a.end]
        return sorted(found, key=lambda a: (a.end - a.start, a.start, a.created))

    def find(
        self, doc_id: str, start: int, end: int, kind: str, label: str = ""
    ) -> Annotation | None:
        """This annotator's annotation of exactly `start:end` of `kind` (and `label`'s group)."""
        group = self.schema.group_of(label) if self.schema and label else None
        for existing in self.store.for_document(doc_id):
            if (existing.start, existing.end, existing.kind) != (start, end, kind):
                continue
            if existing.annotator != self.annotator:
                continue
            other = self.schema.group_of(existing.label) if self.schema else None
            if group is None or other is None or other.name == group.name:
                return existing
        return None

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    # --- operations -----------------------------------------------------------------

    def apply_label(
        self,
        document: DocumentLike,
        start: int,
        end: int,
        label: str,
        *,
        kind: str | None = None,
        **fields: Unpack[Fields],
    ) -> Annotation:
        """What a label key does: relabel this annotator's annotation of the same kind
        (and label group) on exactly this span, else add one. `kind` defaults to the
        schema's kind for `label`; `fields` set on it are changed (a `source` marks it as
        made from a suggestion; None leaves a field as it is)."""
        kind = kind or (self.schema.kind_of(label) if self.schema else None)
        if kind is None:
            raise AnnotationError(f"unknown label {label!r}: it is not in the schema")
        existing = self.find(document.id, start, end, kind, label)
        if existing is None:
            return self.add(document, start, end, kind, label, **fields)
        changes: dict[str, Any] = {
            name: value
            for name, value in fields.items()
            if value is not None and value != getattr(existing, name)
        }
        if existing.label != label:
            changes["label"] = label
        if not changes:
            return existing
        return self._edit(existing, changes, f"relabel as {label}")

    def apply_stance(
        self,
        document: DocumentLike,
        start: int,
        end: int,
        label: str,
        target: str | None,
        holder: str | None,
    ) -> Annotation:
        """What the stance prompt does: a stance towards a target this annotator already
        gave on exactly this span is changed (label, holder); a new target adds a stance,
        so one sentence can take stances towards several targets."""
        target = (target or "").strip() or None
        holder = (holder or "").strip() or None
        for existing in self.store.for_document(document.id):
            if (
                (existing.start, existing.end, existing.kind) == (start, end, "stance")
                and existing.annotator == self.annotator
                and (existing.target or "").casefold() == (target or "").casefold()
            ):
                changes = {"label": label, "target": target, "holder": holder}
                return self._edit(existing, changes, f"stance {label}")
        return self.add(document, start, end, "stance", label, target=target, holder=holder)

    def add(
        self,
        document: DocumentLike,
        start: int,
        end: int,
        kind: str,
        label: str,
        **fields: Unpack[Fields],
    ) -> Annotation:
        """Add a new annotation of `document.text[start:end]` (a stance's target and
        holder and a quote's speaker are kept; on other kinds they are not fields)."""
        if kind not in KINDS:
            raise AnnotationError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if not label:
            raise AnnotationError("a label is needed")
        extra: dict[str, Any] = {"note": fields.get("note") or "", "source": fields.get("source")}
        if kind == "stance":
            extra.update(target=fields.get("target"), holder=fields.get("holder"))
        if kind in SPEAKER_KINDS:
            extra["speaker"] = fields.get("speaker")
        annotation = make_annotation(
            document.text, document.id, start, end, kind, label, self.annotator, **extra
        )
        stored = StoredDocument(
            document.id, document.text, dict(document.meta or {}), getattr(document, "source", "")
        )
        self.store.put(annotation, stored)
        self._record(Change(None, annotation, f"add {label}"))
        return annotation

    def relabel(self, annotation: Annotation | str, label: str) -> Annotation:
        current = self._current(annotation)
        return self._edit(current, {"label": label}, f"relabel as {label}")

    def set_note(self, annotation: Annotation | str, note: str) -> Annotation:
        """Add, change or (with "") clear the free-text note."""
        current = self._current(annotation)
        return self._edit(current, {"note": note}, "edit note" if note else "clear note")

    def set_stance(
        self,
        annotation: Annotation | str,
        *,
        target: str | None = _KEEP,
        holder: str | None = _KEEP,
        label: str | None = None,
    ) -> Annotation:
        """Change a stance annotation's target, holder and/or label."""
        current = self._current(annotation)
        if current.kind != "stance":
            raise AnnotationError("only stance annotations have a target and a holder")
        changes: dict[str, Any] = {}
        if target is not _KEEP:
            changes["target"] = target or None
        if holder is not _KEEP:
            changes["holder"] = holder or None
        if label:
            changes["label"] = label
        return self._edit(current, changes, "edit stance")

    def delete(self, annotation: Annotation | str) -> Annotation:
        current = self._current(annotation)
        self.store.remove(current.id, current.doc_id)
        self._record(Change(current, None, f"delete {current.label}"))
        return current

    @contextmanager
    def batch(self, description: str = "") -> Iterator[None]:
        """Every operation made inside is one undo step named `description` (by default
        its first store change's: "add FACT"); also when one fails half-way (what was
        saved is undone together). A batch inside a batch joins it."""
        if self._batch is not None:
            yield
            return
        self._batch = []
        try:
            yield
        finally:
            entries, self._batch = self._batch, None
            if entries:
                changes = (e.description for e in entries if isinstance(e, Change))
                self._push(Step(description or next(changes, ""), tuple(entries)))

    def record(self, edit: Edit, description: str = "") -> None:
        """Record an `edit` made outside the store: in the batch under way, else as a
        step of its own."""
        self._record(edit, description)

    def undo(self) -> Step | None:
        """Take back the last step (on disk too); returns it, or None."""
        return self._replay(self._done, self._undone, undo=True)

    def redo(self) -> Step | None:
        """Do again the last undone step; returns it, or None."""
        return self._replay(self._undone, self._done, undo=False)

    def _replay(self, source: list[Step], target: list[Step], *, undo: bool) -> Step | None:
        """Undo (redo) the last step of `source` and move it to `target`. The step leaves
        `source` only once every write succeeded: when one fails, what was written moves
        over as a step of its own and the rest stays, to be retried."""
        if not source:
            return None
        step = source[-1]
        order = list(reversed(step.entries)) if undo else list(step.entries)
        done = 0
        try:
            for entry in order:
                self._apply(entry, undo=undo)
                done += 1
        except BaseException:
            if done:
                made, left = order[:done], order[done:]
                if undo:  # entries are kept in the order they were made
                    made, left = made[::-1], left[::-1]
                source[-1] = Step(step.description, tuple(left))
                target.append(Step(step.description, tuple(made)))
            raise
        source.pop()
        target.append(step)
        return step

    # --- helpers --------------------------------------------------------------------

    def _current(self, annotation: Annotation | str) -> Annotation:
        if isinstance(annotation, Annotation):
            found = self.store.get(annotation.id, annotation.doc_id)
        else:
            found = self.store.get(annotation)
        if found is None:
            raise AnnotationError("that annotation no longer exists")
        return found

    def _edit(self, current: Annotation, changes: dict[str, Any], description: str) -> Annotation:
        if all(getattr(current, k) == v for k, v in changes.items()):
            return current
        updated = current.changed(**changes)
        self.store.put(updated)
        self._record(Change(current, updated, description))
        return updated

    def _record(self, entry: Entry, description: str = "") -> None:
        if self._batch is not None:
            self._batch.append(entry)
            return
        if isinstance(entry, Change):
            description = description or entry.description
        self._push(Step(description, (entry,)))

    def _push(self, step: Step) -> None:
        self._done.append(step)
        self._undone.clear()

    def _apply(self, entry: Entry, *, undo: bool) -> None:
        if isinstance(entry, Change):
            self._write(*((entry.after, entry.before) if undo else (entry.before, entry.after)))
        elif undo:
            entry.undo()
        else:
            entry.redo()

    def _write(self, old: Annotation | None, new: Annotation | None) -> None:
        """Make the store go from `old` to `new`."""
        if new is None:
            if old is not None:
                self.store.remove(old.id, old.doc_id)
        else:
            self.store.put(new)


# --- stance targets ----------------------------------------------------------------------

SUGGESTIONS_SHOWN = 8  # a screenful of the prompt's target list


def stance_targets(schema: Schema | None, label: str | None = None) -> list[str]:
    """The targets the stance prompt offers: `label`'s group's, else every stance
    group's, each once, in schema order (linear time: a group may list 200,000)."""
    if schema is None:
        return []
    group = schema.group_of(label) if label else None
    if group is not None and group.targets:
        return list(dict.fromkeys(group.targets))
    found: dict[str, None] = {}
    for stance_group in schema.groups:
        if stance_group.kind == "stance":
            found.update(dict.fromkeys(stance_group.targets))
    return list(found)


@dataclass(frozen=True)
class StanceDefaults:
    """What the stance prompt starts with for a span: the targets it offers and the
    holder already filled in."""

    targets: list[str]
    holder: str


def stance_defaults(
    schema: Schema | None,
    annotations: Iterable[Annotation],
    start: int,
    end: int,
    label: str | None = None,
    speaker: str = "",
) -> StanceDefaults:
    """The stance prompt's defaults on `start:end`: `label`'s targets (`stance_targets`),
    and as holder the one a stance on exactly this span already names, else `speaker`
    (the quote's speaker, when the span is a quote)."""
    same_span = [a for a in annotations if a.kind == "stance" and (a.start, a.end) == (start, end)]
    holder = same_span[0].holder if same_span and same_span[0].holder else speaker
    return StanceDefaults(stance_targets(schema, label), holder or "")


@dataclass(frozen=True)
class Suggestions:
    """What the target list shows for what was typed: a new target (typed, not in the
    list) first, then up to a screenful of matches; `more` when there are others."""

    new: str | None
    matches: list[str]
    more: bool
    chosen: str | None  # what Enter saves when the list is left as it is


class TargetSuggestions:
    """Case-insensitive substring filter over the schema's targets, stopping once a
    screenful is found, so typing costs the same with 200,000 targets as with ten."""

    def __init__(self, targets: list[str], shown: int = SUGGESTIONS_SHOWN) -> None:
        self.targets = targets
        self.shown = shown
        self._folded: list[str] | None = None
        self._exact: dict[str, str] | None = None

    def _index(self) -> tuple[list[str], dict[str, str]]:
        if self._folded is None or self._exact is None:
            self._folded = [t.casefold() for t in self.targets]
            self._exact = {}
            for target, folded in zip(self.targets, self._folded, strict=True):
                self._exact.setdefault(folded, target)
        return self._folded, self._exact

    def suggest(self, typed: str) -> Suggestions:
        typed = typed.strip()
        wanted = typed.casefold()
        if not self.targets:
            new = typed or None
            return Suggestions(new, [], False, new)
        if not wanted:  # nothing typed yet: the first screenful, no index needed
            first = self.targets[: self.shown]
            return Suggestions(None, first, len(self.targets) > self.shown, first[0])
        folded, exact_of = self._index()
        exact = exact_of.get(wanted) if wanted else None
        matches: list[str] = []
        if exact is not None:
            matches.append(exact)
        more = False
        for target, key in zip(self.targets, folded, strict=True):
            if wanted not in key or target == exact:
                continue
            if len(matches) == self.shown:
                more = True
                break
            matches.append(target)
        new = typed if typed and exact is None else None
        chosen = exact or (matches[0] if matches else new)
        return Suggestions(new, matches, more, chosen)
