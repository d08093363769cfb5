"""``newsmark serve``: a real server on the loopback, a real headless Chromium loading it.

textual-serve draws the terminal with xterm.js on a canvas, so the page's DOM holds no text.
The test reads what xterm shows through xterm's public buffer API, reached by a script that
Chromium runs before the page's own (via the DevTools protocol): the terminal instance is
caught as textual.js assigns it to ``this.terminal``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEED_IDS

NEEDLE = "expressed support for"
DEADLINE = 90.0  # seconds for the whole page to show the article, on a busy 2-core machine

# Runs before textual.js: keep the xterm Terminal that textual.js stores as ``this.terminal``.
HOOK = """
(() => {
  let found;
  window.__newsmarkTerminal = new Promise((resolve) => { found = resolve; });
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    get() { return undefined; },
    set(value) {
      Object.defineProperty(this, "terminal", {
        value, writable: true, configurable: true, enumerable: true,
      });
      if (value && value.buffer && value.buffer.active) found(value);
    },
  });
})();
"""

SCREEN = """
window.__newsmarkScreen = (term) => {
  const b = term.buffer.active, lines = [];
  for (let i = 0; i < b.length; i++) lines.push(b.getLine(i).translateToString(true));
  return lines.join("\\n");
};
"""


def wait_for(needle: str) -> str:
    """A page expression resolving to the screen text once it contains ``needle``."""
    return (
        SCREEN
        + f"""
window.__newsmarkTerminal.then((term) => new Promise((resolve) => {{
  const done = () => {{
    const text = window.__newsmarkScreen(term);
    if (text.includes({json.dumps(needle)})) {{ resolve(text); return true; }}
    return false;
  }};
  if (!done()) {{ const d = term.onWriteParsed(() => {{ if (done()) d.dispose(); }}); }}
}}))
"""
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End the process and its children (the server's app sessions, the browser's helpers)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # children that outlived their parent
        os.killpg(proc.pid, signal.SIGKILL)


def wait_listening(proc: subprocess.Popen[bytes], port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            pass
        try:  # waits on the process, so a server that dies is told at once
            proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        err = proc.stderr.read().decode() if proc.stderr else ""
        pytest.fail(f"newsmark serve exited with {proc.returncode}: {err}")
    pytest.fail(f"newsmark serve did not listen on 127.0.0.1:{port} in time")


def devtools_url(proc: subprocess.Popen[bytes], deadline: float) -> str:
    """Chromium prints its DevTools address on stderr when it is ready."""
    assert proc.stderr is not None
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
        if b"DevTools listening on " in line:
            return line.split(b"DevTools listening on ", 1)[1].strip().decode()
    pytest.fail(f"Chromium did not start its DevTools endpoint: {seen.decode(errors='replace')}")


@contextlib.contextmanager
def serving(workdir: Path, *options: str) -> Iterator[str]:
    """``newsmark serve`` on a free loopback port; yields its address, stops it after."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--port", str(port), *options],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_listening(proc, port, time.monotonic() + 30)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc)


@pytest.fixture
def server(workdir: Path) -> Iterator[str]:
    with serving(workdir, SEED_IDS[0]) as url:
        yield url


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Iterator[str]:
    with launch_chromium(chromium, tmp_path / "chromium-profile") as devtools:
        yield devtools


@contextlib.contextmanager
def launch_chromium(binary: str, profile: Path) -> Iterator[str]:
    """A headless Chromium with its own profile; yields its DevTools websocket address."""
    proc = subprocess.Popen(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,800",
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield devtools_url(proc, time.monotonic() + 30)
    finally:
        stop(proc)


class DevTools:
    """The few DevTools protocol calls the test needs, over one websocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    async def call(self, method: str, session: str | None = None, **params: Any) -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self.ws.send_json(message)
        while True:
            reply = await self.ws.receive_json()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    async def event(self, method: str) -> None:
        if any(e.get("method") == method for e in self.events):
            return
        while (await self.ws.receive_json()).get("method") != method:
            pass


async def screen_text(devtools_ws: str, url: str, needle: str, timeout: float) -> str:
    """What the page's terminal shows once it contains ``needle``, or when time runs out."""
    import aiohttp

    async with aiohttp.ClientSession() as http, http.ws_connect(devtools_ws, max_msg_size=0) as ws:
        cdp = DevTools(ws)
        target = (await cdp.call("Target.createTarget", url="about:blank"))["targetId"]
        session = (await cdp.call("Target.attachToTarget", targetId=target, flatten=True))[
            "sessionId"
        ]
        await cdp.call("Page.enable", session)
        await cdp.call("Page.addScriptToEvaluateOnNewDocument", session, source=HOOK)
        cdp.events.clear()
        await cdp.call("Page.navigate", session, url=url)
        evaluate = cdp.call(
            "Runtime.evaluate",
            session,
            expression=wait_for(needle),
            awaitPromise=True,
            returnByValue=True,
        )
        try:
            async with asyncio.timeout(timeout):
                await cdp.event("Page.loadEventFired")
                result = await evaluate
        except TimeoutError:
            shown = await cdp.call(
                "Runtime.evaluate",
                session,
                expression=SCREEN + "window.__newsmarkTerminal.then(window.__newsmarkScreen)",
                awaitPromise=True,
                timeout=5000,
                returnByValue=True,
            )
            return str(shown.get("result", {}).get("value", "(no terminal on the page)"))
        value: str = result["result"]["value"]
        return value


async def test_browser_shows_the_article(chromium: str, server: str, browser: str) -> None:
    # The outer bound covers a browser that stops answering DevTools calls altogether.
    text = await asyncio.wait_for(screen_text(browser, server, NEEDLE, DEADLINE), DEADLINE + 30)
    assert NEEDLE in text, f"the page did not show the article; it showed:\n{text}"
    assert "newsmark" in text  # the app's own header, not just the article bytes


def test_public_url_is_where_the_page_connects_back(workdir: Path) -> None:
    from urllib.request import urlopen

    with (
        serving(workdir, "--public-url", "https://annotate.example.org/kim/") as url,
        urlopen(url, timeout=30) as page,
    ):
        html = page.read().decode()
    assert 'data-session-websocket-url="wss://annotate.example.org/kim/ws"' in html
    assert "https://annotate.example.org/kim/static/js/textual.js" in html


def test_serve_refuses_a_missing_articles_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    assert main(["serve", "--articles", str(tmp_path / "none")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["serve", "--articles", str(tmp_path), "--port", "0"]) == 2
    assert "is not a port number" in capsys.readouterr().err


def test_each_session_runs_open_with_the_same_options(tmp_path: Path) -> None:
    import shlex

    from tui.cli import build_parser
    from tui.commands.serve import app_command

    folder = tmp_path / "my annotations"
    args = build_parser().parse_args(
        [
            "serve",
            "--annotations",
            str(folder),
            "--annotator",
            "Kim O'Neil",
            "--model",
            "m",
            "a.txt",
        ]
    )
    args.articles = Path("articles")
    argv = shlex.split(app_command(args))
    assert argv[0] == sys.executable and argv[1:4] == ["-m", "tui", "open"]
    assert argv[4:] == [
        "--articles",
        str(Path("articles").resolve()),
        "--annotations",
        str(folder),
        "--model",
        "m",
        "--annotator",
        "Kim O'Neil",
        "a.txt",
    ]


def listening_addresses(port: int) -> set[str]:
    """The addresses sockets listen on at ``port``, from the kernel's own tables."""
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        with contextlib.suppress(FileNotFoundError), open(table) as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, _, hex_port = local.partition(":")
                if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                    continue
                words = [int(address[i : i + 8], 16) for i in range(0, len(address), 8)]
                packed = b"".join(struct.pack("=I", word) for word in words)
                found.add(socket.inet_ntop(family, packed))
    return found


def test_serve_binds_to_the_loopback_by_default(workdir: Path) -> None:
    """A real server started without --host: its one listening socket is 127.0.0.1's, so
    another machine (or even 127.0.0.2) cannot connect."""
    from tui.cli import build_parser

    assert build_parser().parse_args(["serve"]).port == 8000
    with serving(workdir) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        assert listening_addresses(port) == {"127.0.0.1"}
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
