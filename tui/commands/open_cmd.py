"""``newsmark open [FILES]``: the reader."""

from __future__ import annotations

import argparse


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


def run(args: argparse.Namespace) -> int:
    from tui.app import run_app
    from tui.commands._common import project_labels

    project_labels(args)
    return run_app(args)
