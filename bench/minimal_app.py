"""The reference for start-up: the least a Textual app can do to show an article's text.

python bench/minimal_app.py FILE
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Static


class Minimal(App[None]):
    BINDINGS = [("ctrl+c", "quit", "Quit")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.text, markup=False)


if __name__ == "__main__":
    Minimal(Path(sys.argv[1]).read_text("utf-8")).run()
