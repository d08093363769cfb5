"""The main screen: two article panes, the side panel, the header; a view of the Session.

Keys reach the focused :class:`ArticleView`, which edits its document and posts one
:class:`~tui.messages.Edited`; this screen hands it to the :class:`Session` (which saves and
says what to tell the person) and redraws whatever else shows that article. The model (a faceless
widget) runs in thread workers whose results come back as messages.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from tui import messages
from tui.core.ner import Pipeline
from tui.core.session import SaveFailed, Session
from tui.core.workspace import Annotated
from tui.keys import SCREEN_BINDINGS
from tui.screens.corpus_host import JumpTo, ReaderCorpus
from tui.screens.corpus_index import CorpusIndexScreen
from tui.screens.labels import offered
from tui.screens.panes import Pane, PanesScreen
from tui.widgets import display
from tui.widgets.article_view import ArticleView
from tui.widgets.model import Model, PipelineFactory
from tui.widgets.side_panel import SidePanel
from tui.widgets.status_bar import StatusBar

LOCK_RETRY = 2.0  # seconds between a read-only session's tries to take the lock


class MainScreen(PanesScreen, ReaderCorpus):
    """The reader: the panes (:class:`PanesScreen`), the model's and the writer's news, the
    corpus index and the memory (:class:`ReaderCorpus`)."""

    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](SCREEN_BINDINGS)
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (60, "-narrow"), (100, "-wide")]

    def __init__(
        self,
        session: Session,
        first: Sequence[str],
        *,
        pipeline_factory: PipelineFactory,
        model: str | None = None,
        low_confidence: float | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.low_confidence = low_confidence
        self.first = list(first)
        self.model = Model(session, self, pipeline_factory, model)
        self.panes: list[Pane] = []
        # What the corpus index and the memory (ReaderCorpus) work on: the session's own.
        self.workspace, self.read_only = session.workspace, session.read_only
        self.opened, self.tokens, self.summaries = session.opened, session.tokens, session.summaries
        self.pipeline: Pipeline | None = None
        self._nlp_lock = self.model.nlp_lock

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="body"):
            for side in ("left", "right"):
                yield ArticleView(id=side).data_bind(MainScreen.plain, MainScreen.labels)
            yield SidePanel(id="side").data_bind(MainScreen.labels)
        yield Footer()
        yield self.model

    def on_mount(self) -> None:
        left, right = self.query_one("#left", ArticleView), self.query_one("#right", ArticleView)
        self.panes = [Pane(left)] + ([Pane(right)] if len(self.first) > 1 else [])
        if self.low_confidence is not None:
            left.low_confidence = right.low_confidence = self.low_confidence
        if len(self.panes) == 1:
            right.display = right.can_focus = False
        read_only = self.session.read_only
        self.bar.change(total=len(self.session.ids), read_only=read_only is not None)
        for pane, article_id in zip(self.panes, self.first, strict=False):
            self.open_in(pane, article_id)
        left.focus()
        self._mark_focus(self.panes[0])
        if read_only is not None:
            self.say(f"Read-only: {read_only} Edits are refused until it quits.", "warning", 12)
            self.set_interval(LOCK_RETRY, self.retry_lock)
        self.memory_start()
        self.labels = offered(self.session.workspace.project, self.labels)
        # After the first frame: spaCy's import holds the GIL and would delay the text.
        self.call_after_refresh(gc.freeze)
        self.call_after_refresh(self.model.load)
        self.call_after_refresh(self.load_summaries)

    def on_unmount(self) -> None:
        self.memory_stop()

    @work(thread=True, exclusive=True, exit_on_error=False, group="summaries")
    def load_summaries(self) -> None:
        self.post_message(messages.SummariesRead(self.session.read_summaries()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.say(f"Background work failed: {event.worker.error}", "error")

    @on(messages.SummariesRead)
    def _summaries(self, message: messages.SummariesRead) -> None:
        self.session.merge_summaries(message.summaries)
        self.bar.change(reviewed=self.session.reviewed())

    @on(messages.ModelReady)
    def _model_ready(self, message: messages.ModelReady) -> None:
        gc.freeze()  # the model's objects live for the session: keep full collections short
        self.pipeline = message.pipeline
        found = [*message.pipeline.labels, *self.labels]
        self.labels = offered(self.session.workspace.project, found)
        self.bar.change(model=message.pipeline.name, model_ready=True)
        for pane in self.panes:
            self.model.prepare(pane.id)

    @on(messages.ModelFailed)
    def _model_failed(self, message: messages.ModelFailed) -> None:
        self.bar.change(model="no model: no suggestions", model_ready=True)
        self.say(message.reason, "error", 15)

    @on(messages.Prepared)
    def _prepared(self, message: messages.Prepared) -> None:
        self.model.take(message)
        for pane in self._showing(message.article):
            pane.view.set_tokens(message.tokens)
            if message.suggestions is not None:
                pane.view.redraw()
        self._refresh(later=False)

    @on(messages.SaveReported)
    def _save_reported(self, message: messages.SaveReported) -> None:
        event = message.event
        if not isinstance(event, SaveFailed):
            self.say(event.message)
        elif event.first:
            self.say(event.message, "error", 20)
        self._refresh()

    def retry_lock(self) -> None:
        """Read-only because another newsmark holds the folder: take over once it quits."""
        if self.session.retry_lock():
            self.read_only = None
            self.bar.change(read_only=False)
            self.say("The other newsmark quit: edits are saved again.")
            self.load_summaries()
            for pane in self.panes:
                if pane.id is not None:
                    self.open_in(pane, pane.id)

    # -- messages from the views -------------------------------------------------------------

    @on(messages.Edited)
    def _edited(self, message: messages.Edited) -> None:
        article_id = self.session.article_of(message.document)
        if article_id is None:
            return
        for notice in self.session.edited(article_id, message.edit, message.kind):
            self.say(notice)
        self.memory_learn(self.session.opened[article_id], message.edit)
        for pane in self._showing(article_id):
            if pane.view is not message.view:
                pane.view.redraw(message.edit.extent)
        self._refresh()

    @on(messages.Refused)
    def _refused(self, message: messages.Refused) -> None:
        self.say(message.reason, "warning")

    @on(messages.CursorMoved)
    def _cursor_moved(self, message: messages.CursorMoved) -> None:
        if isinstance(message.view, ArticleView):
            self.panel.cursor_on(message.view, message.entity)

    # -- what the corpus index needs (ReaderCorpus) -----------------------------------------

    def action_corpus_index(self) -> None:
        pane = self.focused_pane

        def chosen(jump: JumpTo | None) -> None:
            if jump is None:
                return
            if pane.id != jump.article and not self.open_in(pane, jump.article):
                return
            pane.view.focus()
            pane.view.move_to_offset(jump.offset)
            self.notify(
                f"{display.safe(jump.text, 40)!r}: {jump.nth} of {jump.of}"
                + (" (I, enter: the next)." if jump.of > 1 else "."),
                timeout=4,
                markup=False,
            )

        self.app.push_screen(CorpusIndexScreen(self), chosen)

    def save_article(self, annotated: Annotated) -> None:
        self.session.adopt(annotated)

    def redraw_article(self, article_id: str) -> None:
        for pane in self._showing(article_id):
            pane.view.redraw()
        self._refresh(later=False)

    def resuggest(self, annotated: Annotated) -> None:
        self.model.prepare(annotated.id)
