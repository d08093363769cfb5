"""Edits to one article's entities, with undo and redo, and the article's review status.

Every edit is recorded as the entities it removed and added (plus the status change, and
the ranges of text it marked as not article text or gave back), so undo is exact, and a view
can redraw only the characters an edit touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from tui.core.boilerplate import chrome
from tui.core.spans import (
    Entity,
    Range,
    SpanError,
    SpanIndex,
    check_entities,
    check_ranges,
    merge,
    outside,
    overlapping_range,
    paragraph_at,
    pieces,
    range_at,
    subtract,
    tail_from,
    trim,
)
from tui.core.tokens import Tokens

Status = Literal["unreviewed", "in_progress", "accepted", "rejected", "skipped"]
STATUSES: tuple[Status, ...] = ("unreviewed", "in_progress", "accepted", "rejected", "skipped")


class Refused(SpanError):
    """An edit a :class:`Document` will not make, and why, in a sentence for people.

    The one way the core says no to an edit: a method returns the :class:`Edit` it made,
    ``None`` when there was nothing to change (the entity already has that label, nothing to
    undo), or raises this. A view shows the message; nothing was changed.
    """


def check_label(label: str) -> None:
    """Refuse a label the store would refuse to read back (spaCy rejects them too)."""
    if not label or label != label.strip():
        raise Refused(f"The label {label!r} is empty or has spaces around it: pick another.")


def check_line(text: str, start: int, end: int) -> None:
    """Refuse an entity over a line break: a name never spans lines, and a view could not
    draw it in one piece."""
    if "\n" in text[start:end] or "\r" in text[start:end]:
        raise Refused("An entity cannot cross a line break.")


@dataclass(frozen=True, slots=True)
class Edit:
    """One undoable step: what it removed, what it added, and the status around it."""

    description: str
    removed: tuple[Entity, ...]
    added: tuple[Entity, ...]
    status_before: Status
    status_after: Status
    excluded_before: tuple[Range, ...] | None = None  # None: the ranges did not change
    excluded_after: tuple[Range, ...] | None = None

    @property
    def extent(self) -> tuple[int, int] | None:
        """The character range the edit touched, for redrawing only those lines."""
        edges = [(e.start, e.end) for e in self.removed + self.added]
        if self.excluded_before is not None and self.excluded_after is not None:
            edges.extend(set(self.excluded_before) ^ set(self.excluded_after))
        if not edges:
            return None
        return min(a for a, _ in edges), max(b for _, b in edges)

    def inverse(self) -> Edit:
        return Edit(
            f"undo {self.description}",
            self.added,
            self.removed,
            self.status_after,
            self.status_before,
            self.excluded_after,
            self.excluded_before,
        )


class Document:
    """An article's text, its entities and status, and the history of edits to them."""

    def __init__(
        self,
        text: str,
        entities: Iterable[Entity] = (),
        status: Status = "unreviewed",
        excluded: Iterable[Range] = (),
    ) -> None:
        entities = tuple(entities)
        check_entities(text, entities)
        ranges = tuple(sorted(excluded))
        check_ranges(text, ranges, entities)
        self.text = text
        self.spans = SpanIndex(entities)
        self.status: Status = status
        self.excluded: tuple[Range, ...] = ranges
        """Sorted, disjoint ranges that are not article text; no entity lies in them."""
        self.undo_stack: list[Edit] = []
        self.redo_stack: list[Edit] = []

    @property
    def entities(self) -> tuple[Entity, ...]:
        return self.spans.entities

    # -- applying -------------------------------------------------------------------------

    def _apply(self, edit: Edit) -> None:
        for entity in edit.removed:
            self.spans.remove(entity)
        for entity in edit.added:
            self.spans.add(entity)
        self.status = edit.status_after
        if edit.excluded_after is not None:
            self.excluded = edit.excluded_after

    def _commit(
        self,
        description: str,
        removed: Iterable[Entity],
        added: Iterable[Entity],
        status: Status | None = None,
        excluded: tuple[Range, ...] | None = None,
        *,
        step: bool = False,
    ) -> Edit | None:
        """Apply the change as one step of the history; ``None`` when it changes nothing,
        unless ``step`` says it is a step all the same (a decision that left things as they
        were, which ``u`` should still take back)."""
        removed_set, added_set = set(removed), set(added)
        removed_t = tuple(sorted(removed_set - added_set))
        added_t = tuple(sorted(added_set - removed_set))
        new_status: Status = status if status is not None else "in_progress"
        if excluded == self.excluded:
            excluded = None
        unchanged = not removed_t and not added_t and new_status == self.status
        if unchanged and excluded is None and not step:
            return None
        before = self.excluded if excluded is not None else None
        edit = Edit(description, removed_t, added_t, self.status, new_status, before, excluded)
        self._apply(edit)
        self.undo_stack.append(edit)
        self.redo_stack.clear()
        return edit

    def undo(self) -> Edit | None:
        if not self.undo_stack:
            return None
        edit = self.undo_stack.pop()
        self._apply(edit.inverse())
        self.redo_stack.append(edit)
        return edit

    def redo(self) -> Edit | None:
        if not self.redo_stack:
            return None
        edit = self.redo_stack.pop()
        self._apply(edit)
        self.undo_stack.append(edit)
        return edit

    # -- the edits ------------------------------------------------------------------------

    def add(self, start: int, end: int, label: str) -> Edit | None:
        """Label ``[start, end)`` (trimmed of edge whitespace), replacing what it overlaps."""
        check_label(label)
        bounds = trim(self.text, start, end)
        if bounds is None:
            return None
        start, end = bounds
        self._check_included(start, end)
        check_line(self.text, start, end)
        new = Entity(start, end, label, "user")
        overlapped = self.spans.overlapping(start, end)
        if overlapped == [new]:
            return None
        return self._commit(f"label {self.text[start:end]!r} {label}", overlapped, [new])

    def delete(self, entity: Entity) -> Edit | None:
        if entity not in self.spans:
            return None
        return self._commit(f"delete {entity.text(self.text)!r}", [entity], [])

    def relabel(self, entity: Entity, label: str) -> Edit | None:
        check_label(label)
        if entity not in self.spans or entity.label == label:
            return None
        return self._commit(
            f"relabel {entity.text(self.text)!r} {label}", [entity], [entity.with_label(label)]
        )

    def split(self, entity: Entity) -> Edit | None:
        """Cut ``entity`` at its separators into entities of the same label (see
        :func:`tui.core.spans.pieces`); ``None`` when it has none."""
        if entity not in self.spans:
            return None
        parts = pieces(self.text, entity.start, entity.end)
        if len(parts) < 2:
            return None
        added = [entity.moved(a, b) for a, b in parts]
        return self._commit(f"split {entity.text(self.text)!r}", [entity], added)

    def resize(self, entity: Entity, start: int, end: int) -> Edit | None:
        """Move either end of ``entity``; spans it grows over are replaced, as with ``add``."""
        if entity not in self.spans:
            return None
        bounds = trim(self.text, start, end)
        if bounds is None or bounds == (entity.start, entity.end):
            return None
        self._check_included(*bounds)
        check_line(self.text, bounds[0], entity.start)  # only what it grows over: one that
        check_line(self.text, entity.end, bounds[1])  # came across a line may still shrink
        moved = entity.moved(*bounds)
        overlapped = set(self.spans.overlapping(*bounds)) | {entity}
        return self._commit(f"resize {moved.text(self.text)!r}", overlapped, [moved])

    def join(self, entity: Entity) -> Edit | None:
        """Join ``entity`` and the next entity into one span with ``entity``'s label, the
        text between included ("Wang" and "Yi" as "Wang Yi")."""
        if entity not in self.spans:
            return None
        after = self.spans.next_after(entity.start)
        if after is None:
            raise Refused("No entity after this one to join it with.")
        check_line(self.text, entity.end, after.start)
        self._check_included(entity.start, after.end)
        joined = entity.moved(entity.start, after.end)
        overlapped = set(self.spans.overlapping(entity.start, after.end)) | {entity}
        return self._commit(f"join {joined.text(self.text)!r}", overlapped, [joined])

    def label_all(self, start: int, end: int, label: str, tokens: Tokens) -> Edit | None:
        """Give every whole-token occurrence of ``text[start:end]`` the label ``label``.

        An occurrence inside a longer entity, or crossing an entity's edge, is left alone;
        entities that lie inside an occurrence are replaced by it.
        """
        check_label(label)
        bounds = trim(self.text, start, end)
        if bounds is None:
            return None
        check_line(self.text, *bounds)
        needle = self.text[bounds[0] : bounds[1]]
        removed: list[Entity] = []
        added: list[Entity] = []
        for match in re.finditer(re.escape(needle), self.text):
            s, e = match.start(), match.end()
            if not tokens.is_boundary_span(s, e) or self.excluded_at(s, e) is not None:
                continue
            hits = self.spans.overlapping(s, e)
            if any(h.start < s or h.end > e for h in hits):
                continue
            new = Entity(s, e, label, "user")
            if hits == [new]:
                continue
            removed.extend(hits)
            added.append(new)
        if not removed and not added:
            return None
        return self._commit(f"label every {needle!r} {label}", removed, added)

    def excluded_at(self, start: int, end: int) -> Range | None:
        """The excluded range sharing a character with ``[start, end)``, if any."""
        return overlapping_range(self.excluded, start, end)

    def _check_included(self, start: int, end: int) -> None:
        hit = self.excluded_at(start, end)
        if hit is not None:
            raise Refused(
                f"That is in text marked as not article text ({hit[0]}..{hit[1]}): X there "
                "gives it back first."
            )

    def exclude(self, start: int, end: int) -> Edit | None:
        """Mark ``[start, end)`` (trimmed) as not article text, removing the entities in it.

        Entities that cross an edge go too: no entity may touch excluded text. Touching or
        overlapping ranges are joined, so the ranges stay disjoint.
        """
        bounds = trim(self.text, start, end)
        if bounds is None:
            return None
        start, end = bounds
        return self._exclude(f"exclude {end - start} characters", [bounds])

    def _exclusion(self, found: Sequence[Range]) -> tuple[list[Entity], tuple[Range, ...]]:
        """What marking ``found`` as not article text removes (the entities touching it), and
        the ranges after (joined to those already there)."""
        removed = [e for start, end in found for e in self.spans.overlapping(start, end)]
        return removed, merge((*self.excluded, *found))

    def _exclude(self, description: str, found: Sequence[Range]) -> Edit | None:
        removed, ranges = self._exclusion(found)
        if ranges == self.excluded and not removed:
            return None
        return self._commit(description, removed, [], excluded=ranges)

    def include(self, start: int, end: int) -> Edit | None:
        """Give ``[start, end)`` back to the article text (part of a range splits it)."""
        ranges = subtract(self.excluded, start, end)
        if ranges == self.excluded:
            return None
        return self._commit(f"include {end - start} characters", [], [], excluded=ranges)

    def toggle_excluded(self, offset: int, selection: Range | None = None) -> Edit | None:
        """The reader's key: exclude the selection, else the paragraph at ``offset``; on
        excluded text with no selection, give that whole range back instead."""
        if selection is not None:
            return self.exclude(*selection)
        hit = range_at(self.excluded, offset)
        if hit is not None:
            return self.include(*hit)
        paragraph = paragraph_at(self.text, offset)
        return self.exclude(*paragraph) if paragraph is not None else None

    def exclude_tail(self, offset: int) -> Edit | None:
        """Exclude from the start of the line at ``offset`` to the end ("Related Topics"...)."""
        tail = tail_from(self.text, offset)
        return self.exclude(*tail) if tail is not None else None

    def exclude_chrome(self) -> Edit | None:
        """Exclude the page chrome around the story (menus, bylines, related tails), as one edit
        (see :mod:`tui.core.boilerplate`)."""
        return self._exclude("exclude page chrome", chrome(self.text))

    def mark_chrome(self) -> bool:
        """``suggest --chrome``: exclude the page chrome as the program's work, not a person's
        (no step in the history, the status kept). A part holding a person's entity is left
        as it is; True when anything was marked."""
        found = [
            r
            for r in chrome(self.text)
            if not any(e.source == "user" for e in self.spans.overlapping(*r))
        ]
        removed, ranges = self._exclusion(found)
        if ranges == self.excluded:
            return False
        status, before = self.status, self.excluded
        self._apply(Edit("mark page chrome", tuple(removed), (), status, status, before, ranges))
        return True

    def set_status(self, status: Status) -> Edit | None:
        return self._commit(f"mark {status}", [], [], status)

    def replace_suggestions(self, suggestions: Iterable[Entity]) -> Edit | None:
        """Swap suggestions (``model`` or ``memory``) for new ones, keeping every ``user`` entity.

        Suggestions that overlap a user entity are dropped: a person's decision wins. This is
        not an undoable step: ``u`` undoes what the person did, not what the model proposed.
        """
        user_index = SpanIndex(e for e in self.spans.entities if e.source == "user")
        # Spans in the history count as a person's too, so undo and redo never collide.
        history = {
            e for edit in self.undo_stack + self.redo_stack for e in edit.removed + edit.added
        }

        def free(s: Entity) -> bool:
            return not user_index.overlapping(s.start, s.end) and not any(
                h.overlaps(s.start, s.end) for h in history
            )

        model = {e for e in self.spans.entities if e.source != "user" and free(e)}
        keep = {s for s in outside(suggestions, self.excluded) if free(s)}
        if model == keep:
            return None
        edit = Edit(
            "model suggestions",
            tuple(sorted(model - keep)),
            tuple(sorted(keep - model)),
            self.status,
            self.status,
        )
        self._apply(edit)
        return edit
