"""Inter-annotator agreement (`reader agree`): pure computation, no Textual, no click.

Input: the documents' texts (doc_id -> text) and the annotations grouped by annotator;
output: an `AgreementReport` whose `to_json()` is what `reader agree --json` prints.

Semantics (decided here, shown by the tests):

- Label keys. With `kind=None` (the default) claims and stances count together, a stance
  label written `stance:LABEL` so that it never meets a claim label of the same name
  (entities and quotes never count in this mode); with `kind` one of `KINDS` only that
  kind counts and labels are bare. When
  annotators label claims and stances on the same sentences, run once per kind: in the
  mixed mode a sentence still gets one value (the rule below picks it).
- Documents. An annotator "has" the documents of the sources their annotations came
  from (`coverage`; by default every document given). Only documents every annotator has
  are compared; of those, the ones where at least one annotator labelled anything of the
  counted kind are the *compared documents*; the rest are counted as left out.
- Units (kappa, alpha). Every sentence of every compared document, as
  `reader.nlp.sentences.split_sentences` splits it (`reader analyze` splits the same way),
  is one item. An annotator's value for it is the label key of their annotation covering
  the largest part of it (ties: earliest start, then the longer annotation, then the
  label's alphabetical order), or NONE when none of theirs touches it. Cohen's kappa and
  observed agreement per pair, Fleiss' kappa (multi-pi: NLTK's `AnnotationTask.pi`) and
  Krippendorff's alpha (nominal) over everyone, exactly as NLTK's `AnnotationTask`
  computes them (see `units` for when NLTK itself is asked). For entities and quotes the
  item is a word token instead (`units.token_bounds`), valued the same way: a sentence
  holds many entities, and token-level kappa is how NER agreement is usually reported.
- Spans (P/R/F1). See `spans`: pair (a, b) with a first in alphabetical order is
  scored with a as the reference. Spans in the compared documents only. `per_label` is
  pooled over pairs: for each label, matched and span counts are summed over all pairs
  before dividing (a pair where neither used the label adds nothing).
- The same annotator's annotations from several sources are merged by the caller
  (`reader.agreement.sources`) before they reach this module.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Protocol

from ..annotate.annotations import KINDS as ANNOTATION_KINDS
from ..errors import ReaderError
from ..reading.span_index import Marked
from . import spans, units
from .spans import SpanScore

KINDS = ANNOTATION_KINDS
MIXED_KINDS = frozenset(("claim", "stance"))  # what `kind=None` counts
TOKEN_UNIT_KINDS = frozenset(("entity", "quote"))  # counted by token, not by sentence
DIGITS = 6


class AgreementError(ReaderError):
    """Agreement cannot be computed for these sources."""


class TooFewAnnotatorsError(AgreementError):
    """Fewer than two annotators."""


class NoSharedDocumentsError(AgreementError):
    """The annotators have no document in common."""


class NothingToCompareError(AgreementError):
    """The shared documents hold no annotation (of the kind asked for) or no sentence."""


class DocumentTextConflictError(AgreementError):
    """The same document id comes with different texts."""


class Labelled(Marked, Protocol):
    """What agreement needs of an annotation (`reader.annotate.annotations.Annotation` has it)."""

    @property
    def doc_id(self) -> str: ...


@dataclass(frozen=True)
class PairReport:
    a: str
    b: str
    cohen_kappa: float
    observed: float
    exact: SpanScore
    overlap: SpanScore

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "cohen_kappa": round(self.cohen_kappa, DIGITS),
            "observed": round(self.observed, DIGITS),
            "span_f1_exact": round(self.exact.f1, DIGITS),
            "span_f1_overlap": round(self.overlap.f1, DIGITS),
            "span_exact": self.exact.to_json(DIGITS),
            "span_overlap": self.overlap.to_json(DIGITS),
        }


@dataclass(frozen=True)
class LabelReport:
    label: str
    exact: SpanScore  # pooled over pairs
    overlap: SpanScore
    annotations: Mapping[str, int]  # annotator -> spans with this label, compared documents

    def to_json(self) -> dict[str, Any]:
        return {
            "exact": self.exact.to_json(DIGITS),
            "overlap": self.overlap.to_json(DIGITS),
            "annotations": dict(self.annotations),
        }


@dataclass(frozen=True)
class AgreementReport:
    annotators: tuple[str, ...]
    kind: str | None
    documents: int  # compared documents
    documents_left_out: int  # given documents not compared (not shared, or unlabelled)
    items: int
    alpha: float
    fleiss_kappa: float
    observed: float
    pairs: tuple[PairReport, ...]
    per_label: Mapping[str, LabelReport]
    method: str  # how the unit statistics were computed: "nltk" or "fast"

    @property
    def unit(self) -> str:
        """What one item is: a "sentence", or a "token" for entities and quotes."""
        return "token" if self.kind in TOKEN_UNIT_KINDS else "sentence"

    def to_json(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "kind": self.kind or "both",
            "documents": self.documents,
            "documents_left_out": self.documents_left_out,
            "items": self.items,
            "unit": self.unit,
            "alpha": round(self.alpha, DIGITS),
            "fleiss_kappa": round(self.fleiss_kappa, DIGITS),
            "observed": round(self.observed, DIGITS),
            "method": self.method,
            "pairs": [pair.to_json() for pair in self.pairs],
            "per_label": {label: r.to_json() for label, r in self.per_label.items()},
        }


RawSpan = tuple[int, int, str, str]  # start, end, kind, label
Grouped = Mapping[str, Mapping[str, Sequence[RawSpan]]]  # annotator -> doc_id -> spans


def label_key(kind: str, label: str, only: str | None) -> str:
    """The value a span stands for: its label, `stance:LABEL` in the mixed mode."""
    return f"stance:{label}" if only is None and kind == "stance" else label


def group_annotations(annotations: Mapping[str, Sequence[Labelled]]) -> dict[str, dict]:
    """annotator -> doc_id -> (start, end, kind, label), the form `compute_grouped` takes."""
    grouped: dict[str, dict] = {}
    for annotator, items in annotations.items():
        by_doc: dict[str, list[RawSpan]] = defaultdict(list)
        for a in items:
            by_doc[a.doc_id].append((a.start, a.end, a.kind, a.label))
        grouped[annotator] = by_doc
    return grouped


def compute_agreement(
    documents: Mapping[str, str],
    annotations: Mapping[str, Sequence[Labelled]],
    *,
    kind: str | None = None,
    coverage: Mapping[str, Collection[str]] | None = None,
    method: str = "auto",
) -> AgreementReport:
    """Agreement between the annotators of `annotations` (annotator -> annotations) over
    `documents` (doc_id -> text). `coverage` (annotator -> doc ids) says which documents
    each annotator had; by default, all. `method`: see `units.statistics`."""
    grouped = group_annotations(annotations)
    return compute_grouped(documents, grouped, kind=kind, coverage=coverage, method=method)


def compute_grouped(
    documents: Mapping[str, str],
    grouped: Grouped,
    *,
    kind: str | None = None,
    coverage: Mapping[str, Collection[str]] | None = None,
    method: str = "auto",
) -> AgreementReport:
    """`compute_agreement` for spans already grouped by annotator and document."""
    if kind is not None and kind not in KINDS:
        raise AgreementError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    annotators = tuple(sorted(grouped))
    if len(annotators) < 2:
        named = f" (only {annotators[0]!r})" if annotators else ""
        raise TooFewAnnotatorsError(
            f"agreement needs annotations by at least two annotators{named}"
        )
    shared = _shared_documents(documents, annotators, coverage)
    # annotator -> doc_id -> label key -> spans: the counted kind, in shared documents
    keyed: dict[str, dict[str, dict[str, list[spans.Bounds]]]] = {}
    # annotator -> doc_id -> (start, -end, key), sorted: the order sentence values want
    ordered: dict[str, dict[str, list[tuple[int, int, str]]]] = {}
    for annotator in annotators:
        keyed[annotator], ordered[annotator] = _keyed_spans(grouped[annotator], shared, kind)
    compared = [d for d in documents if d in shared and any(d in keyed[c] for c in annotators)]
    if not compared:
        what = f"{kind} annotations" if kind else "annotations"
        raise NothingToCompareError(
            f"no {what} in the {len(shared)} document(s) all annotators share"
        )
    rows: list[tuple[units.Value, ...]] = []
    unit_bounds = units.token_bounds if kind in TOKEN_UNIT_KINDS else units.sentence_bounds
    for doc_id in compared:
        bounds = unit_bounds(doc_id, documents[doc_id])
        columns = [units.sentence_values(bounds, ordered[c].get(doc_id, ())) for c in annotators]
        rows.extend(zip(*columns, strict=True))
    if not rows:
        what = "tokens" if kind in TOKEN_UNIT_KINDS else "sentences"
        raise NothingToCompareError(f"the {len(compared)} compared document(s) have no {what}")
    stats = units.statistics(annotators, rows, method)
    empty: dict[str, list[spans.Bounds]] = {}
    tallies = {}
    for a, b in combinations(annotators, 2):
        tally = spans.SpanTally()
        for doc_id in compared:
            tally.add_document(keyed[a].get(doc_id, empty), keyed[b].get(doc_id, empty))
        tallies[a, b] = tally
    pairs = tuple(
        PairReport(
            p.a,
            p.b,
            p.cohen_kappa,
            p.observed,
            spans.total(tallies[p.a, p.b].scores(exact=True).values()),
            spans.total(tallies[p.a, p.b].scores(exact=False).values()),
        )
        for p in stats.pairs
    )
    return AgreementReport(
        annotators=annotators,
        kind=kind,
        documents=len(compared),
        documents_left_out=len(documents) - len(compared),
        items=stats.items,
        alpha=stats.alpha,
        fleiss_kappa=stats.fleiss_kappa,
        observed=stats.observed,
        pairs=pairs,
        per_label=_per_label(annotators, keyed, list(tallies.values())),
        method=stats.method,
    )


def _keyed_spans(
    by_doc: Mapping[str, Sequence[RawSpan]], shared: Collection[str], kind: str | None
) -> tuple[dict[str, dict[str, list[spans.Bounds]]], dict[str, list[tuple[int, int, str]]]]:
    """One annotator's spans of the counted kind in the shared documents, duplicates
    dropped: by document and label key, and by document in (start, -end, key) order."""
    keyed: dict[str, dict[str, list[spans.Bounds]]] = {}
    ordered: dict[str, list[tuple[int, int, str]]] = {}
    for doc_id, items in by_doc.items():
        if doc_id not in shared:
            continue
        if kind is None:
            flat = [
                (s, -e, "stance:" + lb if k == "stance" else lb)
                for s, e, k, lb in set(items)
                if k in MIXED_KINDS
            ]
        else:
            flat = [(s, -e, lb) for s, e, k, lb in set(items) if k == kind]
        if not flat:
            continue
        flat.sort()
        by_key: dict[str, list[spans.Bounds]] = {}
        for start, neg_end, key in flat:  # so each key's spans are in start order
            found = by_key.get(key)
            if found is None:
                by_key[key] = [(start, -neg_end)]
            else:
                found.append((start, -neg_end))
        keyed[doc_id] = by_key
        ordered[doc_id] = flat
    return keyed, ordered


def _shared_documents(
    documents: Mapping[str, str],
    annotators: Sequence[str],
    coverage: Mapping[str, Collection[str]] | None,
) -> set[str]:
    shared = set(documents)
    if coverage is None:
        return shared
    for annotator in annotators:
        shared &= set(coverage.get(annotator, ()))
    if not shared:
        counts = ", ".join(f"{c} {len(coverage.get(c, ()))}" for c in annotators)
        raise NoSharedDocumentsError(
            f"the annotators have no document in common (documents: {counts}); "
            "agreement compares annotations of the same texts"
        )
    return shared


def _per_label(
    annotators: Sequence[str],
    keyed: Mapping[str, Mapping[str, Mapping[str, list[spans.Bounds]]]],
    tallies: Sequence[spans.SpanTally],
) -> dict[str, LabelReport]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for annotator in annotators:
        for by_key in keyed[annotator].values():
            for key, items in by_key.items():
                counts[key][annotator] += len(items)
    exact: dict[str, SpanScore] = defaultdict(lambda: spans.ZERO)
    overlap: dict[str, SpanScore] = defaultdict(lambda: spans.ZERO)
    for tally in tallies:
        for key, score in tally.scores(exact=True).items():
            exact[key] = exact[key] + score
        for key, score in tally.scores(exact=False).items():
            overlap[key] = overlap[key] + score
    return {
        key: LabelReport(key, exact[key], overlap[key], {c: counts[key][c] for c in annotators})
        for key in sorted(counts)
    }
