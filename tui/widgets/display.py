"""Article text as terminal cells: safe to print, counted the way the terminal counts them.

Offsets are code points but the screen is cells: CJK takes two, combining marks none, a tab
up to the next stop. Any character a terminal would act on (C0/C1 controls, ESC, bidi
overrides, line separators) is swapped for a visible placeholder so article text can never
move the cursor, recolour the screen or reorder what the reader sees.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rich.cells import get_character_cell_size

TAB_SIZE = 4
PLACEHOLDER = "\ufffd"
DOTTED_CIRCLE = "\u25cc"
_BREAKS = re.compile(r"\r\n|\n|\r")
_WORD = re.compile(r"\S+")
_BIDI = frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
)
_cache: dict[str, tuple[str, int]] = {}


def _glyph(ch: str) -> tuple[str, int]:
    o = ord(ch)
    if o < 0x20:
        return chr(0x2400 + o), 1  # the Unicode control picture: ␛ for ESC, ␉ for TAB
    if o == 0x7F:
        return "\u2421", 1
    if o < 0xA0 or ch in _BIDI:
        return PLACEHOLDER, 1
    if ch == "\u00ad":
        return "-", 1
    if 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF:
        return "", 0  # variation selectors: terminals disagree on the width they imply
    category = unicodedata.category(ch)
    if category in ("Zl", "Zp", "Cn", "Cs"):
        return PLACEHOLDER, 1
    if category == "Cf":
        return "", 0  # zero-width joiners and spaces: invisible either way, never joined
    if category in ("Mn", "Me"):
        return ch, 0
    width = get_character_cell_size(ch)
    if width == 0:
        return "", 0
    return ch, width


def glyph(ch: str) -> tuple[str, int]:
    """What to print for one code point, and how many cells it takes (tabs aside)."""
    if " " <= ch <= "~":
        return ch, 1
    found = _cache.get(ch)
    if found is None:
        found = _cache[ch] = _glyph(ch)
    return found


def cell(ch: str, col: int) -> tuple[str, int]:
    """Like :func:`glyph`, placing tabs and a combining mark that starts a row."""
    if ch == "\t":
        n = TAB_SIZE - col % TAB_SIZE
        return " " * n, n
    text, width = glyph(ch)
    if width == 0 and text and col == 0:
        return DOTTED_CIRCLE + text, 1
    return text, width


def text_width(text: str, col: int = 0) -> int:
    """Cells ``text`` takes when it starts at column ``col``."""
    if text.isascii() and text.isprintable():
        return len(text)
    start = col
    for ch in text:
        col += cell(ch, col)[1]
    return col - start


def safe(text: str, limit: int | None = None) -> str:
    """One line of ``text`` safe for any label or list: breaks become ``⏎``, controls shown."""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    out = []
    col = 0
    for ch in _BREAKS.sub("\u23ce", text):
        shown, width = cell(" " if ch == "\t" else ch, col)
        out.append(shown)
        col += width
    return "".join(out)


def lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line, without its break (``\\r\\n``, ``\\n`` or ``\\r``)."""
    if "\r" not in text:  # the usual case: a few times faster on a long article
        found, start = [], 0
        for part in text.split("\n"):
            end = start + len(part)
            found.append((start, end))
            start = end + 1
        return found
    spans = []
    start = 0
    for match in _BREAKS.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def wrap(
    text: str, start: int, end: int, width: int, tags: Sequence[tuple[int, int]] = ()
) -> list[int]:
    """Row start offsets for ``text[start:end]`` word-wrapped to ``width`` cells.

    ``tags`` are ``(offset, cells)`` pairs, sorted: extra cells drawn right after the
    character at ``offset`` (a label beside its entity), kept on that character's row.
    Whitespace may hang past the edge; words longer than a row are cut.
    """
    width = max(1, width)
    rows = [start]
    col = 0
    t = 0
    n_tags = len(tags)
    while t < n_tags and tags[t][0] < start:
        t += 1
    pos = start
    for match in _WORD.finditer(text, start, end):
        ws, we = match.span()
        col += text_width(text[pos:ws], col)  # the whitespace before the word
        word = match.group()
        extra = 0
        t_end = t
        while t_end < n_tags and tags[t_end][0] < we:
            extra += tags[t_end][1]
            t_end += 1
        w = text_width(word, col) + extra
        if col > 0 and col + w > width:
            rows.append(ws)
            col = 0
            w = text_width(word, 0) + extra
        if w <= width:
            col += w
        else:  # a word wider than a row: cut it between characters
            for i in range(ws, we):
                tag = 0
                while t < n_tags and tags[t][0] == i:
                    tag += tags[t][1]
                    t += 1
                cw = cell(text[i], col)[1] + tag
                if col > 0 and col + cw > width:
                    rows.append(i)
                    col = 0
                    cw = cell(text[i], 0)[1] + tag
                col += cw
        t = t_end
        pos = we
    return rows
