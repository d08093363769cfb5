"""brat standoff: per article ``<id>.txt`` (the text, byte for byte) and ``<id>.ann``.

brat offsets are code points into the ``.txt``, as ours are. brat cannot show a span across
a line break, so such an entity is written as discontinuous fragments (``T1\\tORG 0 3;4 8``)
split at line breaks and tabs; its first and last offsets are still the entity's. brat type
names cannot contain spaces, so spaces in labels become underscores (the count is reported).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.article import SUFFIX
from tui.core.formats.select import Item
from tui.core.fsutil import atomic_write
from tui.core.spans import Entity, blank

# Every character str.splitlines() breaks on, and tab (the .ann field separator).
_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029\t")


@dataclass
class Written:
    files: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    renamed_labels: set[str] = field(default_factory=set)
    fragmented: int = 0


def brat_type(label: str) -> str:
    return "_".join(label.split())


def fragments(text: str, entity: Entity) -> list[tuple[int, int]]:
    """``[start, end)`` pieces of the entity with no line break in them, edges trimmed."""
    pieces: list[tuple[int, int]] = []
    start = entity.start
    for i in range(entity.start, entity.end + 1):
        if i == entity.end or text[i] in _BREAKS:
            s, e = start, i
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s < e:
                pieces.append((s, e))
            start = i + 1
    return pieces


def ann_text(text: str, entities: Sequence[Entity], written: Written | None = None) -> str:
    lines = []
    for n, entity in enumerate(entities, start=1):
        pieces = fragments(text, entity)
        offsets = ";".join(f"{s} {e}" for s, e in pieces)
        # brat compares the text field with the fragments joined by a space.
        covered = " ".join(text[s:e] for s, e in pieces)
        label = brat_type(entity.label)
        if written is not None:
            written.labels[label] += 1
            written.fragmented += len(pieces) > 1
            if label != entity.label:
                written.renamed_labels.add(entity.label)
        lines.append(f"T{n}\t{label} {offsets}\t{covered}\n")
    return "".join(lines)


def annotation_conf(labels: Sequence[str]) -> str:
    """brat refuses a collection whose entity types are not declared."""
    body = "".join(f"{label}\n" for label in sorted(set(labels)))
    return f"[entities]\n{body}\n[relations]\n\n[events]\n\n[attributes]\n"


def write(
    out: Path, items: Sequence[Item], progress: Callable[[int], None] | None = None
) -> Written:
    written = Written()
    for item in items:
        stem = item.id[: -len(SUFFIX)] if item.id.endswith(SUFFIX) else item.id
        text = blank(item.text, item.excluded)  # not article text: spaces, offsets kept
        atomic_write(out / f"{stem}.txt", text.encode("utf-8"))
        atomic_write(
            out / f"{stem}.ann", ann_text(item.text, item.entities, written).encode("utf-8")
        )
        written.files += 1
        if progress is not None:
            progress(1)
    atomic_write(out / "annotation.conf", annotation_conf(list(written.labels)).encode("utf-8"))
    return written
