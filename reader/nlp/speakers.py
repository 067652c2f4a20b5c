"""Quote speakers: the span in the text that each quote is attributed to.

For each quote, in order of preference:

1. an attribution right after it in its paragraph: `,” he said`, `,” the Iranian leader
   said`, `,” said a French diplomat`, `,” according to the ministry`;
2. a speech verb before it in its sentence, and that verb's subject: `Kerry said Washington
   was “not cooperating”`, `He accused Washington of “lying”` (verbs such as `called` count
   only with a pronoun or a named subject, so `a film called “Evita”` has no speaker);
3. the speaker of the quote before it in the same paragraph (`,” he said. “More.”`);
4. for a paragraph that opens with a quote (a quote-only or continued paragraph), the
   speaker of the paragraph before: its last quote's speaker or its last speech verb's
   subject.

A subject that holds a PERSON entity is narrowed to that name (`U.S. Secretary of State
John Kerry` -> `John Kerry`). A pronoun (`he`, `she`) is resolved to the last full PERSON
name mentioned outside quotes before it, and a short form (`Fabius`) to the full name
(`Laurent Fabius`) that ends with it, in `Speaker.resolved`. Every search is confined to
a bounded window around its quote, so the pass is linear in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from . import speaker_patterns as P
from .types import Entity, Quote, Span, Speaker

_PRE_WINDOW = 300  # chars of the sentence before a quote searched for a speech verb
_POST_WINDOW = 160  # chars after a quote searched for an attribution
_PREV_PARAGRAPH_WINDOW = 600  # chars at the end of the previous paragraph
_ANTECEDENT_WINDOW = 3000  # how far back a pronoun looks for its name
_NEWLINE = re.compile(r"\n")
_CLOSERS = "”’\"'»›"
_SPEECH_END = (".", "!", "?", ",", "…", ";", ":", "-", "—", "–")


class _Attributor:
    def __init__(
        self,
        text: str,
        quotes: Sequence[Quote],
        sentences: Sequence[Span],
        entities: Sequence[Entity],
    ) -> None:
        self.text = text
        self.quotes = quotes
        self.sent_starts = [s.start for s in sentences]
        self.newlines = [m.start() for m in _NEWLINE.finditer(text)]
        ents = sorted(entities, key=lambda e: e.start)
        self.ents = ents
        self.ent_starts = [e.start for e in ents]
        self.persons = self._persons_outside_quotes(ents)
        self.person_ends = [e.end for e in self.persons]
        names: dict[str, set[str]] = {}
        for e in ents:
            parts = e.text.split()
            if e.label == "PERSON" and len(parts) > 1:
                names.setdefault(parts[-1], set()).add(e.text)
        # a short form resolves only when one full name in the text ends with it
        self.full_names = {k: next(iter(v)) for k, v in names.items() if len(v) == 1}

    def _persons_outside_quotes(self, ents: Sequence[Entity]) -> list[Entity]:
        out: list[Entity] = []
        qi = 0
        quotes = self.quotes
        for e in ents:
            if e.label != "PERSON":
                continue
            while qi < len(quotes) and quotes[qi].end <= e.start:
                qi += 1
            if qi < len(quotes) and quotes[qi].start < e.end:
                continue
            out.append(e)
        return out

    # -- positions ------------------------------------------------------------------------
    def line_bounds(self, pos: int) -> tuple[int, int]:
        i = bisect_left(self.newlines, pos)
        start = self.newlines[i - 1] + 1 if i > 0 else 0
        end = self.newlines[i] if i < len(self.newlines) else len(self.text)
        return start, end

    def sentence_start(self, pos: int) -> int:
        i = bisect_right(self.sent_starts, pos) - 1
        return self.sent_starts[i] if i >= 0 else 0

    def entity_in(self, start: int, end: int, label: str | None = "PERSON") -> Entity | None:
        """The last entity (of `label`) lying inside [start, end)."""
        i = bisect_left(self.ent_starts, start)
        found = None
        while i < len(self.ents) and self.ents[i].start < end:
            e = self.ents[i]
            if e.end <= end and (label is None or e.label == label):
                found = e
            i += 1
        return found

    # -- noun phrases ---------------------------------------------------------------------
    def speaker_from(self, start: int, end: int) -> Speaker | None:
        """A speaker for the noun phrase at [start, end): a name inside it, or the phrase."""
        text = self.text
        words = text[start:end].split()
        if not words or any(w.lower() in P.NP_STOP for w in words):
            return None
        if words[0].lower() in P.PRONOUNS and len(words) == 1:
            return Speaker(start, end, text[start:end])
        ent = self.entity_in(start, end)
        if ent is not None:
            return Speaker(ent.start, ent.end, text[ent.start : ent.end])
        return Speaker(start, end, text[start:end])

    def subject_before(self, pos: int, lo: int) -> Speaker | None:
        """The noun phrase that ends just before `pos` (the subject of a verb there)."""
        text = self.text
        words = list(P.WORD_RE.finditer(text, max(lo, pos - 120), pos))
        if not words or text[words[-1].end() : pos].strip():
            return None
        first = len(words) - 1
        while first > 0 and len(words) - first < 6:
            gap = text[words[first - 1].end() : words[first].start()]
            prev = words[first - 1].group().lower()
            if gap.strip() or prev in P.NP_STOP:
                break
            cur = words[first].group().lower()
            if cur in P.DETERMINERS or cur in P.PRONOUNS:
                break
            first -= 1
        return self.speaker_from(words[first].start(), words[-1].end())

    # -- the stages -----------------------------------------------------------------------
    def after(self, q: Quote, hi: int) -> Speaker | None:
        text = self.text
        m = P.POST_ACCORDING.match(text, q.end, hi)
        if m:
            n = P.NP_AFTER.match(text, m.end(), hi)
            return self.speaker_from(n.start("sp"), n.end("sp")) if n else None
        m = P.POST_VERB_SUBJECT.match(text, q.end, hi)
        if m and not P.is_listener_verb(m.group("v")):
            sp = self.speaker_from(m.start("sp"), m.end("sp"))
            if sp is not None:
                return sp
        m = P.POST_SUBJECT_VERB.match(text, q.end, hi)
        if m:
            return self.speaker_from(m.start("sp"), m.end("sp"))
        return None

    def before(self, q: Quote, lo: int) -> Speaker | None:
        text = self.text
        verbs = list(P.VERB.finditer(text, lo, q.start))
        for m in reversed(verbs[-3:]):
            verb = m.group("v")
            if verb.startswith("according"):
                n = P.NP_AFTER.match(text, m.end(), q.start)
                sp = self.speaker_from(n.start("sp"), n.end("sp")) if n else None
            else:
                sp = self.subject_before(m.start(), lo)
            if sp is None:
                continue
            if P.is_weak_verb(verb) and not self.named_or_pronoun(sp):
                continue
            return sp
        return None

    def named_or_pronoun(self, sp: Speaker) -> bool:
        if sp.text.lower() in P.PRONOUNS:
            return True
        return self.entity_in(sp.start, sp.end, None) is not None

    def in_paragraph(self, start: int, end: int) -> Speaker | None:
        """The last speech verb's subject in [start, end) (for a following quote-only line)."""
        text = self.text
        for m in reversed(list(P.VERB.finditer(text, start, end))[-3:]):
            if m.group("v").startswith("according"):
                n = P.NP_AFTER.match(text, m.end(), end)
                sp = self.speaker_from(n.start("sp"), n.end("sp")) if n else None
            else:
                sp = self.subject_before(m.start(), start)
            if sp is not None and not P.is_weak_verb(m.group("v")):
                return sp
        return None

    # -- resolution -----------------------------------------------------------------------
    def resolve(self, sp: Speaker) -> Speaker:
        key = sp.text.lower()
        name: str | None = None
        if key in P.PERSONAL_PRONOUNS:
            i = bisect_right(self.person_ends, sp.start) - 1
            if i >= 0 and sp.start - self.persons[i].end <= _ANTECEDENT_WINDOW:
                name = self.persons[i].text
                name = self.full_names.get(name, name) if " " not in name else name
        elif " " not in sp.text:
            full = self.full_names.get(sp.text)
            if full and full != sp.text:
                name = full
        return Speaker(sp.start, sp.end, sp.text, name) if name else sp

    # -- the whole document ---------------------------------------------------------------
    def run(self) -> list[Quote]:
        out: list[Quote] = []
        quotes = self.quotes
        last_line: tuple[int, int] | None = None
        prev_line_speaker: Speaker | None = None
        line_speaker: Speaker | None = None
        for k, q in enumerate(quotes):
            line = self.line_bounds(q.start)
            first_in_line = line != last_line
            if first_in_line:
                prev_line_speaker = (
                    line_speaker if last_line and last_line[1] + 1 == line[0] else None
                )
                line_speaker = None
                last_line = line
            prev_end = quotes[k - 1].end if k > 0 else 0
            next_start = quotes[k + 1].start if k + 1 < len(quotes) else len(self.text)
            hi = min(line[1], next_start, q.end + _POST_WINDOW)
            lo = max(line[0], prev_end, self.sentence_start(q.start), q.start - _PRE_WINDOW)
            if _is_heading(q.text):
                out.append(q)
                continue
            sp = self.after(q, hi) or self.before(q, lo) or line_speaker
            if sp is None and first_in_line and self.opens_line(q, line[0]) and _is_speech(q.text):
                sp = prev_line_speaker or self.previous_line_speaker(line[0])
            if sp is not None:
                sp = self.resolve(sp)
                line_speaker = sp
            out.append(Quote(q.start, q.end, q.text, sp))
        return out

    def opens_line(self, q: Quote, line_start: int) -> bool:
        """Only whitespace before the quote in its line (asked once per line: linear)."""
        return not self.text[line_start : q.start].strip()

    def previous_line_speaker(self, line_start: int) -> Speaker | None:
        if line_start == 0:
            return None
        start, end = self.line_bounds(line_start - 1)
        return self.in_paragraph(max(start, end - _PREV_PARAGRAPH_WINDOW), end)


def _is_heading(quote: str) -> bool:
    """`‘HANDS ARE DIRTY”`: a subhead in capitals, not speech."""
    letters = [c for c in quote[:200] if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def _is_speech(quote: str) -> bool:
    """Enough words, or a stop before the closing mark (or none yet): a spoken passage."""
    body = quote.rstrip(_CLOSERS)
    if len(body) == len(quote) or body.endswith(_SPEECH_END):
        return True
    return len(body.split()) >= 5


def attribute_speakers(
    text: str, quotes: Sequence[Quote], sentences: Sequence[Span], entities: Sequence[Entity]
) -> list[Quote]:
    """`quotes` with their speakers set (None for a title or scare quote with no speaker)."""
    if not quotes:
        return []
    return _Attributor(text, quotes, sentences, entities).run()
