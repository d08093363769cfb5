"""How good a model is against the gold: precision, recall and F1 per label and overall.

A prediction counts only when its start, end and label all equal a gold entity's (the
CoNLL exact-match rule), so a model that finds "News" where people marked "Shafaq News"
gets no credit. Predictions are trimmed of edge whitespace like suggestions in the reader.

Only a set of labels is scored: the ones asked for, else the project's, else those the gold
uses. A prediction in another label is no false positive (nobody marked that label, so its
absence from the gold says nothing): it is counted apart, in :attr:`Report.unscored`.
"""

from __future__ import annotations

from collections import Counter
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


class LabelError(ValueError):
    """``--labels`` names a label nobody knows; ``str()`` names it and lists the known ones."""


@dataclass
class Report:
    model: str
    docs: int = 0
    overall: Score = field(default_factory=Score)
    labels: dict[str, Score] = field(default_factory=dict)
    scored: tuple[str, ...] = ()
    """The labels scored (empty: every label, as :func:`score` was called)."""
    unscored: Counter[str] = field(default_factory=Counter)
    """Predictions in labels outside :attr:`scored`, per label: not false positives."""

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "docs": self.docs,
            "label_set": list(self.scored) or sorted(self.labels),
            "overall": self.overall.to_json(),
            "labels": {label: self.labels[label].to_json() for label in sorted(self.labels)},
            "not_scored": {
                "predictions": sum(self.unscored.values()),
                "labels": dict(sorted(self.unscored.items())),
            },
        }

    def not_scored(self, outside: str = "the gold does not use") -> str | None:
        """``not scored: 4,261 predictions in 14 labels the gold does not use``, if any."""
        if not self.unscored:
            return None
        n, k = sum(self.unscored.values()), len(self.unscored)
        return (
            f"not scored: {n:,} prediction{'s' * (n != 1)} in {k} label{'s' * (k != 1)} "
            f"{outside} ({', '.join(sorted(self.unscored))})"
        )


def gold_labels(items: Iterable[Item]) -> list[str]:
    """The labels the gold uses, sorted."""
    return sorted({e.label for item in items for e in item.entities})


def label_set(
    items: Sequence[Item],
    given: Sequence[str] = (),
    project: Sequence[str] = (),
    model: Collection[str] = (),
) -> tuple[str, ...]:
    """The labels to score: ``given``, else the project's, else those the gold uses.

    A given label that neither the gold, the project nor the model knows is a typo, not a
    label to score zeros on: :class:`LabelError`.
    """
    gold = gold_labels(items)
    if given:
        known = sorted({*gold, *project, *model})
        unknown = [label for label in given if label not in known]
        if unknown:
            verb = "is not a label" if len(unknown) == 1 else "are not labels"
            raise LabelError(
                f"--labels: {', '.join(unknown)} {verb} of the gold, the project or the "
                f"model; known labels: {', '.join(known)}."
            )
        return tuple(given)
    return tuple(project) or tuple(gold)


def _key(e: Entity) -> tuple[int, int, str]:
    return (e.start, e.end, e.label)


def score(
    model: str,
    pairs: Iterable[tuple[Sequence[Entity], Sequence[Entity]]],
    labels: Collection[str] | None = None,
) -> Report:
    """Score ``(gold, predicted)`` pairs; ``labels`` restricts both sides to those labels
    (each listed even with no entity), predictions in other labels are counted apart."""
    report = Report(model)
    if labels is not None:
        report.scored = tuple(labels)
        report.labels = {label: Score() for label in labels}
    for gold, predicted in pairs:
        report.docs += 1
        g = {_key(e) for e in gold if labels is None or e.label in labels}
        p = {_key(e) for e in predicted if labels is None or e.label in labels}
        if labels is not None:
            report.unscored.update(e.label for e in predicted if e.label not in labels)
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
    found = predict(pipeline, items, progress)
    return score(pipeline.name, zip((i.entities for i in items), found, strict=True), labels)


def predict(
    pipeline: Pipeline, items: Sequence[Item], progress: Callable[[int], None] | None = None
) -> list[list[Entity]]:
    """The pipeline's entities in each item's text, none in text marked not article text."""
    found = []
    for item, predicted in zip(items, suggest(pipeline, (i.text for i in items)), strict=True):
        if progress is not None:
            progress(1)
        found.append(outside(predicted, item.excluded))
    return found
