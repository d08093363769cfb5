"""Label colours, close to displaCy's, fixed across themes so a label always looks the same.

Text on a label is always black on the label's light colour, which reads on light and dark
themes alike; the label's name is drawn beside each span so nothing depends on colour.
Labels displaCy does not know (an import can bring a hundred) get a light colour of their own,
chosen from a spread of hues and lightnesses away from every colour already handed out; no
label name, however odd, can produce a colour Rich cannot draw.
"""

from __future__ import annotations

import colorsys
import math
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
FALLBACK = "#d0d0d0"
"""Used only if a colour somehow cannot be made into a style: the app never stops over it."""
_DISTINCT = 28.0  # RGB distance a new label's colour keeps from the others when it can
# OntoNotes labels in the order the number keys give them: the common ones first.
DEFAULT_LABELS = (
    "PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "DATE",
    "WORK_OF_ART", "LAW", "LANGUAGE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL",
    "CARDINAL",
)  # fmt: skip


RGB = tuple[int, int, int]


def _spares() -> tuple[RGB, ...]:
    """Light colours around the hue circle (golden-angle steps), in three lightnesses and
    two saturations; every one keeps black text at a contrast of at least 4.5:1."""
    found = []
    for i in range(1024):
        hue = (i * 0.618033988749895) % 1
        lightness = (0.78, 0.66, 0.88)[i % 3]
        saturation = (0.85, 0.55)[(i // 3) % 2]
        r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
        found.append((round(r * 255), round(g * 255), round(b * 255)))
    return tuple(found)


_SPARES = _spares()


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


class Palette:
    """Hands out the spare colours, remembering them so a label keeps its colour."""

    def __init__(self) -> None:
        self._given: dict[str, RGB] = {}
        self._used: list[RGB] = [Color.parse(c).get_truecolor() for c in set(DISPLACY.values())]

    def colour(self, label: str) -> str:
        """The label's colour as ``#rrggbb``: displaCy's, else a spare one."""
        known = DISPLACY.get(label)
        return known if known is not None else _hex(self._spare(label))

    def _spare(self, label: str) -> RGB:
        """Where the label's hash points, else the next colour far enough from every one in
        use, else the farthest there is."""
        found = self._given.get(label)
        if found is not None:
            return found
        first = zlib.crc32(label.encode("utf-8", "surrogatepass")) % len(_SPARES)
        best, best_distance = _SPARES[first], -1.0
        for step in range(len(_SPARES)):
            candidate = _SPARES[(first + step) % len(_SPARES)]
            distance = min(math.dist(candidate, used) for used in self._used)
            if distance >= _DISTINCT:
                best = candidate
                break
            if distance > best_distance:
                best, best_distance = candidate, distance
        self._given[label] = best
        self._used.append(best)
        return best


_PALETTE = Palette()


def colour(label: str) -> str:
    """The label's colour as ``#rrggbb``, the same for the whole session."""
    return _PALETTE.colour(label)


def _rgb(label: str) -> RGB:
    try:
        return Color.parse(colour(label)).get_truecolor()
    except Exception:  # a colour problem must never stop the app
        return Color.parse(FALLBACK).get_truecolor()


@lru_cache(maxsize=1024)
def label_style(label: str, underline: bool = False) -> Style:
    """Black text on the label's colour (underlined too when colour is off)."""
    r, g, b = _rgb(label)
    return Style(color="#000000", bgcolor=Color.from_rgb(r, g, b), underline=underline)


@lru_cache(maxsize=1024)
def tag_style(label: str) -> Style:
    """The label name beside a span: a darker shade of its colour, bold, never so dark
    that its black text drops below a contrast of 4.5:1."""
    r, g, b = _rgb(label)
    darker = (r, g, b)
    for shade in (0.75, 0.8, 0.85, 0.9, 0.95):
        darker = (int(r * shade), int(g * shade), int(b * shade))
        if luminance(darker) >= 0.175:
            break
    else:
        darker = (r, g, b)
    return Style(color="#000000", bgcolor=Color.from_rgb(*darker), bold=True)


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance; black text on it has contrast ``(L + 0.05) / 0.05``."""

    def channel(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ordered(labels: set[str] | list[str] | tuple[str, ...]) -> list[str]:
    """Default labels first (stable numbering), then any others alphabetically."""
    extra = sorted(set(labels) - set(DEFAULT_LABELS))
    return [*DEFAULT_LABELS, *extra]


UNSURE_STYLE = Style(underline=True)
"""The text of a suggestion the model is unsure of (under the reader's threshold)."""


@lru_cache(maxsize=1024)
def unsure_tag_style(label: str) -> Style:
    """The tag of an unsure suggestion: the label's colour on black, the reverse of a sure
    one's, so it stands out without taking a cell more."""
    return Style(color=Color.from_rgb(*_rgb(label)), bgcolor="#000000", bold=True, italic=True)
