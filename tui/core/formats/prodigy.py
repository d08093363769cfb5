"""Prodigy's task format (JSONL, one article a line), written and read back.

Tokens are spaCy's, split at entity edges, so ``token_start``/``token_end`` (inclusive, as
Prodigy writes them) always describe the span exactly. ``meta`` carries what Prodigy has no
field for (article id, sha256, newsmark status, model, annotator) so an import restores the
TOML exactly.
"""

from __future__ import annotations

import json
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
    no_progress,
    register,
    write_parts,
)
from tui.core.formats.excluded import Part, parts, with_offset
from tui.core.formats.lines import ANSWERS, read_lines
from tui.core.formats.records import Record
from tui.core.formats.select import Item, long_pieces

if TYPE_CHECKING:
    from spacy.language import Language


def _token_chunks(nlp: Language, item: Item, spans: list[dict[str, Any]]) -> Iterator[list[Any]]:
    """The item's tokens, a piece of the article at a time (see
    :func:`~tui.core.formats.select.long_pieces`: a Doc and a token list of a whole book
    would take gigabytes), appending each entity's span to ``spans`` as its piece passes."""
    base = 0
    for offset, piece in long_pieces(item):
        doc = align(nlp, piece.text, piece.entities).doc
        yield [
            {
                "text": t.text,
                "start": t.idx + offset,
                "end": t.idx + offset + len(t.text),
                "id": t.i + base,
                "ws": bool(t.whitespace_),
            }
            for t in doc
        ]
        for e, (first, end) in zip(piece.entities, entity_spans(doc, piece.entities), strict=True):
            spans.append(
                {
                    "start": e.start + offset,
                    "end": e.end + offset,
                    "label": e.label,
                    "token_start": first + base,
                    "token_end": end - 1 + base,
                    "source": e.source,  # ours, not Prodigy's: keeps the round trip exact
                    **({"origin": e.origin} if e.origin is not None else {}),
                    **({"score": e.score} if e.score is not None and e.source == "model" else {}),
                }
            )
        base += len(doc)


def task(nlp: Language, item: Item) -> dict[str, Any]:
    """The item as one Prodigy task."""
    spans: list[dict[str, Any]] = []
    tokens = [t for chunk in _token_chunks(nlp, item, spans) for t in chunk]
    return {
        "text": item.text,
        "tokens": tokens,
        "spans": spans,
        "answer": ANSWERS[item.status],
        "meta": item.meta(),
    }


def task_line(nlp: Language, part: Part, labels: Counter[str]) -> Iterator[str]:
    """``jsonl_line(task(...))`` of one part of an article, the same characters, written a
    piece of its tokens at a time so a long article's line is never held whole; ``labels``
    counts the spans written."""
    spans: list[dict[str, Any]] = []
    yield f'{{"text": {_dumps(part.item.text)}, "tokens": ['
    sep = ""
    for chunk in _token_chunks(nlp, part.item, spans):
        if chunk:
            yield sep + ", ".join(_dumps(t) for t in chunk)
            sep = ", "
    labels.update(span["label"] for span in spans)
    rest = {"spans": spans, "answer": ANSWERS[part.item.status], "meta": part.item.meta()}
    yield "], " + _dumps(with_offset(rest, part))[1:] + "\n"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


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

        def render(items: tuple[Item, ...], labels: Counter[str]) -> Iterator[str]:
            for item in items:
                for part in parts(item):
                    yield from task_line(nlp, part, labels)
                progress(1)

        return write_parts(plan, self.suffix, render)

    def read(self, path: Path, options: ReadOptions) -> Iterator[Record]:

        yield from read_lines(path, path.read_bytes(), self.name, options.status, options.labels)
