"""Where annotators differ within one document: the places a reviewer must decide.

Per kind (claim, stance, entity, quote), every annotator's spans are grouped into clusters of spans that
overlap, directly or through a chain. A cluster where every annotator has exactly the
same annotations (span, label, for stances target and holder, for quotes the speaker's
span) is agreed; any other
cluster is a `Disagreement`, with the reasons it is one:

- `label`: the same span with different labels;
- `target` / `holder`: the same stance span with a different target / holder;
- `speaker`: the same quote span attributed to a different speaker (span);
- `missing`: only some annotators marked anything there;
- `boundaries`: overlapping spans with different boundaries.

Notes never make a disagreement (they are shown with each version). A disagreement's id
hashes its document, kind and extent, so decisions about it (kept by `adjudication`)
stay attached across sessions as long as the annotators' spans do not change.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, TypeVar

from ..annotate.annotations import KINDS, Annotation, Speaker
from ..reading.span_index import Marked

REASONS = {
    "label": "same span, different labels",
    "target": "different stance target",
    "holder": "different stance holder",
    "speaker": "different quote speaker",
    "missing": "marked by only some annotators",
    "boundaries": "overlapping spans with different boundaries",
}

# What two annotators must share to agree: start, end, label, target, holder, and a
# quote's speaker span.
SpanKey = tuple[int, int, str, "str | None", "str | None", "tuple[int, int] | None"]
# The fields that make a disagreement when annotators' values differ on the same span,
# and the kind they belong to (None: every kind).
_COMPARED = (("label", None), ("target", "stance"), ("holder", "stance"), ("speaker", "quote"))


class SpanLike(Marked, Protocol):
    """What comparing needs of an annotation (an `Annotation` or a `LightSpan`)."""

    @property
    def target(self) -> str | None: ...
    @property
    def holder(self) -> str | None: ...
    @property
    def speaker(self) -> Speaker | None: ...
    @property
    def annotator(self) -> str: ...


class LightSpan(NamedTuple):
    """An annotation reduced to what comparing needs: cheap to make by the 100,000."""

    start: int
    end: int
    kind: str
    label: str
    target: str | None
    holder: str | None
    annotator: str
    speaker: Speaker | None = None


S = TypeVar("S", bound=SpanLike)


def span_key(annotation: SpanLike) -> SpanKey:
    return (
        annotation.start,
        annotation.end,
        annotation.label,
        annotation.target,
        annotation.holder,
        _bounds(annotation.speaker),
    )


def _bounds(speaker: Speaker | None) -> tuple[int, int] | None:
    return None if speaker is None else (speaker.start, speaker.end)


@dataclass(frozen=True)
class Version:
    """One annotator's annotations within a disagreement (none: they marked nothing)."""

    annotator: str
    annotations: tuple[Annotation, ...]

    @property
    def key(self) -> tuple[SpanKey, ...]:
        return tuple(sorted(set(map(span_key, self.annotations)), key=_key_order))

    @property
    def is_empty(self) -> bool:
        return not self.annotations


def _key_order(key: SpanKey) -> tuple:
    start, end, label, target, holder, speaker = key
    return (start, end, label, target or "", holder or "", speaker or (-1, -1))


@dataclass(frozen=True)
class Disagreement:
    id: str
    doc_id: str
    kind: str
    start: int  # the union of the cluster's spans
    end: int
    reasons: tuple[str, ...]
    versions: tuple[Version, ...]  # one per compared annotator, in their order

    def version_of(self, annotator: str) -> Version | None:
        return next((v for v in self.versions if v.annotator == annotator), None)

    @property
    def summary(self) -> str:
        return "; ".join(REASONS[r] for r in self.reasons)


def disagreement_id(doc_id: str, kind: str, start: int, end: int) -> str:
    return hashlib.sha1(f"{doc_id}:{kind}:{start}:{end}".encode()).hexdigest()[:16]


def clusters(annotations: Iterable[S]) -> list[list[S]]:
    """Groups of annotations linked by overlaps, in text order."""
    groups: list[list[S]] = []
    reach = -1
    for annotation in sorted(annotations, key=lambda a: (a.start, a.end)):
        if groups and annotation.start < reach:
            groups[-1].append(annotation)
            reach = max(reach, annotation.end)
        else:
            groups.append([annotation])
            reach = annotation.end
    return groups


def find_disagreements(
    doc_id: str,
    by_annotator: Mapping[str, Sequence[Annotation]],
    annotators: Sequence[str],
) -> list[Disagreement]:
    """The document's disagreements among `annotators`, in text order.

    Every annotator in `annotators` is compared, also one with no annotation here: a
    span they did not mark is a span marked by only some annotators."""
    found = [
        _judge(doc_id, kind, cluster, annotators)
        for kind, cluster in _differing(by_annotator, annotators)
    ]
    found.sort(key=lambda d: (d.start, d.end, d.kind))
    return found


def disagreement_places(
    doc_id: str, by_annotator: Mapping[str, Sequence[SpanLike]], annotators: Sequence[str]
) -> list[tuple[str, str, int, int]]:
    """(id, kind, start, end) of each disagreement `find_disagreements` would find, without
    working out why (the overall progress counts every document's this way)."""
    places = []
    for kind, cluster in _differing(by_annotator, annotators):
        start = min(a.start for a in cluster)
        end = max(a.end for a in cluster)
        places.append((disagreement_id(doc_id, kind, start, end), kind, start, end))
    return places


def agreed(
    doc_id: str, by_annotator: Mapping[str, Sequence[S]], annotators: Sequence[str]
) -> list[tuple[str, list[S]]]:
    """(disagreement id the cluster would have, its annotations) for each cluster where
    at least two annotators are compared and all of them marked exactly the same."""
    if len(annotators) < 2:
        return []
    return [
        (disagreement_id(doc_id, kind, *_extent(cluster)), cluster)
        for kind, cluster, differs in _partition(by_annotator, annotators)
        if not differs
    ]


def _extent(cluster: Sequence[SpanLike]) -> tuple[int, int]:
    return min(a.start for a in cluster), max(a.end for a in cluster)


def _differing(
    by_annotator: Mapping[str, Sequence[S]], annotators: Sequence[str]
) -> Iterable[tuple[str, list[S]]]:
    """(kind, cluster) for each cluster where the annotators' versions are not all equal."""
    return ((kind, c) for kind, c, differs in _partition(by_annotator, annotators) if differs)


def _partition(
    by_annotator: Mapping[str, Sequence[S]], annotators: Sequence[str]
) -> Iterable[tuple[str, list[S], bool]]:
    """(kind, cluster, whether the annotators' versions differ) for every cluster."""
    for kind in KINDS:
        pool = [
            annotation
            for name in annotators
            for annotation in by_annotator.get(name, ())
            if annotation.kind == kind
        ]
        for cluster in clusters(pool):
            versions: dict[str, set[SpanKey]] = {name: set() for name in annotators}
            for annotation in cluster:
                versions[annotation.annotator].add(span_key(annotation))
            first = versions[annotators[0]]
            yield kind, cluster, any(version != first for version in versions.values())


def _judge(
    doc_id: str, kind: str, cluster: list[Annotation], annotators: Sequence[str]
) -> Disagreement:
    versions = tuple(
        Version(name, tuple(a for a in cluster if a.annotator == name)) for name in annotators
    )
    reasons: list[str] = []
    present = [v for v in versions if not v.is_empty]
    by_span: dict[tuple[int, int], dict[str, list[Annotation]]] = {}
    for version in present:
        for annotation in version.annotations:
            by_span.setdefault(annotation.span, {}).setdefault(version.annotator, []).append(
                annotation
            )
    for per_annotator in by_span.values():
        if len(per_annotator) < 2:
            continue
        for field, of_kind in _COMPARED:
            if of_kind is not None and kind != of_kind:
                continue
            values = {
                frozenset(getattr(a, field) for a in found) for found in per_annotator.values()
            }
            if len(values) > 1 and field not in reasons:
                reasons.append(field)
    if len(present) < len(versions):
        reasons.append("missing")
    if len({frozenset(a.span for a in v.annotations) for v in present}) > 1:
        reasons.append("boundaries")
    if not reasons:  # cannot happen when the keys differ; kept so a disagreement says why
        reasons.append("label")
    start = min(a.start for a in cluster)
    end = max(a.end for a in cluster)
    return Disagreement(
        disagreement_id(doc_id, kind, start, end),
        doc_id,
        kind,
        start,
        end,
        tuple(sorted(reasons, key=list(REASONS).index)),
        versions,
    )


def majority(disagreement: Disagreement) -> Version | None:
    """The version held by a strict majority of the compared annotators, else None.
    It may be empty: most annotators marked nothing there."""
    counts = Counter(v.key for v in disagreement.versions)
    if not counts:
        return None
    key, count = counts.most_common(1)[0]
    if count * 2 <= len(disagreement.versions):
        return None
    return next(v for v in disagreement.versions if v.key == key)
