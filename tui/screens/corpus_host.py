"""The main screen's side of the corpus index and the memory: corrections across the corpus
with their preview and undo, what the memory learns and says, where the index was left.

Kept apart from the screens themselves (:mod:`tui.screens.corpus_index`,
:mod:`tui.screens.preview`) so the main screen mixes in only these hooks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.core import corpus_index
from tui.core import memory as memory_mod
from tui.core.corpus_index import Action, CorpusEdit, Plan
from tui.core.edits import Edit
from tui.core.recall import Recall
from tui.core.spans import Entity
from tui.core.tokens import Tokens, regex_tokens
from tui.core.workspace import Annotated, Summary, Workspace
from tui.screens.preview import PreviewScreen
from tui.widgets import display

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from textual.screen import Screen

    from tui.core.ner import Pipeline

    _Base = Screen[None]
else:
    _Base = object

QUICK = 300
"""Corpora up to this many articles are indexed on the event loop (instant); bigger ones on
a thread, so the screen never freezes."""


@dataclass(frozen=True)
class JumpTo:
    """Open ``article`` and put the cursor at ``offset``: occurrence ``nth`` of ``of``."""

    article: str
    offset: int
    text: str = ""
    nth: int = 1
    of: int = 1


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
    index_place: tuple[str, int] | None
    """The index's highlighted text and row when it was last closed: ``I`` returns there."""
    _memory_told: set[tuple[str, int, int]]

    def memory_start(self) -> None:
        """Read the annotations folder's memory; a broken file turns the memory off, said."""
        self.corpus_edits = []
        self.index_jumps = {}
        self.index_place = None
        self._memory_told = set()
        self.recall = Recall(
            self.workspace.annotations,
            read_only=self.read_only is not None,
            labels=self.workspace.project.labels,
            background=True,
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
        """Take the memory out of the pipeline: it belongs to whoever made the pipeline;
        its last lesson is on disk before the reader goes."""
        self.recall.flush()
        pipeline = self.current_pipeline()
        if pipeline is not None:
            with self._nlp_lock:
                memory_mod.uninstall(pipeline.nlp)

    def memory_due(self, annotated: Annotated) -> bool:
        status = annotated.document.status
        return self.recall.due(annotated.id, status, annotated.has_file)

    def memory_entities(
        self, annotated: Annotated, doc: Doc, text: str, offset: int = 0
    ) -> list[Entity]:
        """Suggestions with the memory (on a worker thread), ``text`` being the piece of the
        article at ``offset``; a suggestion the memory left out is said once, where it
        applies, so a deletion never acts unseen."""
        found = self.recall.entities(annotated.id, doc, text, offset)
        text = annotated.article.text
        new = [
            c
            for c in self.recall.removed(annotated.id)
            if (annotated.id, c.start, c.end) not in self._memory_told
        ]
        if new:
            self._memory_told.update((annotated.id, c.start, c.end) for c in new)
            shown = ", ".join(
                f"{display.safe(text[c.start : c.end], 30)!r} {c.model or ''}".rstrip()
                for c in new[:3]
            )
            more = f" and {len(new) - 3} more" if len(new) > 3 else ""
            self.notify(
                f"The memory left out {shown}{more} in {display.safe(annotated.id, 40)}: you "
                "deleted it before. I, then f on it, forgets that.",
                timeout=10,
                markup=False,
            )
        return found

    def memory_forget(self, text: str) -> str:
        """Forget what the memory holds about ``text``; what to tell the person."""
        if self.read_only is not None:
            return f"Read-only, nothing forgotten: {self.read_only}"
        if not self.recall.forget(text):
            return f"The memory holds nothing about {display.safe(text, 40)!r}."
        self.memory_changed()
        return (
            f"Forgotten: {display.safe(text, 40)!r}. Open unreviewed articles are suggested "
            "again; newsmark suggest --memory does the others."
        )

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
