"""``newsmark evaluate``: how good is a model against the accepted articles?

The gold is what people accepted; in_progress articles are left out because an entity
nobody marked yet would count against a model that found it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.evaluate import Report


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="score a model against the accepted articles (precision, recall, F1)",
        description=(
            "Run the model on every accepted article and compare its entities with the "
            "annotations: a prediction counts only when start, end and label all match."
        ),
    )
    p.add_argument("--model", metavar="NAME", help="spaCy pipeline or folder to score")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument(
        "--labels",
        metavar="LIST",
        help="score only these labels, comma separated (default: every label)",
    )


def table(report: Report, title: str) -> object:
    """A rich table of per-label and overall scores."""
    from rich.table import Table

    t = Table(title=title)
    for column in ("label", "precision", "recall", "F1", "TP", "FP", "FN"):
        t.add_column(column, justify="left" if column == "label" else "right")
    rows = [(label, report.labels[label]) for label in sorted(report.labels)]
    rows.append(("overall", report.overall))
    for i, (label, s) in enumerate(rows):
        t.add_row(
            label,
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            str(s.tp),
            str(s.fp),
            str(s.fn),
            end_section=i == len(rows) - 2,
        )
    return t


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import progress_bar
    from tui.core import ner
    from tui.core.evaluate import evaluate
    from tui.core.formats.select import collect, count_files

    with progress_bar(count_files(args.annotations), "Reading annotations") as advance:
        selection = collect(args.articles, args.annotations, {"accepted"}, advance)
    for problem in selection.problems:
        print(f"newsmark: {problem}", file=sys.stderr)
    for note in selection.notes:
        print(f"newsmark: note: {note}", file=sys.stderr)
    if not selection.items:
        print(
            f"newsmark: no accepted article in {args.annotations}: accept some in the reader "
            "first (a with the article open).",
            file=sys.stderr,
        )
        return 1
    labels = None
    if args.labels:
        labels = {x.strip() for x in args.labels.split(",") if x.strip()}
    pipeline = ner.load(args.model)
    with progress_bar(len(selection.items), f"Running {pipeline.name}") as advance:
        report = evaluate(pipeline, selection.items, labels, advance)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        from rich.console import Console

        Console().print(
            table(report, f"{pipeline.name} on {report.docs} accepted article(s), exact match")
        )
    return 1 if selection.problems else 0
