"""``newsmark export --format FORMAT --out PATH``: annotations out to the tools people train with.

Selection and split options are shared with ``train`` (see
:func:`tui.commands._common.add_selection_options`), so an export and a training run on the
same options see the same articles. Each format is a writer in
:data:`tui.core.formats.base.REGISTRY`; the counts printed are those of what was written,
checked against what the TOML files hold.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands._common import (
    add_label_set_option,
    add_selection_options,
    counts,
    dev_fraction,
    label_set,
    note,
    output_folder,
    problem,
    progress_bar,
    select,
    statuses,
)
from tui.core.formats import FORMATS

if TYPE_CHECKING:
    from tui.core.formats.base import ExportPlan, Format, Written

__all__ = ["add_parser", "add_selection_options", "dev_fraction", "progress_bar", "run", "select"]


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="write the annotations as spaCy DocBin, Prodigy JSONL, doccano, CoNLL, brat or "
        "Label Studio JSON",
        description=(
            "Write the selected annotations for training. spacy: a folder with train.spacy, "
            "dev.spacy and config.cfg (unlabelled tokens of accepted articles are O, of other "
            "statuses unknown). jsonl, doccano, conll, labelstudio: one file, or with --split "
            "a folder with train.* and dev.*. brat: a folder of .txt and .ann files. Tokens "
            "that cross an entity edge are split, so every entity keeps its exact characters."
        ),
    )
    p.add_argument("--format", required=True, choices=FORMATS, help="output format")
    p.add_argument("--out", required=True, type=Path, metavar="PATH", help="file or folder")
    add_selection_options(
        p,
        "share of articles held out as dev (default: 0.2 for spacy, else no split)",
    )
    add_label_set_option(p, "export")
    p.add_argument(
        "--model",
        metavar="NAME",
        help="spacy format: base pipeline whose tokenizer is used and whose ner the config "
        "fine-tunes (default: the pipeline in use)",
    )


def plan(args: argparse.Namespace, fmt: Format) -> tuple[ExportPlan | None, bool]:
    """The articles and parts to write (``None``, said why, when nothing is selected), and
    whether some annotation files had problems."""
    from tui.core.formats.base import ExportPlan
    from tui.core.formats.select import only_labels

    fraction = dev_fraction(args, fmt.default_split)
    wanted = statuses(args.status)
    selection = select(args, wanted)
    labels = label_set(args)
    items, left_out = only_labels(selection.items, labels)
    if left_out:
        note(
            f"left out {sum(left_out.values())} entities in {len(left_out)} label(s) outside "
            f"{', '.join(labels)} ({counts(left_out)})."
        )
    if not items:
        problem(
            f"nothing to export: no annotation in {args.annotations} has status "
            f"{', '.join(sorted(wanted))}; accept articles in the reader or pass --status."
        )
        return None, bool(selection.problems)
    the_plan = ExportPlan.make(
        items,
        args.out,
        wanted,
        dev_fraction=fraction,
        seed=args.seed,
        model=args.model,
        needs_dev=fmt.needs_dev,
    )
    return the_plan, bool(selection.problems)


def summary(the_plan: ExportPlan, written: Written) -> str:
    sizes = ", ".join(f"{name} {len(p)}" for name, p in the_plan.parts.items() if name != "all")
    if the_plan.dev_is_train:
        sizes = f"train {len(the_plan.parts['train'])}, dev the same"
    return (
        f"Exported {len(the_plan.items)} article(s){f' ({sizes})' if sizes else ''} with "
        f"{sum(written.labels.values())} entities to "
        f"{', '.join(str(p) for p in written.paths)}"
    )


def run(args: argparse.Namespace) -> int:
    from tui.core.formats.base import REGISTRY

    fmt = REGISTRY[args.format]
    the_plan, problems = plan(args, fmt)
    if the_plan is None:
        return 1
    if the_plan.split or fmt.folder:
        output_folder(the_plan.out, "this export")
    if not fmt.marks_unknown and not the_plan.complete_only:
        note(
            f"{fmt.name} cannot mark tokens as unknown, so unlabelled text of articles that "
            "are not accepted reads as 'no entity'."
        )
    with progress_bar(len(the_plan.items), f"Writing {fmt.name}") as advance:
        written = fmt.write(the_plan, advance)
    for message in written.notes:
        note(message)
    print(summary(the_plan, written))
    if written.labels:
        print(f"  entities per label: {counts(written.labels)}")
    for line in written.lines:
        print(f"  {line}")
    expected = fmt.expected(the_plan)
    if written.labels != expected:
        print(
            f"newsmark: the export wrote {counts(written.labels)} but the TOML files hold "
            f"{counts(expected)}; please report this.",
            file=sys.stderr,
        )
        return 1
    return 1 if problems else 0
