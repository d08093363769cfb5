"""Keys a person rebinds in their config file, by the ids :mod:`tui.keys` gives every binding.

``$XDG_CONFIG_HOME/newsmark/config.toml`` (``~/.config/newsmark/config.toml``; the
``NEWSMARK_CONFIG`` environment variable names another file) may hold::

    [keymap]
    entity-join = "ctrl+j"
    label-pick = "t,L"

The app hands the table to Textual's ``App.set_keymap``, as posting does with its own config.
A file that cannot be used is refused whole, in one sentence naming it and what to change.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from difflib import get_close_matches
from pathlib import Path

from tui.keys import ALL, REVIEW_BINDINGS

IDS = frozenset(b.id for b in (*ALL, *REVIEW_BINDINGS) if b.id)


class KeymapError(Exception):
    """The config file's keymap cannot be used; the message says which file and why."""


def config_path() -> Path:
    named = os.environ.get("NEWSMARK_CONFIG")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "newsmark" / "config.toml"


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """The ``[keymap]`` table of the config file, checked; empty when there is no file."""
    path = path or config_path()
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KeymapError(f"{path} cannot be read ({exc}): fix or remove it.") from None
    table = data.get("keymap", {})
    if not isinstance(table, Mapping):
        raise KeymapError(f'{path}: [keymap] should be a table of key id = "keys".')
    return check_keymap(table, path)


def check_keymap(table: Mapping[str, object], path: Path) -> dict[str, str]:
    """Every id known and every value a non-empty key string, else :class:`KeymapError`."""
    unknown = sorted(set(table) - IDS)
    if unknown:
        hints = []
        for name in unknown:
            close = get_close_matches(name, IDS, n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise KeymapError(
            f"{path}: unknown key ids in [keymap]: {', '.join(hints)}; the README's "
            '"Rebinding keys" lists every id.'
        )
    bad = sorted(k for k, v in table.items() if not isinstance(v, str) or not v.strip(" ,"))
    if bad:
        raise KeymapError(
            f"{path}: [keymap] {', '.join(repr(k) for k in bad)} should be a key string such "
            'as "ctrl+j" (several keys: "t,L").'
        )
    return {k: str(v).replace(" ", "") for k, v in table.items()}
