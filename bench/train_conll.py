"""``newsmark train``'s defaults on real four-label news gold: CoNLL-2003 English.

CoNLL-2003 (Reuters news, PER/ORG/LOC/MISC) cannot be redistributed, so it is not in the
repository: point ``--conll`` at a folder holding ``eng.train`` and ``eng.testb``. Copies
without ``-DOCSTART-`` lines are split into articles at their datelines ("ROME 1996-12-06").

The bench imports ``--docs`` articles of ``eng.train`` (accepted) and ``--test-docs`` of
``eng.testb`` into two newsmark folders with ``import --format conll --labels …``, sets the
project's labels, trains with ``newsmark train``'s defaults (timed, dev share 0.2), and prints:
F1 on the gold's labels before/after on the dev split and on the held-out test articles, and
how far the tuned model agrees with the base model on dates and numbers there.

    python bench/train_conll.py --conll /work/data/conll --work /tmp/bench-train
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from tui.cli import main
from tui.core import ner, project
from tui.core.evaluate import predict, score
from tui.core.formats.select import collect
from tui.core.train import EPOCHS, OTHERS, SETTINGS, train

DATELINE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBERS = ("DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY")
RENAME = "PER=PERSON,LOC=GPE,MISC=NORP"  # the base model calls nationalities NORP
LABELS = ("PERSON", "ORG", "GPE", "NORP")


def sentences(text: str) -> list[list[str]]:
    """The file's sentences as lists of lines; ``-DOCSTART-`` lines are their own sentence."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            if current:
                found.append(current)
            current = []
        else:
            current.append(line)
    if current:
        found.append(current)
    return found


def documents(text: str) -> Iterator[list[list[str]]]:
    """Articles: at ``-DOCSTART-`` when the file has it, else at each dateline's headline."""
    sents = sentences(text)
    if any(s[0].startswith("-DOCSTART-") for s in sents):
        doc: list[list[str]] = []
        for s in sents:
            if s[0].startswith("-DOCSTART-"):
                if doc:
                    yield doc
                doc = []
            else:
                doc.append(s)
        if doc:
            yield doc
        return
    starts = [0]
    for i, s in enumerate(sents):
        last = s[-1].split()[0]
        if i > 0 and len(s) <= 10 and DATELINE.match(last) and i - 1 > starts[-1]:
            starts.append(i - 1)  # the headline before the dateline
    starts.append(len(sents))
    for a, b in zip(starts, starts[1:], strict=False):
        yield sents[a:b]


def write_conll(docs: Sequence[list[list[str]]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for doc in docs:
            f.write("-DOCSTART- -X- -X- O\n\n")
            for s in doc:
                f.write("\n".join(s) + "\n\n")


def folder(work: Path, name: str, docs: Sequence[list[list[str]]], rename: str) -> Path:
    root = work / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    source = work / f"{name}.conll"
    write_conll(docs, source)
    where = ["--articles", str(root / "articles"), "--annotations", str(root / "annotations")]
    args = ["import", str(source), "--format", "conll", "--status", "accepted"]
    if main([*args, "--labels", rename, *where]) != 0:
        sys.exit(f"import of {source} failed")
    return root


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsmark-bench-train"))
    parser.add_argument("--docs", type=int, default=150)
    parser.add_argument("--test-docs", type=int, default=100)
    parser.add_argument("--rename", default=RENAME)
    parser.add_argument("--labels", default=",".join(LABELS))
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument(
        "--others",
        choices=("outside", "missing", "silver"),
        default=OTHERS,
        help="what the training docs say where the base finds another label",
    )
    args = parser.parse_args()
    labels = project.parse_labels(args.labels)
    train_docs = list(documents((args.conll / "eng.train").read_text("utf-8")))[: args.docs]
    test_docs = list(documents((args.conll / "eng.testb").read_text("utf-8")))[: args.test_docs]
    args.work.mkdir(parents=True, exist_ok=True)
    root = folder(args.work, "train", train_docs, args.rename)
    test = folder(args.work, "test", test_docs, args.rename)
    project.set_labels(root / "annotations", labels)
    items = collect(root / "articles", root / "annotations", {"accepted"}).items
    test_items = collect(test / "articles", test / "annotations", {"accepted"}).items
    base_name = ner.resolve_model(None)
    base = ner.load(base_name)
    started, cpu, load = time.perf_counter(), time.process_time(), os.getloadavg()[0]
    run = args.work / "run"
    result = train(
        items,
        run,
        base=base_name,
        labels=labels,
        pipeline=base,
        epochs=args.epochs,
        others=args.others,
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    load = max(load, os.getloadavg()[0])
    tuned = ner.load(str(result.model_path))
    base_test, tuned_test = predict(base, test_items), predict(tuned, test_items)
    gold = [i.entities for i in test_items]
    before = score(base.name, zip(gold, base_test, strict=True), labels)
    after = score(tuned.name, zip(gold, tuned_test, strict=True), labels)
    numbers = score(tuned.name, zip(base_test, tuned_test, strict=True), NUMBERS)
    print(
        f"\n{len(items)} articles ({result.train_docs} train, {result.dev_docs} dev), "
        f"{len(test_items)} test; labels {', '.join(labels)}; {SETTINGS}, epochs {args.epochs}, "
        f"other labels in the training docs: {args.others}"
    )
    print(
        f"training (base spans in other labels {result.silver}): {seconds:.0f} s wall, "
        f"{cpu:.0f} s CPU (this process), load average up to {load:.1f}\n"
    )
    print("| labels | dev before | dev after | test before | test after |")
    print("|---|---|---|---|---|")
    for label in [*labels, "overall"]:
        row = [
            r.overall if label == "overall" else r.labels[label]
            for r in (result.before, result.after, before, after)
        ]
        print(f"| {label} | " + " | ".join(f"{s.f1:.3f}" for s in row) + " |")
    print("\nTuned vs base model on the test articles (the base model as reference):\n")
    print("| label | base entities | F1 |")
    print("|---|---|---|")
    for label in [*NUMBERS, "overall"]:
        s = numbers.overall if label == "overall" else numbers.labels[label]
        print(f"| {label} | {s.tp + s.fn} | {s.f1:.3f} |")
    kept = result.kept
    if kept is not None:
        print("\nEvery other label on the dev articles, as `newsmark train` reports it:\n")
        print("| label | base entities | F1 |")
        print("|---|---|---|")
        for label in [*sorted(kept.labels), "overall"]:
            s = kept.overall if label == "overall" else kept.labels[label]
            if s.tp + s.fn or label == "overall":
                print(f"| {label} | {s.tp + s.fn} | {s.f1:.3f} |")


if __name__ == "__main__":
    main_bench()
