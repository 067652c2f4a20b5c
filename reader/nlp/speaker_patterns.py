"""Word lists and compiled patterns for quote attribution (used by speakers.py)."""

from __future__ import annotations

import re


def _alt(spaced: str) -> str:
    """A regex alternation of the words (longest first, so "says" wins over "say")."""
    words = sorted(spaced.split("|"), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in words)


# Verbs that introduce speech and can come before their subject: `,” said Smith`.
SAY_VERBS = (
    "said|says|say|added|adds|asked|asks|explained|explains|wrote|writes|noted|notes|"
    "continued|continues|recalled|recalls|warned|warns|replied|replies|declared|declares|"
    "insisted|insists|argued|argues|stated|states|concluded|concludes|observed|remarked|"
    "stressed|stresses|emphasized|emphasised|countered|cautioned|complained|complains|"
    "conceded|admitted|admits|acknowledged|announced|announces|claimed|claims|predicted|"
    "promised|vowed|suggested|testified|commented|reported|quipped|shouted|yelled|"
    "whispered|exclaimed|responded|answered|reiterated|maintained|contended|agreed|"
    "went on|pointed out|told|tells|tell|"
    "was quoted as saying|is quoted as saying|were quoted as saying|quoted as saying"
)
# Verbs that attribute only with a clear subject (a pronoun or a named entity):
# `He accused Washington of “lying”`, but not `a film called “Evita”`.
WEAK_VERBS = (
    "called|calls|described|describes|accused|accuses|dubbed|branded|labelled|labeled|"
    "termed|urged|urges|chanted|denounced|condemned|dismissed|praised|criticized|"
    "criticised|welcomed|demanded|demands|quoted|cited"
)
_LISTENER_VERBS = frozenset(("told", "tells", "tell"))  # `told reporters`: the object listens

_TITLE = r"(?:Mr|Mrs|Ms|Mme|Dr|Prof|Gen|Gov|Sen|Rep|Rev|Lt|Col|Maj|Capt|Sgt|Adm|Sr|Jr|St)\."
# U.S, al-Jaafari, O’Neill, Mrs. (no other trailing stop)
WORD = rf"(?:{_TITLE}|\w[\w’'\-]*(?:\.\w[\w’'\-]*)*)"
_VERB_ALT = _alt(SAY_VERBS + "|" + WEAK_VERBS)
_SAY_ALT = _alt(SAY_VERBS)
_NP_STOP_ALT = (
    "who|which|that|after|before|in|at|on|during|to|when|as|while|from|with|and|but|"
    "because|adding|referring|according|since|if|though|although|than|for|by|about|near|"
    "outside|inside|under|over|into|across|among|between|within|without|through|via|amid|"
    "against|behind|toward|towards|upon|whose|where|whom|speaking|saying|told"
)

# after a quote: `,” the Iranian leader said`, `,” he told delegates`, `,” Smith, 45, said`
POST_SUBJECT_VERB = re.compile(
    rf"[ \t,.;:—–-]{{0,4}}(?P<sp>{WORD}(?:[ \t]+{WORD}){{0,5}}?)(?:,[ \t]*\d{{1,3}},)?"
    rf"[ \t]+(?P<v>{_VERB_ALT})\b"
)
# after a quote: `,” said a statement after the talks`, `,” said John Munuve, an ...`
POST_VERB_SUBJECT = re.compile(
    rf"[ \t,.;:—–-]{{0,4}}(?P<v>{_SAY_ALT})[ \t]+(?P<sp>{WORD}(?:[ \t]+{WORD}){{0,5}}?)"
    rf"(?=[ \t]*(?:[,.;:!?(—–“‘\"]|$)|[ \t]+(?:{_NP_STOP_ALT})\b)"
)
# after a quote: `,” according to the ministry.`
POST_ACCORDING = re.compile(r"[ \t,.;:—–-]{0,4}according[ \t]+to[ \t]+")
# in the text before a quote: every speech verb, and `according to`
VERB = re.compile(rf"\b(?P<v>{_VERB_ALT}|according[ \t]+to)\b")
WORD_RE = re.compile(WORD)
NP_AFTER = re.compile(
    rf"(?P<sp>{WORD}(?:[ \t]+{WORD}){{0,5}}?)(?=[ \t]*(?:[,.;:!?(—–“‘\"]|$)|[ \t]+(?:{_NP_STOP_ALT})\b)"
)

PRONOUNS = frozenset(("he", "she", "they", "it", "we", "i", "you"))
PERSONAL_PRONOUNS = frozenset(("he", "she"))
_DETERMINERS = (
    "a an the another one two three four several some many most other this these those "
    "its his her their our"
)
DETERMINERS = frozenset(_DETERMINERS.split())
# Words that cannot be part of a speaker noun phrase (a clause or a preposition lies between).
NP_STOP = frozenset(
    (
        _NP_STOP_ALT.replace("|", " ")
        + " or not was were is are be been being had has have do does did will would can could "
        "should may might must also then there here so yet said says told tells"
    ).split()
)
SPEECH_WEAK = frozenset(WEAK_VERBS.split("|"))


def is_listener_verb(verb: str) -> bool:
    return verb.lower() in _LISTENER_VERBS


def is_weak_verb(verb: str) -> bool:
    return verb.lower() in SPEECH_WEAK
