"""Subcommands. Each module has ``add_parser(subparsers, common, name)`` and ``run(args)``.

Modules are imported only when the parser is built, and each keeps its heavy imports
(spaCy, Textual) inside ``run`` so ``newsmark --help`` stays instant.
"""

from __future__ import annotations

import importlib
from types import ModuleType

COMMAND_MODULES: dict[str, str] = {
    "open": "tui.commands.open_cmd",
    "suggest": "tui.commands.suggest",
    "validate": "tui.commands.validate",
    "stats": "tui.commands.stats",
    "export": "tui.commands.export",
    "import": "tui.commands.import_cmd",
    "evaluate": "tui.commands.evaluate",
    "train": "tui.commands.train",
    "agree": "tui.commands.agree",
    "serve": "tui.commands.serve",
    "team": "tui.commands.team",
    "add": "tui.commands.add",
    "review": "tui.commands.review",
    "queue": "tui.commands.queue",
}


def load(name: str) -> ModuleType:
    return importlib.import_module(COMMAND_MODULES[name])
