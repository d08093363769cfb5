"""The help screen: the key table, generated from the bindings themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui import keys
from tui.keys.table import rows as key_rows

_FOOTNOTE = (
    "A number on a plain token makes a one-token entity; on a selection, an entity of the "
    "selection. Selections snap to tokens and stay within one line; ctrl+left/right "
    "move their end by a character, ctrl+shift+left/right their start. "
    "Mouse: a click puts the cursor on a word, a drag selects words, a double click selects "
    "an entity; when the wheel scrolls the cursor out of sight it follows onto the screen. "
    "Every edit is saved to the article's TOML file at once."
)


class HelpScreen(ModalScreen[None]):
    """The same rows as the README's key table (:func:`tui.keys.table.rows`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,enter", "dismiss(None)", "Close", id="help-close"),
    ]

    def __init__(self, bindings: Sequence[Binding] = keys.ALL) -> None:
        super().__init__()
        self.key_bindings = bindings  # another screen's keys (review) can be shown the same way

    def compose(self) -> ComposeResult:
        table = Table(expand=True, box=None, show_edge=False, pad_edge=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does", ratio=1)
        for key, does in key_rows(self.key_bindings, getattr(self.app, "keymap", None)):
            table.add_row(Text(key.replace("`", "")), Text(does))
        with VerticalScroll(id="dialog"):
            yield Static(table)
            yield Static(Text(_FOOTNOTE, style="italic"), id="footnote")

    def on_mount(self) -> None:
        dialog = self.query_one("#dialog")
        dialog.border_title = "Keys (escape to close)"
        dialog.focus()
