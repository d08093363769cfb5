"""``newsmark evaluate``: how good is a model against the accepted articles?

The gold is what people accepted; in_progress articles are left out because an entity
nobody marked yet would count against a model that found it. For the same reason only a
label set is scored (``--labels``, else the project's, else the gold's own): predictions in
other labels are counted apart, never as false positives. ``--split``/``--seed`` score the
dev share of the split ``train`` makes, so its before/after figures can be checked here.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tui.core.distributed import Scheduler
    from tui.core.evaluate import Report
    from tui.core.formats.select import Item


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    from tui.commands._common import add_selection_options

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
        help="score only these labels, comma separated (default: the project's labels, else "
        "the labels the gold uses); predictions in other labels are counted apart",
    )
    add_selection_options(
        p,
        "score only the dev share of this split, as train makes it (default: every article)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the model on a Dask cluster: tcp://HOST:8786 or local[:N] "
        "(needs pip install 'newsmark[dask]')",
    )


def table(report: Report, title: str) -> object:
    """A rich table of per-label and overall scores."""
    from rich.table import Table

    t = Table(title=title)
    for column in ("label", "precision", "recall", "F1", "TP", "FP", "FN"):
        t.add_column(column, justify="left" if column == "label" else "right")
    order = [label for label in report.scored if label in report.labels] or sorted(report.labels)
    rows = [(label, report.labels[label]) for label in order]  # the label set's own order
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
    from tui.commands._common import UsageError, dev_fraction, progress_bar, select
    from tui.core import ner, project
    from tui.core.evaluate import LabelError, evaluate, label_set
    from tui.core.formats.select import split

    scheduler = _cluster(args.scheduler)
    given = project.parse_labels(args.labels) if args.labels else ()
    selection = select(args)
    items = selection.items
    if args.split is not None:
        items = split(items, dev_fraction(args, 0.0), args.seed)[1]
    gold = [item for item in items if item.complete]
    the_project = project.load(args.annotations)
    # A mistyped --labels is a usage error whatever the gold holds, so it is checked first.
    pipeline = None if scheduler is not None or not (gold or given) else ner.load(args.model)
    try:
        labels = label_set(
            gold, given, the_project.labels, pipeline.labels if pipeline is not None else ()
        )
    except LabelError as exc:
        raise UsageError(str(exc)) from None
    if not gold:
        print(
            f"newsmark: no accepted article in {args.annotations}"
            f"{' in that dev split' if args.split is not None else ''}: accept some in the "
            "reader first (a with the article open).",
            file=sys.stderr,
        )
        return 1
    if pipeline is None:
        assert scheduler is not None
        report = _evaluate_on_cluster(scheduler, args.model, gold, set(labels))
        report.scored = labels
    else:
        with progress_bar(len(gold), f"Running {pipeline.name}") as advance:
            report = evaluate(pipeline, gold, labels, advance)
    outside = (
        "outside --labels"
        if given
        else "outside the project"
        if the_project.restricts
        else "the gold does not use"
    )
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        from rich.console import Console

        Console().print(
            table(report, f"{report.model} on {report.docs} accepted article(s), exact match")
        )
        print(f"Scored labels: {', '.join(labels)}.")
        line = report.not_scored(outside)
        if line is not None:
            print(line[0].upper() + line[1:] + ".")
    return 1 if selection.problems else 0


def _cluster(spec: str | None) -> Scheduler | None:
    """The parsed ``--scheduler``, once ``distributed`` is known to be installed."""
    from tui.commands._common import UsageError
    from tui.core import distributed

    if spec is None:
        return None
    try:
        scheduler = distributed.parse_scheduler(spec)
        distributed.require()
    except distributed.DistributedError as exc:
        raise UsageError(str(exc)) from None
    return scheduler


def _evaluate_on_cluster(
    scheduler: Scheduler, model: str | None, items: Sequence[Item], labels: set[str] | None
) -> Report:
    """Score the model with its predictions computed on a Dask cluster."""
    from pathlib import Path

    from tui.commands._common import UsageError
    from tui.commands.export import progress_bar
    from tui.core import distributed, ner

    name = ner.resolve_model(model)
    name = str(Path(name).resolve()) if Path(name).is_dir() else name
    try:
        with distributed.connect(scheduler) as client:
            link = distributed.dashboard(client)
            print(
                f"Dask dashboard: {link or 'not served (pip install bokeh to have one)'}",
                file=sys.stderr,
            )
            label = distributed.load_everywhere(client, name)
            with progress_bar(len(items), f"Running {label}") as advance:
                return distributed.evaluate(client, name, label, items, labels, advance)
    except distributed.DistributedError as exc:
        raise UsageError(str(exc)) from None
