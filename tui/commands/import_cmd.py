"""``newsmark import PATH --format FORMAT``: bring annotations made elsewhere back in.

Each format's reader (in :data:`tui.core.formats.base.REGISTRY`) turns the input into
records; every record is imported or reported on its own (``FILE:LINE: reason``), so one
bad record never blocks the rest. Exit 1 when any record was refused or conflicted.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.edits import STATUSES
from tui.core.formats import IMPORT_FORMATS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tui.core.formats.importing import Report
    from tui.core.formats.records import Record
    from tui.core.project import Project


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="import Prodigy, doccano, CoNLL, brat, spaCy or Label Studio annotations",
        description=(
            "Write each record's text into the articles folder (named by meta.article, brat's "
            "file name, else imported/<sha256>.txt; an identical file is reused, a different "
            "one is never overwritten) and its TOML. Prodigy: accepted tasks become accepted "
            "articles whose spans are a person's (the tool's span source is kept as origin); "
            "rejected, ignored and binary ner.teach tasks are counted, not imported. Records "
            "of the same text with different annotations are conflicts: none is imported. "
            "Spans with whitespace at an edge are trimmed; overlapping or out-of-range spans "
            "refuse the record."
        ),
        epilog="exit status: 0 imported, 1 some records were refused or conflicted, 2 bad usage",
    )
    p.add_argument(
        "file", type=Path, metavar="PATH", help="the file (brat: the folder; spacy: either)"
    )
    p.add_argument("--format", required=True, choices=IMPORT_FORMATS, help="input format")
    p.add_argument(
        "--status",
        choices=STATUSES,
        help="status for every imported article (default: from the file, else in_progress)",
    )
    p.add_argument(
        "--labels",
        metavar="MAP",
        help="rename labels on the way in, e.g. PER=PERSON,LOC=GPE; with a project label set "
        "(annotations/.newsmark-project.toml), entities in other labels are left out and counted",
    )
    p.add_argument(
        "--from-annotator",
        metavar="NAME",
        help="import only the records NAME made (Prodigy's _annotator_id or _session_id, "
        "Label Studio's completed_by); the way to split a shared file into one folder each",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing TOML files")
    p.add_argument("--annotator", metavar="NAME", help="recorded when a record names none")


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import UsageError, counts, label_map, note, writing_lock
    from tui.core import project
    from tui.core.formats.base import REGISTRY, ReadOptions
    from tui.core.formats.importing import bring_in

    path: Path = args.file
    fmt = REGISTRY[args.format]
    if not path.exists():
        raise UsageError(f"{path} cannot be read (it does not exist); check the path.")
    if path.is_dir() and fmt.name not in ("brat", "spacy"):
        raise UsageError(f"{path} is a folder; give the {fmt.name} file itself.")
    options = ReadOptions(status=args.status, labels=label_map(args.labels))
    with writing_lock(args.annotations, "import"):
        try:
            records = list(fmt.read(path, options))
        except OSError as exc:
            raise UsageError(
                f"{path} cannot be read ({exc.strerror or exc}); check the path."
            ) from None
        if args.from_annotator is not None:
            records = [only_from(r, args.from_annotator) for r in records]
        records, left_out = project_labels_only(records, project.load(args.annotations))
        report = bring_in(
            records,
            args.articles,
            args.annotations,
            force=args.force,
            annotator=args.annotator,
        )
    _print(report, args)
    if left_out:
        note(
            f"left out {sum(left_out.values())} entities in {len(left_out)} label(s) outside "
            f"the project's ({counts(left_out)}); the project's labels are in "
            f"{project.path_in(args.annotations)}."
        )
    return 1 if report.failed else 0


def project_labels_only(
    records: Iterable[Record], project: Project
) -> tuple[list[Record], Counter[str]]:
    """The records with only the project's labels, and how many entities of each other
    label were left out (nothing when the project names no labels)."""
    from dataclasses import replace

    left_out: Counter[str] = Counter()
    kept: list[Record] = []
    for record in records:
        parsed = record.parsed
        if parsed is None or not project.restricts:
            kept.append(record)
            continue
        entities = tuple(project.keep(parsed.entities))
        left_out.update(e.label for e in parsed.entities if not project.keeps(e.label))
        kept.append(replace(record, parsed=replace(parsed, entities=entities)))
    return kept, left_out


def only_from(record: Record, name: str) -> Record:
    """``record`` if ``name`` made it; else the same record, skipped and counted."""
    from tui.core.formats.records import Record

    if record.parsed is None or record.who == name:
        return record
    return Record(record.where, skipped=f"not made by {name}")


def _print(report: Report, args: argparse.Namespace) -> None:
    for where, reason in report.refused:
        print(f"newsmark: {where}: {reason}", file=sys.stderr)
    for where, message in report.notes:
        print(f"newsmark: note: {where}: {message}", file=sys.stderr)
    for conflict in report.conflicts:
        who = f" by {', '.join(conflict.who)}" if conflict.who else ""
        print(
            f"newsmark: {'; '.join(conflict.wheres)}: the same text ({conflict.text!r}) is "
            f"annotated differently{who}; none imported. Import each annotator's records "
            "into their own folder (--from-annotator NAME --annotations DIR) and compare "
            "them with newsmark agree.",
            file=sys.stderr,
        )
    for reason, n in sorted(report.skipped.items(), key=lambda x: -x[1]):
        print(f"newsmark: note: {n} record(s) skipped: {reason}", file=sys.stderr)
    extra = f", {report.duplicates} repeated" if report.duplicates else ""
    print(
        f"Imported {report.imported} article(s) into {args.annotations} ({report.new_articles} "
        f"new text file(s) in {args.articles}, {report.unchanged} already identical{extra}); "
        f"{len(report.refused)} refused, {sum(report.skipped.values())} skipped, "
        f"{len(report.conflicts)} conflict(s)."
    )
