"""A quote's speaker as a relation between two spans, for the formats that hold relations
(doccano's relation projects, brat's `R` lines, Label Studio): the quote is one span, its
speaker another, and a relation goes from the quote to the speaker.

Writing: a speaker whose span is exactly another annotation's (a PERSON entity the
annotator marked; not a quote) points at that annotation; any other speaker span becomes
a span of its own labelled `SPEAKER`. Reading undoes it: the span a speaker relation starts from is a quote with that
speaker, and a `SPEAKER` span that a relation points at is only the speaker, not an
annotation of its own.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from ..annotate.annotations import Annotation, Speaker
from . import FormatError

SPEAKER_LABEL = "SPEAKER"

K = TypeVar("K", bound=Hashable)


def speaker_links(annotations: Sequence[Annotation]) -> tuple[list[Speaker], list[tuple[int, int]]]:
    """The speaker spans that need a span of their own (no annotation but a quote has
    exactly that span), and a (quote, speaker) pair per quote with a speaker: indices into
    `annotations` followed by those extra spans."""
    by_span: dict[tuple[int, int], int] = {}
    for number, a in enumerate(annotations):
        if a.kind != "quote":
            by_span.setdefault(a.span, number)
    extra: list[Speaker] = []
    links = []
    for number, a in enumerate(annotations):
        if a.speaker is None:
            continue
        key = (a.speaker.start, a.speaker.end)
        target = by_span.get(key)
        if target is not None and annotations[target].label == SPEAKER_LABEL:
            raise FormatError(_clash(annotations[target]))
        if key not in by_span:
            by_span[key] = len(annotations) + len(extra)
            extra.append(a.speaker)
        links.append((number, by_span[key]))
    return extra, links


def check_speaker_labels(annotations: Sequence[Annotation]) -> None:
    """Refuse (FormatError), before anything is written, a document where an annotation
    labelled `SPEAKER` is exactly a quote's speaker: the relation would point at it, and
    reading the file back takes a `SPEAKER` span a relation points at for only the
    speaker, so the annotation would be lost."""
    speakers = {(a.speaker.start, a.speaker.end) for a in annotations if a.speaker is not None}
    for a in annotations:
        if a.kind != "quote" and a.label == SPEAKER_LABEL and a.span in speakers:
            raise FormatError(_clash(a))


def _clash(a: Annotation) -> str:
    return (
        f"the {SPEAKER_LABEL} annotation {a.text[:40]!r} ({a.start}:{a.end}) is also a quote's "
        f"speaker, and a {SPEAKER_LABEL} span that a speaker relation points at is read back "
        "as only the speaker: importing this export would lose the annotation. Nothing was "
        f"written; give the label another name than {SPEAKER_LABEL} in the schema, or export "
        "with --format native"
    )


def with_speakers(
    spans: Mapping[K, dict[str, Any]], links: Iterable[tuple[K, K]]
) -> dict[K, dict[str, Any]]:
    """The spans of a file (`{"start", "end", "label", ...}` by the file's id for them)
    with each speaker relation (quote id, speaker id) made the quote's `"speaker"`
    (`(start, end)`) and its `"kind"` `quote`; a `SPEAKER` span a relation points at is
    left out (it is only the speaker). ValueError for a relation naming an id the file
    does not have, or a quote given two speakers."""
    found = {key: dict(span) for key, span in spans.items()}
    only_speakers = set()
    for quote, speaker in links:
        for key in (quote, speaker):
            if key not in found:
                raise ValueError(f"a speaker relation refers to {key!r}, which is not a span")
        if "speaker" in found[quote]:
            raise ValueError(f"the quote {quote!r} has two speaker relations")
        target = spans[speaker]
        found[quote]["speaker"] = (target["start"], target["end"])
        found[quote]["kind"] = "quote"
        if target["label"] == SPEAKER_LABEL:
            only_speakers.add(speaker)
    return {key: span for key, span in found.items() if key not in only_speakers}


def speaker_of(span: Mapping[str, Any], text: str) -> dict[str, Any]:
    """`make_annotation`'s `speaker=` for a span `with_speakers` gave one, else nothing."""
    if "speaker" not in span:
        return {}
    start, end = span["speaker"]
    return {"speaker": Speaker(start, end, text[start:end])}
