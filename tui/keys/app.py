"""Keys of the whole app, and the ones a modal screen passes on to it."""

from __future__ import annotations

from textual.binding import Binding

_QUIT_KEYS = Binding.Group("Quit")

# Keys that work everywhere.
APP_BINDINGS: list[Binding] = [
    Binding("question_mark", "help", "Help", id="help", tooltip="Show every key binding."),
    # q is an ordinary key, so it can be typed into a filter; ctrl+c quits from anywhere.
    Binding(
        "q",
        "quit",
        "Quit",
        id="quit",
        group=_QUIT_KEYS,
        tooltip="Quit; everything is already saved.",
    ),
    Binding(
        "ctrl+c",
        "quit",
        "Quit",
        show=False,
        id="quit-anywhere",
        priority=True,
        group=_QUIT_KEYS,
        tooltip="Quit; everything is already saved.",
    ),
]

# Textual stops the app's keys at a modal screen: the index and its preview, which take no
# typing, pass ? and q on to the app (the same rows in the help).
MODAL_APP_BINDINGS: list[Binding] = [
    Binding(
        "question_mark",
        "app.help",
        "Help",
        show=False,
        id="help-modal",
        tooltip="Show every key binding.",
    ),
    Binding(
        "q",
        "app.quit",
        "Quit",
        show=False,
        id="quit-modal",
        tooltip="Quit; everything is already saved.",
    ),
]
