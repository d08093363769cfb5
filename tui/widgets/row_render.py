"""One row of the reading view as styled segments, from exactly what the row depends on.

:class:`RowState` holds everything that decides how a row looks (its text range, the entities,
excluded ranges, marks and matches touching it, the cursor and the selection where they touch
it) and is the key of the view's row cache: a change anywhere that reaches a row changes its
key, so a stale row cannot be drawn. Article text reaches the screen only through
:mod:`tui.widgets.display`, as plain Segments.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style

from tui.core.spans import Entity, Range
from tui.widgets import display
from tui.widgets.palette import UNSURE_STYLE, label_style, tag_style, unsure_tag_style

MEMORY_STYLE = Style(italic=True, underline=True)
"""Spans the memory of corrections suggested (source ``memory``) look different."""


@dataclass(frozen=True, slots=True)
class RowStyles:
    """The view's styles for one theme; part of every row's key."""

    base: Style
    cursor: Style
    selection: Style
    mark: Style
    match: Style
    excluded: Style
    no_color: bool
    low_confidence: float
    """Model suggestions scored under this are drawn apart (underlined, a paler tag)."""


def unsure(entity: Entity, below: float) -> bool:
    """A suggestion the model scored under ``below``."""
    score = entity.score
    return entity.source == "model" and score is not None and score < below


@dataclass(frozen=True, slots=True)
class RowState:
    """What one row shows; equal states draw equal rows."""

    start: int
    end: int
    entities: tuple[Entity, ...]
    excluded: tuple[Range, ...]
    marks: tuple[Range, ...]
    matches: tuple[Range, ...]
    cursor: Range | None
    selection: Range | None


def touching(ranges: Sequence[Range], start: int, end: int) -> tuple[Range, ...]:
    """The sorted, disjoint ``ranges`` that share a character with ``[start, end)``."""
    i = max(0, bisect.bisect_right(ranges, (start, start)) - 1)
    found: list[Range] = []
    while i < len(ranges) and ranges[i][0] < end:
        if ranges[i][1] > start:
            found.append(ranges[i])
        i += 1
    return tuple(found)


def _covered(ranges: Sequence[Range], start: int, end: int) -> set[int]:
    return {i for s, e in ranges for i in range(max(s, start), min(e, end))}


def tag_width(label: str) -> int:
    """Cells of the tag drawn after an entity: a label may be CJK, emoji or hold controls."""
    return 1 + display.text_width(display.safe(label))


def render_row(text: str, row: RowState, styles: RowStyles) -> tuple[list[Segment], int]:
    """The row's segments and their width in cells."""
    start, end, base = row.start, row.end, styles.base
    ents = row.entities
    marks = _covered(row.marks, start, end)
    matches = _covered(row.matches, start, end)
    excluded = _covered(row.excluded, start, end)
    c_start, c_end = row.cursor or (0, 0)
    selected = row.selection is not None
    s_start, s_end = row.selection or (0, 0)
    segments: list[Segment] = []
    buffer: list[str] = []
    current: Style | None = None
    col = 0
    e_index = 0
    for i in range(start, end):
        shown, width = display.cell(text[i], col)
        style = base + styles.excluded if i in excluded else base
        if i in matches:
            style += styles.match
        if i in marks:
            style += styles.mark
        while e_index < len(ents) and ents[e_index].end <= i:
            e_index += 1
        entity = ents[e_index] if e_index < len(ents) and ents[e_index].start <= i else None
        if entity is not None:
            style += label_style(entity.label, underline=styles.no_color)
            if entity.source == "memory":  # suggested by the memory: its own mark
                style += MEMORY_STYLE
            elif unsure(entity, styles.low_confidence):
                style += UNSURE_STYLE
        if s_start <= i < s_end:
            style += styles.selection
        if c_start <= i < c_end and (not selected or s_start <= i < s_end):
            style += styles.cursor  # within a selection: its true edges stay visible
        if style != current and buffer:
            segments.append(Segment("".join(buffer), current))
            buffer = []
        current = style
        buffer.append(shown)
        col += width
        if entity is not None and i == entity.end - 1:
            segments.append(Segment("".join(buffer), current))
            buffer, current = [], None
            tag = " " + display.safe(entity.label)
            memory = MEMORY_STYLE if entity.source == "memory" else None
            shade = unsure_tag_style if unsure(entity, styles.low_confidence) else tag_style
            segments.append(Segment(tag, base + shade(entity.label) + memory))
            col += tag_width(entity.label)
    if buffer:
        segments.append(Segment("".join(buffer), current))
    return segments, col
