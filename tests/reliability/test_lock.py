"""Never two writers on one annotations folder: the lock file, stale locks, read-only folders."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import pytest

from tui.core import lock
from tui.core.lock import LOCK_NAME, LockHeld, acquire, is_writable

from .conftest import PYTHON, child_env

HOLDER = Path(__file__).with_name("lock_holder.py")


def spawn(folder: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, str(HOLDER), str(folder), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.run([PYTHON, "-c", "import os; print(os.getpid())"], capture_output=True)
    return int(proc.stdout)


def write_lock(folder: Path, pid: int, host: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    data = {"pid": pid, "host": host, "started": "2026-11-22T10:15:00Z", "token": "t"}
    path.write_text(json.dumps(data))
    return path


def test_acquire_creates_the_folder_and_a_lock_naming_this_process(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "annotations"
    with acquire(folder) as held:
        data = json.loads((folder / LOCK_NAME).read_text("utf-8"))
        assert data["pid"] == os.getpid() == held.pid
        assert data["host"] == lock.hostname() == held.host
        assert data["started"].endswith("Z")
        assert sorted(p.name for p in folder.iterdir()) == [LOCK_NAME]
    assert list(folder.iterdir()) == []


def test_second_acquire_in_the_same_process_is_refused(tmp_path: Path) -> None:
    held = acquire(tmp_path)
    with pytest.raises(LockHeld) as info:
        acquire(tmp_path)
    exc = info.value
    assert (exc.pid, exc.host) == (os.getpid(), lock.hostname())
    message = str(exc)
    assert message.startswith(f"{tmp_path} is being edited by newsmark (pid {os.getpid()} on host")
    assert message.endswith("; close it there, or open read-only.")
    assert message.count(".") >= 1 and "\n" not in message
    held.release()
    acquire(tmp_path).release()


def test_another_process_holding_the_lock_is_named_and_released(tmp_path: Path) -> None:
    proc = spawn(tmp_path)
    assert proc.stdin is not None and proc.stdout is not None
    kind, pid = proc.stdout.readline().split()
    assert kind == "locked"
    with pytest.raises(LockHeld) as info:
        acquire(tmp_path)
    assert info.value.pid == int(pid) == proc.pid
    assert info.value.host == lock.hostname()
    proc.stdin.close()
    assert proc.stdout.readline() == "released\n"
    assert proc.wait() == 0
    acquire(tmp_path).release()


def test_another_process_is_refused_while_we_hold_it(tmp_path: Path) -> None:
    with acquire(tmp_path):
        proc = spawn(tmp_path)
        out, _ = proc.communicate("", timeout=30)
    kind, pid, host, *_ = out.split()
    assert (kind, int(pid), host) == ("held", os.getpid(), lock.hostname())
    assert f"pid {os.getpid()} on host {lock.hostname()}" in out


def test_lock_of_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    proc = spawn(tmp_path)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("locked")
    proc.kill()
    proc.wait()
    assert (tmp_path / LOCK_NAME).exists()  # killed: it never released
    with acquire(tmp_path) as held:
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == held.pid == os.getpid()


@pytest.mark.parametrize("content", ["", "garbage", "{}", '{"pid": "1", "host": "h"}', "\xff"])
def test_unparsable_lock_is_taken_over(tmp_path: Path, content: str) -> None:
    (tmp_path / LOCK_NAME).write_text(content, "latin-1")
    with acquire(tmp_path):
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()


def test_stale_lock_with_dead_pid_is_taken_over_but_not_one_from_another_host(
    tmp_path: Path,
) -> None:
    pid = dead_pid()
    write_lock(tmp_path, pid, "elsewhere.example")
    with pytest.raises(LockHeld) as info:  # cannot tell whether a pid on another host lives
        acquire(tmp_path)
    assert (info.value.pid, info.value.host) == (pid, "elsewhere.example")
    assert "since 2026-11-22T10:15:00Z" in str(info.value)
    write_lock(tmp_path, pid, lock.hostname())
    acquire(tmp_path).release()
    assert not (tmp_path / LOCK_NAME).exists()


def test_release_leaves_a_lock_that_is_no_longer_ours(tmp_path: Path) -> None:
    held = acquire(tmp_path)
    path = write_lock(tmp_path, 1, lock.hostname())  # someone replaced it (pid 1 is alive)
    held.release()
    assert path.exists()
    held.release()  # twice is harmless
    assert path.exists()


def test_acquire_removes_temp_files_of_killed_saves_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    stale = [tmp_path / ".a.toml.4242.tmp", tmp_path / "sub" / ".b.toml.77.tmp"]
    keep = [tmp_path / "a.toml", tmp_path / "sub" / "b.toml", tmp_path / "notes.tmp"]
    for p in stale + keep:
        p.write_text("x")
    with acquire(tmp_path):
        assert [p.exists() for p in stale] == [False, False]
        assert [p.exists() for p in keep] == [True, True, True]


def test_racing_processes_on_a_stale_lock_leave_exactly_one_writer(tmp_path: Path) -> None:
    write_lock(tmp_path, dead_pid(), lock.hostname())
    procs = [spawn(tmp_path, "--wait") for _ in range(8)]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:  # all at once, as nearly as possible
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    firsts = []
    for proc in procs:
        assert proc.stdout is not None
        firsts.append(proc.stdout.readline().split()[0])
    assert firsts.count("locked") == 1, firsts
    for proc in procs:
        proc.communicate("", timeout=30)
    assert not (tmp_path / LOCK_NAME).exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no private files left behind


def failing_open(monkeypatch: pytest.MonkeyPatch, folder: Path, err: int) -> None:
    real_open = os.open

    def fake_open(path: str | os.PathLike[str], flags: int, *args: int, **kw: object) -> int:
        if Path(path).parent == folder and flags & os.O_CREAT:
            raise OSError(err, os.strerror(err), str(path))
        return real_open(path, flags, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", fake_open)


@pytest.mark.parametrize("err", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_unwritable_folder_is_reported_not_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int
) -> None:
    assert is_writable(tmp_path)
    failing_open(monkeypatch, tmp_path, err)
    assert not is_writable(tmp_path)
    with pytest.raises(OSError) as info:
        acquire(tmp_path)
    assert info.value.errno == err and not isinstance(info.value, LockHeld)
    assert list(tmp_path.iterdir()) == []


def test_is_writable_really_tries_and_leaves_nothing(tmp_path: Path) -> None:
    assert is_writable(tmp_path)
    assert is_writable(tmp_path / "not" / "yet")  # would be created under a writable parent
    assert not (tmp_path / "not").exists()
    (tmp_path / "file").write_text("x")
    assert not is_writable(tmp_path / "file")
    assert not is_writable(tmp_path / "file" / "below")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_taking_over_never_removes_a_lock_that_replaced_the_stale_one(tmp_path: Path) -> None:
    """Two processes judged the same lock stale; the slower must not delete the winner's."""
    stale = write_lock(tmp_path, dead_pid(), lock.hostname()).read_bytes()
    with acquire(tmp_path):  # the faster process took over already
        fresh = (tmp_path / LOCK_NAME).read_bytes()
        lock._take_over(tmp_path / LOCK_NAME, stale)  # the slower one acts on what it read
        assert (tmp_path / LOCK_NAME).read_bytes() == fresh
        with pytest.raises(LockHeld):
            acquire(tmp_path)
    assert list(tmp_path.iterdir()) == []
