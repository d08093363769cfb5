"""The main screen: two article panes, the side panel, the header; a view of the Session.

Keys reach the focused :class:`ArticleView`, which edits its document and posts one
:class:`~tui.messages.Edited`; this screen hands it to the :class:`Session` (which saves and
says what to tell the person) and redraws whatever else shows that article. The model (a faceless
widget) runs in thread workers whose results come back as messages.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, OptionList
from textual.worker import Worker, WorkerState

from tui import messages
from tui.core.edits import Status
from tui.core.ner import Pipeline
from tui.core.session import SaveFailed, Session
from tui.core.workspace import Annotated
from tui.keys import SCREEN_BINDINGS
from tui.screens.articles import ArticlePicker
from tui.screens.corpus_index import ReaderCorpus
from tui.screens.labels import LabelPicker
from tui.screens.search import SearchPrompt
from tui.widgets import display
from tui.widgets.article_view import ArticleView
from tui.widgets.model import Model, PipelineFactory
from tui.widgets.palette import ordered
from tui.widgets.side_panel import SidePanel
from tui.widgets.status_bar import StatusBar

LOCK_RETRY = 2.0  # seconds between a read-only session's tries to take the lock


@dataclass
class Pane:
    """One reading view and the id of the article it shows."""

    view: ArticleView
    id: str | None = None
    titles: tuple[str, str] = ("", "")  # as last drawn: setting a title repaints the view


class MainScreen(ReaderCorpus, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](SCREEN_BINDINGS)
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (60, "-narrow"), (100, "-wide")]

    plain: var[bool] = var(False)
    """Plain reading in both panes (``p``)."""
    labels: var[list[str]] = var(lambda: ordered(()))
    """Labels in number-key order: the project's, else the model's and any a person adds."""

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
        if self.session.workspace.project.restricts:
            self.labels = list(self.session.workspace.project.labels)
        # After the first frame: spaCy's import holds the GIL and would delay the text.
        self.call_after_refresh(gc.freeze)
        self.call_after_refresh(self.model.load)
        self.call_after_refresh(self.load_summaries)

    def on_unmount(self) -> None:
        self.memory_stop()

    def say(self, text: str, severity: SeverityLevel = "information", timeout: float = 8) -> None:
        """A notice; never markup, since it quotes file names, labels and article text."""
        self.notify(text, severity=severity, timeout=timeout, markup=False)

    @property
    def bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def panel(self) -> SidePanel:
        return self.query_one(SidePanel)

    # -- workers and what they send back ----------------------------------------------------

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
        if not self.session.workspace.project.restricts:  # else the project's, from the start
            self.labels = ordered([*message.pipeline.labels, *self.labels])
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

    # -- panes ------------------------------------------------------------------------------

    @property
    def focused_pane(self) -> Pane:
        for pane in self.panes:
            if pane.view.has_focus:
                return pane
        return next((p for p in self.panes if "-current" in p.view.classes), self.panes[0])

    def other(self, pane: Pane) -> Pane | None:
        return next((p for p in self.panes if p is not pane), None)

    def _showing(self, article_id: str) -> list[Pane]:
        return [p for p in self.panes if p.id == article_id]

    def open_in(self, pane: Pane, article_id: str) -> bool:
        """Show an article in a pane; a bad file is reported, never fatal."""
        opened = self.session.open(article_id)
        if opened.annotated is None:
            assert opened.problem is not None
            self.say(opened.problem.message, "error", 12)
            return False
        pane.id = article_id
        pane.view.locked = self.session.refusal(article_id)
        pane.view.show(opened.annotated.document, self.session.tokens.get(article_id))
        for message in (opened.problem.message if opened.problem else None, opened.note):
            if message:
                self.say(message, "warning", 15)
        self.model.prepare(article_id)
        self._refresh(later=False)
        return True

    def _mark_focus(self, current: Pane) -> None:
        for pane in self.panes:
            pane.view.set_class(pane is current, "-current")

    def on_descendant_focus(self) -> None:
        if isinstance(self.focused, ArticleView):
            self._mark_focus(next(p for p in self.panes if p.view is self.focused))
            self._refresh(later=False)

    def _refresh(self, *, later: bool = True) -> None:
        """Bring titles, the header and the side panel in line with the session."""
        session = self.session
        for pane in self.panes:
            if pane.id is None:
                continue
            titles = (display.safe(pane.id), session.state(pane.id, short=True))
            if titles != pane.titles:
                pane.titles = titles
                pane.view.border_title, pane.view.border_subtitle = map(Content, titles)
        pane = self.focused_pane
        status = session.state(pane.id) if pane.id else ""
        self.bar.change(article=pane.id or "", status=status, reviewed=session.reviewed())
        other = self.other(pane)
        name = other.id if other is not None and other.id != pane.id else None
        self.panel.follow(pane.view, other.view if other else None, name, later=later)

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

    @on(ArticleView.Refused)
    def _refused(self, message: ArticleView.Refused) -> None:
        self.say(message.reason, "warning")

    @on(ArticleView.CursorMoved)
    def _cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.panel.cursor_on(message.view, message.entity)

    # -- what the corpus index needs (ReaderCorpus) -----------------------------------------

    def save_article(self, annotated: Annotated) -> None:
        self.session.adopt(annotated)

    def redraw_article(self, article_id: str) -> None:
        for pane in self._showing(article_id):
            pane.view.redraw()
        self._refresh(later=False)

    def resuggest(self, annotated: Annotated) -> None:
        self.model.prepare(annotated.id)

    # -- actions -----------------------------------------------------------------------------

    def action_switch_pane(self) -> None:
        current = self.focused_pane
        target = self.other(current) or current
        self._mark_focus(target)
        self._refresh(later=False)
        # In a narrow terminal the target is shown only once the class change applies.
        self.call_after_refresh(target.view.focus)

    def action_focus_entities(self) -> None:
        self.query_one("#entities", OptionList).focus()

    def action_focus_article(self) -> None:
        self.focused_pane.view.focus()

    def action_toggle_plain(self) -> None:
        self.plain = not self.plain

    def action_pick_label(self) -> None:
        view = self.focused_pane.view
        entity = view.entity_at_cursor()

        def chosen(label: str | None) -> None:
            if label is None:
                return
            project = self.session.workspace.project
            if not project.keeps(label):
                self.say(f"{label} is outside the project's labels.")
            elif label not in self.labels:
                self.labels = [*self.labels, label]
            view.apply_label(label)

        self.app.push_screen(LabelPicker(self.labels, entity.label if entity else None), chosen)

    def action_search(self) -> None:
        view = self.focused_pane.view

        def chosen(query: str | None) -> None:
            if not query:
                return
            found, outside = view.search(query)
            shown = display.safe(query, 40)
            if not found:
                self.say(f"No match for {shown!r}.")
            elif outside:
                self.say(
                    f"{shown!r} is only in text marked as not article text; X there gives it back."
                )

        self.app.push_screen(SearchPrompt(), chosen)

    def action_pick_article(self) -> None:
        pane = self.focused_pane

        def chosen(article_id: str | None) -> None:
            if article_id is not None and self.open_in(pane, article_id):
                pane.view.focus()

        session = self.session
        picker = ArticlePicker(session.queue, session.summaries, session.problems, session.opening)
        self.app.push_screen(picker, chosen)

    def action_step_article(self, step: int) -> None:
        pane = self.focused_pane
        nxt = self.session.neighbour(pane.id, step)
        if nxt is None:
            self.app.bell()
            self.say("No article after this one." if step > 0 else "This is the first article.")
        elif self.open_in(pane, nxt):
            pane.view.focus()

    def action_review(self, status: Status) -> None:
        pane = self.focused_pane
        if pane.id is None:
            return
        refusal = self.session.refusal(pane.id)
        if refusal is not None:
            self.say(refusal, "warning")
            return
        self.session.review(pane.id, status)
        other = self.other(pane)
        shown = [other.id] if other is not None else []
        nxt = self.session.next_unreviewed(pane.id, shown)
        if nxt is None:
            self._refresh()
            self.say(self.session.nothing_left(shown))
        else:
            self.open_in(pane, nxt)
