"""The label picker: type to filter, enter to choose; a new label name is allowed too."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.widgets.option_list import Option

from tui.core.project import Project
from tui.screens.picker import FilterPicker
from tui.widgets import display
from tui.widgets.palette import label_style, ordered

_NEW_LABEL = re.compile(r"[A-Z][A-Z0-9_]*")


def offered(project: Project, found: Iterable[str] = ()) -> list[str]:
    """The labels the picker lists and the number keys give, in their order: the project's
    when it names some (any other only by typing its name), else the default labels and then
    every other label ``found`` (the model's, those already in the annotations)."""
    return list(project.labels) if project.restricts else ordered([*found])


def take(project: Project, labels: Sequence[str], label: str) -> tuple[list[str], str | None]:
    """The labels once ``label`` was chosen, and the one-line warning to show when it is
    outside the project's (it is applied all the same, but never joins the number keys)."""
    if not project.keeps(label):
        return list(labels), f"{label} is outside the project's labels."
    if label not in labels:
        return [*labels, label], None
    return list(labels), None


class LabelPicker(FilterPicker):
    """Returns the chosen label, or ``None`` when dismissed with escape."""

    heading = "Label"
    prompt = "Label: type to filter, enter to choose, escape to cancel"
    placeholder = "label"

    def __init__(self, labels: Sequence[str], current: str | None = None) -> None:
        super().__init__()
        self.labels = list(labels)
        self.current = current

    def options(self, query: str) -> list[Option]:
        q = query.strip().upper()
        found = []
        for n, label in enumerate(self.labels, start=1):
            if q not in label.upper():
                continue
            prompt = Text(f"{n:>2} " if n <= 9 else "   ")
            prompt.append(f" {display.safe(label)} ", style=label_style(label))
            if label == self.current:
                prompt.append("  current", style="italic")
            found.append(Option(prompt, id=label))
        return found

    def submit_typed(self, typed: str) -> None:
        """A name no label matches becomes a new label, if it looks like one."""
        name = typed.strip().upper()
        if _NEW_LABEL.fullmatch(name):
            self.dismiss(name)
        else:
            self.app.bell()
            self.notify(
                f"{display.safe(typed.strip(), 40) or 'An empty name'} is not a label name: a new "
                "label is a letter, then letters, digits or _ (like MY_LABEL).",
                severity="warning",
                markup=False,
            )
