"""Word tokens with exact offsets, for the formats that want tokens (Prodigy, CoNLL).

A token is a run of word characters (letters, digits, `_`, with inner `'`, `’`, `.`, `,`
or `-` between word characters: `don't`, `3.5`, `1,000`, `U.S`, `well-known`), or any
other single non-space character; either keeps the marks that belong to it (combining
accents, skin-tone modifiers, variation selectors), and an emoji ZWJ sequence is one
token. Whitespace is not a word: a single space after a token is that token's `ws`; any
other whitespace (a newline, a tab, a second space, a no-break space) is a token of its
own, so that the tokens' texts with their spaces give the text back exactly, the way
spaCy's `Doc(words, spaces)` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Marks that belong to the character before them: combining marks, variation selectors,
# skin-tone modifiers, emoji tag characters.
_MARK = (
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f"
    "\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]"
)
_WORD = rf"(?:\w|{_MARK})+(?:['’.,-](?:\w|{_MARK})+)*"
_SYMBOL = rf"\S{_MARK}*(?:\u200d\S{_MARK}*)*"  # an emoji ZWJ sequence is one token
_PIECE = re.compile(rf"{_WORD}|{_SYMBOL}|\s+")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    ws: bool  # followed by one space that belongs to no token

    @property
    def is_space(self) -> bool:
        return self.text.isspace()

    def to_json(self, number: int) -> dict[str, Any]:
        """Prodigy's token record (`id` is the token's position)."""
        return {"text": self.text, "start": self.start, "end": self.end, "id": number, "ws": self.ws}


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, in order; joined with their `ws` spaces they are `text`."""
    tokens: list[Token] = []
    for match in _PIECE.finditer(text):
        start, end = match.span()
        piece = match.group()
        if piece.isspace():
            if tokens and not tokens[-1].is_space and not tokens[-1].ws and piece[0] == " ":
                last = tokens[-1]
                tokens[-1] = Token(last.start, last.end, last.text, True)
                start += 1
                if start == end:
                    continue
            tokens.append(Token(start, end, text[start:end], False))
        else:
            tokens.append(Token(start, end, piece, False))
    return tokens
