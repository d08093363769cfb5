"""The preview of a correction across the corpus: every change, in its article and its
line of text, each one ticked; nothing is written before enter."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from tui.core.corpus_index import Item, Plan
from tui.keys import MODAL_APP_BINDINGS, PREVIEW_BINDINGS
from tui.widgets import display

_WIDTH = 36  # characters of the line shown on either side of a change
_PREVIEW_ROWS = 500
"""Places listed at most; every row is measured, so this bounds the cost of a key."""


def files_phrase(n: int) -> str:
    return "1 annotation file" if n == 1 else f"{n} annotation files"


class PreviewScreen(ModalScreen[Plan | None]):
    """Every change a correction would make, each in its article and line of text, ticked;
    returns the plan to apply, without the places the person unticked."""

    BINDINGS: ClassVar[list[BindingType]] = [*PREVIEW_BINDINGS, *MODAL_APP_BINDINGS]
    DEFAULT_CSS = """
    PreviewScreen { align: center middle; background: $background; }
    PreviewScreen #dialog { width: 90%; height: 80%; border: thick $warning; }
    PreviewScreen #title { padding: 0 1; }
    PreviewScreen #changes { height: 1fr; border: none; }
    """

    def __init__(
        self, plan: Plan, widen: Callable[[Plan, Callable[[Plan], None]], None] | None = None
    ) -> None:
        super().__init__()
        self.plan = plan
        self._widen = widen
        """Re-plans a relabel to label the occurrences not yet labelled too (``+``)."""
        self.items: list[Item] = []
        """The places listed, in the order of the rows."""
        self.unticked: set[Item] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(id="title")
            yield SelectionList[int](id="changes")

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#changes", SelectionList).focus()

    def _fill(self) -> None:
        plan = self.plan
        self.items = plan.items()
        self.unticked &= set(self.items)
        rows = self.query_one("#changes", SelectionList)
        at = rows.highlighted
        rows.clear_options()
        rows.add_options(
            [
                Selection(self._row(item), n, item not in self.unticked)
                for n, item in enumerate(self.items[:_PREVIEW_ROWS])
            ]
        )
        if rows.option_count:
            rows.highlighted = min(at or 0, rows.option_count - 1)
        self._title()

    def _title(self) -> None:
        plan = self.plan
        included, left = len(plan.included), len(plan.left_out)
        articles = "1 article changes" if included == 1 else f"{included} articles change"
        title = f"{display.safe(plan.description)}: {articles}"
        if left:
            title += f", {left} reviewed left alone (! to include them)"
        places = len(self.items)
        title += f"; {places - len(self.unticked)} of {places} places ticked"
        if places > _PREVIEW_ROWS:
            title += f" ({places - _PREVIEW_ROWS} not listed are made too)"
        confirmed = plan.confirmed()
        if confirmed:
            title += f", {confirmed} suggestions confirmed as they are"
        title += ". space unticks a place, enter applies, escape cancels."
        if plan.action == "relabel" and self._widen is not None:
            title += " + also labels the occurrences that are not entities yet."
        if plan.errors:
            unreadable = files_phrase(len(plan.errors))
            title += f" {unreadable} cannot be read; left alone (newsmark validate says why)."
        self.query_one("#dialog").border_title = "Preview"
        self.query_one("#title", Static).update(Text(title))

    def _row(self, item: Item) -> Text:
        before, changed, after = item.line(self.plan.text_of(item.article), _WIDTH)
        row = Text(display.safe(item.article, 30), style="dim")
        row.append("  " + ("…" if len(before) == _WIDTH else "") + display.safe(before))
        row.append(display.safe(changed, 60), style="bold reverse")
        row.append(f" {display.safe(item.what(), 40)}", style="bold")
        row.append(display.safe(after) + ("…" if len(after) == _WIDTH else ""))
        return row

    @on(SelectionList.SelectionToggled, "#changes")
    def _toggled(self, event: SelectionList.SelectionToggled[int]) -> None:
        item = self.items[event.selection.value]
        self.unticked ^= {item}
        self._title()

    def action_toggle_place(self) -> None:
        rows = self.query_one("#changes", SelectionList)
        if rows.highlighted is not None and rows.option_count:
            rows.toggle(rows.get_option_at_index(rows.highlighted))

    def action_include_reviewed(self) -> None:
        self.plan = self.plan.with_reviewed(not self.plan.include_reviewed)
        self._fill()

    def action_label_missed(self) -> None:
        if self.plan.action != "relabel" or self._widen is None:
            self.app.bell()
            return

        def widened(plan: Plan) -> None:
            self.plan = plan
            self._fill()

        self._widen(self.plan, widened)

    def action_apply(self) -> None:
        plan = self.plan.without(self.unticked)
        self.dismiss(plan if plan.included else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
