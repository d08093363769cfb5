"""``newsmark train --out DIR``: fine-tune a pipeline's entity recogniser on the annotations.

It writes the same files as ``export --format spacy`` into DIR, runs spaCy's own training
on them (``model-best`` and ``model-last`` land in DIR too) and prints the F1 on the dev
articles before and after, so people see at once whether training helped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    from tui.commands._common import add_selection_options

    p = subparsers.add_parser(
        name,
        parents=[common],
        help="fine-tune a spaCy pipeline's NER on the annotations and compare F1",
        description=(
            "Export the selected annotations to DIR (train.spacy, dev.spacy, config.cfg), "
            "fine-tune the base pipeline's entity recogniser with spaCy's training, and "
            "report precision, recall and F1 on the accepted dev articles before and after."
        ),
    )
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument(
        "--base", metavar="MODEL", help="pipeline to fine-tune (default: the pipeline in use)"
    )
    p.add_argument("--epochs", type=int, default=10, help="training epochs (default: 10)")
    p.add_argument(
        "--max-steps", type=int, default=0, help="stop after this many updates (default: no limit)"
    )
    add_selection_options(p, "share of articles held out as dev (default: 0.2)")


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import UsageError, dev_fraction, progress_bar, select
    from tui.core import ner
    from tui.core.formats.base import REGISTRY
    from tui.core.train import TrainError, train

    if args.epochs < 1:
        raise UsageError("--epochs must be 1 or more.")
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder for the training run.")
    fraction = dev_fraction(args, REGISTRY["spacy"].default_split)
    selection = select(args)
    base = ner.resolve_model(args.base)
    pipeline = ner.load(base)
    try:
        with progress_bar(len(selection.items), "Writing spacy") as advance:
            result = train(
                selection.items,
                out,
                base=base,
                pipeline=pipeline,
                epochs=args.epochs,
                max_steps=args.max_steps,
                dev_fraction=fraction,
                seed=args.seed,
                progress=advance,
            )
    except TrainError as exc:
        print(f"newsmark: {exc}", file=sys.stderr)
        return 1
    for note in result.notes:
        print(f"newsmark: note: {note}", file=sys.stderr)
    b, a = result.before.overall, result.after.overall
    print(
        f"\nTrained on {result.train_docs} article(s), scored on "
        f"{result.before.docs} accepted dev article(s) (exact span and label):"
    )
    print(f"  before ({pipeline.name}): P {b.precision:.3f}  R {b.recall:.3f}  F1 {b.f1:.3f}")
    print(f"  after  ({result.model_path}): P {a.precision:.3f}  R {a.recall:.3f}  F1 {a.f1:.3f}")
    print(f"  use it: newsmark --model {result.model_path}")
    return 1 if selection.problems else 0
