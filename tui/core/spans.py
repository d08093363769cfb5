"""Entity spans and the rules every span in newsmark obeys.

Offsets are Python ``str`` indices (code points) into the article text, the convention of
spaCy's ``Doc.char_span``. Spans of one article never overlap and never start or end with
whitespace, because ``spacy debug data`` rejects such spans.

``source`` says whose decision a span is (a person's or the model's); ``origin``, when set,
keeps where an imported span first came from in another tool (Prodigy's span ``source``,
such as ``en_core_web_sm`` or ``patterns.jsonl``), so accepting it never loses that.

``score`` is how sure the model was of its suggestion (0–1: the probability mass of the beam
parses holding this span with this label, :mod:`tui.core.confidence`), and ``alternative``
the strongest other reading it had there; both belong to the model's suggestion, so any
edit by a person drops them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

# "model": a pipeline's suggestion; "user": a person's decision; "memory": a suggestion the
# memory of earlier decisions made (tui/core/memory.py), replaceable like a model's.
Source = Literal["model", "user", "memory"]
SOURCES: tuple[Source, ...] = ("model", "user", "memory")


class SpanError(ValueError):
    """A span that breaks the offset, whitespace or overlap rules."""


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another reading the model had of a span: other edges or another label, and its score."""

    start: int
    end: int
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class Entity:
    """One labelled span; ordered by position so sorted lists are in reading order."""

    start: int
    end: int
    label: str
    source: Source = "user"
    origin: str | None = None
    score: float | None = None
    alternative: Alternative | None = None

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
        return replace(self, label=label, source="user", score=None, alternative=None)

    def moved(self, start: int, end: int) -> Entity:
        return replace(self, start=start, end=end, source="user", score=None, alternative=None)


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


_SEPARATOR = re.compile(r"\s+[-–—/|•·]+\s*|\s*[-–—/|•·]+\s+")
"""A dash, slash, pipe or bullet with a space on at least one side: "Shafaq News/ China",
"APP - UrduPoint", never the hyphen of "Quaid-e-Azam" or "2024-25"."""
_PIECE_EDGES = ",;:"


def pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at its separators, each piece trimmed of space and of ``,;:`` at
    its edges (a full stop stays: "U.S."); one piece when there is nothing to cut."""
    found: list[tuple[int, int]] = []
    at = start
    cuts = [(m.start() + start, m.end() + start) for m in _SEPARATOR.finditer(text[start:end])]
    for cut_start, cut_end in [*cuts, (end, end)]:
        a, b = at, cut_start
        while a < b and (text[a].isspace() or text[a] in _PIECE_EDGES):
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] in _PIECE_EDGES):
            b -= 1
        if a < b:
            found.append((a, b))
        at = cut_end
    return found


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


# -- ranges of text that are not article text ---------------------------------------------

Range = tuple[int, int]
"""``[start, end)`` of text marked as not article text (menus, related links, footers)."""


def check_ranges(text: str, ranges: Sequence[Range], entities: Sequence[Entity] = ()) -> None:
    """Raise :class:`SpanError` unless ``ranges`` are in the text, disjoint and hold no entity."""
    previous: Range | None = None
    for start, end in sorted(ranges):
        if not (0 <= start < end <= len(text)):
            raise SpanError(f"range {start}..{end} is outside the article (0..{len(text)})")
        if previous is not None and start < previous[1]:
            raise SpanError(f"range {start}..{end} overlaps {previous[0]}..{previous[1]}")
        previous = (start, end)
    ordered = sorted(ranges)
    for entity in entities:
        hit = overlapping_range(ordered, entity.start, entity.end)
        if hit is not None:
            raise SpanError(
                f"span {entity.start}..{entity.end} lies in the excluded range {hit[0]}..{hit[1]}"
            )


def overlapping_range(ranges: Sequence[Range], start: int, end: int) -> Range | None:
    """The first of the sorted ``ranges`` sharing a character with ``[start, end)``, if any."""
    i = max(0, bisect.bisect_right(ranges, (start, start)) - 1)
    while i < len(ranges) and ranges[i][0] < end:
        if ranges[i][1] > start:
            return ranges[i]
        i += 1
    return None


def range_at(ranges: Sequence[Range], offset: int) -> Range | None:
    """The sorted range that covers ``offset``, if any."""
    return overlapping_range(ranges, offset, offset + 1)


def outside(entities: Iterable[Entity], ranges: Sequence[Range]) -> list[Entity]:
    """``entities`` less those touching a range: what suggestions and imports may keep."""
    ordered = sorted(ranges)
    return [e for e in entities if overlapping_range(ordered, e.start, e.end) is None]


def merge(ranges: Iterable[Range]) -> tuple[Range, ...]:
    """Sorted, with overlapping or touching ranges joined into one."""
    merged: list[Range] = []
    for start, end in sorted(r for r in ranges if r[0] < r[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def subtract(ranges: Iterable[Range], start: int, end: int) -> tuple[Range, ...]:
    """``ranges`` with ``[start, end)`` taken out of them (a range may split in two)."""
    left: list[Range] = []
    for a, b in sorted(ranges):
        if b <= start or a >= end:
            left.append((a, b))
            continue
        if a < start:
            left.append((a, start))
        if b > end:
            left.append((end, b))
    return tuple(left)


def segments(length: int, ranges: Sequence[Range]) -> list[Range]:
    """The pieces of ``[0, length)`` outside every range, in order; empty pieces omitted.

    Exports write these: each is article text, and what lies between them is not.
    """
    pieces: list[Range] = []
    at = 0
    for start, end in sorted(ranges):
        if start > at:
            pieces.append((at, start))
        at = max(at, end)
    if at < length:
        pieces.append((at, length))
    return pieces


def blank(text: str, ranges: Sequence[Range]) -> str:
    """``text`` with each excluded character turned into a space, line breaks kept.

    Every offset stays valid, so formats that need the whole text (brat) can still leave
    the excluded words out.
    """
    if not ranges:
        return text
    chars = list(text)
    for start, end in ranges:
        for i in range(start, end):
            if chars[i] not in "\n\r":
                chars[i] = " "
    return "".join(chars)


def paragraph_at(text: str, offset: int) -> Range | None:
    """The paragraph (a run of non-blank lines) around ``offset``, edges trimmed of space.

    ``None`` when ``offset`` is on a blank line or outside the text.
    """
    if not 0 <= offset < len(text):
        return None

    def line(at: int) -> Range:
        end = text.find("\n", at)
        return text.rfind("\n", 0, at) + 1, len(text) if end == -1 else end

    start, end = line(offset)
    if not text[start:end].strip():
        return None
    while start > 0:
        before = line(start - 1)
        if not text[before[0] : before[1]].strip():
            break
        start = before[0]
    while end < len(text):
        after = line(end + 1)
        if not text[after[0] : after[1]].strip():
            break
        end = after[1]
    return trim(text, start, end)


def paragraphs(text: str) -> list[Range]:
    """Every paragraph of ``text`` in order, as :func:`paragraph_at` finds each one: a run of
    non-blank lines, edges trimmed of space."""
    found: list[Range] = []
    first: int | None = None  # where the paragraph being read starts
    last = 0  # the end of its last non-blank line
    at = 0
    while at <= len(text):
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        if text[at:end].strip():
            first = at if first is None else first
            last = end
        elif first is not None:
            found.append((first, last))
            first = None
        at = end + 1
    if first is not None:
        found.append((first, last))
    return [bounds for a, b in found if (bounds := trim(text, a, b)) is not None]


def tail_from(text: str, offset: int) -> Range | None:
    """From the start of the line holding ``offset`` to the end of the text, trimmed."""
    if not 0 <= offset <= len(text):
        return None
    start = text.rfind("\n", 0, offset) + 1
    return trim(text, start, len(text))
