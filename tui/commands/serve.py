"""``newsmark serve``: the reader in a web browser, through textual-serve.

Every browser tab that connects gets its own ``newsmark open`` process with the same
options, writing to the same annotations folder. The server binds to the loopback by
default: anyone who can reach it can edit the annotations, so put a reverse proxy with a
password in front of it before opening it to a network.

With ``--team``, people sign in first (``newsmark team add``) and each gets a reader of their
own articles writing their own folder (see :mod:`tui.serve_team`).

Exit codes: 0 after Ctrl+C; 2 bad usage or input (no articles, port in use).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from tui.commands.queue import add_order_option

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="serve the reader to web browsers (binds to 127.0.0.1 by default)",
        description=(
            "Serve the reader as a web page: each browser tab runs its own reader with the "
            "same options as 'newsmark open'. Binds to 127.0.0.1 unless --host says otherwise; "
            "put a reverse proxy with a password in front of it to share it."
        ),
        epilog="exit status: 0 stopped with Ctrl+C, 2 bad usage (no articles, port in use)",
    )
    p.add_argument("files", nargs="*", help="article ids or paths to open first")
    p.add_argument("--model", metavar="NAME", help="spaCy pipeline for suggestions")
    p.add_argument("--annotator", metavar="NAME", help="recorded in the files the reader writes")
    add_order_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.add_argument(
        "--team",
        action="store_true",
        help="serve the team in the annotations folder: people sign in, each reads the "
        "articles routed to them and writes ANNOTATIONS/NAME/ (see newsmark team)",
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use when a reverse proxy is in front, e.g. "
        "https://annotate.example.org (default: http://HOST:PORT)",
    )


def _open_argv(args: argparse.Namespace, *extra: str) -> list[str]:
    """``newsmark open`` on the served folders, with the served model and review order."""
    argv = [
        sys.executable,
        "-m",
        "tui",
        "open",
        "--articles",
        str(Path(args.articles).resolve()),
        "--annotations",
        str(Path(args.annotations).resolve()),
        *extra,
    ]
    if args.model:
        argv += ["--model", args.model]
    order = getattr(args, "order", None)  # the review order, where the reader has one
    if order:
        argv += ["--order", order, "--seed", str(getattr(args, "seed", 0))]
    return argv


def app_command(args: argparse.Namespace) -> str:
    """The shell command each browser session runs: ``newsmark open`` with the same options."""
    argv = _open_argv(args)
    if args.annotator:
        argv += ["--annotator", args.annotator]
    return shlex.join(argv + list(args.files))


def member_command(args: argparse.Namespace, name: str) -> str:
    """The reader of one signed-in team member: their articles, their folder."""
    return shlex.join(_open_argv(args, "--member", name))


def _public_url(args: argparse.Namespace) -> str | None:
    return args.public_url.rstrip("/") if args.public_url else None


def run_team(args: argparse.Namespace) -> int:
    from tui.commands._common import UsageError
    from tui.core import team as team_file

    if args.files or args.annotator:
        raise UsageError(
            "--team gives each person their own articles and records their own name; "
            "drop the article names and --annotator."
        )
    try:
        team = team_file.load(args.annotations, must_exist=True)
    except team_file.TeamError as exc:
        raise UsageError(str(exc)) from None
    if not team.members:
        raise UsageError(f"{team.path} has no members; add people with `newsmark team add NAME`.")
    public = _public_url(args)
    if args.host not in LOOPBACK and not (public or "").startswith("https:"):
        print(
            f"newsmark: warning: listening on {args.host} without https: passwords and session "
            "cookies cross the network in the clear; put a reverse proxy with TLS in front "
            "and give its address as --public-url https://...",
            file=sys.stderr,
        )
    from tui.serve_team import TeamServer

    server = TeamServer(
        lambda name: member_command(args, name),
        Path(args.annotations).resolve(),
        Path(args.articles).resolve(),
        host=args.host,
        port=args.port,
        public_url=public,
    )
    return _serve(server, args)


def _serve(server: Any, args: argparse.Namespace) -> int:
    try:
        server.serve()
    except OSError as exc:
        print(
            f"newsmark: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); "
            "pick another --port or --host.",
            file=sys.stderr,
        )
        return 2
    return 0


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import UsageError
    from tui.core.article import Corpus

    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number; use 1 to 65535.")
    Corpus.open(args.articles)  # a missing folder is told here, not in every browser tab
    if args.team:
        return run_team(args)

    from textual_serve.server import Server

    if args.host not in LOOPBACK:
        print(
            f"newsmark: warning: listening on {args.host}: anyone who can reach this address "
            "can edit the annotations; use --team to make people sign in, or put a reverse "
            "proxy with a password in front of it.",
            file=sys.stderr,
        )
    server = Server(
        app_command(args),
        host=args.host,
        port=args.port,
        title="newsmark",
        public_url=_public_url(args),
    )
    return _serve(server, args)
