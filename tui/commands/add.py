"""``newsmark add FILE.html|DIR|URL...``: news pages in as articles, with their metadata.

Each page's main text (no menus, cookie banners, related links or footers) becomes
``<articles>/<site>/<slug>.txt`` and its title, author, date, site and URL the ``[meta]`` of
its TOML. URLs are fetched only when given. Exit codes: 0 every page added (or there already);
1 some gave no article text or could not be read, one line each on stderr; 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="add news pages (HTML files, folders of them, or URLs) as articles",
        description=(
            "Extract the main text and metadata of news pages with trafilatura and write each "
            "as articles/<site>/<slug>.txt, with title, author, date, site and URL in its TOML. "
            "An article that exists already is never overwritten; a page with no article "
            "text is reported and skipped. Only the URLs given are fetched."
        ),
        epilog="exit status: 0 all added, 1 some pages skipped (one line each), 2 bad usage",
    )
    p.add_argument(
        "sources",
        nargs="+",
        metavar="FILE.html|DIR|URL",
        help="an HTML file, a folder (its .html/.htm files), or an http(s) URL",
    )


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import UsageError, writing_lock
    from tui.core.html import Added, add, html_files

    plan: list[tuple[str, bool]] = []
    for source in args.sources:
        if _is_url(source):
            plan.append((source, True))
            continue
        path = Path(source)
        if path.is_dir():
            found = html_files(path)
            if not found:
                raise UsageError(f"{path} holds no .html or .htm files; pass pages or URLs.")
            plan.extend((str(p), False) for p in found)
        elif path.is_file():
            plan.append((source, False))
        else:
            raise UsageError(
                f"{source} is neither a file, a folder nor an http(s) URL; check the name."
            )
    if args.articles.exists() and not args.articles.is_dir():
        raise UsageError(f"{args.articles} is not a folder; pass one with --articles DIR.")
    if args.annotations.exists() and not args.annotations.is_dir():
        raise UsageError(f"{args.annotations} is not a folder; pass one with --annotations DIR.")
    results: list[Added] = []
    with writing_lock(args.annotations, "add"):  # new TOMLs: not while the reader writes
        for source, is_url in plan:
            try:
                result = add(source, args.articles, args.annotations, is_url=is_url)
            except OSError as exc:
                print(
                    f"newsmark: {source}: could not be written ({exc.strerror or exc}); free "
                    "disk space or fix the folder's permissions.",
                    file=sys.stderr,
                )
                return 1
            results.append(result)
            if result.outcome == "added":
                print(f"added {result.message}  ({source})")
            elif result.outcome == "exists":
                print(f"kept {result.message}  ({source})")  # "kept X: it already holds…"
            else:
                print(f"newsmark: {result.message}", file=sys.stderr)
    added = sum(r.outcome == "added" for r in results)
    kept = sum(r.outcome == "exists" for r in results)
    skipped = len(results) - added - kept
    print(f"{added} added, {kept} already there, {skipped} skipped")
    return 1 if skipped else 0
