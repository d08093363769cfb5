"""``newsmark import FILE --format jsonl|doccano``: bring annotations made elsewhere back in.

Every line is imported or reported on its own (``FILE:LINE: reason``), so one bad record
never blocks the rest; the exit code is 1 when any line failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.core.edits import STATUSES
from tui.core.formats import IMPORT_FORMATS


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="import Prodigy JSONL or doccano JSONL into articles/ and annotations/",
        description=(
            "Write each line's text into the articles folder (named by meta.article, else "
            "imported/<sha256>.txt; an identical file is reused, a different one is never "
            "overwritten) and its TOML with source 'user'. Prodigy's answer sets the status "
            "(accept: accepted, reject: rejected, ignore: skipped). Spans with whitespace at "
            "an edge are trimmed; overlapping or out-of-range spans reject the line."
        ),
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the .jsonl file to import")
    p.add_argument("--format", required=True, choices=IMPORT_FORMATS, help="input format")
    p.add_argument(
        "--status",
        choices=STATUSES,
        help="status for every imported article (default: from the file; doccano lines "
        "without one become in_progress)",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing TOML files")
    p.add_argument("--annotator", metavar="NAME", help="recorded when a line names none")


def run(args: argparse.Namespace) -> int:
    from tui.cli import UsageError
    from tui.core.formats.excluded import join_pieces
    from tui.core.formats.importing import LineError, Parsed, parse, place

    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path} cannot be read ({exc.strerror}); check the path.") from None
    failed = imported = unchanged = new_articles = trimmed = 0
    pieces: dict[str | None, list[tuple[int, Parsed]]] = {}  # articles exported in pieces
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise LineError("is not UTF-8 text") from None
            parsed = parse(line, args.format, args.status)
            if parsed.offset is not None:  # a piece of an article: placed with the others
                pieces.setdefault(parsed.article, []).append((number, parsed))
                continue
            placed = place(
                parsed,
                args.articles,
                args.annotations,
                force=args.force,
                annotator=args.annotator,
            )
        except LineError as exc:
            failed += 1
            print(f"newsmark: {path}:{number}: {exc}", file=sys.stderr)
            continue
        except OSError as exc:
            failed += 1
            print(f"newsmark: {path}:{number}: could not write ({exc}); skipped", file=sys.stderr)
            continue
        if parsed.note:
            print(f"newsmark: note: {path}:{number}: {parsed.note}", file=sys.stderr)
        if parsed.trimmed:
            print(
                f"newsmark: note: {path}:{number}: trimmed whitespace from the edges of "
                f"{parsed.trimmed} span(s)",
                file=sys.stderr,
            )
        trimmed += parsed.trimmed
        new_articles += placed.wrote_article
        imported += placed.wrote_toml
        unchanged += not placed.wrote_toml
    for group in pieces.values():
        numbers = ",".join(str(n) for n, _ in group)
        try:
            parsed = join_pieces([p for _, p in group], args.articles)
            placed = place(
                parsed, args.articles, args.annotations, force=args.force, annotator=args.annotator
            )
        except (LineError, OSError) as exc:
            failed += len(group)
            print(f"newsmark: {path}:{numbers}: {exc}", file=sys.stderr)
            continue
        trimmed += parsed.trimmed
        imported += placed.wrote_toml
        unchanged += not placed.wrote_toml
    print(
        f"Imported {imported} article(s) into {args.annotations} ({new_articles} new text "
        f"file(s) in {args.articles}, {unchanged} already identical); {failed} line(s) failed."
    )
    return 1 if failed else 0
