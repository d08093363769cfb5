"""Label colours, close to displaCy's, fixed across themes so a label always looks the same.

Text on a label is always black on the label's light colour, which reads on light and dark
themes alike; the label's name is drawn beside each span so nothing depends on colour.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

from rich.color import Color
from rich.style import Style

DISPLACY = {
    "ORG": "#7aecec",
    "PRODUCT": "#bfeeb7",
    "GPE": "#feca74",
    "LOC": "#ff9561",
    "PERSON": "#aa9cfc",
    "NORP": "#c887fb",
    "FAC": "#9cc9cc",
    "EVENT": "#ffeb80",
    "LAW": "#ff8197",
    "LANGUAGE": "#ff8197",
    "WORK_OF_ART": "#f0d0ff",
    "DATE": "#bfe1d9",
    "TIME": "#bfe1d9",
    "MONEY": "#e4e7d2",
    "QUANTITY": "#e4e7d2",
    "ORDINAL": "#e4e7d2",
    "CARDINAL": "#e4e7d2",
    "PERCENT": "#e4e7d2",
}
_SPARE = ("#ddd", "#f9c7c7", "#c7e9f9", "#e3f9c7", "#f9e6c7", "#d9c7f9")
# OntoNotes labels in the order the number keys give them: the common ones first.
DEFAULT_LABELS = (
    "PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "DATE",
    "WORK_OF_ART", "LAW", "LANGUAGE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL",
    "CARDINAL",
)  # fmt: skip


def colour(label: str) -> str:
    """The label's colour; labels displaCy does not know get a stable spare one."""
    return DISPLACY.get(label) or _SPARE[zlib.crc32(label.encode()) % len(_SPARE)]


@lru_cache(maxsize=256)
def label_style(label: str, underline: bool = False) -> Style:
    return Style(color="#000000", bgcolor=colour(label), underline=underline)


@lru_cache(maxsize=256)
def tag_style(label: str) -> Style:
    """The label name beside a span: a darker shade of its colour, bold."""
    r, g, b = Color.parse(colour(label)).get_truecolor()
    darker = Color.from_rgb(r * 0.75, g * 0.75, b * 0.75)
    return Style(color="#000000", bgcolor=darker, bold=True)


def ordered(labels: set[str] | list[str] | tuple[str, ...]) -> list[str]:
    """Default labels first (stable numbering), then any others alphabetically."""
    extra = sorted(set(labels) - set(DEFAULT_LABELS))
    return [*DEFAULT_LABELS, *extra]
