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
# Rows listed at once: a few screens. Every listed row is measured and styled by the
# OptionList on each key, so on 10,000 articles this bounds the cost of a key; typing
# narrows the rest, and the title says how many are not listed.
_SHOWN = 100


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
        self._folded = [i.casefold() for i in self.ids]
        self._options: dict[str, Option] = {}
        self._hidden = 0

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

    def _option(self, article_id: str) -> Option:
        """One row per article for the picker's life: a row's rendering is cached in it."""
        option = self._options.get(article_id)
        if option is None:
            option = self._options[article_id] = Option(self._row(article_id), id=article_id)
        return option

    def options(self, query: str) -> list[Option]:
        q = query.strip().casefold()
        found = [i for i, folded in zip(self.ids, self._folded, strict=True) if q in folded]
        self._hidden = max(0, len(found) - _SHOWN)
        return [self._option(i) for i in found[:_SHOWN]]

    def caption(self) -> str:
        if not self._hidden:
            return self.prompt
        return f"{self.prompt} ({self._hidden:,} more match: type to narrow)"
