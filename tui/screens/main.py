"""The main screen: two article panes, the side panel, the header; a view of the Session.

Keys reach the focused :class:`ArticleView`, which edits its document and posts one
:class:`~tui.messages.Edited`; this screen hands it to the :class:`Session` (which saves and
says what to tell the person) and redraws whatever else shows that article. The model runs in
thread workers whose results come back as messages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, OptionList
from textual.worker import Worker, WorkerState

from tui import messages
from tui.core import ner
from tui.core.edits import Status
from tui.core.ner import ModelError, Pipeline
from tui.core.session import SaveFailed, Session
from tui.core.spans import Entity
from tui.core.tokens import Tokens
from tui.keys import SCREEN_BINDINGS
from tui.screens.articles import ArticlePicker
from tui.screens.labels import LabelPicker
from tui.screens.search import SearchPrompt
from tui.widgets import display
from tui.widgets.article_view import ArticleView
from tui.widgets.palette import ordered
from tui.widgets.side_panel import Described, SidePanel
from tui.widgets.status_bar import StatusBar

PipelineFactory = Callable[[str | None], Pipeline]
LOCK_RETRY = 2.0  # seconds between a read-only session's tries to take the lock


@dataclass
class Pane:
    """One reading view and the id of the article it shows."""

    view: ArticleView
    id: str | None = None


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](SCREEN_BINDINGS)
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (60, "-narrow"), (100, "-wide")]

    plain: var[bool] = var(False)
    """Plain reading in both panes (``p``)."""
    labels: var[list[str]] = var(lambda: ordered(()))
    """Labels in number-key order: the model's, then any a person adds."""

    def __init__(
        self,
        session: Session,
        first: Sequence[str],
        *,
        pipeline_factory: PipelineFactory,
        model: str | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.first = list(first)
        self.pipeline_factory = pipeline_factory
        self.model_name = model
        self.pipeline: Pipeline | None = None
        self.panes: list[Pane] = []
        self._nlp_lock = threading.Lock()

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="body"):
            for side in ("left", "right"):
                yield ArticleView(id=side).data_bind(MainScreen.plain, MainScreen.labels)
            yield SidePanel(id="side").data_bind(MainScreen.labels)
        yield Footer()

    def on_mount(self) -> None:
        left, right = self.query_one("#left", ArticleView), self.query_one("#right", ArticleView)
        self.panes = [Pane(left)] + ([Pane(right)] if len(self.first) > 1 else [])
        if len(self.panes) == 1:
            right.display = right.can_focus = False
        read_only = self.session.read_only
        self.bar.change(total=len(self.session.ids), read_only=read_only is not None)
        for pane, article_id in zip(self.panes, self.first, strict=False):
            self.open_in(pane, article_id)
        left.focus()
        self._mark_focus(self.panes[0])
        if read_only is not None:
            self.notify(
                f"Read-only: {read_only} Edits are refused until that newsmark quits.",
                severity="warning",
                timeout=12,
                markup=False,
            )
            self.set_interval(LOCK_RETRY, self.retry_lock)
        self.load_summaries()
        self.load_model()

    @property
    def bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def panel(self) -> SidePanel:
        return self.query_one(SidePanel)

    # -- workers and what they send back ----------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="model")
    def load_model(self) -> None:
        """spaCy is imported here, off the event loop, after the text is on screen."""
        try:
            pipeline = self.pipeline_factory(self.model_name)
        except ModelError as exc:
            self.post_message(messages.ModelFailed(str(exc)))
        except Exception as exc:  # a broken pipeline must not take the reader down
            reason = f"The spaCy pipeline could not be loaded ({exc})."
            self.post_message(messages.ModelFailed(reason))
        else:
            self.post_message(messages.ModelReady(pipeline))

    @work(thread=True, exclusive=True, exit_on_error=False, group="summaries")
    def load_summaries(self) -> None:
        self.post_message(messages.SummariesRead(self.session.read_summaries()))

    @on(messages.SummariesRead)
    def _summaries(self, message: messages.SummariesRead) -> None:
        self.session.merge_summaries(message.summaries)
        self.bar.change(reviewed=self.session.reviewed())

    @on(messages.ModelReady)
    def _model_ready(self, message: messages.ModelReady) -> None:
        self.pipeline = message.pipeline
        self.labels = ordered([*message.pipeline.labels, *self.labels])
        self.bar.change(model=message.pipeline.name, model_ready=True)
        for pane in self.panes:
            self._prepare(pane.id)

    @on(messages.ModelFailed)
    def _model_failed(self, message: messages.ModelFailed) -> None:
        self.bar.change(model="no model: no suggestions", model_ready=True)
        self.notify(message.reason, severity="error", timeout=15, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.notify(
                f"Background work failed: {event.worker.error}", severity="error", markup=False
            )

    def _prepare(self, article_id: str | None) -> None:
        """Tokenize (and suggest, for an article that had no TOML) in a thread."""
        pipeline, session = self.pipeline, self.session
        if pipeline is None or article_id is None or article_id not in session.opened:
            return
        suggest = session.needs_suggestions(article_id)
        if article_id in session.tokens and not suggest:
            return
        text = session.opened[article_id].article.text

        def work() -> None:
            with self._nlp_lock:
                # One pass: the NER doc carries the tokens too (entity components don't retokenize).
                doc = pipeline.nlp(text) if suggest else pipeline.nlp.tokenizer(text)
            tokens = Tokens.from_spans((t.idx, t.idx + len(t)) for t in doc)
            found = ner.entities(doc, text) if suggest else None
            self.post_message(messages.Prepared(article_id, tokens, found))

        self.run_worker(
            work, thread=True, exclusive=True, group=f"prepare-{article_id}", exit_on_error=False
        )

    @on(messages.Prepared)
    def _prepared(self, message: messages.Prepared) -> None:
        aid = message.article
        self.session.tokens[aid] = message.tokens
        if message.suggestions is not None and self.pipeline is not None:
            self.session.add_suggestions(aid, message.suggestions, self.pipeline.name)
        for pane in self._showing(aid):
            pane.view.set_tokens(message.tokens)
            if message.suggestions is not None:
                pane.view.redraw()
        self._refresh(later=False)

    @on(messages.SaveReported)
    def _save_reported(self, message: messages.SaveReported) -> None:
        event = message.event
        if isinstance(event, SaveFailed):
            if event.first:
                self.notify(
                    event.message, title="Not saved", severity="error", timeout=20, markup=False
                )
        else:
            self.notify(event.message, markup=False)
        self._refresh()

    def retry_lock(self) -> None:
        """Read-only because another newsmark holds the folder: take over once it quits."""
        if self.session.retry_lock():
            self.bar.change(read_only=False)
            self.notify("The other newsmark quit: edits are saved again.", markup=False)
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
            self.notify(opened.problem.message, severity="error", timeout=12, markup=False)
            return False
        pane.id = article_id
        pane.view.locked = self.session.refusal(article_id)
        pane.view.show(opened.annotated.document, self.session.tokens.get(article_id))
        for message in (opened.problem.message if opened.problem else None, opened.note):
            if message:
                self.notify(message, severity="warning", timeout=15, markup=False)
        self._prepare(article_id)
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
            pane.view.border_title = Content(display.safe(pane.id))
            pane.view.border_subtitle = Content(self._state(pane.id, short=True))
        pane = self.focused_pane
        self.bar.change(
            article=pane.id or "", status=self._state(pane.id), reviewed=session.reviewed()
        )
        document = pane.view.document
        if document is not None:
            self.panel.list(document.entities, document.text, later=later)
        self._describe(pane, pane.view.entity_at_cursor())

    def _state(self, article_id: str | None, short: bool = False) -> str:
        session = self.session
        if article_id is None:
            return ""
        if article_id in session.problems:
            return "unreadable TOML: read-only" if short else "unreadable TOML, read-only"
        status = session.status_of(article_id) or ""
        if session.failed(article_id):
            return f"{status} · NOT SAVED" if short else f"{status} (NOT SAVED)"
        return status

    # -- messages from the views -------------------------------------------------------------

    @on(messages.Edited)
    def _edited(self, message: messages.Edited) -> None:
        pane = next(p for p in self.panes if p.view is message.view)
        assert pane.id is not None
        for notice in self.session.edited(pane.id, message.edit, message.kind):
            self.notify(notice, markup=False)
        for other in self._showing(pane.id):
            if other is not pane:
                other.view.redraw(message.edit.extent)
        self._refresh()

    @on(ArticleView.Refused)
    def _refused(self, message: ArticleView.Refused) -> None:
        self.notify(message.reason, severity="warning", markup=False)

    @on(ArticleView.CursorMoved)
    def _cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        pane = self.focused_pane
        if pane.view is message.view:
            self._describe(pane, message.entity)

    def _describe(self, pane: Pane, entity: Entity | None) -> None:
        """The entity under the cursor in the panel, and marked where it occurs in the other."""
        other = self.other(pane)
        document = pane.view.document
        if entity is None or document is None:
            self.panel.describe(Described("", None))
            if other is not None:
                other.view.set_marks([])
            return
        text = entity.text(document.text)
        if other is None or other.id is None or other.id == pane.id:
            self.panel.describe(Described(text, entity))
            return
        hits = self.session.occurrences(text, other.id)
        other.view.set_marks(hits)
        self.panel.describe(Described(text, entity, other.id, len(hits)))

    @on(SidePanel.Jump)
    def _jump(self, message: SidePanel.Jump) -> None:
        view, article_id = self.focused_pane.view, self.focused_pane.id
        if article_id is None:
            return
        after = view.tokens.starts[view.cursor] if len(view.tokens) else 0
        target = self.session.jump_target(article_id, message.label, message.text, after)
        if target is not None:
            view.focus()
            view.move_to_offset(target)

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
            if label not in self.labels:
                self.labels = [*self.labels, label]
            view.apply_label(label)

        self.app.push_screen(LabelPicker(self.labels, entity.label if entity else None), chosen)

    def action_search(self) -> None:
        view = self.focused_pane.view

        def chosen(query: str | None) -> None:
            if query and not view.search(query):
                self.notify(f"No match for {display.safe(query, 40)!r}.", markup=False)

        self.app.push_screen(SearchPrompt(), chosen)

    def action_pick_article(self) -> None:
        pane = self.focused_pane

        def chosen(article_id: str | None) -> None:
            if article_id is not None and self.open_in(pane, article_id):
                pane.view.focus()

        session = self.session
        picker = ArticlePicker(session.ids, session.summaries, session.problems)
        self.app.push_screen(picker, chosen)

    def action_review(self, status: Status) -> None:
        pane = self.focused_pane
        if pane.id is None:
            return
        refusal = self.session.refusal(pane.id)
        if refusal is not None:
            self.notify(refusal, severity="warning", markup=False)
            return
        self.session.review(pane.id, status)
        other = self.other(pane)
        shown = [other.id] if other is not None else []
        nxt = self.session.next_unreviewed(pane.id, shown)
        if nxt is None:
            self._refresh()
            self.notify(self.session.nothing_left(shown), markup=False)
        else:
            self.open_in(pane, nxt)
