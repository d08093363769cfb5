"""A stand-in annotator for the crash tests: edits and saves in a loop until it is killed.

Run as ``python crash_editor.py WORKDIR SEED [COUNT]``. It takes the annotations lock, opens
every article through :class:`Workspace`, then applies random edits, saving after each one.
Before each save it reports ``pending ID DIGEST`` and after it ``saved ID DIGEST``, so the test
knows exactly which states were promised to be on disk. Each report is one ``os.write`` of a
whole line (shorter than a pipe's atomic size), so a SIGKILL never leaves half a record. With
COUNT it stops after that many saves and exits cleanly (releasing the lock); otherwise it runs
until killed.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
from collections.abc import Iterable
from pathlib import Path

from tui.core import lock
from tui.core.edits import Document, Refused
from tui.core.spans import Entity
from tui.core.tokens import regex_tokens
from tui.core.workspace import Annotated, Workspace

LABELS = ["PERSON", "ORG", "GPE", 'odd "label" \\ x', "NORP"]


def digest(entities: Iterable[Entity], status: str) -> str:
    """A short fingerprint of what an article's TOML must hold."""
    rows = [[e.start, e.end, e.label, e.source] for e in sorted(entities)]
    blob = json.dumps([status, rows], ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def report(kind: str, article_id: str, state: str) -> None:
    """One record, one system call: ``print`` would write each field separately, unbuffered."""
    os.write(sys.stdout.fileno(), f"{kind} {article_id} {state}\n".encode())


def random_edit(doc: Document, rng: random.Random) -> object:
    """An edit, or ``None`` when it changed nothing or the document refused it (a span across
    a line break): a refusal changes nothing."""
    try:
        return _random_edit(doc, rng)
    except Refused:
        return None


def _random_edit(doc: Document, rng: random.Random) -> object:
    tokens = regex_tokens(doc.text)
    entities = doc.entities
    roll = rng.random()
    if roll < 0.45 or not entities:
        i = rng.randrange(len(tokens))
        j = min(len(tokens) - 1, i + rng.randrange(3))
        return doc.add(tokens.starts[i], tokens.ends[j], rng.choice(LABELS))
    entity = rng.choice(entities)
    if roll < 0.6:
        return doc.relabel(entity, rng.choice(LABELS))
    if roll < 0.7:
        return doc.delete(entity)
    if roll < 0.78:
        return doc.resize(entity, entity.start, min(len(doc.text), entity.end + rng.randrange(8)))
    if roll < 0.9:
        return doc.undo()
    if roll < 0.96:
        return doc.redo()
    return doc.set_status(rng.choice(["accepted", "in_progress", "skipped"]))


def main() -> None:
    workdir, seed = Path(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else None
    rng = random.Random(seed)
    annotations = workdir / "annotations"
    held = lock.acquire(annotations)
    ws = Workspace(workdir / "articles", annotations, annotator="crash-test")
    opened: list[Annotated] = [ws.open(aid) for aid in ws.ids]
    for a in opened:
        report("loaded", a.id, digest(a.document.entities, a.document.status))
    saves = 0
    while count is None or saves < count:
        annotated = rng.choice(opened)
        if random_edit(annotated.document, rng) is None:
            continue
        state = digest(annotated.document.entities, annotated.document.status)
        report("pending", annotated.id, state)
        ws.save(annotated)
        saves += 1
        report("saved", annotated.id, state)
    held.release()


if __name__ == "__main__":
    main()
