"""doccano's sequence-labelling JSONL: ``{"text": ..., "label": [[start, end, "LABEL"], ...]}``.

doccano keeps unknown keys as metadata, so ``meta`` (article id, sha256, status) survives a
trip through it and lets an import put the text back under its old name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from tui.core.formats.base import (
    ExportPlan,
    Format,
    Progress,
    ReadOptions,
    Written,
    jsonl_line,
    no_progress,
    register,
    write_parts,
)
from tui.core.formats.excluded import parts, with_offset
from tui.core.formats.lines import read_lines
from tui.core.formats.records import Record
from tui.core.formats.select import Item


def record(item: Item) -> dict[str, Any]:
    """doccano has no span source: every span reads back as a person's."""
    meta = item.meta()
    return {
        "text": item.text,
        "label": [[e.start, e.end, e.label] for e in item.entities],
        "meta": meta,
    }


def records(
    items: Sequence[Item], progress: Callable[[int], None] | None = None
) -> Iterator[dict[str, Any]]:
    for item in items:
        yield from (with_offset(record(p.item), p) for p in parts(item))
        if progress is not None:
            progress(1)


@register
class Doccano(Format):
    name = "doccano"
    help = "doccano sequence-labelling JSONL"
    suffix = ".jsonl"
    marks_unknown = False

    def write(self, plan: ExportPlan, progress: Progress = no_progress) -> Written:
        def render(items: tuple[Item, ...], labels: Counter[str]) -> Iterator[str]:
            for r in records(items, progress):
                labels.update(lab for _, _, lab in r["label"])
                yield jsonl_line(r)

        return write_parts(plan, self.suffix, render)

    def read(self, path: Path, options: ReadOptions) -> Iterator[Record]:

        yield from read_lines(path, path.read_bytes(), self.name, options.status, options.labels)
