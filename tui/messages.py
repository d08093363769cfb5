"""The messages that carry the reader's state upwards, in one module (as toolong does).

Widgets and workers post these; :class:`~tui.screens.main.MainScreen` handles them and passes
them on to the :class:`~tui.core.session.Session`. Attributes go down (``data_bind``),
messages come up.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widget import Widget

from tui.core.edits import Document, Edit
from tui.core.ner import Pipeline
from tui.core.session import EditKind, SaveEvent
from tui.core.spans import Entity
from tui.core.tokens import Tokens
from tui.core.workspace import Summary


@dataclass
class Edited(Message):
    """A key changed ``document`` (its entities or status): one message per edit."""

    view: Widget  # the ArticleView that made the edit (typed apart: widgets import this module)
    document: Document
    edit: Edit
    kind: EditKind = "edit"

    @property
    def control(self) -> Widget:
        return self.view


@dataclass
class CursorMoved(Message):
    """A view's cursor is on a new token; ``entity`` is the one under it, if any.

    Frequent (every key): one still waiting from the same view is replaced by a newer one,
    so a burst of keys updates the side panel once, with the newest state."""

    view: Widget  # the ArticleView
    entity: Entity | None

    @property
    def control(self) -> Widget:
        return self.view

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CursorMoved) and message.view is self.view


@dataclass
class Refused(Message):
    """A key changed nothing, and ``reason`` says why, for a notice."""

    view: Widget
    reason: str

    @property
    def control(self) -> Widget:
        return self.view


@dataclass
class GoldMoved(Message):
    """The cursor of the review's gold view moved: the versions above follow it."""

    view: Widget

    @property
    def control(self) -> Widget:
        return self.view

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, GoldMoved) and message.view is self.view


@dataclass
class ModelReady(Message):
    """The spaCy pipeline loaded (in a thread)."""

    pipeline: Pipeline


@dataclass
class ModelFailed(Message):
    """No pipeline: the reader goes on without suggestions; ``reason`` is for people."""

    reason: str


@dataclass
class Prepared(Message):
    """spaCy tokens (and, for an article with no TOML, suggestions) for one article."""

    article: str
    tokens: Tokens
    suggestions: list[Entity] | None


@dataclass
class SummariesRead(Message):
    """Every TOML's status, read in a thread for the progress count and the picker."""

    summaries: dict[str, Summary]


@dataclass
class SaveReported(Message):
    """The session's writer thread failed to save, or saved again after failing."""

    event: SaveEvent
