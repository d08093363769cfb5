"""Every key binding, declared once: the widgets' BINDINGS, the help screen and the README
table all come from these lists, so the documentation cannot drift from the keys.

Each binding has an ``id`` so people can rebind it with ``App.set_keymap`` and a ``tooltip``
that says what it does in a sentence (the help text).
"""

from __future__ import annotations

from textual.binding import Binding

from tui.keys.app import APP_BINDINGS, MODAL_APP_BINDINGS
from tui.keys.corpus import INDEX_BINDINGS, PREVIEW_BINDINGS
from tui.keys.reader import SCREEN_BINDINGS, VIEW_BINDINGS
from tui.keys.review import REVIEW_BINDINGS

ALL: tuple[Binding, ...] = (
    *VIEW_BINDINGS,
    *SCREEN_BINDINGS,
    *INDEX_BINDINGS,
    *PREVIEW_BINDINGS,
    *APP_BINDINGS,
    *MODAL_APP_BINDINGS,
)

REVIEW_HELP: tuple[Binding, ...] = (*REVIEW_BINDINGS, *VIEW_BINDINGS, *APP_BINDINGS)
"""Every key of ``newsmark review``, as its help shows them: each works there."""


__all__ = [
    "ALL",
    "APP_BINDINGS",
    "INDEX_BINDINGS",
    "MODAL_APP_BINDINGS",
    "PREVIEW_BINDINGS",
    "REVIEW_BINDINGS",
    "REVIEW_HELP",
    "SCREEN_BINDINGS",
    "VIEW_BINDINGS",
]
