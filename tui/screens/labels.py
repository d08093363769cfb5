"""The label picker: type to filter, enter to choose; a new label name is allowed too."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.core import display
from tui.widgets.palette import label_style

_NEW_LABEL = re.compile(r"[A-Z][A-Z0-9_]*")


class LabelPicker(ModalScreen[str | None]):
    """Returns the chosen label, or ``None`` when dismissed with escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker-cancel"),
        Binding("down", "cursor(1)", show=False),
        Binding("up", "cursor(-1)", show=False),
    ]

    def __init__(self, labels: Sequence[str], current: str | None = None) -> None:
        super().__init__()
        self.labels = list(labels)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Label: type to filter, enter to choose, escape to cancel", id="title")
            yield Input(placeholder="label", id="filter")
            yield OptionList(id="choices")

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Label"
        self._fill("")
        self.query_one("#filter", Input).focus()

    def _matching(self, query: str) -> list[str]:
        q = query.strip().upper()
        return [label for label in self.labels if q in label.upper()]

    def _fill(self, query: str) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        for label in self._matching(query):
            n = self.labels.index(label) + 1
            prompt = Text(f"{n:>2} " if n <= 9 else "   ")
            prompt.append(f" {display.safe(label)} ", style=label_style(label))
            if label == self.current:
                prompt.append("  current", style="italic")
            choices.add_option(Option(prompt, id=label))
        if choices.option_count:
            choices.highlighted = 0

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_cursor(self, step: int) -> None:
        choices = self.query_one("#choices", OptionList)
        if choices.option_count:
            now = choices.highlighted or 0
            choices.highlighted = max(0, min(now + step, choices.option_count - 1))

    @on(Input.Submitted, "#filter")
    def _submit(self, event: Input.Submitted) -> None:
        choices = self.query_one("#choices", OptionList)
        if choices.highlighted is not None and choices.option_count:
            option = choices.get_option_at_index(choices.highlighted)
            self.dismiss(option.id)
            return
        typed = event.value.strip().upper()
        if _NEW_LABEL.fullmatch(typed):
            self.dismiss(typed)
        else:
            self.app.bell()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
