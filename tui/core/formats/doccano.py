"""doccano's sequence-labelling JSONL: ``{"text": ..., "label": [[start, end, "LABEL"], ...]}``.

doccano keeps unknown keys as metadata, so ``meta`` (article id, sha256, status) survives a
trip through it and lets an import put the text back under its old name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from tui.core.formats.excluded import parts, with_offset
from tui.core.formats.select import Item


def record(item: Item) -> dict[str, Any]:
    return {
        "text": item.text,
        "label": [[e.start, e.end, e.label] for e in item.entities],
        "meta": {"article": item.id, "sha256": item.article.sha256, "status": item.status},
    }


def records(
    items: Sequence[Item], progress: Callable[[int], None] | None = None
) -> Iterator[dict[str, Any]]:
    for item in items:
        yield from (with_offset(record(p.item), p) for p in parts(item))
        if progress is not None:
            progress(1)
