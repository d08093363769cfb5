"""The preview of a correction across the corpus: every change, in its article and its
line of text, each one ticked; nothing is written before enter."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.core.corpus_index import Plan
from tui.keys import PREVIEW_BINDINGS
from tui.widgets import display

_PREVIEW_ROWS = 200


def files_phrase(n: int) -> str:
    return "1 annotation file" if n == 1 else f"{n} annotation files"


class PreviewScreen(ModalScreen[Plan | None]):
    """Every change a correction would make, article by article; returns the plan to apply."""

    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](PREVIEW_BINDINGS)
    DEFAULT_CSS = """
    PreviewScreen { align: center middle; background: $background; }
    PreviewScreen #dialog { width: 90%; height: 80%; border: thick $warning; }
    PreviewScreen #title { padding: 0 1; }
    PreviewScreen #changes { height: 1fr; padding: 0 1; }
    """

    def __init__(
        self, plan: Plan, widen: Callable[[Plan, Callable[[Plan], None]], None] | None = None
    ) -> None:
        super().__init__()
        self.plan = plan
        self._widen = widen
        """Re-plans a relabel to label the occurrences not yet labelled too (``+``)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(id="title")
            with VerticalScroll(id="changes"):
                yield Static(id="lines")

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#changes", VerticalScroll).focus()

    def _fill(self) -> None:
        plan = self.plan
        included, left = len(plan.included), len(plan.left_out)
        articles = "1 article changes" if included == 1 else f"{included} articles change"
        title = f"{display.safe(plan.description)}: {articles}"
        if left:
            title += f", {left} reviewed left alone (! to include them)"
        title += ". enter applies, escape cancels."
        if plan.action == "relabel" and self._widen is not None:
            title += " + also labels the occurrences that are not entities yet."
        if plan.errors:
            unreadable = files_phrase(len(plan.errors))
            title += f" {unreadable} cannot be read; left alone (newsmark validate says why)."
        self.query_one("#dialog").border_title = "Preview"
        self.query_one("#title", Static).update(Text(title))
        lines = plan.lines()[:_PREVIEW_ROWS] or ["Nothing to change."]
        self.query_one("#lines", Static).update(
            Text("\n".join(display.safe(x, 200) for x in lines))
        )

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
        self.dismiss(self.plan if self.plan.included else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
