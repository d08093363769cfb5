"""The search prompt: what to find in the focused article."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Input


class SearchPrompt(ModalScreen[str | None]):
    """Returns the text to find, or ``None`` when dismissed with escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="search-cancel"),
    ]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search: enter to find, escape to cancel", id="query")

    @on(Input.Submitted, "#query")
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)
