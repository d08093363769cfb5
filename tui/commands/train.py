"""`newsmark train`."""

from __future__ import annotations

import argparse


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    subparsers.add_parser(name, parents=[common], help="(not available yet)")


def run(args: argparse.Namespace) -> int:
    print("newsmark: this command is not available yet.")
    return 2
