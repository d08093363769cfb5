"""Token boundaries for cursor movement and selection snapping.

The reader must move by token before spaCy is imported, so a regex tokenizer that follows
spaCy's English splitting closely is used first; once a spaCy tokenizer is loaded its real
boundaries replace these (``from_doc``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Words (letters, digits, marks, with inner apostrophes/hyphens/dots as in "U.S." or "e-mail"),
# or any single other non-space character.
_TOKEN = re.compile(r"(?:[^\W_]|\d)(?:[\w\u0300-\u036f]|[.\-](?=\w))*|\S", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Tokens:
    """Sorted ``(start, end)`` code-point offsets of the tokens of one text."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def from_spans(cls, spans: Iterable[tuple[int, int]]) -> Tokens:
        pairs = sorted(spans)
        return cls(tuple(s for s, _ in pairs), tuple(e for _, e in pairs))

    def __len__(self) -> int:
        return len(self.starts)

    def index_at(self, offset: int) -> int:
        """Index of the token containing ``offset``, else the nearest one before it."""
        i = bisect.bisect_right(self.starts, offset) - 1
        return max(0, min(i, len(self.starts) - 1))

    def span(self, index: int) -> tuple[int, int]:
        return self.starts[index], self.ends[index]

    def covering(self, start: int, end: int) -> tuple[int, int]:
        """Snap ``[start, end)`` outwards to whole tokens."""
        if not self.starts:
            return start, end
        first = self.index_at(start)
        last = max(first, bisect.bisect_left(self.starts, end) - 1)
        return min(start, self.starts[first]), max(end, self.ends[last])

    def is_boundary_span(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` begins at a token start and ends at a token end."""
        i = bisect.bisect_left(self.starts, start)
        j = bisect.bisect_left(self.ends, end)
        return (
            i < len(self.starts)
            and self.starts[i] == start
            and j < len(self.ends)
            and self.ends[j] == end
        )


def regex_tokens(text: str, end: int | None = None) -> Tokens:
    """Approximate spaCy's English tokens without importing spaCy; with ``end``, only those
    of ``text[:end]`` (cut at a line break, they are the first tokens of the whole text)."""
    spans = [m.span() for m in _TOKEN.finditer(text, 0, len(text) if end is None else end)]
    return Tokens(tuple(s for s, _ in spans), tuple(e for _, e in spans))  # in order already


def for_cursor(tokens: Tokens, text: str, drawable: Callable[[str], bool]) -> Tokens:
    """The tokens a cursor may rest on: never whitespace (paragraph breaks), nor a token of
    characters that draw as nothing (joiners, variation selectors, skin-tone modifiers, lone
    combining marks: the view says which, through ``drawable``). Such a token glued to the
    one before joins it; otherwise it is dropped.
    """
    starts: list[int] = []
    ends: list[int] = []
    for start, end in zip(tokens.starts, tokens.ends, strict=True):
        piece = text[start:end]
        if piece.isascii():
            visible = bool(piece) and not piece.isspace()
        else:
            visible = any(not ch.isspace() and drawable(ch) for ch in piece)
        if visible:
            starts.append(start)
            ends.append(end)
        elif ends and ends[-1] == start and not any(ch.isspace() for ch in piece):
            ends[-1] = end
    if len(starts) == len(tokens):
        return tokens
    return Tokens(tuple(starts), tuple(ends))
