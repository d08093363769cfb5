"""``newsmark open [FILES]``: the reader."""

from __future__ import annotations

import argparse

from tui.commands.queue import add_order_option


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    from tui.commands._common import add_labels_option

    p = subparsers.add_parser(name, parents=[common], help="open the reader (the default command)")
    p.add_argument("files", nargs="*", help="article ids or paths to open first")
    p.add_argument("--model", metavar="NAME", help="spaCy pipeline for suggestions")
    p.add_argument("--annotator", metavar="NAME", help="recorded in the files this session writes")
    add_labels_option(p)
    add_order_option(p)
    p.add_argument(
        "--low-confidence",
        type=_share,
        metavar="P",
        help="suggestions the model scored under P (0 to 1) are drawn apart and w stops at "
        "them (default: 0.8)",
    )


def _share(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number from 0 to 1, such as 0.8")
    return number


def run(args: argparse.Namespace) -> int:
    from tui.app import run_app
    from tui.commands._common import project_labels

    project_labels(args)
    return run_app(args)
