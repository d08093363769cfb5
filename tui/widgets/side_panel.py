"""The side panel of the focused pane: label keys, the entity under the cursor (marked where
it also occurs in the other pane), and the article's entities grouped by label, where
choosing one jumps to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core.session import next_entity, occurrences
from tui.core.spans import Entity
from tui.widgets import display
from tui.widgets.article_view import ArticleView
from tui.widgets.palette import label_style

_PER_LABEL = 200  # distinct texts listed per label; the count still covers them all


@dataclass(frozen=True)
class Described:
    """The entity under the cursor and where it also occurs in the other pane."""

    text: str
    entity: Entity | None
    other_article: str | None = None
    other_hits: int = 0


class SidePanel(Vertical):
    """Follows one article view (:meth:`follow`); ``labels`` is bound to the screen's."""

    DEFAULT_CSS = """
    SidePanel { width: 34; height: 1fr; }
    SidePanel > Static { height: auto; padding: 0 1; }
    SidePanel > #legend { height: 3; }
    SidePanel > #under { border-top: solid $panel-lighten-2; height: 6; }
    SidePanel > OptionList { height: 1fr; border: none; border-top: solid $panel-lighten-2; }
    """

    labels: reactive[list[str]] = reactive(list, repaint=False)
    """Labels in key order, shown as the legend of the number keys."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._choices: list[tuple[str, str]] = []
        self._timer: Timer | None = None
        self._view: ArticleView | None = None
        self._other: ArticleView | None = None
        self._other_name: str | None = None
        self.described: Described | None = None
        """What the panel says is under the cursor, as last drawn."""

    def compose(self) -> ComposeResult:
        yield Static(id="legend")
        yield Static(id="under")
        yield OptionList(id="entities")

    def watch_labels(self, labels: list[str]) -> None:
        text = Text()
        for n, label in enumerate(labels[:9], start=1):
            text.append(f"{n}", style="bold")
            text.append(f" {display.safe(label)} ", style=label_style(label))
            text.append(" ")
        text.append("t", style="bold")
        text.append(" more")
        self.query_one("#legend", Static).update(text, layout=False)

    def follow(
        self,
        view: ArticleView,
        other: ArticleView | None = None,
        other_name: str | None = None,
        *,
        later: bool = False,
    ) -> None:
        """Show ``view``'s entities and the one under its cursor, marking that entity's text
        in ``other`` (the other pane) when it shows another article, ``other_name``."""
        self._view, self._other, self._other_name = view, other, other_name
        document = view.document
        if document is not None:
            self.list(document.entities, document.text, later=later)
        self.cursor_on(view, view.entity_at_cursor())

    def cursor_on(self, view: ArticleView, entity: Entity | None) -> None:
        """The cursor of ``view`` is on ``entity`` now (or on none)."""
        if view is not self._view:
            return
        other, name, document = self._other, self._other_name, view.document
        if entity is None or document is None or name is None:
            if other is not None:
                other.set_marks([])
            text = entity.text(document.text) if entity and document else ""
            self.describe(Described(text, entity))
            return
        text = entity.text(document.text)
        hits = occurrences(other.text, text) if other is not None else []
        if other is not None:
            other.set_marks(hits)
        self.describe(Described(text, entity, name, len(hits)))

    def describe(self, described: Described) -> None:
        self.described = described
        text = Text()
        entity = described.entity
        if entity is None:
            text.append("No entity under the cursor.", style="italic")
        else:
            text.append(display.safe(described.text, 60), style=label_style(entity.label))
            text.append(f"\n{display.safe(entity.label)}", style="bold")
            text.append(f" · {entity.source} · {entity.start}–{entity.end}")
            if entity.score is not None and entity.source == "model":
                text.append(f"\nThe model is {entity.score:.0%} sure")
                alt = entity.alternative
                if alt is not None:
                    text.append(f"; other reading {display.safe(alt.label)}")
                    if (alt.start, alt.end) != (entity.start, entity.end):
                        text.append(f" at {alt.start}–{alt.end}")
                    text.append(f" {alt.score:.0%} (v)")
            if described.other_article is not None:
                if described.other_hits:
                    times = "once" if described.other_hits == 1 else f"{described.other_hits} times"
                    text.append(f"\nAlso in {display.safe(described.other_article)}: {times}")
                    text.append(" (marked)", style="italic")
                else:
                    text.append(f"\nNot in {display.safe(described.other_article)}.")
        self.query_one("#under", Static).update(text, layout=False)

    def list(self, entities: Sequence[Entity], article_text: str, *, later: bool = False) -> None:
        """Group by label with counts; each distinct text once, with how often it occurs.

        ``later`` waits until edits pause (a quarter second), so a burst of keys on a big
        article rebuilds the list once, not on every key.
        """
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if later:
            self._timer = self.set_timer(0.25, lambda: self.list(entities, article_text))
            return
        by_label: dict[str, Counter[str]] = {}
        for e in entities:
            by_label.setdefault(e.label, Counter())[e.text(article_text)] += 1
        options: list[Option | None] = []
        self._choices = []
        for label in sorted(by_label):
            texts = by_label[label]
            header = Text()
            header.append(f" {display.safe(label)} ", style=label_style(label))
            header.append(f" {sum(texts.values())}", style="bold")
            options.append(Option(header, disabled=True))
            for shown, count in texts.most_common(_PER_LABEL):
                line = Text("  " + display.safe(shown, 40))
                if count > 1:
                    line.append(f" ×{count}", style="dim")
                options.append(Option(line, id=str(len(self._choices))))
                self._choices.append((label, shown))
        entity_list = self.query_one("#entities", OptionList)
        highlighted = entity_list.highlighted
        entity_list.clear_options()
        entity_list.add_options([o for o in options if o is not None])
        if highlighted is not None and highlighted < entity_list.option_count:
            entity_list.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Move the followed view's cursor to the next entity like the chosen one."""
        event.stop()
        view = self._view
        if event.option.id is None or view is None or view.document is None:
            return
        label, text = self._choices[int(event.option.id)]
        after = view.tokens.starts[view.cursor] if len(view.tokens) else 0
        target = next_entity(view.document, label, text, after)
        if target is not None:
            view.focus()
            view.move_to_offset(target.start)
