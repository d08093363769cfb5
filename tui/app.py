"""The newsmark App: the lock on the annotations folder, the screens, the app-wide keys."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import App
from textual.binding import BindingType
from textual.timer import Timer

from tui import messages
from tui.core import ner, queue
from tui.core.article import ArticleError, CorpusError
from tui.core.project import ProjectError
from tui.core.queue import Order
from tui.core.session import Session
from tui.core.store import StoreError
from tui.core.workspace import Workspace
from tui.keymap import KeymapError, load_keymap
from tui.keys import APP_BINDINGS
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.widgets.model import PipelineFactory


class NewsmarkApp(App[int]):
    """Reads two articles side by side; every edit is saved as it is made."""

    CSS_PATH = "newsmark.tcss"
    TITLE = "newsmark"
    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](APP_BINDINGS)

    def __init__(
        self,
        workspace: Workspace,
        first: Sequence[str] = (),
        *,
        model: str | None = None,
        pipeline_factory: PipelineFactory | None = None,
        lock: bool = True,
        low_confidence: float | None = None,
        order: Order = "file",
        seed: int = 0,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.keymap = dict(keymap or {})  # checked by tui.keymap: ids of tui.keys
        self.session = Session(workspace)
        self.session.order, self.session.seed = order, seed
        self.first = list(first) or self._first_two(workspace, order, seed)
        self.model = model
        self.pipeline_factory: PipelineFactory = pipeline_factory or ner.load
        self.use_lock = lock
        self.low_confidence = low_confidence
        self._warned: list[str] = []
        self._typed: list[events.Key] = []  # keys typed ahead, waiting for the app to settle
        self._since = 0.0

    # -- type-ahead -----------------------------------------------------------------------
    # A fast typist or a paste sends "tab B" or "/Raisi enter 1" before the app has acted on
    # the first key: Textual would hand each key to whatever has focus when it arrives (the
    # old pane, a prompt not mounted yet, a prompt being dismissed). Keys are held instead
    # until the previous one has been dealt with, then applied in order.

    def _settled(self) -> bool:
        """Nothing is still acting on the last key: the screen is mounted and neither it,
        the focused widget nor the app has a message waiting."""
        screen, focused = self.screen, self.focused
        return (
            screen.is_mounted
            and self._message_queue.empty()
            and screen._message_queue.empty()
            and (focused is None or focused._message_queue.empty())
        )

    async def on_event(self, event: events.Event) -> None:
        held = isinstance(event, events.Key) and not event.is_forwarded
        if held and (self._typed or not self._settled()):
            assert isinstance(event, events.Key)
            self._typed.append(event)
            if len(self._typed) == 1:
                self.call_later(self._type_ahead)
            return
        await super().on_event(event)

    async def _type_ahead(self, confirmed: bool = False) -> None:
        """Apply the first key held once the app has settled (or after a second at most).

        Settled is confirmed from a message of its own: run among the app's due callbacks,
        this one cannot see those due after it (a prompt's enter pops the prompt in one).
        """
        if not self._typed:
            return
        now = time.monotonic()
        self._since = self._since or now
        waited = now - self._since >= 1.0
        if not waited and not self._settled():
            self._retry_type_ahead()
            return
        if not waited and not confirmed:
            self.call_later(self._type_ahead, True)
            return
        self._since = 0.0
        await super().on_event(self._typed.pop(0))
        if self._typed:
            self.call_later(self._type_ahead)

    def _retry_type_ahead(self) -> None:
        """Look again in a millisecond, letting the others run meanwhile. This is
        ``set_timer`` but for one thing: a Textual timer that starts after its moment (a busy
        machine) skips its tick, and the keys typed ahead would then wait for ever."""
        timer = Timer(
            self,
            0.001,
            name="type-ahead",
            callback=partial(self.call_next, self._type_ahead),
            repeat=0,
            skip=False,
        )
        timer._start()
        self._timers.add(timer)

    @property
    def typing_ahead(self) -> bool:
        """Whether keys typed ahead are still waiting to be applied."""
        return bool(self._typed)

    def _first_two(self, workspace: Workspace, order: Order, seed: int) -> list[str]:
        """The first two articles: in the file order the first two files; in another order
        the first two left to review (every TOML is read now, which the order needs)."""
        if order == "file":
            return workspace.ids[:2]
        ids, summaries = queue.listing(workspace, order, seed)
        self.session.merge_summaries(summaries)
        return ids[:2] or self.session.queue[:2]

    @property
    def read_only(self) -> str | None:
        return self.session.read_only

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)

    def get_default_screen(self) -> MainScreen:
        """The reader is the first screen drawn, not pushed over Textual's blank default."""
        if self.use_lock:
            self.session.lock()
        screen = MainScreen(
            self.session,
            self.first,
            pipeline_factory=self.pipeline_factory,
            model=self.model,
            low_confidence=self.low_confidence,
        )
        # Called on the writer thread: post_message is the thread-safe way in.
        self.session.report = lambda event: screen.post_message(messages.SaveReported(event))
        return screen

    async def action_quit(self) -> None:
        """Quit once everything is on disk; edits that cannot be written are named first."""
        session = self.session
        session.save_changed()
        session.flush()
        unsaved = session.unsaved()
        if unsaved and unsaved != self._warned:
            self._warned = unsaved
            names = ", ".join(unsaved[:3]) + (" and more" if len(unsaved) > 3 else "")
            self.notify(
                f"Edits to {names} could not be saved (see the error above). Free disk space "
                "or fix the folder, then edit again; q once more quits and loses them.",
                title="Not saved",
                severity="error",
                timeout=20,
                markup=False,
            )
            return
        session.close()  # the lock goes now, not when the process ends: a restart finds it free
        self.exit()

    def on_unmount(self) -> None:
        self.session.close()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def _article_ids(workspace: Workspace, files: Sequence[str]) -> list[str]:
    """Article ids for ``files`` given as ids or as paths to files in the articles folder."""
    ids = []
    root = workspace.corpus.root.resolve()
    for name in files:
        if name in workspace.ids:
            ids.append(name)
            continue
        path = Path(name).resolve()
        try:
            candidate = path.relative_to(root).as_posix()
        except ValueError:
            candidate = ""
        if candidate not in workspace.ids:
            raise CorpusError(
                f"{name} is not an article in {workspace.corpus.root}; pass an id from "
                "`newsmark stats` or a .txt file inside the articles folder."
            )
        ids.append(candidate)
    return ids


def run_app(args: argparse.Namespace) -> int:
    """``newsmark open``: exit 0 after a normal quit, 2 when the corpus cannot be opened."""
    try:
        workspace = Workspace(
            args.articles,
            args.annotations,
            getattr(args, "annotator", None),
            only=getattr(args, "only", None),
            project_from=getattr(args, "project_from", None),
        )
        first = _article_ids(workspace, getattr(args, "files", None) or [])
        keymap = load_keymap()
    except (CorpusError, ArticleError, StoreError, ProjectError, KeymapError) as exc:
        print(f"newsmark: {exc}", file=sys.stderr)
        return 2
    app = NewsmarkApp(
        workspace,
        first,
        model=getattr(args, "model", None) or workspace.project.model,
        low_confidence=getattr(args, "low_confidence", None),
        order=getattr(args, "order", None) or "file",
        seed=getattr(args, "seed", 0),
        keymap=keymap,
    )
    result = app.run()
    return result if isinstance(result, int) else 0
