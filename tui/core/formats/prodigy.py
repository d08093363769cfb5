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

from tui.core.edits import Status
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
from tui.core.formats.select import Item

if TYPE_CHECKING:
    from spacy.language import Language

    from tui.core.formats.importing import Record

ANSWERS: dict[Status, str] = {
    "accepted": "accept",
    "rejected": "reject",
    "skipped": "ignore",
    "in_progress": "ignore",
    "unreviewed": "ignore",
}
STATUS_FOR_ANSWER: dict[str, Status] = {
    "accept": "accepted",
    "reject": "rejected",
    "ignore": "skipped",
}


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


def status_from(record: dict[str, Any]) -> Status:
    """The answer decides; ``meta.status`` only refines ``ignore`` (e.g. in_progress).

    A file edited in Prodigy may change the answer but not our meta, so meta never
    overrides a different answer. No answer at all means nobody has reviewed it yet.
    """
    answer = record.get("answer")
    if answer is None:
        return "in_progress"
    if answer not in STATUS_FOR_ANSWER:
        raise ValueError(f"answer {answer!r} is not accept, reject or ignore")
    meta = record.get("meta")
    if isinstance(meta, dict):
        for status, its_answer in ANSWERS.items():
            if meta.get("status") == status and its_answer == answer:
                return status
    return STATUS_FOR_ANSWER[answer]


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
        from tui.core.formats.importing import read_lines

        yield from read_lines(path, path.read_bytes(), self.name, options.status)
