"""The corpus entity index (``I``).

The index lists every distinct entity text with its labels, counts and articles, likely errors
first: conflicting labels (marked ``≠``), or a hint of an error (``?``, with why; ``o`` goes to
the reading it is weighed against). A correction chosen there, or with ``ctrl+a`` in an
article, is shown as a preview first (:mod:`tui.screens.preview`); applied, it is one corpus
edit (``u`` in the index undoes it everywhere). What the memory holds about a text is shown on
its row (``◆``) and ``f`` forgets it. Articles with no suggestions yet are counted, and ``s``
suggests them on a thread. The main screen's side is :mod:`tui.screens.corpus_host`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tui.core import corpus_index
from tui.core.corpus_index import Action, CorpusIndex
from tui.keys import INDEX_BINDINGS, MODAL_APP_BINDINGS
from tui.screens import corpus_host
from tui.screens.corpus_host import CorpusHost, JumpTo, ReaderCorpus
from tui.screens.preview import PreviewScreen, files_phrase
from tui.widgets import display
from tui.widgets.palette import label_style

if TYPE_CHECKING:
    from tui.core.ner import Pipeline

__all__ = ["CorpusHost", "CorpusIndexScreen", "JumpTo", "PreviewScreen", "ReaderCorpus"]

_SHOWN = 2000  # rows listed; the rarest texts beyond that are left out


class CorpusIndexScreen(ModalScreen[JumpTo | None]):
    """The index of entity texts; corrections act on the highlighted text."""

    BINDINGS: ClassVar[list[BindingType]] = [*INDEX_BINDINGS, *MODAL_APP_BINDINGS]
    DEFAULT_CSS = """
    CorpusIndexScreen { align: center middle; background: $background; }
    CorpusIndexScreen #dialog { width: 95%; height: 90%; border: thick $accent; }
    CorpusIndexScreen #title { color: $text-muted; padding: 0 1; }
    CorpusIndexScreen OptionList { height: 1fr; border: none; }
    """

    def __init__(self, host: CorpusHost) -> None:
        super().__init__()
        self.host = host
        self.index: CorpusIndex | None = None
        self.suggesting: Suggesting | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(id="title")
            yield OptionList(id="texts")

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Corpus index"
        place = self.host.index_place
        if place is None:
            self.refill()
        else:
            self.refill(keep=place[0], row=place[1], stay=True)
        self.query_one("#texts", OptionList).focus()

    def refill(
        self, keep: str | None = None, row: int | None = None, *, stay: bool = False
    ) -> None:
        """Rebuild the index from the open documents and the files (after every change);
        on a thread for a big corpus. The highlight stays on ``keep`` while it is still a
        likely error (or always, with ``stay``); once it is not, on ``row``, where the next
        likely error now is."""
        workspace, opened = self.host.workspace, dict(self.host.open_articles)
        memory = self.host.recall.memory
        if len(workspace.ids) <= corpus_host.QUICK:
            self._show(corpus_index.build(workspace, opened, memory), keep, row, stay)
            return
        self.query_one("#title", Static).update(Text("Reading every annotation file…"))

        def work() -> None:
            index = corpus_index.build(workspace, opened, memory)
            self.app.call_from_thread(self._show, index, keep, row, stay)

        self.run_worker(work, thread=True, exclusive=True, group="index", exit_on_error=False)

    def unsuggested(self) -> list[str]:
        """Articles with no annotation file: the index knows nothing of them yet."""
        if self.index is None:
            return []
        return [aid for aid, status in self.index.statuses.items() if status is None]

    def _title(self) -> Text:
        index = self.index
        if index is None:
            return Text("")
        conflicts, suspects = len(index.conflicts), len(index.suspects)
        title = f"{len(index.entries)} entity texts; "
        if suspects:
            errors = "1 likely error" if suspects == 1 else f"{suspects} likely errors"
            title += (
                f"{errors} first: {conflicts} with conflicting labels (≠), "
                f"{suspects - conflicts} with a hint (?; o goes to the other reading)."
            )
        else:
            title += "no likely errors."
        title += (
            " 1-9/t relabel, x delete, A label all, enter jump, u undo, f forget what the "
            "memory holds (◆), escape close."
        )
        if index.errors:
            title += (
                f" {files_phrase(len(index.errors))} cannot be read (newsmark validate says why)."
            )
        new = len(self.unsuggested())
        if self.suggesting is not None:
            title += f" {self.suggesting.progress()} (escape stops)."
        elif new:
            articles = "1 article has" if new == 1 else f"{new} articles have"
            title += f" {articles} no suggestions yet, so the index does not know "
            them = "it" if new == 1 else "them"
            title += f"{them}: s suggests {them} (model and memory)."
        return Text(title)

    def _show(
        self, index: CorpusIndex, keep: str | None, row: int | None = None, stay: bool = False
    ) -> None:
        self.index = index
        self.query_one("#title", Static).update(self._title())
        rows = self.query_one("#texts", OptionList)
        rows.clear_options()
        rows.add_options([Option(self._row(e), id=e.text) for e in index.entries[:_SHOWN]])
        if rows.option_count:
            shown = index.entries[:_SHOWN]
            at = next((i for i, e in enumerate(shown) if e.text == keep), None)
            if row is not None and (at is None or not (stay or shown[at].suspect)):
                at = min(row, len(shown) - 1)
            rows.highlighted = at or 0

    def _row(self, entry: corpus_index.Entry) -> Text:
        mark = "≠ " if entry.conflict else "? " if entry.hint else "  "
        row = Text(mark, style="bold red")
        row.append(display.safe(entry.text, 40))
        for label, n in entry.labels.most_common():
            row.append("  ")
            row.append(f" {display.safe(label)} ", style=label_style(label))
            row.append(f" {n}")
        articles = entry.articles
        if articles:
            where = display.safe(articles[0], 30)
            if len(articles) > 1:
                where += f" +{len(articles) - 1}"
            row.append(f"   {where}", style="dim")
        if entry.hint:
            row.append(f"   {display.safe(entry.hint, 80)}", style="italic")
        if entry.remembered:
            said = "; ".join(entry.remembered)
            row.append(f"   ◆ memory: {display.safe(said, 100)}", style="bold magenta")
        return row

    def highlighted(self) -> corpus_index.Entry | None:
        rows = self.query_one("#texts", OptionList)
        if self.index is None or rows.highlighted is None or not rows.option_count:
            return None
        text = rows.get_option_at_index(rows.highlighted).id
        return self.index.find(text) if text is not None else None

    def _keep_place(self) -> None:
        entry = self.highlighted()
        row = self.query_one("#texts", OptionList).highlighted
        if entry is not None and row is not None:
            self.host.index_place = (entry.text, row)

    def _correct(self, action: Action, label: str | None) -> None:
        entry = self.highlighted()
        if entry is None or (not entry.count and action != "label_all"):
            self.app.bell()
            return
        text = entry.text
        row = self.query_one("#texts", OptionList).highlighted

        def after(said: str) -> None:
            self.refill(keep=text, row=row)
            self.notify(said, markup=False)

        self.host.preview_then_apply(text, action, label, after)

    def action_relabel(self, number: int) -> None:
        labels = self.host.labels
        if number > len(labels):
            self.app.bell()
            return
        self._correct("relabel", labels[number - 1])

    def action_relabel_pick(self) -> None:
        from tui.screens.labels import LabelPicker, take

        entry = self.highlighted()
        if entry is None or not entry.count:
            self.app.bell()
            return

        def chosen(label: str | None) -> None:
            if label is None:
                return
            labels, warning = take(self.host.workspace.project, self.host.labels, label)
            if warning is not None:  # as the reader's picker says it
                self.notify(warning, markup=False)
            elif labels != self.host.labels:
                self.host.labels = labels
            self._correct("relabel", label)

        self.app.push_screen(
            LabelPicker(self.host.labels, entry.labels.most_common(1)[0][0]), chosen
        )

    def action_delete_everywhere(self) -> None:
        self._correct("delete", None)

    def action_label_everywhere(self) -> None:
        entry = self.highlighted()
        if entry is None or not entry.count:
            self.app.bell()
            return
        self._correct("label_all", entry.labels.most_common(1)[0][0])

    def action_undo(self) -> None:
        self.notify(self.host.corpus_undo(), markup=False)
        self.refill(keep=(e.text if (e := self.highlighted()) else None))

    def action_forget(self) -> None:
        entry = self.highlighted()
        if entry is None or not entry.remembered:
            self.app.bell()
            self.notify("The memory holds nothing about this text.", markup=False)
            return
        row = self.query_one("#texts", OptionList).highlighted
        self.notify(self.host.memory_forget(entry.text), markup=False)
        self.refill(keep=entry.text, row=row, stay=True)

    def action_other_reading(self) -> None:
        """From a hint to the reading it is weighed against, and back."""
        entry = self.highlighted()
        rows = self.query_one("#texts", OptionList)
        if entry is None or self.index is None:
            return
        other = entry.other
        if other is None:  # the other side of a hint points here
            other = next((e.text for e in self.index.entries if e.other == entry.text), None)
        at = next((i for i, e in enumerate(self.index.entries[:_SHOWN]) if e.text == other), None)
        if at is None:
            self.app.bell()
            return
        rows.highlighted = at

    @on(OptionList.OptionSelected, "#texts")
    def _selected(self) -> None:
        self.action_jump()

    def action_jump(self) -> None:
        entry = self.highlighted()
        if entry is None or not entry.count:
            self.app.bell()
            return
        jumps = self.host.index_jumps
        i = jumps.get(entry.text, 0) % entry.count
        jumps[entry.text] = i + 1
        hit = entry.occurrences[i]
        self._keep_place()
        self.dismiss(JumpTo(hit.article, hit.start, entry.text, i + 1, entry.count))

    def action_close(self) -> None:
        if self.suggesting is not None:
            self.suggesting.cancel()
            self._progress()
            return
        self._keep_place()
        self.dismiss(None)

    # -- suggesting the articles the index does not know yet -------------------------------

    def action_suggest(self) -> None:
        ids = self.unsuggested()
        pipeline = self.host.current_pipeline()
        if self.suggesting is not None:
            return
        if not ids:
            self.notify("Every article has suggestions already.", markup=False)
            return
        if pipeline is None:
            self.app.bell()
            self.notify("The model is not loaded yet: try again in a moment.", markup=False)
            return
        if self.host.read_only is not None:
            self.notify(f"Read-only, nothing suggested: {self.host.read_only}", markup=False)
            return
        self.suggesting = Suggesting(len(ids))
        self.query_one("#title", Static).update(self._title())
        self._suggest(pipeline, ids, self.suggesting)

    @work(thread=True, exclusive=True, group="index-suggest", exit_on_error=False)
    def _suggest(self, pipeline: Pipeline, ids: list[str], run: Suggesting) -> None:
        """``newsmark suggest --memory`` for the articles with no file, one at a time under
        the pipeline's lock (the panes' own suggestions go in between), saying how far."""
        from tui.core import batch

        memory = self.host.recall.memory
        events = batch.suggest_all(
            self.host.workspace,
            pipeline,
            ids,
            memory=memory if memory else None,
            batch_size=1,  # the lock is let go between articles, and escape stops at once
        )
        worker = get_current_worker()
        try:
            while not (run.cancelled.is_set() or worker.is_cancelled):
                with self.host._nlp_lock:
                    event = next(events, None)
                if event is None:
                    break
                run.done += 1
                run.failed += event.outcome in ("skipped", "failed")
                self.app.call_from_thread(self._progress)
        except Exception as exc:  # a full disk: what was written stays
            run.error = str(exc)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()  # the last suggestions queued reach the disk
            if not worker.is_cancelled:  # cancelled: the index is gone
                self.app.call_from_thread(self._suggested)

    def _progress(self) -> None:
        self.query_one("#title", Static).update(self._title())

    def _suggested(self) -> None:
        run, self.suggesting = self.suggesting, None
        if run is None:
            return
        said = f"Suggested {run.done - run.failed} of {run.total} articles"
        said += " (stopped)." if run.cancelled.is_set() else "."
        if run.failed:
            said += f" {run.failed} could not be used (newsmark validate says why)."
        if run.error:
            said += f" {run.error}"
        self.notify(said, markup=False)
        entry = self.highlighted()
        self.refill(keep=entry.text if entry else None, stay=True)


class Suggesting:
    """A run of suggestions from the index: how far it is, and a way to stop it."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.error: str | None = None
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()

    def progress(self) -> str:
        if self.cancelled.is_set():
            return f"Stopping after {self.done} of {self.total} articles…"
        return f"Suggesting {self.done} of {self.total} articles…"
