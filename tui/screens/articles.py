"""The article picker: ids, status and entity counts; type to filter; bad files marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from tui.core.workspace import Summary

_STATUS_STYLE = {
    "accepted": "green",
    "rejected": "red",
    "skipped": "yellow",
    "in_progress": "cyan",
}
_SHOWN = 500  # rows listed at once; typing narrows the rest


class ArticlePicker(ModalScreen[str | None]):
    """Returns the chosen article id, or ``None`` when dismissed with escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="articles-cancel"),
        Binding("down", "cursor(1)", show=False),
        Binding("up", "cursor(-1)", show=False),
    ]

    def __init__(
        self, ids: Sequence[str], summaries: Mapping[str, Summary], bad: Mapping[str, str]
    ) -> None:
        super().__init__()
        self.ids = list(ids)
        self.summaries = summaries
        self.bad = bad

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Open: type to filter, enter to open, escape to cancel", id="title")
            yield Input(placeholder="article id", id="filter")
            yield OptionList(id="choices")

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Articles"
        self._fill("")
        self.query_one("#filter", Input).focus()

    def _row(self, article_id: str) -> Text:
        summary = self.summaries.get(article_id)
        status = summary.status if summary and summary.status else "new"
        text = Text(display.safe(article_id, 48))
        text.append(f"  {status}", style=_STATUS_STYLE.get(status, "dim"))
        if summary is not None and summary.status is not None:
            text.append(f"  {summary.entities} entities", style="dim")
        problem = self.bad.get(article_id) or (summary.error if summary else None)
        if problem:
            text.append(f"  ✗ {display.safe(problem, 80)}", style="bold red")
        return text

    def _fill(self, query: str) -> None:
        q = query.strip().casefold()
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        found = [i for i in self.ids if q in i.casefold()][:_SHOWN]
        choices.add_options([Option(self._row(i), id=i) for i in found])
        if found:
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
    def _submit(self) -> None:
        choices = self.query_one("#choices", OptionList)
        if choices.highlighted is None or not choices.option_count:
            self.app.bell()
            return
        self.dismiss(choices.get_option_at_index(choices.highlighted).id)

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
