"""The reading view: one article, word-wrapped, its entities highlighted, on Textual's Line API.

Only visible rows are rendered, each cached until something on it changes (an edit, the
cursor, the selection, a mark), so a 200,000-character article with thousands of entities
moves as fast as a short one. Article text only ever reaches the screen through
:mod:`tui.widgets.display`, as plain Segments: never as markup, never as a raw control.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollDown, ScrollTo, ScrollUp
from textual.strip import Strip

from tui.core.confidence import LOW
from tui.core.edits import Document, Edit
from tui.core.lint import walk
from tui.core.session import EditKind
from tui.core.spans import Entity, trim
from tui.core.tokens import Tokens, for_cursor, regex_tokens
from tui.keys import VIEW_BINDINGS
from tui.messages import Edited
from tui.widgets import display
from tui.widgets.palette import UNSURE_STYLE, label_style, tag_style, unsure_tag_style

MEMORY_STYLE = Style(italic=True, underline=True)
"""Spans the memory of corrections suggested (source ``memory``) look different."""


def drawable(ch: str) -> bool:
    """True when the character shows as something a cursor can be seen on: not a joiner,
    variation selector or combining mark drawn as nothing, nor a skin-tone modifier (the
    terminal joins it to the emoji before it)."""
    if 0x1F3FB <= ord(ch) <= 0x1F3FF:
        return False
    return display.glyph(ch)[1] > 0


def _tag_width(label: str) -> int:
    """Cells of the tag drawn after an entity: a label may be CJK, emoji or hold controls."""
    return 1 + display.text_width(display.safe(label))


class ArticleView(ScrollView, can_focus=True):
    """A scrollable, word-wrapped article with a token cursor and a selection."""

    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](VIEW_BINDINGS)
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--cursor",
        "article-view--selection",
        "article-view--mark",
        "article-view--match",
        "article-view--excluded",
    }
    DEFAULT_CSS = """
    ArticleView {
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
    }
    ArticleView > .article-view--cursor { text-style: reverse bold underline; }
    ArticleView > .article-view--selection { text-style: reverse; }
    ArticleView > .article-view--mark { text-style: bold underline; color: $warning; }
    ArticleView > .article-view--match { text-style: bold; background: $warning 50%; }
    ArticleView > .article-view--excluded { color: $text-disabled; text-style: italic; }
    """

    @dataclass
    class CursorMoved(Message):
        """The cursor is on a new token; ``entity`` is the one under it, if any."""

        view: ArticleView
        entity: Entity | None

        @property
        def control(self) -> ArticleView:
            return self.view

    Edited = Edited

    @dataclass
    class Refused(Message):
        """An edit key was pressed on an article that cannot be edited."""

        view: ArticleView
        reason: str

    plain: reactive[bool] = reactive(False, repaint=False)
    """Plain reading: no highlights, no tags (bound to the screen's ``plain``)."""
    labels: reactive[list[str]] = reactive(list, repaint=False)
    """Labels in key order: ``1`` gives ``labels[0]`` (bound to the screen's ``labels``)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.document: Document | None = None
        self.tokens: Tokens = Tokens((), ())
        self.locked: str | None = None
        """Why edits are refused, when the article must not change (a broken TOML)."""
        self.cursor = 0
        self.sel_anchor: int | None = None
        self.selection: tuple[int, int] | None = None
        self.marks: list[tuple[int, int]] = []
        self.matches: list[tuple[int, int]] = []
        self._paras: list[tuple[int, int]] = [(0, 0)]
        self._para_starts: list[int] = [0]
        self._para_row0: list[int] = [0]
        self._row_starts: list[int] = [0]
        self._row_ends: list[int] = [0]
        self._wrap_width = 0
        self._cache: LRUCache[int, Strip] = LRUCache(512)
        self._last_entity: Entity | None = None
        self._drag_from: int | None = None
        self._told_paragraph = False
        self.low_confidence = LOW
        """Suggestions the model scored under this are drawn apart and ``w`` stops at them."""

    # -- data in --------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.document.text if self.document is not None else ""

    def show(self, document: Document | None, tokens: Tokens | None = None) -> None:
        """Display another article (or none), cursor at its start."""
        self.document = document
        self.tokens = for_cursor(tokens or regex_tokens(self.text), self.text, drawable)
        self.cursor = 0
        self.sel_anchor = None
        self.selection = None
        self._told_paragraph = False
        self.marks = []
        self.matches = []
        self._last_entity = None
        self._paras = display.paragraphs(self.text)
        self._para_starts = [s for s, _ in self._paras]
        self._relayout_all()
        self.scroll_to(y=0, animate=False, immediate=True)
        self._cursor_moved()

    def set_tokens(self, tokens: Tokens) -> None:
        """Switch to the model's token boundaries, keeping the cursor where it was."""
        offset = self._cursor_offset()
        self.tokens = tokens = for_cursor(tokens, self.text, drawable)
        self.cursor = tokens.index_at(offset) if len(tokens) else 0
        if self.sel_anchor is not None:
            self.sel_anchor = self.cursor
        self._cache.clear()
        self.refresh()

    def redraw(self, extent: tuple[int, int] | None = None) -> None:
        """Re-render after the document changed underneath, only around ``extent``."""
        if extent is None:
            self._relayout_all()
        else:
            self._relayout(*extent)
        self._cursor_moved(force=True)

    def watch_plain(self) -> None:
        self._relayout_all()

    def set_marks(self, marks: Iterable[tuple[int, int]]) -> None:
        """Mark spans (the entity under the other pane's cursor, found here)."""
        new = sorted(marks)
        if new == self.marks:
            return
        for start, end in (*self.marks, *new):
            self._invalidate(start, end)
        self.marks = new

    # -- layout ---------------------------------------------------------------------------

    def _tags(self, start: int, end: int) -> list[tuple[int, int]]:
        if self.plain or self.document is None:
            return []
        return [
            (e.end - 1, _tag_width(e.label))
            for e in self.document.spans.overlapping(start, end)
            if start < e.end <= end
        ]

    def _width(self) -> int:
        return max(8, self.scrollable_content_region.width)

    def _wrap_para(self, index: int) -> tuple[list[int], list[int]]:
        start, end = self._paras[index]
        starts = display.wrap(self.text, start, end, self._wrap_width, self._tags(start, end))
        ends = [*starts[1:], end]
        return starts, ends

    def _relayout_all(self) -> None:
        """Re-wrap everything; the cursor keeps its row on screen (``p``, a resize)."""
        screen_row = self.row_of(self._cursor_offset()) - round(self.scroll_y)
        self._wrap_width = self._width()
        row_starts: list[int] = []
        row_ends: list[int] = []
        row0: list[int] = []
        for i in range(len(self._paras)):
            row0.append(len(row_starts))
            starts, ends = self._wrap_para(i)
            row_starts += starts
            row_ends += ends
        self._row_starts, self._row_ends, self._para_row0 = row_starts, row_ends, row0
        self._cache.clear()
        self.virtual_size = Size(self._wrap_width, len(row_starts))
        self.refresh()
        height = max(1, self.scrollable_content_region.height)
        screen_row = max(0, min(screen_row, height - 1))
        top = max(0, self.row_of(self._cursor_offset()) - screen_row)
        self.scroll_to(y=top, animate=False, immediate=True)
        self._scroll_to_cursor()

    def _relayout(self, start: int, end: int) -> None:
        """Re-wrap only the paragraphs ``[start, end)`` touches."""
        p0 = max(0, bisect.bisect_right(self._para_starts, start) - 1)
        p1 = max(p0, bisect.bisect_right(self._para_starts, max(start, end - 1)) - 1)
        r0 = self._para_row0[p0]
        r1 = self._para_row0[p1 + 1] if p1 + 1 < len(self._paras) else len(self._row_starts)
        starts: list[int] = []
        ends: list[int] = []
        for p in range(p0, p1 + 1):
            s, e = self._wrap_para(p)
            starts += s
            ends += e
        self._row_starts[r0:r1] = starts
        self._row_ends[r0:r1] = ends
        delta = len(starts) - (r1 - r0)
        if delta == 0:
            for row in range(r0, r1):
                self._cache.discard(row)
            self.refresh_lines(r0, r1 - r0)
        else:
            for p in range(p0 + 1, len(self._para_row0)):
                self._para_row0[p] += delta
            self._cache.clear()
            self.virtual_size = Size(self._wrap_width, len(self._row_starts))
            self.refresh()
        self._scroll_to_cursor()  # a re-wrap may have pushed the cursor's row off screen

    def on_resize(self) -> None:
        if self.document is not None and self._width() != self._wrap_width:
            self._relayout_all()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def row_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._row_starts, offset) - 1)

    def _invalidate(self, start: int, end: int) -> None:
        r0, r1 = self.row_of(start), self.row_of(max(start, end - 1))
        for row in range(r0, r1 + 1):
            self._cache.discard(row)
        self.refresh_lines(r0, r1 - r0 + 1)

    def _col_of(self, offset: int) -> int:
        row = self.row_of(offset)
        start = self._row_starts[row]
        tags = dict(self._tags(start, offset))
        col = 0
        for i in range(start, min(offset, len(self.text))):
            col += display.cell(self.text[i], col)[1] + tags.get(i, 0)
        return col

    def _offset_at(self, row: int, col: int) -> int:
        start, end = self._row_starts[row], self._row_ends[row]
        tags = dict(self._tags(start, end))
        x = 0
        for i in range(start, end):
            x += display.cell(self.text[i], x)[1] + tags.get(i, 0)
            if x > col:
                return i
        return max(start, end - 1)

    # -- rendering ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        if self.document is not None and self._width() != self._wrap_width:
            self._relayout_all()  # the first frame after layout: wrap to the real width now
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if self.document is None or row >= len(self._row_starts):
            return Strip.blank(width, self.rich_style)
        strip = self._cache.get(row)
        if strip is None:
            strip = self._render_row(row).crop_extend(0, width, self.rich_style)
            self._cache[row] = strip
        return strip

    def _spans_in(self, spans: list[tuple[int, int]], start: int, end: int) -> list[int]:
        """Offsets in ``[start, end)`` covered by any of the sorted, disjoint ``spans``."""
        i = max(0, bisect.bisect_right(spans, (start, start)) - 1)
        covered: list[int] = []
        while i < len(spans) and spans[i][0] < end:
            s, e = spans[i]
            covered.extend(range(max(s, start), min(e, end)))
            i += 1
        return covered

    def _render_row(self, row: int) -> Strip:
        assert self.document is not None
        text = self.text
        start, end = self._row_starts[row], self._row_ends[row]
        base = self.rich_style
        get = self.get_component_rich_style
        cursor_style, selection_style = get("article-view--cursor"), get("article-view--selection")
        mark_style, match_style = get("article-view--mark"), get("article-view--match")
        no_color = self.app.no_color
        ents = [] if self.plain else self.document.spans.overlapping(start, max(end, start + 1))
        marks = set(self._spans_in(self.marks, start, end))
        matches = set(self._spans_in(self.matches, start, end))
        excluded = set(self._spans_in(list(self.document.excluded), start, end))
        excluded_style = get("article-view--excluded")
        c_start, c_end = self._cursor_span()
        s_start, s_end = self.selection or (0, 0)
        segments: list[Segment] = []
        buffer: list[str] = []
        current: Style | None = None
        col = 0
        e_index = 0
        for i in range(start, end):
            shown, width = display.cell(text[i], col)
            style = base + excluded_style if i in excluded else base
            if i in matches:
                style += match_style
            if i in marks:
                style += mark_style
            while e_index < len(ents) and ents[e_index].end <= i:
                e_index += 1
            entity = ents[e_index] if e_index < len(ents) and ents[e_index].start <= i else None
            if entity is not None:
                style += label_style(entity.label, underline=no_color)
                if entity.source == "memory":  # suggested by the memory: its own mark
                    style += MEMORY_STYLE
                elif self.unsure(entity):
                    style += UNSURE_STYLE
            if s_start <= i < s_end:
                style += selection_style
            if c_start <= i < c_end and (self.selection is None or s_start <= i < s_end):
                style += cursor_style  # within a selection: its true edges stay visible
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
                shade = unsure_tag_style if self.unsure(entity) else tag_style
                segments.append(Segment(tag, base + shade(entity.label) + memory))
                col += _tag_width(entity.label)
        if buffer:
            segments.append(Segment("".join(buffer), current))
        return Strip(segments, col)

    def unsure(self, entity: Entity) -> bool:
        """A suggestion the model scored under the threshold."""
        score = entity.score
        return entity.source == "model" and score is not None and score < self.low_confidence

    # -- cursor ---------------------------------------------------------------------------

    def _cursor_span(self) -> tuple[int, int]:
        if not len(self.tokens):
            return 0, 0
        return self.tokens.span(self.cursor)

    def _cursor_offset(self) -> int:
        return self._cursor_span()[0]

    def entity_at_cursor(self) -> Entity | None:
        if self.document is None:
            return None
        start, end = self._cursor_span()
        hits = self.document.spans.overlapping(start, max(end, start + 1))
        return hits[0] if hits else None

    def _scroll_to_cursor(self) -> None:
        row = self.row_of(self._cursor_offset())
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def _paragraph_of(self, offset: int) -> tuple[int, int]:
        return self._paras[max(0, bisect.bisect_right(self._para_starts, offset) - 1)]

    def _within_paragraph(self, anchor: int, index: int) -> int:
        """``index``, or the last token toward it still in ``anchor``'s paragraph: a selection
        never crosses a paragraph break, as ``]`` never does."""
        start, end = self._paragraph_of(self.tokens.starts[anchor])
        tokens = self.tokens
        if index > anchor:
            last = bisect.bisect_left(tokens.starts, end) - 1
            return min(index, max(anchor, last))
        first = bisect.bisect_left(tokens.starts, start)
        return max(index, min(anchor, first))

    def move_to(self, index: int, *, extend: bool = False) -> None:
        """Put the cursor on token ``index``; with ``extend`` grow the selection to it."""
        if not len(self.tokens):
            return
        index = max(0, min(index, len(self.tokens) - 1))
        old_span = self._cursor_span()
        old_selection = self.selection
        if extend:
            if self.sel_anchor is None:
                self.sel_anchor = self.cursor
            allowed = self._within_paragraph(self.sel_anchor, index)
            if allowed != index:
                if not self._told_paragraph:  # once per selection, not once per key
                    self._told_paragraph = True
                    self.notify("A selection stays within one paragraph.", markup=False)
                if allowed == self.cursor:
                    return
                index = allowed
            lo, hi = sorted((self.sel_anchor, index))
            self.selection = (self.tokens.starts[lo], self.tokens.ends[hi])
        self.cursor = index
        self._invalidate(*old_span)
        self._invalidate(*self._cursor_span())
        if old_selection != self.selection:
            for span in (old_selection, self.selection):
                if span is not None:
                    self._invalidate(*span)
        self._scroll_to_cursor()
        self._cursor_moved()

    def move_to_offset(self, offset: int) -> None:
        self.move_to(self.tokens.index_at(offset))

    def _cursor_moved(self, force: bool = False) -> None:
        entity = self.entity_at_cursor()
        if force or entity != self._last_entity:
            self._last_entity = entity
            self.post_message(self.CursorMoved(self, entity))

    def clear_selection(self) -> None:
        if self.selection is not None:
            self._invalidate(*self.selection)
        self.selection = None
        self.sel_anchor = None
        self._told_paragraph = False

    # -- mouse ----------------------------------------------------------------------------

    def _token_at_pointer(self, event: events.MouseEvent) -> int | None:
        """The token under the pointer (the one before it on blank space), if on text."""
        if not len(self.tokens) or not self._row_starts:
            return None
        x, y = event.get_content_offset_capture(self)
        row = max(0, min(self.scroll_offset.y + y, len(self._row_starts) - 1))
        offset = self._offset_at(row, max(0, x))
        index = self.tokens.index_at(offset)
        if self.tokens.ends[index] <= self._row_starts[row] and index + 1 < len(self.tokens):
            index += 1  # blank space at the start of a row belongs to the row's first word
        return index

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A press puts the cursor on the word; dragging from there selects tokens."""
        if event.button != 1:
            return
        index = self._token_at_pointer(event)
        if index is None:
            return
        self.focus()
        self.clear_selection()
        self.move_to(index)
        self._drag_from = index
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_from is None:
            return
        index = self._token_at_pointer(event)
        if index is None or index == self.cursor:
            return
        self.sel_anchor = self.sel_anchor if self.selection is not None else self._drag_from
        self.move_to(index, extend=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_from is not None:
            self._drag_from = None
            self.capture_mouse(False)

    def on_click(self, event: events.Click) -> None:
        """A double click on an entity selects all of it, ready for a label key."""
        if event.chain != 2:
            return
        entity = self.entity_at_cursor()
        if entity is None:
            return
        first, last = self._token_range(entity)
        self.clear_selection()
        self.move_to(first)
        self.sel_anchor = first
        self.move_to(last, extend=True)
        self.selection = (entity.start, entity.end)
        self._invalidate(entity.start, entity.end)

    def on_mouse_scroll_down(self) -> None:
        self.call_after_refresh(self._follow_view)

    def on_mouse_scroll_up(self) -> None:
        self.call_after_refresh(self._follow_view)

    # The scrollbar asks for a scroll with these messages; Textual's own handlers scroll
    # without a callback, so they are replaced here to let the cursor follow once it is done.
    def _on_scroll_to(self, message: ScrollTo) -> None:
        if self._allow_scroll:
            self.scroll_to(
                message.x,
                message.y,
                animate=message.animate,
                duration=0.1,
                on_complete=self._follow_view,
            )
            message.stop()

    def _on_scroll_up(self, event: ScrollUp) -> None:
        if self.allow_vertical_scroll:
            self.scroll_page_up(on_complete=self._follow_view)
            event.stop()

    def _on_scroll_down(self, event: ScrollDown) -> None:
        if self.allow_vertical_scroll:
            self.scroll_page_down(on_complete=self._follow_view)
            event.stop()

    def _follow_view(self) -> None:
        """After the wheel or the scrollbar moved the cursor out of sight, put it on the
        nearest visible row, so the next key acts where the person is looking."""
        if not len(self.tokens) or not self._row_starts:
            return
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        bottom = min(top + height, len(self._row_starts)) - 1
        row = self.row_of(self._cursor_offset())
        if top <= row <= bottom:
            return
        target = top if row < top else bottom
        step = 1 if row < top else -1
        while top <= target <= bottom:
            start, end = self._row_starts[target], self._row_ends[target]
            index = self.tokens.index_at(max(start, end - 1) if step < 0 else start)
            if self.tokens.starts[index] < start and index + 1 < len(self.tokens):
                index += 1
            if start <= self.tokens.starts[index] < max(end, start + 1):
                self.clear_selection()
                self.move_to(index)
                return
            target += step

    # -- actions: moving ------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def _move_rows(self, rows: int) -> None:
        if not len(self.tokens):
            return
        offset = self._cursor_offset()
        row, col = self.row_of(offset), self._col_of(offset)
        step = 1 if rows > 0 else -1
        target = max(0, min(row + rows, len(self._row_starts) - 1))
        while 0 <= target < len(self._row_starts):
            start, end = self._row_starts[target], self._row_ends[target]
            index = self.tokens.index_at(self._offset_at(target, col))
            if self.tokens.starts[index] < start and index + 1 < len(self.tokens):
                index += 1
            if start <= self.tokens.starts[index] < max(end, start + 1):
                self.move_to(index)
                return
            target += step
        self.move_to(len(self.tokens) - 1 if step > 0 else 0)

    def action_line(self, step: int) -> None:
        self._move_rows(step)

    def action_page(self, step: int) -> None:
        self._move_rows(step * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, step: int) -> None:
        self.move_to(0 if step < 0 else len(self.tokens) - 1)

    def action_entity(self, step: int) -> None:
        if self.document is None:
            return
        spans = self.document.spans
        offset = self._cursor_offset()
        current = self.entity_at_cursor()
        if step > 0:
            found = spans.next_after(max(offset, current.start if current else offset))
        else:
            found = spans.previous_before(current.start if current else offset)
        if found is None:
            self.app.bell()
            return
        self.move_to_offset(found.start)

    def action_suspect(self, step: int) -> None:
        """Jump to the next (or previous) entity that looks wrong, and say why."""
        if self.document is None:
            return
        offset = self._cursor_offset()
        current = self.entity_at_cursor()
        if step < 0 and current is not None:
            offset = current.start
        every = walk(self.text, self.document.entities, self.low_confidence)
        found = [s for s in every if (s.entity.start - offset) * step > 0]
        if not found:
            where = "after" if step > 0 else "before"
            self._refuse(f"No likely error {where} the cursor in this article.")
            return
        hit = found[0] if step > 0 else found[-1]
        self.move_to_offset(hit.entity.start)
        self.notify(f"Likely error, {hit.reason}.", markup=False)

    def action_extend(self, step: int) -> None:
        self.move_to(self.cursor + step, extend=True)

    def action_clear(self) -> None:
        self.clear_selection()
        if self.matches:
            for span in self.matches:
                self._invalidate(*span)
            self.matches = []

    # -- actions: editing -----------------------------------------------------------------

    def _refuse(self, reason: str) -> None:
        """A key that changes nothing says why (a bell alone is easy to miss)."""
        self.app.bell()
        self.post_message(self.Refused(self, reason))

    def _edit(
        self,
        make: Callable[[Document], Edit | None],
        why: str = "",
        kind: EditKind = "edit",
        subject: Entity | None = None,
        announce: bool = True,
    ) -> Edit | None:
        """Make an edit; say so when it removed entities other than ``subject``."""
        if self.document is None:
            return None
        if self.locked is not None:
            self._refuse(self.locked)
            return None
        edit = make(self.document)
        if edit is None:
            if why:
                self._refuse(why)
            else:
                self.app.bell()
            return None
        self.applied(edit, kind)
        if announce:
            self._announce_replaced(edit, subject)
        return edit

    def _announce_replaced(self, edit: Edit, subject: Entity | None) -> None:
        """Say how many entities besides ``subject`` an edit swallowed; ``u`` restores them."""
        kept = {(e.start, e.end) for e in edit.added}
        others = [e for e in edit.removed if e != subject and (e.start, e.end) not in kept]
        if others:
            n = len(others)
            self.notify(
                f"That removed {n} other {'entity' if n == 1 else 'entities'}; u brings "
                f"{'it' if n == 1 else 'them'} back.",
                markup=False,
            )

    def applied(self, edit: Edit, kind: EditKind = "edit") -> None:
        """Show an edit made to the document and announce it (the screen saves it)."""
        if edit.extent is not None:
            self._relayout(*edit.extent)
        self._cursor_moved(force=True)
        assert self.document is not None
        # Straight to the screen, which saves it: one hop from the key to the save.
        self.screen.post_message(Edited(self, self.document, edit, kind))

    def _blank(self, start: int, end: int) -> str:
        """Why ``[start, end)`` cannot be labelled, when it holds only whitespace."""
        return (
            "Only whitespace is there: nothing to label."
            if trim(self.text, start, end) is None
            else ""
        )

    def _crossing(self, start: int, end: int) -> str:
        """Why an entity cannot grow over ``[start, end)``, when a line break is in it."""
        gap = self.text[start:end]
        return "An entity cannot cross a paragraph break." if "\n" in gap or "\r" in gap else ""

    def apply_label(self, label: str) -> None:
        """Label the selection, else relabel the entity under the cursor, else its token."""
        selection = self.selection
        entity = self.entity_at_cursor()
        if selection is not None:
            self.clear_selection()
            self._edit(lambda d: d.add(*selection, label), self._blank(*selection))
        elif entity is not None:
            self._edit(lambda d: d.relabel(entity, label))
        elif len(self.tokens):
            span = self._cursor_span()
            self._edit(lambda d: d.add(*span, label), self._blank(*span))

    def action_label_number(self, number: int) -> None:
        if number > len(self.labels):
            self.app.bell()
            return
        self.apply_label(self.labels[number - 1])

    def action_delete(self) -> None:
        entity = self.entity_at_cursor()
        if entity is None:
            self.app.bell()
            return
        self._edit(lambda d: d.delete(entity))

    def action_alternative(self) -> None:
        """Take the model's other reading of the suggestion under the cursor."""
        entity = self.entity_at_cursor()
        alt = entity.alternative if entity is not None else None
        if entity is None or alt is None:
            self._refuse(
                "No entity under the cursor."
                if entity is None
                else "The model had no other reading here: x deletes it, a number relabels it."
            )
            return
        self._edit(
            lambda d: d.add(alt.start, alt.end, alt.label),
            self._crossing(alt.start, alt.end),
            subject=entity,
        )

    def action_split(self) -> None:
        entity = self.entity_at_cursor()
        if entity is None:
            self._refuse("No entity under the cursor to split.")
            return
        self._edit(
            lambda d: d.split(entity),
            "No separator in this entity to split at (a dash, slash, pipe or bullet with a "
            "space beside it); [ and { resize it.",
            subject=entity,
        )

    def _token_range(self, entity: Entity) -> tuple[int, int]:
        first = self.tokens.index_at(entity.start)
        last = self.tokens.index_at(entity.end - 1)
        return first, last

    def action_resize_end(self, step: int) -> None:
        entity = self.entity_at_cursor()
        if entity is None or not len(self.tokens):
            self.app.bell()
            return
        first, last = self._token_range(entity)
        last += step
        if not first <= last < len(self.tokens):
            self.app.bell()
            return
        end = self.tokens.ends[last]
        why = self._crossing(entity.end, end)
        if why:  # the cursor skips breaks: the token beyond one is in the next paragraph
            self._refuse(why)
            return
        if self._edit(lambda d: d.resize(entity, entity.start, end), subject=entity):
            self.move_to_offset(entity.start)

    def action_resize_start(self, step: int) -> None:
        entity = self.entity_at_cursor()
        if entity is None or not len(self.tokens):
            self.app.bell()
            return
        first, last = self._token_range(entity)
        first += step
        if not 0 <= first <= last:
            self.app.bell()
            return
        start = self.tokens.starts[first]
        why = self._crossing(start, entity.start)
        if why:
            self._refuse(why)
            return
        if self._edit(lambda d: d.resize(entity, start, entity.end), subject=entity):
            self.move_to_offset(start)

    def action_nudge(self, step: int) -> None:
        """Move the end of the selection (or the entity) by one character."""
        if self.selection is not None:
            start, end = self.selection
            new_end = max(start + 1, min(end + step, self._paragraph_of(start)[1]))
            self.selection = (start, new_end)
            self._invalidate(start, max(end, new_end))
            return
        entity = self.entity_at_cursor()
        if entity is None:
            self.app.bell()
            return
        end = max(entity.start + 1, min(entity.end + step, len(self.text)))
        self._edit(lambda d: d.resize(entity, entity.start, end), subject=entity)

    def action_nudge_start(self, step: int) -> None:
        """Move the start of the selection (or the entity) by one character: CJK, words
        glued to punctuation and long runs without spaces need it."""
        if self.selection is not None:
            start, end = self.selection
            new_start = max(self._paragraph_of(end - 1)[0], min(start + step, end - 1))
            self.selection = (new_start, end)
            self._invalidate(min(start, new_start), end)
            return
        entity = self.entity_at_cursor()
        if entity is None:
            self.app.bell()
            return
        start = max(0, min(entity.start + step, entity.end - 1))
        if self._edit(lambda d: d.resize(entity, start, entity.end), subject=entity):
            self.move_to_offset(start)

    def action_label_all(self) -> None:
        entity = self.entity_at_cursor()
        if entity is None:
            self.app.bell()
            return
        tokens = self.tokens
        self._edit(
            lambda d: d.label_all(entity.start, entity.end, entity.label, tokens),
            kind="label_all",
            subject=entity,
        )

    def action_exclude(self) -> None:
        selection, offset = self.selection, self._cursor_offset()
        self.clear_selection()
        self._edit(lambda d: d.toggle_excluded(offset, selection))

    def action_exclude_chrome(self) -> None:
        self.clear_selection()
        edit = self._edit(
            lambda d: d.exclude_chrome(),
            "No page chrome here: the article starts and ends with sentences.",
            announce=False,
        )
        if edit is not None:
            gone = len(edit.removed)
            self.notify(
                f"Marked the page chrome as not article text, with {gone} "
                f"{'entity' if gone == 1 else 'entities'} in it; X on a paragraph gives it "
                "back, u undoes.",
                markup=False,
            )

    def action_exclude_tail(self) -> None:
        offset = self._cursor_offset()
        self._edit(lambda d: d.exclude_tail(offset))

    def _history(self, step: Callable[[Document], Edit | None], kind: EditKind) -> None:
        if self.document is None:
            return
        if self.locked is not None:
            self._refuse(self.locked)
            return
        edit = step(self.document)
        if edit is None:
            self._refuse(f"Nothing to {kind} in this article.")
            return
        self.applied(edit, kind)
        if edit.extent is not None:
            self.move_to_offset(edit.extent[0])

    def action_undo(self) -> None:
        self._history(Document.undo, "undo")

    def action_redo(self) -> None:
        self._history(Document.redo, "redo")

    # -- search ---------------------------------------------------------------------------

    def search(self, query: str) -> tuple[int, bool]:
        """Mark every match of ``query`` (case-insensitive) and jump to the next one.

        Text marked as not article text is skipped, unless the query is found only there:
        then those matches are the ones marked (so ``X`` can give the text back). Returns the
        number of matches, and whether they are in such text.
        """
        self.action_clear()
        if not query:
            return 0, False
        haystack, needle = self.text.casefold(), query.casefold()
        found: list[tuple[int, int]] = []
        if len(haystack) == len(self.text):  # casefold kept offsets aligned
            i = haystack.find(needle)
            while i != -1:
                found.append((i, i + len(needle)))
                i = haystack.find(needle, i + 1)
        else:
            i = self.text.find(query)
            while i != -1:
                found.append((i, i + len(query)))
                i = self.text.find(query, i + 1)
        outside = False
        if self.document is not None:  # not article text: a jump target only as a last resort
            article = [m for m in found if self.document.excluded_at(*m) is None]
            outside = bool(found) and not article
            found = found if outside else article
        self.matches = found
        for span in found:
            self._invalidate(*span)
        self.action_next_match()
        return len(found), outside

    def action_next_match(self) -> None:
        if not self.matches:
            return
        offset = self._cursor_offset()
        i = bisect.bisect_right(self.matches, (offset, len(self.text) + 1))
        start = self.matches[i % len(self.matches)][0]
        self.move_to_offset(start)
