"""``newsmark queue``: the article ids in the order the reader offers them, one a line.

Exit codes: 0 listed (an empty list too); 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

from tui.core.queue import DEFAULT_STATUSES, ORDERS, Order

if TYPE_CHECKING:
    from tui.core.workspace import Workspace


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def add_order_option(p: argparse.ArgumentParser) -> None:
    """``--order`` and ``--seed``, shared by ``queue``, ``open`` and ``serve``."""
    p.add_argument(
        "--order",
        choices=ORDERS,
        default=None,
        help="the order articles are offered in: file, uncertain (most expected errors per "
        "1,000 characters first, from the model's scores) or random; open and serve keep it "
        "in the project file (default: the project's order, else file)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="the shuffle of --order random (default: 0)",
    )


def chosen_order(args: argparse.Namespace, *, remember: bool) -> Order:
    """``--order``, else the project's (``order`` in the project file), else ``file``. With
    ``remember`` a given ``--order`` becomes the project's, so the next ``open``, ``serve``
    and ``queue`` follow it."""
    from tui.commands._common import UsageError
    from tui.core import project

    settings = project.load(args.annotations)
    given: str | None = getattr(args, "order", None)
    if given is None:
        kept = settings.order or "file"
        if kept not in ORDERS:
            raise UsageError(
                f"{settings.path}: order is {kept!r}, which is none of {', '.join(ORDERS)}; "
                "fix the file or pass --order."
            )
        return kept
    if remember and given != (settings.order or "file"):
        Path(args.annotations).mkdir(parents=True, exist_ok=True)
        written = project.update(args.annotations, order=given)
        print(
            f"newsmark: articles come in {given} order from now on (in {written.path}).",
            file=sys.stderr,
        )
    return cast(Order, given)


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="list article ids in the order the reader offers them",
        description="Print article ids, one per line, in the order the reader's next "
        "article, its picker and serve follow.",
        epilog="exit status: 0 listed, 2 bad usage",
    )
    add_order_option(p)
    p.add_argument("--limit", type=_positive, metavar="N", help="print at most N ids")
    p.add_argument(
        "--status",
        default=",".join(sorted(DEFAULT_STATUSES)),
        metavar="LIST",
        help="comma list of statuses to list: new (no annotation file), unreviewed, "
        "in_progress, accepted, rejected, skipped, or all (default: new,in_progress,unreviewed); "
        "an article that cannot be annotated (not UTF-8, binary, empty) is never listed",
    )


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import UsageError
    from tui.core import queue
    from tui.core.workspace import Workspace

    try:
        wanted = queue.parse_statuses(args.status)
    except ValueError as exc:
        raise UsageError(f"--status: {exc}.") from None
    workspace = Workspace(args.articles, args.annotations)
    ids, summaries = queue.listing(workspace, chosen_order(args, remember=False), args.seed, wanted)
    shown = 0
    for aid in ids:
        if args.limit is not None and shown >= args.limit:
            break
        if summaries[aid].status is None and not _usable(workspace, aid):
            continue  # nothing to annotate in it: stats counts it apart, validate says why
        print(aid)
        shown += 1
    return 0


def _usable(workspace: Workspace, article_id: str) -> bool:
    from tui.core.article import ArticleError

    try:
        workspace.corpus.read(article_id)
    except ArticleError:
        return False
    return True
