"""A big corpus: 10,000 generated articles, a third of them with a TOML, against two.

In a pty, timed as a person would see it:

- start-up: process start to the first article's text, 10,000 articles against the same
  first article in a 2-article corpus (target: equal), and to the progress count read
  from every TOML;
- the article picker: ``o`` to the list on screen, then each typed character to the
  filtered list (target <= 100 ms), against the same on the 2-article corpus;
- memory: the RSS once the model has suggested, every TOML is read and the picker has
  been used (target <= 300 MB), with the peak.

    .venv/bin/python bench/corpus.py [--articles 10000] [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import common
import pyte
from startup import first_words, left_pane_highlighted, model_named, newsmark

sys.path.insert(0, str(common.ROOT))

from tui.core import store  # noqa: E402
from tui.core.article import read_article  # noqa: E402
from tui.core.spans import Entity  # noqa: E402

ID = re.compile(r"\d{3}/\d{5}\.txt")
PROMPT = "Open: type part of an id"
WORDS = re.compile(r"\b(China|Iran|Pezeshkian|Wang|Xi|Israel|Gaza|Lebanon|Tehran|BRICS)\b")


def annotate(articles: Path, annotations: Path, paths: Sequence[Path]) -> int:
    """A TOML for every third article (not the first, so it gets suggestions); returns how
    many of them are reviewed (accepted or rejected)."""
    reviewed = 0
    for i, path in enumerate(paths):
        if i % 3 != 1:
            continue
        aid = path.relative_to(articles).as_posix()
        article = read_article(articles, aid)
        entities = tuple(
            Entity(m.start(), m.end(), "GPE", "model") for m in WORDS.finditer(article.text)
        )
        status = ("unreviewed", "in_progress", "accepted", "rejected")[i % 4]
        reviewed += status in ("accepted", "rejected")
        annotation = store.Annotation(
            article=aid, sha256=article.sha256, entities=entities, model="bench", status=status
        )
        target = store.annotation_path(annotations, aid)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(store.dumps(annotation, article.text), "utf-8")
    return reviewed


def fresh(root: Path) -> None:
    """Forget the first article's TOML: its text shows unlabelled, then gets suggestions."""
    for toml in (root / "annotations").rglob("00000.toml"):
        toml.unlink()


def counted(reviewed: int, total: int) -> common.Predicate:
    """The status bar counts every reviewed TOML: all of them have been read.

    (Any number would not do: the first save puts a count up before the rest is read.)
    """
    pattern = re.compile(rf"(?<!\d){reviewed} of {total} reviewed")
    return lambda screen: bool(pattern.search(screen.display[0]))


def picker_rows(screen: pyte.Screen) -> tuple[int, list[str]] | None:
    """The picker's prompt row and the ids listed below it, when it is open."""
    rows = screen.display
    top = next((y for y, row in enumerate(rows) if PROMPT in row), None)
    if top is None:
        return None
    return top, [m.group() for row in rows[top + 4 :] for m in ID.finditer(row)]


def picker_open(screen: pyte.Screen) -> bool:
    found = picker_rows(screen)
    return found is not None and bool(found[1])


def picker_closed(screen: pyte.Screen) -> bool:
    return picker_rows(screen) is None


def filtered(query: str) -> common.Predicate:
    """The filter box shows ``query`` and every listed row contains it."""

    def check(screen: pyte.Screen) -> bool:
        found = picker_rows(screen)
        if found is None:
            return False
        top, ids = found
        typed = any(query in row for row in screen.display[top + 1 : top + 4])
        listed = [row for row in screen.display[top + 4 :] if ID.search(row)]
        # A row matches by its id or by the article's first lines, which a row may cut (…).
        return typed and bool(ids) and all(query in row or "…" in row for row in listed)

    return check


@dataclass
class Picked:
    """Milliseconds per key, wall (to the screen) and the app's CPU (mean over the keys)."""

    opens: list[float]
    filters: list[float]
    cpu_open: float
    cpu_filter: float


def use_picker(term: common.Terminal, queries: Sequence[Sequence[str]]) -> Picked:
    """Open the picker, type each query a character at a time, close."""
    opens, filters = [], []
    cpu_open = cpu_filter = 0.0
    for query in queries:
        cpu = term.cpu_seconds()
        sent = term.send(b"o")
        opens.append(1000 * (term.wait(picker_open, 10) - sent))
        cpu_open += term.cpu_seconds() - cpu
        for typed in query:
            cpu = term.cpu_seconds()
            sent = term.send(typed[-1].encode())
            filters.append(1000 * (term.wait(filtered(typed), 10) - sent))
            cpu_filter += term.cpu_seconds() - cpu
        term.send(b"\x1b")
        term.wait(picker_closed, 10)
    return Picked(opens, filters, 1000 * cpu_open / len(opens), 1000 * cpu_filter / len(filters))


def prefixes(word: str) -> list[str]:
    return [word[: i + 1] for i in range(len(word))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="300 articles, one round")
    args = parser.parse_args()
    count, rounds = (300, 1) if args.quick else (args.articles, args.rounds)
    common.compile_bytecode()

    with tempfile.TemporaryDirectory(prefix="newsmark-bench-") as tmp:
        folder = Path(tmp)
        big, small = folder / "big", folder / "small"
        paths = common.generated_corpus(big / "articles", count)
        reviewed = {"big": annotate(big / "articles", big / "annotations", paths), "small": 0}
        for path in paths[:2]:
            target = small / "articles" / path.relative_to(big / "articles")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
        (small / "annotations").mkdir()
        marker = first_words(paths[0].read_text("utf-8"))
        shows_text = lambda s: common.text_on(s, marker)  # noqa: E731

        starts: dict[str, list[float]] = {"big": [], "small": []}
        counts: dict[str, list[float]] = {"big": [], "small": []}
        for r in range(rounds):
            for which in ("big", "small") if r % 2 == 0 else ("small", "big"):
                root = folder / which
                total = count if which == "big" else 2
                fresh(root)
                with common.Terminal(newsmark(root / "articles", root / "annotations")) as term:
                    starts[which].append(term.wait(shows_text) - term.started)
                    counts[which].append(term.wait(counted(reviewed[which], total)) - term.started)
        ratio = common.median([b / s for b, s in zip(starts["big"], starts["small"], strict=True)])

        quick_queries = [prefixes("77")]
        big_queries = quick_queries if args.quick else [prefixes(str(d) * 3) for d in range(1, 8)]
        small_queries = [prefixes("001")] * len(big_queries)
        memory: dict[str, tuple[float, float]] = {}
        picks: dict[str, Picked] = {}
        for which, queries in (("big", big_queries), ("small", small_queries)):
            root = folder / which
            total = count if which == "big" else 2
            fresh(root)
            with common.Terminal(newsmark(root / "articles", root / "annotations")) as term:
                term.wait(model_named)
                term.wait(counted(reviewed[which], total))
                term.wait(left_pane_highlighted)
                term.send(b"l")  # a key first: the cursor is on screen, nothing is pending
                picks[which] = use_picker(term, queries)
                memory[which] = (term.rss_mb() or 0.0, common.peak_rss_mb(term.process.pid))

    med, p99 = common.median, common.percentile
    big, small = picks["big"], picks["small"]
    worst = max(p99(big.opens, 0.99), p99(big.filters, 0.99))
    common.table(
        f"Corpus of {count:,} generated articles ({count // 3:,} with a TOML) against 2, "
        f"pty {common.WIDTH}x{common.HEIGHT}",
        [
            common.Row(
                "start-up to the first article's text",
                f"{med(starts['big']):.2f} s",
                f"{med(starts['small']):.2f} s (2 articles)",
                f"{ratio:.2f}x",
                "equal (1.0x)",
                ratio <= 1.1,
            ),
            common.Row(
                "start-up to the progress count (every TOML read)",
                f"{med(counts['big']):.2f} s",
                f"{med(counts['small']):.2f} s (2 articles)",
                f"{med(counts['big']) / med(counts['small']):.2f}x",
                "",
            ),
            common.Row(
                f"article picker open, p50 / p99 of {len(big.opens)}",
                f"{med(big.opens):.0f} / {p99(big.opens, 0.99):.0f} ms"
                f" (app CPU {big.cpu_open:.0f} ms a key)",
                f"{med(small.opens):.0f} / {p99(small.opens, 0.99):.0f} ms"
                f" (CPU {small.cpu_open:.0f}; 2 articles)",
                "",
                "<= 100 ms",
                p99(big.opens, 0.99) <= 100,
            ),
            common.Row(
                f"article picker filter, a key, p50 / p99 of {len(big.filters)}",
                f"{med(big.filters):.0f} / {p99(big.filters, 0.99):.0f} ms"
                f" (app CPU {big.cpu_filter:.0f} ms a key)",
                f"{med(small.filters):.0f} / {p99(small.filters, 0.99):.0f} ms"
                f" (CPU {small.cpu_filter:.0f}; 2 articles)",
                "",
                "<= 100 ms",
                worst <= 100,
            ),
            common.Row(
                "RSS with the model (now / peak)",
                f"{memory['big'][0]:.0f} / {memory['big'][1]:.0f} MB",
                f"{memory['small'][0]:.0f} / {memory['small'][1]:.0f} MB (2 articles)",
                "",
                "<= 300 MB",
                max(memory["big"]) <= 300,
            ),
        ],
    )


if __name__ == "__main__":
    main()
