"""The header line: which article, its status, corpus progress, the model, read-only mode."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tui.widgets import display


@dataclass(frozen=True)
class Status:
    """Everything the header shows; the screen replaces it, the bar only draws it."""

    article: str = ""
    status: str = ""
    reviewed: int | None = None
    total: int = 0
    model: str = "loading model…"
    model_ready: bool = False
    read_only: bool = False


class StatusBar(Static):
    """One line of plain text: article ids and model names never pass through markup."""

    DEFAULT_CSS = """
    StatusBar { height: 1; width: 1fr; background: $panel; color: $text; }
    """

    state: reactive[Status] = reactive(Status, repaint=False)
    """What the header shows; replaced whole, never changed in place."""

    def watch_state(self) -> None:
        self.update(self._text(), layout=False)

    def change(self, **changes: Any) -> None:
        """Replace some fields of :attr:`state` (the bar redraws once)."""
        self.state = replace(self.state, **changes)

    def _text(self) -> Text:
        s = self.state
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" newsmark ", style="bold reverse")
        if s.read_only:
            text.append(" READ-ONLY: edits are refused ", style="bold reverse red")
        text.append(" ")
        text.append(display.safe(s.article), style="bold")
        if s.status:
            text.append(f" · {s.status}")
        progress = "…" if s.reviewed is None else str(s.reviewed)
        text.append(f" │ {progress} of {s.total} reviewed │ ")
        text.append(display.safe(s.model), style="" if s.model_ready else "italic")
        return text
