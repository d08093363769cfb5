"""Reading an article: word-wrapped, its entities highlighted, a token cursor, on Textual's
Line API. The keys that change the article are :class:`~tui.widgets.article_view.ArticleView`'s.

The view is a thin pipeline over plain modules: :mod:`tui.widgets.rows` lays the text out in
rows, :mod:`tui.widgets.navigation` says where the cursor goes, :mod:`tui.widgets.row_render`
draws a row from a :class:`~tui.widgets.row_render.RowState`. Only visible rows are rendered,
each cached under its state, so a change anywhere can never leave a stale row on screen, and a
200,000-character article with thousands of entities moves as fast as a short one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import events, work
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollDown, ScrollTo, ScrollUp
from textual.strip import Strip

from tui import messages
from tui.core.confidence import LOW
from tui.core.edits import Document
from tui.core.spans import Entity, Range
from tui.core.tokens import Tokens, for_cursor, regex_tokens
from tui.widgets import display, navigation
from tui.widgets.navigation import Selection
from tui.widgets.row_render import RowState, RowStyles, render_row, tag_width, touching
from tui.widgets.rows import RowLayout

QUICK_TOKENS = 50_000
"""Characters of an article tokenized before its first frame; a longer one's other tokens
come from a thread (a 5,000,000-character article has near a million)."""


def drawable(ch: str) -> bool:
    """True when the character shows as something a cursor can be seen on: not a joiner,
    variation selector or combining mark drawn as nothing, nor a skin-tone modifier (the
    terminal joins it to the emoji before it)."""
    if 0x1F3FB <= ord(ch) <= 0x1F3FF:
        return False
    return display.glyph(ch)[1] > 0


class ReadingView(ScrollView, can_focus=True):
    """A scrollable, word-wrapped article with a token cursor and a selection."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--cursor",
        "article-view--selection",
        "article-view--mark",
        "article-view--match",
        "article-view--excluded",
    }
    DEFAULT_CSS = """
    ReadingView {
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
    }
    ReadingView > .article-view--cursor { text-style: reverse bold underline; }
    ReadingView > .article-view--selection { text-style: reverse; }
    ReadingView > .article-view--mark { text-style: bold underline; color: $warning; }
    ReadingView > .article-view--match { text-style: bold; background: $warning 50%; }
    ReadingView > .article-view--excluded { color: $text-disabled; text-style: italic; }
    """

    CursorMoved = messages.CursorMoved
    Refused = messages.Refused

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
        self._tokens_end: int | None = None
        """Where the tokens found so far end, while a thread finds the rest."""
        self.sel: Selection | None = None
        self.marks: list[Range] = []
        self.matches: list[Range] = []
        self.row_layout = RowLayout("", 0)
        self._cache: LRUCache[tuple[str, RowState, int, RowStyles], Strip] = LRUCache(1024)
        self._styles: RowStyles | None = None
        self._low_confidence = LOW
        self._last_entity: Entity | None = None
        self._drag_from: int | None = None
        self._told_line = False
        self._suspect_at: int | None = None  # where the last w or W put the cursor

    # -- data in --------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.document.text if self.document is not None else ""

    @property
    def selection(self) -> Range | None:
        return self.sel.span if self.sel is not None else None

    @selection.setter
    def selection(self, span: Range | None) -> None:
        anchor = self.sel.anchor if self.sel is not None else self.cursor
        self.sel = Selection(anchor, *span) if span is not None else None
        self.refresh()

    @property
    def sel_anchor(self) -> int | None:
        return self.sel.anchor if self.sel is not None else None

    @sel_anchor.setter
    def sel_anchor(self, anchor: int | None) -> None:
        if anchor is None:
            self.sel = None
        else:
            start, end = self.sel.span if self.sel is not None else self.tokens.span(anchor)
            self.sel = Selection(anchor, start, end)

    def show(self, document: Document | None, tokens: Tokens | None = None) -> None:
        """Display another article (or none), cursor at its start. A long article's tokens
        past its first lines are found in a thread, after the first frame."""
        self.document = document
        text = self.text
        cut = text.find("\n", QUICK_TOKENS) if tokens is None and len(text) > QUICK_TOKENS else -1
        if cut > 0:  # at a line break no token crosses: these are the first of all tokens
            self.tokens = partial = for_cursor(regex_tokens(text, cut), text, drawable)
            self._tokens_end = cut
            self.call_after_refresh(lambda: self._tokenize(document, partial))
        else:
            self.tokens = for_cursor(tokens or regex_tokens(text), text, drawable)
            self._tokens_end = None
        self.cursor = 0
        self.sel = None
        self._told_line = False
        self.marks = []
        self.matches = []
        self._last_entity = None
        self._suspect_at = None
        self._relayout_all()
        self.scroll_to(y=0, animate=False, immediate=True)
        self._cursor_moved()

    @work(thread=True, exclusive=True, exit_on_error=False, group="view-tokens")
    def _tokenize(self, document: Document | None, partial: Tokens) -> None:
        if document is None or self.document is not document or self.tokens is not partial:
            return
        every = for_cursor(regex_tokens(document.text), document.text, drawable)
        self.app.call_from_thread(self._tokenized, document, partial, every)

    def _tokenized(self, document: Document, partial: Tokens, every: Tokens) -> None:
        """All the tokens, in place of the first ones: the cursor's index stays its token,
        unless the model's tokens came first."""
        if self.document is document and self.tokens is partial:
            self.tokens, self._tokens_end = every, None
            self.refresh()

    def _tokens_to(self, offset: int) -> None:
        """Every token now, when the cursor is to go past the first ones before the thread
        found the rest (``G`` at once, a search hit far down)."""
        if self._tokens_end is not None and offset >= self._tokens_end and self.document:
            self.tokens = for_cursor(regex_tokens(self.text), self.text, drawable)
            self._tokens_end = None

    def set_tokens(self, tokens: Tokens) -> None:
        """Switch to the model's token boundaries, keeping the cursor where it was."""
        offset = self._cursor_offset()
        self.tokens = tokens = for_cursor(tokens, self.text, drawable)
        self._tokens_end = None
        self.cursor = tokens.index_at(offset) if len(tokens) else 0
        self.sel = None
        self.refresh()

    def redraw(self, extent: Range | None = None) -> None:
        """Re-render after the document changed underneath, only around ``extent``."""
        if extent is None:
            self._relayout_all()
        else:
            self._rewrap(*extent)
        self._cursor_moved(force=True)

    def watch_plain(self) -> None:
        self._relayout_all()

    def set_marks(self, marks: Iterable[Range]) -> None:
        """Mark spans (the entity under the other pane's cursor, found here)."""
        new = sorted(marks)
        if new != self.marks:
            self.marks = new
            self.refresh()

    # -- layout ---------------------------------------------------------------------------

    def _tags(self, start: int, end: int) -> list[tuple[int, int]]:
        if self.plain or self.document is None:
            return []
        return [
            (e.end - 1, tag_width(e.label))
            for e in self.document.spans.overlapping(start, end)
            if start < e.end <= end
        ]

    def _width(self) -> int:
        return max(8, self.scrollable_content_region.width)

    def _relayout_all(self) -> None:
        """Lay out everything again; the cursor keeps its row on screen (``p``, a resize).
        Only the lines around the cursor are wrapped now, the rest when they are reached."""
        old = self.row_layout
        screen_row = old.row_of(self._cursor_offset()) - round(self.scroll_y)
        lines = old.lines if old.text is self.text else None
        self.row_layout = layout = RowLayout(self.text, self._width(), self._tags, lines)
        height = max(1, self.scrollable_content_region.height)
        screen_row = max(0, min(screen_row, height - 1))
        layout.wrap_near(self._cursor_offset(), screen_row, height - screen_row)
        layout.corrections()  # the scroll is set from the cursor below
        self.virtual_size = Size(layout.width, len(layout))
        self.refresh()
        top = max(0, self.row_of(self._cursor_offset()) - screen_row)
        self.scroll_to(y=top, animate=False, immediate=True)
        self._scroll_to_cursor()

    def _rewrap(self, start: int, end: int) -> None:
        """Wrap again the lines ``[start, end)`` touches (an edit changed their tags)."""
        if self.row_layout.text is not self.text or self.row_layout.width != self._width():
            self._relayout_all()
            return
        changed = self.row_layout.rewrap(start, end)
        if changed.shifted:  # every row below moved
            self.virtual_size = Size(self.row_layout.width, len(self.row_layout))
            self.refresh()
        else:  # only these rows' states changed; the others keep their keys
            self.refresh_lines(changed.first, changed.new)
        self._scroll_to_cursor()  # a re-wrap may have pushed the cursor's row off screen

    def _sync(self) -> bool:
        """Catch up with lines wrapped since the last look: a line above the screen whose
        estimate was corrected moves the screen with its text, and the virtual size follows
        the rows. True when the screen must be drawn again."""
        layout = self.row_layout
        top = old_top = round(self.scroll_y)
        for fix in layout.corrections():
            if fix.first + fix.old <= top:
                top += fix.new - fix.old
        size = Size(layout.width, len(layout))
        changed = size != self.virtual_size
        if changed:
            self.virtual_size = size
        if top != old_top:
            self.scroll_to(y=top, animate=False, immediate=True)
        return changed or top != old_top

    def on_resize(self) -> None:
        if self.document is not None and self._width() != self.row_layout.width:
            self._relayout_all()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def row_of(self, offset: int) -> int:
        return self.row_layout.row_of(offset)

    def col_of(self, offset: int) -> int:
        return self.row_layout.col_of(offset)

    # -- rendering ------------------------------------------------------------------------

    def _row_styles(self) -> RowStyles:
        if self._styles is None:
            get = self.get_component_rich_style
            self._styles = RowStyles(
                self.rich_style,
                get("article-view--cursor"),
                get("article-view--selection"),
                get("article-view--mark"),
                get("article-view--match"),
                get("article-view--excluded"),
                self.app.no_color,
                self._low_confidence,
            )
        return self._styles

    @property
    def low_confidence(self) -> float:
        """Suggestions the model scored under this are drawn apart and ``w`` stops at them."""
        return self._low_confidence

    @low_confidence.setter
    def low_confidence(self, value: float) -> None:
        self._low_confidence = value
        self._styles = None  # part of every row's key: rows redraw with it
        self.refresh()

    def row_state(self, row: int) -> RowState:
        """Everything that decides how ``row`` looks: its cache key."""
        assert self.document is not None
        document = self.document
        start, end = self.row_layout.row(row)
        reach = max(end, start + 1)
        ents = () if self.plain else tuple(document.spans.overlapping(start, reach))
        cursor = self._cursor_span()
        on_row = cursor if cursor[0] < reach and cursor[1] > start else None
        selection = self.selection
        if selection is not None and on_row is None and not touching([selection], start, end):
            selection = None
        return RowState(
            start,
            end,
            ents,
            touching(document.excluded, start, end),
            touching(self.marks, start, end),
            touching(self.matches, start, end),
            on_row,
            selection,
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        """Wrap the lines on screen before drawing them (a scrollbar drag lands anywhere)."""
        if self.document is not None:
            if self._width() != self.row_layout.width:
                self._relayout_all()  # the first frame after layout: wrap to the real width
            height = self.scrollable_content_region.height
            self.row_layout.wrap_rows(round(self.scroll_y), height)
            if self._sync():
                self.refresh()  # every line of this frame is drawn from the new rows
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if self.document is None or row >= len(self.row_layout):
            return Strip.blank(width, self.rich_style)
        return self.render_row(row, width)

    def render_row(self, row: int, width: int, *, cached: bool = True) -> Strip:
        """Row ``row`` cropped to ``width`` cells, from the cache when its state was drawn."""
        styles, state = self._row_styles(), self.row_state(row)
        key = (self.text, state, width, styles)
        strip = self._cache.get(key) if cached else None
        if strip is None:
            segments, cells = render_row(self.text, state, styles)
            strip = Strip(segments, cells).crop_extend(0, width, styles.base)
            self._cache[key] = strip
        return strip

    # -- cursor ---------------------------------------------------------------------------

    def _cursor_span(self) -> Range:
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
        height = max(1, self.scrollable_content_region.height)
        offset = self._cursor_offset()
        self.row_layout.wrap_near(offset, height, height)  # the rows it may be shown among
        self._sync()
        row = self.row_of(offset)
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def _refresh_span(self, span: Range | None) -> None:
        """Repaint the rows ``span`` is on (their cached strips are keyed by state)."""
        if span is not None and len(self.row_layout):
            r0, r1 = self.row_of(span[0]), self.row_of(max(span[0], span[1] - 1))
            self.refresh_lines(r0, r1 - r0 + 1)

    def move_to(self, index: int, *, extend: bool = False) -> None:
        """Put the cursor on token ``index``; with ``extend`` grow the selection to it."""
        if not len(self.tokens):
            return
        if index >= len(self.tokens) - 1:
            self._tokens_to(len(self.text))
        index = max(0, min(index, len(self.tokens) - 1))
        old_span, old_selection = self._cursor_span(), self.selection
        if extend:
            sel, allowed, clipped = navigation.extend(
                self.row_layout, self.tokens, self.sel, self.cursor, index
            )
            if clipped:
                if not self._told_line:  # once per selection, not once per key
                    self._told_line = True
                    self.notify("A selection stays within one line.", markup=False)
                if allowed == self.cursor:
                    return
            self.sel, index = sel, allowed
        self.cursor = index
        for span in (old_span, self._cursor_span(), old_selection, self.selection):
            self._refresh_span(span)
        self._scroll_to_cursor()
        self._cursor_moved()

    def move_to_offset(self, offset: int) -> None:
        self._tokens_to(offset)
        self.move_to(self.tokens.index_at(offset))

    def _cursor_moved(self, force: bool = False) -> None:
        entity = self.entity_at_cursor()
        if force or entity != self._last_entity:
            self._last_entity = entity
            self.post_message(self.CursorMoved(self, entity))

    def clear_selection(self) -> None:
        self._refresh_span(self.selection)
        self.sel = None
        self._told_line = False

    def _token_range(self, entity: Entity) -> tuple[int, int]:
        return self.tokens.index_at(entity.start), self.tokens.index_at(entity.end - 1)

    def _refuse(self, reason: str) -> None:
        """A key that changes nothing says why (a bell alone is easy to miss)."""
        self.app.bell()
        self.post_message(self.Refused(self, reason))

    # -- mouse ----------------------------------------------------------------------------

    def _token_at_pointer(self, event: events.MouseEvent) -> int | None:
        """The token under the pointer (the one before it on blank space), if on text."""
        if not len(self.tokens) or not len(self.row_layout):
            return None
        x, y = event.get_content_offset_capture(self)
        row = max(0, min(self.scroll_offset.y + y, len(self.row_layout) - 1))
        self._tokens_to(self.row_layout.row(row)[1])
        index = self.tokens.index_at(self.row_layout.offset_at(row, max(0, x)))
        if self.tokens.ends[index] <= self.row_layout.row(row)[0] and index + 1 < len(self.tokens):
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
        if self.sel is None:
            self.sel = Selection(self._drag_from, *self.tokens.span(self._drag_from))
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
        self.sel = Selection(first, *self.tokens.span(first))
        self.move_to(last, extend=True)
        self.selection = (entity.start, entity.end)

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
        if not len(self.tokens) or not len(self.row_layout):
            return
        height = max(1, self.scrollable_content_region.height)
        self._tokens_to(self.row_layout.row(round(self.scroll_y) + height - 1)[1])
        found = navigation.follow(
            self.row_layout, self.tokens, self.cursor, round(self.scroll_y), height
        )
        if found is not None:
            self.clear_selection()
            self.move_to(found)

    # -- actions: moving ------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def _move_rows(self, rows: int) -> None:
        if len(self.tokens):
            target = self.row_of(self._cursor_offset()) + rows
            self._tokens_to(self.row_layout.row(target)[1])
            self.move_to(navigation.row_move(self.row_layout, self.tokens, self.cursor, rows))

    def action_line(self, step: int) -> None:
        self._move_rows(step)

    def action_page(self, step: int) -> None:
        self._move_rows(step * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, step: int) -> None:
        if step > 0:
            self._tokens_to(len(self.text))
        self.move_to(0 if step < 0 else len(self.tokens) - 1)

    def action_entity(self, step: int) -> None:
        if self.document is None:
            return
        current = self.entity_at_cursor()
        found = navigation.next_entity(self.document, self._cursor_offset(), current, step)
        if found is None:
            self.app.bell()
            return
        self.move_to_offset(found.start)

    def action_suspect(self, step: int) -> None:
        """Jump to the next (or previous) entity that looks wrong, and say why; the entity
        under the cursor counts, unless ``w`` just put the cursor there."""
        if self.document is None:
            return
        offset = self._cursor_offset()
        current = self.entity_at_cursor() if offset != self._suspect_at else None
        hit, wrapped = navigation.next_suspect(
            self.text, self.document.entities, offset, current, step, self._low_confidence
        )
        if hit is None:
            self._refuse("No likely error in this article.")
            return
        self.move_to_offset(hit.entity.start)
        self._suspect_at = self._cursor_offset()
        where = ("the start" if step > 0 else "the end") if wrapped else ""
        again = f"Wrapped round to {where}: likely error" if wrapped else "Likely error"
        self.notify(f"{again}, {hit.reason}.", markup=False)

    def action_extend(self, step: int) -> None:
        self.move_to(self.cursor + step, extend=True)

    def action_clear(self) -> None:
        self.clear_selection()
        if self.matches:
            self.matches = []
            self.refresh()

    # -- search ---------------------------------------------------------------------------

    def search(self, query: str) -> tuple[int, bool]:
        """Mark every match of ``query`` (case-insensitive) and jump to the next one.

        Text marked as not article text is skipped, unless the query is found only there:
        then those matches are the ones marked (so ``X`` can give the text back). Returns the
        number of matches, and whether they are in such text.
        """
        self.action_clear()
        if not query or self.document is None:
            return 0, False
        self.matches, outside = navigation.find(self.document, query)
        self.refresh()
        self.action_next_match()
        return len(self.matches), outside

    def action_next_match(self) -> None:
        start = navigation.next_match(self.matches, self._cursor_offset())
        if start is not None:
            self.move_to_offset(start)
