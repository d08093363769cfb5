"""``newsmark review``: two annotators' versions side by side, settled into gold below them.

The top panes show the left and right versions, read-only, with every disagreement marked;
the gold pane under them is an ordinary reading view the reviewer edits. The review keys
take a side for the disagreement under the gold cursor; any other edit settles the
disagreements it touches. The gold is written after every change: ``in_progress`` while
disagreements are left, ``accepted`` once none is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui import messages
from tui.core.agree import Skipped
from tui.core.edits import Document
from tui.core.project import Project
from tui.core.review import (
    Choice,
    Draft,
    Review,
    ReviewError,
    accept_agreed,
    gold_path,
    remaining,
    write,
)
from tui.core.store import StoreError
from tui.keys import APP_BINDINGS, REVIEW_BINDINGS, REVIEW_HELP
from tui.messages import Edited
from tui.screens.help import HelpScreen
from tui.screens.labels import LabelPicker, offered, take
from tui.screens.search import SearchPrompt
from tui.widgets import display
from tui.widgets.article_view import ArticleView


class GoldView(ArticleView):
    """The editable gold; says where its cursor went so the versions can follow it."""

    Moved = messages.GoldMoved

    def move_to(self, index: int, *, extend: bool = False) -> None:
        super().move_to(index, extend=extend)
        self.post_message(self.Moved(self))


class ReviewScreen(Screen[None]):
    """One shared article at a time: left and right versions above, the gold below."""

    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](REVIEW_BINDINGS)
    DEFAULT_CSS = """
    ReviewScreen #progress { height: 1; padding: 0 1; background: $panel; }
    ReviewScreen #versions { height: 1fr; }
    ReviewScreen #gold { height: 1fr; }
    """

    def __init__(
        self,
        reviews: Sequence[Review],
        out: Path,
        reviewer: str,
        skipped: Sequence[Skipped] = (),
        project: Project | None = None,
    ) -> None:
        super().__init__()
        self.reviews = list(reviews)
        self.project = project if project is not None else Project()
        self.out = out
        self.reviewer = reviewer
        self.skipped = list(skipped)
        self.index = 0
        self.drafts: dict[str, Draft] = {}
        self.broken: dict[str, str] = {}
        self.written: set[str] = set()
        self.save_failed = False
        labels: set[str] = set()
        for r in self.reviews:
            labels.update(e.label for e in (*r.left.entities, *r.right.entities))
        self.labels = offered(self.project, labels)

    def compose(self) -> ComposeResult:
        yield Static(id="progress", markup=False)
        with Horizontal(id="versions"):
            yield ArticleView(id="left")
            yield ArticleView(id="right")
        yield GoldView(id="gold")
        yield Footer()

    # -- start-up -------------------------------------------------------------------------

    def on_mount(self) -> None:
        for r in self.reviews:
            try:
                self.drafts[r.article.id] = Draft.open(r, self.out)
            except StoreError as exc:
                self.broken[r.article.id] = (
                    f"{exc} That gold is left as it is and this article is read-only; "
                    "fix or delete the file to review it."
                )
                self.drafts[r.article.id] = Draft.start(r)
            if gold_path(self.out, r.article.id).exists():
                self.written.add(r.article.id)
        for side in ("left", "right"):
            version = self.query_one(f"#{side}", ArticleView)
            version.can_focus = False
        gold = self.query_one(GoldView)
        gold.labels = self.labels
        gold.add_class("-current")
        start = next((i for i, r in enumerate(self.reviews) if not r.complete), 0)
        self.show_article(start)
        gold.focus()
        agreed = [
            r for r in self.reviews if r.agrees and not gold_path(self.out, r.article.id).exists()
        ]
        if agreed:
            self.notify(
                f"{len(agreed)} article(s) agree completely: G writes their gold in one step.",
                markup=False,
            )
        if self.skipped:
            self.notify(
                f"{len(self.skipped)} article(s) are not in both folders with a status to "
                "review and are left out; `newsmark agree` lists why.",
                markup=False,
            )

    # -- the article shown ----------------------------------------------------------------

    @property
    def review(self) -> Review:
        return self.reviews[self.index]

    @property
    def draft(self) -> Draft:
        return self.drafts[self.review.article.id]

    @property
    def gold(self) -> GoldView:
        return self.query_one(GoldView)

    def show_article(self, index: int) -> None:
        """Show review ``index``: both versions and its gold, cursor on what is left to do."""
        self.index = index
        review, draft = self.review, self.draft
        text = review.article.text
        for side, version in (("left", review.left), ("right", review.right)):
            view = self.query_one(f"#{side}", ArticleView)
            view.show(Document(text, version.entities, excluded=version.excluded))
            view.locked = f"This is {version.name}'s version; edit the gold below."
            view.border_title = Content(f"{side}: {display.safe(version.name)}")
        gold = self.gold
        gold.locked = self.broken.get(review.article.id)
        gold.show(draft.document)
        first = review.next_pending()
        if first is not None:
            gold.move_to_offset(review.disagreements[first].start)
        if gold.locked is not None:
            self.notify(gold.locked, severity="error", timeout=15, markup=False)
        self._refresh()

    def _refresh(self) -> None:
        """Marks, titles and the progress line after anything changed."""
        review = self.review
        every = [(d.start, d.end) for d in review.disagreements]
        pending = [
            (d.start, d.end)
            for d, c in zip(review.disagreements, review.choices, strict=True)
            if c is None
        ]
        for side in ("left", "right"):
            self.query_one(f"#{side}", ArticleView).set_marks(every)
        gold = self.gold
        gold.set_marks(pending)
        article_id = review.article.id
        gold.border_title = Content(f"gold: {display.safe(article_id)}")
        if article_id in self.broken:
            state = "unreadable gold TOML: read-only"
        elif self.save_failed:
            state = "NOT SAVED"
        elif article_id in self.written:
            state = "accepted" if review.complete else "in progress"
        else:
            state = "not written yet"
        gold.border_subtitle = state
        left, right = display.safe(review.left.name), display.safe(review.right.name)
        n = len(self.reviews)
        self.query_one("#progress", Static).update(
            f"{left} ◂▸ {right} · article {self.index + 1}/{n} · {review.pending} of "
            f"{len(review.disagreements)} diffs left here, {remaining(self.reviews)} in all · "
            f"gold {len(self.written)}/{n} written"
        )

    def _save(self) -> None:
        """Write this article's gold (the reviewer's version as it stands) into --out."""
        review = self.review
        article_id = review.article.id
        if article_id in self.broken:
            return
        try:
            path = write(self.out, self.draft.gold(self.reviewer))
        except ReviewError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        except OSError as exc:
            if not self.save_failed:
                self.notify(
                    f"Could not save {gold_path(self.out, article_id)} "
                    f"({exc.strerror or exc}). Your decisions are kept on screen; free disk "
                    "space or fix the folder's permissions, and the next change saves them.",
                    title="Not saved",
                    severity="error",
                    timeout=20,
                    markup=False,
                )
            self.save_failed = True
            return
        if self.save_failed:
            self.notify(f"Saved {path}; nothing was lost.", markup=False)
        self.save_failed = False
        self.written.add(article_id)
        if review.complete:
            self.notify(f"Every disagreement decided: gold accepted in {path}.", markup=False)

    # -- messages from the views ----------------------------------------------------------

    @on(messages.GoldMoved)
    def _follow(self, message: messages.GoldMoved) -> None:
        """The versions keep their cursor on the same token as the gold's."""
        offset = self._offset()
        for side in ("left", "right"):
            view = self.query_one(f"#{side}", ArticleView)
            if view.document is not None and len(view.tokens):
                view.move_to_offset(offset)

    @on(Edited, "#gold")
    def _edited(self, message: Edited) -> None:
        was_complete = self.review.complete
        self.draft.edited(message.edit)
        self._save()
        if was_complete and not self.review.complete:
            self.notify("An undo made a disagreement undecided again.", markup=False)
        self._refresh()

    @on(messages.Refused)
    def _refused(self, message: messages.Refused) -> None:
        self.notify(message.reason, severity="warning", markup=False)

    # -- actions --------------------------------------------------------------------------

    def _offset(self) -> int:
        gold = self.gold
        return gold.tokens.starts[gold.cursor] if len(gold.tokens) else 0

    def action_take(self, choice: Choice) -> None:
        review, gold = self.review, self.gold
        if gold.locked is not None:
            self.notify(gold.locked, severity="warning", markup=False)
            return
        if review.agrees:
            self.app.bell()
            self.notify("The two versions agree everywhere in this article.", markup=False)
            return
        offset = self._offset()
        index = review.at(offset)
        if index is None:
            self.app.bell()
            self.notify("The cursor is not on a disagreement; d jumps to the next.", markup=False)
            return
        edit = self.draft.decide(index, choice)
        if edit is not None and edit.extent is not None:
            gold.redraw(edit.extent)
        self._save()
        nxt = review.next_pending(review.disagreements[index].start)
        if nxt is not None:
            gold.move_to_offset(review.disagreements[nxt].start)
        self._refresh()

    def action_disagreement(self, step: int) -> None:
        found = self.review.step(self._offset(), step)
        if found is None:
            self.app.bell()
            self.notify("The two versions agree everywhere in this article.", markup=False)
            return
        self.gold.move_to_offset(self.review.disagreements[found].start)

    def action_article(self, step: int) -> None:
        self.show_article((self.index + step) % len(self.reviews))

    def action_pick_label(self) -> None:
        gold = self.gold
        entity = gold.entity_at_cursor()

        def chosen(label: str | None) -> None:
            if label is None:
                return
            self.labels, warning = take(self.project, self.labels, label)
            gold.labels = self.labels
            if warning is not None:
                self.notify(warning, markup=False)
            gold.apply_label(label)

        self.app.push_screen(LabelPicker(self.labels, entity.label if entity else None), chosen)

    def action_search(self) -> None:
        gold = self.gold

        def chosen(query: str | None) -> None:
            if not query:
                return
            found, outside = gold.search(query)
            shown = display.safe(query, 40)
            if not found:
                self.notify(f"No match for {shown!r}.", markup=False)
            elif outside:
                self.notify(f"{shown!r} is only in text marked as not article text.", markup=False)

        self.app.push_screen(SearchPrompt(), chosen)

    def action_accept_agreed(self) -> None:
        try:
            done = accept_agreed(self.reviews, self.out, self.reviewer)
        except OSError as exc:
            self.notify(
                f"Could not write the gold into {self.out} ({exc.strerror or exc}); "
                "fix the folder and press G again.",
                severity="error",
                markup=False,
            )
            return
        self.written.update(
            r.article.id for r in self.reviews if gold_path(self.out, r.article.id).exists()
        )
        self.notify(
            f"Gold written for {len(done.written)} article(s) where both versions agree; "
            f"{len(done.kept)} already had gold; {len(done.disagreeing)} have disagreements "
            "to review.",
            markup=False,
        )
        self._refresh()


class ReviewApp(App[int]):
    """``newsmark review``: the review screen, the app-wide keys, help with the review keys."""

    CSS_PATH = "../newsmark.tcss"
    TITLE = "newsmark review"
    BINDINGS: ClassVar[list[BindingType]] = list[BindingType](APP_BINDINGS)

    def __init__(
        self,
        reviews: Sequence[Review],
        out: Path,
        reviewer: str,
        skipped: Sequence[Skipped] = (),
        project: Project | None = None,
    ) -> None:
        super().__init__()
        self.review_screen = ReviewScreen(reviews, out, reviewer, skipped, project)

    def on_mount(self) -> None:
        self.push_screen(self.review_screen)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(REVIEW_HELP))
