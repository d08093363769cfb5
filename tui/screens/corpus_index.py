"""The corpus entity index (``I``), the preview of a correction across the corpus, and the main
screen's side of the memory.

The index lists every distinct entity text with its labels, counts and articles, likely errors
first: conflicting labels (marked ``≠``), or a hint of an error (``?``, with why). A correction
chosen there, or with ``ctrl+a`` in an article, is shown as a preview first; applied, it is one
corpus edit (``u`` in the index undoes it everywhere). What the person decides is learnt by the
memory (:mod:`tui.core.memory`), and open articles not yet reviewed are suggested again with
it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core import corpus_index
from tui.core import memory as memory_mod
from tui.core.corpus_index import Action, CorpusEdit, CorpusIndex, Plan
from tui.core.edits import Edit
from tui.core.memory import Recall
from tui.core.spans import Entity
from tui.core.tokens import Tokens, regex_tokens
from tui.core.workspace import Annotated, Summary, Workspace
from tui.keys import INDEX_BINDINGS, PREVIEW_BINDINGS
from tui.widgets import display
from tui.widgets.palette import label_style

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from textual.screen import Screen

    from tui.core.ner import Pipeline

    _Base = Screen[None]
else:
    _Base = object

_SHOWN = 2000  # rows listed; the rarest texts beyond that are left out
QUICK = 300
"""Corpora up to this many articles are indexed on the event loop (instant); bigger ones on
a thread, so the screen never freezes."""
_PREVIEW_ROWS = 200


@dataclass(frozen=True)
class JumpTo:
    """Open ``article`` and put the cursor at ``offset``."""

    article: str
    offset: int


class CorpusHost(_Base):
    """What the index needs from the screen that opens it (the main screen mixes this in).

    Everything here works on the screen's own open documents, so an edit made in the index is
    the same edit the panes show and undo.
    """

    workspace: Workspace
    labels: list[str]
    read_only: str | None
    _nlp_lock: threading.Lock

    # -- to be provided by the screen ----------------------------------------------------

    @property
    def open_articles(self) -> MutableMapping[str, Annotated]:
        raise NotImplementedError

    def tokens_of(self, annotated: Annotated) -> Tokens:
        raise NotImplementedError

    def save_article(self, annotated: Annotated) -> None:
        raise NotImplementedError

    def redraw_article(self, article_id: str) -> None:
        raise NotImplementedError

    def resuggest(self, annotated: Annotated) -> None:
        raise NotImplementedError

    def current_pipeline(self) -> Pipeline | None:
        raise NotImplementedError

    def run_background(self, work: Callable[[], None]) -> None:
        """Run ``work`` on a thread (it may hold the pipeline's lock a while)."""
        raise NotImplementedError

    def call_on_screen(self, callback: Callable[[], None]) -> None:
        """From a thread: run ``callback`` on the event loop."""
        raise NotImplementedError

    # -- the memory (tui.core.memory.Recall) --------------------------------------------

    recall: Recall
    corpus_edits: list[CorpusEdit]
    index_jumps: dict[str, int]
    """How far ``enter`` in the index has gone through each text's occurrences."""

    def memory_start(self) -> None:
        """Read the annotations folder's memory; a broken file turns the memory off, said."""
        self.corpus_edits = []
        self.index_jumps = {}
        self.recall = Recall(
            self.workspace.annotations,
            read_only=self.read_only is not None,
            labels=self.workspace.project.labels,
        )
        if self.recall.error is not None:
            self.notify_problem(self.recall.error)

    def notify_problem(self, message: str) -> None:
        raise NotImplementedError

    def memory_install(self, pipeline: Pipeline) -> None:
        """Put the memory into the pipeline (call off the event loop: spaCy reads patterns)."""
        with self._nlp_lock:
            self.recall.install(pipeline.nlp)

    def memory_stop(self) -> None:
        """Take the memory out of the pipeline: it belongs to whoever made the pipeline."""
        pipeline = self.current_pipeline()
        if pipeline is not None:
            with self._nlp_lock:
                memory_mod.uninstall(pipeline.nlp)

    def memory_due(self, annotated: Annotated) -> bool:
        status = annotated.document.status
        return self.recall.due(annotated.id, status, annotated.has_file)

    def memory_entities(self, annotated: Annotated, doc: Doc, text: str) -> list[Entity]:
        return self.recall.entities(annotated.id, doc, text)

    def memory_learn(self, annotated: Annotated, edit: Edit) -> None:
        """Learn from an edit; when the memory changed, open unreviewed articles follow it."""
        doc = annotated.document
        if self.recall.learn(annotated.id, doc.redo_stack, edit, annotated.article.text):
            self.memory_changed()

    def memory_changed(self) -> None:
        """Install the memory again and suggest the open unreviewed articles again."""
        pipeline = self.current_pipeline()
        if pipeline is None:
            return

        def work() -> None:
            self.memory_install(pipeline)
            self.call_on_screen(self._resuggest_due)

        self.run_background(work)

    def _resuggest_due(self) -> None:
        for annotated in list(self.open_articles.values()):
            if self.memory_due(annotated):
                self.resuggest(annotated)

    # -- corpus edits ---------------------------------------------------------------------

    def corpus_plan(
        self, text: str, action: Action, label: str | None, include_reviewed: bool
    ) -> Plan:
        return corpus_index.plan(
            self.workspace,
            self.open_articles,
            text,
            action,
            label,
            include_reviewed=include_reviewed,
            tokens_for=self.tokens_of,
        )

    def corpus_apply(self, plan: Plan) -> CorpusEdit:
        done = corpus_index.apply(self.workspace, self.open_articles, plan, save=self.save_article)
        if done.steps:
            self.corpus_edits.append(done)
            for annotated, _ in done.steps:
                self.redraw_article(annotated.id)
            annotated, edit = done.steps[0]
            self.memory_learn(annotated, edit)
        return done

    def corpus_undo(self) -> str:
        """Undo the last corpus edit; what to tell the person."""
        if not self.corpus_edits:
            return "No correction across the corpus to undo."
        done = self.corpus_edits.pop()
        skipped = corpus_index.undo(done, self.save_article)
        for annotated, _ in done.steps:
            self.redraw_article(annotated.id)
        if done.steps:
            annotated, edit = done.steps[0]
            text = annotated.article.text
            if self.recall.learn(annotated.id, (), edit.inverse(), text):
                self.memory_changed()
        said = f"Undone: {done.description}."
        if skipped:
            said += f" Left alone, edited since: {', '.join(skipped)}."
        return said

    def preview_then_apply(
        self, text: str, action: Action, label: str | None, after: Callable[[str], None]
    ) -> None:
        """Show the preview of a correction; apply it if the person says so."""
        if self.read_only is not None:
            after(f"Read-only, nothing changed: {self.read_only}")
            return

        def decided(plan: Plan | None) -> None:
            if plan is None:
                after("Nothing changed.")
                return
            done = self.corpus_apply(plan)
            n = len(done.steps)
            said = f"{plan.description}: {n} article{'' if n == 1 else 's'} changed."
            if done.failed:
                said += " " + "; ".join(f"{a}: {why}" for a, why in done.failed.items())
            after(said)

        def widen(plan: Plan, then: Callable[[Plan], None]) -> None:
            self.planned(plan.text, "label_all", plan.label, plan.include_reviewed, then)

        def show(plan: Plan) -> None:
            self.push_preview(PreviewScreen(plan, widen), decided)

        self.planned(text, action, label, False, show)

    def planned(
        self,
        text: str,
        action: Action,
        label: str | None,
        include_reviewed: bool,
        then: Callable[[Plan], None],
    ) -> None:
        """Plan a correction and hand it to ``then`` on the event loop; on a big corpus the
        articles are read on a thread, and join the open ones after."""
        if len(self.workspace.ids) <= QUICK:
            then(self.corpus_plan(text, action, label, include_reviewed))
            return
        found = dict(self.open_articles)

        def work() -> None:
            plan = corpus_index.plan(
                self.workspace,
                found,
                text,
                action,
                label,
                include_reviewed=include_reviewed,
                tokens_for=self.tokens_of,
            )

            def show() -> None:
                for aid, annotated in found.items():
                    self.open_articles.setdefault(aid, annotated)
                then(plan)

            self.call_on_screen(show)

        self.run_background(work)

    def push_preview(self, screen: PreviewScreen, done: Callable[[Plan | None], None]) -> None:
        raise NotImplementedError


class ReaderCorpus(CorpusHost):
    """:class:`CorpusHost` for the reader's main screen, on its panes and open articles.

    Kept here, not in the screen's module, so the screen carries only a few hooks.
    """

    opened: dict[str, Annotated]
    tokens: dict[str, Tokens]
    summaries: dict[str, Summary]
    pipeline: Pipeline | None
    panes: list[Any]

    @property
    def focused_pane(self) -> Any:
        raise NotImplementedError

    def _save(self, pane: Any) -> None:
        raise NotImplementedError

    def _title(self, pane: Any) -> None:
        raise NotImplementedError

    def _refresh_panel(self) -> None:
        raise NotImplementedError

    def _update_status(self) -> None:
        raise NotImplementedError

    def _prepare(self, annotated: Annotated) -> None:
        raise NotImplementedError

    def open_in(self, pane: Any, article_id: str) -> bool:
        raise NotImplementedError

    @property
    def open_articles(self) -> dict[str, Annotated]:
        return self.opened

    def tokens_of(self, annotated: Annotated) -> Tokens:
        return self.tokens.get(annotated.id) or regex_tokens(annotated.article.text)

    def save_article(self, annotated: Annotated) -> None:
        pane = next((p for p in self.panes if p.id == annotated.id), None)
        if pane is not None:
            self._save(pane)
        elif self.read_only is None:
            self.workspace.save(annotated)
            doc = annotated.document
            self.summaries[annotated.id] = Summary(annotated.id, doc.status, len(doc.entities))

    def redraw_article(self, article_id: str) -> None:
        for pane in self.panes:
            if pane.id == article_id:
                pane.view.redraw()
                self._title(pane)
        self._refresh_panel()
        self._update_status()

    def resuggest(self, annotated: Annotated) -> None:
        self._prepare(annotated)

    def current_pipeline(self) -> Pipeline | None:
        return self.pipeline

    def run_background(self, work: Callable[[], None]) -> None:
        self.run_worker(work, thread=True, group="memory", exit_on_error=False)

    def call_on_screen(self, callback: Callable[[], None]) -> None:
        self.app.call_from_thread(callback)

    def notify_problem(self, message: str) -> None:
        self.notify(message, severity="error", timeout=15, markup=False)

    def push_preview(self, screen: PreviewScreen, done: Callable[[Plan | None], None]) -> None:
        self.app.push_screen(screen, done)

    def action_corpus_index(self) -> None:
        pane = self.focused_pane

        def chosen(jump: JumpTo | None) -> None:
            if jump is None:
                return
            if pane.id != jump.article and not self.open_in(pane, jump.article):
                return
            pane.view.focus()
            pane.view.move_to_offset(jump.offset)

        self.app.push_screen(CorpusIndexScreen(self), chosen)

    def action_label_corpus(self) -> None:
        pane = self.focused_pane
        entity = pane.view.entity_at_cursor()
        if pane.id is None or entity is None:
            self.app.bell()
            return
        text = entity.text(self.opened[pane.id].article.text)

        def said(message: str) -> None:
            self.notify(message, markup=False)

        self.preview_then_apply(text, "label_all", entity.label, said)


def _files(n: int) -> str:
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
            unreadable = _files(len(plan.errors))
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


class CorpusIndexScreen(ModalScreen[JumpTo | None]):
    """The index of entity texts; corrections act on the highlighted text."""

    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](INDEX_BINDINGS)
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

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(id="title")
            yield OptionList(id="texts")

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Corpus index"
        self.refill()
        self.query_one("#texts", OptionList).focus()

    def refill(self, keep: str | None = None, row: int | None = None) -> None:
        """Rebuild the index from the open documents and the files (after every change);
        on a thread for a big corpus. The highlight stays on ``keep`` while it is still a
        likely error; once it is not, on ``row``, where the next likely error now is."""
        workspace, opened = self.host.workspace, dict(self.host.open_articles)
        if len(workspace.ids) <= QUICK:
            self._show(corpus_index.build(workspace, opened), keep, row)
            return
        self.query_one("#title", Static).update(Text("Reading every annotation file…"))

        def work() -> None:
            index = corpus_index.build(workspace, opened)
            self.app.call_from_thread(self._show, index, keep, row)

        self.run_worker(work, thread=True, exclusive=True, group="index", exit_on_error=False)

    def _show(self, index: CorpusIndex, keep: str | None, row: int | None = None) -> None:
        self.index = index
        conflicts, suspects = len(index.conflicts), len(index.suspects)
        title = f"{len(index.entries)} entity texts; "
        if suspects:
            errors = "1 likely error" if suspects == 1 else f"{suspects} likely errors"
            title += (
                f"{errors} first: {conflicts} with conflicting labels (≠), "
                f"{suspects - conflicts} with a hint (?)."
            )
        else:
            title += "no likely errors."
        title += " 1-9/t relabel, x delete, A label all, enter jump, u undo, escape close."
        if index.errors:
            title += f" {_files(len(index.errors))} cannot be read (newsmark validate says why)."
        self.query_one("#title", Static).update(Text(title))
        rows = self.query_one("#texts", OptionList)
        rows.clear_options()
        rows.add_options([Option(self._row(e), id=e.text) for e in index.entries[:_SHOWN]])
        if rows.option_count:
            shown = index.entries[:_SHOWN]
            at = next((i for i, e in enumerate(shown) if e.text == keep), None)
            if row is not None and (at is None or not shown[at].suspect):
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
        where = display.safe(articles[0], 30)
        if len(articles) > 1:
            where += f" +{len(articles) - 1}"
        row.append(f"   {where}", style="dim")
        if entry.hint:
            row.append(f"   {entry.hint}", style="italic")
        return row

    def highlighted(self) -> corpus_index.Entry | None:
        rows = self.query_one("#texts", OptionList)
        if self.index is None or rows.highlighted is None or not rows.option_count:
            return None
        text = rows.get_option_at_index(rows.highlighted).id
        return self.index.find(text) if text is not None else None

    def _correct(self, action: Action, label: str | None) -> None:
        entry = self.highlighted()
        if entry is None:
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
        from tui.screens.labels import LabelPicker

        entry = self.highlighted()
        if entry is None:
            self.app.bell()
            return

        def chosen(label: str | None) -> None:
            if label is not None:
                self._correct("relabel", label)

        self.app.push_screen(
            LabelPicker(self.host.labels, entry.labels.most_common(1)[0][0]), chosen
        )

    def action_delete_everywhere(self) -> None:
        self._correct("delete", None)

    def action_label_everywhere(self) -> None:
        entry = self.highlighted()
        if entry is None:
            self.app.bell()
            return
        self._correct("label_all", entry.labels.most_common(1)[0][0])

    def action_undo(self) -> None:
        self.notify(self.host.corpus_undo(), markup=False)
        self.refill(keep=(e.text if (e := self.highlighted()) else None))

    @on(OptionList.OptionSelected, "#texts")
    def _selected(self) -> None:
        self.action_jump()

    def action_jump(self) -> None:
        entry = self.highlighted()
        if entry is None:
            self.app.bell()
            return
        jumps = self.host.index_jumps
        i = jumps.get(entry.text, 0) % entry.count
        jumps[entry.text] = i + 1
        hit = entry.occurrences[i]
        self.dismiss(JumpTo(hit.article, hit.start))

    def action_close(self) -> None:
        self.dismiss(None)
