"""``newsmark agree DIR_A DIR_B [DIR_C…]``: how far annotators agree on shared articles.

Exit codes: 0 compared; 1 no article could be compared; 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType

    from tui.core.agree import Agreement, PairReport


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
) -> None:
    p = subparsers.add_parser(
        name,
        parents=[common],
        help="inter-annotator agreement between annotation folders (F1, kappa)",
        description=(
            "Compare the annotations folders of several people on the articles they all "
            "annotated: span precision/recall/F1 of each pair (exact match, and partial: "
            "overlap with the same label) and token-level kappa (Cohen's for two folders, "
            "Fleiss' for more) over regex tokens, each token labelled with the entity it "
            "overlaps or O."
        ),
        epilog="exit status: 0 compared, 1 no article could be compared, 2 bad usage",
    )
    p.add_argument(
        "folders", nargs="+", type=Path, metavar="DIR", help="two or more annotations folders"
    )
    p.add_argument(
        "--status",
        default="accepted",
        metavar="LIST",
        help="statuses an article must have in every folder, comma separated, or 'all' "
        "(default: accepted)",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def pair_table(pair: PairReport) -> RenderableType:
    from rich.table import Table

    t = Table(title=f"B = {pair.b} against A = {pair.a}", title_justify="left")
    for column in ("label", "P", "R", "F1", "partial F1", "both", "only A", "only B"):
        t.add_column(column, justify="left" if column == "label" else "right")
    rows = [(label, pair.labels[label]) for label in sorted(pair.labels)]
    rows.append(("overall", pair.overall))
    for i, (label, s) in enumerate(rows):
        t.add_row(
            label,
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            f"{s.partial_f1:.3f}",
            str(s.exact),
            str(s.a - s.exact),
            str(s.b - s.exact),
            end_section=i == len(rows) - 2,
        )
    return t


def render(report: Agreement) -> list[RenderableType]:
    from rich.table import Table

    summary = Table(title="Agreement", title_justify="left", show_header=False)
    summary.add_column()
    summary.add_column(justify="right")
    summary.add_row("articles compared", str(len(report.articles)))
    summary.add_row("articles skipped", str(len(report.skipped)))
    summary.add_row("tokens (regex tokenizer)", str(report.tokens))
    method = "Cohen's kappa" if report.kappa_method == "cohen" else "Fleiss' kappa"
    summary.add_row(method, _num(report.kappa))
    if len(report.pairs) > 1:
        for pair in report.pairs:
            summary.add_row(f"Cohen's kappa {pair.a} / {pair.b}", _num(pair.kappa))
    out: list[RenderableType] = [summary]
    out.extend(pair_table(pair) for pair in report.pairs)
    if report.skipped:
        skipped = Table(title="Skipped articles", title_justify="left")
        skipped.add_column("article")
        skipped.add_column("why")
        for s in report.skipped:
            skipped.add_row(s.article, s.reason)
        out.append(skipped)
    return out


def run(args: argparse.Namespace) -> int:
    from tui.commands._common import UsageError
    from tui.core.agree import agreement, gather
    from tui.core.formats.select import parse_statuses

    if len(args.folders) < 2:
        raise UsageError("agree needs two or more annotations folders, e.g. annotations/kim ...")
    for folder in args.folders:
        if not folder.is_dir():
            raise UsageError(f"{folder} is not a folder of annotations; check the path.")
    if len({f.resolve() for f in args.folders}) < len(args.folders):
        raise UsageError("the same folder is given twice; name each person's folder once.")
    try:
        statuses = parse_statuses(args.status)
    except ValueError as exc:
        raise UsageError(f"--status: {exc}") from None
    gathered = gather(args.articles, args.folders, statuses)
    report = agreement([str(f) for f in args.folders], gathered)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        from rich.console import Console

        console = Console()
        for part in render(report):
            console.print(part)
    if not report.articles:
        import sys

        print(
            "newsmark: no article could be compared: the folders share no article with status "
            f"{args.status} in every one of them (see the skipped list).",
            file=sys.stderr,
        )
        return 1
    return 0
