"""Prodigy's task format (JSONL, one article a line), written and read back.

Tokens are spaCy's, split at entity edges, so ``token_start``/``token_end`` (inclusive, as
Prodigy writes them) always describe the span exactly. ``meta`` carries what Prodigy has no
field for (article id, sha256, newsmark status, model, annotator) so an import restores the
TOML exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.formats.align import align, entity_spans
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
from tui.core.formats.lines import ANSWERS, read_lines
from tui.core.formats.records import Record
from tui.core.formats.select import Item

if TYPE_CHECKING:
    from spacy.language import Language


def task(nlp: Language, item: Item) -> dict[str, Any]:
    aligned = align(nlp, item.text, item.entities)
    doc = aligned.doc
    tokens = [
        {
            "text": t.text,
            "start": t.idx,
            "end": t.idx + len(t.text),
            "id": t.i,
            "ws": bool(t.whitespace_),
        }
        for t in doc
    ]
    spans = [
        {
            "start": e.start,
            "end": e.end,
            "label": e.label,
            "token_start": first,
            "token_end": end - 1,
            "source": e.source,  # ours, not Prodigy's: keeps the round trip exact
            **({"origin": e.origin} if e.origin is not None else {}),
            **({"score": e.score} if e.score is not None and e.source == "model" else {}),
        }
        for e, (first, end) in zip(item.entities, entity_spans(doc, item.entities), strict=True)
    ]
    meta = item.meta()
    return {
        "text": item.text,
        "tokens": tokens,
        "spans": spans,
        "answer": ANSWERS[item.status],
        "meta": meta,
    }


def tasks(
    nlp: Language, items: Sequence[Item], progress: Callable[[int], None] | None = None
) -> Iterator[dict[str, Any]]:
    for item in items:
        yield from (with_offset(task(nlp, p.item), p) for p in parts(item))
        if progress is not None:
            progress(1)


@register
class Jsonl(Format):
    """Prodigy's JSONL tasks; reads every NER recipe's output (see ``importing``)."""

    name = "jsonl"
    help = "Prodigy JSONL tasks"
    suffix = ".jsonl"

    def write(self, plan: ExportPlan, progress: Progress = no_progress) -> Written:
        from tui.core.formats.conll import pipeline

        nlp = pipeline()

        def render(items: tuple[Item, ...]) -> tuple[str, Counter[str]]:
            found = list(tasks(nlp, items, progress))
            labels = Counter(s["label"] for t in found for s in t["spans"])
            return "".join(jsonl_line(t) for t in found), labels

        return write_parts(plan, self.suffix, render)

    def read(self, path: Path, options: ReadOptions) -> Iterator[Record]:

        yield from read_lines(path, path.read_bytes(), self.name, options.status, options.labels)
