"""How good a model is against the gold: precision, recall and F1 per label and overall.

A prediction counts only when its start, end and label all equal a gold entity's (the
CoNLL exact-match rule), so a model that finds "News" where people marked "Shafaq News"
gets no credit. Predictions are trimmed of edge whitespace like suggestions in the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui.core.formats.select import Item
from tui.core.ner import Pipeline, suggest
from tui.core.spans import Entity, outside


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.tp + self.fn,
        }


@dataclass
class Report:
    model: str
    docs: int = 0
    overall: Score = field(default_factory=Score)
    labels: dict[str, Score] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "docs": self.docs,
            "overall": self.overall.to_json(),
            "labels": {label: self.labels[label].to_json() for label in sorted(self.labels)},
        }


def _key(e: Entity) -> tuple[int, int, str]:
    return (e.start, e.end, e.label)


def score(
    model: str,
    pairs: Iterable[tuple[Sequence[Entity], Sequence[Entity]]],
    labels: Collection[str] | None = None,
) -> Report:
    """Score ``(gold, predicted)`` pairs; ``labels`` restricts both sides to those labels."""
    report = Report(model)
    for gold, predicted in pairs:
        report.docs += 1
        g = {_key(e) for e in gold if labels is None or e.label in labels}
        p = {_key(e) for e in predicted if labels is None or e.label in labels}
        for kind, keys in (("tp", g & p), ("fn", g - p), ("fp", p - g)):
            for _, _, label in keys:
                per = report.labels.setdefault(label, Score())
                setattr(per, kind, getattr(per, kind) + 1)
                setattr(report.overall, kind, getattr(report.overall, kind) + 1)
    return report


def evaluate(
    pipeline: Pipeline,
    items: Sequence[Item],
    labels: Collection[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Run ``pipeline`` on the items' texts and score it against their entities."""

    def predictions() -> Iterable[tuple[Sequence[Entity], Sequence[Entity]]]:
        for item, predicted in zip(items, suggest(pipeline, (i.text for i in items)), strict=True):
            if progress is not None:
                progress(1)
            yield item.entities, outside(predicted, item.excluded)  # not article text

    return score(pipeline.name, predictions(), labels)
