"""SIGKILL at random moments while editing: every TOML on disk stays valid and complete."""

from __future__ import annotations

import random
import signal
import subprocess
import tomllib
from pathlib import Path

from tui.core import fsutil, store
from tui.core.article import Corpus
from tui.core.lock import LOCK_NAME

from .conftest import PYTHON, child_env
from .crash_editor import digest

SCRIPT = Path(__file__).with_name("crash_editor.py")
ROUNDS = 30


def disk_state(workdir: Path, article_id: str) -> str:
    corpus = Corpus.open(workdir / "articles")
    path = store.annotation_path(workdir / "annotations", article_id)
    if not path.exists():
        return digest((), "unreviewed")
    ann = store.load(path, corpus.read(article_id)).annotation
    return digest(ann.entities, ann.status)


def check_every_file_is_valid(workdir: Path) -> None:
    corpus = Corpus.open(workdir / "articles")
    annotations = workdir / "annotations"
    files = list(store.iter_files(annotations))
    assert all(not fsutil.is_temp(p) for p in files)
    for path in files:
        tomllib.loads(path.read_text("utf-8"))
        store.load(path, corpus.read(store.article_id_for(annotations, path)))


def run(workdir: Path, seed: int, count: int | None = None) -> subprocess.Popen[str]:
    args = [PYTHON, str(SCRIPT), str(workdir), str(seed)]
    if count is not None:
        args.append(str(count))
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env()
    )


def complete(lines: list[str]) -> list[str]:
    """The whole records: a line cut by the kill has no newline and promised nothing yet."""
    return [line for line in lines if line.endswith("\n")]


def replay(lines: list[str], promised: dict[str, str]) -> dict[str, set[str]]:
    """What each article's file may hold now: its last saved state, or the save in flight."""
    allowed = {aid: {state} for aid, state in promised.items()}
    for line in complete(lines):
        kind, aid, state = line.split()
        if kind == "loaded":
            assert state == promised[aid], f"{aid} reopened in a state that was never saved"
        elif kind == "pending":
            allowed[aid] = allowed[aid] | {state}
        else:
            assert kind == "saved" and state in allowed[aid]
            allowed[aid] = {state}
    return allowed


def test_sigkill_at_random_moments_never_loses_a_reported_save(workdir: Path) -> None:
    rng = random.Random(20261122)
    ids = Corpus.open(workdir / "articles").ids
    promised = {aid: digest((), "unreviewed") for aid in ids}
    saves = 0
    for round_ in range(ROUNDS):
        proc = run(workdir, seed=round_)
        assert proc.stdout is not None
        lines = []
        for _ in range(rng.randint(1, 40)):  # kill after a random number of reported steps
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        proc.kill()
        lines += proc.stdout.readlines()  # what it reported before it died
        proc.wait()
        stderr = proc.stderr.read() if proc.stderr else ""
        assert proc.returncode == -signal.SIGKILL, stderr
        allowed = replay(lines, promised)
        check_every_file_is_valid(workdir)
        for aid in ids:
            on_disk = disk_state(workdir, aid)
            assert on_disk in allowed[aid], f"round {round_}: {aid} lost a reported save"
            promised[aid] = on_disk
        saves += sum(line.startswith("saved") for line in complete(lines))
    assert saves >= ROUNDS  # the loop really edited and saved, it did not just start and die

    # A clean run after all that: it starts on what is on disk, cleans up, leaves nothing.
    proc = run(workdir, seed=999, count=25)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    allowed = replay(out.splitlines(keepends=True), promised)
    for aid in ids:
        assert allowed[aid] == {disk_state(workdir, aid)}
    annotations = workdir / "annotations"
    assert sorted(p.name for p in annotations.rglob("*")) == sorted(
        store.annotation_path(annotations, aid).name for aid in ids
    ), "temp files or the lock were left behind after a clean exit"
    assert not (annotations / LOCK_NAME).exists()
