"""``newsmark stats``: articles by status, entities by label and by source, with bars; the
memory's precision: of its changes to the model's spans on accepted articles, how many
people kept; and per model that suggested, how many of its suggestions on accepted articles
people kept, relabelled, resized or deleted.

Exit codes: 0 counted; 1 some annotation files could not be read (counted as
"unreadable"; ``newsmark validate`` names the fault), or an article cannot be used (not
UTF-8, binary, empty: named on stderr and counted apart, as an unusable article); 2 bad
usage or input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table

    from tui.core.suggested import Fates

BAR_WIDTH = 30


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    subparsers.add_parser(
        name,
        parents=[common],
        help="count articles by status and entities by label and source",
        description="Tables of articles by review status, entities by label and by source.",
        epilog="exit status: 0 counted, 1 some annotation files or articles cannot be read "
        "(named), 2 bad usage",
    )


def table(title: str, heading: str, unit: str, rows: Sequence[tuple[str, int]]) -> Table:
    """One count table; the bars share a scale so rows compare at a glance."""
    from rich.bar import Bar
    from rich.table import Table

    total = sum(count for _, count in rows)
    scale = max((count for _, count in rows), default=0) or 1
    grid = Table(title=title, title_justify="left", show_footer=bool(rows))
    grid.add_column(heading, footer="total")
    grid.add_column(unit, justify="right", footer=str(total))
    grid.add_column("%", justify="right")
    grid.add_column("", width=BAR_WIDTH, no_wrap=True)
    for name, count in rows:
        share = f"{100 * count / total:.1f}" if total else "0.0"
        grid.add_row(name, str(count), share, Bar(scale, 0, count, width=BAR_WIDTH))
    return grid


def fates_table(fates: Fates) -> Table:
    """Per model, what people did with its suggestions on accepted articles."""
    from rich.table import Table

    from tui.core.suggested import FATES

    grid = Table(title="Model suggestions on accepted articles", title_justify="left")
    grid.add_column("model")
    grid.add_column("suggested", justify="right")
    for name in FATES:
        grid.add_column(name, justify="right")
    grid.add_column("kept %", justify="right")
    for model, counts in fates.rows():
        total = counts.total()
        share = f"{100 * counts['kept'] / total:.1f}" if total else "–"
        grid.add_row(model, str(total), *(str(counts[f]) for f in FATES), share)
    return grid


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from tui.core.stats import UNUSABLE, collect
    from tui.core.words import count, verb

    stats = collect(args.articles, args.annotations)
    console = Console()
    console.print(table("Articles by status", "status", "articles", stats.status_rows()))
    console.print(table("Entities by label", "label", "entities", stats.label_rows()))
    console.print(table("Entities by source", "source", "entities", stats.source_rows()))
    held = stats.remembered
    if held.total():
        console.print(
            f"Memory holds {_n(held['labels'], 'label')}, "
            f"{_n(held['deleted here'], 'deletion')} in one place, "
            f"{_n(held['deleted everywhere'], 'text')} never suggested, "
            f"{_n(held['resized'], 'resize')} (the corpus index, I, shows and forgets them).",
            markup=False,
            highlight=False,
        )
    if stats.memory_error:
        print(f"newsmark: warning: {stats.memory_error}", file=sys.stderr)
    if stats.memory_changes:
        precision = stats.memory_precision or 0.0
        console.print(
            f"Memory: changed {stats.memory_changes} model spans on accepted articles; "
            f"people kept {stats.memory_kept} of those changes (precision {precision:.0%}); "
            f"{stats.memory_removed} were deletions, {stats.memory_removed_kept} of them kept.",
            markup=False,
            highlight=False,
        )
    if stats.fates.by_model:
        console.print(fates_table(stats.fates))
    if chars := stats.excluded_chars:
        console.print(
            f"{count(chars, 'character')} in {count(stats.excluded_articles, 'article')} "
            f"{verb(chars, 'is', 'are')} excluded (not article text) and left out of exports."
        )
    if stats.orphans:
        n = stats.orphans
        print(
            f"newsmark: warning: {count(n, 'annotation file')} {verb(n, 'has', 'have')} no "
            f"article any more and {verb(n, 'was', 'were')} not counted; run `newsmark "
            "validate` to list them.",
            file=sys.stderr,
        )
    for error in stats.unusable:
        print(
            f"newsmark: warning: {error}; counted as an {UNUSABLE}, not as one to annotate",
            file=sys.stderr,
        )
    if stats.unreadable:
        n = stats.unreadable
        print(
            f"newsmark: {count(n, 'annotation file')} cannot be read; "
            "run `newsmark validate` to see why.",
            file=sys.stderr,
        )
    return 1 if stats.unreadable or stats.unusable else 0
