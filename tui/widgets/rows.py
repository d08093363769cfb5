"""An article's text as rows at a width: the reading view's layout, without Textual.

A *line* is the text between two line breaks; it is word-wrapped into *rows* of at most
``width`` terminal cells, the label tag drawn after an entity kept on its last character's row.
(The core's *paragraph*, :func:`tui.core.spans.paragraph_at`, is a blank-line-separated block
of lines: a different thing.) Tested from a string and a width, with no app.

Lines are wrapped lazily, when a row of theirs is asked for: until then a line counts the rows
its length suggests, so a 5,000,000-character article opens without wrapping it all. A tree of
the per-line row counts maps rows to lines both ways in ``O(log lines)``. When a wrap corrects
an estimate, every row below moves; :meth:`RowLayout.corrections` tells the view by how much,
so what is on screen can stay where it is.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from tui.widgets import display

Tags = Callable[[int, int], list[tuple[int, int]]]
"""``(offset, cells)`` of the tags drawn after characters in ``[start, end)``, sorted."""

Lines = list[tuple[int, int]]

EAGER_CHARS = 100_000
"""A text shorter than this is wrapped at once: it costs a few frames at most, and its
scrollbar never changes length while it is read."""


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


@dataclass(frozen=True, slots=True)
class Correction:
    """A line first wrapped: it held rows ``first`` to ``first + old`` by its estimate and
    holds ``new`` rows; every row after it moved by ``new - old``."""

    first: int
    old: int
    new: int


class Counts:
    """Rows per line in a Fenwick tree: the first row of a line, and the line holding a row,
    in ``O(log n)``, and a line's count changed in ``O(log n)``."""

    def __init__(self, counts: list[int]) -> None:
        self.counts = counts
        n = len(counts)
        tree = [0] * (n + 1)
        for i in range(1, n + 1):
            tree[i] += counts[i - 1]
            parent = i + (i & -i)
            if parent <= n:
                tree[parent] += tree[i]
        self._tree = tree
        self._top = 1 << max(0, n.bit_length() - 1) if n else 0
        self.total = sum(counts)

    def __len__(self) -> int:
        return len(self.counts)

    def set(self, index: int, count: int) -> None:
        delta = count - self.counts[index]
        if not delta:
            return
        self.counts[index] = count
        self.total += delta
        tree, n, i = self._tree, len(self.counts), index + 1
        while i <= n:
            tree[i] += delta
            i += i & -i

    def before(self, index: int) -> int:
        """The rows of the lines before line ``index``."""
        tree, total, i = self._tree, 0, index
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def holding(self, row: int) -> int:
        """The line holding ``row`` (the last line past the end)."""
        tree, n = self._tree, len(self.counts)
        pos, rest, step = 0, row, self._top
        while step:
            nxt = pos + step
            if nxt <= n and tree[nxt] <= rest:
                pos = nxt
                rest -= tree[nxt]
            step >>= 1
        return min(pos, n - 1)


class RowLayout:
    """Rows of ``text`` at ``width`` cells, wrapped line by line when first asked for, and
    re-wrapped line by line after an edit. ``lines`` may be the line spans of another
    layout of the same text (a new width needs no new scan for breaks); ``eager`` wraps
    every line now (by default, a text under :data:`EAGER_CHARS`)."""

    def __init__(
        self,
        text: str,
        width: int,
        tags: Tags = no_tags,
        lines: Lines | None = None,
        eager: bool | None = None,
    ) -> None:
        self.text = text
        self.width = max(1, width)
        self.tags = tags
        self.lines = lines if lines is not None else display.lines(text)
        self._line_starts = [s for s, _ in self.lines]
        self._wrapped: dict[int, list[int]] = {}
        per_row = max(1, self.width - min(4, self.width // 4))  # a row rarely fills up
        self._counts = Counts([max(1, -(-(e - s) // per_row)) for s, e in self.lines])
        self._corrections: list[Correction] = []
        if len(text) < EAGER_CHARS if eager is None else eager:
            self.wrap_all()
            self._corrections.clear()

    def __len__(self) -> int:
        return self._counts.total

    # -- wrapping -------------------------------------------------------------------------

    def _wrap(self, index: int) -> list[int]:
        """Row starts of line ``index``, wrapping it now if it never was."""
        starts = self._wrapped.get(index)
        if starts is None:
            start, end = self.lines[index]
            starts = display.wrap(self.text, start, end, self.width, self.tags(start, end))
            self._wrapped[index] = starts
            old = self._counts.counts[index]
            if old != len(starts):
                first = self._counts.before(index)
                self._counts.set(index, len(starts))
                self._corrections.append(Correction(first, old, len(starts)))
        return starts

    def is_wrapped(self, index: int) -> bool:
        return index in self._wrapped

    def wrapped(self) -> dict[int, list[int]]:
        """Row starts of every line wrapped so far, by line index."""
        return dict(self._wrapped)

    def corrections(self) -> list[Correction]:
        """The estimates corrected since the last call, in order (rows then as numbered)."""
        found, self._corrections = self._corrections, []
        return found

    def exact(self) -> bool:
        """True when every line is wrapped: the rows are exactly those of an eager layout."""
        return len(self._wrapped) == len(self.lines)

    def _locate(self, row: int) -> tuple[int, int]:
        """``(line, row within it)`` of ``row``, wrapping the lines it falls in until the
        one that holds it is wrapped (a wrap may move the row to another line)."""
        row = max(0, min(row, len(self) - 1))
        while True:
            index = self._counts.holding(row)
            if index in self._wrapped:
                return index, min(row - self._counts.before(index), len(self._wrapped[index]) - 1)
            self._wrap(index)
            row = max(0, min(row, len(self) - 1))

    def wrap_near(self, offset: int, above: int, below: int) -> None:
        """Wrap the line holding ``offset`` and the lines around it until ``above`` rows
        above its row and ``below`` rows below are rows of wrapped lines: moves and scrolls
        within that window then see rows that will not move."""
        index = self._line_index(offset)
        own = self._wrap(index)
        k = max(0, bisect.bisect_right(own, offset) - 1)
        have, i = k, index - 1
        while have < above and i >= 0:
            have += len(self._wrap(i))
            i -= 1
        have, i = len(own) - 1 - k, index + 1
        while have < below and i < len(self.lines):
            have += len(self._wrap(i))
            i += 1

    def wrap_rows(self, first: int, count: int) -> None:
        """Wrap the lines rows ``first`` to ``first + count`` fall in (what is on screen)."""
        row = max(0, first)
        while row < min(first + count, len(self)):
            index, k = self._locate(row)
            row += len(self._wrapped[index]) - k

    def wrap_all(self) -> None:
        for i in range(len(self.lines)):
            self._wrap(i)

    # -- rows -----------------------------------------------------------------------------

    def row(self, row: int) -> tuple[int, int]:
        """``(start, end)`` of ``row``, wrapping its line if needed."""
        index, k = self._locate(row)
        starts = self._wrapped[index]
        end = starts[k + 1] if k + 1 < len(starts) else self.lines[index][1]
        return starts[k], end

    def rows(self) -> list[tuple[int, int]]:
        """``(start, end)`` of every row, in order (wraps every line)."""
        self.wrap_all()
        return [self.row(r) for r in range(len(self))]

    def line_rows(self, index: int) -> list[tuple[int, int]]:
        """``(start, end)`` of the rows of line ``index``."""
        starts = self._wrap(index)
        return list(zip(starts, [*starts[1:], self.lines[index][1]], strict=True))

    def _line_index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._line_starts, offset) - 1)

    def line_of(self, offset: int) -> tuple[int, int]:
        """``(start, end)`` of the line holding ``offset``, without its break."""
        return self.lines[self._line_index(offset)]

    def row_of(self, offset: int) -> int:
        index = self._line_index(offset)
        starts = self._wrap(index)
        return self._counts.before(index) + max(0, bisect.bisect_right(starts, offset) - 1)

    def rewrap(self, start: int, end: int) -> Rewrapped:
        """Wrap again the lines ``[start, end)`` touches (their tags changed); lines never
        wrapped stay so."""
        l0 = self._line_index(start)
        l1 = max(l0, self._line_index(max(start, end - 1)))
        r0 = self._counts.before(l0)
        old = self._counts.before(l1 + 1) - r0
        for i in range(l0, l1 + 1):
            if i in self._wrapped:
                s, e = self.lines[i]
                starts = display.wrap(self.text, s, e, self.width, self.tags(s, e))
                self._wrapped[i] = starts
                self._counts.set(i, len(starts))
        return Rewrapped(r0, old, self._counts.before(l1 + 1) - r0)

    def col_of(self, offset: int) -> int:
        """The cell column ``offset`` is drawn at on its row."""
        start = self.row(self.row_of(offset))[0]
        text = self.text
        tags = dict(self.tags(start, offset))
        col = 0
        for i in range(start, min(offset, len(text))):
            col += display.cell(text[i], col)[1] + tags.get(i, 0)
        return col

    def offset_at(self, row: int, col: int) -> int:
        """The character drawn at cell ``col`` of ``row`` (the row's last one past its end)."""
        start, end = self.row(row)
        tags = dict(self.tags(start, end))
        x = 0
        for i in range(start, end):
            x += display.cell(self.text[i], x)[1] + tags.get(i, 0)
            if x > col:
                return i
        return max(start, end - 1)
