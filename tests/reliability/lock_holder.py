"""Takes the annotations lock in a separate process, as a second newsmark would.

``python lock_holder.py FOLDER [--wait]``: with ``--wait`` it prints ``ready`` and waits for a
line on stdin before trying, so several holders can race. It prints ``locked PID`` (or
``held PID HOST <message>``), holds the lock until its stdin closes, then releases it and
prints ``released``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tui.core.lock import LockHeld, acquire


def main() -> None:
    if "--wait" in sys.argv:
        print("ready", flush=True)
        sys.stdin.readline()
    try:
        held = acquire(Path(sys.argv[1]))
    except LockHeld as exc:
        print("held", exc.pid, exc.host, str(exc), flush=True)
        return
    print("locked", os.getpid(), flush=True)
    sys.stdin.read()
    held.release()
    print("released", flush=True)


if __name__ == "__main__":
    main()
