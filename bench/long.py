"""Memory for one very long article: peak RSS of ``newsmark suggest`` and ``newsmark evaluate``
on a 5,000,000-character article, beside the same commands on 200 ordinary articles.

spaCy's memory grows with a doc's length (a 950,000-character doc took 3 GB), so newsmark runs
long texts in pieces (``tui.core.ner.pieces``). Each command runs in its own process; its peak
RSS is the kernel's high-water mark for that child. Target: under 600 MB for the long article.

``export --format spacy|jsonl|conll`` of the long article's accepted annotations is measured
the same way (``--exports``), beside the same exports of the ordinary articles.

    .venv/bin/python bench/long.py [--size 5000000] [--quick] [--exports]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

SEEDS = common.SEEDS
TARGET_MB = 600.0

MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if done.returncode not in (0, 1):
    sys.exit(done.stderr.decode()[-2000:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{peak:.1f} {time.perf_counter() - started:.1f}")
"""


def long_text(size: int) -> str:
    """The seeds' paragraphs, repeated to ``size`` characters."""
    paragraphs = [
        p.strip() for s in sorted(SEEDS.glob("*.txt")) for p in s.read_text().split("\n\n")
    ]
    out, total = [], 0
    while total < size:
        out.append(paragraphs[len(out) % len(paragraphs)])
        total += len(out[-1]) + 2
    return "\n\n".join(out) + "\n"


def ordinary(folder: Path, count: int) -> None:
    """``count`` news-sized articles, each a seed's paragraphs in another order."""
    seeds = [
        [p for p in s.read_text().split("\n\n") if p.strip()] for s in sorted(SEEDS.glob("*.txt"))
    ]
    for i in range(count):
        paragraphs = seeds[i % len(seeds)]
        shift = i % len(paragraphs)
        text = "\n\n".join(paragraphs[shift:] + paragraphs[:shift]) + "\n"
        (folder / f"{i:04d}.txt").write_text(text, "utf-8")


def peak(*args: str) -> tuple[float, float]:
    """Peak RSS (MB) and wall seconds of ``newsmark ARGS`` in a process of its own."""
    argv = [common.PYTHON, "-c", MEASURE, common.PYTHON, "-m", "tui", *args]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=common.ROOT, check=True)
    mb, seconds = done.stdout.split()
    return float(mb), float(seconds)


def accept_all(annotations: Path) -> None:
    """Make every suggested TOML accepted gold, so ``evaluate`` scores it."""
    for path in annotations.rglob("*.toml"):
        data = path.read_text("utf-8")
        path.write_text(
            re.sub(r'^status = "\w+"', 'status = "accepted"', data, count=1, flags=re.M), "utf-8"
        )


EXPORTS = ("spacy", "jsonl", "conll")


def run(folder: Path, label: str, exports: bool = False) -> dict[str, tuple[float, float]]:
    articles, annotations = folder / "articles", folder / "annotations"
    where = ("--articles", str(articles), "--annotations", str(annotations))
    got = {"suggest": peak("suggest", *where)}
    accept_all(annotations)
    got["evaluate"] = peak("evaluate", *where)
    for fmt in EXPORTS if exports else ():
        out = folder / f"export-{fmt}"
        got[f"export --format {fmt}"] = peak("export", "--format", fmt, "--out", str(out), *where)
    print(f"{label}: {got}", file=sys.stderr)
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5_000_000)
    parser.add_argument("--ordinary", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="60,000 characters against 10")
    parser.add_argument("--exports", action="store_true", help="measure the exports too")
    args = parser.parse_args()
    size, count = (60_000, 10) if args.quick else (args.size, args.ordinary)
    common.compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="newsmark-bench-") as tmp:
        big, small = Path(tmp) / "long", Path(tmp) / "ordinary"
        (big / "articles").mkdir(parents=True)
        (small / "articles").mkdir(parents=True)
        (big / "articles" / "long.txt").write_text(long_text(size), "utf-8")
        ordinary(small / "articles", count)
        started = time.perf_counter()
        ref = run(small, "ordinary", args.exports)
        ours = run(big, "long", args.exports)
        print(f"ran in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    rows = [
        common.Row(
            f"`{command}`, peak RSS (wall)",
            f"{ours[command][0]:.0f} MB ({ours[command][1]:.0f} s)",
            f"{ref[command][0]:.0f} MB ({ref[command][1]:.0f} s; {count} ordinary articles)",
            f"{ours[command][0] / ref[command][0]:.2f}x",
            f"< {TARGET_MB:.0f} MB",
            ours[command][0] < TARGET_MB,
        )
        for command in ours
    ]
    common.table(f"One article of {size:,} characters against {count} ordinary ones", rows)


if __name__ == "__main__":
    main()
