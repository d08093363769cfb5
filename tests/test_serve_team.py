"""``newsmark serve --team``: sign-in, one reader per person, and every way in refused.

The browser test runs the team server in this process (so its clock can be moved past a
session's end) and drives a real headless Chromium over the DevTools protocol: each person
signs in through the form in their own browser context, as two people on two machines would.
The other tests talk HTTP to the same server with aiohttp's client.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shlex
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, CookieJar, WSMsgType, WSServerHandshakeError, web
from yarl import URL

from tests.test_serve import HOOK, SCREEN, free_port, launch_chromium, wait_for
from tui.commands.serve import member_command
from tui.core import store
from tui.core import team as team_file
from tui.core.signin import SESSION_SECONDS
from tui.serve_team import BLOCKED, COOKIE, WRONG, TeamServer

SEEDS = Path(__file__).resolve().parent.parent / "articles"
PASSWORDS = {"kim": "kim-password-1", "lee": "lee-password-2"}
DEADLINE = 90.0  # seconds for a reader to show, on a busy 2-core machine


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Team:
    """A corpus, a team of two with overlap 1, and the server for it (not yet started)."""

    def __init__(
        self, root: Path, public_url: str | None = None, reader: str | None = None
    ) -> None:
        self.articles = root / "articles"
        self.articles.mkdir()
        seeds = sorted(SEEDS.glob("*.txt"))
        for i in range(8):  # the seed texts, made distinct, under names easy to spot
            text = seeds[i % len(seeds)].read_text(encoding="utf-8")
            (self.articles / f"story-{i:02d}.txt").write_text(f"Story {i}.\n\n{text}", "utf-8")
        self.annotations = root / "annotations"
        team = team_file.load(self.annotations)
        for name, password in PASSWORDS.items():
            team = team.with_member(name, password)
        team.save()
        ids = sorted(p.name for p in self.articles.iterdir())
        self.routed = team.assignments(ids)
        self.clock = Clock()
        self.port = free_port()
        self.started: list[str] = []  # whose reader was started, in order
        options = argparse.Namespace(
            articles=self.articles, annotations=self.annotations, model=None
        )

        def command(name: str) -> str:
            self.started.append(name)
            return reader or member_command(options, name)

        self.server = TeamServer(
            command,
            self.annotations,
            self.articles,
            host="127.0.0.1",
            port=self.port,
            public_url=public_url,
            clock=self.clock,
        )
        self.url = f"http://127.0.0.1:{self.port}/"


@contextlib.asynccontextmanager
async def running(team: Team) -> AsyncIterator[Team]:
    runner = web.AppRunner(await team.server._make_app(), shutdown_timeout=10)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", team.port).start()
    try:
        yield team
    finally:
        await runner.cleanup()  # every reader has saved and quit when this returns


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Iterator[str]:
    with launch_chromium(chromium, tmp_path / "chromium-profile") as devtools:
        yield devtools


class CDP:
    """DevTools protocol calls over one websocket, with events kept per page session."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
        self.arrived = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data:
                self.replies.pop(data["id"]).set_result(data)
            else:
                self.events[data.get("sessionId")].append(data)
                self.arrived.set()

    async def call(self, method: str, session: str | None = None, **params: Any) -> Any:
        self.next_id += 1
        reply = self.replies[self.next_id] = asyncio.get_running_loop().create_future()
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self.ws.send_json(message)
        got = await reply
        if "error" in got:
            raise AssertionError(f"{method}: {got['error']}")
        return got.get("result", {})

    async def event(self, session: str, method: str, after: int) -> None:
        """Wait for ``method`` on ``session`` among the events after the first ``after``."""
        while not any(e.get("method") == method for e in self.events[session][after:]):
            self.arrived.clear()
            await self.arrived.wait()

    async def tab(self, context: str) -> Tab:
        target = (
            await self.call("Target.createTarget", url="about:blank", browserContextId=context)
        )["targetId"]
        session = (await self.call("Target.attachToTarget", targetId=target, flatten=True))[
            "sessionId"
        ]
        await self.call("Page.enable", session)
        await self.call("Page.addScriptToEvaluateOnNewDocument", session, source=HOOK)
        return Tab(self, session, context)


class Tab:
    """One page in one browser context (a person's own cookie jar)."""

    def __init__(self, cdp: CDP, session: str, context: str) -> None:
        self.cdp = cdp
        self.session = session
        self.context = context

    async def js(self, expression: str) -> Any:
        result = await self.cdp.call(
            "Runtime.evaluate",
            self.session,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        return result.get("result", {}).get("value")

    async def load(self, action: Any) -> None:
        """Run ``action`` (a navigation or a form submit) and wait for the page it loads."""
        mark = len(self.cdp.events[self.session])
        await action
        await self.cdp.event(self.session, "Page.loadEventFired", mark)

    async def goto(self, url: str) -> str:
        await self.load(self.cdp.call("Page.navigate", self.session, url=url))
        return str(await self.js("location.pathname"))

    async def sign_in(self, url: str, name: str, password: str) -> str:
        """Fill in and submit the sign-in form; the path of the page it leads to."""
        assert await self.goto(url + "login") == "/login"
        submit = f"""
            document.getElementById("name").value = {json.dumps(name)};
            document.getElementById("password").value = {json.dumps(password)};
            document.querySelector("form").submit();
        """
        await self.load(self.js(submit))
        return str(await self.js("location.pathname"))

    async def screen(self, needle: str) -> str:
        """The terminal's text once it shows ``needle`` (or what it shows when time runs out)."""
        try:
            return str(await asyncio.wait_for(self.js(wait_for(needle)), DEADLINE))
        except TimeoutError:
            shown = await self.js(
                SCREEN + "window.__newsmarkTerminal.then(window.__newsmarkScreen)"
            )
            return str(shown)

    async def press(self, key: str) -> None:
        await self.js("window.__newsmarkTerminal.then((t) => t.focus())")
        for kind in ("keyDown", "keyUp"):
            await self.cdp.call(
                "Input.dispatchKeyEvent",
                self.session,
                type=kind,
                key=key,
                text=key if kind == "keyDown" else "",
                code=f"Key{key.upper()}",
                windowsVirtualKeyCode=ord(key.upper()),
            )


async def saved(path: Path, status: str) -> store.Annotation:
    """The annotation at ``path`` once the reader's writer has written ``status`` there."""
    deadline = time.monotonic() + 30
    while True:
        if path.exists():
            annotation, _ = store.read(path)
            if annotation.status == status:
                return annotation
        assert time.monotonic() < deadline, f"{path} was not saved as {status}"
        await asyncio.sleep(0.1)


async def test_two_people_each_get_their_own_articles_and_folder(
    tmp_path: Path, browser: str
) -> None:
    team = Team(tmp_path)
    kim, lee = team.routed["kim"], team.routed["lee"]
    assert len(kim) >= 2 and len(lee) >= 2 and set(kim).isdisjoint(lee)
    async with (
        running(team),
        ClientSession() as http,
        http.ws_connect(browser, max_msg_size=0) as ws,
    ):
        cdp = CDP(ws)
        tabs = {}
        for name in ("kim", "lee"):
            context = (await cdp.call("Target.createBrowserContext"))["browserContextId"]
            tabs[name] = await cdp.tab(context)

        # A wrong password: the form again with one sentence, and no session.
        wrong = tabs["kim"]
        assert await wrong.sign_in(team.url, "kim", "not-her-password") == "/login"
        assert WRONG in await wrong.js("document.body.innerText")
        assert await wrong.goto(team.url) == "/login"

        # Both sign in at once; each reader shows that person's first two articles.
        paths = await asyncio.gather(
            *(tabs[n].sign_in(team.url, n, PASSWORDS[n]) for n in ("kim", "lee"))
        )
        assert paths == ["/", "/"]
        shown = await asyncio.gather(
            tabs["kim"].screen(f"0 of {len(kim)} reviewed"),
            tabs["lee"].screen(f"0 of {len(lee)} reviewed"),
        )
        for text, mine, theirs in ((shown[0], kim, lee), (shown[1], lee, kim)):
            assert f"0 of {len(mine)} reviewed" in text, text
            assert mine[0] in text and mine[1] in text
            assert not any(aid in text for aid in theirs)
        assert sorted(team.started) == ["kim", "lee"]

        # Each accepts their first article: it lands in their own folder, under their name.
        for name, mine in (("kim", kim), ("lee", lee)):
            await tabs[name].press("a")
            assert f"1 of {len(mine)} reviewed" in await tabs[name].screen(
                f"1 of {len(mine)} reviewed"
            )
            written = await saved(
                store.annotation_path(team.annotations / name, mine[0]), "accepted"
            )
            assert written.annotator == name

        # The cookie is HttpOnly and SameSite=Strict (plain http here, so not Secure).
        cookies = (await cdp.call("Storage.getCookies", browserContextId=tabs["kim"].context))[
            "cookies"
        ]
        (cookie,) = [c for c in cookies if c["name"] == COOKIE]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
        assert await tabs["kim"].js("document.cookie") == ""  # not readable from the page

        # A browser without a session: sent to the sign-in, and its websocket refused.
        stranger = await cdp.tab(
            (await cdp.call("Target.createBrowserContext"))["browserContextId"]
        )
        assert await stranger.goto(team.url) == "/login"
        assert await stranger.goto(team.url + "progress") == "/login"
        opened = f"""new Promise((resolve) => {{
            const ws = new WebSocket({json.dumps(team.url.replace("http", "ws") + "ws")});
            ws.onopen = () => resolve("open");
            ws.onerror = () => resolve("refused");
        }})"""
        assert await stranger.js(opened) == "refused"

        # A forged cookie is no session either.
        await cdp.call(
            "Storage.setCookies",
            browserContextId=stranger.context,
            cookies=[{"name": COOKIE, "value": "forged-" + "x" * 40, "url": team.url}],
        )
        assert await stranger.goto(team.url) == "/login"
        assert await stranger.js(opened) == "refused"
        assert sorted(team.started) == ["kim", "lee"]  # no reader started for the refused

        # Progress, for a signed-in person: the same JSON as the command line's.
        assert await tabs["lee"].goto(team.url + "progress") == "/progress"
        assert "Team progress" in await tabs["lee"].js("document.body.innerText")

        # Back to the reader: the earlier one has quit first, so this one may edit.
        assert await tabs["lee"].goto(team.url) == "/"
        back = await tabs["lee"].screen(f"1 of {len(lee)} reviewed")
        assert f"1 of {len(lee)} reviewed" in back and "READ-ONLY" not in back, back
        await tabs["lee"].press("r")
        await saved(store.annotation_path(team.annotations / "lee", lee[0]), "rejected")

        # Once the session's time is up the same cookie is refused.
        team.clock.now += SESSION_SECONDS + 1
        assert await tabs["kim"].goto(team.url) == "/login"
        assert await tabs["kim"].js(opened) == "refused"
        cdp.reader.cancel()

    # Nothing outside the two people's folders, and only their own articles in each.
    for path in store.iter_files(team.annotations):
        name, _ = path.relative_to(team.annotations).parts
        assert name in ("kim", "lee")
        assert store.article_id_for(team.annotations / name, path) in team.routed[name]
        annotation, _ = store.read(path)
        assert annotation.annotator == name


# -- over plain HTTP ----------------------------------------------------------------------


@contextlib.asynccontextmanager
async def client(team: Team) -> AsyncIterator[ClientSession]:
    jar = CookieJar(unsafe=True)  # keep cookies from 127.0.0.1, as a browser does
    async with running(team), ClientSession(base_url=team.url, cookie_jar=jar) as http:
        yield http


async def sign_in(http: ClientSession, name: str, password: str) -> int:
    async with http.post(
        "/login", data={"name": name, "password": password}, allow_redirects=False
    ) as response:
        return response.status


async def test_more_than_five_failures_answer_429_even_to_the_right_password(
    tmp_path: Path,
) -> None:
    team = Team(tmp_path)
    async with client(team) as http:
        for _ in range(5):
            assert await sign_in(http, "kim", "guess") == 401
        async with http.post(
            "/login", data={"name": "kim", "password": "guess"}, allow_redirects=False
        ) as response:
            assert response.status == 429
            assert BLOCKED in await response.text()
            assert 0 < int(response.headers["Retry-After"]) <= 60
        assert await sign_in(http, "kim", PASSWORDS["kim"]) == 429
        assert await sign_in(http, "lee", PASSWORDS["lee"]) == 303  # others are not blocked
        team.clock.now += 61
        assert await sign_in(http, "kim", PASSWORDS["kim"]) == 303
        assert await sign_in(http, "nobody", "guess") == 401  # an unknown name: the same answer


async def test_guesses_sent_at_once_cannot_get_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty sign-ins at once, the right password last: six passwords are checked, as when
    they come one by one, and the right one is never reached."""
    checked: list[str] = []
    verify = team_file.verify_password

    def counted(password: str, stored: str | None) -> bool:
        checked.append(password)
        return verify(password, stored)

    monkeypatch.setattr(team_file, "verify_password", counted)
    team = Team(tmp_path)
    async with client(team) as http:
        guesses = ["guess"] * 39 + [PASSWORDS["kim"]]
        got = await asyncio.gather(*(sign_in(http, "kim", g) for g in guesses))
    assert len(checked) == 6 and PASSWORDS["kim"] not in checked
    assert 303 not in got and got.count(429) >= 34


async def test_a_new_password_ends_the_sessions_of_the_old_one(tmp_path: Path) -> None:
    team = Team(tmp_path)
    async with client(team) as http:
        assert await sign_in(http, "lee", PASSWORDS["lee"]) == 303
        async with http.get("/progress", allow_redirects=False) as response:
            assert response.status == 200
        reset = team_file.load(team.annotations).without("lee")
        reset.with_member("lee", "a brand new password").save()
        async with http.get("/progress", allow_redirects=False) as response:
            assert response.status == 302  # to /login
        assert await sign_in(http, "lee", "a brand new password") == 303


async def test_a_team_file_being_saved_signs_nobody_out(tmp_path: Path) -> None:
    team = Team(tmp_path)
    path = team_file.team_path(team.annotations)
    good = path.read_text("utf-8")
    async with client(team) as http:
        assert await sign_in(http, "kim", PASSWORDS["kim"]) == 303
        path.write_text(good[: len(good) // 2] + "\n[[", "utf-8")  # halfway through a save
        async with http.get("/progress", allow_redirects=False) as response:
            assert response.status == 200
        path.unlink()  # an editor that renames the file away while it writes
        async with http.get("/progress", allow_redirects=False) as response:
            assert response.status == 200
        assert await sign_in(http, "lee", PASSWORDS["lee"]) == 303  # the team last read
        path.write_text(good, "utf-8")
        team_file.load(team.annotations).without("lee").save()
        async with http.get("/progress", allow_redirects=False) as response:
            assert response.status == 302  # a real change still counts


async def test_sign_out_ends_the_session_and_a_removed_member_is_out(tmp_path: Path) -> None:
    team = Team(tmp_path)
    async with client(team) as http:
        assert await sign_in(http, "kim", PASSWORDS["kim"]) == 303
        async with http.get("/progress", params={"format": "json"}) as response:
            assert response.status == 200
            figures = await response.json()
        assert [m["name"] for m in figures["members"]] == ["kim", "lee"]
        assert [m["assigned"] for m in figures["members"]] == [
            len(team.routed["kim"]),
            len(team.routed["lee"]),
        ]
        token = http.cookie_jar.filter_cookies(URL(team.url))[COOKIE].value
        async with http.post("/logout", allow_redirects=False) as response:
            assert response.status == 303
        async with http.get("/", allow_redirects=False, cookies={COOKIE: token}) as response:
            assert response.status == 302 and response.headers["Location"].endswith("/login")

        assert await sign_in(http, "lee", PASSWORDS["lee"]) == 303
        team_file.load(team.annotations).without("lee").save()
        async with http.get("/", allow_redirects=False) as response:
            assert response.status == 302


async def test_state_changes_from_another_site_are_refused(tmp_path: Path) -> None:
    team = Team(tmp_path)
    async with client(team) as http:
        async with http.post(
            "/login",
            data={"name": "kim", "password": PASSWORDS["kim"]},
            headers={"Origin": "https://evil.example"},
            allow_redirects=False,
        ) as response:
            assert response.status == 403
        assert await sign_in(http, "kim", PASSWORDS["kim"]) == 303
        with pytest.raises(WSServerHandshakeError) as refused:
            await http.ws_connect("/ws", headers={"Origin": "https://evil.example"})
        assert refused.value.status == 403
    assert team.started == []


async def test_the_cookie_is_secure_behind_https(tmp_path: Path) -> None:
    team = Team(tmp_path, public_url="https://annotate.example.org/team")
    async with (
        client(team) as http,
        http.post(
            "/login", data={"name": "kim", "password": PASSWORDS["kim"]}, allow_redirects=False
        ) as response,
    ):
        assert response.status == 303
        assert response.headers["Location"] == "https://annotate.example.org/team/"
        cookie = response.headers["Set-Cookie"]
    parts = {p.strip().split("=")[0].lower() for p in cookie.split(";")}
    assert {"httponly", "secure", "samesite", "path"} <= parts
    assert "SameSite=Strict" in cookie and "Path=/team/" in cookie


async def test_nothing_of_the_app_without_a_session(tmp_path: Path) -> None:
    team = Team(tmp_path)
    async with client(team) as http:
        async with http.get("/", allow_redirects=False) as response:
            assert response.status == 302 and response.headers["Location"].endswith("/login")
        for path in ("/static/js/textual.js", "/download/x", "/logout"):
            async with http.get(path, allow_redirects=False) as response:
                assert response.status == 401, path
        with pytest.raises(WSServerHandshakeError) as refused:
            await http.ws_connect("/ws")
        assert refused.value.status == 401
        async with http.get("/login") as response:
            page = await response.text()
            assert response.status == 200 and 'type="password"' in page
            assert response.headers["X-Frame-Options"] == "DENY"
    assert team.started == []


# -- the command line ---------------------------------------------------------------------


def test_serve_team_needs_a_team_and_no_single_person_options(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    assert main(["serve", "--team"]) == 2
    assert "no team yet" in capsys.readouterr().err
    team_file.load(workdir / "annotations").with_member("kim", PASSWORDS["kim"]).save()
    assert main(["serve", "--team", "--annotator", "kim"]) == 2
    assert "drop the article names and --annotator" in capsys.readouterr().err


def test_newsmark_serve_team_signs_people_in(workdir: Path) -> None:
    """The real command, as a coordinator starts it: sign-in form, then the reader's page."""
    from http.cookiejar import CookieJar as Jar
    from urllib.error import HTTPError
    from urllib.parse import urlencode
    from urllib.request import HTTPCookieProcessor, build_opener

    from tests.test_serve import serving

    team_file.load(workdir / "annotations").with_member("kim", PASSWORDS["kim"]).save()
    opener = build_opener(HTTPCookieProcessor(Jar()))
    with serving(workdir, "--team") as url:
        with opener.open(url, timeout=30) as page:  # sent on to the sign-in form
            assert page.url == url + "login" and 'name="password"' in page.read().decode()
        with pytest.raises(HTTPError) as wrong:
            opener.open(url + "login", urlencode({"name": "kim", "password": "x"}).encode())
        assert wrong.value.code == 401
        form = urlencode({"name": "kim", "password": PASSWORDS["kim"]}).encode()
        with opener.open(url + "login", form, timeout=30) as page:
            assert page.url == url and "textual.js" in page.read().decode()


async def test_the_page_connects_back_to_the_address_the_browser_used(tmp_path: Path) -> None:
    """Without --public-url, a browser at localhost keeps its cookie on localhost."""
    team = Team(tmp_path)
    async with client(team) as http:
        headers = {"Host": f"localhost:{team.port}"}
        form = {"name": "kim", "password": PASSWORDS["kim"]}
        async with http.post(
            "/login", data=form, headers=headers, allow_redirects=False
        ) as response:
            assert response.status == 303 and response.headers["Location"] == "/"
        async with http.get("/", headers=headers) as response:
            page = await response.text()
    assert f'data-session-websocket-url="ws://localhost:{team.port}/ws"' in page
    assert f"http://localhost:{team.port}/static/js/textual.js" in page


# A stand-in reader that announces itself as textual-serve expects and ends at once.
NO_READER = shlex.join([sys.executable, "-c", "print('__GANGLION__')"])


async def test_signing_out_or_expiring_closes_the_open_reader(tmp_path: Path) -> None:
    team = Team(tmp_path, reader=NO_READER)
    async with client(team) as http:
        assert await sign_in(http, "kim", PASSWORDS["kim"]) == 303
        ws = await http.ws_connect("/ws")
        async with http.post("/logout", allow_redirects=False) as response:
            assert response.status == 303
        message = await asyncio.wait_for(ws.receive(), 30)
        assert message.type == WSMsgType.CLOSE and message.data == 4001

        assert await sign_in(http, "kim", PASSWORDS["kim"]) == 303
        ws = await http.ws_connect("/ws")
        await ws.send_json(["ping", "1"])
        assert (await asyncio.wait_for(ws.receive_json(), 30)) == ["pong", "1"]
        team.clock.now += SESSION_SECONDS + 1
        await ws.send_json(["ping", "2"])
        message = await asyncio.wait_for(ws.receive(), 30)
        assert message.type == WSMsgType.CLOSE and message.data == 4001
    assert team.started == ["kim", "kim"]


def test_each_person_runs_open_as_a_member_with_the_servers_options(tmp_path: Path) -> None:
    options = argparse.Namespace(
        articles=Path("articles"), annotations=tmp_path / "my team", model="m", order=None
    )
    argv = shlex.split(member_command(options, "kim"))
    assert argv[0] == sys.executable and argv[1:4] == ["-m", "tui", "open"]
    assert argv[4:] == [
        "--articles",
        str(Path("articles").resolve()),
        "--annotations",
        str(tmp_path / "my team"),
        "--member",
        "kim",
        "--model",
        "m",
    ]
    options.order, options.seed = "uncertain", 3  # a queue order goes to every reader
    assert shlex.split(member_command(options, "kim"))[-4:] == [
        "--order",
        "uncertain",
        "--seed",
        "3",
    ]


async def test_a_person_with_no_article_gets_a_sentence_not_a_reader(tmp_path: Path) -> None:
    team = Team(tmp_path)
    for story in team.articles.iterdir():  # one article left: one of the two has nothing
        if story.name != "story-00.txt":
            story.unlink()
    idle = "lee" if "story-00.txt" in team.routed["kim"] else "kim"
    async with client(team) as http:
        assert await sign_in(http, idle, PASSWORDS[idle]) == 303
        async with http.get("/") as response:
            page = await response.text()
    assert response.status == 200 and f"No article is routed to {idle} yet" in page
    assert "textual.js" not in page and team.started == []
