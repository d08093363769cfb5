"""What the commands share: the usage error, folder and selection checks, the progress bar.

``cli.py`` only builds the parser and dispatches; every rule a command applies to its
arguments lives here or in the command's own module, never in ``cli.py``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from tui.core.edits import Status
    from tui.core.formats.select import Selection
    from tui.core.lock import Lock

# Below this many files a bar would only flash; above it a big job shows it is alive.
PROGRESS_MIN = 50


class UsageError(Exception):
    """Bad input from the person running the command; exit 2 with this one sentence."""


def common_options() -> argparse.ArgumentParser:
    """Options every command takes, so they can go before or after the command name."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--articles",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="folder of .txt articles (default: ./articles)",
    )
    parent.add_argument(
        "--annotations",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="folder of TOML annotations (default: ./annotations)",
    )
    return parent


def note(message: str) -> None:
    print(f"newsmark: note: {message}", file=sys.stderr)


def problem(message: str) -> None:
    print(f"newsmark: {message}", file=sys.stderr)


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


def output_folder(out: Path, what: str) -> Path:
    """``out`` as a folder to write into, created if needed; a file there is a usage error."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; {what} writes a folder there.")
    out.mkdir(parents=True, exist_ok=True)
    return out


def writing_lock(folder: Path, command: str) -> Lock:
    """The annotations folder's lock for a writing command, or a usage error saying who has it."""
    from tui.core import lock

    try:
        return lock.for_command(folder, command)
    except lock.Unavailable as exc:
        raise UsageError(str(exc)) from None


def add_selection_options(parser: argparse.ArgumentParser, split_help: str) -> None:
    """``--status``, ``--split`` and ``--seed``: export and train select articles alike."""
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


def statuses(value: str) -> frozenset[Status]:
    from tui.core.formats.select import parse_statuses

    try:
        return parse_statuses(value)
    except ValueError as exc:
        raise UsageError(f"--status: {exc}") from None


def select(
    args: argparse.Namespace,
    wanted: frozenset[Status] | None = None,
    stream: TextIO | None = None,
) -> Selection:
    """Load the TOML files of the wanted statuses; problems and notes are printed, not raised."""
    from tui.core.formats.select import collect, count_files

    wanted = statuses(args.status) if wanted is None else wanted
    with progress_bar(count_files(args.annotations), "Reading annotations", stream) as advance:
        selection = collect(args.articles, args.annotations, wanted, advance)
    for message in selection.problems:
        problem(message)
    for message in selection.notes:
        note(message)
    return selection


def dev_fraction(args: argparse.Namespace, default: float) -> float:
    value: float = default if args.split is None else args.split
    if not 0 <= value < 1:
        raise UsageError(f"--split {value}: give the dev share as a number from 0 up to 1.")
    return value


def add_labels_option(parser: argparse.ArgumentParser) -> None:
    """``--labels`` of ``open`` and ``suggest``: the project's label set, kept in its file."""
    parser.add_argument(
        "--labels",
        metavar="LIST",
        help="the project's labels, comma separated, in number-key order (e.g. "
        "PERSON,ORG,GPE,LOC); written to the annotations folder's .newsmark-project.toml and "
        "used by every command from then on",
    )


def project_labels(args: argparse.Namespace) -> None:
    """Write ``--labels`` to the project file when given, and say so."""
    from tui.core import project

    given = getattr(args, "labels", None)
    if given is None:
        return
    labels = project.parse_labels(given)
    before = project.load(args.annotations).labels
    written = project.set_labels(args.annotations, labels)
    if before != labels:
        print(
            f"newsmark: the project's labels are now {', '.join(labels)} (in {written.path}).",
            file=sys.stderr,
        )


def add_label_set_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--labels`` of the commands that work on a label set (the project's by default)."""
    parser.add_argument(
        "--labels",
        metavar="LIST",
        help=f"{what} only these labels, comma separated (default: the project's labels "
        "in annotations/.newsmark-project.toml; with no project, every label)",
    )


def label_set(args: argparse.Namespace) -> tuple[str, ...]:
    """``--labels`` if given, else the project's labels; empty means every label."""
    from tui.core import project

    return project.label_set(project.load(args.annotations), getattr(args, "labels", None))


def label_map(value: str | None) -> dict[str, str]:
    """``PER=PERSON,LOC=GPE`` as a dict; a malformed pair is a usage error."""
    mapping: dict[str, str] = {}
    for pair in (value or "").split(","):
        if not pair.strip():
            continue
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise UsageError(f"--labels: {pair.strip()!r} should be OLD=NEW, e.g. PER=PERSON.")
        mapping[old.strip()] = new.strip()
    return mapping


def counts(counter: dict[str, int]) -> str:
    """``GPE 3, ORG 2``: largest first."""
    return ", ".join(f"{label} {n}" for label, n in sorted(counter.items(), key=lambda x: -x[1]))
