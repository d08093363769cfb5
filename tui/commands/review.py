"""``newsmark review DIR_A DIR_B``: settle two annotators' versions into gold, side by side.

Exit codes: 0 after a normal quit; 2 bad usage or input (a folder missing, no shared article,
--out in use by another newsmark).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.project import Project


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="review two annotators' folders side by side and write the gold",
        description=(
            "Open every article both folders annotated with the two versions side by side and "
            "the gold below them; take the left, the right or neither for each disagreement, "
            "or edit the gold freely. The gold is written into --out as you go (status "
            "in_progress, then accepted once every disagreement is decided)."
        ),
        epilog="exit status: 0 after a normal quit, 2 bad usage",
    )
    p.add_argument("folders", nargs="*", type=Path, metavar="DIR", help="the two folders: A B")
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder the gold is written to (default: the --annotations folder)",
    )
    p.add_argument(
        "--annotator",
        metavar="NAME",
        help="the reviewer, recorded in the gold (default: your user name)",
    )
    p.add_argument(
        "--status",
        metavar="LIST",
        help="statuses an article must have in both folders, comma separated, or 'all' "
        "(default: every status but rejected)",
    )


def reviewer_name(given: str | None) -> str:
    """``--annotator``, else the login name; something writable either way."""
    import getpass

    name = given
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):
            name = "reviewer"
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def project_for(args: argparse.Namespace, a: Path, b: Path) -> Project:
    """The label set the gold is made in: the --annotations folder's project, else that of
    the folder holding both people's folders (a team's, as the readers had it)."""
    from tui.core import project

    shared = a.resolve().parent
    for folder in (args.annotations, shared if shared == b.resolve().parent else None):
        if folder is not None and project.exists(folder):
            return project.load(folder)
    return project.Project()


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import UsageError, statuses
    from tui.core import review

    if len(args.folders) != 2:
        raise UsageError(
            "review needs exactly two annotations folders, e.g. "
            "newsmark review annotations/kim annotations/lee --out annotations/gold"
        )
    a, b = args.folders
    for folder in (a, b):
        if not folder.is_dir():
            raise UsageError(f"{folder} is not a folder of annotations; check the path.")
    if a.resolve() == b.resolve():
        raise UsageError(f"{a} is given twice; name the two people's folders.")
    out: Path = args.out if args.out is not None else args.annotations
    o = out.resolve()
    for folder in (a, b):
        if _inside(o, folder.resolve()) or _inside(folder.resolve(), o):
            raise UsageError(
                f"--out {out} would mix the gold with {folder}'s files; give the gold a "
                "folder of its own, e.g. --out annotations/gold."
            )
    wanted = review.REVIEW_STATUSES if args.status is None else statuses(args.status)
    reviews, skipped = review.load(args.articles, a, b, wanted)
    if not reviews:
        raise UsageError(
            f"{a} and {b} share no article with a status to review; "
            f"`newsmark agree {a} {b} --status all` lists why each was left out."
        )

    from tui.core import lock

    try:
        held = lock.acquire(out)
    except lock.LockHeld as exc:
        raise UsageError(
            f"{out} is being written by newsmark (pid {exc.pid} on host {exc.host}); "
            "close it there first."
        ) from None
    except OSError as exc:
        raise UsageError(
            f"{out} cannot be written ({exc.strerror or exc}); pick another --out."
        ) from None
    try:
        from tui.screens.review import ReviewApp

        app = ReviewApp(
            reviews, out, reviewer_name(args.annotator), skipped, project_for(args, a, b)
        )
        result = app.run()
    finally:
        held.release()
    return result if isinstance(result, int) else 0
