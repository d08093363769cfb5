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
    p.add_argument(
        "--member",
        metavar="NAME",
        help="open as this member of the team in the annotations folder: only the articles "
        "routed to them, written to ANNOTATIONS/NAME/ (newsmark serve --team uses it)",
    )
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
    from tui.commands.queue import chosen_order

    project_labels(args)
    args.order = chosen_order(args, remember=True)  # the project's, or --order kept there
    if args.member:
        as_member(args)
    return run_app(args)


def as_member(args: argparse.Namespace) -> None:
    """Point the reader at the member's folder and articles, and record their name."""
    from tui.commands._common import UsageError
    from tui.core import team

    if args.annotator:
        raise UsageError("--member records the member's name; drop --annotator.")
    root = args.annotations
    try:
        args.annotations, args.only = team.member_view(root, args.articles, args.member)
    except team.TeamError as exc:
        raise UsageError(str(exc)) from None
    args.annotator = args.member
    args.project_from = root  # the team's label set, not one of the member's own
