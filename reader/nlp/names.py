"""Patterns, word sets and small helpers of the entity recogniser (see entities.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_UP = "A-ZÀ-ÖØ-Þ"
_ABBREV = (
    "Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Sgt|Cpl|Pvt|Adm|Cmdr|Brig|Gov|Sen|Rep|Rev|Fr|Insp|Supt"
    "|Atty|St|Mt|Ft|Jr|Sr|Mme|Co|Corp|Inc|Ltd|Bros"
)
_PARTICLE = "al|el|ad|as|ash|at|ar|an|az|abu|bin|ibn|ben|d|l"
_TAIL = rf"(?:\w|['’](?!s\b)(?=\w)|-(?=[{_UP}\d]))*"
_WORD = (
    rf"(?:(?:[{_UP}]\.){{2,}}"  # U.S., U.N.
    rf"|(?:{_ABBREV})\."  # Gen., St.
    rf"|[{_UP}]\.(?= [{_UP}])"  # an initial: John F. Kennedy
    rf"|(?:{_PARTICLE})[-'’][{_UP}]{_TAIL}"  # al-Jaafari
    rf"|[{_UP}]{_TAIL})"  # Iran, O'Hara, Moen-Guidon, Shi'ite
)
_CONNECTORS = (
    "of the|of|for the|for|de la|de los|de|del|della|di|da|du|des|van der|van den|van|von der|von"
    "|der|den|bin|ibn|bint|abu|al|el|la|le|y|dos|das|do|arap|zu|on"
)
RUN = re.compile(rf"(?<![\w'’]){_WORD}(?:(?: (?:{_CONNECTORS}))? {_WORD})*")
ACRONYM = re.compile(rf"(?:[{_UP}]\.){{2,}}|[{_UP}][{_UP}&]{{1,5}}")
DIGIT = re.compile(r"\d")
CONTRACTION = re.compile(r"\w['’](?:ve|m|ll|re|d|t)$")
WORD_LOWER = re.compile(r"\b[a-z][a-z'’-]+\b")
OPENER_SKIP = " \t\"'`‘“(«[_—–-"
BREAK = ".!?\n:;"
SPEECH = re.compile(
    r"[, ]*(?:said|says|told|added|asked|stated|declared|insisted|argued|wrote|explained|"
    r"noted|warned|replied|announced|acknowledged|admitted|claimed|\d{1,3},)\b"
)
SAID_BEFORE = re.compile(r"(?:said|says|told|according to|quoted|thanked)\s+$")
LOC_PREP = re.compile(
    r"(?:\b(?:in|at|near|from|into|across|outside|visit to)|(?:town|city|village|province"
    r"|region|capital|state|district|port|suburb) of)\s+$"
)
IN_PLACE = re.compile(r"\b(?:in|at|near)\s+$")
THE_BEFORE = re.compile(r"\b[Tt]he\s+$")
PAREN_ACRONYM = re.compile(rf"\s*\((?:(?:[{_UP}]\.){{2,}}|[{_UP}][{_UP}&-]{{1,8}})\)")
DATELINE_END = re.compile(r",| \(|\s*[-_—–]")
SUFFIX_NOT_NAME = ("ly", "ing", "ed")
ORG_WORDS = _words(
    "National International United Democratic Islamic Republican Federal Royal Central General "
    "Popular People's Revolutionary Liberation Socialist Communist Workers Labor Labour Red "
    "Resistance Solidarity Progressive Conservative Liberal Christian Catholic Holy Supreme "
    "Security Olympic Worldwide Global Standard"
)
MISC_WORDS = _words(
    "Cup Open Games Olympics Championship Championships War Wars Tour Act Code Bill Award Awards "
    "Prize Festival Resolution Treaty Accord Accords Agreement Protocol Day Week Era Age Epoque "
    "Revolution Show Trophy Series Marathon Classic Final Finals Masters Derby Olympian Prix "
    "Doctrine Plan Initiative Constitution Charter Declaration Report Index"
)
NOT_PORTFOLIO = _words(
    "Foreign Prime Deputy Vice Senior Chief Former Acting Interim Assistant Associate Executive "
    "Marine Retired Top General"
)
LONE_ORGS = _words("Congress Parliament Senate Pentagon Kremlin")
INNER_TITLES = frozenset({"Ayatollah", "Sheikh", "Sheik"})  # kept inside the name span
COMPASS = _words("North South East West Central Northern Southern Eastern Western")
PLURAL_ACRONYM = re.compile(rf"[{_UP}]{{2,}}s")
DEFAULT_SINGLE = ""  # an unknown single word with no cue around it is left out


@dataclass(slots=True)
class Tok:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Candidate:
    toks: list[Tok]
    label: str
    strong: bool  # typed by the name itself, a title or a head word
    city: bool = False  # typed only because a city has this name
    cue: bool = False  # a weak type from the words around it, not a bare guess


def is_connector(tok: Tok) -> bool:
    return tok.text[0].islower() and "-" not in tok.text and "'" not in tok.text


def lookup_key(text: str) -> str:
    """Look-up form: 'NAIROBI' -> 'Nairobi'; apostrophes made plain."""
    if text.isupper() and "." not in text and len(text) > 3:
        text = " ".join(w.capitalize() for w in text.split(" "))
    return text.replace("’", "'")


def strip_particle(word: str) -> str:
    head, sep, rest = word.partition("-")
    return rest if sep and head.islower() and rest else word
