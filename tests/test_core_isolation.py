"""The core must stay usable without Textual (scripts, CLI, fast tests)."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_without_textual_or_spacy() -> None:
    code = (
        "import sys, pkgutil, importlib, tui.core\n"
        "for m in pkgutil.walk_packages(tui.core.__path__, 'tui.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in ('textual', 'spacy') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
