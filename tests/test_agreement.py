"""Inter-annotator agreement: figures worked out by hand, checked against NLTK's
`AnnotationTask`, and the edge cases that must give a clear error."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from reader.agreement.agreement import (
    AgreementError,
    NoSharedDocumentsError,
    NothingToCompareError,
    TooFewAnnotatorsError,
    compute_agreement,
)
from reader.agreement.sources import LoadedSource, merge_sources
from reader.agreement.spans import _sweep, matches, overlapping_pairs
from reader.agreement.units import (
    fast_statistics,
    nltk_statistics,
    sentence_bounds,
    sentence_values,
    statistics,
)
from reader.annotate.annotations import Annotation
from reader.corpus import text_id

METHODS = ("nltk", "fast")


def lines_text(count: int) -> str:
    """A text of `count` one-line sentences: sentence i is line i."""
    return "".join(f"Sentence number {i} is here.\n" for i in range(count))


def line_span(text: str, i: int) -> tuple[int, int]:
    bounds = sentence_bounds("t", text)
    return bounds[i]


def ann(doc: str, start: int, end: int, label: str, who: str, kind: str = "claim") -> Annotation:
    return Annotation(doc, start, end, "x" * (end - start), kind, label, who)


def label_sentences(text: str, doc: str, who: str, labels: dict[int, str]) -> list[Annotation]:
    """`who` labels whole sentences: sentence index -> label."""
    return [ann(doc, *line_span(text, i), label, who) for i, label in labels.items()]


def approx(value: Fraction | float) -> object:
    return pytest.approx(float(value), abs=1e-9)


# --- Cohen's kappa: the classic 2 x 2 table ------------------------------------------


def test_classic_cohen_kappa_table() -> None:
    """The textbook table (Wikipedia, "Cohen's kappa"): 50 proposals read by A and B.

                 B yes   B no
        A yes      20      5     (A: 25 yes)
        A no       10     15     (A: 25 no)
                (B: 30)  (B: 20)

    p_o = (20 + 15) / 50 = 0.7
    p_e = (25/50)(30/50) + (25/50)(20/50) = 0.3 + 0.2 = 0.5
    kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    "yes" is a YES annotation on the sentence; "no" is no annotation (NONE).
    """
    text = lines_text(50)
    a_yes = {i: "YES" for i in range(25)}  # 0-19 both, 20-24 A only
    b_yes = {i: "YES" for i in [*range(20), *range(25, 35)]}  # 25-34 B only
    for method in METHODS:
        report = compute_agreement(
            {"d": text},
            {
                "A": label_sentences(text, "d", "A", a_yes),
                "B": label_sentences(text, "d", "B", b_yes),
            },
            method=method,
        )
        assert report.items == 50
        (pair,) = report.pairs
        assert (pair.a, pair.b) == ("A", "B")
        assert pair.observed == approx(0.7)
        assert pair.cohen_kappa == approx(0.4)
        # With two annotators Fleiss' kappa (multi-pi) is Scott's pi:
        # pooled p(yes) = (25 + 30) / 100 = 0.55, p_e = 0.55^2 + 0.45^2 = 0.505,
        # pi = (0.7 - 0.505) / (1 - 0.505) = 0.195 / 0.495
        assert report.fleiss_kappa == approx(Fraction(195, 495))
        # Spans: 20 of A's 25 sentences match B's 30 exactly: P = 20/30, R = 20/25.
        assert pair.exact.precision == approx(Fraction(20, 30))
        assert pair.exact.recall == approx(Fraction(20, 25))
        assert pair.exact.f1 == approx(Fraction(2 * 20, 25 + 30))


# --- Krippendorff's alpha, Fleiss' kappa and Cohen's kappa: 3 coders, 4 items ----------


def test_alpha_fleiss_and_pairs_by_hand() -> None:
    """Three coders, four sentences, every sentence labelled by everyone:

        item   c1  c2  c3
          1    A   A   A
          2    A   A   B
          3    B   B   B
          4    A   B   B

    Krippendorff's alpha (nominal), coincidence matrix: each item adds its ordered pairs
    of values weighted 1/(m - 1) = 1/2: item 1 gives o_AA += 3; item 2 gives o_AA += 1,
    o_AB += 1, o_BA += 1; item 3 gives o_BB += 3; item 4 gives o_BB += 1, o_AB += 1,
    o_BA += 1. So o_AA = 4, o_AB = o_BA = 2, o_BB = 4; n_A = n_B = 6, n = 12.
        D_o = (o_AB + o_BA) / n = 4/12 = 1/3
        D_e = (n_A n_B + n_B n_A) / (n (n - 1)) = 72/132 = 6/11
        alpha = 1 - (1/3) / (6/11) = 1 - 11/18 = 7/18

    Fleiss' kappa: P_i = agreeing ordered pairs / 6 = 1, 1/3, 1, 1/3 -> mean 2/3;
    p_A = p_B = 6/12 -> P_e = 1/2; kappa = (2/3 - 1/2) / (1/2) = 1/3.

    Cohen's kappa per pair (marginals: c1 A 3/4, c2 A 2/4, c3 A 1/4):
        c1-c2: p_o = 3/4, p_e = 3/4*2/4 + 1/4*2/4 = 1/2,  kappa = (1/4)/(1/2) = 1/2
        c1-c3: p_o = 2/4, p_e = 3/4*1/4 + 1/4*3/4 = 3/8,  kappa = (1/8)/(5/8) = 1/5
        c2-c3: p_o = 3/4, p_e = 2/4*1/4 + 2/4*3/4 = 1/2,  kappa = 1/2
    """
    text = lines_text(4)
    table = {"c1": "AABA", "c2": "AABB", "c3": "ABBB"}
    annotations = {
        c: label_sentences(text, "d", c, dict(enumerate(values))) for c, values in table.items()
    }
    for method in METHODS:
        report = compute_agreement({"d": text}, annotations, method=method)
        assert report.items == 4
        assert report.alpha == approx(Fraction(7, 18))
        assert report.fleiss_kappa == approx(Fraction(1, 3))
        assert report.observed == approx(Fraction(2, 3))
        kappas = {(p.a, p.b): p.cohen_kappa for p in report.pairs}
        assert kappas == {
            ("c1", "c2"): approx(Fraction(1, 2)),
            ("c1", "c3"): approx(Fraction(1, 5)),
            ("c2", "c3"): approx(Fraction(1, 2)),
        }
    # And NLTK's AnnotationTask on the same table says the same.
    from nltk.metrics.agreement import AnnotationTask  # here: NLTK is slow to import

    task = AnnotationTask([(c, i, v) for c, values in table.items() for i, v in enumerate(values)])
    assert task.alpha() == approx(Fraction(7, 18))
    assert task.pi() == approx(Fraction(1, 3))
    assert task.kappa_pairwise("c1", "c3") == approx(Fraction(1, 5))


def test_perfect_agreement() -> None:
    text = lines_text(6)
    labels = {0: "FACT", 1: "OPINION", 3: "FACT", 5: "PREDICTION"}
    annotations = {c: label_sentences(text, "d", c, labels) for c in ("x", "y", "z")}
    for method in METHODS:
        report = compute_agreement({"d": text}, annotations, method=method)
        assert report.alpha == 1.0
        assert report.fleiss_kappa == 1.0
        assert report.observed == 1.0
        for pair in report.pairs:
            assert pair.cohen_kappa == 1.0
            assert pair.exact.f1 == 1.0 and pair.overlap.f1 == 1.0
        assert report.per_label["FACT"].annotations == {"x": 2, "y": 2, "z": 2}


def test_total_disagreement() -> None:
    """Two sentences, two coders who swap the labels:

        item  A  B
          1   X  Y
          2   Y  X

    Cohen: p_o = 0, p_e = 1/2*1/2 + 1/2*1/2 = 1/2, kappa = (0 - 1/2)/(1/2) = -1.
    Fleiss (Scott's pi): pooled p_X = p_Y = 1/2, P_e = 1/2, kappa = -1.
    Alpha: o_XY = o_YX = 2 (one each per item), n = 4, n_X = n_Y = 2;
        D_o = 4/4 = 1, D_e = (2*2 + 2*2)/(4*3) = 2/3, alpha = 1 - 1/(2/3) = -1/2.
    """
    text = lines_text(2)
    annotations = {
        "A": label_sentences(text, "d", "A", {0: "X", 1: "Y"}),
        "B": label_sentences(text, "d", "B", {0: "Y", 1: "X"}),
    }
    for method in METHODS:
        report = compute_agreement({"d": text}, annotations, method=method)
        assert report.pairs[0].cohen_kappa == approx(-1)
        assert report.fleiss_kappa == approx(-1)
        assert report.alpha == approx(Fraction(-1, 2))
        assert report.observed == 0.0
        assert report.pairs[0].exact.f1 == 0.0 and report.pairs[0].overlap.f1 == 0.0


# --- sentence values ------------------------------------------------------------------


def test_value_is_the_label_covering_most_of_the_sentence() -> None:
    bounds = ((0, 10), (11, 20), (21, 30))
    spans = sorted(
        [
            (0, -4, "SHORT"),  # covers 4 of sentence 0
            (2, -10, "LONG"),  # covers 8 of sentence 0: wins
            (9, -13, "EDGE"),  # 1 of sentence 0, 2 of sentence 1: sentence 1's only one
        ]
    )
    assert sentence_values(bounds, spans) == ["LONG", "EDGE", None]


def test_value_ties_go_to_the_earliest_start() -> None:
    bounds = ((0, 10),)
    # both cover 4 characters: the one starting first wins, whatever its label
    assert sentence_values(bounds, sorted([(6, -12, "A"), (0, -4, "B")])) == ["B"]


def test_a_stance_labelled_none_is_not_no_annotation() -> None:
    text = lines_text(2)
    stance = [ann("d", *line_span(text, 0), "NONE", "A", kind="stance")]
    nothing = [ann("d", *line_span(text, 1), "FACT", "B")]  # B has nothing on sentence 0
    report = compute_agreement({"d": text}, {"A": stance, "B": nothing}, method="fast")
    assert report.observed == 0.0  # (stance:NONE vs nothing) and (nothing vs FACT)
    assert set(report.per_label) == {"FACT", "stance:NONE"}
    only_stance = compute_agreement({"d": text}, {"A": stance, "B": nothing}, kind="stance")
    assert set(only_stance.per_label) == {"NONE"}
    assert only_stance.items == 2  # both sentences of the one document with a stance


def test_kind_filter_and_sentences_nobody_labelled_count_as_none() -> None:
    text = lines_text(4)
    a = label_sentences(text, "d", "A", {0: "FACT"}) + [
        ann("d", *line_span(text, 1), "FAVOR", "A", kind="stance")
    ]
    b = label_sentences(text, "d", "B", {0: "FACT", 1: "OPINION"})
    both = compute_agreement({"d": text}, {"A": a, "B": b}, method="nltk")
    # values: s0 FACT/FACT, s1 stance:FAVOR/OPINION, s2 -/-, s3 -/-: 3 of 4 agree
    assert both.items == 4 and both.pairs[0].observed == approx(0.75)
    claims = compute_agreement({"d": text}, {"A": a, "B": b}, kind="claim", method="nltk")
    # s1 is now nothing/OPINION: still 3 of 4
    assert claims.pairs[0].observed == approx(0.75)
    assert set(claims.per_label) == {"FACT", "OPINION"}


# --- spans ----------------------------------------------------------------------------


def test_span_precision_recall_f1_exact_and_overlap() -> None:
    """A (reference): X 0-10, X 20-30, Y 40-50; B: X 0-10, X 22-30, Y 60-70.
    Exact: only X 0-10 matches -> P = 1/3, R = 1/3, F1 = 1/3.
    Overlap: X 0-10 and X 20-30 ~ X 22-30 match; Y 40-50 and Y 60-70 do not overlap
    -> P = R = F1 = 2/3. Per label: X exact 1 of 2 each, overlap 2 of 2; Y 0 of 1."""
    text = "y" * 80
    a = [ann("d", 0, 10, "X", "A"), ann("d", 20, 30, "X", "A"), ann("d", 40, 50, "Y", "A")]
    b = [ann("d", 0, 10, "X", "B"), ann("d", 22, 30, "X", "B"), ann("d", 60, 70, "Y", "B")]
    report = compute_agreement({"d": text}, {"A": a, "B": b})
    pair = report.pairs[0]
    assert (pair.exact.matched, pair.exact.reference, pair.exact.candidate) == (1, 3, 3)
    assert pair.exact.f1 == approx(Fraction(1, 3))
    assert pair.overlap.precision == approx(Fraction(2, 3))
    assert pair.overlap.recall == approx(Fraction(2, 3))
    x, y = report.per_label["X"], report.per_label["Y"]
    assert x.exact.f1 == approx(0.5) and x.overlap.f1 == 1.0
    assert y.exact.f1 == 0.0 and y.overlap.f1 == 0.0
    json = report.to_json()
    assert json["pairs"][0]["span_f1_exact"] == 0.333333  # rounded to 6 digits
    assert json["per_label"]["X"]["overlap"]["f1"] == 1.0


def test_overlap_matching_is_one_to_one_and_prefers_exact_then_largest() -> None:
    # one span of A overlaps two of B: only one of them can match
    assert matches([(0, 10)], [(0, 5), (5, 10)]) == (0, 1)
    # A's (0, 10) overlaps B's (2, 10) by 8 and B's (0, 3) by 3; A's (8, 20) overlaps only
    # B's (2, 10), by 2. Largest first pairs (0, 10) with (2, 10); then both other pairs
    # need a span already used: 1 match (greedy, not the largest possible matching).
    assert matches([(0, 10), (8, 20)], [(0, 3), (2, 10)]) == (0, 1)
    assert matches([(0, 10), (8, 20)], [(2, 10)]) == (0, 1)
    # an exact match is taken first even when another pairing would match more
    assert matches([(0, 10), (5, 12)], [(0, 10)]) == (1, 1)


def test_overlapping_pairs_sweep_equals_brute_force() -> None:
    rng = random.Random(5)
    for _ in range(300):
        a = sorted({(s, s + rng.randint(1, 12)) for s in rng.sample(range(60), rng.randint(1, 25))})
        b = sorted({(s, s + rng.randint(1, 12)) for s in rng.sample(range(60), rng.randint(1, 25))})
        brute = sorted(
            (-(min(x[1], y[1]) - max(x[0], y[0])), x[0], y[0], x[1], y[1])
            for x in a
            for y in b
            if min(x[1], y[1]) > max(x[0], y[0])
        )
        assert sorted(_sweep(a, b)) == brute
        assert sorted(overlapping_pairs(a, b)) == brute


def test_no_spans_on_either_side_counts_as_agreement() -> None:
    """With three annotators, two may have labelled nothing where the third did."""
    text = lines_text(3)
    annotations = {
        "A": label_sentences(text, "d", "A", {0: "FACT"}),
        "B": [ann("other", 0, 5, "FACT", "B")],  # nothing in d
        "C": [ann("other", 0, 5, "FACT", "C")],
    }
    report = compute_agreement({"d": text, "other": "z" * 20}, annotations, method="fast")
    b_c = next(p for p in report.pairs if (p.a, p.b) == ("B", "C"))
    assert b_c.cohen_kappa == 1.0  # NONE everywhere from both: NLTK's convention
    # 'other' is compared too (someone labelled it); there B and C agree exactly
    assert b_c.exact.f1 == 1.0
    a_b = next(p for p in report.pairs if (p.a, p.b) == ("A", "B"))
    assert a_b.exact.precision == 0.0 and a_b.exact.recall == 0.0


# --- NLTK's AnnotationTask is the reference ---------------------------------------------


def test_fast_statistics_equal_nltk_on_random_data() -> None:
    rng = random.Random(11)
    values = [None, "FACT", "OPINION", "stance:NONE", "stance:FAVOR"]
    for _ in range(60):
        coders = [f"c{n}" for n in range(rng.randint(2, 4))]
        used = values[: rng.randint(1, len(values))]
        agree = rng.random()
        rows = []
        for _ in range(rng.randint(1, 60)):
            base = rng.choice(used)
            rows.append(tuple(base if rng.random() < agree else rng.choice(used) for _ in coders))
        fast, reference = fast_statistics(coders, rows), nltk_statistics(coders, rows)
        assert fast.alpha == pytest.approx(reference.alpha, abs=1e-9)
        assert fast.fleiss_kappa == pytest.approx(reference.fleiss_kappa, abs=1e-9)
        assert fast.observed == pytest.approx(reference.observed, abs=1e-9)
        for mine, theirs in zip(fast.pairs, reference.pairs, strict=True):
            assert (mine.a, mine.b) == (theirs.a, theirs.b)
            assert mine.cohen_kappa == pytest.approx(theirs.cohen_kappa, abs=1e-9)
            assert mine.observed == pytest.approx(theirs.observed, abs=1e-9)


def test_auto_method_asks_nltk_for_small_data_only() -> None:
    rows = [("A", "A"), ("A", "B")]
    assert statistics(["x", "y"], rows).method == "nltk"
    assert statistics(["x", "y"], rows * 20_000).method == "fast"


# --- edge cases -----------------------------------------------------------------------


def test_fewer_than_two_annotators() -> None:
    text = lines_text(2)
    with pytest.raises(TooFewAnnotatorsError, match="at least two annotators.*'A'"):
        compute_agreement({"d": text}, {"A": label_sentences(text, "d", "A", {0: "X"})})
    with pytest.raises(TooFewAnnotatorsError):
        compute_agreement({"d": text}, {})


def test_no_shared_documents() -> None:
    annotations = {"A": [ann("d1", 0, 4, "X", "A")], "B": [ann("d2", 0, 4, "X", "B")]}
    documents = {"d1": "one two.", "d2": "three four."}
    with pytest.raises(NoSharedDocumentsError, match="no document in common.*A 1, B 1"):
        compute_agreement(documents, annotations, coverage={"A": {"d1"}, "B": {"d2"}})


def test_only_shared_documents_are_compared() -> None:
    text = lines_text(2)
    documents = {"d": text, "only_a": lines_text(3)}
    annotations = {
        "A": label_sentences(text, "d", "A", {0: "X"}) + [ann("only_a", 0, 5, "X", "A")],
        "B": label_sentences(text, "d", "B", {0: "X"}),
    }
    report = compute_agreement(documents, annotations, coverage={"A": {"d", "only_a"}, "B": {"d"}})
    assert (report.documents, report.documents_left_out, report.items) == (1, 1, 2)
    assert report.per_label["X"].annotations == {"A": 1, "B": 1}


def test_nothing_of_the_kind_asked_for() -> None:
    text = lines_text(2)
    annotations = {c: label_sentences(text, "d", c, {0: "FACT"}) for c in ("A", "B")}
    with pytest.raises(NothingToCompareError, match="no stance annotations in the 1 document"):
        compute_agreement({"d": text}, annotations, kind="stance")
    with pytest.raises(AgreementError, match="kind must be"):
        compute_agreement({"d": text}, annotations, kind="topic")


def test_report_json_shape() -> None:
    text = lines_text(3)
    annotations = {c: label_sentences(text, "d", c, {0: "FACT", 2: "OPINION"}) for c in "AB"}
    data = compute_agreement({"d": text}, annotations).to_json()
    assert data["annotators"] == ["A", "B"]
    assert isinstance(data["items"], int)
    assert isinstance(data["alpha"], float) and isinstance(data["fleiss_kappa"], float)
    (pair,) = data["pairs"]
    for key, kind in (("a", str), ("b", str), ("cohen_kappa", float), ("observed", float)):
        assert isinstance(pair[key], kind)
    assert isinstance(pair["span_f1_exact"], float)
    assert isinstance(pair["span_f1_overlap"], float)
    assert set(data["per_label"]) == {"FACT", "OPINION"}


# --- merging sources ----------------------------------------------------------------------


def _source(path: str, text: str, records: list[tuple], meta: dict | None = None) -> LoadedSource:
    return LoadedSource(path, [(text_id(text), text, meta or {})], records)


def test_sources_merge_one_annotator_and_keep_the_latest_version() -> None:
    text = "Alpha beta. Gamma delta."
    doc = text_id(text)
    old = ("ann", "id1", "2025-01-01T00:00:00.000Z", doc, 0, 11, "claim", "FACT")
    new = ("ann", "id1", "2025-02-01T00:00:00.000Z", doc, 0, 11, "claim", "OPINION")
    other = ("ann", "id2", "2025-01-01T00:00:00.000Z", doc, 12, 24, "claim", "FACT")
    merged = merge_sources([_source("a.jsonl", text, [new]), _source("b.json", text, [old, other])])
    assert sorted(merged.annotations["ann"][doc]) == [
        (0, 11, "claim", "OPINION"),
        (12, 24, "claim", "FACT"),
    ]
    assert merged.coverage == {"ann": {doc}}


def test_sources_same_id_different_text_is_refused() -> None:
    from reader.agreement.agreement import DocumentTextConflictError

    first = LoadedSource("a.json", [("doc1", "One text.", {})], [])
    second = LoadedSource("b.json", [("doc1", "Another text.", {})], [])
    with pytest.raises(
        DocumentTextConflictError, match="doc1 has different texts in a.json and b.json"
    ):
        merge_sources([first, second])


def test_sources_same_meta_id_different_text_warns() -> None:
    one = _source("a.jsonl", "Version one.", [], {"id": "art-7"})
    two = _source("b.jsonl", "Version two.", [], {"id": "art-7"})
    merged = merge_sources([one, two])
    assert merged.warnings == [
        "document 'art-7' has a different text in b.jsonl than in a.jsonl: "
        "annotations of different texts are not compared"
    ]
