"""UI fixtures: the app on a temp copy of the seeds, with the entity-ruler stand-in model."""

from __future__ import annotations

import threading
import tomllib
import unicodedata
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

from tui.app import NewsmarkApp
from tui.core.ner import Pipeline
from tui.core.workspace import Workspace
from tui.screens.main import MainScreen
from tui.widgets.article_view import ArticleView

FIRST = "000_335ade4f03747110"
SECOND = "004_3225c72a86fdfdf4"

MakeApp = Callable[..., NewsmarkApp]
_LIVE: weakref.WeakSet[NewsmarkApp] = weakref.WeakSet()  # toml() waits for their writers


class HeldModel:
    """A pipeline factory that waits until released: the app as it is while the model loads."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.gate = threading.Event()

    def __call__(self, name: str | None) -> Pipeline:
        self.gate.wait(timeout=30)
        return self.pipeline

    def release(self) -> None:
        self.gate.set()


@pytest.fixture
def make_app(workdir: Path, ruler_pipeline: Pipeline) -> MakeApp:
    """Build the app on ``workdir``; the stand-in model loads instantly and deterministically."""

    def make(
        first: tuple[str, ...] = (),
        factory: Callable[[str | None], Pipeline] | None = None,
        annotator: str | None = None,
    ) -> NewsmarkApp:
        workspace = Workspace(workdir / "articles", workdir / "annotations", annotator)
        app = NewsmarkApp(
            workspace, first, pipeline_factory=factory or (lambda name: ruler_pipeline)
        )
        _LIVE.add(app)
        return app

    return make


def toml(workdir: Path, stem: str) -> dict[str, Any]:
    """The article's TOML as it is on disk once the edits made so far are written."""
    for app in _LIVE:
        app.session.save_changed()  # as quitting would, also if Edited is still on its way
        app.session.flush()
    with (workdir / "annotations" / f"{stem}.toml").open("rb") as f:
        return tomllib.load(f)


def ents(workdir: Path, stem: str) -> list[tuple[str, str, str]]:
    """``(text, label, source)`` of every entity on disk, in order."""
    return [(e["text"], e["label"], e["source"]) for e in toml(workdir, stem)["entities"]]


def labelled(workdir: Path, stem: str, text: str) -> list[str]:
    """Labels on disk of the entities whose text is exactly ``text``."""
    return [label for t, label, _ in ents(workdir, stem) if t == text]


async def ready(app: NewsmarkApp, pilot: Any) -> MainScreen:
    """Wait until the model has loaded and its suggestions are applied."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


async def saved(app: NewsmarkApp, pilot: Any) -> None:
    """Wait until every edit so far is written and what the writer reported is handled."""
    app.session.flush()
    await pilot.pause()


def notes_of(app: NewsmarkApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every notice the app shows, as plain strings, in order."""
    notes: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(str(message)))
    return notes


def key_event(key: str) -> events.Key:
    """The event a terminal sends for ``key``, as Pilot builds it."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    name = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(name))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def burst(app: NewsmarkApp, pilot: Any, *keys: str) -> None:
    """Type ``keys`` as a fast typist or a paste does: every key is queued before the app
    handles the first (Pilot's ``press`` waits for the app between keys). ``"wait"`` lets
    the app and its workers finish before the keys after it."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        if key == "wait":
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            continue
        event = key_event(key)
        event.set_sender(app)
        driver.send_message(event)
    await pilot.pause()
    while app.typing_ahead:
        await pilot.pause(0.01)
    await app.workers.wait_for_complete()
    await pilot.pause()


def view(app: NewsmarkApp, side: str = "left") -> ArticleView:
    return app.screen.query_one(f"#{side}", ArticleView)


def cursor_text(v: ArticleView) -> str:
    start, end = v.tokens.span(v.cursor)
    return v.text[start:end]
