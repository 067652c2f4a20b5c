"""Finding annotations again when an article's text has changed.

An annotation keeps its text and about 32 characters of context on either side. Against a
new text it is:
- kept when its offsets still cover the same text;
- moved when its text occurs elsewhere and exactly one occurrence agrees best with the
  context (and, when there are several occurrences, agrees at all);
- orphaned otherwise (text gone, or several equally good places): never guessed.

A quote's speaker moves with it by the same number of characters when its text is still
there; otherwise the speaker is dropped (`speaker_dropped`, and the message says so),
never left pointing at other characters.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from ..corpus import Document, text_id
from ..store import AnnotationStore, StoredDocument
from .annotations import Annotation, now_iso, span_context

Status = Literal["kept", "moved", "orphaned"]


@dataclass(frozen=True)
class Anchored:
    status: Status
    annotation: Annotation  # moved: the annotation at its new place; else unchanged
    original: Annotation
    speaker_dropped: bool = False  # a quote's speaker is no longer where it moved to


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def occurrences(text: str, needle: str) -> list[int]:
    """Every start of `needle` in `text`, overlapping ones included."""
    found: list[int] = []
    if not needle:
        return found
    at = text.find(needle)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def context_score(annotation: Annotation, text: str, start: int) -> int:
    """How many context characters agree if the span starts at `start` in `text`."""
    end = start + len(annotation.text)
    before = text[max(0, start - len(annotation.prefix)) : start]
    after = text[end : end + len(annotation.suffix)]
    return _common_suffix(annotation.prefix, before) + _common_prefix(annotation.suffix, after)


def reanchor(annotation: Annotation, text: str, doc_id: str | None = None) -> Anchored:
    """Place `annotation` in `text` (the document's new version, id `doc_id`)."""
    doc_id = doc_id or text_id(text)
    start, end = annotation.start, annotation.end
    if annotation.text and text[start:end] == annotation.text and end <= len(text):
        if doc_id == annotation.doc_id:
            return Anchored("kept", annotation, annotation)
        return _placed("kept", annotation, text, doc_id, start)
    candidates = occurrences(text, annotation.text)
    if not candidates:
        return Anchored("orphaned", annotation, annotation)
    scored = sorted(((context_score(annotation, text, c), c) for c in candidates), reverse=True)
    best_score, best = scored[0]
    if len(scored) > 1 and (best_score == 0 or scored[1][0] == best_score):
        return Anchored("orphaned", annotation, annotation)
    return _placed("moved", annotation, text, doc_id, best)


def _placed(status: Status, annotation: Annotation, text: str, doc_id: str, start: int) -> Anchored:
    """`annotation` at `start` of `text`, its speaker (if any) moved along or dropped."""
    placed = _moved(annotation, text, doc_id, start)
    speaker = annotation.speaker
    if speaker is None:
        return Anchored(status, placed, annotation)
    shift = start - annotation.start
    s_start, s_end = speaker.start + shift, speaker.end + shift
    if s_start >= 0 and text[s_start:s_end] == speaker.text:
        moved = replace(speaker, start=s_start, end=s_end)
        return Anchored(status, replace(placed, speaker=moved), annotation)
    return Anchored(status, replace(placed, speaker=None), annotation, speaker_dropped=True)


def _moved(annotation: Annotation, text: str, doc_id: str, start: int) -> Annotation:
    end = start + len(annotation.text)
    prefix, suffix = span_context(text, start, end)
    return replace(
        annotation,
        doc_id=doc_id,
        start=start,
        end=end,
        prefix=prefix,
        suffix=suffix,
        updated=now_iso(),
    )


def reanchor_all(annotations: Iterable[Annotation], text: str) -> list[Anchored]:
    doc_id = text_id(text)
    return [reanchor(a, text, doc_id) for a in annotations]


EDIT_OVERLAP = 0.5  # the share of an old text's word runs an edited version keeps
_WORD = re.compile(r"\w+")


def word_runs(text: str, size: int = 3) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def is_edit_of(old: str, new: str) -> bool:
    """Whether `new` reads as an edited version of `old` rather than another article
    (at least half of `old`'s three-word runs are still in `new`): a JSONL line or a
    file name can come to hold a different article, whose annotations must not be
    carried over because a sentence or a name happens to be in both."""
    runs = word_runs(old)
    if not runs:
        return False
    return len(runs & word_runs(new)) >= EDIT_OVERLAP * len(runs)


def reanchor_document(
    store: AnnotationStore, document: Document, in_corpus: Collection[str] = ()
) -> list[Anchored]:
    """Carry annotations from earlier versions of `document` (same source) to this text.

    An earlier version is a stored document from the same source that is not in the
    corpus now (`in_corpus`: its document ids) and of which this text `is_edit_of`.
    Kept and moved annotations are saved under the new text's id (same annotation ids), all
    in one journal operation;
    orphaned ones stay with the old version, where `store.for_document` still finds them.
    """
    results: list[Anchored] = []
    stored = StoredDocument(document.id, document.text, dict(document.meta), document.source)
    for old_id in store.previous_versions(document.source, document.id):
        old = store.document(old_id)
        if old_id in in_corpus or old is None or not is_edit_of(old.text, document.text):
            continue
        results.extend(reanchor_all(store.for_document(old_id), document.text))
    carried = [placed.annotation for placed in results if placed.status != "orphaned"]
    if carried:
        store.put_many(carried, stored)  # one journal operation: a crash moves all or none
    return results


def reanchor_message(placed: Collection[Anchored]) -> str:
    """What to tell the person after `reanchor_document` carried `placed` over ("" when
    nothing was): how many were re-anchored and how many orphaned."""
    if not placed:
        return ""
    orphaned = sum(1 for p in placed if p.status == "orphaned")
    moved = len(placed) - orphaned
    text = f"The text changed since it was annotated: {moved} annotation(s) re-anchored"
    if orphaned:
        text += f", {orphaned} orphaned (kept with the old text, see `reader export`)"
    dropped = sum(1 for p in placed if p.speaker_dropped)
    if dropped:
        text += f"; the speaker of {dropped} quote(s) dropped (its text changed)"
    return text


def any_orphaned(placed: Iterable[Anchored]) -> bool:
    return any(p.status == "orphaned" for p in placed)
