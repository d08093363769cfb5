"""A save is durable: the data is flushed before the rename, the folder after it.

Without the folder's fsync a power cut after ``os.replace`` can bring back the old file (or
none) although the save was reported done. The calls are watched, not faked: each fsync
really runs, and the test records what each flushed descriptor is.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui.core import fsutil


def test_the_data_is_flushed_before_the_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "annotations" / "nested"
    target = folder / "a.toml"
    calls: list[tuple[str, object]] = []
    fsync, replace = os.fsync, os.replace

    def watched_fsync(fd: int) -> None:
        info = os.fstat(fd)
        kind = "folder" if stat.S_ISDIR(info.st_mode) else "file"
        calls.append((f"fsync {kind}", (info.st_dev, info.st_ino)))
        fsync(fd)

    def watched_replace(src: object, dst: object) -> None:
        calls.append(("replace", Path(os.fsdecode(dst))))  # type: ignore[arg-type]
        replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "fsync", watched_fsync)
    monkeypatch.setattr(os, "replace", watched_replace)
    for data in (b"first", b"second"):  # a new file, then one replaced
        calls.clear()
        fsutil.atomic_write(target, data)
        assert target.read_bytes() == data
        written, folder_stat = target.stat(), folder.stat()
        assert calls == [
            ("fsync file", (written.st_dev, written.st_ino)),  # the temp file, renamed since
            ("replace", target),
            ("fsync folder", (folder_stat.st_dev, folder_stat.st_ino)),
        ]


def test_a_folder_that_cannot_be_flushed_does_not_fail_the_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some platforms and file systems refuse fsync on a folder: the data is safe already."""
    fsync = os.fsync

    def no_folder_fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(22, "Invalid argument")
        fsync(fd)

    monkeypatch.setattr(os, "fsync", no_folder_fsync)
    fsutil.atomic_write(tmp_path / "a.toml", b"data")
    assert (tmp_path / "a.toml").read_bytes() == b"data"
