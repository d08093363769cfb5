"""A modal list with a filter box: the shape shared by the label and article pickers."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class FilterPicker(ModalScreen[str | None]):
    """Returns the chosen option's id, or ``None`` when dismissed with escape.

    Subclasses say what to list for a query (:meth:`options`); typing filters, up/down move,
    enter chooses, so every picker behaves the same under the fingers.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker-cancel"),
        Binding("down", "cursor(1)", show=False),
        Binding("up", "cursor(-1)", show=False),
    ]
    heading: ClassVar[str] = ""
    prompt: ClassVar[str] = ""
    placeholder: ClassVar[str] = ""

    def options(self, query: str) -> list[Option]:
        raise NotImplementedError

    def caption(self) -> str:
        """The line above the filter; called after :meth:`options`, so it can count them."""
        return self.prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.prompt, id="title")
            yield Input(placeholder=self.placeholder, id="filter")
            yield OptionList(id="choices")

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = self.heading
        self._fill("")
        self.query_one("#filter", Input).focus()

    def _fill(self, query: str) -> None:
        choices = self.query_one("#choices", OptionList)
        options = self.options(query)
        self.query_one("#title", Static).update(self.caption(), layout=False)
        if options == choices.options:
            return  # the same rows: keep them and the highlight, skip re-measuring
        choices.clear_options()
        choices.add_options(options)
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

    def highlighted_id(self) -> str | None:
        choices = self.query_one("#choices", OptionList)
        if choices.highlighted is None or not choices.option_count:
            return None
        return choices.get_option_at_index(choices.highlighted).id

    def submit_typed(self, typed: str) -> None:
        """Enter with nothing highlighted: pickers that allow new values override this."""
        self.app.bell()

    @on(Input.Submitted, "#filter")
    def _submit(self, event: Input.Submitted) -> None:
        chosen = self.highlighted_id()
        if chosen is None:
            self.submit_typed(event.value)
        else:
            self.dismiss(chosen)

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
