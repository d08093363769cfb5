"""Full disk, read-only folder, failing fsync while saving: nothing on disk or in memory is lost.

CI runs as root, for whom permission bits do not stop writes, so the failures are injected
at the system-call level, only for files under the test's annotations folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tui.core import store
from tui.core.article import Article, sha256_bytes
from tui.core.spans import Entity
from tui.core.store import Annotation
from tui.core.tokens import regex_tokens
from tui.core.workspace import Annotated, Workspace


class Faults:
    """Makes one kind of system call fail with ``err`` for files under ``folder``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
        self.monkeypatch = monkeypatch
        self.folder = folder.resolve()
        self.fds: set[int] = set()
        self.calls = 0
        self.real = {name: getattr(os, name) for name in ("open", "write", "fsync", "replace")}

    def _ours(self, path: Any) -> bool:
        return self.folder in Path(os.fsdecode(path)).resolve().parents

    def inject(self, call: str, err: int, after: int = 0) -> None:
        """Fail ``call`` with ``err`` from its ``after``-th use on (0: the first)."""
        real = self.real

        def boom(what: object) -> OSError:
            return OSError(err, os.strerror(err), str(what))

        def fake_open(path: Any, flags: int, *args: Any, **kw: Any) -> int:
            if self._ours(path) and flags & os.O_CREAT:
                if call == "open":
                    raise boom(path)
                fd: int = real["open"](path, flags, *args, **kw)
                self.fds.add(fd)
                return fd
            return int(real["open"](path, flags, *args, **kw))

        def fake_write(fd: int, data: Any) -> int:
            if call == "write" and fd in self.fds:
                self.calls += 1
                if self.calls > after:
                    raise boom(fd)
                return int(real["write"](fd, bytes(data)[:3]))  # a short write first
            return int(real["write"](fd, data))

        def fake_fsync(fd: int) -> None:
            if call == "fsync" and fd in self.fds:
                raise boom(fd)
            real["fsync"](fd)

        def fake_replace(src: Any, dst: Any) -> None:
            if call == "replace" and self._ours(dst):
                raise boom(dst)
            real["replace"](src, dst)

        self.monkeypatch.setattr(os, "open", fake_open)
        self.monkeypatch.setattr(os, "write", fake_write)
        self.monkeypatch.setattr(os, "fsync", fake_fsync)
        self.monkeypatch.setattr(os, "replace", fake_replace)

    def heal(self) -> None:
        for name, fn in self.real.items():
            self.monkeypatch.setattr(os, name, fn)


FAILURES = [
    ("open", errno.EROFS, 0),
    ("open", errno.EACCES, 0),
    ("open", errno.ENOSPC, 0),
    ("write", errno.ENOSPC, 0),
    ("write", errno.ENOSPC, 2),  # the disk fills up half-way through the file
    ("write", errno.EIO, 1),
    ("fsync", errno.ENOSPC, 0),
    ("fsync", errno.EIO, 0),
    ("replace", errno.EROFS, 0),
    ("replace", errno.EACCES, 0),
]
IDS = [f"{c}-{errno.errorcode[e]}-{a}" for c, e, a in FAILURES]


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def add_tokens(annotated: Annotated, *indexes: int, label: str = "ORG") -> None:
    tokens = regex_tokens(annotated.article.text)
    for i in indexes:
        assert annotated.document.add(*tokens.span(i), label) is not None


@pytest.mark.parametrize(("call", "err", "after"), FAILURES, ids=IDS)
def test_failed_save_keeps_file_and_memory_and_the_next_save_carries_everything(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, call: str, err: int, after: int
) -> None:
    ws = Workspace(workdir / "articles", workdir / "annotations")
    annotated = ws.open(ws.ids[0])
    add_tokens(annotated, 0)
    ws.save(annotated)
    before = annotated.path.read_bytes()
    listing = files_in(ws.annotations)

    faults = Faults(monkeypatch, ws.annotations)
    faults.inject(call, err, after)
    add_tokens(annotated, 5, 9)
    with pytest.raises(OSError) as info:
        ws.save(annotated)
    assert info.value.errno == err
    add_tokens(annotated, 20, label="GPE")  # the person keeps working while the disk is full
    with pytest.raises(OSError):
        ws.save(annotated)
    faults.heal()

    assert annotated.path.read_bytes() == before, "the previous file was touched"
    assert files_in(ws.annotations) == listing, "a temp file was left behind"
    expected = annotated.document.entities
    assert len(expected) == 4
    ws.save(annotated)
    assert ws.open(annotated.id).document.entities == expected


@pytest.mark.parametrize(("call", "err", "after"), FAILURES, ids=IDS)
def test_failed_first_save_creates_no_file_at_all(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, call: str, err: int, after: int
) -> None:
    ws = Workspace(workdir / "articles", workdir / "annotations")
    annotated = ws.open(ws.ids[1])
    add_tokens(annotated, 3)
    Faults(monkeypatch, ws.annotations).inject(call, err, after)
    with pytest.raises(OSError):
        ws.save(annotated)
    assert not annotated.has_file
    assert files_in(ws.annotations) == []


def test_unwritable_subfolder_for_a_nested_article(tmp_path: Path, monkeypatch: Any) -> None:
    text = "Reuters reported from Paris."
    art = Article("world/x.txt", tmp_path / "x.txt", text, sha256_bytes(text.encode()))
    path = store.annotation_path(tmp_path / "annotations", art.id)
    real_mkdir: Callable[..., None] = os.mkdir

    def no_mkdir(p: Any, *args: Any, **kw: Any) -> None:
        if "annotations" in os.fsdecode(p):
            raise PermissionError(errno.EACCES, "Permission denied", str(p))
        real_mkdir(p, *args, **kw)

    monkeypatch.setattr(os, "mkdir", no_mkdir)
    with pytest.raises(OSError):
        store.save(path, Annotation(art.id, art.sha256, entities=(Entity(0, 7, "ORG"),)), text)
    assert not (tmp_path / "annotations").exists()


def test_short_writes_still_produce_the_whole_file(tmp_path: Path, monkeypatch: Any) -> None:
    text = "Shafaq News: " + "China and Iran. " * 200
    art = Article("a.txt", tmp_path / "a.txt", text, sha256_bytes(text.encode()))
    tokens = regex_tokens(text)
    entities = tuple(Entity(*tokens.span(i), "GPE") for i in range(3, len(tokens), 4))
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data)[:7]))
    path = tmp_path / "a.toml"
    store.save(path, Annotation(art.id, art.sha256, entities=entities), text)
    monkeypatch.undo()
    assert store.load(path, art).annotation.entities == entities


def test_overlapping_saves_of_one_file_never_leave_it_corrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Shafaq News: China and Iran signed a pact in Beijing on Monday, Xinhua reported."
    art = Article("a.txt", tmp_path / "a.txt", text, sha256_bytes(text.encode()))
    tokens = regex_tokens(text)
    few = Annotation(art.id, art.sha256, entities=(Entity(*tokens.span(3), "GPE"),))
    many = Annotation(
        art.id, art.sha256, entities=tuple(Entity(*tokens.span(i), "X") for i in range(0, 12, 2))
    )
    path = tmp_path / "a.toml"
    real_write = os.write
    interleaved = False

    def write(fd: int, data: Any) -> int:
        """The first save is preempted before its first byte; a second save runs meanwhile."""
        nonlocal interleaved
        if not interleaved:
            interleaved = True
            store.save(path, many, text)
        return int(real_write(fd, data))

    monkeypatch.setattr(os, "write", write)
    with contextlib.suppress(OSError):  # it may fail; the file must still be a complete state
        store.save(path, few, text)
    monkeypatch.undo()
    assert store.load(path, art).annotation.entities in (few.entities, many.entities)
    assert [p.name for p in tmp_path.iterdir()] == ["a.toml"]
