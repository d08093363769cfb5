"""Does ``--order uncertain`` pick better training articles than chance? CoNLL-2003 English.

CoNLL-2003 (Reuters news, PER/ORG/LOC/MISC) cannot be redistributed: point ``--conll`` at a
folder holding ``eng.train`` and ``eng.testb`` (see bench/train_conll.py, whose import this
reuses). The bench imports ``--pool`` articles of ``eng.train`` as gold, has the base model
suggest for the same articles in a second folder (scored by the beam, as ``newsmark suggest``
does), and trains ``newsmark train``'s way on ``--docs`` of the gold articles chosen three
ways: the first of ``queue --order uncertain``, and ``--seeds`` random draws (``--order
random --seed N``). Each tuned model is scored on the same ``--test-docs`` of ``eng.testb``
on the four labels. Printed: test F1 per run.

    python bench/uncertain_first.py --conll /work/data/conll --work /tmp/bench-uncertain
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from train_conll import LABELS, RENAME, documents, folder

from tui.cli import main
from tui.core import ner, project, queue
from tui.core.evaluate import predict, score
from tui.core.formats.select import collect
from tui.core.train import train
from tui.core.workspace import Workspace


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsmark-bench-uncertain"))
    parser.add_argument("--pool", type=int, default=200)
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--test-docs", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--train-seed", type=int, default=0, help="split and training seed")
    parser.add_argument("--first-seed", type=int, default=1, help="of the random draws")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the folders and suggestions of a last run"
    )
    args = parser.parse_args()
    labels = project.parse_labels(",".join(LABELS))
    pool_docs = list(documents((args.conll / "eng.train").read_text("utf-8")))[: args.pool]
    test_docs = list(documents((args.conll / "eng.testb").read_text("utf-8")))[: args.test_docs]
    args.work.mkdir(parents=True, exist_ok=True)
    gold, test, suggested = args.work / "pool", args.work / "test", args.work / "suggested"
    if not args.reuse:
        gold = folder(args.work, "pool", pool_docs, RENAME)
        test = folder(args.work, "test", test_docs, RENAME)
        project.set_labels(gold / "annotations", labels)
        shutil.rmtree(suggested, ignore_errors=True)
        started = time.perf_counter()
        where = ["--articles", str(gold / "articles"), "--annotations", str(suggested)]
        if main(["suggest", "--labels", ",".join(labels), *where]) != 0:
            raise SystemExit("suggest failed")
        print(f"suggested the pool in {time.perf_counter() - started:.0f} s")
    workspace = Workspace(gold / "articles", suggested)
    picks = {"uncertain": queue.listing(workspace, "uncertain")[0][: args.docs]}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        picks[f"random {seed}"] = queue.listing(workspace, "random", seed)[0][: args.docs]
    items = {i.id: i for i in collect(gold / "articles", gold / "annotations").items}
    test_items = collect(test / "articles", test / "annotations", {"accepted"}).items
    base_name = ner.resolve_model(None)
    base = ner.load(base_name)
    truth = [i.entities for i in test_items]
    before = score(base.name, zip(truth, predict(base, test_items), strict=True), labels)
    print(f"base model, test F1 {before.overall.f1:.3f}")
    rows = []
    for name, ids in picks.items():
        chosen = [items[aid] for aid in ids]
        chars = sum(len(i.text) for i in chosen)
        started, load = time.perf_counter(), os.getloadavg()[0]
        result = train(
            chosen,
            args.work / f"{name.replace(' ', '-')}-t{args.train_seed}",
            base=base_name,
            labels=labels,
            pipeline=base,
            epochs=args.epochs,
            max_steps=args.max_steps,
            seed=args.train_seed,
        )
        tuned = ner.load(str(result.model_path))
        after = score(tuned.name, zip(truth, predict(tuned, test_items), strict=True), labels)
        seconds = time.perf_counter() - started
        rows.append((name, len(chosen), chars, after))
        print(
            f"{name}: {len(chosen)} articles, {chars} characters, test F1 "
            f"{after.overall.f1:.3f} ({seconds:.0f} s, load {load:.1f})",
            flush=True,
        )
    print("\n| articles chosen | articles | characters | test F1 | " + " | ".join(labels) + " |")
    print("|---|---|---|---|" + "---|" * len(labels))
    for name, n, chars, after in rows:
        per = " | ".join(f"{after.labels[label].f1:.3f}" for label in labels)
        print(f"| {name} | {n} | {chars} | {after.overall.f1:.3f} | {per} |")
    print(f"| (base model) | | | {before.overall.f1:.3f} | |")


if __name__ == "__main__":
    main_bench()
