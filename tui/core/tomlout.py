"""Writing TOML that is safe to print: no control character, C0 or C1, reaches a file raw.

TOML allows C1 controls (U+0080 to U+009F) raw inside strings, and tomli-w writes them so; a
terminal acts on them when someone prints the file (U+009B starts an escape sequence, U+0085
breaks a line). Every TOML newsmark writes (annotations, the memory, the project and team
files) goes through :func:`basic_string` or :func:`dumps`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import tomli_w

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f-\x9f]')
_C1 = re.compile(r"[\x80-\x9f]")

_QUOTED: dict[str, str] = {}


def _escape(match: re.Match[str]) -> str:
    return _ESCAPES.get(match.group(), f"\\u{ord(match.group()):04x}")


def basic_string(value: str) -> str:
    """A TOML basic string with every control character escaped.

    Memoised: labels, sources and most entity texts repeat, and a save of 5,000 spans runs
    on every key.
    """
    quoted = _QUOTED.get(value)
    if quoted is not None:
        return quoted
    if _NEEDS_ESCAPE.search(value) is None:
        quoted = f'"{value}"'
    else:
        quoted = f'"{_NEEDS_ESCAPE.sub(_escape, value)}"'
    if len(_QUOTED) > 100_000:
        _QUOTED.clear()
    _QUOTED[value] = quoted
    return quoted


def dumps(doc: Mapping[str, Any]) -> str:
    """``tomli_w.dumps`` with C1 controls escaped as ``\\uXXXX``.

    tomli-w escapes C0 controls and DEL itself and writes every string and quoted key as a
    single-line basic string, so a C1 character in its output always stands inside one,
    where the escape means the same character.
    """
    return _C1.sub(_escape, tomli_w.dumps(doc))
