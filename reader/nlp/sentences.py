"""Sentence spans for news text, without downloaded data.

A newline always ends a sentence (paragraphs are lines). Inside a line, a sentence may end
after a run of stops (`.`, `!`, `?`, `…`, `..`) plus any closing quote marks or brackets,
when whitespace and a plausible sentence opener follow. Whether a `.` ends a sentence
depends on the word it ends, decided with word lists written here:

- titles (`Mr.`, `Gen.`, `Sen.`) and single initials (`John F. Kennedy`) never end one;
- other abbreviations and dotted initialisms (`Inc.`, `Jan.`, `U.S.`, `p.m.`) end one only
  when a common sentence-opening word follows (`... in the U.S. The talks ...`);
- an ellipsis ends one only when attached to a word and followed by a capital;
- a following lower-case word never starts a sentence (`….” it said`, `W.H.O. said`).

Every step is a compiled regex or a constant-time check per candidate, so the scan is linear.
"""

from __future__ import annotations

import re

from .types import Span


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Words that are followed by a name or number, never by the end of a sentence.
_TITLES = _words(
    "mr mrs ms messrs mme mlle dr prof gen lt col maj capt cmdr cmdt adm brig sgt cpl pvt "
    "gov sen rep rev fr msgr hon pres supt insp det atty amb sra mt ft univ"
)
# Abbreviations that can also end a sentence.
_ABBREVS = _words(
    "inc co corp ltd llc plc bros jr sr esq etc al vs cf ca approx est dept govt intl assn "
    "st ave blvd rd "
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat "
    "sun a.m p.m e.g i.e u.s u.n u.k u.s.a e.u d.c"
)
# Abbreviations that stand before a number ("No. 1", "Art. 5").
_BEFORE_NUMBER = _words("no nos art arts vol vols fig figs op pp para sec ch")
# Capitalised words that commonly open a sentence (used after an abbreviation).
_STARTERS = _words(
    "the a an he she it they we i you his her its their our this that these those there "
    "but and or so yet in on at for if when while after before as since although though "
    "however meanwhile also still then now some many most officials police no one two "
    "what who why how where mr mrs ms dr"
)
# A run of stops (matched once, from its first character) with optional closers, then
# horizontal space and the next token; the word before it is found by scanning back.
_CANDIDATE = re.compile(r"(?<![.!?…])([.!?…]++)([”’\"'»›)\]}]*+)(?=[^\S\n]++(\S))")
_OPENERS = "“‘\"'«‹([{`„¿¡—–-_"
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_WORD_AT = re.compile(r"[\w’'-]+")
_NEWLINES = re.compile(r"[^\n]+")


def _next_word(text: str, pos: int) -> str:
    """The word at `pos`, after any opening quote marks or brackets."""
    end = min(len(text), pos + 8)
    while pos < end and text[pos] in _OPENERS:
        pos += 1
    m = _WORD_AT.match(text, pos, min(len(text), pos + 40))
    return m.group() if m else text[pos : pos + 1]


def _word_before(text: str, pos: int, lo: int) -> str:
    """The whitespace-delimited word ending at `pos` (its last 40 characters at most)."""
    lo = max(lo, pos - 40)
    start = max(text.rfind(" ", lo, pos), text.rfind("\t", lo, pos), text.rfind("\u00a0", lo, pos))
    return text[max(start + 1, lo) : pos]


def _breaks(word: str, stops: str, nxt: str) -> bool:
    """Does a sentence end after `word` + `stops` (+ closers) when `nxt` follows?"""
    if not nxt:
        return False
    first = nxt[0]
    if first.islower():
        return False
    if not (first.isupper() or first.isdigit()):
        return True  # punctuation or a script without case: trust the stop
    if "!" in stops or "?" in stops:
        return True
    word = word.lstrip(_OPENERS)
    if "…" in stops or len(stops) >= 3:  # an ellipsis
        return bool(word) and word[-1].isalnum() and first.isupper()
    if not word:
        return True
    key = word.lower()
    if key in _TITLES:
        return False
    if key in _BEFORE_NUMBER:
        return not first.isdigit()
    if len(word) == 1 and word.isalpha() and word.isupper() and len(stops) == 1:
        return False  # an initial: "John F. Kennedy"
    if key in _ABBREVS or _INITIALISM.fullmatch(word):
        if len(stops) >= 2:  # "U.S.." doubled stop: the sentence ends
            return True
        return not first.isdigit() and nxt.lower() in _STARTERS
    return True


def _split_line(text: str, start: int, end: int, out: list[Span]) -> None:
    begin = start
    for m in _CANDIDATE.finditer(text, start, end):
        word = _word_before(text, m.start(), start)
        if _breaks(word, m.group(1), _next_word(text, m.start(3))):
            _emit(text, begin, m.end(2), out)
            begin = m.start(3)
    _emit(text, begin, end, out)


def _emit(text: str, start: int, end: int, out: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Span(start, end))


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of `text`, in order, trimmed of whitespace, never crossing a newline."""
    out: list[Span] = []
    for line in _NEWLINES.finditer(text):
        _split_line(text, line.start(), line.end(), out)
    return out
