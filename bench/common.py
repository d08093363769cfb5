"""What the benches share: a real process in a pseudo-terminal, a generated corpus, and the
one table format that prints each figure beside its reference and target.

A process run here is timed from just before it is spawned (interpreter start and imports
included) to the moment a predicate on the emulated screen (pyte) first holds, so the
figure is what a person at a terminal would see, not what the app believes it drew.
"""

from __future__ import annotations

import fcntl
import os
import platform
import random
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "articles"
PYTHON = sys.executable
WIDTH, HEIGHT = 140, 45

Predicate = Callable[[pyte.Screen], bool]


class Timeout(Exception):
    """The screen never showed what was awaited; the message holds what it did show."""


@dataclass
class Shown:
    """One process run until its screen showed what was awaited."""

    seconds: float
    screen: pyte.Screen
    rss_mb: float | None = None


def compile_bytecode() -> None:
    """Cache the project's bytecode first, as an installed copy has it."""
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", str(ROOT / "tui"), str(ROOT / "bench")], check=True
    )


def seed_texts() -> list[str]:
    return [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def generated_corpus(folder: Path, count: int, *, seed: int = 2024) -> list[Path]:
    """``count`` news-sized articles made of the seeds' paragraphs, shuffled and thinned.

    Files go in 100 sub-folders of up to 100, the way a big corpus is usually kept.
    """
    seeds = [[p for p in text.split("\n\n") if p.strip()] for text in seed_texts()]
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        paragraphs = rng.choice(seeds)
        kept = rng.sample(paragraphs, rng.randint(max(1, len(paragraphs) // 2), len(paragraphs)))
        path = folder / f"{i // 100:03d}" / f"{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(kept) + "\n", "utf-8")
        paths.append(path)
    return paths


def text_on(screen: pyte.Screen, needle: str) -> bool:
    return any(needle in line for line in screen.display)


def _proc_status_mb(pid: int, field: str) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return None


def rss_mb(pid: int) -> float | None:
    """Resident set size of a live process, in MB (Linux)."""
    return _proc_status_mb(pid, "VmRSS")


def peak_rss_mb(pid: int) -> float:
    """The most the process has held resident so far, in MB (Linux)."""
    return _proc_status_mb(pid, "VmHWM") or 0.0


class Terminal:
    """A process in a pty of ``WIDTH`` x ``HEIGHT``, its output fed to an emulated screen."""

    def __init__(self, argv: Sequence[str], *, cwd: Path | None = None) -> None:
        self.argv = list(argv)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "COLUMNS": str(WIDTH),
            "LINES": str(HEIGHT),
        }
        # A person's install has its bytecode cached; without it every start compiles tui/.
        for name in ("TEXTUAL", "NO_COLOR", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        self.screen = pyte.Screen(WIDTH, HEIGHT)
        self._stream = pyte.ByteStream(self.screen)
        self.master = master
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)

    def wait(self, until: Predicate, timeout: float = 60.0) -> float:
        """Read output until ``until(screen)`` holds; the ``perf_counter`` time it did."""
        deadline = time.perf_counter() + timeout
        if until(self.screen):
            return time.perf_counter()
        while True:
            left = deadline - time.perf_counter()
            if left <= 0 or self.process.poll() is not None:
                break
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if not ready:
                continue
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                break
            self._stream.feed(data)
            if until(self.screen):
                return time.perf_counter()
        shown = "\n".join(line.rstrip() for line in self.screen.display).strip()
        raise Timeout(f"{' '.join(self.argv)}: not seen within {timeout:.0f} s; screen:\n{shown}")

    def send(self, keys: bytes) -> float:
        """Type ``keys``; the ``perf_counter`` time they were sent."""
        sent = time.perf_counter()
        os.write(self.master, keys)
        return sent

    def rss_mb(self) -> float | None:
        return rss_mb(self.process.pid)

    def cpu_seconds(self) -> float:
        """CPU used so far by the process, all threads (Linux; clock-tick resolution)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self, quit_keys: bytes = b"\x03") -> None:
        """Quit politely (the app releases its lock and finishes saves), drain, then kill."""
        process = self.process
        try:
            if process.poll() is None:
                os.write(self.master, quit_keys)
            deadline = time.perf_counter() + 10
            while process.poll() is None and time.perf_counter() < deadline:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if ready:
                    try:
                        os.read(self.master, 1 << 16)
                    except OSError:
                        time.sleep(0.05)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        finally:
            os.close(self.master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def run_until(argv: Sequence[str], until: Predicate, *, timeout: float = 60.0) -> Shown:
    """Seconds from spawning ``argv`` to ``until(screen)``, with the RSS at that moment."""
    with Terminal(argv) as term:
        seen = term.wait(until, timeout)
        return Shown(seen - term.started, term.screen, term.rss_mb())


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    """One line naming the machine, for the results file."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {load:.2f}, {time.strftime('%Y-%m-%d %H:%M %Z')}"
    )


@dataclass
class Row:
    """One figure beside its reference, measured in the same run, and the target."""

    what: str
    figure: str
    reference: str
    result: str
    target: str
    met: bool | None = None


def table(title: str, rows: Sequence[Row]) -> None:
    """Print the rows as a Markdown table (pasted as is into RESULTS.md)."""
    print(f"\n### {title}\n")
    print(f"_{machine()}_\n")
    print("| what | newsmark | reference | result | target | met |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        print(f"| {r.what} | {r.figure} | {r.reference} | {r.result} | {r.target} | {met} |")
    sys.stdout.flush()
