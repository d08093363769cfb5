"""The key tables people read: the help screen's rows and the README's tables, made from
the declared bindings so they cannot drift."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace

from textual.binding import Binding

from tui.keys import ALL, REVIEW_BINDINGS

_DISPLAY = {
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
    "question_mark": "?",
    "slash": "/",
    "exclamation_mark": "!",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "full_stop": ".",
    "comma": ",",
    "plus": "+",
}


def key_display(key: str) -> str:
    """A key as people type it: ``[`` rather than ``left_square_bracket``."""
    return _DISPLAY.get(key, key)


def rows(
    bindings: Sequence[Binding] = ALL, keymap: Mapping[str, str] | None = None
) -> Iterator[tuple[str, str]]:
    """``(keys, what they do)`` per row; a binding group (``1``–``9``) is one row. Keys a
    person rebound (``keymap``, by id) are shown as bound."""
    if keymap:
        bindings = [replace(b, key=keymap.get(b.id or "", b.key)) for b in bindings]
    done: set[str] = set()
    seen: set[tuple[str, str | None]] = set()
    for binding in bindings:
        if (binding.key, binding.tooltip) in seen:
            continue  # the same key declared for the view and the app: one row
        seen.add((binding.key, binding.tooltip))
        group = binding.group
        if group is not None:
            if group.description in done:
                continue
            done.add(group.description)
            members = [b for b in bindings if b.group is group]
            if len(members) > 2:
                keys = f"`{members[0].key}`–`{members[-1].key}`"
            else:
                keys = "/".join(f"`{key_display(b.key)}`" for b in members)
        else:
            keys = "/".join(f"`{key_display(k)}`" for k in binding.key.split(","))
        yield keys, binding.tooltip


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(bindings: Sequence[Binding] = ALL) -> str:
    """The key table in Markdown, for the help screen and the README."""
    lines = ["| key | does |", "|---|---|"]
    lines += [f"| {keys} | {_cell(does)} |" for keys, does in rows(bindings)]
    return "\n".join(lines) + "\n"


def ids_markdown(bindings: Sequence[Binding] = (*ALL, *REVIEW_BINDINGS)) -> str:
    """Every binding's id and its keys, for rebinding in the config file (:mod:`tui.keymap`)."""
    lines = ["| id | keys |", "|---|---|"]
    seen: set[str] = set()
    for b in bindings:
        if b.id and b.id not in seen:
            seen.add(b.id)
            keys = "/".join(f"`{key_display(k)}`" for k in b.key.split(","))
            lines.append(f"| `{b.id}` | {keys} |")
    return "\n".join(lines) + "\n"


def write_readme(path: str) -> None:
    """Replace the text between the README's key markers with :func:`markdown`."""
    from pathlib import Path

    readme = Path(path)
    text = readme.read_text("utf-8")
    tables = {
        "keys": markdown(ALL),
        "review-keys": markdown(REVIEW_BINDINGS),
        "key-ids": ids_markdown(),
    }
    for marker, table in tables.items():
        start, end = f"<!-- {marker}:start -->\n", f"<!-- {marker}:end -->"
        if start not in text:
            continue
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}{table}{end}{tail}"
    readme.write_text(text, "utf-8")
