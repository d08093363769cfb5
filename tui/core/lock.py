"""One writer per annotations folder: a lock file naming the process that holds it.

Two newsmark processes saving the same TOML files would silently undo each other's work, so
the first one takes ``<folder>/.newsmark.lock`` and later ones are told who holds it (and can
open read-only). The file is created exclusively and appears complete or not at all (written
to a private file first, then hard-linked into place), so a reader never sees half a lock. A
lock left by a killed process on this host, or one that cannot be parsed, is taken over.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from tui.core.fsutil import remove_stale_temps

LOCK_NAME = ".newsmark.lock"
_PENDING = ".newsmark.lock."  # prefix of the private files a lock is linked from
_ATTEMPTS = 8


class LockHeld(Exception):
    """Another live newsmark process is editing the folder; ``str()`` says who and what to do."""

    def __init__(self, folder: Path, pid: int, host: str, started: str) -> None:
        super().__init__(
            f"{folder} is being edited by newsmark (pid {pid} on host {host} since {started}); "
            "close it there, or open read-only."
        )
        self.folder = folder
        self.pid = pid
        self.host = host
        self.started = started


@dataclass(frozen=True, slots=True)
class _Owner:
    pid: int
    host: str
    started: str
    token: str

    def dumps(self) -> bytes:
        data = {"pid": self.pid, "host": self.host, "started": self.started, "token": self.token}
        return (json.dumps(data) + "\n").encode("utf-8")

    @classmethod
    def loads(cls, data: bytes) -> _Owner | None:
        """The owner a lock file names, or ``None`` when it is not a lock we can read."""
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(raw, dict):
            return None
        pid, host = raw.get("pid"), raw.get("host")
        started, token = raw.get("started", "?"), raw.get("token", "")
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
            return None
        if not isinstance(host, str) or not host:
            return None
        return cls(pid, host, str(started), str(token))


def hostname() -> str:
    return socket.gethostname() or "localhost"


def pid_alive(pid: int) -> bool:
    """True unless ``pid`` surely names no process on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it just is not ours
    except OSError:
        return True
    return True


class Lock:
    """A held lock; ``release()`` (or leaving the ``with`` block) gives it up."""

    def __init__(self, folder: Path, owner: _Owner) -> None:
        self.folder = folder
        self.path = folder / LOCK_NAME
        self._owner = owner
        self._released = False

    @property
    def pid(self) -> int:
        return self._owner.pid

    @property
    def host(self) -> str:
        return self._owner.host

    @property
    def held(self) -> bool:
        return not self._released

    def release(self) -> None:
        """Remove the lock file, but only if it still names us (never another's lock)."""
        if self._released:
            return
        self._released = True
        if os.getpid() != self._owner.pid:
            return  # a forked child must not drop its parent's lock
        try:
            current = _Owner.loads(self.path.read_bytes())
        except OSError:
            return
        if current == self._owner:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def __enter__(self) -> Lock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def acquire(folder: Path) -> Lock:
    """Take the folder's lock, creating the folder if needed.

    Raises :class:`LockHeld` when a live process holds it and ``OSError`` when the folder
    cannot be written (read-only, full disk): both mean the caller should open read-only.
    Temp files of saves a killed process left behind are removed once the lock is ours.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    me = _Owner(
        os.getpid(),
        hostname(),
        datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"),
        uuid.uuid4().hex,
    )
    holder: _Owner | None = None
    for _ in range(_ATTEMPTS):
        if _create(path, me.dumps()):
            lock = Lock(folder, me)
            try:
                _remove_pending(folder)
                remove_stale_temps(folder)
            except BaseException:
                lock.release()
                raise
            return lock
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue  # released between our attempt and the read: try again
        holder = _Owner.loads(data)
        if holder is not None and (holder.host != me.host or pid_alive(holder.pid)):
            raise LockHeld(folder, holder.pid, holder.host, holder.started)
        _take_over(path, data)
    # Only reached when other processes keep taking and dropping the lock under us.
    if holder is None:
        raise LockHeld(folder, 0, "unknown", "just now")
    raise LockHeld(folder, holder.pid, holder.host, holder.started)


class Unavailable(Exception):
    """A command cannot take the folder's lock; ``str()`` is one sentence saying what to do."""

    def __init__(self, folder: Path, message: str) -> None:
        super().__init__(message)
        self.folder = folder


def for_command(folder: Path, command: str) -> Lock:
    """The lock every writing command (``suggest``, ``import``, ...) takes before it writes.

    One rule for all of them: a live holder is named and the command refused, a stale lock
    is taken over, and a folder that cannot be written is said so. Raises :class:`Unavailable`.
    """
    try:
        return acquire(folder)
    except LockHeld as exc:
        raise Unavailable(
            folder,
            f"{exc.folder} is being edited by newsmark (pid {exc.pid} on host {exc.host} since "
            f"{exc.started}); close it there, then run {command} again.",
        ) from None
    except OSError as exc:
        raise Unavailable(
            folder,
            f"The annotations folder {folder} cannot be written ({exc.strerror or exc}); "
            "check its permissions or pass --annotations DIR.",
        ) from None


def _create(path: Path, content: bytes) -> bool:
    """Create ``path`` holding ``content`` if it does not exist; ``False`` if it does."""
    pending = path.with_name(f"{_PENDING}{os.getpid()}.{uuid.uuid4().hex}")
    _write_new(pending, content)
    try:
        os.link(pending, path)
        return True
    except (FileExistsError, FileNotFoundError):
        return False  # held, or our private file was swept by the process that holds it
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
    finally:
        with contextlib.suppress(OSError):
            pending.unlink()
    # A filesystem without hard links: exclusive create, then write (a tiny window in which
    # another process could read an empty lock, which it treats as stale).
    try:
        _write_new(path, content)
    except FileExistsError:
        return False
    return True


def _write_new(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


@contextlib.contextmanager
def _breaking(folder: Path) -> Iterator[None]:
    """Let one process at a time remove a stale lock.

    An advisory lock on the folder itself (no extra file to leave behind); the kernel drops
    it if the process dies. Where there is none (Windows, some network filesystems) the
    rename check in :func:`_take_over` still narrows the race to a few microseconds.
    """
    try:
        import fcntl

        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the flock


def _take_over(path: Path, stale: bytes) -> None:
    """Remove a stale lock, unless another process replaced it since we read it.

    Under :func:`_breaking` the lock is read again: only the very lock judged stale is
    removed, never one another process took since. It is moved to a private name first and
    put back if it turns out not to be the stale one (the fallback without a folder lock).
    """
    with _breaking(path.parent):
        try:
            if path.read_bytes() != stale:
                return
        except FileNotFoundError:
            return
        grave = path.with_name(f"{_PENDING}{os.getpid()}.{uuid.uuid4().hex}.stale")
        try:
            os.rename(path, grave)
        except FileNotFoundError:
            return
        try:
            if grave.read_bytes() != stale:
                with contextlib.suppress(FileExistsError):
                    os.link(grave, path)
        except FileNotFoundError:
            pass
        finally:
            with contextlib.suppress(OSError):
                grave.unlink()


def _remove_pending(folder: Path) -> None:
    """Private files of acquisitions that were killed half-way (their pid is in the name)."""
    for leftover in folder.glob(f"{_PENDING}*"):
        pid = leftover.name[len(_PENDING) :].split(".", 1)[0]
        if pid.isdigit() and (int(pid) == os.getpid() or not pid_alive(int(pid))):
            with contextlib.suppress(OSError):
                leftover.unlink()


def is_writable(folder: Path) -> bool:
    """Whether files can really be created in ``folder`` (or its nearest existing parent).

    Tries it rather than reading permission bits: those say yes to root on a read-only mount
    and no on some network filesystems that would accept the write.
    """
    target = folder
    while not target.exists():
        if target.parent == target:
            return False
        target = target.parent
    if not target.is_dir():
        return False
    probe = target / f".newsmark-probe.{os.getpid()}.{uuid.uuid4().hex}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError:
        return False
    try:
        os.write(fd, b"x")
    except OSError:
        return False
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            probe.unlink()
    return True
