"""Entity spans and the rules every span in newsmark obeys.

Offsets are Python ``str`` indices (code points) into the article text, the convention of
spaCy's ``Doc.char_span``. Spans of one article never overlap and never start or end with
whitespace, because ``spacy debug data`` rejects such spans.

``source`` says whose decision a span is (a person's or the model's); ``origin``, when set,
keeps where an imported span first came from in another tool (Prodigy's span ``source``,
such as ``en_core_web_sm`` or ``patterns.jsonl``), so accepting it never loses that.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

Source = Literal["model", "user"]
SOURCES: tuple[Source, ...] = ("model", "user")


class SpanError(ValueError):
    """A span that breaks the offset, whitespace or overlap rules."""


@dataclass(frozen=True, slots=True)
class Entity:
    """One labelled span; ordered by position so sorted lists are in reading order."""

    start: int
    end: int
    label: str
    source: Source = "user"
    origin: str | None = None

    def _order(self) -> tuple[int, int, str, str, str]:
        # A missing origin sorts first; comparing None with a string would raise.
        return (self.start, self.end, self.label, self.source, self.origin or "")

    def __lt__(self, other: Entity) -> bool:
        return self._order() < other._order()

    def __le__(self, other: Entity) -> bool:
        return self._order() <= other._order()

    def __gt__(self, other: Entity) -> bool:
        return self._order() > other._order()

    def __ge__(self, other: Entity) -> bool:
        return self._order() >= other._order()

    def text(self, doc: str) -> str:
        return doc[self.start : self.end]

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def with_label(self, label: str) -> Entity:
        return replace(self, label=label, source="user")

    def moved(self, start: int, end: int) -> Entity:
        return replace(self, start=start, end=end, source="user")


def trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink ``[start, end)`` past edge whitespace; ``None`` when nothing is left."""
    start = max(0, start)
    end = min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return start, end


def check_entity(text: str, entity: Entity) -> None:
    """Raise :class:`SpanError` unless ``entity`` is a valid span of ``text``."""
    if not (0 <= entity.start < entity.end <= len(text)):
        raise SpanError(
            f"offsets {entity.start}..{entity.end} are outside the article (0..{len(text)})"
        )
    if not entity.label or entity.label != entity.label.strip():
        raise SpanError(f"label {entity.label!r} is empty or has surrounding spaces")
    if entity.source not in SOURCES:
        raise SpanError(f"source {entity.source!r} is not one of {', '.join(SOURCES)}")
    if entity.origin is not None and (
        not isinstance(entity.origin, str) or not entity.origin.strip()
    ):
        raise SpanError(f"origin {entity.origin!r} should be a non-empty string")
    if text[entity.start].isspace() or text[entity.end - 1].isspace():
        raise SpanError(f"span {entity.start}..{entity.end} starts or ends with whitespace")


def check_entities(text: str, entities: Sequence[Entity]) -> None:
    """Validate each span and that sorted spans never overlap."""
    previous: Entity | None = None
    for entity in sorted(entities):
        check_entity(text, entity)
        if previous is not None and entity.start < previous.end:
            raise SpanError(
                f"span {entity.start}..{entity.end} overlaps {previous.start}..{previous.end}"
            )
        previous = entity


class SpanIndex:
    """Sorted, non-overlapping entities with O(log n) lookup by offset.

    Kept separate from edit history so views and exports can query positions cheaply on
    articles with thousands of entities.
    """

    __slots__ = ("_entities", "_starts")

    def __init__(self, entities: Iterable[Entity] = ()) -> None:
        self._entities: list[Entity] = sorted(entities)
        self._starts: list[int] = [e.start for e in self._entities]

    def __len__(self) -> int:
        return len(self._entities)

    def __iter__(self) -> Iterator[Entity]:
        return iter(self._entities)

    def __contains__(self, entity: object) -> bool:
        if not isinstance(entity, Entity):
            return False
        i = bisect.bisect_left(self._entities, entity)
        return i < len(self._entities) and self._entities[i] == entity

    @property
    def entities(self) -> tuple[Entity, ...]:
        return tuple(self._entities)

    def at(self, offset: int) -> Entity | None:
        """The entity covering ``offset``, if any."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self._entities[i].contains(offset):
            return self._entities[i]
        return None

    def overlapping(self, start: int, end: int) -> list[Entity]:
        """Entities that share at least one character with ``[start, end)``."""
        i = max(0, bisect.bisect_right(self._starts, start) - 1)
        found: list[Entity] = []
        while i < len(self._entities) and self._entities[i].start < end:
            if self._entities[i].overlaps(start, end):
                found.append(self._entities[i])
            i += 1
        return found

    def next_after(self, offset: int) -> Entity | None:
        i = bisect.bisect_right(self._starts, offset)
        return self._entities[i] if i < len(self._entities) else None

    def previous_before(self, offset: int) -> Entity | None:
        i = bisect.bisect_left(self._starts, offset) - 1
        return self._entities[i] if i >= 0 else None

    def remove(self, entity: Entity) -> None:
        i = bisect.bisect_left(self._entities, entity)
        if i >= len(self._entities) or self._entities[i] != entity:
            raise KeyError(entity)
        del self._entities[i]
        del self._starts[i]

    def add(self, entity: Entity) -> None:
        i = bisect.bisect_left(self._entities, entity)
        self._entities.insert(i, entity)
        self._starts.insert(i, entity.start)
