"""How fast is ``newsmark suggest`` next to a bare ``nlp.pipe``?

Builds a corpus from the seed articles (each one's paragraphs shuffled and thinned into a few
hundred news-sized articles in a temp folder), then times, for ``n_process`` 1 and 2:

- bare: ``nlp.pipe`` over the texts already in memory, same pipeline, same enabled
  components, same batch size, docs thrown away;
- suggest: the ``newsmark suggest`` engine (:func:`tui.core.batch.suggest_all`), which also
  reads every article from disk and writes every TOML atomically with fsync.

Rounds alternate bare and suggest, each going first every other round. Printed: the best
wall time of each, the median of each round's paired ratio (adjacent runs share the
machine's load), the CPU seconds of this process and spaCy's workers (what the extra
reading and writing costs when every core is busy), and suggest's own CPU per article
measured with the model's docs replayed. The goal is a ratio (suggest speed / bare speed)
of at least 0.95 for both.

Then the price of the confidence scores: bare ``nlp.pipe`` with the recognizer scored by a
beam of 8 (the default) and 16 against the greedy recognizer alone (``--beam-width 0``), one
process, rounds alternating. The issue's bound is 1.5x; above it the width is a setting and
the README says what it costs.

    .venv/bin/python bench/suggest.py [--articles 240] [--rounds 3] [--batch-size 32] [--quick]
        [--beam]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import common

from tui.core import batch, ner
from tui.core.workspace import Workspace

SEEDS = Path(__file__).resolve().parent.parent / "articles"


def build_corpus(folder: Path, count: int) -> list[str]:
    """``count`` news-sized articles: a seed's paragraphs shuffled, half to all of them kept."""
    seeds = [
        [p for p in seed.read_text("utf-8").split("\n\n") if p.strip()]
        for seed in sorted(SEEDS.glob("*.txt"))
    ]
    rng = random.Random(2024)
    folder.mkdir(parents=True)
    texts = []
    for i in range(count):
        paragraphs = rng.choice(seeds)
        kept = rng.sample(paragraphs, rng.randint(len(paragraphs) // 2, len(paragraphs)))
        text = "\n\n".join(kept) + "\n"
        (folder / f"{i:04d}.txt").write_text(text, "utf-8")
        texts.append(text)
    return texts


def cpu_seconds() -> float:
    """CPU used so far by this process and its finished children (spaCy's workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def time_bare(pipeline: ner.Pipeline, texts: list[str], n_process: int, batch_size: int) -> float:
    started = time.perf_counter()
    for _doc in pipeline.nlp.pipe(texts, n_process=n_process, batch_size=batch_size):
        pass
    return time.perf_counter() - started


def time_suggest(
    pipeline: ner.Pipeline, articles: Path, annotations: Path, n_process: int, batch_size: int
) -> float:
    shutil.rmtree(annotations, ignore_errors=True)
    started = time.perf_counter()
    workspace = Workspace(articles, annotations)
    ids = batch.pending(workspace, force=False)
    events = batch.suggest_all(workspace, pipeline, ids, n_process=n_process, batch_size=batch_size)
    written = sum(event.outcome == "suggested" for event in events)
    elapsed = time.perf_counter() - started
    assert written == len(ids) == len(list(annotations.rglob("*.toml"))), "not every file written"
    return elapsed


class Replay:
    """Stands in for ``nlp``: hands back docs computed earlier, so only suggest's own work
    (reading, bookkeeping, TOML writing with fsync) is timed."""

    max_length = 1_000_000  # as spaCy's: the texts are news-sized, so each is one piece

    def __init__(self, docs: list[Any]) -> None:
        self.docs = docs

    def pipe(self, texts: Iterable[str], **_: Any) -> Iterator[Any]:
        for _text, doc in zip(texts, self.docs, strict=True):
            yield doc


def time_overhead(
    pipeline: ner.Pipeline, docs: list[Any], articles: Path, annotations: Path
) -> tuple[float, float]:
    """Wall and CPU seconds per article that suggest spends outside the model.

    The wall figure is bound by fsync latency, which a real run overlaps with the model;
    the CPU figure is what competes with the model for the cores.
    """
    replay = ner.Pipeline(Replay(docs), pipeline.name)  # type: ignore[arg-type]
    cpu = cpu_seconds()
    wall = time_suggest(replay, articles, annotations, 1, 32)
    return wall / len(docs), (cpu_seconds() - cpu) / len(docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=240)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="24 articles, one round")
    parser.add_argument("--beam", action="store_true", help="only the price of the scores")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.rounds = 24, 1
    rows = []
    if args.beam:
        with tempfile.TemporaryDirectory(prefix="newsmark-bench-") as tmp:
            texts = build_corpus(Path(tmp) / "articles", args.articles)
        common.table(
            f"the price of the scores, {args.articles} articles, {args.rounds} rounds",
            time_beam(texts, args.rounds, args.batch_size),
        )
        return

    pipeline = ner.load()
    print(f"pipeline {pipeline.name}, components {pipeline.nlp.pipe_names}")
    with tempfile.TemporaryDirectory(prefix="newsmark-bench-") as tmp:
        articles, annotations = Path(tmp) / "articles", Path(tmp) / "annotations"
        texts = build_corpus(articles, args.articles)
        words = sum(len(t.split()) for t in texts)
        print(f"corpus: {len(texts)} articles, {words} words; batch size {args.batch_size}")
        time_bare(pipeline, texts[:16], 1, args.batch_size)  # warm up allocations
        docs = list(pipeline.nlp.pipe(texts, batch_size=args.batch_size))
        runs = [time_overhead(pipeline, docs, articles, annotations) for _ in range(3)]
        del docs
        extra_wall, extra = min(w for w, _ in runs), min(c for _, c in runs)
        print(
            f"suggest's own work outside the model, per article: {extra * 1000:.2f} ms CPU, "
            f"{extra_wall * 1000:.2f} ms wall (fsync latency included)"
        )
        for n_process in (1,) if args.quick else (1, 2):  # quick: that it runs
            bare, ours, bare_cpu, ours_cpu = [], [], [], []
            for round_ in range(args.rounds):
                for which in ("bare", "ours") if round_ % 2 == 0 else ("ours", "bare"):
                    cpu = cpu_seconds()
                    if which == "bare":
                        bare.append(time_bare(pipeline, texts, n_process, args.batch_size))
                        bare_cpu.append(cpu_seconds() - cpu)
                    else:
                        ours.append(
                            time_suggest(
                                pipeline, articles, annotations, n_process, args.batch_size
                            )
                        )
                        ours_cpu.append(cpu_seconds() - cpu)
            b, s = min(bare), min(ours)
            paired = statistics.median(x / y for x, y in zip(bare, ours, strict=True))
            model = b / len(texts) * 1000
            bc, sc = min(bare_cpu), min(ours_cpu)
            print(
                f"n_process={n_process}: bare nlp.pipe {b:6.2f} s ({len(texts) / b:5.1f} art/s)"
                f"  suggest {s:6.2f} s ({len(texts) / s:5.1f} art/s)"
                f"  wall ratio {b / s:.3f} (best of each), {paired:.3f} (median of rounds)\n"
                f"  rounds: bare {', '.join(f'{t:.2f}' for t in bare)};"
                f" suggest {', '.join(f'{t:.2f}' for t in ours)}\n"
                f"  CPU s (all processes): bare {bc:.2f}, suggest {sc:.2f},"
                f" cpu ratio {bc / sc:.3f}\n"
                f"  model {model:.1f} ms per article (wall) vs {extra * 1000:.2f} ms CPU of"
                f" suggest's own work: ratio {model / (model + extra * 1000):.3f} with no overlap"
            )
            rows.append(
                common.Row(
                    f"`suggest`, {n_process} process{'es' if n_process > 1 else ''}",
                    f"{s:.2f} s ({len(texts) / s:.1f} art/s)",
                    f"{b:.2f} s (bare nlp.pipe)",
                    f"{paired:.3f} (median of rounds), {b / s:.3f} (best)",
                    ">= 0.95",
                    paired >= 0.95,
                )
            )
        rows.extend(time_beam(texts, args.rounds, args.batch_size))
    common.table(
        f"suggest against a bare nlp.pipe, {args.articles} articles, {args.rounds} rounds",
        rows,
    )


def time_beam(texts: list[str], rounds: int, batch_size: int) -> list[common.Row]:
    """Bare ``nlp.pipe`` with the beam of each width against the greedy recognizer alone."""
    pipelines = {width: ner.load(beam_width=width) for width in (0, 8, 16)}
    times: dict[int, list[float]] = {width: [] for width in pipelines}
    for round_ in range(rounds):
        order = list(pipelines) if round_ % 2 == 0 else list(reversed(pipelines))
        for width in order:
            times[width].append(time_bare(pipelines[width], texts, 1, batch_size))
    rows = []
    for width in (8, 16):
        paired = statistics.median(s / g for s, g in zip(times[width], times[0], strict=True))
        print(
            f"beam {width}: {min(times[width]):.2f} s against greedy {min(times[0]):.2f} s, "
            f"{paired:.2f}x (median of rounds)"
        )
        rows.append(
            common.Row(
                f"scores, beam of {width}, 1 process",
                f"{min(times[width]):.2f} s",
                f"{min(times[0]):.2f} s (greedy, no scores)",
                f"{paired:.2f}x (median of rounds)",
                "<= 1.5x",
                paired <= 1.5,
            )
        )
    return rows


if __name__ == "__main__":
    main()
