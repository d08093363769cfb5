"""What each model suggested, so ``newsmark stats`` can tell how much of it people kept.

A person's edit turns a suggestion into their own span, and the TOML keeps only the result;
what the model proposed is gone from it. So every time suggestions are put into an article
(``newsmark suggest``, the reader on a new article), the model's spans are appended to
``.newsmark-suggested.jsonl`` in the annotations folder, one line an article::

    {"article": "000_335ade4f03747110.txt", "model": "model-best 0.0.0",
     "spans": [[0, 11, "ORG"], [120, 130, "NORP"]]}

The last line of an article wins. On an accepted article each of those spans was, in the
end, **kept** (the same characters and label are there), **relabelled** (the same characters,
another label), **resized** (a span overlapping it with other edges) or **deleted** (nothing
overlaps it): per model, the suggestions' precision in use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tui.core.fsutil import append_record, read_records
from tui.core.spans import Entity

LOG_NAME = ".newsmark-suggested.jsonl"
Fate = Literal["kept", "relabelled", "resized", "deleted"]
FATES: tuple[Fate, ...] = ("kept", "relabelled", "resized", "deleted")
Span = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Suggested:
    model: str
    spans: tuple[Span, ...]


def record(annotations: Path, article: str, model: str, entities: Iterable[Entity]) -> None:
    """Append the model's spans among ``entities`` for ``article`` (one ``O_APPEND`` write,
    so two writers never interleave a line)."""
    spans = [[e.start, e.end, e.label] for e in sorted(entities) if e.source == "model"]
    append_record(annotations / LOG_NAME, {"article": article, "model": model, "spans": spans})


def read(annotations: Path) -> dict[str, Suggested]:
    """The latest suggestions logged for each article; unreadable lines are skipped."""
    found: dict[str, Suggested] = {}
    for row in read_records(annotations / LOG_NAME):
        try:
            spans = tuple((int(s), int(e), str(label)) for s, e, label in row["spans"])
            found[str(row["article"])] = Suggested(str(row["model"]), spans)
        except (ValueError, KeyError, TypeError):
            continue
    return found


def fate(span: Span, final: Iterable[Span]) -> Fate:
    """What became of one suggested span in the article's final spans."""
    start, end, label = span
    overlapping = [f for f in final if f[0] < end and start < f[1]]
    if span in overlapping:
        return "kept"
    if any((f[0], f[1]) == (start, end) for f in overlapping):
        return "relabelled"
    return "resized" if overlapping else "deleted"


@dataclass
class Fates:
    """Per model: how many of its suggestions on accepted articles met each fate."""

    by_model: dict[str, Counter[Fate]] = field(default_factory=dict)

    def add(self, model: str, spans: Iterable[Span], final: Iterable[Span]) -> None:
        ends = list(final)
        counts = self.by_model.setdefault(model, Counter())
        for span in spans:
            counts[fate(span, ends)] += 1

    def rows(self) -> list[tuple[str, Counter[Fate]]]:
        """Models by how many suggestions they made on accepted articles, most first."""
        return sorted(self.by_model.items(), key=lambda item: (-item[1].total(), item[0]))


__all__ = ["FATES", "LOG_NAME", "Fate", "Fates", "Suggested", "fate", "read", "record"]
