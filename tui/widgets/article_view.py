"""The article view: the reading view and the keys that change the article.

Every edit key is one short pipeline (:meth:`ArticleView._edit`): the :class:`Document` makes
the edit or refuses it, a refusal becomes a notice here and nowhere else, the rows the edit
touched are wrapped again, and one :class:`~tui.messages.Edited` goes up to the screen, which
saves it. No key raises out of an action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import BindingType

from tui import messages
from tui.core.edits import Document, Edit, Refused
from tui.core.session import EditKind
from tui.core.spans import Entity, trim
from tui.keys import VIEW_BINDINGS
from tui.widgets import navigation
from tui.widgets.reading_view import ReadingView, drawable

__all__ = ["ArticleView", "drawable"]


class ArticleView(ReadingView):
    """A reading view whose keys label, resize, split, exclude and undo."""

    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](VIEW_BINDINGS)

    Edited = messages.Edited

    # -- the one pipeline -----------------------------------------------------------------

    def _edit(
        self,
        make: Callable[[Document], Edit | None],
        nothing: str = "",
        kind: EditKind = "edit",
        subject: Entity | None = None,
        announce: bool = True,
    ) -> Edit | None:
        """Make an edit: the one place a refusal becomes a notice. The core's
        :class:`Refused` says why; ``nothing`` says why a key changed nothing (else a bell).
        Says so when the edit removed entities other than ``subject``."""
        if self.document is None:
            return None
        if self.locked is not None:
            self._refuse(self.locked)
            return None
        try:
            edit = make(self.document)
        except Refused as no:
            self._refuse(str(no))
            return None
        if edit is None:
            if nothing:
                self._refuse(nothing)
            else:
                self.app.bell()
            return None
        self.applied(edit, kind)
        if announce:
            self._announce_replaced(edit, subject)
        return edit

    def applied(self, edit: Edit, kind: EditKind = "edit") -> None:
        """Show an edit made to the document and announce it (the screen saves it)."""
        if edit.extent is not None:
            self._rewrap(*edit.extent)
        self._cursor_moved(force=True)
        assert self.document is not None
        # Straight to the screen, which saves it: one hop from the key to the save.
        self.screen.post_message(self.Edited(self, self.document, edit, kind))

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

    def _to_article_text(self) -> None:
        """After text was marked not article: a cursor left in it goes to the nearest token
        of article text, so the next key acts on text it can change."""
        if self.document is None or not len(self.tokens):
            return
        found = navigation.nearest_article_token(self.tokens, self.document, self.cursor)
        if found is not None:
            self.clear_selection()
            self.move_to(found)

    # -- labels ---------------------------------------------------------------------------

    def _blank(self, start: int, end: int) -> str:
        """Why ``[start, end)`` cannot be labelled, when it holds only whitespace."""
        blank = trim(self.text, start, end) is None
        return "Only whitespace is there: nothing to label." if blank else ""

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

    def action_label_all(self) -> None:
        entity = self.entity_at_cursor()
        if entity is None:
            self.app.bell()
            return
        self._tokens_to(len(self.text))  # every occurrence, to the end
        tokens = self.tokens
        self._edit(
            lambda d: d.label_all(entity.start, entity.end, entity.label, tokens),
            kind="label_all",
            subject=entity,
        )

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
        self._edit(lambda d: d.add(alt.start, alt.end, alt.label), subject=entity)

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

    def action_join(self) -> None:
        entity = self.entity_at_cursor()
        if entity is None:
            self._refuse("No entity under the cursor to join.")
            return
        self._edit(lambda d: d.join(entity), announce=False)

    # -- edges ----------------------------------------------------------------------------

    def action_resize_end(self, step: int) -> None:
        """Move the end by a token; an entity it reaches is swallowed (``]``)."""
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
        if self._edit(lambda d: d.resize(entity, start, entity.end), subject=entity):
            self.move_to_offset(start)

    def action_nudge(self, step: int) -> None:
        """Move the end of the selection (or the entity) by one character."""
        if self.selection is not None:
            start, end = self.selection
            self.selection = (
                start,
                max(start + 1, min(end + step, self.row_layout.line_of(start)[1])),
            )
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
            first = self.row_layout.line_of(end - 1)[0]
            self.selection = (max(first, min(start + step, end - 1)), end)
            return
        entity = self.entity_at_cursor()
        if entity is None:
            self.app.bell()
            return
        start = max(0, min(entity.start + step, entity.end - 1))
        if self._edit(lambda d: d.resize(entity, start, entity.end), subject=entity):
            self.move_to_offset(start)

    # -- not article text -----------------------------------------------------------------

    def action_exclude(self) -> None:
        selection, offset = self.selection, self._cursor_offset()
        self.clear_selection()
        self._edit(lambda d: d.toggle_excluded(offset, selection))
        self._to_article_text()

    def action_exclude_chrome(self) -> None:
        self.clear_selection()
        edit = self._edit(
            lambda d: d.exclude_chrome(),
            "No page chrome here: the article starts and ends with sentences.",
            announce=False,
        )
        self._to_article_text()
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
        self._to_article_text()

    # -- history --------------------------------------------------------------------------

    def _history(self, step: Callable[[Document], Edit | None], kind: EditKind) -> None:
        edit = self._edit(step, f"Nothing to {kind} in this article.", kind, announce=False)
        if edit is not None and edit.extent is not None:
            self.move_to_offset(edit.extent[0])

    def action_undo(self) -> None:
        self._history(Document.undo, "undo")

    def action_redo(self) -> None:
        self._history(Document.redo, "redo")
