"""A team on one server: 8 people signed in at once to ``newsmark serve --team``, each typing.

The real command serves a generated corpus to a team of 8 (overlap 2) plus one more person,
``solo``, who is measured first, alone, as the reference. Each person is a client doing what
the browser page does: ``POST /login``, then the websocket with the session cookie, the
terminal's bytes fed to an emulated screen (pyte). Measured per person:

- first frame: from the sign-in request to the reader on screen (their first article's name
  and the reviewed count in the header);
- edits: ``EDITS`` rounds of ``l``, ``L``, ``1`` (select two tokens, label them PERSON: always
  a new span of the person's, even over a suggestion), ``a`` (accept, next article), a key
  every ``KEY_GAP`` seconds like a quick typist; the time from ``a`` to the header's new count;
- saved: afterwards, every person's folder is read: an accepted TOML per round, each holding
  the label they typed (``source = "user"``), written as that person;
- memory: RSS and PSS (resident, with shared pages split between the processes sharing them)
  of each person's reader process, with the model loaded, read from /proc.

    .venv/bin/python bench/team.py [--people 8] [--edits 10] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import common
import pyte
from aiohttp import ClientSession, CookieJar, WSMsgType

sys.path.insert(0, str(common.ROOT))

from tui.core import store  # noqa: E402
from tui.core import team as team_file  # noqa: E402

KEY_GAP = 0.15
PASSWORD = "bench-password"
FIRST_FRAME_TARGET = 15.0  # seconds, p95 with everyone signing in at once
MEMORY_TARGET = 300.0  # MB resident per reader, as the corpus bench asks of one reader


@dataclass
class Person:
    name: str
    articles: list[str]
    first_frame: float = 0.0
    key_to_screen: list[float] = field(default_factory=list)
    pid: int | None = None
    rss: float | None = None
    pss: float | None = None
    cpu_first: float | None = None  # the reader's CPU seconds when its first frame showed
    cpu_model: float | None = None  # ... and once the model was loaded
    error: str | None = None


class Screen:
    def __init__(self) -> None:
        self.screen = pyte.Screen(common.WIDTH, common.HEIGHT)
        self.stream = pyte.ByteStream(self.screen)
        self.changed = asyncio.Event()

    def feed(self, data: bytes) -> None:
        self.stream.feed(data)
        self.changed.set()

    def shows(self, *needles: str) -> bool:
        return all(common.text_on(self.screen, n) for n in needles)

    async def until(self, *needles: str, timeout: float = 120.0, gone: str = "") -> None:
        """Until the screen shows every needle (and no longer shows ``gone``)."""
        async with asyncio.timeout(timeout):
            while not self.shows(*needles) or (gone and common.text_on(self.screen, gone)):
                self.changed.clear()
                await self.changed.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def reader_pid(name: str) -> int | None:
    """The ``newsmark open --member NAME`` process, found in /proc."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--member" in argv and argv[argv.index(b"--member") + 1] == name.encode():
            return int(entry.name)
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User plus system CPU time of a live process so far."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pss_mb(pid: int) -> float | None:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return None


async def work(url: str, person: Person, edits: int, done: asyncio.Event | None) -> None:
    """Sign in, wait for the reader, type ``edits`` rounds; stay connected until ``done``."""
    screen = Screen()
    jar = CookieJar(unsafe=True)
    async with ClientSession(cookie_jar=jar) as http:
        started = time.perf_counter()
        form = {"name": person.name, "password": PASSWORD}
        async with http.post(url + "login", data=form, allow_redirects=False) as response:
            assert response.status == 303, f"sign-in of {person.name}: {response.status}"
        ws = await http.ws_connect(f"{url}ws?width={common.WIDTH}&height={common.HEIGHT}")

        async def receive() -> None:
            async for message in ws:
                if message.type == WSMsgType.BINARY:
                    screen.feed(message.data)

        reading = asyncio.create_task(receive())
        total = len(person.articles)
        await screen.until(person.articles[0], f"0 of {total} reviewed")
        person.first_frame = time.perf_counter() - started
        person.cpu_first = cpu_seconds(reader_pid(person.name))
        for k in range(1, edits + 1):
            for key in ("l", "L", "1"):
                await ws.send_json(["stdin", key])
                await asyncio.sleep(KEY_GAP)
            sent = time.perf_counter()
            await ws.send_json(["stdin", "a"])
            await screen.until(f"{k} of {total} reviewed")
            person.key_to_screen.append(time.perf_counter() - sent)
            await asyncio.sleep(KEY_GAP)
        await screen.until("reviewed", gone="loading model")  # memory with the model in it
        person.pid = reader_pid(person.name)
        person.cpu_model = cpu_seconds(person.pid)
        if person.pid is not None:
            person.rss, person.pss = common.rss_mb(person.pid), pss_mb(person.pid)
        if done is not None:
            await done.wait()
        await ws.send_json(["stdin", "q"])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reading, 30)
        await ws.close()


async def crowd(url: str, people: list[Person], edits: int) -> None:
    """Everyone at once; each stays signed in until all have finished typing."""
    done = asyncio.Event()

    async def one(person: Person) -> None:
        try:
            await work(url, person, edits, done)
        except Exception as exc:  # one person's failure is reported, the rest go on
            person.error = f"{type(exc).__name__}: {exc}"
            raise

    tasks = [asyncio.create_task(one(p)) for p in people]
    while not all(p.pid or p.error for p in people):
        await asyncio.sleep(0.2)
    done.set()
    await asyncio.gather(*tasks, return_exceptions=True)


def saved_rounds(annotations: Path, person: Person) -> tuple[int, list[str]]:
    """Articles the person accepted with a label of theirs; problems found on the way.

    ``a`` accepts the article in the focused pane and opens the next one not on screen, so
    the accepted articles are the person's, though not the first ones in a row.
    """
    folder = annotations / person.name
    good, problems = 0, []
    mine = set(person.articles)
    for path in store.iter_files(folder):
        aid = store.article_id_for(folder, path)
        annotation, spans = store.read(path)
        if aid not in mine:
            problems.append(f"{path} is not {person.name}'s article")
        elif annotation.annotator != person.name:
            problems.append(f"{path} written as {annotation.annotator}")
        elif annotation.status == "accepted":
            if any(s.source == "user" for s in spans):
                good += 1
            else:
                problems.append(f"{path}: accepted with no label typed")
    strays = [
        p
        for p in store.iter_files(annotations)
        if p.relative_to(annotations).parts[0] not in TEAM_NAMES
    ]
    problems += [f"{p} outside the people's folders" for p in strays]
    return good, problems


TEAM_NAMES: set[str] = set()


def stats(values: list[float]) -> tuple[float, float]:
    return common.median(values), common.percentile(values, 0.95)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--edits", type=int, default=10, help="rounds each person types")
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--quick", action="store_true", help="2 people, 2 rounds: does it run")
    args = parser.parse_args()
    if args.quick:
        args.people, args.edits, args.articles = 2, 2, 40
    common.compile_bytecode()
    work_dir = Path(tempfile.mkdtemp(prefix="newsmark-team-bench-"))
    articles, annotations = work_dir / "articles", work_dir / "annotations"
    common.generated_corpus(articles, args.articles)
    names = [f"p{i + 1}" for i in range(args.people)]
    team = team_file.load(annotations).with_overlap(2)
    for name in ["solo", *names]:
        team = team.with_member(name, PASSWORD)
    team.save()
    TEAM_NAMES.update(team.names)
    from tui.core.article import Corpus

    routed = team.assignments(Corpus.open(articles).ids)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [common.PYTHON, "-m", "tui", "serve", "--team", "--port", str(port)]
        + ["--articles", str(articles), "--annotations", str(annotations)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        cwd=common.ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                err = server.stderr.read().decode() if server.stderr else ""
                raise SystemExit(f"newsmark serve --team did not start: {err}")
            time.sleep(0.1)
        solo = Person("solo", routed["solo"])
        asyncio.run(crowd(url, [solo], args.edits))
        people = [Person(n, routed[n]) for n in names]
        asyncio.run(crowd(url, people, args.edits))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    failed = [f"{p.name}: {p.error}" for p in [solo, *people] if p.error]
    if failed:
        print("\n".join(failed), file=sys.stderr)
        return 1
    good, problems = 0, []
    for p in people:
        n, found = saved_rounds(annotations, p)
        good += n
        problems += found
    first = [p.first_frame for p in people]
    keys = [k for p in people for k in p.key_to_screen]
    rss = [p.rss for p in people if p.rss is not None]
    pss = [p.pss for p in people if p.pss is not None]
    f50, f95 = stats(first)
    k50, k95 = stats(keys)
    s50, s95 = stats(solo.key_to_screen)
    n = len(people)
    rows = [
        common.Row(
            f"sign-in to first frame, {n} at once, p50 / p95",
            f"{f50:.1f} / {f95:.1f} s",
            f"{solo.first_frame:.1f} s (one person alone)",
            f"{f95 / solo.first_frame:.1f}x",
            f"p95 <= {FIRST_FRAME_TARGET:.0f} s",
            f95 <= FIRST_FRAME_TARGET,
        ),
        common.Row(
            f"accept key to screen while {n} type, p50 / p95 of {len(keys)}",
            f"{k50 * 1000:.0f} / {k95 * 1000:.0f} ms",
            f"{s50 * 1000:.0f} / {s95 * 1000:.0f} ms (alone)",
            f"{k95 / s95:.1f}x",
            "",
        ),
        common.Row(
            "edits saved (accepted, labelled, by that person, in their folder)",
            f"{good} of {n * args.edits}",
            "",
            "; ".join(problems[:3]) or "every folder complete",
            "all",
            good == n * args.edits and not problems,
        ),
        common.Row(
            "memory per reader with the model, RSS / PSS (mean)",
            f"{sum(rss) / len(rss):.0f} / {sum(pss) / len(pss):.0f} MB" if rss and pss else "n/a",
            f"{solo.rss or 0:.0f} / {solo.pss or 0:.0f} MB (alone)",
            f"{n} readers: {sum(pss):.0f} MB PSS in all" if pss else "",
            f"RSS <= {MEMORY_TARGET:.0f} MB",
            bool(rss) and max(rss) <= MEMORY_TARGET,
        ),
    ]
    cpu_first = [p.cpu_first for p in people if p.cpu_first is not None]
    cpu_model = [p.cpu_model for p in people if p.cpu_model is not None]
    if cpu_first and cpu_model:
        rows.append(
            common.Row(
                "a reader's CPU: to its first frame / with the model loaded (mean)",
                f"{sum(cpu_first) / len(cpu_first):.1f} / {sum(cpu_model) / len(cpu_model):.1f} s",
                f"{solo.cpu_first or 0:.1f} / {solo.cpu_model or 0:.1f} s (alone)",
                f"{n} readers need {sum(cpu_model) / (os.cpu_count() or 1):.1f} s of all "
                f"{os.cpu_count()} cores",
                "",
            )
        )
    common.table(
        f"A team on one server: {n} people signed in at once, {args.edits} edit rounds each, "
        f"{args.articles} articles, overlap 2",
        rows,
    )
    shutil.rmtree(work_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
