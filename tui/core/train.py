"""Fine-tune a pipeline's entity recogniser on the annotations, with spaCy's own training.

The run is what ``newsmark export --format spacy`` writes plus ``spacy train`` on it, so a
person can repeat or tune it by hand from the files in the output folder. The before/after
scores are :mod:`tui.core.evaluate` on the accepted dev articles and the same label set, the
measure of ``newsmark evaluate``, so the figures can be checked there.

The project's labels are taught; the base model's other labels must not be forgotten. An
accepted article says every unlabelled token is no entity of the *project's* labels, not
that "Friday" is no DATE, and tuning shifts the recogniser's other labels anyway. So the
tuned ``ner`` decides only the project's labels, and the saved model keeps the base's own
recogniser beside it, unchanged, for every other label (:mod:`tui.core.combined`, spaCy's
sourced-and-frozen component). How far the saved model agrees with the base model on those
labels is measured on the dev articles.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core import combined, ner
from tui.core.evaluate import Report, predict, score
from tui.core.formats import spacy as spacy_format
from tui.core.formats.select import Item, only_labels, split
from tui.core.spans import Entity

# Measured on four-label news gold (bench/RESULTS.md): enough epochs for ~150 articles to
# converge, stopping early once the dev F1 has not improved for a while.
EPOCHS = 30
SETTINGS = spacy_format.Settings(
    dropout=0.2, patience=800, learn_rate=0.001, batch_start=100, batch_stop=1000
)
CURVE = (0.25, 0.5, 0.75, 1.0)
OTHERS = "outside"
"""What the training docs say where the base model finds a label outside the project's:
``"outside"`` (no entity of the project's labels, O, as the person's acceptance says),
``"missing"`` (unknown) or ``"silver"`` (the base's entity). The saved model takes those
labels from the base's own recogniser whichever it is; bench/RESULTS.md compares them."""


class TrainError(Exception):
    """Training cannot start or spaCy stopped; ``str()`` says what to do."""


@dataclass
class Result:
    written: spacy_format.Written
    model_path: Path
    before: Report
    after: Report
    train_docs: int
    dev_docs: int
    labels: tuple[str, ...] = ()
    kept: Report | None = None
    """The tuned model scored against the base model on the labels outside :attr:`labels`."""
    silver: int = 0
    """Base-model spans in other labels written into the training and dev docs (as
    entities or unknown tokens, see :data:`OTHERS`; none by default)."""
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What a run trains on and is scored on, shared by :func:`train` and :func:`curve`."""

    train: list[Item]
    dev: list[Item]
    gold_dev: list[Item]
    dev_is_train: bool
    notes: list[str]


def plan(items: Sequence[Item], dev_fraction: float, seed: int) -> Plan:
    train_items, dev_items = split(items, dev_fraction, seed)
    notes: list[str] = []
    if not train_items:
        raise TrainError(
            "There is nothing to train on: no annotated article has the selected status; "
            "accept some articles in the reader or pass --status."
        )
    dev_is_train = not dev_items
    if dev_is_train:
        dev_items = list(train_items)
        notes.append(
            "Too few articles for a dev split: the training articles are used as dev too, "
            "so the scores show fit, not how well the model generalises."
        )
    gold_dev = [item for item in dev_items if item.complete]
    if not gold_dev:
        notes.append("No accepted article in the dev split: before/after scores are empty.")
    return Plan(list(train_items), list(dev_items), gold_dev, dev_is_train, notes)


def with_silver(
    items: Sequence[Item], predicted: Sequence[Sequence[Entity]], labels: Collection[str]
) -> tuple[list[Item], int]:
    """The items with only ``labels``, plus the base model's entities in other labels that
    touch none of them; and how many such silver spans were added."""
    kept, _ = only_labels(items, labels)
    out: list[Item] = []
    added = 0
    for item, found in zip(kept, predicted, strict=True):
        silver = [
            Entity(e.start, e.end, e.label, "model")
            for e in found
            if e.label not in labels and not any(g.overlaps(e.start, e.end) for g in item.entities)
        ]
        added += len(silver)
        entities = tuple(sorted([*item.entities, *silver], key=lambda e: (e.start, e.end)))
        out.append(replace(item, entities=entities))
    return out, added


def with_missing(
    items: Sequence[Item], predicted: Sequence[Sequence[Entity]], labels: Collection[str]
) -> tuple[list[Item], int]:
    """The items with only ``labels``, the base model's entities in other labels that touch
    none of them marked unknown (neither entity nor O); and how many were marked."""
    kept, _ = only_labels(items, labels)
    out: list[Item] = []
    marked = 0
    for item, found in zip(kept, predicted, strict=True):
        ranges = [
            (e.start, e.end)
            for e in found
            if e.label not in labels and not any(g.overlaps(e.start, e.end) for g in item.entities)
        ]
        marked += len(ranges)
        out.append(replace(item, excluded=_union([*item.excluded, *ranges])))
    return out, marked


def _union(ranges: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Overlapping ranges joined, in order (spaCy refuses a token in two missing spans)."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return tuple(joined)


def _with_others(
    how: str, items: Sequence[Item], predicted: Sequence[Sequence[Entity]], labels: Collection[str]
) -> tuple[list[Item], int]:
    if how == "silver":
        return with_silver(items, predicted, labels)
    if how == "missing":
        return with_missing(items, predicted, labels)
    return only_labels(items, labels)[0], 0


def combine_saved(model_path: Path, base: ner.Pipeline, labels: Sequence[str]) -> None:
    """Rewrite the trained pipeline in ``model_path`` with the base's own recogniser as
    ``ner_base`` for every label outside ``labels`` (see :mod:`tui.core.combined`)."""
    import shutil

    import spacy

    combined.register()
    tuned = spacy.load(model_path)
    source = combined.BASE if combined.BASE in base.nlp.component_names else "ner"
    combined.combine(tuned, base.nlp, labels, source)
    fresh = model_path.with_name(model_path.name + ".combined")
    old = model_path.with_name(model_path.name + ".tuned-only")
    for left in (fresh, old):
        shutil.rmtree(left, ignore_errors=True)
    tuned.to_disk(fresh)
    model_path.rename(old)
    fresh.rename(model_path)
    shutil.rmtree(old, ignore_errors=True)


def _spacy_train(out: Path) -> Path:
    """Run spaCy's training from ``out``'s config; the best model's folder."""
    from spacy.cli.train import train as spacy_train

    started = time.time()
    try:
        spacy_train(out / spacy_format.CONFIG_FILE, out, use_gpu=-1)
    except SystemExit as exc:  # spaCy's msg.fail(..., exits=1)
        raise TrainError(
            f"spaCy training stopped (exit {exc.code}); see the messages above."
        ) from None
    model_path = out / "model-best"
    meta = model_path / "meta.json"
    if not meta.is_file() or meta.stat().st_mtime < started - 1:  # left from an earlier run
        model_path = out / "model-last"
    return model_path


@dataclass(frozen=True)
class _Knobs:
    epochs: int
    max_steps: int
    seed: int
    settings: spacy_format.Settings
    others: str = OTHERS


@dataclass(frozen=True)
class _Run:
    """What every fit of one run shares: the split, the base and its scores, the knobs."""

    plan: Plan
    pipeline: ner.Pipeline
    base: str
    labels: tuple[str, ...]
    base_dev: list[list[Entity]]
    before: Report
    knobs: _Knobs


def _start(
    items: Sequence[Item],
    base: str,
    labels: Sequence[str],
    pipeline: ner.Pipeline | None,
    dev_fraction: float,
    knobs: _Knobs,
) -> _Run:
    """Split the articles, load the base (unless given) and score it on the dev articles."""
    the_plan = plan(items, dev_fraction, knobs.seed)
    if pipeline is None:
        pipeline = ner.load(base)
    labels = tuple(labels)
    base_dev = predict(pipeline, the_plan.gold_dev)
    before = score(pipeline.name, _pairs(the_plan.gold_dev, base_dev), labels)
    return _Run(the_plan, pipeline, base, labels, base_dev, before, knobs)


@dataclass
class _Fitted:
    written: spacy_format.Written
    model_path: Path
    silver: int
    model: ner.Pipeline
    found: list[list[Entity]]
    """The trained model's entities in the accepted dev articles."""


def _fit(
    run: _Run,
    train_items: Sequence[Item],
    out: Path,
    progress: Callable[[int], None] | None = None,
) -> _Fitted:
    """Write the docs (the base's spans in other labels as :data:`OTHERS` says), train,
    keep the base's recogniser for the other labels, and run the result on the accepted
    dev articles."""
    the_plan, pipeline, labels = run.plan, run.pipeline, run.labels
    outside = set(pipeline.labels) - set(labels)
    train_docs, dev_docs = list(train_items), list(the_plan.dev)
    how = run.knobs.others if outside else "outside"
    silver = 0
    if how == "outside":
        train_docs, _ = only_labels(train_docs, labels)
        dev_docs, _ = only_labels(dev_docs, labels)
    else:
        base_train = predict(pipeline, train_docs)
        train_docs, silver = _with_others(how, train_docs, base_train, labels)
        if not the_plan.dev_is_train:
            base_dev = predict(pipeline, dev_docs)
            dev_docs, more = _with_others(how, dev_docs, base_dev, labels)
            silver += more
    written = spacy_format.write(
        out,
        train_docs,
        None if the_plan.dev_is_train else dev_docs,
        nlp=pipeline.nlp,
        base=spacy_format.source_name(ner.resolve_model(run.base)),
        max_epochs=run.knobs.epochs,
        max_steps=run.knobs.max_steps,
        seed=run.knobs.seed,
        progress=progress,
        settings=run.knobs.settings,
    )
    model_path = _spacy_train(out)
    if outside:
        for saved in {model_path, out / "model-best", out / "model-last"}:
            if (saved / "meta.json").is_file():
                combine_saved(saved, pipeline, labels)
    tuned = ner.load(str(model_path))
    return _Fitted(written, model_path, silver, tuned, predict(tuned, the_plan.gold_dev))


def train(
    items: Sequence[Item],
    out: Path,
    *,
    base: str,
    labels: Sequence[str],
    pipeline: ner.Pipeline | None = None,
    epochs: int = EPOCHS,
    max_steps: int = 0,
    dev_fraction: float = 0.2,
    seed: int = 0,
    settings: spacy_format.Settings = SETTINGS,
    others: str = OTHERS,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """Export ``items``, train from the written config into ``out`` and score before/after
    on ``labels``.

    ``pipeline`` is the already loaded base (saves a load); ``max_steps`` 0 means no limit.
    """
    knobs = _Knobs(epochs, max_steps, seed, settings, others)
    run = _start(items, base, labels, pipeline, dev_fraction, knobs)
    fitted = _fit(run, run.plan.train, out, progress)
    gold_dev = run.plan.gold_dev
    after = score(fitted.model.name, _pairs(gold_dev, fitted.found), run.labels)
    outside = sorted(set(run.pipeline.labels) - set(run.labels))
    kept = None
    if outside and gold_dev:
        kept = score(fitted.model.name, zip(run.base_dev, fitted.found, strict=True), outside)
    return Result(
        fitted.written,
        fitted.model_path,
        run.before,
        after,
        len(run.plan.train),
        len(run.plan.dev),
        run.labels,
        kept,
        fitted.silver,
        run.plan.notes,
    )


def _pairs(
    items: Sequence[Item], predicted: Sequence[Sequence[Entity]]
) -> list[tuple[Sequence[Entity], Sequence[Entity]]]:
    return [(item.entities, found) for item, found in zip(items, predicted, strict=True)]


@dataclass
class Point:
    """One run of the learning curve."""

    fraction: float
    docs: int
    report: Report


def curve_share(train_items: Sequence[Item], fraction: float, seed: int = 0) -> list[Item]:
    """``fraction`` of the training articles (at least one), drawn in a fixed shuffled order
    so that each share holds the smaller ones and no folder of the corpus comes first."""

    def key(item: Item) -> str:
        return hashlib.sha256(f"curve\0{seed}\0{item.id}".encode()).hexdigest()

    ranked = sorted(train_items, key=key)
    return ranked[: max(1, math.ceil(len(ranked) * fraction))]


def curve(
    items: Sequence[Item],
    out: Path,
    *,
    base: str,
    labels: Sequence[str],
    pipeline: ner.Pipeline | None = None,
    fractions: Sequence[float] = CURVE,
    epochs: int = EPOCHS,
    max_steps: int = 0,
    dev_fraction: float = 0.2,
    seed: int = 0,
    settings: spacy_format.Settings = SETTINGS,
    started: Callable[[int, float, int], None] | None = None,
) -> tuple[Report, list[Point], list[str]]:
    """Train on growing shares of the training articles, each scored on the same dev
    articles and labels; the base model's report, one point per share, and notes.

    ``started(i, fraction, docs)`` is called as each run starts (for progress).
    """
    knobs = _Knobs(epochs, max_steps, seed, settings)
    run = _start(items, base, labels, pipeline, dev_fraction, knobs)
    points: list[Point] = []
    for i, fraction in enumerate(fractions):
        share = curve_share(run.plan.train, fraction, seed)
        if started is not None:
            started(i, fraction, len(share))
        fitted = _fit(run, share, out / f"{round(fraction * 100)}pct")
        report = score(fitted.model.name, _pairs(run.plan.gold_dev, fitted.found), run.labels)
        points.append(Point(fraction, len(share), report))
    return run.before, points, run.plan.notes


def verdict(points: Sequence[Point]) -> str:
    """One sentence on whether more data still helps (Prodigy's train-curve rule of thumb:
    a gain in the last share suggests more annotations of the same kind would help)."""
    if len(points) < 2:
        return "One run only: nothing to compare."
    if points[-1].docs == points[-2].docs:
        return (
            f"Too few training articles for a curve: the last shares hold the same "
            f"{points[-1].docs}; accept more articles first."
        )
    last, before = points[-1].report.overall.f1, points[-2].report.overall.f1
    gain = last - before
    if gain > 0.01:
        return (
            f"More data still helps: F1 rose {gain:+.3f} over the last "
            f"{points[-1].docs - points[-2].docs} articles, so annotating more should pay off."
        )
    if gain < -0.01:
        return (
            f"F1 fell {gain:+.3f} over the last share: the dev set may be too small to tell, "
            "or the newest articles differ; check them before annotating more of the same."
        )
    return (
        f"F1 has levelled off ({gain:+.3f} over the last share): more of the same articles "
        "will likely not help much; try other kinds of articles or check the labels."
    )
