"""``newsmark team add|list|remove|overlap|progress``: the team that ``serve --team`` serves.

Exit codes: 0 done; 2 bad usage or input (a name that cannot be a folder, a short password,
no such member, a team file that cannot be read).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core import team as team_file
    from tui.core.progress import Progress


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="the annotators who sign in to 'newsmark serve --team', and their progress",
        description=(
            "Keep the team file in the annotations folder: who may sign in (passwords are "
            "stored only as salted scrypt hashes) and how many people see each article "
            "(overlap). Each member writes ANNOTATIONS/NAME/; articles are routed to members "
            "by rendezvous hashing, so adding someone later moves as few articles as possible."
        ),
        epilog="exit status: 0 done, 2 bad usage",
    )
    sub = p.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", parents=[common], help="add an annotator (asks for a password)")
    add.add_argument("name", metavar="NAME", help="their name, also their folder's name")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of asking",
    )
    sub.add_parser("list", parents=[common], help="the members, the overlap, articles each")
    remove = sub.add_parser(
        "remove", parents=[common], help="remove an annotator (their folder is kept)"
    )
    remove.add_argument("name", metavar="NAME")
    overlap = sub.add_parser(
        "overlap", parents=[common], help="how many annotators see each article (default 1)"
    )
    overlap.add_argument("overlap", type=int, metavar="N")
    progress = sub.add_parser(
        "progress",
        parents=[common],
        help="per annotator: articles assigned and reviewed; agreement on shared articles",
    )
    progress.add_argument(
        "--status",
        default="accepted",
        metavar="LIST",
        help="statuses an article must have in both folders to count for agreement, as in "
        "newsmark agree (default: accepted)",
    )
    progress.add_argument("--json", action="store_true", help="print the figures as JSON")


def _password(args: argparse.Namespace) -> str:
    from tui.commands._common import UsageError

    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise UsageError(
            "standard input is not a terminal, so the password cannot be asked for; "
            "pipe it in with --password-stdin."
        )
    import getpass

    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        raise UsageError("the two passwords differ; run the command again.")
    return first


def render(report: Progress) -> list[object]:
    from rich.table import Table

    from tui.commands.agree import _num

    people = Table(title=f"Team progress (overlap {report.overlap})", title_justify="left")
    for column in ("annotator", "assigned", "reviewed", "left"):
        people.add_column(column, justify="left" if column == "annotator" else "right")
    for m in report.members:
        people.add_row(m.name, str(m.assigned), str(m.reviewed), str(m.assigned - m.reviewed))
    statuses = ",".join(sorted(report.statuses))
    pairs = Table(
        title=f"Agreement on shared articles ({statuses} in both, as newsmark agree counts)",
        title_justify="left",
    )
    for column in ("pair", "shared", "compared", "F1", "partial F1", "Cohen's kappa"):
        pairs.add_column(column, justify="left" if column == "pair" else "right")
    for p in report.pairs:
        pair = p.report.pairs[0]
        pairs.add_row(
            f"{p.a} / {p.b}",
            str(p.shared),
            str(len(p.report.articles)),
            f"{pair.overall.f1:.3f}",
            f"{pair.overall.partial_f1:.3f}",
            _num(pair.kappa),
        )
    return [people, pairs]


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import UsageError, statuses
    from tui.core import team as team_file

    try:
        team = team_file.load(args.annotations)
        action = args.team_command
        if action == "add":
            team_file.check_name(args.name)
            updated = team.with_member(args.name, team_file.check_password(_password(args)))
            updated.save()
            print(
                f"Added {args.name} to the team in {team.path}; they write "
                f"{updated.folder(args.name)}/."
            )
        elif action == "remove":
            team.without(args.name).save()
            print(
                f"Removed {args.name} from the team; their annotations in "
                f"{team.folder(args.name)} are kept, their articles now go to the others."
            )
        elif action == "overlap":
            team.with_overlap(args.overlap).save()
            n = len(team.members)
            if n == 0:
                print(
                    f"Each article will go to {args.overlap} annotator(s); add them with "
                    "`newsmark team add NAME`."
                )
            elif args.overlap > n:
                print(
                    f"Each article will go to {args.overlap} annotators once the team has "
                    f"that many; it has {n} now, so everyone sees every article."
                )
            else:
                print(f"Each article now goes to {args.overlap} annotator(s).")
        elif action == "list":
            _list(team, args)
        else:
            from tui.core.progress import progress

            report = progress(
                team_file.load(args.annotations, must_exist=True),
                args.articles,
                statuses(args.status),
            )
            if args.json:
                print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
            else:
                from rich.console import Console

                console = Console()
                for part in render(report):
                    console.print(part)
    except team_file.TeamError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        where = exc.filename or team_file.team_path(args.annotations)
        doing = "read" if action in ("list", "progress") else "written"
        raise UsageError(
            f"{where} cannot be {doing} ({exc.strerror or exc}); check its permissions."
        ) from None
    return 0


def _list(team: team_file.Team, args: argparse.Namespace) -> None:
    from tui.core import words
    from tui.core.article import Corpus, CorpusError

    print(f"overlap = {team.overlap}  (each article goes to that many annotators)")
    if not team.members:
        print(f"No members yet in {team.path}; add them with `newsmark team add NAME`.")
        return
    try:
        routed: dict[str, list[str]] | None = team.assignments(Corpus.open(args.articles).ids)
    except CorpusError:
        routed = None
    for name in team.names:
        count = f"  {words.count(len(routed[name]), 'article')}" if routed is not None else ""
        print(f"{name}{count}  ->  {team.folder(name)}/")
