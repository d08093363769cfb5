"""The reader's two panes and the keys of the main screen that act on them: switching,
the pickers, search and the review decisions. :class:`~tui.screens.main.MainScreen` adds the
workers, the messages and the corpus tools on top.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import OptionList

from tui.core.edits import Status
from tui.core.session import Session
from tui.screens.articles import ArticlePicker
from tui.screens.labels import LabelPicker, take
from tui.screens.search import SearchPrompt
from tui.widgets import display
from tui.widgets.article_view import ArticleView
from tui.widgets.model import Model
from tui.widgets.palette import ordered
from tui.widgets.side_panel import SidePanel
from tui.widgets.status_bar import StatusBar


@dataclass
class Pane:
    """One reading view and the id of the article it shows."""

    view: ArticleView
    id: str | None = None
    titles: tuple[str, str] = ("", "")  # as last drawn: setting a title repaints the view


class PanesScreen(Screen[None]):
    """Two article panes over one :class:`Session`; the screen's keys that act on them."""

    session: Session
    model: Model
    panes: list[Pane]

    plain: var[bool] = var(False)
    """Plain reading in both panes (``p``)."""
    labels: var[list[str]] = var(lambda: ordered(()))
    """Labels in number-key order: the model's, then any a person adds."""

    def say(self, text: str, severity: SeverityLevel = "information", timeout: float = 8) -> None:
        """A notice; never markup, since it quotes file names, labels and article text."""
        self.notify(text, severity=severity, timeout=timeout, markup=False)

    @property
    def bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def panel(self) -> SidePanel:
        return self.query_one(SidePanel)

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

    # -- actions -----------------------------------------------------------------------------

    def action_switch_pane(self) -> None:
        current = self.focused_pane
        target = self.other(current) or current
        self._mark_focus(target)
        # Now, not after a refresh: keys typed right after tab are already queued and go to
        # the focused view. (A view hidden in a narrow terminal may take focus; it is shown
        # once the class change applies.)
        self.set_focus(target.view)
        self._refresh(later=False)

    def action_focus_entities(self) -> None:
        if not self.panel.display:  # hidden in a tiny terminal: keys would go nowhere seen
            self.say("The entity list is hidden at this width: widen the terminal.", "warning")
            return
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
            labels, warning = take(self.session.workspace.project, self.labels, label)
            if warning is not None:
                self.say(warning)
            elif labels != self.labels:
                self.labels = labels
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
