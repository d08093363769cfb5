"""Start-up as a person sees it: process start to the first article's text, and to its
highlighted suggestions, each beside a reference measured in the same run.

- first text: ``newsmark`` on the seed articles against ``bench/minimal_app.py``, a Textual
  app that only shows the same text, both in a pty of the same size, timed from spawning
  the process to the first words of the article on the emulated screen (target <= 1.5x);
- highlighted suggestions: ``newsmark`` on articles with no TOML, timed to the first cell
  of the left pane's text painted in a label colour, against a process that only loads
  the model the way the app does (``ner.load``) and runs ``nlp(text)`` on that article
  (target <= 1.2x);
- a long article: ``newsmark`` opening one 5,000,000-character article with no TOML, to its
  first words, beside ``newsmark`` on a seed article (target: under 1 s).

Rounds alternate which goes first; the result is the median of each round's paired ratio.

    .venv/bin/python bench/startup.py [--rounds 7] [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
import pyte

sys.path.insert(0, str(common.ROOT))

from tui.widgets.palette import DISPLACY  # noqa: E402

MINIMAL_APP = Path(__file__).with_name("minimal_app.py")
LABEL_COLOURS = {c.lstrip("#").lower() for c in DISPLACY.values()}

REFERENCE_NLP = """
import sys
from pathlib import Path
from tui.core import ner
pipeline = ner.load()
text = Path(sys.argv[1]).read_text("utf-8")
doc = pipeline.nlp(text)
assert ner.entities(doc, text)
"""


def first_words(text: str) -> str:
    """The first 30 characters of the first line: on one screen row in any layout."""
    return text.lstrip().split("\n", 1)[0][:30].rstrip()


def left_pane_highlighted(screen: pyte.Screen) -> bool:
    """True once a cell of the left pane's text is painted in a label's colour.

    The left pane is the box whose border starts the second row; its text, once
    highlighted, carries label tags, so it is found by the border and not by its words.
    """
    border = screen.display[2] if len(screen.display) > 2 else ""
    if not border or border[0] not in "┃│":
        return False
    right = next((x for x in range(1, len(border)) if border[x] in "┃│"), common.WIDTH)
    for y in range(2, common.HEIGHT - 2):
        line = screen.buffer[y]
        for x in range(1, right):
            if line[x].bg in LABEL_COLOURS:
                return True
    return False


def model_named(screen: pyte.Screen) -> bool:
    """The status bar names the model: it has loaded (or failed to)."""
    bar = screen.display[0]
    return "reviewed" in bar and "loading model" not in bar


def newsmark(articles: Path, annotations: Path) -> list[str]:
    return [
        common.PYTHON,
        "-m",
        "tui",
        "--articles",
        str(articles),
        "--annotations",
        str(annotations),
    ]


def time_reference_nlp(article: Path) -> float:
    started = time.perf_counter()
    subprocess.run([common.PYTHON, "-c", REFERENCE_NLP, str(article)], check=True, cwd=common.ROOT)
    return time.perf_counter() - started


def first_text(folder: Path, articles: Path, first: Path, rounds: int) -> list[common.Row]:
    marker = first_words(first.read_text("utf-8"))
    shows_text = lambda s: common.text_on(s, marker)  # noqa: E731
    ours, minimal, ratios = [], [], []
    for r in range(rounds):
        order = ("ours", "minimal") if r % 2 == 0 else ("minimal", "ours")
        got = {}
        for which in order:
            if which == "ours":
                argv = newsmark(articles, folder / f"annotations-text-{r}")
            else:
                argv = [common.PYTHON, str(MINIMAL_APP), str(first)]
            got[which] = common.run_until(argv, shows_text).seconds
        ours.append(got["ours"])
        minimal.append(got["minimal"])
        ratios.append(got["ours"] / got["minimal"])
    ratio = common.median(ratios)
    return [
        common.Row(
            "process start to the first article's text",
            f"{common.median(ours):.2f} s",
            f"{common.median(minimal):.2f} s (minimal Textual app, same text)",
            f"{ratio:.2f}x",
            "<= 1.5x",
            ratio <= 1.5,
        )
    ]


LONG = 5_000_000


def long_first_text(folder: Path, first: Path, rounds: int, size: int) -> list[common.Row]:
    """A new user opens a 5 MB article (no TOML yet): process start to its first words,
    beside newsmark on a seed article in the same run; the target is absolute (1 s)."""
    paragraphs = [p.strip() for p in first.read_text("utf-8").split("\n\n") if p.strip()]
    text = "\n\n".join(paragraphs * (size // sum(len(p) + 2 for p in paragraphs) + 1))[:size]
    long_articles = folder / "long-articles"
    long_articles.mkdir()
    (long_articles / "long.txt").write_text(text + "\n", "utf-8")
    short_articles = folder / "short-articles"
    short_articles.mkdir()
    shutil.copy(first, short_articles / first.name)
    shows_text = lambda s: common.text_on(s, first_words(text))  # noqa: E731
    ours, short, rss = [], [], []
    for r in range(rounds):
        order = ("long", "short") if r % 2 == 0 else ("short", "long")
        for which in order:
            articles = long_articles if which == "long" else short_articles
            shown = common.run_until(newsmark(articles, folder / f"ann-{which}-{r}"), shows_text)
            (ours if which == "long" else short).append(shown.seconds)
            if which == "long":
                rss.append(shown.rss_mb or 0.0)
    med = common.median
    return [
        common.Row(
            f"process start to the first text of a {size:,}-character article",
            f"{med(ours):.2f} s (RSS {med(rss):.0f} MB)",
            f"{med(short):.2f} s (a seed article)",
            f"{med(ours) / med(short):.2f}x",
            "< 1 s",
            med(ours) < 1.0,
        )
    ]


def suggestions(folder: Path, articles: Path, first: Path, rounds: int) -> list[common.Row]:
    highlighted, model_ready, reference, ratios, rss = [], [], [], [], []
    for r in range(rounds):
        order = ("ours", "ref") if r % 2 == 0 else ("ref", "ours")
        got = {}
        for which in order:
            if which == "ref":
                got[which] = time_reference_nlp(first)
                continue
            annotations = folder / f"annotations-model-{r}"  # no TOML: suggestions run
            with common.Terminal(newsmark(articles, annotations)) as term:
                ready = term.wait(model_named)
                seen = term.wait(left_pane_highlighted)
                model_ready.append(ready - term.started)
                got[which] = seen - term.started
                rss.append(term.rss_mb() or 0.0)
        highlighted.append(got["ours"])
        reference.append(got["ref"])
        ratios.append(got["ours"] / got["ref"])
    med = common.median
    ratio = med(ratios)
    return [
        common.Row(
            "process start to highlighted suggestions",
            f"{med(highlighted):.2f} s (model named at {med(model_ready):.2f} s)",
            f"{med(reference):.2f} s (ner.load + nlp(text) in a fresh process)",
            f"{ratio:.2f}x",
            "<= 1.2x",
            ratio <= 1.2,
        ),
        common.Row("RSS with the model, 2 articles", f"{med(rss):.0f} MB", "", "", ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--only", choices=("text", "suggestions", "long"), help="measure one figure"
    )
    parser.add_argument("--quick", action="store_true", help="one round, to check it runs")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    common.compile_bytecode()

    rows = []
    with tempfile.TemporaryDirectory(prefix="newsmark-bench-") as tmp:
        folder = Path(tmp)
        articles = folder / "articles"
        shutil.copytree(common.SEEDS, articles)
        first = sorted(articles.glob("*.txt"))[0]
        if args.only in (None, "text"):
            rows += first_text(folder, articles, first, rounds)
        if args.only in (None, "suggestions"):
            rows += suggestions(folder, articles, first, rounds)
        if args.only in (None, "long"):
            rows += long_first_text(folder, first, rounds, 200_000 if args.quick else LONG)
    common.table(
        f"Start-up, {len(sorted(common.SEEDS.glob('*.txt')))} seed articles, "
        f"pty {common.WIDTH}x{common.HEIGHT}, {rounds} rounds (medians)",
        rows,
    )


if __name__ == "__main__":
    main()
