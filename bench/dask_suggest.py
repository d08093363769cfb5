"""What does the Dask engine cost? ``suggest --scheduler local:2`` against ``--n-process 2``.

Builds a corpus of news-sized articles from the seeds (paragraphs shuffled and thinned) in a
temp folder, then times, round after round (the order alternating, since the machine's load
drifts):

- cli: the two commands end to end in a fresh process, as a person runs them: imports, model
  loading (in spaCy's forked workers, or in each Dask worker), the cluster's start and stop;
- engine: the same runs with the model already loaded and the cluster already up, which is
  the rate a long run on a big corpus settles at (startup amortised).

Printed: the best time of each, its rate, the ratio (Dask speed / n_process speed; the goal is
at least 0.9) and articles per hour per worker core, the figure docs/scale.md builds on.

    .venv/bin/python bench/dask_suggest.py [--articles 2000] [--rounds 2] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import Row, table

from tui.core import batch, ner, store
from tui.core import distributed as dist
from tui.core.workspace import Workspace

SEEDS = Path(__file__).resolve().parent.parent / "articles"
WORKERS = 2


def build_corpus(folder: Path, count: int) -> int:
    """``count`` articles from the seeds' shuffled paragraphs; their total word count."""
    seeds = [
        [p for p in seed.read_text("utf-8").split("\n\n") if p.strip()]
        for seed in sorted(SEEDS.glob("*.txt"))
    ]
    rng = random.Random(2024)
    folder.mkdir(parents=True)
    words = 0
    for i in range(count):
        paragraphs = rng.choice(seeds)
        kept = rng.sample(paragraphs, rng.randint(len(paragraphs) // 2, len(paragraphs)))
        text = "\n\n".join(kept) + "\n"
        (folder / f"{i:05d}.txt").write_text(text, "utf-8")
        words += len(text.split())
    return words


def cpu_here() -> float:
    """CPU seconds of this process (all its threads: Dask's scheduler and nannies too) and of
    its finished children (spaCy's workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def timed(
    run: Callable[[], int],
    annotations: Path,
    expected: int,
    cpu: list[float] | None = None,
    workers: Callable[[], float] | None = None,
) -> float:
    """Wall seconds of ``run``; its CPU seconds (with the Dask workers') go to ``cpu``."""
    shutil.rmtree(annotations, ignore_errors=True)
    before = cpu_here() + (workers() if workers else 0.0)
    started = time.perf_counter()
    written = run()
    elapsed = time.perf_counter() - started
    if cpu is not None:
        cpu.append(cpu_here() + (workers() if workers else 0.0) - before)
    files = len(list(annotations.rglob("*.toml")))
    assert written == files == expected, f"{written} events, {files} files, {expected} expected"
    return elapsed


def cli(articles: Path, annotations: Path, *extra: str) -> int:
    """One ``newsmark suggest`` in a fresh process; the number of files it wrote."""
    command = [sys.executable, "-m", "tui", "suggest", "--articles", str(articles)]
    command += ["--annotations", str(annotations), *extra]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return len(list(annotations.rglob("*.toml")))


def report(name: str, count: int, local: list[float], dask: list[float]) -> Row:
    """Print the rounds and return the figure for the table: Dask's rate against n-process's."""
    best_local, best_dask = min(local), min(dask)
    rate_local, rate_dask = count / best_local, count / best_dask
    print(
        f"{name}: --n-process {WORKERS} {best_local:6.1f} s ({rate_local:5.1f} art/s)  "
        f"--scheduler local:{WORKERS} {best_dask:6.1f} s ({rate_dask:5.1f} art/s)  "
        f"ratio {best_local / best_dask:.3f}\n"
        f"  rounds: n-process {', '.join(f'{t:.1f}' for t in local)}; "
        f"dask {', '.join(f'{t:.1f}' for t in dask)}\n"
        f"  per worker core: n-process {rate_local / WORKERS * 3600:,.0f} art/h, "
        f"dask {rate_dask / WORKERS * 3600:,.0f} art/h",
        flush=True,
    )
    ratio = best_local / best_dask
    return Row(
        f"{name}: rate, --scheduler local:{WORKERS} vs --n-process {WORKERS}",
        f"{rate_dask:.1f} art/s",
        f"{rate_local:.1f} art/s",
        f"{ratio:.2f}x",
        ">= 0.9x",
        ratio >= 0.9,
    )


def ceiling(articles: Path, annotations: Path, model: str) -> None:
    """The single writer's own limits on this disk: reading every article (what it does when
    texts are sent) and writing every rendered TOML (atomic, fsync), with no model at all."""
    workspace = Workspace(articles, annotations)
    started = time.perf_counter()
    texts = [workspace.corpus.read(aid) for aid in workspace.ids]
    read = time.perf_counter() - started
    rendered = [
        batch.Rendered(
            workspace.path_for(a.id),
            store.dumps(
                store.Annotation(a.id, a.sha256, "unreviewed", (), model=model), a.text
            ).encode("utf-8"),
        )
        for a in texts
    ]
    shutil.rmtree(annotations, ignore_errors=True)
    started = time.perf_counter()
    writer = batch.Writer(workspace)
    for item in rendered:
        writer.put(item)
    writer.close()
    wrote = time.perf_counter() - started
    n = len(texts)
    print(
        f"single writer, no model: reads {n / read:,.0f} articles/s ({read / n * 1000:.2f} ms "
        f"each), writes {n / wrote:,.0f} TOMLs/s ({wrote / n * 1000:.2f} ms each, fsync)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--skip-cli", action="store_true", help="time the engines only")
    parser.add_argument("--quick", action="store_true", help="40 articles, one round, engines only")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.rounds, args.skip_cli = 40, 1, True
    rows: list[Row] = []
    name = ner.resolve_model()
    size = str(args.batch_size)
    with tempfile.TemporaryDirectory(prefix="newsmark-bench-dask-") as tmp:
        articles, annotations = Path(tmp) / "articles", Path(tmp) / "annotations"
        words = build_corpus(articles, args.articles)
        print(
            f"corpus: {args.articles} articles, {words} words ({words // args.articles} per "
            f"article); model {name}; batch size {size}; {os.cpu_count()} cores",
            flush=True,
        )
        if not args.skip_cli:
            local: list[float] = []
            dask: list[float] = []
            for round_ in range(args.rounds):
                for which in ("local", "dask") if round_ % 2 == 0 else ("dask", "local"):
                    if which == "local":
                        extra = ("--n-process", str(WORKERS), "--batch-size", size)
                        times = local
                    else:
                        extra = ("--scheduler", f"local:{WORKERS}", "--batch-size", size)
                        times = dask
                    times.append(
                        timed(
                            lambda extra=extra: cli(articles, annotations, *extra),  # type: ignore[misc]
                            annotations,
                            args.articles,
                        )
                    )
            rows.append(report("cli (end to end)", args.articles, local, dask))

        ceiling(articles, annotations, name)
        pipeline = ner.load(name)

        def engine_local() -> int:
            workspace = Workspace(articles, annotations)
            ids = batch.pending(workspace, force=False)
            events = batch.suggest_all(
                workspace, pipeline, ids, n_process=WORKERS, batch_size=args.batch_size
            )
            return sum(e.outcome == "suggested" for e in events)

        with dist.connect(dist.Scheduler(workers=WORKERS), dashboard_address=":0") as client:
            label = dist.load_everywhere(client, name)

            def engine_dask() -> int:
                workspace = Workspace(articles, annotations)
                ids = batch.pending(workspace, force=False)
                events = dist.suggest_all(
                    client, workspace, name, label, ids, batch_size=args.batch_size
                )
                return sum(e.outcome == "suggested" for e in events)

            def worker_cpu() -> float:
                return float(sum(client.run(time.process_time).values()))

            local, dask = [], []
            local_cpu: list[float] = []
            dask_cpu: list[float] = []
            for round_ in range(args.rounds):
                order = ("local", "dask") if round_ % 2 == 0 else ("dask", "local")
                for which in order:
                    if which == "local":
                        local.append(timed(engine_local, annotations, args.articles, local_cpu))
                    else:
                        dask.append(
                            timed(engine_dask, annotations, args.articles, dask_cpu, worker_cpu)
                        )
            rows.append(report("engine (model loaded, cluster up)", args.articles, local, dask))
            per_local = min(local_cpu) / args.articles * 1000
            per_dask = min(dask_cpu) / args.articles * 1000
            print(
                f"  CPU per article, every process: n-process {per_local:.1f} ms, "
                f"dask {per_dask:.1f} ms (cpu ratio {per_local / per_dask:.3f}); on a core of "
                f"its own that is {3600_000 / per_local:,.0f} and {3600_000 / per_dask:,.0f} "
                "articles/hour"
            )
    table("Dask: suggest on a local cluster against --n-process", rows)


if __name__ == "__main__":
    main()
