"""The "model" engine (the default): a CRF trained on public NER data tags the entities.

Sentences, quotes and speakers come from the same functions as the rules engine; only the
entities change. The rules' entities and the gazetteers are features of the model (see
`entity_features`), not the decision. The weights ship in the wheel
(`reader/nlp/data/entities.npz`: a CRF trained with python-crfsuite by
`python -m reader.nlp.training`, saved as arrays by `crf_weights`) and are loaded on first
use, once per process; state scores come from `entity_scores`, tags from `crf_weights.viterbi`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from .analysis import analysis
from .crf_weights import load, viterbi
from .document_names import pooled_tags
from .entities import find_entities
from .entity_features import Token, WordFeatures, document_word_features, rule_tags, tokenize
from .entity_scores import ScoreTables
from .gazetteer import lexicon
from .pipeline import EngineError
from .sentences import split_sentences
from .types import Analysis, Entity, Span

MODEL_FILE = "entities.npz"
FALLBACK = False  # rules' entities where the model found nothing (measured: no gain held out)
PLACE_CHECK = False  # rules' ORG/PERSON for a place no gazetteer knows (same)
DOCUMENT_NAMES = True  # pool a word's mentions' probabilities (document_names, MODELS.md)


@cache
def entity_model() -> ScoreTables:
    """The shipped model's weights (with their per-word score cache), read once per process."""
    path = Path(__file__).with_name("data") / MODEL_FILE
    if not path.is_file():
        raise EngineError(f"the entity model is missing ({MODEL_FILE}); reinstall reader")
    try:
        weights = load(path)
    except (OSError, KeyError, ValueError) as exc:
        raise EngineError(f"the entity model is damaged ({exc}); reinstall reader") from None
    return ScoreTables(weights, WordFeatures(lexicon(), weights.lowercase))


def _known_place(text: str) -> bool:
    lex = lexicon()
    key = text.replace("’", "'")
    if key.isupper() and len(key) > 3 and "." not in key:
        key = " ".join(w.capitalize() for w in key.split())
    return key in lex.countries or key in lex.cities or key in lex.regions


def _label(tag: str, rule: str, text: str) -> str | None:
    """reader's label for a span the model tagged `tag` (PER ORG LOC MISC)."""
    if tag == "PER":
        return "PERSON"
    if tag == "ORG":
        return "ORG"
    lex = lexicon()
    if tag == "LOC":
        if text.split()[-1] in lex.org_heads:  # "Iranian Embassy", "Parliament": its head word
            return "ORG"  # says what it is (measured on held-out wikigold: MODELS.md)
        if PLACE_CHECK and rule in ("ORG", "PERSON") and not _known_place(text):
            return rule
        if rule in ("GPE", "LOC"):
            return rule
        return "LOC" if text in lex.regions else "GPE"
    # MISC: reader keeps only nationalities and groups (NORP)
    if rule == "NORP" or all(w in lex.demonyms for w in text.split()):
        return "NORP"
    return None


def _trim(tokens: Sequence[Token], i: int, j: int, kind: str) -> tuple[int, int]:
    """The span's tokens `[i, j)` without what reader keeps outside a name: a leading
    "the", a person's titles ("President", "Gen."), a trailing possessive or mark."""
    lex = lexicon()
    while i < j and (
        tokens[i].text.lower() == "the" or (kind == "PER" and tokens[i].text in lex.titles)
    ):
        i += 1
    while i < j and (tokens[j - 1].text in _POSSESSIVE or not tokens[j - 1].text[0].isalnum()):
        j -= 1
    return i, j


_POSSESSIVE = frozenset({"'s", "’s", "'S", "’S", "'", "’"})


def decode(
    text: str, tokens: Sequence[Token], tags: Sequence[str], rules: Sequence[str]
) -> list[Entity]:
    """BIO tags to entities: a span starts at B- (or an I- after another type). A span with
    no word in capitals or digits ("pope", "army") is not a name and is left out."""
    out: list[Entity] = []
    i = 0
    n = len(tokens)
    lex = lexicon()
    for first in [k for k, tag in enumerate(tags) if tag != "O"]:
        if first < i:
            continue  # inside the span before
        kind = tags[first][2:]
        j = first + 1
        while j < n and tags[j] == "I-" + kind:
            j += 1
        a, b = _trim(tokens, first, j, kind)
        i = j
        if a >= b or not any(t.text[0].isupper() or t.text[0].isdigit() for t in tokens[a:b]):
            continue
        start, end = tokens[a].start, tokens[b - 1].end
        span = text[start:end]
        if b - a == 1 and span.replace("’", "'") in lex.demonyms:
            label: str | None = "NORP"  # "Israeli", "Hutu": a nationality or group
        else:
            label = _label(kind, rules[a][2:], span)
        if label is not None:
            out.append(Entity(start, end, label, span))
    return out


def find_model_entities(text: str, sentences: Sequence[Span]) -> list[Entity]:
    """PERSON, ORG, GPE, LOC and NORP spans of `text` by the trained model, in order."""
    if not text:
        return []
    return tag_entities(text, sentences, entity_model())


def model_inputs(
    text: str, sentences: Sequence[Span]
) -> tuple[list[list[Token]], list[list[str]], list[Entity]]:
    """The model's tokens of each sentence of `text` (sentences without any left out), the
    rules' tag of each token, and the rules' entities."""
    rules = find_entities(text, sentences)
    toks = [tokenize(text, s.start, s.end) for s in sentences]
    toks = [t for t in toks if t]
    flat = [t for sent in toks for t in sent]
    flat_rules = rule_tags(flat, rules)
    per_sentence: list[list[str]] = []
    k = 0
    for sent in toks:
        per_sentence.append(flat_rules[k : k + len(sent)])
        k += len(sent)
    return toks, per_sentence, rules


def tag_entities(
    text: str,
    sentences: Sequence[Span],
    model: ScoreTables,
    fallback: bool | None = None,
    pooled: bool | None = None,
) -> list[Entity]:
    """The entities `model` finds in `text`; with `fallback`, a rules entity the model left
    entirely untagged is kept too; with `pooled`, names found by pooling a word's mentions
    (`document_names`) are tagged too."""
    toks, per_sentence, rules = model_inputs(text, sentences)
    doc = document_word_features(toks, per_sentence)
    scores = model.document_scores(toks, per_sentence, doc)
    tags = viterbi(model.weights, scores, [len(s) for s in toks])
    if DOCUMENT_NAMES if pooled is None else pooled:
        tags = pooled_tags(toks, tags, scores, model.weights, doc)
    out: list[Entity] = []
    for sent, tags_out, tags_in in zip(toks, tags, per_sentence, strict=True):
        out.extend(decode(text, sent, tags_out, tags_in))
    out = consistent(out)
    if FALLBACK if fallback is None else fallback:
        out = _with_fallback(out, rules)
    return out


def consistent(found: list[Entity]) -> list[Entity]:
    """One name, one type in a document: a bare surname of a full name found elsewhere is
    a PERSON ("Fabius" after "Laurent Fabius"), and a name typed differently in different
    places takes the type most of its mentions have."""
    surnames = {
        e.text.split()[-1] for e in found if e.label == "PERSON" and len(e.text.split()) > 1
    }
    votes: dict[str, dict[str, int]] = {}
    for e in found:
        tally = votes.setdefault(e.text, {})
        tally[e.label] = tally.get(e.label, 0) + 1
    out: list[Entity] = []
    for e in found:
        label = e.label
        if " " not in e.text and e.text in surnames:
            label = "PERSON"
        else:
            tally = votes[e.text]
            best = max(tally, key=tally.__getitem__)
            if tally[best] > tally[label]:
                label = best
        out.append(e if label == e.label else Entity(e.start, e.end, label, e.text))
    return out


def _with_fallback(model: list[Entity], rules: Sequence[Entity]) -> list[Entity]:
    merged = list(model)
    k = 0
    for r in rules:
        while k < len(model) and model[k].end <= r.start:
            k += 1
        if k < len(model) and model[k].start < r.end:
            continue  # the model said something here: it decides
        merged.append(r)
    merged.sort(key=lambda e: e.start)
    return merged


class ModelEngine:
    name = "model"

    def analyze(self, text: str) -> Analysis:
        return analysis(self.name, text, split_sentences(text), find_model_entities)
