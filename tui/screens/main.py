"""The main screen: two article panes, the side panel, the header; saving and the model.

The screen owns the workspace side of things (which article is in which pane, saving after
every edit, model suggestions); the views only know about documents and keys.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList
from textual.worker import Worker, WorkerState

from tui.core import display
from tui.core.article import ArticleError
from tui.core.edits import Document, Edit, Status
from tui.core.ner import ModelError, Pipeline
from tui.core.spans import Entity
from tui.core.store import StoreError
from tui.core.tokens import Tokens
from tui.core.workspace import Annotated, Summary, Workspace, with_suggestions
from tui.keys import SCREEN_BINDINGS
from tui.screens.articles import ArticlePicker
from tui.screens.corpus_index import ReaderCorpus
from tui.screens.labels import LabelPicker
from tui.screens.search import SearchPrompt
from tui.widgets.article_view import ArticleView
from tui.widgets.palette import ordered
from tui.widgets.side_panel import Described, SidePanel
from tui.widgets.status_bar import StatusBar

PipelineFactory = Callable[[str | None], Pipeline]
REVIEWED: tuple[Status, ...] = ("accepted", "rejected")
TO_REVIEW: tuple[Status | None, ...] = (None, "unreviewed", "in_progress")


@dataclass
class Pane:
    """What one reading view shows, and how saving it went."""

    view: ArticleView
    annotated: Annotated | None = None
    broken: str | None = None
    save_failed: bool = False
    marks: list[tuple[int, int]] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        return self.annotated.id if self.annotated is not None else None


class MainScreen(ReaderCorpus, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](SCREEN_BINDINGS)
    HORIZONTAL_BREAKPOINTS = [
        (0, "-tiny"),
        (60, "-narrow"),
        (100, "-wide"),
    ]

    @dataclass
    class ModelReady(Message):
        pipeline: Pipeline

    @dataclass
    class ModelFailed(Message):
        reason: str

    @dataclass
    class Prepared(Message):
        """spaCy tokens (and, for an article with no TOML, suggestions) for one article."""

        article: str
        tokens: Tokens
        suggestions: list[Entity] | None

    @dataclass
    class Summaries(Message):
        summaries: dict[str, Summary]

    def __init__(
        self,
        workspace: Workspace,
        first: Sequence[str],
        *,
        pipeline_factory: PipelineFactory,
        model: str | None = None,
        read_only: str | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.first = list(first)
        self.pipeline_factory = pipeline_factory
        self.model_name = model
        self.read_only = read_only
        self.pipeline: Pipeline | None = None
        self.labels = ordered(())
        self.opened: dict[str, Annotated] = {}
        self.tokens: dict[str, Tokens] = {}
        self.summaries: dict[str, Summary] = {}
        self.bad: dict[str, str] = {}
        self.panes: list[Pane] = []
        self.plain = False
        self._nlp_lock = threading.Lock()
        self._panel_timer: object | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="body"):
            yield ArticleView(id="left")
            yield ArticleView(id="right")
            yield SidePanel(id="side")
        yield Footer()

    # -- start-up -------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.panes = [Pane(self.query_one("#left", ArticleView))]
        right = self.query_one("#right", ArticleView)
        if len(self.first) > 1:
            self.panes.append(Pane(right))
        else:
            right.display = False
            right.can_focus = False
        for pane in self.panes:
            pane.view.labels = self.labels
            pane.view.commit = self._committer(pane)
        self.query_one(SidePanel).show_labels(self.labels)
        bar = self.query_one(StatusBar)
        bar.change(total=len(self.workspace.ids), read_only=self.read_only is not None)
        for pane, article_id in zip(self.panes, self.first, strict=False):
            self.open_in(pane, article_id)
        self.panes[0].view.focus()
        self._mark_focus(self.panes[0])
        if self.read_only is not None:
            self.notify(
                f"Read-only: {self.read_only} Edits stay in memory and are not saved.",
                severity="warning",
                timeout=12,
                markup=False,
            )
        self.memory_start()
        self.load_summaries()
        self.load_model()

    def on_unmount(self) -> None:
        self.memory_stop()

    @work(thread=True, exclusive=True, exit_on_error=False, group="model")
    def load_model(self) -> None:
        """spaCy is imported here, off the event loop, after the text is on screen."""
        try:
            pipeline = self.pipeline_factory(self.model_name)
            self.memory_install(pipeline)
        except ModelError as exc:
            self.post_message(self.ModelFailed(str(exc)))
            return
        except Exception as exc:  # a broken pipeline must not take the reader down
            self.post_message(self.ModelFailed(f"The spaCy pipeline could not be loaded ({exc})."))
            return
        self.post_message(self.ModelReady(pipeline))

    @work(thread=True, exclusive=True, exit_on_error=False, group="summaries")
    def load_summaries(self) -> None:
        """Read every TOML's status for the progress count and the article picker."""
        found = {aid: self.workspace.summary(aid) for aid in self.workspace.ids}
        self.post_message(self.Summaries(found))

    def on_main_screen_summaries(self, message: Summaries) -> None:
        for aid, summary in message.summaries.items():
            self.summaries.setdefault(aid, summary)
        self._update_status()

    def on_main_screen_model_ready(self, message: ModelReady) -> None:
        self.pipeline = message.pipeline
        self.labels[:] = ordered(message.pipeline.labels)
        self.query_one(SidePanel).show_labels(self.labels)
        self.query_one(StatusBar).change(model=message.pipeline.name, model_ready=True)
        for pane in self.panes:
            if pane.annotated is not None:
                self._prepare(pane.annotated)

    def on_main_screen_model_failed(self, message: ModelFailed) -> None:
        self.query_one(StatusBar).change(model="no model: no suggestions", model_ready=True)
        self.notify(message.reason, severity="error", timeout=15, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.notify(
                f"Background work failed: {event.worker.error}", severity="error", markup=False
            )

    def _prepare(self, annotated: Annotated) -> None:
        """Tokenize (and suggest for an article with no TOML) in a thread."""
        pipeline = self.pipeline
        if pipeline is None:
            return
        needs_suggestions = annotated.awaits_suggestions or self.memory_due(annotated)
        if annotated.id in self.tokens and not needs_suggestions:
            return
        text = annotated.article.text

        def work() -> None:
            with self._nlp_lock:
                # One pass: the NER doc carries the tokens too (entity components don't retokenize).
                doc = pipeline.nlp(text) if needs_suggestions else pipeline.nlp.tokenizer(text)
            tokens = Tokens.from_spans((t.idx, t.idx + len(t)) for t in doc)
            found = self.memory_entities(annotated, doc, text) if needs_suggestions else None
            self.post_message(self.Prepared(annotated.id, tokens, found))

        self.run_worker(
            work, thread=True, exclusive=True, group=f"prepare-{annotated.id}", exit_on_error=False
        )

    def on_main_screen_prepared(self, message: Prepared) -> None:
        self.tokens[message.article] = message.tokens
        annotated = self.opened.get(message.article)
        if annotated is None:
            return
        if message.suggestions is not None and self.pipeline is not None:
            # The memory's update of a saved article waits for the person's next edit there.
            first = annotated.awaits_suggestions
            with_suggestions(annotated, message.suggestions, self.pipeline.name)
            for pane in self.panes:
                if first and pane.id == message.article and pane.broken is None:
                    self._save(pane)
                    break
        for pane in self.panes:
            if pane.id == message.article:
                pane.view.set_tokens(message.tokens)
                if message.suggestions is not None:
                    pane.view.redraw()
        self._refresh_panel()
        self._update_status()

    # -- panes ----------------------------------------------------------------------------

    @property
    def focused_pane(self) -> Pane:
        for pane in self.panes:
            if pane.view.has_focus:
                return pane
        for pane in self.panes:
            if "-current" in pane.view.classes:
                return pane
        return self.panes[0]

    def other(self, pane: Pane) -> Pane | None:
        for candidate in self.panes:
            if candidate is not pane:
                return candidate
        return None

    def pane_of(self, view: ArticleView) -> Pane:
        return next(p for p in self.panes if p.view is view)

    def open_in(self, pane: Pane, article_id: str) -> bool:
        """Show an article in a pane; a bad file is reported, never fatal."""
        broken = None
        annotated = self.opened.get(article_id)
        if annotated is None:
            try:
                annotated = self.workspace.open(article_id)
            except ArticleError as exc:
                self.bad[article_id] = exc.reason
                self.notify(str(exc), severity="error", timeout=12, markup=False)
                return False
            except StoreError as exc:
                try:
                    article = self.workspace.corpus.read(article_id)
                except ArticleError as err:
                    self.bad[article_id] = err.reason
                    self.notify(str(err), severity="error", timeout=12, markup=False)
                    return False
                broken = (
                    f"{exc} The article is shown read-only and that file is left as it is; "
                    "fix or delete it to annotate."
                )
                self.bad[article_id] = exc.message
                annotated = Annotated(article, Document(article.text), exc.path, has_file=True)
            else:
                self.opened[article_id] = annotated
        pane.annotated = annotated
        pane.broken = broken
        pane.save_failed = False
        pane.view.locked = broken
        pane.view.show(annotated.document, self.tokens.get(article_id))
        self._title(pane)
        if broken is not None:
            self.notify(broken, severity="error", timeout=15, markup=False)
        if annotated.note:
            self.notify(annotated.note, severity="warning", timeout=12, markup=False)
            annotated.note = None
        if broken is None:
            self._prepare(annotated)
        self._refresh_panel()
        self._update_status()
        return True

    def _title(self, pane: Pane) -> None:
        annotated = pane.annotated
        if annotated is None:
            return
        pane.view.border_title = display.safe(annotated.id)
        if pane.broken is not None:
            pane.view.border_subtitle = "unreadable TOML: read-only"
        elif pane.save_failed:
            pane.view.border_subtitle = f"{annotated.document.status} · NOT SAVED"
        else:
            pane.view.border_subtitle = annotated.document.status

    def _mark_focus(self, current: Pane) -> None:
        for pane in self.panes:
            pane.view.set_class(pane is current, "-current")

    def on_descendant_focus(self) -> None:
        focused = self.focused
        if isinstance(focused, ArticleView):
            pane = self.pane_of(focused)
            self._mark_focus(pane)
            self._refresh_panel()
            self._describe(pane, focused.entity_at_cursor())
            self._update_status()

    # -- saving ---------------------------------------------------------------------------

    def _committer(self, pane: Pane) -> Callable[[Edit], None]:
        def commit(edit: Edit) -> None:
            self._save(pane)
            if pane.annotated is not None:
                self.memory_learn(pane.annotated, edit)
            other = self.other(pane)
            if other is not None and other.id == pane.id:
                other.view.redraw(edit.extent)

        return commit

    def _save(self, pane: Pane) -> None:
        """Write the pane's TOML now; on failure keep everything and say so once."""
        annotated = pane.annotated
        if annotated is None or pane.broken is not None:
            return
        self.summaries[annotated.id] = Summary(
            annotated.id, annotated.document.status, len(annotated.document.entities)
        )
        if self.read_only is not None:
            return
        try:
            self.workspace.save(annotated)
        except OSError as exc:
            if not pane.save_failed:
                reason = exc.strerror or str(exc)
                self.notify(
                    f"Could not save {annotated.path} ({reason}). Your edits are kept on "
                    "screen; free disk space or fix the folder's permissions, and the next "
                    "edit saves everything.",
                    title="Not saved",
                    severity="error",
                    timeout=20,
                    markup=False,
                )
            pane.save_failed = True
        else:
            if pane.save_failed:
                self.notify(f"Saved {annotated.path}; nothing was lost.", markup=False)
            pane.save_failed = False
        self._title(pane)

    # -- messages from the views ----------------------------------------------------------

    @on(ArticleView.Changed)
    def _changed(self, message: ArticleView.Changed) -> None:
        pane = self.pane_of(message.view)
        self._title(pane)
        self._update_status()
        self._schedule_panel()

    @on(ArticleView.Refused)
    def _refused(self, message: ArticleView.Refused) -> None:
        self.notify(message.reason, severity="warning", markup=False)

    @on(ArticleView.CursorMoved)
    def _cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        pane = self.pane_of(message.view)
        if pane is self.focused_pane:
            self._describe(pane, message.entity)

    def _describe(self, pane: Pane, entity: Entity | None) -> None:
        other = self.other(pane)
        panel = self.query_one(SidePanel)
        if entity is None or pane.annotated is None:
            panel.describe(Described("", None))
            if other is not None:
                other.view.set_marks([])
            return
        text = entity.text(pane.annotated.article.text)
        hits: list[tuple[int, int]] = []
        other_id = None
        if other is not None and other.annotated is not None and other.id != pane.id:
            other_id = other.id
            haystack = other.annotated.article.text
            i = haystack.find(text)
            while i != -1:
                hits.append((i, i + len(text)))
                i = haystack.find(text, i + len(text))
            other.view.set_marks(hits)
        panel.describe(Described(text, entity, other_id, len(hits)))

    def _schedule_panel(self) -> None:
        """Rebuild the entity list shortly after edits stop, not on every key."""
        timer = self._panel_timer
        if timer is not None:
            timer.stop()  # type: ignore[attr-defined]
        self._panel_timer = self.set_timer(0.25, self._refresh_panel)

    def _refresh_panel(self) -> None:
        self._panel_timer = None
        pane = self.focused_pane if self.panes else None
        if pane is None or pane.annotated is None:
            return
        panel = self.query_one(SidePanel)
        panel.list(pane.annotated.document.entities, pane.annotated.article.text)

    def _update_status(self) -> None:
        if not self.panes:
            return
        pane = self.focused_pane
        reviewed = None
        if self.summaries:
            reviewed = sum(1 for s in self.summaries.values() if s.status in REVIEWED)
        status: str = pane.annotated.document.status if pane.annotated else ""
        if pane.broken:
            status = "unreadable TOML, read-only"
        elif pane.save_failed:
            status += " (NOT SAVED)"
        self.query_one(StatusBar).change(article=pane.id or "", status=status, reviewed=reviewed)

    @on(SidePanel.Jump)
    def _jump(self, message: SidePanel.Jump) -> None:
        pane = self.focused_pane
        if pane.annotated is None:
            return
        text = pane.view.text
        entities = [
            e
            for e in pane.annotated.document.entities
            if e.label == message.label and e.text(text) == message.text
        ]
        if not entities:
            return
        offset = pane.view.tokens.starts[pane.view.cursor] if len(pane.view.tokens) else 0
        after = [e for e in entities if e.start > offset]
        target = (after or entities)[0]
        pane.view.focus()
        pane.view.move_to_offset(target.start)

    # -- actions --------------------------------------------------------------------------

    def action_switch_pane(self) -> None:
        current = self.focused_pane
        other = self.other(current)
        target = other if other is not None else current
        self._mark_focus(target)
        self._refresh_panel()
        self._describe(target, target.view.entity_at_cursor())
        self._update_status()
        # In a narrow terminal the target is shown only once the class change applies.
        self.call_after_refresh(target.view.focus)

    def action_focus_entities(self) -> None:
        self.query_one("#entities", OptionList).focus()

    def action_toggle_plain(self) -> None:
        self.plain = not self.plain
        for pane in self.panes:
            pane.view.set_plain(self.plain)

    def action_pick_label(self) -> None:
        pane = self.focused_pane
        entity = pane.view.entity_at_cursor()

        def chosen(label: str | None) -> None:
            if label is None:
                return
            if label not in self.labels:
                self.labels.append(label)
                self.query_one(SidePanel).show_labels(self.labels)
            pane.view.apply_label(label)

        self.app.push_screen(LabelPicker(self.labels, entity.label if entity else None), chosen)

    def action_search(self) -> None:
        pane = self.focused_pane

        def chosen(query: str | None) -> None:
            if query:
                found = pane.view.search(query)
                if not found:
                    self.notify(f"No match for {display.safe(query, 40)!r}.", markup=False)

        self.app.push_screen(SearchPrompt(), chosen)

    def action_pick_article(self) -> None:
        pane = self.focused_pane

        def chosen(article_id: str | None) -> None:
            if article_id is not None:
                self.open_in(pane, article_id)
                pane.view.focus()

        for p in self.panes:
            if p.annotated is not None and p.broken is None:
                doc = p.annotated.document
                if p.annotated.has_file:
                    self.summaries[p.annotated.id] = Summary(
                        p.annotated.id, doc.status, len(doc.entities)
                    )
        self.app.push_screen(ArticlePicker(self.workspace.ids, self.summaries, self.bad), chosen)

    def action_review(self, status: Status) -> None:
        pane = self.focused_pane
        if pane.annotated is None:
            return
        if pane.broken is not None:
            self.notify(pane.broken, severity="warning", markup=False)
            return
        edit = pane.annotated.document.set_status(status)
        if edit is not None:
            pane.view.applied(edit)
        else:
            self._save(pane)
        nxt = self._next_unreviewed(pane)
        if nxt is None:
            self.notify("Every article has been reviewed.", markup=False)
            return
        self.open_in(pane, nxt)

    def _next_unreviewed(self, pane: Pane) -> str | None:
        ids = self.workspace.ids
        current = pane.id
        start = ids.index(current) + 1 if current in ids else 0
        other = self.other(pane)
        shown = other.id if other is not None else None
        for aid in [*ids[start:], *ids[:start]]:
            if aid in (current, shown) or aid in self.bad:
                continue
            annotated = self.opened.get(aid)
            if annotated is not None:
                status: Status | None = annotated.document.status
            else:
                summary = self.summaries.get(aid)
                status = summary.status if summary is not None else None
                if summary is not None and summary.error:
                    continue
            if status in TO_REVIEW:
                return aid
        return None
