"""The article picker: ids, first lines, status and entity counts; type to filter by any of
them; bad files marked."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich.text import Text
from textual import work
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

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
    prompt = "Open: type part of an id, title or status; enter opens, escape cancels"
    placeholder = "id, title or first line, status (unrev, accepted, new…)"

    def __init__(
        self,
        ids: Sequence[str],
        summaries: Mapping[str, Summary],
        problems: Mapping[str, Problem],
        opening: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__()
        self.ids = list(ids)
        self.summaries = summaries
        self.problems = problems
        self._opening = opening
        self._folded = [i.casefold() for i in self.ids]
        self._lines: dict[str, str] = {}
        """Openings (first lines, the title among them) read so far: a thread reads them all,
        filtering never waits."""
        self._folded_lines: dict[str, str] = {}
        self._options: dict[str, Option] = {}
        self._hidden = 0
        self._query = ""

    def on_mount(self) -> None:
        super().on_mount()
        if self._opening is not None:
            self._read_lines(self._opening)

    @work(thread=True, exclusive=True, group="first-lines", exit_on_error=False)
    def _read_lines(self, opening: Callable[[str], str]) -> None:
        worker = get_current_worker()
        for aid in self.ids:
            if worker.is_cancelled:
                return
            line = opening(aid)
            self._lines[aid] = line
            self._folded_lines[aid] = line.casefold()
        if not worker.is_cancelled:
            self.app.call_from_thread(self._lines_read)

    def _lines_read(self) -> None:
        self._options.clear()  # rows now show their first line
        self._fill(self._query)

    def _status(self, article_id: str) -> str:
        summary = self.summaries.get(article_id)
        return summary.status if summary and summary.status else "new"

    def matches(self, article_id: str, folded_id: str, query: str) -> bool:
        """Whether ``query`` (folded) is in the id, the opening lines or the status."""
        if query in folded_id:
            return True
        status = self._status(article_id)
        if query in status or query in status.replace("_", " "):
            return True
        return query in self._folded_lines.get(article_id, "")

    def _row(self, article_id: str) -> Text:
        summary = self.summaries.get(article_id)
        status = self._status(article_id)
        text = Text(display.safe(article_id, 48), no_wrap=True, overflow="ellipsis")
        text.append(f"  {status}", style=_STATUS_STYLE.get(status, "dim"))
        if summary is not None and summary.status is not None:
            text.append(f"  {summary.entities} entities", style="dim")
        line = self._lines.get(article_id)
        if line:
            text.append(f"  {display.safe(line, 90)}", style="italic")
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
        self._query = query
        q = query.strip().casefold()
        pairs = zip(self.ids, self._folded, strict=True)
        found = [i for i, folded in pairs if not q or self.matches(i, folded, q)]
        self._hidden = max(0, len(found) - _SHOWN)
        return [self._option(i) for i in found[:_SHOWN]]

    def caption(self) -> str:
        if not self._hidden:
            return self.prompt
        return f"{self.prompt} ({self._hidden:,} more match: type to narrow)"
