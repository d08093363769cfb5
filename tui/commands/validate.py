"""``newsmark validate``: check every annotation file against its article.

Exit codes: 0 every file is fine ("N files OK"); 1 problems were found, one line each as
``path: field: message`` on stdout (nothing is changed), including an article with no
annotation file that cannot be used (not UTF-8, binary, empty); 2 bad usage or input.
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
    from tui.core.words import count

    report = validate(args.articles, args.annotations)
    for problem in report.problems:
        print(problem)
    for error in report.unusable:
        print(f"{error.path}: article: {error.reason}")
    unusable = f"; {count(len(report.unusable), 'article')} cannot be used" * bool(report.unusable)
    if report.problems:
        print(
            f"{count(len(report.problems), 'problem')} in {report.files - report.ok} of "
            f"{count(report.files, 'file')}; {report.ok} OK{unusable}."
        )
        return 1
    print(f"{count(report.files, 'file')} OK{unusable}")
    return 1 if report.unusable else 0
