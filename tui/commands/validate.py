"""``newsmark validate``: check every annotation file against its article.

Exit codes: 0 every file is fine ("N files OK"); 1 problems were found, one line each as
``path: field: message`` on stdout (nothing is changed); 2 bad usage or input.
"""

from __future__ import annotations

import argparse


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    subparsers.add_parser(
        name,
        parents=[common],
        help="check every annotation file against its article",
        description=(
            "Check every TOML file in the annotations folder: its fields, its spans against the "
            "article text, articles that changed or disappeared. Nothing is modified."
        ),
        epilog="exit status: 0 all files OK, 1 problems found (one line each), 2 bad input",
    )


def run(args: argparse.Namespace) -> int:
    from tui.core.validate import validate

    report = validate(args.articles, args.annotations)
    for problem in report.problems:
        print(problem)
    if report.problems:
        print(
            f"{_count(len(report.problems), 'problem')} in {report.files - report.ok} of "
            f"{_count(report.files, 'file')}; {report.ok} OK."
        )
        return 1
    print(f"{_count(report.files, 'file')} OK")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
