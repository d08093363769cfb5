"""An article's text as rows at a width: the reading view's layout, without Textual.

A *line* is the text between two line breaks; it is word-wrapped into *rows* of at most
``width`` terminal cells, the label tag drawn after an entity kept on its last character's row.
(The core's *paragraph*, :func:`tui.core.spans.paragraph_at`, is a blank-line-separated block
of lines: a different thing.) Tested from a string and a width, with no app.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from tui.widgets import display

Tags = Callable[[int, int], list[tuple[int, int]]]
"""``(offset, cells)`` of the tags drawn after characters in ``[start, end)``, sorted."""


def no_tags(start: int, end: int) -> list[tuple[int, int]]:
    return []


@dataclass(frozen=True, slots=True)
class Rewrapped:
    """What :meth:`RowLayout.rewrap` changed: rows ``first`` to ``first + old`` are now rows
    ``first`` to ``first + new``; the rows after them moved by ``new - old``."""

    first: int
    old: int
    new: int

    @property
    def shifted(self) -> bool:
        return self.old != self.new


class RowLayout:
    """Rows of ``text`` at ``width`` cells, re-wrapped line by line after an edit."""

    def __init__(self, text: str, width: int, tags: Tags = no_tags) -> None:
        self.text = text
        self.width = max(1, width)
        self.tags = tags
        self.lines = display.lines(text)
        self._line_starts = [s for s, _ in self.lines]
        self.starts: list[int] = []
        self.ends: list[int] = []
        self._line_row0: list[int] = []
        for i in range(len(self.lines)):
            self._line_row0.append(len(self.starts))
            starts, ends = self._wrap_line(i)
            self.starts += starts
            self.ends += ends

    def __len__(self) -> int:
        return len(self.starts)

    def rows(self) -> list[tuple[int, int]]:
        """``(start, end)`` of every row, in order."""
        return list(zip(self.starts, self.ends, strict=True))

    def _wrap_line(self, index: int) -> tuple[list[int], list[int]]:
        start, end = self.lines[index]
        starts = display.wrap(self.text, start, end, self.width, self.tags(start, end))
        return starts, [*starts[1:], end]

    def _line_index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._line_starts, offset) - 1)

    def line_of(self, offset: int) -> tuple[int, int]:
        """``(start, end)`` of the line holding ``offset``, without its break."""
        return self.lines[self._line_index(offset)]

    def row_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def rewrap(self, start: int, end: int) -> Rewrapped:
        """Wrap again the lines ``[start, end)`` touches (their tags changed)."""
        l0 = self._line_index(start)
        l1 = max(l0, self._line_index(max(start, end - 1)))
        r0 = self._line_row0[l0]
        r1 = self._line_row0[l1 + 1] if l1 + 1 < len(self.lines) else len(self.starts)
        starts: list[int] = []
        ends: list[int] = []
        for i in range(l0, l1 + 1):
            self._line_row0[i] = r0 + len(starts)
            s, e = self._wrap_line(i)
            starts += s
            ends += e
        self.starts[r0:r1] = starts
        self.ends[r0:r1] = ends
        delta = len(starts) - (r1 - r0)
        if delta:
            for i in range(l1 + 1, len(self._line_row0)):
                self._line_row0[i] += delta
        return Rewrapped(r0, r1 - r0, len(starts))

    def col_of(self, offset: int) -> int:
        """The cell column ``offset`` is drawn at on its row."""
        row = self.row_of(offset)
        start, text = self.starts[row], self.text
        tags = dict(self.tags(start, offset))
        col = 0
        for i in range(start, min(offset, len(text))):
            col += display.cell(text[i], col)[1] + tags.get(i, 0)
        return col

    def offset_at(self, row: int, col: int) -> int:
        """The character drawn at cell ``col`` of ``row`` (the row's last one past its end)."""
        start, end = self.starts[row], self.ends[row]
        tags = dict(self.tags(start, end))
        x = 0
        for i in range(start, end):
            x += display.cell(self.text[i], x)[1] + tags.get(i, 0)
            if x > col:
                return i
        return max(start, end - 1)
