"""``newsmark export --format FORMAT --out PATH``: annotations out to the tools people train with.

Selection and split options are shared with ``train`` (see :func:`add_selection_options`),
so an export and a training run on the same options see the same articles. The counts
printed are those of what was written, checked against what the TOML files hold.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui.core.formats import FORMATS

if TYPE_CHECKING:
    from tui.core.edits import Status
    from tui.core.formats.select import Item, Selection

# Below this many files a bar would only flash; above it a big export shows it is alive.
PROGRESS_MIN = 50
EXTENSIONS = {"jsonl": "jsonl", "doccano": "jsonl", "conll": "conll"}


@contextmanager
def progress_bar(
    total: int, description: str, stream: TextIO | None = None
) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal for big jobs; silent otherwise (logs stay clean)."""
    stream = stream if stream is not None else sys.stderr
    if total < PROGRESS_MIN or not stream.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=stream, force_terminal=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def add_selection_options(parser: argparse.ArgumentParser, split_help: str) -> None:
    parser.add_argument(
        "--status",
        default="accepted",
        metavar="LIST",
        help="statuses to include, comma separated; 'all' is every status but rejected "
        "(default: accepted)",
    )
    parser.add_argument("--split", type=float, metavar="DEV_FRACTION", help=split_help)
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the article split (default: 0)"
    )


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="write the annotations as spaCy DocBin, Prodigy JSONL, doccano, CoNLL or brat",
        description=(
            "Write the selected annotations for training. spacy: a folder with train.spacy, "
            "dev.spacy and config.cfg (unlabelled tokens of accepted articles are O, of other "
            "statuses unknown). jsonl, doccano, conll: one file, or with --split a folder with "
            "train.* and dev.*. brat: a folder of .txt and .ann files. Tokens that cross an "
            "entity edge are split, so every entity keeps its exact characters."
        ),
    )
    p.add_argument("--format", required=True, choices=FORMATS, help="output format")
    p.add_argument("--out", required=True, type=Path, metavar="PATH", help="file or folder")
    add_selection_options(
        p,
        "share of articles held out as dev (default: 0.2 for spacy, else no split)",
    )
    p.add_argument(
        "--model",
        metavar="NAME",
        help="spacy format: base pipeline whose tokenizer is used and whose ner the config "
        "fine-tunes (default: the pipeline in use)",
    )


def select(
    args: argparse.Namespace, stream: TextIO | None = None
) -> tuple[Selection, frozenset[Status]]:
    """Parse ``--status`` and load the TOML files; problems are printed, not raised."""
    from tui.cli import UsageError
    from tui.core.formats.select import collect, count_files, parse_statuses

    try:
        statuses = parse_statuses(args.status)
    except ValueError as exc:
        raise UsageError(f"--status: {exc}") from None
    with progress_bar(count_files(args.annotations), "Reading annotations", stream) as advance:
        selection = collect(args.articles, args.annotations, statuses, advance)
    for problem in selection.problems:
        print(f"newsmark: {problem}", file=sys.stderr)
    for note in selection.notes:
        print(f"newsmark: note: {note}", file=sys.stderr)
    return selection, statuses


def dev_fraction(args: argparse.Namespace, default: float) -> float:
    from tui.cli import UsageError

    value: float = default if args.split is None else args.split
    if not 0 <= value < 1:
        raise UsageError(f"--split {value}: give the dev share as a number from 0 up to 1.")
    return value


def _counts(counts: Counter[str]) -> str:
    return ", ".join(f"{label} {n}" for label, n in sorted(counts.items(), key=lambda x: -x[1]))


def _write_text(path: Path, chunks: Iterator[str]) -> None:
    from tui.core.fsutil import atomic_write

    atomic_write(path, "".join(chunks).encode("utf-8"))


def _line_format(
    fmt: str, out: Path, parts: dict[str, list[Item]], advance: Callable[[int], None]
) -> tuple[list[Path], Counter[str]]:
    """jsonl, doccano and conll: one file per part; the labels counted from what is written."""
    from tui.core.formats import conll, doccano, jsonl_line, prodigy

    labels: Counter[str] = Counter()
    paths = []
    nlp = conll.pipeline()
    for part, items in parts.items():
        if len(parts) == 1:
            path = out / f"annotations.{EXTENSIONS[fmt]}" if out.is_dir() else out
        else:
            path = out / f"{part}.{EXTENSIONS[fmt]}"
        chunks: Iterator[str]
        if fmt == "jsonl":
            tasks = list(prodigy.tasks(nlp, items, advance))
            labels.update(s["label"] for t in tasks for s in t["spans"])
            chunks = (jsonl_line(t) for t in tasks)
        elif fmt == "doccano":
            records = list(doccano.records(items, advance))
            labels.update(lab for r in records for _, _, lab in r["label"])
            chunks = (jsonl_line(r) for r in records)
        else:
            text = "".join(conll.lines(nlp, items, advance))
            labels.update(line.split("\t")[1][2:] for line in text.split("\n") if "\tB-" in line)
            chunks = iter([text])
        _write_text(path, chunks)
        paths.append(path)
    return paths, labels


def run(args: argparse.Namespace) -> int:
    from tui.cli import UsageError
    from tui.core.formats import brat
    from tui.core.formats import spacy as spacy_format
    from tui.core.formats.select import label_counts, split

    fraction = dev_fraction(args, 0.2 if args.format == "spacy" else 0.0)
    selection, statuses = select(args)
    items = selection.items
    problems = bool(selection.problems)
    if not items:
        print(
            f"newsmark: nothing to export: no annotation in {args.annotations} has status "
            f"{', '.join(sorted(statuses))}; accept articles in the reader or pass --status.",
            file=sys.stderr,
        )
        return 1
    train, dev = split(items, fraction, args.seed)
    dev_is_train = args.format == "spacy" and not dev
    if dev_is_train:
        print(
            "newsmark: note: too few articles for a dev split (spaCy needs one); "
            "dev.spacy holds the training articles too.",
            file=sys.stderr,
        )
    split_given = fraction > 0 or args.format == "spacy"
    parts = {"train": train, "dev": dev} if split_given else {"all": items}
    out: Path = args.out
    if len(parts) > 1 or args.format in ("spacy", "brat"):
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {out} is a file; this export writes a folder there.")
        out.mkdir(parents=True, exist_ok=True)
    if args.format in ("conll", "doccano", "brat") and statuses - {"accepted", "rejected"}:
        print(
            f"newsmark: note: {args.format} cannot mark tokens as unknown, so unlabelled text "
            "of articles that are not accepted reads as 'no entity'.",
            file=sys.stderr,
        )
    split_tokens = 0
    with progress_bar(len(items), f"Writing {args.format}") as advance:
        if args.format == "spacy":
            from tui.core import ner

            base = ner.resolve_model(args.model)
            pipeline = ner.load(base)
            written = spacy_format.write(
                out,
                train,
                None if dev_is_train else dev,
                nlp=pipeline.nlp,
                base=spacy_format.source_name(base),
                seed=args.seed,
                progress=advance,
            )
            paths, labels, split_tokens = written.files, written.labels, written.split_tokens
        elif args.format == "brat":
            paths, labels = [], Counter()
            for part, part_items in parts.items():
                folder = out if len(parts) == 1 else out / part
                bw = brat.write(folder, part_items, advance)
                paths.append(folder)
                labels.update(bw.labels)
                if bw.renamed_labels:
                    print(
                        "newsmark: note: brat types cannot hold spaces; written with "
                        f"underscores: {', '.join(sorted(bw.renamed_labels))}",
                        file=sys.stderr,
                    )
        else:
            paths, labels = _line_format(args.format, out, parts, advance)
    expected = label_counts(items)
    if args.format == "brat":
        renamed: Counter[str] = Counter()
        for label, n in expected.items():
            renamed[brat.brat_type(label)] += n
        expected = renamed
    sizes = ", ".join(f"{name} {len(p)}" for name, p in parts.items() if name != "all")
    if dev_is_train:
        sizes = f"train {len(train)}, dev the same"
    print(
        f"Exported {len(items)} article(s){f' ({sizes})' if sizes else ''} "
        f"with {sum(labels.values())} entities to {', '.join(str(p) for p in paths)}"
    )
    if labels:
        print(f"  entities per label: {_counts(labels)}")
    if args.format == "spacy":
        print(
            f"  {split_tokens} token(s) split at entity edges, so every entity keeps its "
            "exact characters"
        )
        print(f"  next: python -m spacy train {out / spacy_format.CONFIG_FILE} --output MODEL")
    if labels != expected:
        print(
            f"newsmark: the export wrote {_counts(labels)} but the TOML files hold "
            f"{_counts(expected)}; please report this.",
            file=sys.stderr,
        )
        return 1
    return 1 if problems else 0
