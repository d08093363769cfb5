"""The ``newsmark`` command line: one subcommand per module in :mod:`tui.commands`.

This module only builds the parser and dispatches; what commands share (the usage error,
the common options, folder and selection checks) lives in :mod:`tui.commands._common`.

Exit codes: 0 success, 1 the command found problems, 2 bad usage or input, 141 (quietly)
when the output's reader closed the pipe. Every expected
failure is one sentence on stderr naming the file and what to do, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tui.commands import COMMAND_MODULES, load
from tui.commands._common import UsageError, common_options
from tui.core.article import ArticleError, CorpusError
from tui.core.ner import ModelError
from tui.core.project import ProjectError
from tui.core.store import StoreError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a command whose reader went away

__all__ = [
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "UsageError",
    "build_parser",
    "common_options",
    "main",
]


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="newsmark",
        description=(
            "Read news articles in the terminal and label their named entities. "
            "With no command, opens the reader on ./articles."
        ),
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        load(name).add_parser(sub, common, name)
    return parser


def _pipe_closed() -> int:
    """The reader of our output went away (``newsmark agree --json | head -1``): stop
    quietly, as a command killed by SIGPIPE would, and keep Python's exit flush from writing
    to the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture)
        pass
    return EXIT_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not any(a in COMMAND_MODULES or a in ("-h", "--help") for a in args_list):
        args_list = ["open", *args_list]
    args = parser.parse_args(args_list)
    args.articles = getattr(args, "articles", Path("articles"))
    args.annotations = getattr(args, "annotations", Path("annotations"))
    try:
        if Path(args.annotations).exists() and not Path(args.annotations).is_dir():
            raise UsageError(
                f"{args.annotations} is not a folder; pass the folder of TOML files with "
                "--annotations DIR."
            )
        code: int = load(args.command).run(args)
        sys.stdout.flush()  # here, so a closed pipe is seen while we can still answer it
    except BrokenPipeError:
        return _pipe_closed()
    except (UsageError, CorpusError, ModelError, ArticleError, StoreError, ProjectError) as exc:
        print(f"newsmark: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("newsmark: interrupted; everything written so far is saved.", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
