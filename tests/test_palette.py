"""Label colours: any label name, and a hundred of them, get a valid colour of their own."""

from __future__ import annotations

import io
import itertools
import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import Color
from rich.console import Console
from rich.segment import Segment

from tui.widgets import palette


@settings(deadline=None)  # a new label searches the spare colours: timing is not the point
@given(st.text(max_size=40))
def test_every_label_name_gets_a_colour_rich_can_draw(label: str) -> None:
    rgb = Color.parse(palette.colour(label)).get_truecolor()
    assert (palette.luminance(rgb) + 0.05) / 0.05 >= 4.5  # black text stays readable on it
    tag = palette.tag_style(label).bgcolor
    assert tag is not None
    assert (palette.luminance(tag.get_truecolor()) + 0.05) / 0.05 >= 4.5  # and on its tag
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", width=80)
    for style in (
        palette.label_style(label),
        palette.label_style(label, underline=True),
        palette.tag_style(label),
    ):
        console.print(Segment("x", style))
    assert out.getvalue()


def test_misc_is_no_longer_an_unparseable_colour() -> None:
    """The issue's case: ``MISC`` was given ``#ddd``, which froze the app. Its colour is now
    a full ``#rrggbb`` that its styles really use (not the grey a colour problem falls back
    to), apart from every displaCy colour."""
    misc = palette.colour("MISC")
    assert re.fullmatch(r"#[0-9a-f]{6}", misc), misc
    rgb = Color.parse(misc).get_truecolor()
    background = palette.label_style("MISC").bgcolor
    assert background is not None and background.get_truecolor() == rgb
    assert misc != palette.FALLBACK and misc not in palette.DISPLACY.values()


def test_a_hundred_labels_get_distinct_colours() -> None:
    fresh = palette.Palette()  # a corpus whose import brought a hundred labels
    names = [f"IMPORTED_{n}" for n in range(100)]
    colours = [fresh.colour(name) for name in names]
    assert len(set(colours)) == 100
    assert [fresh.colour(name) for name in names] == colours  # a label keeps its colour
    rgb = [Color.parse(c).get_truecolor() for c in colours]
    closest = min(math.dist(a, b) for a, b in itertools.combinations(rgb, 2))
    assert closest >= 12


def test_known_labels_keep_displacy_colours() -> None:
    assert palette.colour("PERSON") == "#aa9cfc"
    assert palette.colour("ORG") == "#7aecec"
