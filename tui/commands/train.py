"""``newsmark train --out DIR``: fine-tune a pipeline's entity recogniser on the annotations.

It writes the same files as ``export --format spacy`` into DIR, runs spaCy's own training
on them (``model-best`` and ``model-last`` land in DIR too) and prints the F1 on the dev
articles before and after, so people see at once whether training helped.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from tui.core.evaluate import Report
    from tui.core.formats.select import Item
    from tui.core.train import Result

T = TypeVar("T")


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    from tui.commands._common import add_label_set_option, add_selection_options
    from tui.core.train import EPOCHS

    p = subparsers.add_parser(
        name,
        parents=[common],
        help="fine-tune a spaCy pipeline's NER on the annotations and compare F1",
        description=(
            "Export the selected annotations to DIR (train.spacy, dev.spacy, config.cfg), "
            "fine-tune the base pipeline's entity recogniser with spaCy's training, and "
            "report precision, recall and F1 per label on the accepted dev articles before "
            "and after. The saved model keeps the base's own recogniser (ner_base) for the "
            "labels outside the label set, so it finds those as the base model does."
        ),
    )
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument(
        "--base", metavar="MODEL", help="pipeline to fine-tune (default: the pipeline in use)"
    )
    add_label_set_option(p, "train and score")
    p.add_argument(
        "--epochs", type=int, default=EPOCHS, help=f"most training epochs (default: {EPOCHS})"
    )
    p.add_argument(
        "--max-steps", type=int, default=0, help="stop after this many updates (default: no limit)"
    )
    p.add_argument(
        "--curve",
        action="store_true",
        help="train on 25%%, 50%%, 75%% and 100%% of the training articles and print the F1 "
        "of each: does more data still help?",
    )
    add_selection_options(p, "share of articles held out as dev (default: 0.2)")


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import UsageError, dev_fraction, progress_bar, select
    from tui.core import ner, project
    from tui.core.evaluate import LabelError, label_set
    from tui.core.formats.base import REGISTRY
    from tui.core.train import train

    if args.epochs < 1:
        raise UsageError("--epochs must be 1 or more.")
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder for the training run.")
    fraction = dev_fraction(args, REGISTRY["spacy"].default_split)
    given = project.parse_labels(args.labels) if args.labels else ()
    selection = select(args)
    base = ner.resolve_model(args.base)
    pipeline = ner.load(base)
    try:
        labels = label_set(
            selection.items, given, project.load(args.annotations).labels, pipeline.labels
        )
    except LabelError as exc:
        raise UsageError(str(exc)) from None
    options: dict[str, Any] = {
        "base": base,
        "labels": labels,
        "pipeline": pipeline,
        "epochs": args.epochs,
        "max_steps": args.max_steps,
        "dev_fraction": fraction,
        "seed": args.seed,
    }
    failed = 1 if selection.problems else 0
    if args.curve:
        return _curve(args, selection.items, labels, options) or failed
    with progress_bar(len(selection.items), "Writing spacy") as advance:
        result = _attempt(lambda: train(selection.items, out, **options, progress=advance))
    if result is None:
        return 1
    _notes(result.notes)
    _print(args, result, pipeline.name, fraction)
    return failed


def _attempt(work: Callable[[], T]) -> T | None:
    """The training's outcome, or ``None`` once its refusal is printed as one line."""
    from tui.core.train import TrainError

    try:
        return work()
    except TrainError as exc:
        print(f"newsmark: {exc}", file=sys.stderr)
        return None


def _notes(notes: Sequence[str]) -> None:
    for note in notes:
        print(f"newsmark: note: {note}", file=sys.stderr)


def _print(args: argparse.Namespace, result: Result, base_name: str, fraction: float) -> None:
    from rich.console import Console

    b, a = result.before.overall, result.after.overall
    print(
        f"\nTrained on {result.train_docs} article(s), scored on "
        f"{result.before.docs} accepted dev article(s) (exact span and label) on "
        f"{', '.join(result.labels)}:"
    )
    print(f"  before ({base_name}): P {b.precision:.3f}  R {b.recall:.3f}  F1 {b.f1:.3f}")
    print(f"  after  ({result.model_path}): P {a.precision:.3f}  R {a.recall:.3f}  F1 {a.f1:.3f}")
    Console().print(before_after(result.before, result.after))
    kept = result.kept
    if kept is not None:
        per = ", ".join(
            f"{label} {kept.labels[label].f1:.2f}"
            for label in sorted(kept.labels)
            if kept.labels[label].tp + kept.labels[label].fn
        )
        print(
            f"Other labels ({len(kept.labels)} outside the label set) come from the base "
            f"model's own recogniser, kept in the model as ner_base; on the dev articles the "
            f"tuned model agrees with the base model at F1 {kept.overall.f1:.3f}"
            + (f" ({per})." if per else ".")
        )
    print(f"  check: {check_command(args, result.model_path, result.labels, fraction)}")
    print(f"  use it: newsmark --model {result.model_path}")
    print(
        "  or let it take over: newsmark suggest --resuggest --model "
        f"{result.model_path} (redoes the suggestions of the articles no one has worked on)"
    )


def check_command(
    args: argparse.Namespace, model: Path, labels: Sequence[str], fraction: float
) -> str:
    """The ``newsmark evaluate`` that prints the "after" figures again."""
    import shlex

    words = ["newsmark", "evaluate", "--model", str(model), "--labels", ",".join(labels)]
    if args.articles != Path("articles"):
        words += ["--articles", str(args.articles)]
    if args.annotations != Path("annotations"):
        words += ["--annotations", str(args.annotations)]
    if args.status != "accepted":
        words += ["--status", args.status]
    words += ["--split", str(fraction), "--seed", str(args.seed)]
    return shlex.join(words)


def before_after(before: Report, after: Report) -> object:
    """Per label: each figure before → after."""
    from rich.table import Table

    t = Table(title="per label, before → after")
    for column in ("label", "support", "precision", "recall", "F1"):
        t.add_column(column, justify="left" if column == "label" else "right")
    rows = [(label, before.labels[label], after.labels[label]) for label in before.labels]
    rows.append(("overall", before.overall, after.overall))
    for i, (label, x, y) in enumerate(rows):
        t.add_row(
            label,
            str(x.tp + x.fn),
            f"{x.precision:.3f} → {y.precision:.3f}",
            f"{x.recall:.3f} → {y.recall:.3f}",
            f"{x.f1:.3f} → {y.f1:.3f}",
            end_section=i == len(rows) - 2,
        )
    return t


def _curve(
    args: argparse.Namespace, items: Sequence[Item], labels: Sequence[str], options: dict[str, Any]
) -> int:
    """Print the learning curve; 1 when training stopped, else 0."""
    from tui.core.train import CURVE, curve, verdict

    def started(i: int, share: float, docs: int) -> None:
        print(
            f"newsmark: [{i + 1}/{len(CURVE)}] training on {share:.0%} of the training "
            f"articles ({docs})...",
            file=sys.stderr,
            flush=True,
        )

    outcome = _attempt(lambda: curve(items, args.out, **options, started=started))
    if outcome is None:
        return 1
    before, points, notes = outcome
    _notes(notes)
    print(
        f"\nLearning curve: F1 on {before.docs} accepted dev article(s), labels "
        f"{', '.join(labels)} (exact span and label)"
    )
    print(f"  {'share':>6} {'articles':>8} {'P':>6} {'R':>6} {'F1':>6}")
    rows = [("base", 0, before)] + [(f"{p.fraction:.0%}", p.docs, p.report) for p in points]
    for name, docs, report in rows:
        s = report.overall
        print(f"  {name:>6} {docs:>8} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}")
    print()
    for line in chart([(name, report.overall.f1) for name, _, report in rows]):
        print(f"  {line}")
    print(verdict(points))
    print(f"  models: {args.out}/<share>pct/model-best")
    return 0


def chart(values: Sequence[tuple[str, float]], width: int = 40) -> list[str]:
    """A bar per value, from 0 to 1, in block characters (eighths for the last cell)."""
    lines = []
    for name, value in values:
        eighths = round(max(0.0, min(1.0, value)) * width * 8)
        bar = "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]
        lines.append(f"{name:>6} {bar:<{width}} {value:.3f}")
    return lines
