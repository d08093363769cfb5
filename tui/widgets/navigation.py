"""Where the reading view's cursor goes: token moves by row, the selection, the next entity,
likely error or match. Plain functions of a :class:`~tui.widgets.rows.RowLayout`, the tokens
and the document, without Textual, so they are tested from a string and a width.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.edits import Document
from tui.core.lint import Suspect, walk
from tui.core.spans import Entity, Range
from tui.core.tokens import Tokens
from tui.widgets.rows import RowLayout


@dataclass(frozen=True, slots=True)
class Selection:
    """Selected text ``[start, end)``, grown from the token ``anchor``; within one line."""

    anchor: int
    start: int
    end: int

    @property
    def span(self) -> Range:
        return self.start, self.end


def within_line(layout: RowLayout, tokens: Tokens, anchor: int, index: int) -> int:
    """``index``, or the last token toward it still on ``anchor``'s line: a selection never
    crosses a line break, as an entity never does."""
    start, end = layout.line_of(tokens.starts[anchor])
    if index > anchor:
        last = bisect.bisect_left(tokens.starts, end) - 1
        return min(index, max(anchor, last))
    first = bisect.bisect_left(tokens.starts, start)
    return max(index, min(anchor, first))


def extend(
    layout: RowLayout, tokens: Tokens, selection: Selection | None, cursor: int, index: int
) -> tuple[Selection, int, bool]:
    """The selection grown from ``cursor`` to token ``index``, the cursor's new token, and
    whether a line break stopped it short."""
    anchor = selection.anchor if selection is not None else cursor
    allowed = within_line(layout, tokens, anchor, index)
    lo, hi = sorted((anchor, allowed))
    return Selection(anchor, tokens.starts[lo], tokens.ends[hi]), allowed, allowed != index


def token_on_row(layout: RowLayout, tokens: Tokens, row: int, offset: int) -> int | None:
    """The token at ``offset`` (or the next one) if it starts on ``row``; None on a row that
    holds no token start (a blank line, the rest of a long word)."""
    start, end = layout.row(row)
    index = tokens.index_at(offset)
    if tokens.starts[index] < start and index + 1 < len(tokens):
        index += 1
    return index if start <= tokens.starts[index] < max(end, start + 1) else None


def row_move(layout: RowLayout, tokens: Tokens, cursor: int, rows: int) -> int:
    """The token ``rows`` rows below (above, when negative) the cursor, in its column; rows
    with no token are passed over."""
    offset = tokens.starts[cursor]
    layout.wrap_near(offset, max(0, -rows), max(0, rows))  # rows in between will not move
    row, col = layout.row_of(offset), layout.col_of(offset)
    step = 1 if rows > 0 else -1
    target = max(0, min(row + rows, len(layout) - 1))
    while 0 <= target < len(layout):
        found = token_on_row(layout, tokens, target, layout.offset_at(target, col))
        if found is not None:
            return found
        target += step
    return len(tokens) - 1 if step > 0 else 0


def follow(layout: RowLayout, tokens: Tokens, cursor: int, top: int, height: int) -> int | None:
    """The token on the nearest of rows ``top`` to ``top + height`` when the cursor's row is
    not among them (the wheel or the scrollbar moved the view); None when it is."""
    bottom = min(top + height, len(layout)) - 1
    row = layout.row_of(tokens.starts[cursor])
    if top <= row <= bottom:
        return None
    target, step = (top, 1) if row < top else (bottom, -1)
    while top <= target <= bottom:
        start, end = layout.row(target)
        found = token_on_row(layout, tokens, target, max(start, end - 1) if step < 0 else start)
        if found is not None:
            return found
        target += step
    return None


def next_entity(
    document: Document, offset: int, current: Entity | None, step: int
) -> Entity | None:
    """The entity after (before) the one under the cursor at ``offset``."""
    spans = document.spans
    if step > 0:
        return spans.next_after(max(offset, current.start if current else offset))
    return spans.previous_before(current.start if current else offset)


def next_suspect(
    text: str,
    entities: Sequence[Entity],
    offset: int,
    current: Entity | None,
    step: int,
    below: float = 0.0,
) -> tuple[Suspect | None, bool]:
    """The next (previous) likely error from ``offset``, and whether the search wrapped round
    the article's end (start) to find it. ``current`` (the entity under the cursor, unless a
    ``w`` just put the cursor there) is a candidate too. Suggestions the model scored under
    ``below`` are likely errors too."""
    every = _walk(text, tuple(entities), below)
    if current is not None:
        offset = current.start - step  # from just before it, so it counts
    ahead = [s for s in every if (s.entity.start - offset) * step > 0]
    if ahead:
        return (ahead[0] if step > 0 else ahead[-1]), False
    if not every:
        return None, False
    return (every[0] if step > 0 else every[-1]), True


@functools.lru_cache(maxsize=4)
def _walk(text: str, entities: tuple[Entity, ...], below: float) -> tuple[Suspect, ...]:
    """:func:`walk`, once per state of an article: on 5,000 entities it takes 0.1 s, and
    ``w`` is pressed again and again between edits."""
    return tuple(walk(text, entities, below))


@functools.lru_cache(maxsize=4)
def _folded(text: str) -> str:
    """The text casefolded once per article, not once per search (0.2 s for 5 MB)."""
    return text.casefold()


def find(document: Document, query: str) -> tuple[list[Range], bool]:
    """Every match of ``query`` (case-insensitive), and whether they are all in text marked as
    not article text: such matches count only when there is no other."""
    text = document.text
    haystack, needle = _folded(text), query.casefold()
    if len(haystack) != len(text):  # casefold moved offsets: match as typed
        haystack, needle = text, query
    found: list[Range] = []
    i = haystack.find(needle)
    while i != -1 and needle:
        found.append((i, i + len(needle)))
        i = haystack.find(needle, i + 1)
    article = [m for m in found if document.excluded_at(*m) is None]
    outside = bool(found) and not article
    return (found if outside else article), outside


def next_match(matches: Sequence[Range], offset: int) -> int | None:
    """The start of the first match after ``offset``, wrapping round."""
    if not matches:
        return None
    i = bisect.bisect_right(matches, (offset, 1 << 62))
    return matches[i % len(matches)][0]


def nearest_article_token(tokens: Tokens, document: Document, cursor: int) -> int | None:
    """The nearest token to ``cursor`` in article text, when the cursor's is not (after text
    was marked not article); None when it is, or when none is."""
    if document.excluded_at(*tokens.span(cursor)) is None:
        return None
    for distance in range(1, len(tokens)):
        for index in (cursor + distance, cursor - distance):
            if 0 <= index < len(tokens) and document.excluded_at(*tokens.span(index)) is None:
                return index
    return None
