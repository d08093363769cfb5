"""The newsmark App: the lock on the annotations folder, the screens, the app-wide keys."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import BindingType

from tui.core import ner
from tui.core.article import ArticleError, CorpusError
from tui.core.store import StoreError
from tui.core.workspace import Workspace
from tui.keys import APP_BINDINGS
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen, PipelineFactory

try:  # the folder lock arrived separately; without it the app still runs, unlocked
    from tui.core import lock as _lock
except ImportError:  # pragma: no cover
    _lock = None  # type: ignore[assignment]


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
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.first = list(first) or workspace.ids[:2]
        self.model = model
        self.pipeline_factory: PipelineFactory = pipeline_factory or ner.load
        self.use_lock = lock
        self._held: object | None = None
        self.read_only: str | None = None

    def on_mount(self) -> None:
        if self.use_lock:
            self.read_only = self._acquire()
        self.push_screen(
            MainScreen(
                self.workspace,
                self.first,
                pipeline_factory=self.pipeline_factory,
                model=self.model,
                read_only=self.read_only,
            )
        )

    def _acquire(self) -> str | None:
        """Take the folder lock; the reason to open read-only, if it cannot be taken."""
        if _lock is None:
            return None
        folder = self.workspace.annotations
        try:
            self._held = _lock.acquire(folder)
        except _lock.LockHeld as exc:
            return str(exc)
        except OSError as exc:
            return f"{folder} cannot be written ({exc.strerror or exc})."
        return None

    def on_unmount(self) -> None:
        held = self._held
        if held is not None:
            held.release()  # type: ignore[attr-defined]
            self._held = None

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
        workspace = Workspace(args.articles, args.annotations, getattr(args, "annotator", None))
        first = _article_ids(workspace, getattr(args, "files", None) or [])
    except (CorpusError, ArticleError, StoreError) as exc:
        print(f"newsmark: {exc}", file=sys.stderr)
        return 2
    app = NewsmarkApp(workspace, first, model=getattr(args, "model", None))
    result = app.run()
    return result if isinstance(result, int) else 0
