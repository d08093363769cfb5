"""The article picker: ids, status and entity counts; type to filter; bad files marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets.option_list import Option

from tui.core.workspace import Problem, Summary
from tui.screens.picker import FilterPicker
from tui.widgets import display

_STATUS_STYLE = {
    "accepted": "green",
    "rejected": "red",
    "skipped": "yellow",
    "in_progress": "cyan",
}
_SHOWN = 500  # rows listed at once; typing narrows the rest


class ArticlePicker(FilterPicker):
    """Returns the chosen article id, or ``None`` when dismissed with escape."""

    heading = "Articles"
    prompt = "Open: type to filter, enter to open, escape to cancel"
    placeholder = "article id"

    def __init__(
        self,
        ids: Sequence[str],
        summaries: Mapping[str, Summary],
        problems: Mapping[str, Problem],
    ) -> None:
        super().__init__()
        self.ids = list(ids)
        self.summaries = summaries
        self.problems = problems

    def _row(self, article_id: str) -> Text:
        summary = self.summaries.get(article_id)
        status = summary.status if summary and summary.status else "new"
        text = Text(display.safe(article_id, 48))
        text.append(f"  {status}", style=_STATUS_STYLE.get(status, "dim"))
        if summary is not None and summary.status is not None:
            text.append(f"  {summary.entities} entities", style="dim")
        problem = self.problems.get(article_id) or (summary.problem if summary else None)
        if problem is not None:
            text.append(f"  ✗ {display.safe(problem.reason, 80)}", style="bold red")
        return text

    def options(self, query: str) -> list[Option]:
        q = query.strip().casefold()
        found = [i for i in self.ids if q in i.casefold()][:_SHOWN]
        return [Option(self._row(i), id=i) for i in found]
