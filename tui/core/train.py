"""Fine-tune a pipeline's entity recogniser on the annotations, with spaCy's own training.

The run is exactly what ``newsmark export --format spacy`` writes plus ``spacy train`` on
it, so a person can repeat or tune it by hand from the files in the output folder. The
before/after scores use :mod:`tui.core.evaluate` on the accepted dev articles, the same
measure as ``newsmark evaluate``, so the two numbers are comparable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core import ner
from tui.core.evaluate import Report, evaluate
from tui.core.formats import spacy as spacy_format
from tui.core.formats.select import Item, split


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
    notes: list[str] = field(default_factory=list)


def train(
    items: Sequence[Item],
    out: Path,
    *,
    base: str,
    pipeline: ner.Pipeline | None = None,
    epochs: int = 10,
    max_steps: int = 0,
    dev_fraction: float = 0.2,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """Export ``items``, train from the written config into ``out`` and score before/after.

    ``pipeline`` is the already loaded base (saves a load); ``max_steps`` 0 means no limit.
    """
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
    if pipeline is None:
        pipeline = ner.load(base)
    written = spacy_format.write(
        out,
        train_items,
        None if dev_is_train else dev_items,
        nlp=pipeline.nlp,
        base=spacy_format.source_name(ner.resolve_model(base)),
        max_epochs=epochs,
        max_steps=max_steps,
        seed=seed,
        progress=progress,
    )
    gold_dev = [item for item in dev_items if item.complete]
    if not gold_dev:
        notes.append("No accepted article in the dev split: before/after scores are empty.")
    before = evaluate(pipeline, gold_dev)

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
    after = evaluate(ner.load(str(model_path)), gold_dev)
    return Result(written, model_path, before, after, len(train_items), len(dev_items), notes)
