"""``newsmark serve --team``: one server for a whole team, behind a sign-in.

textual-serve's server runs one command for every browser. This subclass puts a sign-in in
front of it and runs, for each signed-in person, ``newsmark open --member NAME``: that
reader writes only ``<annotations>/<name>/`` and shows only the articles routed to them.

Everything but ``/login`` needs a session: ``/`` and ``/progress`` redirect to the sign-in
form, anything else (the websocket, the static files, downloads) answers 401 before any work
is done, so no app process starts for a connection without a session. Requests that change
state (``POST``, the websocket) must come from the server's own pages (``Origin`` checked).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from tui.core import team as team_file
from tui.core.article import CorpusError
from tui.core.progress import Progress, progress
from tui.core.signin import Clock, Sessions, Throttle, fingerprint

log = logging.getLogger("newsmark.serve")

COOKIE = "newsmark_session"
MEMBER = web.RequestKey("member", str)
TOKEN = web.ResponseKey("token", str)
OPEN_PATHS = frozenset({"/login"})
REDIRECT_PATHS = frozenset({"/", "/progress"})
WRONG = "Wrong name or password."
BLOCKED = "Too many failed sign-ins for this name; wait a minute and try again."
UNREADABLE = "The team file cannot be read; ask whoever runs the server to look at its log."
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CLOSE_GRACE = 1.0  # seconds for an earlier page's socket to be seen closing
STOP_WAIT = 15.0  # seconds for its reader to save and quit


@dataclass(eq=False)  # each reader is itself, kept in sets
class Reader:
    """One person's reader process: its socket has closed; it has quit."""

    closing: asyncio.Event = field(default_factory=asyncio.Event)
    stopped: asyncio.Event = field(default_factory=asyncio.Event)


def _close_pipes(app_service: AppService) -> None:
    """Close a quit reader's pipes now: textual-serve leaves them to the garbage collector,
    and a server that runs for weeks should not hold them until it runs."""
    process = getattr(app_service, "_process", None)
    transport = getattr(process, "_transport", None)
    if transport is not None:
        transport.close()


async def _all_set(events: list[asyncio.Event], timeout: float) -> None:
    if events:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), timeout)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · newsmark</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #0c181f; color: #e8eef2;
       display: flex; justify-content: center; margin: 0; padding: 3em 1em; }}
main {{ background: #12232d; padding: 2em 2.5em; border-radius: 6px; min-width: 20em; }}
h1 {{ font-size: 1.4em; margin-top: 0; }}
label {{ display: block; margin: 1em 0 .3em; }}
input {{ font-size: 1em; padding: .4em; width: 100%; box-sizing: border-box; }}
button {{ margin-top: 1.5em; font-size: 1em; padding: .5em 1.5em; }}
p.error {{ color: #ff9d8a; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ padding: .3em .8em; border-bottom: 1px solid #2c4656; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
a {{ color: #8ecbff; }}
</style></head>
<body><main>
{body}
</main></body></html>
"""


def page(title: str, body: str, status: int = 200) -> web.Response:
    response = web.Response(
        text=PAGE.format(title=html.escape(title), body=body),
        content_type="text/html",
        status=status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def login_form(message: str = "", name: str = "") -> str:
    error = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    return f"""<h1>newsmark: sign in</h1>
{error}
<form method="post" action="login">
<label for="name">Name</label>
<input id="name" name="name" autocomplete="username" required value="{html.escape(name)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>"""


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def progress_html(report: Progress, name: str) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(m.name)}</td><td>{m.assigned}</td><td>{m.reviewed}</td>"
        f"<td>{m.assigned - m.reviewed}</td></tr>"
        for m in report.members
    )
    pairs = ""
    for p in report.pairs:
        pair = p.report.pairs[0]
        pairs += (
            f"<tr><td>{html.escape(p.a)} / {html.escape(p.b)}</td><td>{p.shared}</td>"
            f"<td>{len(p.report.articles)}</td><td>{_f(pair.overall.f1)}</td>"
            f"<td>{_f(pair.overall.partial_f1)}</td><td>{_f(pair.kappa)}</td></tr>"
        )
    statuses = ", ".join(sorted(report.statuses))
    return f"""<h1>Team progress</h1>
<p>Signed in as <b>{html.escape(name)}</b>. Each article goes to {report.overlap}
annotator(s). <a href="./">Back to the reader</a></p>
<table><tr><th>annotator</th><th>assigned</th><th>reviewed</th><th>left</th></tr>{rows}</table>
<h2>Agreement on overlapping articles</h2>
<p>As <code>newsmark agree</code> counts it, on articles {html.escape(statuses)}
in both folders.</p>
<table><tr><th>pair</th><th>shared</th><th>compared</th><th>F1</th><th>partial F1</th>
<th>Cohen's kappa</th></tr>{pairs}</table>
<form method="post" action="logout"><button type="submit">Sign out</button></form>"""


def same_origin(request: web.Request, public_url: str) -> bool:
    """A browser's ``Origin`` must be this server (as the public URL or the Host header says).

    Requests without one (not from a browser page) are let through: the cookie still decides.
    """
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    got = urlsplit(origin)
    public = urlsplit(public_url)
    if (got.scheme, got.netloc) == (public.scheme, public.netloc):
        return True
    return got.netloc == request.host and got.scheme in ("http", "https")


class TeamServer(Server):
    """textual-serve's server with a sign-in, one reader per person, and ``/progress``."""

    def __init__(
        self,
        command: Callable[[str], str],
        annotations: Path,
        articles: Path,
        *,
        host: str,
        port: int,
        public_url: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__("newsmark", host=host, port=port, title="newsmark", public_url=public_url)
        self.command_for = command
        self.annotations = annotations
        self.articles = articles
        self.secure = self.public_url.startswith("https:")
        self.sessions = Sessions(clock=clock) if clock else Sessions()
        self.throttle = Throttle(clock=clock) if clock else Throttle()
        self.cookie_path = (urlsplit(self.public_url).path.rstrip("/") or "") + "/"
        self.explicit_url = public_url is not None
        self.sockets: dict[str, set[web.WebSocketResponse]] = {}  # the open readers, by cookie
        self.readers: dict[str, set[Reader]] = {}  # by person
        self._team: team_file.Team | None = None
        self._team_stamp: tuple[int, int, int] | None = None
        self._bad_stamp: tuple[int, int, int] | None | bool = False  # the fault last logged
        self._checking = asyncio.Semaphore(2)  # password checks at once

    def url(self, path: str) -> str:
        """Where to send the browser: under the public URL when one was given, else on the
        address the browser used (``localhost`` and ``127.0.0.1`` hold separate cookies)."""
        if not self.explicit_url:
            return "/" + path.lstrip("/")
        return f"{self.public_url.rstrip('/')}/{path.lstrip('/')}"

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's page, connecting back to the address the browser used unless a
        public URL was given, so the websocket carries the cookie the sign-in set."""
        try:  # say why there is nothing to annotate, rather than start a reader that cannot
            await asyncio.to_thread(
                team_file.member_view, self.annotations, self.articles, request[MEMBER]
            )
        except (team_file.TeamError, CorpusError, OSError) as exc:
            body = (
                f"<h1>Nothing to annotate</h1><p>{html.escape(str(exc))}</p>"
                '<p><a href="progress">Team progress</a></p>'
                '<form method="post" action="logout"><button type="submit">Sign out</button></form>'
            )
            return page("Nothing to annotate", body)
        base = self.public_url.rstrip("/") if self.explicit_url else f"http://{request.host}"
        scheme, rest = base.split(":", 1)
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{'wss' if scheme == 'https' else 'ws'}:{rest}/ws",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        # Never kept in the back-forward cache: a cached page would keep its reader running,
        # holding the person's folder, after they moved on to /progress.
        response.headers["Cache-Control"] = "no-store"
        return response

    # -- the app ----------------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        app.router.add_get("/login", self.handle_login_form)
        app.router.add_post("/login", self.handle_login)
        app.router.add_get("/logout", self.handle_logout_form)
        app.router.add_post("/logout", self.handle_logout)
        app.router.add_get("/progress", self.handle_progress)
        return app

    def team(self) -> team_file.Team:
        """The team file as it is now: read again whenever it changed on disk. While it cannot
        be read (an editor halfway through saving it, a typo) the team last read stays in
        force, so nobody is signed out by it, and the fault is logged once."""
        path = team_file.team_path(self.annotations)
        try:
            stat = path.stat()
            stamp: tuple[int, int, int] | None = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = None
        if self._team is not None and stamp == self._team_stamp:
            return self._team
        try:
            if stamp is None and self._team is not None:
                raise team_file.TeamError(f"{path} is gone")
            team = team_file.load(self.annotations)
        except team_file.TeamError as exc:
            if self._team is None:
                raise
            if stamp != self._bad_stamp:
                self._bad_stamp = stamp
                log.error("%s; the team as last read stays in force", exc)
            return self._team
        self._team, self._team_stamp = team, stamp
        return team

    def member(self, token: str | None) -> str | None:
        """Who holds this session; a removed member's sessions end with them, and so do the
        sessions signed in with a password that has since been changed."""
        found = self.sessions.session(token)
        if found is None:
            return None
        try:
            now = self.team().members.get(found.name)
        except team_file.TeamError as exc:  # never read: nobody can be checked
            log.error("%s", exc)
            return None
        if now is None:
            self.sessions.end_all(found.name)
            return None
        if found.proof != fingerprint(now.password):
            self.sessions.end(token)
            return None
        return found.name

    def signed_in(self, request: web.Request) -> str | None:
        return self.member(request.cookies.get(COOKIE))

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method not in ("GET", "HEAD") and not same_origin(request, self.public_url):
            response: web.StreamResponse = web.Response(
                status=403, text="This request did not come from a newsmark page."
            )
        elif request.path in OPEN_PATHS:
            response = await handler(request)
        elif (name := self.signed_in(request)) is None:
            if request.path in REDIRECT_PATHS and request.method in ("GET", "HEAD"):
                response = web.Response(status=302, headers={"Location": self.url("login")})
            else:
                response = web.Response(status=401, text="Sign in at /login first.")
        elif request.path == "/ws" and not same_origin(request, self.public_url):
            response = web.Response(status=403, text="This connection did not come from newsmark.")
        else:
            request[MEMBER] = name
            response = await handler(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    # -- signing in and out -----------------------------------------------------------------

    async def handle_login_form(self, request: web.Request) -> web.StreamResponse:
        if self.signed_in(request) is not None:
            return web.Response(status=302, headers={"Location": self.url("")})
        return page("Sign in", login_form())

    async def handle_login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        name, password = form.get("name"), form.get("password")
        if not isinstance(name, str) or not isinstance(password, str):
            return page("Sign in", login_form(WRONG), status=401)
        name = name.strip()[:100]
        if not self.throttle.attempt(name):
            return self._blocked(name)
        try:
            member = self.team().members.get(name)
        except team_file.TeamError as exc:
            log.error("%s", exc)
            return page("Sign in", login_form(UNREADABLE), status=500)
        stored = member.password if member is not None else None
        # scrypt takes tens of milliseconds: off the loop, so other people's screens keep
        # moving, and a few at a time, so a burst of guesses cannot take every thread
        async with self._checking:
            ok = await asyncio.to_thread(team_file.verify_password, password, stored)
        if not ok:
            if self.throttle.blocked(name):
                return self._blocked(name)
            return page("Sign in", login_form(WRONG, name), status=401)
        assert stored is not None
        self.throttle.succeeded(name)
        token = self.sessions.start(name, fingerprint(stored))
        response = web.Response(status=303, headers={"Location": self.url("")})
        response.set_cookie(
            COOKIE,
            token,
            path=self.cookie_path,
            max_age=int(self.sessions.lifetime),
            httponly=True,
            secure=self.secure,
            samesite="Strict",
        )
        return response

    def _blocked(self, name: str) -> web.Response:
        response = page("Sign in", login_form(BLOCKED, name), status=429)
        response.headers["Retry-After"] = str(self.throttle.retry_after(name))
        return response

    async def handle_logout_form(self, request: web.Request) -> web.StreamResponse:
        name = html.escape(request[MEMBER])
        body = (
            f"<h1>Sign out</h1><p>Signed in as <b>{name}</b>.</p>"
            '<form method="post" action="logout"><button type="submit">Sign out</button></form>'
        )
        return page("Sign out", body)

    async def handle_logout(self, request: web.Request) -> web.StreamResponse:
        token = request.cookies.get(COOKIE)
        self.sessions.end(token)
        await self.close_sockets(token)
        response = web.Response(status=303, headers={"Location": self.url("login")})
        response.del_cookie(
            COOKIE, path=self.cookie_path, secure=self.secure, httponly=True, samesite="Strict"
        )
        return response

    # -- progress ---------------------------------------------------------------------------

    async def handle_progress(self, request: web.Request) -> web.StreamResponse:
        try:
            report = await asyncio.to_thread(progress, self.team(), self.articles)
        except (team_file.TeamError, CorpusError, OSError, ValueError) as exc:
            return page("Progress", f"<p class='error'>{html.escape(str(exc))}</p>", status=500)
        if request.query.get("format") == "json":
            response = web.json_response(report.to_json(), dumps=json.dumps)
            response.headers["Cache-Control"] = "no-store"
            return response
        return page("Progress", progress_html(report, request[MEMBER]))

    # -- one reader per person --------------------------------------------------------------

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, with the signed-in person's own command.

        A person's earlier reader that is quitting (their page went to /progress and back,
        or was reloaded) is waited for, so the new one finds their folder free instead of
        opening read-only.
        """
        name: str = request[MEMBER]
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        app_service: AppService | None = None
        token = request.cookies.get(COOKIE, "")
        websocket[TOKEN] = token
        self.sockets.setdefault(token, set()).add(websocket)
        reader = Reader()
        try:
            await websocket.prepare(request)
            await self._after_earlier_readers(name)
            self.readers.setdefault(name, set()).add(reader)
            app_service = AppService(
                self.command_for(name),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,  # type: ignore[arg-type]  # as textual-serve does
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:
            log.exception(error)
        finally:
            reader.closing.set()
            self.sockets.get(token, set()).discard(websocket)
            try:
                if app_service is not None:
                    await app_service.stop()
                    _close_pipes(app_service)
            finally:
                reader.stopped.set()
                self.readers.get(name, set()).discard(reader)
        return websocket

    async def _after_earlier_readers(self, name: str) -> None:
        """Wait for this person's readers that are quitting; a page that navigated away has
        closed its socket by now, or within a moment. One still open (a second tab) is left
        alone: the new reader opens read-only, as a second reader on a folder does."""
        readers = list(self.readers.get(name, ()))
        if not readers:
            return
        await _all_set([r.closing for r in readers], CLOSE_GRACE)
        await _all_set([r.stopped for r in readers if r.closing.is_set()], STOP_WAIT)

    async def _process_messages(
        self, websocket: web.WebSocketResponse, app_service: AppService
    ) -> None:
        """textual-serve's loop, ended as soon as the session is: signed out, expired or the
        person removed from the team (the reader then quits, saving everything)."""
        token = websocket.get(TOKEN, "")
        async for message in websocket:
            if self.member(token) is None:
                await websocket.close(code=4001, message=b"signed out")
                return
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(
                    to_int(str(data.get("width")), 80), to_int(str(data.get("height")), 24)
                )
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def close_sockets(self, token: str | None) -> None:
        for websocket in list(self.sockets.pop(token or "", ())):
            await websocket.close(code=4001, message=b"signed out")

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every page's socket and let each reader save and quit before the server
        goes (Ctrl+C): no edit is left in a process that is killed."""
        for sockets in list(self.sockets.values()):
            for websocket in list(sockets):
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
        await _all_set([r.stopped for rs in self.readers.values() for r in rs], STOP_WAIT)

    async def on_startup(self, app: web.Application) -> None:
        names = ", ".join(self.team().names)
        self.console.print(f"newsmark: serving the team ({names}) on {self.public_url}/login")
        self.console.print("[cyan]Press Ctrl+C to quit")
